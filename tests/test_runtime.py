"""The bot as a process: what it asks Telegram for, updates it cannot read, start-up when
Telegram or the database fails, chats handled side by side, and what reaches the log."""

from __future__ import annotations

import asyncio
import logging
import shutil
import signal
import socket
import sqlite3
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from telegram.error import InvalidToken

from bot.runtime.app import HANDLED_UPDATES, prepare_database, run_bot
from bot.runtime.health import Health
from bot.shared.config import load_settings
from demo.offline import DEMO_TOKEN, OfflineBot, offline_bot
from emulator import BotApiEmulator, Fault
from practice.clock import FrozenClock
from storage.database import DatabaseUnusable
from tests.conftest import LEO, MAYA, STRANGER
from tests.test_crash import spawn_bot

SECRET = "my divorce made the migraines worse"


@pytest.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator(token=DEMO_TOKEN) as emu:
        yield emu


@pytest.fixture
def everything_logged(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Every record at DEBUG, python-telegram-bot's included (the bot raises their floor
    when it starts; lower it again once it runs), to show contents stay out at any level."""
    caplog.set_level(logging.DEBUG)
    telegram = logging.getLogger("telegram")
    before = telegram.level
    yield caplog
    telegram.setLevel(before)


def _texts_of(caplog: pytest.LogCaptureFixture) -> str:
    # The emulator plays Telegram in this process; its log is the test's, not the bot's.
    return "\n".join(
        f"{record.getMessage()} {record.exc_text or ''}"
        for record in caplog.records
        if not record.name.startswith("emulator")
    )


def _poll_without_persistent_id(sender: int, question: str) -> dict[str, object]:
    """A stranger's poll, as a Bot API server older than 9.6 delivers it: without the poll's
    `persistent_id`, which PTB 22 requires."""
    person = {"id": sender, "is_bot": False, "first_name": "Eve"}
    poll = {
        "id": "5800000000000000001",
        "question": question,
        "options": [{"text": "yes", "voter_count": 0}, {"text": "no", "voter_count": 0}],
        "total_voter_count": 0,
        "is_closed": False,
        "is_anonymous": True,
        "type": "regular",
        "allows_multiple_answers": False,
    }
    chat = {"id": sender, "type": "private", "first_name": "Eve"}
    return {"message": {"message_id": 1, "from": person, "chat": chat, "date": 0, "poll": poll}}


# ---------------------------------------------------------------- what Telegram is asked for


async def test_telegram_is_asked_only_for_the_update_types_the_bot_handles(
    running: OfflineBot,
) -> None:
    emulator = running.emulator
    maya = emulator.user(id=MAYA, first_name="Maya")
    business = emulator.enqueue_raw(
        {
            "business_message": {
                "message_id": 7,
                "business_connection_id": "bc-1",
                "from": {"id": MAYA, "is_bot": False, "first_name": "Maya"},
                "chat": {"id": 555, "type": "private", "first_name": "A customer"},
                "date": 1764064800,
                "text": "/clients",
            }
        }
    )
    await maya.send("/help")
    await emulator.wait_processed()
    assert "allowed_updates" in (emulator.dropped_reason(business) or "")
    assert [call.params.get("chat_id") for call in emulator.calls_to("sendMessage")] == [MAYA]
    asked = emulator.calls_to("getUpdates")[-1].params["allowed_updates"]
    assert sorted(asked) == sorted(HANDLED_UPDATES)
    # An edit is still delivered: the bot answers it (without acting on it).
    assert "edited_message" in asked


# ---------------------------------------------------------------- an update it cannot read


async def test_an_update_the_library_cannot_read_is_skipped_and_the_next_one_answered(
    emulator: BotApiEmulator,
    database_url: str,
    clock: FrozenClock,
    everything_logged: pytest.LogCaptureFixture,
) -> None:
    maya = emulator.user(id=MAYA, first_name="Maya")
    stranger = emulator.user(id=STRANGER, first_name="Eve")
    kwargs = {"therapist_ids": frozenset({MAYA}), "clock": clock, "emulator": emulator}
    async with offline_bot(database_url, **kwargs) as running:  # type: ignore[arg-type]
        logging.getLogger("telegram").setLevel(logging.DEBUG)
        unreadable = emulator.enqueue_raw(_poll_without_persistent_id(STRANGER, SECRET))
        await stranger.send(SECRET)
        await maya.send("/help")
        assert "/note" in maya.last_text
        running.check_alive()
        contact: Health = running.application.bot_data["health"]
        assert contact.unreadable_updates == 1
        assert contact.last_contact == clock.now()
    # Confirmed: a restart is not fed the same update again.
    async with offline_bot(database_url, **kwargs) as running:  # type: ignore[arg-type]
        await maya.send("/help")
        assert running.application.bot_data["health"].unreadable_updates == 0
    logged = _texts_of(everything_logged)
    assert f"update {unreadable} could not be read (TypeError)" in logged
    assert SECRET not in logged
    # The library's own records are there, with their wording but without the contents.
    assert any(
        r.name.startswith("telegram") and r.levelno == logging.DEBUG
        for r in everything_logged.records
    )


# ---------------------------------------------------------------- start-up and its failures


async def test_a_refused_command_menu_does_not_stop_the_bot(
    emulator: BotApiEmulator, database_url: str, clock: FrozenClock
) -> None:
    # Refused for good, and Telegram's bad moment: the menu is a convenience either way.
    emulator.inject(
        Fault(
            method="setMyCommands",
            error_code=400,
            description="Bad Request: BOT_COMMANDS_TOO_MUCH",
            times=1,
        )
    )
    emulator.inject(Fault(method="setMyCommands", error_code=502, times=None))
    maya = emulator.user(id=MAYA, first_name="Maya")
    kwargs = {"therapist_ids": frozenset({MAYA}), "clock": clock, "emulator": emulator}
    async with offline_bot(database_url, **kwargs) as running:  # type: ignore[arg-type]
        await maya.send("/start")
        assert "Aftercare keeps your session notes" in maya.last_text
        running.check_alive()


async def test_an_error_while_running_is_reported_as_itself(
    emulator: BotApiEmulator, database_url: str, clock: FrozenClock
) -> None:
    """The token is revoked while the bot runs: InvalidToken is what ends it, not "This
    Application is still running!" raised over it."""
    emulator.inject(Fault(method="getUpdates", error_code=401, times=None))
    settings = load_settings(
        telegram_bot_token=emulator.token,
        telegram_api_base_url=emulator.base_url,
        database_url=database_url,
        therapist_ids=frozenset({MAYA}),
    )
    with pytest.raises(InvalidToken):
        await asyncio.wait_for(
            run_bot(
                settings,
                clock=clock,
                stop=asyncio.Event(),
                poll_timeout=1,
                read_timeout=2.0,
                dispatch_interval=None,
            ),
            timeout=20,
        )


