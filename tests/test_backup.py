"""Backups an operator can restore: taken daily by the bot (rotated), before a migration, on
demand; restored whole, never over a database in use or over records unasked."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from alembic import command
from sqlalchemy import select, text
from sqlalchemy.engine import Connection, make_url

from bot.runtime.cli import main
from bot.shared.config import chore_policy, load_settings
from demo.offline import OfflineBot, offline_bot
from emulator import Phone
from practice.clock import FrozenClock
from reminders.housekeeping import Housekeeping, plan_chores
from storage import Database
from storage.backup import BackupResult, RestoreRefused, restore
from storage.database import alembic_config, sqlite_path
from storage.models import Chore, Delivery, SessionNote, TreatmentPlan
from tests.chat import new_client_note
from tests.conftest import LEO, MAYA
from tests.test_care import set_plan
from tests.test_invites import join
from tests.test_records import second_note

LONDON = "Europe/London"
# Thursday 26 November 2026, 03:00 in London: the daily backup's time.
NIGHT = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)


def housekeeping(bot: OfflineBot) -> Housekeeping:
    keeper: Housekeeping = bot.application.bot_data["housekeeping"]
    return keeper


async def rows(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """The notes, plans and outbox as stored, row by row."""
    found: dict[str, list[tuple[Any, ...]]] = {}
    async with db.unit_of_work() as uow:
        for table in (SessionNote, TreatmentPlan, Delivery):
            result = await uow.session.execute(select(table.__table__).order_by(table.id))
            found[table.__tablename__] = [tuple(row) for row in result]
    return found


async def erase_database(url: str) -> None:
    path = sqlite_path(url)
    if path is not None:
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)
        return
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    finally:
        await connection.close()


# Another process with the SQLite file open, as the bot's own process has it.
HOLD = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1])
connection.execute("PRAGMA journal_mode=WAL").fetchall()
connection.execute("SELECT count(*) FROM sqlite_master").fetchall()
print("open", flush=True)
sys.stdin.read()
"""


@contextlib.contextmanager
def holding(url: str) -> Iterator[None]:
    """The database held open by another process, as a running bot holds it. (A bot in
    this test's own process would not do: locks never conflict within one process.) On
    PostgreSQL the bot's own connections show in pg_stat_activity already."""
    path = sqlite_path(url)
    if path is None:
        yield
        return
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == b"open\n"
        yield
    finally:
        holder.kill()
        holder.wait()


async def a_practice_day(running: OfflineBot, maya: Phone) -> None:
    """Notes, a plan and a client on the bot, so the outbox holds her check-ins."""
    await new_client_note(maya, "Anna K.")
    await set_plan(maya)
    await maya.tap("Save")
    anna = await join(running, maya)
    await anna.tap("London")
    await second_note(maya)


async def test_a_backup_restores_the_same_notes_plans_and_outbox(
    database_url: str, clock: FrozenClock, tmp_path: Path
) -> None:
    folder = tmp_path / "backups"
    bot_settings: dict[str, Any] = {"timezone": LONDON, "backup_dir": folder}
    async with offline_bot(
        database_url, therapist_ids=frozenset({MAYA}), clock=clock, **bot_settings
    ) as bot:
        maya = bot.emulator.user(id=MAYA, first_name="Maya")
        await a_practice_day(bot, maya)
        before = await rows(bot.db)
        clock.set(NIGHT)
        assert await housekeeping(bot).run_due() == ["backup", "retention", "outbox"]
        result = housekeeping(bot).last_backup
    assert result is not None and result.ok and result.path is not None
    assert result.path.parent == folder and result.path.name.endswith("-daily" + result.path.suffix)
    assert len(before["session_notes"]) == 2 and len(before["treatment_plans"]) == 1
    assert any(row for row in before["deliveries"])

    await erase_database(database_url)
    assert (
        await restore(database_url, result.path, replace=False, folder=folder, now=clock.now())
        is None
    )

    async with offline_bot(
        database_url, therapist_ids=frozenset({MAYA}), clock=clock, **bot_settings
    ) as bot:
        assert await rows(bot.db) == before
        maya = bot.emulator.user(id=MAYA, first_name="Maya")
        await maya.send("/history Anna")
        assert "Anna K." in maya.last_text and "#2" in maya.last_text


