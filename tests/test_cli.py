"""The `aftercare` command (bot/runtime/cli.py), as installed: run from elsewhere than the
checkout, as a process of its own, with nothing but the environment to go by."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from importlib import metadata
from pathlib import Path

import pytest

from bot.runtime.cli import build_parser, main
from bot.runtime.maintenance import migrate_command
from bot.shared.config import Settings, load_settings
from practice.clock import FrozenClock
from tests.test_backup import an_older_schema_with_maya

AFTERCARE = Path(sys.executable).parent / "aftercare"
COMMANDS = ["run", "send", "demo", "backup", "restore", "migrate", "check-config"]
TOKEN = "123456789:AAHsecretpartofthetoken"


def aftercare(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    assert AFTERCARE.is_file(), f"{AFTERCARE} is missing: scripts/bootstrap.sh installs it"
    # Only what the test gives: none of the bot's settings from the environment running it.
    settings = {name.upper() for name in Settings.model_fields}
    inherited = {k: v for k, v in os.environ.items() if k not in settings and k != "PYTHONPATH"}
    return subprocess.run(
        [str(AFTERCARE), *args],
        cwd=cwd,
        env={**inherited, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_command_works_from_any_directory(tmp_path: Path) -> None:
    result = aftercare("--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: aftercare ")
    for command in COMMANDS:
        assert command in result.stdout
    version = aftercare("--version", cwd=tmp_path)
    assert version.returncode == 0, version.stderr
    assert version.stdout.strip() == f"aftercare {metadata.version('aftercare')}"


@pytest.mark.parametrize("command", COMMANDS)
def test_each_subcommand_has_its_own_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main([command, "--help"], prog="aftercare")
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: aftercare {command} ")
    assert len(out.splitlines()) > 3  # a description, not just the usage line


def test_python_m_bot_is_the_same_command() -> None:
    assert build_parser("python -m bot").format_usage().startswith("usage: python -m bot ")
    result = subprocess.run(
        [sys.executable, "-m", "bot", "check-config", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: python -m bot check-config")


def test_a_file_is_for_restore_only(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["backup", "some.sqlite3"])
    assert exit_.value.code == 2
    assert "unrecognized arguments: some.sqlite3" in capsys.readouterr().err


def test_check_config_summarises_a_good_configuration_without_its_secrets(
    tmp_path: Path,
) -> None:
    result = aftercare(
        "check-config",
        cwd=tmp_path,
        TELEGRAM_BOT_TOKEN=TOKEN,
        THERAPIST_IDS="1001, 1002",
        PRACTICE_TIMEZONE="Europe/London",
        DATABASE_URL="postgresql+asyncpg://aftercare:hunter2@db.example/aftercare",
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    out = result.stdout
    assert out.startswith("Configuration OK (read from the environment):\n")
    assert "123456789:********" in out
    assert "secretpart" not in out and "hunter2" not in out
    assert "postgresql+asyncpg://aftercare:***@db.example/aftercare" in out
    assert "2 therapists" in out and "Europe/London" in out
    assert len(out.splitlines()) < 15


def test_check_config_reads_the_env_file_of_the_working_directory(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(f"TELEGRAM_BOT_TOKEN={TOKEN}\nTHERAPIST_IDS=1001\n")
    result = aftercare("check-config", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"read from the environment and {tmp_path / '.env'}" in result.stdout
    assert "secretpart" not in result.stdout


def test_check_config_names_each_problem_in_one_line(tmp_path: Path) -> None:
    result = aftercare(
        "check-config",
        cwd=tmp_path,
        TELEGRAM_BOT_TOKEN=TOKEN,
        THERAPIST_IDS="abc",
        PRACTICE_TIMEZONE="Mars/Olympus",
        BACKUP_KEEP="-1",
    )
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert [line.split()[2] for line in lines] == [
        "THERAPIST_IDS",
        "PRACTICE_TIMEZONE",
        "BACKUP_KEEP",
    ]
    assert all(line.startswith("Configuration error: ") for line in lines)
    assert "Traceback" not in result.stderr and "secretpart" not in result.stderr


def test_check_config_wants_a_token_and_a_folder_for_the_database(tmp_path: Path) -> None:
    result = aftercare(
        "check-config",
        cwd=tmp_path,
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'missing' / 'aftercare.db'}",
    )
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("Configuration error: TELEGRAM_BOT_TOKEN is not set")
    assert lines[1] == (
        f"Configuration error: DATABASE_URL names a file in {tmp_path / 'missing'}, "
        "a folder that does not exist"
    )


def test_migrate_creates_a_fresh_database_then_has_nothing_to_do(tmp_path: Path) -> None:
    database = tmp_path / "aftercare.db"
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{database}"}
    first = aftercare("migrate", cwd=tmp_path, **env)
    assert first.returncode == 0, first.stderr
    [line] = first.stdout.splitlines()
    assert line.startswith("Database schema created at ")
    assert oct(database.stat().st_mode & 0o777) == "0o600"
    head = line.removeprefix("Database schema created at ").split()[0]
    with closing(sqlite3.connect(database)) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchall() == [(head,)]

    second = aftercare("migrate", cwd=tmp_path, **env)
    assert second.returncode == 0, second.stderr
    assert second.stdout.splitlines() == [f"Database schema already at {head}: nothing to do."]
    assert not (tmp_path / "backups").exists()  # nothing changed, so no backup was needed


def test_migrate_says_why_it_cannot(tmp_path: Path) -> None:
    result = aftercare(
        "migrate",
        cwd=tmp_path,
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'missing' / 'aftercare.db'}",
    )
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"Database error: the folder {tmp_path / 'missing'} does not exist"
    ]


async def test_migrate_backs_up_an_existing_schema_before_changing_it(
    tmp_path: Path, clock: FrozenClock, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'aftercare.db'}"
    await an_older_schema_with_maya(url, "0009", clock.now())
    settings = load_settings(database_url=url, backup_dir=None)

    assert await migrate_command(settings, clock) == 0
    [line] = capsys.readouterr().out.splitlines()
    assert line.startswith("Database schema upgraded from 0009 to ")
    assert line.endswith(f"; a backup was written to {tmp_path / 'backups'} first.")
    [snapshot] = list((tmp_path / "backups").iterdir())
    assert snapshot.name == "aftercare-20261125T100000Z-before-migration.sqlite3"
    with closing(sqlite3.connect(snapshot)) as copy:
        assert copy.execute("SELECT display_name FROM therapists").fetchall() == [("Maya",)]


@pytest.mark.fresh_sqlite
async def test_migrate_on_either_database(
    database_url: str, clock: FrozenClock, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = load_settings(database_url=database_url)
    assert await migrate_command(settings, clock) == 0
    first = capsys.readouterr().out
    head = first.split(" at ")[1].split()[0].rstrip(":")
    # The PostgreSQL databases of the tests are copies of one already migrated; this SQLite
    # file does not exist yet.
    fresh = database_url.startswith("sqlite")
    assert first == (
        f"Database schema created at {head} (a new database).\n"
        if fresh
        else f"Database schema already at {head}: nothing to do.\n"
    )
    assert await migrate_command(settings, clock) == 0
    assert capsys.readouterr().out == f"Database schema already at {head}: nothing to do.\n"
