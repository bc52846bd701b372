"""The reminder dispatcher under load: two reminders each for N/2 clients, all due at 08:00.

    .venv/bin/python bench/dispatch.py [--count 10000] [--repeat 1] [--postgres URL]
        [--baseline CHECKOUT] [--skip-limited] [--profile FILE]

Every phase runs the bot as its own process(es) against the Bot API emulator in this one, on
a fresh database, and reads what arrived from the emulator's record of calls:

1. Telegram's limits enforced (SQLite, `python -m bot run`, the bot's default pacing): the
   emulator answers 429 past 30 messages/s for the bot or past one message per second in a
   chat (strictly, no burst allowed). Printed: the achieved rate as a share of the limit,
   reminders lost and duplicated, 429 answers (each one a send the bot did not pace), and
   chats that received two messages within one second.
2. The limit lifted on both sides (SQLite): the dispatcher's rate, beside in the same run and
   the same emulator, each in a process of its own with 32 sends in flight: a bare aiohttp
   client posting the JSON (the ceiling) and python-telegram-bot's `send_message` on its
   default transport (HTTPXRequest). Ratios of the medians over `--repeat` rounds.
3. PostgreSQL (with --postgres or AFTERCARE_TEST_POSTGRES_URL), the limit lifted: 1 and 3
   `python -m bot send` processes on one database, and the scaling ratio.

With --baseline (another checkout of the bot, e.g. `git archive main | tar -x -C /tmp/base`),
that checkout's dispatcher is measured too, in each round beside this one's, on the same
emulator and database set-up (the same schema is assumed): before and after a change in one
run. --profile runs only the lifted phase, the bot under cProfile.

The dispatcher paces each chat to one message a second, so a client's second reminder waits
for a second after the first: the lifted rate includes those waits (5,000 chats' first
messages go in ~5 s at 1,000/s, by when every second one may follow).
The machine is shared and noisy: compare ratios within one run, not figures across runs.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve()
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from demo.offline import DEMO_TOKEN  # noqa: E402
from emulator import BotApiEmulator  # noqa: E402
from storage import Database  # noqa: E402
from storage.models import Delivery, HomeworkAssignment, Therapist  # noqa: E402
from storage.repositories import insert_clients  # noqa: E402

THERAPIST = 1001
FIRST_CLIENT = 10_000_000
PER_CLIENT = 2
IN_FLIGHT = 32  # the dispatcher's wave (reminders/dispatcher.py WAVE)
CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


async def populate(url: str, clients: int) -> None:
    """A therapist, `clients` clients on the bot, two assignments each (two exercises at
    08:00), both reminders due a minute ago."""
    db = Database(url)
    await db.migrate()
    now = datetime.now(UTC)
    due = now - timedelta(minutes=1)
    ids = range(clients)
    async with db.engine.begin() as conn:
        await conn.execute(
            insert(Therapist), [{"id": THERAPIST, "display_name": "Maya", "created_at": now}]
        )
        await insert_clients(
            conn,
            [
                {
                    "id": i + 1,
                    "therapist_id": THERAPIST,
                    "name": f"Client {i}",
                    "created_at": now,
                    "notes_count": 0,
                    "telegram_user_id": FIRST_CLIENT + i,
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
                    "id": i * PER_CLIENT + n + 1,
                    "therapist_id": THERAPIST,
                    "client_id": i + 1,
                    "exercise_code": "chin_tuck",
                    "dose": f"set {n}: 2 × 10, hold 5 s",
                    "rrule": "FREQ=DAILY;INTERVAL=1",
                    "start_date": now.date(),
                    "end_date": None,
                    "time_of_day": clock_time(8),
                    "note": None,
                    "status": "active",
                    "created_at": now,
                    "updated_at": now,
                }
                for i in ids
                for n in range(PER_CLIENT)
            ],
        )
        await conn.execute(
            insert(Delivery),
            [
                {
                    "kind": "homework",
                    "client_id": i + 1,
                    "chat_id": FIRST_CLIENT + i,
                    "assignment_id": i * PER_CLIENT + n + 1,
                    "occurrence_date": now.date(),
                    "sequence": 0,
                    "occurs_at": due,
                    "due_at": due,
                    "status": "pending",
                    "attempts": 0,
                    "created_at": now,
                }
                for i in ids
                for n in range(PER_CLIENT)
            ],
        )
    await db.dispose()


def emulator_for(clients: int, *, limited: bool) -> BotApiEmulator:
    emu = BotApiEmulator(token=DEMO_TOKEN)
    emu.rate_limits = limited
    emu.rate_limit_chat_burst = 1  # Telegram's rule without the bursts it may tolerate
    return emu


def add_users(emu: BotApiEmulator, clients: int) -> None:
    for i in range(clients):
        emu.user(id=FIRST_CLIENT + i, first_name="Client", started=True)


def measure(emu: BotApiEmulator, expected: int, clients: int) -> dict[str, float]:
    calls = emu.calls_to("sendMessage")
    ok = [c for c in calls if c.ok]
    # Each reminder is one (chat, text): the two of a client differ by their dose.
    arrived = Counter((c.params.get("chat_id"), c.params.get("text")) for c in ok)
    by_chat: dict[Any, list[float]] = defaultdict(list)
    for c in ok:
        by_chat[c.params.get("chat_id")].append(c.at)
    close = sum(
        1
        for times in by_chat.values()
        if any(b - a < 1.0 for a, b in zip(sorted(times), sorted(times)[1:], strict=False))
    )
    first, last = (min(c.at for c in ok), max(c.at for c in ok)) if ok else (0.0, 0.0)
    return {
        "delivered": len(arrived),
        "lost": expected - len(arrived),
        "duplicates": sum(n - 1 for n in arrived.values() if n > 1),
        "429": sum(1 for c in calls if c.error_code == 429),
        "close": close,
        "rate": (len(ok) - 1) / (last - first) if last > first else float(len(ok)),
        "clients": clients,
    }


async def wait_for(emu: BotApiEmulator, expected: int, deadline: float) -> None:
    while time.monotonic() < deadline:
        if sum(1 for c in emu.calls_to("sendMessage") if c.ok) >= expected:
            break
        await asyncio.sleep(0.2)
    await asyncio.sleep(1.5)  # anything sent twice, or late, would show up now


async def bot_phase(
    url: str,
    clients: int,
    *,
    limited: bool,
    processes: int = 1,
    mode: str = "run",
    profile: str | None = None,
    root: Path = ROOT,
) -> dict[str, float]:
    """The bot's own process(es) delivering every reminder: this checkout's, or `root`'s."""
    await populate(url, clients)
    expected = clients * PER_CLIENT
    async with emulator_for(clients, limited=limited) as emu:
        add_users(emu, clients)
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
            "PYTHONPATH": str(root),
        }
        # --profile: the bot under cProfile, its statistics written where asked at its exit.
        profiling = ["-m", "cProfile", "-o", profile] if profile else []
        started = [
            await asyncio.create_subprocess_exec(
                sys.executable, *profiling, "-m", "bot", mode, cwd=root, env=env
            )
            for _ in range(processes)
        ]
        cpu_before: float | None = None
        try:
            deadline = time.monotonic() + expected / (25 if limited else 100) + 120
            while time.monotonic() < deadline and cpu_before is None:
                if any(c.ok for c in emu.calls_to("sendMessage")):
                    cpu_before = sum(cpu_seconds(p.pid) for p in started)
                await asyncio.sleep(0.05)
            await wait_for(emu, expected, deadline)
            cpu = sum(cpu_seconds(p.pid) for p in started) - (cpu_before or 0.0)
        finally:
            for process in started:
                process.terminate()
            for process in started:
                await process.wait()
        result = measure(emu, expected, clients)
    result["cpu_per_delivery"] = cpu / max(result["delivered"], 1)
    return result


