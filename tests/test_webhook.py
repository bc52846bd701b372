"""Webhook mode: Telegram POSTs each update; the bot answers 200 only once it is handled."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
import socket
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from telegram import Bot
from telegram.error import BadRequest, Conflict

from bot.runtime.app import HANDLED_UPDATES
from bot.runtime.intake import ChatTurns
from bot.runtime.webhook import MAX_CONNECTIONS, SECRET_HEADER
from bot.shared.config import ConfigError, load_settings
from demo.offline import DEMO_TOKEN, OfflineBot, offline_bot
from emulator import BotApiEmulator, Fault
from practice.clock import FrozenClock
from storage import Database
from storage.repositories.notes import NoteRepository
from storage.unit_of_work import UnitOfWork
from tests.chat import new_client_note, notes_of
from tests.conftest import LEO, MAYA, NOW
from tests.postgres import SKIP_REASON, PostgresServer
from tests.test_crash import spawn_bot


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


async def webhook_set(
    emulator: BotApiEmulator, url: str, running: OfflineBot | None = None
) -> None:
    """Until the bot told the emulator where to post (it does so once it listens)."""
    for _ in range(3000):  # a minute at most: a subprocess takes seconds to import
        if emulator.webhook_url == url:
            return
        if running is not None:
            running.check_alive()
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
        await webhook_set(emulator, bot.settings.webhook_url or "", bot)
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
        health = running.application.bot_data["health"]
        clock.advance(timedelta(minutes=10))
        assert await _secret_refused(port, {}) == 401
        assert await _secret_refused(port, {SECRET_HEADER: "wrong"}) == 401
        assert await _secret_refused(port, {SECRET_HEADER: SECRET + "x"}) == 401
        assert handled == []
        server = running.application.bot_data["webhook_server"]
        assert server.refused == 3
        assert health.last_contact == NOW  # a refused request is no contact with Telegram
        bots = [r.getMessage() for r in caplog.records if r.name.startswith("bot")]
        # Only the fact, once a minute at most.
        assert bots == ["refused a webhook request without the right secret token (1 so far)"]

        # With the secret, an update the library cannot read is counted and answered 200 (so
        # that Telegram does not send it forever), and the post is contact with Telegram.
        unreadable = {"update_id": 77, "poll": {"id": "1"}}
        async with (
            aiohttp.ClientSession() as session,
            session.post(
                f"http://127.0.0.1:{port}/telegram",
                json=unreadable,
                headers={SECRET_HEADER: SECRET},
            ) as answer,
        ):
            assert answer.status == 200
        assert handled == []
        assert health.unreadable_updates == 1
        assert health.last_contact == NOW + timedelta(minutes=10)


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


async def test_killed_mid_update_it_is_delivered_again_and_handled_once(
    emulator: BotApiEmulator, database_url: str
) -> None:
    maya = emulator.user(id=MAYA, first_name="Maya")
    port = free_port()
    env = {key.upper(): value for key, value in webhook_settings(port).items()}
    process = await spawn_bot(emulator, database_url, **env)
    try:
        await webhook_set(emulator, env["WEBHOOK_URL"])
        await maya.send("/note")
        await maya.tap("New client")
        await maya.send("Anna K.")
        for label in ("Neck", "Done", "Swedish", "Done", "Light", "4", "2", "Skip to summary"):
            await maya.tap(label)
        # The note is saved, then the card's edit hangs: the process dies before it answers.
        hang = emulator.inject(Fault(method="editMessageText", delay=30.0))
        await maya.tap("Save", wait=False)
        save = emulator.last_update_id
        for _ in range(3000):
            if hang.hits:
                break
            await asyncio.sleep(0.01)
        assert hang.hits == 1
    finally:
        process.send_signal(signal.SIGKILL)
        await process.wait()
    emulator.clear_faults()
    process = await spawn_bot(emulator, database_url, **env)
    try:
        await maya.wait_processed()
        assert emulator.webhook_failures(save) >= 1  # the connection died under it
        assert maya.last_text.startswith("Saved ✓ Note #1 for Anna K.")
        db = Database(database_url)
        try:
            async with db.unit_of_work() as uow:
                [(_, client)] = await uow.clients.names(MAYA)
                page = await uow.notes.page(MAYA, client.id, offset=0, limit=10)
                assert len(page.notes) == 1
        finally:
            await db.dispose()
    finally:
        process.send_signal(signal.SIGTERM)
        assert await process.wait() == 0


async def test_back_to_polling_deletes_the_webhook(
    emulator: BotApiEmulator, database_url: str, clock: FrozenClock
) -> None:
    maya = emulator.user(id=MAYA, first_name="Maya")
    async with webhook_bot(emulator, database_url, clock):
        await maya.send("/start")
    # While the webhook is set, Telegram refuses getUpdates.
    async with Bot(emulator.token, base_url=emulator.base_url) as bot:
        with pytest.raises(Conflict, match="webhook is active"):
            await bot.get_updates()
    await maya.send("/help", wait=False)  # waits for the next start
    async with offline_bot(
        database_url, therapist_ids=frozenset({MAYA}), clock=clock, emulator=emulator
    ):
        await maya.wait_processed()
        assert emulator.webhook_url == ""
        assert "/note" in maya.last_text
        assert emulator.calls_to("getUpdates")


@pytest.mark.parametrize(
    ("settings", "problem"),
    [
        (
            {"webhook_url": "https://bot.example.org/telegram"},
            "WEBHOOK_SECRET is required with WEBHOOK_URL",
        ),
        (
            {"webhook_url": "https://bot.example.org/telegram", "webhook_secret": "has space"},
            "WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and -",
        ),
        (
            {"webhook_url": "https://bot.example.org/t", "webhook_secret": "a" * 257},
            "got 257 characters",
        ),
        (
            {"webhook_url": "http://bot.example.org/telegram", "webhook_secret": "abc"},
            "WEBHOOK_URL must be an https URL that Telegram can reach (http only on 127.0.0.1)",
        ),
        ({"webhook_listen": "8080"}, "WEBHOOK_LISTEN must be host:port"),
        ({"webhook_listen": "0.0.0.0:99999"}, "WEBHOOK_LISTEN must be host:port"),
    ],
)
def test_webhook_settings_are_checked(settings: dict[str, str], problem: str) -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings(**settings)
    assert problem in str(refused.value)
    assert "has space" not in str(refused.value)  # a secret is never repeated


def test_webhook_settings_that_are_fine() -> None:
    assert load_settings(webhook_url="").webhook is None  # as .env.example has it: polling
    webhook = load_settings(
        webhook_url="https://bot.example.org/telegram",
        webhook_secret="A-z_09",
        webhook_listen="0.0.0.0:8443",
    ).webhook
    assert webhook is not None
    assert (webhook.host, webhook.port, webhook.secret) == ("0.0.0.0", 8443, "A-z_09")
    assert "A-z_09" not in repr(webhook)


# ---------------------------------------------------------------- the emulator's delivery


@contextlib.asynccontextmanager
async def receiver(
    answer: Any,
) -> AsyncIterator[str]:
    """A webhook that is not the bot: `answer(update)` gives each POST's status."""
    app = web.Application()

    async def receive(request: web.Request) -> web.Response:
        if request.headers.get(SECRET_HEADER) != SECRET:
            return web.Response(status=401)
        return web.Response(status=await answer(await request.json()))

    app.router.add_post("/hook", receive)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://127.0.0.1:{port}/hook"
    finally:
        await runner.cleanup()


