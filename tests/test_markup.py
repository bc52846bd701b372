"""Whatever a user types is shown as typed: markup in any field reaches every screen that shows
it literally (the bot sends HTML; the emulator parses it like Telegram and refuses bad entities),
never as a link or bold, never breaking the message, and never as `&lt;` in a PDF or CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from demo.offline import OfflineBot
from emulator import Phone
from practice.clock import FrozenClock
from tests.chat import allow, new_client_note, past_the_letterhead
from tests.conftest import MAYA
from tests.test_invites import ANNA, invite, invite_text
from tests.test_reminders import clock as clock  # the October clock, as a fixture
from tests.test_reminders import run_until
from tests.test_reports import pdf_text

# A bold tag, a bare ampersand, a link and a lone "<": each breaks a message in its own way.
MARKUP = '<b>x</b> & <a href="http://evil">y</a> pain <5'
SHORT = '<b>x</b> & <a href="e">y</a> <5'  # for fields of 40 characters
NO_ONE = '<u>qq</u> & <a href="e">qq</a> <9'  # a search that finds no client


def broke(running: OfflineBot) -> list[str]:
    """The messages Telegram refused to parse, and the bot's apologies for them."""
    refused = [
        f"{c.method}: {c.description}"
        for c in running.emulator.calls
        if not c.ok and "parse entities" in (c.description or "")
    ]
    sorry = [
        m.text
        for phone in running.emulator.phones.values()
        for m in phone.messages
        if "something went wrong" in m.text
    ]
    return refused + sorry


def links(phone: Phone) -> list[str]:
    """Texts of the phone's messages that show a link the bot never meant to send."""
    return [
        m.text
        for m in phone.messages
        if any(e["type"] in ("text_link", "url", "text_mention") for e in m.entities)
    ]


def shown(phone: Phone, since: int = 0) -> str:
    """Everything the phone shows from message `since` on, as one text."""
    return "\n".join(m.text for m in phone.messages[since:])


async def join_as_typed(running: OfflineBot, maya: Phone) -> Phone:
    """The client named MARKUP joins by their invite link."""
    token = await invite(maya, MARKUP)
    anna = running.emulator.user(id=ANNA, first_name=MARKUP, last_name=SHORT)
    await anna.send(f"/start {token}")
    await anna.tap("I agree")
    await anna.tap("Berlin")
    return anna


async def improving_note(maya: Phone, clock: FrozenClock, before: str, after: str) -> None:
    """A week later, a note for the client with these pains."""
    clock.advance(timedelta(days=7))
    await maya.send("/note")
    for label in (MARKUP, "Done", "Done", "Medium", before, after, "Skip to summary", "Save"):
        await maya.tap(label)


def assert_literal(running: OfflineBot, *phones: Phone) -> None:
    assert broke(running) == []
    for phone in phones:
        assert links(phone) == []
        everything = shown(phone)
        assert "&lt;" not in everything and "&amp;" not in everything


