"""Amending a note: the amendment in progress is kept in the database (a restart loses nothing),
it never replaces a form in silence nor is replaced by one, and a corrected session date moves
the check-ins planned from it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from demo.offline import DEMO_TOKEN, OfflineBot, offline_bot
from emulator import BotApiEmulator, Phone
from practice.clock import FrozenClock
from storage.models import FormDraft, NoteRevision
from tests.chat import new_client_note, notes_of
from tests.conftest import MAYA
from tests.test_checkins import session_note
from tests.test_reminders import BERLIN, anna_on_the_bot, run_until
from tests.test_reminders import clock as clock  # the October clock, as a fixture


@pytest.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator(token=DEMO_TOKEN) as emu:
        yield emu


async def amend(maya: Phone, number: int, field: str) -> None:
    await maya.send("/history Anna")
    await maya.tap(f"✏️ Amend #{number}")
    await maya.tap(field)


async def test_an_amendment_in_progress_survives_a_restart(
    emulator: BotApiEmulator, database_url: str, clock: FrozenClock
) -> None:
    maya = emulator.user(id=MAYA, first_name="Maya")
    kwargs = {"therapist_ids": frozenset({MAYA}), "clock": clock, "emulator": emulator}
    async with offline_bot(database_url, **kwargs):  # type: ignore[arg-type]
        await new_client_note(maya, "Anna K.", areas=("Neck", "Shoulders"))
        await amend(maya, 1, "Areas")
        await maya.tap("Lower back")
        assert "✓ Lower back" in maya.all_buttons
    async with offline_bot(database_url, **kwargs) as running:  # type: ignore[arg-type]
        # The card from before the restart goes on where it was, choices and all.
        assert await maya.tap("Done") == ""
        assert "Areas: Neck, Shoulders → Neck, Shoulders, Lower back" in maya.last_text
    async with offline_bot(database_url, **kwargs) as running:  # type: ignore[arg-type]
        await maya.send("Forgot the lower back")  # the reason, typed after another restart
        assert "Note #1 amended (revision 1)" in maya.last_text
        assert "Forgot the lower back" in maya.last_text
        [note] = await notes_of(running, MAYA)
        assert note.areas == ["neck", "shoulders", "lower_back"] and note.revision == 1
        async with running.db.unit_of_work() as uow:
            [revision] = list(await uow.session.scalars(select(NoteRevision)))
            assert await uow.session.scalar(select(FormDraft)) is None  # nothing left open
        assert revision.before == {"areas": ["neck", "shoulders"]}
        assert revision.reason == "Forgot the lower back"
        assert emulator.unanswered_callback_queries() == []


async def test_an_amendment_and_a_form_never_replace_each_other(
    running: OfflineBot, maya: Phone
) -> None:
    await new_client_note(maya, "Anna K.", before="6", after="3")
    await maya.send("/clients")
    await maya.tap("Anna K.")
    card = maya.last_message_id
    await maya.tap("⋯ More", message_id=card)  # Plan and Amend are behind More

    # A plan half-filled: the amendment waits for it.
    await maya.tap("📋 Plan", message_id=card)
    await maya.tap("✏️ Amend #1", message_id=card)
    assert "You're in the middle of: 📋 Plan for Anna K." in maya.last_text
    await maya.send("/cancel")

    await maya.tap("✏️ Amend #1", message_id=card)
    await maya.tap("Pain after")
    amendment = maya.last_message_id
    # An amendment half-done: neither a form nor a note takes its place.
    for button in ("📋 Plan", "‹ Back", "📝 New note"):
        await maya.tap(button, message_id=card)
        if button != "‹ Back":
            assert "You're in the middle of: ✏️ Amending note #1 for Anna K." in maya.last_text
    # Amend on the same note again: the amendment as it was, at the bottom.
    await maya.tap("⋯ More", message_id=card)
    await maya.tap("✏️ Amend #1", message_id=card)
    assert "Pain after now reads: 3" in maya.last_text
    assert maya.last_message_id > amendment
    shown = maya.last_message
    assert shown is not None
    answer = await maya.tap_data(shown.callback_data[0][2], message_id=amendment)
    assert answer == "That button is from an earlier step — use the latest message."
    await maya.send("/cancel")
    assert "Amendment cancelled: the note is as it was." in maya.last_text
    [note] = await notes_of(running, MAYA)
    assert note.pain_after == 3 and note.revision == 0
    await maya.tap("📋 Plan", message_id=card)
    assert "Plan for Anna K." in maya.last_text and "middle of" not in maya.last_text


async def test_a_corrected_session_date_moves_the_check_ins(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    await anna_on_the_bot(running, maya)  # note #1, Monday 19 Oct: check-ins on 21, 24, …

    async def next_check_in() -> str:
        async with running.db.unit_of_work() as uow:
            [client] = [c for _, c in await uow.clients.names(MAYA)]
            [pending] = await uow.outbox.upcoming(client.id, 5, kinds=("checkin",))
        return pending.due_at.astimezone(BERLIN).strftime("%d %b")

    assert await next_check_in() == "21 Oct"
    # The session was really on Saturday 17th: 19th is past, so the 22nd comes next.
    await amend(maya, 1, "Date")
    await maya.send("17 Oct")
    await maya.tap("Typo")
    assert "Date: 19 Oct 2026 → 17 Oct 2026" in maya.last_text
    assert await next_check_in() == "22 Oct"
    sent = await run_until(running, clock, datetime(2026, 10, 22, 12, 0, tzinfo=UTC), kind="📊")
    assert [at.astimezone(BERLIN).strftime("%d %H:%M") for at in sent] == ["22 09:00"]

    # Friday 23rd, note #2: its series (25th, …) is the one that counts now.
    clock.set(datetime(2026, 10, 23, 12, 0, tzinfo=UTC))
    await session_note(maya, before="5", after="2")
    assert await next_check_in() == "25 Oct"
    await amend(maya, 1, "Date")  # an earlier session: nothing planned moves
    await maya.send("18 Oct")
    await maya.tap("Typo")
    assert await next_check_in() == "25 Oct"
    await amend(maya, 2, "Date")  # the latest, a day earlier: its series with it
    await maya.send("22 Oct")
    await maya.tap("Typo")
    assert await next_check_in() == "24 Oct"
    # The latest moved before note #1: note #1 (18th) is the latest, its series goes on.
    await amend(maya, 2, "Date")
    await maya.send("15 Oct")
    await maya.tap("Typo")
    assert await next_check_in() == "27 Oct"
