"""The pre-visit question end to end: the real bot over HTTP to the emulator, a real database
(SQLite and PostgreSQL), a frozen clock. After a visit's reminder, a client with an intake is
asked whether anything is new; "Something changed" asks only the parts named, saving new
versions beside the untouched answers; a red flag given this way alerts the therapist; "No
change" is recorded and shown on the card; a cancelled visit asks nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from demo.offline import OfflineBot
from emulator import Phone
from emulator.models import BotMessage
from practice.clock import FrozenClock
from storage.models import Delivery, IntakeAnswer, IntakeFlag, Visit, VisitCheck
from tests.chat import new_client_note
from tests.test_invites import invite, join
from tests.test_records import csv_rows, pdf_text

# NOW (conftest) is Wednesday 25 November 2026, 10:00 in London (UTC); Anna is in Berlin (+1).
REMINDER_TIME = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)  # 24 hours before Wed 2 Dec, 10:00
QUESTION = "Anything new with your health"


async def anna_with_an_intake(running: OfflineBot, maya: Phone) -> Phone:
    """Anna joins and answers the intake, a few questions skipped, every safety one "No"."""
    await new_client_note(maya, "Anna K.")
    anna = await join(running, maya)
    await anna.tap("Berlin")
    await anna.send("Stiff neck and right shoulder")
    await anna.tap("A few weeks")
    await anna.tap("Skip")  # worse / better
    await anna.tap("Skip")  # goal
    await anna.tap("None of these")  # answers at once
    await anna.send("ibuprofen when needed")
    await anna.tap("No")  # allergies
    await anna.tap("I'd rather not say")
    for _ in range(8):
        await anna.tap("No")
    await anna.tap("None of these")  # the head and neck signs
    assert "that's everything" in anna.last_text
    return anna


async def book_next_week(maya: Phone) -> None:
    await maya.send("/book Anna")
    await maya.tap("same time next week")  # Wed 2 Dec, 10:00 London
    await maya.tap("Save")


async def deliver(running: OfflineBot, clock: FrozenClock, rounds: int = 4) -> None:
    """Send what is due, a few seconds on for each chat's next message (one a second)."""
    for _ in range(rounds):
        await running.dispatch()
        clock.advance(timedelta(seconds=2))


async def reminded(running: OfflineBot, clock: FrozenClock, anna: Phone) -> BotMessage:
    """The day before: the reminder, and the pre-visit question as the next message."""
    await running.dispatch()  # the booking's notice
    clock.set(REMINDER_TIME)
    await deliver(running, clock)
    reminder = next(i for i, m in enumerate(anna.messages) if "Reminder" in m.text)
    question = anna.messages[reminder + 1]
    assert QUESTION in question.text
    return question


async def history(running: OfflineBot) -> list[IntakeAnswer]:
    async with running.db.unit_of_work() as uow:
        return await uow.intake.history(1)


async def checks(running: OfflineBot) -> list[VisitCheck]:
    async with running.db.unit_of_work() as uow:
        return list(await uow.session.scalars(select(VisitCheck).order_by(VisitCheck.id)))


async def card_of_anna(maya: Phone) -> str:
    await maya.send("/clients")
    await maya.tap("Anna K.")
    return maya.last_text