async def test_markup_in_a_note_shows_literally_in_every_screen_of_the_record(
    running: OfflineBot,
) -> None:
    maya = running.emulator.user(id=MAYA, first_name="Maya")
    await maya.send("/note")
    await maya.tap("New client")
    await maya.send(MARKUP)  # the client's name
    assert f"Note for {MARKUP}" in maya.last_text
    await maya.tap("Neck")
    await maya.tap("Other…")
    await maya.send(MARKUP)
    await maya.tap("Done")
    await maya.tap("Swedish")
    await maya.tap("Other…")
    await maya.send(MARKUP)
    await maya.tap("Done")
    for label in ("Medium", "6", "3"):
        await maya.tap(label)
    for _ in range(4):  # client reports, findings, response, plan
        await maya.send(MARKUP)
    summary = maya.last_text
    assert summary.count(MARKUP) >= 7, summary
    await maya.tap("Save")
    assert f"Note #1 for {MARKUP}" in maya.last_text

    await maya.send("/history")
    await maya.tap(MARKUP)
    assert maya.last_text.count(MARKUP) >= 7, maya.last_text
    await maya.tap("✏️ Amend #1")
    await maya.tap("Findings")
    await maya.send(MARKUP + " again")
    assert MARKUP in maya.last_text
    await maya.send(MARKUP)  # the reason
    assert "amended (revision 1)" in maya.last_text and maya.last_text.count(MARKUP) >= 2

    await maya.send("/history")
    await maya.tap(MARKUP)
    assert f"amended Mon 19 Oct (today): {MARKUP}" in maya.last_text
    await maya.send("/clients")
    await maya.tap(MARKUP)
    card = maya.last_text
    assert card.startswith(f"👤 {MARKUP}") and f"(today): {MARKUP}" in card

    for command in ("/history", "/plan", "/export", "/progress", "/refer", "/invite"):
        await maya.send(f"{command} {NO_ONE}")  # echoed back as typed
        assert NO_ONE in maya.last_text, (command, maya.last_text)
    await maya.send("/clients")
    await maya.send(NO_ONE)
    assert NO_ONE in maya.last_text

    # The same name again: the near duplicate is pointed out; /note again: the one in progress.
    await maya.send("/note")
    await maya.tap("New client")
    await maya.send(MARKUP.upper())
    assert f"You already have {MARKUP}. Is {MARKUP.upper()} the same person?" in maya.last_text
    await maya.tap(f"Use {MARKUP}")
    await maya.send("/note")
    assert f"You have a note in progress for {MARKUP}" in maya.last_text
    await maya.tap("Start over")
    await maya.send("/cancel")

    await maya.send("/export")
    await maya.tap(MARKUP)
    pdf, spreadsheet = maya.documents[-2:]
    _, record = pdf_text(pdf.file_bytes or b"")
    assert "&lt;" not in record and "&amp;" not in record
    assert "pain <5" in record and '<a href="http://evil">' in " ".join(record.split())
    rows = list(csv.reader(io.StringIO((spreadsheet.file_bytes or b"").decode("utf-8-sig"))))
    cells = [cell for row in rows for cell in row]
    assert MARKUP in cells and not any("&lt;" in cell for cell in cells)
    assert_literal(running, maya)


