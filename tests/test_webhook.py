"""Webhook mode: Telegram POSTs each update; the bot answers 200 only once it is handled."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text

from storage import Database
from storage.unit_of_work import UnitOfWork
from tests.conftest import NOW
from tests.postgres import SKIP_REASON, PostgresServer


@pytest.fixture
async def postgres_url(postgres: PostgresServer | None) -> AsyncIterator[str]:
    if postgres is None:
        pytest.skip(SKIP_REASON)
    url = await postgres.fresh_database()
    yield url
    await postgres.drop(url)


async def test_claim_is_true_once_then_false(database_url: str) -> None:
    db = Database(database_url)
    try:
        await db.migrate()
        async with db.unit_of_work() as uow:
            assert await uow.updates.claim(7, NOW) is True
            assert await uow.updates.claim(7, NOW) is False  # within one transaction too
            await uow.commit()
        async with db.unit_of_work() as uow:
            assert await uow.updates.claim(7, NOW) is False
            assert await uow.updates.claim(8, NOW) is True
    finally:
        await db.dispose()


async def _blocked_on_a_lock(db: Database) -> None:
    """Until another session of this database waits for a row lock."""
    query = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    for _ in range(500):
        async with db.engine.connect() as connection:
            if (await connection.execute(query)).scalar_one():
                return
        await asyncio.sleep(0.01)
    raise AssertionError("the second claim never waited for the first")


@pytest.mark.postgresql
@pytest.mark.parametrize("first_commits", [True, False])
async def test_two_processes_claiming_at_once_one_wins(
    postgres_url: str, first_commits: bool
) -> None:
    """Two webhook processes handed the same update: the second's claim waits for the
    first's transaction, then inserts nothing if it committed, and claims it if it did not."""
    first_db, second_db = Database(postgres_url), Database(postgres_url)
    try:
        first: UnitOfWork
        second: UnitOfWork
        async with first_db.unit_of_work() as first, second_db.unit_of_work() as second:
            assert await first.updates.claim(42, NOW) is True
            racing = asyncio.create_task(second.updates.claim(42, NOW))
            await _blocked_on_a_lock(first_db)
            assert not racing.done()
            if first_commits:
                await first.commit()
            else:
                await first.rollback()
            assert await racing is (not first_commits)
    finally:
        await first_db.dispose()
        await second_db.dispose()
