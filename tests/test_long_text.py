"""Typed text over its limit is refused whole, with its count and the limit, and waits to be
shortened: a check-in's comment, an amendment's reason and the therapist's own words for an
improvement note are never cut."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from demo.offline import OfflineBot
from emulator import Phone
from practice.clock import FrozenClock
from storage.models import CheckIn, NoteRevision
from tests.chat import new_client_note
from tests.test_progress_chat import note
from tests.test_reminders import anna_on_the_bot, run_until
from tests.test_reminders import clock as clock  # the October clock, as a fixture

# Words, so that no whitespace rule can shorten them: 3,000 characters exactly, then one more.
WHOLE = ("pain eased " * 300)[:2999] + "."
OVER = WHOLE + "!"


async def test_a_check_in_comment_over_the_limit_is_refused_and_still_awaited(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    anna = await anna_on_the_bot(running, maya)
    await maya.send("/note")
    for label in ("Anna K.", "Done", "Done", "Medium", "6", "3", "Skip to summary", "Save"):
        await maya.tap(label)
    await run_until(running, clock, datetime(2026, 10, 21, 12, 0, tzinfo=UTC), kind="📊")
    await anna.tap("9")
    await anna.tap("Worse")
    alerts = len(maya.messages)
    await anna.send(OVER)
    assert anna.last_text == (
        "⚠️ That is 3,001 characters; this field holds up to 3,000. "
        "Please shorten it and send it again — nothing was saved from it."
    )
    assert len(maya.messages) == alerts  # nothing reached the therapist
    await anna.send(WHOLE)
    assert "Thank you ✓ Maya will see this" in anna.last_text
    assert maya.last_text.endswith(f"“{WHOLE}”")
    async with running.db.unit_of_work() as uow:
        [comment] = await uow.session.scalars(select(CheckIn.comment).where(CheckIn.comment != ""))
    assert comment == WHOLE


async def test_an_amendment_reason_over_the_limit_is_refused_and_still_asked(
    running: OfflineBot, maya: Phone
) -> None:
    await new_client_note(maya, "Anna K.")
    await maya.send("/history Anna")
    await maya.tap("✏️ Amend #1")
    await maya.tap("Pain after")
    await maya.tap("4")
    await maya.send("x" * 201)
    assert maya.last_text == (
        "⚠️ That is 201 characters; this field holds up to 200. "
        "Please shorten it and send it again — nothing was saved from it."
    )
    await maya.send("y" * 200)
    assert "Note #1 amended (revision 1)" in maya.last_text
    async with running.db.unit_of_work() as uow:
        [reason] = await uow.session.scalars(select(NoteRevision.reason))
    assert reason == "y" * 200


async def test_own_words_for_an_improvement_note_over_the_limit_are_refused_not_cut(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    anna = await anna_on_the_bot(running, maya)  # pain 6 → 3
    for before, after in (("4", "2"), ("3", "1")):
        await note(maya, clock, before, after)
    await maya.tap("💬 Send Anna a note")
    draft = maya.last_message
    assert draft is not None
    before = len(anna.messages)
    await maya.send(OVER, reply_to=draft.message_id)
    assert maya.last_text == (
        "⚠️ That is 3,001 characters; a message holds up to 3,000 here. "
        "Please shorten it and send it again — nothing was sent."
    )
    assert len(anna.messages) == before
    await maya.send(WHOLE, reply_to=draft.message_id)
    assert maya.last_text == "Sent to Anna K. ✓"
    assert [m.text for m in anna.messages[before:]] == [WHOLE]