async def sender_phase(clients: int, sender: str) -> dict[str, float]:
    """A baseline sender in its own process: `clients * 2` sends, 32 in flight."""
    expected = clients * PER_CLIENT
    async with emulator_for(clients, limited=False) as emu:
        add_users(emu, clients)
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            str(HERE),
            "--sender",
            sender,
            "--base-url",
            emu.base_url,
            "--count",
            str(expected),
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        await process.wait()
        await wait_for(emu, expected, time.monotonic() + 1)
        return measure(emu, expected, clients)


async def send_as(sender: str, base_url: str, count: int) -> None:
    """The baseline senders' process: `count` sendMessage calls, two to each chat."""
    import aiohttp
    from telegram import Bot
    from telegram.request import HTTPXRequest

    chats = count // PER_CLIENT
    numbers = iter(range(count))
    if sender == "aiohttp":
        session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=IN_FLIGHT + 8))
        url = f"{base_url}{DEMO_TOKEN}/sendMessage"

        async def send(n: int) -> None:
            body = {"chat_id": FIRST_CLIENT + n % chats, "text": f"Reminder {n}"}
            async with session.post(url, json=body) as answer:
                await answer.json()

        close = session.close
    else:
        bot = Bot(
            DEMO_TOKEN,
            base_url=base_url,
            request=HTTPXRequest(connection_pool_size=IN_FLIGHT + 8),
        )
        await bot.initialize()

        async def send(n: int) -> None:
            await bot.send_message(FIRST_CLIENT + n % chats, f"Reminder {n}")

        close = bot.shutdown

    async def worker() -> None:
        for n in numbers:
            await send(n)

    await asyncio.gather(*(worker() for _ in range(IN_FLIGHT)))
    await close()


