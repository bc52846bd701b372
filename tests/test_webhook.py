"""Webhook mode: Telegram POSTs each update; the bot answers 200 only once it is handled."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text

from bot.runtime.app import HANDLED_UPDATES
from bot.runtime.webhook import MAX_CONNECTIONS
from demo.offline import DEMO_TOKEN, OfflineBot, offline_bot
from emulator import BotApiEmulator
from practice.clock import FrozenClock
from storage import Database
from storage.unit_of_work import UnitOfWork
from tests.chat import new_client_note, notes_of
from tests.conftest import LEO, MAYA, NOW
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


# ---------------------------------------------------------------- the bot in webhook mode

SECRET = "s3cret_token-for-tests"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def webhook_settings(port: int, path: str = "/telegram") -> dict[str, str]:
    return {
        "webhook_url": f"http://127.0.0.1:{port}{path}",
        "webhook_secret": SECRET,
        "webhook_listen": f"127.0.0.1:{port}",
    }


@pytest.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator(token=DEMO_TOKEN) as emu:
        yield emu


@contextlib.asynccontextmanager
async def webhook_bot(
    emulator: BotApiEmulator, database_url: str, clock: FrozenClock, port: int | None = None
) -> AsyncIterator[OfflineBot]:
    port = port or free_port()
    async with offline_bot(
        database_url,
        therapist_ids=frozenset({MAYA, LEO}),
        clock=clock,
        timezone="Europe/London",
        emulator=emulator,
        **webhook_settings(port),  # type: ignore[arg-type]
    ) as bot:
        yield bot
        assert emulator.unanswered_callback_queries() == []
        bot.check_alive()


async def test_a_note_is_saved_through_the_webhook(
    emulator: BotApiEmulator, database_url: str, clock: FrozenClock
) -> None:
    maya = emulator.user(id=MAYA, first_name="Maya")
    async with webhook_bot(emulator, database_url, clock) as running:
        await new_client_note(maya, before="6", after="3")
        assert maya.last_text == "Saved ✓ Note #1 for Anna K., 25 Nov. Pain 6 → 3."
        [note] = await notes_of(running, MAYA)
        assert note.areas == ["neck", "shoulders"]
        # Every update came by POST: none was polled for.
        assert emulator.calls_to("getUpdates") == []
        [set_webhook] = emulator.calls_to("setWebhook")
        assert set_webhook.params["secret_token"] == SECRET
        assert set_webhook.params["max_connections"] == MAX_CONNECTIONS
        assert set_webhook.params["allowed_updates"] == list(HANDLED_UPDATES)
        info = await running.application.bot.get_webhook_info()
        assert info.url == running.settings.webhook_url
        assert info.pending_update_count == 0 and info.last_error_date is None
