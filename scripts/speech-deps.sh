#!/usr/bin/env bash
# The spoken-note tests' voice: espeak-ng, from Debian's packages, installed when missing
# (tests/speech_corpus.py has it dictate notes). The bot itself needs none of it: its speech
# libraries come with the Python locks. Run by .ci/run, and by scripts/test when missing.
set -euo pipefail
if command -v espeak-ng >/dev/null 2>&1; then
    exit 0
fi
echo "Installing espeak-ng from Debian's packages (the spoken-note tests' voice)…" >&2
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends espeak-ng >&2
