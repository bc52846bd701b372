"""`python -m bot backup` and `python -m bot restore FILE`: one line on stdout or stderr each,
and an exit status a script can test (0 done, 1 failed, 2 refused)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from bot.shared.config import Settings
from practice.clock import Clock, SystemClock
from storage import Database
from storage.backup import MANUAL, BackupError, RestoreRefused, back_up, restore
from storage.database import sqlite_path


async def backup_command(settings: Settings, clock: Clock | None = None) -> int:
    clock = clock or SystemClock()
    path = sqlite_path(settings.database_url)
    if path is not None and not await asyncio.to_thread(path.is_file):
        print(f"No database at {path} (DATABASE_URL)", file=sys.stderr)
        return 1
    db = Database(settings.database_url)
    try:
        written = await back_up(db, settings.backups, clock.now(), MANUAL)
    except BackupError as exc:
        print(exc, file=sys.stderr)
        return 1
    finally:
        await db.dispose()
    print(f"Backup written: {written}")
    return 0


async def restore_command(
    settings: Settings, source: Path, *, replace: bool, clock: Clock | None = None
) -> int:
    clock = clock or SystemClock()
    try:
        kept = await restore(
            settings.database_url,
            source,
            replace=replace,
            folder=settings.backups,
            now=clock.now(),
        )
    except RestoreRefused as exc:
        print(exc, file=sys.stderr)
        return 2
    except BackupError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"Restored from {source}.")
    if kept is not None:
        print(f"The database it replaced was kept as {kept}.")
    print("Start the bot as usual: its schema is brought up to date on start.")
    return 0
