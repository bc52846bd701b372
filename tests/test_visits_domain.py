"""The visit rules on their own: rhythm, typed times, overlap, the past, reminder time."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.shared import texts
from practice.checkins import next_checkin_day
from practice.notes import InputError
from practice.schedules import QuietHours
from practice.visits import (
    Slot,
    check_bookable,
    day_bounds,
    gap,
    local_time,
    overlapping,
    parse_visit_time,
    reference_time,
    reminder_due,
    start_utc,
    suggestions,
)

# Wednesday 2 December 2026, 10:20 local.
NOW = datetime(2026, 12, 2, 10, 20)
AT = time(14, 0)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("tue 14:00", datetime(2026, 12, 8, 14, 0)),
        ("Tuesday 2pm", datetime(2026, 12, 8, 14, 0)),
        ("wed 9", datetime(2026, 12, 9, 9, 0)),  # today's 9:00 has passed: next Wednesday
        ("wed 15:00", datetime(2026, 12, 2, 15, 0)),  # today, still ahead
        ("12.1 9:30", datetime(2027, 1, 12, 9, 30)),  # day first, next January
        ("12/1 9:30", datetime(2027, 1, 12, 9, 30)),
        ("8 Dec 14:00", datetime(2026, 12, 8, 14, 0)),
        ("Tue 8 Dec 14:00", datetime(2026, 12, 8, 14, 0)),
        ("1.12 10:00", datetime(2027, 12, 1, 10, 0)),  # yesterday's date: next year's
        ("in 10 days", datetime(2026, 12, 12, 14, 0)),  # at the default time
        ("in 2 weeks at 9:30", datetime(2026, 12, 16, 9, 30)),
        ("tomorrow 10:00", datetime(2026, 12, 3, 10, 0)),
        ("tomorrow", datetime(2026, 12, 3, 14, 0)),
        ("16:30", datetime(2026, 12, 2, 16, 30)),
    ],
)
def test_typed_dates_and_times(typed: str, expected: datetime) -> None:
    assert parse_visit_time(typed, NOW, AT) == expected


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("9:00", "passed"),
        ("today 8:00", "passed"),
        ("1.12.2026 10:00", "passed"),
        ("whenever", "can't read"),
        ("", "type a day"),
        ("in 400 days", "more than a year"),
        ("31.2 10:00", "can't read"),
    ],
)
def test_typed_times_refused(typed: str, reason: str) -> None:
    with pytest.raises(InputError, match=reason):
        parse_visit_time(typed, NOW, AT)


def test_the_rhythm_of_the_plan() -> None:
    ref = reference_time(datetime(2026, 12, 1, 15, 10))
    assert ref == datetime(2026, 12, 1, 15, 0)
    weekly = suggestions(ref, "weekly")
    assert [(s.local, s.days) for s in weekly] == [
        (datetime(2026, 12, 8, 15, 0), 7),
        (datetime(2026, 12, 15, 15, 0), 14),
    ]
    assert [s.days for s in suggestions(ref, "twice_weekly")] == [3, 4, 7]
    assert [s.days for s in suggestions(ref, None)] == [7, 14]
    # Today's visit counted from, at its wall time.
    today = ref.date()
    assert [words(ref, s.local, today) for s in weekly] == [
        "same time next week",
        "in two weeks, same time",
    ]
    assert [words(ref, s.local, today) for s in suggestions(ref, "twice_weekly")] == [
        "in 3 days, same time",
        "in 4 days, same time",
        "same time next week",
    ]
    assert words(ref, datetime(2026, 12, 29, 15, 0), today) == "in four weeks, same time"
    # A visit on another day being moved: "next week" would be the week after today's.
    moved = datetime(2026, 12, 8, 15, 0)
    assert [words(moved, s.local, today) for s in suggestions(moved, "weekly")] == [
        "a week later, same time",
        "two weeks later, same time",
    ]
    # Another wall time (one the clocks skip comes later) is not "the same time".
    assert words(ref, datetime(2026, 12, 8, 16, 0), today) == "next week"
    assert words(ref, datetime(2026, 12, 15, 16, 0), today) == "in two weeks"
    assert words(moved, datetime(2026, 12, 11, 16, 0), today) == "3 days later"
    # Today's booked visit is what "same time" means.
    assert reference_time(NOW, datetime(2026, 12, 2, 9, 0)) == datetime(2026, 12, 2, 9, 0)


def words(reference: datetime, offered: datetime, today: date) -> str:
    away = gap(reference, offered, today)
    return texts.rhythm_words(away.days, away.same_time, away.from_today)


def test_same_time_next_week_across_a_daylight_saving_change() -> None:
    # Booked in winter (GMT) for a week later, after the clocks went forward (BST).
    ref = datetime(2026, 3, 24, 14, 0)
    next_week = suggestions(ref, "weekly")[0].local
    start = start_utc(next_week, "Europe/London")
    assert start == datetime(2026, 3, 31, 13, 0, tzinfo=UTC)  # 14:00 BST
    assert local_time(start, "Europe/London") == datetime(2026, 3, 31, 14, 0)
    # The reminder 24 hours before is 24 real hours, at 14:00 BST the day before.
    assert reminder_due(start, 24, "Europe/London", None) == datetime(
        2026, 3, 30, 13, 0, tzinfo=UTC
    )
    # A wall time the clocks skip (01:30 on 29 March) comes as late as they jumped.
    assert start_utc(datetime(2026, 3, 29, 1, 30), "Europe/London") == datetime(
        2026, 3, 29, 1, 30, tzinfo=UTC
    )
    # The day of the change has 23 hours.
    begin, end = day_bounds(datetime(2026, 3, 29).date(), "Europe/London")
    assert (end - begin).total_seconds() == 23 * 3600


def test_overlap_and_the_past() -> None:
    nine = Slot(datetime(2026, 12, 8, 9, 0, tzinfo=UTC), 60)
    assert overlapping(Slot(datetime(2026, 12, 8, 9, 30, tzinfo=UTC), 60), [nine]) == [nine]
    assert overlapping(Slot(datetime(2026, 12, 8, 10, 0, tzinfo=UTC), 60), [nine]) == []
    assert overlapping(Slot(datetime(2026, 12, 8, 8, 0, tzinfo=UTC), 60), [nine]) == []
    assert overlapping(Slot(datetime(2026, 12, 8, 8, 30, tzinfo=UTC), 120), [nine]) == [nine]
    now = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
    with pytest.raises(InputError, match="passed"):
        check_bookable(now, now)
    check_bookable(datetime(2026, 12, 2, 10, 1, tzinfo=UTC), now)


def test_a_reminder_in_quiet_hours_comes_earlier_in_the_clients_own_zone() -> None:
    quiet = QuietHours(time(21, 0), time(8, 0))
    # A visit at 09:00 in London is 10:00 in Berlin; 24 h before is 10:00 Berlin: not quiet.
    start = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)
    assert reminder_due(start, 24, "Europe/Berlin", quiet) == datetime(
        2026, 12, 7, 9, 0, tzinfo=UTC
    )
    # A 07:00 London visit is 07:00 for a London client the day before: quiet until 08:00,
    # so the reminder comes at 20:30 the evening before that, never after 08:00.
    early = datetime(2026, 12, 8, 7, 0, tzinfo=UTC)
    assert reminder_due(early, 24, "Europe/London", quiet) == datetime(
        2026, 12, 6, 20, 30, tzinfo=UTC
    )
    # The same visit for a client in New York (02:00 their time the day before): 20:30 New
    # York time on the 6th, 01:30 UTC on the 7th.
    assert reminder_due(early, 24, "America/New_York", quiet) == datetime(
        2026, 12, 7, 1, 30, tzinfo=UTC
    )
    # At the edge: 21:00 is quiet, 08:00 is not.
    at_start = datetime(2026, 12, 8, 21, 0, tzinfo=UTC)
    assert reminder_due(at_start, 24, "Europe/London", quiet) == datetime(
        2026, 12, 7, 20, 30, tzinfo=UTC
    )
    at_end = datetime(2026, 12, 8, 8, 0, tzinfo=UTC)
    assert reminder_due(at_end, 24, "Europe/London", quiet) == datetime(
        2026, 12, 7, 8, 0, tzinfo=UTC
    )
    assert reminder_due(at_end, 24, "Europe/London", None) == datetime(
        2026, 12, 7, 8, 0, tzinfo=UTC
    )


def test_check_ins_run_until_the_next_visit_the_last_the_day_before() -> None:
    session = date(2026, 11, 25)

    def series(every: int | None, visit: date | None) -> list[date]:
        days, n = [], 0
        while (day := next_checkin_day(session, n, every, visit)) is not None:
            days.append(day)
            n += 1
        return days

    # Without a visit booked: two weeks (the default rhythm).
    assert series(None, None) == [
        date(2026, 11, 27),
        date(2026, 11, 30),
        date(2026, 12, 4),
        date(2026, 12, 7),
    ]
    # A visit in one week: the series ends the day before it; the rhythm's 30 Nov, the eve's
    # eve, is dropped (no client is asked two days running).
    assert series(None, date(2026, 12, 2)) == [date(2026, 11, 27), date(2026, 12, 1)]
    # A visit in four weeks: past the fixed two weeks, until the day before (21 Dec dropped).
    four = series(None, date(2026, 12, 23))
    assert four[-1] == date(2026, 12, 22) and four[-2] == date(2026, 12, 18) and len(four) == 8
    assert all(b - a > timedelta(days=1) for a, b in itertools.pairwise(four))
    # Every two days: 3 Dec (the eve's eve) dropped, the gap before the eve is three days.
    assert series(2, date(2026, 12, 5)) == [
        date(2026, 11, 27),
        date(2026, 11, 29),
        date(2026, 12, 1),
        date(2026, 12, 4),
    ]
    # A weekly rhythm, a visit on a rhythm day's morrow: that day once.
    assert series(7, date(2026, 12, 19)) == [
        date(2026, 11, 27),
        date(2026, 12, 4),
        date(2026, 12, 11),
        date(2026, 12, 18),
    ]
    # The visit tomorrow: no check-in before it.
    assert series(None, date(2026, 11, 26)) == []
