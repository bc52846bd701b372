"""How a visit's time reads, for whoever reads it: in their own zone, and the other's named
when the two clocks differ (bot/shared/clocks.py: a client told "12:00 your time (11:00 in
London, where Maya is)", the therapist "11:00 (12:00 their time)"); with the same clock, the
time alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from telegram import Bot, InputFile

from bot.shared import texts
from bot.shared.clocks import other_clock
from bot.shared.clocks import when as when
from practice.visits import local_time
from reports.calendar import CalendarVisit, visits_ics

# Client.awaiting while a client is asked when suits them (bot/client/visits.py): this prefix
# and the visit's id; a move or a cancellation by the therapist clears it.
AWAITING = "vt"


def _other(moment: datetime, zone: str, other_zone: str) -> texts.Html | None:
    """The visit on `other_zone`'s clock if it differs from `zone`'s (clocks.other_clock): the
    time alone on the same day, the day too otherwise; None when both clocks read the same."""
    there = other_clock(moment, zone, other_zone)
    if there is None:
        return None
    same_day = local_time(moment, zone).date() == there.date()
    return texts.Html(f"{there:%H:%M}") if same_day else when(moment, other_zone)


def for_client(
    moment: datetime, client_zone: str, practice_zone: str, therapist: str
) -> texts.Html:
    """ "Tue 8 Dec, 12:00 your time (11:00 in London, where Maya is)", or "Tue 8 Dec, 11:00"
    for a client on the practice's clock."""
    own = when(moment, client_zone)
    practice = _other(moment, client_zone, practice_zone)
    if practice is None:
        return own
    return texts.client_time(own, practice, texts.zone_city(practice_zone), therapist)


def for_therapist(
    moment: datetime, practice_zone: str, client_zone: str, minutes: int | None = None
) -> texts.Html:
    """ "Tue 8 Dec, 11:00 (12:00 their time)", "Tue 8 Dec, 11:00 (60 min)" for a client on the
    practice's clock."""
    theirs = _other(moment, practice_zone, client_zone)
    return texts.therapist_time(when(moment, practice_zone), theirs, minutes)


def clock_for_therapist(moment: datetime, practice_zone: str, client_zone: str) -> texts.Html:
    """/today's "11:00", or "11:00 (12:00 their time)"."""
    local = local_time(moment, practice_zone)
    theirs = _other(moment, practice_zone, client_zone)
    return texts.therapist_time(texts.Html(f"{local:%H:%M}"), theirs)


def span(start: datetime, minutes: int, zone: str) -> texts.Html:
    """ "14:00–15:00" in `zone`."""
    begin, end = local_time(start, zone), local_time(start + timedelta(minutes=minutes), zone)
    return texts.Html(f"{begin:%H:%M}–{end:%H:%M}")


def to_minutes(moment: datetime) -> int:
    """An instant as whole minutes since the Unix epoch: short enough for a button."""
    return int(moment.timestamp()) // 60


def from_minutes(minutes: int) -> datetime:
    return datetime.fromtimestamp(minutes * 60, tz=UTC)


async def send_ics(
    bot: Bot,
    chat_id: int,
    events: list[CalendarVisit],
    zone: str,
    *,
    now: datetime,
    filename: str,
    caption: str,
) -> None:
    """Visits as one .ics file (reports/calendar.py), its times in `zone`: the therapist's
    /calendar in the practice's, a client's own visit in theirs."""
    data = visits_ics(events, zone, made_at=now, host=bot.username)
    await bot.send_document(chat_id, InputFile(data, filename=filename), caption=caption)
