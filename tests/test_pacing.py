"""The dispatcher's pacing: no chat gets two of its messages within a second, however many
send processes share the database; the claim is committed before messages are prepared; new
outbox rows go in in bulk.

The emulator plays Telegram's limits by the test's clock (`flood_clock`), strictly: one
message per second per chat, no burst. A send past it is a 429, counted here."""

from __future__ import annotations

import asyncio
import itertools
from collections import defaultdict
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import event, select, text, update
from sqlalchemy.engine import make_url

from bot.runtime.delivery import ResilientRateLimiter, send_text
from bot.runtime.outbox_cards import OUTBOX_CARDS
from demo.offline import OfflineBot
from emulator import BotApiEmulator
from practice.clock import FrozenClock
from reminders import dispatcher as dispatcher_module
from reminders.dispatcher import Dispatcher
from storage import Database
from storage.models import Client, Delivery, HomeworkAssignment, Therapist
from storage.repositories import HOMEWORK, WEEKLY, Outbox, SendBudget, insert_clients
from tests.conftest import MAYA

FIRST = 70_000


def strict(emulator: BotApiEmulator, clock: FrozenClock) -> None:
    """Telegram's limits by the test's clock, and no burst in a chat."""
    emulator.rate_limits = True
    emulator.rate_limit_chat_burst = 1
    emulator.flood_clock = lambda: clock.now().timestamp()


async def seed(
    running: OfflineBot, clients: int, *, per_client: int = 2, kind: str = HOMEWORK
) -> list[int]:
    """`clients` clients on the bot, each with `per_client` rows due a minute ago (two
    exercises at the same time); their chats."""
    now = running.clock.now()
    chats = list(range(FIRST, FIRST + clients))
    async with running.db.unit_of_work() as uow:
        if await uow.session.get(Therapist, MAYA) is None:
            uow.session.add(Therapist(id=MAYA, display_name="Maya", created_at=now))
            await uow.session.flush()
        ids = await insert_clients(
            uow.session,
            [
                {
                    "therapist_id": MAYA,
                    "name": f"Client {chat}",
                    "created_at": now,
                    "notes_count": 0,
                    "telegram_user_id": chat,
                    "joined_at": now,
                    "timezone": "UTC",
                    "quiet_start": time(0),
                    "quiet_end": time(0),
                }
                for chat in chats
            ],
        )
        chat_of = dict(zip(ids, chats, strict=True))
        assignments = [
            HomeworkAssignment(
                therapist_id=MAYA,
                client_id=client_id,
                exercise_code="chin_tuck",
                dose=f"set {number}",
                rrule="FREQ=DAILY;INTERVAL=1",
                start_date=now.date(),
                end_date=None,
                time_of_day=time(12),
                note=None,
                status="active",
                created_at=now,
                updated_at=now,
            )
            for client_id in ids
            for number in range(per_client)
        ]
        uow.session.add_all(assignments)
        await uow.session.flush()
        await uow.outbox.add_all(
            [
                Outbox.pending(
                    kind,
                    chat_id=chat_of[a.client_id],
                    day=now.date(),
                    due_at=now - timedelta(minutes=1),
                    now=now,
                    client_id=a.client_id,
                    assignment_id=a.id if kind == HOMEWORK else None,
                )
                for a in assignments
            ]
        )
        await uow.commit()
    for chat in chats:
        running.emulator.user(id=chat, first_name=f"C{chat}", started=True)
    return chats


def sends(emulator: BotApiEmulator, chats: list[int]) -> dict[int, int]:
    wanted = set(chats)
    counts: dict[int, int] = defaultdict(int)
    for call in emulator.calls_to("sendMessage"):
        if call.ok and call.params.get("chat_id") in wanted:
            counts[call.params["chat_id"]] += 1
    return counts


def too_many(emulator: BotApiEmulator) -> int:
    return sum(1 for call in emulator.calls_to("sendMessage") if call.error_code == 429)


async def sent_at_by_chat(db: Database) -> dict[int, list[datetime]]:
    async with db.unit_of_work() as uow:
        rows = await uow.session.scalars(
            select(Delivery).where(Delivery.status == Outbox.SENT, Delivery.kind == HOMEWORK)
        )
        times: dict[int, list[datetime]] = defaultdict(list)
        for row in rows:
            assert row.sent_at is not None
            times[row.chat_id].append(row.sent_at)
    return {chat: sorted(at) for chat, at in times.items()}


