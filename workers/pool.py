"""A pool of worker processes, started on first use: `await pool.run(fn, *args)`.

In a thread, CPU-bound work still holds the interpreter's lock, so another therapist's tap
waits for it; in a worker process it does not. `fn` must be a module-level function and its
arguments picklable.

- Started on first use (a test that renders or hears nothing pays nothing), shared by the
  process, stopped by `await shutdown()` when the bot stops. Jobs already taken finish first;
  one asked for from then on, on the event loop that shut it down, is refused with
  `PoolClosed` (the bot answers "restarting"), never started on a new pool as the bot stops;
  until `reopen()` (the bot starting again in this process) or the first job on another
  event loop (the next test), which starts a new pool.
- A job is taken under the pool's own lock, the same lock `shutdown` takes the executor away
  under, so a job is either taken by the executor being shut down (and finishes) or refused:
  it never meets concurrent.futures' "cannot schedule new futures after shutdown".
- Workers are started with "spawn" (never fork: the parent has threads and an event loop)
  and replaced after `max_tasks_per_child` tasks, so a leak in a library stays bounded.
- When no pool can be started (a sandbox without /dev/shm), or a worker died, the work runs
  in a thread, and one warning says so. The environment variable `mode_variable` set to
  "thread" runs everything in threads (a benchmark compares the two).
- Health details never go into logs: a failure is logged by its type alone (unless it is one
  of the caller's `expected` kinds, which the caller answers), and the exception reaches the
  caller without the worker's traceback text, which may quote what was being worked on.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import threading
import weakref
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

from practice.redact import error_type

__all__ = ["Pool", "PoolClosed"]

T = TypeVar("T")


class PoolClosed(Exception):
    """The pool was shut down (the bot is stopping): the job is refused, not run."""


class Pool:
    def __init__(
        self,
        what: str,
        *,
        workers: Callable[[], int],
        max_tasks_per_child: int,
        initializer: Callable[[], None],
        mode_variable: str,
        log: logging.Logger,
        expected: tuple[type[BaseException], ...] = (),
    ) -> None:
        self.what = what  # "render", "transcription": how the log names a task
        self.workers = workers
        self.max_tasks_per_child = max_tasks_per_child
        self.initializer = initializer
        self.mode_variable = mode_variable
        self.log = log
        self.expected = expected
        self._lock = threading.Lock()
        self._executor: ProcessPoolExecutor | None = None
        # The event loop that shut the pool down: on it, every job from then on is refused.
        self._closed_on: weakref.ref[asyncio.AbstractEventLoop] | None = None
        self._unavailable = False  # no pool could be started: threads from then on
        self._warned = False
        # What starts the executor; a test stands in a failing one.
        self.executor_type: Callable[..., ProcessPoolExecutor] = ProcessPoolExecutor

    def in_threads(self) -> bool:
        return os.environ.get(self.mode_variable, "").strip().lower() == "thread"

    def _warn_once(self, why: str) -> None:
        if not self._warned:
            self._warned = True
            self.log.warning("running each %s in a thread: %s", self.what, why)

    def _start(self) -> ProcessPoolExecutor | None:
        """The executor, started if need be; called under the lock."""
        if self._executor is None and not self._unavailable:
            try:
                self._executor = self.executor_type(
                    max_workers=self.workers(),
                    mp_context=multiprocessing.get_context("spawn"),
                    max_tasks_per_child=self.max_tasks_per_child,
                    initializer=self.initializer,
                )
            except (OSError, ImportError, NotImplementedError, ValueError) as exc:
                self._unavailable = True
                self._warn_once(f"no worker processes ({error_type(exc)})")
        return self._executor

    def _closed(self, loop: asyncio.AbstractEventLoop) -> bool:
        """Shut down on this loop; called under the lock. Shut down on another (a loop gone,
        a later start in this process), the pool is open again."""
        if self._closed_on is None:
            return False
        if self._closed_on() is loop:
            return True
        self._closed_on = None
        return False

    def _submit(
        self, loop: asyncio.AbstractEventLoop, fn: Callable[..., T], args: tuple[object, ...]
    ) -> tuple[ProcessPoolExecutor, Future[T]] | None:
        """The job handed to the executor, under the lock `shutdown` takes it away under;
        None: run it in a thread. Raises PoolClosed once the pool was shut down."""
        with self._lock:
            if self._closed(loop):
                raise PoolClosed
            if self.in_threads():
                return None
            executor = self._start()
            if executor is None:
                return None
            try:
                return executor, executor.submit(fn, *args)
            except BrokenProcessPool:  # a worker died since the last job: a new pool next time
                pass
            except RuntimeError:  # "cannot schedule new futures after interpreter shutdown"
                raise PoolClosed from None
        self._discard(executor)
        self._warn_once("a worker process died")
        return None

    def _discard(self, executor: ProcessPoolExecutor) -> None:
        """A pool whose worker died is broken for good: the next task starts a new one."""
        with self._lock:
            if self._executor is executor:
                self._executor = None
        executor.shutdown(wait=False, cancel_futures=True)

    async def _in_pool(self, fn: Callable[..., T], *args: object) -> T:
        taken = self._submit(asyncio.get_running_loop(), fn, args)
        if taken is None:
            return await asyncio.to_thread(fn, *args)
        executor, future = taken
        try:
            return await asyncio.wrap_future(future)
        except BrokenProcessPool:
            self._discard(executor)
            self._warn_once("a worker process died")
            return await asyncio.to_thread(fn, *args)

    async def run(self, fn: Callable[..., T], *args: object) -> T:
        """`fn(*args)` in a worker process (or a thread, see above), awaited without blocking."""
        try:
            return await self._in_pool(fn, *args)
        except PoolClosed:
            self.log.info("a %s refused: the pool is shut down", self.what)
            raise
        except Exception as exc:
            if not isinstance(exc, self.expected):
                self.log.warning("a %s failed: %s", self.what, type(exc).__name__)
            # The worker's traceback comes as the cause, as text that may quote the work.
            raise exc.with_traceback(None) from None

    def reopen(self) -> None:
        """The bot is starting (again): jobs are taken, by workers started on first use."""
        with self._lock:
            self._closed_on = None

    async def shutdown(self) -> None:
        """Stop the workers (the bot is stopping) once the jobs they have taken are done; from
        now on a job on this event loop is refused with PoolClosed."""
        with self._lock:
            self._closed_on = weakref.ref(asyncio.get_running_loop())
            executor, self._executor = self._executor, None
        if executor is not None:
            await asyncio.to_thread(executor.shutdown, wait=True, cancel_futures=False)