async def test_markup_in_plans_homework_and_check_ins_shows_literally_on_both_phones(
    running: OfflineBot, clock: FrozenClock
) -> None:
    # Telegram names are typed by their owners too: the therapist's goes to her clients.
    maya = running.emulator.user(id=MAYA, first_name="<b>Maya</b> &", last_name=SHORT)
    therapist = f"<b>Maya</b> & {SHORT}"
    await new_client_note(maya, MARKUP, areas=("Neck",))
    token = await invite(maya, MARKUP)
    assert f"Invite for {MARKUP}" in invite_text(maya)
    assert f"The QR code of {MARKUP}'s link" in maya.photos[-1].text
    anna = running.emulator.user(id=ANNA, first_name=MARKUP, last_name=SHORT)
    await anna.send(f"/start {token}")
    assert therapist in anna.last_text
    await anna.tap("I agree")
    await anna.tap("Berlin")
    assert f"✅ {MARKUP} joined the bot." in shown(maya)

    await maya.send("/exercise")
    await maya.send(SHORT)
    await maya.tap("Neck")
    await maya.send(f"1. {MARKUP}\n2. {MARKUP}")
    await maya.send(SHORT)  # the dose
    await maya.send(MARKUP)  # the caution
    assert maya.last_text.count(MARKUP) == 3 and SHORT in maya.last_text
    await maya.tap("Save")
    assert f"✓ {SHORT} is in your exercises" in maya.last_text

    await maya.send("/clients")
    await maya.tap(MARKUP)
    await maya.tap("⋯ More")
    await maya.tap("📋 Plan")
    await maya.send(MARKUP)  # the complaint
    await maya.tap("Neck")
    await maya.send(MARKUP)  # the goal
    await maya.send(MARKUP)  # the activity tracked
    for label in ("6", "Weekly", "4", "Today"):
        await maya.tap(label)
    assert maya.last_text.count(MARKUP) >= 4
    await maya.tap("Save")
    assert f"sent to {MARKUP}" in maya.last_text
    assert anna.last_text.count(MARKUP) == 3 and therapist in anna.last_text

    await maya.send("/clients")
    await maya.tap(MARKUP)
    await maya.tap("🧘 Homework")
    await maya.tap("Add exercise")
    await maya.send(NO_ONE)  # a search, echoed
    assert f"Showing matches for “{NO_ONE}”" in maya.last_text
    await maya.send("x")
    await maya.tap(SHORT)
    for label in ("Keep", "Every day", "08:00", "4 wk"):
        await maya.tap(label)
    await maya.send(MARKUP)  # the note for the client
    assert maya.last_text.count(MARKUP) >= 2 and SHORT in maya.last_text
    await maya.tap("Save")
    assert f"✓ {SHORT} for {MARKUP}" in maya.last_text
    homework = anna.last_text
    assert homework.count(MARKUP) == 4 and SHORT in homework and therapist in homework

    await anna.send("/start")
    first = MARKUP.split()[0]  # she is greeted by her first name
    assert f"Hi {first}!" in anna.last_text and SHORT in anna.last_text
    await anna.send("/homework")
    assert anna.last_text.count(MARKUP) == 4
    await anna.send("/settings")
    await anna.tap("Time zone")
    await anna.send(MARKUP)
    assert f"I don't know the time zone “{MARKUP[:40]}”" in anna.last_text
    await anna.send("Berlin")
    await anna.send("/mydata")
    assert anna.last_text.count(MARKUP) >= 1 and SHORT in anna.last_text
    await anna.tap("📄 Send it as PDF and CSV")
    _, mine = pdf_text(anna.documents[-2].file_bytes or b"")
    assert "&lt;" not in mine and "&amp;" not in mine and SHORT in mine
    await maya.send("/plan")
    await maya.tap(MARKUP)
    assert maya.last_text.count(MARKUP) >= 3
    await maya.send("/homework")
    await maya.tap(MARKUP)
    assert SHORT in maya.last_text

    # Wednesday 21 Oct: the first check-in; worse, with a comment; Thursday's digest.
    await run_until(running, clock, datetime(2026, 10, 21, 12, 0, tzinfo=UTC), kind="📊")
    assert therapist in anna.last_text
    reminder = next(m for m in anna.messages if m.text.startswith(f"🧘 {SHORT}"))
    await anna.tap("✅ Done", message_id=reminder.message_id)
    assert anna.message(reminder.message_id).text.startswith(f"🧘 {SHORT} — {SHORT}")
    stranger = running.emulator.user(id=4242, first_name=MARKUP, last_name=MARKUP)
    await stranger.send(MARKUP)
    assert "ask them for your personal invite link" in stranger.last_text
    await anna.tap("9")
    assert f"{MARKUP} reports feeling worse" in maya.last_text
    await anna.tap("Worse")
    assert MARKUP in anna.last_text  # the activity
    await anna.tap("3")
    await anna.send(MARKUP)
    assert therapist in anna.last_text
    assert maya.last_text == f"💬 {MARKUP} added to their check-in: “{MARKUP}”"
    await run_until(running, clock, datetime(2026, 10, 22, 7, 30, tzinfo=UTC))
    assert maya.last_text.startswith("☀️ Good morning") and MARKUP in maya.last_text
    await maya.send("/clients")
    await maya.tap(MARKUP)
    assert maya.last_text.count(MARKUP) == 2 and SHORT in maya.last_text  # name, goal
    await anna.send("/pause")
    await anna.tap("Until a date…")
    await anna.send(MARKUP)
    assert anna.last_text.startswith("⚠️ I couldn't use that date")
    await anna.send("/forgetme")
    assert therapist in anna.last_text
    await anna.tap("🗑 Erase my data")
    assert therapist in anna.last_text
    assert maya.last_text.startswith(f"🗑 {MARKUP} asked the bot to erase their data")
    assert_literal(running, maya, anna, stranger)


