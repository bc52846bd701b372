"""Files private by default: the database and its -wal/-shm owner-only whatever the umask of
whoever runs the bot, and what /forgetme erased gone from the file's bytes, not only from
its tables."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from demo.offline import OfflineBot, offline_bot
from emulator import Phone
from practice.clock import FrozenClock
from tests.chat import new_client_note
from tests.conftest import MAYA
from tests.test_invites import join
from tests.test_records import second_note
from tests.test_reminders import run_until

PHRASE = "zebra-quartz-lantern-7731"


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """SQLite only: these are properties of the file."""
    return f"sqlite+aiosqlite:///{tmp_path / 'aftercare.db'}"


@pytest.fixture
def loose_umask() -> Iterator[None]:
    previous = os.umask(0o022)  # the usual default: new files readable by everyone
    try:
        yield
    finally:
        os.umask(previous)


@pytest.fixture
def sqlite_without_secure_delete() -> Iterator[None]:
    """Every new SQLite connection starts with secure_delete off, as in SQLite's own default
    build (Python's macOS and Windows builds; Debian's turns it on): the bot's own pragma
    must be what makes it so."""

    def off(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA secure_delete=OFF")
        cursor.close()

    event.listen(Engine, "connect", off, insert=True)
    try:
        yield
    finally:
        event.remove(Engine, "connect", off)


def mode(path: Path) -> str:
    return oct(path.stat().st_mode & 0o777)


async def test_the_database_and_its_wal_are_private_whatever_the_umask(
    database_url: str, tmp_path: Path, clock: FrozenClock, loose_umask: None
) -> None:
    async with offline_bot(database_url, therapist_ids=frozenset({MAYA}), clock=clock) as bot:
        maya = bot.emulator.user(id=MAYA, first_name="Maya")
        await new_client_note(maya, "Anna K.")
        files = [
            tmp_path / name for name in ("aftercare.db", "aftercare.db-wal", "aftercare.db-shm")
        ]
        assert {path.name: mode(path) for path in files} == {
            "aftercare.db": "0o600",
            "aftercare.db-wal": "0o600",
            "aftercare.db-shm": "0o600",
        }


async def test_forget_me_leaves_no_trace_of_a_comment_in_the_file_or_the_wal(
    sqlite_without_secure_delete: None,
    running: OfflineBot,
    maya: Phone,
    clock: FrozenClock,
    database_url: str,
) -> None:
    await new_client_note(maya, "Anna K.")
    anna = await join(running, maya)
    await anna.tap("London")
    await second_note(maya)
    await run_until(running, clock, datetime(2026, 11, 28, 12, 0, tzinfo=UTC), kind="📊")
    await anna.tap("4")
    await anna.tap("Better")
    assert "Anything to add" in anna.last_text
    await anna.send(f"Slept well, {PHRASE}")
    assert "Thank you ✓" in anna.last_text
    path = Path(database_url.removeprefix("sqlite+aiosqlite:///"))
    await checkpoint(running)
    seen = PHRASE.encode() in raw(path)
    assert seen  # the test can see it while it is there

    await anna.send("/forgetme")
    await anna.tap("🗑 Erase my data")
    assert "Your data has been erased" in anna.last_text
    await checkpoint(running)
    in_file, in_wal = (PHRASE.encode() in raw(p) for p in (path, Path(f"{path}-wal")))
    assert not in_file and not in_wal


def raw(path: Path) -> bytes:
    return path.read_bytes() if path.exists() else b""


async def checkpoint(running: OfflineBot) -> None:
    """Copy the WAL into the file and empty it, as SQLite does on its own from time to time."""
    async with running.db.engine.connect() as connection:
        busy, _, _ = (await connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")).one()
        assert busy == 0
