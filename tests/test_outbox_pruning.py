"""Settled outbox rows are pruned by the daily housekeeping, their homework days kept: the
outbox (and the file) stops growing under a steady load, and no figure a screen shows moves."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import func, select

from bench.busy_practice import MAYA, NOW, generate
from practice.clock import FrozenClock
from reminders.digest import digest_of
from reminders.housekeeping import OUTBOX_KEEP, PACING_KEEP, ChorePolicy, Housekeeping
from reports.gather import client_record
from storage import Database
from storage.models import ChatPacing, Delivery, HomeworkAssignment, HomeworkDueDay, Therapist
from storage.repositories import HOMEWORK, Outbox, insert_clients


def _policy(folder: Path) -> ChorePolicy:
    return ChorePolicy(
        zone="Europe/London",
        backup_time=time(3),
        backups=folder,
        backup_keep=0,
        retention_years=7,
        notice_at=time(8),
    )


async def test_pruning_changes_no_figure_a_screen_shows(database_url: str, tmp_path: Path) -> None:
    made = await generate(database_url, 0.01)
    db = Database(database_url)
    try:

        async def figures() -> object:
            async with db.unit_of_work() as uow:
                ids = {}
                for client_id in (made.typical_client, made.long_client):
                    current = await uow.homework.current(MAYA, client_id)
                    ids[client_id] = [h.id for h in current]
                return (
                    [await uow.records.homework_days(i) for i in ids.values()],
                    [
                        await uow.records.homework_days(i, since=NOW.date() - timedelta(days=13))
                        for i in ids.values()
                    ],
                    await uow.records.homework_totals_by_client(
                        MAYA, since=NOW.date() - timedelta(days=7)
                    ),
                    await digest_of(uow, MAYA, NOW),
                    await client_record(
                        uow, MAYA, made.typical_client, today=NOW.date(), zone="Europe/London"
                    ),
                )

        before = await figures()
        # Long after: every sent row of the generated 28 days is past OUTBOX_KEEP.
        later = FrozenClock(NOW + OUTBOX_KEEP + timedelta(days=1))
        housekeeping = Housekeeping(_policy(tmp_path), db, later)
        assert await housekeeping.prune_outbox()
        async with db.unit_of_work() as uow:
            left = await uow.session.scalar(
                select(func.count()).select_from(Delivery).where(Delivery.status != Outbox.PENDING)
            )
            kept = await uow.session.scalar(select(func.count()).select_from(HomeworkDueDay))
        assert left == 0
        assert kept and kept > 0
        assert await figures() == before
        assert await housekeeping.prune_outbox()  # again: nothing left to do, nothing changes
        assert await figures() == before
    finally:
        await db.dispose()


ASSIGNMENTS = 40


async def test_the_outbox_and_the_file_stop_growing_under_a_steady_load(tmp_path: Path) -> None:
    """90 days of a reminder a day for 40 assignments, pruned daily."""
    path = tmp_path / "steady.db"
    db = Database(f"sqlite+aiosqlite:///{path}")
    await db.migrate()
    start = datetime(2026, 1, 1, 9, tzinfo=UTC)
    async with db.unit_of_work() as uow:
        uow.session.add(Therapist(id=MAYA, display_name="Maya", created_at=start))
        await uow.session.flush()
        for n in range(ASSIGNMENTS):
            [client_id] = await insert_clients(
                uow.session,
                [
                    {
                        "therapist_id": MAYA,
                        "name": f"Client {n}",
                        "created_at": start,
                        "notes_count": 0,
                        "telegram_user_id": 70_000 + n,
                    }
                ],
            )
            uow.session.add(
                HomeworkAssignment(
                    therapist_id=MAYA,
                    client_id=client_id,
                    exercise_code="chin_tuck",
                    dose="2 × 10",
                    rrule="FREQ=DAILY;INTERVAL=1",
                    start_date=start.date(),
                    time_of_day=time(9),
                    status="active",
                    created_at=start,
                    updated_at=start,
                )
            )
        await uow.commit()
    clock = FrozenClock(start)
    housekeeping = Housekeeping(_policy(tmp_path), db, clock)
    rows: dict[int, int] = {}
    size: dict[int, int] = {}
    try:
        for day in range(91):
            now = start + timedelta(days=day)
            clock.set(now)
            async with db.unit_of_work() as uow:
                assignments = list(await uow.session.scalars(select(HomeworkAssignment)))
                for a in assignments:
                    row = Outbox.pending(
                        HOMEWORK,
                        chat_id=70_000,
                        day=now.date(),
                        due_at=now,
                        now=now,
                        client_id=a.client_id,
                        assignment_id=a.id,
                    )
                    row.status, row.sent_at, row.message_id = Outbox.SENT, now, day + 1
                    uow.session.add(row)
                await uow.commit()
            assert await housekeeping.prune_outbox()
            if day % 30 == 0:
                async with db.unit_of_work() as uow:
                    rows[day] = (
                        await uow.session.scalar(select(func.count()).select_from(Delivery)) or 0
                    )
                with sqlite3.connect(path) as conn:
                    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                size[day] = path.stat().st_size
    finally:
        await db.dispose()
    kept = ASSIGNMENTS * (OUTBOX_KEEP.days + 1)
    assert rows == {0: ASSIGNMENTS, 30: ASSIGNMENTS * 31, 60: kept, 90: kept}
    unpruned = size[30] - size[0]  # a month of rows before any was old enough to go
    assert size[90] - size[60] < unpruned / 5, size


async def test_pacing_rows_of_chats_free_for_a_day_are_pruned(
    database_url: str, tmp_path: Path
) -> None:
    """chat_pacing would keep a row for every chat ever sent to: the daily chore deletes the
    rows of chats free for PACING_KEEP, and keeps a held chat's (its lease runs on)."""
    now = datetime(2026, 3, 2, 3, tzinfo=UTC)
    long_free, lately_free, held = 81_001, 81_002, 81_003
    db = Database(database_url)
    await db.migrate()
    try:
        async with db.unit_of_work() as uow:
            uow.session.add_all(
                [
                    ChatPacing(chat_id=long_free, next_at=now - PACING_KEEP - timedelta(hours=1)),
                    ChatPacing(chat_id=lately_free, next_at=now - timedelta(minutes=5)),
                    ChatPacing(chat_id=held, next_at=now + timedelta(minutes=4)),
                ]
            )
            await uow.commit()
        assert await Housekeeping(_policy(tmp_path), db, FrozenClock(now)).prune_outbox()
        async with db.unit_of_work() as uow:
            left = set(await uow.session.scalars(select(ChatPacing.chat_id)))
            # The pruned chat may be sent to at once; the held one still may not.
            taken = await uow.outbox.hold_chats(
                sorted([long_free, held]), now, until=now + timedelta(minutes=5)
            )
        assert left == {lately_free, held}
        assert taken == {long_free}
    finally:
        await db.dispose()
