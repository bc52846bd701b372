"""Homework schedules: the rule as data, and when reminders fall in the client's zone."""

from __future__ import annotations

import time as wallclock
from datetime import UTC, date, datetime, time, timedelta
from itertools import islice, pairwise
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr
from hypothesis import given, settings
from hypothesis import strategies as st

from practice.schedules import (
    Frequency,
    HomeworkSchedule,
    QuietHours,
    local_occurrences,
    move_out_of_quiet_hours,
    next_occurrence,
    occurrences_between,
    to_utc,
)

LONDON = ZoneInfo("Europe/London")
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")
KIRITIMATI = ZoneInfo("Pacific/Kiritimati")
PAGO_PAGO = ZoneInfo("Pacific/Pago_Pago")
APIA = ZoneInfo("Pacific/Apia")
UTC_ZONE = ZoneInfo("UTC")

# Zones that stress the arithmetic: ±14 h from UTC (11 and 14 are a whole day apart),
# half-hour offsets and a 30-minute DST shift, the southern hemisphere, and Samoa, which
# skipped 30 December 2011 entirely when it moved across the date line.
ZONES = [
    "UTC",
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/St_Johns",
    "Asia/Kolkata",
    "Australia/Lord_Howe",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
    "Pacific/Apia",
    "Pacific/Chatham",
]

EIGHT_THIRTY = time(8, 30)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def daily(start: date, end: date | None, at: time = EIGHT_THIRTY) -> HomeworkSchedule:
    return HomeworkSchedule(Frequency.DAILY, at, start, end)


# --- DST -------------------------------------------------------------------------------


def test_daily_in_london_stays_at_0830_across_the_october_change() -> None:
    # British Summer Time ends on Sunday 25 October 2026.
    schedule = daily(date(2026, 10, 20), date(2026, 10, 30))
    instants = occurrences_between(schedule, LONDON, utc(2026, 10, 1), utc(2026, 11, 30))

    assert len(instants) == 11
    assert all(i.astimezone(LONDON).time() == EIGHT_THIRTY for i in instants)
    assert [i.hour for i in instants] == [7] * 5 + [8] * 6
    assert instants[4] == utc(2026, 10, 24, 7, 30)
    assert instants[5] == utc(2026, 10, 25, 8, 30)


def test_daily_in_new_york_stays_at_0830_across_the_march_2027_change() -> None:
    # Eastern daylight time starts on Sunday 14 March 2027.
    schedule = daily(date(2027, 3, 10), date(2027, 3, 18))
    instants = occurrences_between(schedule, NEW_YORK, utc(2027, 3, 1), utc(2027, 4, 1))

    assert all(i.astimezone(NEW_YORK).time() == EIGHT_THIRTY for i in instants)
    assert [(i.day, i.hour) for i in instants] == [
        (10, 13),
        (11, 13),
        (12, 13),
        (13, 13),
        (14, 12),
        (15, 12),
        (16, 12),
        (17, 12),
        (18, 12),
    ]


def test_a_time_in_the_spring_gap_moves_forward_by_the_gap() -> None:
    # Berlin's clocks go from 02:00 to 03:00 on 29 March 2026: 02:30 never happens.
    moved = to_utc(datetime(2026, 3, 29, 2, 30), BERLIN)
    assert moved == utc(2026, 3, 29, 1, 30)
    assert moved.astimezone(BERLIN).replace(tzinfo=None) == datetime(2026, 3, 29, 3, 30)
    # London's gap is 01:00–02:00 the same morning.
    assert to_utc(datetime(2026, 3, 29, 1, 30), LONDON).astimezone(LONDON).hour == 2
    # Lord Howe's summer time is only 30 minutes: 02:15 on 4 October 2026 becomes 02:45.
    lord_howe = to_utc(datetime(2026, 10, 4, 2, 15), LORD_HOWE).astimezone(LORD_HOWE)
    assert lord_howe.replace(tzinfo=None) == datetime(2026, 10, 4, 2, 45)


def test_an_ambiguous_time_takes_the_first_occurrence() -> None:
    # 02:30 happens twice in Berlin on 25 October 2026: first CEST (+2), then CET (+1).
    assert to_utc(datetime(2026, 10, 25, 2, 30), BERLIN) == utc(2026, 10, 25, 0, 30)
    assert to_utc(datetime(2026, 10, 25, 1, 30), LONDON) == utc(2026, 10, 25, 0, 30)
    # fold=1 on the way in changes nothing: the first one is always taken.
    assert to_utc(datetime(2026, 10, 25, 2, 30, fold=1), BERLIN) == utc(2026, 10, 25, 0, 30)


