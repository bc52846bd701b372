"""Webhook mode: Telegram POSTs each update; the bot answers 200 only once it is handled."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from bot.runtime.app import HANDLED_UPDATES
from bot.runtime.webhook import MAX_CONNECTIONS, SECRET_HEADER
from demo.offline import DEMO_TOKEN, OfflineBot, offline_bot
from emulator import BotApiEmulator
from practice.clock import FrozenClock
from storage import Database
from storage.repositories.notes import NoteRepository
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


async def webhook_set(emulator: BotApiEmulator, url: str) -> None:
    """Until the bot told the emulator where to post (it does so once it listens)."""
    for _ in range(3000):  # a minute at most: a subprocess takes seconds to import
        if emulator.webhook_url == url:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"the bot did not set its webhook to {url}")


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
        await webhook_set(emulator, bot.settings.webhook_url or "")
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


async def _secret_refused(port: int, headers: dict[str, str]) -> int:
    update = {"update_id": 999, "message": {"message_id": 1, "date": 0, "text": "Anna K. pain"}}
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"http://127.0.0.1:{port}/telegram", json=update, headers=headers) as answer,
    ):
        return answer.status


async def test_a_request_without_the_right_secret_is_refused_and_not_handled(
    emulator: BotApiEmulator,
    database_url: str,
    clock: FrozenClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    port = free_port()
    async with webhook_bot(emulator, database_url, clock, port) as running:
        handled: list[int] = []
        real = running.application.process_update

        async def counted(update: object) -> None:
            handled.append(getattr(update, "update_id", -1))
            await real(update)

        running.application.process_update = counted  # type: ignore[method-assign]
        caplog.set_level(logging.DEBUG)
        caplog.clear()
        assert await _secret_refused(port, {}) == 401
        assert await _secret_refused(port, {SECRET_HEADER: "wrong"}) == 401
        assert await _secret_refused(port, {SECRET_HEADER: SECRET + "x"}) == 401
        assert handled == []
        server = running.application.bot_data["webhook_server"]
        assert server.refused == 3
        bots = [r.getMessage() for r in caplog.records if r.name.startswith("bot")]
        assert bots == ["refused a webhook request without the right secret token"] * 3


async def test_a_failed_handler_answers_500_and_telegram_redelivers_it_once(
    emulator: BotApiEmulator,
    database_url: str,
    clock: FrozenClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    maya = emulator.user(id=MAYA, first_name="Maya")
    async with webhook_bot(emulator, database_url, clock) as running:
        await maya.send("/note")
        await maya.tap("New client")
        await maya.send("Anna K.")
        for label in ("Neck", "Done", "Swedish", "Done", "Light", "4", "2", "Skip to summary"):
            await maya.tap(label)
        real = NoteRepository.add
        failures = iter([OperationalError("INSERT", {}, Exception("database is locked"))])

        async def flaky(self: NoteRepository, *args: Any, **kwargs: Any) -> Any:
            if (failure := next(failures, None)) is not None:
                raise failure
            return await real(self, *args, **kwargs)

        monkeypatch.setattr(NoteRepository, "add", flaky)
        await maya.tap("Save")  # returns once the webhook answered 200
        save = emulator.last_update_id
        assert emulator.webhook_failures(save) == 1
        assert "500" in (emulator.webhook_last_error or "")
        [note] = await notes_of(running, MAYA)
        assert note.areas == ["neck"]
        assert maya.last_text == "Saved ✓ Note #1 for Anna K., 25 Nov. Pain 4 → 2."


async def test_a_proxy_handing_one_update_to_two_processes_saves_one_note(
    emulator: BotApiEmulator, postgres_url: str, clock: FrozenClock
) -> None:
    """Two webhook processes on one PostgreSQL database, behind a proxy that hands the Save
    tap to both at once (as a proxy retrying after a timeout does): one note, both 200."""
    maya = emulator.user(id=MAYA, first_name="Maya")
    duplicate: set[int] = set()
    answers: list[int] = []
    proxy_port = free_port()
    async with (
        webhook_bot(emulator, postgres_url, clock, free_port()) as first,
        webhook_bot(emulator, postgres_url, clock, free_port()) as second,
        aiohttp.ClientSession() as client,
    ):
        targets = [
            f"http://127.0.0.1:{bot.application.bot_data['webhook_server'].port}/telegram"
            for bot in (first, second)
        ]

        async def forward(request: web.Request) -> web.Response:
            body = await request.read()
            headers = {SECRET_HEADER: request.headers.get(SECRET_HEADER, "")}
            update_id = json.loads(body)["update_id"]
            chosen = targets if update_id in duplicate else targets[update_id % 2 :][:1]

            async def post(url: str) -> int:
                async with client.post(url, data=body, headers=headers) as answer:
                    return answer.status

            statuses = await asyncio.gather(*(post(url) for url in chosen))
            answers.extend(statuses)
            return web.Response(status=max(statuses))

        proxy = web.Application()
        proxy.router.add_post("/telegram", forward)
        runner = web.AppRunner(proxy)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", proxy_port).start()
        try:
            await first.application.bot.set_webhook(
                f"http://127.0.0.1:{proxy_port}/telegram", secret_token=SECRET
            )
            await maya.send("/note")
            await maya.tap("New client")
            await maya.send("Anna K.")
            for label in ("Neck", "Done", "Swedish", "Done", "Light", "4", "2"):
                await maya.tap(label)
            await maya.tap("Skip to summary")
            duplicate.add(emulator.last_update_id + 1)  # the next one: Save
            answers.clear()
            await maya.tap("Save")
            assert answers == [200, 200]
            assert len(await notes_of(first, MAYA)) == 1
            assert maya.last_text == "Saved ✓ Note #1 for Anna K., 25 Nov. Pain 4 → 2."
        finally:
            await runner.cleanup()