async def fresh_postgres(server: str, name: str) -> str:
    import asyncpg

    parsed = make_url(server)
    dsn = parsed.set(drivername="postgresql", database="postgres").render_as_string(False)
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return parsed.set(database=name).render_as_string(False)


def median(rounds: list[dict[str, float]], key: str) -> float:
    return statistics.median(r[key] for r in rounds)


def faults(rounds: list[dict[str, float]]) -> str:
    """The worst round's lost / duplicates / 429 / chats sent two within a second."""
    keys = ("lost", "duplicates", "429", "close")
    return " / ".join(str(int(max(r[k] for r in rounds))) for k in keys)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000, help="reminders (two a client)")
    parser.add_argument("--repeat", type=int, default=1, help="rounds of the lifted phases")
    parser.add_argument("--postgres", default=os.environ.get("AFTERCARE_TEST_POSTGRES_URL"))
    parser.add_argument("--skip-limited", action="store_true")
    parser.add_argument("--skip-httpx", action="store_true", help="no PTB-on-httpx sender")
    parser.add_argument("--processes", default="1,3", help="PostgreSQL send processes")
    parser.add_argument(
        "--baseline", type=Path, metavar="CHECKOUT", help="another checkout's dispatcher beside"
    )
    parser.add_argument(
        "--profile", metavar="FILE", help="only the lifted phase, the bot under cProfile to FILE"
    )
    parser.add_argument("--sender", help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.sender:
        await send_as(args.sender, args.base_url, args.count)
        return
    clients = max(1, args.count // PER_CLIENT)
    count = clients * PER_CLIENT
    print(f"{count:,} due reminders, two each for {clients:,} clients (a noisy shared machine)")
    if args.profile:
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite+aiosqlite:///{folder}/profiled.db"
            result = await bot_phase(url, clients, limited=False, profile=args.profile)
        print(f"  profiled dispatcher {result['rate']:7.1f} /s, statistics in {args.profile}")
        return
    with tempfile.TemporaryDirectory() as folder:
        if not args.skip_limited:
            url = f"sqlite+aiosqlite:///{folder}/limited.db"
            limited = await bot_phase(url, clients, limited=True)
            share = limited["rate"] / 30
            print("With Telegram's limits enforced (30 messages/s; 1/s per chat, no burst):")
            print(f"  achieved rate      {limited['rate']:7.2f} /s = {share:.1%} of the limit")
            print(f"  lost               {int(limited['lost'])}")
            print(f"  duplicates         {int(limited['duplicates'])}")
            print(f"  429 answers        {int(limited['429'])}")
            print(f"  chats sent two within 1 s  {int(limited['close'])}")
        dispatcher, baseline, bare, httpx = [], [], [], []
        for number in range(args.repeat):
            if args.baseline:
                url = f"sqlite+aiosqlite:///{folder}/base{number}.db"
                baseline.append(await bot_phase(url, clients, limited=False, root=args.baseline))
            url = f"sqlite+aiosqlite:///{folder}/open{number}.db"
            dispatcher.append(await bot_phase(url, clients, limited=False))
            bare.append(await sender_phase(clients, "aiohttp"))
            if not args.skip_httpx:
                httpx.append(await sender_phase(clients, "httpx"))
    b = median(bare, "rate")
    print(f"With the limit lifted (SQLite; medians of {args.repeat} round(s)):")
    if baseline:
        report("baseline", baseline, b)
    report("dispatcher", dispatcher, b)
    print(f"  bare aiohttp        {b:7.1f} /s  (rounds: {rates_of(bare)})")
    if httpx:
        h, d = median(httpx, "rate"), median(dispatcher, "rate")
        print(f"  PTB on HTTPXRequest {h:7.1f} /s  → dispatcher = {d / h:.2f}×")
    if not args.postgres:
        print("PostgreSQL: skipped (no --postgres URL, no AFTERCARE_TEST_POSTGRES_URL)")
        return
    counts = [int(n) for n in args.processes.split(",")]
    runs: dict[tuple[Path, int], list[dict[str, float]]] = defaultdict(list)
    roots = [args.baseline, ROOT] if args.baseline else [ROOT]
    for _ in range(args.repeat):
        for root in roots:
            for processes in counts:
                url = await fresh_postgres(args.postgres, f"bench_dispatch_{processes}")
                runs[(root, processes)].append(
                    await bot_phase(
                        url, clients, limited=False, processes=processes, mode="send", root=root
                    )
                )
    print("PostgreSQL, the limit lifted, `python -m bot send` processes on one database:")
    for root in roots:
        name = "baseline" if root != ROOT else "dispatcher"
        for processes in counts:
            report(
                f"{name}, {processes} process{'es' if processes > 1 else ''}",
                runs[(root, processes)],
                b,
            )
        if len(counts) > 1:
            first, last = (median(runs[(root, n)], "rate") for n in (counts[0], counts[-1]))
            print(f"    scaling {counts[0]} → {counts[-1]} processes: {last / first:.2f}×")


def rates_of(rounds: list[dict[str, float]]) -> str:
    return ", ".join(f"{r['rate']:.0f}" for r in rounds)


def report(name: str, rounds: list[dict[str, float]], bare: float) -> None:
    """A dispatcher's median rate (and its rounds), as a share of the bare aiohttp sender's
    median, its CPU per delivery, and the worst round's faults."""
    rate = median(rounds, "rate")
    cpu = median(rounds, "cpu_per_delivery") * 1000
    print(f"  {name:<22} {rate:7.1f} /s  (rounds: {rates_of(rounds)}) = {rate / bare:.2f} of bare")
    print(f"  {'':<22} CPU {cpu:.2f} ms per delivery (rounds: ", end="")
    print(", ".join(f"{r['cpu_per_delivery'] * 1000:.2f}" for r in rounds) + ")")
    print(f"  {'':<22} lost / duplicates / 429 / chats two within 1 s: {faults(rounds)}")


if __name__ == "__main__":
    asyncio.run(main())