async def test_another_process_polling_is_waited_out(
    emulator: BotApiEmulator, database_url: str, clock: FrozenClock
) -> None:
    """A second run of the bot (a deploy's overlap, a stray manual start) makes Telegram end
    this one's poll with 409 Conflict: this process waits and serves again, instead of exiting
    and leaving the bot to the stray one (or, restarted by systemd, fighting it)."""
    maya = emulator.user(id=MAYA, first_name="Maya")
    conflict = emulator.inject(Fault(method="getUpdates", error_code=409, times=3))
    async with offline_bot(
        database_url, therapist_ids=frozenset({MAYA}), clock=clock, emulator=emulator
    ) as running:
        await maya.send("/help")
        assert "/note" in maya.last_text
        assert conflict.hits == 3
        running.check_alive()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_an_outage_at_start_up_is_waited_out(
    database_url: str, clock: FrozenClock, caplog: pytest.LogCaptureFixture
) -> None:
    """No network when the bot starts (connections refused), then Telegram answering 5xx:
    the bot keeps trying with backoff, one line per attempt, and serves once it is back."""
    caplog.set_level(logging.INFO)
    port = _free_port()
    emulator = BotApiEmulator(token=DEMO_TOKEN, port=port)
    settings = load_settings(
        telegram_bot_token=DEMO_TOKEN,
        telegram_api_base_url=f"http://127.0.0.1:{port}/bot",
        database_url=database_url,
        therapist_ids=frozenset({MAYA}),
    )
    stop = asyncio.Event()
    ready: asyncio.Future[object] = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(
        run_bot(
            settings,
            clock=clock,
            stop=stop,
            poll_timeout=1,
            read_timeout=2.0,
            backoff_base=0.01,
            dispatch_interval=None,
            on_ready=ready.set_result,
        )
    )

    def attempts() -> list[str]:
        return [r.getMessage() for r in caplog.records if "cannot be reached" in r.getMessage()]

    try:
        while len(attempts()) < 3:
            assert not task.done(), task
            await asyncio.sleep(0.01)
        emulator.inject(Fault(method="getMe", error_code=502, times=2))
        await emulator.start()
        await asyncio.wait_for(asyncio.shield(ready), timeout=20)
        maya = emulator.user(id=MAYA, first_name="Maya")
        await maya.send("/help")
        assert "/note" in maya.last_text
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=10)
        await emulator.stop()
    lines = attempts()
    assert len(lines) >= 5  # three refused connections and two 502s, at least
    assert all(DEMO_TOKEN not in line for line in lines)
    assert "getMe, attempt 1;" in lines[0]
    assert not [r for r in caplog.records if r.exc_info]  # no traceback