async def test_the_emulator_posts_one_update_per_chat_at_a_time_chats_side_by_side(
    emulator: BotApiEmulator,
) -> None:
    maya, leo = emulator.user(id=MAYA), emulator.user(id=LEO)
    in_flight: dict[int, int] = {}
    most_at_once = {"chat": 0, "all": 0}
    seen: list[tuple[int, str]] = []
    release = asyncio.Event()

    async def slow(update: dict[str, Any]) -> int:
        chat = update["message"]["chat"]["id"]
        in_flight[chat] = in_flight.get(chat, 0) + 1
        most_at_once["chat"] = max(most_at_once["chat"], in_flight[chat])
        most_at_once["all"] = max(most_at_once["all"], sum(in_flight.values()))
        seen.append((chat, update["message"]["text"]))
        await release.wait()
        in_flight[chat] -= 1
        return 200

    async with receiver(slow) as url, Bot(emulator.token, base_url=emulator.base_url) as bot:
        assert await bot.set_webhook(url, secret_token=SECRET, max_connections=5)
        for n in range(3):
            await maya.send(f"maya {n}", wait=False)
            await leo.send(f"leo {n}", wait=False)
        for _ in range(500):
            if len(seen) == 2:
                break
            await asyncio.sleep(0.01)
        assert sorted(seen) == [(MAYA, "maya 0"), (LEO, "leo 0")]  # both chats at once
        release.set()
        await emulator.wait_processed()
        assert most_at_once == {"chat": 1, "all": 2}
        assert [text for chat, text in seen if chat == MAYA] == ["maya 0", "maya 1", "maya 2"]
        info = await bot.get_webhook_info()
        assert (info.url, info.pending_update_count, info.max_connections) == (url, 0, 5)


