"""Queuing a visit's messages through the outbox: the client told of a booking, a move or a
cancellation at once, reminded `hours` before (earlier, out of their quiet hours) and asked
right after the reminder whether anything is new with their health (if they have an intake),
and the therapist asked how it went once its time has passed. Every row carries the visit's start
(`occurs_at`): a row for a start the visit no longer has is never sent."""

from __future__ import annotations

from datetime import datetime, timedelta

from practice.intake import has_intake
from practice.visits import MAX_AHEAD_DAYS, OPEN_STATUSES, reminder_due
from reminders.checkins import resume_check_ins
from reminders.planning import preferences_of, quiet_hours_of, reachable
from storage.models import Client, Visit
from storage.repositories import (
    VISIT_BOOKED,
    VISIT_CANCELLED,
    VISIT_CHECK,
    VISIT_MOVED,
    VISIT_OUTCOME,
    VISIT_REMINDER,
    Outbox,
    SentForVisit,
)
from storage.unit_of_work import UnitOfWork

# The therapist is asked how a visit went this long after its planned end.
ASK_AFTER_END = timedelta(minutes=30)


async def plan_visit(
    uow: UnitOfWork,
    visit: Visit,
    client: Client,
    *,
    moved: bool,
    now: datetime,
    reminder_hours: int,
    fallback_zone: str,
    again: bool = False,
) -> bool:
    """Replace whatever waits for this visit with its messages for its start now: the notice
    (booked, or moved), the reminder, the question after it. True if the client is told.
    `again`: the client can be written to again (they joined, or resumed after /stop): what
    they were sent before is not sent twice, and the caller re-plans the check-ins."""
    notice_waiting = await uow.outbox.waiting(VISIT_BOOKED, visit_id=visit.id)
    sent = await uow.visits.sent_to_client(visit.id) if again else []
    await uow.outbox.cancel_pending(visit_id=visit.id)
    told = reachable(client)
    if told:
        assert client.telegram_user_id is not None
        prefs = preferences_of(client, fallback_zone)
        due = reminder_due(visit.starts_at, reminder_hours, prefs.timezone, quiet_hours_of(prefs))
        # A move before the booking's own notice went out is told as the booking.
        kind: str | None = VISIT_MOVED if moved and not notice_waiting else VISIT_BOOKED
        if again:
            kind, due = after_silence(sent, visit.starts_at, due, now)
        if kind is not None:
            await _for_client(uow, visit, client, kind, due=now, now=now)
        # Booked inside the reminder's window: the notice just sent is the reminder.
        if due > now:
            await _for_client(uow, visit, client, VISIT_REMINDER, due=due, now=now)
        # The pre-visit question, the next message after the reminder (or the notice standing
        # in for it): once a visit, so not again for a move once it is answered, nor after a
        # silence (/stop, then /resume) if it went before. Whether the client has an intake
        # to check is decided when it is due (`check_wanted`).
        if not await _checked(uow, visit) and not (again and await uow.visits.check_sent(visit.id)):
            await _for_client(uow, visit, client, VISIT_CHECK, due=max(due, now), now=now)
    if not again:
        # The check-ins run until this visit now (their last the day before it).
        await resume_check_ins(uow, client, now=now, fallback_zone=fallback_zone)
    ask = visit.starts_at + timedelta(minutes=visit.minutes) + ASK_AFTER_END
    await uow.outbox.add(
        Outbox.pending(
            VISIT_OUTCOME,
            chat_id=visit.therapist_id,
            day=ask.date(),
            due_at=ask,
            occurs_at=visit.starts_at,
            now=now,
            visit_id=visit.id,
        )
    )
    return told


async def check_wanted(uow: UnitOfWork, visit: Visit, client: Client) -> bool:
    """Whether the pre-visit question goes now: the client has told something in an intake,
    is not in the middle of it (its waiting question comes first; /start carries it on), and
    has not answered the question for this visit."""
    if await _checked(uow, visit):
        return False
    progress = await uow.intake.progress(client.id)
    if progress is not None and progress.step is not None:
        return False
    return has_intake(await uow.intake.answers(client.id))


async def _checked(uow: UnitOfWork, visit: Visit) -> bool:
    check = await uow.intake.check_of(visit.id)
    return check is not None and check.answer is not None


async def replan_visits(
    uow: UnitOfWork,
    client: Client,
    *,
    now: datetime,
    reminder_hours: int,
    fallback_zone: str,
) -> int:
    """A client who can be reached again (they just joined, or resumed after /stop): each
    visit still ahead gets what they were not sent of it yet, as at booking; how many visits
    were planned. The check-ins are not re-planned here: the caller's `replan_client` does it
    once, until the next of these visits."""
    ahead = await uow.visits.of_client_between(
        client.id, now, now + timedelta(days=MAX_AHEAD_DAYS + 1), OPEN_STATUSES
    )
    for visit in ahead:
        await plan_visit(
            uow,
            visit,
            client,
            moved=False,
            now=now,
            reminder_hours=reminder_hours,
            fallback_zone=fallback_zone,
            again=True,
        )
    return len(ahead)


def after_silence(
    sent: list[SentForVisit], starts_at: datetime, due: datetime, now: datetime
) -> tuple[str | None, datetime]:
    """What a client who could not be written to for a while (not joined yet, or /stop) is
    sent of a visit now, from what they were sent of it before: the notice to send now (None:
    none), and when the reminder is due (not after now: none follows).

    Never told of it: the notice, as at booking (a move if they knew an earlier start).
    Told of this start, not reminded (no reminder went, nor a notice inside the reminder's
    window, which stood in for it): the reminder when due, or now if that has passed.
    Reminded already: nothing more."""
    notices = [s for s in sent if s.kind in (VISIT_BOOKED, VISIT_MOVED)]
    this_start = [s for s in sent if s.occurs_at == starts_at]
    if not this_start:
        return (VISIT_MOVED if notices else VISIT_BOOKED), due
    reminded = any(
        s.kind == VISIT_REMINDER or (s.sent_at is not None and s.sent_at >= due) for s in this_start
    )
    if reminded:
        return None, now
    if due > now:
        return None, due
    return VISIT_REMINDER, now


async def visit_cancelled(
    uow: UnitOfWork, visit: Visit, client: Client, now: datetime, fallback_zone: str
) -> bool:
    """Nothing more for this visit; the client told it is off (if the therapist called it
    off). True if the client is told."""
    await withdraw(uow, visit, client, now, fallback_zone)
    if not reachable(client):
        return False
    await _for_client(uow, visit, client, VISIT_CANCELLED, due=now, now=now)
    return True


async def withdraw(
    uow: UnitOfWork, visit: Visit, client: Client, now: datetime, fallback_zone: str
) -> None:
    """The client called it off, or it is settled: nothing more goes out for it, and the
    check-ins no longer end at it."""
    await uow.outbox.cancel_pending(visit_id=visit.id)
    await resume_check_ins(uow, client, now=now, fallback_zone=fallback_zone)


async def _for_client(
    uow: UnitOfWork, visit: Visit, client: Client, kind: str, *, due: datetime, now: datetime
) -> None:
    assert client.telegram_user_id is not None
    await uow.outbox.add(
        Outbox.pending(
            kind,
            chat_id=client.telegram_user_id,
            client_id=client.id,
            day=due.date(),
            due_at=due,
            occurs_at=visit.starts_at,
            now=now,
            visit_id=visit.id,
        )
    )
