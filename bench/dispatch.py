"""The reminder dispatcher under load: N due reminders for N clients through the emulator.

    .venv/bin/python bench/dispatch.py [--count 10000]

Phase 1: the emulator enforces Telegram's ~30 messages/s per bot (429 with retry_after past
it). Printed: the achieved rate as a share of the limit, reminders lost (a client who got
none), duplicates (a client who got more than one), and 429 answers (each one is a send the
bot did not pace; PTB's limiter waits them out).
Phase 2: the limit lifted on both sides: the dispatcher's own maximum rate on SQLite, and the
bot process's CPU time per delivery.
The bot runs as its own process (`python -m bot run`), on a fresh SQLite file per phase.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from demo.offline import DEMO_TOKEN  # noqa: E402
from emulator import BotApiEmulator  # noqa: E402
from storage import Database  # noqa: E402
from storage.models import Client, Delivery, HomeworkAssignment, Therapist  # noqa: E402

THERAPIST = 1001
FIRST_CLIENT = 10_000_000
CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


async def populate(url: str, count: int, *, due_in_hours: float = -1 / 60) -> None:
    """A therapist, `count` clients on the bot, one assignment each, its next reminder due
    in `due_in_hours` (a minute ago by default)."""
    db = Database(url)
    await db.migrate()
    now = datetime.now(UTC)
    due = now + timedelta(hours=due_in_hours)
    ids = range(FIRST_CLIENT, FIRST_CLIENT + count)
    async with db.engine.begin() as conn:
        await conn.execute(
            insert(Therapist), [{"id": THERAPIST, "display_name": "Maya", "created_at": now}]
        )
        await conn.execute(
            insert(Client),
            [
                {
                    "id": i - FIRST_CLIENT + 1,
                    "therapist_id": THERAPIST,
                    "name": f"Client {i}",
                    "name_key": f"client {i}",
                    "created_at": now,
                    "notes_count": 0,
                    "telegram_user_id": i,
                    "joined_at": now,
                    "timezone": "UTC",
                    "quiet_start": clock_time(0),
                    "quiet_end": clock_time(0),
                }
                for i in ids
            ],
        )
        await conn.execute(
            insert(HomeworkAssignment),
            [
                {
                    "id": i - FIRST_CLIENT + 1,
                    "therapist_id": THERAPIST,
                    "client_id": i - FIRST_CLIENT + 1,
                    "exercise_code": "chin_tuck",
                    "dose": "2 × 10, hold 5 s",
                    "rrule": "FREQ=DAILY;INTERVAL=1",
                    "start_date": now.date(),
                    "end_date": None,
                    "time_of_day": clock_time(12),
                    "note": None,
                    "status": "active",
                    "created_at": now,
                    "updated_at": now,
                }
                for i in ids
            ],
        )
        await conn.execute(
            insert(Delivery),
            [
                {
                    "kind": "homework",
                    "client_id": i - FIRST_CLIENT + 1,
                    "chat_id": i,
                    "assignment_id": i - FIRST_CLIENT + 1,
                    "occurrence_date": now.date(),
                    "sequence": 0,
                    "occurs_at": due,
                    "due_at": due,
                    "status": "pending",
                    "attempts": 0,
                    "created_at": now,
                }
                for i in ids
            ],
        )
    await db.dispose()


async def phase(count: int, folder: Path, *, limited: bool) -> dict[str, float]:
    url = f"sqlite+aiosqlite:///{folder / ('limited.db' if limited else 'open.db')}"
    await populate(url, count)
    async with BotApiEmulator(token=DEMO_TOKEN) as emu:
        emu.rate_limits = limited
        for i in range(FIRST_CLIENT, FIRST_CLIENT + count):
            emu.user(id=i, first_name="Client", started=True)
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": emu.token,
            "TELEGRAM_API_BASE_URL": emu.base_url,
            "DATABASE_URL": url,
            "THERAPIST_IDS": str(THERAPIST),
            "LOG_LEVEL": "WARNING",
            "DISPATCH_INTERVAL_SECONDS": "0.5",
            # Limited: the bot's default pacing. Lifted: far above anything reachable.
            **({} if limited else {"TELEGRAM_RATE_LIMIT": "1000000"}),
            "PYTHONPATH": str(ROOT),
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=ROOT, env=env
        )
        cpu_before = None
        try:
            deadline = time.monotonic() + count / 20 + 120
            while time.monotonic() < deadline:
                sent = [c for c in emu.calls_to("sendMessage") if c.ok]
                if cpu_before is None and sent:
                    cpu_before = cpu_seconds(process.pid)
                if len({c.params.get("chat_id") for c in sent}) >= count:
                    break
                await asyncio.sleep(0.2)
            await asyncio.sleep(1.0)  # anything sent twice would show up now
            cpu = cpu_seconds(process.pid) - (cpu_before or 0.0)
        finally:
            process.terminate()
            await process.wait()
        calls = emu.calls_to("sendMessage")
    ok = [c for c in calls if c.ok]
    per_chat = Counter(c.params.get("chat_id") for c in ok)
    first, last = min(c.at for c in ok), max(c.at for c in ok)
    return {
        "delivered": len(per_chat),
        "lost": count - len(per_chat),
        "duplicates": sum(n - 1 for n in per_chat.values() if n > 1),
        "429": sum(1 for c in calls if c.error_code == 429),
        "rate": (len(ok) - 1) / (last - first) if last > first else float(len(ok)),
        "cpu_per_delivery": cpu / max(len(ok), 1),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        limited = await phase(args.count, Path(folder), limited=True)
        lifted = await phase(args.count, Path(folder), limited=False)
    print(f"{args.count:,} due reminders for {args.count:,} clients")
    print("With Telegram's limit enforced (30 messages/s):")
    print(
        f"  achieved rate      {limited['rate']:7.2f} /s = {limited['rate'] / 30:.1%} of the limit"
    )
    print(f"  lost               {int(limited['lost'])}")
    print(f"  duplicates         {int(limited['duplicates'])}")
    print(f"  429 answers        {int(limited['429'])}")
    print("With the limit lifted:")
    print(f"  dispatcher rate    {lifted['rate']:7.1f} /s on SQLite")
    print(f"  bot CPU            {lifted['cpu_per_delivery'] * 1000:7.2f} ms per delivery")
    print(f"  lost / duplicates  {int(lifted['lost'])} / {int(lifted['duplicates'])}")


if __name__ == "__main__":
    asyncio.run(main())