async def test_the_improvement_note_confirms_with_the_name_as_typed(
    running: OfflineBot, clock: FrozenClock
) -> None:
    maya = running.emulator.user(id=MAYA, first_name="<b>Maya</b> &")
    await new_client_note(maya, MARKUP, areas=("Neck",), before="6", after="3")
    anna = await join_as_typed(running, maya)
    for before, after in (("4", "2"), ("3", "1")):
        await improving_note(maya, clock, before, after)
    assert maya.last_text.startswith(f"🌱 {MARKUP} is clearly better.")
    await maya.send("/progress")
    await maya.tap(MARKUP)
    assert maya.photos[-1].text.startswith(f"📈 {MARKUP}\nImproving")
    await maya.tap("💬 Send <b>x</b> a note")
    assert "Hi <b>x</b>, <b>Maya</b> & here." in maya.last_text
    await maya.tap("✅ Send")
    assert maya.last_text == f"Sent to {MARKUP} ✓"
    assert anna.last_text.startswith("Hi <b>x</b>, <b>Maya</b> & here.")
    assert_literal(running, maya, anna)


async def test_markup_in_the_letterhead_providers_and_referrals_shows_literally(
    running: OfflineBot, clock: FrozenClock
) -> None:
    maya = running.emulator.user(id=MAYA, first_name="Maya")
    await new_client_note(maya, MARKUP, areas=("Neck",))
    anna = await join_as_typed(running, maya)
    await maya.send("/profile")
    await maya.send(MARKUP)  # the name on letters
    await maya.send(MARKUP)  # the practice
    await maya.tap("Skip")  # phone
    await maya.tap("Skip")  # email
    assert maya.last_text.count(MARKUP) == 2
    await maya.tap("Save")
    assert maya.last_text.endswith(f"come from {MARKUP}, {MARKUP}.")

    await maya.send("/providers")
    await maya.tap("Add provider")
    await maya.send(MARKUP)
    await maya.tap("Physiotherapist")
    await maya.send(MARKUP)  # the clinic
    await maya.tap("Skip")  # phone
    await maya.tap("Skip")  # email
    await maya.send(MARKUP)  # notes
    assert maya.last_text.count(MARKUP) == 3
    await maya.tap("Save")
    assert f"Saved ✓ {MARKUP} · Physiotherapist" in maya.last_text
    await maya.send("/providers")
    assert f"• {MARKUP} · Physiotherapist — {MARKUP}" in maya.last_text
    await maya.tap(f"{MARKUP} · Physiotherapist")
    assert maya.last_text.count(MARKUP) == 3

    await maya.send("/refer")
    await maya.tap(MARKUP)
    await maya.send(MARKUP)  # the reason, in her own words
    await maya.tap(MARKUP)  # to the provider
    assert maya.last_text.count(MARKUP) >= 3
    await past_the_letterhead(maya)
    await maya.tap("Save")
    assert f"Referral saved: {MARKUP} → {MARKUP} (physiotherapist)" in maya.last_text
    await running.dispatch()
    question = anna.last_text
    assert f"of your treatment to {MARKUP} (physiotherapist)" in question
    assert f"Why: {MARKUP}." in question
    consent = anna.last_message
    assert consent is not None
    await allow(anna)
    assert (
        f"send the summary to {MARKUP} (physiotherapist)" in anna.message(consent.message_id).text
    )
    assert f"{MARKUP} allowed the summary to go to {MARKUP}" in shown(maya)
    letter = maya.documents[-1]
    assert f"Referral letter for {MARKUP} to {MARKUP}" in letter.text
    _, words = pdf_text(letter.file_bytes or b"")
    assert "&lt;" not in words and "&amp;" not in words and "pain <5" in words
    await maya.send("/clients")
    await maya.tap(MARKUP)
    assert f"Referred to {MARKUP} (physiotherapist)" in maya.last_text

    clock.advance(timedelta(days=15))  # the follow-up, two weeks on
    await running.dispatch()
    assert f"Did {MARKUP} see {MARKUP} (physiotherapist)?" in shown(maya)
    await maya.tap("Seen")
    assert f"{MARKUP} saw {MARKUP} (physiotherapist) — noted." in maya.last_text
    await anna.send("/mydata")
    assert f"may go to {MARKUP}" in anna.last_text or f"go to {MARKUP}" in anna.last_text
    assert_literal(running, maya, anna)
