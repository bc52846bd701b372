"""After a client allows a referral's summary, the bot asks them (each optional, one question at a
time, saying whom it is for) their date of birth and a phone or email: kept with the client,
printed on the letter, listed in /mydata, erased by /forgetme."""

from __future__ import annotations

from datetime import date, timedelta

from demo.offline import OfflineBot
from emulator import Phone
from practice.clock import FrozenClock
from storage.models import Client
from tests.chat import past_the_letterhead
from tests.test_referrals import add_provider, letter_text, refer_anna_to_dr_lee, two_sessions


async def anna_row(running: OfflineBot, maya: Phone) -> Client:
    async with running.db.unit_of_work() as uow:
        (_, client), *_ = await uow.clients.names(maya.id)
    return client


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
    assert "Thank you — it's on Maya's letter to Dr Lee (physiotherapist)" in anna.last_text

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
