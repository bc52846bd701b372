"""Data written straight into the database: many clients with a reminder due now (for the
tests that start bot processes and watch them drain the outbox), and the long histories of
a busy practice (for the tests that messages built from growing lists stay bounded)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from emulator import BotApiEmulator
from storage import Database
from storage.models import (
    CheckIn,
    Client,
    HomeworkAssignment,
    Provider,
    Referral,
    SessionNote,
    Therapist,
    TreatmentPlan,
)
from storage.repositories import HOMEWORK, Outbox, insert_clients
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
                [client_id] = await insert_clients(
                    uow.session,
                    [
                        {
                            "therapist_id": MAYA,
                            "name": f"Client {telegram_id}",
                            "created_at": now,
                            "notes_count": 0,
                            "telegram_user_id": telegram_id,
                            "joined_at": now,
                            "timezone": "UTC",
                            "quiet_start": time(0),
                            "quiet_end": time(0),
                        }
                    ],
                )
                assignment = HomeworkAssignment(
                    therapist_id=MAYA,
                    client_id=client_id,
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
                        client_id=client_id,
                        assignment_id=assignment.id,
                    )
                )
            await uow.commit()
    finally:
        await db.dispose()


async def seed_clients_on_the_bot(
    db: Database, therapist_id: int, count: int, now: datetime, *, first_telegram_id: int = 50_000
) -> list[int]:
    """`count` clients of the therapist (who must exist) who joined by invite; their ids."""
    async with db.unit_of_work() as uow:
        ids = await insert_clients(
            uow.session,
            [
                {
                    "therapist_id": therapist_id,
                    "name": f"Client {number:03d} Longname",
                    "created_at": now,
                    "notes_count": 0,
                    "telegram_user_id": first_telegram_id + number,
                    "joined_at": now,
                    "timezone": "Europe/London",
                }
                for number in range(count)
            ],
        )
        await uow.commit()
    return ids


async def seed_answered_check_ins(
    db: Database, therapist_id: int, client_ids: list[int], answered_at: datetime
) -> None:
    """A check-in per client, sent an hour before `answered_at` and answered then."""
    async with db.unit_of_work() as uow:
        uow.session.add_all(
            CheckIn(
                therapist_id=therapist_id,
                client_id=client_id,
                number=0,
                sent_at=answered_at - timedelta(hours=1),
                answered_at=answered_at,
                pain=5,
                change=-1,
                activity=4,
            )
            for client_id in client_ids
        )
        await uow.commit()


async def seed_weekly_history(
    db: Database, therapist_id: int, client_id: int, weeks: int, end: datetime
) -> None:
    """A session a week for `weeks` weeks before `end`, each followed by two answered
    check-ins with a comment (numbered after the client's notes so far)."""
    async with db.unit_of_work() as uow:
        client = await uow.session.get(Client, client_id)
        assert client is not None
        for week in range(weeks):
            day = end - timedelta(weeks=weeks - week)
            note = SessionNote(
                therapist_id=therapist_id,
                client_id=client_id,
                number=client.notes_count + week + 1,
                session_date=day.date(),
                areas=["neck"],
                techniques=["swedish"],
                pressure="medium",
                pain_before=6,
                pain_after=3,
                draft_token=f"seed-{client_id}-{week}",
                created_at=day,
            )
            uow.session.add(note)
            await uow.session.flush()
            for number, after in enumerate((timedelta(days=2), timedelta(days=5))):
                uow.session.add(
                    CheckIn(
                        therapist_id=therapist_id,
                        client_id=client_id,
                        after_note_id=note.id,
                        number=number,
                        sent_at=day + after,
                        answered_at=day + after + timedelta(hours=1),
                        closed_at=day + after + timedelta(days=3),
                        pain=4,
                        change=1,
                        activity=6,
                        comment="Stiff in the morning, better after the stretches",
                    )
                )
        client.notes_count += weeks
        await uow.commit()


async def seed_referrals(
    db: Database, therapist_id: int, client_id: int, count: int, end: datetime
) -> None:
    """`count` referrals of the client to a provider with a long name, a week apart up to
    `end`, answered and followed up."""
    async with db.unit_of_work() as uow:
        provider = Provider(
            therapist_id=therapist_id,
            name="Dr Alexandra Montgomery-Whitfield",
            profession="physio",
            created_at=end,
        )
        uow.session.add(provider)
        await uow.session.flush()
        uow.session.add_all(
            Referral(
                therapist_id=therapist_id,
                client_id=client_id,
                provider_id=provider.id,
                profession="physio",
                reason="typed",
                reason_text=f"Referral number {number}",
                consent="given",
                consent_answered_at=end - timedelta(weeks=count - number),
                outcome="seen",
                created_at=end - timedelta(weeks=count - number),
            )
            for number in range(count)
        )
        await uow.commit()


async def seed_plan_versions(
    db: Database, therapist_id: int, client_id: int, count: int, end: datetime
) -> None:
    """`count` versions of the client's plan, a week apart up to `end`, each with a long goal."""
    async with db.unit_of_work() as uow:
        uow.session.add_all(
            TreatmentPlan(
                therapist_id=therapist_id,
                client_id=client_id,
                version=number + 1,
                complaint="Neck pain when working at the desk",
                area="neck",
                goal=f"Version {number + 1}: "
                + "turn my head to check the mirror while driving " * 3,
                expected_sessions=6,
                visit_frequency="weekly",
                reevaluate_after=4,
                start_date=(end - timedelta(weeks=count - number)).date(),
                created_at=end - timedelta(weeks=count - number),
            )
            for number in range(count)
        )
        await uow.commit()


async def seed_providers(db: Database, therapist_id: int, count: int, now: datetime) -> None:
    """`count` providers in the therapist's network, each with a long name and clinic."""
    async with db.unit_of_work() as uow:
        uow.session.add_all(
            Provider(
                therapist_id=therapist_id,
                name=f"Dr Alexandra Montgomery-Whitfield {number:02d}",
                profession="physio",
                clinic="Riverside Sports Medicine and Rehabilitation Centre, Upper Floor",
                created_at=now,
            )
            for number in range(count)
        )
        await uow.commit()


async def seed_assignments(
    db: Database, therapist_id: int, client_id: int, count: int, now: datetime
) -> None:
    """`count` active homework assignments of the client (none queued in the outbox)."""
    async with db.unit_of_work() as uow:
        uow.session.add_all(
            HomeworkAssignment(
                therapist_id=therapist_id,
                client_id=client_id,
                exercise_code="chin_tuck",
                dose=f"Set {number}: 2 × 10, hold 5 s, slowly and with full control",
                rrule="FREQ=WEEKLY;BYDAY=MO,WE,FR",
                start_date=now.date(),
                end_date=None,
                time_of_day=time(12),
                note=None,
                status="active",
                created_at=now,
                updated_at=now,
            )
            for number in range(count)
        )
        await uow.commit()
