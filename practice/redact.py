"""What of an error may be written down (logs, a delivery's last error): its type and where it
happened, never its words.

Telegram's descriptions quote what they tripped on (`can't parse entities: Unsupported start
tag "…"` names a word of the message), and other libraries' messages may carry the values they
were given: any of it can be a client's health details, which never go into logs.
"""

from __future__ import annotations

import re
import traceback
from pathlib import PurePath

# Enough frames to see which handler and which call; the rest is the library's.
FRAMES = 6
_QUOTED = re.compile(r'"[^"]*"')


def error_type(error: BaseException) -> str:
    """ "DBAPIError ← DataError": the exception's type and what it was raised from."""
    names: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen and len(names) < 4:
        names.append(type(current).__name__)
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return " ← ".join(names)


def where(error: BaseException) -> str:
    """The innermost frames it passed through ("bot/shared/cards.py:31 edit_card"), without the
    source lines or any message."""
    frames = traceback.extract_tb(error.__traceback__)[-FRAMES:]
    return " → ".join(
        f"{'/'.join(PurePath(f.filename).parts[-2:])}:{f.lineno} {f.name}" for f in frames
    )


def reason(description: str) -> str:
    """Telegram's description with whatever it quotes left out, for the outbox's record of a
    failed send: 'can't parse entities: Unsupported start tag "…" at byte offset 5'."""
    return _QUOTED.sub('"…"', description)[:200]
