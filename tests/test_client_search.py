"""Client search by word prefix and the look-alike check, answered from the name-word index
(client_name_words) on SQLite and PostgreSQL alike."""

from __future__ import annotations

import ast
from datetime import timedelta
from pathlib import Path

from storage import Database
from storage.models import Therapist
from tests.conftest import LEO, MAYA, NOW
from tests.seed import seed_clients_on_the_bot

ROOT = Path(__file__).resolve().parent.parent
# The one place a client row is written (storage.repositories.clients.insert_clients).
WRITER = ROOT / "storage" / "repositories" / "clients.py"
# Writes a client at the first revision, before name words existed: migration 0012 fills them.
AT_FIRST_REVISION = ROOT / "tests" / "test_storage.py"


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


async def test_clients_written_in_bulk_are_found_like_those_the_bot_adds(
    database_url: str,
) -> None:
    """The generators of tests and benchmarks write clients through insert_clients too: the
    name words come with them."""
    db = Database(database_url)
    await db.migrate()
    try:
        async with db.unit_of_work() as uow:
            uow.session.add(Therapist(id=MAYA, display_name="Maya", created_at=NOW))
            await uow.commit()
        ids = await seed_clients_on_the_bot(db, MAYA, 3, NOW)
        async with db.unit_of_work() as uow:
            found = await uow.clients.search(MAYA, "long 001", 8)
            assert [c.id for c in found] == [ids[1]]
            assert found[0].name_key == "client 001 longname"
            alike = await uow.clients.lookalikes(MAYA, "Client 002 Longnam")
            assert ids[2] in [c.id for c in alike]
    finally:
        await db.dispose()


def _client_writes(path: Path) -> list[str]:
    """Where a module constructs storage.models.Client, inserts into it, or inserts into
    clients in SQL text: "file:line"."""
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()  # what storage.models.Client is called in this module
    modules = set()  # what storage.models is called
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "storage.models":
            names |= {a.asname or a.name for a in node.names if a.name == "Client"}
        if isinstance(node, ast.ImportFrom) and node.module == "storage":
            modules |= {a.asname or a.name for a in node.names if a.name == "models"}

    def is_client(node: ast.expr) -> bool:
        if isinstance(node, ast.Name):
            return node.id in names
        return (
            isinstance(node, ast.Attribute)
            and node.attr == "Client"
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
        )

    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and (
            is_client(node.func)
            or (
                isinstance(node.func, ast.Name)
                and node.func.id == "insert"
                and any(is_client(a) for a in node.args)
            )
        ):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and "insert into clients" in " ".join(node.value.lower().split())
        ):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_every_client_is_written_through_insert_clients() -> None:
    """A client inserted any other way has no name words: search and the look-alike check
    would never find them."""
    folders = ("bot", "demo", "storage", "reminders", "reports", "practice", "speech", "bench")
    paths = [p for folder in folders for p in (ROOT / folder).rglob("*.py")]
    paths += (ROOT / "tests").glob("*.py")
    elsewhere = [
        where
        for path in paths
        if path not in (WRITER, AT_FIRST_REVISION, Path(__file__).resolve())
        and "migrations" not in path.parts
        for where in _client_writes(path)
    ]
    assert elsewhere == []
    assert _client_writes(WRITER)  # the check sees the one place that does write them
    assert _client_writes(AT_FIRST_REVISION)
