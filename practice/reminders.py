"""When a homework reminder is due, and what to do with one that is late.

Plain functions over the schedule (practice.schedules): the client's time zone, daylight
saving, quiet hours, the schedule's end. The outbox stores only the next occurrence of each
schedule; these functions find it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from practice.schedules import (
    HomeworkSchedule,
    QuietHours,
    move_out_of_quiet_hours,
    next_occurrence,
    to_utc,
)

# A homework reminder more than this late (the bot was down) is recorded as missed rather
# than sent: a 08:00 stretch reminder arriving at 23:00 is noise, not help.
HOMEWORK_WINDOW = timedelta(hours=2)
SNOOZE = timedelta(hours=1)


@dataclass(frozen=True)
class Due:
    """One occurrence of a schedule: the local day it belongs to and when to send it."""

    occurrence_date: date  # the client's local day: what "done today" is counted against
    occurs_at: datetime  # aware UTC, as the schedule says
    due_at: datetime  # aware UTC, moved out of quiet hours


def next_due(
    schedule: HomeworkSchedule, tz: ZoneInfo, quiet: QuietHours | None, after: datetime
) -> Due | None:
    """The next reminder strictly after `after` (aware UTC), or None when the schedule is over.

    The occurrence keeps its own day even when quiet hours push the send into the next
    morning: a 22:30 reminder sent at 08:00 is still the evening's exercise.
    """
    at = next_occurrence(schedule, tz, after)
    if at is None:
        return None
    local = at.astimezone(tz).replace(tzinfo=None)
    if quiet is not None:
        local = move_out_of_quiet_hours(local, quiet)
    return Due(occurrence_date=at.astimezone(tz).date(), occurs_at=at, due_at=to_utc(local, tz))


def snoozed_until(now: datetime, tz: ZoneInfo, quiet: QuietHours | None) -> datetime:
    """ "In 1 hour", unless that falls in quiet hours: then when they end."""
    local = (now + SNOOZE).astimezone(tz).replace(tzinfo=None)
    if quiet is not None:
        local = move_out_of_quiet_hours(local, quiet)
    return to_utc(local, tz)


def too_late(due_at: datetime, now: datetime) -> bool:
    return now - due_at > HOMEWORK_WINDOW


def retry_delay(attempt: int, jitter: float) -> timedelta:
    """Backoff for a send that failed in passing (5xx, timeout): 30 s, 1 min, 2 min… ≤ 30 min.

    `jitter` in [0, 1) spreads retries of many rows that failed together.
    """
    seconds = min(30 * 2 ** max(attempt - 1, 0), 1800)
    return timedelta(seconds=seconds * (0.75 + 0.5 * jitter))
