"""The therapist's morning digest: what came in from clients since yesterday, at their local
time, through the outbox like every other message; skipped when there is nothing to say."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from practice.checkins import check_in_summary, is_worsening
from practice.schedules import to_utc
from storage.models import CheckIn, Client
from storage.repositories import DIGEST, Outbox
from storage.unit_of_work import UnitOfWork


async def plan_digest(
    uow: UnitOfWork, therapist_id: int, *, now: datetime, zone: str, at: time
) -> None:
    """The therapist's next digest at `at` their (the practice's) time, unless one waits."""
    # A digest names no client: client_id IS NULL finds it among the therapist's own rows.
    if await uow.outbox.waiting(DIGEST, chat_id=therapist_id, client_id=None):
        return
    tz = ZoneInfo(zone)
    local = now.astimezone(tz)
    day = local.date() if local.time() < at else local.date() + timedelta(days=1)
    due = to_utc(datetime.combine(day, at), tz)
    await uow.outbox.add(Outbox.pending(DIGEST, chat_id=therapist_id, day=day, due_at=due, now=now))


@dataclass(frozen=True)
class Digest:
    """What the morning digest says, section by section (texts.digest fits it into one
    message)."""

    worse: list[str]  # names
    answered: list[str]  # a line per check-in
    silent: list[str]  # names
    homework: list[str]  # a line per client


async def digest_of(uow: UnitOfWork, therapist_id: int, now: datetime) -> Digest | None:
    """The digest, or None when there is nothing worth a message."""
    since = now - timedelta(days=1)
    week = (now - timedelta(days=7)).date()
    # Only clients on the bot have check-ins and homework reminders to report.
    clients = list(
        await uow.session.scalars(
            select(Client).where(
                Client.therapist_id == therapist_id, Client.telegram_user_id.is_not(None)
            )
        )
    )
    answered, worse, silent, homework = [], [], [], []
    for client in clients:
        recent = list(
            await uow.session.scalars(
                select(CheckIn)
                .where(CheckIn.client_id == client.id, CheckIn.sent_at.is_not(None))
                .order_by(CheckIn.sent_at.desc())
                .limit(2)
            )
        )
        baseline: int | None = None
        for check_in in recent:
            if check_in.answered_at is not None and check_in.answered_at >= since:
                if baseline is None:  # read only for a client with something to report
                    first = await uow.notes.first(therapist_id, client.id)
                    baseline = first.pain_before if first is not None else None
                answered.append(f"• {client.name}: {check_in_summary(check_in)}")
                if is_worsening(baseline, check_in.pain, check_in.change):
                    worse.append(client.name)
        if len(recent) == 2 and all(c.answered_at is None for c in recent):
            silent.append(client.name)
        current = await uow.homework.current(therapist_id, client.id)
        days = await uow.records.homework_days([h.id for h in current], since=week)
        total = days.adherence()
        if total.due:
            homework.append(f"• {client.name}: {total.describe()}")
    if not (answered or worse or silent):
        return None  # homework figures alone are for the weekly view, not a morning message
    return Digest(sorted(set(worse)), answered, silent, homework)
