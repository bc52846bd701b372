"""What the bot says: the therapist's client list and card.

The rules for every text (what is escaped, `Html` and `Plain`): bot/shared/texts/__init__.py.
"""

from __future__ import annotations

from .common import Html, esc

CLIENTS_EMPTY = "You have no clients yet. They are added with their first /note."
CLIENT_NO_MATCH = (
    "No client matches “{query}”. Send /note to log a session, /clients for your list."
)
CARD_NEW_NOTE = "📝 New note"
CARD_INVITE = "🔗 Invite link"
CARD_HISTORY = "📖 History"
CARD_BACK = "⬅️ All clients"
# The card shows the few actions taken right after looking; the rest, in the same message,
# behind More.
CARD_MORE = "⋯ More"
CARD_LESS = "‹ Back"
CARD_MOVE_VISIT = "🔁 Move visit"


def clients_header(first: int, last: int, total: int) -> str:
    return (
        f"👥 <b>Your clients</b> — {first}–{last} of {total}, most recent first.\n"
        "Tap one, or type part of a name to find a client."
    )


def client_card(name: str, joined: Html, notes_line: Html, last_notes: list[Html]) -> str:
    lines = [f"👤 <b>{esc(name)}</b>", joined, notes_line]
    if last_notes:
        lines += ["", "<b>Last notes</b>", *last_notes]
    return "\n".join(lines)
