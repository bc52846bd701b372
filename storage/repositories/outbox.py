"""The delivery outbox: every message the bot sends later (reminders, check-ins, digests,
notices) is a row here first, and its kinds."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Required, TypedDict, Unpack

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    case,
    delete,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import make_transient_to_detached

from storage.models import ChatPacing, Delivery

from .conflicts import insert_on_conflict

# A homework reminder asked again for later ("In 1 hour"): it repeats an occurrence and,
# unlike the occurrence itself, queues nothing after it.
HOMEWORK, SNOOZE, CHECK_IN, DIGEST, WEEKLY = "homework", "snooze", "checkin", "digest", "weekly"
# The therapist told a month ahead that a record will be deleted under the retention period.
RETENTION = "retention"
# The therapist alerted to a red flag in a client's intake, at once.
RED_FLAG = "redflag"


@dataclass(frozen=True)
class SendBudget:
    """The bot-wide rate shared by every process claiming from one database: `per_second`
    messages, with at most `saved` worth of them saved up while nothing is sent (a claim takes
    rows only as the budget allows, `Outbox.claim_due`)."""

    per_second: float
    saved: timedelta = timedelta(seconds=1)


# chat_pacing's row for the bot-wide budget: Telegram gives no chat the id 0. Its next_at is
# the budget's "theoretical arrival time" (GCRA): the moment every message claimed so far is
# paid for at `per_second`; a claim may take as many rows as fit between it and now + saved.
BUDGET_CHAT = 0


# A notice to the operators (bot/runtime/watch.py): the kind is this prefix and its cause. The
# row is the record that it went, so a restart or a second process does not send it again.
NOTICE = "notice:"


class PendingColumns(TypedDict, total=False):
    """What a new pending row is given (`Outbox.pending`, `Outbox.pending_values`): the chat,
    the occurrence's day, when it is due and now; the rest as its kind needs."""

    chat_id: Required[int]
    day: Required[date]
    due_at: Required[datetime]
    now: Required[datetime]
    occurs_at: datetime | None
    client_id: int | None
    assignment_id: int | None
    check_in_id: int | None
    referral_id: int | None
    visit_id: int | None
    intake_flag_id: int | None
    sequence: int