def test_to_utc_refuses_an_aware_datetime() -> None:
    with pytest.raises(ValueError, match="naive"):
        to_utc(utc(2026, 1, 1), BERLIN)


def test_a_schedule_in_the_gap_still_fires_once_that_day() -> None:
    schedule = daily(date(2026, 3, 27), date(2026, 3, 31), at=time(2, 30))
    instants = occurrences_between(schedule, BERLIN, utc(2026, 3, 1), utc(2026, 4, 30))
    assert instants == [
        utc(2026, 3, 27, 1, 30),
        utc(2026, 3, 28, 1, 30),
        utc(2026, 3, 29, 1, 30),  # 03:30 CEST, the gap's length late
        utc(2026, 3, 30, 0, 30),
        utc(2026, 3, 31, 0, 30),
    ]
    assert next_occurrence(schedule, BERLIN, utc(2026, 3, 28, 1, 30)) == utc(2026, 3, 29, 1, 30)
    assert next_occurrence(schedule, BERLIN, utc(2026, 3, 29, 1, 30)) == utc(2026, 3, 30, 0, 30)


def test_a_schedule_in_the_overlap_fires_once_not_twice() -> None:
    schedule = daily(date(2026, 10, 24), date(2026, 10, 26), at=time(2, 30))
    instants = occurrences_between(schedule, BERLIN, utc(2026, 10, 1), utc(2026, 11, 1))
    assert instants == [
        utc(2026, 10, 24, 0, 30),
        utc(2026, 10, 25, 0, 30),
        utc(2026, 10, 26, 1, 30),
    ]
    # Once the first 02:30 has been sent, the second one is not another occurrence.
    assert next_occurrence(schedule, BERLIN, utc(2026, 10, 25, 0, 30)) == utc(2026, 10, 26, 1, 30)


def test_a_skipped_day_sends_one_reminder() -> None:
    # Samoa went from 29 December 2011 straight to 31 December: 30 December's 08:30 moves a
    # day forward onto 31 December's, and the client hears from us once.
    schedule = daily(date(2011, 12, 28), date(2012, 1, 1))
    local = list(local_occurrences(schedule))
    assert len(local) == 5
    assert to_utc(local[2], APIA) == to_utc(local[3], APIA)
    instants = occurrences_between(schedule, APIA, utc(2011, 12, 1), utc(2012, 2, 1))
    assert len(instants) == 4
    chain = [next_occurrence(schedule, APIA, utc(2011, 12, 1))]
    while (following := next_occurrence(schedule, APIA, chain[-1])) is not None:  # type: ignore[arg-type]
        chain.append(following)
    assert chain == instants


def test_fourteen_hours_either_side_of_utc() -> None:
    # Kiritimati is UTC+14: 08:30 there is 18:30 UTC the day before.
    schedule = daily(date(2026, 6, 1), None)
    assert next_occurrence(schedule, KIRITIMATI, utc(2026, 6, 1, 0, 0)) == utc(2026, 6, 1, 18, 30)
    assert next_occurrence(schedule, KIRITIMATI, utc(2026, 5, 1)) == utc(2026, 5, 31, 18, 30)
    # Pago Pago is UTC-11: 08:30 there is 19:30 UTC the same day.
    assert next_occurrence(schedule, PAGO_PAGO, utc(2026, 6, 1, 19, 29)) == utc(2026, 6, 1, 19, 30)
    assert next_occurrence(schedule, PAGO_PAGO, utc(2026, 6, 1, 19, 30)) == utc(2026, 6, 2, 19, 30)


# --- which days ------------------------------------------------------------------------


def test_weekdays_yield_only_those_days() -> None:
    schedule = HomeworkSchedule.for_weeks(
        Frequency.WEEKDAYS, time(18, 0), date(2026, 11, 25), 4, weekdays=frozenset({0, 2, 4})
    )
    days = list(local_occurrences(schedule))
    assert {d.weekday() for d in days} == {0, 2, 4}
    assert len(days) == 12
    assert days[0] == datetime(2026, 11, 25, 18, 0)  # the start is a Wednesday
    assert days[-1] == datetime(2026, 12, 21, 18, 0)  # last Monday before Tue 22 Dec


