"""The operators (OPERATOR_IDS): notices when the bot fails at its job (deliveries keep
failing, the outbox falls behind, a backup fails), in counts and times only, never a client's
name or anything that was sent; and, to an operator who is neither a therapist nor a client,
one short answer saying so, and nothing of the practice's records.

At most one notice per cause per hour, across restarts and processes: each notice is first a
row in the outbox (kind "notice:<cause>"), written under a lock before it goes, and the next of
that cause waits until an hour after it. The notice itself goes straight to Telegram, not
through the outbox's queue: a queue that is behind must not hold back the notice saying so.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from enum import StrEnum

from sqlalchemy.exc import SQLAlchemyError
from telegram import Bot
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.runtime.health import Health, Problem, assess
from bot.shared import texts
from bot.shared.context import App, Context
from practice.clock import Clock
from storage import Database
from storage.database import NOTICE_LOCK
from storage.models import Delivery
from storage.repositories import NOTICE, Outbox

log = logging.getLogger(__name__)

NOTICE_INTERVAL = timedelta(hours=1)
# How often APScheduler has the watch look (real seconds); the first look waits as long, so
# the dispatcher has caught up on what queued while the bot was down.
WATCH_INTERVAL = 60.0


class Cause(StrEnum):
    BEHIND = "behind"
    FAILING = "failing"
    BACKUP = "backup"


class Watch:
    def __init__(
        self, db: Database, bot: Bot, clock: Clock, health: Health, operator_ids: frozenset[int]
    ) -> None:
        self._db = db
        self._bot = bot
        self._clock = clock
        self._health = health
        self._operators = sorted(operator_ids)

    async def check(self) -> list[Cause]:
        """Tell the operators what is wrong now; the causes they were told of."""
        if not self._operators:
            return []
        report = await assess(self._db, self._health, self._clock)
        due: list[tuple[Cause, str]] = []
        if Problem.OUTBOX_BEHIND in report.problems and report.behind is not None:
            minutes = int(report.behind.total_seconds() // 60)
            due.append((Cause.BEHIND, texts.notice_behind(minutes)))
        if Problem.DELIVERIES_FAILING in report.problems and report.failing is not None:
            due.append((Cause.FAILING, texts.notice_failing(report.failing)))
        noticed: list[Cause] = []
        for cause, text in due:
            if await self._notice(cause, text):
                noticed.append(cause)
        return noticed

    async def record_backup(self, ok: bool) -> None:
        """The backup's outcome: shown by /healthz, and a failure is told to the operators.
        Never raises: the caller is busy with the backup's own failure."""
        self._health.record_backup(ok)
        if ok or not self._operators:
            return
        try:
            await self._notice(Cause.BACKUP, texts.NOTICE_BACKUP_FAILED)
        except (SQLAlchemyError, OSError, TelegramError) as exc:
            log.warning(
                "the operators could not be told of a failed backup: %s", type(exc).__name__
            )

    async def _notice(self, cause: Cause, text: str) -> bool:
        """Send `text` to every operator unless this cause was noticed within the hour;
        whether it went to anyone."""
        now = self._clock.now()
        async with self._db.unit_of_work() as uow:
            await uow.serialize(NOTICE_LOCK)  # two processes seeing one fault send one notice
            last = await uow.outbox.last_notice(cause)
            if last is not None and now - last < NOTICE_INTERVAL:
                return False
            rows = [
                Outbox.pending(NOTICE + cause, chat_id=chat_id, day=now.date(), due_at=now, now=now)
                for chat_id in self._operators
            ]
            for row in rows:
                row.status = Outbox.SENDING
                row.attempts = 1
            await uow.outbox.add_all(rows)
            await uow.commit()
        results = {row.id: await self._send(row, text) for row in rows}
        async with self._db.unit_of_work() as uow:
            stored = await uow.outbox.many(list(results))
            for row_id, result in results.items():
                row = stored[row_id]
                if result is None:
                    # Failed in passing: as if never tried, so the next look tries again.
                    await uow.outbox.discard(row)
                elif isinstance(result, int):
                    row.status, row.message_id, row.sent_at = Outbox.SENT, result, now
                else:
                    row.status, row.last_error = Outbox.FAILED, result
            await uow.commit()
        return any(isinstance(result, int) for result in results.values())

    async def _send(self, row: Delivery, text: str) -> int | str | None:
        """The message id; the reason the operator cannot be written to; None to try later."""
        try:
            sent = await self._bot.send_message(row.chat_id, text)
        except (Forbidden, BadRequest) as exc:
            # Never sent the bot /start, or blocked it: trying every minute would not help.
            log.warning("operator %s cannot be sent a notice: %s", row.chat_id, type(exc).__name__)
            return type(exc).__name__
        except TelegramError as exc:
            log.warning(
                "notice to operator %s failed in passing: %s", row.chat_id, type(exc).__name__
            )
            return None
        return sent.message_id


async def watch_job(context: Context) -> None:
    """APScheduler's tick."""
    watch: Watch = context.application.bot_data["watch"]
    await watch.check()


async def record_backup(application: App, ok: bool) -> None:
    """For the backup job: how the backup went (see Watch.record_backup)."""
    watch: Watch = application.bot_data["watch"]
    await watch.record_backup(ok)
