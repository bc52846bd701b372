"""A returning client's Deep pressure that nobody tapped: carried over from the last note (a
quick note's "same as last time", a guided note whose client is changed to them) or said in
a quick note. For a client whose intake cautions against it, Save asks once, as tapping Deep
does, before anything is saved; confirmed, the note is saved; "Choose another" saves nothing."""

from __future__ import annotations

from demo.offline import OfflineBot
from emulator import Phone
from storage.models import SessionNote
from tests.chat import new_client_note, notes_of, skip_intake
from tests.conftest import MAYA
from tests.test_intake_chat import answer_intake
from tests.test_invites import join

ASKED = "Use deep pressure anyway?"


async def anna_on_blood_thinners(running: OfflineBot, maya: Phone) -> None:
    """Anna's last note was Deep; then her intake says she is on blood thinners."""
    await new_client_note(maya, "Anna K.", pressure="Deep")
    anna = await join(running, maya)
    await anna.tap("London")
    await answer_intake(anna, blood_thinners=True, saddle=False)


async def annas_notes(running: OfflineBot, anna: int = 1) -> list[SessionNote]:
    return sorted(
        (n for n in await notes_of(running, MAYA) if n.client_id == anna), key=lambda n: n.number
    )


async def test_same_as_last_time_carries_deep_over_and_save_asks_once(
    running: OfflineBot, maya: Phone
) -> None:
    await anna_on_blood_thinners(running, maya)
    await maya.send("Anna: same as last time, pain 6 -> 3")
    assert "Pressure: Deep" in maya.last_text
    await maya.tap("✅ Save")
    assert ASKED in maya.last_text
    assert "On blood thinners — avoid deep pressure" in maya.last_text
    assert len(await annas_notes(running)) == 1  # nothing saved yet
    await maya.tap("Yes, I've checked")
    notes = await annas_notes(running)
    assert [n.pressure for n in notes] == ["deep", "deep"]
    assert (notes[-1].pain_before, notes[-1].pain_after) == (6, 3)


async def test_a_quick_note_that_says_deep_asks_and_choose_another_saves_nothing(
    running: OfflineBot, maya: Phone
) -> None:
    await anna_on_blood_thinners(running, maya)
    await maya.send("Anna: neck, swedish, deep. Pain 5 -> 2.")
    await maya.tap("✅ Save")
    assert ASKED in maya.last_text
    await maya.tap("Choose another")
    assert ASKED not in maya.last_text and "Light" in maya.all_buttons
    assert len(await annas_notes(running)) == 1
    await maya.tap("Light")
    await maya.tap("✅ Save")  # back on the summary: a light note asks nothing
    notes = await annas_notes(running)
    assert [n.pressure for n in notes] == ["deep", "light"]


async def test_a_guided_note_whose_client_becomes_her_carries_deep_and_asks_at_save(
    running: OfflineBot, maya: Phone
) -> None:
    await new_client_note(maya, "Ben L.", pressure="Light")
    await anna_on_blood_thinners(running, maya)
    await maya.send("/note")
    await maya.tap("Ben L.")
    for label in ("Done", "Done", "Light", "6", "3", "Skip to summary"):
        await maya.tap(label)
    # The wrong client: changed to Anna, her last treatment (Deep) replaces Ben's.
    await maya.tap("✏️ Edit a field")
    await maya.tap("Client")
    await maya.tap("Anna K.")
    assert "Pressure: Deep" in maya.last_text
    await maya.tap("✅ Save")
    assert ASKED in maya.last_text
    await maya.tap("Yes, I've checked")
    assert [n.pressure for n in await annas_notes(running, anna=2)] == ["deep", "deep"]


async def test_deep_tapped_and_confirmed_is_not_asked_again_at_save(
    running: OfflineBot, maya: Phone
) -> None:
    await anna_on_blood_thinners(running, maya)
    await maya.send("/note")
    await maya.tap("Anna K.")
    for label in ("Done", "Done", "✓ Deep"):
        await maya.tap(label)
    await maya.tap("Yes, I've checked")
    for label in ("6", "3", "Skip to summary"):
        await maya.tap(label)
    await maya.tap("✅ Save")
    assert ASKED not in maya.last_text
    assert len(await annas_notes(running)) == 2


async def test_a_client_without_a_caution_is_not_asked(running: OfflineBot, maya: Phone) -> None:
    await new_client_note(maya, "Anna K.", pressure="Deep")
    anna = await join(running, maya)
    await anna.tap("London")
    await skip_intake(anna)
    await maya.send("Anna: same as last time, pain 6 -> 3")
    await maya.tap("✅ Save")
    assert ASKED not in maya.last_text
    assert len(await annas_notes(running)) == 2
