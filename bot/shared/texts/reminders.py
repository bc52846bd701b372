"""What the bot says: homework reminders.

The rules for every text (what is escaped, `Html` and `Plain`): bot/shared/texts/__init__.py.
"""

from __future__ import annotations

from .common import Html, esc

REMINDER_DONE = "✅ Done"
REMINDER_SKIP = "⏭ Skip today"
REMINDER_LATER = "⏰ In 1 hour"
REMINDER_NOT_YOURS = "That reminder isn't one of yours."
REMINDER_ALREADY = "Already logged for that day."
SNOOZE_WAITING = "I'll already remind you again later today."
REMINDER_LOGGED = {"done": "✅ Done — logged", "skipped": "⏭ Skipped today — see you next time"}


def homework_reminder(name: str, dose: str, summary: str) -> str:
    return f"🧘 <b>{esc(name)}</b> — {esc(dose)}\n{esc(summary)}"


def reminder_snoozed(at: Html) -> str:
    return f"⏰ I'll remind you again at {at}."
