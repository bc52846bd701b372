"""The bot's own daily chores, and the records the retention period has reached."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Chore,
    Client,
    Delivery,
    FormDraft,
    HomeworkDueDay,
    SessionNote,
    StoredDraft,
)
from storage.repositories import HOMEWORK, Outbox

# Rows the outbox is done with: no sender, planner or screen reads them once they are older
# than the longest window that looks at them (practice.adherence.ADHERENCE_WINDOW_DAYS, the
# digest's week, the health report's hour), except as the homework days they compact into.
SETTLED = (Outbox.SENT, Outbox.MISSED, Outbox.FAILED, Outbox.CANCELLED)


class ChoreRepository:
    """When each chore is next due, claimed under a lease: two bot processes on one
    PostgreSQL database never run the same chore at once, and a process that dies holding
    one lets it go when the lease runs out."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def plan(self, name: str, due_at: datetime) -> None:
        """Make sure the chore exists; one already planned keeps its time."""
        if await self._session.get(Chore, name) is None:
            self._session.add(Chore(name=name, due_at=due_at))
            await self._session.flush()

    async def claim(self, name: str, now: datetime, lease: timedelta) -> bool:
        """Take the chore if it is due and nobody holds it; whether it is ours now."""
        result = await self._session.execute(
            update(Chore)
            .where(
                Chore.name == name,
                Chore.due_at <= now,
                or_(Chore.lease_until.is_(None), Chore.lease_until < now),
            )
            .values(lease_until=now + lease)
        )
        return bool(getattr(result, "rowcount", 0))

    async def done(self, name: str, now: datetime, next_due: datetime) -> None:
        await self._session.execute(
            update(Chore)
            .where(Chore.name == name)
            .values(due_at=next_due, lease_until=None, done_at=now)
        )

    async def failed(self, name: str, now: datetime, retry_at: datetime) -> None:
        await self._session.execute(
            update(Chore)
            .where(Chore.name == name)
            .values(due_at=retry_at, lease_until=None, failed_at=now)
        )

    async def get(self, name: str) -> Chore | None:
        return await self._session.get(Chore, name)


class OutboxHistory:
    """Pruning the outbox's settled rows: a homework reminder that went out (or was missed)
    first leaves its day in homework_due_days, which every adherence figure reads beside the
    outbox (storage.repositories.records.RecordRepository.homework_days)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def prune(self, before: datetime, limit: int) -> int:
        """Up to `limit` settled rows due before `before`, oldest first, compacted and
        deleted in the caller's transaction; how many went."""
        ids = list(
            await self._session.scalars(
                select(Delivery.id)
                .where(Delivery.status.in_(SETTLED), Delivery.due_at < before)
                .limit(limit)
            )
        )
        if not ids:
            return 0
        days = (
            select(Delivery.assignment_id, Delivery.occurrence_date)
            .where(
                Delivery.id.in_(ids),
                Delivery.kind == HOMEWORK,
                Delivery.status.in_((Outbox.SENT, Outbox.MISSED)),
                Delivery.assignment_id.is_not(None),
                Delivery.occurrence_date.is_not(None),
                ~select(HomeworkDueDay.assignment_id)
                .where(
                    and_(
                        HomeworkDueDay.assignment_id == Delivery.assignment_id,
                        HomeworkDueDay.occurrence_date == Delivery.occurrence_date,
                    )
                )
                .exists(),
            )
            .distinct()
        )
        await self._session.execute(
            insert(HomeworkDueDay).from_select(["assignment_id", "occurrence_date"], days)
        )
        await self._session.execute(delete(Delivery).where(Delivery.id.in_(ids)))
        return len(ids)


@dataclass(frozen=True)
class RecordAge:
    client_id: int
    therapist_id: int
    last_session: date  # the date of the last session noted, or when the record was made
    purge_on: date | None


class RetentionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def prune_outbox(self, before: datetime, limit: int) -> int:
        """See OutboxHistory.prune."""
        return await OutboxHistory(self._session).prune(before, limit)

    async def records(self, *, ended_before: date) -> list[RecordAge]:
        """Every record whose last session is before `ended_before`, or that has a purge day
        (ids and dates only, however many clients the practice has)."""
        last = func.max(SessionNote.session_date)
        rows = await self._session.execute(
            select(Client.id, Client.therapist_id, last, Client.created_at, Client.purge_on)
            .outerjoin(SessionNote, SessionNote.client_id == Client.id)
            .group_by(Client.id, Client.therapist_id, Client.created_at, Client.purge_on)
            .having(or_(last < ended_before, last.is_(None), Client.purge_on.is_not(None)))
            .order_by(Client.id)
        )
        records = [
            RecordAge(client_id, therapist_id, session or created.date(), purge_on)
            for client_id, therapist_id, session, created, purge_on in rows
        ]
        return [r for r in records if r.last_session < ended_before or r.purge_on is not None]

    async def set_purge_on(self, client_id: int, day: date | None) -> None:
        await self._session.execute(
            update(Client).where(Client.id == client_id).values(purge_on=day)
        )

    async def being_written(self) -> set[int]:
        """Clients a therapist has a note or a form open about right now."""
        forms = await self._session.scalars(
            select(FormDraft.client_id).where(FormDraft.client_id.is_not(None))
        )
        notes = await self._session.scalars(select(StoredDraft.data))
        named = {data.get("client_id") for data in notes if isinstance(data, dict)}
        return {c for c in forms if c is not None} | {c for c in named if isinstance(c, int)}

    async def last_session(self, client_id: int) -> date | None:
        return await self._session.scalar(
            select(func.max(SessionNote.session_date)).where(SessionNote.client_id == client_id)
        )

    async def purge(self, client_ids: list[int]) -> int:
        """Delete these clients and, by the schema's cascades, everything about them: notes
        and their amendments, plans, homework and its log, check-ins, the outbox, decisions,
        referrals, invites and drafts. Returns how many records went."""
        if not client_ids:
            return 0
        result = await self._session.execute(delete(Client).where(Client.id.in_(client_ids)))
        return int(getattr(result, "rowcount", 0) or 0)