async def test_the_emulator_retries_a_failed_post_and_says_so(emulator: BotApiEmulator) -> None:
    maya = emulator.user(id=MAYA)
    statuses = iter([500, 502])

    async def flaky(update: dict[str, Any]) -> int:
        return next(statuses, 200)

    async with receiver(flaky) as url, Bot(emulator.token, base_url=emulator.base_url) as bot:
        assert await bot.set_webhook(url, secret_token=SECRET)
        await maya.send("hello")  # returns once a POST was answered 2xx
        assert emulator.webhook_failures(emulator.last_update_id) == 2
        info = await bot.get_webhook_info()
        assert info.last_error_message == "Wrong response from the webhook: 502 Bad Gateway"
        assert info.last_error_date is not None and info.pending_update_count == 0
        # A wrong secret is Telegram's to refuse, not the bot's to discover.
        with pytest.raises(BadRequest):
            await bot.set_webhook(url, secret_token="no spaces allowed")
        assert await bot.delete_webhook()
        assert (await bot.get_webhook_info()).url == ""
        assert await bot.get_updates(timeout=0) == ()  # polling works again


async def test_chat_turns_keep_each_chats_order() -> None:
    turns = ChatTurns(at_once=4)
    done: list[str] = []
    gates = {name: asyncio.Event() for name in ("a1", "a2", "b1")}

    async def work(name: str) -> str:
        await gates[name].wait()
        done.append(name)
        return name

    tasks = [
        asyncio.create_task(turns.take("a", lambda name=name: work(name)))  # type: ignore[misc]
        for name in ("a1", "a2")
    ]
    tasks.append(asyncio.create_task(turns.take("b", lambda: work("b1"))))
    await asyncio.sleep(0)
    gates["a2"].set()  # a2 is ready first, but waits for a1
    gates["b1"].set()  # another chat does not wait
    for _ in range(10):
        await asyncio.sleep(0)
    assert done == ["b1"]
    gates["a1"].set()
    assert await asyncio.gather(*tasks) == ["a1", "a2", "b1"]
    assert done == ["b1", "a1", "a2"]
    assert len(turns) == 0


async def test_telegram_out_of_reach_at_start_is_waited_out(
    emulator: BotApiEmulator, database_url: str, clock: FrozenClock
) -> None:
    emulator.inject(Fault(method="setWebhook", error_code=502, times=2))
    maya = emulator.user(id=MAYA, first_name="Maya")
    async with webhook_bot(emulator, database_url, clock):
        await maya.send("/start")
        assert "/note" in maya.last_text
    assert [call.ok for call in emulator.calls_to("setWebhook")] == [False, False, True]


async def test_a_webhook_url_telegram_refuses_stops_the_bot_with_one_line(
    emulator: BotApiEmulator, database_url: str, clock: FrozenClock
) -> None:
    emulator.inject(
        Fault(
            method="setWebhook",
            error_code=400,
            description="Bad Request: bad webhook: "
            "Webhook can be set up only on ports 80, 88, 443 or 8443",
        )
    )
    with pytest.raises(ConfigError, match=r"Telegram refused WEBHOOK_URL .*ports 80, 88, 443"):
        async with webhook_bot(emulator, database_url, clock):
            pass


async def test_a_listen_address_in_use_stops_the_bot_with_one_line(
    emulator: BotApiEmulator, database_url: str, clock: FrozenClock
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = int(taken.getsockname()[1])
        with pytest.raises(ConfigError, match=f"WEBHOOK_LISTEN 127.0.0.1:{port} cannot be"):
            async with webhook_bot(emulator, database_url, clock, port):
                pass
