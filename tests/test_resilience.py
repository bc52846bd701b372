"""Telegram failing mid-note: 5xx, timeouts and 429 are retried or waited out; nothing is lost."""

from __future__ import annotations

import time

from demo.offline import OfflineBot
from emulator import Fault, Phone
from tests.chat import notes_of
from tests.conftest import MAYA


async def _start(maya: Phone) -> None:
    await maya.send("/note")
    await maya.tap("New client")
    await maya.send("Anna K.")


async def test_5xx_on_edits_and_sends_are_retried(running: OfflineBot, maya: Phone) -> None:
    await _start(maya)
    running.emulator.inject(Fault(method="editMessageText", error_code=502, times=2))
    await maya.tap("Neck")
    assert "✓ Neck" in maya.all_buttons
    running.emulator.inject(Fault(method="sendMessage", error_code=500, times=1))
    await maya.send("/cancel")
    assert maya.last_text == "✖️ Note cancelled — nothing was saved."


async def test_429_retry_after_is_waited_out(running: OfflineBot, maya: Phone) -> None:
    await _start(maya)
    running.emulator.inject(Fault(method="editMessageText", error_code=429, retry_after=1, times=1))
    started = time.monotonic()
    await maya.tap("Neck")
    assert time.monotonic() - started >= 0.9  # waited as Telegram asked, then succeeded
    assert "✓ Neck" in maya.all_buttons
    calls = running.emulator.calls_to("editMessageText")
    assert [c.error_code for c in calls[-2:]] == [429, None]


async def test_a_timeout_is_retried(running: OfflineBot, maya: Phone) -> None:
    await _start(maya)
    # Slower than the bot's 2 s read timeout: the first try times out, the retry succeeds.
    running.emulator.inject(Fault(method="editMessageText", delay=3.0, times=1))
    await maya.tap("Neck")
    assert "✓ Neck" in maya.all_buttons


async def test_telegram_down_for_good_tells_the_user_without_internals(
    running: OfflineBot, maya: Phone
) -> None:
    await _start(maya)
    for label in ("Neck", "Done", "Swedish", "Done", "Light", "4", "2", "Skip to summary"):
        await maya.tap(label)
    running.emulator.inject(Fault(method="editMessageText", error_code=502, times=100))
    await maya.tap("Save")
    running.emulator.clear_faults()
    # The note was saved before Telegram failed to show it; the tap was answered.
    [note] = await notes_of(running, MAYA)
    assert note.pain_before == 4
    for message in maya.messages:
        assert "Traceback" not in message.text and "Error" not in message.text
    await maya.send("/history Anna")
    assert "notes 1–1 of 1" in maya.last_text
    running.check_alive()
