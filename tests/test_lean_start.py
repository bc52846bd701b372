"""The bot's process loads what documents need only where documents are made (reports.jobs'
renders, in their worker processes), and Alembic only when a migration is pending."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("matplotlib", "fpdf", "PIL", "fontTools", "uharfbuzz", "alembic")


def _loaded_after(code: str) -> list[str]:
    probe = f"{code}\nimport sys\nprint(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return done.stdout.split()


def test_importing_the_application_loads_no_document_library_nor_alembic() -> None:
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
