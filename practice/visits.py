"""Visits: the next session booked, its rhythm from the plan, a typed date and time read, and
when the client is reminded. Plain functions; times are aware UTC inside, naive local wall
times only where a person typed or will read them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from dateutil import parser as dateparser
from dateutil.relativedelta import relativedelta

from practice.notes import InputError
from practice.schedules import QuietHours, to_utc

DEFAULT_VISIT_MINUTES = 60
DEFAULT_REMINDER_HOURS = 24
# A reminder that would fall in the client's quiet hours comes this long before they begin.
BEFORE_QUIET = timedelta(minutes=30)
# How far ahead a visit may be booked, and the longest visit.
MAX_AHEAD_DAYS = 366
MAX_VISIT_MINUTES = 8 * 60


class VisitStatus(StrEnum):
    BOOKED = "booked"
    CONFIRMED = "confirmed"
    CHANGE_REQUESTED = "change"  # the client asked for another time
    CANCELLED_BY_CLIENT = "cancel_client"
    CANCELLED_BY_THERAPIST = "cancel_ther"
    CANCELLED_LATE = "cancel_late"  # the client called it off too late to fill the slot
    DONE = "done"
    NO_SHOW = "no_show"


# The visits still to come: they hold their slot, are reminded of and show on /today.
OPEN_STATUSES = frozenset({VisitStatus.BOOKED, VisitStatus.CONFIRMED, VisitStatus.CHANGE_REQUESTED})
CANCELLED_STATUSES = frozenset(
    {
        VisitStatus.CANCELLED_BY_CLIENT,
        VisitStatus.CANCELLED_BY_THERAPIST,
        VisitStatus.CANCELLED_LATE,
    }
)
# A visit that did not happen as booked, which the record shows.
MISSED_STATUSES = frozenset({VisitStatus.NO_SHOW, VisitStatus.CANCELLED_LATE})


@dataclass(frozen=True)
class Slot:
    """A visit's place in the therapist's day: its start (aware UTC) and length."""

    start: datetime
    minutes: int

    @property
    def end(self) -> datetime:
        return self.start + timedelta(minutes=self.minutes)

    def overlaps(self, other: Slot) -> bool:
        return self.start < other.end and other.start < self.end


def overlapping(slot: Slot, others: Iterable[Slot]) -> list[Slot]:
    """The other visits `slot` would overlap (touching end to start is no overlap)."""
    return [other for other in others if slot.overlaps(other)]


@dataclass(frozen=True)
class Suggestion:
    """A booking offered as one tap: the local wall time and how far it is from the last."""

    local: datetime  # naive, in the practice's zone
    days: int  # after the reference visit


# Days after the last visit to offer, by the plan's visit frequency (practice.plans codes);
# no plan: a week and two.
RHYTHM_DAYS: dict[str | None, tuple[int, ...]] = {
    "twice_weekly": (3, 4, 7),
    "weekly": (7, 14),
    "biweekly": (14, 21),
    "monthly": (28, 35),
    None: (7, 14),
}


def reference_time(now_local: datetime, today_visit: datetime | None = None) -> datetime:
    """The visit the next one is counted from: today's booked visit if there is one (naive
    local), otherwise now, rounded down to the half hour (the note is written after it)."""
    if today_visit is not None:
        return today_visit
    return now_local.replace(minute=0 if now_local.minute < 30 else 30, second=0, microsecond=0)


def suggestions(reference: datetime, frequency: str | None) -> list[Suggestion]:
    """The plan's rhythm as bookings: the same wall time N days on (a daylight-saving change
    between keeps 14:00 at 14:00)."""
    days = RHYTHM_DAYS.get(frequency, RHYTHM_DAYS[None])
    return [Suggestion(reference + timedelta(days=n), n) for n in days]


@dataclass(frozen=True)
class Gap:
    """How far an offered booking is from the visit it is counted from, as a button names
    it: `days` on, at the same wall time or not, counted from today's visit (or now) or from
    the visit being moved (another day's)."""

    days: int
    same_time: bool
    from_today: bool


def gap(reference: datetime, offered: datetime, today: date) -> Gap:
    """`reference` and `offered` naive local wall times; `offered` as it will be booked (a
    time the clocks skip comes later, so it is not "the same time")."""
    return Gap(
        days=(offered.date() - reference.date()).days,
        same_time=offered.time() == reference.time(),
        from_today=reference.date() == today,
    )


_WEEKDAY = re.compile(r"\b(mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?(?=\s|$|,)", re.IGNORECASE)
_RELATIVE = re.compile(r"\bin\s+(\d{1,3})\s*(day|days|d|week|weeks|w)\b", re.IGNORECASE)
_NAMED_DAY = re.compile(r"\b(today|tomorrow|tmrw)\b", re.IGNORECASE)
# Day first, as the quick note reads dates (practice.notes.parse_session_date): 12.1 is
# 12 January. dateutil would read "12.1" as a decimal number; written 12/1 it reads it right.
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})[./](\d{1,2})(?:[./](\d{2}|\d{4}))?\b")
_YEAR = re.compile(r"\b\d{4}\b")
# "wed 9": a lone number after a day is the hour, not the day of the month.
_LONE_HOUR = re.compile(r"^(\d{1,2})$")


