"""Start-up with 100,000 active homework schedules in SQLite: time to ready and peak memory.

    .venv/bin/python bench/startup.py [--schedules 100000]

The bot keeps no schedule in memory: only the next occurrence of each is a row in the
outbox, and APScheduler holds one safety tick. "Ready" is the moment the bot starts long
polling (its deleteWebhook call at the emulator), after migrations and start-up; memory is
the process's peak resident set (VmHWM). The baseline, measured in the same run, is the
design this replaces: one APScheduler job per reminder, 100,000 add_job calls on a started
AsyncIOScheduler.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.dispatch import THERAPIST, populate  # noqa: E402
from demo.offline import DEMO_TOKEN  # noqa: E402
from emulator import BotApiEmulator  # noqa: E402

BASELINE = """
import asyncio, time, datetime, sys
from apscheduler.schedulers.asyncio import AsyncIOScheduler

async def remind(n):
    pass

async def main(count):
    started = time.perf_counter()
    scheduler = AsyncIOScheduler()
    scheduler.start()
    when = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=1)
    for n in range(count):
        scheduler.add_job(remind, "date", run_date=when, args=[n])
    print(time.perf_counter() - started, flush=True)
    scheduler.shutdown(wait=False)

asyncio.run(main(int(sys.argv[1])))
"""


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def bot_start(url: str) -> tuple[float, float]:
    async with BotApiEmulator(token=DEMO_TOKEN) as emu:
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": emu.token,
            "TELEGRAM_API_BASE_URL": emu.base_url,
            "DATABASE_URL": url,
            "THERAPIST_IDS": str(THERAPIST),
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }
        started = time.perf_counter()
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=ROOT, env=env
        )
        try:
            # deleteWebhook comes right before the first long poll (a getUpdates is recorded
            # only when it returns, up to 30 s later).
            while not emu.calls_to("deleteWebhook"):  # noqa: ASYNC110 -- what the emulator saw
                await asyncio.sleep(0.005)
            ready = time.perf_counter() - started
            await asyncio.sleep(1.5)  # the first dispatcher tick (nothing is due) has run
            rss = peak_rss_mb(process.pid)
        finally:
            process.terminate()
            await process.wait()
    return ready, rss


async def baseline(count: int) -> tuple[float, float]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", BASELINE, str(count), stdout=asyncio.subprocess.PIPE, cwd=ROOT
    )
    assert process.stdout is not None
    line = await process.stdout.readline()
    rss = peak_rss_mb(process.pid)
    await process.wait()
    return float(line), rss


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schedules", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'startup.db'}"
        await populate(url, args.schedules, due_in_hours=24)
        ours = [await bot_start(url) for _ in range(args.runs)]
        theirs = [await baseline(args.schedules) for _ in range(args.runs)]
    ready = statistics.median(r for r, _ in ours)
    rss = statistics.median(m for _, m in ours)
    base_ready = statistics.median(r for r, _ in theirs)
    base_rss = statistics.median(m for _, m in theirs)
    print(f"{args.schedules:,} active schedules, median of {args.runs} starts")
    print(f"  Aftercare: ready in {ready:5.2f} s, peak RSS {rss:6.1f} MB")
    print(f"  Baseline (one APScheduler job per reminder): {base_ready:5.2f} s, {base_rss:6.1f} MB")
    print(f"  Ratio: time {ready / base_ready:.2f}×, memory {rss / base_rss:.2f}×")


if __name__ == "__main__":
    asyncio.run(main())
