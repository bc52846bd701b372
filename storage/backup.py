"""Backups of the database, taken while the bot runs, and restoring one.

A backup is one file, readable by its owner only: on SQLite a consistent copy made by
`VACUUM INTO` (a read transaction, so writers carry on under WAL; no free pages, so nothing
erased survives in it), checked before it counts; on PostgreSQL a `pg_dump` archive (custom
format), made by the client tools of the server's own major version when installed.
A restore replaces the whole database in one step (one transaction on PostgreSQL, a rename
on SQLite), refuses while the bot has the database open, and keeps a copy of what it
replaces. Every failure is a `BackupError` whose text is one line, with no contents and no
password.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError

from storage.database import APPLICATION_NAME, Database, sqlite_path

# What a backup was taken for; rotation keeps the newest of each tag apart.
DAILY, MANUAL, BEFORE_MIGRATION, BEFORE_RESTORE = (
    "daily",
    "manual",
    "before-migration",
    "before-restore",
)
SUFFIXES = {"sqlite": ".sqlite3", "postgresql": ".pgdump"}
PREFIX = "aftercare-"


class BackupError(Exception):
    """A backup or a restore could not be done. str() is one line naming the cause."""


class RestoreRefused(BackupError):
    """The restore would replace a database in use, or one holding records, unasked."""


@dataclass(frozen=True)
class BackupResult:
    """What a scheduled backup came to: what an operator's notice is built from."""

    ok: bool
    at: datetime
    path: Path | None = None
    error: str | None = None


def backup_name(kind: str, now: datetime, tag: str, number: int = 1) -> str:
    """Names sort by time; a second backup within the same second is numbered."""
    second = f"{now:%Y%m%dT%H%M%SZ}" + (f".{number}" if number > 1 else "")
    return f"{PREFIX}{second}-{tag}{SUFFIXES[kind]}"


async def back_up(db: Database, folder: Path, now: datetime, tag: str) -> Path:
    """A new backup of `db` in `folder` (created owner-only if missing); its path."""
    try:
        target, partial = await asyncio.to_thread(_new_target, folder, db.kind, now, tag)
    except OSError as exc:
        raise BackupError(f"Backup failed: cannot write to {folder}: {_reason(exc)}") from None
    try:
        if db.kind == "sqlite":
            await _vacuum_into(db, partial)
            try:
                await asyncio.to_thread(check_sqlite_backup, partial)
            except BackupError as exc:
                raise BackupError(f"Backup failed: the copy is not sound ({exc})") from None
        else:
            await _pg_dump(db.url, partial)
        await asyncio.to_thread(_publish, partial, target)
    except BackupError:
        partial.unlink(missing_ok=True)
        raise
    except (OSError, SQLAlchemyError) as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"Backup failed: {_reason(exc)}") from None
    return target


