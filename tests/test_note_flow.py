"""The post-session note, end to end: the real Application talking HTTP to the emulator."""

from __future__ import annotations

from datetime import date

from demo.offline import OfflineBot
from emulator import Phone
from tests.chat import new_client_note, notes_of
from tests.conftest import MAYA


async def test_start_welcomes_and_sets_the_therapist_menu(running: OfflineBot, maya: Phone) -> None:
    await maya.send("/start")
    assert "keeps your session notes" in maya.last_text
    assert "/note" in maya.last_text
    commands = dict(running.emulator.commands[f"chat:{MAYA}"])
    assert {"note", "history", "cancel", "help"} <= set(commands)
    everyone = dict(running.emulator.commands["all_private_chats"])
    assert "note" not in everyone


async def test_a_new_clients_note_is_saved_whole(running: OfflineBot, maya: Phone) -> None:
    await maya.send("/note")
    assert "which client" in maya.last_text
    await maya.tap("New client")
    await maya.send("Anna K.")
    assert "areas" in maya.last_text
    for label in ("Neck", "Shoulders"):
        await maya.tap(label)
    assert "✓ Neck" in maya.all_buttons
    await maya.tap("Done")
    await maya.tap("Trigger point")
    await maya.tap("Done")
    await maya.tap("Firm")
    await maya.tap("6")
    await maya.send(" 3 ")
    await maya.send("Stiff neck after long drives")
    await maya.send("ROM limited in left rotation, hypertonic R upper trapezius")
    await maya.tap("Skip ➡️")  # response to treatment
    await maya.send("Continue neck work")
    summary = maya.last_text
    for expected in (
        "Anna K.",
        "Wed 25 Nov (today)",
        "Neck, Shoulders",
        "Trigger point",
        "Firm",
        "6 → 3",
        "Stiff neck after long drives",
        "hypertonic R upper trapezius",
        "Continue neck work",
    ):
        assert expected in summary
    assert maya.all_buttons[:3] == ["✅ Save", "✏️ Edit a field", "📅 Change date"]
    await maya.tap("Save")
    assert maya.last_text == "Saved ✓ Note #1 for Anna K., 25 Nov. Pain 6 → 3."
    # The next steps, each whole on a phone: three 15-character labels do not share a row.
    assert maya.buttons == [["📋 Set a plan", "🧘 Add homework"], ["📅 Next visit"]]

    [note] = await notes_of(running, MAYA)
    assert note.number == 1
    assert note.session_date == date(2026, 11, 25)
    assert note.areas == ["neck", "shoulders"]
    assert note.techniques == ["trigger"]
    assert (note.pressure, note.pain_before, note.pain_after) == ("firm", 6, 3)
    assert note.subjective == "Stiff neck after long drives"
    assert note.response is None
    assert note.plan_next == "Continue neck work"


async def test_tap_budgets_for_a_new_and_a_returning_client(
    running: OfflineBot, maya: Phone
) -> None:
    new_client_taps = await new_client_note(maya)
    assert new_client_taps <= 12

    # Returning client: last areas, techniques and pressure are preselected; keep them.
    await maya.send("/note")
    taps = 0
    for label in ("Anna K.", "Done", "Done"):
        await maya.tap(label)
        taps += 1
    assert "✓ Medium" in maya.all_buttons
    for label in ("Medium", "5", "2", "Skip to summary", "Save"):
        await maya.tap(label)
        taps += 1
    assert taps <= 8
    assert maya.last_text == "Saved ✓ Note #2 for Anna K., 25 Nov. Pain 5 → 2."
    notes = await notes_of(running, MAYA)
    assert sorted(n.number for n in notes) == [1, 2]
    assert all(n.areas == ["neck", "shoulders"] for n in notes)


async def test_taps_edit_the_card_in_place(running: OfflineBot, maya: Phone) -> None:
    await maya.send("/note")
    await maya.tap("New client")
    await maya.send("Anna K.")
    card = maya.last_message
    assert card is not None
    sent_before = len(running.emulator.calls_to("sendMessage"))
    for label in ("Neck", "Done", "Swedish", "Done", "Light", "4", "2", "Skip ➡️", "Skip ➡️"):
        await maya.tap(label)
    assert len(running.emulator.calls_to("sendMessage")) == sent_before
    assert maya.last_message is not None
    assert maya.last_message.message_id == card.message_id
    # Only the current card carries buttons: no wall of stale keyboards.
    assert [m.message_id for m in maya.messages if m.buttons] == [card.message_id]


