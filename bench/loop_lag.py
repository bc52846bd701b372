"""What holds the event loop while the morning digest is built: lag, SQL time, and who.

    .venv/bin/python bench/loop_lag.py [--scale 0.25] [--repeat 5]

The busy practice of bench/practice.py (generated and cached there; --scale 0.25 is 500
clients, Maya has 300 of them) and the real bot against the emulator, in this process. Maya
sends /note with nothing else going on ("quiet"), then while her digest is being claimed,
built and sent ("digest"), --repeat times each. Meanwhile:
- a ticker wakes every TICK seconds and records how late it woke: the loop's lag (the
  emulator and the bot share the loop, so a lag is a lag of both);
- every SQL statement's time is added to the asyncio task that ran it (a transaction's time,
  begin to commit, too), so the dispatcher's and the /note handler's share can be read apart;
- each step the loop runs (a task resumed, a callback) is timed in the loop thread's CPU
  time (not the machine's noise), charged to its task;
- a watchdog thread looks at the loop's thread whenever one step has run for STALL seconds
  and counts where it is (the innermost function of Aftercare's own code): a sampled
  profile of what holds the loop, by task.
Medians, 90th percentiles and maxima are printed per window. A shared 2-core machine is
noisy: compare the windows of one run, not runs.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import re
import statistics
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402

from bench.busy_practice import MAYA, NOW  # noqa: E402
from bench.practice import _digest_due, practice_file  # noqa: E402
from demo.offline import OfflineBot, offline_bot  # noqa: E402
from emulator import Phone  # noqa: E402
from practice.clock import FrozenClock  # noqa: E402
from storage.repositories import records  # noqa: E402

TICK = 0.002  # the ticker's period
STALL = 0.002  # a step of the loop this long: the watchdog looks at where it is
SAMPLE = 0.001  # how often it looks
QUIET, BEFORE, DIGEST = "quiet", "digest, its statement built anew (before)", "digest"


class Probe:
    """The ticker, the SQL timer and the watchdog; `window(name)` labels what they record."""

    def __init__(self) -> None:
        self.window: str | None = None
        self.lags: dict[str, list[float]] = defaultdict(list)
        self.sql: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        self.transactions: dict[str, dict[str, list[float]]] = defaultdict(
            lambda: defaultdict(list)
        )
        self.where: dict[str, Counter[str]] = defaultdict(Counter)
        self._last_tick = time.perf_counter()
        self.stall = STALL
        self._loop_thread = threading.get_ident()
        self._stop = threading.Event()
        self._began: dict[int, float] = {}
        self._wrote: dict[int, float] = {}
        self.write_held: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
        self.on_loop: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        self.longest_step: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        self.step: tuple[str, float] | None = None  # the task the loop runs, since when

    def time_steps(self) -> None:
        """Each callback the loop runs timed, and charged to its task: the loop's own time
        (Python on the loop thread, not SQL in aiosqlite's thread), by task."""
        run = asyncio.events.Handle._run
        probe = self

        def timed(handle: asyncio.events.Handle) -> None:
            owner = getattr(handle._callback, "__self__", None)  # type: ignore[attr-defined]
            name = _name(owner) if isinstance(owner, asyncio.Task) else "(callbacks)"
            probe.step = (name, time.perf_counter())
            started = time.thread_time()  # CPU time of the loop's thread: not the machine's noise
            try:
                run(handle)
            finally:
                probe.step = None
                if probe.window is not None:
                    took = time.thread_time() - started
                    probe.on_loop[probe.window][name] += took
                    longest = probe.longest_step[probe.window]
                    longest[name] = max(longest[name], took)

        asyncio.events.Handle._run = timed  # type: ignore[method-assign]

    @contextmanager
    def labelled(self, name: str) -> Iterator[None]:
        self.window = name
        try:
            yield
        finally:
            self.window = None

    async def tick(self) -> None:
        while True:
            expected = time.perf_counter() + TICK
            await asyncio.sleep(TICK)
            now = time.perf_counter()
            self._last_tick = now
            if self.window is not None:
                self.lags[self.window].append(now - expected)

    def watch(self) -> None:
        """In a thread: where a step of the loop is when it has run for STALL or longer."""
        while not self._stop.wait(SAMPLE):
            step, window = self.step, self.window
            if window is None or step is None or time.perf_counter() - step[1] < self.stall:
                continue
            frame = sys._current_frames().get(self._loop_thread)
            if frame is None:
                continue
            stack = traceback.extract_stack(frame)
            ours = [f for f in stack if _is_ours(f.filename)]
            inner = ours[-1] if ours else stack[-1]
            self.where[window][f"{step[0]}: {_short(inner.filename)} {inner.name}"] += 1

    def stop(self) -> None:
        self._stop.set()

    # --- SQL, by task ---------------------------------------------------------------------

    def listen(self, engine: Any) -> None:
        started: dict[int, float] = {}

        @event.listens_for(engine, "before_cursor_execute")
        def before(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
            now = time.perf_counter()
            started[id(cursor)] = now
            if statement.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE"):
                self._wrote.setdefault(id(conn), now)  # SQLite's write lock from here

        @event.listens_for(engine, "after_cursor_execute")
        def after(conn: Any, cursor: Any, *_: Any) -> None:
            began = started.pop(id(cursor), None)
            if began is not None and self.window is not None:
                self.sql[self.window][_task()] += time.perf_counter() - began

        @event.listens_for(engine, "begin")
        def begin(conn: Any) -> None:
            self._began[id(conn)] = time.perf_counter()

        def end(conn: Any) -> None:
            now = time.perf_counter()
            began = self._began.pop(id(conn), None)
            wrote = self._wrote.pop(id(conn), None)
            if began is not None and self.window is not None:
                self.transactions[self.window][_task()].append(now - began)
            if wrote is not None and self.window is not None:
                self.write_held[self.window][_task()].append(now - wrote)

        event.listen(engine, "commit", end)
        event.listen(engine, "rollback", end)


def _task() -> str:
    try:
        task = asyncio.current_task()
    except RuntimeError:
        return "(no task)"
    return _name(task) if task is not None else "(no task)"


def _name(task: asyncio.Task[Any]) -> str:
    """The task's name, or its coroutine's when it has none of its own ("Task-12")."""
    name = task.get_name()
    if name.startswith("Task-"):
        name = getattr(task.get_coro(), "__qualname__", name)
    return re.sub(r"\d+", "#", name)[:60]


def _is_ours(filename: str) -> bool:
    return filename.startswith(_ROOT) and not filename.startswith(_NOT_OURS)


_ROOT = f"{ROOT}/"
_NOT_OURS = (f"{ROOT}/.venv/", f"{ROOT}/bench/")


def _short(filename: str) -> str:
    path = Path(filename)
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        parts = path.parts
        inside = (
            parts[parts.index("site-packages") + 1 :] if "site-packages" in parts else parts[-2:]
        )
        return "/".join(inside)


async def _note(maya: Phone) -> float:
    started = time.perf_counter()
    await maya.send("/note", timeout=120)
    took = time.perf_counter() - started
    await maya.send("/cancel")
    return took


@contextmanager
def statements_built_anew() -> Iterator[None]:
    """As before the digest's homework statement was built once: anew at each call."""
    cached = records._homework_totals
    records._homework_totals = cached.__wrapped__  # type: ignore[assignment]
    try:
        yield
    finally:
        records._homework_totals = cached


async def _digest(bot: OfflineBot, maya: Phone, probe: Probe, window: str) -> tuple[float, float]:
    """/note while the digest is built, and the digest from due to delivered."""
    await _digest_due(bot)
    before = maya.last_message_id
    with probe.labelled(window):
        started = time.perf_counter()
        sending = asyncio.create_task(bot.dispatch(), name="digest dispatch")
        await asyncio.sleep(0.01)  # the dispatcher has claimed and is building it
        note = await _note(maya)
        await sending
        await maya.wait_for_message(lambda m: m.text.startswith("☀️"), since=before, timeout=120)
        digest = time.perf_counter() - started
    await maya.send("/cancel")
    bot.clock.advance(timedelta(seconds=1))  # type: ignore[attr-defined]
    return note, digest


async def run(bot: OfflineBot, maya: Phone, probe: Probe, repeat: int) -> dict[str, list[float]]:
    """The windows taken in turn, `repeat` rounds, so that the machine's drift falls on each."""
    notes: dict[str, list[float]] = defaultdict(list)
    await _digest(bot, maya, probe, "warm-up")  # the first digest compiles its statements
    for _ in range(repeat):
        with probe.labelled(QUIET):
            notes[QUIET].append(await _note(maya))
        for window in (BEFORE, DIGEST):
            with statements_built_anew() if window == BEFORE else contextlib.nullcontext():
                note, digest = await _digest(bot, maya, probe, window)
            notes[window].append(note)
            notes[f"{window}: end to end"].append(digest)
    return notes


def _ms(values: list[float]) -> str:
    if not values:
        return "—"
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))]
    return (
        f"median {statistics.median(ordered) * 1000:7.2f} ms, p90 {p90 * 1000:7.2f} ms, "
        f"max {ordered[-1] * 1000:7.1f} ms (n={len(ordered)})"
    )


