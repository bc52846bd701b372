"""Issue 14's weeks end to end: four weeks of visits for Anna and Ben, booked from the saved
note; Anna confirms with one tap, Ben moves one visit and misses another; /today on three
days; the check-ins run until each visit; messages both ways, refused after /stop."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from demo.offline import OfflineBot
from emulator import BotMessage, Phone
from practice.clock import FrozenClock
from tests.chat import new_client_note, skip_intake
from tests.test_invites import invite, join
from tests.test_reminders import run_until
from tests.test_visits import NEXT_WED, latest, visits

# NOW (conftest) is Wednesday 25 November 2026, 10:00 in London (UTC); Anna is in Berlin.
BERLIN = ZoneInfo("Europe/Berlin")
BEN = 2003


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A UTC time in December 2026 (London is UTC in winter)."""
    return datetime(2026, 12, day, hour, minute, tzinfo=UTC)


async def note_and_next_week(maya: Phone, client: str) -> None:
    """Maya's note for a client already on file, then 📅 Next visit, same time next week."""
    await maya.send("/note")
    for label in (client, "Done", "Done", "Medium", "5", "2", "Skip to summary", "Save"):
        await maya.tap(label)
    # The saved-note card (a progress note for the client may come after it).
    card = next(m for m in reversed(maya.messages) if "Next visit" in str(m.buttons))
    await book_next_week(maya, card.message_id)


async def book_next_week(maya: Phone, card: int | None = None) -> None:
    """📅 Next visit on the saved-note card: the same time next week, saved."""
    await maya.tap("Next visit", message_id=card)
    await maya.tap("same time next week")
    await maya.tap("Save")
    assert "📅 Booked:" in maya.last_text


