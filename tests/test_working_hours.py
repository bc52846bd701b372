"""WORKING_HOURS with days: `Mon-Fri 09:00-18:00` (and periods separated by commas), the plain
`09:00-18:00` still every day; a muted client's message on a day off waits for the next
working day; a bad value stops start-up with one line naming the variable."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.shared.config import ConfigError, load_settings
from demo.offline import OfflineBot, offline_bot
from emulator import Phone
from practice.clock import FrozenClock
from practice.messages import (
    DAY_NAMES,
    EVERY_DAY,
    WorkingHours,
    WorkingPeriod,
    parse_working_hours,
)
from tests.conftest import LEO, MAYA
from tests.test_messages import anna_ready
from tests.test_reminders import clock as clock  # Monday 19 Oct 2026, 10:00 UTC
from tests.test_reminders import run_until

LONDON = "Europe/London"
WEEKDAYS = parse_working_hours("Mon-Fri 09:00-18:00")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in October 2026, UTC (London is UTC+1 until the 25th): 19th is a Monday."""
    return datetime(2026, 10, day, hour, minute, tzinfo=UTC)


def test_days_named_before_the_times() -> None:
    assert WEEKDAYS.periods == (WorkingPeriod(frozenset(range(5)), time(9), time(18)),)
    assert WEEKDAYS.label() == "Mon–Fri 09:00–18:00"
    # Friday evening in London: Monday morning, not Saturday's.
    assert WEEKDAYS.next_start(at(23, 18), LONDON) == at(26, 9)  # GMT again from the 25th
    assert WEEKDAYS.next_start(at(24, 10), LONDON) == at(26, 9)  # a Saturday
    assert WEEKDAYS.next_start(at(22, 10), LONDON) is None  # Thursday 11:00 in London
    # The plain form is every day, as before.
    every = parse_working_hours("09:00-18:00")
    assert every.periods[0].days == EVERY_DAY
    assert every.label() == "09:00–18:00"
    assert every.next_start(at(23, 18), LONDON) == at(24, 8)  # Saturday 09:00 BST