async def test_something_changed_asks_only_those_parts_and_keeps_the_rest_with_their_dates(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    anna = await anna_with_an_intake(running, maya)
    before = await history(running)
    await book_next_week(maya)
    question = await reminded(running, clock, anna)
    assert question.text == (
        "🩺 Anything new with your health since your last visit?\n"
        "Maya will read your health answers (last updated 25 Nov) before your visit on "
        "Wed 2 Dec, 11:00 your time (10:00 in London, where Maya is). Nothing new? Tap “No "
        "change” — that's all."
    )
    assert question.buttons == [["No change"], ["Something changed"]]

    # Someone else's tap on her question is refused, and changes nothing.
    visit_id = question.inline_keyboard[0][0]["callback_data"].split(":")[1]
    assert await anna.tap("Something changed", message_id=question.message_id) == ""
    assert "What has changed?" in anna.last_text
    assert anna.last_message_id == question.message_id  # the same message, edited
    assert anna.buttons[-2:] == [["Done ✓"], ["↩️ No change after all"]]
    # Done before choosing a part asks for one; nothing is saved.
    assert "Tap each part that changed" in await anna.tap("Done ✓")
    await anna.tap("Medicines or allergies")
    assert "✓ Medicines or allergies" in str(anna.buttons)
    await anna.tap("Done ✓")
    assert "🩺 Changed: Medicines or allergies ✓" in anna.message(question.message_id).text
    asked = anna.last_text
    assert asked.startswith("Update 1 of 2 · Do you take any medicines regularly?")
    assert "Your answer on 25 Nov: ibuprofen when needed" in asked
    await anna.send("warfarin since last week")
    assert "Update 2 of 2 · Are you allergic" in anna.last_text
    assert "Your answer on 25 Nov: No" in anna.last_text
    await anna.tap("Keep as it was")
    assert (
        "Update 2 of 2 · Allergies to oils or lotions: No (as before) ✓" in anna.messages[-2].text
    )
    assert "Thank you — updated ✓ Maya will see your new answers" in anna.last_text

    after = await history(running)
    # Only the one answer given is new; the kept one and every other stay as they were.
    assert len(after) == len(before) + 1
    new = after[-1]
    assert (new.question, new.value, new.answered_at) == (
        "medications",
        "warfarin since last week",
        clock.now(),
    )
    assert [(r.question, r.value, r.answered_at) for r in after[:-1]] == [
        (r.question, r.value, r.answered_at) for r in before
    ]
    [check] = await checks(running)
    assert (check.answer, check.sections, check.pending) == ("changed", ["medicines"], None)
    async with running.db.unit_of_work() as uow:
        progress = await uow.intake.progress(1)
    assert progress is not None and progress.step is None and progress.visit_check_id is None

    # Free text is again a message for Maya, not an answer.
    await anna.send("see you tomorrow")
    assert anna.last_text == "✓ Sent to Maya."
    # The card: the check, and the caution the new medicine raises.
    card = await card_of_anna(maya)
    line = next(li for li in card.splitlines() if li.startswith("Intake"))
    print("\nTHE CARD LINE AFTER A CHANGE:\n" + line)
    assert line == "Intake 1 Dec · checked 1 Dec: medicines changed · ⚠️ blood thinners"
    await maya.tap("⋯ More")
    await maya.tap("📝 Intake")
    full = maya.last_text
    assert "Medications: warfarin since last week\n" in full  # the heading's day: not again
    assert "Allergies to oils or lotions: No (25 Nov)" in full
    assert "Main concern: Stiff neck and right shoulder (25 Nov)" in full
    assert "🩺 Before a visit, checked 1 Dec: medicines changed" in full

    # Answered once: the question's buttons, tapped again, say so; a forged tap by someone
    # who is not her is refused.
    assert "Already answered" in await anna.tap_data(
        f"hc:{visit_id}:n", message_id=question.message_id
    )
    await new_client_note(maya, "Ben L.")
    ben = running.emulator.user(id=777, first_name="Ben")
    await ben.send(f"/start {await invite(maya, 'Ben')}")
    await ben.tap("I agree")
    await ben.tap("London")
    assert "isn't one of yours" in await ben.tap_data(f"hc:{visit_id}:n")
    assert (await checks(running))[0].answer == "changed"


async def test_a_red_flag_given_before_a_visit_alerts_the_therapist(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    anna = await anna_with_an_intake(running, maya)
    await book_next_week(maya)
    question = await reminded(running, clock, anna)
    await anna.tap("Something changed", message_id=question.message_id)
    await anna.tap("New symptoms")
    await anna.tap("Done ✓")
    # The safety questions asked again open with their calm lead-in, as at the intake.
    assert anna.last_text.startswith(
        "Now a few safety questions, asked of everyone — most people answer No to all of "
        "them.\nUpdate 1 of 9 · Have you noticed numbness or tingling"
    )
    await anna.tap("Yes")
    calm = anna.messages[-2].text
    assert "Thank you for telling me. Maya will look at this personally" in calm
    assert "contact your doctor or an urgent care service today" in calm
    assert "cauda" not in calm.lower()  # never a diagnosis to the client
    assert "Update 2 of 9" in anna.last_text
    # Left half done, /start says so and carries on where it waits.
    await anna.send("/start")
    assert "health update before your visit is half done" in anna.last_text
    await anna.tap("📝 Carry on")
    assert anna.last_text.startswith("Update 2 of 9 · Since this began, any new trouble")
    for _ in range(8):
        await anna.tap("Keep as it was")
    assert "updated ✓" in anna.last_text
    await deliver(running, clock)
    alert = next(m for m in reversed(maya.messages) if "🚩" in m.text)
    assert alert.text.startswith("🚩 URGENT · Anna K.'s intake: Saddle numbness")
    assert alert.buttons[:2] == [["↗️ Refer"], ["✔️ Seen, I'll discuss it"]]
    async with running.db.unit_of_work() as uow:
        flags = list(await uow.session.scalars(select(IntakeFlag)))
        answers = await uow.intake.answers(1)
    assert [f.flag for f in flags] == ["saddle"]
    assert answers["rf_saddle"] == "yes" and answers["rf_bladder"] == "no"
    card = await card_of_anna(maya)
    assert "checked 1 Dec: safety questions changed · 🚩 1 red flag" in card


async def test_no_change_is_recorded_and_shown_on_the_card(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    anna = await anna_with_an_intake(running, maya)
    before = await history(running)
    await book_next_week(maya)
    question = await reminded(running, clock, anna)
    await anna.tap("No change", message_id=question.message_id)
    assert anna.message(question.message_id).text == (
        "🩺 No change since your last visit ✓\n"
        "Thank you — Maya will know your health answers still hold."
    )
    assert anna.message(question.message_id).buttons == []
    [check] = await checks(running)
    assert (check.answer, check.answered_at) == ("same", clock.now())
    assert len(await history(running)) == len(before)
    card = await card_of_anna(maya)
    line = next(li for li in card.splitlines() if li.startswith("Intake"))
    print("\nTHE PRE-VISIT QUESTION:\n" + question.text + "\n" + str(question.buttons))
    print("THE CARD LINE:\n" + line)
    assert line == "Intake 25 Nov · checked 1 Dec: no change"
    # The stale button says so; the reminder's own buttons still work.
    assert "Already answered" in await anna.tap_data(
        question.inline_keyboard[0][0]["callback_data"], message_id=question.message_id
    )
    await anna.tap("I'll be there")
    assert "✅ See you on Wed 2 Dec, 11:00" in anna.last_text
    # Once a visit: moved after it was answered, the new reminder comes without it.
    await maya.send("/clients")
    await maya.tap("Anna K.")
    await maya.tap("Move")
    await maya.send("thu 3.12 10:00")
    await maya.tap("Save")
    clock.set(datetime(2026, 12, 2, 10, 0, tzinfo=UTC))
    await deliver(running, clock)
    assert "Reminder" in anna.messages[-1].text and "Thu 3 Dec, 11:00" in anna.messages[-1].text
    assert not any(QUESTION in m.text for m in anna.messages)  # the one asked shows its answer


async def test_a_cancelled_visit_asks_nothing_and_a_moved_one_asks_with_its_new_reminder(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    anna = await anna_with_an_intake(running, maya)
    await book_next_week(maya)
    await running.dispatch()
    # Cancelled before its reminder: neither the reminder nor the question is sent.
    await maya.send("/clients")
    await maya.tap("Anna K.")
    await maya.tap("⋯ More")
    await maya.tap("Cancel visit")
    await maya.tap("Yes, cancel it")
    clock.set(REMINDER_TIME)
    await deliver(running, clock)
    assert not any(QUESTION in m.text for m in anna.messages)
    async with running.db.unit_of_work() as uow:
        kinds = {
            (d.kind, d.status)
            for d in await uow.session.scalars(
                select(Delivery).where(Delivery.kind == "visit_check")
            )
        }
    assert kinds == {("visit_check", "cancelled")}

    # Booked again and moved after its question went unanswered: the old question's buttons
    # say so, and the question comes again with the new reminder, once.
    clock.set(datetime(2026, 12, 2, 9, 0, tzinfo=UTC))
    await book_next_week(maya)  # Wed 9 Dec, 09:00
    await running.dispatch()
    clock.set(datetime(2026, 12, 8, 9, 0, tzinfo=UTC))
    await deliver(running, clock)
    first = next(m for m in reversed(anna.messages) if QUESTION in m.text)
    await maya.send("/clients")
    await maya.tap("Anna K.")
    await maya.tap("Move")
    await maya.send("thu 10.12 9:00")
    await maya.tap("Save")
    stale = await anna.tap("No change", message_id=first.message_id)
    assert stale == "Your visit has moved: this question comes again with its new reminder."
    assert anna.message(first.message_id).buttons == []
    clock.set(datetime(2026, 12, 9, 9, 0, tzinfo=UTC))
    await deliver(running, clock)
    asked = [m for m in anna.messages if QUESTION in m.text]
    assert len(asked) == 2 and "Thu 10 Dec, 10:00" in asked[-1].text
    # Cancelled by the client on the reminder: its question has nothing more to answer.
    reminder = next(m for m in reversed(anna.messages) if "Reminder" in m.text)
    await anna.tap("I can't come", message_id=reminder.message_id)
    assert "nothing to answer" in await anna.tap("No change", message_id=asked[-1].message_id)
    async with running.db.unit_of_work() as uow:
        visits = list(await uow.session.scalars(select(Visit).order_by(Visit.id)))
    assert [v.status for v in visits] == ["cancel_ther", "cancel_client"]
    assert await checks(running) == []


async def test_mydata_files_carry_the_intake_with_dates_and_forgetme_erases_it(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    anna = await anna_with_an_intake(running, maya)
    await book_next_week(maya)
    question = await reminded(running, clock, anna)
    await anna.tap("Something changed", message_id=question.message_id)
    await anna.tap("My concern or my goal")
    await anna.tap("Done ✓")
    await anna.send("Low back now, the neck is fine")
    for _ in range(3):
        await anna.tap("Keep as it was")
    await anna.send("/mydata")
    await anna.tap("📄 Send it as PDF and CSV")
    pdf, sheet = anna.documents[-2:]
    assert pdf.file_bytes is not None and sheet.file_bytes is not None
    text = " ".join(pdf_text(pdf.file_bytes).split())
    assert "Your health answers" in text
    assert "Stiff neck and right shoulder (since changed)" in text
    assert "Low back now, the neck is fine" in text and "ibuprofen when needed" in text
    assert "Before a visit: anything new?" in text and "Changed: My concern or my goal" in text
    assert "25 Nov" in text and "1 Dec" in text
    rows = csv_rows(sheet.file_bytes)
    intake = [
        (r["record_type"], r["date"], r["question"], r["answer"])
        for r in rows
        if r["record_type"].startswith("intake")
    ]
    assert (
        "intake (since changed)",
        "2026-11-25",
        "Main concern",
        "Stiff neck and right shoulder",
    ) in intake
    assert ("intake", "2026-12-01", "Main concern", "Low back now, the neck is fine") in intake
    assert ("intake", "2026-11-25", "Medications", "ibuprofen when needed") in intake
    assert (
        "intake",
        "2026-12-01",
        "Before a visit: anything new?",
        "Changed: My concern or my goal",
    ) in intake
    assert len(intake) == 17 + 1 + 1  # every answer, the update, the pre-visit answer

    # /forgetme erases her answers, every version, and her pre-visit answers.
    await anna.send("/forgetme")
    await anna.tap("🗑 Erase my data")
    async with running.db.unit_of_work() as uow:
        assert await uow.intake.history(1) == []
        assert await uow.intake.progress(1) is None
    assert await checks(running) == []
    await maya.send("/export Anna")
    sheet = maya.documents[-1]
    assert sheet.file_bytes is not None
    assert not any(r["record_type"].startswith("intake") for r in csv_rows(sheet.file_bytes))


async def test_ticking_a_checklist_asked_again_keeps_the_update_words_and_its_keep_button(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    anna = await anna_with_an_intake(running, maya)
    await book_next_week(maya)
    question = await reminded(running, clock, anna)
    await anna.tap("Something changed", message_id=question.message_id)
    await anna.tap("Health conditions")
    await anna.tap("Done ✓")
    assert anna.last_text.startswith("Update 1 of 1 · ")
    await anna.tap("Blood thinners")
    # The tick edits the same question: still the update's words, still its Keep button.
    assert anna.last_text.startswith("Update 1 of 1 · ")
    assert "✓ Blood thinners" in str(anna.buttons)
    assert anna.buttons[-1] == ["Done ✓", "Keep as it was"]


async def test_a_question_sent_before_stop_is_not_sent_again_after_resume(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    anna = await anna_with_an_intake(running, maya)
    await book_next_week(maya)
    question = await reminded(running, clock, anna)
    await anna.send("/stop")
    clock.advance(timedelta(hours=2))
    await anna.send("/resume")
    await deliver(running, clock)
    assert [m.text for m in anna.messages].count(question.text) == 1
    # The one she has still works.
    await anna.tap("No change", message_id=question.message_id)
    [check] = await checks(running)
    assert check.answer is not None


async def test_correcting_an_answer_mid_update_returns_to_the_update(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    """Halfway through "Something changed", Anna corrects another answer in /mydata: it is
    saved, and the update goes on where it waited (it used to end there)."""
    anna = await anna_with_an_intake(running, maya)
    await book_next_week(maya)
    question = await reminded(running, clock, anna)
    await anna.tap("Something changed", message_id=question.message_id)
    await anna.tap("Medicines or allergies")
    await anna.tap("Done ✓")
    assert anna.last_text.startswith("Update 1 of 2 · Do you take any medicines regularly?")
    await anna.send("/mydata")
    await anna.tap("✏️ Correct my health answers")
    await anna.tap("Main concern")
    assert anna.last_text.startswith("1 of 17 · What brings you to massage?")  # not an update
    await anna.send("Stiff neck, now the left shoulder too")
    assert anna.messages[-2].text == (
        "Updated ✓ Maya sees your new answer; the earlier one is kept with its date. Now "
        "back to your update before the visit:"
    )
    asked = anna.last_text
    assert asked.startswith("Update 1 of 2 · Do you take any medicines regularly?")
    assert "Your answer on 25 Nov: ibuprofen when needed" in asked
    await anna.send("ibuprofen and paracetamol")
    assert anna.last_text.startswith("Update 2 of 2 · Are you allergic")
    await anna.tap("Keep as it was")
    assert "Thank you — updated ✓ Maya will see your new answers" in anna.last_text
    answers = {r.question: r.value for r in await history(running)}
    assert answers["concern"] == "Stiff neck, now the left shoulder too"
    assert answers["medications"] == "ibuprofen and paracetamol"
    async with running.db.unit_of_work() as uow:
        progress = await uow.intake.progress(1)
    assert progress is not None and progress.step is None and progress.visit_check_id is None
