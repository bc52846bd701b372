"""Repositories: the only place that builds SQL. One class per aggregate; none knows Telegram.

Every query that returns clients or notes takes the therapist's id, so a therapist can only
ever reach their own clients: privacy is a property of the data access, not of the handlers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from practice.adherence import HomeworkDays
from practice.clients import matches_search, name_key
from practice.invites import InviteStatus
from practice.notes import PreviousTreatment
from practice.plans import HomeworkStatus
from storage import models as tables
from storage.models import (
    CheckIn,
    Client,
    CustomExercise,
    Delivery,
    FormDraft,
    HandledUpdate,
    HomeworkAssignment,
    HomeworkLog,
    Invite,
    Provider,
    Referral,
    SessionNote,
    StoredDraft,
    Therapist,
    TreatmentPlan,
)


class TherapistRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, therapist_id: int) -> Therapist | None:
        return await self._session.get(Therapist, therapist_id)

    async def ensure(self, therapist_id: int, display_name: str, now: datetime) -> Therapist:
        therapist = await self._session.get(Therapist, therapist_id)
        if therapist is None:
            therapist = Therapist(id=therapist_id, display_name=display_name, created_at=now)
            self._session.add(therapist)
            await self._session.flush()
        elif therapist.display_name != display_name:
            therapist.display_name = display_name
        return therapist


class ClientRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, therapist_id: int, client_id: int) -> Client | None:
        client = await self._session.get(Client, client_id)
        if client is None or client.therapist_id != therapist_id:
            return None
        return client

    async def get_for_update(self, therapist_id: int, client_id: int) -> Client | None:
        """The client row locked for this transaction (PostgreSQL; SQLite has one writer)."""
        result = await self._session.execute(
            select(Client)
            .where(Client.id == client_id, Client.therapist_id == therapist_id)
            .with_for_update()
        )
        return result.scalar_one_or_none()

    async def recent(self, therapist_id: int, limit: int) -> list[Client]:
        """Clients seen most recently first; new clients without notes after them."""
        result = await self._session.scalars(
            select(Client)
            .where(Client.therapist_id == therapist_id)
            .order_by(
                Client.last_note_at.is_(None),
                Client.last_note_at.desc(),
                Client.created_at.desc(),
                Client.id.desc(),
            )
            .limit(limit)
        )
        return list(result)

    async def search(self, therapist_id: int, query: str, limit: int) -> list[Client]:
        words = name_key(query).split()
        if not words:
            return []
        # SQL narrows by the first word; the exact word-prefix rule is applied in Python.
        candidates = await self._session.scalars(
            select(Client)
            .where(Client.therapist_id == therapist_id, Client.name_key.contains(words[0]))
            .order_by(Client.last_note_at.is_(None), Client.last_note_at.desc(), Client.name)
        )
        return [c for c in candidates if matches_search(c.name, query)][:limit]

    async def names(self, therapist_id: int) -> list[tuple[str, Client]]:
        result = await self._session.scalars(
            select(Client).where(Client.therapist_id == therapist_id).order_by(Client.name)
        )
        return [(c.name, c) for c in result]

    async def many(self, ids: list[int]) -> dict[int, Client]:
        """For the dispatcher, which acts for no one therapist."""
        rows = await self._session.scalars(select(Client).where(Client.id.in_(ids)))
        return {row.id: row for row in rows}

    async def by_telegram_user(self, telegram_user_id: int) -> Client | None:
        """The client record a Telegram account is linked to (at most one)."""
        return await self._session.scalar(
            select(Client).where(Client.telegram_user_id == telegram_user_id)
        )

    async def page(self, therapist_id: int, *, offset: int, limit: int) -> tuple[list[Client], int]:
        """The therapist's clients, most recently seen first, and how many there are."""
        where = Client.therapist_id == therapist_id
        total = await self._session.scalar(select(func.count()).select_from(Client).where(where))
        rows = await self._session.scalars(
            select(Client)
            .where(where)
            .order_by(
                Client.last_note_at.is_(None),
                Client.last_note_at.desc(),
                Client.created_at.desc(),
                Client.id.desc(),
            )
            .offset(offset)
            .limit(limit)
        )
        return list(rows), total or 0

    async def add(self, therapist_id: int, name: str, now: datetime) -> Client:
        client = Client(
            therapist_id=therapist_id,
            name=name,
            name_key=name_key(name),
            created_at=now,
            notes_count=0,
        )
        self._session.add(client)
        await self._session.flush()
        return client


