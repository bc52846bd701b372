"""Reading a time zone as a client types it: an IANA name, or a big city."""

from __future__ import annotations

import unicodedata
from functools import cache
from zoneinfo import available_timezones

# Cities people type that are not the last part of an IANA name (or are ambiguous).
_CITIES: dict[str, str] = {
    "washington": "America/New_York",
    "boston": "America/New_York",
    "miami": "America/New_York",
    "atlanta": "America/New_York",
    "philadelphia": "America/New_York",
    "san francisco": "America/Los_Angeles",
    "seattle": "America/Los_Angeles",
    "san diego": "America/Los_Angeles",
    "portland": "America/Los_Angeles",
    "las vegas": "America/Los_Angeles",
    "houston": "America/Chicago",
    "dallas": "America/Chicago",
    "austin": "America/Chicago",
    "montreal": "America/Toronto",
    "ottawa": "America/Toronto",
    "calgary": "America/Edmonton",
    "munich": "Europe/Berlin",
    "hamburg": "Europe/Berlin",
    "frankfurt": "Europe/Berlin",
    "cologne": "Europe/Berlin",
    "geneva": "Europe/Zurich",
    "milan": "Europe/Rome",
    "barcelona": "Europe/Madrid",
    "porto": "Europe/Lisbon",
    "krakow": "Europe/Warsaw",
    "st petersburg": "Europe/Moscow",
    "saint petersburg": "Europe/Moscow",
    "kiev": "Europe/Kyiv",
    "edinburgh": "Europe/London",
    "manchester": "Europe/London",
    "glasgow": "Europe/London",
    "cork": "Europe/Dublin",
    "mumbai": "Asia/Kolkata",
    "delhi": "Asia/Kolkata",
    "new delhi": "Asia/Kolkata",
    "bangalore": "Asia/Kolkata",
    "beijing": "Asia/Shanghai",
    "hong kong": "Asia/Hong_Kong",
    "osaka": "Asia/Tokyo",
    "melbourne": "Australia/Melbourne",
    "canberra": "Australia/Sydney",
    "wellington": "Pacific/Auckland",
    "dubai": "Asia/Dubai",
    "abu dhabi": "Asia/Dubai",
    "tel aviv": "Asia/Jerusalem",
    "rio de janeiro": "America/Sao_Paulo",
    "rio": "America/Sao_Paulo",
    "uk": "Europe/London",
    "gmt": "Etc/GMT",
}


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.casefold().replace("_", " ").replace("-", " ").split())


@cache
def _index() -> dict[str, str]:
    """Folded full names and folded last parts ("new york") of every IANA zone."""
    index: dict[str, str] = {}
    for name in sorted(available_timezones()):
        if name.startswith(("Etc/", "SystemV/")) or "/" not in name:
            continue
        index.setdefault(_fold(name.rsplit("/", 1)[1]), name)
    for name in available_timezones():
        index[_fold(name)] = name
    index.update({_fold(city): zone for city, zone in _CITIES.items()})
    index["utc"] = "UTC"
    return index


def resolve_timezone(text: str) -> str | None:
    """The IANA zone meant by "Europe/Berlin", "berlin", "New York" or "São Paulo", else None."""
    folded = _fold(text.strip())
    if not folded or len(folded) > 64:
        return None
    return _index().get(folded)
