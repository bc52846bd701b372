"""Queuing progress check-ins: after each session, then every 3–4 days until the next one
(booked: the last the day before it)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from practice.checkins import checkin_due, next_checkin_day
from practice.visits import OPEN_STATUSES
from reminders.planning import preferences_of, quiet_hours_of, reachable, replan_homework
from reminders.weekly import plan_weekly
from storage.models import CheckIn, Client
from storage.repositories import CHECK_IN, WEEKLY, Outbox
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
    # The series runs until the next booked visit (its last check-in the day before).
    visit = await uow.visits.next_of_client(client.id, now, OPEN_STATUSES)
    visit_day = visit.starts_at.astimezone(tz).date() if visit is not None else None
    if visit_day is not None and visit_day <= session_day:
        visit_day = None
    while (
        day := next_checkin_day(session_day, number, client.check_in_days, visit_day)
    ) is not None:
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
        Outbox.pending(
            CHECK_IN,
            chat_id=client.telegram_user_id,
            client_id=client.id,
            check_in_id=check_in.id,
            day=day,
            due_at=due,
            now=now,
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
    """A new session: the old series stops, a new one starts from this session — unless a
    later session is already documented (this note was written late): its series stands."""
    latest = await uow.notes.latest(client.therapist_id, client.id)
    if latest is not None and latest.session_date > session_day:
        return
    await _new_series(uow, client, note_id, session_day, now, fallback_zone)


async def _new_series(
    uow: UnitOfWork,
    client: Client,
    note_id: int,
    session_day: date,
    now: datetime,
    fallback_zone: str,
) -> None:
    """The pending check-ins stop; the series starts again from this session."""
    await uow.outbox.cancel_pending(client_id=client.id, kind=CHECK_IN)
    await plan_check_in(
        uow,
        client,
        note_id=note_id,
        session_day=session_day,
        number=0,
        now=now,
        fallback_zone=fallback_zone,
    )


async def session_day_amended(
    uow: UnitOfWork,
    client: Client,
    *,
    note_id: int,
    was_latest: bool,
    now: datetime,
    fallback_zone: str,
) -> None:
    """A session's date was corrected (the note is already changed, in this transaction).

    Check-ins follow the latest session: when the amended one is the latest now, or was it
    before (another session is the latest now), the series is planned again from the latest
    session's date — the next check-in is the one that date's rhythm puts after now. Any other
    session's date changes nothing that was scheduled."""
    latest = await uow.notes.latest(client.therapist_id, client.id)
    if latest is None or (latest.id != note_id and not was_latest):
        return
    await _new_series(uow, client, latest.id, latest.session_date, now, fallback_zone)


async def resume_check_ins(
    uow: UnitOfWork, client: Client, *, now: datetime, fallback_zone: str
) -> None:
    """Queue the current series again from where it was (after /resume, the client coming
    back or joining, a new time zone or reminder time)."""
    await uow.outbox.cancel_pending(client_id=client.id, kind=CHECK_IN)
    latest = await uow.notes.latest(client.therapist_id, client.id)
    if latest is None:
        return
    await plan_check_in(
        uow,
        client,
        note_id=latest.id,
        session_day=latest.session_date,
        number=await uow.check_ins.sent_after(latest.id),
        now=now,
        fallback_zone=fallback_zone,
    )


async def replan_client(
    uow: UnitOfWork, client: Client, *, now: datetime, fallback_zone: str
) -> None:
    """Everything the bot will send the client, queued again from now: after a change of
    time zone, reminder time or quiet hours, a pause or /resume, or the client coming back."""
    await replan_homework(uow, client, now=now, fallback_zone=fallback_zone)
    await resume_check_ins(uow, client, now=now, fallback_zone=fallback_zone)
    await uow.outbox.cancel_pending(client_id=client.id, kind=WEEKLY)
    await plan_weekly(uow, client, now=now, fallback_zone=fallback_zone)