async def _stderr_of(process: asyncio.subprocess.Process) -> list[str]:
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=120)
    return stderr.decode().splitlines()


async def test_a_wrong_token_ends_in_one_line_without_the_token(
    emulator: BotApiEmulator, tmp_path: Path, sqlite_template: Path
) -> None:
    wrong = "123456:AAH-wrong-token-from-a-typo"
    process = await spawn_bot(
        emulator,
        _database_at_head(tmp_path / "aftercare.db", sqlite_template),
        TELEGRAM_BOT_TOKEN=wrong,
        LOG_LEVEL="INFO",
    )
    lines = await _stderr_of(process)
    assert process.returncode == 2
    assert lines == [
        "Configuration error: Telegram refused TELEGRAM_BOT_TOKEN (check it with @BotFather), "
        "or TELEGRAM_API_BASE_URL is not a Bot API server"
    ]
    assert "AAH-wrong" not in "".join(lines)


async def test_a_missing_database_folder_ends_in_one_line(
    emulator: BotApiEmulator, tmp_path: Path
) -> None:
    missing = tmp_path / "no-such-folder" / "aftercare.db"
    process = await spawn_bot(emulator, f"sqlite+aiosqlite:///{missing}", LOG_LEVEL="INFO")
    lines = await _stderr_of(process)
    assert process.returncode == 1
    assert lines == [f"Database error: the folder {missing.parent} does not exist"]


async def test_an_operator_reads_one_line_per_start(
    emulator: BotApiEmulator, tmp_path: Path
) -> None:
    """A fresh database (every migration applied) and several dispatcher ticks at INFO."""
    maya = emulator.user(id=MAYA, first_name="Maya")
    process = await spawn_bot(
        emulator,
        f"sqlite+aiosqlite:///{tmp_path / 'aftercare.db'}",
        LOG_LEVEL="INFO",
        DISPATCH_INTERVAL_SECONDS="0.1",
    )
    try:
        await maya.send("/help", timeout=120)
        await asyncio.sleep(1.5)  # the dispatcher's first tick is 1 s in, then every 0.1 s
    finally:
        process.send_signal(signal.SIGTERM)
    lines = await _stderr_of(process)
    assert process.returncode == 0
    assert len(lines) == 2, lines
    assert "database schema upgraded from nothing to" in lines[0]
    assert "INFO bot.runtime.app: Aftercare 0.1.0 started (run): sqlite database, " in lines[1]
    assert lines[1].endswith("1 therapist(s) configured, bot @aftercare_demo_bot")


def _database_at_head(path: Path, template: Path) -> str:
    """A copy of the suite's migrated SQLite file (tests/conftest.py's sqlite_template)."""
    shutil.copyfile(template, path)
    return f"sqlite+aiosqlite:///{path}"


