"""Rendering in a pool of worker processes: `await render(fn, *args)`.

A chart or a PDF takes a few hundred milliseconds of CPU. In a thread it still holds the
interpreter's lock, so another therapist's tap waits for it; in a worker process it does not.
`fn` must be a module-level function and its arguments picklable (the dataclasses of
`reports.data` are); `reports.jobs` holds the renders the bot sends.

The pool is workers.Pool (started on first use, "spawn" workers replaced after
MAX_TASKS_PER_CHILD renders, a thread when no process can be started, failures logged by
their type alone and raised without the worker's traceback, which quotes the message); here
are only what is the renders' own: two workers at most, the render libraries' log floors in
each worker, and AFTERCARE_RENDER=thread to render in threads throughout (the benchmark
compares the two).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import TypeVar

from workers import Pool

log = logging.getLogger(__name__)

T = TypeVar("T")

MAX_TASKS_PER_CHILD = 50
MODE_VARIABLE = "AFTERCARE_RENDER"


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


POOL = Pool(
    "render",
    workers=workers,
    max_tasks_per_child=MAX_TASKS_PER_CHILD,
    initializer=quiet_worker,
    mode_variable=MODE_VARIABLE,
    log=log,
)


async def render(fn: Callable[..., T], *args: object) -> T:
    """`fn(*args)` in a worker process (or a thread, see workers.Pool), awaited."""
    return await POOL.run(fn, *args)


def reopen() -> None:
    """The bot is starting: renders are taken again after an earlier run's shutdown."""
    POOL.reopen()


async def shutdown() -> None:
    """Stop the workers (the bot is stopping), the renders they have taken done first; a
    render from then on, on this event loop, is refused (workers.PoolClosed)."""
    await POOL.shutdown()
