"""Client search by word prefix and the look-alike check, answered from the name-word index
(client_name_words) on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import timedelta

from storage import Database
from storage.models import Therapist
from tests.conftest import LEO, MAYA, NOW


async def _practice(database_url: str) -> Database:
    db = Database(database_url)
    await db.migrate()
    async with db.unit_of_work() as uow:
        for therapist, name in ((MAYA, "Maya"), (LEO, "Leo")):
            uow.session.add(Therapist(id=therapist, display_name=name, created_at=NOW))
        await uow.session.flush()
        names = ["Anna Kowalska", "Anton Berg", "Hanna Kowal", "Ånna Ölund", "Zoë O'Brien-Smith"]
        for n, name in enumerate(names):
            client = await uow.clients.add(MAYA, name, NOW)
            client.last_note_at = NOW - timedelta(days=n)  # the first seen most recently
        await uow.clients.add(LEO, "Anna Kowalska", NOW)  # Leo's, never Maya's
        await uow.commit()
    return db


async def test_search_is_by_word_prefix_most_recent_first(database_url: str) -> None:
    db = await _practice(database_url)
    try:
        async with db.unit_of_work() as uow:

            async def names(query: str, limit: int = 8) -> list[str]:
                return [c.name for c in await uow.clients.search(MAYA, query, limit)]

            assert await names("ann k") == ["Anna Kowalska"]
            assert await names("k ann") == ["Anna Kowalska"]  # words in any order
            assert await names("an") == ["Anna Kowalska", "Anton Berg", "Ånna Ölund"]
            assert await names("AN", limit=2) == ["Anna Kowalska", "Anton Berg"]
            assert await names("nna") == []  # the start of a word, not its middle
            assert await names("olu") == ["Ånna Ölund"]  # accents folded
            assert await names("smi") == ["Zoë O'Brien-Smith"]  # punctuation splits words
            assert await names("kowal") == ["Anna Kowalska", "Hanna Kowal"]
            assert await names("  ") == []
            assert await names("berg x") == []
    finally:
        await db.dispose()


async def test_lookalikes_are_the_therapists_own_and_alike(database_url: str) -> None:
    db = await _practice(database_url)
    try:
        async with db.unit_of_work() as uow:

            async def alike(name: str) -> list[str]:
                return [c.name for c in await uow.clients.lookalikes(MAYA, name)]

            # Maya's only (Leo has an Anna Kowalska too), by the rule of is_near_duplicate.
            assert await alike("Anna Kowalska") == ["Anna Kowalska", "Hanna Kowal"]
            assert await alike("Ana Kowalska") == ["Anna Kowalska"]
            assert await alike("anna k.") == ["Anna Kowalska"]
            assert await alike("Anton Bergh") == ["Anton Berg"]
            assert await alike("Anna K") == ["Anna Kowalska"]  # the initial agrees
            assert await alike("Anna B") == []  # two people
            assert await alike("Quentin Blake") == []
            leo = [c.name for c in await uow.clients.lookalikes(LEO, "Ana Kowalska")]
            assert leo == ["Anna Kowalska"]
    finally:
        await db.dispose()
