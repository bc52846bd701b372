"""Records that travel: the whole record, amendments, erasure."""

from __future__ import annotations

import functools
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Select,
    and_,
    bindparam,
    delete,
    exists,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from practice.adherence import Adherence, HomeworkDays
from practice.invites import InviteStatus
from practice.plans import HomeworkStatus
from storage import models as tables
from storage.models import (
    CheckIn,
    Client,
    Delivery,
    HomeworkAssignment,
    HomeworkDueDay,
    HomeworkLog,
    Invite,
    SessionNote,
)

from .intake import IntakeRepository
from .messages import MessageRepository
from .outbox import HOMEWORK, Outbox
from .referrals import CONSENT


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
        cut from this (practice.adherence). Due days are the outbox's recent rows and, for
        older ones pruned from it, the homework_due_days they were compacted into."""
        if not assignment_ids:
            return HomeworkDays()
        due_where = [
            Delivery.assignment_id.in_(assignment_ids),
            Delivery.kind == HOMEWORK,
            Delivery.status.in_((Outbox.SENT, Outbox.MISSED)),
        ]
        kept_where: list[ColumnElement[bool]] = [HomeworkDueDay.assignment_id.in_(assignment_ids)]
        done_where = [HomeworkLog.assignment_id.in_(assignment_ids), HomeworkLog.result == "done"]
        if since is not None:
            due_where.append(Delivery.occurrence_date >= since)
            kept_where.append(HomeworkDueDay.occurrence_date >= since)
            done_where.append(HomeworkLog.occurrence_date >= since)
        due = await self._session.execute(
            select(Delivery.assignment_id, Delivery.occurrence_date).where(*due_where)
        )
        kept = await self._session.execute(
            select(HomeworkDueDay.assignment_id, HomeworkDueDay.occurrence_date).where(*kept_where)
        )
        done = await self._session.execute(
            select(HomeworkLog.assignment_id, HomeworkLog.occurrence_date).where(*done_where)
        )
        due_days = [(a, d) for a, d in due if a is not None and d is not None]
        due_days.extend((a, d) for a, d in kept)
        return HomeworkDays.of(due_days, ((a, d) for a, d in done))

    async def homework_totals_by_client(
        self, therapist_id: int, *, since: date, client_ids: list[int] | None = None
    ) -> dict[int, Adherence]:
        """Done out of due from `since` on, over each client's current assignments (active
        and paused), for all the therapist's clients at once (the digest), or for those of
        `client_ids` (the agenda's visits, ix_homework_client): the same figures
        as `homework_days(...).adherence()`, counted in SQL by one statement, a row per
        assignment (a few index lookups each, never a row per day in Python).

        A day is due once however many reminders it had (a re-planned day has two rows: each
        day is counted at its first settled row) and whether it is still in the outbox or
        was compacted into homework_due_days; a day is done if the client said so on a due
        day. The statement is built once (`_homework_totals`): building it anew took more of
        the event loop than running it (a digest's longest steps, bench/loop_lag.py)."""
        params: dict[str, object] = {"therapist_id": therapist_id, "since": since}
        if client_ids is not None:
            if not client_ids:
                return {}
            params["client_ids"] = client_ids
        rows = await self._session.execute(_homework_totals(client_ids is not None), params)
        totals: dict[int, Adherence] = {}
        for client_id, due, done in rows:
            if due:
                totals[client_id] = totals.get(client_id, Adherence(0, 0)) + Adherence(done, due)
        return totals

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
        # The days reminders went out, compacted from the message rows deleted above.
        await self._session.execute(
            delete(HomeworkDueDay).where(HomeworkDueDay.assignment_id.in_(assignment_ids))
        )
        await self._session.execute(delete(CheckIn).where(CheckIn.client_id == client.id))
        await IntakeRepository(self._session).forget(client.id)
        # The messages between the client and their therapist, both ways, and the relayed
        # ones still waiting (a therapist's rows: they name no client).
        carried = await MessageRepository(self._session).erase(client.id)
        if carried:
            await self._session.execute(delete(Delivery).where(Delivery.id.in_(carried)))
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
        client.birth_date = None
        client.contact = None
        client.forgotten_at = now
        await self._session.flush()
        return withdrawn


@functools.cache
def _homework_totals(of_clients: bool) -> Select[Any]:
    """RecordRepository.homework_totals_by_client's statement, with its parameters bound at
    execution: therapist_id, since and (`of_clients`) the client_ids."""
    sent = aliased(Delivery)
    earlier = aliased(Delivery)
    kept = aliased(HomeworkDueDay)
    log = aliased(HomeworkLog)
    settled = (Outbox.SENT, Outbox.MISSED)
    since = bindparam("since", type_=Date)

    def settled_on(assignment: Any, day: Any, row: Any = Delivery) -> ColumnElement[bool]:
        return and_(
            row.assignment_id == assignment,
            row.status.in_(settled),
            row.occurrence_date == day,
            row.kind == HOMEWORK,
        )

    a = HomeworkAssignment
    sent_days = (
        select(func.count())
        .select_from(sent)
        .where(
            sent.assignment_id == a.id,
            sent.status.in_(settled),
            sent.occurrence_date >= since,
            sent.kind == HOMEWORK,
            ~exists().where(
                settled_on(sent.assignment_id, sent.occurrence_date, earlier),
                earlier.sequence < sent.sequence,
            ),
        )
        .scalar_subquery()
    )
    kept_days = (
        select(func.count())
        .select_from(kept)
        .where(
            kept.assignment_id == a.id,
            kept.occurrence_date >= since,
            ~exists().where(settled_on(kept.assignment_id, kept.occurrence_date)),
        )
        .scalar_subquery()
    )
    done_days = (
        select(func.count())
        .select_from(log)
        .where(
            log.assignment_id == a.id,
            log.occurrence_date >= since,
            log.result == "done",
            or_(
                exists().where(settled_on(log.assignment_id, log.occurrence_date)),
                exists().where(
                    HomeworkDueDay.assignment_id == log.assignment_id,
                    HomeworkDueDay.occurrence_date == log.occurrence_date,
                ),
            ),
        )
        .scalar_subquery()
    )
    where = [a.therapist_id == bindparam("therapist_id"), a.status != HomeworkStatus.ENDED]
    if of_clients:
        where.append(a.client_id.in_(bindparam("client_ids", expanding=True)))
    return select(a.client_id, sent_days + kept_days, done_days).where(*where)
