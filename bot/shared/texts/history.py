"""What the bot says: history.

The rules for every text (what is escaped, `Html` and `Plain`): bot/shared/texts/__init__.py.
"""

from __future__ import annotations

from .common import esc

HISTORY_PICK = "📖 Whose notes? Tap a client, or send /history and part of a name."
HISTORY_EMPTY_LIST = "You have no clients yet. Send /note to log the first session."
HISTORY_NO_NOTES = "No notes for {name} yet."
NEWER = "⬅️ Newer"
OLDER = "Older ➡️"
NOT_YOUR_CLIENT = "That client is not in your list."


def history_header(name: str, first: int, last: int, total: int) -> str:
    return f"📖 <b>{esc(name)}</b> — notes {first}–{last} of {total}, newest first"


def history_no_match(query: str) -> str:
    return f"No client matches “{esc(query)}”. Send /history to pick from your clients."
