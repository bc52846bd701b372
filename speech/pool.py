"""Transcription in worker processes, beside the event loop: `await transcribe(data, spec)`.

Decoding and recognising a minute of speech takes seconds of CPU; in a worker process it
holds no lock the bot needs, so other therapists' taps and messages go on while it runs. The
pool is the render pool's sibling (reports/render.py; speech/ sits beside reports/, not
above it): started on first use, "spawn" workers, each replaced after MAX_TASKS_PER_CHILD
recordings, a broken pool replaced by a new one. It has one worker: the machine's other
core stays the bot's. At most MAX_WAITING recordings wait for it; one more is refused
(`Busy`) at once, rather than queued for minutes. AFTERCARE_SPEECH=thread runs them in a
thread (where no process can be started).

The recording and its words never reach a log: the worker sets PocketSphinx's own logging to
fatal errors only, and a failure reaches the caller as its type alone.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from practice.redact import error_type
from speech.spec import AudioError, EngineSpec, EngineUnavailable

__all__ = [
    "MAX_SECONDS",
    "MAX_WAITING",
    "Busy",
    "Transcript",
    "shutdown",
    "transcribe",
    "transcribe_here",
]

log = logging.getLogger(__name__)

MAX_SECONDS = 180.0  # three minutes of speech: a note, not a dictated letter
MAX_WAITING = 4  # recordings in hand at once (one being transcribed, the rest waiting)
MAX_TASKS_PER_CHILD = 100
MODE_VARIABLE = "AFTERCARE_SPEECH"

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_unavailable = False
_in_hand = 0


class Busy(Exception):
    """MAX_WAITING recordings are already in hand: this one is refused, not queued."""


@dataclass(frozen=True)
class Transcript:
    text: str
    audio_seconds: float
    work_seconds: float  # decoding and recognition, in the worker

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
    text = engine_for(spec).transcribe(samples) if has_sound(samples) else ""
    return Transcript(
        text=" ".join(text.split()),
        audio_seconds=len(samples) / 16_000,
        work_seconds=time.perf_counter() - started,
    )


def in_threads() -> bool:
    return os.environ.get(MODE_VARIABLE, "").strip().lower() == "thread"


def _get_pool() -> ProcessPoolExecutor | None:
    global _pool, _unavailable
    with _lock:
        if _pool is None and not _unavailable:
            try:
                _pool = ProcessPoolExecutor(
                    max_workers=1,
                    mp_context=multiprocessing.get_context("spawn"),
                    max_tasks_per_child=MAX_TASKS_PER_CHILD,
                    initializer=quiet_worker,
                )
            except (OSError, ImportError, NotImplementedError, ValueError) as exc:
                _unavailable = True
                log.warning("transcribing in a thread: no worker process (%s)", error_type(exc))
        return _pool


def _discard(pool: ProcessPoolExecutor) -> None:
    global _pool
    with _lock:
        if _pool is pool:
            _pool = None
    pool.shutdown(wait=False, cancel_futures=True)


async def _run(data: bytes, spec: EngineSpec, max_seconds: float) -> Transcript:
    pool = None if in_threads() else _get_pool()
    if pool is None:
        return await asyncio.to_thread(transcribe_here, data, spec, max_seconds)
    loop = asyncio.get_running_loop()
    try:
        future = loop.run_in_executor(pool, transcribe_here, data, spec, max_seconds)
    except (RuntimeError, BrokenProcessPool) as exc:
        _discard(pool)
        log.warning("transcribing in a thread: the pool would not take it (%s)", error_type(exc))
        return await asyncio.to_thread(transcribe_here, data, spec, max_seconds)
    try:
        return await future
    except BrokenProcessPool:
        _discard(pool)
        log.warning("transcribing in a thread: a worker process died")
        return await asyncio.to_thread(transcribe_here, data, spec, max_seconds)


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
        return await _run(data, spec, max_seconds)
    except (AudioError, EngineUnavailable):
        raise
    except Exception as exc:
        # A worker's traceback arrives as text that may quote the recording's words: dropped.
        log.warning("a transcription failed: %s", type(exc).__name__)
        raise exc.with_traceback(None) from None
    finally:
        _in_hand -= 1


def shutdown() -> None:
    """Stop the worker (the bot is stopping); a later transcription starts a new one."""
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)
