"""Queuing and writing the client's weekly note (Sundays, at their reminder time)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from practice.schedules import to_utc
from practice.weekly import next_weekly_day, weekly_note
from reminders.planning import preferences_of, reachable
from storage.models import Client
from storage.repositories import WEEKLY, Outbox
from storage.unit_of_work import UnitOfWork


async def plan_weekly(
    uow: UnitOfWork, client: Client, *, now: datetime, fallback_zone: str
) -> None:
    if not reachable(client) or await uow.outbox.waiting(WEEKLY, client_id=client.id):
        return
    assert client.telegram_user_id is not None
    prefs = preferences_of(client, fallback_zone)
    tz = ZoneInfo(prefs.timezone)
    local = now.astimezone(tz)
    day = next_weekly_day(local.date(), local.time(), prefs.reminder_time)
    due = to_utc(datetime.combine(day, prefs.reminder_time), tz)
    await uow.outbox.add(
        Outbox.pending(
            WEEKLY,
            chat_id=client.telegram_user_id,
            client_id=client.id,
            day=day,
            due_at=due,
            now=now,
        )
    )


async def weekly_text(
    uow: UnitOfWork, client: Client, now: datetime, *, fallback_zone: str
) -> str | None:
    since = now.date() - timedelta(days=6)
    current = await uow.homework.current(client.therapist_id, client.id)
    days = await uow.records.homework_days([h.id for h in current], since=since)
    total = days.adherence()
    # The last seven days' answers ((now - answered).days < 7), read as a range.
    answered = await uow.check_ins.answered_since(client.id, now - timedelta(days=7))
    tz = ZoneInfo(preferences_of(client, fallback_zone).timezone)
    pains = [
        (c.answered_at.astimezone(tz).date(), c.pain)
        for c in answered
        if c.pain is not None and c.answered_at is not None and (now - c.answered_at).days < 7
    ]
    return weekly_note(total, pains)
