"""The dispatcher: claims due outbox rows under a lease, sends them, records the outcome, and
queues each schedule's next occurrence. APScheduler (PTB's JobQueue) wakes it.

No transaction is open while a message is in flight: the claim commits first, the outcome
commits after. A crash between the two leaves a lease that expires, and the row is sent again
once — the only way a reminder can arrive twice.
"""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from telegram import Bot, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from bot.checkins import check_in_card
from bot.exercises import exercise_card
from bot.homework_taps import reminder_card
from bot.reach import client_unreachable
from practice.clock import Clock
from practice.plans import HomeworkStatus
from practice.reminders import retry_delay, too_late
from reminders.checkins import plan_check_in
from reminders.planning import paused_at, plan_next, reachable
from storage import Database
from storage.models import Client, Delivery, HomeworkAssignment
from storage.repositories import Outbox
from storage.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


@dataclass
class DispatchStats:
    sent: int = 0
    missed: int = 0
    failed: int = 0
    retried: int = 0
    cancelled: int = 0


class Dispatcher:
    def __init__(
        self,
        db: Database,
        bot: Bot,
        clock: Clock,
        *,
        fallback_zone: str,
        batch: int = 100,
        lease: timedelta = timedelta(minutes=5),
        max_attempts: int = 8,
        concurrency: int = 16,
    ) -> None:
        self._db = db
        self._bot = bot
        self._clock = clock
        self._zone = fallback_zone
        self._batch = batch
        self._lease = lease
        self._max_attempts = max_attempts
        # Sends overlap (the rate limiter paces them); each row is still finished on its own.
        self._slots = asyncio.Semaphore(concurrency)
        self._running = asyncio.Lock()
        self.stats = DispatchStats()

    async def run_once(self) -> int:
        """Claim one batch of due rows and deliver them; the number claimed."""
        now = self._clock.now()
        async with self._db.unit_of_work() as uow:
            claimed = [d.id for d in await uow.outbox.claim_due(now, self._lease, self._batch)]
            await uow.commit()
        await asyncio.gather(*(self._deliver_in_slot(d) for d in claimed))
        return len(claimed)

    async def _deliver_in_slot(self, delivery_id: int) -> None:
        async with self._slots:
            try:
                await self._deliver(delivery_id)
            except Exception:
                # One row's surprise must not stop the batch; its lease expires and it is
                # tried again.
                log.exception("delivery %s failed unexpectedly", delivery_id)

    @property
    def busy(self) -> bool:
        return self._running.locked()

    async def run_until_idle(self) -> int:
        """Batches until nothing is due; one caller at a time in this process."""
        total = 0
        async with self._running:
            while (count := await self.run_once()) > 0:
                total += count
        return total

    async def next_due_in(self) -> timedelta | None:
        async with self._db.unit_of_work() as uow:
            due = await uow.outbox.next_due_at()
        return None if due is None else max(due - self._clock.now(), timedelta(0))

    async def _deliver(self, delivery_id: int) -> None:
        now = self._clock.now()
        async with self._db.unit_of_work() as uow:
            delivery = await uow.outbox.get(delivery_id)
            if delivery is None or delivery.status != Outbox.SENDING:
                return
            if delivery.kind == "checkin":
                prepared = await self._prepare_check_in(uow, delivery, now)
            else:
                prepared = await self._prepare_homework(uow, delivery, now)
            if prepared is None:  # settled without sending (cancelled, missed, failed)
                await uow.commit()
                return
            text, keyboard = prepared
            chat_id = delivery.chat_id
        try:
            message = await self._bot.send_message(
                chat_id, text, parse_mode="HTML", reply_markup=keyboard
            )
        except Forbidden:
            await self._finish(delivery_id, Outbox.FAILED, error="blocked by the client")
            await client_unreachable(self._db, self._clock, self._bot, chat_id)
            self.stats.failed += 1
        except BadRequest as exc:
            await self._finish(delivery_id, Outbox.FAILED, error=exc.message, queue_next=True)
            self.stats.failed += 1
        except RetryAfter as exc:
            wait = exc.retry_after
            seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
            await self._retry(delivery_id, timedelta(seconds=seconds), count_attempt=False)
        except NetworkError as exc:
            log.warning("delivery %s failed in passing: %s", delivery_id, type(exc).__name__)
            await self._retry(delivery_id, None, count_attempt=True)
        else:
            await self._finish(
                delivery_id, Outbox.SENT, message_id=message.message_id, queue_next=True
            )
            self.stats.sent += 1

    async def _prepare_homework(
        self, uow: UnitOfWork, delivery: Delivery, now: datetime
    ) -> tuple[str, InlineKeyboardMarkup] | None:
        assignment = (
            await uow.homework.get_any(delivery.assignment_id)
            if delivery.assignment_id is not None
            else None
        )
        client = (
            await uow.clients.get(assignment.therapist_id, delivery.client_id)
            if assignment is not None and delivery.client_id is not None
            else None
        )
        if (
            assignment is None
            or client is None
            or assignment.status != HomeworkStatus.ACTIVE
            or not reachable(client)
        ):
            delivery.status = Outbox.CANCELLED
            self.stats.cancelled += 1
            return None
        if paused_at(client, now):
            # Paused after this was queued: skip it, queue the first one after the pause.
            delivery.status = Outbox.CANCELLED
            self.stats.cancelled += 1
            await self._queue_next(uow, delivery, assignment, client, now)
            return None
        if too_late(delivery.due_at, now):
            # The bot was down: a stretch reminder hours late is noise, not help.
            delivery.status = Outbox.MISSED
            self.stats.missed += 1
            await self._queue_next(uow, delivery, assignment, client, now)
            return None
        card = await exercise_card(uow, assignment.therapist_id, assignment.exercise_code)
        if card is None:
            delivery.status = Outbox.FAILED
            delivery.last_error = "exercise no longer exists"
            return None
        return reminder_card(delivery.id, card, assignment.dose)

    async def _prepare_check_in(
        self, uow: UnitOfWork, delivery: Delivery, now: datetime
    ) -> tuple[str, InlineKeyboardMarkup] | None:
        check_in = (
            await uow.check_ins.get(delivery.check_in_id)
            if delivery.check_in_id is not None
            else None
        )
        client = (
            await uow.clients.get(check_in.therapist_id, check_in.client_id)
            if check_in is not None
            else None
        )
        if check_in is None or client is None or not reachable(client):
            delivery.status = Outbox.CANCELLED
            self.stats.cancelled += 1
            return None
        if paused_at(client, now):
            delivery.status = Outbox.CANCELLED  # no check-in during a pause
            self.stats.cancelled += 1
            return None
        # A check-in late after downtime is still worth asking: it goes out.
        return await check_in_card(uow, check_in, client)

    async def _queue_next(
        self,
        uow: UnitOfWork,
        delivery: Delivery,
        assignment: HomeworkAssignment,
        client: Client,
        now: datetime,
    ) -> None:
        if delivery.sequence == 0:  # a snooze's original already queued what follows
            await plan_next(
                uow,
                assignment,
                client,
                after=delivery.occurs_at,
                now=now,
                fallback_zone=self._zone,
            )

    async def _finish(
        self,
        delivery_id: int,
        status: str,
        *,
        message_id: int | None = None,
        error: str | None = None,
        queue_next: bool = False,
    ) -> None:
        now = self._clock.now()
        async with self._db.unit_of_work() as uow:
            delivery = await uow.outbox.get(delivery_id)
            if delivery is None:
                return
            delivery.status = status
            delivery.lease_until = None
            delivery.message_id = message_id
            delivery.sent_at = now if status == Outbox.SENT else None
            delivery.last_error = error[:200] if error else None
            if status == Outbox.SENT and delivery.check_in_id is not None:
                await self._check_in_sent(uow, delivery, now)
            if queue_next and delivery.assignment_id is not None:
                assignment = await uow.homework.get_any(delivery.assignment_id)
                client = (
                    await uow.clients.get(assignment.therapist_id, delivery.client_id)
                    if assignment is not None and delivery.client_id is not None
                    else None
                )
                if assignment is not None and client is not None:
                    await self._queue_next(uow, delivery, assignment, client, now)
            await uow.commit()

    async def _check_in_sent(self, uow: UnitOfWork, delivery: Delivery, now: datetime) -> None:
        """The check-in is out: earlier ones close, the next of the series is queued."""
        assert delivery.check_in_id is not None
        check_in = await uow.check_ins.get(delivery.check_in_id)
        if check_in is None:
            return
        check_in.sent_at = now
        await uow.check_ins.close_open(check_in.client_id, now, except_id=check_in.id)
        client = await uow.clients.get(check_in.therapist_id, check_in.client_id)
        note = (
            await uow.notes.get(check_in.therapist_id, check_in.after_note_id)
            if check_in.after_note_id is not None
            else None
        )
        if client is not None and note is not None:
            await plan_check_in(
                uow,
                client,
                note_id=note.id,
                session_day=note.session_date,
                number=check_in.number + 1,
                now=now,
                fallback_zone=self._zone,
            )

    async def _retry(
        self, delivery_id: int, wait: timedelta | None, *, count_attempt: bool
    ) -> None:
        now = self._clock.now()
        async with self._db.unit_of_work() as uow:
            delivery = await uow.outbox.get(delivery_id)
            if delivery is None:
                return
            if not count_attempt:
                delivery.attempts -= 1  # a 429 is Telegram's pacing, not a failure
            if count_attempt and delivery.attempts >= self._max_attempts:
                delivery.status = Outbox.FAILED
                delivery.last_error = "gave up after repeated network errors"
                self.stats.failed += 1
            else:
                delivery.status = Outbox.PENDING
                delay = (
                    wait if wait is not None else retry_delay(delivery.attempts, random.random())
                )
                delivery.due_at = now + delay
                self.stats.retried += 1
            delivery.lease_until = None
            await uow.commit()
