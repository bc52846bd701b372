"""The therapist's client list and cards; forged buttons naming another therapist's client."""

from __future__ import annotations

from bot.shared.cards import ROW_CHARS
from demo.offline import OfflineBot
from emulator import Phone
from tests.chat import new_client_note, notes_of
from tests.conftest import MAYA
from tests.test_invites import invite_text


async def test_clients_list_pages_and_opens_cards(running: OfflineBot, maya: Phone) -> None:
    await maya.send("/clients")
    assert "no clients yet" in maya.last_text
    names = [f"Client {chr(ord('A') + i)}." for i in range(10)]
    for name in names:
        await new_client_note(maya, name)
    await maya.send("/clients")
    assert "1–8 of 10" in maya.last_text
    assert maya.all_buttons[:2] == ["Client J.", "Client I."]  # most recent first
    await maya.tap("Older")
    assert "9–10 of 10" in maya.last_text
    await maya.tap("Client A.")
    card = maya.last_text
    assert "👤 Client A." in card and "Not on the bot yet" in card and "1 session note." in card
    assert "#1 · Wed 25 Nov (today) · pain 6 → 3 · Neck, Shoulders" in card
    await maya.tap("All clients")
    assert "1–8 of 10" in maya.last_text


async def test_the_card_starts_a_note_for_its_client(running: OfflineBot, maya: Phone) -> None:
    await new_client_note(maya, "Anna K.")
    await maya.send("/clients")
    await maya.tap("Anna K.")
    await maya.tap("New note")
    assert "Note for Anna K." in maya.last_text and "✓ Neck" in maya.all_buttons
    for label in ("Done", "Done", "Medium", "4", "1", "Skip to summary", "Save"):
        await maya.tap(label)
    assert maya.last_text == "Saved ✓ Note #2 for Anna K., 25 Nov. Pain 4 → 1."
    await maya.send("/clients")
    await maya.tap("Anna K.")
    await maya.tap("More")
    await maya.tap("History")
    assert "notes 1–2 of 2" in maya.last_text
    await maya.send("/clients")
    await maya.tap("Anna K.")
    await maya.tap("More")
    await maya.tap("Invite link")
    assert "Invite for Anna K." in invite_text(maya)


def _fits_a_phone(rows: list[list[str]]) -> bool:
    return all(len(row) <= 2 and sum(map(len, row)) <= ROW_CHARS for row in rows)


async def test_the_card_shows_a_few_buttons_and_the_rest_behind_more(
    running: OfflineBot, maya: Phone
) -> None:
    await new_client_note(maya, "Anna K.")
    await maya.send("/clients")
    await maya.tap("Anna K.")
    card = maya.last_message_id
    assert maya.buttons == [
        ["📝 New note", "📅 Next visit"],
        ["📈 Progress", "🧘 Homework"],
        ["⋯ More", "⬅️ All clients"],
    ]
    text = maya.last_text
    await maya.tap("⋯ More")
    # The same message, the same text, the other buttons: every action still reachable.
    assert maya.last_message_id == card and maya.last_text == text
    assert maya.buttons == [
        ["📋 Plan", "📖 History"],
        ["📊 Check-ins", "📝 Intake"],
        ["🔗 Invite link", "↗️ Refer"],
        ["📄 Export record", "✏️ Amend #1"],
        ["‹ Back"],
    ]
    assert _fits_a_phone(maya.buttons)
    await maya.tap("‹ Back")
    assert maya.last_message_id == card and maya.buttons[-1] == ["⋯ More", "⬅️ All clients"]
    await maya.tap("⋯ More")
    await maya.tap("📋 Plan")
    assert "Plan" in maya.last_text and "Anna K." in maya.last_text


async def test_forged_buttons_for_another_therapists_client_show_nothing(
    running: OfflineBot, maya: Phone, leo: Phone
) -> None:
    await new_client_note(maya, "Anna K.")
    async with running.db.unit_of_work() as uow:
        [(_, anna)] = await uow.clients.names(MAYA)
    await leo.send("/clients")
    for data in (
        f"c:{anna.id}",
        f"ca:{anna.id}:n",
        f"ca:{anna.id}:i",
        f"ca:{anna.id}:h",
        f"ca:{anna.id}:m",
    ):
        answer = await leo.tap_data(data, message_id=leo.last_message_id)
        assert answer == "That client is not in your list."
    answer = await leo.tap_data(f"iv:{anna.id}", message_id=leo.last_message_id)
    assert "That client is not in your list." in leo.last_text
    assert leo.photos == []
    assert all("Anna" not in m.text for m in leo.messages)
    assert len(await notes_of(running, MAYA)) == 1
    async with running.db.unit_of_work() as uow:
        assert await uow.drafts.get(leo.id) is None
    assert answer == ""