async def test_a_restore_never_replaces_a_database_in_use_or_records_unasked(
    database_url: str, clock: FrozenClock, tmp_path: Path
) -> None:
    folder = tmp_path / "backups"
    async with offline_bot(
        database_url, therapist_ids=frozenset({MAYA}), clock=clock, backup_dir=folder
    ) as bot:
        maya = bot.emulator.user(id=MAYA, first_name="Maya")
        await new_client_note(maya, "Anna K.")
        clock.set(NIGHT)
        await housekeeping(bot).run_due()
        backup = housekeeping(bot).last_backup
        assert backup is not None and backup.path is not None
        await new_client_note(maya, "Boris P.")  # after the backup
        with holding(database_url), pytest.raises(RestoreRefused, match="stop the bot before"):
            await restore(database_url, backup.path, replace=True, folder=folder, now=clock.now())
        await maya.send("/clients")
        assert "Boris P." in maya.all_buttons  # nothing was touched

    with pytest.raises(RestoreRefused, match="Run again with --replace"):
        await restore(database_url, backup.path, replace=False, folder=folder, now=clock.now())
    clock.advance(timedelta(minutes=5))
    kept = await restore(database_url, backup.path, replace=True, folder=folder, now=clock.now())
    assert kept is not None and kept.name.startswith("aftercare-20261126T030500Z-before-restore")

    async with offline_bot(database_url, therapist_ids=frozenset({MAYA}), clock=clock) as bot:
        maya = bot.emulator.user(id=MAYA, first_name="Maya")
        await maya.send("/clients")
        assert maya.all_buttons == ["Anna K."]
    # What the restore replaced is kept, Boris and all.
    await erase_database(database_url)
    await restore(database_url, kept, replace=False, folder=folder, now=clock.now())
    async with offline_bot(database_url, therapist_ids=frozenset({MAYA}), clock=clock) as bot:
        maya = bot.emulator.user(id=MAYA, first_name="Maya")
        await maya.send("/clients")
        assert "Boris P." in maya.all_buttons


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'aftercare.db'}"


async def test_daily_backups_are_rotated_and_taken_once_a_day_across_restarts(
    sqlite_url: str, clock: FrozenClock, tmp_path: Path
) -> None:
    folder = tmp_path / "backups"  # the default: beside the database file
    clock.set(NIGHT - timedelta(minutes=1))
    async with offline_bot(sqlite_url, therapist_ids=frozenset({MAYA}), clock=clock) as bot:
        assert bot.settings.backups == folder
        assert await housekeeping(bot).run_due() == []  # 02:59: not yet
        for _ in range(15):
            clock.advance(timedelta(minutes=1))
            assert await housekeeping(bot).run_due() == ["backup", "retention", "outbox"]
            assert await housekeeping(bot).run_due() == []  # once a day
            clock.advance(timedelta(days=1) - timedelta(minutes=1))
    daily = sorted(p.name for p in folder.iterdir())
    assert len(daily) == 14  # BACKUP_KEEP's default
    assert daily[0] == "aftercare-20261127T030000Z-daily.sqlite3"  # the first went
    assert daily[-1] == "aftercare-20261210T030000Z-daily.sqlite3"
    assert {oct((folder / name).stat().st_mode & 0o777) for name in daily} == {"0o600"}
    assert oct(folder.stat().st_mode & 0o777) == "0o700"

    # A restart remembers the day's backup is done; tomorrow's comes at 03:00.
    async with offline_bot(
        sqlite_url, therapist_ids=frozenset({MAYA}), clock=clock, backup_keep=3
    ) as bot:
        assert await housekeeping(bot).run_due() == []
        clock.set(datetime(2026, 12, 11, 3, 0, tzinfo=UTC))
        assert await housekeeping(bot).run_due() == ["backup", "retention", "outbox"]
    assert len(list(folder.iterdir())) == 3


