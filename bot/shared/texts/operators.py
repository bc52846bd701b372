"""What the bot says: the operators (bot/runtime/watch.py): counts and times only, never a client
or a message.

The rules for every text (what is escaped, `Html` and `Plain`): bot/shared/texts/__init__.py.
"""

from __future__ import annotations

OPERATOR = (
    "You are this bot's operator: a short notice comes here when reminders fall behind, "
    "deliveries keep failing or a backup fails. Client records are for the practice's "
    "therapists only."
)
OPERATOR_TAP = "You are this bot's operator: notices only, no client records."
NOTICE_BACKUP_FAILED = (
    "⚠️ <b>Aftercare</b>: a backup failed, so the newest backup is older than it should be. "
    "The bot's log says why (<code>journalctl -u aftercare</code>)."
)


def notice_behind(minutes: int) -> str:
    return (
        f"⚠️ <b>Aftercare</b>: messages waiting in the outbox are {minutes} minutes late. "
        "Check that the bot is running, and its log (<code>journalctl -u aftercare</code>)."
    )


def notice_failing(count: int) -> str:
    return (
        f"⚠️ <b>Aftercare</b>: {count} messages failed to go out within the last hour or keep "
        "being retried. Telegram may be failing; the bot's log says more "
        "(<code>journalctl -u aftercare</code>)."
    )
