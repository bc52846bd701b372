"""A client back from /stop: a visit booked while they were silent is told and reminded; one
they were told of before is not told again, only reminded (the outbox knows what was sent);
and the check-ins are planned once however many visits come back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from demo.offline import OfflineBot
from emulator import Phone
from practice.clock import FrozenClock
from storage.models import CheckIn
from tests.chat import new_client_note, skip_intake
from tests.test_invites import join
from tests.test_visits import NEXT_WED, L, anna_on_the_bot, deliver, latest, rows

# NOW (conftest) is Wednesday 25 November 2026, 10:00 in London (UTC); Anna is in Berlin (+1).
ANSWERS = [["✅ I'll be there"], ["🔁 I need another time"], ["✖️ I can't come"]]


def notices(anna: Phone) -> list[str]:
    return [m.text for m in anna.messages if m.text.startswith(("📅 Next visit", "🔁 Your visit"))]


def reminders(anna: Phone) -> list[str]:
    return [m.text for m in anna.messages if m.text.startswith("⏰ Reminder")]


async def book(maya: Phone, when: str) -> None:
    await maya.send("/book Anna")
    await maya.send(when)
    await maya.tap("Save")


async def test_a_visit_booked_during_stop_is_told_and_reminded_after_resume(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    anna = await anna_on_the_bot(running, maya)
    await anna.send("/stop")
    await book(maya, "wed 2.12 10:00")
    assert "Anna K. gets no messages from the bot: tell them yourself." in maya.last_text
    await deliver(running, clock)
    assert notices(anna) == []

    clock.set(datetime(2026, 11, 27, 12, 0, tzinfo=UTC))
    await anna.send("/resume")
    await deliver(running, clock)
    assert notices(anna) == [NEXT_WED]
    assert latest(anna, "Next visit").buttons == [["📆 Add to my calendar"]]  # reminded later

    clock.set(datetime(2026, 12, 1, 10, 0, tzinfo=UTC))
    await deliver(running, clock)
    reminder = latest(anna, "Reminder")
    assert reminder.text.startswith("⏰ Reminder: your visit with Maya is on Wed 2 Dec, 11:00")
    assert reminder.buttons == ANSWERS
    assert len(notices(anna)) == 1 and len(reminders(anna)) == 1
    await anna.tap("I'll be there", message_id=reminder.message_id)
    assert "✅ See you on Wed 2 Dec, 11:00" in anna.last_text


async def test_a_visit_told_before_stop_is_not_told_again_only_reminded(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    anna = await anna_on_the_bot(running, maya)
    await book(maya, "wed 2.12 10:00")
    await deliver(running, clock)
    assert notices(anna) == [NEXT_WED]
    await anna.send("/stop")  # withdraws the reminder queued for 1 Dec
    assert [r.status for r in await rows(running, "visit_remind")] == ["cancelled"]

    clock.set(datetime(2026, 11, 28, 9, 0, tzinfo=UTC))
    await anna.send("/resume")
    await deliver(running, clock)
    assert len(notices(anna)) == 1  # told once, before the stop

    clock.set(datetime(2026, 12, 1, 10, 0, tzinfo=UTC))
    await deliver(running, clock)
    assert len(reminders(anna)) == 1
    assert latest(anna, "Reminder").buttons == ANSWERS
    assert len(notices(anna)) == 1


async def test_a_reminder_whose_time_passed_during_stop_comes_at_resume_and_once(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    anna = await anna_on_the_bot(running, maya)
    await book(maya, "wed 2.12 10:00")
    await deliver(running, clock)
    await anna.send("/stop")
    clock.set(datetime(2026, 12, 1, 18, 0, tzinfo=UTC))  # the reminder was due at 10:00
    await anna.send("/resume")
    await deliver(running, clock)
    assert len(notices(anna)) == 1
    reminder = latest(anna, "Reminder")
    assert reminder.buttons == ANSWERS
    # Sent, it answers for the visit; a second /stop and /resume sends it again no more.
    await anna.send("/stop")
    clock.advance(timedelta(hours=1))
    await anna.send("/resume")
    await deliver(running, clock)
    assert len(notices(anna)) == 1 and len(reminders(anna)) == 1
    await anna.tap("I can't come", message_id=reminder.message_id)
    assert "✖️ Cancelled: your visit" in anna.last_text and "Maya is told." in anna.last_text


async def test_a_visit_moved_during_stop_is_told_as_moved(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    anna = await anna_on_the_bot(running, maya)
    await book(maya, "wed 2.12 10:00")
    await deliver(running, clock)
    await anna.send("/stop")
    await maya.send("/clients")
    await maya.tap("Anna K.")
    await maya.tap("Move")
    await maya.send("thu 3.12 11:00")
    await maya.tap("Save")
    await anna.send("/resume")
    await deliver(running, clock)
    assert notices(anna) == [
        NEXT_WED,
        "🔁 Your visit with Maya is moved: now Thu 3 Dec, 12:00" + L.format("11:00"),
    ]


async def test_joining_with_visits_booked_plans_the_check_ins_once(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    await new_client_note(maya, "Anna K.")
    for when in ("wed 2.12 10:00", "wed 9.12 10:00", "wed 16.12 10:00"):
        await book(maya, when)
    anna = await join(running, maya)
    await anna.tap("Berlin")
    await skip_intake(anna)
    async with running.db.unit_of_work() as uow:
        planned = await uow.session.scalar(select(func.count()).select_from(CheckIn))
    # Joining plans the series once; choosing Berlin re-plans it once more (its new zone).
    assert planned == 2
    await deliver(running, clock)
    assert len(notices(anna)) == 3
