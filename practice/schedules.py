"""Homework schedules as data, and when their reminders fall in the client's time zone.

A therapist sets a schedule in the client's terms: "Mon, Wed, Fri at 18:00 for 4 weeks".
It is kept as the client's local wall time, not as UTC instants, because a client who does
a stretch at 08:30 does it at 08:30 in summer and in winter alike. Only when a reminder is
due is a local occurrence turned into a UTC instant, with the client's zone at that date.

The stored form is an RFC 5545 RRULE string (which days) plus two separate fields (the
start date and the time of day, i.e. DTSTART), so the database holds a standard,
readable rule and python-dateutil does the recurrence arithmetic.

RRULE encoding (canonical; ``HomeworkSchedule.rrule()`` writes exactly this):

- daily:        ``FREQ=DAILY;INTERVAL=1[;UNTIL=…]``
- every N days: ``FREQ=DAILY;INTERVAL=N[;UNTIL=…]`` with 2 <= N <= 30
- weekdays:     ``FREQ=WEEKLY;INTERVAL=1;WKST=MO;BYDAY=MO,WE,FR[;UNTIL=…]``
- ``UNTIL=YYYYMMDDT235959``: the end date's last second, floating (no ``Z``). RFC 5545
  wants a floating UNTIL when DTSTART is floating, and ours is: it is the client's wall
  time, whatever their zone. The last second makes the end date inclusive at any time of day.

The time of day is deliberately not in the rule (no BYHOUR/BYMINUTE): it lives in DTSTART
only, so there is one place to change it and no way for two copies to disagree.

One difference from RFC 5545 to know when handing the rule to another iCalendar reader: the
RFC counts DTSTART as the first occurrence even when it does not match the rule, dateutil
(and this module) does not. A weekday schedule may start on any date; to export it, start
DTSTART on its first matching day.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

from practice.preferences import hhmm

MAX_INTERVAL_DAYS = 30

_WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# Fixed English names: strftime("%b") would follow the server's locale.
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# Python guarantees |utcoffset| < 24 h, so a local wall time and the instant it names are
# less than a day apart, and two instants whose local wall times are two days apart can
# never swap order. Searches look this far either side of a bound and need no other
# assumption about the zone (not even that its rules are sane, like Samoa skipping a day).
_SEARCH_MARGIN = timedelta(days=2)


class Frequency(StrEnum):
    DAILY = "daily"
    WEEKDAYS = "weekdays"
    EVERY_N_DAYS = "every_n_days"


@dataclass(frozen=True)
class HomeworkSchedule:
    """When a client is reminded of an exercise, in their local time.

    ``weekdays`` counts 0 = Monday … 6 = Sunday, as ``date.weekday()`` does. ``end`` is
    inclusive; ``None`` means the schedule runs until the therapist stops it.
    """

    frequency: Frequency
    time_of_day: time  # naive local wall time, whole minutes
    start: date  # local date of the first possible occurrence
    end: date | None = None  # local, inclusive
    weekdays: frozenset[int] = frozenset()
    interval_days: int = 1

    def __post_init__(self) -> None:
        # Values come back from the database as plain strings and lists: accept those, but
        # keep the stored fields hashable and comparable.
        object.__setattr__(self, "frequency", _frequency(self.frequency))
        object.__setattr__(self, "weekdays", frozenset(self.weekdays))

        if self.time_of_day.tzinfo is not None:
            raise ValueError("time_of_day is a local wall time and must not carry a zone")
        if self.time_of_day.second or self.time_of_day.microsecond:
            raise ValueError("time_of_day must be a whole minute, like 08:30")
        if self.end is not None and self.end < self.start:
            raise ValueError(f"the end date {self.end} is before the start date {self.start}")
        if isinstance(self.interval_days, bool) or not isinstance(self.interval_days, int):
            raise ValueError("interval_days must be a whole number of days")
        if not 1 <= self.interval_days <= MAX_INTERVAL_DAYS:
            raise ValueError(
                f"interval_days must be from 1 to {MAX_INTERVAL_DAYS}, not {self.interval_days}"
            )
        if any(isinstance(d, bool) or not isinstance(d, int) for d in self.weekdays):
            raise ValueError("weekdays must be whole numbers from 0 (Mon) to 6 (Sun)")
        if not all(0 <= d <= 6 for d in self.weekdays):
            raise ValueError(
                f"weekdays must be from 0 (Mon) to 6 (Sun), not {sorted(self.weekdays)}"
            )

        if self.frequency is Frequency.WEEKDAYS:
            if not self.weekdays:
                raise ValueError("a weekday schedule needs at least one weekday")
            if self.interval_days != 1:
                raise ValueError("interval_days is only for an every-N-days schedule")
        elif self.frequency is Frequency.DAILY:
            if self.weekdays:
                raise ValueError("weekdays are only for a weekday schedule")
            if self.interval_days != 1:
                raise ValueError("a daily schedule has interval_days 1: use EVERY_N_DAYS")
        else:
            if self.weekdays:
                raise ValueError("weekdays are only for a weekday schedule")
            # One schedule, one representation: "every 1 day" would be stored exactly like
            # "daily" and could not come back from the database as what it was.
            if self.interval_days < 2:
                raise ValueError("every 1 day is a daily schedule: use Frequency.DAILY")

    @classmethod
    def for_weeks(
        cls,
        frequency: Frequency,
        time_of_day: time,
        start: date,
        weeks: int,
        weekdays: frozenset[int] = frozenset(),
        interval_days: int = 1,
    ) -> HomeworkSchedule:
        """A schedule of ``weeks`` whole weeks: 4 weeks from a Wednesday ends on a Tuesday."""
        if isinstance(weeks, bool) or not isinstance(weeks, int) or weeks < 1:
            raise ValueError(f"a schedule lasts at least one week, not {weeks!r}")
        try:
            end = start + timedelta(days=weeks * 7 - 1)
        except OverflowError as exc:
            raise ValueError(f"{weeks} weeks from {start} is past the calendar's end") from exc
        return cls(frequency, time_of_day, start, end, frozenset(weekdays), interval_days)

    def rrule(self) -> str:
        """The RFC 5545 RRULE for the days (see the module's docstring for the encoding)."""
        if self.frequency is Frequency.WEEKDAYS:
            days = ",".join(_WEEKDAY_CODES[d] for d in sorted(self.weekdays))
            parts = ["FREQ=WEEKLY", "INTERVAL=1", "WKST=MO", f"BYDAY={days}"]
        else:
            parts = ["FREQ=DAILY", f"INTERVAL={self.interval_days}"]
        if self.end is not None:
            # Not strftime("%Y"): it drops the zero padding of years before 1000 on glibc.
            end = self.end
            parts.append(f"UNTIL={end.year:04d}{end.month:02d}{end.day:02d}T235959")
        return ";".join(parts)

    @classmethod
    def from_rrule(cls, rule: str, start: date, time_of_day: time) -> HomeworkSchedule:
        """Read back a rule written by ``rrule()``; anything else is refused, not guessed at."""
        text = rule.strip()
        if text.upper().startswith("RRULE:"):
            text = text[len("RRULE:") :]
        parts: dict[str, str] = {}
        for part in text.split(";"):
            name, sep, value = part.partition("=")
            name, value = name.strip().upper(), value.strip().upper()
            if not sep or not name or not value:
                raise ValueError(f"malformed RRULE part {part!r} in {rule!r}")
            if name in parts:
                raise ValueError(f"RRULE part {name} appears twice in {rule!r}")
            parts[name] = value
        unknown = sorted(parts.keys() - {"FREQ", "INTERVAL", "WKST", "BYDAY", "UNTIL"})
        if unknown:
            raise ValueError(f"unsupported RRULE part(s) {', '.join(unknown)} in {rule!r}")

        interval = _parse_interval(parts.get("INTERVAL", "1"))
        end = _parse_until(parts["UNTIL"]) if "UNTIL" in parts else None
        freq = parts.get("FREQ")
        if freq == "DAILY":
            if "BYDAY" in parts or "WKST" in parts:
                raise ValueError(f"a daily RRULE takes no BYDAY or WKST: {rule!r}")
            frequency = Frequency.DAILY if interval == 1 else Frequency.EVERY_N_DAYS
            return cls(frequency, time_of_day, start, end, frozenset(), interval)
        if freq == "WEEKLY":
            if interval != 1:
                raise ValueError(f"only weekly rules with INTERVAL=1 are supported: {rule!r}")
            if parts.get("WKST", "MO") != "MO":
                raise ValueError(f"only WKST=MO is supported: {rule!r}")
            if "BYDAY" not in parts:
                raise ValueError(f"a weekly RRULE needs BYDAY: {rule!r}")
            weekdays = frozenset(_parse_weekday(code) for code in parts["BYDAY"].split(","))
            return cls(Frequency.WEEKDAYS, time_of_day, start, end, weekdays, 1)
        raise ValueError(f"RRULE FREQ must be DAILY or WEEKLY: {rule!r}")

    def describe(
        self,
        quiet: QuietHours | None = None,
        *,
        at: bool = True,
        clock: Callable[[time], str] = hhmm,
    ) -> str:
        """For people: "Daily at 08:30 until 23 Dec", "Mon, Wed, Fri at 18:00 until 9 Jan 2027";
        without the time (`at=False`: "Daily until 23 Dec") for a reader whom the reminder's
        hour does not concern, such as a colleague reading a referral letter.

        With the client's `quiet` hours, a time inside them says when the reminder really
        comes: "Daily at 21:30 until 23 Dec — inside quiet hours (21:00–08:00), so it comes at
        08:00 the next morning". `clock` words a reminder's time of day for its reader (a
        therapist on another clock reads "08:30 their time (07:30 yours)")."""
        if not at:
            return self._describe(at=False)
        moved = quiet.moves(self.time_of_day, clock) if quiet else ""
        return self._describe(clock=clock) + moved

    def _describe(self, *, at: bool = True, clock: Callable[[time], str] = hhmm) -> str:
        if self.frequency is Frequency.DAILY:
            days = "Daily"
        elif self.frequency is Frequency.WEEKDAYS:
            days = ", ".join(_WEEKDAY_NAMES[d] for d in sorted(self.weekdays))
        else:
            days = f"Every {self.interval_days} days"
        when = f"{days} at {clock(self.time_of_day)}" if at else days
        if self.end is None:
            return f"{when}, no end date"
        # The year only when it differs from the start's: a plan of a few weeks reads best
        # without it, and one crossing New Year is unambiguous with it.
        until = f"{self.end.day} {_MONTH_NAMES[self.end.month - 1]}"
        if self.end.year != self.start.year:
            until += f" {self.end.year}"
        return f"{when} until {until}"

    def _period_days(self) -> int:
        """Days after which the pattern repeats, so expansion may restart at any multiple."""
        return 7 if self.frequency is Frequency.WEEKDAYS else self.interval_days


def local_occurrences(schedule: HomeworkSchedule) -> Iterator[datetime]:
    """Every occurrence as a naive local wall time, in order (endless without an end date)."""
    return _local_occurrences_from(schedule, schedule.start)


def to_utc(local: datetime, tz: ZoneInfo) -> datetime:
    """The instant a local wall time names in ``tz``, as an aware UTC datetime.

    A wall time that does not exist (the spring-forward gap: 02:30 in Berlin on 29 March
    2026) moves forward by the gap's length, to 03:30 CEST: the reminder comes as late as
    the clocks jumped, rather than early or not at all, and a client looking at the clock
    sees it about when they expected. A wall time that happens twice (the fall-back
    overlap: 02:30 in Berlin on 25 October 2026) takes the first one, CEST, so a reminder
    is sent once and never an hour late.

    Both are what fold=0 means (PEP 495): the offset in force before the transition. In a
    gap, local - offset_before lands exactly gap-length after the wall time; in an overlap
    offset_before is the first pass's.
    """
    if local.tzinfo is not None:
        raise ValueError("to_utc takes a naive local wall time")
    return local.replace(tzinfo=tz, fold=0).astimezone(UTC)


def next_occurrence(schedule: HomeworkSchedule, tz: ZoneInfo, after: datetime) -> datetime | None:
    """The first occurrence strictly after ``after`` as aware UTC, or None once it is over.

    Expansion restarts near ``after`` (on a multiple of the schedule's period from its
    start) rather than running from the start, so a schedule set years ago costs the same
    as a new one.
    """
    after = _aware_utc(after, "after")
    local_after = after.astimezone(tz).replace(tzinfo=None)
    best: datetime | None = None
    best_local: datetime | None = None
    for local in _local_occurrences_from(schedule, (local_after - _SEARCH_MARGIN).date()):
        # Past this, every later occurrence is a later instant too (see _SEARCH_MARGIN).
        # Normally the first candidate is the answer; a zone that skips a whole day can
        # map two days' wall times onto one instant, and this keeps the minimum regardless.
        if best_local is not None and local > best_local + _SEARCH_MARGIN:
            break
        at = to_utc(local, tz)
        if at > after and (best is None or at < best):
            best, best_local = at, local
    return best


def occurrences_between(
    schedule: HomeworkSchedule, tz: ZoneInfo, start_utc: datetime, end_utc: datetime
) -> list[datetime]:
    """Occurrences in [start_utc, end_utc) as aware UTC instants, in order, each once.

    "Each once": if a zone skips a whole calendar day, that day's wall time moves forward
    onto the next day's and both name the same instant; the client gets one reminder.
    """
    start_utc = _aware_utc(start_utc, "start_utc")
    end_utc = _aware_utc(end_utc, "end_utc")
    if end_utc <= start_utc:
        return []
    first_local = start_utc.astimezone(tz).replace(tzinfo=None) - _SEARCH_MARGIN
    last_local = end_utc.astimezone(tz).replace(tzinfo=None) + _SEARCH_MARGIN
    found: set[datetime] = set()
    for local in _local_occurrences_from(schedule, first_local.date()):
        if local >= last_local:
            break
        at = to_utc(local, tz)
        if start_utc <= at < end_utc:
            found.add(at)
    return sorted(found)


@dataclass(frozen=True)
class QuietHours:
    """Local hours when no reminder is sent. May wrap midnight; start == end means none.

    The start is quiet and the end is not: with 21:00–08:00, 21:00 waits, 08:00 goes out.
    """

    start: time = field(default=time(21, 0))
    end: time = field(default=time(8, 0))

    def __post_init__(self) -> None:
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("quiet hours are local wall times and must not carry a zone")

    def contains(self, local_time: time) -> bool:
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= local_time < self.end
        return local_time >= self.start or local_time < self.end

    def moves(self, local_time: time, clock: Callable[[time], str] = hhmm) -> str:
        """ "" for a time outside the quiet hours; else where a reminder at it goes instead:
        " — inside quiet hours (21:00–08:00), so it comes at 08:00 the next morning" (the
        quiet hours are the client's; `clock` words when it comes, as `describe`'s)."""
        if not self.contains(local_time):
            return ""
        next_morning = self.start > self.end and local_time >= self.start
        return (
            f" — inside quiet hours ({self.start:%H:%M}–{self.end:%H:%M}), so it comes at "
            f"{clock(self.end)}{' the next morning' if next_morning else ''}"
        )


def move_out_of_quiet_hours(local: datetime, quiet: QuietHours) -> datetime:
    """``local`` itself, or the end of the quiet period it falls in (that day or the next).

    Works on the local wall time; the result goes through ``to_utc`` like any other, which
    also settles a quiet period that ends inside a DST gap.
    """
    wall = local.time()
    if not quiet.contains(wall):
        return local
    day = local.date()
    if quiet.start > quiet.end and wall >= quiet.start:
        # Late evening in a period that wraps midnight: it ends tomorrow morning.
        day += timedelta(days=1)
    return datetime.combine(day, quiet.end, tzinfo=local.tzinfo)


def _local_occurrences_from(schedule: HomeworkSchedule, not_before: date) -> Iterator[datetime]:
    """Occurrences on or after a date (and some days before it), expanded by dateutil.

    The rule restarts on a whole number of periods from the start, so "every 3 days"
    keeps its phase; the stored rule string itself is what is expanded, so what the
    database holds is what runs.
    """
    first = schedule.start
    if not_before > first:
        period = schedule._period_days()
        first += timedelta(days=(not_before - first).days // period * period)
    if schedule.end is not None and first > schedule.end:
        return iter(())
    dtstart = datetime.combine(first, schedule.time_of_day)
    return iter(rrulestr(schedule.rrule(), dtstart=dtstart))


def _frequency(value: object) -> Frequency:
    if isinstance(value, str) and value in Frequency.__members__.values():
        return Frequency(value)
    choices = ", ".join(f.value for f in Frequency)
    raise ValueError(f"frequency must be one of {choices}, not {value!r}")


def _aware_utc(moment: datetime, name: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime (UTC), not a naive one")
    return moment.astimezone(UTC)


_UNTIL = re.compile(r"(\d{4})(\d{2})(\d{2})T235959")
_INTERVAL = re.compile(r"\d{1,3}")


def _parse_until(value: str) -> date:
    match = _UNTIL.fullmatch(value)
    if match is None:
        raise ValueError(
            f"UNTIL must be the last second of a local day, YYYYMMDDT235959, not {value!r}"
        )
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError as exc:
        raise ValueError(f"UNTIL {value!r} is not a real date") from exc


def _parse_interval(value: str) -> int:
    if _INTERVAL.fullmatch(value) is None:
        raise ValueError(f"INTERVAL must be a whole number, not {value!r}")
    return int(value)


def _parse_weekday(code: str) -> int:
    try:
        return _WEEKDAY_CODES.index(code.strip())
    except ValueError:
        raise ValueError(f"BYDAY takes plain weekdays MO..SU, not {code!r}") from None
