"""Paths found in review: re-picking a client, confirming Cancel, failures shown honestly."""

from __future__ import annotations

from demo.offline import OfflineBot
from emulator import Fault, Phone
from tests.chat import new_client_note, notes_of
from tests.conftest import MAYA


async def test_picking_another_client_replaces_the_first_ones_treatment(
    running: OfflineBot, maya: Phone
) -> None:
    await new_client_note(maya, "Anna K.", areas=("Neck",), pressure="Firm")
    await new_client_note(maya, "Boris P.", areas=("Feet",), pressure="Light")
    await maya.send("/note")
    await maya.tap("Anna K.")
    assert "✓ Neck" in maya.all_buttons
    await maya.tap("⬅️ Back")
    await maya.tap("Boris P.")
    assert "✓ Feet" in maya.all_buttons and "✓ Neck" not in maya.all_buttons
    # Once the therapist changed the treatment, another pick keeps their choice.
    await maya.tap("Legs")
    await maya.tap("⬅️ Back")
    await maya.tap("Anna K.")
    assert {"✓ Feet", "✓ Legs"} <= set(maya.all_buttons) and "✓ Neck" not in maya.all_buttons
    # And a new client does not inherit an untouched prefill.
    await maya.send("/cancel")
    await maya.send("/note")
    await maya.tap("Anna K.")
    await maya.tap("⬅️ Back")
    await maya.tap("New client")
    await maya.send("Carl D.")
    assert not [b for b in maya.all_buttons if b.startswith("✓")]


async def test_cancel_with_something_entered_asks_first(running: OfflineBot, maya: Phone) -> None:
    await new_client_note(maya)
    await maya.send("/note")
    for label in ("Anna K.", "Done", "Done", "Medium", "5", "2", "Skip to summary"):
        await maya.tap(label)
    await maya.tap("✖️ Cancel")
    assert "Discard this note?" in maya.last_text
    await maya.tap("No, keep it")
    assert "✅ Save" in maya.all_buttons and "5 → 2" in maya.last_text
    await maya.tap("✖️ Cancel")
    await maya.tap("Yes, discard")
    assert maya.last_text == "✖️ Note cancelled — nothing was saved."
    assert len(await notes_of(running, MAYA)) == 1


async def test_changing_the_client_from_the_summary_can_go_back(
    running: OfflineBot, maya: Phone
) -> None:
    await new_client_note(maya)
    await maya.send("/note")
    for label in ("Anna K.", "Done", "Done", "Medium", "5", "2", "Skip to summary"):
        await maya.tap(label)
    await maya.tap("Edit a field")
    await maya.tap("Client")
    await maya.send("nobody like this")
    assert "No client matches" in maya.last_text
    await maya.tap("⬅️ Back")
    assert "✅ Save" in maya.all_buttons and "Anna K." in maya.last_text


async def test_a_name_too_long_from_search_is_refused_not_cut(
    running: OfflineBot, maya: Phone
) -> None:
    await maya.send("/note")
    name = "Anna " + "K" * 70
    await maya.send(name)
    await maya.tap("Add")
    assert "That name won't work" in maya.last_text and "at most 60" in maya.last_text
    async with running.db.unit_of_work() as uow:
        assert await uow.clients.names(MAYA) == []


async def test_history_of_very_detailed_notes_still_fits(running: OfflineBot, maya: Phone) -> None:
    text = "Detailed observation of the upper trapezius and levator scapulae. " * 4
    for number in range(5):
        await maya.send("/note")
        if number == 0:
            await maya.tap("New client")
            await maya.send("Anna K.")
            areas = ("Neck", "Shoulders", "Upper back", "Lower back", "Hips", "Legs", "Arms")
            for label in (*areas, "Head", "Feet", "Other…"):
                await maya.tap(label)
            await maya.send("Left wrist and the palm of the right hand, thenar eminence")
            await maya.tap("Done")
            for label in ("Swedish", "Deep tissue", "Trigger point", "Myofascial", "Sports"):
                await maya.tap(label)
            for label in ("Stretching", "Lymphatic", "Hot stone", "Other…"):
                await maya.tap(label)
            await maya.send("Cupping with silicone cups over the thoracic paraspinals")
            await maya.tap("Done")
        else:
            for label in ("Anna K.", "Done", "Done"):  # everything comes preselected
                await maya.tap(label)
        for label in ("Deep", "8", "4"):
            await maya.tap(label)
        for _ in range(4):
            await maya.send(text)
        await maya.tap("Save")
    await maya.send("/history Anna")
    assert "notes 1–5 of 5" in maya.last_text
    assert len(maya.last_text) <= 4096


async def test_a_failure_after_an_input_shows_where_the_note_stands(
    running: OfflineBot, maya: Phone
) -> None:
    await maya.send("/note")
    await maya.tap("New client")
    await maya.send("Anna K.")
    for label in ("Neck", "Done", "Swedish", "Done", "Light"):
        await maya.tap(label)
    # Telegram refuses the next card on every retry; the pain was taken all the same.
    running.emulator.inject(Fault(method="sendMessage", error_code=502, times=4))
    await maya.send("7")
    assert "something went wrong on my side" in maya.last_text
    assert "Pain after" in maya.last_text and "(before: 7)" in maya.last_text
    assert "Traceback" not in maya.last_text
    await maya.send("3")
    await maya.tap("Skip to summary")
    assert "7 → 3" in maya.last_text


async def test_a_therapist_in_a_group_chat_sees_nothing_of_the_notes(
    running: OfflineBot, maya: Phone
) -> None:
    await new_client_note(maya)
    group = running.emulator.group(-100200, "Staff room", member=maya)
    await group.send("/history Anna")
    assert "only work in a private chat" in group.last_text
    assert all("Anna" not in m.text for m in group.messages)
    await group.send("Anna says hi")  # plain chatter in a group is not answered
    assert len(group.messages) == 1


async def test_a_stale_tap_also_clears_that_keyboard(running: OfflineBot, maya: Phone) -> None:
    await maya.send("/note")
    await maya.tap("New client")
    await maya.send("Anna K.")
    await maya.send("/note")  # "continue or start over?" replaces the card
    prompt = maya.last_message
    assert prompt is not None
    assert [m.message_id for m in maya.messages if m.buttons] == [prompt.message_id]
    await maya.send("/cancel")
    assert [m for m in maya.messages if m.buttons] == []
