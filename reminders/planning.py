"""Putting the next occurrence of each homework schedule into the outbox.

Called whenever something changes what a client should get: an assignment saved, paused,
resumed or ended; the client's time zone or quiet hours changed; a reminder sent or missed.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from practice.plans import HomeworkStatus
from practice.preferences import Preferences
from practice.reminders import Due, next_due
from practice.schedules import HomeworkSchedule, QuietHours
from storage.models import Client, HomeworkAssignment
from storage.repositories import HOMEWORK, Outbox
from storage.unit_of_work import UnitOfWork


def schedule_of(assignment: HomeworkAssignment) -> HomeworkSchedule:
    return HomeworkSchedule.from_rrule(
        assignment.rrule, assignment.start_date, assignment.time_of_day
    )


def preferences_of(client: Client, fallback_zone: str) -> Preferences:
    return Preferences.of(
        client.timezone,
        client.reminder_time,
        client.quiet_start,
        client.quiet_end,
        fallback_zone=fallback_zone,
    )


def quiet_hours_of(prefs: Preferences) -> QuietHours | None:
    if prefs.quiet_start is None or prefs.quiet_end is None:
        return None
    return QuietHours(prefs.quiet_start, prefs.quiet_end)


def reachable(client: Client) -> bool:
    """On the bot, has not blocked it, and has not asked for silence with /stop (or to be
    forgotten with /forgetme: never written to again)."""
    return (
        client.telegram_user_id is not None
        and client.forgotten_at is None
        and client.unreachable_at is None
        and client.stopped_at is None
    )


def paused_at(client: Client, moment: datetime) -> bool:
    return client.paused_until is not None and client.paused_until > moment


async def plan_next(
    uow: UnitOfWork,
    assignment: HomeworkAssignment,
    client: Client,
    *,
    after: datetime,
    now: datetime,
    fallback_zone: str,
) -> int:
    """The assignment's next reminder after `after`, as one pending outbox row (if any); the
    number of rows queued (0 or 1)."""
    return await plan_next_many(
        uow, [(assignment, client, after)], now=now, fallback_zone=fallback_zone
    )


async def plan_next_many(
    uow: UnitOfWork,
    items: list[tuple[HomeworkAssignment, Client, datetime]],
    *,
    now: datetime,
    fallback_zone: str,
) -> int:
    """The next reminder of each (assignment, client, after): one pending row per schedule;
    the number of rows queued.

    A handful of queries for the whole list, however long: the dispatcher settles a batch
    of sent reminders at once. The rows are inserted without ORM objects (nothing here needs
    them as such).
    """
    items = [(a, c, after) for a, c, after in items if a.status == HomeworkStatus.ACTIVE]
    items = [(a, c, after) for a, c, after in items if reachable(c)]
    if not items:
        return 0
    # The next occurrence of each is on the day of its `after` or later, give or take the
    # client's zone and an occurrence moved past midnight by quiet hours: three days' margin,
    # and nothing older is read.
    since = min(after for _, _, after in items).date() - timedelta(days=3)
    already, sequences = await uow.outbox.planned_so_far([a.id for a, _, _ in items], since)
    planned: list[tuple[HomeworkAssignment, Client, Due]] = []
    for assignment, client, after in items:
        if assignment.id in already:
            continue  # one pending row per schedule, never two
        if paused_at(client, after):
            assert client.paused_until is not None
            after = client.paused_until  # nothing during a pause; the next one after it
        prefs = preferences_of(client, fallback_zone)
        tz = ZoneInfo(prefs.timezone)
        due = next_due(schedule_of(assignment), tz, quiet_hours_of(prefs), after)
        if due is not None:  # None: the schedule is over
            planned.append((assignment, client, due))
            already.add(assignment.id)
    rows = [
        Outbox.pending_values(
            HOMEWORK,
            chat_id=client.telegram_user_id,
            client_id=client.id,
            assignment_id=assignment.id,
            day=due.occurrence_date,
            sequence=sequences.get((assignment.id, due.occurrence_date), -1) + 1,
            occurs_at=due.occurs_at,
            due_at=due.due_at,
            now=now,
        )
        for assignment, client, due in planned
        if client.telegram_user_id is not None
    ]
    await uow.outbox.insert_pending(rows)
    return len(rows)


async def replan_assignment(
    uow: UnitOfWork,
    assignment: HomeworkAssignment,
    client: Client,
    *,
    now: datetime,
    fallback_zone: str,
) -> None:
    """After a change: forget what was queued, queue the next occurrence from now."""
    await uow.outbox.cancel_pending(assignment_id=assignment.id)
    await plan_next(uow, assignment, client, after=now, now=now, fallback_zone=fallback_zone)


async def replan_homework(
    uow: UnitOfWork, client: Client, *, now: datetime, fallback_zone: str
) -> None:
    """Every assignment of the client queued again from now."""
    for assignment in await uow.homework.current(client.therapist_id, client.id):
        await replan_assignment(uow, assignment, client, now=now, fallback_zone=fallback_zone)
