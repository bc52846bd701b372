"""Dependencies point one way: the chat surface (bot/) over reminders/ and reports/, over
practice/ and storage/. Each lower package, imported whole in a clean interpreter, must not
bring in bot/ or the demo. (The full contracts are import-linter's, in pyproject.toml, run
by .ci/run.)"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Run isolated (-I: no PYTHONPATH, no user site, not even the working folder on the path), with
# only the project's folder added: imports every module of the package, then prints the
# project modules above it that came in.
PROBE = """
import importlib, json, pkgutil, sys
sys.path.insert(0, sys.argv[2])
package = importlib.import_module(sys.argv[1])
for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
    importlib.import_module(module.name)
above = sorted(
    name for name in sys.modules if name.split(".")[0] in {"bot", "demo"}
)
print(json.dumps(above))
"""


@pytest.mark.parametrize("package", ["reminders", "reports", "practice", "storage"])
def test_a_lower_package_imports_nothing_of_the_bot_or_the_demo(package: str) -> None:
    done = subprocess.run(
        [sys.executable, "-I", "-c", PROBE, package, str(ROOT)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == []
