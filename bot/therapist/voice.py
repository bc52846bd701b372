"""A therapist's voice message or audio file, outside a note: heard, transcribed, shown.

A recording arrives as Telegram's ``voice`` (the microphone button), ``audio`` (a music file
shared from the attachment menu) or ``document`` (any file sent "as a file", with an audio MIME
type or an audio file's extension): all three are transcribed alike. A format the decoder
cannot read (M4A/AAC, AMR, WMA) is refused by its name before it is fetched, with the formats
that work; the three-minute limit is checked from Telegram's duration when it gives one (voice,
audio) and, for a document, from the file's own header before it is decoded (speech.audio).

The recording is fetched from Telegram into memory (never a file), transcribed in the speech
worker (speech/: offline, told the therapist's client names) while the chat shows "typing",
and forgotten: only the words go on, into the message that shows them. A recording longer
than speech.MAX_SECONDS, or past Telegram's 20 MB download limit, is refused before it is
fetched. Inside a note or a form, a recording is answered as any other non-text message.

Nothing of the recording or its words is logged; a failure is logged by its type alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

from telegram import Audio, Document, Message, Update, Voice
from telegram.constants import ChatAction
from telegram.error import BadRequest, TelegramError
from telegram.ext import MessageHandler, filters

import speech
from bot.shared import texts
from bot.shared.context import Context, Handler, Services
from bot.shared.forms.handlers import form_in_progress
from bot.therapist.notes.handlers import therapist_other_message
from bot.therapist.notes.quick import open_quick_note

log = logging.getLogger(__name__)

# Telegram: "bots can download files of up to 20MB in size" (getFile).
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
# A recording longer than this gets a "Transcribing…" line at once, edited with the result.
SHOW_PROGRESS_AFTER_SECONDS = 4
# A chat action shows for five seconds (or until the bot's next message): renewed meanwhile.
ACTION_EVERY_SECONDS = 4.0
# The client names the recogniser is told, the therapist's most recent first.
NAMES_TOLD = 200
# What speech.audio decodes (libsndfile): by file extension and by MIME type.
READABLE_EXTENSIONS = frozenset({"ogg", "oga", "opus", "mp3", "wav", "flac"})
READABLE_TYPES = frozenset(
    {
        "audio/ogg", "audio/opus", "audio/mpeg", "audio/mp3", "audio/wav", "audio/x-wav",
        "audio/wave", "audio/vnd.wave", "audio/flac", "audio/x-flac", "application/ogg",
    }
)  # fmt: skip
# Audio a phone may send that it cannot read, named in the answer by its usual name.
UNREADABLE = {
    "m4a": "M4A", "mp4": "M4A", "aac": "AAC", "x-m4a": "M4A", "amr": "AMR", "wma": "WMA",
    "x-ms-wma": "WMA", "3gpp": "3GP", "3gp": "3GP", "webm": "WebM", "aiff": "AIFF",
    "x-aiff": "AIFF", "aif": "AIFF", "caf": "CAF", "x-caf": "CAF",
}  # fmt: skip
AUDIO_EXTENSIONS = READABLE_EXTENSIONS | UNREADABLE.keys()

Recording = Voice | Audio | Document


def transcriber_of(services: Services, names: tuple[str, ...]) -> speech.EngineSpec:
    settings = services.settings
    model_dir = settings.whisper_model_dir
    return speech.EngineSpec(
        engine=settings.transcriber,
        names=names,
        model_dir=str(model_dir) if isinstance(model_dir, Path) else None,
    )


async def _client_names(services: Services, therapist_id: int) -> tuple[str, ...]:
    async with services.db.unit_of_work() as uow:
        clients = await uow.clients.recent(therapist_id, NAMES_TOLD)
    return tuple(sorted({client.name for client in clients}))


async def _in_a_flow(context: Context, therapist_id: int) -> bool:
    if await form_in_progress(context, therapist_id) is not None:
        return True
    async with context.services.db.unit_of_work() as uow:
        return await uow.drafts.get(therapist_id) is not None


@contextlib.asynccontextmanager
async def _showing_activity(context: Context, chat_id: int) -> AsyncIterator[None]:
    """ "typing…" in the chat's header for as long as the block runs."""

    async def keep_typing() -> None:
        while True:
            try:
                await context.bot.send_chat_action(chat_id, ChatAction.TYPING)
            except TelegramError as exc:
                log.info("a chat action was not shown: %s", type(exc).__name__)
            await asyncio.sleep(ACTION_EVERY_SECONDS)

    task = asyncio.create_task(keep_typing())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _say(message: Message, status: Message | None, text: str) -> None:
    """The answer, in the "Transcribing…" line when there is one (edited in place)."""
    if status is not None:
        try:
            await status.edit_text(text)
            return
        except BadRequest as exc:  # deleted meanwhile: a new message then
            log.info("the transcribing line could not be edited: %s", type(exc).__name__)
    await message.reply_text(text)


