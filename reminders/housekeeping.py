"""The bot's own daily chores: a backup of the database (rotated), then the retention purge.

Each chore's next time is a row in `chores`, not a job in the scheduler's memory: a restart
neither skips a day nor repeats one, and several processes never run one at once. The
scheduler's tick (bot/runtime/app.py) only asks whether one is due.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from practice.clock import Clock
from reminders.retention import apply_retention, next_at
from storage import Database
from storage.backup import BEFORE_MIGRATION, DAILY, BackupError, BackupResult, back_up, rotate
from storage.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

BACKUP, RETENTION, OUTBOX = "backup", "retention", "outbox"
# In this order: the day's backup is taken before the purge, and the outbox pruned after.
CHORES = (BACKUP, RETENTION, OUTBOX)
# Settled outbox rows are kept this long: past every window a screen or the health report
# reads them in (the adherence figures' 14 days at most; older homework days are read from
# homework_due_days, which the pruning fills).
OUTBOX_KEEP = timedelta(days=35)
# A chat's pacing row (chat_pacing: when the dispatcher may next send to it) is deleted once
# it has been free this long: no row and a past next_at mean the same to a claim, and a day
# is far more than hosts' clocks may disagree by. One row per chat ever sent to otherwise.
PACING_KEEP = timedelta(days=1)
# Rows pruned a transaction: a first pruning of years of history never holds the database's
# write lock for more than a moment.
PRUNE_BATCH = 2_000
LEASE = timedelta(hours=1)
# A failed chore is tried again this much later (and the operator told each time).
RETRY = timedelta(hours=1)

BackupListener = Callable[[BackupResult], Awaitable[None]]


@dataclass(frozen=True)
class ChorePolicy:
    """What the chores go by, from the operator's configuration (bot/runtime/app.py makes it
    from Settings)."""

    zone: str  # the practice's time zone: the chores' day, the retention notices' hour
    backup_time: time  # local time of the daily backup (then the purge)
    backups: Path  # the folder backups are written to
    backup_keep: int  # how many of each kind are kept; 0: no automatic backups
    retention_years: int  # records untouched this long are purged
    notice_at: time  # local time a retention notice is queued for (the digest's)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.zone)


async def plan_chores(uow: UnitOfWork, policy: ChorePolicy, now: datetime) -> None:
    """At start-up: each chore exists, first due at the next `BACKUP_TIME`."""
    due = next_at(now, policy.tz, policy.backup_time)
    for name in CHORES:
        await uow.chores.plan(name, due)


def snapshot_before_migration(
    policy: ChorePolicy, db: Database, clock: Clock
) -> Callable[[], Awaitable[None]]:
    """What `Database.migrate` runs before changing an existing schema: a backup to go back
    to. If it cannot be taken, the migration (and the start) does not happen."""

    async def snapshot() -> None:
        if policy.backup_keep == 0:
            return  # automatic backups are off: the operator takes their own
        path = await back_up(db, policy.backups, clock.now(), BEFORE_MIGRATION)
        await asyncio.to_thread(rotate, policy.backups, BEFORE_MIGRATION, policy.backup_keep)
        log.info("backup before migrating written: %s", path.name)

    return snapshot


class Housekeeping:
    def __init__(self, policy: ChorePolicy, db: Database, clock: Clock) -> None:
        self._policy = policy
        self._db = db
        self._clock = clock
        self._backup_listeners: list[BackupListener] = []
        self.last_backup: BackupResult | None = None

    def on_backup(self, listener: BackupListener) -> None:
        """`listener` hears every scheduled backup's result, failed (`ok` False, `error` a
        one-line cause with no contents) or not: how an operator is told."""
        self._backup_listeners.append(listener)

    async def run_due(self) -> list[str]:
        """Run the chores that are due by the clock now; the names of those run."""
        ran: list[str] = []
        for name in CHORES:
            now = self._clock.now()
            async with self._db.unit_of_work() as uow:
                mine = await uow.chores.claim(name, now, LEASE)
                await uow.commit()
            if not mine:
                continue
            ran.append(name)
            chore = {BACKUP: self._backup, RETENTION: self._retention, OUTBOX: self.prune_outbox}
            ok = await chore[name]()
            later = self._clock.now()
            async with self._db.unit_of_work() as uow:
                if ok:
                    tomorrow = next_at(later, self._policy.tz, self._policy.backup_time)
                    await uow.chores.done(name, later, tomorrow)
                else:
                    await uow.chores.failed(name, later, later + RETRY)
                await uow.commit()
        return ran

    async def _backup(self) -> bool:
        keep = self._policy.backup_keep
        if keep == 0:
            return True  # automatic backups are off
        folder = self._policy.backups
        now = self._clock.now()
        try:
            path = await back_up(self._db, folder, now, DAILY)
        except BackupError as exc:
            log.error("daily backup failed: %s", exc)
            result = BackupResult(ok=False, at=now, error=str(exc))
        except Exception as exc:  # a surprise is still a failed backup the operator hears of
            log.exception("daily backup failed unexpectedly")
            result = BackupResult(ok=False, at=now, error=f"Backup failed: {type(exc).__name__}")
        else:
            await asyncio.to_thread(rotate, folder, DAILY, keep)
            log.info("daily backup written: %s", path.name)
            result = BackupResult(ok=True, at=now, path=path)
        self.last_backup = result
        for listener in self._backup_listeners:
            try:
                await listener(result)
            except Exception:
                log.exception("a backup listener failed")
        return result.ok

    async def prune_outbox(self) -> bool:
        """Settled outbox rows older than OUTBOX_KEEP go (their homework days kept), a batch
        a transaction, and the pacing rows of chats free for PACING_KEEP; then SQLite's
        planner statistics are refreshed (PRAGMA optimize)."""
        now = self._clock.now()
        before = now - OUTBOX_KEEP
        pruned = 0
        try:
            while True:
                async with self._db.unit_of_work() as uow:
                    count = await uow.retention.prune_outbox(before, PRUNE_BATCH)
                    await uow.commit()
                pruned += count
                if count < PRUNE_BATCH:
                    break
            async with self._db.unit_of_work() as uow:
                chats = await uow.outbox.forget_pacing_before(now - PACING_KEEP)
                await uow.commit()
            if self._db.kind == "sqlite":
                async with self._db.engine.connect() as conn:
                    await conn.exec_driver_sql("PRAGMA optimize")
        except Exception as exc:
            log.error("outbox pruning failed: %s", type(exc).__name__)
            return False
        log.info(
            "outbox pruned: %d settled rows older than %d days, %d chats' pacing",
            pruned,
            OUTBOX_KEEP.days,
            chats,
        )
        return True

    async def _retention(self) -> bool:
        try:
            async with self._db.unit_of_work() as uow:
                await apply_retention(
                    uow,
                    now=self._clock.now(),
                    years=self._policy.retention_years,
                    zone=self._policy.zone,
                    notice_at=self._policy.notice_at,
                )
                await uow.commit()
        except Exception as exc:
            log.error("retention run failed: %s", type(exc).__name__)
            return False
        return True