@dataclass(frozen=True)
class NewNote:
    client_id: int
    session_date: date
    areas: list[str]
    area_other: str | None
    techniques: list[str]
    technique_other: str | None
    pressure: str
    pain_before: int
    pain_after: int
    subjective: str | None
    findings: str | None
    response: str | None
    plan_next: str | None
    draft_token: str


@dataclass(frozen=True)
class NotesPage:
    notes: list[SessionNote]
    total: int


class NoteRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, therapist_id: int, note: NewNote, now: datetime) -> SessionNote:
        client = await ClientRepository(self._session).get_for_update(therapist_id, note.client_id)
        if client is None:
            raise LookupError("client not found for this therapist")
        client.notes_count += 1
        client.last_note_at = now
        row = SessionNote(
            therapist_id=therapist_id,
            number=client.notes_count,
            created_at=now,
            **note.__dict__,
        )
        self._session.add(row)
        await self._session.flush()
        return row

    async def by_draft_token(self, therapist_id: int, token: str) -> SessionNote | None:
        return await self._session.scalar(
            select(SessionNote).where(
                SessionNote.draft_token == token, SessionNote.therapist_id == therapist_id
            )
        )

    async def get(self, therapist_id: int, note_id: int) -> SessionNote | None:
        note = await self._session.get(SessionNote, note_id)
        if note is None or note.therapist_id != therapist_id:
            return None
        return note

    async def latest(self, therapist_id: int, client_id: int) -> SessionNote | None:
        """The most recent documented session."""
        return await self._session.scalar(
            select(SessionNote)
            .where(SessionNote.client_id == client_id, SessionNote.therapist_id == therapist_id)
            .order_by(SessionNote.session_date.desc(), SessionNote.number.desc())
            .limit(1)
        )

    async def first(self, therapist_id: int, client_id: int) -> SessionNote | None:
        """The first documented session: its pain before treatment is the baseline."""
        return await self._session.scalar(
            select(SessionNote)
            .where(SessionNote.client_id == client_id, SessionNote.therapist_id == therapist_id)
            .order_by(SessionNote.session_date, SessionNote.number)
            .limit(1)
        )

    async def last_treatment(self, therapist_id: int, client_id: int) -> PreviousTreatment | None:
        note = await self.latest(therapist_id, client_id)
        if note is None:
            return None
        return PreviousTreatment(
            areas=list(note.areas),
            area_other=note.area_other,
            techniques=list(note.techniques),
            technique_other=note.technique_other,
            pressure=note.pressure,
        )

    async def page(
        self, therapist_id: int, client_id: int, *, offset: int, limit: int
    ) -> NotesPage:
        """A client's notes, the most recent session first."""
        where = (SessionNote.client_id == client_id, SessionNote.therapist_id == therapist_id)
        total = await self._session.scalar(
            select(func.count()).select_from(SessionNote).where(*where)
        )
        rows = await self._session.scalars(
            select(SessionNote)
            .where(*where)
            .order_by(SessionNote.session_date.desc(), SessionNote.number.desc())
            .offset(offset)
            .limit(limit)
        )
        return NotesPage(notes=list(rows), total=total or 0)


class DraftRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, therapist_id: int) -> StoredDraft | None:
        return await self._session.scalar(
            select(StoredDraft).where(StoredDraft.therapist_id == therapist_id)
        )

    async def start(
        self, therapist_id: int, token: str, step: str, data: dict[str, Any], now: datetime
    ) -> StoredDraft:
        await self._session.execute(
            delete(StoredDraft).where(StoredDraft.therapist_id == therapist_id)
        )
        draft = StoredDraft(
            therapist_id=therapist_id,
            token=token,
            step=step,
            editing=False,
            data=data,
            card_message_id=None,
            created_at=now,
            updated_at=now,
        )
        self._session.add(draft)
        await self._session.flush()
        return draft

    async def delete(self, draft: StoredDraft) -> None:
        await self._session.delete(draft)
        await self._session.flush()


class InviteRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def create(
        self, therapist_id: int, client_id: int, token_hash: str, now: datetime, expires: datetime
    ) -> Invite:
        """A new link for the client; any earlier link still open stops working."""
        await self._session.execute(
            update(Invite)
            .where(Invite.client_id == client_id, Invite.status == InviteStatus.PENDING)
            .values(status=InviteStatus.REPLACED, closed_at=now)
        )
        invite = Invite(
            therapist_id=therapist_id,
            client_id=client_id,
            token_hash=token_hash,
            created_at=now,
            expires_at=expires,
            status=InviteStatus.PENDING,
        )
        self._session.add(invite)
        await self._session.flush()
        return invite

    async def open_link_made_at(self, client_id: int, now: datetime) -> datetime | None:
        """When the client's link that still works was made, if one does (a new one replaces
        it)."""
        return await self._session.scalar(
            select(func.max(Invite.created_at)).where(
                Invite.client_id == client_id,
                Invite.status == InviteStatus.PENDING,
                Invite.expires_at > now,
            )
        )

    async def by_token_hash(self, token_hash: str) -> Invite | None:
        return await self._session.scalar(
            select(Invite).where(Invite.token_hash == token_hash).with_for_update()
        )

    async def close(self, invite: Invite, status: InviteStatus, now: datetime) -> None:
        invite.status = status
        invite.closed_at = now
        await self._session.flush()


class PlanRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def current(self, therapist_id: int, client_id: int) -> TreatmentPlan | None:
        return await self._session.scalar(
            select(TreatmentPlan)
            .where(TreatmentPlan.client_id == client_id, TreatmentPlan.therapist_id == therapist_id)
            .order_by(TreatmentPlan.version.desc())
            .limit(1)
        )

    async def versions(self, therapist_id: int, client_id: int) -> list[TreatmentPlan]:
        """Every version of the client's plan, the newest first."""
        rows = await self._session.scalars(
            select(TreatmentPlan)
            .where(TreatmentPlan.client_id == client_id, TreatmentPlan.therapist_id == therapist_id)
            .order_by(TreatmentPlan.version.desc())
        )
        return list(rows)

    async def add(self, plan: TreatmentPlan) -> TreatmentPlan:
        """A new version: the earlier ones stay as they were."""
        latest = await self._session.scalar(
            select(func.max(TreatmentPlan.version)).where(TreatmentPlan.client_id == plan.client_id)
        )
        plan.version = (latest or 0) + 1
        self._session.add(plan)
        await self._session.flush()
        return plan

    async def sessions_since(self, therapist_id: int, client_id: int, start: date) -> int:
        """Documented sessions on or after the plan's start: "session 3 of 6"."""
        count = await self._session.scalar(
            select(func.count())
            .select_from(SessionNote)
            .where(
                SessionNote.client_id == client_id,
                SessionNote.therapist_id == therapist_id,
                SessionNote.session_date >= start,
            )
        )
        return count or 0


class HomeworkRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def current(self, therapist_id: int, client_id: int) -> list[HomeworkAssignment]:
        """Active and paused assignments, oldest first."""
        rows = await self._session.scalars(
            select(HomeworkAssignment)
            .where(
                HomeworkAssignment.client_id == client_id,
                HomeworkAssignment.therapist_id == therapist_id,
                HomeworkAssignment.status != HomeworkStatus.ENDED,
            )
            .order_by(HomeworkAssignment.id)
        )
        return list(rows)

    async def get(self, therapist_id: int, assignment_id: int) -> HomeworkAssignment | None:
        row = await self._session.get(HomeworkAssignment, assignment_id)
        if row is None or row.therapist_id != therapist_id:
            return None
        return row

    async def many(self, ids: list[int]) -> dict[int, HomeworkAssignment]:
        """For the dispatcher, which acts for no one therapist."""
        rows = await self._session.scalars(
            select(HomeworkAssignment).where(HomeworkAssignment.id.in_(ids))
        )
        return {row.id: row for row in rows}

    async def get_any(self, assignment_id: int) -> HomeworkAssignment | None:
        """For the dispatcher, which acts for no one therapist; handlers use get()."""
        return await self._session.get(HomeworkAssignment, assignment_id)

    async def add(self, assignment: HomeworkAssignment) -> HomeworkAssignment:
        self._session.add(assignment)
        await self._session.flush()
        return assignment


