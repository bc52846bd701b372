"""One verdict: /progress, the exported record and the referral letter state the same line,
counted the same way (the plan's sessions and the plan's homework days)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from demo.offline import OfflineBot
from emulator import BotMessage, Phone
from practice.adherence import Adherence, HomeworkDays
from practice.clock import FrozenClock
from reports.gather import client_record
from reports.progress import load_progress
from tests.conftest import MAYA
from tests.test_checkins import session_note
from tests.test_progress_chat import plan
from tests.test_records import anna_id, pdf_text
from tests.test_reminders import anna_on_the_bot, assign, run_until
from tests.test_reminders import clock as clock  # the October clock, as a fixture


def words(text: str) -> str:
    return " ".join(text.split())


async def test_progress_and_the_export_state_one_verdict(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    anna = await anna_on_the_bot(running, maya)  # Monday 19 Oct, pain 6 before
    await assign(maya, "Chin tucks", "Every day", "08:00", "4 wk")
    # A week of reminders before the plan, none done.
    await run_until(running, clock, datetime(2026, 10, 26, 10, 0, tzinfo=UTC), kind="🧘")

    async def done(message: BotMessage) -> None:
        if message.text.startswith("🧘"):
            await anna.tap("Done", message_id=message.message_id)

    await plan(maya)  # from Monday 26 Oct: sessions and homework count from here
    await session_note(maya, before="7", after="4")
    await run_until(running, clock, datetime(2026, 11, 2, 10, 0, tzinfo=UTC), on_message=done)
    await session_note(maya, before="5", after="3")
    await run_until(running, clock, datetime(2026, 11, 9, 10, 0, tzinfo=UTC), on_message=done)
    await session_note(maya, before="3", after="2")

    await maya.send("/progress Anna")
    caption = maya.photos[-1].caption
    assert caption is not None
    verdict = caption.split("\n")[1]
    # Three sessions under the plan, from its first pain (7); the plan's 15 exercise days
    # (26 Oct – 9 Nov), of which 14 done. Not 4 sessions from 6, nor 14 of all 21 days.
    assert verdict == (
        "Improving over 3 sessions: pain 7 (before the plan's 1st session, 26 Oct) → 4 "
        "(middle of the last 2 ratings, 2–9 Nov), −43 %; homework 93 % done."
    )

    await maya.send("/export Anna")
    pdf = maya.documents[-2]
    assert pdf.filename is not None and pdf.filename.endswith(".pdf")
    assert verdict in words(pdf_text(pdf.file_bytes or b""))
    # The referral letter states the record's verdict: the same function, the same line.
    async with running.db.unit_of_work() as uow:
        client_id = await anna_id(running)
        record = await client_record(
            uow, MAYA, client_id, today=clock.now().date(), zone="Europe/London"
        )
        progress = await load_progress(uow, MAYA, client_id, zone=running.settings.tz)
    assert record is not None and progress is not None
    assert record.verdict == progress.summary
    assert progress.verdict_line == verdict


def test_every_adherence_figure_is_cut_from_the_same_days() -> None:
    day = date(2026, 10, 19)
    due = [(1, day + timedelta(days=n)) for n in range(10)] + [(2, day + timedelta(days=9))]
    done = [(1, day + timedelta(days=n)) for n in (1, 8, 9)] + [(2, day + timedelta(days=20))]
    days = HomeworkDays.of(due, done)
    assert days.adherence() == Adherence(done=3, due=11)  # a day not due is not counted
    assert days.adherence(assignment_id=1) == Adherence(done=3, due=10)  # since assigned
    assert days.adherence(assignment_id=2) == Adherence(done=0, due=1)
    assert days.adherence(since=day + timedelta(days=8)) == Adherence(done=2, due=3)
    assert days.since(None) is days
    assert days.since(day + timedelta(days=9)).adherence() == Adherence(done=1, due=2)
