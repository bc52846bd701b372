"""The real bot against the Bot API emulator on 127.0.0.1: for the demo, tests and benchmarks.

Nothing here is a stand-in for the bot: it is `run_bot`, the same code production runs,
pointed at the emulator's base URL with a throwaway SQLite file.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.runtime.app import run_bot
from bot.shared.config import Settings, load_settings
from bot.shared.context import App
from emulator import BotApiEmulator
from practice.clock import Clock, FrozenClock
from reminders.dispatcher import Dispatcher
from storage import Database

DEMO_TOKEN = "123456:OFFLINE-DEMO"  # noqa: S105 -- only the local emulator accepts it


@dataclass
class OfflineBot:
    emulator: BotApiEmulator
    settings: Settings
    clock: Clock
    db: Database  # a second connection pool for reading back what the bot stored
    task: asyncio.Task[None]
    application: App

    @property
    def dispatcher(self) -> Dispatcher:
        dispatcher: Dispatcher = self.application.bot_data["dispatcher"]
        return dispatcher

    async def dispatch(self) -> int:
        """Send whatever is due by the (frozen) clock now, as the scheduler's tick would."""
        sent = await self.dispatcher.run_until_idle()
        await self.emulator.wait_processed()
        return sent

    def check_alive(self) -> None:
        if self.task.done():
            self.task.result()  # re-raise what stopped the bot
            raise RuntimeError("the bot stopped")


@contextlib.asynccontextmanager
async def offline_bot(
    database_url: str,
    *,
    therapist_ids: frozenset[int],
    clock: Clock | None = None,
    timezone: str = "UTC",
    emulator: BotApiEmulator | None = None,
    read_timeout: float = 2.0,
    backoff_base: float = 0.02,
    dispatch_interval: float | None = None,
    **overrides: object,
) -> AsyncIterator[OfflineBot]:
    """`overrides` are further settings by name (e.g. backup_dir=...)."""
    owns_emulator = emulator is None
    emu = emulator or BotApiEmulator(token=DEMO_TOKEN)
    if owns_emulator:
        await emu.start()
    clock = clock or FrozenClock(datetime.now(UTC))
    settings = load_settings(
        telegram_bot_token=emu.token,
        telegram_api_base_url=emu.base_url,
        database_url=database_url,
        therapist_ids=therapist_ids,
        practice_timezone=timezone,
        **overrides,
    )
    stop = asyncio.Event()
    ready: asyncio.Future[App] = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(
        run_bot(
            settings,
            clock=clock,
            stop=stop,
            poll_timeout=5,
            read_timeout=read_timeout,
            backoff_base=backoff_base,
            dispatch_interval=dispatch_interval,
            on_ready=ready.set_result,
            watch_interval=None,  # tests look with watch.check() after moving the clock
        )
    )
    db = Database(database_url)
    try:
        started: set[asyncio.Future[Any]] = {ready, task}
        done, _ = await asyncio.wait(started, timeout=30, return_when=asyncio.FIRST_COMPLETED)
        if ready not in done:
            if task.done():
                task.result()  # re-raise what stopped the bot
            raise RuntimeError("the bot did not start within 30 s")
        yield OfflineBot(
            emulator=emu,
            settings=settings,
            clock=clock,
            db=db,
            task=task,
            application=ready.result(),
        )
    finally:
        stop.set()
        try:
            await asyncio.wait_for(task, timeout=10)
        finally:
            await db.dispose()
            if owns_emulator:
                await emu.stop()
