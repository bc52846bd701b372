"""Referrals: the therapist's provider network, /refer with the client's consent asked in the
bot, the letter as a PDF, and the follow-up two weeks later."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

from pypdf import PdfReader
from sqlalchemy import select

from bot.shared.callbacks import FollowUpAnswer, ProviderButton, ReferralConsent, ReferStart
from demo.offline import OfflineBot
from emulator import Phone
from practice.clock import FrozenClock
from practice.referrals import NO_PROGRESS
from reports.wording import day_label
from storage.models import Decision, Delivery, FormDraft, Provider, Referral
from tests.chat import allow, new_client_note, past_the_letterhead
from tests.conftest import NOW
from tests.test_invites import ANNA, EVE, invite, join
from tests.test_progress_chat import decisions, exported_decisions, note, plan
from tests.test_reports import pdf_text

# NOW is Wednesday 25 November 2026, 10:00 in London; the follow-up is 14 days later, 9 Dec.
FIRST_SESSION = date(2026, 11, 25)
SECOND_SESSION = date(2026, 11, 27)


async def add_provider(therapist: Phone, name: str, profession: str) -> None:
    await therapist.send("/providers")
    await therapist.tap("Add provider")
    await therapist.send(name)
    await therapist.tap(profession)
    for _ in range(4):  # clinic, phone, email, notes
        await therapist.tap("Skip")
    await therapist.tap("Save")


async def two_sessions(running: OfflineBot, maya: Phone, clock: FrozenClock) -> Phone:
    """Anna on the bot with two documented sessions (25 and 27 Nov)."""
    await new_client_note(maya, "Anna K.", techniques=("Swedish",), before="6", after="3")
    anna = await join(running, maya)
    await anna.tap("Berlin")
    clock.set(datetime(2026, 11, 27, 10, 0, tzinfo=UTC))
    await maya.send("/note")
    for label in ("Anna K.", "Done", "Done", "Medium", "7", "2", "Skip to summary", "Save"):
        await maya.tap(label)
    return anna


async def refer_anna_to_dr_lee(maya: Phone) -> None:
    await maya.send("/refer Anna")
    assert "Why" in maya.last_text
    await maya.tap("Suspected disc or joint problem")
    assert "To whom" in maya.last_text
    await maya.tap("Dr Lee")
    summary = maya.last_text
    assert "Reason: Suspected disc or joint problem" in summary
    assert "To: ⚕️ Dr Lee · Physiotherapist" in summary
    await past_the_letterhead(maya)
    await maya.tap("Save")


async def referrals(running: OfflineBot) -> list[Referral]:
    async with running.db.unit_of_work() as uow:
        return list(await uow.session.scalars(select(Referral).order_by(Referral.id)))


async def providers(running: OfflineBot) -> list[Provider]:
    async with running.db.unit_of_work() as uow:
        return list(await uow.session.scalars(select(Provider).order_by(Provider.id)))


def letter_images(phone: Phone) -> int:
    """How many pictures (the progress chart) the latest letter holds."""
    document = phone.documents[-1]
    pages = PdfReader(io.BytesIO(document.file_bytes or b"")).pages
    return sum(len(page.images) for page in pages)


def letter_text(phone: Phone) -> str:
    document = phone.documents[-1]
    assert document.file_bytes is not None and document.file_bytes.startswith(b"%PDF")
    assert document.filename is not None and document.filename.endswith(".pdf")
    return pdf_text(document.file_bytes)[1]


async def test_the_provider_network_add_list_edit_archive(running: OfflineBot, maya: Phone) -> None:
    await maya.send("/providers")
    assert "No providers yet" in maya.last_text
    await maya.tap("Add provider")
    assert "Their name?" in maya.last_text
    await maya.send("Dr " + "L" * 90)
    assert "That is 93 characters; this answer holds up to 80" in maya.last_text
    await maya.send("Dr Lee")
    await maya.tap("Physiotherapist")
    await maya.send("City Physio")
    await maya.send("call the front desk")
    assert "⚠️ A phone number has at least 5 digits" in maya.last_text
    await maya.send("+44 20 7946 0958")
    await maya.send("lee@cityphysio")
    assert "⚠️ That doesn't look like an email address" in maya.last_text
    assert "Their <b>email</b>" not in maya.last_text  # HTML is rendered, not shown
    await maya.send("lee@cityphysio.example")
    await maya.tap("Skip")  # no notes
    summary = maya.last_text
    for line in (
        "Name: Dr Lee",
        "Profession: Physiotherapist",
        "Clinic: City Physio",
        "Phone: +44 20 7946 0958",
        "Email: lee@cityphysio.example",
    ):
        assert line in summary  # nothing typed earlier was lost on the refused answers
    await maya.tap("Save")
    assert "Saved ✓ Dr Lee · Physiotherapist is in your network." in maya.last_text

    await add_provider(maya, "Dr Patel", "Physician")
    await maya.send("/providers")
    assert "• Dr Lee · Physiotherapist — City Physio" in maya.last_text
    assert "• Dr Patel · Physician" in maya.last_text
    await maya.tap("Dr Lee · Physiotherapist")
    assert "📞 +44 20 7946 0958" in maya.last_text
    await maya.tap("Edit")
    assert "Clinic: City Physio" in maya.last_text  # the summary, to change one field
    await maya.tap("Edit a field")
    await maya.tap("Clinic")
    await maya.send("Riverside Clinic")
    assert "Clinic: Riverside Clinic" in maya.last_text
    await maya.tap("Save")
    lee = (await providers(running))[0]
    assert (lee.name, lee.clinic, lee.phone) == ("Dr Lee", "Riverside Clinic", "+44 20 7946 0958")

    await maya.send("/providers")
    await maya.tap("Dr Patel · Physician")
    await maya.tap("Archive")
    assert "Archive Dr Patel?" in maya.last_text
    await maya.tap("Yes, archive")
    assert "Dr Patel" not in maya.last_text and "Dr Lee" in maya.last_text
    patel = (await providers(running))[1]
    assert patel.archived_at is not None
    # An archived provider's old buttons do nothing.
    answer = await maya.tap_data(ProviderButton(patel.id, "e").encode())
    assert answer == "That provider is not in your network."


async def test_another_therapist_can_neither_see_nor_use_a_provider(
    running: OfflineBot, maya: Phone, leo: Phone
) -> None:
    await new_client_note(maya, "Anna K.")
    await add_provider(maya, "Dr Lee", "Physiotherapist")
    lee = (await providers(running))[0]
    await leo.send("/providers")
    assert "No providers yet" in leo.last_text and "Dr Lee" not in leo.last_text
    for action in ("v", "e", "x", "y"):
        answer = await leo.tap_data(ProviderButton(lee.id, action).encode())
        assert answer == "That provider is not in your network."
    assert (await providers(running))[0].archived_at is None

    # Leo's own referral offers only his network; Maya's provider forged in is refused.
    await new_client_note(leo, "Ben T.")
    await leo.send("/refer Ben")
    await leo.tap("The client asked")
    assert not any("Dr Lee" in label for label in leo.all_buttons)
    to_question = leo.last_message
    assert to_question is not None
    data = to_question.callback_data[0][0]
    assert data.startswith("f:")
    forged = data.rsplit(":", 1)[0] + f":p{lee.id}"
    answer = await leo.tap_data(forged)
    assert "earlier step" in answer
    # Maya's client, and Maya's referral buttons, are not Leo's either.
    async with running.db.unit_of_work() as uow:
        anna = (await uow.clients.names(1001))[0][1]
    assert await leo.tap_data(ReferStart(anna.id).encode()) == "That client is not in your list."
    await refer_anna(maya)
    referral = (await referrals(running))[0]
    for data in (
        FollowUpAnswer(referral.id, "s").encode(),
        ReferralConsent(referral.id, "p").encode(),
    ):
        assert await leo.tap_data(data) == "That referral is not in your list."
    assert await leo.tap_data(ReferralConsent(referral.id, "y").encode()) == (
        "That question isn't for you."
    )
    referral = (await referrals(running))[0]
    assert (referral.consent, referral.outcome, referral.provider_id) == ("unasked", None, lee.id)
    assert len(await referrals(running)) == 1


async def refer_anna(maya: Phone) -> None:
    await maya.send("/refer Anna")
    await maya.tap("Suspected disc")
    await maya.tap("Dr Lee")
    await past_the_letterhead(maya)
    await maya.tap("Save")


async def test_the_client_allows_the_summary(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    anna = await two_sessions(running, maya, clock)
    await add_provider(maya, "Dr Lee", "Physiotherapist")
    await refer_anna_to_dr_lee(maya)
    assert "I've asked Anna K. whether I may share a summary" in maya.last_text
    assert not maya.documents  # the letter waits for Anna's answer

    await running.dispatch()
    question = anna.last_text
    assert "Maya would like to send a summary of your treatment to Dr Lee (physiotherapist)" in (
        question
    )
    # The reason as the client should read it, not the letter's clinical line.
    assert "Why: To have your back and joints looked at by someone who examines them." in question
    assert "Suspected disc" not in question
    # What the summary holds, all of it (Anna has no intake here: no health answers in it).
    assert (
        "The summary has your session dates, what was treated, your pain scores and a chart of "
        "your progress, your plan and your exercises. If you don't allow it, the letter gives "
        "only the reason."
    ) in question
    assert anna.all_buttons == ["✅ Allow", "✖️ Don't allow"]
    consent = anna.last_message
    assert consent is not None
    await allow(anna)
    thanks = anna.message(consent.message_id)
    assert "Thank you — Maya will send the summary to Dr Lee (physiotherapist)" in thanks.text
    assert "Two optional questions for the letter follow below." in thanks.text
    assert thanks.inline_keyboard == []  # (the intake's stay open)
    # What happens next, once the letter's questions are skipped: the last word.
    assert "letter to Dr Lee (physiotherapist) goes without them" in anna.last_text
    assert (
        "What happens next: Maya will talk the next step through with you — when and how to "
        "see Dr Lee (physiotherapist). There is nothing you need to do now."
    ) in anna.last_text
    assert any("Anna K. allowed the summary to go to Dr Lee" in m.text for m in maya.messages)
    text = letter_text(maya)
    assert "Anna K." in text and "Dr Lee" in text
    assert "Suspected disc or joint problem" in text
    for day in (FIRST_SESSION, SECOND_SESSION):
        assert day_label(day) in text
    assert "Swedish" in text
    assert letter_images(maya) == 1  # the progress chart
    assert "with the treatment summary" in maya.documents[-1].text

    # A second tap (or a stale one) changes nothing and sends no second letter.
    answer = await anna.tap_data(consent.callback_data[0][1], message_id=consent.message_id)
    assert answer == "That was answered already — nothing was changed."
    assert len(maya.documents) == 1
    # The therapist cannot answer for the client.
    answer = await maya.tap_data(consent.callback_data[0][0])
    assert answer == "That question isn't for you."
    (referral,) = await referrals(running)
    assert referral.consent == "given" and referral.letter_sent_at is not None

    await maya.send("/clients")
    await maya.tap("Anna K.")
    assert "↗️ Referred to Dr Lee (physiotherapist) 27 Nov — consent given" in maya.last_text


async def test_the_client_refuses_and_the_letter_gives_only_the_reason(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    anna = await two_sessions(running, maya, clock)
    await add_provider(maya, "Dr Lee", "Physiotherapist")
    await refer_anna_to_dr_lee(maya)
    await running.dispatch()
    await anna.tap("Don't allow")
    assert "no details of your treatment go to Dr Lee" in anna.last_text
    assert any("Anna K. did not allow" in m.text for m in maya.messages)
    text = letter_text(maya)
    assert "Anna K." in text and "Suspected disc or joint problem" in text
    assert "did not consent" in text
    for absent in ("Swedish", "Neck", "→", day_label(FIRST_SESSION)):
        assert absent not in text
    assert letter_images(maya) == 0  # no chart either
    (referral,) = await referrals(running)
    assert referral.consent == "refused"
    answer = await anna.tap_data(ReferralConsent(referral.id, "y").encode())
    assert answer == "That was answered already — nothing was changed."
    assert (await referrals(running))[0].consent == "refused"


async def test_a_client_not_on_the_bot_and_consent_given_in_person(
    running: OfflineBot, maya: Phone
) -> None:
    await new_client_note(maya, "Ben T.", techniques=("Deep tissue",))
    await maya.send("/clients")
    await maya.tap("Ben T.")
    await maya.tap("⋯ More")
    await maya.tap("Refer")
    assert "Why" in maya.last_text
    await maya.send("x" * 301)
    assert "That is 301 characters; a reason holds up to 300" in maya.last_text
    await maya.send("Shoulder clicks on every lift")
    await maya.tap("Any physician")
    assert "Reason: Shoulder clicks on every lift" in maya.last_text
    await past_the_letterhead(maya)
    await maya.tap("Save")
    card = maya.messages[-2]
    assert "Ben T. is not on the bot" in card.text
    text = letter_text(maya)
    assert "Shoulder clicks on every lift" in text and "Deep tissue" not in text
    assert "with the reason only" in maya.documents[-1].text
    (referral,) = await referrals(running)
    assert (referral.consent, referral.reason, referral.profession) == (
        "unasked",
        "typed",
        "physician",
    )

    await maya.tap("Client agreed in person", message_id=card.message_id)
    assert len(maya.documents) == 2
    text = letter_text(maya)
    assert "Deep tissue" in text and day_label(NOW.date()) in text
    assert (await referrals(running))[0].consent == "given"
    answer = await maya.tap_data(ReferralConsent(referral.id, "p").encode())
    assert answer == "That was answered already — nothing was changed."
    assert len(maya.documents) == 2


async def test_a_client_who_blocked_the_bot_cannot_be_asked(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    await two_sessions(running, maya, clock)
    await add_provider(maya, "Dr Lee", "Physiotherapist")
    await refer_anna_to_dr_lee(maya)
    running.emulator.block(ANNA)
    await running.emulator.wait_processed()
    await running.dispatch()
    assert any("I couldn't ask Anna K." in m.text for m in maya.messages)
    assert "Swedish" not in letter_text(maya)
    assert (await referrals(running))[0].consent == "unasked"


async def test_a_consent_question_answered_by_someone_else(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    await two_sessions(running, maya, clock)
    await new_client_note(maya, "Eve S.")
    token = await invite(maya, "Eve")
    eve = running.emulator.user(id=EVE, first_name="Eve")
    await eve.send(f"/start {token}")
    await eve.tap("I agree")
    await add_provider(maya, "Dr Lee", "Physiotherapist")
    await refer_anna_to_dr_lee(maya)
    (referral,) = await referrals(running)
    answer = await eve.tap_data(ReferralConsent(referral.id, "y").encode())
    assert answer == "That question isn't for you."
    # A therapist's follow-up button in a client's hands is refused before any handler.
    answer = await eve.tap_data(FollowUpAnswer(referral.id, "s").encode())
    assert answer == "That button belongs to an earlier note."
    referral = (await referrals(running))[0]
    assert (referral.consent, referral.outcome) == ("pending", None)
    assert not maya.documents


async def test_a_decision_point_starts_a_referral_with_its_reason(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    await two_sessions(running, maya, clock)
    async with running.db.unit_of_work() as uow:
        anna = (await uow.clients.names(1001))[0][1]
    await maya.tap_data(ReferStart(anna.id, NO_PROGRESS).encode())
    assert "To whom" in maya.last_text  # the reason is known: straight to the recipient
    # No "2 of 2" counting a step never seen: the steps shown are to whom and, her profile
    # unset, the letterhead's three; the given reason is shown.
    first_line = maya.last_text.splitlines()[0]
    assert first_line == "↗️ Referral for Anna K. · 1 of 4"
    assert "Reason: No progress" in maya.last_text.splitlines()[1]
    assert "cancel, add them with /providers, and refer again" in maya.last_text
    labels = maya.all_buttons
    assert labels.index("Any physiotherapist") < labels.index("Any physician")
    assert labels.index("Any physician") < labels.index("Any chiropractor")
    await maya.tap("Any physiotherapist")
    assert "Reason: No progress after 2 sessions" in maya.last_text
    await past_the_letterhead(maya)
    await maya.tap("Save")
    (referral,) = await referrals(running)
    assert (referral.reason, referral.profession, referral.provider_id) == (
        NO_PROGRESS,
        "physio",
        None,
    )
    await running.dispatch()
    assert "to a physiotherapist" in running.emulator.user(id=ANNA).last_text


async def test_the_follow_up_two_weeks_later(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    anna = await two_sessions(running, maya, clock)  # referred on Friday 27 Nov
    await add_provider(maya, "Dr Lee", "Physiotherapist")
    await refer_anna_to_dr_lee(maya)
    await running.dispatch()
    await allow(anna)

    def asked() -> int:
        # Answered questions are edited: their first text is in the message's history.
        return sum(
            any("Did Anna K. see" in text for text in (m.text, *m.history)) for m in maya.messages
        )

    clock.set(datetime(2026, 12, 10, 12, 0, tzinfo=UTC))
    await running.dispatch()
    assert asked() == 0
    clock.set(datetime(2026, 12, 11, 8, 0, tzinfo=UTC))  # 14 days on, at the digest time
    await running.dispatch()
    assert asked() == 1
    question = next(m for m in maya.messages if "Did Anna K. see" in m.text)
    assert "Did Anna K. see Dr Lee (physiotherapist)? (referred 27 Nov)" in question.text
    await maya.tap("Not yet", message_id=question.message_id)
    assert "I'll ask again on 18 Dec" in maya.message(question.message_id).text
    (referral,) = await referrals(running)
    assert referral.outcome == "not_yet" and referral.follow_up_on == date(2026, 12, 18)
    answer = await maya.tap_data(question.callback_data[1][0], message_id=question.message_id)
    assert answer == "That was answered already — nothing was changed."
    await maya.send("/clients")
    await maya.tap("Anna K.")
    assert "↗️ Referred to Dr Lee (physiotherapist) 27 Nov — consent given — not seen yet" in (
        maya.last_text
    )

    clock.set(datetime(2026, 12, 17, 12, 0, tzinfo=UTC))
    await running.dispatch()
    assert asked() == 1
    clock.set(datetime(2026, 12, 18, 8, 0, tzinfo=UTC))
    await running.dispatch()
    assert asked() == 2
    await maya.tap("Seen")
    assert "Anna K. saw Dr Lee (physiotherapist) — noted." in maya.last_text
    referral = (await referrals(running))[0]
    assert referral.outcome == "seen" and referral.outcome_at == clock.now()
    await maya.send("/clients")
    await maya.tap("Anna K.")
    assert "↗️ Referred to Dr Lee (physiotherapist) 27 Nov — consent given — seen" in (
        maya.last_text
    )
    clock.set(datetime(2027, 1, 31, 12, 0, tzinfo=UTC))
    await running.dispatch()
    assert asked() == 2
    async with running.db.unit_of_work() as uow:
        waiting = await uow.session.scalars(
            select(Delivery).where(Delivery.kind == "followup", Delivery.status == "pending")
        )
        assert list(waiting) == []


async def test_no_form_is_left_behind_by_a_forged_start(running: OfflineBot, leo: Phone) -> None:
    await leo.send("/start")
    assert await leo.tap_data(ReferStart(999).encode()) == "That client is not in your list."
    async with running.db.unit_of_work() as uow:
        assert list(await uow.session.scalars(select(FormDraft))) == []


async def test_a_decision_point_is_answered_by_the_referral_made_not_the_tap(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    await new_client_note(maya, "Anna K.", areas=("Neck",))  # pain 6 → 3
    await plan(maya)  # re-evaluate after 4 sessions
    for before, after in (("6", "4"), ("5", "3"), ("6", "4")):
        await note(maya, clock, before, after)
    question = maya.last_message
    assert question is not None and "Time to re-evaluate Anna K.'s plan." in question.text
    [decision] = await decisions(running)

    # A note in progress: the referral cannot open, and the question comes back at once.
    await maya.send("/note")
    await maya.tap("↗️ Refer", message_id=question.message_id)
    assert "You have a note in progress" in maya.messages[-2].text
    assert "No referral was made, so this question is still open:" in maya.last_text
    assert maya.all_buttons == ["📋 Adjust plan", "↗️ Refer", "▶️ Continue as planned"]
    assert (await decisions(running))[0].answer is None
    await maya.send("/cancel")

    # Begun, then cancelled halfway: no referral, and the decision claims none.
    await maya.send("/progress Anna")
    asked_again = maya.last_message
    assert asked_again is not None and "Time to re-evaluate" in asked_again.text
    await maya.tap("↗️ Refer", message_id=asked_again.message_id)
    assert "fill in the referral below" in maya.message(asked_again.message_id).text
    assert "Why" in maya.last_text
    await maya.tap("Suspected disc")
    assert (await decisions(running))[0].answer is None  # the form is open, nothing made yet
    await maya.tap("✖️ Cancel")
    assert "Cancelled — nothing was saved" in maya.messages[-2].text
    assert "No referral was made, so this question is still open:" in maya.last_text
    assert maya.all_buttons == ["📋 Adjust plan", "↗️ Refer", "▶️ Continue as planned"]
    assert await referrals(running) == []
    answers, referred = await exported_decisions(maya)
    assert answers == ["Not answered yet"] and referred == []

    # Made: the decision is answered, linked to the referral, and the record shows both.
    reopened = next(m for m in reversed(maya.messages) if "still open" in m.text)
    await maya.tap("↗️ Refer", message_id=reopened.message_id)
    await maya.tap("Suspected disc")
    await maya.tap("Any physician")
    await past_the_letterhead(maya)
    await maya.tap("Save")
    [referral] = await referrals(running)
    [decision] = await decisions(running)
    assert referral.decision_id == decision.id
    assert (decision.answer, decision.answered_at) == ("refer", clock.now())
    answers, referred = await exported_decisions(maya)
    assert answers == ["Refer to another professional"]
    assert [(r["profession"], r["reason"]) for r in referred] == [
        ("Physician", "Suspected disc or joint problem")
    ]
    # Every copy of the question now knows it was answered.
    for card in (question, asked_again, reopened):
        answer = await maya.tap_data(card.callback_data[0][0], message_id=card.message_id)
        assert answer == "Already decided: refer to another professional."


async def test_a_decision_cannot_be_answered_by_anyone_else_s_referral(
    running: OfflineBot, maya: Phone, leo: Phone, clock: FrozenClock
) -> None:
    await new_client_note(maya, "Anna K.", areas=("Neck",))
    await plan(maya)
    for before, after in (("6", "4"), ("5", "3"), ("6", "4")):
        await note(maya, clock, before, after)
    [decision] = await decisions(running)
    # Leo's own client, with Maya's decision forged into his referral button.
    await new_client_note(leo, "Ben T.")
    async with running.db.unit_of_work() as uow:
        ben = (await uow.clients.names(1002))[0][1]
    await leo.tap_data(ReferStart(ben.id, NO_PROGRESS, decision.id).encode())
    await leo.tap("Any physiotherapist")
    await past_the_letterhead(leo)
    await leo.tap("Save")
    [referral] = await referrals(running)
    assert referral.decision_id is None
    async with running.db.unit_of_work() as uow:
        stored = await uow.session.get(Decision, decision.id)
    assert stored is not None and stored.answer is None


async def test_the_letter_need_not_wait_for_a_client_who_does_not_answer(
    running: OfflineBot, maya: Phone, leo: Phone, clock: FrozenClock
) -> None:
    anna = await two_sessions(running, maya, clock)
    await add_provider(maya, "Dr Lee", "Physiotherapist")
    await maya.send("/refer Anna")
    await maya.send("Shoulder clicks on every lift.")
    await maya.tap("Dr Lee")
    await past_the_letterhead(maya)
    await maya.tap("Save")
    saved = maya.last_message
    assert saved is not None and "the letter comes to you when they answer" in saved.text
    assert len(saved.text) < 330  # the seen one was ~330 characters before the nudge below
    # One button a row: two of these side by side are cut short on a phone.
    assert saved.buttons == [["🤝 Client agreed in person"], ["📄 Reason only, now"]]
    # Maya has no phone or email on /profile yet: she is told before the letter goes.
    assert "📇 Letters give no phone or email for you yet" in saved.text
    assert "/profile adds them before the letter goes" in saved.text
    await running.dispatch()
    assert "Why: Shoulder clicks on every lift.\n" in anna.last_text  # not "lift.."
    (referral,) = await referrals(running)
    # Neither another therapist nor the client can ask for the therapist's letter.
    await leo.send("/start")
    for phone in (leo, anna):
        answer = await phone.tap_data(ReferralConsent(referral.id, "r").encode())
        assert answer == "That referral is not in your list."
    assert not maya.documents

    await maya.tap("Reason only, now", message_id=saved.message_id)
    text = letter_text(maya)
    assert "Shoulder clicks on every lift" in text and "Swedish" not in text
    assert "has not yet consented" in text
    assert "with the reason only" in maya.documents[-1].text
    answer = await maya.tap("Reason only, now", message_id=saved.message_id)
    assert answer == "The letter was sent to you already."
    assert len(maya.documents) == 1
    assert (await referrals(running))[0].consent == "pending"  # still hers to answer
    # She answers after all: the letter with the summary follows.
    await allow(anna)
    assert len(maya.documents) == 2 and "Swedish" in letter_text(maya)


async def test_a_client_who_stopped_the_bot_and_a_referral_declined(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    anna = await two_sessions(running, maya, clock)
    await anna.send("/stop")
    await add_provider(maya, "Dr Lee", "Physiotherapist")
    await refer_anna(maya)
    saved = maya.messages[-2]
    assert "Anna K. has stopped the bot's messages, so I couldn't ask" in saved.text
    assert "not on the bot" not in saved.text
    assert "Swedish" not in letter_text(maya)
    await running.dispatch()
    assert not any("summary of your treatment" in m.text for m in anna.messages)

    clock.set(datetime(2026, 12, 11, 8, 0, tzinfo=UTC))
    await running.dispatch()
    await maya.tap("Declined")
    assert "Anna K. declined the referral to Dr Lee (physiotherapist) — noted." in maya.last_text
    await maya.send("/clients")
    await maya.tap("Anna K.")
    assert "↗️ Referred to Dr Lee (physiotherapist) 27 Nov — reason only — decided not to go" in (
        maya.last_text
    )


async def test_the_letter_can_be_had_again_from_the_client_card(
    running: OfflineBot, maya: Phone, leo: Phone, clock: FrozenClock
) -> None:
    anna = await two_sessions(running, maya, clock)
    await add_provider(maya, "Dr Lee", "Physiotherapist")
    await refer_anna_to_dr_lee(maya)
    await running.dispatch()
    assert not maya.documents  # waiting for Anna

    # While Anna has not answered: said so, and the letter gives the reason only.
    await maya.send("/clients")
    await maya.tap("Anna K.")
    await maya.tap("⋯ More")
    assert "📄 Letter to Dr Lee" in maya.all_buttons
    answer = await maya.tap("📄 Letter to Dr Lee")
    assert answer == "Anna K. hasn't answered yet: the letter gives the reason only."
    assert len(maya.documents) == 1
    text = letter_text(maya)
    assert "Suspected disc or joint problem" in text and "has not yet consented" in text
    assert "Swedish" not in text and letter_images(maya) == 0
    assert "with the reason only" in maya.documents[-1].text

    # The bot stopped between Anna's "Allow" and the letter: the consent is on record, the
    # letter never went. The card's button sends it, with the summary.
    (referral,) = await referrals(running)
    async with running.db.unit_of_work() as uow:
        stored = await uow.session.get(Referral, referral.id)
        assert stored is not None
        stored.consent = "given"
        await uow.commit()
    clock.set(datetime(2026, 11, 27, 11, 0, tzinfo=UTC))
    await maya.send("/clients")
    await maya.tap("Anna K.")
    await maya.tap("⋯ More")
    await maya.tap("📄 Letter to Dr Lee")
    assert len(maya.documents) == 2
    assert "Swedish" in letter_text(maya) and letter_images(maya) == 1
    assert "with the treatment summary" in maya.documents[-1].text
    assert (await referrals(running))[0].letter_sent_at == clock.now()

    # Nobody else can have it: not another therapist, not the client.
    await leo.send("/start")
    for phone in (leo, anna):
        answer = await phone.tap_data(ReferralConsent(referral.id, "l").encode())
        assert answer == "That referral is not in your list."
        assert not phone.documents
    assert len(maya.documents) == 2


async def test_a_consent_question_queued_before_a_move_reaches_the_new_account_only(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    anna = await two_sessions(running, maya, clock)
    await add_provider(maya, "Dr Lee", "Physiotherapist")
    await refer_anna_to_dr_lee(maya)  # the question is queued, not yet sent
    token = await invite(maya)
    new_phone = running.emulator.user(id=EVE, first_name="Anna")
    await new_phone.send(f"/start {token}")
    await new_phone.tap("I agree")
    await new_phone.tap("Berlin")
    before = len(anna.messages)

    await running.dispatch()
    assert "Maya would like to send a summary" in new_phone.last_text
    assert all("summary of your treatment" not in m.text for m in anna.messages[before:])
    await allow(new_phone)
    assert (await referrals(running))[0].consent == "given"
