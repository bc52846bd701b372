"""Seeing that it fails: GET /healthz, and the operators' notices, with the frozen clock."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.runtime.cli import main
from bot.runtime.health import CONTACT_LIMIT, Health, Problem, judge
from bot.runtime.watch import Cause, Watch, record_backup
from bot.shared import texts
from bot.shared.config import ConfigError, load_settings
from demo.offline import DEMO_TOKEN, OfflineBot, offline_bot
from emulator import BotApiEmulator, Fault, Phone
from practice.clock import FrozenClock
from tests.conftest import MAYA, NOW, STRANGER
from tests.seed import seed_due_reminders

OPERATOR = 5005
CLIENTS = [2001, 2002, 2003]
# What a notice must never carry: the seeded clients' names, the exercise, clinical words.
CONTENT = ("Client 200", "C200", "Chin", "chin", "pain", "Pain", "note", "2 × 10")


@contextlib.asynccontextmanager
async def watched_bot(
    database_url: str, clock: FrozenClock, emulator: BotApiEmulator, **settings: object
) -> AsyncIterator[OfflineBot]:
    async with offline_bot(
        database_url,
        therapist_ids=frozenset({MAYA}),
        clock=clock,
        timezone="Europe/London",
        emulator=emulator,
        **({"operator_ids": frozenset({OPERATOR}), "health_port": 0} | settings),
    ) as bot:
        yield bot
        bot.check_alive()


@pytest.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator(token=DEMO_TOKEN) as emu:
        yield emu


@pytest.fixture
async def watched(
    database_url: str, clock: FrozenClock, emulator: BotApiEmulator
) -> AsyncIterator[OfflineBot]:
    async with watched_bot(database_url, clock, emulator) as bot:
        yield bot


@pytest.fixture
def operator(emulator: BotApiEmulator) -> Phone:
    # An operator who sent the bot /start once, as Telegram requires before a bot may write.
    return emulator.user(id=OPERATOR, first_name="Olga", started=True)


async def healthz(bot: OfflineBot) -> tuple[int, dict[str, Any]]:
    port = bot.application.bot_data["health_server"].port
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{port}/healthz") as response,
    ):
        return response.status, await response.json()


def watch_of(bot: OfflineBot) -> Watch:
    watch: Watch = bot.application.bot_data["watch"]
    return watch


async def seed_late(bot: OfflineBot, clock: FrozenClock, late: timedelta) -> None:
    await seed_due_reminders(
        bot.settings.database_url, bot.emulator, CLIENTS, now=clock.now(), late=late
    )


async def telegram_answers(bot: OfflineBot) -> None:
    """A call Telegram answers, as the long poll's next return would after the clock moved."""
    await bot.application.bot.get_me()


def assert_content_free(text: str) -> None:
    for word in CONTENT:
        assert word not in text, word


# --- /healthz ---------------------------------------------------------------------------


async def test_healthz_answers_200_then_503_when_the_outbox_falls_behind(
    watched: OfflineBot, clock: FrozenClock
) -> None:
    status, body = await healthz(watched)
    assert status == 200
    assert body["healthy"] is True and body["problems"] == []
    assert body["oldest_due_at"] is None and body["failed_deliveries_last_day"] == 0
    # getMe at start-up was the first answer from Telegram.
    assert body["last_telegram_contact"] == NOW.isoformat(timespec="seconds")

    await seed_late(watched, clock, timedelta(minutes=14))
    status, body = await healthz(watched)
    assert status == 200  # late, but not yet behind
    assert body["oldest_due_seconds"] == 14 * 60

    clock.advance(timedelta(minutes=2))
    status, body = await healthz(watched)
    assert status == 503
    assert body["problems"] == ["outbox_behind"]
    assert body["oldest_due_seconds"] == 16 * 60

    assert await watched.dispatch() == 3
    status, body = await healthz(watched)
    assert status == 200 and body["oldest_due_at"] is None
    assert_content_free(str(body))


