"""A recording becomes words: offline, on this machine, in a worker process.

`transcribe(data, EngineSpec(...))` (speech/pool.py) reads a voice message or an audio file in
memory (speech/audio.py), recognises it with the configured engine (speech/engines.py), told
the note's vocabulary and the therapist's client names (speech/vocabulary.py). No Telegram and
no database here: the bot hands in bytes and names, and gets text back.
"""

from speech.audio import AudioError, TooLong, Undecodable
from speech.engines import ADAPTATIONS, ENGINES, EngineSpec, EngineUnavailable
from speech.pool import MAX_SECONDS, Busy, Transcript, shutdown, transcribe

__all__ = [
    "ADAPTATIONS",
    "ENGINES",
    "MAX_SECONDS",
    "AudioError",
    "Busy",
    "EngineSpec",
    "EngineUnavailable",
    "TooLong",
    "Transcript",
    "Undecodable",
    "shutdown",
    "transcribe",
]
