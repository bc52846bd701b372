"""Nothing a person typed reaches the log, at any level, not even through Telegram's error
descriptions, which quote what they tripped on."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from demo.offline import OfflineBot
from emulator import Fault, Phone
from practice.redact import error_type, reason, where
from storage.models import Delivery
from tests.chat import new_client_note, past_the_letterhead
from tests.test_invites import ANNA, join

SECRET = "Quartz zebra 7781"  # nothing else in a chat says this
QUOTING = 'Bad Request: can\'t parse entities: Unsupported start tag "{text}" at byte offset 0'


def _bot_logs(caplog: pytest.LogCaptureFixture) -> str:
    # The emulator's own lines are Telegram's side of the wire, not the bot's log.
    return "\n".join(
        f"{r.getMessage()} {r.exc_text or ''} {r.stack_info or ''}"
        for r in caplog.records
        if not r.name.startswith(("emulator", "aiohttp"))
    ).casefold()


async def test_no_log_line_carries_typed_text_even_from_error_descriptions(
    running: OfflineBot, maya: Phone, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    emulator = running.emulator
    await maya.send("/note")
    await maya.tap("New client")
    await maya.send(f"Anna {SECRET}")  # the client's name, and below what they report
    for label in ("Neck", "Done", "Swedish", "Done", "Medium", "6", "3"):
        await maya.tap(label)
    await maya.send(f"Stiff since {SECRET}")  # what the client reports
    # Every edit of the card is refused with a description quoting it: it is sent anew.
    edits = emulator.inject(
        Fault(method="editMessageText", error_code=400, description=QUOTING, times=None)
    )
    await maya.tap("Skip to summary")
    assert SECRET in maya.last_text and edits.hits
    await maya.tap("Save")
    assert "Saved" in maya.last_text
    emulator.clear_faults()
    # A handler whose reply is refused so: the apology comes, the description is not logged.
    emulator.inject(Fault(method="sendMessage", error_code=400, description=QUOTING))
    await maya.send("/history Anna")
    assert "something went wrong" in maya.last_text

    # The outbox records why a send failed, without what the description quoted.
    anna = await join(running, maya)
    await anna.tap("London")
    await maya.send("/providers")
    await maya.tap("Add provider")
    await maya.send(f"Dr {SECRET}")
    await maya.tap("Physiotherapist")
    for _ in range(4):
        await maya.tap("Skip")
    await maya.tap("Save")
    await maya.send("/refer Anna")
    await maya.tap("Suspected disc")
    await maya.tap(f"Dr {SECRET}")
    await past_the_letterhead(maya)
    await maya.tap("Save")
    emulator.inject(Fault(method="sendMessage", error_code=400, description=QUOTING, chat_id=ANNA))
    await running.dispatch()
    async with running.db.unit_of_work() as uow:
        failed = list(await uow.session.scalars(select(Delivery.last_error)))
    assert any(e and "can't parse entities" in e.casefold() for e in failed), failed
    assert not any(e and SECRET.casefold() in e.casefold() for e in failed), failed

    logs = _bot_logs(caplog)
    assert "could not edit card" in logs and "handler failed on update" in logs
    assert SECRET.casefold() not in logs


def test_an_error_is_told_by_its_types_and_frames_only() -> None:
    def store() -> None:
        try:
            raise KeyError(SECRET)
        except KeyError as exc:
            raise ValueError(f"could not store {SECRET}") from exc

    try:
        store()
    except ValueError as exc:
        error = exc
    assert error_type(error) == "ValueError ← KeyError"
    assert "tests/test_log_privacy.py:" in where(error) and "store" in where(error)
    assert SECRET not in where(error)
    assert reason('Unsupported start tag "pain 7" at byte offset 3') == (
        'Unsupported start tag "…" at byte offset 3'
    )


async def test_rendering_a_record_logs_no_letter_of_it(
    running: OfflineBot, maya: Phone, caplog: pytest.LogCaptureFixture
) -> None:
    """fontTools lists the glyphs it keeps in a PDF at INFO: for a name in Chinese, its very
    letters ("uni5F20" is 张). The PDF libraries write nothing to the bot's log."""
    caplog.set_level(logging.DEBUG)
    await new_client_note(maya, "张伟 李")
    await maya.send("/export 张伟")
    assert [d.filename for d in maya.documents][-2].endswith(".pdf")
    logs = _bot_logs(caplog)
    assert "uni5f20" not in logs and "张" not in logs
    assert not [
        r.name for r in caplog.records if r.name.startswith(("fontTools", "fpdf", "matplotlib"))
    ]
