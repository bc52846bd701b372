"""The engine and session factory, and bringing the schema to head on start-up."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import sqlite3
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, inspect
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from storage.models import attach_postgresql_options
from storage.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"

# How the bot's connections name themselves to PostgreSQL: a restore refuses while any is open.
APPLICATION_NAME = "aftercare"

# PostgreSQL advisory lock keys: bot processes starting together take turns at these.
MIGRATION_LOCK = 0x41465443_0001  # "AFTC" 1
STARTUP_LOCK = 0x41465443_0002
NOTICE_LOCK = 0x41465443_0003  # operator notices (bot/runtime/watch.py)

# Updates of different chats are handled side by side, and a transaction may be open across a
# Telegram call (an answer to a tap): a second writer waits that long rather than fail.
BUSY_TIMEOUT_SECONDS = 30.0


class DatabaseUnusable(Exception):
    """The database cannot be opened or written; str() is one line naming the cause and the
    file (or the server, never its password)."""


# SQLite's own error names (sqlite3.Error.sqlite_errorname), as an operator would act on them.
_SQLITE_CAUSES = {
    "SQLITE_NOTADB": "is not an SQLite database (damaged, or another kind of file)",
    "SQLITE_CORRUPT": "is damaged (truncated or overwritten); restore it from a backup",
    "SQLITE_READONLY": "is read-only: the bot needs to write to it, and to its folder",
    "SQLITE_BUSY": "is locked by another process (is another bot running on this file?)",
    "SQLITE_FULL": "cannot grow: the disk is full",
    "SQLITE_PERM": "may not be opened: permission denied",
    "SQLITE_IOERR": "cannot be read or written (an I/O error on the disk)",
}


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers run beside the writer; foreign keys are off in SQLite unless asked;
    # the busy timeout (sqlite3's `timeout`, BUSY_TIMEOUT_SECONDS unless the URL's ?timeout=
    # says otherwise) makes a second writer wait instead of failing at once.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Deleted rows are overwritten with zeros, not left in free pages: after /forgetme or the
    # retention purge (and a checkpoint) no trace of the text is in the file or the WAL.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def sqlite_path(url: str) -> Path | None:
    """The SQLite database file a URL names, or None (PostgreSQL, or in memory)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def _create_private(path: Path) -> None:
    """Create the database file readable by its owner only. SQLite gives the -wal and -shm
    files the database file's own permissions, so they are private too, whatever the umask
    of whoever runs the bot. A missing folder is left for SQLite to report."""
    if path.exists() or not path.parent.is_dir():
        return
    with contextlib.suppress(FileExistsError):  # another process created it meanwhile
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def alembic_config(url: str | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url:
        config.set_main_option("sqlalchemy.url", url)
    return config


class Database:
    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = make_url(url)
        connect_args: dict[str, Any] = {}
        if self.url.get_backend_name() == "postgresql":
            connect_args["server_settings"] = {"application_name": APPLICATION_NAME}
            attach_postgresql_options()
        path = sqlite_path(url)
        if path is not None:
            _create_private(path)
        # hide_parameters: a failed statement's exception text would otherwise carry the note's
        # contents into the logs.
        if self.url.get_backend_name() == "sqlite" and "timeout" not in self.url.query:
            connect_args["timeout"] = BUSY_TIMEOUT_SECONDS
        self.engine: AsyncEngine = create_async_engine(
            url, echo=echo, hide_parameters=True, connect_args=connect_args
        )
        if self.url.get_backend_name() == "sqlite":
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self._sessions)

    @property
    def kind(self) -> str:
        """ "sqlite" or "postgresql"."""
        return self.url.get_backend_name()

    async def migrate(self, before_upgrade: Callable[[], Awaitable[object]] | None = None) -> None:
        """Apply every Alembic migration up to head, on this engine's own connection.

        `before_upgrade` runs when an existing schema is about to change (not on a fresh
        database, nor when it is at head already): the snapshot to go back to.
        """
        sqlite = self.url.get_backend_name() == "sqlite"
        async with self.engine.connect() as connection:
            if self.url.get_backend_name() == "postgresql":
                # Several processes may start at once: one migrates, the others wait and then
                # find the schema at head. A session lock, held until the connection closes.
                await connection.exec_driver_sql(f"SELECT pg_advisory_lock({MIGRATION_LOCK})")
            if sqlite:
                # SQLite alters a table by copying it and dropping the original; with foreign
                # keys on, the drop would cascade and delete every note of every client. The
                # pragma only takes effect outside a transaction, hence before anything else.
                await connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            try:
                if before_upgrade is not None and await connection.run_sync(_behind_head):
                    await before_upgrade()
                upgraded = await connection.run_sync(_upgrade_to_head)
                await connection.commit()
                if sqlite and upgraded:  # a full scan: only worth it after a change
                    broken = (await connection.exec_driver_sql("PRAGMA foreign_key_check")).all()
                    if broken:
                        raise RuntimeError(f"migration left {len(broken)} broken references")
            finally:
                if sqlite:
                    await connection.rollback()
                    await connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                elif self.url.get_backend_name() == "postgresql":
                    await connection.rollback()
                    await connection.exec_driver_sql(f"SELECT pg_advisory_unlock({MIGRATION_LOCK})")
                    await connection.commit()

    async def dispose(self) -> None:
        await self.engine.dispose()

    async def dispose_after_failure(self) -> None:
        """dispose(), and a moment for aiosqlite's threads to finish: a connection that failed
        to open is stopped by a message to its thread, which then answers the event loop; a
        process that leaves before that prints the thread's traceback after its one line."""
        await self.dispose()
        for _ in range(100):
            if not any(
                thread.name.endswith("(_connection_worker_thread)")
                for thread in threading.enumerate()
            ):
                return
            await asyncio.sleep(0.01)

    def _sqlite_file(self) -> Path:
        database = self.url.database or ""
        if self.url.query.get("uri") and database.startswith("file:"):
            database = database.removeprefix("file:").split("?", 1)[0]
        return Path(database)

    def explain(self, error: BaseException) -> DatabaseUnusable | None:
        """What an operator must hear about a failure to open or write the database, in one
        line; None for a failure that is not about the database being usable (a bug)."""
        if isinstance(error, DBAPIError):
            error = error.orig or error
        if self.url.get_backend_name() == "sqlite":
            path = self._sqlite_file()
            if not isinstance(error, sqlite3.Error):
                return None
            if not path.parent.is_dir():
                return DatabaseUnusable(f"Database error: the folder {path.parent} does not exist")
            cause = _SQLITE_CAUSES.get(getattr(error, "sqlite_errorname", ""))
            if cause is None:
                if getattr(error, "sqlite_errorname", "") != "SQLITE_CANTOPEN":
                    return None
                cause = "cannot be opened (check that it and its folder are readable and writable)"
            return DatabaseUnusable(f"Database error: {path} {cause}")
        where = self.url.render_as_string(hide_password=True)
        if isinstance(error, OSError | TimeoutError):
            reason = getattr(error, "strerror", None) or type(error).__name__
            return DatabaseUnusable(f"Database error: {where} cannot be reached ({reason})")
        inner = error.__cause__ or error  # SQLAlchemy's asyncpg adapter wraps the server's error
        if type(inner).__module__.startswith("asyncpg"):
            reason = f"{type(inner).__name__}: {inner}".splitlines()[0][:200]
            return DatabaseUnusable(f"Database error: {where} refused the bot ({reason})")
        return None


