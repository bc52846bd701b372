"""The bot as a process: what it asks Telegram for, updates it cannot read, start-up when
Telegram or the database fails, chats handled side by side, and what reaches the log."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from telegram.error import Conflict

from bot.app import HANDLED_UPDATES, run_bot
from bot.config import load_settings
from bot.offline import DEMO_TOKEN, OfflineBot, offline_bot
from bot.polling import TelegramContact
from emulator import BotApiEmulator, Fault
from practice.clock import FrozenClock
from tests.conftest import LEO, MAYA, STRANGER

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
        contact: TelegramContact = running.application.bot_data["telegram"]
        assert contact.unreadable_updates == 1
        assert contact.last_contact == clock.now()
    # Confirmed: a restart is not fed the same update again.
    async with offline_bot(database_url, **kwargs) as running:  # type: ignore[arg-type]
        await maya.send("/help")
        assert running.application.bot_data["telegram"].unreadable_updates == 0
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
        assert "Aftercare keeps your post-session notes" in maya.last_text
        running.check_alive()


async def test_an_error_while_running_is_reported_as_itself(
    emulator: BotApiEmulator, database_url: str, clock: FrozenClock
) -> None:
    """Another process polls the same bot: the Conflict is what ends this one, not "This
    Application is still running!" raised over it."""
    emulator.inject(Fault(method="getUpdates", error_code=409, times=None))
    settings = load_settings(
        telegram_bot_token=emulator.token,
        telegram_api_base_url=emulator.base_url,
        database_url=database_url,
        therapist_ids=frozenset({MAYA}),
    )
    with pytest.raises(Conflict):
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
