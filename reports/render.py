"""Rendering in a pool of worker processes: `await render(fn, *args)`.

A chart or a PDF takes a few hundred milliseconds of CPU. In a thread it still holds the
interpreter's lock, so another therapist's tap waits for it; in a worker process it does not.
`fn` must be a module-level function and its arguments picklable (the dataclasses of
`reports.data` are); `reports.jobs` holds the renders the bot sends.

The pool is started on first use (a test that renders nothing pays nothing), shared by the
process, and shut down by `shutdown()` when the bot stops. Workers are started with "spawn"
(never fork: the parent has threads and an event loop) and replaced after MAX_TASKS_PER_CHILD
renders, so a leak in a library stays bounded. When no pool can be started (a sandbox without
/dev/shm), or a worker died, the render runs in a thread and one warning says so.
AFTERCARE_RENDER=thread renders in threads throughout (the benchmark compares the two).

Health details never go into logs: a failed render is logged by its type alone, and the
exception reaches the caller without the worker's traceback text (which quotes the message).
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

from practice.redact import error_type

log = logging.getLogger(__name__)

T = TypeVar("T")

MAX_TASKS_PER_CHILD = 50
MODE_VARIABLE = "AFTERCARE_RENDER"

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_unavailable = False  # the pool could not be started: threads from then on
_warned = False


# What the render libraries may log, in the bot's process (bot/runtime/logs.py) and in each
# worker (a spawned process does not inherit it): fontTools lists the glyphs it keeps (a name's
# letters) at INFO, fpdf2 names the characters a face lacks in its warnings, matplotlib's font
# manager is chatty at DEBUG; the warnings module's go to the log, and no further.
RENDER_LOG_FLOORS: dict[str, int] = {
    "fontTools": logging.ERROR,
    "fpdf": logging.ERROR,
    "matplotlib": logging.WARNING,
    "PIL": logging.WARNING,
    "py.warnings": logging.ERROR,
}


def quiet_worker() -> None:
    """Run in each worker as it starts: nothing of what it renders goes to its stderr."""
    logging.captureWarnings(True)
    for name, floor in RENDER_LOG_FLOORS.items():
        logging.getLogger(name).setLevel(floor)


def workers() -> int:
    return max(1, min(2, os.cpu_count() or 1))


def in_threads() -> bool:
    return os.environ.get(MODE_VARIABLE, "").strip().lower() == "thread"


def _warn_once(what: str) -> None:
    global _warned
    if not _warned:
        _warned = True
        log.warning("rendering in a thread: %s", what)


def _get_pool() -> ProcessPoolExecutor | None:
    global _pool, _unavailable
    with _lock:
        if _pool is None and not _unavailable:
            try:
                _pool = ProcessPoolExecutor(
                    max_workers=workers(),
                    mp_context=multiprocessing.get_context("spawn"),
                    max_tasks_per_child=MAX_TASKS_PER_CHILD,
                    initializer=quiet_worker,
                )
            except (OSError, ImportError, NotImplementedError, ValueError) as exc:
                _unavailable = True
                _warn_once(f"no worker processes ({error_type(exc)})")
        return _pool


def _discard(pool: ProcessPoolExecutor) -> None:
    """A pool whose worker died is broken for good: the next render starts a new one."""
    global _pool
    with _lock:
        if _pool is pool:
            _pool = None
    pool.shutdown(wait=False, cancel_futures=True)


async def render(fn: Callable[..., T], *args: object) -> T:
    """`fn(*args)` in a worker process (or a thread, see above), awaited without blocking."""
    pool = None if in_threads() else _get_pool()
    if pool is None:
        return await asyncio.to_thread(fn, *args)
    loop = asyncio.get_running_loop()
    try:
        future = loop.run_in_executor(pool, fn, *args)
    except (RuntimeError, BrokenProcessPool) as exc:  # shut down or broken under us
        _discard(pool)
        _warn_once(f"the pool would not take it ({error_type(exc)})")
        return await asyncio.to_thread(fn, *args)
    try:
        return await future
    except BrokenProcessPool:
        _discard(pool)
        _warn_once("a worker process died")
        return await asyncio.to_thread(fn, *args)
    except Exception as exc:
        # The worker's traceback comes as the cause, as text that quotes the message: dropped.
        log.warning("a render failed: %s", type(exc).__name__)
        raise exc.with_traceback(None) from None


def shutdown() -> None:
    """Stop the workers (the bot is stopping); a later render starts a new pool."""
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)