async def test_healthz_answers_503_when_deliveries_fail(
    watched: OfflineBot, clock: FrozenClock
) -> None:
    await seed_late(watched, clock, timedelta(minutes=1))
    for chat_id in CLIENTS:
        watched.emulator.inject(
            Fault(
                method="sendMessage",
                chat_id=chat_id,
                error_code=400,
                description="Bad Request: message is too long",
                times=None,
            )
        )
    await watched.dispatch()
    status, body = await healthz(watched)
    assert status == 503
    assert body["problems"] == ["deliveries_failing"]
    assert body["failed_deliveries_last_day"] == 3
    assert body["failing_deliveries_last_hour"] == 3

    clock.advance(timedelta(minutes=61))  # failed, but no longer failing
    await telegram_answers(watched)
    status, body = await healthz(watched)
    assert status == 200
    assert body["failed_deliveries_last_day"] == 3
    assert body["failing_deliveries_last_hour"] == 0
    clock.advance(timedelta(days=1))
    await watched.dispatch()  # the reminders of the day in between, too late: missed
    await telegram_answers(watched)
    status, body = await healthz(watched)
    assert status == 200 and body["failed_deliveries_last_day"] == 0, body


async def test_a_client_who_blocked_the_bot_is_not_a_failing_delivery(
    watched: OfflineBot, clock: FrozenClock
) -> None:
    await seed_late(watched, clock, timedelta(minutes=1))
    for chat_id in CLIENTS:
        watched.emulator.block(chat_id)
    await watched.dispatch()
    status, body = await healthz(watched)
    assert status == 200 and body["failed_deliveries_last_day"] == 0, body


async def test_the_last_contact_moves_with_every_answer_from_telegram_getupdates_too(
    watched: OfflineBot, clock: FrozenClock
) -> None:
    stranger = watched.emulator.user(id=STRANGER, first_name="Sam")
    await stranger.send("hello")  # known to the bot now
    clock.advance(CONTACT_LIMIT * 2)
    calls = len(watched.emulator.calls)
    # Blocking the bot is an update the bot answers with nothing: only getUpdates saw it.
    watched.emulator.block(STRANGER)
    await watched.emulator.wait_processed()
    assert {call.method for call in watched.emulator.calls[calls:]} == {"getUpdates"}
    status, body = await healthz(watched)
    assert status == 200
    assert body["last_telegram_contact"] == clock.now().isoformat(timespec="seconds")


def test_no_answer_from_telegram_for_five_minutes_is_a_problem(clock: FrozenClock) -> None:
    health = Health(clock)
    health.contact()
    clock.advance(CONTACT_LIMIT)
    assert judge(clock.now(), health, oldest_due=None, failing=0) == ()
    clock.advance(timedelta(seconds=1))
    assert judge(clock.now(), health, oldest_due=None, failing=0) == (Problem.NO_CONTACT,)
    health.contact()
    assert judge(clock.now(), health, oldest_due=None, failing=0) == ()
    # Never an answer since start-up counts from the start.
    fresh = Health(clock)
    clock.advance(CONTACT_LIMIT + timedelta(seconds=1))
    assert judge(clock.now(), fresh, oldest_due=None, failing=0) == (Problem.NO_CONTACT,)
    # A process that only sends may be silent for hours.
    quiet = Health(clock, expects_contact=False)
    clock.advance(timedelta(hours=3))
    assert judge(clock.now(), quiet, oldest_due=None, failing=2) == ()
    assert judge(clock.now(), quiet, oldest_due=None, failing=3) == (Problem.DELIVERIES_FAILING,)


def test_the_watching_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no .env here
    # As .env.example has them: no endpoint, nobody told.
    monkeypatch.setenv("HEALTH_PORT", "")
    monkeypatch.setenv("OPERATOR_IDS", "")
    settings = load_settings()
    assert settings.health_port is None and settings.operator_ids == frozenset()
    assert settings.health_host == "127.0.0.1"
    monkeypatch.setenv("HEALTH_PORT", "8080")
    monkeypatch.setenv("OPERATOR_IDS", "5005, 5006")
    settings = load_settings()
    assert settings.health_port == 8080 and settings.operator_ids == frozenset({5005, 5006})
    for variable, value in (("HEALTH_PORT", "99999"), ("OPERATOR_IDS", "@olga")):
        monkeypatch.setenv(variable, value)
        with pytest.raises(ConfigError, match=f"^Configuration error: {variable} "):
            load_settings()
        monkeypatch.delenv(variable)