def parse_visit_time(text: str, now_local: datetime, default_time: time) -> datetime:
    """A typed date and time as a naive local wall time in the future: "tue 14:00",
    "12.1 9:30" (day first), "8 Dec 2pm", "tomorrow 10:00", "in 10 days" (at `default_time`,
    as is a date typed without a time). A date without a year is the next one to come; a
    weekday is the next such day (today's only if the time is still ahead). Raises InputError
    with a reason."""
    typed = " ".join(text.strip().split())
    if not typed:
        raise InputError("type a day and a time, e.g. “tue 14:00”")
    if len(typed) > 60:
        raise InputError("that is too long for a date and a time")
    base = now_local.replace(
        hour=default_time.hour, minute=default_time.minute, second=0, microsecond=0
    )
    rest = typed
    fixed_day = False
    if m := _RELATIVE.search(rest):
        n = int(m[1])
        base += timedelta(days=n * (7 if m[2].lower().startswith("w") else 1))
        rest = (rest[: m.start()] + rest[m.end() :]).strip()
        fixed_day = True
    elif m := _NAMED_DAY.search(rest):
        base += timedelta(days=0 if m[1].lower() == "today" else 1)
        rest = (rest[: m.start()] + rest[m.end() :]).strip()
        fixed_day = True
    weekday = _WEEKDAY.search(rest) is not None
    explicit_year = _YEAR.search(rest) is not None
    rest = _NUMERIC_DATE.sub(lambda m: f"{m[1]}/{m[2]}" + (f"/{m[3]}" if m[3] else ""), rest)
    explicit_date = bool(_NUMERIC_DATE.search(typed)) or (not weekday and _has_month(rest))
    rest = _hour_alone(rest, weekday or fixed_day)
    rest = re.sub(r"\s*\bat\b\s*", " ", rest, flags=re.IGNORECASE).strip(" ,")
    if rest:
        try:
            found = dateparser.parse(rest, default=base, dayfirst=True)
        except (dateparser.ParserError, ValueError, OverflowError) as exc:
            raise InputError(
                "I can't read that as a day and a time; try “tue 14:00”, “12.1 9:30” or "
                "“in 10 days”"
            ) from exc
    else:
        found = base
    if found.tzinfo is not None:
        raise InputError("leave the time zone out: times are the practice's")
    found = found.replace(second=0, microsecond=0)
    if found <= now_local and not explicit_year:
        if weekday and not explicit_date:
            found += timedelta(days=7)
        elif explicit_date:
            found += relativedelta(years=1)
    if found <= now_local:
        raise InputError("that time has passed")
    if found - now_local > timedelta(days=MAX_AHEAD_DAYS):
        raise InputError("that is more than a year ahead")
    return found


_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _has_month(text: str) -> bool:
    return any(re.search(rf"\b{m}[a-z]*\b", text, re.IGNORECASE) for m in _MONTHS)


def _hour_alone(text: str, after_day: bool) -> str:
    """ "wed 9" → "wed 9:00": with a day already named, a bare number is the hour."""
    if not after_day:
        return text
    words = text.split()
    return " ".join(f"{w}:00" if _LONE_HOUR.match(w) and int(w) <= 23 else w for w in words)


def check_bookable(start: datetime, now: datetime) -> None:
    """A visit's start (aware UTC) must be ahead of now."""
    if start <= now:
        raise InputError("that time has passed")


def start_utc(local: datetime, zone: str) -> datetime:
    """The instant a practice wall time names (a time skipped by the clocks moving forward
    comes as late as they jumped: practice.schedules.to_utc)."""
    return to_utc(local, ZoneInfo(zone))


def local_time(moment: datetime, zone: str) -> datetime:
    """An instant as the wall time of `zone`, naive (for reading, never for arithmetic)."""
    return moment.astimezone(ZoneInfo(zone)).replace(tzinfo=None)


def reminder_due(start: datetime, hours: int, zone: str, quiet: QuietHours | None) -> datetime:
    """When the client is reminded of a visit starting at `start` (aware UTC): `hours`
    before, or — if that falls in the client's quiet hours, in their own zone — earlier, half
    an hour before those quiet hours began. Never later: a reminder after the quiet hours
    may be too late to find another time."""
    due = start - timedelta(hours=hours)
    if quiet is None:
        return due
    tz = ZoneInfo(zone)
    local = due.astimezone(tz).replace(tzinfo=None)
    if not quiet.contains(local.time()):
        return due
    began = datetime.combine(local.date(), quiet.start)
    if began > local:  # a period wrapping midnight, seen in its morning: began the day before
        began -= timedelta(days=1)
    return to_utc(began, tz) - BEFORE_QUIET


def visit_day(moment: datetime, zone: str) -> date:
    return moment.astimezone(ZoneInfo(zone)).date()


def day_bounds(day: date, zone: str) -> tuple[datetime, datetime]:
    """A local day as the UTC instants it starts and ends at (23 or 25 hours at a DST change)."""
    tz = ZoneInfo(zone)
    start = datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    return start, end