def test_several_periods_names_and_ranges() -> None:
    hours = parse_working_hours("mon-thu 09:00-18:00, Friday 9:00–13:00; sat 10:00-12:00")
    assert hours.label() == "Mon–Thu 09:00–18:00, Fri 09:00–13:00, Sat 10:00–12:00"
    assert hours.next_start(at(23, 12, 30), LONDON) == at(24, 9)  # Fri 13:30: Sat 10:00
    assert hours.next_start(at(24, 11), LONDON) == at(26, 9)  # Sat 12:00: Monday
    listed = parse_working_hours("Mon, Wed, Fri 08:00-12:00")
    assert listed.periods[0].days == {0, 2, 4}
    assert listed.label() == "Mon, Wed, Fri 08:00–12:00"
    # A range may run over the week's end, and a night shift past midnight: its days are
    # the days it starts.
    nights = parse_working_hours("Fri-Sun 20:00-04:00")
    assert nights.periods[0].days == {4, 5, 6}
    assert nights.contains(datetime(2026, 10, 24, 2, 0))  # Saturday 02:00: Friday's night
    assert nights.contains(datetime(2026, 10, 26, 3, 59))  # Monday 03:59: Sunday's night
    assert not nights.contains(datetime(2026, 10, 27, 2, 0))  # Tuesday 02:00
    assert not nights.contains(datetime(2026, 10, 23, 2, 0))  # Friday 02:00: Thursday off
    assert parse_working_hours("Sat-Mon 10:00-12:00").label() == "Sat–Mon 10:00–12:00"


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ("9 to 6", "must be two times like 09:00-18:00"),
        ("Mon-Fri", "must be two times like 09:00-18:00"),
        ("09:00-18:00,", "must be two times like 09:00-18:00"),
        ("Mon-Fri 09:00-18:00 Sat 10:00-12:00", "must be two times like 09:00-18:00"),
        ("Mun-Fri 09:00-18:00", "'Mun' is not a day of the week"),
        ("T 09:00-18:00", "'T' is not a day of the week"),
        ("Mon 25:00-26:00", "must be times of day"),
        ("Mon 09:00-09:00", "different times"),
    ],
)
def test_a_bad_value_says_why(bad: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_working_hours(bad)


def test_a_bad_value_stops_start_up_naming_the_variable() -> None:
    assert load_settings(working_hours=" Mon-Fri 09:00-18:00 ").hours == WEEKDAYS
    with pytest.raises(ConfigError) as raised:
        load_settings(working_hours="Mon-Fry 09:00-18:00")
    line = str(raised.value)
    assert line.startswith("Configuration error: WORKING_HOURS ")
    assert "'Fry' is not a day of the week (Mon, Tue, Wed, Thu, Fri, Sat, Sun)" in line
    assert "\n" not in line


minutes = st.integers(0, 24 * 60 - 1).map(lambda m: time(m // 60, m % 60))


@st.composite
def working_hours(draw: st.DrawFn) -> WorkingHours:
    found = []
    for _ in range(draw(st.integers(1, 3))):
        start, end = draw(minutes), draw(minutes)
        if start == end:
            end = time((start.hour + 1) % 24, start.minute)
        found.append(WorkingPeriod(draw(st.frozensets(st.integers(0, 6), min_size=1)), start, end))
    return WorkingHours(tuple(found))


@given(working_hours())
def test_the_label_reads_back_as_the_same_hours(hours: WorkingHours) -> None:
    assert parse_working_hours(hours.label()) == hours


@given(
    st.lists(st.sampled_from(DAY_NAMES), min_size=1, max_size=3),
    st.sampled_from([str.lower, str.upper, lambda s: s[:3]]),
    st.sampled_from(["-", "–", " - "]),
)
def test_day_names_in_any_case_full_or_short(days: list[str], spell, dash: str) -> None:
    hours = parse_working_hours(f"{', '.join(spell(d) for d in days)} 09:00{dash}17:30")
    assert hours.periods[0].days == {DAY_NAMES.index(d) for d in days}
    assert (hours.periods[0].start, hours.periods[0].end) == (time(9), time(17, 30))


@settings(max_examples=60, deadline=None)
@given(
    working_hours(),
    st.datetimes(datetime(2026, 1, 1), datetime(2027, 12, 31)).map(lambda d: d.replace(tzinfo=UTC)),
    st.sampled_from(["UTC", "Asia/Kolkata", "America/Sao_Paulo"]),  # no clock changes
)
def test_the_next_start_is_the_first_moment_inside(
    hours: WorkingHours, now: datetime, zone: str
) -> None:
    """None exactly when now is inside; else a moment inside, with none before it since now
    (every minute checked: the hours begin on minutes)."""
    tz = ZoneInfo(zone)
    start = hours.next_start(now, zone)
    if start is None:
        assert hours.contains(now.astimezone(tz))
        return
    assert now < start <= now + timedelta(days=7)
    assert hours.contains(start.astimezone(tz))
    moment = now.replace(second=0, microsecond=0)
    assert not hours.contains(now.astimezone(tz))
    while (moment := moment + timedelta(minutes=1)) < start:
        assert not hours.contains(moment.astimezone(tz)), moment


HOURS = "Mon-Fri 09:00-18:00"  # London time: 08:00-17:00 UTC until 25 October


@pytest.fixture
async def running(database_url: str, clock: FrozenClock, places: None) -> AsyncIterator[OfflineBot]:
    async with offline_bot(
        database_url,
        therapist_ids=frozenset({MAYA, LEO}),
        clock=clock,
        timezone=LONDON,
        working_hours=HOURS,
    ) as bot:
        yield bot
        assert bot.emulator.unanswered_callback_queries() == []
        bot.check_alive()


async def test_a_muted_message_on_a_day_off_waits_for_the_next_working_day(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    anna = await anna_ready(running, maya)
    await anna.send("Thanks for today")
    await running.dispatch()
    await maya.tap("🔕 Only in working hours")
    assert maya.last_answer == (
        "🔕 Anna K.'s messages outside Mon–Fri 09:00–18:00 now wait for your working hours."
    )
    clock.set(at(24, 11))  # Saturday, 12:00 in London
    before = len(maya.messages)
    await anna.send("The pain came back")
    assert anna.last_text.startswith(
        "✓ Kept for Maya. They read messages Mon–Fri 09:00–18:00 London time, so they "
        "will see this Mon 26 Oct, 10:00."  # Anna is in Berlin
    )
    await run_until(running, clock, at(26, 8, 59))  # GMT from the 25th: 09:00 is 09:00 UTC
    assert not any("writes:" in m.text for m in maya.messages[before:])
    await run_until(running, clock, at(26, 9, 1))
    [relayed] = [m for m in maya.messages[before:] if "writes:" in m.text]
    assert "Sat 24 Oct, 12:00\nThe pain came back" in relayed.text
    assert "Written outside your working hours (Mon–Fri 09:00–18:00), kept until now." in (
        relayed.text
    )
