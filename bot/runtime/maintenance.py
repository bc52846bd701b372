"""`aftercare backup`, `restore FILE`, `migrate` and `check-config` (also `python -m bot …`):
one line on stdout or stderr each, and an exit status a script can test (0 done, 1 failed,
2 refused or misconfigured)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy.engine import Connection, make_url

from bot.shared.config import (
    NO_THERAPISTS,
    NO_TOKEN,
    TELEGRAM_API,
    Settings,
    chore_policy,
    problem_line,
)
from practice.clock import Clock, SystemClock
from reminders.housekeeping import snapshot_before_migration
from reports.wording import count
from storage import Database
from storage.backup import MANUAL, BackupError, RestoreRefused, back_up, restore
from storage.database import current_revision, sqlite_path


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


async def migrate_command(settings: Settings, clock: Clock | None = None) -> int:
    """Bring the schema to head as a start would (storage.database's `migrate`, a backup of
    an existing schema first: reminders.housekeeping's `snapshot_before_migration`), and say
    in one line what that came to."""
    clock = clock or SystemClock()
    db = Database(settings.database_url)
    snapshot = snapshot_before_migration(chore_policy(settings), db, clock)
    snapshotted = False

    async def before_upgrade() -> None:
        nonlocal snapshotted
        await snapshot()
        snapshotted = settings.backup_keep > 0

    try:
        before = await _revision(db)
        await db.migrate(before_upgrade=before_upgrade)
        after = await _revision(db)
    except BackupError as exc:  # the snapshot failed: nothing was migrated
        await db.dispose_after_failure()
        print(f"{exc}; the schema was left as it was", file=sys.stderr)
        return 1
    except Exception as exc:
        await db.dispose_after_failure()
        unusable = db.explain(exc)
        if unusable is None:
            raise
        print(unusable, file=sys.stderr)
        return 1
    await db.dispose()
    if before == after:
        print(f"Database schema already at {after}: nothing to do.")
    elif before is None:
        print(f"Database schema created at {after} (a new database).")
    else:
        first = (
            f"a backup was written to {settings.backups} first"
            if snapshotted
            else "no backup first (BACKUP_KEEP=0)"
        )
        print(f"Database schema upgraded from {before} to {after}; {first}.")
    return 0


async def _revision(db: Database) -> str | None:
    """The schema's Alembic revision; None for a database without one (a new one)."""

    def current(connection: Connection) -> str | None:
        return current_revision(connection)

    async with db.engine.connect() as connection:
        return await connection.run_sync(current)


def check_config_command() -> int:
    """Load the settings as a start would: each problem in one line on stderr (status 2), or
    a summary with no secret in it (the token's secret part hidden, no database password)."""
    try:
        settings = Settings()
    except ValidationError as exc:
        for error in exc.errors():
            print(problem_line(error), file=sys.stderr)
        return 2
    problems = []
    if not settings.token:
        problems.append(f"{NO_TOKEN}; without it the bot only plays the offline demo")
    path = sqlite_path(settings.database_url)
    if path is not None and not path.parent.is_dir():
        problems.append(
            f"Configuration error: DATABASE_URL names a file in {path.parent}, "
            "a folder that does not exist"
        )
    from bot.runtime import libraries

    if broken := libraries.unloadable():  # imported here for real: the start only looks
        problems.append(libraries.UNLOADABLE.format(names="; ".join(broken)))
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 2
    url = make_url(settings.database_url)
    env_file = Path(".env")
    source = (
        f"the environment and {env_file.resolve()}" if env_file.is_file() else "the environment"
    )
    lines = [
        f"Configuration OK (read from {source}):",
        f"  TELEGRAM_BOT_TOKEN  {_masked(settings.token or '')}",
        f"  DATABASE_URL        {url.render_as_string(hide_password=True)}",
        f"  THERAPIST_IDS       {count(len(settings.therapist_ids), 'therapist')}",
        f"  PRACTICE_TIMEZONE   {settings.practice_timezone}",
        f"  BACKUP_DIR          {_backups(settings)}",
        f"  HEALTH_PORT         {_health(settings)}",
        f"  WEBHOOK_URL         {_updates(settings)}",
        f"  OPERATOR_IDS        {count(len(settings.operator_ids), 'operator')}",
        f"  LOG_LEVEL           {settings.log_level}",
    ]
    if settings.telegram_api_base_url != TELEGRAM_API:
        lines.insert(2, f"  TELEGRAM_API_BASE_URL {settings.telegram_api_base_url}")
    print("\n".join(lines))
    if not settings.therapist_ids:
        print(NO_THERAPISTS, file=sys.stderr)
    return 0


def _updates(settings: Settings) -> str:
    """How updates arrive: polled, or posted to the webhook (its secret never shown)."""
    if settings.webhook is None:
        return "(not set: the bot polls Telegram for updates)"
    return f"{settings.webhook.url} (listening on {settings.webhook_listen})"


def _masked(token: str) -> str:
    """The bot's id (the digits before the colon, which Telegram shows anyone) and stars."""
    bot_id, colon, _secret = token.partition(":")
    if colon and bot_id.isdigit():
        return f"{bot_id}:{'*' * 8}"
    return "*" * 8


def _backups(settings: Settings) -> str:
    if settings.backup_keep == 0:
        return f"{settings.backups.absolute()} (automatic backups off: BACKUP_KEEP=0)"
    return (
        f"{settings.backups.absolute()} (the newest {settings.backup_keep} kept, daily at "
        f"{settings.backup_time:%H:%M})"
    )


def _health(settings: Settings) -> str:
    if settings.health_port is None:
        return "none (no /healthz)"
    return f"{settings.health_host}:{settings.health_port}"
