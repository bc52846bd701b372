"""Migrations and the database settings, on real SQLite files."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from storage import Database
from storage.database import BUSY_TIMEOUT_SECONDS, alembic_config
from storage.models import Base


async def test_migrations_reach_head_and_match_the_models(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'm.db'}")
    await db.migrate()
    await db.migrate()  # idempotent: a restart migrates nothing

    def diff(connection: object) -> list[object]:
        context = MigrationContext.configure(connection)  # type: ignore[arg-type]
        return compare_metadata(context, Base.metadata)

    async with db.engine.connect() as connection:
        assert await connection.run_sync(diff) == []
        assert (await connection.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
        assert (await connection.execute(text("PRAGMA foreign_keys"))).scalar() == 1
        busy = (await connection.execute(text("PRAGMA busy_timeout"))).scalar()
        assert busy == BUSY_TIMEOUT_SECONDS * 1000
    await db.dispose()


async def test_downgrade_to_base_and_back(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'm.db'}"
    db = Database(url)
    await db.migrate()

    def down_and_up(connection: object) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
        command.upgrade(config, "head")

    async with db.engine.begin() as connection:
        await connection.run_sync(down_and_up)
    await db.dispose()


async def test_times_come_back_as_utc(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'm.db'}")
    await db.migrate()
    moment = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    async with db.unit_of_work() as uow:
        await uow.therapists.ensure(1, "Maya", moment)
        client = await uow.clients.add(1, "Anna", moment)
        await uow.commit()
    async with db.unit_of_work() as uow:
        again = await uow.clients.get(1, client.id)
        assert again is not None
        assert again.created_at == moment and again.created_at.tzinfo is not None
        assert await uow.clients.get(2, client.id) is None  # another therapist finds nothing
    await db.dispose()


async def test_upgrading_a_database_that_already_holds_notes(tmp_path: Path) -> None:
    """0001 → head on a database with a therapist, clients and notes: nothing is lost."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
    db = Database(url)

    def to_first(connection: object) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")

    async with db.engine.begin() as connection:
        await connection.run_sync(to_first)
        await connection.execute(
            text("insert into therapists values (1001, 'Maya', '2026-11-01 10:00:00+00:00')")
        )
        await connection.execute(
            text(
                "insert into clients (id, therapist_id, name, name_key, created_at, "
                "notes_count) values (7, 1001, 'Anna K.', 'anna k', '2026-11-01 10:00:00', 1)"
            )
        )
        await connection.execute(
            text(
                "insert into session_notes (therapist_id, client_id, number, session_date, "
                "areas, techniques, pressure, pain_before, pain_after, subjective, draft_token, "
                "created_at) values (1001, 7, 1, '2026-11-01', '[\"neck\"]', '[\"swedish\"]', "
                "'medium', 6, 3, 'stiff neck', 'tok', '2026-11-01 10:00:00')"
            )
        )
    await db.migrate()
    async with db.unit_of_work() as uow:
        client = await uow.clients.get(1001, 7)
        assert client is not None and client.telegram_user_id is None and client.timezone is None
        page = await uow.notes.page(1001, 7, offset=0, limit=10)
        assert [(n.number, n.subjective, n.areas) for n in page.notes] == [
            (1, "stiff neck", ["neck"])
        ]
    await db.dispose()
