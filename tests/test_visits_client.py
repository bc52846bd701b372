"""A visit as the client reads it: their home says when it is (with whom, and that it is
confirmed), [📆 Add to my calendar] sends it as an .ics in their own zone with nothing clinical
in it; a client on the practice's clock reads one time, and the therapist reads "their time"
only for a client whose clock differs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.shared.visits import for_client, for_therapist
from demo.offline import OfflineBot
from emulator import Phone
from practice.clock import FrozenClock
from tests.chat import new_client_note, skip_intake
from tests.test_invites import join
from tests.test_reminders import assign
from tests.test_visits import NEXT_WED, L, anna_on_the_bot, deliver, events_in, latest

# NOW (conftest) is Wednesday 25 November 2026, 10:00 in London (UTC); Anna is in Berlin (+1).


async def book_next_week(maya: Phone) -> None:
    await maya.send("/book Anna")
    await maya.tap("same time next week")  # Wed 2 Dec, 10:00 in London
    await maya.tap("Save")


async def test_the_home_shows_the_next_visit_and_sends_it_to_her_calendar(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    anna = await anna_on_the_bot(running, maya)
    await anna.send("/start")
    assert "Next visit" not in anna.last_text and anna.buttons == []
    await book_next_week(maya)
    await running.dispatch()
    notice = latest(anna, "Next visit")
    assert notice.text == NEXT_WED

    await anna.send("/start")
    home = anna.last_text
    assert f"You're connected with Maya.\n\n{NEXT_WED}\n\n" in home
    assert anna.buttons == [["📆 Add to my calendar"]]
    await anna.tap("Add to my calendar")
    document = anna.documents[-1]
    assert document.caption == "📆 Your visit with Maya: open the file to add it to your calendar."
    assert document.filename == "Maya — visit 2026-12-02.ics"
    [(title, start, end, _)] = events_in(anna, "Europe/Berlin")
    berlin = ZoneInfo("Europe/Berlin")
    assert title == "Massage with Maya"
    assert start == datetime(2026, 12, 2, 11, 0, tzinfo=berlin)  # her clock
    assert str(start.tzinfo) == "Europe/Berlin"
    assert end - start == timedelta(minutes=60)
    ics = (document.file_bytes or b"").decode()
    # Nothing of her record: the title and the alarm say "Massage with Maya", no more.
    assert ics.count("Massage with Maya") == 2
    for word in ("Anna", "Aftercare:", "pain", "Neck", "DESCRIPTION:Visit"):
        assert word not in ics, word

    # The booking's own notice carries the same button.
    await anna.tap("Add to my calendar", message_id=notice.message_id)
    assert len(anna.documents) == 2

    # Confirmed on the reminder: her home says so.
    clock.set(datetime(2026, 12, 1, 10, 0, tzinfo=UTC))
    await deliver(running, clock)
    await anna.tap("I'll be there", message_id=latest(anna, "Reminder").message_id)
    await anna.send("/start")
    assert f"{NEXT_WED} · ✅ confirmed\n\n" in anna.last_text

    # Past its time, the file is not sent: the visit is no longer ahead.
    clock.set(datetime(2026, 12, 2, 10, 30, tzinfo=UTC))
    data = notice.inline_keyboard[-1][0]["callback_data"]
    answer = await anna.tap_data(data, message_id=notice.message_id)
    assert answer == "That visit is no longer ahead."
    assert len(anna.documents) == 2


async def test_a_client_on_the_practice_clock_reads_one_time_and_so_does_the_therapist(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    await new_client_note(maya, "Anna K.")
    anna = await join(running, maya)
    await anna.tap("London")
    await skip_intake(anna)
    await assign(maya, "Chin tucks", "Every day", "08:00", "4 wk")
    await book_next_week(maya)
    assert "📅 Booked: Anna K., Wed 2 Dec, 10:00 (60 min).\n" in maya.last_text
    await deliver(running, clock)
    assert latest(anna, "Next visit").text == "📅 Next visit with Maya: Wed 2 Dec, 10:00"
    await maya.send("/clients")
    await maya.tap("Anna K.")
    card = maya.last_text
    assert "📅 Next visit: Wed 2 Dec, 10:00 · booked" in card
    # Her homework's next reminder: her time is the practice's, so it is not called "theirs".
    assert "⏭ Next: Chin tucks, Thu 26 Nov 08:00\n" in card
    assert "their time" not in card
    clock.set(datetime(2026, 12, 1, 10, 0, tzinfo=UTC))
    await deliver(running, clock)
    reminder = latest(anna, "Reminder")
    assert (
        reminder.text == "⏰ Reminder: your visit with Maya is on Wed 2 Dec, 10:00. Will you come?"
    )
    await anna.tap("I need another time", message_id=reminder.message_id)
    assert "Type it, e.g." in anna.last_text and "your own time" not in anna.last_text
    assert "🔁 Anna K. needs another time than Wed 2 Dec, 10:00. Their suggestion" in (
        maya.last_text
    )


async def test_a_client_elsewhere_reads_her_time_and_the_practice_s(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    """Anna in Berlin: every visit time she reads is hers, London's named after it."""
    anna = await anna_on_the_bot(running, maya)
    await book_next_week(maya)
    await deliver(running, clock)
    clock.set(datetime(2026, 12, 1, 10, 0, tzinfo=UTC))
    await deliver(running, clock)
    reminder = latest(anna, "Reminder")
    assert reminder.text == (
        "⏰ Reminder: your visit with Maya is on Wed 2 Dec, 11:00" + L.format("10:00") + ". "
        "Will you come?"
    )
    await anna.tap("I need another time", message_id=reminder.message_id)
    assert anna.last_text == (
        "🔁 Your visit on Wed 2 Dec, 11:00" + L.format("10:00") + ": you need another time.\n"
        "When would suit you? Type it in your own time, e.g. “thu 15:00” or “any morning "
        "next week”."
    )


def test_a_day_apart_names_the_other_day_too() -> None:
    """Late in New York is the next morning in London: the other time comes with its day."""
    moment = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
    assert for_client(moment, "America/New_York", "Europe/London", "Maya") == (
        "Tue 1 Dec, 21:00 your time (Wed 2 Dec, 02:00 in London, where Maya is)"
    )
    assert for_therapist(moment, "Europe/London", "America/New_York", 60) == (
        "Wed 2 Dec, 02:00 (60 min; Tue 1 Dec, 21:00 their time)"
    )
    assert for_client(moment, "Europe/London", "Europe/London", "Maya") == "Wed 2 Dec, 02:00"
    assert for_therapist(moment, "Europe/London", "Europe/London") == "Wed 2 Dec, 02:00"
