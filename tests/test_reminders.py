"""Homework reminders through the outbox, with the injected clock: weeks pass in seconds."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from demo.offline import OfflineBot
from emulator import BotMessage, Fault, Phone
from practice.clock import FrozenClock
from storage.models import Delivery, HomeworkLog
from tests.chat import new_client_note
from tests.test_invites import ANNA, join

BERLIN = ZoneInfo("Europe/Berlin")
# Monday 19 October 2026, 10:00 UTC: a week before Europe leaves summer time (25 Oct).
START = datetime(2026, 10, 19, 10, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


async def assign(maya: Phone, exercise: str, *answers: str) -> None:
    await maya.send("/homework Anna")
    await maya.tap("Add exercise")
    await maya.tap(exercise)
    await maya.tap("Keep")
    for answer in answers:
        if answer[0].isdigit() and ":" in answer and len(answer) <= 5:
            await maya.send(answer)
        else:
            await maya.tap(answer)
    await maya.tap("Skip ➡️")
    await maya.tap("Save")


async def anna_on_the_bot(running: OfflineBot, maya: Phone) -> Phone:
    await new_client_note(maya, "Anna K.", areas=("Neck", "Lower back"))
    anna = await join(running, maya)
    await anna.tap("Berlin")
    return anna


async def run_until(
    running: OfflineBot,
    clock: FrozenClock,
    end: datetime,
    *,
    kind: str = "🧘",
    on_message: Callable[[BotMessage], Awaitable[None]] | None = None,
) -> list[datetime]:
    """Jump from one due time to the next until `end`, dispatching each; when Anna got a
    message of `kind` (🧘 homework reminders, 📊 check-ins). `on_message` plays Anna's
    answer to each message as it arrives."""
    anna = running.emulator.user(id=ANNA)
    sent_at: list[datetime] = []
    while True:
        wait = await running.dispatcher.next_due_in()
        if wait is None or clock.now() + wait > end:
            clock.set(end)
            return sent_at
        clock.advance(wait)
        before = len(anna.messages)
        await running.dispatch()
        arrived = anna.messages[before:]
        if any(m.text.startswith(kind) for m in arrived):
            sent_at.append(clock.now())
        for message in arrived if on_message is not None else ():
            await on_message(message)


async def test_four_weeks_of_two_exercises_across_the_change_of_time(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    anna = await anna_on_the_bot(running, maya)
    await assign(maya, "Chin tucks", "Every day", "08:00", "4 wk")
    # 22:30 is in Anna's quiet hours (21:00–08:00): it goes out at 08:00 the next morning.
    await assign(maya, "Cat-cow", "Chosen weekdays", "Mon", "Wed", "Fri", "Done ➡️", "22:30", "4 wk")
    first_message = len(anna.messages)
    arrivals: list[tuple[datetime, str]] = []

    async def answer(message: BotMessage) -> None:
        local = clock.now().astimezone(BERLIN)
        arrivals.append((local, message.text))
        # Anna does her chin tucks on even days, skips cat-cow on Saturdays' reminders.
        if "Chin tucks" in message.text and local.day % 2 == 0:
            await anna.tap("Done", message_id=message.message_id)
        if "Cat-cow" in message.text and local.weekday() == 5:
            await anna.tap("Skip that day", message_id=message.message_id)

    await run_until(running, clock, START + timedelta(weeks=4, days=1), on_message=answer)
    chin = [at for at, text in arrivals if "Chin tucks" in text]
    cat = [at for at, text in arrivals if "Cat-cow" in text]
    # Daily for 4 weeks from Monday 19 Oct (to Sunday 15 Nov), assigned after that morning's
    # 08:00: 27 reminders, all at 08:00 Berlin time, before and after the clocks went back
    # (06:00 UTC, then 07:00).
    assert len(chin) == 27
    assert {at.strftime("%H:%M") for at in chin} == {"08:00"}
    assert {at.astimezone(UTC).hour for at in chin} == {6, 7}
    assert chin[0].date() == date(2026, 10, 20)  # assigned after 08:00 on the 19th
    # Mon/Wed/Fri 22:30 falls in quiet hours: it arrives at 08:00 the next morning.
    assert len(cat) == 12
    assert {at.strftime("%H:%M") for at in cat} == {"08:00"}
    assert {at.weekday() for at in cat} == {1, 3, 5}  # Tue, Thu, Sat mornings
    # Each says it is the evening before's, so it is not read as a second one for today.
    assert all(
        "📅 This one is for yesterday, " in text for _, text in arrivals if "Cat-cow" in text
    )
    assert not any("This one is for" in text for _, text in arrivals if "Chin tucks" in text)
    for at, _ in arrivals:
        assert not (at.hour >= 21 or at.hour < 8), at
    assert len([m for m in anna.messages[first_message:] if m.text.startswith("🧘")]) == 39

    async with running.db.unit_of_work() as uow:
        logs = list(await uow.session.scalars(select(HomeworkLog)))
    done = [log for log in logs if log.result == "done"]
    skipped = [log for log in logs if log.result == "skipped"]
    assert len(done) == len([at for at in chin if at.day % 2 == 0])
    # A reminder for Friday's cat–cow arrives on Saturday morning and counts for Friday.
    assert len(skipped) == 4
    assert {log.occurrence_date.weekday() for log in skipped} == {4}


async def test_the_client_is_told_when_reminders_really_come(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    """A time set inside quiet hours says where it goes; the home names the next reminder and
    calls the client's own time what it is (check-ins), not "new homework at 09:00"."""
    anna = await anna_on_the_bot(running, maya)
    await assign(maya, "Cat-cow", "Chosen weekdays", "Mon", "Wed", "Fri", "Done ➡️", "22:30", "4 wk")
    moved = (
        "Mon, Wed, Fri at 22:30 until 15 Nov — inside quiet hours (21:00–08:00), so it comes "
        "at 08:00 the next morning"
    )
    assert moved in anna.last_text  # the homework as it arrives, on her clock alone
    # Maya's confirmation says it too, on both clocks: Anna is in Berlin, Maya in London.
    assert (
        "Mon, Wed, Fri at 22:30 their time (21:30 yours) until 15 Nov — inside quiet hours "
        "(21:00–08:00), so it comes at 08:00 their time (07:00 yours) the next morning"
    ) in " ".join(maya.messages[-1].text.split())
    await anna.send("/homework")
    assert moved in anna.last_text
    await anna.send("/start")
    home = anna.last_text
    assert moved in home
    assert "⏰ Next reminder: Tue 20 Oct, 08:00 — Cat-cow" in home
    assert "check-ins at 09:00" in home and "new homework" not in home
    await assign(maya, "Chin tucks", "Every day", "07:30", "4 wk")
    when = anna.last_text.split("🗓", 1)[1].splitlines()[0]
    assert when.endswith(
        "07:30 until 15 Nov — inside quiet hours (21:00–08:00), so it comes at 08:00"
    )
    await assign(maya, "Pelvic tilts", "Every day", "18:00", "4 wk")
    assert anna.last_text.endswith("🗓 Daily at 18:00 until 15 Nov")  # outside quiet hours: as set
    await anna.send("/settings")
    assert "Check-ins at: 09:00" in anna.last_text
    await anna.send("/help")
    assert "check-in time" in anna.last_text and "/resume — " in anna.last_text


