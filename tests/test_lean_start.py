"""The bot's process loads what documents need only where documents are made (reports.jobs'
renders, in their worker processes), what places and recordings need on their first use
(a shared location, a voice note), and Alembic only when a migration is pending. A library it
defers is still required: a start without one stops at once, and check-config imports each."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = ("matplotlib", "fpdf", "PIL", "fontTools", "uharfbuzz")
PLACES_AND_RECORDINGS = ("timezonefinder", "h3", "numpy", "soundfile", "soxr", "pocketsphinx")
# Names: compared by spelling (rapidfuzz) and by sound (jellyfish) when one is typed or said.
NAMES = ("rapidfuzz", "jellyfish")
# A QR code is made only with an invite, a calendar file only on /calendar.
INVITES_AND_CALENDARS = ("segno", "icalendar")
# aiohttp's server half: only a webhook or the health endpoint (both off by default) serve.
SERVER = ("aiohttp.web",)
HEAVY = (*DOCUMENTS, *PLACES_AND_RECORDINGS, *NAMES, *INVITES_AND_CALENDARS, *SERVER, "alembic")


def _loaded_after(code: str) -> list[str]:
    probe = f"{code}\nimport sys\nprint(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return done.stdout.split()


def test_importing_the_application_loads_no_deferred_library_nor_alembic() -> None:
    assert _loaded_after("import bot.runtime.app, bot.runtime.cli, reports.jobs") == []


def test_a_database_at_head_is_opened_without_alembic(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'at-head.db'}"
    migrate = (
        "import asyncio\nfrom storage import Database\n"
        "async def main():\n"
        f"    db = Database({url!r})\n"
        "    await db.migrate()\n"
        "    await db.dispose()\n"
        "asyncio.run(main())"
    )
    assert _loaded_after(migrate) == ["alembic"]  # a new database: migrated by Alembic
    assert _loaded_after(migrate) == []  # at head: Alembic is not even imported


def test_a_render_still_imports_what_it_needs() -> None:
    loaded = _loaded_after(
        "from reports.jobs import progress_chart\n"
        "from reports.data import ProgressChartData\n"
        "png = progress_chart(ProgressChartData(verdict='Too early to say'))\n"
        "assert png.startswith(b'\\x89PNG')"
    )
    assert "matplotlib" in loaded


def test_a_shared_location_and_a_recording_still_import_what_they_need() -> None:
    loaded = _loaded_after(
        "import bot.runtime.app\n"
        "from practice.timezones import zone_at\n"
        "assert zone_at(52.52, 13.40) == 'Europe/Berlin'\n"
        "from speech.pool import transcribe_here\n"
        "from speech.spec import EngineSpec, Undecodable\n"
        "try:\n"
        "    transcribe_here(b'not audio', EngineSpec())\n"
        "except Undecodable:\n"
        "    pass\n"
    )
    assert {"timezonefinder", "numpy", "soundfile"} <= set(loaded)


def test_an_invite_and_a_calendar_still_import_what_they_need() -> None:
    loaded = _loaded_after(
        "from datetime import UTC, datetime\n"
        "from bot.therapist.invites import qr_png\n"
        "from reports.calendar import CalendarVisit, visits_ics\n"
        "assert qr_png('https://t.me/aftercare_bot?start=x').startswith(b'\\x89PNG')\n"
        "at = datetime(2026, 3, 2, 9, tzinfo=UTC)\n"
        "visit = CalendarVisit(1, at, 60, 'Ana', 'Ana at 10:00')\n"
        "ics = visits_ics([visit], 'Europe/Berlin', made_at=at, host='aftercare')\n"
        "assert b'BEGIN:VTIMEZONE' in ics\n"
    )
    assert set(INVITES_AND_CALENDARS) <= set(loaded)


def test_a_name_typed_or_said_still_imports_what_it_needs() -> None:
    loaded = _loaded_after(
        "import bot.runtime.app\n"
        "from practice.fuzzy import ratio\n"
        "from practice.quicknote import sounds_alike\n"
        "assert ratio('anna', 'ana') > 80\n"
        "assert sounds_alike('marc', 'mark') and not sounds_alike('tom', 'tim')\n"
    )
    assert set(NAMES) <= set(loaded)


def test_a_start_without_the_name_sounds_library_says_so(tmp_path: Path) -> None:
    done = _without("jellyfish", "run", tmp_path=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "jellyfish (needed for names (the new-client check, the quick note))" in done.stderr


def _without(library: str, *args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """`python -m bot ARGS` in an interpreter where `library` cannot be imported."""
    code = (
        "import sys\n"
        f"sys.modules[{library!r}] = None  # what an absent package looks like to import\n"
        "from bot.runtime.cli import main\n"
        f"sys.exit(main({list(args)!r}))"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "TELEGRAM_BOT_TOKEN": "123456789:AAHsecretpartofthetoken",
        "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9/bot",  # never reached
        "THERAPIST_IDS": "1001",
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_start_without_a_deferred_library_stops_before_anything_else(tmp_path: Path) -> None:
    done = _without("timezonefinder", "run", tmp_path=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "timezonefinder (needed for places (a client's shared location))" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "bot.db").exists()  # refused before the database was opened


def test_check_config_imports_each_deferred_library(tmp_path: Path) -> None:
    done = _without("soxr", "check-config", tmp_path=tmp_path)
    assert done.returncode == 2
    assert "cannot import soxr (needed for recordings (voice notes)): ModuleNotFound" in done.stderr
    fine = _without("no_such_library", "check-config", tmp_path=tmp_path)
    assert fine.returncode == 0, fine.stderr


def test_a_start_imports_the_application_without_collecting_garbage(tmp_path: Path) -> None:
    """The collector's passes over the modules being imported find nothing (they live as long
    as the process): a start holds it off while importing, then freezes what was imported, so
    that no later pass walks it either; afterwards it runs as usual."""
    code = (
        "import asyncio, gc, sys\n"
        "def run(coroutine):\n"  # what main hands asyncio.run: the bot, not started here
        "    coroutine.close()\n"
        "    print(gc.isenabled(), gc.get_freeze_count(), 'bot.runtime.app' in sys.modules)\n"
        "asyncio.run = run\n"
        "from bot.runtime.cli import main\n"
        "main(['run'])\n"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "TELEGRAM_BOT_TOKEN": "123456789:AAHsecretpartofthetoken",
        "THERAPIST_IDS": "1001",
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        "PYTHONPATH": str(ROOT),
    }
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    enabled, frozen, imported = done.stdout.split()
    assert (enabled, imported) == ("True", "True"), done.stderr
    assert int(frozen) > 100_000  # the application's objects, out of the collector's way