class ExerciseRepository:
    """The exercises a therapist wrote; the shipped library is data, not rows."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def mine(self, therapist_id: int) -> list[CustomExercise]:
        rows = await self._session.scalars(
            select(CustomExercise)
            .where(CustomExercise.therapist_id == therapist_id)
            .order_by(CustomExercise.name)
        )
        return list(rows)

    async def get(self, therapist_id: int, exercise_id: int) -> CustomExercise | None:
        row = await self._session.get(CustomExercise, exercise_id)
        if row is None or row.therapist_id != therapist_id:
            return None
        return row

    async def add(self, exercise: CustomExercise) -> CustomExercise:
        self._session.add(exercise)
        await self._session.flush()
        return exercise


class FormRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, therapist_id: int) -> FormDraft | None:
        return await self._session.scalar(
            select(FormDraft).where(FormDraft.therapist_id == therapist_id)
        )

    async def start(self, draft: FormDraft) -> FormDraft:
        await self._session.execute(
            delete(FormDraft).where(FormDraft.therapist_id == draft.therapist_id)
        )
        self._session.add(draft)
        await self._session.flush()
        return draft

    async def delete(self, draft: FormDraft) -> None:
        await self._session.delete(draft)
        await self._session.flush()


# A homework reminder asked again for later ("In 1 hour"): it repeats an occurrence and,
# unlike the occurrence itself, queues nothing after it.
HOMEWORK, SNOOZE, CHECK_IN, DIGEST, WEEKLY = "homework", "snooze", "checkin", "digest", "weekly"
# The therapist told a month ahead that a record will be deleted under the retention period.
RETENTION = "retention"


# A notice to the operators (bot/runtime/watch.py): the kind is this prefix and its cause. The
# row is the record that it went, so a restart or a second process does not send it again.
NOTICE = "notice:"


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

    async def claim_due(self, now: datetime, lease: timedelta, limit: int) -> list[Delivery]:
        """Due rows, and rows whose sender's lease ran out, leased to this process."""
        due = or_(
            and_(Delivery.status == self.PENDING, Delivery.due_at <= now),
            and_(Delivery.status == self.SENDING, Delivery.lease_until < now),
        )
        rows = list(
            await self._session.scalars(
                select(Delivery)
                .where(due)
                .order_by(Delivery.due_at, Delivery.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
        for row in rows:
            row.status = self.SENDING
            row.lease_until = now + lease
            row.attempts += 1
        await self._session.flush()
        return rows

    async def get(self, delivery_id: int) -> Delivery | None:
        return await self._session.get(Delivery, delivery_id)

    async def add(self, delivery: Delivery) -> Delivery:
        self._session.add(delivery)
        await self._session.flush()
        return delivery

    async def add_all(self, deliveries: list[Delivery]) -> None:
        self._session.add_all(deliveries)
        await self._session.flush()

    async def many(self, ids: list[int]) -> dict[int, Delivery]:
        rows = await self._session.scalars(select(Delivery).where(Delivery.id.in_(ids)))
        return {row.id: row for row in rows}

    async def pending_assignments(self, assignment_ids: list[int]) -> set[int]:
        """Which of these schedules already have a reminder waiting."""
        rows = await self._session.scalars(
            select(Delivery.assignment_id).where(
                Delivery.assignment_id.in_(assignment_ids),
                Delivery.status.in_((self.PENDING, self.SENDING)),
            )
        )
        return {row for row in rows if row is not None}

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
    def pending(
        cls,
        kind: str,
        *,
        chat_id: int,
        day: date,
        due_at: datetime,
        now: datetime,
        occurs_at: datetime | None = None,
        client_id: int | None = None,
        assignment_id: int | None = None,
        check_in_id: int | None = None,
        referral_id: int | None = None,
        sequence: int = 0,
    ) -> Delivery:
        """A new row waiting to be sent (every kind of message is queued through this)."""
        return Delivery(
            kind=kind,
            client_id=client_id,
            chat_id=chat_id,
            assignment_id=assignment_id,
            check_in_id=check_in_id,
            referral_id=referral_id,
            occurrence_date=day,
            sequence=sequence,
            occurs_at=occurs_at or due_at,
            due_at=due_at,
            status=cls.PENDING,
            attempts=0,
            created_at=now,
        )

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
        kind: str | None = None,
    ) -> None:
        """Nothing more goes out for an assignment (paused, changed, ended), a client or a
        referral (its outcome is known)."""
        where = [Delivery.status == self.PENDING]
        if assignment_id is not None:
            where.append(Delivery.assignment_id == assignment_id)
        if referral_id is not None:
            where.append(Delivery.referral_id == referral_id)
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

    async def next_due_at(self) -> datetime | None:
        """When the dispatcher next has work (for waking it exactly then)."""
        return await self._session.scalar(
            select(func.min(Delivery.due_at)).where(Delivery.status == self.PENDING)
        )

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


class HomeworkLogRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(
        self, assignment_id: int, day: date, result: str, now: datetime
    ) -> tuple[HomeworkLog, bool]:
        """The day's answer, and whether it is new; a second tap the same day finds the first
        and changes nothing."""
        existing = await self.get(assignment_id, day)
        if existing is not None:
            return existing, False
        log = HomeworkLog(
            assignment_id=assignment_id, occurrence_date=day, result=result, logged_at=now
        )
        self._session.add(log)
        await self._session.flush()
        return log, True

    async def get(self, assignment_id: int, day: date) -> HomeworkLog | None:
        return await self._session.scalar(
            select(HomeworkLog).where(
                HomeworkLog.assignment_id == assignment_id, HomeworkLog.occurrence_date == day
            )
        )


class CheckInRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, check_in: CheckIn) -> CheckIn:
        self._session.add(check_in)
        await self._session.flush()
        return check_in

    async def get(self, check_in_id: int) -> CheckIn | None:
        return await self._session.get(CheckIn, check_in_id)

    async def close_open(self, client_id: int, now: datetime, *, except_id: int) -> None:
        """A new check-in arrived: earlier ones take no more answers."""
        await self._session.execute(
            update(CheckIn)
            .where(
                CheckIn.client_id == client_id,
                CheckIn.closed_at.is_(None),
                CheckIn.sent_at.is_not(None),
                CheckIn.id != except_id,
            )
            .values(closed_at=now)
        )

    async def sent_after(self, note_id: int) -> int:
        """How many check-ins of the series after this session went out."""
        count = await self._session.scalar(
            select(func.count())
            .select_from(CheckIn)
            .where(CheckIn.after_note_id == note_id, CheckIn.sent_at.is_not(None))
        )
        return count or 0

    async def recent(self, client_id: int, limit: int) -> list[CheckIn]:
        rows = await self._session.scalars(
            select(CheckIn)
            .where(CheckIn.client_id == client_id, CheckIn.answered_at.is_not(None))
            .order_by(CheckIn.answered_at.desc())
            .limit(limit)
        )
        return list(rows)


class UpdateLog:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def claim(self, update_id: int, now: datetime) -> bool:
        """Record the update as handled; False if it already was (a redelivery).

        Part of the caller's transaction: the record and the effect commit together.
        """
        if await self._session.get(HandledUpdate, update_id) is not None:
            return False
        self._session.add(HandledUpdate(update_id=update_id, handled_at=now))
        await self._session.flush()
        return True

    async def forget_before(self, moment: datetime) -> None:
        await self._session.execute(delete(HandledUpdate).where(HandledUpdate.handled_at < moment))


# --- Records that travel: the whole record, amendments, erasure ---------------------------


class RecordRepository:
    """Everything kept about one client, read whole for the record (PDF, CSV) and /mydata."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def notes(self, therapist_id: int, client_id: int) -> list[SessionNote]:
        """Every note of the client, oldest session first."""
        rows = await self._session.scalars(
            select(SessionNote)
            .where(SessionNote.client_id == client_id, SessionNote.therapist_id == therapist_id)
            .order_by(SessionNote.session_date, SessionNote.number)
        )
        return list(rows)

    async def homework(self, therapist_id: int, client_id: int) -> list[HomeworkAssignment]:
        """Every assignment ever given, ended ones included, oldest first."""
        rows = await self._session.scalars(
            select(HomeworkAssignment)
            .where(
                HomeworkAssignment.client_id == client_id,
                HomeworkAssignment.therapist_id == therapist_id,
            )
            .order_by(HomeworkAssignment.id)
        )
        return list(rows)

    async def homework_days(
        self, assignment_ids: list[int], *, since: date | None = None
    ) -> HomeworkDays:
        """The (assignment, day) pairs the client was due (reminded, or passed while the bot
        was down) and those they said they did, from `since` on: every adherence figure is
        cut from this (practice.adherence)."""
        if not assignment_ids:
            return HomeworkDays()
        due_where = [
            Delivery.assignment_id.in_(assignment_ids),
            Delivery.kind == HOMEWORK,
            Delivery.status.in_((Outbox.SENT, Outbox.MISSED)),
        ]
        done_where = [HomeworkLog.assignment_id.in_(assignment_ids), HomeworkLog.result == "done"]
        if since is not None:
            due_where.append(Delivery.occurrence_date >= since)
            done_where.append(HomeworkLog.occurrence_date >= since)
        due = await self._session.execute(
            select(Delivery.assignment_id, Delivery.occurrence_date).where(*due_where)
        )
        done = await self._session.execute(
            select(HomeworkLog.assignment_id, HomeworkLog.occurrence_date).where(*done_where)
        )
        return HomeworkDays.of(
            ((a, d) for a, d in due if a is not None and d is not None),
            ((a, d) for a, d in done),
        )

    async def check_ins(self, client_id: int) -> list[CheckIn]:
        """Answered check-ins, oldest first."""
        rows = await self._session.scalars(
            select(CheckIn)
            .where(CheckIn.client_id == client_id, CheckIn.answered_at.is_not(None))
            .order_by(CheckIn.answered_at)
        )
        return list(rows)

    async def decisions(self, therapist_id: int, client_id: int) -> list[tables.Decision]:
        rows = await self._session.scalars(
            select(tables.Decision)
            .where(
                tables.Decision.client_id == client_id,
                tables.Decision.therapist_id == therapist_id,
            )
            .order_by(tables.Decision.asked_at)
        )
        return list(rows)

    async def referrals(
        self, therapist_id: int, client_id: int
    ) -> list[tuple[tables.Referral, tables.Provider | None]]:
        """The client's referrals with the provider each went to (None: since deleted)."""
        rows = await self._session.execute(
            select(tables.Referral, tables.Provider)
            .outerjoin(tables.Provider, tables.Provider.id == tables.Referral.provider_id)
            .where(
                tables.Referral.client_id == client_id,
                tables.Referral.therapist_id == therapist_id,
            )
            .order_by(tables.Referral.created_at)
        )
        return [(referral, provider) for referral, provider in rows]


class AmendmentRepository:
    """Notes are amended, never overwritten: each change keeps the fields as they were."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def amend(
        self, note: SessionNote, changes: dict[str, Any], reason: str, now: datetime
    ) -> tables.NoteRevision | None:
        """Apply `changes` (field -> new value) to the note, keeping the old values in a
        revision; None when nothing actually changed. Part of the caller's transaction."""
        before = {
            field: _json_value(getattr(note, field))
            for field, value in changes.items()
            if getattr(note, field) != value
        }
        if not before:
            return None
        revision = tables.NoteRevision(
            note_id=note.id, revision=note.revision, before=before, reason=reason, revised_at=now
        )
        for field in before:
            setattr(note, field, changes[field])
        note.revision += 1
        note.amended_at = now
        self._session.add(revision)
        await self._session.flush()
        return revision

    async def for_notes(self, note_ids: list[int]) -> dict[int, list[tables.NoteRevision]]:
        """Each note's revisions, oldest first."""
        if not note_ids:
            return {}
        rows = await self._session.scalars(
            select(tables.NoteRevision)
            .where(tables.NoteRevision.note_id.in_(note_ids))
            .order_by(tables.NoteRevision.revised_at, tables.NoteRevision.id)
        )
        found: dict[int, list[tables.NoteRevision]] = {}
        for row in rows:
            found.setdefault(row.note_id, []).append(row)
        return found


def _json_value(value: object) -> object:
    """A field's value as the revision's JSON keeps it (days as ISO text, lists copied)."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return list(value)
    return value


class ErasureRepository:
    """/forgetme: what the bot holds of the client themselves goes; the therapist's clinical
    notes, plans and the homework they prescribed stay (see README, "Erasure and retention")."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def forget(self, client: Client, now: datetime) -> list[int]:
        """In the caller's transaction: unlink the Telegram account, erase ratings, homework
        answers, every message row (queued or sent: they carry the chat id) and the client's
        own settings, and withdraw unanswered questions. Returns the referrals whose consent
        question was withdrawn (their letter goes with the reason only)."""
        assignment_ids = select(HomeworkAssignment.id).where(
            HomeworkAssignment.client_id == client.id
        )
        referral_ids = select(tables.Referral.id).where(tables.Referral.client_id == client.id)
        # Consent questions name no client (see reminders.referrals.ask_consent), only the chat.
        await self._session.execute(
            delete(Delivery).where(
                or_(
                    Delivery.client_id == client.id,
                    and_(Delivery.kind == CONSENT, Delivery.referral_id.in_(referral_ids)),
                )
            )
        )
        await self._session.execute(
            delete(HomeworkLog).where(HomeworkLog.assignment_id.in_(assignment_ids))
        )
        await self._session.execute(delete(CheckIn).where(CheckIn.client_id == client.id))
        # A consent question the client never answered cannot be answered now.
        withdrawn = list(
            await self._session.scalars(
                select(tables.Referral.id).where(
                    tables.Referral.client_id == client.id, tables.Referral.consent == "pending"
                )
            )
        )
        await self._session.execute(
            update(tables.Referral)
            .where(tables.Referral.id.in_(withdrawn))
            .values(consent="unasked", consent_asked_at=None)
        )
        await self._session.execute(
            update(Invite)
            .where(Invite.client_id == client.id, Invite.status == InviteStatus.PENDING)
            .values(status=InviteStatus.REPLACED, closed_at=now)
        )
        client.telegram_user_id = None
        client.timezone = None
        client.reminder_time = None
        client.quiet_start = None
        client.quiet_end = None
        client.unreachable_at = None
        client.awaiting = None
        client.paused_until = None
        client.stopped_at = None
        client.forgotten_at = now
        await self._session.flush()
        return withdrawn


# --- referrals: the therapist's provider network, and clients referred on ------------------

# A referral's consent question to the client, and its follow-up question to the therapist.
CONSENT, FOLLOW_UP = "consent", "followup"


class ProviderRepository:
    """The therapist's referral network; archived providers stay for the referrals made."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def active(self, therapist_id: int) -> list[Provider]:
        rows = await self._session.scalars(
            select(Provider)
            .where(Provider.therapist_id == therapist_id, Provider.archived_at.is_(None))
            .order_by(Provider.name, Provider.id)
        )
        return list(rows)

    async def get(self, therapist_id: int, provider_id: int) -> Provider | None:
        row = await self._session.get(Provider, provider_id)
        if row is None or row.therapist_id != therapist_id:
            return None
        return row

    async def add(self, provider: Provider) -> Provider:
        self._session.add(provider)
        await self._session.flush()
        return provider


class ReferralRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, referral: Referral) -> Referral:
        self._session.add(referral)
        await self._session.flush()
        return referral

    async def get(self, therapist_id: int, referral_id: int) -> Referral | None:
        row = await self._session.get(Referral, referral_id)
        if row is None or row.therapist_id != therapist_id:
            return None
        return row

    async def get_any(self, referral_id: int) -> Referral | None:
        """For the client's answer and the dispatcher, which act for no one therapist."""
        return await self._session.get(Referral, referral_id)

    async def of_client(self, therapist_id: int, client_id: int) -> list[Referral]:
        """The client's referrals, the newest first."""
        rows = await self._session.scalars(
            select(Referral)
            .where(Referral.client_id == client_id, Referral.therapist_id == therapist_id)
            .order_by(Referral.created_at.desc(), Referral.id.desc())
        )
        return list(rows)

    async def decision_of(
        self, therapist_id: int, client_id: int, decision_id: int
    ) -> tables.Decision | None:
        """The decision point a referral answers, if it is this therapist's, about this client."""
        row = await self._session.get(tables.Decision, decision_id)
        if row is None or row.therapist_id != therapist_id or row.client_id != client_id:
            return None
        return row