async def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.25, help="1 = 2,000 clients")
    parser.add_argument("--repeat", type=int, default=5, help="/note tries per window")
    parser.add_argument(
        "--stall", type=float, default=STALL * 1000, help="ms a step runs before it is looked at"
    )
    args = parser.parse_args(argv)
    path, made = await practice_file(args.scale, fresh=False)
    print(f"{made.shape.clients} clients ({made.maya_clients} Maya's), {made.shape.notes} notes")
    probe = Probe()
    probe.stall = args.stall / 1000
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "practice.db"
        db.write_bytes(path.read_bytes())
        async with offline_bot(
            f"sqlite+aiosqlite:///{db}",
            therapist_ids=frozenset({MAYA}),
            clock=FrozenClock(NOW),
            timezone="Europe/London",
            read_timeout=30.0,
        ) as bot:
            probe.listen(bot.application.bot_data["services"].db.engine.sync_engine)
            maya = bot.emulator.user(id=MAYA, first_name="Maya")
            await maya.send("/start")
            probe.time_steps()
            ticker = asyncio.create_task(probe.tick(), name="ticker")
            watchdog = threading.Thread(target=probe.watch, daemon=True)
            watchdog.start()
            try:
                notes = await run(bot, maya, probe, args.repeat)
            finally:
                probe.stop()
                ticker.cancel()
    print("(a shared, noisy machine: compare the windows of this run, not runs)")
    for window in (QUIET, BEFORE, DIGEST):
        print(f"\n== {window}")
        print(f"/note           {_ms(notes[window])}")
        if window != QUIET:
            print(f"digest          {_ms(notes[f'{window}: end to end'])}")
        print(f"loop lag        {_ms(probe.lags[window])}")
        for task, seconds in sorted(probe.sql[window].items(), key=lambda kv: -kv[1]):
            spans = probe.transactions[window].get(task, [])
            held = probe.write_held[window].get(task, [])
            print(
                f"SQL  {seconds / args.repeat * 1000:8.1f} ms per try  {task}"
                f"  ({len(spans)} transactions, longest {max(spans, default=0) * 1000:.1f} ms;"
                f" write lock held longest {max(held, default=0) * 1000:.1f} ms)"
            )
        busiest = sorted(probe.on_loop[window].items(), key=lambda kv: -kv[1])[:5]
        for task, seconds in busiest:
            print(
                f"loop {seconds / args.repeat * 1000:8.1f} ms CPU per try  {task}"
                f"  (longest step {probe.longest_step[window][task] * 1000:.1f} ms)"
            )
        stalls = probe.where[window]
        if stalls:
            print(
                f"steps of {probe.stall * 1000:g} ms or longer caught at ({sum(stalls.values())}"
                f" looks, one per {SAMPLE * 1000:g} ms):"
            )
            for place, count in stalls.most_common(8):
                print(f"  {count:5d}  {place}")
    quiet = statistics.median(notes[QUIET])
    print()
    for window in (BEFORE, DIGEST):
        ratio = statistics.median(notes[window]) / quiet
        print(f"/note during {window} vs quiet (medians): {ratio:.2f}×")


if __name__ == "__main__":
    asyncio.run(main())
