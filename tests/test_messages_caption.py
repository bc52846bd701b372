"""A photo (or a file) with a caption sent while a check-in waits for its comment: the caption
is the comment, the picture is not kept and the client is told so; nothing is relayed."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from demo.offline import OfflineBot
from emulator import Phone
from practice.clock import FrozenClock
from storage.models import CheckIn, ClientMessage
from tests.test_checkins import session_note
from tests.test_messages import anna_ready
from tests.test_reminders import clock as clock  # Monday 19 Oct 2026, 10:00 UTC
from tests.test_reminders import run_until


async def test_a_captioned_photo_at_the_comment_question_is_the_comment(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    anna = await anna_ready(running, maya)
    await session_note(maya)  # Monday 19 Oct: the first check-in on Wednesday
    await run_until(running, clock, datetime(2026, 10, 21, 12, 0, tzinfo=UTC), kind="📊")
    await anna.tap("4")
    await anna.tap("Better")
    assert "Anything to add for Maya?" in anna.last_text
    before = len(maya.messages)
    await anna.send_photo(caption="  The bruise is fading  ")
    assert "Thank you ✓ Maya will see this" in anna.last_text
    assert anna.last_text.endswith(
        "Your caption is your comment. The photo itself is not kept — the bot keeps words "
        "only. Show it at your next visit if it matters."
    )
    async with running.db.unit_of_work() as uow:
        comments = list(await uow.session.scalars(select(CheckIn.comment)))
        relayed = list(await uow.session.scalars(select(ClientMessage)))
    assert "The bruise is fading" in comments
    assert relayed == []
    await running.dispatch()
    assert not any("writes:" in m.text for m in maya.messages[before:])
    assert not any(m.kind == "photo" for m in maya.messages[before:])

    # The comment is given: the next captioned file is a message, its caption relayed.
    await anna.send_document(
        b"%PDF-1.4", filename="scan.pdf", mime_type="application/pdf", caption="The scan from my GP"
    )
    assert "✓ Sent your caption to Maya. The file itself is not passed on" in anna.last_text
    await running.dispatch()
    assert "The scan from my GP" in maya.last_text


async def test_a_photo_without_a_caption_leaves_the_comment_waiting(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    anna = await anna_ready(running, maya)
    await session_note(maya)
    await run_until(running, clock, datetime(2026, 10, 21, 12, 0, tzinfo=UTC), kind="📊")
    await anna.tap("4")
    await anna.tap("Better")
    await anna.send_photo()
    assert "I can pass on only typed words to Maya: the photo was not sent" in anna.last_text
    await anna.send("Slept well")  # still the comment
    assert "Thank you ✓ Maya will see this" in anna.last_text
    assert "not kept" not in anna.last_text