@pytest.mark.parametrize("damage", ["corrupt", "truncated", "read-only", "locked", "no folder"])
async def test_a_database_that_cannot_be_used_is_named_with_its_cause(
    damage: str, tmp_path: Path, clock: FrozenClock, sqlite_template: Path
) -> None:
    path = tmp_path / "aftercare.db"
    url = _database_at_head(path, sqlite_template)
    holder: sqlite3.Connection | None = None
    if damage == "corrupt":
        path.write_bytes(b"this is a note, not a database" * 200)
        expected = f"Database error: {path} is not an SQLite database"
    elif damage == "truncated":
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 3])
        expected = f"Database error: {path} is damaged"
    elif damage == "read-only":
        # The tests run as root, whom a file's mode does not stop: open it read-only instead.
        url = f"sqlite+aiosqlite:///file:{path}?mode=ro&uri=true"
        expected = f"Database error: {path} is read-only"
    elif damage == "locked":
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another process in the middle of writing
        url += "?timeout=0.2"
        expected = f"Database error: {path} is locked by another process"
    else:
        path = tmp_path / "gone" / "aftercare.db"
        url = f"sqlite+aiosqlite:///{path}"
        expected = f"Database error: the folder {path.parent} does not exist"
    settings = load_settings(database_url=url, therapist_ids=frozenset({MAYA}))
    try:
        with pytest.raises(DatabaseUnusable) as raised:
            await prepare_database(settings, clock)
    finally:
        if holder is not None:
            holder.close()
    assert str(raised.value).startswith(expected), str(raised.value)
    assert "\n" not in str(raised.value)


async def test_a_database_server_out_of_reach_is_named_without_its_password(
    clock: FrozenClock,
) -> None:
    url = "postgresql+asyncpg://aftercare:s3cret-pw@127.0.0.1:1/aftercare"  # nothing listens
    settings = load_settings(database_url=url, therapist_ids=frozenset({MAYA}))
    with pytest.raises(DatabaseUnusable) as raised:
        await prepare_database(settings, clock)
    message = str(raised.value)
    assert message.startswith("Database error: postgresql+asyncpg://aftercare:***@127.0.0.1:1/")
    assert "cannot be reached" in message and "s3cret-pw" not in message


# ---------------------------------------------------------------- chats side by side


async def test_strangers_queued_ahead_do_not_delay_a_therapists_command(
    running: OfflineBot,
) -> None:
    emulator = running.emulator
    strangers = [emulator.user(id=STRANGER + n, first_name=f"S{n}") for n in range(5)]
    for stranger in strangers:
        # Each answer to a stranger takes Telegram a while: one chat's slow traffic.
        emulator.inject(Fault(method="sendMessage", chat_id=stranger.id, delay=0.2, times=None))
    maya = emulator.user(id=MAYA, first_name="Maya")
    for _ in range(6):
        for stranger in strangers:
            await stranger.send("hello?", wait=False)
    await maya.send("/help", wait=False)
    await emulator.wait_processed(timeout=30)
    answered = [call.params["chat_id"] for call in emulator.calls_to("sendMessage") if call.ok]
    # One after another, Maya's answer would come after all 30 of theirs.
    assert answered.index(MAYA) < len(strangers), answered


async def test_one_chats_updates_are_still_handled_in_order(
    running: OfflineBot,
) -> None:
    emulator = running.emulator
    maya = emulator.user(id=MAYA, first_name="Maya")
    leo = emulator.user(id=LEO, first_name="Leo")
    # Maya's first answer is slow: her second must still wait for it, Leo's need not.
    emulator.inject(Fault(method="sendMessage", chat_id=MAYA, delay=0.3, times=1))
    await maya.send("/help", wait=False)
    await maya.send("/start", wait=False)
    for _ in range(5):
        await leo.send("/start", wait=False)  # a second therapist writing at the same time
    await emulator.wait_processed(timeout=30)
    to_maya = [m.text for m in maya.messages]
    assert (
        to_maya[0].startswith("What I can do")
        and "Aftercare keeps your session notes" in to_maya[1]
    )
    assert len(leo.messages) == 5
    answered = [call.params["chat_id"] for call in emulator.calls_to("sendMessage") if call.ok]
    assert answered.index(LEO) < answered.index(MAYA)  # Leo was not held up behind Maya
    running.check_alive()