def test_every_three_days_keeps_its_spacing() -> None:
    schedule = HomeworkSchedule(
        Frequency.EVERY_N_DAYS, time(7, 15), date(2026, 1, 1), date(2026, 3, 1), interval_days=3
    )
    days = list(local_occurrences(schedule))
    assert all(b - a == timedelta(days=3) for a, b in pairwise(days))
    assert days[0] == datetime(2026, 1, 1, 7, 15)
    assert days[-1] == datetime(2026, 2, 27, 7, 15)
    # Restarting near a late instant keeps the phase counted from the start.
    assert next_occurrence(schedule, LONDON, utc(2026, 2, 20)) == utc(2026, 2, 21, 7, 15)


def test_the_end_date_is_inclusive_and_then_it_is_over() -> None:
    schedule = daily(date(2026, 12, 1), date(2026, 12, 23), at=time(23, 59))
    last = to_utc(datetime(2026, 12, 23, 23, 59), LONDON)
    assert list(local_occurrences(schedule))[-1] == datetime(2026, 12, 23, 23, 59)
    assert next_occurrence(schedule, LONDON, last - timedelta(seconds=1)) == last
    assert next_occurrence(schedule, LONDON, last) is None
    assert next_occurrence(schedule, LONDON, utc(2030, 1, 1)) is None


def test_before_the_start_the_first_occurrence_is_next() -> None:
    schedule = daily(date(2026, 12, 1), date(2026, 12, 23))
    assert next_occurrence(schedule, LONDON, utc(2020, 1, 1)) == utc(2026, 12, 1, 8, 30)


def test_next_occurrence_does_not_walk_from_a_start_long_ago() -> None:
    schedule = HomeworkSchedule(
        Frequency.EVERY_N_DAYS, EIGHT_THIRTY, date(1, 1, 1), None, interval_days=7
    )
    began = wallclock.perf_counter()
    found = next_occurrence(schedule, LONDON, utc(2026, 11, 25, 12))
    # Walking 740,000 days from year 1 takes seconds; restarting near `after` takes ~1 ms.
    assert wallclock.perf_counter() - began < 0.5
    assert found is not None
    assert (found.date() - date(1, 1, 1)).days % 7 == 0
    assert utc(2026, 11, 25, 12) < found <= utc(2026, 12, 2, 12)


def test_next_occurrence_needs_an_aware_instant() -> None:
    with pytest.raises(ValueError, match="aware"):
        next_occurrence(daily(date(2026, 1, 1), None), LONDON, datetime(2026, 1, 1))


def test_occurrences_between_is_half_open() -> None:
    schedule = daily(date(2026, 1, 1), None)
    assert occurrences_between(
        schedule, UTC_ZONE, utc(2026, 1, 2, 8, 30), utc(2026, 1, 4, 8, 30)
    ) == [
        utc(2026, 1, 2, 8, 30),
        utc(2026, 1, 3, 8, 30),
    ]
    assert occurrences_between(schedule, UTC_ZONE, utc(2026, 1, 4), utc(2026, 1, 2)) == []


# --- the stored rule ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("schedule", "rule"),
    [
        (
            daily(date(2026, 12, 1), date(2026, 12, 23)),
            "FREQ=DAILY;INTERVAL=1;UNTIL=20261223T235959",
        ),
        (daily(date(2026, 12, 1), None), "FREQ=DAILY;INTERVAL=1"),
        (
            HomeworkSchedule(
                Frequency.EVERY_N_DAYS,
                time(7, 15),
                date(2026, 12, 1),
                date(2027, 1, 9),
                interval_days=2,
            ),
            "FREQ=DAILY;INTERVAL=2;UNTIL=20270109T235959",
        ),
        (
            HomeworkSchedule(
                Frequency.WEEKDAYS,
                time(18, 0),
                date(2026, 12, 1),
                None,
                weekdays=frozenset({4, 0, 2}),
            ),
            "FREQ=WEEKLY;INTERVAL=1;WKST=MO;BYDAY=MO,WE,FR",
        ),
    ],
)
def test_rrule_strings(schedule: HomeworkSchedule, rule: str) -> None:
    assert schedule.rrule() == rule
    assert HomeworkSchedule.from_rrule(rule, schedule.start, schedule.time_of_day) == schedule


def test_the_rule_is_standard_icalendar() -> None:
    # The stored rule with DTSTART in front is an iCalendar snippet dateutil reads as is.
    schedule = HomeworkSchedule.for_weeks(
        Frequency.WEEKDAYS, time(18, 0), date(2026, 11, 23), 2, weekdays=frozenset({1, 3})
    )
    ical = f"DTSTART:20261123T180000\nRRULE:{schedule.rrule()}"
    assert list(rrulestr(ical)) == list(local_occurrences(schedule))


