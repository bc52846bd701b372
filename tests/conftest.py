"""Shared pieces: a frozen clock, and the real bot against the emulator on a real database.

Every test that takes `database_url` runs twice: on a SQLite file and on a PostgreSQL database
of its own (skipped when no server is given; see tests/postgres.py).
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from demo.offline import OfflineBot, offline_bot
from emulator import Phone
from practice import timezones
from practice.clock import FrozenClock
from storage import Database
from tests.postgres import SERVER_URL, SKIP_REASON, PostgresServer

MAYA = 1001
LEO = 1002
STRANGER = 4242

# Wednesday 25 November 2026, 10:00 in London (UTC in winter).
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


# Modules whose tests take tens of seconds each (the demo played whole; bot processes started,
# killed and started again): run first, so that the suite does not end with one core busy on
# them and the other idle.
SLOW_MODULES = (
    "test_demo.py",
    "test_crash.py",
    "test_processes.py",
    "test_runtime.py",
    "test_webhook.py",
    "test_lean_start.py",
)


@pytest.hookimpl(trylast=True)  # after pytest's own ordering by fixture scope
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.path.name not in SLOW_MODULES)  # stable: else unchanged


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer | None]:
    if SERVER_URL is None:
        yield None
        return
    server = PostgresServer(SERVER_URL)
    server.prepare_template()
    yield server
    server.drop_template()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once a process, copied for each test as PostgreSQL's
    template is cloned: 19 migrations from nothing take a second or more a test."""
    path = tmp_path_factory.mktemp("sqlite-template") / "aftercare.db"

    async def migrate() -> None:
        database = Database(f"sqlite+aiosqlite:///{path}")
        try:
            await database.migrate()
        finally:
            await database.dispose()

    asyncio.run(migrate())
    # Closing the last connection checkpointed the WAL into the file: the file is the database.
    assert not path.with_name(f"{path.name}-wal").exists()
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
async def database_url(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    postgres: PostgresServer | None,
    sqlite_template: Path,
) -> AsyncIterator[str]:
    """A database at head (the migrations' own tests make theirs). `fresh_sqlite` marks a test
    whose SQLite file the bot must create itself (its permissions, the first migration)."""
    if request.param == "sqlite":
        path = tmp_path / "aftercare.db"
        if request.node.get_closest_marker("fresh_sqlite") is None:
            shutil.copyfile(sqlite_template, path)  # permissions from the umask, not the bot's
        yield f"sqlite+aiosqlite:///{path}"
        return
    if postgres is None:
        pytest.skip(SKIP_REASON)
    url = await postgres.fresh_database()
    yield url
    await postgres.drop(url)


@pytest.fixture(scope="session")
def places() -> None:
    """The gazetteer and the zone borders take seconds to open, once a process: before the
    first bot, so that no client's typed city waits for them past the emulator's timeout."""
    timezones.warm_up()


@pytest.fixture
async def running(database_url: str, clock: FrozenClock, places: None) -> AsyncIterator[OfflineBot]:
    async with offline_bot(
        database_url,
        therapist_ids=frozenset({MAYA, LEO}),
        clock=clock,
        timezone="Europe/London",
    ) as bot:
        yield bot
        # Every tap gets an answer, whatever the test did.
        assert bot.emulator.unanswered_callback_queries() == []
        bot.check_alive()


@pytest.fixture
def maya(running: OfflineBot) -> Phone:
    return running.emulator.user(id=MAYA, first_name="Maya")


@pytest.fixture
def leo(running: OfflineBot) -> Phone:
    return running.emulator.user(id=LEO, first_name="Leo")
