"""The Telegram updates already handled, so that one is never handled twice."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import HandledUpdate

from .conflicts import insert_on_conflict


class UpdateLog:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def claim(self, update_id: int, now: datetime) -> bool:
        """Record the update as handled; False if it already was (a redelivery).

        Part of the caller's transaction: the record and the effect commit together. One
        INSERT … ON CONFLICT DO NOTHING, never a look then an insert: on PostgreSQL a second
        process claiming the same update waits for the first one's transaction, and then
        inserts nothing if it committed (or claims it if it rolled back).
        """
        statement = (
            insert_on_conflict(self._session, HandledUpdate)
            .values(update_id=update_id, handled_at=now)
            .on_conflict_do_nothing(index_elements=[HandledUpdate.update_id])
            .returning(HandledUpdate.update_id)
        )
        inserted = (await self._session.execute(statement)).scalar_one_or_none()
        return inserted is not None

    async def forget_before(self, moment: datetime) -> None:
        await self._session.execute(delete(HandledUpdate).where(HandledUpdate.handled_at < moment))
