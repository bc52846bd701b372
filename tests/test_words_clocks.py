"""Whose clock a time is read on (issue 16): a homework reminder keeps the client's clock, and a
therapist on another one reads both — "08:00 their time (07:00 yours)" — while the client reads
their own alone; on one clock, "08:00". A zone is named as its place: "Berlin time"."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from bot.shared.clocks import daily_clock, homework_clock
from demo.offline import OfflineBot
from emulator import Phone
from practice.clock import FrozenClock
from practice.timezones import zone_clock, zone_place
from tests.chat import new_client_note
from tests.test_invites import join

# Monday 19 October 2026, 10:00 UTC: London on BST (UTC+1), Berlin on CEST (UTC+2).
START = datetime(2026, 10, 19, 10, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


async def anna_in(running: OfflineBot, maya: Phone, place: str) -> Phone:
    await new_client_note(maya, "Anna K.", areas=("Neck",))
    anna = await join(running, maya)
    await anna.tap(place)
    return anna


async def give_chin_tucks(maya: Phone, at: str) -> str:
    """The homework form to its summary, with the reminder at `at`: the summary's text."""
    await maya.send("/homework Anna")
    await maya.tap("Add exercise")
    await maya.tap("Chin tucks")
    await maya.tap("Keep")
    await maya.tap("Every day")
    await maya.send(at)
    await maya.tap("4 wk")
    await maya.tap("Skip ➡️")
    return maya.last_text


async def test_a_therapist_in_london_reads_a_berlin_reminder_on_both_clocks(
    running: OfflineBot, maya: Phone
) -> None:
    anna = await anna_in(running, maya, "Berlin")
    summary = await give_chin_tucks(maya, "08:00")
    assert "Reminder at: 08:00 their time (07:00 yours)" in summary
    await maya.tap("Save")
    assert maya.last_text == (
        "✓ Chin tucks for Anna K.: Daily at 08:00 their time (07:00 yours) until 15 Nov "
        "— sent to Anna K."
    )
    # Anna reads her own clock only.
    assert anna.last_text.endswith("🗓 Daily at 08:00 until 15 Nov")
    assert "yours" not in anna.last_text and "their time" not in anna.last_text
    await anna.send("/homework")
    assert "Daily at 08:00 until 15 Nov" in anna.last_text and "yours" not in anna.last_text

    await maya.send("/homework Anna")
    assert (
        "Chin tucks — 2 × 10, hold 5 s; Daily at 08:00 their time (07:00 yours) until 15 Nov"
        in (maya.last_text)
    )
    await maya.send("/clients")
    await maya.tap("Anna K.")
    card = maya.last_text
    assert "📱 On the bot since Mon 19 Oct (today). 🌍 On Berlin time." in card
    assert "⏭ Next: Chin tucks, Tue 20 Oct 08:00 their time (07:00 yours)" in card


async def test_inside_quiet_hours_the_therapist_reads_both_clocks_twice(
    running: OfflineBot, maya: Phone
) -> None:
    await anna_in(running, maya, "Berlin")
    summary = await give_chin_tucks(maya, "22:30")
    assert (
        "22:30 their time (21:30 yours) is in the client's quiet hours (21:00–08:00): the "
        "reminder will come at 08:00 their time (07:00 yours)."
    ) in summary


async def test_on_one_clock_a_reminder_reads_once(running: OfflineBot, maya: Phone) -> None:
    anna = await anna_in(running, maya, "London")
    summary = await give_chin_tucks(maya, "08:00")
    assert "Reminder at: 08:00\n" in summary
    await maya.tap("Save")
    assert (
        maya.last_text == "✓ Chin tucks for Anna K.: Daily at 08:00 until 15 Nov — sent to Anna K."
    )
    assert anna.last_text.endswith("🗓 Daily at 08:00 until 15 Nov")
    await maya.send("/clients")
    await maya.tap("Anna K.")
    card = maya.last_text
    assert "📱 On the bot since Mon 19 Oct (today).\n" in card  # no clock named: it is Maya's own
    assert "⏭ Next: Chin tucks, Tue 20 Oct 08:00\n" in card


def test_the_other_clock_names_its_day_when_it_is_another() -> None:
    # Tokyo is eight hours ahead of London on BST: 07:30 there is 23:30 the evening before,
    # 08:00 is midnight, the same day; once London is on GMT, 08:00 is 23:00 the day before.
    tokyo = daily_clock(date(2026, 10, 19), "Asia/Tokyo", "Europe/London")
    assert tokyo(time(7, 30)) == "07:30 their time (23:30 yours, the day before)"
    assert tokyo(time(8, 0)) == "08:00 their time (00:00 yours)"
    winter = datetime(2026, 11, 26, 23, 0, tzinfo=UTC)  # 08:00 on the 27th in Tokyo
    assert homework_clock(winter, "Asia/Tokyo", "Europe/London") == (
        "08:00 their time (23:00 yours, the day before)"
    )
    # A client in New York reading the other way: 20:00 theirs is 01:00 the next day in London.
    assert daily_clock(date(2026, 10, 19), "America/New_York", "Europe/London")(time(20)) == (
        "20:00 their time (01:00 yours, the next day)"
    )


def test_the_other_clock_follows_summer_time_on_the_day() -> None:
    """Europe leaves summer time on 25 October, the United States on 1 November: for that week
    New York is four hours behind London, not five."""
    before = daily_clock(date(2026, 10, 19), "America/New_York", "Europe/London")
    between = daily_clock(date(2026, 10, 26), "America/New_York", "Europe/London")
    after = daily_clock(date(2026, 11, 2), "America/New_York", "Europe/London")
    assert before(time(8)) == "08:00 their time (13:00 yours)"
    assert between(time(8)) == "08:00 their time (12:00 yours)"
    assert after(time(8)) == "08:00 their time (13:00 yours)"
    # Another zone on the same clock is no other clock: Paris and Berlin read alike.
    assert daily_clock(date(2026, 10, 19), "Europe/Paris", "Europe/Berlin")(time(8)) == "08:00"


@pytest.mark.parametrize(
    ("zone", "place", "clock"),
    [
        ("Europe/Berlin", "Berlin", "Berlin time"),
        ("Europe/London", "London", "London time"),
        ("America/New_York", "New York", "New York time"),
        ("America/Argentina/Buenos_Aires", "Buenos Aires", "Buenos Aires time"),
        ("America/North_Dakota/New_Salem", "New Salem", "New Salem time"),
        ("America/Port-au-Prince", "Port-au-Prince", "Port-au-Prince time"),
        ("UTC", "UTC", "UTC"),
        ("Etc/UTC", "UTC", "UTC"),
        ("Etc/GMT", "UTC", "UTC"),
        ("Etc/GMT-3", "UTC+3", "UTC+3"),  # POSIX signs: Etc/GMT-3 is three hours ahead
        ("Etc/GMT+5", "UTC−5", "UTC−5"),
    ],
)
def test_a_zone_reads_as_its_place(zone: str, place: str, clock: str) -> None:
    assert zone_place(zone) == place
    assert zone_clock(zone) == clock