def _listening_sockets() -> set[str]:
    """Inodes of the TCP sockets this process listens on (Linux)."""
    listening = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(FileNotFoundError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                if fields[3] == "0A":  # LISTEN
                    listening.add(fields[9])
    own = set()
    for fd in Path("/proc/self/fd").iterdir():
        with contextlib.suppress(OSError):
            target = fd.readlink().name
            if target.startswith("socket:["):
                own.add(target[len("socket:[") : -1])
    return listening & own


async def test_without_health_port_nothing_listens(
    database_url: str, clock: FrozenClock, emulator: BotApiEmulator
) -> None:
    before = _listening_sockets()
    async with watched_bot(database_url, clock, emulator, health_port=None) as bot:
        assert _listening_sockets() == before
        assert "health_server" not in bot.application.bot_data
    async with watched_bot(database_url, clock, emulator) as bot:
        assert len(_listening_sockets() - before) == 1  # the same count sees HEALTH_PORT=0


async def test_a_health_port_in_use_stops_start_up_with_one_line(
    database_url: str, clock: FrozenClock, emulator: BotApiEmulator
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ConfigError, match=f"HEALTH_PORT {port} on 127.0.0.1 cannot be"):
            async with watched_bot(database_url, clock, emulator, health_port=port):
                pass


def test_python_m_bot_says_a_taken_health_port_in_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env here
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        for variable, value in {
            "TELEGRAM_BOT_TOKEN": DEMO_TOKEN,
            "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9/bot",  # never reached
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'aftercare.db'}",
            "THERAPIST_IDS": str(MAYA),
            "HEALTH_PORT": str(port),
        }.items():
            monkeypatch.setenv(variable, value)
        # Exit status 2 is a configuration error: the systemd unit does not restart it.
        assert main(["run"]) == 2
    assert capsys.readouterr().err == (
        f"Configuration error: HEALTH_PORT {port} on 127.0.0.1 cannot be listened on "
        "(Address already in use)\n"
    )


# --- notices to the operators ------------------------------------------------------------


async def test_the_operator_is_told_once_an_hour_that_the_outbox_is_behind(
    watched: OfflineBot, clock: FrozenClock, operator: Phone
) -> None:
    maya = watched.emulator.user(id=MAYA, first_name="Maya", started=True)
    watch = watch_of(watched)
    assert await watch.check() == []
    await seed_late(watched, clock, timedelta(minutes=20))
    assert await watch.check() == [Cause.BEHIND]
    [notice] = operator.messages
    assert notice.text.startswith("⚠️ Aftercare: messages waiting in the outbox are 20 minutes late")
    assert_content_free(notice.text)
    assert maya.messages == []  # a therapist who is not an operator is not told

    assert await watch.check() == []
    clock.advance(timedelta(minutes=59))
    assert await watch.check() == []
    assert len(operator.messages) == 1
    clock.advance(timedelta(minutes=1))
    assert await watch.check() == [Cause.BEHIND]
    assert len(operator.messages) == 2
    assert "80 minutes late" in operator.last_text


async def test_the_operator_is_told_when_deliveries_keep_failing(
    watched: OfflineBot, clock: FrozenClock, operator: Phone
) -> None:
    # Telegram fails every send to the clients (not to the operator) with 502: each reminder
    # is retried later, and after its third failed try the deliveries count as failing.
    await seed_late(watched, clock, timedelta(minutes=1))
    for chat_id in CLIENTS:
        watched.emulator.inject(
            Fault(method="sendMessage", chat_id=chat_id, error_code=502, times=None)
        )
    watch = watch_of(watched)
    for _ in range(2):
        await watched.dispatch()
        assert await watch.check() == []
        clock.advance(timedelta(minutes=5))
    await watched.dispatch()
    await telegram_answers(watched)
    status, body = await healthz(watched)
    assert status == 503 and body["problems"] == ["deliveries_failing"]
    assert body["failed_deliveries_last_day"] == 0  # not given up on: retried
    assert await watch.check() == [Cause.FAILING]
    assert operator.last_text.startswith("⚠️ Aftercare: 3 messages failed to go out")
    assert_content_free(operator.last_text)
    clock.advance(timedelta(minutes=30))
    await watched.dispatch()
    assert await watch.check() == []
    assert len(operator.messages) == 1


