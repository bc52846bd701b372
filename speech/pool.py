"""Transcription in worker processes, beside the event loop: `await transcribe(data, spec)`.

Decoding and recognising a minute of speech takes seconds of CPU; in a worker process it
holds no lock the bot needs, so other therapists' taps and messages go on while it runs. The
pool is workers.Pool, the render pool's own type (started on first use, "spawn" workers each
replaced after MAX_TASKS_PER_CHILD recordings, a thread when no process can be started or a
worker died). Here are what is the recordings' own: one worker (the machine's other core
stays the bot's); at most MAX_WAITING recordings in hand, one more refused (`Busy`) at once
rather than queued for minutes; AFTERCARE_SPEECH=thread to run them in a thread.

The recording and its words never reach a log: the worker sets PocketSphinx's own logging to
fatal errors only, and a failure reaches the caller as its type alone.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from speech.spec import AudioError, EngineSpec, EngineUnavailable
from workers import Pool

__all__ = [
    "MAX_SECONDS",
    "MAX_WAITING",
    "Busy",
    "Transcript",
    "reopen",
    "shutdown",
    "transcribe",
    "transcribe_here",
]

log = logging.getLogger(__name__)

MAX_SECONDS = 180.0  # three minutes of speech: a note, not a dictated letter
MAX_WAITING = 4  # recordings in hand at once (one being transcribed, the rest waiting)
MAX_TASKS_PER_CHILD = 100
MODE_VARIABLE = "AFTERCARE_SPEECH"

_in_hand = 0


class Busy(Exception):
    """MAX_WAITING recordings are already in hand: this one is refused, not queued."""


@dataclass(frozen=True)
class Transcript:
    text: str
    audio_seconds: float
    work_seconds: float  # decoding and recognition, in the worker (not the engine's build)

    @property
    def real_time_factor(self) -> float:
        return self.work_seconds / self.audio_seconds if self.audio_seconds else 0.0


def quiet_worker() -> None:
    """Run in each worker as it starts: nothing it hears goes to its stderr."""
    logging.captureWarnings(True)
    logging.getLogger("py.warnings").setLevel(logging.ERROR)
    try:
        import pocketsphinx

        pocketsphinx.set_loglevel("FATAL")
    except ImportError:  # whisper alone
        pass


def transcribe_here(data: bytes, spec: EngineSpec, max_seconds: float = MAX_SECONDS) -> Transcript:
    """The work itself, in whichever process calls it (a worker, or a benchmark). The audio
    libraries and the engine are imported here, where they are used (speech/spec.py)."""
    from speech.audio import decode, has_sound
    from speech.engines import engine_for

    started = time.perf_counter()
    samples = decode(data, max_seconds=max_seconds)
    work = time.perf_counter() - started
    text = ""
    if has_sound(samples):
        engine = engine_for(spec)  # built once per process: not this recording's time
        started = time.perf_counter()
        text = engine.transcribe(samples)
        work += time.perf_counter() - started
    return Transcript(
        text=" ".join(text.split()),
        audio_seconds=len(samples) / 16_000,
        work_seconds=work,
    )


POOL = Pool(
    "transcription",
    workers=lambda: 1,
    max_tasks_per_child=MAX_TASKS_PER_CHILD,
    initializer=quiet_worker,
    mode_variable=MODE_VARIABLE,
    log=log,
    expected=(AudioError, EngineUnavailable),
)


async def transcribe(
    data: bytes, spec: EngineSpec, *, max_seconds: float = MAX_SECONDS
) -> Transcript:
    """The words of a recording (any format speech.audio reads), off the event loop.

    Raises Busy at once when MAX_WAITING recordings are in hand, TooLong or Undecodable for a
    recording that cannot be transcribed, EngineUnavailable when the engine cannot run here.
    """
    global _in_hand
    if _in_hand >= MAX_WAITING:
        raise Busy
    _in_hand += 1
    try:
        return await POOL.run(transcribe_here, data, spec, max_seconds)
    finally:
        _in_hand -= 1


def reopen() -> None:
    """The bot is starting: transcriptions are taken again after an earlier run's shutdown."""
    POOL.reopen()


async def shutdown() -> None:
    """Stop the worker (the bot is stopping), the recordings it has taken done first; a
    transcription from then on, on this event loop, is refused (workers.PoolClosed)."""
    await POOL.shutdown()
