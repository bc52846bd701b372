"""What a client types when they need another time for a visit is a message to the therapist
like any other: relayed with its one-tap booking, and kept with the record (the export,
/mydata), erased by /forgetme."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from demo.offline import OfflineBot
from emulator import Phone
from practice.clock import FrozenClock
from storage.models import ClientMessage
from tests.test_records import csv_rows, pdf_text
from tests.test_visits import anna_on_the_bot, deliver, latest

# NOW (conftest) is Wednesday 25 November 2026, 10:00 in London (UTC); Anna is in Berlin (+1).


async def kept(running: OfflineBot) -> list[ClientMessage]:
    async with running.db.unit_of_work() as uow:
        return list(await uow.session.scalars(select(ClientMessage).order_by(ClientMessage.id)))


async def test_another_time_is_kept_with_the_messages_and_erased_by_forgetme(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    anna = await anna_on_the_bot(running, maya)
    await maya.send("/book Anna")
    await maya.send("mon 30.11 9:00")
    await maya.tap("Save")
    await running.dispatch()
    clock.set(datetime(2026, 11, 29, 9, 0, tzinfo=UTC))
    await deliver(running, clock)
    await anna.tap("I need another time", message_id=latest(anna, "Reminder").message_id)
    typed = "Thursday <after> 15:00 & not before"
    await anna.send(typed)
    assert "Sent to Maya ✓" in anna.last_text
    assert "asks to move Mon 30 Nov, 09:00 (10:00 their time): “Thursday <after> 15:00 & not" in (
        maya.last_text
    )
    [message] = await kept(running)
    assert (message.direction, message.text, message.media) == ("in", typed, None)
    assert message.created_at == clock.now()
    assert message.delivered_at is not None  # it reached Maya at once

    await maya.send("/export Anna")
    pdf, sheet = maya.documents[-2:]
    assert typed in pdf_text(pdf.file_bytes or b"")
    rows = [r for r in csv_rows(sheet.file_bytes or b"") if r["record_type"] == "message"]
    assert [(r["from"], r["message"], r["status"]) for r in rows] == [
        ("client", typed, "delivered")
    ]
    await anna.send("/mydata")
    assert f"you: {typed}" in anna.last_text

    # The next words are a message of their own again, kept too.
    await anna.send("Thanks!")
    await running.dispatch()
    assert [m.text for m in await kept(running)] == [typed, "Thanks!"]

    await anna.send("/forgetme")
    await anna.tap("Erase my data")
    assert await kept(running) == []
    await maya.send("/export Anna")
    sheet = maya.documents[-1]
    assert not any(r["record_type"] == "message" for r in csv_rows(sheet.file_bytes or b""))