async def test_a_restart_does_not_tell_the_operator_again_within_the_hour(
    database_url: str, clock: FrozenClock, emulator: BotApiEmulator, operator: Phone
) -> None:
    async with watched_bot(database_url, clock, emulator) as bot:
        await seed_late(bot, clock, timedelta(minutes=20))
        assert await watch_of(bot).check() == [Cause.BEHIND]
    clock.advance(timedelta(minutes=10))
    async with watched_bot(database_url, clock, emulator) as bot:
        assert await watch_of(bot).check() == []
        clock.advance(timedelta(minutes=50))
        assert await watch_of(bot).check() == [Cause.BEHIND]
    assert len(operator.messages) == 2


async def test_a_failed_backup_is_told_once_an_hour_and_shown_by_healthz(
    watched: OfflineBot, clock: FrozenClock, operator: Phone
) -> None:
    await record_backup(watched.application, ok=True)
    assert operator.messages == []
    status, body = await healthz(watched)
    assert body["last_backup_ok"] is True
    await record_backup(watched.application, ok=False)
    assert operator.last_text.startswith("⚠️ Aftercare: a backup failed")
    await record_backup(watched.application, ok=False)
    assert len(operator.messages) == 1
    status, body = await healthz(watched)
    # The bot still serves everyone: a monitor's alarm is for that; the backup is the notice's.
    assert status == 200
    assert body["last_backup_ok"] is False
    assert body["last_backup_at"] == clock.now().isoformat(timespec="seconds")
    clock.advance(timedelta(hours=1))
    await record_backup(watched.application, ok=False)
    assert len(operator.messages) == 2
    # Causes are counted apart: a backup notice does not hold back an outbox one.
    await seed_late(watched, clock, timedelta(minutes=20))
    assert await watch_of(watched).check() == [Cause.BEHIND]


async def test_an_operator_who_cannot_be_written_to_is_tried_once_an_hour(
    watched: OfflineBot, clock: FrozenClock
) -> None:
    # The operator never sent the bot /start: Telegram refuses, and the watch does not retry
    # every minute (nor fail).
    await seed_late(watched, clock, timedelta(minutes=20))
    watch = watch_of(watched)
    assert await watch.check() == []
    assert len(watched.emulator.calls_to("sendMessage")) == 1
    assert await watch.check() == []
    assert len(watched.emulator.calls_to("sendMessage")) == 1


async def test_a_notice_that_failed_in_passing_goes_at_the_next_look(
    watched: OfflineBot, clock: FrozenClock, operator: Phone
) -> None:
    await seed_late(watched, clock, timedelta(minutes=20))
    watched.emulator.inject(Fault(method="sendMessage", chat_id=OPERATOR, error_code=502, times=4))
    watch = watch_of(watched)
    assert await watch.check() == []  # the rate limiter's retries ran out too
    assert operator.messages == []
    clock.advance(timedelta(minutes=1))
    assert await watch.check() == [Cause.BEHIND]
    assert len(operator.messages) == 1


async def test_an_operator_gets_a_short_answer_and_nothing_of_the_records(
    watched: OfflineBot, operator: Phone
) -> None:
    maya = watched.emulator.user(id=MAYA, first_name="Maya")
    await maya.send("/note")
    await maya.tap("New client")
    await maya.send("Anna K.")
    for command in ("/start", "/clients", "/history Anna", "/export Anna", "/mydata", "Anna"):
        await operator.send(command)
        assert operator.last_text == texts.OPERATOR
    assert all("Anna" not in message.text for message in operator.messages)
    assert len(operator.messages) == 6


async def test_the_nightly_backup_failing_tells_the_operator(
    database_url: str, clock: FrozenClock, emulator: BotApiEmulator, tmp_path: Path
) -> None:
    """The wiring, end to end: the daily chore's failure reaches the operator's chat."""
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    operator = emulator.user(id=OPERATOR, first_name="Olga", started=True)
    night = NOW.replace(hour=3) + timedelta(days=1)
    clock.set(night - timedelta(hours=1))
    async with watched_bot(database_url, clock, emulator, backup_dir=blocked) as bot:
        clock.set(night)
        await bot.application.bot_data["housekeeping"].run_due()
        assert operator.last_text.startswith("⚠️ Aftercare: a backup failed")
        assert str(blocked) not in operator.last_text
        _, body = await healthz(bot)
        assert body["last_backup_ok"] is False
