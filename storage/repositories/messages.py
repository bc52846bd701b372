"""Messages between a client and their therapist, and the outbox rows that carry them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ClientMessage, Delivery

# Outbox kinds: a client's words relayed to their therapist (a therapist's row: no client_id,
# so a client's /stop or a block never withdraws what they wrote), and a therapist's reply to
# the client (a client's row: it goes to the account they have when it is sent).
RELAY, REPLY = "relay", "reply"
FROM_CLIENT, FROM_THERAPIST = "in", "out"


class MessageRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, message: ClientMessage) -> ClientMessage:
        self._session.add(message)
        await self._session.flush()
        return message

    async def carried_by(self, delivery_id: int) -> list[ClientMessage]:
        """The messages an outbox row carries, oldest first."""
        rows = await self._session.scalars(
            select(ClientMessage)
            .where(ClientMessage.delivery_id == delivery_id)
            .order_by(ClientMessage.created_at, ClientMessage.id)
        )
        return list(rows)

    async def delivered(self, delivery_id: int, at: datetime) -> None:
        await self._session.execute(
            update(ClientMessage)
            .where(ClientMessage.delivery_id == delivery_id)
            .values(delivered_at=at)
        )

    async def delivered_one(self, message_id: int, at: datetime) -> None:
        """A message the bot relayed at once, not through the outbox (a client's answer to
        "when suits you?"), reached the therapist."""
        await self._session.execute(
            update(ClientMessage).where(ClientMessage.id == message_id).values(delivered_at=at)
        )

    async def waiting_relay(self, client_id: int) -> tuple[Delivery, int, int] | None:
        """The client's relayed message not yet claimed for sending, if one waits (new words
        join it), with the length of the words it carries and how many messages. Locked (FOR
        UPDATE on PostgreSQL): a dispatcher claiming it meanwhile skips it, or, having claimed
        it first, makes it not pending; SQLite has one writer, and the caller has written
        already."""
        carrying = select(ClientMessage.delivery_id).where(
            ClientMessage.client_id == client_id, ClientMessage.direction == FROM_CLIENT
        )
        delivery = await self._session.scalar(
            select(Delivery)
            .where(Delivery.kind == RELAY, Delivery.status == "pending", Delivery.id.in_(carrying))
            .order_by(Delivery.due_at.desc(), Delivery.id.desc())
            .limit(1)
            .with_for_update(of=Delivery)
        )
        if delivery is None:
            return None
        length, count = (
            await self._session.execute(
                select(func.sum(func.length(ClientMessage.text)), func.count()).where(
                    ClientMessage.delivery_id == delivery.id
                )
            )
        ).one()
        return delivery, int(length or 0), int(count or 0)

    async def relayed_since(self, client_id: int, since: datetime) -> list[datetime]:
        """When the client's messages were written since `since` (for pacing them)."""
        rows = await self._session.scalars(
            select(ClientMessage.created_at).where(
                ClientMessage.client_id == client_id,
                ClientMessage.direction == FROM_CLIENT,
                ClientMessage.created_at >= since,
            )
        )
        return list(rows)

    async def of_client(
        self, therapist_id: int, client_id: int, limit: int | None = None
    ) -> list[ClientMessage]:
        """The client's messages both ways, newest first (all of them without `limit`)."""
        query = (
            select(ClientMessage)
            .where(ClientMessage.therapist_id == therapist_id, ClientMessage.client_id == client_id)
            .order_by(ClientMessage.created_at.desc(), ClientMessage.id.desc())
        )
        if limit is not None:
            query = query.limit(limit)
        return list(await self._session.scalars(query))

    async def erase(self, client_id: int) -> list[int]:
        """Every message of the client, both ways (/forgetme); the outbox rows that carried
        them, for the caller to withdraw those still waiting."""
        deliveries = await self._session.scalars(
            select(ClientMessage.delivery_id)
            .where(ClientMessage.client_id == client_id, ClientMessage.delivery_id.is_not(None))
            .distinct()
        )
        ids = [d for d in deliveries if d is not None]
        await self._session.execute(
            delete(ClientMessage).where(ClientMessage.client_id == client_id)
        )
        return ids
