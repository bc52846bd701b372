"""The digest's homework figures, counted in SQL, are those every other screen cuts from the
homework days (practice.adherence): a day reminded twice, a day compacted from the outbox and
an answer to no reminder included."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bench.busy_practice import MAYA, NOW, generate
from practice.adherence import Adherence
from practice.plans import HomeworkStatus
from storage import Database
from storage.models import Delivery, HomeworkAssignment, HomeworkDueDay, HomeworkLog
from storage.repositories import HOMEWORK, Outbox


async def test_totals_in_sql_match_the_homework_days(database_url: str) -> None:
    await generate(database_url, 0.01)
    db = Database(database_url)
    since = NOW.date() - timedelta(days=7)
    try:
        async with db.unit_of_work() as uow:
            sent = (
                await uow.session.scalars(
                    select(Delivery)
                    .where(Delivery.kind == HOMEWORK, Delivery.status == Outbox.SENT)
                    .where(Delivery.occurrence_date >= since)
                    .order_by(Delivery.id)
                    .limit(3)
                )
            ).all()
            first, second, third = sent
            # The same day reminded again (a re-planned row), and missed once more.
            for step, status in ((1, Outbox.SENT), (2, Outbox.MISSED)):
                again = Outbox.pending(
                    HOMEWORK,
                    chat_id=first.chat_id,
                    client_id=first.client_id,
                    assignment_id=first.assignment_id,
                    day=first.occurrence_date,
                    sequence=first.sequence + step,
                    due_at=first.due_at,
                    now=NOW,
                )
                again.status = status
                uow.session.add(again)
            # A day both in the outbox and compacted, one compacted only, and an answer to a
            # day that was never due.
            assert second.assignment_id is not None and second.occurrence_date is not None
            uow.session.add(
                HomeworkDueDay(
                    assignment_id=second.assignment_id, occurrence_date=second.occurrence_date
                )
            )
            assert third.assignment_id is not None
            uow.session.add(
                HomeworkDueDay(assignment_id=third.assignment_id, occurrence_date=since)
            )
            uow.session.add(
                HomeworkLog(
                    assignment_id=third.assignment_id,
                    occurrence_date=since + timedelta(days=30),
                    result="done",
                    logged_at=NOW,
                )
            )
            await uow.commit()
        async with db.unit_of_work() as uow:
            current = await uow.session.execute(
                select(HomeworkAssignment.id, HomeworkAssignment.client_id).where(
                    HomeworkAssignment.therapist_id == MAYA,
                    HomeworkAssignment.status != HomeworkStatus.ENDED,
                )
            )
            by_client: dict[int, list[int]] = {}
            for assignment_id, client_id in current:
                by_client.setdefault(client_id, []).append(assignment_id)
            expected = {}
            for client_id, ids in by_client.items():
                days = await uow.records.homework_days(ids, since=since)
                total = days.adherence()
                if total.due:
                    expected[client_id] = total
            totals = await uow.records.homework_totals_by_client(MAYA, since=since)
            assert totals == expected
            assert sum(t.due for t in totals.values()) > 50
            assert any(t.done for t in totals.values())
            assert all(isinstance(t, Adherence) for t in totals.values())
    finally:
        await db.dispose()
