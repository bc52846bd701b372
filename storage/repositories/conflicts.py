"""INSERT … ON CONFLICT, in the construct of the session's own database (SQLAlchemy has one
per dialect). Each dialect's module is imported here on first use: importing SQLAlchemy's
PostgreSQL dialect at start would cost every SQLite deployment about 2 MB and a tenth of a
second, and a PostgreSQL one has it loaded by its engine anyway."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

if TYPE_CHECKING:
    from sqlalchemy.dialects.postgresql import Insert as PostgresInsert
    from sqlalchemy.dialects.sqlite import Insert as SQLiteInsert


def insert_on_conflict(session: AsyncSession, table: Any) -> PostgresInsert | SQLiteInsert:
    """`insert(table)` that takes on_conflict_do_nothing / on_conflict_do_update."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgres_insert

        return postgres_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)
