"""reports/render.py: renders run in a worker process, their failures reach the caller without
their words in the logs, and without a pool they run in a thread; a render asked for while the
pool shuts down is refused by name, and those it took finish."""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import warnings
from concurrent.futures import ThreadPoolExecutor
from typing import ClassVar

import pytest

from reports import render as render_module
from reports.render import render
from workers import Pool, PoolClosed

SECRET = "sciatica after the fall"


def fails() -> None:  # module-level: a worker imports it by name
    raise ValueError(SECRET)


def log_levels() -> tuple[dict[str, int], str]:
    """The render libraries' log levels here, and where the warnings module's go."""
    levels = {name: logging.getLogger(name).level for name in render_module.RENDER_LOG_FLOORS}
    return levels, warnings.showwarning.__module__


async def test_a_render_runs_in_another_process():
    assert await render(os.getpid) != os.getpid()


async def test_a_worker_keeps_what_the_render_libraries_say_to_themselves():
    levels, warnings_to = await render(log_levels)
    assert levels == render_module.RENDER_LOG_FLOORS
    assert warnings_to == "logging"  # to py.warnings, which lets only errors through


async def test_a_failure_in_the_worker_reaches_the_caller_without_its_words_in_the_logs(caplog):
    caplog.set_level(logging.DEBUG)
    with pytest.raises(ValueError, match="sciatica") as raised:  # its words reach the caller
        await render(fails)
    assert raised.value.__cause__ is None  # the worker's traceback text is not carried along
    assert "ValueError" in caplog.text
    assert SECRET not in caplog.text


async def test_thread_mode_renders_in_this_process(monkeypatch):
    monkeypatch.setenv(render_module.MODE_VARIABLE, "thread")
    assert await render(os.getpid) == os.getpid()


async def test_without_a_pool_it_renders_in_a_thread_with_one_warning(monkeypatch, caplog):
    def no_pool(**_: object) -> None:
        raise OSError(38, "Function not implemented: /dev/shm")

    pool = Pool(
        "render",
        workers=render_module.workers,
        max_tasks_per_child=1,
        initializer=render_module.quiet_worker,
        mode_variable=render_module.MODE_VARIABLE,
        log=render_module.log,
    )
    pool.executor_type = no_pool  # type: ignore[assignment]
    monkeypatch.setattr(render_module, "POOL", pool)
    caplog.set_level(logging.WARNING)
    assert await render(os.getpid) == os.getpid()
    assert await render(os.getpid) == os.getpid()
    warnings = [r for r in caplog.records if r.name == "reports.render"]
    assert len(warnings) == 1
    assert "/dev/shm" not in caplog.text


def test_renders_and_transcriptions_share_one_pool_type():
    from speech import pool as speech_pool

    assert type(render_module.POOL) is type(speech_pool.POOL) is Pool
    assert render_module.POOL is not speech_pool.POOL  # each its own workers


class HeldExecutor(ThreadPoolExecutor):
    """Stands in for the process pool: one worker, a thread; `shutdown` says when it begins
    and with what, so a test can act while the pool is shutting down."""

    made: ClassVar[list[HeldExecutor]] = []

    def __init__(self, *, max_workers: int, **_: object) -> None:
        super().__init__(max_workers=1)
        self.shutting_down = threading.Event()
        self.cancel_futures: bool | None = None
        HeldExecutor.made.append(self)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.cancel_futures = cancel_futures
        self.shutting_down.set()
        super().shutdown(wait=wait, cancel_futures=cancel_futures)


def held_pool() -> Pool:
    pool = Pool(
        "render",
        workers=lambda: 1,
        max_tasks_per_child=1,
        initializer=render_module.quiet_worker,
        mode_variable=render_module.MODE_VARIABLE,
        log=render_module.log,
    )
    pool.executor_type = HeldExecutor  # type: ignore[assignment]
    return pool


def held_until(started: threading.Event, release: threading.Event, value: str) -> str:
    started.set()
    assert release.wait(WAIT)
    return value


WAIT = 30  # seconds: a bound on a wait that fails the test rather than hang it, never a pause


def test_a_job_asked_for_while_the_pool_shuts_down_is_refused_and_the_taken_ones_finish():
    HeldExecutor.made.clear()
    pool = held_pool()
    started, release = threading.Event(), threading.Event()

    async def stopping() -> tuple[str, str]:
        running = asyncio.create_task(pool.run(held_until, started, release, "running"))
        queued = asyncio.create_task(pool.run(str.upper, "queued"))  # behind it, not started
        # Both tasks hand their job over at their first step, before this wait can end.
        assert await asyncio.to_thread(started.wait, WAIT)
        shutting = asyncio.create_task(pool.shutdown())
        [executor] = HeldExecutor.made
        # The pool is shutting down, waiting for the running job.
        assert await asyncio.to_thread(executor.shutting_down.wait, WAIT)
        with pytest.raises(PoolClosed):
            await pool.run(str.upper, "during")
        assert not shutting.done()
        release.set()
        await shutting
        with pytest.raises(PoolClosed):  # and after, as the bot stops
            await pool.run(str.upper, "after")
        assert executor.cancel_futures is False
        return await running, await queued

    try:
        assert asyncio.run(stopping()) == ("running", "QUEUED")
    finally:
        release.set()  # a failure above must not leave the worker thread waiting
    assert len(HeldExecutor.made) == 1  # no pool was started as it stopped
    # The next start in this process (another event loop) has a pool again.
    assert asyncio.run(pool.run(str.upper, "next")) == "NEXT"
    assert len(HeldExecutor.made) == 2


async def test_a_bot_starting_again_on_the_same_loop_has_its_pool_again():
    HeldExecutor.made.clear()
    pool = held_pool()
    await pool.shutdown()  # nothing was started: nothing to stop, but it is closed
    with pytest.raises(PoolClosed):
        await pool.run(str.upper, "closed")
    pool.reopen()
    assert await pool.run(str.upper, "open") == "OPEN"
    await pool.shutdown()
