"""Several bot processes on one PostgreSQL database: one receives updates, all of them send
the outbox, and no reminder goes out twice."""

from __future__ import annotations

import asyncio
import contextlib
import re
import signal
from collections import Counter
from collections.abc import AsyncIterator

import pytest

from demo.offline import DEMO_TOKEN
from emulator import BotApiEmulator, Fault
from storage import Database
from storage.database import STARTUP_LOCK
from tests.seed import seed_due_reminders
from tests.test_crash import spawn_bot

CLAIMED = re.compile(rb"outbox batch: (\d+) claimed")


async def stop(processes: list[asyncio.subprocess.Process]) -> None:
    for process in processes:
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):  # it may have died on its own
                process.send_signal(signal.SIGTERM)


@pytest.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator(token=DEMO_TOKEN) as emu:
        yield emu


async def test_three_processes_share_the_outbox_and_send_each_reminder_once(
    emulator: BotApiEmulator, database_url: str
) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite has a single writer: several processes need PostgreSQL")
    clients = list(range(7001, 7301))
    await seed_due_reminders(database_url, emulator, clients)
    # Slow sends keep every process busy at once, so their claims really overlap.
    emulator.inject(Fault(method="sendMessage", delay=0.02, times=None))
    env = {
        "DISPATCH_INTERVAL_SECONDS": "0.2",
        "DISPATCH_LEASE_SECONDS": "30",
        "LOG_LEVEL": "INFO",
    }
    processes = [
        await spawn_bot(emulator, database_url, "run", **env),
        await spawn_bot(emulator, database_url, "send", **env),
        await spawn_bot(emulator, database_url, "send", **env),
    ]

    def sent() -> Counter[int]:
        return Counter(
            call.params["chat_id"]
            for call in emulator.calls_to("sendMessage")
            if call.ok and call.params.get("chat_id") in clients
        )

    try:
        for _ in range(1200):  # a minute at most: starting takes seconds on a busy machine
            if len(sent()) == len(clients):
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)  # time for a duplicate to show, if there were one
    finally:
        await stop(processes)
        logs = [await process.communicate() for process in processes]
    assert [process.returncode for process in processes] == [0, 0, 0]
    counts = sent()
    assert set(counts) == set(clients)  # none lost
    assert max(counts.values()) == 1  # none twice
    claimed = [sum(int(n) for n in CLAIMED.findall(stderr or b"")) for _, stderr in logs]
    assert sum(claimed) == len(clients)
    assert sum(1 for n in claimed if n > 0) >= 2, claimed  # the work really was shared


async def test_start_up_work_waits_for_another_process_doing_it(database_url: str) -> None:
    """Each process queues the therapists' morning digests as it starts, under a lock, so
    that two starting together queue one digest, not two: the second waits for the first."""
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite has a single writer: several processes need PostgreSQL")
    first, second = Database(database_url), Database(database_url)
    try:
        async with first.unit_of_work() as holder:
            await holder.serialize(STARTUP_LOCK)

            async def take_turn() -> None:
                async with second.unit_of_work() as waiter:
                    await waiter.serialize(STARTUP_LOCK)

            turn = asyncio.ensure_future(take_turn())
            done, _ = await asyncio.wait({turn}, timeout=0.3)
            assert not done  # held by the first transaction
            await holder.commit()
        await asyncio.wait_for(turn, timeout=5)  # and free once it ends
    finally:
        await first.dispose()
        await second.dispose()


async def test_processes_starting_together_migrate_once(
    emulator: BotApiEmulator, database_url: str
) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite has a single writer: several processes need PostgreSQL")
    # The test database was cloned at head: take it back to nothing so that all three race.
    db = Database(database_url)
    async with db.engine.begin() as connection:
        await connection.exec_driver_sql("DROP SCHEMA public CASCADE")
        await connection.exec_driver_sql("CREATE SCHEMA public")
    await db.dispose()
    env = {"DISPATCH_INTERVAL_SECONDS": "0.2", "LOG_LEVEL": "INFO"}
    processes = [
        await spawn_bot(emulator, database_url, mode, **env) for mode in ("run", "send", "send")
    ]
    try:
        # Each has migrated (or waited for the one migrating) once it asks for the bot's name;
        # importing takes seconds, more on a busy machine.
        for _ in range(1200):
            if len(emulator.calls_to("getMe")) >= 3 and emulator.calls_to("getUpdates"):
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)
    finally:
        await stop(processes)
        logs = [await process.communicate() for process in processes]
    assert [process.returncode for process in processes] == [0, 0, 0], logs
    db = Database(database_url)
    try:
        async with db.engine.connect() as connection:
            versions = (await connection.exec_driver_sql("SELECT * FROM alembic_version")).all()
        assert len(versions) == 1
    finally:
        await db.dispose()
