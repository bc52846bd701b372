"""What the bot says: the quick note (a whole note in one message, typed or spoken).

The rules for every text (what is escaped, `Html` and `Plain`): bot/shared/texts/__init__.py.
"""

from __future__ import annotations

from .common import Html, Plain, esc

AS_CHECK_IN = "📋 Reports: as check-in"
QUICK_NOTE_BUSY = (
    "⚠️ A note is already in progress: finish or cancel it first, then send your quick note "
    "again (it is still above)."
)
PHOTO_NOT_STORED = "📷 I read the photo's caption as a note. The photo itself is not stored."
CAPTION_ONLY = "📷 Photos are not stored. To log a session from one, add the note as its caption."


def didnt_place(parts: list[str]) -> str:
    """The words of the message that went into no field, quoted as they were typed."""
    quoted = ", ".join(f"“{esc(p)}”" for p in parts)
    return f"🤔 I didn't place: {quoted} — add them with ✏️ Edit a field if they matter."


def lone_pain(before: int) -> str:
    """One rating alone in the message: read as the pain before, the after left to ask."""
    return (
        f"ℹ️ You gave one pain rating ({before}): I read it as <b>before</b> the session. "
        "Add the rating after, or change it with ✏️ Edit a field."
    )


def new_client(name: str) -> str:
    return f"🆕 New client <b>{esc(name)}</b>? ✅ Save adds them to your clients."


def since_last_visit(check_in: Html | None, homework: Html | None) -> Html:
    """ "Since last visit: pain 5 on Tue, did 4 of 6 exercises" (what the bot knows)."""
    parts = [p for p in (check_in, homework) if p]
    return Html("📬 Since last visit: " + ", ".join(parts))


def check_in_part(pain: int | None, day: Html) -> Html:
    if pain is None:
        return Html(f"check-in on {day}")
    return Html(f"pain {pain} on {day}")


def homework_part(done: int, due: int) -> Html:
    return Html(f"did {done} of {due} exercise{'s' if due != 1 else ''}")


def as_check_in(summary: Html) -> Plain:
    """The words the subjective field takes from the check-in (plain: stored, not shown)."""
    return Plain("As check-in: " + summary.removeprefix("📬 Since last visit: "))


def missing_field(label: str) -> Plain:
    """A button opening the step of a field the note still needs."""
    return Plain(f"➕ {label}")
