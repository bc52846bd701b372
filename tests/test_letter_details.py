"""After a client allows a referral's summary, the bot asks them (each optional, one question at a
time, saying whom it is for) their date of birth and a phone or email: kept with the client,
printed on the letter, listed in /mydata, erased by /forgetme."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from demo.offline import OfflineBot
from emulator import Phone
from practice.clock import FrozenClock
from storage.models import Client, Delivery
from tests.chat import past_the_letterhead
from tests.test_referrals import add_provider, letter_text, refer_anna_to_dr_lee, two_sessions


async def anna_row(running: OfflineBot, maya: Phone) -> Client:
    async with running.db.unit_of_work() as uow:
        (_, client), *_ = await uow.clients.names(maya.id)
    return client


async def outbox_rows(running: OfflineBot, kind: str) -> list[Delivery]:
    async with running.db.unit_of_work() as uow:
        return list(await uow.session.scalars(select(Delivery).where(Delivery.kind == kind)))


async def test_the_client_gives_a_date_of_birth_and_contact_for_the_letter(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    anna = await two_sessions(running, maya, clock)
    await add_provider(maya, "Dr Lee", "Physiotherapist")
    await refer_anna_to_dr_lee(maya)
    await running.dispatch()
    await anna.tap("✅ Allow")

    # Asked one thing at a time, saying whom it is for; the letter waits, the therapist need not.
    asked = anna.last_text
    assert "For the letter to Dr Lee (physiotherapist), if you'd like: your date of birth" in asked
    assert "so they can match the letter to you" in asked
    assert anna.all_buttons == ["Skip ➡️"]
    birth_question = anna.last_message
    assert birth_question is not None
    assert not maya.documents
    assert "I've asked them for their date of birth and a phone or email" in maya.last_text
    assert maya.all_buttons == ["📄 The letter now"]

    await anna.send("31 February 1985")
    assert "⚠️ No such day. Type your date of birth like 14 March 1985" in anna.last_text
    await anna.send("14 March")
    assert "⚠️ A date of birth needs its year" in anna.last_text
    await anna.send("14.03.1985")
    assert "phone number or email Dr Lee (physiotherapist) may contact you on" in anna.last_text
    await anna.send("whenever")
    assert "⚠️ Type a phone number, an email address, or both" in anna.last_text
    await anna.send("anna@example.org")
    assert "Thank you — that goes on the letter to Dr Lee (physiotherapist)" in anna.last_text

    letter = " ".join(letter_text(maya).split())
    assert "Date of birth: 14 March 1985 · Phone or email: anna@example.org" in letter
    client = await anna_row(running, maya)
    assert (client.birth_date, client.contact, client.awaiting) == (
        date(1985, 3, 14),
        "anna@example.org",
        None,
    )
    # The first question's Skip, tapped late, changes nothing.
    answer = await anna.tap("Skip", message_id=birth_question.message_id)
    assert answer == "That was answered already — nothing was changed."
    assert (await anna_row(running, maya)).birth_date == date(1985, 3, 14)

    # Kept for the next letter: not asked again.
    await maya.send("/refer Anna")
    await maya.tap("The client asked")
    await maya.tap("Dr Lee")
    await past_the_letterhead(maya)
    await maya.tap("Save")
    clock.advance(timedelta(seconds=1))  # the dispatcher sends a chat one message a second
    await running.dispatch()
    letters = len(maya.documents)
    await anna.tap("✅ Allow")
    assert "date of birth" not in anna.last_text
    assert len(maya.documents) == letters + 1
    assert "Date of birth: 14 March 1985" in " ".join(letter_text(maya).split())

    await anna.send("/mydata")
    assert "Date of birth (for referral letters): 14 Mar 1985" in anna.last_text
    assert "Phone or email (for referral letters): anna@example.org" in anna.last_text
    await anna.send("/forgetme")
    assert "the date of birth and the phone or email you gave for referral letters" in (
        anna.last_text
    )
    await anna.tap("🗑 Erase my data")
    client = await anna_row(running, maya)
    assert (client.birth_date, client.contact) == (None, None)


async def test_both_skipped_the_letter_goes_without_them_and_a_refusal_asks_nothing(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    anna = await two_sessions(running, maya, clock)
    await add_provider(maya, "Dr Lee", "Physiotherapist")
    await refer_anna_to_dr_lee(maya)
    await running.dispatch()
    await anna.tap("✅ Allow")
    await anna.tap("Skip")
    assert "phone number or email" in anna.last_text
    await anna.tap("Skip")
    assert "letter to Dr Lee (physiotherapist) goes without them" in anna.last_text
    letter = letter_text(maya)
    assert "Date of birth" not in letter and "Phone or email" not in letter

    await maya.send("/refer Anna")
    await maya.tap("The client asked")
    await maya.tap("Dr Lee")
    await past_the_letterhead(maya)
    await maya.tap("Save")
    clock.advance(timedelta(seconds=1))
    await running.dispatch()
    await anna.tap("Don't allow")
    assert "date of birth" not in anna.last_text  # nothing is asked for a letter not allowed
    assert "with the reason only" in maya.documents[-1].text


async def test_the_therapist_can_have_the_letter_before_the_client_answers(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    anna = await two_sessions(running, maya, clock)
    await add_provider(maya, "Dr Lee", "Physiotherapist")
    await refer_anna_to_dr_lee(maya)
    await running.dispatch()
    await anna.tap("✅ Allow")
    await maya.tap("📄 The letter now")
    assert len(maya.documents) == 1 and "with the treatment summary" in maya.documents[-1].text
    await anna.send("14 March 1985")
    await anna.tap("Skip")
    assert len(maya.documents) == 2  # the letter again, with what she gave
    assert "Date of birth: 14 March 1985" in " ".join(letter_text(maya).split())


async def allowed_with_letterhead(running: OfflineBot, maya: Phone, clock: FrozenClock) -> Phone:
    """Anna referred by a Maya whose letterhead reads "Maya Collins, LMT"; she allows it."""
    anna = await two_sessions(running, maya, clock)
    await add_provider(maya, "Dr Lee", "Physiotherapist")
    await maya.send("/refer Anna")
    await maya.tap("Suspected disc or joint problem")
    await maya.tap("Dr Lee")
    await past_the_letterhead(maya, name="Maya Collins, LMT")
    await maya.tap("Save")
    await running.dispatch()
    # The therapist as the letter names them, not by their Telegram first name.
    assert anna.last_text.startswith("↗️ Maya Collins, LMT would like to send a summary")
    await anna.tap("✅ Allow")
    return anna


async def test_the_reassurance_comes_after_the_questions(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    anna = await allowed_with_letterhead(running, maya, clock)
    thanks = anna.messages[-2]
    assert thanks.text == (
        "✅ Thank you — Maya Collins, LMT will send the summary to Dr Lee (physiotherapist); "
        "nothing is sent to them from this chat.\n\n"
        "Two optional questions for the letter follow below."
    )
    assert "date of birth" in anna.last_text and anna.all_buttons == ["Skip ➡️"]
    await anna.tap("Skip")
    assert anna.all_buttons == ["Skip ➡️"]  # the contact question has one too
    await anna.send("anna@example.org")
    assert anna.last_text == (
        "✅ Thank you — that goes on the letter to Dr Lee (physiotherapist).\n\n"
        "What happens next: Maya Collins, LMT will talk the next step through with you — when "
        "and how to see Dr Lee (physiotherapist). There is nothing you need to do now.\n\n"
        "Any question about it? Write it here and it goes to Maya Collins, LMT, or ask at "
        "your next visit."
    )
    assert sum("nothing you need to do now" in m.text for m in anna.messages) == 1
    assert len(maya.documents) == 1
    # Answered in time: the wait's end sends nothing more.
    clock.advance(timedelta(hours=49))
    await running.dispatch()
    assert len(maya.documents) == 1


async def test_the_letter_goes_without_the_details_after_two_days(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    anna = await allowed_with_letterhead(running, maya, clock)
    assert "or in 2 days without them — or now with the button" in maya.last_text
    await anna.send("14 March 1985")
    contact_question = anna.last_message
    assert contact_question is not None and "phone number or email" in contact_question.text

    clock.advance(timedelta(hours=47, minutes=59))
    await running.dispatch()
    assert not maya.documents  # still waiting
    clock.advance(timedelta(minutes=1))
    await running.dispatch()
    line, letter = maya.messages[-2:]
    assert line.text == (
        "⏳ Anna K. hasn't answered in 2 days, so here is the letter without their phone or email:"
    )
    assert len(maya.documents) == 1 and "with the treatment summary" in letter.text
    text = " ".join(letter_text(maya).split())
    assert "Date of birth: 14 March 1985" in text and "Phone or email" not in text
    # Anna is told too, in her chat, through the outbox: she need not answer any more.
    told = len(maya.messages)
    await running.dispatch()
    assert anna.last_text == (
        "📄 The letter to Dr Lee (physiotherapist) has gone without a phone or email — that's "
        "fine, nothing more is needed from you. Should you send it still, it is kept for any "
        "later letter."
    )
    assert len(maya.messages) == told
    [gone] = await outbox_rows(running, "lettergone")
    assert (gone.status, gone.chat_id) == ("sent", anna.id)  # her private chat

    # A late answer is still kept, and says the letter went; nothing more is asked.
    await anna.send("anna@example.org")
    assert anna.last_text.startswith(
        "✅ Thank you — saved. The letter to Dr Lee (physiotherapist) has already gone without "
        "it; it will be on any later letter (/mydata shows it)."
    )
    assert anna.last_text.endswith("or ask at your next visit.")
    late = anna.last_message
    assert late is not None and late.inline_keyboard == []
    client = await anna_row(running, maya)
    assert (client.contact, client.awaiting) == ("anna@example.org", None)
    assert len(maya.documents) == 1
    answer = await anna.tap("Skip", message_id=contact_question.message_id)
    assert answer == "That was answered already — nothing was changed."


async def test_a_late_skip_or_other_words_find_nothing_broken(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    anna = await allowed_with_letterhead(running, maya, clock)
    birth_question = anna.last_message
    assert birth_question is not None
    clock.advance(timedelta(hours=48))
    await running.dispatch()
    assert "without their date of birth and their phone or email:" in maya.messages[-2].text
    clock.advance(timedelta(seconds=2))  # a second after the check-in sent to her chat
    await running.dispatch()
    gone = "has gone without your date of birth and a phone or email —"
    assert sum(gone in m.text for m in anna.messages) == 1  # (a check-in came too)
    answer = await anna.tap("Skip", message_id=birth_question.message_id)
    assert answer == "The letter has already gone — nothing more is needed."
    assert anna.message(birth_question.message_id).inline_keyboard == []
    assert (await anna_row(running, maya)).awaiting is None

    # Words that are no date, typed after the wait, are a message for the therapist.
    anna2 = await allowed_again(running, maya, clock, anna)
    clock.advance(timedelta(hours=48))
    await running.dispatch()
    await anna2.send("Should I still do the exercises?")
    assert "already gone" not in anna2.last_text
    assert (await anna_row(running, maya)).awaiting is None


async def allowed_again(running: OfflineBot, maya: Phone, clock: FrozenClock, anna: Phone) -> Phone:
    await maya.send("/refer Anna")
    await maya.tap("The client asked")
    await maya.tap("Dr Lee")
    await past_the_letterhead(maya)
    await maya.tap("Save")
    clock.advance(timedelta(seconds=1))
    await running.dispatch()
    await anna.tap("✅ Allow")
    assert "date of birth" in anna.last_text
    return anna
