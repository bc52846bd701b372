"""kill -9 in the middle of a note, and updates Telegram delivers again after a crash."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import sqlite3
import sys
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from demo.offline import DEMO_TOKEN, offline_bot
from emulator import BotApiEmulator, Fault
from practice.clock import FrozenClock
from reminders.dispatcher import WAVE
from tests.chat import notes_of
from tests.conftest import MAYA
from tests.seed import seed_due_reminders

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator(token=DEMO_TOKEN) as emu:
        yield emu


async def spawn_bot(
    emu: BotApiEmulator, database_url: str, mode: str = "run", **extra: str
) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": emu.token,
        "TELEGRAM_API_BASE_URL": emu.base_url,
        "DATABASE_URL": database_url,
        "THERAPIST_IDS": str(MAYA),
        "PRACTICE_TIMEZONE": "Europe/London",
        "LOG_LEVEL": "WARNING",
        **extra,
    }
    # With LOG_LEVEL=INFO the caller reads the process's log; otherwise it goes to the test's.
    pipes = {"stderr": asyncio.subprocess.PIPE} if extra.get("LOG_LEVEL") == "INFO" else {}
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", mode, cwd=ROOT, env=env, **pipes
    )


async def spawn_polling(
    emu: BotApiEmulator, database_url: str, **extra: str
) -> asyncio.subprocess.Process:
    """`python -m bot run`, once it has asked Telegram for updates: a bot process takes a few
    seconds to import on a quiet machine and many more on a busy one, longer than a phone
    waits for an answer."""
    asked = len(emu.calls_to("getUpdates"))
    process = await spawn_bot(emu, database_url, "run", **extra)
    for _ in range(1200):  # a minute at most
        if len(emu.calls_to("getUpdates")) > asked:
            return process
        if process.returncode is not None:
            raise AssertionError(f"the bot exited with {process.returncode} before polling")
        await asyncio.sleep(0.05)
    process.kill()
    raise AssertionError("the bot did not poll within a minute")


async def test_kill_9_mid_note_loses_nothing(emulator: BotApiEmulator, database_url: str) -> None:
    maya = emulator.user(id=MAYA, first_name="Maya")
    process = await spawn_polling(emulator, database_url)
    try:
        await maya.send("/note")
        await maya.tap("New client")
        await maya.send("Anna K.")
        await maya.tap("Neck")
        await maya.tap("Shoulders")
        await maya.tap("Done")
        await maya.tap("Deep tissue")
    finally:
        process.send_signal(signal.SIGKILL)
        await process.wait()

    process = await spawn_polling(emulator, database_url)
    try:
        # The card from before the crash still works: the draft and its step were in the database.
        await maya.tap("Done")
        assert "Pressure" in maya.last_text
        await maya.send("/note")
        assert "Continue the note for Anna K., or start over?" in maya.last_text
        await maya.tap("Continue")
        for label in ("Firm", "6", "3", "Skip to summary"):
            await maya.tap(label)
        assert "Neck, Shoulders" in maya.last_text and "Deep tissue" in maya.last_text
        await maya.tap("Save")
        # The subprocess runs on the real clock, so the date is whatever today is.
        assert maya.last_text.startswith("Saved ✓ Note #1 for Anna K.")
        assert maya.last_text.endswith("Pain 6 → 3.")
    finally:
        process.send_signal(signal.SIGTERM)
        assert await process.wait() == 0  # a clean stop on SIGTERM


async def test_a_redelivered_save_saves_one_note(
    emulator: BotApiEmulator, database_url: str, clock: FrozenClock
) -> None:
    maya = emulator.user(id=MAYA, first_name="Maya")
    kwargs = {"therapist_ids": frozenset({MAYA}), "clock": clock, "emulator": emulator}
    async with offline_bot(database_url, **kwargs) as running:  # type: ignore[arg-type]
        await maya.send("/note")
        note_update = emulator.last_update_id
        await maya.tap("New client")
        await maya.send("Anna K.")
        for label in ("Neck", "Done", "Swedish", "Done", "Light", "4", "2", "Skip to summary"):
            await maya.tap(label)
        await maya.tap("Save")
        save_update = emulator.last_update_id
        toggle_update = save_update - 8  # the "Neck" tap
    # The bot crashed before confirming: Telegram sends both again to the restarted bot.
    emulator.redeliver(note_update)
    emulator.redeliver(toggle_update)
    emulator.redeliver(save_update)
    messages_before = len(maya.messages)
    async with offline_bot(database_url, **kwargs) as running:  # type: ignore[arg-type]
        await maya.wait_processed()
        notes = await notes_of(running, MAYA)
        assert len(notes) == 1
        assert notes[0].areas == ["neck"]
        assert maya.last_text == "Saved ✓ Note #1 for Anna K., 25 Nov. Pain 4 → 2."
        assert len(maya.messages) == messages_before  # the old /note opened no new note


async def test_kill_9_during_a_dispatch_batch_loses_no_reminder(
    emulator: BotApiEmulator, database_url: str
) -> None:
    """150 reminders due now; the bot is killed while sending them; after a restart every
    one arrives, and only a send that was in flight at the kill may arrive twice."""

    clients = list(range(5001, 5151))
    await seed_due_reminders(database_url, emulator, clients)

    def reminders_to(telegram_id: int) -> int:
        return sum(
            1
            for call in emulator.calls_to("sendMessage")
            if call.ok and call.params.get("chat_id") == telegram_id
        )

    # Each send takes a while, so the kill lands in the middle of the batch.
    emulator.inject(Fault(method="sendMessage", delay=0.15, times=None))
    env_extra = {"DISPATCH_INTERVAL_SECONDS": "0.2", "DISPATCH_LEASE_SECONDS": "2"}
    process = await spawn_bot(emulator, database_url, **env_extra)
    try:
        for _ in range(1200):  # a minute at most: starting takes seconds on a busy machine
            if sum(reminders_to(c) for c in clients) >= 8:
                break
            await asyncio.sleep(0.05)
    finally:
        process.send_signal(signal.SIGKILL)
        await process.wait()
    delivered_before = {c: reminders_to(c) for c in clients}
    assert 0 < sum(delivered_before.values()) < len(clients)  # killed mid-batch
    emulator.clear_faults()
    process = await spawn_bot(emulator, database_url, **env_extra)
    try:
        for _ in range(1200):
            if all(reminders_to(c) >= 1 for c in clients):
                break
            await asyncio.sleep(0.05)
    finally:
        process.send_signal(signal.SIGTERM)
        await process.wait()
    counts = {c: reminders_to(c) for c in clients}
    assert all(count >= 1 for count in counts.values()), counts  # none lost
    twice = {c for c, count in counts.items() if count > 1}
    assert all(count <= 2 for count in counts.values()), counts  # at most once more
    # Only sends in flight at the kill (at most the dispatcher's 32 at once) come twice.
    assert len(twice) <= 32, twice


async def test_a_crash_sends_again_only_what_was_unsettled(
    emulator: BotApiEmulator, tmp_path: Path, sqlite_template: Path
) -> None:
    """The bot's settles are held up (a writer holds SQLite's lock) while its sends go on;
    kill -9. Sends whose outcome was not yet committed are at most the dispatcher's window
    (WAVE): it starts no send past it. After a restart exactly those come twice — none that
    was recorded as sent, nor a whole wave answered while the next was in flight."""
    path = tmp_path / "crash.db"
    shutil.copyfile(sqlite_template, path)  # at head, as database_url's
    database_url = f"sqlite+aiosqlite:///{path}"
    clients = list(range(6001, 6301))
    await seed_due_reminders(database_url, emulator, clients)

    def sent() -> list[int]:
        calls = emulator.calls_to("sendMessage")
        return [int(c.params["chat_id"]) for c in calls if c.ok]

    emulator.inject(Fault(method="sendMessage", delay=0.02, times=None))
    env_extra = {"DISPATCH_INTERVAL_SECONDS": "0.2", "DISPATCH_LEASE_SECONDS": "2"}
    process = await spawn_bot(emulator, database_url, **env_extra)
    lock = sqlite3.connect(path, timeout=30, isolation_level=None)
    try:
        for _ in range(1200):  # past the first window, so that settles have committed
            if len(sent()) >= WAVE + 8:
                break
            await asyncio.sleep(0.05)
        lock.execute("BEGIN IMMEDIATE")  # every settle from now on waits for this
        await asyncio.sleep(2.0)  # time for two waves and more at this emulator's pace
        process.send_signal(signal.SIGKILL)
        await process.wait()
        answered = sent()
    finally:
        lock.rollback()
        lock.close()
        if process.returncode is None:
            process.kill()
    with contextlib.closing(sqlite3.connect(path)) as db:
        rows = db.execute("SELECT chat_id FROM deliveries WHERE status = 'sent'").fetchall()
    recorded = {int(chat) for (chat,) in rows}
    unsettled = set(answered) - recorded
    assert len(answered) < len(clients)  # killed mid-batch
    assert 0 < len(unsettled) <= WAVE, (len(answered), len(recorded))
    emulator.clear_faults()
    process = await spawn_bot(emulator, database_url, **env_extra)
    try:
        for _ in range(1200):
            if set(sent()) >= set(clients):
                break
            await asyncio.sleep(0.05)
    finally:
        process.send_signal(signal.SIGTERM)
        await process.wait()
    counts = Counter(sent())
    assert set(counts) == set(clients)  # none lost
    twice = {chat for chat, n in counts.items() if n > 1}
    assert all(n <= 2 for n in counts.values()), counts
    assert twice <= unsettled, twice - unsettled  # nothing recorded as sent went again
