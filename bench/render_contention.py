"""Therapist B's /clients while therapist A exports records in a loop: renders in worker
processes (reports/render.py) against renders in threads (AFTERCARE_RENDER=thread).

    .venv/bin/python bench/render_contention.py [--samples 60]

The bot runs as its own process (`python -m bot run`) against the Bot API emulator and a fresh
SQLite file, once per mode, in the same run. A has a client with three sessions and sends
/export again as soon as the last one is answered; B sends /clients every PACE seconds and the
time from handing it to the emulator until B's list arrives is measured (not until the update
is confirmed: the bot confirms only below the lowest update it holds, A's export). B idle (no
export running) is measured too, with the pool, as the floor. A thread holds the interpreter's
lock while matplotlib and fpdf work, so B waits; a worker process does not. Either way B also
waits for the bot's next getUpdates, which while A's export is in hand comes every
BUSY_POLL_SECONDS (bot/runtime/polling.py, 0.5 s) or when the export is done: that, not the
render, is most of B's median with the pool.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.latency import spawn  # noqa: E402
from demo.offline import DEMO_TOKEN  # noqa: E402
from emulator import BotApiEmulator, Phone  # noqa: E402

A, B = 1001, 1002
PACE = 0.1


async def note(phone: Phone, name: str, new: bool, before: str, after: str) -> None:
    await phone.send("/note")
    if new:
        await phone.tap("New client")
        await phone.send(name)
        labels: tuple[str, ...] = ("Neck", "Done", "Swedish", "Done", "Medium")
    else:
        labels = (name, "Done", "Done", "Medium")
    for label in (*labels, before, after, "Skip to", "Save"):
        await phone.tap(label)
    assert any(m.text.startswith("Saved") for m in phone.messages[-2:]), phone.last_text


async def measure(mode: str, samples: int, folder: Path) -> dict[str, float]:
    async with BotApiEmulator(token=DEMO_TOKEN) as emu:
        env = {"THERAPIST_IDS": f"{A},{B}", "AFTERCARE_RENDER": mode}
        process = await spawn(emu, ["-m", "bot", "run"], folder / f"{mode or 'pool'}.db", env)
        maya = emu.user(id=A, first_name="Maya")
        leo = emu.user(id=B, first_name="Leo")
        try:
            await note(maya, "Anna K.", True, "6", "3")
            for _ in range(2):  # three sessions: before the first decision point is asked
                await note(maya, "Anna K.", False, "6", "3")
            await note(leo, "Ben T.", True, "6", "3")
            await maya.send("/export Anna", timeout=120)  # warm-up: fonts, the first worker
            await leo.send("/clients")

            async def clients(count: int) -> list[float]:
                taken: list[float] = []
                for _ in range(count):
                    since = leo.last_message_id
                    started = time.perf_counter()
                    # Until B's list arrives, not until the update is confirmed: getUpdates
                    # confirms only below the lowest update in hand, which is A's export.
                    await leo.send("/clients", wait=False)
                    await leo.wait_for_message(since=since, timeout=120)
                    taken.append(time.perf_counter() - started)
                    await asyncio.sleep(PACE)
                return taken

            idle = await clients(samples // 2) if mode == "" else []
            exporting = True
            exports = 0

            async def export_loop() -> None:
                nonlocal exports
                while exporting:
                    await maya.send("/export Anna", timeout=120)
                    exports += 1

            loop = asyncio.create_task(export_loop())
            started = time.perf_counter()
            busy = await clients(samples)
            elapsed = time.perf_counter() - started
            exporting = False
            await loop
        finally:
            process.terminate()
            await process.wait()
    figures = {
        "median": statistics.median(busy),
        "p95": statistics.quantiles(busy, n=20)[18],
        "exports_per_s": exports / elapsed,
    }
    if idle:
        figures["idle_median"] = statistics.median(idle)
        figures["idle_p95"] = statistics.quantiles(idle, n=20)[18]
    return figures


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=60, help="/clients taps per mode")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        pool = await measure("", args.samples, Path(folder))
        thread = await measure("thread", args.samples, Path(folder))
    ms = 1000
    print(f"B's /clients → answer, {args.samples} taps {PACE * ms:.0f} ms apart, while A exports")
    print(
        f"  B idle (no export)  median {pool['idle_median'] * ms:7.1f} ms   "
        f"p95 {pool['idle_p95'] * ms:7.1f} ms"
    )
    for name, figures in (("worker processes", pool), ("threads", thread)):
        print(
            f"  {name:<18}  median {figures['median'] * ms:7.1f} ms   "
            f"p95 {figures['p95'] * ms:7.1f} ms   "
            f"({figures['exports_per_s']:.2f} exports/s)"
        )
    print("Ratios (threads / worker processes)")
    print(f"  median latency      {thread['median'] / pool['median']:.2f}×")
    print(f"  p95 latency         {thread['p95'] / pool['p95']:.2f}×")


if __name__ == "__main__":
    asyncio.run(main())
