"""speech/ knows no Telegram and no database: imported whole in a clean interpreter, it brings
in neither, nor any of the project's packages but practice/ (import-linter's contracts in
pyproject.toml hold the project's side; this holds the libraries' too)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import importlib, json, pkgutil, sys
sys.path.insert(0, sys.argv[1])
package = importlib.import_module("speech")
for module in pkgutil.walk_packages(package.__path__, "speech."):
    importlib.import_module(module.name)
roots = {name.split(".")[0] for name in sys.modules}
print(json.dumps(sorted(roots & {
    "telegram", "sqlalchemy", "aiosqlite", "asyncpg", "alembic",
    "bot", "demo", "reports", "reminders", "storage", "emulator",
})))
"""


def test_speech_imports_no_telegram_no_database_and_nothing_above_practice() -> None:
    done = subprocess.run(
        [sys.executable, "-I", "-c", PROBE, str(ROOT)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == []
