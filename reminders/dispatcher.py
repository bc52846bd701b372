"""The dispatcher: claims due outbox rows under a lease, sends them, records the outcome, and
queues each schedule's next occurrence. APScheduler (PTB's JobQueue) wakes it.

A batch costs one short transaction to claim its rows, committed at once; one to prepare
their messages, which reads first and writes only at its end (so SQLite's write lock is not
held while a digest is being built, and no user's write waits on the dispatcher); then the
messages go out with at most `concurrency` unsettled at once, what came back settled
(outcomes recorded, next occurrences queued) in one transaction while the other sends go on;
no transaction waits on Telegram. Batches overlap: the next is claimed and prepared while
the last of this one are sending, in the same window, and that claim leaves alone the chats
still being sent to (their leases may have run out meanwhile). A crash leaves leases that
expire: the messages unsettled at the crash (at most `concurrency`: in flight, or answered
and not yet recorded) are sent again once, and the rest of the batches for the first time;
none whose outcome was committed.
The other way a reminder can arrive
twice is a send Telegram carried out without answering in time: it is tried once more (the
request layer does not retry such a send, bot/runtime/delivery.py), and if that one goes unanswered
too, the row is taken as sent rather than risk a third copy.

Pacing. Telegram asks for no more than about one message per second in a chat ("We may allow
short bursts that go over this limit, but eventually you'll begin receiving 429 errors",
https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this), and about
30 per second for the whole bot. The whole bot's rate is PTB's rate limiter's
(bot/runtime/delivery.py). The per-chat spacing is kept in the database, in `chat_pacing`
(one row per chat: when it may next be sent to), because several send processes may share
one PostgreSQL database and an in-memory limiter per process would let each of them send to
the same chat in the same second:
- a claim takes at most one row per chat, and only for a chat whose `next_at` has passed; it
  sets `next_at` to the end of its lease in the same statement (INSERT … ON CONFLICT DO
  UPDATE … WHERE next_at <= now … RETURNING, storage/repositories/outbox.py), so of two
  processes claiming rows of one chat at once only one gets the chat — the other's rows stay
  pending;
- the chat stays held while its message is in flight, and when the send is answered its
  `next_at` becomes the time of the answer plus `SPACING`: Telegram received the message
  before it answered, so the next message to that chat, claimed after `next_at` by whichever
  process, reaches it at least `SPACING` later. A process that dies holding a chat lets it
  go when its lease runs out, as with its rows.
The alternative, a per-process limiter keyed by chat, holds only for one process; an advisory
lock per chat would hold a transaction open across the send. The cost here is one upsert per
claim and one bulk update per wave, and a chat's second message waits for a later claim
(hosts' clocks must agree to well under a second: NTP).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import random
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from telegram import Bot, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from practice.clock import Clock
from practice.exercises import ExerciseCard, by_code, card_of, custom_id
from practice.messages import WorkingHours
from practice.plans import HomeworkStatus
from practice.redact import error_type, reason, where
from practice.reminders import retry_delay, too_late
from practice.schedules import move_out_of_quiet_hours, to_utc
from practice.visits import CANCELLED_STATUSES, OPEN_STATUSES, VisitStatus
from reminders.arrival import may_have_arrived
from reminders.checkins import plan_check_in
from reminders.digest import digest_of, plan_digest
from reminders.outbox_cards import OutboxCards
from reminders.planning import (
    paused_at,
    plan_next_many,
    preferences_of,
    quiet_hours_of,
    reachable,
)
from reminders.referrals import PENDING
from reminders.visits import check_wanted
from reminders.weekly import plan_weekly, weekly_text
from storage import Database
from storage.models import Client, Delivery, HomeworkAssignment, Referral, Visit
from storage.repositories import (
    CHECK_IN,
    CONSENT,
    DIGEST,
    FOLLOW_UP,
    HOMEWORK,
    LETTER_DUE,
    LETTER_GONE,
    RED_FLAG,
    RELAY,
    REPLY,
    RETENTION,
    SNOOZE,
    VISIT_BOOKED,
    VISIT_CANCELLED,
    VISIT_CHECK,
    VISIT_MOVED,
    VISIT_OUTCOME,
    VISIT_REMINDER,
    WEEKLY,
    Outbox,
    SendBudget,
)
from storage.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


@dataclass
class DispatchStats:
    sent: int = 0
    missed: int = 0
    failed: int = 0
    retried: int = 0
    cancelled: int = 0


@dataclass(frozen=True)
class _Message:
    delivery_id: int
    chat_id: int
    text: str
    keyboard: InlineKeyboardMarkup | None
    lease_until: datetime | None = None  # the claim's: the row is still this process's
    # A homework reminder's schedule and client as prepared: settling queues the next
    # occurrence from them (prepare read them moments ago, and the next row's own prepare
    # checks both again before it is sent), instead of reading both again per settle.
    schedule: tuple[HomeworkAssignment, Client] | None = None


@dataclass(frozen=True)
class _Outcome:
    delivery_id: int
    status: str  # sent, failed, blocked, retry, unanswered (Telegram may have delivered it)
    answered_at: datetime  # when the send came back: the chat's pacing counts from here
    message_id: int | None = None
    error: str | None = None
    wait: timedelta | None = None  # Telegram's retry_after
    counts: bool = True  # a 429 is pacing, not a failed attempt


@dataclass
class _Batch:
    """What settling a batch must do besides updating the rows themselves."""

    next_homework: list[tuple[HomeworkAssignment, Client, datetime]] = field(default_factory=list)
    blocked_chats: set[int] = field(default_factory=set)
    # Referrals whose client could not be asked for consent: the therapist is told.
    consent_not_asked: list[int] = field(default_factory=list)
    # Referrals whose letter waited long enough for the client's details: it goes now.
    letters_due: list[int] = field(default_factory=list)
    # Planning that writes (the next digest or weekly note of one with nothing to say): run
    # once every message is prepared, so that the preparing reads take no write lock.
    then: list[Callable[[], Awaitable[None]]] = field(default_factory=list)


# Sends unsettled at once (in flight, or answered and not yet recorded): enough to keep
# Telegram's 30/s busy through network latency, and all that a crash can send twice.
WAVE = 32

# The least time between two messages the dispatcher sends to one chat.
SPACING = timedelta(seconds=1)

# How a message goes out: (chat, text, keyboard, paid broadcast) → Telegram's message_id. The
# dispatcher needs nothing else of Telegram's answer; the bot's runtime gives one that parses
# nothing else (bot/runtime/delivery.py send_text), and without it PTB's send_message is used.
SendText = Callable[[int, str, InlineKeyboardMarkup | None, bool], Awaitable[int]]


def send_with(bot: Bot) -> SendText:
    """PTB's own send_message (which builds a full Message of the answer)."""

    async def send(
        chat_id: int, text: str, keyboard: InlineKeyboardMarkup | None, paid: bool
    ) -> int:
        sent = await bot.send_message(
            chat_id, text, reply_markup=keyboard, allow_paid_broadcast=True if paid else None
        )
        return sent.message_id

    return send


class Dispatcher:
    def __init__(
        self,
        db: Database,
        bot: Bot,
        clock: Clock,
        *,
        cards: OutboxCards,
        fallback_zone: str,
        batch: int = 200,
        lease: timedelta = timedelta(minutes=5),
        max_attempts: int = 8,
        concurrency: int = WAVE,
        digest_time: time = time(8, 0),
        retention_years: int = 7,
        paid_broadcast: bool = False,
        working_hours: WorkingHours | None = None,
        send: SendText | None = None,
        budget: SendBudget | None = None,
    ) -> None:
        self._db = db
        self._bot = bot
        self._send_text = send or send_with(bot)
        # The bot-wide rate shared with every process on the database (None: this process's
        # rate limiter alone keeps it, bot/runtime/delivery.py).
        self._budget = budget
        self._clock = clock
        self._cards = cards
        self._zone = fallback_zone
        self._batch = batch
        self._lease = lease
        self._max_attempts = max_attempts
        self._digest_time = digest_time
        self._retention_years = retention_years
        # Bot API sendMessage's allow_paid_broadcast: past 30/s, paid in Stars (the operator's
        # choice, TELEGRAM_PAID_BROADCAST).
        self._paid = paid_broadcast
        # The therapist's working hours (WORKING_HOURS), for the relayed messages' cards.
        self._hours = working_hours
        # Sends overlap (the rate limiter paces them); the window is what a crash can repeat.
        self._wave = concurrency
        self._running = asyncio.Lock()
        self.stats = DispatchStats()

    @property
    def busy(self) -> bool:
        return self._running.locked()

    async def run_until_idle(self) -> int:
        """Batches until nothing is due; one caller at a time in this process. The batches
        overlap: the next is claimed and prepared while the last of this one are still
        sending (the window keeps a crash's repeats to its size across batches), so the
        sends do not stop for a claim."""
        total = 0
        async with self._running:
            window = _Window(self, self._wave)
            try:
                while (count := await self._claim_into(window)) > 0:
                    total += count
                    await self._tell(window)
                await window.finish()
            finally:
                window.close()
            await self._tell(window)
        return total

    async def next_due_in(self) -> timedelta | None:
        async with self._db.unit_of_work() as uow:
            now = self._clock.now()
            due = await uow.outbox.next_due_at(now, self._budget)
        return None if due is None else max(due - self._clock.now(), timedelta(0))

    async def run_once(self) -> int:
        """Claim one batch of due rows and deliver them; the number claimed."""
        window = _Window(self, self._wave)
        try:
            count = await self._claim_into(window)
            await window.finish()
        finally:
            window.close()
        await self._tell(window)
        return count

    async def _claim_into(self, window: _Window) -> int:
        """Claim one batch and hand its messages to `window`; returns once the window's queue
        is short enough for the next claim to come in time. The number claimed."""
        now = self._clock.now()
        batch = _Batch()
        # The claim is committed before anything is prepared: it holds SQLite's write lock
        # (and PostgreSQL's row locks) for one UPDATE, not for the reading that follows.
        async with self._db.unit_of_work() as uow:
            claimed = await uow.outbox.claim_due(
                now, self._lease, self._batch, self._budget, busy=window.chats
            )
            leases = {d.id: d.lease_until for d in claimed}
            chats = {d.id: d.chat_id for d in claimed}  # the chats the claim holds
            await uow.commit()
        if not claimed:
            return 0
        async with self._db.unit_of_work() as uow:
            rows = await uow.outbox.many(list(leases))
            mine = [
                rows[i]
                for i in leases
                if i in rows
                and rows[i].status == Outbox.SENDING
                and rows[i].lease_until == leases[i]
            ]
            messages = await self._prepare(uow, mine, now, batch)
            messages = self._keep_to_held_chats(messages, rows, chats, now)
            # A held chat that gets no message now may be sent to at once.
            sending = {m.delivery_id for m in messages}
            await uow.outbox.pace_chats(
                {chats[d.id]: now for d in mine if d.id not in sending and d.id in chats}
            )
            await uow.commit()
        window.take(batch)
        await window.send(
            [dataclasses.replace(m, lease_until=leases[m.delivery_id]) for m in messages]
        )
        # Counts only: what was sent, to whom, stays out of the logs.
        log.info("outbox batch: %d claimed; totals %s", len(claimed), self.stats)
        return len(claimed)

    async def _tell(self, window: _Window) -> None:
        """The therapists told of what was settled so far: a client who blocked the bot, a
        consent question that could not be asked, a letter that waited long enough for its
        client's answers."""
        blocked, window.blocked_chats = window.blocked_chats, set()
        consent, window.consent_not_asked = window.consent_not_asked, []
        letters, window.letters_due = window.letters_due, []
        for chat_id in blocked:
            await self._cards.client_unreachable(self._db, self._clock, self._bot, chat_id)
        for referral_id in consent:
            await self._cards.consent_not_asked(
                self._db, self._clock, self._bot, referral_id, zone=self._zone
            )
        for referral_id in letters:
            await self._cards.letter_overdue(
                self._db, self._clock, self._bot, referral_id, zone=self._zone
            )

    # --- preparing: one query per kind of thing, for the whole batch --------------------

    async def _prepare(
        self, uow: UnitOfWork, claimed: list[Delivery], now: datetime, batch: _Batch
    ) -> list[_Message]:
        homework = [d for d in claimed if d.kind in (HOMEWORK, SNOOZE)]
        assignments = await uow.homework.many(
            [d.assignment_id for d in homework if d.assignment_id is not None]
        )
        clients = await uow.clients.many([d.client_id for d in claimed if d.client_id is not None])
        cards = await self._exercise_cards(uow, list(assignments.values()))
        messages: list[_Message] = []
        # Reads only until every message is prepared: what is decided about the rows is
        # written at the end (no autoflush), with the planning that follows from it.
        with uow.session.no_autoflush:
            messages = await self._prepare_each(
                uow, claimed, clients, assignments, cards, now, batch
            )
        await uow.session.flush()
        for then in batch.then:
            await then()
        batch.then.clear()
        # Rows settled without sending (missed, cancelled in a pause) queue what follows now.
        await self._queue_homework(uow, batch, now)
        return messages

    async def _prepare_each(
        self,
        uow: UnitOfWork,
        claimed: list[Delivery],
        clients: dict[int, Client],
        assignments: dict[int, HomeworkAssignment],
        cards: dict[str, ExerciseCard],
        now: datetime,
        batch: _Batch,
    ) -> list[_Message]:
        messages: list[_Message] = []
        for delivery in claimed:
            client = clients.get(delivery.client_id) if delivery.client_id is not None else None
            prepared: tuple[str, InlineKeyboardMarkup | None] | None
            if delivery.kind == CHECK_IN:
                prepared = await self._prepare_check_in(uow, delivery, client, now)
            elif delivery.kind == DIGEST:
                prepared = await self._prepare_digest(uow, delivery, now, batch)
            elif delivery.kind == WEEKLY:
                prepared = await self._prepare_weekly(uow, delivery, client, now, batch)
            elif delivery.kind == CONSENT:
                prepared = await self._prepare_consent(uow, delivery, now, batch)
            elif delivery.kind == FOLLOW_UP:
                prepared = await self._prepare_follow_up(uow, delivery)
            elif delivery.kind == LETTER_DUE:
                prepared = await self._prepare_letter_due(uow, delivery, now, batch)
            elif delivery.kind == LETTER_GONE:
                prepared = await self._prepare_letter_gone(uow, delivery, client, now)
            elif delivery.kind == RETENTION:
                prepared = await self._prepare_retention(uow, delivery, client)
            elif delivery.kind in VISIT_KINDS:
                prepared = await self._prepare_visit(uow, delivery, client, now)
            elif delivery.kind == RED_FLAG:
                prepared = await self._prepare_red_flag(uow, delivery)
            elif delivery.kind == RELAY:
                prepared = await self._prepare_relay(uow, delivery, now)
            elif delivery.kind == REPLY:
                prepared = await self._prepare_reply(uow, delivery, client, now)
            else:
                assignment = (
                    assignments.get(delivery.assignment_id)
                    if delivery.assignment_id is not None
                    else None
                )
                prepared = self._prepare_homework(delivery, assignment, client, cards, now, batch)
            if prepared is not None:
                if client is not None and delivery.kind in FOR_THE_CLIENT:
                    _address(delivery, client)
                text, keyboard = prepared
                schedule = None
                if delivery.kind in (HOMEWORK, SNOOZE) and client is not None:
                    assignment = assignments.get(delivery.assignment_id or 0)
                    schedule = (assignment, client) if assignment is not None else None
                messages.append(
                    _Message(delivery.id, delivery.chat_id, text, keyboard, schedule=schedule)
                )
        return messages

    @staticmethod
    def _keep_to_held_chats(
        messages: list[_Message], rows: dict[int, Delivery], chats: dict[int, int], now: datetime
    ) -> list[_Message]:
        """A message addressed anew (the client moved to another account since it was
        queued) is not for the chat the claim holds: back to the outbox, due now, so that the
        next claim paces the chat it now goes to."""
        kept = []
        for message in messages:
            if message.chat_id == chats.get(message.delivery_id):
                kept.append(message)
            else:
                _wait_until(rows[message.delivery_id], now)
        return kept

    async def _exercise_cards(
        self, uow: UnitOfWork, assignments: list[HomeworkAssignment]
    ) -> dict[str, ExerciseCard]:
        cards: dict[str, ExerciseCard] = {}
        for assignment in assignments:
            code = assignment.exercise_code
            if code in cards:
                continue
            row_id = custom_id(code)
            if row_id is not None:
                row = await uow.exercises.get(assignment.therapist_id, row_id)
                if row is not None:
                    cards[code] = self._cards.custom_exercise(row)
                continue
            try:
                cards[code] = card_of(by_code(code))
            except KeyError:
                continue
        return cards

    def _prepare_homework(
        self,
        delivery: Delivery,
        assignment: HomeworkAssignment | None,
        client: Client | None,
        cards: dict[str, ExerciseCard],
        now: datetime,
        batch: _Batch,
    ) -> tuple[str, InlineKeyboardMarkup] | None:
        if (
            assignment is None
            or client is None
            or assignment.status != HomeworkStatus.ACTIVE
            or not reachable(client)
        ):
            self._cancel(delivery)
            return None
        if paused_at(client, now):
            # Paused after this was queued: skip it, queue the first one after the pause.
            self._cancel(delivery)
            self._then_next(delivery, assignment, client, batch)
            return None
        if too_late(delivery.due_at, now) or self._quiet_now(client, now) is not None:
            # The bot was down, or retries ran into the client's quiet hours: a stretch
            # reminder hours late, or at night, is noise, not help.
            delivery.status = Outbox.MISSED
            self.stats.missed += 1
            self._then_next(delivery, assignment, client, batch)
            return None
        card = cards.get(assignment.exercise_code)
        if card is None:
            delivery.status = Outbox.FAILED
            delivery.last_error = "exercise no longer exists"
            self.stats.failed += 1
            return None
        assert delivery.occurrence_date is not None
        today = now.astimezone(ZoneInfo(preferences_of(client, self._zone).timezone)).date()
        return self._cards.homework_reminder(
            delivery.id, card, assignment.dose, delivery.occurrence_date, today
        )

    async def _prepare_check_in(
        self, uow: UnitOfWork, delivery: Delivery, client: Client | None, now: datetime
    ) -> tuple[str, InlineKeyboardMarkup] | None:
        check_in = (
            await uow.check_ins.get(delivery.check_in_id)
            if delivery.check_in_id is not None
            else None
        )
        if check_in is None or client is None or not reachable(client):
            self._cancel(delivery)  # /resume or coming back plans the series again
            return None
        # A check-in is still worth asking late (after a pause, downtime, quiet hours): it
        # waits for the client's next good moment instead of being dropped.
        later = client.paused_until if paused_at(client, now) else self._quiet_now(client, now)
        if later is not None:
            _wait_until(delivery, later)
            return None
        return await self._cards.check_in(uow, check_in, client)

    async def _prepare_digest(
        self, uow: UnitOfWork, delivery: Delivery, now: datetime, batch: _Batch
    ) -> tuple[str, None] | None:
        digest = await digest_of(uow, delivery.chat_id, now)
        text = await self._cards.morning(uow, delivery.chat_id, now, self._zone, digest)
        if text is None:
            delivery.status = Outbox.CANCELLED  # nothing to say: no message
            batch.then.append(lambda: self._next_digest(uow, delivery, now))
            return None
        return text, None

    async def _prepare_weekly(
        self,
        uow: UnitOfWork,
        delivery: Delivery,
        client: Client | None,
        now: datetime,
        batch: _Batch,
    ) -> tuple[str, None] | None:
        text = (
            await weekly_text(uow, client, now, fallback_zone=self._zone)
            if client is not None and reachable(client) and not paused_at(client, now)
            else None
        )
        if text is None or client is None:
            delivery.status = Outbox.CANCELLED  # nothing to say (or a pause): no message
            if client is not None:
                batch.then.append(lambda: self._next_weekly(uow, client, delivery, now))
            return None
        return self._cards.weekly(text), None

    async def _prepare_consent(
        self, uow: UnitOfWork, delivery: Delivery, now: datetime, batch: _Batch
    ) -> tuple[str, InlineKeyboardMarkup] | None:
        referral = await _referral_of(uow, delivery)
        if referral is None or referral.consent != PENDING:
            self._cancel(delivery)  # answered meanwhile (agreed in person)
            return None
        client = await uow.clients.get(referral.therapist_id, referral.client_id)
        if client is None or not reachable(client):
            self._cancel(delivery)
            batch.consent_not_asked.append(referral.id)
            return None
        if self._held_for_quiet_hours(delivery, client, now):  # asked when they end
            return None
        _address(delivery, client)
        return await self._cards.consent_request(uow, referral, client)

    async def _prepare_follow_up(
        self, uow: UnitOfWork, delivery: Delivery
    ) -> tuple[str, InlineKeyboardMarkup] | None:
        referral = await _referral_of(uow, delivery)
        card = (
            await self._cards.follow_up(uow, referral, self._zone)
            if referral is not None and referral.outcome in (None, "not_yet")
            else None
        )
        if card is None:
            self._cancel(delivery)  # answered meanwhile, or the client is gone
        return card

    async def _prepare_letter_due(
        self, uow: UnitOfWork, delivery: Delivery, now: datetime, batch: _Batch
    ) -> tuple[str, None] | None:
        """The letter's wait for the client's details is over: the therapist is told why it
        comes without them, and the letter follows the batch (even if the line fails)."""
        referral = await _referral_of(uow, delivery)
        line = await self._cards.letter_due(uow, referral, now) if referral is not None else None
        if referral is None or line is None:
            self._cancel(delivery)  # answered meanwhile, or the letter went
            return None
        batch.letters_due.append(referral.id)
        return line, None

    async def _prepare_letter_gone(
        self, uow: UnitOfWork, delivery: Delivery, client: Client | None, now: datetime
    ) -> tuple[str, None] | None:
        """The client told the letter went without their answers: not to one who stopped,
        blocked or was forgotten since; in their quiet hours, when those end."""
        referral = await _referral_of(uow, delivery)
        if referral is None or client is None or not reachable(client):
            self._cancel(delivery)
            return None
        if self._held_for_quiet_hours(delivery, client, now):
            return None
        text = await self._cards.letter_gone(uow, referral, client)
        if text is None:
            self._cancel(delivery)  # they answered meanwhile
            return None
        return text, None

    async def _prepare_red_flag(
        self, uow: UnitOfWork, delivery: Delivery
    ) -> tuple[str, InlineKeyboardMarkup] | None:
        flag = (
            await uow.intake.flag(delivery.chat_id, delivery.intake_flag_id)
            if delivery.intake_flag_id is not None
            else None
        )
        card = await self._cards.red_flag(uow, flag, self._zone) if flag is not None else None
        if card is None:
            self._cancel(delivery)  # decided meanwhile, or the client is gone
        return card

    async def _prepare_retention(
        self, uow: UnitOfWork, delivery: Delivery, client: Client | None
    ) -> tuple[str, None] | None:
        if client is None or client.purge_on != delivery.occurrence_date:
            self._cancel(delivery)  # a session since: the day told no longer holds
            return None
        assert client.purge_on is not None
        last = await uow.retention.last_session(client.id) or client.created_at.date()
        notice = self._cards.retention_notice(
            client.name, last, client.purge_on, self._retention_years
        )
        return notice, None

    async def _prepare_visit(
        self, uow: UnitOfWork, delivery: Delivery, client: Client | None, now: datetime
    ) -> tuple[str, InlineKeyboardMarkup | None] | None:
        """A visit's message, if it still holds: the visit has the start the row was queued
        for (a moved visit's old reminder is never sent), is still to come (or, for the
        question after it, has had no note), and the client can be written to."""
        visit = await uow.visits.get_any(delivery.visit_id) if delivery.visit_id else None
        holds = visit is not None and visit.starts_at == delivery.occurs_at
        if visit is not None and holds and delivery.kind == VISIT_OUTCOME:
            if visit.status in OPEN_STATUSES and not await self._noted(uow, visit):
                return await self._cards.visit_outcome(uow, visit, self._zone)
        elif visit is not None and holds and client is not None and reachable(client):
            wanted = (
                visit.status in CANCELLED_STATUSES
                if delivery.kind == VISIT_CANCELLED
                else visit.status in OPEN_STATUSES and visit.starts_at > now
            )
            if wanted:
                later = self._quiet_now(client, now)
                if later is not None and (
                    delivery.kind not in (VISIT_REMINDER, VISIT_CHECK) or later < visit.starts_at
                ):
                    _wait_until(delivery, later)
                    return None
                # The pre-visit question only to a client with an intake to check.
                if later is None and (
                    delivery.kind != VISIT_CHECK or await check_wanted(uow, visit, client)
                ):
                    return await self._cards.visit_message(uow, delivery, visit, client, self._zone)
        self._cancel(delivery)
        return None

    async def _noted(self, uow: UnitOfWork, visit: Visit) -> bool:
        """A note was written for the visit's day: it happened (the visit is marked done)."""
        note = await uow.notes.latest(visit.therapist_id, visit.client_id)
        day = visit.starts_at.astimezone(ZoneInfo(self._zone)).date()
        if note is None or note.session_date != day:
            return False
        visit.status = VisitStatus.DONE
        visit.note_id = note.id
        return True

    async def _prepare_relay(
        self, uow: UnitOfWork, delivery: Delivery, now: datetime
    ) -> tuple[str, InlineKeyboardMarkup] | None:
        """A client's words for their therapist (held, if they were, until working hours)."""
        messages = await uow.messages.carried_by(delivery.id)
        card = (
            await self._cards.relay(uow, messages, now, self._hours, self._zone)
            if messages
            else None
        )
        if card is None:
            self._cancel(delivery)  # erased meanwhile (/forgetme)
        return card

    async def _prepare_reply(
        self, uow: UnitOfWork, delivery: Delivery, client: Client | None, now: datetime
    ) -> tuple[str, None] | None:
        """The therapist's reply for the client: not to one who has stopped the bot, blocked
        it or been forgotten since (the therapist was told at the time, when they were); in
        the client's quiet hours, when those end. A pause is from reminders, not from a
        conversation the client started: a reply goes."""
        messages = await uow.messages.carried_by(delivery.id)
        if not messages or client is None or not reachable(client):
            self._cancel(delivery)
            return None
        if self._held_for_quiet_hours(delivery, client, now):
            return None
        return await self._cards.reply(uow, messages[0], client), None

    async def _next_weekly(
        self, uow: UnitOfWork, client: Client, delivery: Delivery, now: datetime
    ) -> None:
        await plan_weekly(
            uow,
            client,
            now=max(now, delivery.due_at) + timedelta(minutes=1),
            fallback_zone=self._zone,
        )

    async def _next_digest(self, uow: UnitOfWork, delivery: Delivery, now: datetime) -> None:
        await plan_digest(
            uow,
            delivery.chat_id,
            now=max(now, delivery.due_at) + timedelta(minutes=1),
            zone=self._zone,
            at=self._digest_time,
        )

    def _cancel(self, delivery: Delivery) -> None:
        """The row will not be sent (its reason is gone, or the person cannot get it)."""
        delivery.status = Outbox.CANCELLED
        self.stats.cancelled += 1

    def _held_for_quiet_hours(self, delivery: Delivery, client: Client, now: datetime) -> bool:
        """Whether the row waits, due again when the client's quiet hours end."""
        later = self._quiet_now(client, now)
        if later is None:
            return False
        _wait_until(delivery, later)
        return True

    def _quiet_now(self, client: Client, now: datetime) -> datetime | None:
        """When the client's quiet hours end, if they are in them now; None otherwise."""
        prefs = preferences_of(client, self._zone)
        quiet = quiet_hours_of(prefs)
        if quiet is None:
            return None
        tz = ZoneInfo(prefs.timezone)
        local = now.astimezone(tz).replace(tzinfo=None)
        if not quiet.contains(local.time()):
            return None
        return to_utc(move_out_of_quiet_hours(local, quiet), tz)

    def _then_next(
        self, delivery: Delivery, assignment: HomeworkAssignment, client: Client, batch: _Batch
    ) -> None:
        if delivery.kind == HOMEWORK:  # a snooze repeats an occurrence that queued its next
            batch.next_homework.append((assignment, client, delivery.occurs_at))

    async def _queue_homework(self, uow: UnitOfWork, batch: _Batch, now: datetime) -> None:
        await plan_next_many(uow, batch.next_homework, now=now, fallback_zone=self._zone)
        batch.next_homework.clear()

    # --- sending: no database here, but for settling what came back ---------------------

    async def _send(self, message: _Message) -> _Outcome:
        row = message.delivery_id
        try:
            message_id = await self._send_text(
                message.chat_id, message.text, message.keyboard, self._paid
            )
        except Forbidden:
            return _Outcome(row, "blocked", self._clock.now(), error=Outbox.BLOCKED)
        except BadRequest as exc:
            return _Outcome(row, "failed", self._clock.now(), error=reason(exc.message))
        except RetryAfter as exc:
            wait = exc.retry_after
            seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
            return _Outcome(
                row, "retry", self._clock.now(), wait=timedelta(seconds=seconds), counts=False
            )
        except NetworkError as exc:
            log.warning("delivery %s failed in passing: %s", row, type(exc).__name__)
            status = "unanswered" if may_have_arrived(exc) else "retry"
            return _Outcome(row, status, self._clock.now())
        except Exception as exc:
            # One row's surprise must not stop the batch: it is tried again later. Logged
            # without its message, which may quote the text (practice/redact.py).
            log.error(
                "delivery %s failed unexpectedly: %s at %s",
                message.delivery_id,
                error_type(exc),
                where(exc),
            )
            return _Outcome(row, "retry", self._clock.now())
        return _Outcome(row, "sent", self._clock.now(), message_id=message_id)

    # --- settling: one transaction for what came back meanwhile ---------------------------

    async def _settle_outcomes(
        self,
        outcomes: list[_Outcome],
        batch: _Batch,
        leases: dict[int, datetime | None],
        chats: dict[int, int],
        schedules: dict[int, tuple[HomeworkAssignment, Client]] | None = None,
    ) -> None:
        async with self._db.unit_of_work() as uow:
            await self._settle(uow, outcomes, batch, leases, chats, schedules)
            await uow.commit()

    async def _settle(
        self,
        uow: UnitOfWork,
        outcomes: list[_Outcome],
        batch: _Batch,
        leases: dict[int, datetime | None],
        chats: dict[int, int],
        schedules: dict[int, tuple[HomeworkAssignment, Client]] | None = None,
    ) -> None:
        if not outcomes:
            return
        now = self._clock.now()
        # A homework reminder Telegram took (the bulk of any batch) is settled by one UPDATE
        # for them all, without loading its row; anything else row by row.
        fast = [
            o
            for o in outcomes
            if o.status == "sent"
            and schedules is not None
            and o.delivery_id in schedules
            and leases.get(o.delivery_id) is not None
        ]
        paced = await self._settle_sent(uow, fast, batch, leases, chats, schedules or {}, now)
        rest = [o for o in outcomes if o not in fast]
        if rest:
            paced.update(await self._settle_each(uow, rest, batch, leases, chats, schedules, now))
        await uow.outbox.pace_chats(paced)
        await self._queue_homework(uow, batch, now)

    async def _settle_sent(
        self,
        uow: UnitOfWork,
        outcomes: list[_Outcome],
        batch: _Batch,
        leases: dict[int, datetime | None],
        chats: dict[int, int],
        schedules: dict[int, tuple[HomeworkAssignment, Client]],
        now: datetime,
    ) -> dict[int, datetime]:
        """Sent homework reminders recorded in one statement, only the rows still under this
        claim's lease (Outbox.settle_sent); each one's next occurrence queued from the schedule
        as prepared. When each settled row's chat may be sent to next."""
        if not outcomes:
            return {}
        answers = {o.delivery_id: o for o in outcomes}
        sent: dict[int, tuple[datetime, int]] = {}
        for o in outcomes:
            lease = leases[o.delivery_id]
            assert lease is not None and o.message_id is not None
            sent[o.delivery_id] = (lease, o.message_id)
        paced: dict[int, datetime] = {}
        for row_id, kind, occurs_at in await uow.outbox.settle_sent(sent, now):
            self.stats.sent += 1
            paced[chats[row_id]] = answers[row_id].answered_at + SPACING
            assignment, client = schedules[row_id]
            if kind == HOMEWORK:  # a snooze repeats an occurrence that queued its next
                batch.next_homework.append((assignment, client, occurs_at))
        return paced

    async def _settle_each(
        self,
        uow: UnitOfWork,
        outcomes: list[_Outcome],
        batch: _Batch,
        leases: dict[int, datetime | None],
        chats: dict[int, int],
        schedules: dict[int, tuple[HomeworkAssignment, Client]] | None,
        now: datetime,
    ) -> dict[int, datetime]:
        """The outcomes settled row by row (a retry, a refusal, anything but a homework
        reminder); when each settled row's chat may be sent to next."""
        paced: dict[int, datetime] = {}
        rows = await uow.outbox.many([o.delivery_id for o in outcomes])
        assignments: dict[int, HomeworkAssignment]
        clients: dict[int, Client]
        if schedules is not None and all(r.id in schedules for r in rows.values()):
            # Homework reminders only, their schedules as prepared (_Message.schedule).
            assignments = {a.id: a for a, _ in schedules.values()}
            clients = {c.id: c for _, c in schedules.values()}
        else:
            ids = [r.assignment_id for r in rows.values() if r.assignment_id is not None]
            assignments = await uow.homework.many(ids)
            clients = await uow.clients.many([r.client_id for r in rows.values() if r.client_id])
        for outcome in outcomes:
            delivery = rows.get(outcome.delivery_id)
            if (
                delivery is None
                or delivery.status != Outbox.SENDING
                or delivery.lease_until != leases.get(delivery.id)
            ):
                # Our lease ran out and another process took the row: it is theirs to settle,
                # and the chat theirs to pace.
                continue
            # The chat's next message no sooner than SPACING after Telegram answered this one
            # (or than its retry_after, for a 429).
            paced[chats[delivery.id]] = outcome.answered_at + max(
                SPACING, outcome.wait or timedelta(0)
            )
            delivery.lease_until = None
            status = _unanswered(delivery) if outcome.status == "unanswered" else outcome.status
            if status == "retry" and self._retry(delivery, outcome, now):
                continue  # it goes again later
            if status == "retry":
                # Given up: this occurrence is lost, the schedule must not be.
                if delivery.check_in_id is not None:
                    await self._advance_series(uow, delivery, now)
                self._consent_failed(delivery, batch)
            elif status == "sent":
                delivery.status = Outbox.SENT
                delivery.message_id = outcome.message_id
                delivery.sent_at = now
                self.stats.sent += 1
                if delivery.kind in (RELAY, REPLY):
                    await uow.messages.delivered(delivery.id, now)
                if delivery.check_in_id is not None:
                    await self._check_in_sent(uow, delivery, now)
            else:
                delivery.last_error = outcome.error[:200] if outcome.error else None
                delivery.status = Outbox.FAILED
                self.stats.failed += 1
                self._consent_failed(delivery, batch)
                if status == "blocked":
                    batch.blocked_chats.add(delivery.chat_id)
                elif delivery.check_in_id is not None:
                    await self._advance_series(uow, delivery, now)
            await self._next_periodic(uow, delivery, clients, now)
            if status == "blocked":
                continue  # the client's reminders stop (client_unreachable, after the batch)
            assignment = assignments.get(delivery.assignment_id) if delivery.assignment_id else None
            client = clients.get(delivery.client_id) if delivery.client_id else None
            if assignment is not None and client is not None:
                self._then_next(delivery, assignment, client, batch)
        # The rows changed above are written before the next occurrences are planned.
        await uow.session.flush()
        return paced

    async def _next_periodic(
        self, uow: UnitOfWork, delivery: Delivery, clients: dict[int, Client], now: datetime
    ) -> None:
        """A digest or weekly note that is settled — sent, refused or given up on — plans
        the next one: one that failed must not end the schedule."""
        if delivery.kind == DIGEST:
            await self._next_digest(uow, delivery, now)
        elif delivery.kind == WEEKLY and delivery.client_id in clients:
            await self._next_weekly(uow, clients[delivery.client_id], delivery, now)

    @staticmethod
    def _consent_failed(delivery: Delivery, batch: _Batch) -> None:
        """A consent question that will not reach the client (blocked, refused by Telegram,
        given up on): the therapist is told the client could not be asked."""
        if (
            delivery.kind == CONSENT
            and delivery.status == Outbox.FAILED
            and delivery.referral_id is not None
        ):
            batch.consent_not_asked.append(delivery.referral_id)

    def _retry(self, delivery: Delivery, outcome: _Outcome, now: datetime) -> bool:
        """Put the row back for later; False when it has had its chances (then it failed)."""
        if not outcome.counts:
            delivery.attempts -= 1  # a 429 is Telegram's pacing, not a failure
        if outcome.counts and delivery.attempts >= self._max_attempts:
            delivery.status = Outbox.FAILED
            delivery.last_error = "gave up after repeated network errors"
            self.stats.failed += 1
            return False
        delivery.status = Outbox.PENDING
        delay = outcome.wait or retry_delay(delivery.attempts, random.random())
        delivery.due_at = now + delay
        self.stats.retried += 1
        return True

    async def _check_in_sent(self, uow: UnitOfWork, delivery: Delivery, now: datetime) -> None:
        """The check-in is out: earlier ones close, the next of the series is queued."""
        assert delivery.check_in_id is not None
        check_in = await uow.check_ins.get(delivery.check_in_id)
        if check_in is None:
            return
        check_in.sent_at = now
        await uow.check_ins.close_open(check_in.client_id, now, except_id=check_in.id)
        await self._advance_series(uow, delivery, now)

    async def _advance_series(self, uow: UnitOfWork, delivery: Delivery, now: datetime) -> None:
        """Queue the check-in after this one (sent, or given up on)."""
        assert delivery.check_in_id is not None
        check_in = await uow.check_ins.get(delivery.check_in_id)
        if check_in is None:
            return
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


class _Window:
    """Sending with at most `size` messages unsettled at any moment (in flight, or answered
    and not yet recorded), across the batches of one run: a send takes a place in the window,
    and the place is given back only once its outcome is committed. What came back is settled
    in one transaction (by one task, in turn) while the other sends go on — half a window's
    worth at least, or whatever came back once nothing else is in flight or queued — so the
    sends never wait for a settle, nor a settle run for every message. A crash at any moment
    can send again only the messages of the window, never one whose outcome was committed."""

    def __init__(self, dispatcher: Dispatcher, size: int) -> None:
        self._dispatcher = dispatcher
        self._size = size
        self._queued: deque[_Message] = deque()
        self._flying = 0
        self._unsettled = 0  # flying, answered, or being settled
        self._answered: list[tuple[_Message, _Outcome]] = []
        self._settle_now = asyncio.Event()
        self._short = asyncio.Event()  # the queue is short: the next batch may be claimed
        self._closing = False
        self._sending: set[asyncio.Task[None]] = set()
        self._settler = asyncio.create_task(self._settle_loop())
        # What settling found that the therapists are told of (Dispatcher._tell).
        self.blocked_chats: set[int] = set()
        self.consent_not_asked: list[int] = []
        self.letters_due: list[int] = []  # letters whose client's answers are overdue
        # The chats of the messages queued or unsettled: the next claim leaves them alone,
        # even if the lease that held them ran out while they waited (Outbox.claim_due busy).
        self.chats: set[int] = set()

    def take(self, batch: _Batch) -> None:
        """What preparing or settling `batch` found that the therapists are to be told."""
        self.blocked_chats |= batch.blocked_chats
        self.consent_not_asked.extend(batch.consent_not_asked)
        self.letters_due.extend(batch.letters_due)

    async def send(self, messages: list[_Message]) -> None:
        """Queue `messages`; returns once no more than a window's worth wait to be sent (or
        raises what a settle raised: nothing more is sent, the rows' leases run out)."""
        self._queued.extend(messages)
        self.chats.update(m.chat_id for m in messages)
        self._launch()
        while len(self._queued) > self._size and not self._settler.done():
            self._short.clear()
            short = asyncio.ensure_future(self._short.wait())
            await asyncio.wait({short, self._settler}, return_when=asyncio.FIRST_COMPLETED)
            short.cancel()
        if self._settler.done():
            await self._settler

    async def finish(self) -> None:
        """Every queued message sent and its outcome committed."""
        self._closing = True
        self._settle_now.set()
        await self._settler

    def close(self) -> None:
        """After a failure: nothing more is started, and what is in flight is abandoned (its
        rows are sent again once their leases run out)."""
        self._queued.clear()
        self._settler.cancel()
        for task in list(self._sending):
            task.cancel()

    def _launch(self) -> None:
        while self._queued and self._unsettled < self._size and not self._settler.done():
            message = self._queued.popleft()
            self._unsettled += 1
            self._flying += 1
            task = asyncio.create_task(self._send(message))
            self._sending.add(task)
            task.add_done_callback(self._sending.discard)
        if len(self._queued) <= self._size:
            self._short.set()

    async def _send(self, message: _Message) -> None:
        outcome = await self._dispatcher._send(message)  # never raises
        self._flying -= 1
        self._answered.append((message, outcome))
        if len(self._answered) >= max(1, self._size // 2) or (
            self._flying == 0 and not self._queued
        ):
            self._settle_now.set()

    async def _settle_loop(self) -> None:
        while True:
            await self._settle_now.wait()
            self._settle_now.clear()
            if self._answered:
                answered, self._answered = self._answered, []
                batch = _Batch()
                await self._dispatcher._settle_outcomes(
                    [outcome for _, outcome in answered],
                    batch,
                    {m.delivery_id: m.lease_until for m, _ in answered},
                    {m.delivery_id: m.chat_id for m, _ in answered},
                    {m.delivery_id: m.schedule for m, _ in answered if m.schedule is not None},
                )
                self.take(batch)
                self._unsettled -= len(answered)
                self.chats.difference_update(m.chat_id for m, _ in answered)
                self._launch()
                if self._answered and self._flying == 0 and not self._queued:
                    self._settle_now.set()
            if self._closing and self._unsettled == 0 and not self._queued:
                return


# Delivery.last_error of a row whose send went unanswered once, and of one taken as sent.
UNANSWERED = "Telegram did not answer a send in time; it may have arrived"
TAKEN_AS_SENT = "Telegram answered neither send; taken as delivered"


def _unanswered(delivery: Delivery) -> str:
    """What a send Telegram did not answer comes to: it may have arrived, so it is tried once
    more (the one duplicate a send in flight may cause), and after a second such send the row
    is taken as sent (its buttons then work) instead of risking a third copy."""
    if delivery.last_error == UNANSWERED:  # kept through attempts that certainly failed
        delivery.last_error = TAKEN_AS_SENT
        return "sent"
    delivery.last_error = UNANSWERED
    return "retry"


# The kinds that go to the client a row names; the others name a client but go to their
# therapist (a follow-up, a retention notice) or are the consent question (addressed through
# its referral).
# (Two definitions had come together at a merge, the later one dropping the visits' kinds.)
FOR_THE_CLIENT = frozenset(
    {
        HOMEWORK,
        SNOOZE,
        CHECK_IN,
        WEEKLY,
        REPLY,
        LETTER_GONE,
        VISIT_BOOKED,
        VISIT_MOVED,
        VISIT_CANCELLED,
        VISIT_REMINDER,
        VISIT_CHECK,
    }
)
VISIT_KINDS = frozenset(
    {VISIT_BOOKED, VISIT_MOVED, VISIT_CANCELLED, VISIT_REMINDER, VISIT_CHECK, VISIT_OUTCOME}
)


def _address(delivery: Delivery, client: Client) -> None:
    """A message for a client goes to the account they have now, not the one they had when
    it was queued (they may have moved to a new one by a new invite since); the row keeps
    the chat it went to, which a tap on its buttons is checked against."""
    assert client.telegram_user_id is not None  # reachable() was checked first
    delivery.chat_id = client.telegram_user_id


async def _referral_of(uow: UnitOfWork, delivery: Delivery) -> Referral | None:
    """The referral a row is about (a consent request, a follow-up, a letter's news)."""
    if delivery.referral_id is None:
        return None
    return await uow.referrals.get_any(delivery.referral_id)


def _wait_until(delivery: Delivery, later: datetime) -> None:
    """Back to the outbox, due `later`: a claim that waits is not an attempt to send."""
    delivery.status = Outbox.PENDING
    delivery.due_at = later
    delivery.lease_until = None
    delivery.attempts -= 1
