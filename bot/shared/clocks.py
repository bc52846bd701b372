"""Whose clock a time is read on. Everyone reads their own; when the client's clock and the
practice's read differently, the other one is named too. Whether they do is `other_clock`, for
a visit (bot/shared/visits.py: the therapist's "11:00 (12:00 their time)") and for a homework
reminder (`homework_clock`: "08:00 their time (07:00 yours)") alike. A client never reads a
reminder's time on any clock but their own."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from bot.shared import texts
from practice.schedules import to_utc
from practice.visits import local_time


def when(moment: datetime, zone: str) -> texts.Html:
    """ "Tue 8 Dec, 14:00" in `zone`."""
    local = local_time(moment, zone)
    return texts.visit_when(local.date(), texts.Html(f"{local:%H:%M}"))


def other_clock(moment: datetime, zone: str, other_zone: str) -> datetime | None:
    """`moment` as `other_zone`'s wall clock shows it (naive), or None when it shows what
    `zone`'s does: the same zone, or another keeping the same time (Paris and Berlin)."""
    here, there = local_time(moment, zone), local_time(moment, other_zone)
    return None if here == there else there


def homework_clock(moment: datetime, client_zone: str, practice_zone: str) -> texts.Html:
    """A homework reminder's time as the therapist reads it: on the client's clock, which the
    reminder keeps, and their own when it differs — "08:00 their time (07:00 yours)"; "08:00"
    when both clocks read the same."""
    theirs = local_time(moment, client_zone)
    own = texts.Html(f"{theirs:%H:%M}")
    yours = other_clock(moment, client_zone, practice_zone)
    if yours is None:
        return own
    days = (yours.date() - theirs.date()).days
    return texts.reminder_clocks(own, texts.Html(f"{yours:%H:%M}"), days)


def daily_clock(day: date, client_zone: str, practice_zone: str) -> Callable[[time], texts.Html]:
    """`homework_clock` for a time of the client's day, as it falls on `day` (the two clocks
    can drift an hour apart while one country is on summer time and the other not yet)."""
    tz = ZoneInfo(client_zone)

    def clock(at: time) -> texts.Html:
        return homework_clock(to_utc(datetime.combine(day, at), tz), client_zone, practice_zone)

    return clock
