"""The retention period: a record is deleted, whole, RECORD_RETENTION_YEARS after the client's
last session; the therapist is told a month before, once; a later session keeps it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.shared import texts
from demo.offline import OfflineBot
from emulator import Phone
from practice.clock import FrozenClock
from practice.retention import Retention, Step, kept_until, retention_step
from reminders.housekeeping import Housekeeping
from storage.models import Base, Client, Delivery, SessionNote
from tests.chat import new_client_note
from tests.conftest import MAYA
from tests.test_care import set_plan


@pytest.fixture(autouse=True)
def backups_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The nightly run backs up first: on PostgreSQL not into the working directory."""
    monkeypatch.setenv("BACKUP_DIR", str(tmp_path / "backups"))


async def note_for(maya: Phone, name: str) -> None:
    await maya.send("/note")
    for label in (name, "Done", "Done", "Medium", "5", "2", "Skip to summary", "Save"):
        await maya.tap(label)


async def night_of(running: OfflineBot, clock: FrozenClock, day: date) -> None:
    """03:00 in London that day: the daily backup, then the retention run."""
    clock.set(datetime(day.year, day.month, day.day, 3, 0, tzinfo=UTC))
    keeper: Housekeeping = running.application.bot_data["housekeeping"]
    assert await keeper.run_due() == ["backup", "retention", "outbox"]


async def morning_of(running: OfflineBot, clock: FrozenClock, day: date) -> None:
    clock.set(datetime(day.year, day.month, day.day, 8, 0, tzinfo=UTC))
    await running.dispatch()
    # One message a second to a chat (the dispatcher's pacing): the rest of the morning's
    # notices to the therapist follow a second apart.
    for _ in range(3):
        clock.advance(timedelta(seconds=1))
        await running.dispatch()


async def client_id(running: OfflineBot, name: str) -> int:
    async with running.db.unit_of_work() as uow:
        [client] = await uow.clients.search(MAYA, name, 1)
    return client.id


def notices(maya: Phone) -> list[str]:
    return [m.text for m in maya.messages if m.text.startswith("🗄")]