def _new_target(folder: Path, kind: str, now: datetime, tag: str) -> tuple[Path, Path]:
    """The backup's final path, and where it is written until it is whole."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    number = 1
    while (target := folder / backup_name(kind, now, tag, number)).exists():
        number += 1
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    return target, partial


def _publish(partial: Path, target: Path) -> None:
    _seal(partial)
    os.replace(partial, target)


def _seal(path: Path) -> None:
    """Owner-only, and on disk before it replaces anything."""
    os.chmod(path, 0o600)
    with open(path, "rb") as written:
        os.fsync(written.fileno())


def rotate(folder: Path, tag: str, keep: int) -> list[Path]:
    """Delete all but the newest `keep` backups of `tag` (names sort by time); the deleted."""
    if not folder.is_dir():
        return []
    backups = sorted(
        path
        for path in folder.glob(f"{PREFIX}*-{tag}.*")
        if path.suffix in SUFFIXES.values() and path.is_file()
    )
    gone = backups[: max(len(backups) - keep, 0)]
    for path in gone:
        path.unlink(missing_ok=True)
    return gone


def check_sqlite_backup(path: Path) -> None:
    """Raise unless `path` is a sound SQLite database with an Aftercare schema."""
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = connection.execute("PRAGMA quick_check").fetchone()
            version = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            connection.close()
    except sqlite3.Error as exc:
        raise BackupError(f"{path} is not an Aftercare SQLite backup: {exc}") from None
    if result is None or result[0] != "ok":
        raise BackupError(f"{path} is damaged: SQLite's check failed")
    if version is None:
        raise BackupError(f"{path} is not an Aftercare SQLite backup: no schema version")


async def restore(
    url: str, source: Path, *, replace: bool, folder: Path, now: datetime
) -> Path | None:
    """Replace the database at `url` with the backup `source`.

    Refused while the bot (or anything else) has the database open, and, unless `replace`,
    when the database already holds a schema. What is replaced is backed up to `folder`
    first; that copy's path is returned (None when there was nothing to keep).
    """
    if not await asyncio.to_thread(source.is_file):
        raise BackupError(f"No backup file at {source}")
    if make_url(url).get_backend_name() == "sqlite":
        return await _restore_sqlite(url, source, replace=replace, folder=folder, now=now)
    return await _restore_postgres(url, source, replace=replace, folder=folder, now=now)


# --- SQLite ---------------------------------------------------------------------------------


async def _vacuum_into(db: Database, target: Path) -> None:
    async with db.engine.connect() as connection:
        # VACUUM refuses to run inside a transaction.
        autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
        await autocommit.exec_driver_sql("VACUUM INTO ?", (str(target),))


def sqlite_in_use(path: Path) -> bool:
    """Whether another process has the database open. Every SQLite connection in WAL mode
    holds a shared lock on one byte of the -shm file (the "DMS" byte, offset 128 in SQLite's
    unix VFS) for as long as it is open; a process that died holds none."""
    try:
        fd = os.open(f"{path}-shm", os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, 128, os.SEEK_SET)
    except OSError:
        return True
    finally:
        os.close(fd)  # also releases the lock just taken
    return False


def _holds_data(path: Path) -> bool:
    return path.exists() and path.stat().st_size > 0


async def _restore_sqlite(
    url: str, source: Path, *, replace: bool, folder: Path, now: datetime
) -> Path | None:
    path = sqlite_path(url)
    if path is None:
        raise BackupError("Only a SQLite file or a PostgreSQL database can be restored")
    await asyncio.to_thread(check_sqlite_backup, source)
    if await asyncio.to_thread(sqlite_in_use, path):
        raise RestoreRefused(f"{path} is in use: stop the bot before restoring")
    kept: Path | None = None
    if await asyncio.to_thread(_holds_data, path):
        if not replace:
            raise RestoreRefused(
                f"{path} already exists: restoring replaces everything in it. Run again with "
                "--replace to do so (a copy of it is kept first)"
            )
        db = Database(url)
        try:
            kept = await back_up(db, folder, now, BEFORE_RESTORE)
        finally:
            await db.dispose()
    try:
        await asyncio.to_thread(_swap_in, source, path)
    except OSError as exc:
        raise BackupError(f"Restore failed: {_reason(exc)}") from None
    return kept


def _swap_in(source: Path, path: Path) -> None:
    """Copy `source` beside `path`, then rename it over `path`: never half a database."""
    partial = path.with_name(path.name + ".restoring")
    try:
        shutil.copyfile(source, partial)
        _seal(partial)
        # A WAL left beside the old file would be replayed into the restored one.
        for leftover in (Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
            leftover.unlink(missing_ok=True)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


# --- PostgreSQL -----------------------------------------------------------------------------

# Everything the schema holds goes before the archive's contents come in, in the same
# transaction: a table a newer migration added must not outlive the restore.
_EMPTY_SCHEMA = """
DO $$
DECLARE item record;
BEGIN
  FOR item IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' LOOP
    EXECUTE format('DROP TABLE IF EXISTS public.%I CASCADE', item.tablename);
  END LOOP;
  FOR item IN SELECT sequencename FROM pg_sequences WHERE schemaname = 'public' LOOP
    EXECUTE format('DROP SEQUENCE IF EXISTS public.%I CASCADE', item.sequencename);
  END LOOP;