async def test_four_weeks_of_visits_for_two_clients(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    # Each joins the bot first (a visit booked before a client links is never told nor
    # reminded to them), then Maya books from the saved-note card.
    await new_client_note(maya, "Anna K.")
    card = maya.last_message_id
    anna = await join(running, maya)
    await anna.tap("Berlin")
    await skip_intake(anna)
    await book_next_week(maya, card)
    # Ben's first session is at 15:00; both are booked from the saved note a week on.
    clock.set(datetime(2026, 11, 25, 15, 0, tzinfo=UTC))
    await new_client_note(maya, "Ben L.")
    card = maya.last_message_id
    token = await invite(maya, "Ben")
    ben = running.emulator.user(id=BEN, first_name="Ben")
    await ben.send(f"/start {token}")
    await ben.tap("I agree")
    await ben.tap("London")
    await skip_intake(ben)
    await book_next_week(maya, card)
    await run_until(running, clock, clock.now() + timedelta(minutes=1))
    assert anna.last_text == NEXT_WED  # Berlin time, and London's
    assert ben.last_text == "📅 Next visit with Maya: Wed 2 Dec, 15:00"  # London: one time

    ahead = timedelta(hours=running.settings.visit_reminder_hours)
    assert [(v.starts_at, v.status) for v in await visits(running)] == [
        (at(2, 10), "booked"),
        (at(2, 15), "booked"),
    ]

    # Anna answers each check-in with one tap per question, and each reminder with ✅.
    check_ins: list[date] = []
    reminded: list[datetime] = []

    async def answer(message: BotMessage) -> None:
        if message.text.startswith("📊"):
            check_ins.append(clock.now().astimezone(BERLIN).date())
            await anna.tap("4", message_id=message.message_id)
            await anna.tap("Better")
            await anna.tap("Skip")
        if "⏰ Reminder" in message.text:
            reminded.append(clock.now())
            told = len(maya.messages)
            await anna.tap("I'll be there", message_id=message.message_id)
            assert anna.last_message_id == message.message_id  # edited in place
            assert "✅ See you on" in anna.last_text
            assert anna.last_message is not None and anna.last_message.buttons == []
            assert len(maya.messages) == told  # a confirmation shows on /today instead

    # Week 1. Tue 1 Dec: Anna's reminder at 10:00 and Ben's at 15:00, a day ahead.
    await run_until(running, clock, at(1, 15) - timedelta(minutes=1), on_message=answer)
    assert reminded == [at(2, 10) - ahead]
    assert not any("Reminder" in m.text for m in ben.messages)
    await run_until(running, clock, at(1, 15), on_message=answer)
    reminder = latest(ben, "Reminder")
    assert "⏰ Reminder: your visit with Maya is on Wed 2 Dec, 15:00" in reminder.text
    await ben.tap("I need another time", message_id=reminder.message_id)
    assert "When would suit you?" in ben.last_text
    assert "🔁 Ben L. needs another time than Wed 2 Dec, 15:00" in maya.last_text
    await ben.send("thu 16:00")
    assert "Sent to Maya ✓" in ben.last_text
    assert "asks to move Wed 2 Dec, 15:00: “thu 16:00”" in maya.last_text
    assert "Read as Thu 3 Dec, 16:00" in maya.last_text
    await maya.tap("Book Thu 3 Dec, 16:00")
    assert "🔁 Moved: Ben L., Thu 3 Dec, 16:00 (60 min)." in maya.last_text
    await run_until(running, clock, at(1, 16), on_message=answer)
    assert ben.last_text == "🔁 Your visit with Maya is moved: now Thu 3 Dec, 16:00"  # London

    # Wed 2 Dec: the day's agenda, then Anna's visit, its note and the next booking.
    await run_until(running, clock, at(2, 8), on_message=answer)
    await maya.send("/today")
    assert maya.last_text.splitlines() == [
        "📅 Today, Wed 2 Dec",
        "Anna K. 10:00 (11:00 their time) ✅ confirmed · pain 4 (was 6)",
    ]
    await run_until(running, clock, at(2, 10, 45), on_message=answer)
    await note_and_next_week(maya, "Anna K.")

    # Thu 3 Dec: Ben's moved visit on the agenda; he comes, and is booked a week on.
    await run_until(running, clock, at(3, 8), on_message=answer)
    await maya.send("/today")
    assert maya.last_text.splitlines() == ["📅 Today, Thu 3 Dec", "Ben L. 16:00 booked"]
    await run_until(running, clock, at(3, 16, 45), on_message=answer)
    await note_and_next_week(maya, "Ben L.")

    # Week 2. Wed 9 Dec: Anna confirmed again.
    await run_until(running, clock, at(9, 8), on_message=answer)
    await maya.send("/today")
    assert maya.last_text.splitlines() == [
        "📅 Today, Wed 9 Dec",
        "Anna K. 10:00 (11:00 their time) ✅ confirmed · pain 4 (was 5)",
    ]
    await run_until(running, clock, at(9, 10, 45), on_message=answer)
    await note_and_next_week(maya, "Anna K.")

    # Thu 10 Dec: Ben does not come; Maya is asked after the visit's time.
    await run_until(running, clock, at(10, 17, 29), on_message=answer)
    assert "How did Ben L.'s visit" not in maya.last_text
    await run_until(running, clock, at(10, 17, 30), on_message=answer)
    assert "How did Ben L.'s visit on Thu 10 Dec, 16:00 go?" in maya.last_text
    await maya.tap("Didn't come")
    assert "Ben L., Thu 10 Dec, 16:00: 🚫 didn't come." in maya.last_text
    assert maya.last_message is not None and maya.last_message.buttons == [["📅 Book again"]]
    await maya.tap("Book again")  # the same choices as on the card
    assert maya.buttons[0] == ["Thu 17 Dec, 16:00 — same time next week"]
    await maya.send("thu 16:00")
    await maya.tap("Save")
    assert "📅 Booked: Ben L., Thu 17 Dec, 16:00 (60 min)." in maya.last_text

    # Weeks 3 and 4.
    await run_until(running, clock, at(16, 10, 45), on_message=answer)
    await note_and_next_week(maya, "Anna K.")
    await run_until(running, clock, at(17, 16, 45), on_message=answer)
    await note_and_next_week(maya, "Ben L.")
    await run_until(running, clock, at(23, 10, 45), on_message=answer)
    await maya.send("/note")
    for label in ("Anna K.", "Done", "Done", "Medium", "5", "2", "Skip to summary", "Save"):
        await maya.tap(label)
    await run_until(running, clock, at(24, 16, 45), on_message=answer)
    await maya.send("/note")
    for label in ("Ben L.", "Done", "Done", "Medium", "5", "2", "Skip to summary", "Save"):
        await maya.tap(label)
    await run_until(running, clock, at(24, 18), on_message=answer)
    # A visit with its note is done without a question: the only one asked, about the
    # no-show, now reads its answer.
    assert not any("How did" in m.text for m in maya.messages)
    assert [(v.client_id, v.starts_at, v.status) for v in await visits(running)] == [
        (1, at(2, 10), "done"),
        (2, at(3, 16), "done"),  # moved from Wed 2 Dec, 15:00
        (1, at(9, 10), "done"),
        (2, at(10, 16), "no_show"),
        (1, at(16, 10), "done"),
        (2, at(17, 16), "done"),
        (1, at(23, 10), "done"),
        (2, at(24, 16), "done"),
    ]
    await maya.send("/clients")
    await maya.tap("Ben L.")
    assert "🚫 Missed visits: 1 no-show (10 Dec)" in maya.last_text

    # Anna confirmed each of her four reminders a day ahead, in place.
    anna_visits = [at(2, 10), at(9, 10), at(16, 10), at(23, 10)]
    assert reminded == [start - ahead for start in anna_visits]
    # Her check-ins, at 09:00 in Berlin: every 3–4 days after a visit, the last the day
    # before the next one, whatever the rhythm would have said; a rhythm day that would make
    # two days running with it is left out (never asked two days in a row).
    assert [d.day for d in check_ins] == [27, 1, 4, 8, 11, 15, 18, 22]
    assert all((b - a).days > 1 for a, b in pairwise(check_ins))
    sessions = [date(2026, 11, 25), *(start.date() for start in anna_visits)]
    for session, visit in pairwise(sessions):
        between = [d for d in check_ins if session < d < visit]
        assert between and between[-1] == visit - timedelta(days=1)

    # Messages both ways, outside any question; refused after /stop.
    await anna.send("My neck is sore today")
    assert anna.last_text == "✓ Sent to Maya."
    await run_until(running, clock, clock.now() + timedelta(minutes=1))
    assert maya.last_text == (
        "💬 Anna K. writes:\n\nMy neck is sore today\n\n↩️ Reply, or swipe this message to reply."
    )
    relayed = maya.last_message_id
    await maya.tap("↩️ Reply", message_id=relayed)
    await maya.send("Try the heat pack tonight")
    assert maya.last_text == "✓ Sent — Anna K. gets it now."
    await run_until(running, clock, clock.now() + timedelta(minutes=1))
    assert anna.last_text == "💬 Maya:\n\nTry the heat pack tonight"
    await anna.send("/stop")
    before = len(anna.messages)
    await maya.tap("↩️ Reply", message_id=relayed)
    assert maya.last_text == (
        "⚠️ Nothing was sent to Anna K.: they stopped messages from the bot with /stop "
        "(until they send /resume)."
    )
    await maya.send("Are you coming next week?", reply_to=relayed)
    assert "Nothing was sent to Anna K.: they stopped messages" in maya.last_text
    await run_until(running, clock, clock.now() + timedelta(minutes=1))
    assert len(anna.messages) == before


async def test_a_visit_booked_before_the_client_joined_is_told_and_reminded_once_they_join(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    # Found by the four-week test: the notice and reminder were planned only for a client
    # already reachable at booking, and nothing planned them when the client joined.
    await new_client_note(maya, "Anna K.")
    await book_next_week(maya)  # Wed 2 Dec, 10:00 UTC; Anna is not on the bot yet
    anna = await join(running, maya)
    await anna.tap("Berlin")
    await skip_intake(anna)
    await running.dispatch()
    assert latest(anna, "📅 Next visit").text == NEXT_WED
    await run_until(running, clock, at(1, 10, 30), kind="⏰")
    reminders = [m for m in anna.messages if "I'll be there" in str(m.buttons)]
    assert len(reminders) == 1  # the reminder, a day before, and only one
    await run_until(running, clock, at(1, 12), kind="⏰")
    assert len([m for m in anna.messages if m.text.startswith("📅 Next visit")]) == 1


async def test_the_card_shows_the_visit_after_the_one_just_noted(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    # Found by the demo: right after Friday's note, Ben's card still named Friday's visit
    # as his next (and offered to move or cancel it), hiding the one booked from the note.
    await new_client_note(maya, "Anna K.")
    await book_next_week(maya)  # Wed 2 Dec, 10:00
    clock.set(at(2, 10, 45))
    await note_and_next_week(maya, "Anna K.")  # Wed 9 Dec, 10:00
    await maya.send("/clients")
    await maya.tap("Anna K.")
    assert "📅 Next visit: Wed 9 Dec, 10:00 · booked" in maya.last_text
    assert "Wed 2 Dec, 10:00" not in maya.last_text


async def test_after_a_no_show_the_rhythm_keeps_the_client_s_usual_time(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    # Found by the demo: asked after a missed 10:00 visit, at 11:30, /book offered "same time
    # next week" at 11:30, counted from the clock rather than from the visit missed.
    await new_client_note(maya, "Anna K.")
    await book_next_week(maya)  # Wed 2 Dec, 10:00
    await run_until(running, clock, at(2, 11, 30))
    await maya.tap("Didn't come")
    await maya.send("/book Anna")
    assert "Wed 9 Dec, 10:00 — same time next week" in maya.all_buttons