async def test_a_record_is_deleted_whole_after_the_retention_period_told_a_month_ahead(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    clock.set(datetime(2019, 1, 2, 10, 0, tzinfo=UTC))
    await new_client_note(maya, "Ben <3")  # long past his period when the purge first runs
    clock.set(datetime(2019, 12, 28, 10, 0, tzinfo=UTC))
    await new_client_note(maya, "Anna K.")
    await set_plan(maya)
    await maya.tap("Save")
    await note_for(maya, "Anna K.")
    await maya.send("/invite Anna")
    await new_client_note(maya, "Cara M.")
    clock.set(datetime(2026, 10, 1, 10, 0, tzinfo=UTC))
    await new_client_note(maya, "Dora S.")  # recent: nothing happens to her record
    anna = await client_id(running, "Anna")

    # The first run: Ben's day has passed, so he gets a month's notice, not a deletion.
    await night_of(running, clock, date(2026, 11, 26))
    await morning_of(running, clock, date(2026, 11, 26))
    assert notices(maya) == [
        "🗄 Ben <3's record (last session 2 Jan 2019) will be deleted on 26 Dec 2026 under "
        "your retention period of 7 years: every note, plan, homework, check-in, message and "
        "referral. To keep a copy, send /export Ben <3 before then."
    ]
    await night_of(running, clock, date(2026, 11, 27))  # Anna's notice is due tomorrow
    await morning_of(running, clock, date(2026, 11, 27))
    assert len(notices(maya)) == 1
    await night_of(running, clock, date(2026, 11, 28))
    assert len(notices(maya)) == 1  # queued for the morning, not sent at night
    await morning_of(running, clock, date(2026, 11, 28))
    assert notices(maya)[1:] == [
        "🗄 Anna K.'s record (last session 28 Dec 2019) will be deleted on 28 Dec 2026 under "
        "your retention period of 7 years: every note, plan, homework, check-in, message and "
        "referral. To keep a copy, send /export Anna K. before then.",
        "🗄 Cara M.'s record (last session 28 Dec 2019) will be deleted on 28 Dec 2026 under "
        "your retention period of 7 years: every note, plan, homework, check-in, message and "
        "referral. To keep a copy, send /export Cara M. before then.",
    ]
    for day in (29, 30):  # told once
        await night_of(running, clock, date(2026, 11, day))
        await morning_of(running, clock, date(2026, 11, day))
    assert len(notices(maya)) == 3

    clock.set(datetime(2026, 12, 1, 10, 0, tzinfo=UTC))
    await note_for(maya, "Cara M.")  # Cara came back: her record is kept seven more years
    await night_of(running, clock, date(2026, 12, 25))
    await maya.send("/clients")
    assert sorted(maya.all_buttons[:4]) == ["Anna K.", "Ben <3", "Cara M.", "Dora S."]
    await night_of(running, clock, date(2026, 12, 26))
    await maya.send("/clients")
    assert "Ben <3" not in maya.all_buttons and "Anna K." in maya.all_buttons
    await night_of(running, clock, date(2026, 12, 28))
    await maya.send("/clients")
    assert [b for b in maya.all_buttons if b.endswith(".")] == ["Cara M.", "Dora S."]
    assert len(notices(maya)) == 3

    async with running.db.unit_of_work() as uow:
        assert await uow.session.get(Client, anna) is None
        for table in Base.metadata.sorted_tables:
            if "client_id" in table.c:
                left = await uow.session.scalar(
                    select(func.count()).select_from(table).where(table.c.client_id == anna)
                )
                assert left == 0, table.name
        notes = await uow.session.scalar(select(func.count()).select_from(SessionNote))
        retention = await uow.session.scalar(
            select(func.count()).select_from(Delivery).where(Delivery.kind == "retention")
        )
    assert notes == 3  # Cara's two and Dora's
    assert retention == 1  # Cara's notice: the deleted records' went with them
    await maya.send("/history Anna")
    assert "Anna K." not in maya.last_text


def test_the_day_a_record_goes() -> None:
    assert kept_until(date(2019, 12, 3), 7) == date(2026, 12, 3)
    assert kept_until(date(2020, 2, 29), 7) == date(2027, 2, 28)
    last = date(2019, 12, 3)
    assert retention_step(last, 7, None, date(2026, 11, 2)) == Retention(Step.KEEP, None)
    told = Retention(Step.NOTIFY, date(2026, 12, 3))
    assert retention_step(last, 7, None, date(2026, 11, 3)) == told
    assert retention_step(last, 7, date(2026, 12, 3), date(2026, 12, 2)).step == Step.KEEP
    assert retention_step(last, 7, date(2026, 12, 3), date(2026, 12, 3)).step == Step.PURGE
    # Told late (the bot was off): never sooner than a month after the notice.
    assert retention_step(last, 7, None, date(2027, 3, 1)) == Retention(
        Step.NOTIFY, date(2027, 4, 1)
    )
    # A session since the notice: withdrawn, and told again a month before the new day.
    later = date(2020, 6, 1)
    assert retention_step(later, 7, date(2026, 12, 3), date(2026, 12, 3)) == Retention(
        Step.WITHDRAW, None
    )
    # A shorter period set after the notice keeps the day the therapist was told.
    assert retention_step(last, 5, date(2026, 12, 3), date(2026, 11, 20)).step == Step.KEEP


def test_the_notice_escapes_the_name() -> None:
    notice = texts.retention_notice("<a href='x'>Ann</a>", date(2019, 12, 3), date(2026, 12, 3), 7)
    assert "&lt;a href=&#x27;x&#x27;&gt;Ann&lt;/a&gt;'s record (last session 3 Dec 2019)" in notice
    assert "will be deleted on 3 Dec 2026 under your retention period of 7 years" in notice
