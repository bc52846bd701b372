"""Visits end to end: booked from the note, the card and /book; the client told in their own
zone and reminded, answering with one tap; moves, cancellations, the question after."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar
from sqlalchemy import select

from demo.offline import OfflineBot
from emulator import Phone
from emulator.models import BotMessage
from practice.clock import FrozenClock
from reports.wording import missed_visits_line
from storage.models import Delivery, Visit
from tests.chat import new_client_note, skip_intake
from tests.test_invites import join
from tests.test_reminders import assign
from tests.test_reports import pdf_text

# NOW (conftest) is Wednesday 25 November 2026, 10:00 in London (UTC); Anna is in Berlin (+1).
# Her times are hers, London's named after them; Maya reads London's, Anna's after them.
L = " your time ({} in London, where Maya is)"
NEXT_WED = "📅 Next visit with Maya: Wed 2 Dec, 11:00" + L.format("10:00")


async def anna_on_the_bot(running: OfflineBot, maya: Phone) -> Phone:
    await new_client_note(maya, "Anna K.")
    anna = await join(running, maya)
    await anna.tap("Berlin")
    await skip_intake(anna)  # its questions would take her typed words and hold buttons
    return anna


async def visits(running: OfflineBot) -> list[Visit]:
    async with running.db.unit_of_work() as uow:
        return list(await uow.session.scalars(select(Visit).order_by(Visit.id)))


async def deliver(running: OfflineBot, clock: FrozenClock, rounds: int = 4) -> None:
    """Send what is due, a few seconds on for each chat's next message (one a second)."""
    for _ in range(rounds):
        await running.dispatch()
        clock.advance(timedelta(seconds=2))


def latest(phone: Phone, words: str) -> BotMessage:
    """The newest message holding `words` (check-ins come between)."""
    return next(m for m in reversed(phone.messages) if words in m.text)


async def rows(running: OfflineBot, kind: str) -> list[Delivery]:
    async with running.db.unit_of_work() as uow:
        return list(
            await uow.session.scalars(
                select(Delivery).where(Delivery.kind == kind).order_by(Delivery.id)
            )
        )