async def test_a_failed_backup_is_reported_and_tried_again_an_hour_later(
    sqlite_url: str, clock: FrozenClock, tmp_path: Path
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    heard: list[BackupResult] = []

    async def listener(result: BackupResult) -> None:
        heard.append(result)

    clock.set(NIGHT - timedelta(hours=1))
    async with offline_bot(
        sqlite_url, therapist_ids=frozenset({MAYA}), clock=clock, backup_dir=blocked
    ) as bot:
        housekeeping(bot).on_backup(listener)
        clock.set(NIGHT)
        assert await housekeeping(bot).run_due() == ["backup", "retention", "outbox"]
        [failed] = heard
        assert not failed.ok and failed.path is None and failed.at == NIGHT
        assert failed.error == f"Backup failed: cannot write to {blocked}: File exists"
        clock.advance(timedelta(minutes=59))
        assert await housekeeping(bot).run_due() == []
        clock.advance(timedelta(minutes=1))
        assert await housekeeping(bot).run_due() == ["backup"]
        assert len(heard) == 2 and not heard[1].ok
        async with bot.db.unit_of_work() as uow:
            chore = await uow.session.get(Chore, "backup")
        assert chore is not None and chore.failed_at == NIGHT + timedelta(hours=1)


def _upgrade_to(revision: str) -> Any:
    def upgrade(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    return upgrade


async def an_older_schema_with_maya(url: str, revision: str, at: datetime) -> None:
    """A database left at `revision` by an older Aftercare, holding one therapist: a
    migration to head is pending and has a record to keep."""
    db = Database(url)
    try:
        async with db.engine.connect() as connection:
            await connection.run_sync(_upgrade_to(revision))
            await connection.execute(
                text(
                    "INSERT INTO therapists (id, display_name, created_at) "
                    "VALUES (:id, 'Maya', :at)"
                ),
                {"id": MAYA, "at": at},
            )
            await connection.commit()
    finally:
        await db.dispose()


async def test_a_snapshot_is_taken_before_a_pending_migration(
    sqlite_url: str, clock: FrozenClock, tmp_path: Path
) -> None:
    await an_older_schema_with_maya(sqlite_url, "0009", clock.now())

    async with offline_bot(sqlite_url, therapist_ids=frozenset({MAYA}), clock=clock):
        pass
    [snapshot] = list((tmp_path / "backups").iterdir())
    assert snapshot.name == "aftercare-20261125T100000Z-before-migration.sqlite3"
    copy = sqlite3.connect(snapshot)
    try:
        assert copy.execute("SELECT version_num FROM alembic_version").fetchall() == [("0009",)]
        assert copy.execute("SELECT display_name FROM therapists").fetchall() == [("Maya",)]
    finally:
        copy.close()
    # At head, a restart takes none.
    async with offline_bot(sqlite_url, therapist_ids=frozenset({MAYA}), clock=clock):
        pass
    assert len(list((tmp_path / "backups").iterdir())) == 1


async def migrated(url: str) -> None:
    db = Database(url)
    try:
        await db.migrate()
    finally:
        await db.dispose()


def test_the_command_line_backs_up_and_restores(
    sqlite_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setenv("THERAPIST_IDS", str(LEO))
    monkeypatch.delenv("BACKUP_DIR", raising=False)
    folder = tmp_path / "backups"
    umask = os.umask(0o022)
    try:
        assert main(["backup"]) == 1
        assert f"No database at {tmp_path / 'aftercare.db'}" in capsys.readouterr().err
        assert not (tmp_path / "aftercare.db").exists()  # nor made one
        asyncio.run(migrated(sqlite_url))
        assert main(["backup"]) == 0
        assert os.umask(0o022) == 0o077  # set by the command, before anything was written
        [written] = list(folder.iterdir())
        assert f"Backup written: {written}" in capsys.readouterr().out
        assert oct(written.stat().st_mode & 0o777) == "0o600"

        assert main(["restore", str(written)]) == 2  # the database is there: refused
        assert "Run again with --replace" in capsys.readouterr().err
        assert main(["restore", str(written), "--replace"]) == 0
        out = capsys.readouterr().out
        assert f"Restored from {written}." in out and "was kept as" in out
        assert main(["restore", str(tmp_path / "missing.sqlite3")]) == 1
        assert "No backup file at" in capsys.readouterr().err
        (tmp_path / "junk.sqlite3").write_text("not a database")
        assert main(["restore", str(tmp_path / "junk.sqlite3"), "--replace"]) == 1
        assert "is not an Aftercare SQLite backup" in capsys.readouterr().err
    finally:
        os.umask(umask)
    with pytest.raises(SystemExit):
        main(["restore"])  # the file is required


async def test_a_surprise_in_a_backup_is_still_reported_as_a_failure(
    sqlite_url: str, clock: FrozenClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*_: object) -> Path:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("reminders.housekeeping.back_up", broken)
    settings = load_settings(database_url=sqlite_url, practice_timezone=LONDON)
    db = Database(sqlite_url)
    heard: list[BackupResult] = []

    async def listener(result: BackupResult) -> None:
        heard.append(result)

    try:
        await db.migrate()
        async with db.unit_of_work() as uow:
            await plan_chores(uow, chore_policy(settings), NIGHT - timedelta(hours=1))
            await uow.commit()
        keeper = Housekeeping(chore_policy(settings), db, FrozenClock(NIGHT))
        keeper.on_backup(listener)
        assert await keeper.run_due() == ["backup", "retention", "outbox"]
    finally:
        await db.dispose()
    assert heard == [BackupResult(ok=False, at=NIGHT, error="Backup failed: RuntimeError")]
    assert keeper.last_backup == heard[0]
