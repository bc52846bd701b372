"""Shared pieces: a frozen clock, and the real bot against the emulator on a real SQLite file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.offline import OfflineBot, offline_bot
from emulator import Phone
from practice.clock import FrozenClock

MAYA = 1001
LEO = 1002
STRANGER = 4242

# Wednesday 25 November 2026, 10:00 in London (UTC in winter).
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'aftercare.db'}"


@pytest.fixture
async def running(database_url: str, clock: FrozenClock) -> AsyncIterator[OfflineBot]:
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
