"""Webhook mode under load: updates from many clients posted to 1 and to 3 bot processes.

    AFTERCARE_TEST_POSTGRES_URL=postgresql+asyncpg://… .venv/bin/python bench/webhook.py \
        [--users 1000] [--per-user 10] [--runs 3]

The bot runs as real `python -m bot run` processes in webhook mode on one fresh PostgreSQL
database, all listening on one port (SO_REUSEPORT: the kernel shares the emulator's
connections among them, as a proxy in front would). The emulator posts the updates the way
Telegram does: one update per chat in flight, up to max_connections (40) at once. Each client
(linked to the practice's therapist) sends `--per-user` commands, /help and /homework in
turn, all at once; each run sends a fresh batch.

A polling process (`aftercare run` without WEBHOOK_URL) on the same database is the baseline,
measured in the same run. Printed per run and as medians: updates handled per second (first
post to last answer), whether each update was answered exactly once, whether each chat's
answers came in the order of its commands, and the p95 time from a command to the bot's
answer (in the burst that is mostly the wait in the queue, so it is measured again with
single commands, one per client for up to twenty seconds, sent at half the burst's rate).
Then the ratios of the medians: webhook vs polling with one process, three webhook processes
vs one. The emulator runs in this process and takes a core of its own: on a two-core
machine, three bot processes share the other, and the ratio says how much the intake costs
rather than how far it scales.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from datetime import time as clock_time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
from sqlalchemy import insert  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bot.shared import texts  # noqa: E402
from demo.offline import DEMO_TOKEN  # noqa: E402
from emulator import BotApiEmulator, Phone  # noqa: E402
from storage import Database  # noqa: E402
from storage.models import Therapist  # noqa: E402
from storage.repositories import insert_clients  # noqa: E402

THERAPIST = 1001
FIRST_CLIENT = 20_000_000
SECRET = "bench-webhook-secret"
COMMANDS = ("/help", "/homework")
ANSWERS = {texts.CLIENT_HELP: "/help", texts.CLIENT_NO_HOMEWORK: "/homework"}


async def admin(url: str, statement: str) -> None:
    dsn = make_url(url).set(drivername="postgresql", database="postgres")
    connection = await asyncpg.connect(dsn.render_as_string(hide_password=False))
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


async def populate(url: str, users: int) -> None:
    """The therapist and `users` clients linked to the bot."""
    db = Database(url)
    await db.migrate()
    now = datetime.now(UTC)
    async with db.engine.begin() as conn:
        await conn.execute(
            insert(Therapist), [{"id": THERAPIST, "display_name": "Maya", "created_at": now}]
        )
        await insert_clients(
            conn,
            [
                {
                    "id": n + 1,
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
                for n in range(users)
            ],
        )
    await db.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def start_bots(
    emu: BotApiEmulator, url: str, count: int, port: int | None
) -> list[asyncio.subprocess.Process]:
    """`count` webhook processes on `port`, or (None) the one polling process."""
    hook = f"http://127.0.0.1:{port}/telegram"
    webhook = (
        {"WEBHOOK_URL": hook, "WEBHOOK_SECRET": SECRET, "WEBHOOK_LISTEN": f"127.0.0.1:{port}"}
        if port is not None
        else {}
    )
    ready = "setWebhook" if port is not None else "getUpdates"
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": emu.token,
        "TELEGRAM_API_BASE_URL": emu.base_url,
        "DATABASE_URL": url,
        "THERAPIST_IDS": str(THERAPIST),
        "LOG_LEVEL": "WARNING",
        **webhook,
        # Far above what this benchmark sends: the emulator is not pacing here.
        "TELEGRAM_RATE_LIMIT": "100000",
    }
    processes = []
    for _ in range(count):
        before = len(emu.calls_to(ready))
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=ROOT, env=env
        )
        processes.append(process)
        for _ in range(2400):  # two minutes at most: imports are slow on a busy machine
            if len(emu.calls_to(ready)) > before:
                break
            if process.returncode is not None:
                raise SystemExit(f"a bot process exited with {process.returncode}")
            await asyncio.sleep(0.05)
        else:
            raise SystemExit(f"a bot process did not call {ready} within two minutes")
    return processes


async def stop_bots(processes: list[asyncio.subprocess.Process]) -> None:
    for process in processes:
        process.send_signal(signal.SIGTERM)
    for process in processes:
        await process.wait()


@dataclass
class Run:
    rate: float
    exactly_once: bool
    in_order: bool
    p95_ms: float
    paced_p95_ms: float


def answers_since(
    emu: BotApiEmulator, calls_before: int, chats: set[int]
) -> dict[int, list[tuple[str, float]]]:
    """Each chat's answers (which command, when) since the call numbered `calls_before`."""
    answers: dict[int, list[tuple[str, float]]] = {chat: [] for chat in chats}
    for call in emu.calls[calls_before:]:
        if call.method == "sendMessage" and call.ok and call.params.get("chat_id") in answers:
            text = str(call.params.get("text"))
            answers[call.params["chat_id"]].append((ANSWERS.get(text, text), call.at))
    return answers


