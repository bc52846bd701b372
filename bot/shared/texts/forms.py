"""What the bot says: forms: plans and homework.

The rules for every text (what is escaped, `Html` and `Plain`): bot/shared/texts/__init__.py.
"""

from __future__ import annotations

from .common import Html, Plain, esc

SHOW_ALL = "Show all"
STALE_FORM_BUTTON = "That button belongs to an earlier form."
FORM_CANCELLED = "✖️ Cancelled — nothing was saved."
TAP_FORM_SUMMARY = "⚠️ Tap ✅ Save, ✏️ Edit a field or ✖️ Cancel below."
PICK_AT_LEAST_ONE = "Pick at least one."
FINISH_NOTE_FIRST = (
    "You have a note in progress: finish it (or /cancel it) first, then come back to this."
)


def finish_form_first(title: Html) -> str:
    return f"You're in the middle of: {title}. Finish it or tap ✖️ Cancel there first."


END_IT = "⏹ Yes, end it"
KEEP_IT = "Keep it"


def end_homework(name: str) -> str:
    return f"End <b>{esc(name)}</b> for good? The client gets no more reminders for it."


HOMEWORK_GONE = "That assignment has ended meanwhile; nothing was changed."


def in_quiet_hours(at: Html, quiet: Html, ends: Html) -> str:
    return f"{at} is in the client's quiet hours ({quiet}): the reminder will come at {ends}."


CARD_PLAN = "📋 Plan"
CARD_HOMEWORK = "🧘 Homework"
CARD_PROGRESS = "📈 Progress"
CARD_RHYTHM = "📊 Check-ins"
RHYTHM_QUESTION = (
    "How often should the bot ask this client how they are doing between visits?\n"
    "<i>Pain now, compared with before the last session, and the plan's activity.</i>"
)


def rhythm_line(rhythm: Html) -> str:
    return f"📊 Check-in rhythm: {rhythm}."


def rhythm_choice(rhythm: str) -> Plain:
    return Plain("No check-ins" if rhythm == "none" else rhythm[0].upper() + rhythm[1:])


def rhythm_set(rhythm: Html) -> str:
    return "No check-ins for this client." if rhythm == "none" else f"Check-ins: {rhythm}."


def form_suggestion(source: str, words: str) -> str:
    """Under a text question: words known already, offered as its answer."""
    return f"💡 {esc(source[:1].upper() + source[1:])}: <i>{esc(words)}</i>"


def form_use(source: str) -> Plain:
    """ "✅ Use the intake's goal": takes the words above as they are."""
    return Plain(f"✅ Use {source}")
