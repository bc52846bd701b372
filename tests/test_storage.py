"""Migrations and the database settings, on real SQLite files."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from storage import Database
from storage.database import alembic_config
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
        assert (await connection.execute(text("PRAGMA busy_timeout"))).scalar() == 5000
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
