"""Where a client is: typed cities, countries and abbreviations, and a shared location, in the
consent flow after "I agree" and from /settings."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from demo.offline import OfflineBot
from emulator import Phone
from practice.timezones import Found, clock_abbreviations, find_zone, zone_at
from tests.chat import new_client_note
from tests.test_invites import ANNA, join

LYON = (45.7640, 4.8357)


# The intake's first question follows the zone's reply once the zone is set (bot/client/intake.py).
INTAKE_MESSAGE = re.compile(r"(\d+ of \d+ · |📝 )")


def zone_reply(phone: Phone) -> str:
    """The bot's newest message that is not the intake's."""
    return next(m.text for m in reversed(phone.messages) if not INTAKE_MESSAGE.match(m.text))


async def client_asked(running: OfflineBot, maya: Phone) -> Phone:
    await new_client_note(maya, "Anna K.")
    anna = await join(running, maya)
    # The question first, then the 📍 offer that answers it (never the other way round).
    question, offer = anna.messages[-2:]
    assert "which time zone" in question.text
    assert offer.text.startswith("📍 Quickest of all: tap Share my location at the bottom")
    assert anna.location_buttons == ["📍 Share my location"]
    return anna


async def zone_of(running: OfflineBot) -> str | None:
    async with running.db.unit_of_work() as uow:
        client = await uow.clients.by_telegram_user(ANNA)
        assert client is not None
        return client.timezone


async def test_an_abbreviation_is_never_taken_as_a_zone(running: OfflineBot, maya: Phone) -> None:
    anna = await client_asked(running, maya)
    await anna.send("EST")
    # tzdata's "EST" is Panama's clock, without summer time: refused, and the clocks it may
    # mean are offered, each saying whether it changes for summer.
    assert "names a clock, not a place" in anna.last_text
    assert await zone_of(running) is None
    assert anna.all_buttons[:2] == ["New York · 05:00 · EST/EDT", "Cancun · 05:00 · EST all year"]
    eastern = anna.last_message_id
    await anna.send("MST")
    assert "names a clock, not a place" in anna.last_text
    assert any("Phoenix" in b and "MST all year" in b for b in anna.all_buttons)
    assert any("MST/MDT" in b for b in anna.all_buttons)
    await anna.tap("New York", message_id=eastern)
    assert "Time zone: New York time" in zone_reply(anna)
    assert await zone_of(running) == "America/New_York"
    assert anna.keyboard == []  # the 📍 keyboard is gone once the zone is set


@pytest.mark.parametrize(
    ("typed", "zone", "shown"),
    [
        ("Leeds", "Europe/London", "London time"),
        ("Bristol", "Europe/London", "London time"),  # also in the US: the practice's country wins
        ("München", "Europe/Berlin", "Berlin time"),
        ("Lyon", "Europe/Paris", "Paris time"),
        ("Stuttgart", "Europe/Berlin", "Berlin time"),
        ("Germany", "Europe/Berlin", "Berlin time"),
    ],
)
async def test_cities_and_countries_are_found(
    running: OfflineBot, maya: Phone, typed: str, zone: str, shown: str
) -> None:
    anna = await client_asked(running, maya)
    await anna.send(typed)
    assert f"Time zone: {shown}" in zone_reply(anna)
    assert await zone_of(running) == zone
    assert anna.keyboard == []


async def test_a_country_with_several_zones_offers_them(running: OfflineBot, maya: Phone) -> None:
    anna = await client_asked(running, maya)
    await anna.send("United States")
    assert "United States has more than one time zone" in anna.last_text
    assert await zone_of(running) is None
    for city in ("New York", "Chicago", "Denver", "Phoenix", "Los Angeles", "Honolulu"):
        assert any(b.startswith(city) for b in anna.all_buttons), anna.all_buttons
    await anna.tap("Chicago")
    assert "Time zone: Chicago time" in zone_reply(anna)
    assert await zone_of(running) == "America/Chicago"


async def test_a_shared_location_after_agreeing(running: OfflineBot, maya: Phone) -> None:
    anna = await client_asked(running, maya)
    assert anna.location_buttons == ["📍 Share my location"]
    await anna.share_location(*LYON)
    assert "Time zone: Paris time" in zone_reply(anna)
    assert await zone_of(running) == "Europe/Paris"
    assert anna.keyboard == [] and anna.location_buttons == []


async def test_a_shared_location_from_settings(running: OfflineBot, maya: Phone) -> None:
    anna = await client_asked(running, maya)
    await anna.tap("London")
    assert anna.keyboard == []
    await anna.send("/settings")
    await anna.tap("Time zone")
    assert "Which time zone are you in now?" in anna.messages[-2].text
    assert anna.last_text.startswith("📍 Quickest of all")
    assert anna.location_buttons == ["📍 Share my location"]
    await anna.share_location(*LYON)
    assert "Time zone: Paris time" in zone_reply(anna)
    assert await zone_of(running) == "Europe/Paris"
    assert anna.keyboard == []


async def test_a_location_at_sea_asks_for_a_city(running: OfflineBot, maya: Phone) -> None:
    anna = await client_asked(running, maya)
    await anna.share_location(0.0, -30.0)  # the middle of the Atlantic
    assert "no time zone at that spot" in anna.last_text
    assert await zone_of(running) is None
    await anna.send("Lyon")
    assert "Time zone: Paris time" in zone_reply(anna)


# ---------------------------------------------------------------- the lookup itself

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        ("US/Eastern", "US/Eastern"),
        ("UTC", "UTC"),
        ("berlin", "Europe/Berlin"),
        ("São Paulo", "America/Sao_Paulo"),
        ("Leeds", "Europe/London"),
        ("München", "Europe/Berlin"),
        ("Munchen", "Europe/Berlin"),
        ("Munich", "Europe/Berlin"),
        ("Lyon", "Europe/Paris"),
        ("Stuttgart", "Europe/Berlin"),
        ("Stratford-upon-Avon", "Europe/London"),
        ("Москва", "Europe/Moscow"),
        ("東京", "Asia/Tokyo"),
        ("Paris", "Europe/Paris"),  # Paris, Texas is fifty times smaller
        ("Germany", "Europe/Berlin"),  # Büsingen keeps Berlin's clock
        ("Deutschland", "Europe/Berlin"),  # country names as their people write them
        ("España", None),  # the Canaries keep another clock: asked
        ("England", "Europe/London"),  # a region (ISO 3166-2)
        ("Bayern", "Europe/Berlin"),
        ("California", "America/Los_Angeles"),
        ("France", "Europe/Paris"),
        ("UK", "Europe/London"),
        ("Britain", "Europe/London"),
        ("South Korea", "Asia/Seoul"),
        ("Japan", "Asia/Tokyo"),  # a country before tzdata's old "Japan" zone
        ("GB", "Europe/London"),
        ("Estonia", "Europe/Tallinn"),
        ("Narnia", None),
        ("", None),
        ("x" * 200, None),
    ],
)
def test_a_typed_place(typed: str, zone: str | None) -> None:
    assert find_zone(typed, now=NOW).zone == zone


def test_abbreviations_offer_clocks_and_set_nothing() -> None:
    est = find_zone("EST", now=NOW)  # tzdata's EST is Panama's clock: no summer time
    assert (est.found, est.zone) == (Found.ABBREVIATION, None)
    assert est.choices == ("America/New_York", "America/Cancun")
    mst = find_zone("mst", now=NOW)
    assert "America/Phoenix" in mst.choices and len(mst.choices) == 2
    assert find_zone("IST", now=NOW).choices == ("Asia/Kolkata", "Europe/Dublin", "Asia/Jerusalem")
    assert find_zone("BST", now=NOW).choices == ("Europe/London",)
    # Old zone names without a region: the clock they keep, to tap, never set.
    assert find_zone("EST5EDT", now=NOW).choices == ("America/New_York",)
    assert find_zone("EST", now=NOW).zone is None  # not Estonia's code either


def test_countries_with_several_clocks_and_cities_with_namesakes() -> None:
    us = find_zone("United States", now=NOW)
    assert (us.found, us.place) == (Found.COUNTRY, "United States")
    assert us.choices[:3] == ("America/New_York", "America/Chicago", "America/Denver")
    assert find_zone("usa", now=NOW).choices == us.choices
    assert find_zone("Spain", now=NOW).choices == ("Europe/Madrid", "Atlantic/Canary")
    portland = find_zone("Portland", now=NOW)
    assert portland.found is Found.CITY and portland.choices[0] == "America/Los_Angeles"
    assert "America/Jamaica" in portland.choices  # a parish of Jamaica, too
    in_the_us = find_zone("Portland, United States", now=NOW).choices
    assert in_the_us == tuple(z for z in portland.choices if z != "America/Jamaica")
    # The practice's country decides between namesakes.
    assert find_zone("Bristol", now=NOW).zone is None
    assert find_zone("Bristol", now=NOW, home="Europe/London").zone == "Europe/London"
    assert find_zone("Birmingham", now=NOW, home="Europe/London").zone == "Europe/London"
    # A region and a town abroad of one name: the province is among the clocks offered.
    ontario = find_zone("Ontario", now=NOW, home="Europe/London")
    assert ontario.zone is None and "America/Toronto" in ontario.choices
    assert "America/Los_Angeles" in ontario.choices  # the town in California
    texas = find_zone("Texas", now=NOW)
    assert (texas.found, texas.place, texas.choices) == (
        Found.COUNTRY,
        "Texas",
        ("America/Chicago", "America/Denver"),  # El Paso keeps mountain time
    )
    assert "America/New_York" in find_zone("Florida", now=NOW).choices
    # Two Birminghams in the US, on two clocks: asked even of a practice in Chicago.
    assert len(find_zone("Birmingham", now=NOW, home="America/Chicago").choices) == 3


def test_a_location() -> None:
    assert zone_at(*LYON) == "Europe/Paris"
    assert zone_at(53.8008, -1.5491) == "Europe/London"  # Leeds
    assert zone_at(0.0, -30.0) is None  # the Atlantic: a nautical Etc/GMT+2, no place
    assert zone_at(91.0, 0.0) is None


def test_clock_abbreviations() -> None:
    assert clock_abbreviations("America/New_York", NOW) == ["EST", "EDT"]
    assert clock_abbreviations("America/Phoenix", NOW) == ["MST"]