async def test_typed_input_moves_the_card_down_and_strips_the_old_one(
    running: OfflineBot, maya: Phone
) -> None:
    await maya.send("/note")
    await maya.tap("New client")
    await maya.send("Anna K.")
    for label in ("Neck", "Done", "Swedish", "Done", "Light"):
        await maya.tap(label)
    await maya.send("7")
    await maya.send("7/10")
    with_buttons = [m for m in maya.messages if m.buttons]
    assert len(with_buttons) == 1
    assert maya.last_message is not None
    assert with_buttons[0].message_id == maya.last_message.message_id


async def test_pain_accepts_digits_and_re_asks_clearly(running: OfflineBot, maya: Phone) -> None:
    await maya.send("/note")
    await maya.tap("New client")
    await maya.send("Anna K.")
    for label in ("Neck", "Done", "Swedish", "Done", "Light"):
        await maya.tap(label)
    for bad in ("eleven", "-1", "abc", "11", "7.5"):
        await maya.send(bad)
        assert maya.last_text.startswith("⚠️ Send a number from 0 to 10, or tap one.")
        assert "Pain before" in maya.last_text
    await maya.send(" 7 ")
    assert "Pain after" in maya.last_text
    await maya.send("7/10")
    assert "client report" in maya.last_text
    await maya.tap("Skip to summary")
    assert "7 → 7" in maya.last_text


async def test_back_walks_through_every_step(running: OfflineBot, maya: Phone) -> None:
    await new_client_note(maya)
    await maya.send("/note")
    await maya.tap("Anna K.")
    for label in ("Done", "Done", "Medium", "5", "2", "Skip ➡️", "Skip ➡️", "Skip ➡️", "Skip ➡️"):
        await maya.tap(label)
    assert "✅ Save" in maya.all_buttons
    expected = [
        "Plan for next time",
        "Response to treatment",
        "findings",
        "client report",
        "Pain after",
        "Pain before",
        "Pressure",
        "techniques",
        "areas",
        "which client",
    ]
    for prompt in expected:
        await maya.tap("⬅️ Back")
        assert prompt in maya.last_text, prompt
    assert "⬅️ Back" not in maya.all_buttons  # the first step offers Cancel only


async def test_edit_a_field_returns_to_the_summary(running: OfflineBot, maya: Phone) -> None:
    await new_client_note(maya)
    await maya.send("/note")
    for label in ("Anna K.", "Done", "Done", "Medium", "5", "2", "Skip to summary"):
        await maya.tap(label)
    await maya.tap("Edit a field")
    await maya.tap("Pain before")
    await maya.tap("8")
    assert "8 → 2" in maya.last_text and "✅ Save" in maya.all_buttons
    await maya.tap("Edit a field")
    await maya.tap("Areas")
    await maya.tap("Feet")
    await maya.tap("Done")
    assert "Neck, Shoulders, Feet" in maya.last_text
    await maya.tap("Edit a field")
    await maya.tap("Findings")
    await maya.send("Plantar fascia tender")
    assert "Plantar fascia tender" in maya.last_text and "✅ Save" in maya.all_buttons
    await maya.tap("Save")
    assert maya.last_text == "Saved ✓ Note #2 for Anna K., 25 Nov. Pain 8 → 2."


async def test_session_date_changes_on_the_summary(running: OfflineBot, maya: Phone) -> None:
    await new_client_note(maya)
    await maya.send("/note")
    for label in ("Anna K.", "Done", "Done", "Medium", "5", "2", "Skip to summary"):
        await maya.tap(label)
    await maya.tap("Change date")
    await maya.tap("Yesterday")
    assert "Tue 24 Nov (yesterday)" in maya.last_text
    await maya.tap("Change date")
    await maya.send("26.11.2026")  # tomorrow: a note is for a session that happened
    assert "⚠️ I couldn't use that date" in maya.last_text
    await maya.send("23 Nov")
    assert "Mon 23 Nov" in maya.last_text
    await maya.tap("Save")
    assert maya.last_text == "Saved ✓ Note #2 for Anna K., 23 Nov. Pain 5 → 2."


async def test_cancel_at_any_moment_saves_nothing(running: OfflineBot, maya: Phone) -> None:
    await maya.send("/cancel")
    assert "no note in progress" in maya.last_text
    await maya.send("/note")
    await maya.tap("New client")
    await maya.send("Boris P.")
    await maya.tap("Neck")
    await maya.send("/cancel")
    assert maya.last_text == "✖️ Note cancelled — nothing was saved."
    assert [m for m in maya.messages if m.buttons] == []
    await maya.send("/note")
    await maya.tap("✖️ Cancel")
    assert maya.last_text == "✖️ Note cancelled — nothing was saved."
    async with running.db.unit_of_work() as uow:
        assert await uow.clients.names(MAYA) == []  # the typed new client was not kept either
        assert await uow.drafts.get(MAYA) is None
    assert await notes_of(running, MAYA) == []