def test_from_rrule_is_lenient_about_case_and_the_property_name() -> None:
    parsed = HomeworkSchedule.from_rrule(
        "RRULE:freq=weekly;byday=fr,mo;until=20261231T235959", date(2026, 12, 1), time(9, 0)
    )
    assert parsed.weekdays == frozenset({0, 4})
    assert parsed.end == date(2026, 12, 31)


@pytest.mark.parametrize(
    "rule",
    [
        "",
        "FREQ=MONTHLY",
        "FREQ=DAILY;INTERVAL=1;BYHOUR=8",  # the time lives in DTSTART only
        "FREQ=DAILY;COUNT=10",
        "FREQ=DAILY;FREQ=DAILY",
        "FREQ=DAILY;INTERVAL=x",
        "FREQ=DAILY;INTERVAL=31",
        "FREQ=DAILY;INTERVAL=0",
        "FREQ=DAILY;BYDAY=MO",
        "FREQ=DAILY;UNTIL=20261223",
        "FREQ=DAILY;UNTIL=20261223T235959Z",
        "FREQ=DAILY;UNTIL=20261232T235959",
        "FREQ=DAILY;UNTIL=20261101T235959",  # before the start
        "FREQ=WEEKLY",
        "FREQ=WEEKLY;BYDAY=",
        "FREQ=WEEKLY;BYDAY=1MO",
        "FREQ=WEEKLY;BYDAY=XX",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO",
        "FREQ=WEEKLY;WKST=SU;BYDAY=MO",
        "FREQ",
    ],
)
def test_from_rrule_refuses_what_it_did_not_write(rule: str) -> None:
    with pytest.raises(ValueError, match=r"\w"):
        HomeworkSchedule.from_rrule(rule, date(2026, 12, 1), EIGHT_THIRTY)


# --- people's words ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("schedule", "text"),
    [
        (daily(date(2026, 12, 1), date(2026, 12, 23)), "Daily at 08:30 until 23 Dec"),
        (
            HomeworkSchedule.for_weeks(
                Frequency.WEEKDAYS, time(18, 0), date(2026, 11, 2), 4, weekdays=frozenset({0, 2, 4})
            ),
            "Mon, Wed, Fri at 18:00 until 29 Nov",
        ),
        (
            HomeworkSchedule(
                Frequency.EVERY_N_DAYS,
                time(7, 15),
                date(2026, 12, 1),
                date(2027, 1, 9),
                interval_days=2,
            ),
            "Every 2 days at 07:15 until 9 Jan 2027",
        ),
        (daily(date(2026, 12, 1), None, at=time(21, 5)), "Daily at 21:05, no end date"),
    ],
)
def test_describe(schedule: HomeworkSchedule, text: str) -> None:
    assert schedule.describe() == text


# --- validation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        {"end": date(2026, 11, 30)},
        {"frequency": Frequency.WEEKDAYS},
        {"frequency": Frequency.WEEKDAYS, "weekdays": frozenset({7})},
        {"frequency": Frequency.WEEKDAYS, "weekdays": frozenset({-1})},
        {"frequency": Frequency.WEEKDAYS, "weekdays": frozenset({0}), "interval_days": 2},
        {"weekdays": frozenset({0})},
        {"interval_days": 2},
        {"frequency": Frequency.EVERY_N_DAYS, "interval_days": 0},
        {"frequency": Frequency.EVERY_N_DAYS, "interval_days": 1},
        {"frequency": Frequency.EVERY_N_DAYS, "interval_days": 31},
        {"frequency": Frequency.EVERY_N_DAYS, "interval_days": 2, "weekdays": frozenset({1})},
        {"frequency": "fortnightly"},
        {"time_of_day": time(8, 30, 15)},
        {"time_of_day": time(8, 30, tzinfo=UTC)},
    ],
)
def test_invalid_schedules_are_refused(kwargs: dict[str, object]) -> None:
    values: dict[str, object] = {
        "frequency": Frequency.DAILY,
        "time_of_day": EIGHT_THIRTY,
        "start": date(2026, 12, 1),
        "end": None,
    }
    values.update(kwargs)
    with pytest.raises(ValueError, match=r"\w"):
        HomeworkSchedule(**values)  # type: ignore[arg-type]


def test_for_weeks_refuses_no_weeks() -> None:
    with pytest.raises(ValueError, match="at least one week"):
        HomeworkSchedule.for_weeks(Frequency.DAILY, EIGHT_THIRTY, date(2026, 12, 1), 0)


