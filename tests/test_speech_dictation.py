"""The spoken set through the chat: 32 notes dictated in four voices and speeds (espeak-ng),
sent as Telegram voice messages, transcribed by the bot with the therapist's client names.

On SQLite alone: what is measured is the hearing, not the database. bench/dictation.py has the
same set's figures per engine configuration.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import jiwer
import pytest
from sqlalchemy import select

from demo.offline import OfflineBot, offline_bot
from practice.clock import FrozenClock
from speech.vocabulary import spoken_words
from storage.models import SessionNote
from tests.conftest import MAYA, NOW
from tests.speech_corpus import (
    CLIENTS,
    DICTATIONS,
    ESPEAK,
    VOICES,
    Dictation,
    spoken,
    voice_of,
)

pytestmark = pytest.mark.skipif(
    ESPEAK is None and not os.environ.get("CI"),
    reason="espeak-ng is not installed: bash scripts/speech-deps.sh (CI installs it)",
)

NUMBERS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[OfflineBot]:
    clock = FrozenClock(NOW)
    async with offline_bot(
        f"sqlite+aiosqlite:///{tmp_path / 'aftercare.db'}",
        therapist_ids=frozenset({MAYA}),
        clock=clock,
        timezone="Europe/London",
    ) as running:
        async with running.db.unit_of_work() as uow:
            await uow.therapists.ensure(MAYA, "Maya", clock.now())
            for name in CLIENTS:
                await uow.clients.add(MAYA, name, clock.now())
            await uow.commit()
        yield running
        running.check_alive()


async def test_thirty_two_dictated_notes_are_heard(bot: OfflineBot) -> None:
    assert len(DICTATIONS) >= 30 and len(VOICES) >= 2
    maya = bot.emulator.user(id=MAYA, first_name="Maya")
    heard: list[str] = []
    saved: list[tuple[Dictation, SessionNote]] = []
    for index, dictation in enumerate(DICTATIONS):
        data, seconds = spoken(dictation.text, *voice_of(index))
        since = len(maya.messages)
        await maya.send_voice(data, duration=seconds, timeout=120)
        [text] = [m.text for m in maya.messages[since:] if m.text.startswith("🎙 I heard")]
        heard.append(text.removeprefix("🎙 I heard: ") or "-")
        # The quick note's card follows: saved with one tap when it holds all it needs.
        assert maya.last_text.startswith("🎙 From your voice message."), maya.last_text
        card = maya.last_message
        assert card is not None
        if "Still needed" not in card.text:
            await maya.tap("✅ Save", message_id=card.message_id)
            # (a decision question may follow the saved card: the card itself says Saved)
            assert "Saved ✓" in maya.message(card.message_id).text
            async with bot.db.unit_of_work() as uow:
                latest = select(SessionNote).order_by(SessionNote.id.desc()).limit(1)
                note = (await uow.session.scalars(latest)).one()
            saved.append((dictation, note))
        else:
            await maya.tap("✖️ Cancel", message_id=card.message_id)
            if "🗑 Yes, discard" in maya.message(card.message_id).text + str(
                maya.message(card.message_id).buttons
            ):
                await maya.tap("🗑 Yes, discard", message_id=card.message_id)
            assert "nothing was saved" in maya.message(card.message_id).text
    refs = [" ".join(spoken_words(d.text)) for d in DICTATIONS]
    error_rate = jiwer.wer(refs, heard)
    # Measured 0.23 (bench/dictation.py); the general English model makes 0.90 of the same.
    assert error_rate < 0.30, error_rate
    pains = [
        f"{NUMBERS[d.before]}" in words and f"{NUMBERS[d.after]}" in words
        for d, words in zip(DICTATIONS, (spoken_words(h) for h in heard), strict=True)
        if d.before is not None and d.after is not None
    ]
    assert sum(pains) / len(pains) >= 0.75, heard
    # Dictations heard with every required field become a saved note in two steps (speak,
    # Save), with the pain said. Measured: 14 of 32 complete (the rest miss a word the
    # recogniser did not hear, and ask for it on the card); the goal is higher.
    assert len(saved) >= 12, len(saved)
    right = [(d.before, d.after) == (n.pain_before, n.pain_after) for d, n in saved]
    assert sum(right) / len(right) >= 0.75, right
    # Each voice message was fetched once.
    assert len(bot.emulator.calls_to("getFile")) == len(DICTATIONS)
