"""Throw-away PostgreSQL databases for tests: one per test, cloned from a template at head.

`scripts/postgres.sh` starts a server and prints AFTERCARE_TEST_POSTGRES_URL; without it the
PostgreSQL half of the suite is skipped (CI always sets it).
"""

from __future__ import annotations

import asyncio
import os
import uuid

import asyncpg
from sqlalchemy.engine import make_url

from storage.database import Database

SERVER_URL = os.environ.get("AFTERCARE_TEST_POSTGRES_URL")
SKIP_REASON = 'no PostgreSQL: run `eval "$(scripts/postgres.sh)"` first (CI does)'


def _dsn(url: str, database: str) -> str:
    parsed = make_url(url).set(drivername="postgresql", database=database)
    return parsed.render_as_string(hide_password=False)


class PostgresServer:
    """Creates the migrated template once, then one cheap clone of it per test."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.template = f"aftercare_template_{os.getpid()}"
        self._created: list[str] = []

    def url_for(self, database: str) -> str:
        return make_url(self.url).set(database=database).render_as_string(hide_password=False)

    async def _admin(self, *statements: str) -> None:
        connection = await asyncpg.connect(_dsn(self.url, "postgres"))
        try:
            for statement in statements:
                await connection.execute(statement)
        finally:
            await connection.close()

    def prepare_template(self) -> None:
        async def prepare() -> None:
            await self._admin(
                f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)',
                f'CREATE DATABASE "{self.template}"',
            )
            database = Database(self.url_for(self.template))
            try:
                await database.migrate()
            finally:
                await database.dispose()

        asyncio.run(prepare())

    async def fresh_database(self) -> str:
        name = f"aftercare_test_{uuid.uuid4().hex[:12]}"
        await self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        self._created.append(name)
        return self.url_for(name)

    async def drop(self, url: str) -> None:
        name = make_url(url).database
        await self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def drop_template(self) -> None:
        asyncio.run(self._admin(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)'))