_REVISION = re.compile(r'^revision: str = "([^"]+)"', re.MULTILINE)
_DOWN = re.compile(r'^down_revision: [^=]+= "([^"]+)"', re.MULTILINE)


def head_revision() -> str | None:
    """The newest migration's revision, read from the version files themselves: a start at
    head (almost every start) need not import Alembic (a tenth of a second, a few MB). The
    single revision no other revises; None when that is not one (then Alembic decides)."""
    revisions, revised = set(), set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        revisions.update(_REVISION.findall(text))
        revised.update(_DOWN.findall(text))
    heads = revisions - revised
    return heads.pop() if len(heads) == 1 else None


def current_revision(connection: Connection) -> str | None:
    """The schema's revision as alembic_version holds it; None for a new database."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    rows = connection.exec_driver_sql("SELECT version_num FROM alembic_version").all()
    return str(rows[0][0]) if len(rows) == 1 else None


def _at_head(connection: Connection) -> bool:
    head = head_revision()
    return head is not None and current_revision(connection) == head


def _behind_head(connection: Connection) -> bool:
    """Whether an existing schema has migrations still to apply."""
    if _at_head(connection):
        return False
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    current = MigrationContext.configure(connection).get_current_revision()
    return current is not None and current != head


def _upgrade_to_head(connection: Connection) -> bool:
    """Upgrade to head; whether anything was applied (a restart usually applies nothing)."""
    if _at_head(connection):
        return False
    from alembic import command
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    config = alembic_config()
    head = ScriptDirectory.from_config(config).get_current_head()
    current = MigrationContext.configure(connection).get_current_revision()
    if current == head:
        return False
    config.attributes["connection"] = connection
    command.upgrade(config, "head")
    # One line for the operator (Alembic's own, one per step, are quieted in bot/runtime/logs.py).
    log.info("database schema upgraded from %s to %s", current or "nothing", head)
    return True
