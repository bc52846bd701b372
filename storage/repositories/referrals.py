"""Referrals: the therapist's provider network, and clients referred on."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import models as tables
from storage.models import Provider, Referral

# A referral's consent question to the client, and its follow-up question to the therapist.
CONSENT, FOLLOW_UP = "consent", "followup"
# The end of a letter's wait for the client's optional details: the therapist has it then.
LETTER_DUE = "letterdue"
# And the client told then that nothing more is needed of them (they were asked, and the
# letter went without their answers).
LETTER_GONE = "lettergone"


class ProviderRepository:
    """The therapist's referral network; archived providers stay for the referrals made."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def active(self, therapist_id: int) -> list[Provider]:
        rows = await self._session.scalars(
            select(Provider)
            .where(Provider.therapist_id == therapist_id, Provider.archived_at.is_(None))
            .order_by(Provider.name, Provider.id)
        )
        return list(rows)

    async def get(self, therapist_id: int, provider_id: int) -> Provider | None:
        row = await self._session.get(Provider, provider_id)
        if row is None or row.therapist_id != therapist_id:
            return None
        return row

    async def add(self, provider: Provider) -> Provider:
        self._session.add(provider)
        await self._session.flush()
        return provider


class ReferralRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, referral: Referral) -> Referral:
        self._session.add(referral)
        await self._session.flush()
        return referral

    async def get(self, therapist_id: int, referral_id: int) -> Referral | None:
        row = await self._session.get(Referral, referral_id)
        if row is None or row.therapist_id != therapist_id:
            return None
        return row

    async def get_any(self, referral_id: int) -> Referral | None:
        """For the client's answer and the dispatcher, which act for no one therapist."""
        return await self._session.get(Referral, referral_id)

    async def of_client(self, therapist_id: int, client_id: int) -> list[Referral]:
        """The client's referrals, the newest first."""
        rows = await self._session.scalars(
            select(Referral)
            .where(Referral.client_id == client_id, Referral.therapist_id == therapist_id)
            .order_by(Referral.created_at.desc(), Referral.id.desc())
        )
        return list(rows)

    async def decision_of(
        self, therapist_id: int, client_id: int, decision_id: int
    ) -> tables.Decision | None:
        """The decision point a referral answers, if it is this therapist's, about this client."""
        row = await self._session.get(tables.Decision, decision_id)
        if row is None or row.therapist_id != therapist_id or row.client_id != client_id:
            return None
        return row
