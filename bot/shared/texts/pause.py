"""What the bot says: a client's pause, stop and resume.

The rules for every text (what is escaped, `Html` and `Plain`): bot/shared/texts/__init__.py.
"""

from __future__ import annotations

from .common import Html, esc

PAUSE_ASK = "⏸ Pause reminders and check-ins for how long?"
PAUSE_DAY = "1 day"
PAUSE_WEEK = "1 week"
PAUSE_DATE = "Until a date…"
PAUSE_TYPE_DATE = "Type the last day of the pause, e.g. <i>12 Dec</i> (day first: <i>12.12</i>)."
STOPPED = (
    "⏹ Stopped. I won't send you anything until you send /resume. "
    "Your therapist can still see your record."
)
RESUMED = "▶️ Welcome back — reminders start again from now."
NOTHING_TO_RESUME = "Nothing is paused or stopped: your reminders are on."


def paused_until(until: Html) -> str:
    return f"⏸ Paused until {until}. Send /resume to start earlier."


def paused_through(last_day: Html, back_on: Html) -> str:
    return (
        f"⏸ Paused to the end of {last_day}: reminders and check-ins start again on {back_on}. "
        "Send /resume to start earlier."
    )


def bad_pause_date(reason: str) -> str:
    return f"⚠️ I couldn't use that date ({esc(reason)}). Type it like 12 Dec, day first."