async def paced_p95(emu: BotApiEmulator, phones: list[Phone], rate: float, count: int) -> float:
    """The p95 time to an answer at `rate` updates a second, one per client: the bot's own
    time with little queue in front of it."""
    calls_before = len(emu.calls)
    asked: dict[int, float] = {}
    started = time.monotonic()
    for n, phone in enumerate(phones[:count]):
        await asyncio.sleep(max(0.0, started + n / rate - time.monotonic()))
        asked[phone.id] = time.monotonic()
        await phone.send("/help", wait=False)
    await emu.wait_processed(timeout=1800)
    answers = answers_since(emu, calls_before, set(asked))
    waits = [(answers[chat][0][1] - at) * 1000 for chat, at in asked.items() if answers[chat]]
    return statistics.quantiles(waits, n=20)[-1] if len(waits) >= 2 else float("nan")


async def one_run(emu: BotApiEmulator, users: int, per_user: int) -> Run:
    phones = [emu.user(id=FIRST_CLIENT + n, first_name=f"C{n}") for n in range(users)]
    calls_before = len(emu.calls)
    sent: dict[int, list[tuple[str, float]]] = {phone.id: [] for phone in phones}
    started = time.monotonic()
    for k in range(per_user):
        for phone in phones:
            command = COMMANDS[k % len(COMMANDS)]
            sent[phone.id].append((command, time.monotonic()))
            await phone.send(command, wait=False)
    await emu.wait_processed(timeout=1800)
    elapsed = time.monotonic() - started
    answers = answers_since(emu, calls_before, set(sent))
    exactly_once = all(len(answers[chat]) == per_user for chat in sent)
    in_order = all(
        [command for command, _ in answers[chat]] == [command for command, _ in sent[chat]]
        for chat in sent
    )
    waits = [
        (answered - asked) * 1000
        for chat in sent
        for (_, asked), (_, answered) in zip(sent[chat], answers[chat], strict=False)
    ]
    p95 = statistics.quantiles(waits, n=20)[-1] if len(waits) >= 2 else float("nan")
    rate = users * per_user / elapsed
    paced = await paced_p95(emu, phones, rate / 2, min(users, max(20, int(rate * 10))))
    return Run(rate, exactly_once, in_order, p95, paced)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--per-user", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 3])
    args = parser.parse_args()
    server = os.environ.get("AFTERCARE_TEST_POSTGRES_URL")
    if not server:
        raise SystemExit('needs PostgreSQL: eval "$(scripts/postgres.sh)" first')
    name = f"aftercare_bench_{uuid.uuid4().hex[:8]}"
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    await admin(server, f'CREATE DATABASE "{name}"')
    medians: dict[str, Run] = {}
    try:
        await populate(url, args.users)
        total = args.users * args.per_user
        print(f"{total} updates from {args.users} clients, {args.runs} runs per setting")
        settings = [("polling", 1), *(("webhook", count) for count in args.processes)]
        for mode, count in settings:
            label = f"{mode}, {count} process{'es' if count > 1 else ''}"
            async with BotApiEmulator(token=DEMO_TOKEN) as emu:
                emu.wait_timeout = 1800
                port = free_port() if mode == "webhook" else None
                bots = await start_bots(emu, url, count, port)
                try:
                    runs = [await one_run(emu, args.users, args.per_user) for _ in range(args.runs)]
                finally:
                    await stop_bots(bots)
                for n, run in enumerate(runs, 1):
                    print(
                        f"  {label}, run {n}: {run.rate:7.0f} updates/s, "
                        f"exactly once: {run.exactly_once}, in order: {run.in_order}, "
                        f"p95 to answer {run.p95_ms:7.0f} ms in the burst, "
                        f"{run.paced_p95_ms:5.0f} ms at half that rate"
                    )
                medians[label] = Run(
                    statistics.median(r.rate for r in runs),
                    all(r.exactly_once for r in runs),
                    all(r.in_order for r in runs),
                    statistics.median(r.p95_ms for r in runs),
                    statistics.median(r.paced_p95_ms for r in runs),
                )
                m = medians[label]
                print(
                    f"{label}, median: {m.rate:.0f} updates/s, p95 {m.p95_ms:.0f} ms "
                    f"(at half the rate: {m.paced_p95_ms:.0f} ms), "
                    f"each exactly once: {m.exactly_once}, each chat in order: {m.in_order}"
                )
        one, three = medians.get("webhook, 1 process"), medians.get("webhook, 3 processes")
        polling = medians["polling, 1 process"]
        if one is not None:
            print(f"webhook vs polling, 1 process: {one.rate / polling.rate:.2f}× the updates/s")
        if one is not None and three is not None:
            print(f"webhook, 3 processes vs 1: {three.rate / one.rate:.2f}× the updates/s")
        print("(a shared two-core machine: figures vary from run to run)")
    finally:
        await admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    asyncio.run(main())
