"""The Telegram updates already handled, so that one is never handled twice."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import HandledUpdate


class UpdateLog:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def claim(self, update_id: int, now: datetime) -> bool:
        """Record the update as handled; False if it already was (a redelivery).

        Part of the caller's transaction: the record and the effect commit together.
        """
        if await self._session.get(HandledUpdate, update_id) is not None:
            return False
        self._session.add(HandledUpdate(update_id=update_id, handled_at=now))
        await self._session.flush()
        return True

    async def forget_before(self, moment: datetime) -> None:
        await self._session.execute(delete(HandledUpdate).where(HandledUpdate.handled_at < moment))
