"""The intake in the chat, end to end: the real bot over HTTP to the emulator, a real database,
a frozen clock. A client answers right after joining, resumes after a restart, and a red
flag reaches the therapist through the outbox."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from demo.offline import DEMO_TOKEN, OfflineBot, offline_bot
from emulator import BotApiEmulator, Phone
from practice.clock import FrozenClock
from tests.chat import new_client_note, past_the_letterhead
from tests.conftest import MAYA
from tests.test_invites import invite, join
from tests.test_records import csv_rows, pdf_text
from tests.test_referrals import letter_text


@pytest.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator(token=DEMO_TOKEN) as emu:
        yield emu


async def answers_of(running: OfflineBot, client_id: int = 1) -> dict[str, object]:
    async with running.db.unit_of_work() as uow:
        return await uow.intake.answers(client_id)


async def joined(running: OfflineBot, maya: Phone) -> Phone:
    await new_client_note(maya, "Anna K.")
    anna = await join(running, maya)
    await anna.tap("London")
    return anna


async def test_a_client_answers_the_intake_right_after_joining(
    running: OfflineBot, maya: Phone
) -> None:
    anna = await joined(running, maya)
    texts = [m.text for m in anna.messages[-2:]]
    assert "A few questions before your first session" in texts[0]
    # The first question says how long the whole takes; the others only where they are.
    assert anna.last_text.startswith(
        "1 of 17 · about 3 minutes, skip anything\nWhat brings you to massage?"
    )
    await anna.send("Stiff neck and <b>right</b> shoulder")
    # Typed text is saved as typed, markup and all.
    assert (await answers_of(running))["concern"] == "Stiff neck and <b>right</b> shoulder"
    assert "1 of 17" in anna.messages[-2].text and "✓" in anna.messages[-2].text
    assert anna.messages[-2].inline_keyboard == []  # the answered question's Skip is gone
    assert anna.last_text.startswith("2 of 17 · How long have you had it?")
    await anna.tap("A few weeks")
    await anna.tap("Skip")  # worse / better
    await anna.send("Sleep through the night")
    # The checklist: a tick and an untick edit the question in place; Done answers it.
    await anna.tap("Osteoporosis or fragile bones")
    assert "✓ Osteoporosis" in str(anna.buttons)
    await anna.tap("✓ Osteoporosis or fragile bones")
    assert "✓ Osteoporosis" not in str(anna.buttons)
    await anna.tap("Blood thinners (e.g. warfarin, apixaban)")
    await anna.tap("Done ✓")
    await anna.send("apixaban")
    await anna.tap("No")  # allergies
    await anna.tap("I'd rather not say")
    # The first safety question comes with a calm word before it, and only it.
    assert anna.last_text.startswith(
        "Now a few safety questions, asked of everyone — most people answer No to all of "
        "them.\n9 of 17 · Have you noticed numbness or tingling between your legs"
    )
    saddle = anna.last_message_id
    # A button-only question refuses typing, and loses nothing.
    await anna.send("maybe?")
    assert "tap one of the buttons" in anna.last_text
    await anna.tap("No")
    # Answered, it reads as the others do: the lead-in was for asking only.
    assert anna.message(saddle).text == "9 of 17 · Numbness between the legs: No ✓"
    assert anna.last_text.startswith("10 of 17 · Since this began, any new trouble")
    for _ in range(7):
        await anna.tap("No")
    assert "Headache" not in anna.last_text  # a checklist, not more yes/no questions
    # "None of these" is a whole answer: it answers at once, no Done to tap after it.
    await anna.tap("None of these")  # the head and neck signs
    assert anna.messages[-2].text == ("17 of 17 · Headache or neck warning signs: None of these ✓")
    assert "that's everything" in anna.last_text
    answers = await answers_of(running)
    assert answers["conditions"] == ["blood_thinners"]
    assert answers["worse_better"] is None  # skipped, and saved as skipped
    assert answers["pregnancy"] == "private"
    assert answers["rf_night"] == "no"
    assert answers["rf_head"] == ["none"]
    async with running.db.unit_of_work() as uow:
        progress = await uow.intake.progress(1)
    assert progress is not None and progress.completed_at is not None and progress.step is None
    # Afterwards, free text is no longer read as an answer: it is a message for Maya.
    await anna.send("hello?")
    assert anna.last_text == "✓ Sent to Maya."
    assert (await answers_of(running))["concern"] == "Stiff neck and <b>right</b> shoulder"


async def test_the_intake_resumes_after_a_restart_and_after_days(
    emulator: BotApiEmulator, database_url: str, clock: FrozenClock
) -> None:
    maya = emulator.user(id=MAYA, first_name="Maya")
    kwargs = {"therapist_ids": frozenset({MAYA}), "clock": clock, "emulator": emulator}
    async with offline_bot(database_url, **kwargs) as running:  # type: ignore[arg-type]
        anna = await joined(running, maya)
        await anna.send("Low back")
        await anna.tap("Longer than 3 months")
        question = anna.last_message_id
        assert "3 of 17" in anna.last_text
    clock.advance(timedelta(days=3))
    async with offline_bot(database_url, **kwargs) as running:  # type: ignore[arg-type]
        # Typed after the restart: the waiting question takes it.
        await anna.send("Worse sitting, better walking")
        assert "4 of 17" in anna.last_text
        assert "✓" in anna.message(question).text
        # Days later /start says where it stands, and asks the waiting question again.
        await anna.send("/start")
        assert "Hi Anna!" in anna.last_text and "4 of 17 answered" not in anna.last_text
        assert "health questions: 3 of 17 answered" in anna.last_text
        await anna.tap("📝 Carry on")
        assert "4 of 17" in anna.last_text
        await anna.tap("Skip")
        assert "5 of 17" in anna.last_text
        answers = await answers_of(running)
    assert answers == {
        "concern": "Low back",
        "since": "long",
        "worse_better": "Worse sitting, better walking",
        "goal": None,
    }


async def test_a_client_who_joined_before_is_offered_it_once_on_start(
    running: OfflineBot, maya: Phone
) -> None:
    anna = await joined(running, maya)
    async with running.db.unit_of_work() as uow:  # as if they joined before the intake
        progress = await uow.intake.progress(1)
        assert progress is not None
        await uow.session.delete(progress)
        await uow.commit()
    await anna.send("/start")
    assert "asks a few short questions about your health" in anna.last_text
    offer = anna.last_message_id
    await anna.send("/start")
    assert "asks a few short questions" not in anna.last_text  # once
    await anna.tap("📝 Start now", message_id=offer)
    assert "A few questions before your first session" in anna.messages[-2].text
    assert "main concern" in anna.last_text


async def test_a_red_flag_gets_a_calm_reply_and_alerts_the_therapist(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    anna = await joined(running, maya)
    for _ in range(4):
        await anna.tap("Skip")
    await anna.tap("None of these")
    for _ in range(3):
        await anna.tap("Skip")
    await anna.tap("Yes")  # saddle numbness
    reply = anna.messages[-2].text
    assert "Maya will look at this personally" in reply
    assert "today" in reply and "emergency number" in reply
    for word in ("cauda", "red flag", "serious", "diagnos"):
        assert word not in reply.lower()
    assert "Bladder" not in reply and "2 of" not in reply
    await running.dispatch()
    alert = maya.last_text
    assert "URGENT" in alert and "Anna K." in alert and "Saddle numbness" in alert
    assert "cauda equina" in alert
    assert "↗️ Refer" in str(maya.buttons) and "Seen, I'll discuss it" in str(maya.buttons)
    # Tapping on: a "soon" flag is answered without the urgent advice.
    await anna.tap("No")  # bladder
    await anna.tap("No")  # legs
    await anna.tap("No")  # calf
    await anna.tap("Yes")  # after a fall
    reply = anna.messages[-2].text
    assert "personally" in reply and "emergency" not in reply
    clock.advance(timedelta(seconds=2))  # a chat gets a message a second at most
    await running.dispatch()
    assert "Soon" in maya.last_text and "fall" in maya.last_text
    # The same answer given again later does not alert twice.
    await anna.send("/mydata")
    await anna.tap("✏️ Correct my health answers")
    await anna.tap("Numbness between the legs")
    await anna.tap("Yes")
    assert "Updated ✓" in anna.last_text
    sent = len(maya.messages)
    clock.advance(timedelta(seconds=2))
    await running.dispatch()
    assert len(maya.messages) == sent


async def test_an_intake_button_acts_only_on_the_pressers_own_intake(
    running: OfflineBot, maya: Phone
) -> None:
    await joined(running, maya)
    # The data names only the question: pressed by someone with no intake, it does nothing.
    answer = await maya.tap_data("ik:concern:s")
    assert "isn't one of yours" in answer
    assert await answers_of(running) == {}


async def answer_intake(anna: Phone, *, blood_thinners: bool, saddle: bool) -> None:
    """Anna answers everything: a concern, the checklist, and the red-flag questions."""
    await anna.send("Low back pain")
    await anna.tap("A few weeks")
    await anna.tap("Skip")
    await anna.tap("Skip")
    if blood_thinners:
        await anna.tap("Blood thinners (e.g. warfarin, apixaban)")
        await anna.tap("Done ✓")
    else:
        await anna.tap("None of these")  # answers at once
    await anna.tap("Skip")  # medications
    await anna.tap("No")  # allergies
    await anna.tap("No")  # pregnancy
    await anna.tap("Yes" if saddle else "No")
    while "Lately, have you had any of these?" not in anna.last_text:
        await anna.tap("No")
    await anna.tap("None of these")


async def test_a_red_flag_reaches_a_referral_letter_whose_reason_names_it(
    running: OfflineBot, maya: Phone
) -> None:
    anna = await joined(running, maya)
    await answer_intake(anna, blood_thinners=True, saddle=True)
    await running.dispatch()
    alert = maya.last_message
    assert alert is not None
    print("\nTHE THERAPIST'S ALERT:\n" + alert.text + "\n" + str(alert.inline_keyboard))
    await maya.send("/clients")
    await maya.tap("Anna K.")
    card = maya.last_text
    line = next(li for li in card.splitlines() if li.startswith("Intake"))
    print("THE CARD LINE:\n" + line)
    assert line == "Intake 25 Nov · ⚠️ blood thinners · 🚩 1 red flag"
    await maya.tap("⋯ More")
    await maya.tap("📝 Intake")
    full = maya.last_text
    assert "Main concern: Low back pain" in full and "Numbness between the legs: Yes" in full
    assert "⚠️ On blood thinners — avoid deep pressure" in full
    assert "Saddle numbness — not decided yet" in full
    # Refer from the alert: the reason preset names the flag, the physician offered first.
    await maya.tap("↗️ Refer", message_id=alert.message_id)
    assert "To whom" in maya.last_text
    assert maya.all_buttons[0] == "Any physician"
    await maya.tap("Any physician")
    assert "Reason: Intake red flag: Saddle numbness" in maya.last_text
    await past_the_letterhead(maya)
    await maya.tap("Save")
    async with running.db.unit_of_work() as uow:
        flags = await uow.intake.flags(1)
    # Kept with the decision, as a decision point's answer is.
    assert flags[0].decision == "refer" and flags[0].referral_id is not None
    await running.dispatch()
    await anna.tap("✖️ Don't allow")
    text = letter_text(maya)
    assert "Intake red flag: Saddle numbness" in text and "cauda equina" in text


async def test_seen_is_kept_with_the_flag(running: OfflineBot, maya: Phone) -> None:
    anna = await joined(running, maya)
    await answer_intake(anna, blood_thinners=False, saddle=True)
    await running.dispatch()
    alert = maya.last_message_id
    await maya.tap("✔️ Seen, I'll discuss it")
    # Edited in place, the alert keeps its headline (whose, which flag, how urgent) and says
    # what Maya decided where its buttons were.
    assert maya.message(alert).text == (
        "🚩 URGENT · Anna K.'s intake: Saddle numbness\n"
        "Numbness in the saddle area can be a sign of pressure on the nerves at the base of "
        "the spine (cauda equina): same-day medical assessment.\n"
        "✔️ Seen 25 Nov — you'll discuss it with Anna K."
    )
    assert maya.message(alert).inline_keyboard == []
    async with running.db.unit_of_work() as uow:
        flags = await uow.intake.flags(1)
    assert [(f.flag, f.decision) for f in flags] == [("saddle", "seen")]
    answer = await maya.tap_data(f"fl:{flags[0].id}:r")
    assert "Already decided" in answer


async def test_a_caution_stands_on_the_note_card_and_deep_pressure_asks_once(
    running: OfflineBot, maya: Phone
) -> None:
    anna = await joined(running, maya)
    await answer_intake(anna, blood_thinners=True, saddle=False)
    await maya.send("/note")
    await maya.tap("Anna K.")
    assert maya.last_text.startswith("⚠️ On blood thinners — avoid deep pressure")
    for label in ("Done", "Done"):  # last time's areas and techniques, as they were
        await maya.tap(label)
    assert "⚠️ On blood thinners" in maya.last_text
    await maya.tap("Deep")
    assert "Use deep pressure anyway?" in maya.last_text
    assert "Pain before" not in maya.last_text
    # The question states the caution; the card's top does not say it a second time.
    assert maya.last_text.count("On blood thinners") == 1
    await maya.tap("Choose another")
    await maya.tap("Deep")
    await maya.tap("Yes, I've checked")
    assert "Pain before" in maya.last_text
    # Asked once a note: going back and choosing it again goes straight on.
    await maya.tap("⬅️ Back")
    await maya.tap("✓ Deep")
    assert "Use deep pressure anyway?" not in maya.last_text
    for label in ("6", "3", "Skip to summary"):
        await maya.tap(label)
    assert maya.last_text.startswith("⚠️ On blood thinners")
    await maya.tap("Save")
    async with running.db.unit_of_work() as uow:
        page = await uow.notes.page(MAYA, 1, offset=0, limit=1)
    assert page.notes[0].pressure == "deep"
    # The quick note's card carries it too.
    await maya.send("Anna: neck, swedish, light. Pain 5 -> 2.")
    assert maya.last_text.startswith("⚠️ On blood thinners — avoid deep pressure")


async def test_trigger_point_on_blood_thinners_asks_once_like_deep_pressure(
    running: OfflineBot, maya: Phone
) -> None:
    anna = await joined(running, maya)
    await answer_intake(anna, blood_thinners=True, saddle=False)
    await maya.send("/note")
    await maya.tap("Anna K.")
    await maya.tap("Done")  # last time's areas
    await maya.tap("Trigger point")
    text = maya.last_text
    assert "Use trigger point anyway?" in text
    assert text.count("On blood thinners — avoid deep pressure and trigger point work") == 1
    assert maya.all_buttons == ["Yes, I've checked", "Choose another"]
    await maya.tap("Choose another")
    assert "Trigger point" in maya.all_buttons and "✓ Trigger point" not in maya.all_buttons
    assert maya.last_text.startswith("⚠️ On blood thinners")  # the caution back at the top
    await maya.tap("Trigger point")
    await maya.tap("Yes, I've checked")
    assert "✓ Trigger point" in maya.all_buttons
    # Asked once a note: taken off and on again, it is simply ticked.
    await maya.tap("✓ Trigger point")
    await maya.tap("Trigger point")
    assert "✓ Trigger point" in maya.all_buttons
    assert "anyway?" not in maya.last_text


async def test_a_carried_over_trigger_point_is_asked_at_save(
    running: OfflineBot, maya: Phone
) -> None:
    """Last time's techniques come preselected: a trigger point the client's intake cautions
    against is asked about at Save, once, as a tap on it is; "Choose another" takes it off."""
    anna = await joined(running, maya)
    await answer_intake(anna, blood_thinners=True, saddle=False)

    def saved(number: int) -> bool:
        return any(m.text.startswith(f"Saved ✓ Note #{number} ") for m in maya.messages)

    async def note_with_last_treatment() -> None:
        await maya.send("/note")
        await maya.tap("Anna K.")
        for label in ("Done", "Done", "✓ Medium", "5", "2", "Skip to summary"):
            await maya.tap(label)

    # The first note (Swedish) was before the intake; this one adds trigger point by a tap.
    await note_with_last_treatment()
    await maya.tap("✏️ Edit a field")
    await maya.tap("Techniques")
    await maya.tap("Trigger point")
    await maya.tap("Yes, I've checked")
    await maya.tap("Done")
    await maya.tap("Save")
    assert saved(2)
    # The next note carries it over, untapped: Save asks first, and Yes saves.
    await note_with_last_treatment()
    await maya.tap("Save")
    assert "Use trigger point anyway?" in maya.last_text
    assert maya.all_buttons == ["Yes, I've checked", "Choose another"]
    await maya.tap("Yes, I've checked")
    assert saved(3)
    # And once more: Choose another takes it off, and Done is back at the summary.
    await note_with_last_treatment()
    await maya.tap("Save")
    await maya.tap("Choose another")
    assert "Trigger point" in maya.all_buttons and "✓ Trigger point" not in maya.all_buttons
    await maya.tap("Done")
    assert "Techniques: Swedish\n" in maya.last_text
    await maya.tap("Save")
    assert saved(4)
    async with running.db.unit_of_work() as uow:
        page = await uow.notes.page(MAYA, 1, offset=0, limit=3)
    assert [n.techniques for n in page.notes] == [
        ["swedish"],
        ["swedish", "trigger"],
        ["swedish", "trigger"],
    ]


async def test_no_caution_no_question(running: OfflineBot, maya: Phone) -> None:
    anna = await joined(running, maya)
    await answer_intake(anna, blood_thinners=False, saddle=False)
    await maya.send("/note")
    await maya.tap("Anna K.")
    assert not maya.last_text.startswith("⚠️")
    await maya.tap("Done")
    await maya.tap("Trigger point")
    assert "✓ Trigger point" in maya.all_buttons and "anyway?" not in maya.last_text
    for label in ("Done", "Deep"):
        await maya.tap(label)
    assert "Use deep pressure anyway?" not in maya.last_text


async def test_homework_suggestions_skip_an_exercise_whose_caution_names_the_condition(
    running: OfflineBot, maya: Phone
) -> None:
    await new_client_note(maya, "Anna K.", areas=("Feet",))
    anna = await join(running, maya)
    await anna.tap("London")
    await anna.send("Sore feet")
    for _ in range(3):
        await anna.tap("Skip")
    await anna.tap("Diabetes with numb feet or reduced feeling")
    await anna.tap("Done ✓")
    await maya.send("/homework Anna")
    await maya.tap("Add exercise")
    assert "Foot roll" not in maya.all_buttons
    assert "Ankle circles" in " ".join(maya.all_buttons)
    assert "⚠️ Not suggested: Foot roll — its caution names reduced sensation" in (maya.last_text)
    # Found by typing, it is there: the therapist decides.
    await maya.send("foot roll")
    assert "Foot roll" in maya.all_buttons


async def test_the_export_and_a_consented_letter_carry_the_intake(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    anna = await joined(running, maya)
    await answer_intake(anna, blood_thinners=True, saddle=True)
    # A correction later: the record keeps both answers with their dates.
    clock.advance(timedelta(days=2))
    await anna.send("/mydata")
    await anna.tap("✏️ Correct my health answers")
    await anna.tap("Main concern")
    await anna.send("Low back and left hip")
    await maya.send("/export Anna")
    pdf, sheet = maya.documents[-2:]
    assert pdf.file_bytes is not None and sheet.file_bytes is not None
    text = pdf_text(pdf.file_bytes)
    assert "Intake" in text and "27 Nov" in text
    assert "On blood thinners — avoid deep pressure" in text
    assert "Saddle numbness" in text and "Low back and left hip" in text
    rows = csv_rows(sheet.file_bytes)
    concerns = [
        (r["record_type"], r["date"], r["answer"]) for r in rows if r["question"] == "Main concern"
    ]
    assert concerns == [
        ("intake (since changed)", "2026-11-25", "Low back pain"),
        ("intake", "2026-11-27", "Low back and left hip"),
    ]
    assert any(r["question"].startswith("Intake red flag (urgent)") for r in rows)
    # Refer with the client's consent: the letter carries the flag and the caution.
    await running.dispatch()
    await maya.tap(
        "↗️ Refer", message_id=next(m.message_id for m in maya.messages if "URGENT" in m.text)
    )
    await maya.tap("Any physician")
    await past_the_letterhead(maya)
    await maya.tap("Save")
    clock.advance(timedelta(seconds=2))  # a chat gets a message a second at most
    await running.dispatch()
    consent = next(m for m in reversed(anna.messages) if "✅ Allow" in str(m.inline_keyboard))
    await anna.tap("✅ Allow", message_id=consent.message_id)
    await anna.tap("Skip")  # no date of birth for the letter
    await anna.tap("Skip")  # nor a phone or email
    letter = letter_text(maya)
    assert "From the client's intake" in letter
    assert "On blood thinners" in letter and "Saddle numbness (urgent)" in letter


async def test_the_therapist_fills_the_intake_for_a_client_not_on_the_bot(
    running: OfflineBot, maya: Phone
) -> None:
    await new_client_note(maya, "Ben T.")
    await maya.send("/intake Ben")
    assert "📝 Intake for Ben T. · 1 of 17" in maya.last_text
    await maya.send("Right knee after running")
    await maya.tap("Skip")  # since
    await maya.tap("Skip")  # worse / better
    await maya.tap("Skip")  # goal
    await maya.tap("Osteoporosis or fragile bones")
    await maya.tap("Done")
    for _ in range(2):  # medications, allergies
        await maya.tap("Skip")
    await maya.tap("Skip")  # pregnancy
    for _ in range(4):  # saddle, bladder, legs, calf
        await maya.tap("No")
    await maya.tap("Yes")  # after a fall
    while "Check and save" not in maya.last_text and "check and save" not in maya.last_text:
        await maya.tap("Skip")
    await maya.tap("Save")
    assert "Intake saved ✓ Ben T.: Intake 25 Nov · ⚠️ osteoporosis · 🚩 1 red flag" in (
        maya.last_text
    )
    async with running.db.unit_of_work() as uow:
        history = await uow.intake.history(1)
        flags = await uow.intake.flags(1)
    assert {h.answered_by for h in history} == {"therapist"}
    assert [f.flag for f in flags] == ["fall"]
    await running.dispatch()
    assert "URGENT" not in maya.last_text and "Soon" not in maya.last_text  # no alert to herself


async def test_a_letter_says_which_safety_questions_were_left_unanswered(
    running: OfflineBot, maya: Phone
) -> None:
    """Maya fills Ben's intake in person and leaves four safety questions open: his letter
    quotes how long and what changes it, and calls the screen incomplete, naming them."""
    await new_client_note(maya, "Ben T.")
    await maya.send("/intake Ben")
    await maya.send("Right knee after running")
    await maya.tap("A few weeks")
    await maya.send("Worse on stairs, better with ice")
    await maya.tap("Skip")  # goal
    await maya.tap("None of these")
    await maya.tap("Done")
    for _ in range(3):  # medications, allergies, pregnancy
        await maya.tap("Skip")
    for _ in range(4):  # saddle, bladder, legs, calf
        await maya.tap("No")
    await maya.tap("Yes")  # after a fall
    while "heck and save" not in maya.last_text:  # weight, fever, night, head and neck
        await maya.tap("Skip")
    await maya.tap("Save")
    await maya.send("/refer Ben")
    await maya.tap("Beyond the scope of massage")
    await maya.tap("Any physician")
    await past_the_letterhead(maya)
    await maya.tap("Save")
    await maya.tap("Client agreed in person")
    letter = " ".join(letter_text(maya).split())
    assert "How long: A few weeks · Worse / better: “Worse on stairs, better with ice”" in letter
    assert (
        "Red-flag screen: incomplete — no to 4 of the 9 safety questions; yes to after a fall or "
        "injury (below); not answered: weight loss, fever, night pain and headache or neck "
        "warning signs." in letter
    )
    assert "• Pain after a fall or injury (soon)" in letter
    assert "negative" not in letter


async def test_the_client_is_asked_and_counted_only_what_the_therapist_left_open(
    running: OfflineBot, maya: Phone
) -> None:
    """Maya filled in the main concern and the checklist with /intake before Ben joined: his
    intake starts at "since", counts 15 questions, and his home card counts the same."""
    await new_client_note(maya, "Ben T.")
    await maya.send("/intake Ben")
    await maya.send("Right knee after running")
    for _ in range(3):  # since, worse / better, goal
        await maya.tap("Skip")
    await maya.tap("Osteoporosis or fragile bones")
    await maya.tap("Done")
    while "heck and save" not in maya.last_text:
        await maya.tap("Skip")
    await maya.tap("Save")
    token = await invite(maya, "Ben")
    ben = running.emulator.user(id=2002, first_name="Ben")
    await ben.send(f"/start {token}")
    await ben.tap("I agree")
    await ben.tap("London")
    assert ben.last_text.startswith(
        "1 of 15 · about 3 minutes, skip anything\nHow long have you had it?"
    )
    await ben.tap("A few weeks")
    assert ben.messages[-2].text == "1 of 15 · Since: A few weeks ✓"
    assert ben.last_text.startswith("2 of 15 · What makes it worse")
    await ben.send("/start")
    assert "health questions: 1 of 15 answered" in ben.last_text


async def test_neck_pain_with_a_new_urgent_sign_alerts_and_reaches_a_referral(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    """Anna's stiff neck with headaches, and dizzy spells: the checklist's tick gets the calm
    urgent reply (no condition named), Maya's alert names the flag, and [↗️ Refer] opens the
    referral with its reason preset."""
    anna = await joined(running, maya)
    await anna.send("Stiff neck with headaches")
    for _ in range(3):
        await anna.tap("Skip")
    await anna.tap("None of these")
    for _ in range(3):  # medications, allergies, pregnancy
        await anna.tap("Skip")
    for _ in range(8):
        await anna.tap("No")
    asked = anna.last_text
    assert asked.startswith("17 of 17 · Lately, have you had any of these?")
    # No sign asked twice: falls are in the dizziness item, a fever was question 15's.
    assert anna.buttons[:4] == [
        ["A sudden, severe headache, unlike any before"],
        ["Dizzy spells, double vision, or sudden falls"],
        ["Trouble speaking or swallowing, or a numb face"],
        ["A recent injury to your neck or head"],
    ]
    assert anna.buttons[4:] == [["None of these"], ["Done ✓", "Skip"]]
    await anna.tap("Dizzy spells, double vision, or sudden falls")
    assert "✓ Dizzy spells, double vision, or sudden falls" in str(anna.buttons)
    await anna.tap("Done ✓")
    assert anna.messages[-3].text == (
        "17 of 17 · Headache or neck warning signs: Dizzy spells, double vision, or sudden falls ✓"
    )
    reply = anna.messages[-2].text
    print("\nTHE CLIENT'S REPLY:\n" + reply)
    assert reply.startswith("Thank you for telling me. Maya will look at this personally")
    assert "contact your doctor or an urgent care service today" in reply
    for word in ("artery", "stroke", "dissection", "red flag", "serious"):
        assert word not in reply.lower()
    assert "that's everything" in anna.last_text
    await running.dispatch()
    alert = maya.last_message
    assert alert is not None
    print("THE THERAPIST'S ALERT:\n" + alert.text + "\n" + str(alert.buttons))
    assert alert.text == (
        "🚩 URGENT · Anna K.'s intake: Dizziness, double vision, speech trouble or falls\n"
        "With neck pain or headache, these can be signs of a problem with an artery in the "
        "neck: same-day medical assessment; no neck massage.\n"
        "Answered 25 Nov. Nothing is diagnosed: this is a screening question."
    )
    # Each decision on a row of its own: together they would not fit a phone's row whole.
    assert alert.buttons == [["↗️ Refer"], ["✔️ Seen, I'll discuss it"], ["👤 Anna K."]]
    await maya.tap("↗️ Refer", message_id=alert.message_id)
    await maya.tap("Any physician")
    assert (
        "Reason: Intake red flag: Dizziness, double vision, speech trouble or falls. With "
        "neck pain or headache"
    ) in maya.last_text
    async with running.db.unit_of_work() as uow:
        flags = await uow.intake.flags(1)
    assert [f.flag for f in flags] == ["artery"]


async def test_a_history_of_cancer_with_back_pain_alerts_soon(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    anna = await joined(running, maya)
    await anna.send("Lower back pain since last month")
    await anna.tap("A few weeks")
    await anna.tap("Skip")
    await anna.tap("Skip")
    await anna.tap("Cancer in the past")
    await anna.tap("Done ✓")
    reply = anna.messages[-2].text
    assert "Maya will look at this personally" in reply and "today" not in reply
    assert anna.last_text.startswith("6 of 17 · Do you take any medicines")
    await running.dispatch()
    assert maya.last_text.startswith("🚩 Soon · Anna K.'s intake: Back or neck pain after cancer")


async def test_skipped_questions_are_one_line_in_mydata(running: OfflineBot, maya: Phone) -> None:
    """A client who skips most questions reads their answers, not a column of "skipped"."""
    anna = await joined(running, maya)
    await anna.send("Stiff neck")
    for _ in range(30):
        if "everything" in anna.last_text:
            break
        await anna.tap("Skip")
    await anna.send("/mydata")
    answers = next(m.text for m in anna.messages if m.text.startswith("📝 Your health answers"))
    lines = answers.splitlines()
    assert lines[1] == "Main concern: Stiff neck"  # the heading's day is not said again
    assert lines[2].startswith("Skipped: Since, Worse / better, Goal, Health conditions")
    assert len(lines) == 3 and "skipped (" not in answers


async def test_a_new_plan_offers_the_intake_goal_as_one_tap(
    running: OfflineBot, maya: Phone
) -> None:
    anna = await joined(running, maya)
    goal = "Sleep through the night and turn my head when I drive"
    await anna.send("Stiff neck")
    await anna.tap("A few weeks")
    await anna.tap("Skip")  # worse / better
    await anna.send(goal)
    await anna.tap("None of")
    while "that's everything" not in anna.last_text:
        await anna.tap("Skip" if "Skip" in anna.all_buttons else "No")
    await maya.send("/plan Anna")  # no plan yet: the form opens
    await maya.send("Stiff neck")
    await maya.tap("Neck")
    assert f"💡 The intake's goal: {goal}" in maya.last_text
    await maya.tap("✅ Use the intake's goal")
    assert "Activity to track" not in maya.last_text and "activity" in maya.last_text
    # The activity is offered the same words, and typing still answers instead.
    assert f"💡 The intake's goal: {goal}" in maya.last_text
    await maya.send("turn my head while driving")
    for label in ("6", "Weekly", "4", "Today"):
        await maya.tap(label)
    summary = maya.last_text
    assert f"Goal: {goal}" in summary and "Activity to track: turn my head while driving" in summary


async def test_a_plan_without_an_intake_goal_offers_nothing(
    running: OfflineBot, maya: Phone
) -> None:
    anna = await joined(running, maya)
    await answer_intake(anna, blood_thinners=False, saddle=False)
    await maya.send("/plan Anna")  # no plan yet: the form opens
    await maya.send("Stiff neck")
    await maya.tap("Neck")
    assert "💡" not in maya.last_text and "✅ Use" not in " ".join(maya.all_buttons)


async def test_none_of_these_answers_at_once_even_after_a_tick(
    running: OfflineBot, maya: Phone
) -> None:
    anna = await joined(running, maya)
    for _ in range(4):
        await anna.tap("Skip")
    await anna.tap("Osteoporosis or fragile bones")
    assert anna.last_text.startswith("5 of 17 · Do any of these apply to you?")  # waits
    await anna.tap("None of these")  # changed her mind: none, and on to the next question
    assert anna.messages[-2].text == "5 of 17 · Health conditions: None of these ✓"
    assert anna.last_text.startswith("6 of 17 · Do you take any medicines")
    assert (await answers_of(running))["conditions"] == ["none"]


async def test_a_fever_with_a_stiff_neck_is_one_answer_that_alerts_both_flags(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    anna = await joined(running, maya)
    await anna.send("Stiff neck")
    for _ in range(3):
        await anna.tap("Skip")
    await anna.tap("None of these")
    for _ in range(3):  # medications, allergies, pregnancy
        await anna.tap("Skip")
    for _ in range(6):  # saddle, bladder, legs, calf, after a fall, weight
        await anna.tap("No")
    assert anna.last_text.startswith("15 of 17 · Have you had a fever or chills")
    assert anna.buttons == [["No", "Yes"], ["Yes, with a stiff neck or headache"], ["Skip"]]
    await anna.tap("Yes, with a stiff neck or headache")
    assert "contact your doctor or an urgent care service today" in anna.messages[-2].text
    assert anna.last_text.startswith("16 of 17 · Does the pain keep you awake")
    await running.dispatch()
    clock.advance(timedelta(seconds=2))  # a chat gets a message a second at most
    await running.dispatch()
    alerts = [m.text.splitlines()[0] for m in maya.messages if m.text.startswith("🚩")]
    assert alerts == [
        "🚩 URGENT · Anna K.'s intake: Fever with the pain",
        "🚩 URGENT · Anna K.'s intake: Fever with a stiff neck or headache",
    ]
    # The head and neck checklist that follows asks about no fever again.
    await anna.tap("No")
    assert "fever" not in str(anna.buttons).lower()


async def test_the_intake_buttons_share_a_row_only_where_both_fit_a_phone(
    running: OfflineBot, maya: Phone
) -> None:
    anna = await joined(running, maya)
    await anna.send("Stiff neck")
    # "Longer than 3 months" and "On and off for years" shared a row (40 characters) and
    # were cut; two short ones still share.
    assert anna.buttons == [
        ["A few days", "A few weeks"],
        ["1–3 months"],
        ["Longer than 3 months"],
        ["On and off for years"],
        ["Skip"],
    ]
    await anna.send("/mydata")
    await anna.tap("✏️ Correct my health answers")
    rows = anna.buttons
    assert ["Main concern", "Since"] in rows and ["Weight loss", "Fever"] in rows
    assert ["Bladder or bowel changes"] in rows and ["Weakness in the legs"] in rows
    assert all(len(row) == 1 or sum(len(b) for b in row) <= 32 for row in rows)
