"""A therapist's voice message in the chat: heard, transcribed, shown; and what is refused."""

from __future__ import annotations

import io
import logging
import os

import numpy as np
import pytest
import soundfile

from demo.offline import OfflineBot
from emulator import BotMessage, Fault, Phone
from tests.conftest import MAYA
from tests.seed import seed_clients_on_the_bot
from tests.speech_corpus import ESPEAK, spoken

pytestmark = pytest.mark.skipif(
    ESPEAK is None and not os.environ.get("CI"),
    reason="espeak-ng is not installed: bash scripts/speech-deps.sh (CI installs it)",
)

NOTE = "Anna. Neck and shoulders, deep tissue, firm. Pain six to three."


def heard(phone: Phone) -> BotMessage:
    """The latest "🎙 I heard: …" message (the quick note's card follows it)."""
    return next(m for m in reversed(phone.messages) if m.text.startswith("🎙 I heard"))


async def _anna(running: OfflineBot) -> None:
    async with running.db.unit_of_work() as uow:
        await uow.therapists.ensure(MAYA, "Maya", running.clock.now())
        await uow.clients.add(MAYA, "Anna", running.clock.now())
        await uow.commit()


async def test_a_voice_note_is_transcribed_in_place(running: OfflineBot, maya: Phone) -> None:
    await _anna(running)
    data, seconds = spoken(NOTE, "en-us", 160)
    assert seconds > 4
    await maya.send_voice(data, duration=seconds)
    status = heard(maya)
    # One message: "Transcribing…", edited in place with what was heard…
    assert status.history == ["🎙 Transcribing…"]
    words = status.text.lower()
    assert "pain six to three" in words and "neck" in words
    # …then the quick note's card, filled from it, one tap from saved.
    card = maya.last_text
    assert card.startswith("🎙 From your voice message.") and "Note for Anna" in card
    assert "Pain: 6 → 3" in card and "Neck" in card and "Deep tissue" in card
    await maya.tap("✅ Save")
    assert "Saved ✓ Note #1 for Anna" in maya.last_text
    emu = running.emulator
    assert [c.params["action"] for c in emu.calls_to("sendChatAction")][:1] == ["typing"]
    assert len(emu.calls_to("getFile")) == 1


async def test_a_short_voice_note_is_answered_at_once(running: OfflineBot, maya: Phone) -> None:
    data, seconds = spoken("pain four to two", "en-gb", 170)
    assert seconds <= 4
    await maya.send_voice(data, duration=seconds)
    # No "Transcribing…" for a short one: what was heard, then the card asking what is missing.
    assert maya.messages[0].text == "🎙 I heard: pain four to two"
    assert maya.messages[0].history == []
    assert "Pain: 4 → 2" in maya.last_text and "Still needed before saving: client" in (
        maya.last_text
    )


async def test_an_audio_file_is_transcribed_too(running: OfflineBot, maya: Phone) -> None:
    data, seconds = spoken("Upper back, swedish, light. Pain five then two.", "en-us", 160)
    await maya.send_audio(data, duration=seconds, filename="note.ogg", mime_type="audio/ogg")
    assert "swedish light pain five then two" in heard(maya).text


async def test_an_audio_file_sent_as_a_file_is_transcribed(
    running: OfflineBot, maya: Phone
) -> None:
    await _anna(running)
    data, _ = spoken(NOTE, "en-us", 160)
    await maya.send_document(data, filename="session.ogg", mime_type="audio/ogg")
    assert "pain six to three" in heard(maya).text
    assert "Note for Anna" in maya.last_text and "Pain: 6 → 3" in maya.last_text


async def test_a_file_named_as_audio_is_transcribed_whatever_its_type(
    running: OfflineBot, maya: Phone
) -> None:
    data, _ = spoken("Upper back, swedish, light. Pain five then two.", "en-us", 160)
    await maya.send_document(data, filename="note.opus", mime_type="application/octet-stream")
    assert "pain five then two" in heard(maya).text


