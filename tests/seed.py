"""Many clients with a reminder due now, written straight into the database (for the tests
that start bot processes and watch them drain the outbox)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from emulator import BotApiEmulator
from storage import Database
from storage.models import Client, HomeworkAssignment, Therapist
from storage.repositories import HOMEWORK, Outbox
from tests.conftest import MAYA


async def seed_due_reminders(
    database_url: str,
    emulator: BotApiEmulator,
    telegram_ids: list[int],
    *,
    now: datetime | None = None,
    late: timedelta = timedelta(minutes=1),
) -> None:
    """One reminder for each client, due `late` before `now` (the system time by default)."""
    db = Database(database_url)
    await db.migrate()
    now = now or datetime.now(UTC)
    try:
        async with db.unit_of_work() as uow:
            uow.session.add(Therapist(id=MAYA, display_name="Maya", created_at=now))
            await uow.session.flush()
            for telegram_id in telegram_ids:
                emulator.user(id=telegram_id, first_name=f"C{telegram_id}", started=True)
                client = Client(
                    therapist_id=MAYA,
                    name=f"Client {telegram_id}",
                    name_key=f"client {telegram_id}",
                    created_at=now,
                    notes_count=0,
                    telegram_user_id=telegram_id,
                    joined_at=now,
                    timezone="UTC",
                    quiet_start=time(0),
                    quiet_end=time(0),
                )
                uow.session.add(client)
                await uow.session.flush()
                assignment = HomeworkAssignment(
                    therapist_id=MAYA,
                    client_id=client.id,
                    exercise_code="chin_tuck",
                    dose="2 × 10",
                    rrule="FREQ=DAILY;INTERVAL=1",
                    start_date=now.date(),
                    end_date=None,
                    time_of_day=time(12),
                    note=None,
                    status="active",
                    created_at=now,
                    updated_at=now,
                )
                uow.session.add(assignment)
                await uow.session.flush()
                due = now - late
                uow.session.add(
                    Outbox.pending(
                        HOMEWORK,
                        chat_id=telegram_id,
                        day=now.date(),
                        due_at=due,
                        now=now,
                        client_id=client.id,
                        assignment_id=assignment.id,
                    )
                )
            await uow.commit()
    finally:
        await db.dispose()
