"""The names of the files the bot sends (records, letters, charts), made from a client's name.

A therapist saves these on a phone or a computer and forwards them: the name must read as the
client's (in any script) and be harmless everywhere. So only letters, their marks (accents,
vowel signs), digits, spaces and a little punctuation survive; path separators, control and
direction-override characters, and anything a shell or Windows would trip on become "_".
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

# The client's part, in UTF-8 bytes: with the rest of the name well under the 255 bytes most
# file systems allow, whatever the script.
MAX_NAME_BYTES = 120

_KEPT_PUNCTUATION = frozenset(".,'’()")
# Joiners shape Indic and Persian names; they are invisible but harmless. Other format
# characters (right-to-left overrides among them) can disguise a name, so they go.
_JOINERS = frozenset("\u200c\u200d")
_DOTS = re.compile(r"\.{2,}")
_UNDERSCORES = re.compile(r"_+(\s*_+)*")


def document_name(client: str, what: str, day: date, extension: str) -> str:
    """ "Anna K. — record 2026-11-25.pdf"."""
    return f"{safe_name(client)} — {what} {day.isoformat()}.{extension}"


def safe_name(text: str) -> str:
    """The name as a file name may hold it; "client" if nothing of it survives."""
    kept = "".join(_keep(c) for c in unicodedata.normalize("NFC", text))
    kept = _UNDERSCORES.sub("_", _DOTS.sub(".", " ".join(kept.split())))
    # A leading dot hides a file; the dot of "Anna K." at the end is followed by the rest.
    kept = _cut(kept, MAX_NAME_BYTES).strip(" _").lstrip(". _")
    return kept if any(c.isalnum() for c in kept) else "client"


def _keep(c: str) -> str:
    kind = unicodedata.category(c)
    if kind[0] in "LMN" or kind == "Pd" or c in _KEPT_PUNCTUATION or c in _JOINERS:
        return c
    if kind[0] == "Z" or c in "\t\n\r":
        return " "
    return "_"


def _cut(text: str, limit: int) -> str:
    """At most `limit` UTF-8 bytes, never splitting a letter from the marks that follow it."""
    end, size = 0, 0
    for c in text:
        size += len(c.encode())
        if size > limit:
            break
        end += 1
    while 0 < end < len(text) and unicodedata.category(text[end])[0] == "M":
        end -= 1
    return text[:end]
