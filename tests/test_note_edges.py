"""The edges of the note: bad input, stale and forged buttons, strangers, two therapists."""

from __future__ import annotations

import logging

import pytest

from demo.offline import OfflineBot
from emulator import Phone
from practice.notes import MAX_TEXT_LENGTH
from tests.chat import new_client_note, notes_of
from tests.conftest import MAYA, STRANGER


async def _to_subjective(maya: Phone) -> None:
    await maya.send("/note")
    await maya.tap("New client")
    await maya.send("Anna K.")
    for label in ("Neck", "Done", "Swedish", "Done", "Light", "4", "2"):
        await maya.tap(label)
    assert "client report" in maya.last_text


async def test_a_huge_text_is_refused_clearly_and_nothing_is_cut(
    running: OfflineBot, maya: Phone
) -> None:
    await _to_subjective(maya)
    await maya.send("x" * 10_000)
    assert "10,000 characters" in maya.last_text
    assert f"up to {MAX_TEXT_LENGTH:,}" in maya.last_text
    assert "client report" in maya.last_text  # still asking the same question


async def test_the_longest_texts_are_kept_whole_and_the_summary_still_fits(
    running: OfflineBot, maya: Phone
) -> None:
    await _to_subjective(maya)
    longest = "Tight " * (MAX_TEXT_LENGTH // 6)
    longest = longest[:MAX_TEXT_LENGTH].strip()
    for _ in range(4):
        await maya.send(longest)
    # The emulator refuses any message over 4,096 characters, as Telegram does.
    assert "✅ Save" in maya.all_buttons
    assert len(maya.last_text) <= 4096
    assert "characters in all" in maya.last_text
    await maya.tap("Save")
    [note] = await notes_of(running, MAYA)
    assert note.subjective == note.findings == note.response == note.plan_next == longest


async def test_a_button_of_a_finished_note_changes_nothing(
    running: OfflineBot, maya: Phone
) -> None:
    await maya.send("/note")
    await maya.tap("New client")
    await maya.send("Anna K.")
    old_card = maya.last_message
    assert old_card is not None
    neck, neck_data = old_card.message_id, old_card.callback_data[0][0]
    await maya.send("/cancel")
    # The cancelled card has no buttons left; a client that kept an old keyboard still taps.
    await new_client_note(maya, "Boris P.")
    answer = await maya.tap_data(neck_data, message_id=neck)
    assert answer == "That button belongs to an earlier note."
    assert len(await notes_of(running, MAYA)) == 1


async def test_forged_and_malformed_buttons_are_answered_and_ignored(
    running: OfflineBot, maya: Phone
) -> None:
    await maya.send("/note")
    card = maya.last_message
    assert card is not None
    for data in ("n:AAAAAAAAAAAA:cl:nw", "garbage", "n:x", "h:999999:0", "hp:1"):
        answer = await maya.tap_data(data, message_id=card.message_id)
        assert answer in {
            "That button belongs to an earlier note.",
            "That client is not in your list.",
        }
    assert "which client" in maya.last_text
    assert "➕ New client" in maya.all_buttons  # the real card keeps its buttons


async def test_note_while_a_note_is_in_progress_asks_first(
    running: OfflineBot, maya: Phone
) -> None:
    await maya.send("/note")
    await maya.tap("New client")
    await maya.send("Anna K.")
    await maya.tap("Neck")
    await maya.send("/note")
    assert "Continue the note for Anna K., or start over?" in maya.last_text
    await maya.tap("Continue")
    assert "areas" in maya.last_text and "✓ Neck" in maya.all_buttons
    assert len([m for m in maya.messages if m.buttons]) == 1
    await maya.send("/note")
    await maya.tap("Start over")
    assert "which client" in maya.last_text
    assert len([m for m in maya.messages if m.buttons]) == 1


async def test_save_tapped_twice_saves_one_note(running: OfflineBot, maya: Phone) -> None:
    await maya.send("/note")
    await maya.tap("New client")
    await maya.send("Anna K.")
    for label in ("Neck", "Done", "Swedish", "Done", "Light", "4", "2", "Skip to summary"):
        await maya.tap(label)
    card = maya.last_message
    assert card is not None
    save = card.callback_data[0][0]
    await maya.tap_data(save, message_id=card.message_id, wait=False)
    await maya.tap_data(save, message_id=card.message_id, wait=False)
    await maya.wait_processed()
    assert len(await notes_of(running, MAYA)) == 1
    assert maya.last_text == "Saved ✓ Note #1 for Anna K., 25 Nov. Pain 4 → 2."


async def test_a_stranger_gets_one_polite_answer_and_nothing_is_kept(
    running: OfflineBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    stranger = running.emulator.user(id=STRANGER, first_name="Eve")
    secret = "my shoulder hurts since the accident"
    await stranger.send(secret)
    assert "serves a massage practice's therapists" in stranger.last_text
    await stranger.send("/note")
    assert len(stranger.messages) == 1  # once an hour; then silence
    assert "serves a massage practice's therapists" in stranger.last_text
    assert secret not in caplog.text
    async with running.db.unit_of_work() as uow:
        assert await uow.drafts.get(STRANGER) is None


async def test_two_therapists_see_only_their_own(
    running: OfflineBot, maya: Phone, leo: Phone
) -> None:
    await new_client_note(maya, "Anna K.")
    await leo.send("/note")
    assert "Anna K." not in leo.all_buttons
    await leo.tap("New client")
    await maya.send("/note")
    await leo.send("Carl D.")
    await maya.tap("Anna K.")
    assert "✓ Neck" in maya.all_buttons  # Maya's draft is her own
    assert "Carl D." in leo.last_text and "✓ Neck" not in leo.all_buttons

    # Leo tries Maya's client through a forged history button.
    async with running.db.unit_of_work() as uow:
        [(_, anna)] = await uow.clients.names(MAYA)
    leo_card = leo.last_message
    assert leo_card is not None
    answer = await leo.tap_data(f"hp:{anna.id}", message_id=leo_card.message_id)
    assert answer == "That client is not in your list."
    await leo.send("/history Anna")
    assert "No client matches" in leo.last_text
    # And Maya's buttons pressed by Leo are not his note's.
    maya_card = maya.last_message
    assert maya_card is not None
    answer = await leo.tap_data(maya_card.callback_data[0][0], message_id=leo_card.message_id)
    assert answer == "That button belongs to an earlier note."


async def test_a_near_duplicate_name_is_pointed_out(running: OfflineBot, maya: Phone) -> None:
    await new_client_note(maya, "Anna Kowalska")
    await maya.send("/note")
    await maya.tap("New client")
    await maya.send("anna k")
    assert "You already have Anna Kowalska" in maya.last_text
    await maya.tap("Use Anna Kowalska")
    assert "Anna Kowalska" in maya.last_text and "✓ Neck" in maya.all_buttons
    await maya.send("/cancel")
    await maya.send("/note")
    await maya.tap("New client")
    await maya.send("Anna Kowalsky")
    await maya.tap("No, create")
    assert "Note for Anna Kowalsky" in maya.last_text


async def test_typing_part_of_a_name_searches(running: OfflineBot, maya: Phone) -> None:
    for name in ("Anna Kowalska", "Boris Petrov", "Zoë Brown"):
        await new_client_note(maya, name)
    await maya.send("/note")
    await maya.send("zoe")
    assert maya.all_buttons[0] == "Zoë Brown"
    await maya.send("nobody")
    assert "No client matches" in maya.last_text
    await maya.tap("Add “nobody”")
    assert "Note for nobody" in maya.last_text


async def test_typing_outside_a_note_searches_clients(running: OfflineBot, maya: Phone) -> None:
    await maya.send("hello")
    assert "No client matches “hello”" in maya.last_text and "/note" in maya.last_text
    await new_client_note(maya, "Anna K.")
    await maya.send("ann")
    await maya.tap("Anna K.")
    assert "👤 Anna K." in maya.last_text and "1 session note" in maya.last_text
    await maya.send("/frobnicate")
    assert "don't know that command" in maya.last_text
    assert len(maya.last_text) < 200 and "/help" in maya.last_text  # not the whole help again


async def test_a_therapist_s_start_says_what_matters_first(
    running: OfflineBot, maya: Phone
) -> None:
    await maya.send("/start")
    welcome = maya.last_text
    for step in ("After a session: /note", "/invite", "who is improving", "every morning at 08:00"):
        assert step in welcome, step
    assert welcome.endswith("/clients — your clients' cards · /help — everything else")
    assert len(welcome.splitlines()) <= 8  # the rest is on /help


async def test_editing_a_sent_message_gets_advice_that_works(
    running: OfflineBot, maya: Phone
) -> None:
    await _to_subjective(maya)
    await maya.send("Stiff neck")
    asking = maya.last_text  # the next step, findings
    typed = maya.sent_message_ids[-1]
    await maya.edit(typed, "Stiff neck and shoulders")
    assert "don't read edits" in maya.last_text and "⬅️ Back" in maya.last_text
    # The advice followed: back to the step, the text again as a new message.
    await maya.tap("⬅️ Back")
    assert "client report" in maya.last_text
    await maya.send("Stiff neck and shoulders")
    assert maya.last_text == asking
    await maya.tap("Skip to summary")
    assert "Stiff neck and shoulders" in maya.last_text
    [draft_subjective] = [line for line in maya.last_text.splitlines() if "Stiff" in line]
    assert draft_subjective.count("Stiff") == 1  # the findings field did not get it


async def test_a_stale_button_on_the_current_card_leaves_the_card_alone(
    running: OfflineBot, maya: Phone, caplog: pytest.LogCaptureFixture
) -> None:
    await maya.send("/note")
    card = maya.last_message
    assert card is not None
    before = [(m.message_id, m.text, m.buttons) for m in maya.messages]
    # Another note's token on the card of the note in progress: nothing was saved by it.
    answer = await maya.tap_data("n:AAAAAAAAAAAA:cl:nw", message_id=card.message_id)
    assert answer == "That button belongs to an earlier note."
    assert [(m.message_id, m.text, m.buttons) for m in maya.messages] == before
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