async def show_transcript(
    update: Update, context: Context, transcript: str, *, status: Message | None
) -> None:
    """What becomes of the words: shown as heard (so the therapist can check them), then the
    quick note's card, filled from them, to save with one tap."""
    message = update.effective_message
    assert message is not None
    await _say(message, status, texts.voice_heard(transcript))
    await open_quick_note(update, context, transcript, spoken=True)


def _seconds(duration: int | timedelta) -> int:
    """PTB gives a duration as seconds, or as a timedelta when PTB_TIMEDELTA is set."""
    return round(duration.total_seconds()) if isinstance(duration, timedelta) else duration


def unreadable_format(recording: Recording) -> str | None:
    """The name of a format the decoder cannot read ("M4A"), or None when it can (or may:
    an unnamed type is tried, and answered as unreadable if it is not)."""
    if isinstance(recording, Voice):
        return None
    mime = (recording.mime_type or "").lower()
    name = (recording.file_name or "").lower()
    extension = name.rsplit(".", 1)[-1] if "." in name else ""
    if mime in READABLE_TYPES or extension in READABLE_EXTENSIONS:
        return None
    subtype = mime.split("/", 1)[-1]
    return UNREADABLE.get(extension) or UNREADABLE.get(subtype)


async def _fetch(context: Context, recording: Recording) -> bytes:
    file = await recording.get_file()
    return bytes(await file.download_as_bytearray())


async def therapist_recording(update: Update, context: Context) -> None:
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    recording: Recording | None = message.voice or message.audio or message.document
    assert recording is not None
    if await _in_a_flow(context, user.id):
        await therapist_other_message(update, context)
        return
    if (unreadable := unreadable_format(recording)) is not None:
        await message.reply_text(texts.voice_unreadable_format(unreadable))
        return
    limit = int(speech.MAX_SECONDS)
    # A document has no duration: its header is checked before it is decoded.
    duration = 0 if isinstance(recording, Document) else _seconds(recording.duration)
    if duration > limit:
        await message.reply_text(texts.voice_too_long(duration, limit))
        return
    if recording.file_size is not None and recording.file_size > MAX_DOWNLOAD_BYTES:
        await message.reply_text(texts.voice_too_big(MAX_DOWNLOAD_BYTES // (1024 * 1024)))
        return
    services = context.services
    status: Message | None = None
    if duration > SHOW_PROGRESS_AFTER_SECONDS:
        status = await message.reply_text(texts.VOICE_TRANSCRIBING)
    async with _showing_activity(context, message.chat_id):
        try:
            data = await _fetch(context, recording)
        except BadRequest as exc:
            too_big = "too big" in str(exc).lower()
            log.info("a recording was not fetched: %s", type(exc).__name__)
            answer = (
                texts.voice_too_big(MAX_DOWNLOAD_BYTES // (1024 * 1024))
                if too_big
                else texts.VOICE_FETCH_FAILED
            )
            await _say(message, status, answer)
            return
        except TelegramError as exc:
            log.info("a recording was not fetched: %s", type(exc).__name__)
            await _say(message, status, texts.VOICE_FETCH_FAILED)
            return
        spec = transcriber_of(services, await _client_names(services, user.id))
        try:
            transcript = await speech.transcribe(data, spec)
        except speech.TooLong as exc:
            await _say(message, status, texts.voice_too_long(round(exc.seconds), limit))
            return
        except speech.Undecodable:
            await _say(message, status, texts.VOICE_UNDECODABLE)
            return
        except speech.Busy:
            await _say(message, status, texts.VOICE_BUSY)
            return
        except speech.EngineUnavailable as exc:
            log.warning("voice notes are off: %s", exc)  # says what is missing, nothing heard
            await _say(message, status, texts.VOICE_UNAVAILABLE)
            return
        finally:
            del data  # the recording goes no further than the transcriber
    if not transcript.text:
        await _say(message, status, texts.VOICE_NOTHING_HEARD)
        return
    await show_transcript(update, context, transcript.text, status=status)


async def client_recording(update: Update, context: Context) -> None:
    message = update.effective_message
    assert message is not None
    await message.reply_text(texts.CLIENT_VOICE)


def audio_documents() -> filters.BaseFilter:
    """A file sent as a file that is a recording: an audio MIME type, or an audio extension
    (a phone may send a recording as application/octet-stream)."""
    found: filters.BaseFilter = filters.Document.AUDIO | filters.Document.MimeType(
        "application/ogg"
    )
    for extension in sorted(AUDIO_EXTENSIONS):
        found = found | filters.Document.FileExtension(extension)
    return found


def handlers(therapists: filters.BaseFilter, clients: filters.BaseFilter) -> list[Handler]:
    """Before the notes' typed-message handlers, which answer any other non-text message."""
    private_new = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    recordings = filters.VOICE | filters.AUDIO | audio_documents()
    return [
        MessageHandler(therapists & private_new & recordings, therapist_recording),
        MessageHandler(clients & private_new & recordings, client_recording),
    ]