def test_values_from_the_database_are_accepted() -> None:
    schedule = HomeworkSchedule("weekdays", EIGHT_THIRTY, date(2026, 12, 1), None, [0, 2])  # type: ignore[arg-type]
    assert schedule.frequency is Frequency.WEEKDAYS
    assert schedule.weekdays == frozenset({0, 2})
    hash(schedule)


# --- quiet hours -------------------------------------------------------------------------


def test_default_quiet_hours_wrap_midnight() -> None:
    quiet = QuietHours()
    assert quiet.contains(time(21, 0))
    assert quiet.contains(time(23, 59))
    assert quiet.contains(time(0, 0))
    assert quiet.contains(time(7, 59))
    assert not quiet.contains(time(8, 0))
    assert not quiet.contains(time(12, 0))
    assert not quiet.contains(time(20, 59))


def test_quiet_hours_within_a_day_and_none() -> None:
    siesta = QuietHours(time(13, 0), time(15, 0))
    assert siesta.contains(time(14, 0))
    assert not siesta.contains(time(15, 0))
    assert not siesta.contains(time(22, 0))
    assert not QuietHours(time(8, 0), time(8, 0)).contains(time(8, 0))


def test_moving_out_of_quiet_hours() -> None:
    quiet = QuietHours()
    assert move_out_of_quiet_hours(datetime(2026, 12, 1, 22, 30), quiet) == datetime(
        2026, 12, 2, 8, 0
    )
    assert move_out_of_quiet_hours(datetime(2026, 12, 31, 21, 0), quiet) == datetime(
        2027, 1, 1, 8, 0
    )
    assert move_out_of_quiet_hours(datetime(2026, 12, 1, 6, 0), quiet) == datetime(
        2026, 12, 1, 8, 0
    )
    assert move_out_of_quiet_hours(datetime(2026, 12, 1, 12, 0), quiet) == datetime(
        2026, 12, 1, 12, 0
    )
    siesta = QuietHours(time(13, 0), time(15, 0))
    assert move_out_of_quiet_hours(datetime(2026, 12, 1, 13, 30), siesta) == datetime(
        2026, 12, 1, 15, 0
    )


# --- properties --------------------------------------------------------------------------

# Times near DST transitions (00:00–03:00) are drawn often, any minute sometimes.
times_of_day = st.one_of(
    st.sampled_from([time(0, 0), time(0, 30), time(1, 30), time(2, 0), time(2, 15), time(2, 30)]),
    st.builds(time, st.integers(0, 23), st.integers(0, 59)),
)
zones = st.sampled_from(ZONES).map(ZoneInfo)


@st.composite
def schedules(
    draw: st.DrawFn,
    first: date = date(2005, 1, 1),
    last: date = date(2035, 12, 31),
    max_days: int = 800,
    open_ended: bool = True,
) -> HomeworkSchedule:
    frequency = draw(st.sampled_from(Frequency))
    start = draw(st.dates(first, last))
    end_choices = st.integers(0, max_days).map(lambda n: start + timedelta(days=n))
    end = draw(st.one_of(st.none(), end_choices) if open_ended else end_choices)
    weekdays: frozenset[int] = frozenset()
    interval = 1
    if frequency is Frequency.WEEKDAYS:
        weekdays = draw(st.frozensets(st.integers(0, 6), min_size=1))
    elif frequency is Frequency.EVERY_N_DAYS:
        interval = draw(st.integers(2, 30))
    return HomeworkSchedule(frequency, draw(times_of_day), start, end, weekdays, interval)


def _on_schedule(schedule: HomeworkSchedule, day: date) -> bool:
    if schedule.frequency is Frequency.WEEKDAYS:
        return day.weekday() in schedule.weekdays
    return (day - schedule.start).days % schedule.interval_days == 0


@given(schedules(date(1, 1, 1), date(9998, 1, 1), max_days=3000))
def test_rrule_round_trips(schedule: HomeworkSchedule) -> None:
    rule = schedule.rrule()
    again = HomeworkSchedule.from_rrule(rule, schedule.start, schedule.time_of_day)
    assert again == schedule
    assert again.rrule() == rule


@given(schedules(open_ended=False))
def test_local_occurrences_are_exactly_the_scheduled_days(schedule: HomeworkSchedule) -> None:
    assert schedule.end is not None
    expected = [
        datetime.combine(schedule.start + timedelta(days=n), schedule.time_of_day)
        for n in range((schedule.end - schedule.start).days + 1)
        if _on_schedule(schedule, schedule.start + timedelta(days=n))
    ]
    assert list(local_occurrences(schedule)) == expected