END $$;
"""


def _pg_env(url: URL) -> dict[str, str]:
    """libpq's variables for the URL: the password travels in the environment, never on a
    command line another user could read."""
    env = dict(os.environ)
    for name, value in (
        ("PGHOST", url.host),
        ("PGPORT", str(url.port) if url.port else None),
        ("PGUSER", url.username),
        ("PGPASSWORD", url.password),
        ("PGDATABASE", url.database),
    ):
        if value:
            env[name] = str(value)
    return env


async def _server_major(url: URL) -> int:
    db = Database(url.render_as_string(hide_password=False))
    try:
        async with db.engine.connect() as connection:
            number = (await connection.exec_driver_sql("SHOW server_version_num")).scalar_one()
    except (OSError, SQLAlchemyError) as exc:
        raise BackupError(f"Cannot reach PostgreSQL: {_reason(exc)}") from None
    finally:
        await db.dispose()
    return int(number) // 10000


async def _pg_tool(name: str, url: URL) -> str:
    """The server's own major version of a client tool (Debian keeps each version in
    /usr/lib/postgresql/<major>/bin); an older pg_dump refuses a newer server."""
    major = await _server_major(url)
    found = await asyncio.to_thread(_find_tool, name, major)
    if found is None:
        raise BackupError(
            f"{name} is not installed: install PostgreSQL's client tools, version {major} "
            f"(Debian: apt-get install postgresql-client-{major})"
        )
    return found


def _find_tool(name: str, major: int) -> str | None:
    own = Path(f"/usr/lib/postgresql/{major}/bin/{name}")
    return str(own) if own.is_file() else shutil.which(name)


async def _run(url: URL, *args: str, stdin: int | None = None) -> None:
    process = await asyncio.create_subprocess_exec(
        *args,
        env=_pg_env(url),
        stdin=stdin if stdin is not None else asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _, errors = await process.communicate()
    if process.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed: {_last_line(errors)}")


async def _pg_dump(url: URL, target: Path) -> None:
    pg_dump = await _pg_tool("pg_dump", url)
    await _run(url, pg_dump, "--format=custom", "--no-owner", "--no-privileges", f"--file={target}")


async def _postgres_in_use(db: Database) -> bool:
    async with db.engine.connect() as connection:
        others = await connection.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND application_name = :name AND pid <> pg_backend_pid()"
            ),
            {"name": APPLICATION_NAME},
        )
        return bool(others.scalar_one())


async def _postgres_has_schema(db: Database) -> bool:
    async with db.engine.connect() as connection:
        found = await connection.exec_driver_sql(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        )
        return bool(found.scalar_one())


async def _restore_postgres(
    url: str, source: Path, *, replace: bool, folder: Path, now: datetime
) -> Path | None:
    parsed = make_url(url)
    pg_restore = await _pg_tool("pg_restore", parsed)
    psql = await _pg_tool("psql", parsed)
    await _run(parsed, pg_restore, "--list", str(source))  # a readable archive, or refuse
    db = Database(url)
    try:
        if await _postgres_in_use(db):
            raise RestoreRefused(
                f"The database {parsed.database} is in use: stop the bot before restoring"
            )
        kept: Path | None = None
        if await _postgres_has_schema(db):
            if not replace:
                raise RestoreRefused(
                    f"The database {parsed.database} already holds tables: restoring replaces "
                    "everything in it. Run again with --replace to do so (a copy of it is "
                    "kept first)"
                )
            kept = await back_up(db, folder, now, BEFORE_RESTORE)
    except SQLAlchemyError as exc:
        raise BackupError(f"Cannot reach PostgreSQL: {_reason(exc)}") from None
    finally:
        await db.dispose()
    # pg_restore turns the archive into SQL; psql runs it after emptying the schema, all in
    # one transaction that stops at the first error (then nothing has changed).
    read, write = os.pipe()
    try:
        script = await asyncio.create_subprocess_exec(
            pg_restore,
            "--no-owner",
            "--no-privileges",
            "--file=-",
            str(source),
            env=_pg_env(parsed),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=write,
            stderr=asyncio.subprocess.PIPE,
        )
        os.close(write)
        write = -1
        try:
            await _run(
                parsed,
                psql,
                "--no-psqlrc",
                "--quiet",
                "--single-transaction",
                "--set=ON_ERROR_STOP=1",
                f"--command={_EMPTY_SCHEMA}",
                "--file=-",
                stdin=read,
            )
        finally:
            _, errors = await script.communicate()
        if script.returncode != 0:
            raise BackupError(f"pg_restore failed: {_last_line(errors)}")
    finally:
        os.close(read)
        if write != -1:
            os.close(write)
    return kept


# --- helpers --------------------------------------------------------------------------------


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    if isinstance(exc, SQLAlchemyError):
        original = getattr(exc, "orig", None)
        if original is not None:
            return _last_line(str(original).encode())
    return type(exc).__name__


def _last_line(output: bytes | None) -> str:
    lines = [line.strip() for line in (output or b"").decode(errors="replace").splitlines()]
    lines = [line for line in lines if line]
    return lines[-1][:200] if lines else "no reason given"
