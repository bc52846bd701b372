"""Queuing progress check-ins: after each session, then every 3–4 days until the next one."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from practice.checkins import checkin_due, next_checkin_day
from reminders.planning import preferences_of, quiet_hours_of, reachable
from storage.models import CheckIn, Client, Delivery
from storage.repositories import Outbox
from storage.unit_of_work import UnitOfWork


async def plan_check_in(
    uow: UnitOfWork,
    client: Client,
    *,
    note_id: int | None,
    session_day: date,
    number: int,
    now: datetime,
    fallback_zone: str,
) -> CheckIn | None:
    """Queue check-in `number` of the series after the session on `session_day`.

    Days already past (the note was written late) are skipped; None when the series is over.
    """
    if not reachable(client):
        return None
    assert client.telegram_user_id is not None
    prefs = preferences_of(client, fallback_zone)
    tz = ZoneInfo(prefs.timezone)
    while (day := next_checkin_day(session_day, number)) is not None:
        due = checkin_due(day, prefs.reminder_time, tz, quiet_hours_of(prefs))
        if due > now:
            break
        number += 1
    else:
        return None
    check_in = await uow.check_ins.add(
        CheckIn(
            therapist_id=client.therapist_id,
            client_id=client.id,
            after_note_id=note_id,
            number=number,
        )
    )
    await uow.outbox.add(
        Delivery(
            kind="checkin",
            client_id=client.id,
            chat_id=client.telegram_user_id,
            check_in_id=check_in.id,
            occurrence_date=day,
            sequence=0,
            occurs_at=due,
            due_at=due,
            status=Outbox.PENDING,
            attempts=0,
            created_at=now,
        )
    )
    return check_in


async def restart_check_ins(
    uow: UnitOfWork,
    client: Client,
    *,
    note_id: int,
    session_day: date,
    now: datetime,
    fallback_zone: str,
) -> None:
    """A new session: the old series stops, a new one starts from this session."""
    await uow.outbox.cancel_pending(client_id=client.id, kind="checkin")
    await plan_check_in(
        uow,
        client,
        note_id=note_id,
        session_day=session_day,
        number=0,
        now=now,
        fallback_zone=fallback_zone,
    )
