"""reports/render.py: renders run in a worker process, their failures reach the caller without
their words in the logs, and without a pool they run in a thread."""

from __future__ import annotations

import logging
import os
import warnings

import pytest

from reports import render as render_module
from reports.render import render
from workers import Pool

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
