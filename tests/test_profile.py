"""The therapist's letterhead (/profile): the name, practice and contact printed on referral
letters and exported records, so a physician knows who wrote and how to answer."""

from __future__ import annotations

from sqlalchemy import select

from demo.offline import OfflineBot
from emulator import Phone
from storage.models import Therapist
from tests.chat import allow, new_client_note, skip_intake
from tests.test_invites import join
from tests.test_referrals import add_provider
from tests.test_reports import pdf_text


async def fill_profile(maya: Phone) -> None:
    await maya.send("/profile")
    assert "Your letterhead" in maya.last_text and "name" in maya.last_text
    assert "e.g. Sam Taylor, LMT" in maya.last_text  # an example no one's own name
    await maya.send("Maya Collins, LMT")
    assert "e.g. Harbour Street Massage" in maya.last_text
    await maya.send("Riverside Massage")
    await maya.send("call me")  # not a phone number: asked again, nothing lost
    assert "at least 5 digits" in maya.last_text
    await maya.send("+44 20 7946 0000")
    await maya.send("maya@riverside.example")
    summary = maya.last_text
    assert "Name: Maya Collins, LMT" in summary and "Practice: Riverside Massage" in summary
    await maya.tap("Save")
    assert "Letters and records now come from Maya Collins, LMT, Riverside Massage" in (
        maya.last_text
    )


async def test_the_letterhead_reaches_the_letter_and_the_record(
    running: OfflineBot, maya: Phone
) -> None:
    await new_client_note(maya, "Ben T.")  # not on the bot: consent is given in person
    await fill_profile(maya)
    await add_provider(maya, "Dr Lee", "Physiotherapist")
    await maya.send("/refer Ben")
    await maya.tap("Beyond the scope of massage")
    await maya.tap("Dr Lee")
    await maya.tap("Save")
    await maya.tap("Client agreed in person")
    _, letter = pdf_text(maya.documents[-1].file_bytes or b"")
    for part in ("Riverside Massage", "Maya Collins, LMT", "+44 20 7946 0000", "maya@riverside"):
        assert part in letter, part

    await maya.send("/export Ben")
    record = maya.documents[-2]  # the PDF, then the CSV
    assert (record.filename or "").endswith(".pdf")
    _, text = pdf_text(record.file_bytes or b"")
    assert "Prepared by Maya Collins, LMT" in text


async def test_profile_opens_at_its_summary_once_set_and_is_the_therapists_own(
    running: OfflineBot, maya: Phone, leo: Phone
) -> None:
    await fill_profile(maya)
    await maya.send("/profile")
    assert "Name: Maya Collins, LMT" in maya.last_text  # straight to the summary
    await maya.tap("Edit a field")
    await maya.tap("Practice")
    await maya.tap("Skip")  # the practice name is optional: cleared
    await maya.tap("Save")
    assert maya.last_text.endswith("Letters and records now come from Maya Collins, LMT.")
    await leo.send("/profile")
    assert "as letters should show it" in leo.last_text  # Leo starts his own, empty
    assert "Riverside" not in leo.last_text and "+44" not in leo.last_text
    async with running.db.unit_of_work() as uow:
        rows = {t.id: t for t in await uow.session.scalars(select(Therapist))}
    assert rows[maya.id].practice_name is None and rows[maya.id].phone == "+44 20 7946 0000"
    assert rows[leo.id].letter_name is None


async def test_a_first_referral_asks_for_the_letterhead_so_its_letter_carries_it(
    running: OfflineBot, maya: Phone
) -> None:
    """Maya has never opened /profile. The letter is made the moment Anna taps Allow, so the
    referral itself asks who it comes from and how to answer; the next referral does not."""
    await new_client_note(maya, "Anna K.")
    anna = await join(running, maya)
    await anna.tap("London")
    await skip_intake(anna)
    await add_provider(maya, "Dr Lee", "Physiotherapist")
    await maya.send("/refer Anna")
    await maya.tap("Suspected disc or joint problem")
    await maya.tap("Dr Lee")
    assert "Referral for Anna K. · 3 of 5" in maya.last_text
    assert "under your name: how should it be signed?" in maya.last_text
    assert "e.g. Sam Taylor, LMT" in maya.last_text
    await maya.send("Maya Collins, LMT")
    await maya.send("Riverside Massage")
    assert "reach you" in maya.last_text
    assert "e.g. +44 20 7946 0000, sam@example.com" in maya.last_text
    await maya.send("ring me")  # neither a phone nor an email: asked again, nothing lost
    assert "⚠️ Type a phone number, an email address, or both" in maya.last_text
    await maya.send("+44 20 7946 0000, maya@riverside.example")
    summary = maya.last_text
    for line in (
        "Your name: Maya Collins, LMT",
        "Your practice: Riverside Massage",
        "Your phone or email: +44 20 7946 0000 · maya@riverside.example",
    ):
        assert line in summary, line
    await maya.tap("Save")
    assert "no phone or email for you yet" not in maya.last_text
    async with running.db.unit_of_work() as uow:
        therapist = await uow.therapists.get(maya.id)
    assert therapist is not None
    assert (therapist.letter_name, therapist.practice_name) == (
        "Maya Collins, LMT",
        "Riverside Massage",
    )
    assert (therapist.phone, therapist.email) == ("+44 20 7946 0000", "maya@riverside.example")

    await running.dispatch()
    await allow(anna)
    letter = pdf_text(maya.documents[-1].file_bytes or b"")[1]
    for part in (
        "Riverside Massage",
        "Maya Collins, LMT",
        "You can reach me on +44 20 7946 0000 or at maya@riverside.example",
    ):
        assert part in " ".join(letter.split()), part

    # Kept: the next referral goes from the recipient to its summary.
    await maya.send("/refer Anna")
    await maya.tap("The client asked")
    await maya.tap("Any physician")
    assert "check and save" in maya.last_text and "Your name" not in maya.last_text


async def test_a_letterhead_without_a_phone_or_email_is_asked_only_for_them(
    running: OfflineBot, maya: Phone
) -> None:
    await new_client_note(maya, "Ben T.")
    await maya.send("/profile")
    await maya.send("Maya Collins")
    for _ in range(3):  # practice, phone, email
        await maya.tap("Skip")
    await maya.tap("Save")
    await maya.send("/refer Ben")
    await maya.tap("The client asked")
    await maya.tap("Any physician")
    assert "· 3 of 3" in maya.last_text and "reach you" in maya.last_text
    await maya.send("maya@example.org")
    assert "Your phone or email: maya@example.org" in maya.last_text
    assert "Your name" not in maya.last_text
    await maya.tap("Save")
    await maya.tap("Client agreed in person")
    letter = " ".join(pdf_text(maya.documents[-1].file_bytes or b"")[1].split())
    assert "Maya Collins" in letter and "You can reach me at maya@example.org" in letter
    async with running.db.unit_of_work() as uow:
        therapist = await uow.therapists.get(maya.id)
    assert therapist is not None and therapist.letter_name == "Maya Collins"
    assert therapist.email == "maya@example.org" and therapist.phone is None
