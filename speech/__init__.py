"""A recording becomes words: offline, on this machine, in a worker process.

`transcribe(data, EngineSpec(...))` (speech/pool.py) reads a voice message or an audio file in
memory (speech/audio.py), recognises it with the configured engine (speech/engines.py), told
the note's vocabulary and the therapist's client names (speech/vocabulary.py). No Telegram and
no database here: the bot hands in bytes and names, and gets text back.
"""

from speech.pool import MAX_SECONDS, Busy, Transcript, reopen, shutdown, transcribe
from speech.spec import (
    ADAPTATIONS,
    ENGINES,
    LOADED_ON_FIRST_USE,
    AudioError,
    EngineSpec,
    EngineUnavailable,
    TooLong,
    Undecodable,
)

__all__ = [
    "ADAPTATIONS",
    "ENGINES",
    "LOADED_ON_FIRST_USE",
    "MAX_SECONDS",
    "AudioError",
    "Busy",
    "EngineSpec",
    "EngineUnavailable",
    "TooLong",
    "Transcript",
    "Undecodable",
    "reopen",
    "shutdown",
    "transcribe",
]
