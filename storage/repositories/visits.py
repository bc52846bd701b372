"""Visits: booked sessions, by therapist and time (the agenda, overlaps) or by client (the
next one). Times are aware UTC."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from practice.visits import MISSED_STATUSES
from storage.models import Delivery, Visit, VisitCheck

# The outbox's kinds for visits: the client told of a booking, a move or a cancellation, and
# reminded before; the therapist asked how it went once its time has passed.
VISIT_BOOKED, VISIT_MOVED, VISIT_CANCELLED = "visit", "visit_moved", "visit_off"
VISIT_REMINDER, VISIT_OUTCOME = "visit_remind", "visit_ask"
# The pre-visit question to a client with an intake, right after the visit's reminder.
VISIT_CHECK = "visit_check"


class SentForVisit(NamedTuple):
    """A notice or reminder that went to the client for a visit, for the start it named."""

    kind: str
    occurs_at: datetime
    sent_at: datetime | None


class VisitRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, visit: Visit) -> Visit:
        self._session.add(visit)
        await self._session.flush()
        return visit

    async def get(self, therapist_id: int, visit_id: int) -> Visit | None:
        row = await self._session.get(Visit, visit_id)
        if row is None or row.therapist_id != therapist_id:
            return None
        return row

    async def get_any(self, visit_id: int) -> Visit | None:
        """For the client's answer and the dispatcher, which act for no one therapist."""
        return await self._session.get(Visit, visit_id)

    async def of_therapist_between(
        self,
        therapist_id: int,
        start: datetime,
        end: datetime,
        statuses: Iterable[str],
        limit: int | None = None,
    ) -> list[Visit]:
        """The therapist's visits starting in [start, end), in order (ix_visits_therapist_start)."""
        rows = await self._session.scalars(
            _between(select(Visit), therapist_id, start, end, statuses).limit(limit)
        )
        return list(rows)

    async def agenda_between(
        self,
        therapist_id: int,
        start: datetime,
        end: datetime,
        statuses: Iterable[str],
        limit: int | None = None,
    ) -> list[tuple[Visit, VisitCheck | None]]:
        """`of_therapist_between`, each visit with the client's answer to its pre-visit
        question (one a visit) in the same statement: /today's lines."""
        joined = select(Visit, VisitCheck).outerjoin(VisitCheck, VisitCheck.visit_id == Visit.id)
        rows = await self._session.execute(
            _between(joined, therapist_id, start, end, statuses).limit(limit)
        )
        return [(visit, check) for visit, check in rows]

    async def of_client_between(
        self, client_id: int, start: datetime, end: datetime, statuses: Iterable[str]
    ) -> list[Visit]:
        """A client's visits starting in [start, end), in order (ix_visits_client_start)."""
        rows = await self._session.scalars(
            select(Visit)
            .where(
                Visit.client_id == client_id,
                Visit.starts_at >= start,
                Visit.starts_at < end,
                Visit.status.in_(list(statuses)),
            )
            .order_by(Visit.starts_at, Visit.id)
        )
        return list(rows)

    async def next_of_client(
        self, client_id: int, after: datetime, statuses: Iterable[str]
    ) -> Visit | None:
        return await self._session.scalar(
            select(Visit)
            .where(
                Visit.client_id == client_id,
                Visit.starts_at > after,
                Visit.status.in_(list(statuses)),
            )
            .order_by(Visit.starts_at, Visit.id)
            .limit(1)
        )

    async def of_client(self, client_id: int) -> list[Visit]:
        """Every visit of a client, in order (the record)."""
        rows = await self._session.scalars(
            select(Visit).where(Visit.client_id == client_id).order_by(Visit.starts_at, Visit.id)
        )
        return list(rows)

    async def upcoming(
        self, therapist_id: int, after: datetime, statuses: Iterable[str], limit: int
    ) -> list[Visit]:
        rows = await self._session.scalars(
            select(Visit)
            .where(
                Visit.therapist_id == therapist_id,
                Visit.starts_at > after,
                Visit.status.in_(list(statuses)),
            )
            .order_by(Visit.starts_at, Visit.id)
            .limit(limit)
        )
        return list(rows)

    async def missed(self, client_id: int) -> dict[str, list[datetime]]:
        """When each of a client's missed visits was to start, by its missed status (the
        card): the client's few missed rows, so nothing of the index is sorted."""
        rows = await self._session.execute(
            select(Visit.status, Visit.starts_at).where(
                Visit.client_id == client_id, Visit.status.in_(list(MISSED_STATUSES))
            )
        )
        missed: dict[str, list[datetime]] = {}
        for status, starts_at in rows:
            missed.setdefault(status, []).append(starts_at)
        return missed

    async def check_message(self, visit_id: int, starts_at: datetime) -> int | None:
        """The message id of the pre-visit question sent with the visit's reminder for its
        start as it is now: only its buttons answer (a moved visit's is asked again)."""
        return await self._session.scalar(
            select(Delivery.message_id)
            .where(
                Delivery.visit_id == visit_id,
                Delivery.kind == VISIT_CHECK,
                Delivery.occurs_at == starts_at,
                Delivery.status == "sent",
            )
            .order_by(Delivery.id.desc())
            .limit(1)
        )

    async def reminder_message(self, visit_id: int, starts_at: datetime) -> int | None:
        """The message id of the reminder sent for the visit's start as it is now, if any:
        only its buttons answer for the visit (ix_deliveries_visit). A booking or move notice
        sent inside the reminder's window stands in for the reminder, with its buttons; when a
        reminder follows a notice, the reminder is the later row."""
        return await self._session.scalar(
            select(Delivery.message_id)
            .where(
                Delivery.visit_id == visit_id,
                Delivery.kind.in_((VISIT_REMINDER, VISIT_BOOKED, VISIT_MOVED)),
                Delivery.occurs_at == starts_at,
                Delivery.status == "sent",
            )
            .order_by(Delivery.id.desc())
            .limit(1)
        )

    async def check_sent(self, visit_id: int) -> bool:
        """Whether the visit's pre-visit question went to the client (ix_deliveries_visit)."""
        found = await self._session.scalar(
            select(Delivery.id)
            .where(
                Delivery.visit_id == visit_id,
                Delivery.kind == VISIT_CHECK,
                Delivery.status == "sent",
            )
            .limit(1)
        )
        return found is not None

    async def sent_to_client(self, visit_id: int) -> list[SentForVisit]:
        """The notices and reminders the client was sent for the visit, whatever start each
        named (ix_deliveries_visit): what they already know of it."""
        rows = await self._session.execute(
            select(Delivery.kind, Delivery.occurs_at, Delivery.sent_at).where(
                Delivery.visit_id == visit_id,
                Delivery.kind.in_((VISIT_BOOKED, VISIT_MOVED, VISIT_REMINDER)),
                Delivery.status == "sent",
            )
        )
        return [SentForVisit(*row) for row in rows]


_Q = TypeVar("_Q", bound=Select)  # type: ignore[type-arg]


def _between(
    query: _Q, therapist_id: int, start: datetime, end: datetime, statuses: Iterable[str]
) -> _Q:
    """The therapist's visits starting in [start, end), in order (ix_visits_therapist_start)."""
    return query.where(
        Visit.therapist_id == therapist_id,
        Visit.starts_at >= start,
        Visit.starts_at < end,
        Visit.status.in_(list(statuses)),
    ).order_by(Visit.starts_at, Visit.id)
