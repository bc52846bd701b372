"""/history: a client's notes, newest first, paged with buttons edited in place."""

from __future__ import annotations

from datetime import timedelta

from demo.offline import OfflineBot
from emulator import Phone
from practice.clock import FrozenClock
from tests.chat import new_client_note


def nav(phone: Phone) -> list[str]:
    """The page's navigation: the buttons that are not ✏️ Amend."""
    return [b for b in phone.all_buttons if not b.startswith("✏️")]


async def test_history_pages_newest_first(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    await new_client_note(maya, "Anna K.", before="9", after="8")
    for pain in range(7, -5, -1):
        clock.advance(timedelta(days=1))
        await maya.send("/note")
        for label in ("Anna K.", "Done", "Done", "Medium", str(max(pain, 0)), "0"):
            await maya.tap(label)
        await maya.tap("Skip to summary")
        await maya.tap("Save")
    await new_client_note(maya, "Boris P.")

    await maya.send("/history")
    assert "Whose notes?" in maya.last_text
    assert set(maya.all_buttons) == {"Anna K.", "Boris P."}
    await maya.tap("Anna K.")
    first_page = maya.last_message
    assert first_page is not None
    assert "notes 1–5 of 13" in maya.last_text
    assert maya.last_text.index("#13") < maya.last_text.index("#12")
    assert nav(maya) == ["Older ➡️"]
    assert maya.buttons[0] == ["✏️ Amend #13", "✏️ Amend #12", "✏️ Amend #11"]
    await maya.tap("Older")
    assert "notes 6–10 of 13" in maya.last_text
    assert nav(maya) == ["⬅️ Newer", "Older ➡️"]
    await maya.tap("Older")
    assert "notes 11–13 of 13" in maya.last_text and "#1 " in maya.last_text
    assert nav(maya) == ["⬅️ Newer"]
    assert maya.last_message is not None
    assert maya.last_message.message_id == first_page.message_id  # edited in place
    # A button past the end (old, or forged) shows the last page with a true header.
    async with running.db.unit_of_work() as uow:
        [anna] = await uow.clients.search(1001, "Anna", 1)
    await maya.tap_data(f"h:{anna.id}:500", message_id=first_page.message_id)
    assert "notes 11–13 of 13" in maya.last_text


async def test_history_with_a_name_goes_straight_to_the_notes(
    running: OfflineBot, maya: Phone
) -> None:
    await new_client_note(maya, "Anna Kowalska")
    await new_client_note(maya, "Anton Berg")
    await maya.send("/history kowal")
    assert "Anna Kowalska" in maya.last_text and "notes 1–1 of 1" in maya.last_text
    await maya.send("/history an")
    assert set(maya.all_buttons) == {"Anna Kowalska", "Anton Berg"}
    await maya.send("/history nobody")
    assert "No client matches" in maya.last_text


async def test_history_without_clients_says_how_to_start(running: OfflineBot, maya: Phone) -> None:
    await maya.send("/history")
    assert "no clients yet" in maya.last_text
