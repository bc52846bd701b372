"""A therapist's voice message or audio file: what the bot says while and after it listens."""

from __future__ import annotations

from .common import Html, esc

VOICE_TRANSCRIBING = "🎙 Transcribing…"
VOICE_NOTHING_HEARD = (
    "🎙 I couldn't make out any words in that recording. Try again a little closer to the "
    "phone, or type the note."
)
VOICE_UNDECODABLE = (
    "🎙 I couldn't read that recording. A voice message works, or an audio file in MP3, OGG, "
    "FLAC or WAV (not M4A). Nothing was saved."
)
VOICE_FETCH_FAILED = (
    "🎙 I couldn't fetch that recording from Telegram just now. Please send it again in a moment."
)
VOICE_BUSY = (
    "🎙 I'm transcribing other recordings right now. Please send this one again in a minute, "
    "or type the note."
)
VOICE_UNAVAILABLE = (
    "🎙 Voice notes are not set up on this bot (its speech engine is missing). Please type the "
    "note; the operator can see why in the bot's log."
)
CLIENT_VOICE = (
    "🎙 I can't listen to voice messages or audio, and I don't pass them on: nothing was sent "
    "or kept. Type what you want to tell your therapist and I'll send it to them. /help"
)


def voice_too_long(seconds: int, limit: int) -> Html:
    """A recording over the limit, refused before it is downloaded."""
    return Html(
        f"🎙 That recording is {_minutes(seconds)} long; I transcribe up to {_minutes(limit)}. "
        "Please record the note in a shorter message (or two), or type it."
    )


def voice_unreadable_format(name: str) -> Html:
    """An audio file in a format the decoder cannot read, refused before it is fetched."""
    return Html(
        f"🎙 I can't read {esc(name)} recordings. A voice message works (hold the microphone "
        "button), or an audio file in MP3, OGG, FLAC or WAV. Nothing was saved."
    )


def voice_too_big(megabytes: int) -> Html:
    return Html(
        f"🎙 That file is too big for me to fetch: Telegram lets a bot download up to "
        f"{megabytes} MB. A voice message of a few minutes is far smaller."
    )


def voice_heard(transcript: str) -> Html:
    """The transcript, shown as heard, before it becomes a note."""
    return Html(f"🎙 I heard: <i>{esc(transcript)}</i>")


def _minutes(seconds: int) -> str:
    minutes, rest = divmod(max(0, seconds), 60)
    if not minutes:
        return f"{rest} s"
    return f"{minutes} min {rest:02d} s" if rest else f"{minutes} min"