async def test_booked_with_one_tap_told_and_reminded_in_the_clients_zone(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    anna = await anna_on_the_bot(running, maya)
    await maya.send("/book Anna")
    assert "When?" in maya.last_text
    assert maya.buttons[0] == ["Wed 2 Dec, 10:00 — same time next week"]
    assert maya.buttons[1] == ["Wed 9 Dec, 10:00 — in two weeks, same time"]
    await maya.tap("same time next week")
    assert "When: Wed 2 Dec, 10:00 (60 min; 11:00 their time)" in maya.last_text
    await maya.tap("Save")
    assert "📅 Booked: Anna K., Wed 2 Dec, 10:00 (60 min; 11:00 their time)." in maya.last_text
    assert "told in the bot" in maya.last_text

    await running.dispatch()
    assert anna.last_text == NEXT_WED  # Berlin time, and London's
    assert anna.buttons == [["📆 Add to my calendar"]]  # the reminder asks, a day before
    [visit] = await visits(running)
    assert visit.starts_at == datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
    assert (visit.minutes, visit.status) == (60, "booked")

    # The reminder 24 hours before, with three answers.
    clock.set(datetime(2026, 12, 1, 9, 59, tzinfo=UTC))
    await running.dispatch()
    assert "Reminder" not in anna.last_text
    clock.set(datetime(2026, 12, 1, 10, 0, tzinfo=UTC))
    await running.dispatch()
    reminder = latest(anna, "Reminder")
    assert "⏰ Reminder: your visit with Maya is on Wed 2 Dec, 11:00" in reminder.text
    assert reminder.buttons == [
        ["✅ I'll be there"],
        ["🔁 I need another time"],
        ["✖️ I can't come"],
    ]
    told = len(maya.messages)
    await anna.tap("I'll be there", message_id=reminder.message_id)
    assert anna.last_message_id == reminder.message_id  # edited in place
    assert "✅ See you on Wed 2 Dec, 11:00" in anna.last_text
    assert anna.last_message is not None and anna.last_message.buttons == []
    assert len(maya.messages) == told  # a confirmation is not a message to the therapist
    assert (await visits(running))[0].status == "confirmed"

    await maya.send("/clients")
    await maya.tap("Anna K.")
    assert "📅 Next visit: Wed 2 Dec, 10:00 (11:00 their time) · ✅ confirmed" in maya.last_text


async def test_an_overlap_is_pointed_out_and_kept_only_when_saved(
    running: OfflineBot, maya: Phone
) -> None:
    await new_client_note(maya, "Ben L.")
    await maya.tap("Next visit")
    await maya.send("tue 14:00")
    await maya.tap("Save")
    await new_client_note(maya, "Anna K.")
    assert "Next visit" in str(maya.buttons)
    await maya.tap("Next visit")
    await maya.send("in the afternoon")
    assert "I can't read that as a day and a time" in maya.last_text
    await maya.send("tuesday 9:00 2025")
    assert "That time has passed" in maya.last_text
    await maya.send("tue 14:30")
    summary = maya.last_text
    assert "Tue 1 Dec, 14:30 (60 min)" in summary  # Ben L. is not on the bot: London time
    assert "⚠️ Overlaps Ben L.'s visit (14:00–15:00)" in summary
    await maya.tap("Back")  # pick another
    await maya.send("tue 15:00")
    assert "Overlaps" not in maya.last_text  # end to start is no overlap
    await maya.tap("Save")
    assert [v.starts_at.hour for v in await visits(running)] == [14, 15]


async def test_another_time_is_relayed_and_booked_with_one_tap(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    anna = await anna_on_the_bot(running, maya)
    await maya.send("/book Anna")
    await maya.send("mon 30.11 9:00")
    await maya.tap("Save")
    await running.dispatch()
    clock.set(datetime(2026, 11, 29, 9, 0, tzinfo=UTC))
    await deliver(running, clock)
    reminder = latest(anna, "Reminder")
    await anna.tap("I need another time", message_id=reminder.message_id)
    assert "When would suit you?" in anna.last_text
    assert "🔁 Anna K. needs another time than Mon 30 Nov, 09:00 (10:00 their time)" in (
        maya.last_text
    )
    # What Anna types now answers that question (not the bot's fallback for free text).
    await anna.send("thu 15:00")
    assert "Sent to Maya ✓" in anna.last_text
    relayed = maya.last_text
    assert "asks to move Mon 30 Nov, 09:00 (10:00 their time): “thu 15:00”" in relayed
    assert "Read as Thu 3 Dec, 14:00 (15:00 their time)" in relayed  # as she meant it
    await maya.tap("Book Thu 3 Dec, 14:00")
    assert "🔁 Moved: Anna K., Thu 3 Dec, 14:00 (60 min; 15:00 their time)." in maya.last_text
    [visit] = await visits(running)
    assert (visit.starts_at, visit.status) == (datetime(2026, 12, 3, 14, 0, tzinfo=UTC), "booked")
    # The old reminder's buttons no longer answer for the visit.
    assert (
        await anna.tap_data(f"vr:{visit.id}:y")
        == "That visit has changed since: see the newer message."
    )
    await deliver(running, clock)
    assert anna.last_text == (
        "🔁 Your visit with Maya is moved: now Thu 3 Dec, 15:00" + L.format("14:00")
    )
    # The reminder for the old start was sent; the new one waits for its own time.
    reminders = await rows(running, "visit_remind")
    assert [(r.status, r.occurs_at.day) for r in reminders] == [("sent", 30), ("pending", 3)]
    assert reminders[1].due_at == datetime(2026, 12, 2, 14, 0, tzinfo=UTC)


async def test_a_booking_inside_the_reminders_window_asks_on_its_notice(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    """No reminder follows a booking 23 hours ahead: the notice carries the three answers, so
    a client who cannot come still tells the therapist."""
    anna = await anna_on_the_bot(running, maya)
    await maya.send("/book Anna")
    await maya.send("thu 9:00")
    await maya.tap("Save")
    await running.dispatch()
    notice = latest(anna, "Next visit")
    assert notice.text == "📅 Next visit with Maya: Thu 26 Nov, 10:00" + L.format("09:00")
    assert notice.buttons == [
        ["✅ I'll be there"],
        ["🔁 I need another time"],
        ["✖️ I can't come"],
        ["📆 Add to my calendar"],
    ]
    assert await rows(running, "visit_remind") == []
    clock.advance(timedelta(hours=2))
    await anna.tap("I can't come", message_id=notice.message_id)
    assert anna.last_message_id == notice.message_id  # edited in place
    assert "Maya is told." in anna.last_text and "✖️ Cancelled: your visit" in anna.last_text
    assert "✖️ Anna K. can't come on Thu 26 Nov, 09:00 (10:00 their time)" in maya.last_text
    assert (await visits(running))[0].status == "cancel_client"


async def test_i_cant_come_cancels_tells_the_therapist_and_withdraws_the_rest(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    anna = await anna_on_the_bot(running, maya)
    await maya.send("/book Anna")
    await maya.send("fri 16:00")
    await maya.tap("Save")
    await running.dispatch()
    clock.set(datetime(2026, 11, 26, 16, 0, tzinfo=UTC))
    await deliver(running, clock)
    await anna.tap("I can't come", message_id=latest(anna, "Reminder").message_id)
    assert "Maya is told." in anna.last_text and "✖️ Cancelled: your visit" in anna.last_text
    assert "✖️ Anna K. can't come on Fri 27 Nov, 16:00 (17:00 their time)" in maya.last_text
    assert maya.buttons == [["👤 Anna K."]]
    assert (await visits(running))[0].status == "cancel_client"
    outcome = await rows(running, "visit_ask")
    assert [r.status for r in outcome] == ["cancelled"]
    clock.set(datetime(2026, 11, 27, 18, 0, tzinfo=UTC))
    await deliver(running, clock)
    assert not any("How did" in m.text for m in maya.messages)


async def test_moved_and_cancelled_from_the_card_the_client_is_told(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    anna = await anna_on_the_bot(running, maya)
    await maya.send("/clients")
    await maya.tap("Anna K.")
    await maya.tap("Next visit")
    await maya.tap("same time next week")
    await maya.tap("Save")
    await running.dispatch()
    await maya.tap("Move")
    # Counted from the visit moved (Wed 2 Dec), not from today: not "next week".
    assert maya.buttons[:2] == [
        ["Wed 9 Dec, 10:00 — a week later, same time"],
        ["Wed 16 Dec, 10:00 — two weeks later, same time"],
    ]
    await maya.send("thu 3.12 11:00")
    await maya.tap("Save")
    clock.advance(timedelta(seconds=2))  # a second between two messages to one chat
    await running.dispatch()
    assert anna.last_text == (
        "🔁 Your visit with Maya is moved: now Thu 3 Dec, 12:00" + L.format("11:00")
    )
    # Nothing is sent for the start the visit no longer has.
    clock.set(datetime(2026, 12, 1, 10, 0, tzinfo=UTC))
    await running.dispatch()
    assert "Reminder" not in anna.last_text
    await maya.send("/clients")
    await maya.tap("Anna K.")
    assert "📅 Next visit: Thu 3 Dec, 11:00 (12:00 their time) · booked" in maya.last_text
    await maya.tap("⋯ More")
    await maya.tap("Cancel visit")
    assert "Cancel Anna K.'s visit on Thu 3 Dec, 11:00 (12:00 their time)?" in maya.last_text
    await maya.tap("Yes, cancel it")
    assert (
        "✖️ Cancelled: Anna K., Thu 3 Dec, 11:00 (12:00 their time). They are told in the bot."
        in maya.last_text
    )
    clock.advance(timedelta(seconds=2))
    await running.dispatch()
    assert anna.last_text == (
        "✖️ Cancelled: your visit with Maya on Thu 3 Dec, 12:00" + L.format("11:00") + ".\n"
        "Would you like another time? Write it here: Maya gets your message."
    )
    clock.set(datetime(2026, 12, 2, 11, 0, tzinfo=UTC))
    await running.dispatch()
    assert "Reminder" not in anna.last_text
    assert all(r.status == "cancelled" for r in await rows(running, "visit_remind"))


async def test_after_a_visit_without_a_note_the_therapist_is_asked_once(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    await new_client_note(maya, "Ben L.")
    await maya.tap("Next visit")
    await maya.send("fri 9:00")
    await maya.tap("Save")
    assert "gets no messages from the bot: tell them yourself" in maya.last_text
    clock.set(datetime(2026, 11, 27, 10, 29, tzinfo=UTC))
    await running.dispatch()
    assert "How did" not in maya.last_text
    clock.set(datetime(2026, 11, 27, 10, 30, tzinfo=UTC))
    await running.dispatch()
    assert "How did Ben L.'s visit on Fri 27 Nov, 09:00 go?" in maya.last_text
    assert maya.buttons == [["📝 Write the note"], ["🚫 Didn't come"], ["↩️ Cancelled late"]]
    await maya.tap("Didn't come")
    assert "Ben L., Fri 27 Nov, 09:00: 🚫 didn't come." in maya.last_text
    # An old or forged tap changes nothing once it is settled.
    assert await maya.tap_data("vs:1:l") == "That visit is already settled."
    clock.set(datetime(2026, 11, 28, 10, 30, tzinfo=UTC))
    await running.dispatch()
    assert [r.status for r in await rows(running, "visit_ask")] == ["sent"]
    await maya.send("/clients")
    await maya.tap("Ben L.")
    # Said as the record says it (no "0 late cancellations"), its year this one's.
    assert "🚫 Missed visits: 1 no-show (27 Nov)" in maya.last_text
    assert "late cancellation" not in maya.last_text
    # And in the record: the handover, its own table, the CSV.
    await maya.send("/export Ben")
    pdf, csv_file = maya.documents[-2], maya.documents[-1]
    assert "visit,2026-11-27,Ben L." in (csv_file.file_bytes or b"").decode("utf-8-sig")
    assert "Didn't come (09:00)" in (csv_file.file_bytes or b"").decode("utf-8-sig")
    text = pdf_text(pdf.file_bytes or b"")[1]
    assert "Missed visits" in text
    # One short, plain line: each kind counted, with the day of the latest.
    assert "Missed visits 1 no-show (27 Nov 2026)" in " ".join(text.split())
    assert "late cancellation" not in text
    assert "Didn't come: 1" not in text


async def test_a_visit_with_a_note_that_day_is_done_and_not_asked_about(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    await new_client_note(maya, "Ben L.")
    await maya.tap("Next visit")
    await maya.send("fri 9:00")
    await maya.tap("Save")
    clock.set(datetime(2026, 11, 27, 10, 0, tzinfo=UTC))
    await maya.send("/note")
    for label in ("Ben L.", "Done", "Done", "Medium", "5", "2", "Skip to summary", "Save"):
        await maya.tap(label)
    clock.set(datetime(2026, 11, 27, 11, 0, tzinfo=UTC))
    await deliver(running, clock)
    assert not any("How did" in m.text for m in maya.messages)
    [visit] = await visits(running)
    assert visit.status == "done" and visit.note_id is not None


async def test_the_day_ahead_today_week_and_the_morning_digest(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    anna = await anna_on_the_bot(running, maya)  # note: pain 6 → 3
    await assign(maya, "Chin tucks", "Every day", "08:00", "4 wk")
    await maya.send("/book Anna")
    await maya.send("mon 14:00")
    await maya.tap("Save")
    await new_client_note(maya, "Ben L.")
    await maya.tap("Next visit")
    await maya.send("mon 9:00")
    await maya.tap("Save")
    await maya.send("/today")
    assert maya.last_text == "📅 No visits today."
    await deliver(running, clock)

    # The check-ins run until the visit: the last the day before it (Sun 29 Nov, Berlin).
    check_ins = await rows(running, "checkin")
    assert [
        r.occurrence_date.day for r in check_ins if r.occurrence_date and r.status != "cancelled"
    ] == [27]
    clock.set(datetime(2026, 11, 27, 8, 0, tzinfo=UTC))  # 09:00 in Berlin
    await deliver(running, clock)
    assert "Pain right now" in anna.last_text
    await anna.tap("4")
    check_ins = await rows(running, "checkin")
    assert [
        r.occurrence_date.day for r in check_ins if r.occurrence_date and r.status != "cancelled"
    ] == [27, 29]

    # Chin tucks at 08:00 in Berlin: done on the 28th, skipped on the 29th.
    clock.set(datetime(2026, 11, 28, 7, 0, tzinfo=UTC))
    await deliver(running, clock)
    await anna.tap("Done", message_id=latest(anna, "Chin tucks").message_id)
    clock.set(datetime(2026, 11, 29, 7, 0, tzinfo=UTC))
    await deliver(running, clock)
    clock.set(datetime(2026, 11, 29, 14, 0, tzinfo=UTC))
    await deliver(running, clock)
    await anna.tap("I'll be there", message_id=latest(anna, "Reminder").message_id)
    clock.set(datetime(2026, 11, 30, 7, 0, tzinfo=UTC))
    await maya.send("/today")
    today = maya.last_text
    print(today)
    assert today.splitlines() == [
        "📅 Today, Mon 30 Nov",
        "Ben L. 09:00 booked",
        "Anna K. 14:00 (15:00 their time) ✅ confirmed · pain 4 (was 6) · homework 1 of 4",
    ]
    clock.set(datetime(2026, 11, 30, 8, 0, tzinfo=UTC))  # the digest's time
    await deliver(running, clock)
    digest = latest(maya, "Today, Mon 30 Nov").text
    assert digest.startswith("📅 Today, Mon 30 Nov\nBen L. 09:00 booked\nAnna K. 14:00 (15:00")
    # Nothing came in since yesterday: the day's visits alone are worth the message.
    assert digest == today

    await maya.send("/week")
    week = maya.last_text.splitlines()
    assert week == [
        "📅 The next 7 days, from Mon 30 Nov",
        "Mon 30 Nov",
        "   Ben L. 09:00 booked",
        # The 30th's exercise went out at 08:00 in Berlin since /today: one more day due.
        "   Anna K. 14:00 (15:00 their time) ✅ confirmed · pain 4 (was 6) · homework 1 of 5",
    ]


def events_in(
    phone: Phone, zone: str = "Europe/London"
) -> list[tuple[str, datetime, datetime, timedelta]]:
    """The latest .ics file, read back by the calendar library: (title, start, end, alarm)."""
    document = phone.documents[-1]
    assert document.filename is not None and document.filename.endswith(".ics")
    calendar = Calendar.from_ical(document.file_bytes or b"")
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == [zone]
    return [
        (
            str(event["SUMMARY"]),
            event.decoded("DTSTART"),
            event.decoded("DTEND"),
            next(iter(event.walk("VALARM"))).decoded("TRIGGER"),
        )
        for event in calendar.walk("VEVENT")
    ]


async def test_a_booking_as_an_ics_file_and_calendar_with_every_upcoming_visit(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    await maya.send("/calendar")
    assert maya.last_text == "📅 No visits booked ahead."
    await new_client_note(maya, "Anna K.")
    await maya.tap("Next visit")
    await maya.send("tue 14:00")
    await maya.tap("Save")
    await maya.tap("📆 Add to calendar")
    [(title, start, end, alarm)] = events_in(maya)
    london = ZoneInfo("Europe/London")
    assert title == "Aftercare: Anna K."
    assert start == datetime(2026, 12, 1, 14, 0, tzinfo=london)
    assert str(start.tzinfo) == "Europe/London"
    assert end - start == timedelta(minutes=60)
    assert alarm == -timedelta(minutes=30)

    # One in summer time, after the clocks go forward: 14:00 BST is 13:00 UTC.
    await new_client_note(maya, "Ben L.")
    await maya.tap("Next visit")
    await maya.send("2.4.2027 14:00")
    await maya.tap("Save")
    [ben] = [v for v in await visits(running) if v.starts_at.year == 2027]
    assert ben.starts_at == datetime(2027, 4, 2, 13, 0, tzinfo=UTC)
    await maya.send("/calendar")
    assert "2 upcoming visits:" in (maya.documents[-1].caption or "")
    events = events_in(maya)
    assert [(t, s.astimezone(london).strftime("%d %b %H:%M")) for t, s, _, _ in events] == [
        ("Aftercare: Anna K.", "01 Dec 14:00"),
        ("Aftercare: Ben L.", "02 Apr 14:00"),
    ]
    assert events[1][1].astimezone(UTC).hour == 13


async def test_a_client_who_stopped_messages_is_not_told_nor_reminded(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    anna = await anna_on_the_bot(running, maya)
    await anna.send("/stop")
    await maya.send("/book Anna")
    await maya.send("fri 16:00")
    await maya.tap("Save")
    assert "Anna K. gets no messages from the bot: tell them yourself." in maya.last_text
    before = len(anna.messages)
    clock.set(datetime(2026, 11, 26, 16, 0, tzinfo=UTC))
    await deliver(running, clock)
    assert len(anna.messages) == before
    assert await rows(running, "visit_remind") == []


def test_the_records_missed_visits_line_counts_each_kind_with_its_latest_day() -> None:
    jan = [date(2027, 1, 7), date(2027, 1, 14)]
    assert missed_visits_line(jan[:1], []) == "1 no-show (7 Jan 2027)"  # no "0 late …"
    assert missed_visits_line([], jan[1:]) == "1 late cancellation (14 Jan 2027)"
    assert missed_visits_line(jan, jan[:1]) == (
        "2 no-shows (last 14 Jan 2027), 1 late cancellation (7 Jan 2027)"
    )
    # The client card's: a day of this year without it.
    assert missed_visits_line(jan, [date(2026, 12, 9)], this_year=2027) == (
        "2 no-shows (last 14 Jan), 1 late cancellation (9 Dec 2026)"
    )