class Outbox:
    """The delivery outbox. Claims are written so that several bot processes on one
    PostgreSQL database never take the same row (FOR UPDATE SKIP LOCKED); SQLite has a
    single writer and ignores the clause."""

    PENDING, SENDING, SENT = "pending", "sending", "sent"
    FAILED, MISSED, CANCELLED = "failed", "missed", "cancelled"
    # A failed row's last_error when the client blocked the bot: their choice, not a fault.
    BLOCKED = "blocked by the client"

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def claim_due(
        self,
        now: datetime,
        lease: timedelta,
        limit: int,
        budget: SendBudget | None = None,
        *,
        busy: Collection[int] = (),
    ) -> list[Delivery]:
        """Due rows, and rows whose sender's lease ran out, leased to this process: at most
        one per chat, and only for chats whose pacing allows a send now (`hold_chats`). The
        rows of a chat that is held wait for a later claim. With a `budget`, no more rows
        than it has room for now, whichever process claims: its row is locked first (the
        claim's first write, so on SQLite the claim reads after taking the write lock, and
        on PostgreSQL claims queue on it for a moment) and charged for the rows taken.
        `busy`: chats this process is still sending to (a claim made while the last batch
        goes out): none of their rows is taken, even if the lease that held them ran out."""
        start: datetime | None = None
        if budget is not None:
            start = max(await self._lock_budget(now), now)
            room = (now + budget.saved - start).total_seconds() * budget.per_second
            limit = min(limit, math.floor(room + 1e-9))
            if limit <= 0:
                return []
        expired = await self._candidates(
            and_(Delivery.status == self.SENDING, Delivery.lease_until < now), now, limit, busy
        )
        due = await self._candidates(
            and_(Delivery.status == self.PENDING, Delivery.due_at <= now), now, limit, busy
        )
        chosen: dict[int, Delivery] = {}
        for row in (*expired, *due):
            if len(chosen) == limit:
                break
            chosen.setdefault(row.chat_id, row)
        held = await self.hold_chats(sorted(chosen), now, until=now + lease)
        rows = sorted((chosen[chat] for chat in held), key=lambda r: (r.due_at, r.id))
        if budget is not None and start is not None and rows:
            paid = timedelta(seconds=len(rows) / budget.per_second)
            await self.pace_chats({BUDGET_CHAT: start + paid})
        for row in rows:
            row.status = self.SENDING
            row.lease_until = now + lease
            row.attempts += 1
        await self._session.flush()
        return rows

    async def _candidates(
        self, where: ColumnElement[bool], now: datetime, limit: int, busy: Collection[int] = ()
    ) -> list[Delivery]:
        """Rows matching `where` whose chat is not held, oldest due first. Each of the two
        claims (pending, expired lease) is an equality on status and a range on due_at, so
        ix_deliveries_status_due both finds and orders them: no sort of every due row. Twice
        `limit`, since a chat's second row is passed over."""
        query: Select[Delivery] = (
            select(Delivery)
            .outerjoin(ChatPacing, ChatPacing.chat_id == Delivery.chat_id)
            .where(where, or_(ChatPacing.next_at.is_(None), ChatPacing.next_at <= now))
            .where(*([Delivery.chat_id.not_in(sorted(busy))] if busy else []))
            .order_by(Delivery.due_at, Delivery.id)
            .limit(2 * limit)
            .with_for_update(skip_locked=True, of=Delivery)
        )
        return list(await self._session.scalars(query))

    async def hold_chats(self, chats: list[int], now: datetime, *, until: datetime) -> set[int]:
        """Take the chats whose pacing allows a send at `now`, holding them until `until`;
        the ones taken. One statement, atomic per chat on PostgreSQL: an INSERT … ON CONFLICT
        DO UPDATE … WHERE next_at <= now. Of two processes taking one chat at once, the second
        waits for the first's commit and then sees the chat held (the WHERE fails, nothing is
        returned). `chats` sorted: every process locks them in one order, so none deadlock."""
        if not chats:
            return set()
        values = insert_on_conflict(self._session, ChatPacing).values(
            [{"chat_id": c, "next_at": until} for c in chats]
        )
        statement = values.on_conflict_do_update(
            index_elements=[ChatPacing.chat_id],
            set_={"next_at": values.excluded.next_at},
            where=ChatPacing.next_at <= now,
        ).returning(ChatPacing.chat_id)
        return set(await self._session.scalars(statement))

    async def _lock_budget(self, now: datetime) -> datetime:
        """The budget's next_at, its row locked (made if missing: a pruned or new budget is
        full)."""
        values = insert_on_conflict(self._session, ChatPacing).values(
            chat_id=BUDGET_CHAT, next_at=now
        )
        statement = values.on_conflict_do_update(
            index_elements=[ChatPacing.chat_id], set_={"next_at": ChatPacing.next_at}
        ).returning(ChatPacing.next_at)
        at: datetime | None = await self._session.scalar(statement)
        assert at is not None
        return at

    async def budget_free_at(self, budget: SendBudget) -> datetime | None:
        """When the budget next has room for one message."""
        at = await self._session.scalar(
            select(ChatPacing.next_at).where(ChatPacing.chat_id == BUDGET_CHAT)
        )
        return None if at is None else at - budget.saved + timedelta(seconds=1 / budget.per_second)

    async def pace_chats(self, next_at: dict[int, datetime]) -> None:
        """When each chat may be sent to next (after its send was answered, or at once when
        nothing was sent): the chats are this process's, held by its claim."""
        if next_at:
            connection = await self._session.connection()
            await connection.execute(
                update(ChatPacing)
                .where(ChatPacing.chat_id == bindparam("chat"))
                .values(next_at=bindparam("next")),
                [{"chat": c, "next": t} for c, t in next_at.items()],
            )

    async def forget_pacing_before(self, before: datetime) -> int:
        """Pacing rows of chats free since before `before`: a chat without a row may be sent
        to at once, as one whose `next_at` has passed (the claim's outer join), so deleting
        them changes no claim. A held chat's `next_at` is the end of a lease, in the future,
        and stays. The number deleted."""
        result = await self._session.execute(delete(ChatPacing).where(ChatPacing.next_at < before))
        return int(getattr(result, "rowcount", 0) or 0)

    async def get(self, delivery_id: int) -> Delivery | None:
        return await self._session.get(Delivery, delivery_id)

    async def add(self, delivery: Delivery) -> Delivery:
        self._session.add(delivery)
        await self._session.flush()
        return delivery

    async def add_all(self, deliveries: list[Delivery]) -> None:
        """New rows in bulk, not the ORM's INSERT … RETURNING per row (SQLAlchemy batches
        RETURNING on SQLite only with a sentinel column). The rows get their ids and join the
        session as if loaded."""
        if not deliveries:
            return
        columns = [c.key for c in Delivery.__table__.columns if c.key != "id"]
        for row in deliveries:
            for key in columns:
                setattr(row, key, getattr(row, key))  # unset → None, so nothing is expired
        values = [{key: getattr(row, key) for key in columns} for row in deliveries]
        if self._session.get_bind().dialect.name == "postgresql":
            # insertmanyvalues: INSERT … SELECT … ORDER BY its counter RETURNING id, in order.
            result = await self._session.scalars(
                insert(Delivery).returning(Delivery.id, sort_by_parameter_order=True), values
            )
            ids = list(result)
        else:
            # One compiled INSERT run by sqlite3's executemany. SQLite has one writer (this
            # transaction holds it from the first row) and gives each new row max(rowid) + 1,
            # so the rows' ids are the block ending at the last one inserted.
            connection = await self._session.connection()
            await connection.execute(insert(Delivery), values)
            last = await connection.scalar(text("SELECT last_insert_rowid()"))
            assert isinstance(last, int)
            ids = list(range(last - len(values) + 1, last + 1))
        for row, row_id in zip(deliveries, ids, strict=True):
            row.id = row_id
            make_transient_to_detached(row)
            self._session.add(row)

    async def many(self, ids: list[int]) -> dict[int, Delivery]:
        rows = await self._session.scalars(select(Delivery).where(Delivery.id.in_(ids)))
        return {row.id: row for row in rows}

    async def planned_so_far(
        self, assignment_ids: list[int], since: date
    ) -> tuple[set[int], dict[tuple[int, date], int]]:
        """For planning the next occurrences of these schedules on `since` or later, in one
        query: the schedules with a row waiting (whatever its day), and the highest sequence
        used for each (assignment, day) from `since` on (as `last_sequences` gives it)."""
        if not assignment_ids:
            return set(), {}
        waiting = Delivery.status.in_((self.PENDING, self.SENDING))
        rows = await self._session.execute(
            select(
                Delivery.assignment_id,
                Delivery.occurrence_date,
                func.max(Delivery.sequence),
                func.max(case((waiting, 1), else_=0)),
            )
            .where(
                Delivery.assignment_id.in_(assignment_ids),
                or_(waiting, Delivery.occurrence_date >= since),
            )
            .group_by(Delivery.assignment_id, Delivery.occurrence_date)
        )
        pending: set[int] = set()
        sequences: dict[tuple[int, date], int] = {}
        for assignment_id, day, sequence, is_waiting in rows:
            if assignment_id is None or day is None:
                continue
            if is_waiting:
                pending.add(assignment_id)
            sequences[(assignment_id, day)] = sequence
        return pending, sequences

    async def settle_sent(
        self, sent: dict[int, tuple[datetime, int]], now: datetime
    ) -> list[tuple[int, str, datetime]]:
        """Rows Telegram took (id → (the claim's lease, its message_id)) recorded as sent in
        one UPDATE … RETURNING, only those still held by that lease: a row whose lease ran
        out and that another process claimed (a new lease) is theirs, and stays as it is.
        The rows recorded: (id, kind, occurs_at)."""
        if not sent:
            return []
        by_lease: dict[datetime, list[int]] = defaultdict(list)
        for row_id, (lease, _) in sent.items():
            by_lease[lease].append(row_id)
        statement = (
            update(Delivery)
            .where(
                Delivery.status == self.SENDING,
                or_(
                    *(
                        and_(Delivery.id.in_(ids), Delivery.lease_until == lease)
                        for lease, ids in by_lease.items()
                    )
                ),
            )
            .values(
                status=self.SENT,
                lease_until=None,
                sent_at=now,
                message_id=case(
                    {row_id: message_id for row_id, (_, message_id) in sent.items()},
                    value=Delivery.id,
                ),
            )
            .returning(Delivery.id, Delivery.kind, Delivery.occurs_at)
            .execution_options(synchronize_session=False)
        )
        result = await self._session.execute(statement)
        return [(row_id, kind, occurs_at) for row_id, kind, occurs_at in result]

    async def last_sequences(self, keys: list[tuple[int, date]]) -> dict[tuple[int, date], int]:
        """The highest sequence already used for each (assignment, day)."""
        if not keys:
            return {}
        rows = await self._session.execute(
            select(Delivery.assignment_id, Delivery.occurrence_date, func.max(Delivery.sequence))
            .where(
                Delivery.assignment_id.in_({a for a, _ in keys}),
                Delivery.occurrence_date.in_({d for _, d in keys}),
            )
            .group_by(Delivery.assignment_id, Delivery.occurrence_date)
        )
        return {(a, d): s for a, d, s in rows if a is not None and d is not None}

    @classmethod
    def pending(cls, kind: str, **columns: Unpack[PendingColumns]) -> Delivery:
        """A new row waiting to be sent (every kind of message is queued through this)."""
        return Delivery(**cls.pending_values(kind, **columns))

    @classmethod
    def pending_values(cls, kind: str, **columns: Unpack[PendingColumns]) -> dict[str, object]:
        """The columns of a new pending row, for `insert_pending` (no ORM object made)."""
        due_at = columns["due_at"]
        return {
            "kind": kind,
            "client_id": columns.get("client_id"),
            "chat_id": columns["chat_id"],
            "assignment_id": columns.get("assignment_id"),
            "check_in_id": columns.get("check_in_id"),
            "referral_id": columns.get("referral_id"),
            "visit_id": columns.get("visit_id"),
            "intake_flag_id": columns.get("intake_flag_id"),
            "occurrence_date": columns["day"],
            "sequence": columns.get("sequence", 0),
            "occurs_at": columns.get("occurs_at") or due_at,
            "due_at": due_at,
            "status": cls.PENDING,
            "attempts": 0,
            "created_at": columns["now"],
        }

    async def insert_pending(self, values: list[dict[str, object]]) -> None:
        """New rows from `pending_values`, in one executemany and without ORM objects: the
        dispatcher queues each sent reminder's next occurrence this way, where making a
        Delivery per row (and adding it to the session) cost more than the INSERT."""
        if values:
            connection = await self._session.connection()
            await connection.execute(insert(Delivery), values)

    async def waiting(self, kind: str, **match: object) -> bool:
        """Whether a row of `kind` matching `match` (column=value) waits or is being sent."""
        found = await self._session.scalar(
            select(Delivery.id)
            .where(
                Delivery.kind == kind,
                Delivery.status.in_((self.PENDING, self.SENDING)),
                *(getattr(Delivery, column) == value for column, value in match.items()),
            )
            .limit(1)
        )
        return found is not None

    async def cancel_pending(
        self,
        *,
        assignment_id: int | None = None,
        client_id: int | None = None,
        referral_id: int | None = None,
        visit_id: int | None = None,
        kind: str | None = None,
    ) -> None:
        """Nothing more goes out for an assignment (paused, changed, ended), a client or a
        referral (its outcome is known)."""
        where = [Delivery.status == self.PENDING]
        if assignment_id is not None:
            where.append(Delivery.assignment_id == assignment_id)
        if referral_id is not None:
            where.append(Delivery.referral_id == referral_id)
        if visit_id is not None:
            where.append(Delivery.visit_id == visit_id)
        if client_id is not None:
            where.append(Delivery.client_id == client_id)
        if kind is not None:
            where.append(Delivery.kind == kind)
        await self._session.execute(update(Delivery).where(*where).values(status=self.CANCELLED))

    async def upcoming(
        self, client_id: int, limit: int, *, kinds: tuple[str, ...]
    ) -> list[Delivery]:
        rows = await self._session.scalars(
            select(Delivery)
            .where(
                Delivery.client_id == client_id,
                Delivery.status == self.PENDING,
                Delivery.kind.in_(kinds),
            )
            .order_by(Delivery.due_at)
            .limit(limit)
        )
        return list(rows)

    async def next_due_at(
        self, now: datetime | None = None, budget: SendBudget | None = None
    ) -> datetime | None:
        """When the dispatcher next has work (for waking it exactly then). Given `now`: a row
        already due waits for the budget to have room, and then, if its chat is held, for the
        first chat to be let go (a lower bound of when a claim finds something)."""
        due = await self._session.scalar(
            select(func.min(Delivery.due_at)).where(Delivery.status == self.PENDING)
        )
        if due is None or now is None or due > now:
            return due
        room = await self.budget_free_at(budget) if budget is not None else None
        if room is not None and room > now:
            return room  # nothing is claimed before then, whatever chats are free
        released = await self._session.scalar(
            select(func.min(ChatPacing.next_at)).where(
                ChatPacing.next_at > now, ChatPacing.chat_id != BUDGET_CHAT
            )
        )
        return due if released is None else released

    # --- how the outbox is doing (bot/runtime/health.py): counts and times, never a row's contents

    async def oldest_due(self, now: datetime) -> datetime | None:
        """When the longest-waiting row was due: pending and due, or claimed by a sender whose
        lease ran out (it died or hangs)."""
        return await self._session.scalar(
            select(func.min(Delivery.due_at)).where(
                or_(
                    and_(Delivery.status == self.PENDING, Delivery.due_at <= now),
                    and_(Delivery.status == self.SENDING, Delivery.lease_until < now),
                )
            )
        )

    async def failed_since(self, since: datetime) -> int:
        """Rows given up on whose last try was due since `since` (a failed row keeps the due
        time of its last try), other than those the client blocked and operator notices."""
        count = await self._session.scalar(
            select(func.count())
            .select_from(Delivery)
            .where(
                Delivery.status == self.FAILED,
                Delivery.due_at >= since,
                or_(Delivery.last_error.is_(None), Delivery.last_error != self.BLOCKED),
                Delivery.kind.not_like(f"{NOTICE}%"),
            )
        )
        return count or 0

    async def retrying(self, attempts: int) -> int:
        """Rows waiting for another try after at least `attempts` tries that failed in passing
        (a wait for quiet hours or a 429 is not counted as a try)."""
        count = await self._session.scalar(
            select(func.count())
            .select_from(Delivery)
            .where(Delivery.status == self.PENDING, Delivery.attempts >= attempts)
        )
        return count or 0

    async def discard(self, delivery: Delivery) -> None:
        """A notice that never reached Telegram: as if it had not been tried."""
        await self._session.delete(delivery)
        await self._session.flush()

    async def last_notice(self, cause: str) -> datetime | None:
        """When operators were last sent (or were being sent) a notice of this cause."""
        return await self._session.scalar(
            select(func.max(Delivery.created_at)).where(
                Delivery.kind == NOTICE + cause,
                Delivery.status.in_((self.SENDING, self.SENT, self.FAILED)),
            )
        )
