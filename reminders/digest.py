"""The therapist's morning digest: what came in from clients since yesterday, at their local
time, through the outbox like every other message; skipped when there is nothing to say."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from practice.checkins import check_in_summary, is_worsening
from practice.schedules import to_utc
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
    """The digest, or None when there is nothing worth a message.

    A few queries for the whole practice, not a few per client: each client's last two
    check-ins, the first session's pain of those who answered, and the week's homework done
    and due of every current assignment, counted in SQL."""
    since = now - timedelta(days=1)
    week = (now - timedelta(days=7)).date()
    # Only clients on the bot have check-ins and homework reminders to report.
    clients = await uow.clients.on_the_bot(therapist_id)
    latest = await uow.check_ins.last_two(therapist_id)
    news = [
        client_id
        for client_id, recent in latest.items()
        if any(c.answered_at is not None and c.answered_at >= since for c in recent)
    ]
    baselines = await uow.notes.first_pains(therapist_id, news)
    totals = await uow.records.homework_totals_by_client(therapist_id, since=week)
    answered, worse, silent, homework = [], [], [], []
    for client_id, name in clients:
        recent = latest.get(client_id, [])
        for check_in in recent:
            if check_in.answered_at is not None and check_in.answered_at >= since:
                answered.append(f"• {name}: {check_in_summary(check_in)}")
                if is_worsening(baselines.get(client_id), check_in.pain, check_in.change):
                    worse.append(name)
        if len(recent) == 2 and all(c.answered_at is None for c in recent):
            silent.append(name)
        total = totals.get(client_id)
        if total is not None and total.due:
            homework.append(f"• {name}: {total.describe()}")
    if not (answered or worse or silent):
        return None  # homework figures alone are for the weekly view, not a morning message
    return Digest(sorted(set(worse)), answered, silent, homework)
