"""What the bot's own process needs of speech/: which engine to ask for, and how a recording
can fail. Nothing here imports numpy or the audio libraries: they are loaded where recordings
are decoded (speech/audio.py, speech/engines.py), in the worker process."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "ADAPTATIONS",
    "ENGINES",
    "LOADED_ON_FIRST_USE",
    "AudioError",
    "EngineSpec",
    "EngineUnavailable",
    "TooLong",
    "Undecodable",
]

# Imported on the first recording (in the worker, or its thread), not with the bot: numpy and
# the audio libraries are about 20 MB. Their presence is checked at start instead
# (bot/runtime/libraries.py). The engines' own packages (pocketsphinx, faster-whisper) are
# answered at use with EngineUnavailable, which the bot words for the therapist.
LOADED_ON_FIRST_USE = ("numpy", "soundfile", "soxr")

EngineName = Literal["pocketsphinx", "whisper"]
Adaptation = Literal["lm", "jsgf", "keywords", "plain"]
ENGINES: tuple[EngineName, ...] = ("pocketsphinx", "whisper")
ADAPTATIONS: tuple[Adaptation, ...] = ("lm", "jsgf", "keywords", "plain")


class EngineUnavailable(Exception):
    """The configured engine cannot run here (its package or model files are missing)."""


@dataclass(frozen=True)
class EngineSpec:
    """Which engine, told what: picklable, so a worker process builds the engine itself."""

    engine: EngineName = "pocketsphinx"
    adaptation: Adaptation = "lm"
    names: tuple[str, ...] = ()
    model_dir: str | None = None


class AudioError(Exception):
    """A recording that cannot be transcribed; the subclass says why."""


class Undecodable(AudioError):
    """Not audio libsndfile can read (an M4A from an iPhone's recorder, a damaged file)."""


class TooLong(AudioError):
    def __init__(self, seconds: float, limit: float) -> None:
        super().__init__(f"{seconds:.0f} s of audio, over the limit of {limit:.0f} s")
        self.seconds = seconds
        self.limit = limit
