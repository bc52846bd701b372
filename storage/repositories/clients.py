"""Therapists, their clients, and the invites that bring a client to the bot."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from practice.clients import (
    lookalike_prefixes,
    name_key,
    name_words,
    near_duplicates,
    prefix_range,
)
from practice.invites import InviteStatus
from storage.models import Client, ClientNameWord, Invite, Therapist

# Words of a query that narrow a search; more would add index ranges and change nothing.
SEARCH_WORDS = 4


class TherapistRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, therapist_id: int) -> Therapist | None:
        return await self._session.get(Therapist, therapist_id)

    async def ensure(self, therapist_id: int, display_name: str, now: datetime) -> Therapist:
        therapist = await self._session.get(Therapist, therapist_id)
        if therapist is None:
            therapist = Therapist(id=therapist_id, display_name=display_name, created_at=now)
            self._session.add(therapist)
            await self._session.flush()
        elif therapist.display_name != display_name:
            therapist.display_name = display_name
        return therapist


# Clients seen most recently first, those without notes after them: what
# ix_clients_therapist_recent holds, read backwards (NULLS LAST is SQLite's own order for DESC,
# said so for PostgreSQL's).
_RECENT_FIRST = (
    Client.last_note_at.desc().nulls_last(),
    Client.created_at.desc(),
    Client.id.desc(),
)


class ClientRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, therapist_id: int, client_id: int) -> Client | None:
        client = await self._session.get(Client, client_id)
        if client is None or client.therapist_id != therapist_id:
            return None
        return client

    async def get_for_update(self, therapist_id: int, client_id: int) -> Client | None:
        """The client row locked for this transaction (PostgreSQL; SQLite has one writer)."""
        result = await self._session.execute(
            select(Client)
            .where(Client.id == client_id, Client.therapist_id == therapist_id)
            .with_for_update()
        )
        return result.scalar_one_or_none()

    async def recent(self, therapist_id: int, limit: int) -> list[Client]:
        """Clients seen most recently first; new clients without notes after them."""
        result = await self._session.scalars(
            select(Client)
            .where(Client.therapist_id == therapist_id)
            .order_by(*_RECENT_FIRST)
            .limit(limit)
        )
        return list(result)

    async def search(self, therapist_id: int, query: str, limit: int) -> list[Client]:
        """Clients every word typed is the start of a word of ("ann k" finds "Anna
        Kowalska": practice.clients.matches_search), the most recently seen first."""
        words = sorted(set(name_key(query).split()), key=len, reverse=True)[:SEARCH_WORDS]
        if not words:
            return []
        found = select(Client).where(
            Client.therapist_id == therapist_id,
            *(Client.id.in_(_with_word(therapist_id, word)) for word in words),
        )
        rows = await self._session.scalars(found.order_by(*_RECENT_FIRST).limit(limit))
        return list(rows)

    async def lookalikes(self, therapist_id: int, name: str) -> list[Client]:
        """The therapist's clients whose name looks like `name` (one person typed twice:
        practice.clients.is_near_duplicate). SQL keeps those sharing the start of a word
        with it; only they are compared."""
        prefixes = lookalike_prefixes(name)
        if not prefixes:
            return []
        ids = select(ClientNameWord.client_id).where(
            ClientNameWord.therapist_id == therapist_id,
            _in_ranges(prefixes),
        )
        candidates = await self._session.scalars(select(Client).where(Client.id.in_(ids)))
        ordered = sorted(candidates, key=lambda c: (c.name, c.id))  # the few found, not all
        return near_duplicates(name, ((c.name, c) for c in ordered))

    async def on_the_bot(self, therapist_id: int) -> list[tuple[int, str]]:
        """(id, name) of the therapist's clients on the bot, in the order they came."""
        rows = await self._session.execute(
            select(Client.id, Client.name).where(
                Client.therapist_id == therapist_id, Client.telegram_user_id.is_not(None)
            )
        )
        return sorted((client_id, name) for client_id, name in rows)

    async def names(self, therapist_id: int) -> list[tuple[str, Client]]:
        result = await self._session.scalars(
            select(Client).where(Client.therapist_id == therapist_id).order_by(Client.name)
        )
        return [(c.name, c) for c in result]

    async def many_of(self, therapist_id: int, ids: list[int]) -> dict[int, Client]:
        """Several of the therapist's clients in one statement; others' ids are left out."""
        if not ids:
            return {}
        rows = await self._session.scalars(
            select(Client).where(Client.id.in_(ids), Client.therapist_id == therapist_id)
        )
        return {row.id: row for row in rows}

    async def many(self, ids: list[int]) -> dict[int, Client]:
        """For the dispatcher, which acts for no one therapist."""
        rows = await self._session.scalars(select(Client).where(Client.id.in_(ids)))
        return {row.id: row for row in rows}

    async def by_telegram_user(self, telegram_user_id: int) -> Client | None:
        """The client record a Telegram account is linked to (at most one)."""
        return await self._session.scalar(
            select(Client).where(Client.telegram_user_id == telegram_user_id)
        )

    async def page(self, therapist_id: int, *, offset: int, limit: int) -> tuple[list[Client], int]:
        """The therapist's clients, most recently seen first, and how many there are."""
        where = Client.therapist_id == therapist_id
        total = await self._session.scalar(select(func.count()).select_from(Client).where(where))
        rows = await self._session.scalars(
            select(Client).where(where).order_by(*_RECENT_FIRST).offset(offset).limit(limit)
        )
        return list(rows), total or 0

    async def add(self, therapist_id: int, name: str, now: datetime) -> Client:
        [client_id] = await insert_clients(
            self._session,
            [{"therapist_id": therapist_id, "name": name, "created_at": now, "notes_count": 0}],
        )
        client = await self._session.get(Client, client_id)
        assert client is not None  # just inserted, in this transaction
        return client


async def insert_clients(
    into: AsyncSession | AsyncConnection, rows: Sequence[Mapping[str, Any]]
) -> list[int]:
    """The one way a client row is written (the repository's `add`, and whatever generates
    clients in bulk: tests, benchmarks), so that none is missing from search: the name folded
    (name_key) and each of its words in client_name_words, which search and the look-alike
    check read. `rows` are the clients' columns without name_key; their ids, in order.
    (tests/test_client_search.py checks that nothing else inserts a client.)"""
    if not rows:
        return []
    values = [{**row, "name_key": name_key(row["name"])} for row in rows]
    result = await into.execute(
        insert(Client).returning(Client.id, sort_by_parameter_order=True), values
    )
    ids = list(result.scalars())
    words = [
        {"client_id": client_id, "therapist_id": row["therapist_id"], "word": word}
        for client_id, row in zip(ids, rows, strict=True)
        for word in name_words(row["name"])
    ]
    if words:
        await into.execute(insert(ClientNameWord), words)
    return ids


def _with_word(therapist_id: int, prefix: str) -> Select[int]:
    """The therapist's clients with a word starting with `prefix`."""
    return select(ClientNameWord.client_id).where(
        ClientNameWord.therapist_id == therapist_id, _in_ranges([prefix])
    )


def _in_ranges(prefixes: list[str]) -> ColumnElement[bool]:
    """A word in any of the prefixes' ranges (an index range each)."""
    terms = []
    for prefix in prefixes:
        low, high = prefix_range(prefix)
        term = ClientNameWord.word >= low
        terms.append(term if high is None else and_(term, ClientNameWord.word < high))
    return or_(*terms)


class InviteRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def create(
        self, therapist_id: int, client_id: int, token_hash: str, now: datetime, expires: datetime
    ) -> Invite:
        """A new link for the client; any earlier link still open stops working."""
        await self._session.execute(
            update(Invite)
            .where(Invite.client_id == client_id, Invite.status == InviteStatus.PENDING)
            .values(status=InviteStatus.REPLACED, closed_at=now)
        )
        invite = Invite(
            therapist_id=therapist_id,
            client_id=client_id,
            token_hash=token_hash,
            created_at=now,
            expires_at=expires,
            status=InviteStatus.PENDING,
        )
        self._session.add(invite)
        await self._session.flush()
        return invite

    async def open_link_made_at(self, client_id: int, now: datetime) -> datetime | None:
        """When the client's link that still works was made, if one does (a new one replaces
        it)."""
        return await self._session.scalar(
            select(func.max(Invite.created_at)).where(
                Invite.client_id == client_id,
                Invite.status == InviteStatus.PENDING,
                Invite.expires_at > now,
            )
        )

    async def by_token_hash(self, token_hash: str) -> Invite | None:
        return await self._session.scalar(
            select(Invite).where(Invite.token_hash == token_hash).with_for_update()
        )

    async def close(self, invite: Invite, status: InviteStatus, now: datetime) -> None:
        invite.status = status
        invite.closed_at = now
        await self._session.flush()
