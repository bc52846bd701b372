"""What the bot says: homework reminders.

The rules for every text (what is escaped, `Html` and `Plain`): bot/shared/texts/__init__.py.
"""

from __future__ import annotations

from datetime import date

from .common import Html, esc

REMINDER_DONE = "✅ Done"
REMINDER_SKIP = "⏭ Skip today"
REMINDER_SKIP_THAT_DAY = "⏭ Skip that day"  # on a reminder for an earlier day
REMINDER_LATER = "⏰ In 1 hour"
REMINDER_NOT_YOURS = "That reminder isn't one of yours."
REMINDER_ALREADY = "Already logged for that day."
SNOOZE_WAITING = "I'll already remind you again later today."
REMINDER_LOGGED = {"done": "✅ Done — logged", "skipped": "⏭ Skipped — see you next time"}


def homework_reminder(name: str, dose: str, summary: str, late_for: Html | None = None) -> str:
    """`late_for`: the day the reminder is for, when it arrives on a later one (a snooze
    past midnight beside that morning's own reminder)."""
    head = f"🧘 <b>{esc(name)}</b> — {esc(dose)}"
    if late_for is not None:
        head += f"\n📅 This one is for {late_for}."
    return f"{head}\n{esc(summary)}"


def reminder_day(day: date, today: date) -> Html:
    """ "yesterday, Tue 1 Dec"; "Sun 29 Nov" further back."""
    named = f"{day:%a} {day.day} {day:%b}"
    return Html(f"yesterday, {named}" if (today - day).days == 1 else named)


def reminder_snoozed(at: Html) -> str:
    return f"⏰ I'll remind you again at {at}."
