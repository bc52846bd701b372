"""kill -9 in the middle of a note, and updates Telegram delivers again after a crash."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.offline import DEMO_TOKEN, offline_bot
from emulator import BotApiEmulator
from practice.clock import FrozenClock
from tests.chat import notes_of
from tests.conftest import MAYA

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator(token=DEMO_TOKEN) as emu:
        yield emu


async def _spawn_bot(emu: BotApiEmulator, database_url: str) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": emu.token,
        "TELEGRAM_API_BASE_URL": emu.base_url,
        "DATABASE_URL": database_url,
        "THERAPIST_IDS": str(MAYA),
        "PRACTICE_TIMEZONE": "Europe/London",
        "LOG_LEVEL": "WARNING",
    }
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=ROOT, env=env
    )


async def test_kill_9_mid_note_loses_nothing(emulator: BotApiEmulator, database_url: str) -> None:
    maya = emulator.user(id=MAYA, first_name="Maya")
    process = await _spawn_bot(emulator, database_url)
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

    process = await _spawn_bot(emulator, database_url)
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
