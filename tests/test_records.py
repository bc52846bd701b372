"""Records that travel: the whole record exported, notes amended (never overwritten), a client's
own data on request, and a client's erasure."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from pypdf import PdfReader
from sqlalchemy import func, select

from demo.offline import OfflineBot
from emulator import Phone
from practice.clock import FrozenClock
from reports.gather import client_record
from storage.models import CheckIn, Client, Delivery, NoteRevision, Referral
from tests.chat import allow, new_client_note, past_the_letterhead
from tests.conftest import LEO, MAYA
from tests.test_invites import ANNA, invite, invite_text, join
from tests.test_reminders import run_until


async def second_note(maya: Phone, before: str = "5", after: str = "2") -> None:
    await maya.send("/note")
    for label in ("Anna K.", "Done", "Done", "Medium", before, after, "Skip to summary", "Save"):
        await maya.tap(label)


async def anna_id(running: OfflineBot) -> int:
    async with running.db.unit_of_work() as uow:
        [anna] = await uow.clients.search(MAYA, "Anna", 1)
    return anna.id


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


async def test_gather_reads_the_whole_record(running: OfflineBot, maya: Phone) -> None:
    await new_client_note(maya, "Anna K.", techniques=("Deep tissue",), before="7", after="3")
    client_id = await anna_id(running)
    today = running.clock.now().date()
    async with running.db.unit_of_work() as uow:
        record = await client_record(uow, MAYA, client_id, today=today, zone="Europe/London")
        assert await client_record(uow, LEO, client_id, today=today, zone="UTC") is None
    assert record is not None
    assert record.client.name == "Anna K." and record.practice.therapist_name == "Maya"
    [session] = record.sessions
    assert session.techniques == ["Deep tissue"] and session.areas == ["Neck", "Shoulders"]
    assert record.helped and "Deep tissue" in record.helped[0]
    assert record.verdict and record.verdict.startswith("Not enough ratings")


async def test_export_sends_a_pdf_and_a_csv_of_the_whole_record(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    await new_client_note(maya, "Anna K.", before="7", after="4")
    clock.advance(timedelta(days=7))
    await second_note(maya)
    await maya.send("/export Anna")
    assert "Preparing the record for Anna K." in maya.messages[-3].history[0]
    assert "The record for Anna K. (2 sessions)" in maya.messages[-3].text
    pdf, sheet = maya.documents[-2:]
    assert pdf.filename == "Anna K. — record 2026-12-02.pdf"
    assert sheet.filename == "Anna K. — record 2026-12-02.csv"
    assert pdf.file_bytes is not None and sheet.file_bytes is not None
    text = pdf_text(pdf.file_bytes)
    for expected in ("Anna K.", "25 Nov 2026", "2 Dec 2026", "Progress chart"):
        assert expected in text
    sessions = [r for r in csv_rows(sheet.file_bytes) if r["record_type"] == "session"]
    assert [(r["date"], r["pain_before"], r["pain_after"]) for r in sessions] == [
        ("2026-11-25", "7", "4"),
        ("2026-12-02", "5", "2"),
    ]

    # From the card too; and never for another therapist, even with forged data.
    await maya.send("/clients")
    await maya.tap("Anna K.")
    await maya.tap("⋯ More")
    await maya.tap("📄 Export record")
    assert len(maya.documents) == 4
    client_id = await anna_id(running)
    leo = running.emulator.user(id=LEO, first_name="Leo")
    await leo.send("/start")
    answer = await leo.tap_data(f"ex:{client_id}", message_id=leo.last_message_id)
    assert answer == "That client is not in your list."
    await leo.send("/export Anna")
    assert leo.documents == [] and "No client matches" in leo.last_text


async def test_a_note_is_amended_with_a_reason_and_its_history_kept(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    await new_client_note(maya, "Anna K.", before="6", after="3")
    clock.advance(timedelta(days=1))
    await maya.send("/history Anna")
    await maya.tap("✏️ Amend #1")
    assert "Amend note #1 for Anna K." in maya.last_text
    await maya.tap("Pain after")
    assert "Pain after now reads: 3" in maya.last_text
    await maya.tap("2")
    assert "Pain after: 3 → 2" in maya.last_text and "Why the change?" in maya.last_text
    await maya.tap("Typo")
    assert "Note #1 amended (revision 1): Pain after: 3 → 2 · Typo" in maya.last_text

    # A text field, with a typed value and a typed reason.
    await maya.send("/history Anna")
    assert "✏️ amended Thu 26 Nov (today): Typo" in maya.last_text
    await maya.tap("✏️ Amend #1")
    await maya.tap("Findings")
    await maya.send("Trigger points in the left upper trapezius")
    assert "Findings: — → “Trigger points" in maya.last_text
    await maya.send("Forgot to write it down")
    assert "revision 2" in maya.last_text and "Forgot to write it down" in maya.last_text

    await maya.send("/clients")
    await maya.tap("Anna K.")
    assert "amended twice, last on Thu 26 Nov (today): Forgot to write it down" in maya.last_text

    async with running.db.unit_of_work() as uow:
        revisions = list(await uow.session.scalars(select(NoteRevision).order_by(NoteRevision.id)))
        [note] = (await uow.notes.page(MAYA, await anna_id(running), offset=0, limit=5)).notes
    assert [r.before for r in revisions] == [{"pain_after": 3}, {"findings": None}]
    assert [r.revision for r in revisions] == [0, 1]
    assert note.revision == 2 and note.pain_after == 2 and note.amended_at == clock.now()
    assert note.findings == "Trigger points in the left upper trapezius"

    await maya.send("/export Anna")
    rows = csv_rows(maya.documents[-1].file_bytes or b"")
    changes = [(r["reason"], r["changes"]) for r in rows if r["record_type"] == "revision"]
    assert changes[0] == ("Typo", "Pain after: 3 → 2")
    assert changes[1][0] == "Forgot to write it down"
    assert "Pain after: 3 → 2" in pdf_text(maya.documents[-2].file_bytes or b"")


async def test_only_the_notes_own_therapist_can_amend_it(
    running: OfflineBot, maya: Phone, leo: Phone
) -> None:
    await new_client_note(maya, "Anna K.")
    async with running.db.unit_of_work() as uow:
        [note] = (await uow.notes.page(MAYA, await anna_id(running), offset=0, limit=5)).notes
    await leo.send("/start")
    for data in (f"am:{note.id}:o", f"am:{note.id}:f:pa", f"am:{note.id}:r:typo"):
        answer = await leo.tap_data(data, message_id=leo.last_message_id)
        assert answer == "That note is not in your records."
    # Maya's own buttons out of order (no amendment open) change nothing either.
    await maya.send("/start")
    answer = await maya.tap_data(f"am:{note.id}:v:1", message_id=maya.last_message_id)
    assert "amendment has ended" in (answer or "")
    async with running.db.unit_of_work() as uow:
        count = await uow.session.scalar(select(func.count()).select_from(NoteRevision))
    assert count == 0


async def test_my_data_shows_a_client_only_their_own(running: OfflineBot, maya: Phone) -> None:
    await new_client_note(maya, "Anna K.")
    await maya.send("/note")
    for label in ("Anna K.", "Done", "Done", "Medium", "5", "3"):
        await maya.tap(label)
    await maya.send("Sore after gardening")  # the client reports: the therapist's note
    await maya.tap("Skip to summary")
    await maya.tap("Save")
    await new_client_note(maya, "Boris P.")
    anna = await join(running, maya)
    await anna.tap("London")

    await anna.send("/mydata")
    text = anna.last_text
    assert "What the bot holds about you" in text and "25 Nov 2026" in text
    assert "Sore after gardening" not in text and "Boris" not in text
    await anna.tap("Send it as PDF and CSV")
    pdf, sheet = anna.documents[-2:]
    assert pdf.filename == "Anna K. — my data 2026-11-25.pdf"
    pdf_words = pdf_text(pdf.file_bytes or b"")
    assert "25 Nov 2026" in pdf_words and "London time" in pdf_words
    assert "gardening" not in pdf_words and "Boris" not in pdf_words
    rows = csv_rows(sheet.file_bytes or b"")
    assert {r["client"] for r in rows if r["client"]} == {"Anna K."}
    assert not any("gardening" in value for r in rows for value in r.values())


async def test_forget_me_erases_and_the_bot_never_writes_again(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    await new_client_note(maya, "Anna K.")
    anna = await join(running, maya)
    await anna.tap("London")
    await second_note(maya)  # check-ins are queued for Anna after this session
    client_id = await anna_id(running)
    async with running.db.unit_of_work() as uow:
        queued = await uow.session.scalar(
            select(func.count()).select_from(Delivery).where(Delivery.client_id == client_id)
        )
    assert queued

    await anna.send("/forgetme")
    question = anna.last_text
    assert "Erase your data?" in question and "never write to you again" in question
    # Exactly what goes, and what the therapist keeps and for how long.
    assert "Erased now, for good: your ratings and comments between visits" in question
    assert "any request to share your details you have not answered yet" in question
    assert "Maya keeps (not erased): the clinical notes of your sessions" in question
    assert "a health record they must keep for 7 years" in question
    assert "your answers to requests to share your treatment details" in question
    await anna.tap("Keep")
    assert "Nothing was erased" in anna.last_text
    menu = [command for command, _ in anna.commands]
    assert "mydata" in menu and "homework" in menu  # a client's menu while on the bot
    await anna.send("/forgetme")
    await anna.tap("🗑 Erase my data")
    assert "Your data has been erased" in anna.last_text
    # The menu is everyone's again: no client commands for a chat that is no one's client.
    assert [command for command, _ in anna.commands] == ["start", "help"]
    assert "Maya keeps (not erased)" in anna.last_text and "7 years" in anna.last_text
    assert (
        "Anna K. asked the bot to erase their data; your clinical notes are kept under the "
        "practice's retention setting (7 years)" in maya.last_text
    )

    async with running.db.unit_of_work() as uow:
        client = await uow.session.get(Client, client_id)
        assert client is not None
        assert client.telegram_user_id is None and client.forgotten_at == clock.now()
        for table, where in ((Delivery, Delivery.client_id), (CheckIn, CheckIn.client_id)):
            count = await uow.session.scalar(
                select(func.count()).select_from(table).where(where == client_id)
            )
            assert count == 0
        notes = await uow.notes.page(MAYA, client_id, offset=0, limit=5)
    assert notes.total == 2  # the therapist's clinical notes stay

    # A month passes, another session is noted: nothing reaches Anna.
    received = len(anna.messages)
    await second_note(maya)
    for _ in range(30):
        clock.advance(timedelta(days=1))
        await running.dispatch()
    assert len(anna.messages) == received

    await anna.send("/start")
    assert "ask them for your personal invite link" in anna.last_text
    await anna.send("/mydata")
    assert "ask them for your personal invite link" in anna.last_text


async def refer_to_dr_lee(maya: Phone) -> None:
    await maya.send("/providers")
    await maya.tap("Add provider")
    await maya.send("Dr Lee")
    await maya.tap("Physiotherapist")
    for _ in range(4):
        await maya.tap("Skip")
    await maya.tap("Save")
    await maya.send("/refer Anna")
    await maya.tap("Suspected disc")
    await maya.tap("Dr Lee")
    await past_the_letterhead(maya)
    await maya.tap("Save")


async def test_a_forgotten_client_hears_nothing_until_they_rejoin_by_a_new_invite(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    await new_client_note(maya, "Anna K.", techniques=("Deep tissue",))
    anna = await join(running, maya)
    await anna.tap("London")
    await second_note(maya)
    await run_until(running, clock, datetime(2026, 11, 28, 12, 0, tzinfo=UTC), kind="📊")
    await anna.tap("4")  # a rating between visits
    # One referral she allowed, one still waiting for her answer.
    await refer_to_dr_lee(maya)
    await running.dispatch()
    await allow(anna)
    await maya.send("/refer Anna")
    await maya.tap("The client asked")
    await maya.tap("Dr Lee")
    await past_the_letterhead(maya)
    await maya.tap("Save")
    clock.advance(timedelta(seconds=1))  # the dispatcher sends a chat one message a second
    await running.dispatch()
    waiting = anna.last_message
    assert waiting is not None and waiting.buttons == [["✅ Allow", "✖️ Don't allow"]]
    await anna.send("/mydata")
    mine = anna.last_text
    assert "pain 4" in mine
    assert "you allowed a summary of your treatment to go to Dr Lee (physiotherapist)" in mine
    assert "waiting for your answer: may a summary of your treatment go to Dr Lee" in mine

    await anna.send("/forgetme")
    await anna.tap("🗑 Erase my data")
    told = next(m for m in reversed(maya.messages) if "asked the bot to erase" in m.text)
    assert "so are the consent answers they gave to referrals" in told.text
    assert "that question is withdrawn: here is the letter with the reason only" in told.text
    letter = maya.documents[-1]
    assert "with the reason only" in letter.text
    assert "Deep tissue" not in pdf_text(letter.file_bytes or b"")
    client_id = await anna_id(running)
    async with running.db.unit_of_work() as uow:
        kept = list(await uow.session.scalars(select(Referral).order_by(Referral.id)))
        to_anna = await uow.session.scalar(
            select(func.count()).select_from(Delivery).where(Delivery.chat_id == ANNA)
        )
    assert [r.consent for r in kept] == ["given", "unasked"]  # the answer given is evidence
    assert to_anna == 0  # no row is left that could ever reach her chat
    # Her old consent question is a stranger's button now.
    answer = await anna.tap_data(waiting.callback_data[0][0], message_id=waiting.message_id)
    assert answer == "This bot serves a practice's therapists and their invited clients."

    # A new invite: the bot still does not write to her; a note and days pass in silence.
    token = await invite(maya)
    assert "asked the bot to erase their data, so it will not contact them" in invite_text(maya)
    received = len(anna.messages)
    await second_note(maya)
    for _ in range(6):  # the link works for 7 days
        clock.advance(timedelta(days=1))
        await running.dispatch()
    assert len(anna.messages) == received

    # She opens the link herself and agrees again: a new consent, a fresh start.
    await anna.send(f"/start {token}")
    assert "Is this OK?" in anna.last_text
    await anna.tap("I agree")
    assert "You're connected with Maya ✓" in anna.messages[-3].text
    assert "which time zone" in anna.messages[-2].text  # then the 📍 location offer
    assert "Anna K. opened your new invite and agreed again" in maya.last_text
    async with running.db.unit_of_work() as uow:
        client = await uow.session.get(Client, client_id)
        assert client is not None
        assert (client.telegram_user_id, client.forgotten_at) == (ANNA, None)
        assert client.joined_at == clock.now()
        ratings = await uow.session.scalar(
            select(func.count())
            .select_from(CheckIn)
            .where(CheckIn.client_id == client_id, CheckIn.answered_at.is_not(None))
        )
    assert ratings == 0  # what was erased stays erased
    await anna.tap("London")
    await anna.send("/mydata")
    mine = anna.last_text
    assert "Your ratings between visits:\nnone" in mine
    assert "pain 4" not in mine
    assert "you allowed a summary" in mine  # the therapist's evidence, shown to her
    # And the bot writes to her again: the next session's check-in arrives.
    await second_note(maya)
    now = clock.now()
    before = len(anna.messages)
    await run_until(running, clock, now + timedelta(days=3), kind="📊")
    assert any(m.text.startswith("📊") for m in anna.messages[before:])


async def test_a_late_erase_tap_writes_nothing_to_the_erased_person(
    running: OfflineBot, maya: Phone
) -> None:
    """After erasure a tap on an erase card (a second card, the same card again, or the
    erasing tap delivered again after a crash) gets a callback answer at most, never a
    message or an edit."""
    await new_client_note(maya, "Anna K.")
    anna = await join(running, maya)
    await anna.tap("London")
    await anna.send("/forgetme")
    older = anna.last_message_id
    await anna.send("/forgetme")
    await anna.tap("🗑 Erase my data")
    erasing = running.emulator.last_update_id
    screen = [(m.message_id, m.text, m.edits) for m in anna.messages]
    told = len(maya.messages)

    await anna.tap("🗑 Erase my data", message_id=older)
    await anna.tap("Keep", message_id=older)
    await anna.tap_data("fm:y")
    running.emulator.redeliver(erasing)
    await anna.wait_processed()
    assert [(m.message_id, m.text, m.edits) for m in anna.messages] == screen
    assert len(maya.messages) == told
