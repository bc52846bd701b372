"""Messages between a client and their therapist: the therapist's working hours, and how a
client who writes a lot is paced. Plain times and rules; no Telegram, no database.

Working hours (`WORKING_HOURS`, e.g. ``09:00-18:00``) are the practice's, in its time zone,
every day. A therapist mutes a client's messages outside them per client (the client card's
🔕 button): a worried client may need to reach her at any hour, a chatty one need not, and
she knows which is which. A muted client's message written outside the hours is kept and
delivered as a message of its own at the start of the next working period, not folded into
the morning digest: the digest is a summary that comes at `DIGEST_TIME`, before the day's
work perhaps, and a message wants its own ↩️ Reply.

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


_SPAN = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True)
class WorkingHours:
    """Local hours when the therapist reads messages, start included and end not; may wrap
    midnight (a night shift: 20:00-04:00)."""

    start: time
    end: time

    def __post_init__(self) -> None:
        if self.start == self.end:
            raise ValueError("working hours must start and end at different times")

    def contains(self, local: time) -> bool:
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def label(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}"

    def next_start(self, now: datetime, zone: str) -> datetime | None:
        """None when `now` (UTC) is inside the hours; else when they next begin (UTC)."""
        tz = ZoneInfo(zone)
        local = now.astimezone(tz)
        if self.contains(local.time().replace(tzinfo=None)):
            return None
        day = local.date()
        if local.time().replace(tzinfo=None) >= self.start:
            day += timedelta(days=1)
        return to_utc(datetime.combine(day, self.start), tz)


def parse_working_hours(text: str) -> WorkingHours:
    """``09:00-18:00`` (or with an en dash); ValueError with the reason otherwise."""
    match = _SPAN.match(text)
    if match is None:
        raise ValueError(f"must be two times like 09:00-18:00, got {text!r}")
    hours = [int(match[1]), int(match[3])]
    minutes = [int(match[2]), int(match[4])]
    if any(h > 23 for h in hours) or any(m > 59 for m in minutes):
        raise ValueError(f"must be two times of day (00:00 to 23:59), got {text!r}")
    return WorkingHours(time(hours[0], minutes[0]), time(hours[1], minutes[1]))


def paced_until(recent: list[datetime], now: datetime) -> datetime | None:
    """When the client's next message may go to the therapist, given when their messages
    went in the last `WINDOW` (any order); None: at once."""
    within = sorted(at for at in recent if now - at < WINDOW)
    if len(within) < BURST:
        return None
    return within[-BURST] + WINDOW
