"""Where a client is: typed cities, countries and abbreviations, and a shared location, in the
consent flow after "I agree" and from /settings."""

from __future__ import annotations

import pytest

from bot.offline import OfflineBot
from emulator import Phone
from tests.chat import new_client_note
from tests.test_invites import ANNA, join

LYON = (45.7640, 4.8357)


async def client_asked(running: OfflineBot, maya: Phone) -> Phone:
    await new_client_note(maya, "Anna K.")
    anna = await join(running, maya)
    assert "which time zone" in anna.last_text
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
    assert "Time zone: America/New_York" in anna.last_text
    assert await zone_of(running) == "America/New_York"
    assert anna.keyboard == []  # the 📍 keyboard is gone once the zone is set


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Leeds", "Europe/London"),
        ("Bristol", "Europe/London"),  # also in the US: the practice's country wins
        ("München", "Europe/Berlin"),
        ("Lyon", "Europe/Paris"),
        ("Stuttgart", "Europe/Berlin"),
        ("Germany", "Europe/Berlin"),
    ],
)
async def test_cities_and_countries_are_found(
    running: OfflineBot, maya: Phone, typed: str, zone: str
) -> None:
    anna = await client_asked(running, maya)
    await anna.send(typed)
    assert f"Time zone: {zone}" in anna.last_text
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
    assert "Time zone: America/Chicago" in anna.last_text
    assert await zone_of(running) == "America/Chicago"


async def test_a_shared_location_after_agreeing(running: OfflineBot, maya: Phone) -> None:
    anna = await client_asked(running, maya)
    assert anna.location_buttons == ["📍 Share my location"]
    await anna.share_location(*LYON)
    assert "Time zone: Europe/Paris" in anna.last_text
    assert await zone_of(running) == "Europe/Paris"
    assert anna.keyboard == [] and anna.location_buttons == []


async def test_a_shared_location_from_settings(running: OfflineBot, maya: Phone) -> None:
    anna = await client_asked(running, maya)
    await anna.tap("London")
    assert anna.keyboard == []
    await anna.send("/settings")
    await anna.tap("Time zone")
    assert "Which time zone are you in now?" in anna.last_text
    assert anna.location_buttons == ["📍 Share my location"]
    await anna.share_location(*LYON)
    assert "Time zone: Europe/Paris" in anna.last_text
    assert await zone_of(running) == "Europe/Paris"
    assert anna.keyboard == []


async def test_a_location_at_sea_asks_for_a_city(running: OfflineBot, maya: Phone) -> None:
    anna = await client_asked(running, maya)
    await anna.share_location(0.0, -30.0)  # the middle of the Atlantic
    assert "no time zone at that spot" in anna.last_text
    assert await zone_of(running) is None
    await anna.send("Lyon")
    assert "Time zone: Europe/Paris" in anna.last_text