@pytest.mark.parametrize(
    ("filename", "mime_type", "named"),
    [("memo.m4a", "audio/mp4", "M4A"), ("memo.amr", "audio/amr", "AMR"), ("x", "audio/aac", "AAC")],
)
async def test_a_format_it_cannot_read_is_named_before_it_is_fetched(
    running: OfflineBot, maya: Phone, filename: str, mime_type: str, named: str
) -> None:
    await maya.send_document(b"\x00" * 4000, filename=filename, mime_type=mime_type)
    assert f"I can't read {named} recordings" in maya.last_text
    assert "MP3, OGG, FLAC or WAV" in maya.last_text
    assert running.emulator.calls_to("getFile") == []


async def test_an_m4a_shared_as_audio_is_named_too(running: OfflineBot, maya: Phone) -> None:
    await maya.send_audio(bytes(4000), duration=20, filename="memo.m4a", mime_type="audio/x-m4a")
    assert "I can't read M4A recordings" in maya.last_text
    assert running.emulator.calls_to("getFile") == []


async def test_a_long_recording_sent_as_a_file_is_refused(running: OfflineBot, maya: Phone) -> None:
    """A document has no duration: the file's header says it, before it is decoded."""
    silence = np.zeros(8_000 * 185, dtype=np.float32)
    out = io.BytesIO()
    soundfile.write(out, silence, 8_000, format="OGG", subtype="OPUS")
    await maya.send_document(out.getvalue(), filename="long.ogg", mime_type="audio/ogg")
    assert "3 min 05 s long; I transcribe up to 3 min" in maya.last_text


async def test_a_file_that_is_not_audio_is_not_listened_to(
    running: OfflineBot, maya: Phone
) -> None:
    await maya.send_document(
        b"%PDF-1.4 " + bytes(100), filename="x.pdf", mime_type="application/pdf"
    )
    assert running.emulator.calls_to("getFile") == []
    assert not any(m.text.startswith("🎙") for m in maya.messages)


async def test_too_long_is_refused_before_it_is_fetched(running: OfflineBot, maya: Phone) -> None:
    await maya.send_voice(b"OggS" + bytes(1000), duration=200)
    assert "3 min 20 s long; I transcribe up to 3 min" in maya.last_text
    assert running.emulator.calls_to("getFile") == []


async def test_a_recording_whose_length_was_understated_is_refused(
    running: OfflineBot, maya: Phone
) -> None:
    silence = np.zeros(8_000 * 185, dtype=np.float32)
    out = io.BytesIO()
    soundfile.write(out, silence, 8_000, format="OGG", subtype="OPUS")
    await maya.send_voice(out.getvalue(), duration=3)
    assert "3 min 05 s long" in maya.last_text


async def test_past_telegrams_download_limit_is_refused(running: OfflineBot, maya: Phone) -> None:
    await maya.send_audio(bytes(21 * 1024 * 1024), duration=100, filename="long.mp3")
    assert "Telegram lets a bot download up to 20 MB" in maya.last_text
    assert running.emulator.calls_to("getFile") == []


async def test_getfile_refuses_a_file_over_20_mb(running: OfflineBot, maya: Phone) -> None:
    """Telegram's own limit, as the emulator plays it, whatever the message said."""
    emu = running.emulator
    stored = emu._user_file(
        "voice", bytes(21 * 1024 * 1024), filename="", mime_type="audio/ogg", duration=60
    )
    bot = running.application.bot
    with pytest.raises(Exception, match="too big"):
        await bot.get_file(stored.file_id)


async def test_an_unreadable_file_gets_a_clear_answer(running: OfflineBot, maya: Phone) -> None:
    await maya.send_audio(b"\x00\x00\x00\x18ftypM4A " + bytes(4000), duration=10, filename="a.m4a")
    assert maya.messages[-1].history == ["🎙 Transcribing…"]
    assert "I couldn't read that recording" in maya.last_text
    assert "not M4A" in maya.last_text


async def test_a_failed_getfile_gets_a_clear_answer(running: OfflineBot, maya: Phone) -> None:
    data, seconds = spoken(NOTE, "en-us", 160)
    running.emulator.inject(Fault("getFile", 400, "Bad Request: wrong file_id", times=1))
    await maya.send_voice(data, duration=seconds)
    assert "couldn't fetch that recording from Telegram" in maya.last_text


