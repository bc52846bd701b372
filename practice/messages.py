"""Messages between a client and their therapist: the therapist's working hours, and how a
client who writes a lot is paced. Plain times and rules; no Telegram, no database.

Working hours (`WORKING_HOURS`, e.g. ``09:00-18:00`` every day, or ``Mon-Fri 09:00-18:00``
with the weekend off) are the practice's, in its time zone. A therapist mutes a client's
messages outside them per client (the client card's 🔕 button): a worried client may need
to reach her at any hour, a chatty one need not, and she knows which is which. A muted
client's message written outside the hours is kept and delivered as a message of its own at
the start of the next working period (after a day off, on the next working day), not folded
into the morning digest: the digest is a summary that comes at `DIGEST_TIME`, before the
day's work perhaps, and a message wants its own ↩️ Reply.

A client who writes many messages in a row is not refused: every message is kept. Up to
`BURST` messages within `WINDOW` go to the therapist one by one; the next ones wait until
the window has passed and reach her together, as one message (the client is told when).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from practice.schedules import to_utc

BURST = 5
WINDOW = timedelta(minutes=10)
# A relayed message gathers several of the client's while it waits, up to this many characters
# of their words and the line above each that says when it was written (Telegram's 4,096 less
# the header and the closing lines); the next message starts another.
GATHER_ROOM = 3600
STAMP_ROOM = 40  # "Mon 19 Oct (yesterday), 21:30" and the blank line before it


def gathers(carried: int, count: int, words: str) -> bool:
    """Whether a relayed message carrying `count` messages of `carried` characters in all has
    room for `words` too."""
    return carried + len(words) + STAMP_ROOM * (count + 1) <= GATHER_ROOM


DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
EVERY_DAY = frozenset(range(7))
# One period: days (optional: every day) and two times, e.g. "Mon-Fri 09:00-18:00".
_DAY = r"[A-Za-z]+"
_DAYS = rf"{_DAY}(?:\s*[-–]\s*{_DAY})?(?:\s*,\s*{_DAY}(?:\s*[-–]\s*{_DAY})?)*"
_PERIOD = re.compile(
    rf"\s*(?:(?P<days>{_DAYS})\s+)?(?P<start>\d{{1,2}}:\d{{2}})\s*[-–]\s*(?P<end>\d{{1,2}}:\d{{2}})\s*"
)
_FORM = (
    "must be two times like 09:00-18:00 (every day), or days before them like "
    "Mon-Fri 09:00-18:00 (periods separated by commas: Mon-Fri 09:00-18:00, Sat 10:00-14:00)"
)


@dataclass(frozen=True)
class WorkingPeriod:
    """Local hours on some days of the week (0 is Monday), start included and end not; may
    wrap midnight (a night shift: Fri 20:00-04:00 runs into Saturday's early hours), and then
    its days are the days it starts."""

    days: frozenset[int]
    start: time
    end: time

    def __post_init__(self) -> None:
        if self.start == self.end:
            raise ValueError("working hours must start and end at different times")
        if not self.days or not self.days <= EVERY_DAY:
            raise ValueError("working hours need at least one day of the week")

    def contains(self, local: datetime) -> bool:
        at, day = local.time().replace(tzinfo=None), local.weekday()
        if self.start < self.end:
            return day in self.days and self.start <= at < self.end
        started_today = day in self.days and at >= self.start
        return started_today or ((day - 1) % 7 in self.days and at < self.end)

    def label(self) -> str:
        span = f"{self.start:%H:%M}–{self.end:%H:%M}"
        return span if self.days == EVERY_DAY else f"{_days_label(self.days)} {span}"


@dataclass(frozen=True)
class WorkingHours:
    """When the therapist reads messages: one or more periods (`WorkingPeriod`), practice
    time. Outside all of them is a day off, or the evening."""

    periods: tuple[WorkingPeriod, ...]

    def __post_init__(self) -> None:
        if not self.periods:
            raise ValueError("working hours need at least one period")

    def contains(self, local: datetime) -> bool:
        """Whether the local (wall clock) moment is within the hours."""
        return any(period.contains(local) for period in self.periods)

    def label(self) -> str:
        return ", ".join(period.label() for period in self.periods)

    def next_start(self, now: datetime, zone: str) -> datetime | None:
        """None when `now` (UTC) is inside the hours; else when they next begin (UTC)."""
        tz = ZoneInfo(zone)
        local = now.astimezone(tz)
        if self.contains(local):
            return None
        starts = (
            to_utc(datetime.combine(day, period.start), tz)
            for day in (local.date() + timedelta(days=n) for n in range(8))
            for period in self.periods
            if day.weekday() in period.days
        )
        return min(start for start in starts if start > now)


def _days_label(days: frozenset[int]) -> str:
    """Mon–Fri, Mon, Wed, Sat–Mon: runs of consecutive days (around the week's end too)."""
    if days == EVERY_DAY:
        return "every day"
    # Start at a day whose previous day is off, so that a run over Sunday stays whole.
    first = next(d for d in range(7) if d in days and (d - 1) % 7 not in days)
    runs: list[list[int]] = []
    for offset in range(7):
        day = (first + offset) % 7
        if day not in days:
            continue
        if runs and (runs[-1][-1] + 1) % 7 == day:
            runs[-1].append(day)
        else:
            runs.append([day])
    short = [name[:3] for name in DAY_NAMES]
    return ", ".join(
        short[run[0]] if len(run) == 1 else f"{short[run[0]]}–{short[run[-1]]}" for run in runs
    )


def _day(word: str) -> int:
    """A day of the week by its English name or its first three letters or more."""
    lowered = word.lower()
    found = [
        n
        for n, name in enumerate(DAY_NAMES)
        if len(lowered) >= 3 and name.lower().startswith(lowered)
    ]
    if len(found) != 1:
        raise ValueError(f"{word!r} is not a day of the week (Mon, Tue, Wed, Thu, Fri, Sat, Sun)")
    return found[0]


def _parse_days(text: str) -> frozenset[int]:
    """ "Mon-Fri", "Mon, Wed", "Sat-Mon" (a range may run over the week's end)."""
    days: set[int] = set()
    for item in text.split(","):
        ends = [_day(word.strip()) for word in re.split(r"[-–]", item)]
        first, last = ends[0], ends[-1]
        days.update((first + n) % 7 for n in range((last - first) % 7 + 1))
    return frozenset(days)


def _parse_time(text: str, whole: str) -> time:
    hour, minute = (int(part) for part in text.split(":"))
    if hour > 23 or minute > 59:
        raise ValueError(f"must be times of day (00:00 to 23:59), got {whole!r}")
    return time(hour, minute)


def parse_working_hours(text: str) -> WorkingHours:
    """``09:00-18:00`` (every day), ``Mon-Fri 09:00-18:00``, or periods separated by commas
    (``Mon-Fri 09:00-18:00, Sat 10:00-14:00``); en dashes too. ValueError with the reason
    otherwise."""
    periods: list[WorkingPeriod] = []
    rest = text
    while True:
        match = _PERIOD.match(rest)
        if match is None:
            raise ValueError(f"{_FORM}, got {text!r}")
        days = _parse_days(match["days"]) if match["days"] else EVERY_DAY
        periods.append(
            WorkingPeriod(days, _parse_time(match["start"], text), _parse_time(match["end"], text))
        )
        rest = rest[match.end() :]
        if not rest:
            return WorkingHours(tuple(periods))
        if not rest.startswith((",", ";")):
            raise ValueError(f"{_FORM}, got {text!r}")
        rest = rest[1:]


def paced_until(recent: list[datetime], now: datetime) -> datetime | None:
    """When the client's next message may go to the therapist, given when their messages
    went in the last `WINDOW` (any order); None: at once."""
    within = sorted(at for at in recent if now - at < WINDOW)
    if len(within) < BURST:
        return None
    return within[-BURST] + WINDOW
