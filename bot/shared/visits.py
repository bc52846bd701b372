"""How a visit's time reads, for whoever reads it: in their own zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.shared import texts
from practice.visits import local_time

# Client.awaiting while a client is asked when suits them (bot/client/visits.py): this prefix
# and the visit's id; a move or a cancellation by the therapist clears it.
AWAITING = "vt"


def when(moment: datetime, zone: str) -> texts.Html:
    """ "Tue 8 Dec, 14:00" in `zone`."""
    local = local_time(moment, zone)
    return texts.visit_when(local.date(), texts.Html(f"{local:%H:%M}"))


def span(start: datetime, minutes: int, zone: str) -> texts.Html:
    """ "14:00–15:00" in `zone`."""
    begin, end = local_time(start, zone), local_time(start + timedelta(minutes=minutes), zone)
    return texts.Html(f"{begin:%H:%M}–{end:%H:%M}")


def to_minutes(moment: datetime) -> int:
    """An instant as whole minutes since the Unix epoch: short enough for a button."""
    return int(moment.timestamp()) // 60


def from_minutes(minutes: int) -> datetime:
    return datetime.fromtimestamp(minutes * 60, tz=UTC)