def _brute_next(schedule: HomeworkSchedule, tz: ZoneInfo, after: datetime) -> datetime | None:
    """Walk from the start, convert everything up to a horizon, take the least instant > after.

    Python keeps every UTC offset within ±24 h, so a wall time more than a day past the
    horizon named an instant later than one found inside it; and any period-long run of
    days holds an occurrence unless the schedule has ended.
    """
    period = 7 if schedule.frequency is Frequency.WEEKDAYS else schedule.interval_days
    begin = max(after.replace(tzinfo=None), datetime.combine(schedule.start, time()))
    horizon = begin + timedelta(days=period + 5)
    candidates = []
    for local in local_occurrences(schedule):
        if local > horizon:
            break
        at = to_utc(local, tz)
        if at > after:
            candidates.append(at)
    return min(candidates, default=None)


@st.composite
def instants_near(draw: st.DrawFn, schedule: HomeworkSchedule, tz: ZoneInfo) -> datetime:
    """Anywhere from before the start to after the end, or a hair around an occurrence."""
    local = list(islice(local_occurrences(schedule), 60))
    if local and draw(st.booleans()):
        base = to_utc(draw(st.sampled_from(local)), tz)
        nudge = draw(st.sampled_from([-3600, -1, 0, 1, 60, 3600]))
        return base + timedelta(seconds=nudge)
    days = draw(st.integers(-10, 1100))
    seconds = draw(st.integers(0, 86_399))
    return datetime.combine(schedule.start, time(), tzinfo=UTC) + timedelta(
        days=days, seconds=seconds
    )


@settings(deadline=None, max_examples=300)
@given(st.data(), schedules(max_days=1000), zones)
def test_next_occurrence_is_the_least_occurrence_after(
    data: st.DataObject, schedule: HomeworkSchedule, tz: ZoneInfo
) -> None:
    after = data.draw(instants_near(schedule, tz))
    found = next_occurrence(schedule, tz, after)
    assert found == _brute_next(schedule, tz, after)
    if found is not None:
        assert found > after
        assert found.tzinfo is UTC


@settings(deadline=None)
@given(st.data(), schedules(max_days=120), zones)
def test_a_chain_of_next_occurrences_is_occurrences_between(
    data: st.DataObject, schedule: HomeworkSchedule, tz: ZoneInfo
) -> None:
    start = data.draw(instants_near(schedule, tz))
    end = start + timedelta(days=data.draw(st.integers(0, 60)))
    between = occurrences_between(schedule, tz, start, end)
    chain = []
    at = next_occurrence(schedule, tz, start - timedelta(microseconds=1))
    while at is not None and at < end:
        chain.append(at)
        at = next_occurrence(schedule, tz, at)
    assert between == chain
    assert all(start <= i < end for i in between)


@given(zones, st.datetimes(datetime(1990, 1, 1), datetime(2040, 1, 1)))
def test_to_utc_keeps_existing_wall_times_and_moves_missing_ones_forward(
    tz: ZoneInfo, local: datetime
) -> None:
    at = to_utc(local, tz)
    assert at.tzinfo is UTC
    wall = at.astimezone(tz).replace(tzinfo=None)
    # Either the wall time exists (and this is its first instant) or it was in a gap and
    # moved forward, by less than a day.
    assert local <= wall < local + timedelta(days=1)
    if wall == local:
        # The first instant with this wall time: none in the 24 hours before shows it too
        # (zone offsets in these years are whole quarter hours apart).
        assert all(
            (at - timedelta(minutes=m)).astimezone(tz).replace(tzinfo=None) != local
            for m in range(15, 24 * 60 + 1, 15)
        )


@given(
    st.builds(time, st.integers(0, 23), st.integers(0, 59)),
    st.builds(time, st.integers(0, 23), st.integers(0, 59)),
    st.datetimes(datetime(2026, 1, 1), datetime(2027, 1, 1)),
)
def test_moving_out_of_quiet_hours_lands_outside_them_within_a_day(
    start: time, end: time, local: datetime
) -> None:
    quiet = QuietHours(start, end)
    moved = move_out_of_quiet_hours(local, quiet)
    assert not quiet.contains(moved.time())
    assert local <= moved < local + timedelta(days=1)
    assert (moved == local) == (not quiet.contains(local.time()))