async def test_silence_is_answered_as_nothing_heard(running: OfflineBot, maya: Phone) -> None:
    out = io.BytesIO()
    soundfile.write(
        out, np.zeros(48_000 * 2, dtype=np.float32), 48_000, format="OGG", subtype="OPUS"
    )
    await maya.send_voice(out.getvalue(), duration=2)
    assert "couldn't make out any words" in maya.last_text


async def test_inside_a_note_a_voice_message_is_not_taken(running: OfflineBot, maya: Phone) -> None:
    await maya.send("/note")
    data, seconds = spoken("pain four to two", "en-us", 160)
    await maya.send_voice(data, duration=seconds)
    assert "I can only read typed text in a note" in maya.last_text
    assert running.emulator.calls_to("getFile") == []


async def test_a_clients_voice_message_is_not_transcribed(running: OfflineBot, maya: Phone) -> None:
    async with running.db.unit_of_work() as uow:
        await uow.therapists.ensure(MAYA, "Maya", running.clock.now())
        await uow.commit()
    (client_user,) = await seed_clients_on_the_bot(running.db, MAYA, 1, running.clock.now())
    async with running.db.unit_of_work() as uow:
        client = await uow.clients.get(MAYA, client_user)
        assert client is not None
        telegram_id = client.telegram_user_id
    assert telegram_id is not None
    anna = running.emulator.user(id=telegram_id, first_name="Anna", started=True)
    data, seconds = spoken("my neck hurts", "en-gb", 150)
    await anna.send_voice(data, duration=seconds)
    assert "I can't listen to voice messages" in anna.last_text
    assert running.emulator.calls_to("getFile") == []


async def test_a_photo_with_a_caption_reaches_the_bot(running: OfflineBot, maya: Phone) -> None:
    """The emulator's photo: a PhotoSize list and the caption, as Telegram sends them."""
    await maya.send_photo(caption="Anna: neck, firm. Pain 6 -> 3.")
    (update,) = [c.result for c in running.emulator.calls_to("getUpdates") if c.result][-1:]
    message = update[-1]["message"]
    assert message["caption"] == "Anna: neck, firm. Pain 6 -> 3."
    (size,) = message["photo"]
    assert (size["width"], size["height"]) == (2, 2)
    assert {"file_id", "file_unique_id", "file_size"} <= set(size)


async def test_no_log_line_carries_what_was_heard(
    running: OfflineBot, maya: Phone, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    data, seconds = spoken(NOTE, "en-us", 160)
    await maya.send_voice(data, duration=seconds)
    assert "shoulders" in heard(maya).text
    # A failure on the way out: the edit refused with a description quoting the transcript.
    running.emulator.inject(
        Fault("editMessageText", 400, "Bad Request: can't parse entities: {text}", times=None)
    )
    await maya.send_voice(data, duration=seconds)
    assert "shoulders" in heard(maya).text
    logged = "\n".join(
        f"{r.getMessage()} {r.exc_text or ''}"
        for r in caplog.records
        if not r.name.startswith(("emulator", "aiohttp"))
    ).casefold()
    for word in ("shoulders", "tissue", "heard"):
        assert word not in logged


async def test_others_are_answered_while_a_recording_is_transcribed(
    running: OfflineBot, maya: Phone, leo: Phone
) -> None:
    """Maya's recording is slow to arrive and to hear; Leo's /start does not wait for it."""
    await _anna(running)
    data, seconds = spoken(NOTE, "en-us", 160)
    running.emulator.inject(Fault("getFile", delay=1.5, chat_id=None, times=1))
    await maya.send_voice(data, duration=seconds, wait=False)
    # (Telegram's offset is one watermark: Leo's update is confirmed only after Maya's, so
    # what is waited for is his answer, not the confirmation.)
    since = leo.last_message_id
    await leo.send("/start", wait=False)
    await leo.wait_for_message(since=since)  # Leo's welcome came…
    assert not maya.last_text.startswith("🎙 I heard")  # …while Maya's was still in hand
    await maya.wait_processed()
    assert heard(maya).text.startswith("🎙 I heard: ")
