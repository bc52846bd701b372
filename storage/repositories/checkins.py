"""A client's check-ins: asked, answered, or closed."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import CheckIn, Client


class SentCheckIn(NamedTuple):
    """What the digest reads of a check-in: whether and what the client answered."""

    client_id: int
    answered_at: datetime | None
    pain: int | None
    change: int | None
    activity: int | None


class CheckInRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, check_in: CheckIn) -> CheckIn:
        self._session.add(check_in)
        await self._session.flush()
        return check_in

    async def get(self, check_in_id: int) -> CheckIn | None:
        return await self._session.get(CheckIn, check_in_id)

    async def close_open(self, client_id: int, now: datetime, *, except_id: int) -> None:
        """A new check-in arrived: earlier ones take no more answers."""
        await self._session.execute(
            update(CheckIn)
            .where(
                CheckIn.client_id == client_id,
                CheckIn.closed_at.is_(None),
                CheckIn.sent_at.is_not(None),
                CheckIn.id != except_id,
            )
            .values(closed_at=now)
        )

    async def sent_after(self, note_id: int) -> int:
        """How many check-ins of the series after this session went out."""
        count = await self._session.scalar(
            select(func.count())
            .select_from(CheckIn)
            .where(CheckIn.after_note_id == note_id, CheckIn.sent_at.is_not(None))
        )
        return count or 0

    async def last_two(self, therapist_id: int) -> dict[int, list[SentCheckIn]]:
        """Each of the therapist's clients' last two check-ins sent, the newest first: two
        statements, each an index probe a client (ix_check_ins_client_sent), reading only
        the answers (a practice's clients at once: no ORM object per check-in)."""
        found: dict[int, list[SentCheckIn]] = {}
        for place in (0, 1):
            nth = (
                select(CheckIn.id)
                .where(CheckIn.client_id == Client.id, CheckIn.sent_at.is_not(None))
                .order_by(CheckIn.sent_at.desc(), CheckIn.id.desc())
                .limit(1)
                .offset(place)
                .correlate(Client)
                .scalar_subquery()
            )
            rows = await self._session.execute(
                select(
                    CheckIn.client_id,
                    CheckIn.answered_at,
                    CheckIn.pain,
                    CheckIn.change,
                    CheckIn.activity,
                )
                .select_from(Client)
                .join(CheckIn, CheckIn.id == nth)
                .where(Client.therapist_id == therapist_id, Client.telegram_user_id.is_not(None))
            )
            for row in rows:
                found.setdefault(row.client_id, []).append(SentCheckIn(*row))
        return found

    async def answered_since(self, client_id: int, since: datetime) -> list[CheckIn]:
        """The client's check-ins answered since `since`, oldest first (an index range of
        ix_check_ins_client_answered, not the whole history)."""
        rows = await self._session.scalars(
            select(CheckIn)
            .where(CheckIn.client_id == client_id, CheckIn.answered_at >= since)
            .order_by(CheckIn.answered_at)
        )
        return list(rows)

    async def recent(self, client_id: int, limit: int) -> list[CheckIn]:
        rows = await self._session.scalars(
            select(CheckIn)
            .where(CheckIn.client_id == client_id, CheckIn.answered_at.is_not(None))
            .order_by(CheckIn.answered_at.desc())
            .limit(limit)
        )
        return list(rows)

    async def latest_pains(self, client_ids: list[int]) -> dict[int, int | None]:
        """Each client's pain in their most recently answered check-in (as `recent(id, 1)`),
        for several clients in one statement: an index probe a client
        (ix_check_ins_client_answered)."""
        if not client_ids:
            return {}
        latest = (
            select(CheckIn.id)
            .where(CheckIn.client_id == Client.id, CheckIn.answered_at.is_not(None))
            .order_by(CheckIn.answered_at.desc())
            .limit(1)
            .correlate(Client)
            .scalar_subquery()
        )
        rows = await self._session.execute(
            select(Client.id, CheckIn.pain)
            .join(CheckIn, CheckIn.id == latest)
            .where(Client.id.in_(client_ids))
        )
        return {client_id: pain for client_id, pain in rows}