def closest(times: dict[int, list[datetime]]) -> timedelta:
    """The shortest time between two messages to one chat."""
    gaps = [b - a for at in times.values() for a, b in itertools.pairwise(at)]
    return min(gaps)


async def test_two_exercises_at_the_same_time_arrive_a_second_apart(
    running: OfflineBot, clock: FrozenClock
) -> None:
    chats = await seed(running, 3)
    strict(running.emulator, clock)
    await running.dispatch()
    assert sends(running.emulator, chats) == {chat: 1 for chat in chats}
    # Half a second on, each chat's second exercise still waits…
    clock.advance(timedelta(milliseconds=500))
    await running.dispatch()
    assert sends(running.emulator, chats) == {chat: 1 for chat in chats}
    # … and the dispatcher knows when it may go.
    wait = await running.dispatcher.next_due_in()
    assert wait == timedelta(milliseconds=500)
    clock.advance(wait)
    await running.dispatch()
    assert sends(running.emulator, chats) == {chat: 2 for chat in chats}
    assert too_many(running.emulator) == 0
    assert closest(await sent_at_by_chat(running.db)) >= timedelta(seconds=1)


async def test_three_dispatchers_on_one_database_send_each_row_once_paced(
    running: OfflineBot, clock: FrozenClock, database_url: str
) -> None:
    """Three senders, each with its own connection pool (as three processes have), claiming
    at the same moments in small batches: every row goes once, and no chat gets its two
    messages within a second of each other."""
    chats = await seed(running, 40)
    strict(running.emulator, clock)
    running.emulator.rate_limit_global = 1000.0  # the bot-wide limit is not what is tested
    databases = [Database(database_url) for _ in range(3)]
    senders = [
        Dispatcher(
            db,
            running.application.bot,
            clock,
            cards=OUTBOX_CARDS,
            fallback_zone="UTC",
            batch=8,
            concurrency=4,
        )
        for db in databases
    ]
    try:
        for _ in range(12):
            await asyncio.gather(*(sender.run_until_idle() for sender in senders))
            await running.emulator.wait_processed()
            if sum(sends(running.emulator, chats).values()) == 80:
                break
            clock.advance(timedelta(milliseconds=250))
    finally:
        for db in databases:
            await db.dispose()
    assert sends(running.emulator, chats) == {chat: 2 for chat in chats}
    assert too_many(running.emulator) == 0
    assert sum(sender.stats.sent for sender in senders) == 80
    times = await sent_at_by_chat(running.db)
    assert sorted(times) == chats
    assert closest(times) >= timedelta(seconds=1)


async def test_a_write_does_not_wait_while_the_dispatcher_prepares(
    running: OfflineBot, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The claim is committed before the messages are prepared: a therapist's write (here a
    /cancel of the client's reminders) goes through while a slow weekly note is being built,
    instead of waiting out SQLite's busy timeout or PostgreSQL's row locks."""
    await seed(running, 1, per_client=1, kind=WEEKLY)
    preparing, go = asyncio.Event(), asyncio.Event()

    async def slow_weekly_text(*_args: object, **_kwargs: object) -> str | None:
        preparing.set()
        await go.wait()
        return None  # nothing to say

    monkeypatch.setattr(dispatcher_module, "weekly_text", slow_weekly_text)
    dispatching = asyncio.create_task(running.dispatcher.run_once())
    await asyncio.wait_for(preparing.wait(), 10)
    url = make_url(database_url)
    impatient = Database(
        url.update_query_dict({"timeout": "0.5"}).render_as_string(hide_password=False)
        if url.get_backend_name() == "sqlite"
        else database_url
    )
    try:
        async with impatient.unit_of_work() as uow:
            if url.get_backend_name() == "postgresql":
                await uow.session.execute(text("SET LOCAL lock_timeout = '500ms'"))
            client_id = await uow.session.scalar(select(Client.id))
            await uow.outbox.cancel_pending(client_id=client_id)
            uow.session.add(
                Therapist(id=MAYA + 99, display_name="Leo", created_at=running.clock.now())
            )
            await uow.commit()
    finally:
        go.set()
        await impatient.dispose()
    assert await dispatching == 1
    async with running.db.unit_of_work() as uow:
        statuses = sorted(
            await uow.session.scalars(select(Delivery.status).where(Delivery.kind == WEEKLY))
        )
    assert statuses[0] == Outbox.CANCELLED  # the one prepared: nothing to say


async def test_new_outbox_rows_are_one_insert(running: OfflineBot) -> None:
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith("INSERT INTO deliveries"):
            statements.append(statement)

    now = running.clock.now()
    rows = [
        Outbox.pending("notice:test", chat_id=FIRST + i, day=now.date(), due_at=now, now=now)
        for i in range(50)
    ]
    event.listen(running.db.engine.sync_engine, "before_cursor_execute", record)
    try:
        async with running.db.unit_of_work() as uow:
            await uow.outbox.add_all(rows)
            ids = [row.id for row in rows]
            rows[3].status = Outbox.CANCELLED  # the rows are the session's, as if loaded
            await uow.commit()
    finally:
        event.remove(running.db.engine.sync_engine, "before_cursor_execute", record)
    assert len(statements) == 1
    assert len(set(ids)) == 50
    async with running.db.unit_of_work() as uow:
        stored = await uow.outbox.many(ids)
    assert [stored[i].chat_id for i in ids] == [FIRST + i for i in range(50)]
    assert stored[ids[3]].status == Outbox.CANCELLED


async def test_the_claim_needs_no_sort(running: OfflineBot, database_url: str) -> None:
    """Each claim query is served in order by ix_deliveries_status_due (SQLite's plan shows no
    temporary B-tree for the ORDER BY)."""
    if make_url(database_url).get_backend_name() != "sqlite":
        pytest.skip("the plan checked is SQLite's")
    await seed(running, 20)
    queries: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        if statement.startswith("SELECT") and "FROM deliveries" in statement:
            queries.append((statement, parameters))

    event.listen(running.db.engine.sync_engine, "before_cursor_execute", record)
    try:
        async with running.db.unit_of_work() as uow:
            assert await uow.outbox.claim_due(running.clock.now(), timedelta(minutes=5), 10)
    finally:
        event.remove(running.db.engine.sync_engine, "before_cursor_execute", record)
    assert queries
    async with running.db.engine.connect() as conn:
        for statement, parameters in queries:
            plan = await conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            details = [row[-1] for row in plan]
            assert not any("TEMP B-TREE" in d for d in details), details
            assert any("ix_deliveries_status_due" in d for d in details), details


async def test_paid_broadcasts_are_asked_for_and_counted_apart(
    running: OfflineBot, clock: FrozenClock
) -> None:
    """With paid broadcasts the dispatcher's sends say allow_paid_broadcast, and Telegram
    counts them against the paid limit (1,000/s), not the free 30/s."""
    chats = await seed(running, 40, per_client=1)
    strict(running.emulator, clock)
    paid = Dispatcher(
        running.db,
        running.application.bot,
        clock,
        cards=OUTBOX_CARDS,
        fallback_zone="UTC",
        paid_broadcast=True,
    )
    await paid.run_until_idle()
    await running.emulator.wait_processed()
    assert sends(running.emulator, chats) == {chat: 1 for chat in chats}
    assert too_many(running.emulator) == 0
    calls = [c for c in running.emulator.calls_to("sendMessage") if c.ok]
    # (a form field, as PTB sends it)
    assert {str(c.params.get("allow_paid_broadcast")).lower() for c in calls} == {"true"}
    # The rate paid for is the whole bot's, at most Telegram's 1,000.
    assert (
        ResilientRateLimiter(messages_per_second=5000, paid_broadcast=True).messages_per_second
        == 1000
    )


async def test_three_processes_share_the_bot_wide_rate(
    running: OfflineBot, clock: FrozenClock, database_url: str
) -> None:
    """Three senders on one PostgreSQL database, each with its own pool, claiming at the
    same moments: together they send no faster than the budget (10/s here, a second's worth
    saved up), and they wake when it has room again."""
    if make_url(database_url).get_backend_name() != "postgresql":
        pytest.skip("the shared budget is for several processes on PostgreSQL")
    chats = await seed(running, 40)
    budget = SendBudget(per_second=10.0)
    databases = [Database(database_url) for _ in range(3)]
    senders = [
        Dispatcher(
            db,
            running.application.bot,
            clock,
            cards=OUTBOX_CARDS,
            fallback_zone="UTC",
            batch=50,
            budget=budget,
        )
        for db in databases
    ]
    start = clock.now()
    try:
        for step in range(60):
            await asyncio.gather(*(sender.run_until_idle() for sender in senders))
            await running.emulator.wait_processed()
            total = sum(sends(running.emulator, chats).values())
            elapsed = (clock.now() - start).total_seconds()
            assert total <= budget.per_second * (elapsed + budget.saved.total_seconds())
            if step == 0:
                assert total == 10  # the second saved up, and not one more
                wait = await senders[0].next_due_in()
                assert wait == timedelta(milliseconds=100)  # room for the next one
            if total == 80:
                break
            clock.advance(timedelta(milliseconds=250))
    finally:
        for db in databases:
            await db.dispose()
    assert sends(running.emulator, chats) == {chat: 2 for chat in chats}
    assert too_many(running.emulator) == 0
    # 80 at 10/s with 10 saved up is 7 s; the per-chat second between a chat's two adds a little.
    assert 7.0 <= (clock.now() - start).total_seconds() <= 8.5


async def test_the_next_batch_claimed_while_one_sends_leaves_its_rows_alone(
    running: OfflineBot, clock: FrozenClock
) -> None:
    """Batches overlap: the next is claimed while the last of this one are still queued.
    Here each send takes a second of the clock and the lease is three, so the queued rows'
    leases have run out by the time the next claim comes: it must not take them (nor their
    chats) again. Each row goes once, and the second claim came while the first batch was
    still being sent."""
    chats = await seed(running, 6, per_client=1)
    send = send_text(running.application.bot)
    claims: list[int] = []

    async def slow_send(chat_id: int, text: str, keyboard: Any, paid: bool) -> int:
        clock.advance(timedelta(seconds=1))
        return await send(chat_id, text, keyboard, paid)

    real_claim = Outbox.claim_due

    async def counted_claim(self: Outbox, *args: Any, **kwargs: Any) -> list[Delivery]:
        claims.append(sum(sends(running.emulator, chats).values()))
        return await real_claim(self, *args, **kwargs)

    dispatcher = Dispatcher(
        running.db,
        running.application.bot,
        clock,
        cards=OUTBOX_CARDS,
        fallback_zone="UTC",
        batch=6,
        concurrency=2,
        lease=timedelta(seconds=3),
        send=slow_send,
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Outbox, "claim_due", counted_claim)
        assert await dispatcher.run_until_idle() == 6
    await running.emulator.wait_processed()
    assert sends(running.emulator, chats) == {chat: 1 for chat in chats}
    assert dispatcher.stats.sent == 6
    assert claims[0] == 0 and 0 < claims[1] < 6, claims  # the second during the first batch


async def test_a_settle_records_the_sent_in_one_statement_but_not_a_row_taken_over(
    running: OfflineBot, clock: FrozenClock
) -> None:
    """Homework reminders sent: one UPDATE … RETURNING a settle records them (no row loaded
    and flushed one by one), keyed on the claim's lease. The first one's
    lease is taken over while it is in flight (as another process does once a lease runs out):
    that row stays as the other process holds it, and queues no next occurrence; the two
    others are sent and their next occurrences are queued."""
    chats = await seed(running, 3, per_client=1)
    send = send_text(running.application.bot)
    theirs = clock.now() + timedelta(hours=1)

    async def send_and_lose_the_first(chat_id: int, text: str, keyboard: Any, paid: bool) -> int:
        if chat_id == chats[0]:
            async with running.db.unit_of_work() as uow:
                await uow.session.execute(
                    update(Delivery).where(Delivery.chat_id == chat_id).values(lease_until=theirs)
                )
                await uow.commit()
        return await send(chat_id, text, keyboard, paid)

    recorded: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith("UPDATE deliveries") and "sent_at" in statement:
            recorded.append(statement)

    dispatcher = Dispatcher(
        running.db,
        running.application.bot,
        clock,
        cards=OUTBOX_CARDS,
        fallback_zone="UTC",
        concurrency=8,
        send=send_and_lose_the_first,
    )
    event.listen(running.db.engine.sync_engine, "before_cursor_execute", record)
    try:
        assert await dispatcher.run_until_idle() == 3
    finally:
        event.remove(running.db.engine.sync_engine, "before_cursor_execute", record)
    # Each settle (one or two, as the answers come) one statement for all its rows.
    assert recorded and all("RETURNING" in statement for statement in recorded), recorded
    assert dispatcher.stats.sent == 2
    async with running.db.unit_of_work() as uow:
        rows = list(await uow.session.scalars(select(Delivery).order_by(Delivery.id)))
    by_chat: dict[int, list[tuple[str, datetime | None]]] = defaultdict(list)
    for row in rows:
        by_chat[row.chat_id].append((row.status, row.lease_until))
    assert by_chat[chats[0]] == [(Outbox.SENDING, theirs)]
    for chat in chats[1:]:
        assert by_chat[chat] == [(Outbox.SENT, None), (Outbox.PENDING, None)]