async def test_done_edits_the_reminder_and_counts_once_even_late(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    anna = await anna_on_the_bot(running, maya)
    await assign(maya, "Chin tucks", "Every day", "08:00", "1 wk")
    await run_until(running, clock, datetime(2026, 10, 20, 7, 0, tzinfo=UTC))
    reminder = anna.last_message
    assert reminder is not None
    assert reminder.text.startswith("🧘 Chin tucks — 2 sets of 10, hold each 5 seconds")
    assert reminder.buttons == [["✅ Done", "⏭ Skip today"], ["⏰ In 1 hour"]]
    clock.advance(timedelta(days=1, hours=5))  # a late tap, the next day
    await anna.tap("Done", message_id=reminder.message_id)
    assert anna.message(reminder.message_id).text.endswith("✅ Done — logged")
    assert anna.message(reminder.message_id).buttons == []
    answer = await anna.tap_data(reminder.callback_data[0][0], message_id=reminder.message_id)
    assert answer == "Already logged for that day."
    async with running.db.unit_of_work() as uow:
        [log] = list(await uow.session.scalars(select(HomeworkLog)))
        assert (log.occurrence_date, log.result) == (date(2026, 10, 20), "done")


async def test_later_respects_quiet_hours(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    anna = await anna_on_the_bot(running, maya)
    await assign(maya, "Chin tucks", "Every day", "20:30", "1 wk")
    await run_until(running, clock, datetime(2026, 10, 19, 19, 0, tzinfo=UTC))
    reminder = anna.last_message
    assert reminder is not None and "Chin tucks" in reminder.text
    await anna.tap("In 1 hour", message_id=reminder.message_id)
    # 21:30 would be in quiet hours: it comes back at 08:00 the next morning instead.
    assert "I'll remind you again at 08:00" in anna.message(reminder.message_id).text
    sent = await run_until(running, clock, datetime(2026, 10, 20, 12, 0, tzinfo=UTC))
    assert [at.astimezone(BERLIN).strftime("%d %H:%M") for at in sent] == ["20 08:00"]


async def test_after_downtime_a_late_reminder_is_missed_not_sent(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    anna = await anna_on_the_bot(running, maya)
    await assign(maya, "Chin tucks", "Every day", "08:00", "1 wk")
    before = len(anna.messages)
    clock.set(datetime(2026, 10, 20, 12, 0, tzinfo=UTC))  # 14:00 in Berlin: six hours late
    await running.dispatch()
    assert len(anna.messages) == before
    async with running.db.unit_of_work() as uow:
        rows = list(
            await uow.session.scalars(
                select(Delivery).where(Delivery.kind == "homework").order_by(Delivery.id)
            )
        )
    assert [(r.occurrence_date, r.status) for r in rows] == [
        (date(2026, 10, 20), "missed"),
        (date(2026, 10, 21), "pending"),
    ]


async def test_telegram_failing_while_dispatching(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    anna = await anna_on_the_bot(running, maya)
    await assign(maya, "Chin tucks", "Every day", "08:00", "1 wk")
    emulator = running.emulator
    # 5xx beyond the quick retries: the row waits and goes out on a later tick, once.
    emulator.inject(Fault(method="sendMessage", error_code=502, chat_id=ANNA, times=4))
    before = len(anna.messages)
    await run_until(running, clock, datetime(2026, 10, 20, 6, 0, tzinfo=UTC))
    assert len(anna.messages) == before
    await run_until(running, clock, datetime(2026, 10, 20, 6, 30, tzinfo=UTC))
    assert len(anna.messages) == before + 1
    # 429 with retry_after: waited out, then sent.
    emulator.inject(Fault(method="sendMessage", error_code=429, retry_after=1, chat_id=ANNA))
    await run_until(running, clock, datetime(2026, 10, 21, 6, 30, tzinfo=UTC))
    assert len(anna.messages) == before + 2
    calls = [c for c in emulator.calls_to("sendMessage") if c.params.get("chat_id") == ANNA]
    assert [c.error_code for c in calls[-2:]] == [429, None]
    # 403: Anna blocked the bot. Her reminders stop and Maya is told once.
    emulator.inject(Fault(method="sendMessage", error_code=403, chat_id=ANNA, times=None))
    await run_until(running, clock, datetime(2026, 10, 24, 6, 30, tzinfo=UTC))
    assert sum("Anna K. has blocked the bot" in m.text for m in maya.messages) == 1
    async with running.db.unit_of_work() as uow:
        pending = list(
            await uow.session.scalars(
                select(Delivery).where(Delivery.status == "pending", Delivery.chat_id == ANNA)
            )
        )
    assert pending == []
    emulator.clear_faults()


async def test_pausing_and_ending_stop_the_reminders(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    anna = await anna_on_the_bot(running, maya)
    await assign(maya, "Chin tucks", "Every day", "08:00", "2 wk")
    await maya.send("/homework Anna")
    await maya.tap("⏸ Chin tucks")
    before = len([m for m in anna.messages if m.text.startswith("🧘")])
    await run_until(running, clock, datetime(2026, 10, 23, 12, 0, tzinfo=UTC))
    assert len([m for m in anna.messages if m.text.startswith("🧘")]) == before
    await maya.tap("▶️ Chin tucks")
    sent = await run_until(running, clock, datetime(2026, 10, 25, 12, 0, tzinfo=UTC))
    assert [at.astimezone(BERLIN).strftime("%d %H:%M") for at in sent] == ["24 08:00", "25 08:00"]
    await maya.tap("⏹")
    await maya.tap("Yes, end it")
    assert await run_until(running, clock, datetime(2026, 11, 5, 12, 0, tzinfo=UTC)) == []


async def test_a_forged_reminder_answer_records_nothing(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    anna = await anna_on_the_bot(running, maya)
    await assign(maya, "Chin tucks", "Every day", "08:00", "1 wk")
    await run_until(running, clock, datetime(2026, 10, 20, 7, 0, tzinfo=UTC))
    reminder = anna.last_message
    assert reminder is not None
    eve = running.emulator.user(id=2002, first_name="Eve")
    await eve.send("/start")
    data = reminder.callback_data[0][0]
    # Another person tapping Anna's reminder id (the gate stops a stranger outright) …
    answer = await eve.tap_data(data, message_id=eve.last_message_id)
    assert answer == "This bot serves a practice's therapists and their invited clients."
    # … and Maya, a therapist, gets nothing either.
    await maya.send("/clients")
    assert await maya.tap_data(data, message_id=maya.last_message_id) == (
        "That reminder isn't one of yours."
    )
    for bad in ("rm:999999:d", "rm:x:d", "rm:1:q"):
        await anna.tap_data(bad, message_id=reminder.message_id)
    async with running.db.unit_of_work() as uow:
        assert list(await uow.session.scalars(select(HomeworkLog))) == []


async def test_pause_stop_and_resume(running: OfflineBot, maya: Phone, clock: FrozenClock) -> None:
    anna = await anna_on_the_bot(running, maya)
    await assign(maya, "Chin tucks", "Every day", "08:00", "4 wk")
    await run_until(running, clock, datetime(2026, 10, 20, 7, 0, tzinfo=UTC))
    await anna.send("/pause")
    await anna.tap("1 week")
    assert "Paused until Tue 27 Oct, 08:00" in anna.last_text
    await maya.send("/clients")
    await maya.tap("Anna K.")
    assert "⏸ Paused until Tue 27 Oct" in maya.last_text
    sent = await run_until(running, clock, datetime(2026, 10, 29, 12, 0, tzinfo=UTC))
    assert [at.astimezone(BERLIN).strftime("%d") for at in sent] == ["28", "29"]

    await anna.send("/stop")
    assert "until you send /resume" in anna.last_text
    assert await run_until(running, clock, datetime(2026, 11, 2, 12, 0, tzinfo=UTC)) == []
    await anna.send("/resume")
    assert "start again" in anna.last_text
    sent = await run_until(running, clock, datetime(2026, 11, 3, 12, 0, tzinfo=UTC))
    assert [at.astimezone(BERLIN).strftime("%d %H:%M") for at in sent] == ["03 08:00"]

    await anna.send("/pause")
    await anna.tap("Until a date")
    await anna.send("yesterday")
    assert "I couldn't use that date" in anna.last_text
    await anna.send("5.11")
    # The day she typed is the last day of the pause, and is said so (not "until 6 Nov, 00:00").
    assert anna.last_text.startswith(
        "⏸ Paused to the end of Thu 5 Nov: reminders and check-ins start again on Fri 6 Nov."
    )
    sent = await run_until(running, clock, datetime(2026, 11, 7, 12, 0, tzinfo=UTC))
    assert [at.astimezone(BERLIN).strftime("%d") for at in sent] == ["06", "07"]
    await anna.send("/resume")
    assert "Nothing is paused" in anna.last_text


async def test_adherence_on_the_card_is_exact(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    anna = await anna_on_the_bot(running, maya)
    await assign(maya, "Chin tucks", "Every day", "08:00", "4 wk")
    await assign(maya, "Cat-cow", "Every day", "18:00", "4 wk")
    done = 0

    async def answer(message: BotMessage) -> None:
        nonlocal done
        if "Chin tucks" in message.text and clock.now().astimezone(BERLIN).day not in (21, 23):
            await anna.tap("Done", message_id=message.message_id)
            done += 1

    # Chin tucks 20–26 Oct, cat-cow 19–26 Oct.
    await run_until(running, clock, datetime(2026, 10, 26, 20, 0, tzinfo=UTC), on_message=answer)
    assert done == 5
    # Sunday's weekly note, 09:00 her time: six chin tucks and six cat-cows were due.
    [weekly] = [m.text for m in anna.messages if m.text.startswith("🗓")]
    assert weekly == WEEKLY_NOTE
    await maya.send("/clients")
    await maya.tap("Anna K.")
    card = maya.last_text
    # Under 14 days old, both windows hold the same days: the figure is given once, named.
    assert "• Chin tucks: 5 of 7 days since it was given (71 %)" in card
    assert "• Cat-cow: 0 of 8 days since it was given (0 %)" in card
    assert "• Overall: 5 of 15 days since each was given (33 %)" in card
    assert "⏭ Next: Chin tucks, Tue 27 Oct 08:00 their time (07:00 yours)" in card
    # A week on, nothing more done: the last 14 days and the whole life now differ.
    await run_until(running, clock, datetime(2026, 11, 3, 20, 0, tzinfo=UTC))
    await maya.send("/clients")
    await maya.tap("Anna K.")
    # Each figure names its window.
    assert (
        "• Chin tucks: 4 of 14 days in the last 2 weeks (29 %) · 5 of 15 days since it was "
        "given (33 %)" in maya.last_text
    )


async def test_a_replan_keeps_the_schedule_going(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    anna = await anna_on_the_bot(running, maya)
    await assign(maya, "Chin tucks", "Every day", "08:00", "1 wk")
    await anna.send("/resume")  # nothing paused: a replan all the same
    await anna.send("/settings")
    await anna.tap("Quiet hours")
    await anna.tap("22:00–07:00")
    sent = await run_until(running, clock, datetime(2026, 10, 25, 12, 0, tzinfo=UTC))
    assert [at.astimezone(BERLIN).strftime("%d") for at in sent] == [
        "20",
        "21",
        "22",
        "23",
        "24",
        "25",
    ]


async def test_later_twice_reminds_once_and_unsent_reminders_cannot_be_answered(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    anna = await anna_on_the_bot(running, maya)
    await assign(maya, "Chin tucks", "Every day", "08:00", "1 wk")
    await run_until(running, clock, datetime(2026, 10, 20, 6, 30, tzinfo=UTC))
    reminder = anna.last_message
    assert reminder is not None
    later = reminder.callback_data[1][0]
    await anna.tap_data(later, message_id=reminder.message_id)
    answer = await anna.tap_data(later, message_id=reminder.message_id)
    assert answer == "I'll already remind you again later today."
    sent = await run_until(running, clock, datetime(2026, 10, 20, 12, 0, tzinfo=UTC))
    assert len(sent) == 1
    # The next day's reminder is queued but not sent: answering it is refused.
    async with running.db.unit_of_work() as uow:
        pending = await uow.outbox.upcoming(1, 1, kinds=("homework",))
    answer = await anna.tap_data(f"rm:{pending[0].id}:d", message_id=reminder.message_id)
    assert answer == "That reminder isn't one of yours."


async def test_a_dispatcher_whose_lease_ran_out_leaves_the_row_to_its_new_owner(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    """Two processes (here two dispatchers): the first is slow, its lease expires, the second
    claims and sends; the first's late outcome must not overwrite the second's."""
    from bot.runtime.outbox_cards import OUTBOX_CARDS
    from reminders.dispatcher import Dispatcher

    anna = await anna_on_the_bot(running, maya)
    await assign(maya, "Chin tucks", "Every day", "08:00", "1 wk")
    clock.set(datetime(2026, 10, 20, 6, 0, tzinfo=UTC))
    bot = running.application.bot
    zone = "Europe/London"
    lease = timedelta(seconds=30)
    slow = Dispatcher(running.db, bot, clock, cards=OUTBOX_CARDS, fallback_zone=zone, lease=lease)
    fast = Dispatcher(running.db, bot, clock, cards=OUTBOX_CARDS, fallback_zone=zone, lease=lease)
    running.emulator.inject(Fault(method="sendMessage", delay=1.5, chat_id=ANNA, times=1))
    first = asyncio.create_task(slow.run_once())
    await running.emulator.wait_holding()  # the slow send is in flight (however busy the host)
    clock.advance(timedelta(minutes=1))  # … past its lease
    assert await fast.run_once() >= 1
    await first
    await running.emulator.wait_processed()
    async with running.db.unit_of_work() as uow:
        rows = list(
            await uow.session.scalars(
                select(Delivery).where(Delivery.kind == "homework").order_by(Delivery.id)
            )
        )
    assert [(r.occurrence_date, r.status) for r in rows] == [
        (date(2026, 10, 20), "sent"),
        (date(2026, 10, 21), "pending"),
    ]
    # Both sends reached Anna (the slow one was in flight: the documented duplicate); the
    # row records the new owner's, which arrived first.
    reminders = [m for m in anna.messages if m.text.startswith("🧘 Chin tucks")]
    assert len(reminders) == 2
    assert rows[0].message_id == reminders[0].message_id
    assert slow.stats.sent == 0 and fast.stats.sent == 1


WEEKLY_NOTE = (
    "🗓 This week you did your exercises 4 of the 12 times they were due. "
    "A few minutes on any day still counts."
)


async def test_no_weekly_note_when_there_is_nothing_to_say(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    anna = await anna_on_the_bot(running, maya)
    await run_until(running, clock, datetime(2026, 11, 3, 12, 0, tzinfo=UTC))
    assert not any(m.text.startswith("🗓") for m in anna.messages)


async def test_a_check_in_that_cannot_be_sent_keeps_the_series_going_once(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    """A check-in retried after 5xx leaves one series (no second check-in queued beside it);
    one given up after every retry failed is lost, but the series goes on."""
    anna = await anna_on_the_bot(running, maya)  # Monday 19 Oct: check-ins from 21 Oct

    async def waiting_check_ins() -> int:
        async with running.db.unit_of_work() as uow:
            rows = await uow.session.scalars(
                select(Delivery).where(Delivery.kind == "checkin", Delivery.status == "pending")
            )
            return len(list(rows))

    emulator = running.emulator
    emulator.inject(Fault(method="sendMessage", error_code=502, chat_id=ANNA, times=None))
    await run_until(running, clock, datetime(2026, 10, 21, 7, 10, tzinfo=UTC), kind="📊")
    assert await waiting_check_ins() == 1  # the one being retried, and nothing beside it
    await run_until(running, clock, datetime(2026, 10, 23, 12, 0, tzinfo=UTC), kind="📊")
    async with running.db.unit_of_work() as uow:
        failed = list(
            await uow.session.scalars(
                select(Delivery).where(Delivery.kind == "checkin", Delivery.status == "failed")
            )
        )
    assert [d.last_error for d in failed] == ["gave up after repeated network errors"]
    assert await waiting_check_ins() == 1  # the next of the series
    emulator.clear_faults()
    sent = await run_until(running, clock, datetime(2026, 10, 25, 12, 0, tzinfo=UTC), kind="📊")
    assert len(sent) == 1
    assert "📊" in anna.last_text


async def test_a_snooze_past_midnight_says_which_day_it_is_for(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    anna = await anna_on_the_bot(running, maya)
    await assign(maya, "Chin tucks", "Every day", "08:00", "1 wk")
    await run_until(running, clock, datetime(2026, 10, 20, 7, 0, tzinfo=UTC))
    tuesday = anna.last_message
    assert tuesday is not None and "This one is for" not in tuesday.text
    # Tuesday 21:30 in Berlin: an hour later is in quiet hours, so it comes at 08:00 on
    # Wednesday, beside Wednesday's own reminder.
    clock.set(datetime(2026, 10, 20, 19, 30, tzinfo=UTC))
    await anna.tap("In 1 hour", message_id=tuesday.message_id)
    before = len(anna.messages)
    await run_until(running, clock, datetime(2026, 10, 21, 7, 0, tzinfo=UTC))
    arrived = [m for m in anna.messages[before:] if m.text.startswith("🧘")]
    assert len(arrived) == 2
    late = [m for m in arrived if "This one is for" in m.text]
    assert len(late) == 1
    assert "📅 This one is for yesterday, Tue 20 Oct." in late[0].text
    assert late[0].buttons == [["✅ Done", "⏭ Skip that day"], ["⏰ In 1 hour"]]
    [today] = [m for m in arrived if m is not late[0]]
    assert today.buttons[0][1] == "⏭ Skip today"
    # Answered, the late one still says which day it was for, and counts for that day.
    await anna.tap("Done", message_id=late[0].message_id)
    assert "This one is for yesterday, Tue 20 Oct." in anna.message(late[0].message_id).text
    async with running.db.unit_of_work() as uow:
        [log] = list(await uow.session.scalars(select(HomeworkLog)))
        assert log.occurrence_date == date(2026, 10, 20)
