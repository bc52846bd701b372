"""The libraries the bot imports on first use rather than at start (documents, places,
recordings): each module that defers one says so in its LOADED_ON_FIRST_USE.

Deferring an import must not defer its failure. A start looks each one up on the path
(`missing`: no import, a few milliseconds) and refuses to run without it; `python -m bot
check-config` imports each for real (`unloadable`), which also finds one that is installed
but broken."""

from __future__ import annotations

import importlib
import importlib.util

import reports.calendar
import reports.jobs
import speech
from bot.therapist import invites
from practice import fuzzy, quicknote, timezones

# Which part of the bot needs each library, for the message that says one is missing.
DEFERRED: dict[str, tuple[str, ...]] = {
    "documents (/export, referral letters, /mydata)": reports.jobs.LOADED_ON_FIRST_USE,
    "places (a client's shared location)": timezones.LOADED_ON_FIRST_USE,
    "names (the new-client check, the quick note)": (
        *fuzzy.LOADED_ON_FIRST_USE,
        *quicknote.LOADED_ON_FIRST_USE,
    ),
    "recordings (voice notes)": speech.LOADED_ON_FIRST_USE,
    "calendars (/calendar's file)": reports.calendar.LOADED_ON_FIRST_USE,
    "invite QR codes (/invite)": invites.LOADED_ON_FIRST_USE,
}


def missing() -> list[str]:
    """Each deferred library that is not installed, with what it is needed for."""
    return [
        f"{name} (needed for {use})"
        for use, names in DEFERRED.items()
        for name in names
        if _not_found(name)
    ]


def unloadable() -> list[str]:
    """Like `missing`, but each library is imported: one that is installed and broken (a
    shared library it needs is absent) is found too, with the error's type."""
    found = []
    for use, names in DEFERRED.items():
        for name in names:
            try:
                importlib.import_module(name)
            except Exception as exc:  # whatever a broken package raises on import
                found.append(f"{name} (needed for {use}): {type(exc).__name__}")
    return found


def _not_found(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is None
    except (ImportError, ValueError):
        return True


MISSING = (
    "Configuration error: the bot is installed without {names}. "
    "Install its dependencies again (pip install -r requirements.lock)."
)
UNLOADABLE = (
    "Configuration error: the bot cannot import {names}. "
    "Install its dependencies again (pip install -r requirements.lock)."
)
