#!/usr/bin/env bash
# Creates .venv for development: the locked dependencies with the tests and tools
# (requirements-dev.lock), then Aftercare itself, editable (the `aftercare` command, the code
# read from this checkout). Does nothing when both locks and pyproject.toml are as last time.
# A production install takes the runtime lock only: deploy/install.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "Aftercare needs Python 3.11 or newer; '$PYTHON' is $("$PYTHON" --version 2>&1)." >&2
    exit 1
fi
stamp=.venv/.aftercare-lock
wanted="$(sha256sum requirements.lock requirements-dev.lock pyproject.toml | sha256sum | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
    exit 0
fi
echo "Setting up .venv (first run only)…" >&2
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
pip=(.venv/bin/python -m pip --quiet --disable-pip-version-check)
"${pip[@]}" install --require-hashes -r requirements-dev.lock
# The build uses the locked setuptools already in .venv: nothing is fetched for it.
"${pip[@]}" install --no-deps --no-build-isolation --editable .
echo "$wanted" > "$stamp"
