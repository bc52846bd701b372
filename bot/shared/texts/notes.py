"""What the bot says: the note flow.

The rules for every text (what is escaped, `Html` and `Plain`): bot/shared/texts/__init__.py.
"""

from __future__ import annotations

from datetime import date

from practice.notes import AREAS, MAX_TEXT_LENGTH, PRESSURES, TECHNIQUES, TextField

from .common import Html, Plain, esc

BACK = "⬅️ Back"
CANCEL = "✖️ Cancel"
DONE = "Done ➡️"
SKIP = "Skip ➡️"
SKIP_TO_SUMMARY = "⏭ Skip to summary"
NEW_CLIENT = "➕ New client"
OTHER = "Other…"
CLEAR = "🗑 Clear"
SAVE = "✅ Save"
EDIT_FIELD = "✏️ Edit a field"
CHANGE_DATE = "📅 Change date"
BACK_TO_SUMMARY = "⬅️ Back to summary"
CONTINUE = "▶️ Continue"
START_OVER = "🗑 Start over"
TODAY = "Today"
YESTERDAY = "Yesterday"
SHOW_RECENT = "Recent clients"

STALE_BUTTON = "That button belongs to an earlier note."
OLD_STEP_BUTTON = "That button is from an earlier step — use the latest message."
PICK_ONE_AREA = "Pick at least one area (or Other…)."
PICK_ONE_TECHNIQUE = "Pick at least one technique (or Other…)."
NOTHING_TO_CANCEL = "There is no note in progress. Send /note to start one."
CANCELLED = "✖️ Note cancelled — nothing was saved."
CLIENT_GONE = "That client is no longer in your list. Pick another."

STEP_CLIENT = (
    "📝 <b>New note</b> — which client?\n"
    "Tap one, type part of a name to search, or add a new client."
)
STEP_CLIENT_EMPTY = (
    "📝 <b>New note</b> — which client?\n"
    "Your client list is empty: tap ➕ New client, or type the client's name."
)
STEP_NEW_CLIENT = "📝 Type the new client's name (for example <i>Anna K.</i>)."
STEP_AREAS = "Which <b>areas</b> did you treat? Tap all that apply, then Done."
STEP_AREA_OTHER = "Type the other area treated (for example <i>left wrist</i>)."
STEP_TECHNIQUES = "Which <b>techniques</b>? Tap all that apply, then Done."
STEP_TECHNIQUE_OTHER = "Type the other technique (for example <i>cupping</i>)."
STEP_PRESSURE = "<b>Pressure</b>?"
STEP_PAIN_BEFORE = "<b>Pain before</b> the session, 0–10? (0 = no pain, 10 = worst imaginable)"
STEP_PAIN_AFTER = "<b>Pain after</b> the session, 0–10?"
STEP_DATE = (
    "📅 <b>Session date</b>? Tap one, or type a date such as <i>23 Nov</i> "
    "(day first: <i>23.11</i>)."
)
STEP_EDIT_MENU = "✏️ Which field do you want to change?"

TEXT_PROMPTS: dict[TextField, str] = {
    TextField.SUBJECTIVE: (
        "What does the <b>client report</b>? (optional)\n"
        "<i>e.g. stiff neck after long drives, sleeps badly</i>"
    ),
    TextField.FINDINGS: (
        "Your <b>findings</b>? (optional)\n"
        "<i>e.g. ROM limited in left rotation, hypertonic R upper trapezius</i>"
    ),
    TextField.RESPONSE: (
        "<b>Response to treatment</b>? (optional)\n<i>e.g. rotation improved, tension eased</i>"
    ),
    TextField.PLAN_NEXT: (
        "<b>Plan for next time</b>? (optional)\n<i>e.g. continue neck work, add pec release</i>"
    ),
}
FIELD_LABELS: dict[TextField, str] = {
    TextField.SUBJECTIVE: "Client reports",
    TextField.FINDINGS: "Findings",
    TextField.RESPONSE: "Response",
    TextField.PLAN_NEXT: "Plan",
}

RE_ASK_PAIN = "⚠️ Send a number from 0 to 10, or tap one."
RE_TAP_CHOICES = "⚠️ Please tap the buttons below (or ⬅️ Back)."
RE_ASK_DATE = "⚠️ I couldn't use that date ({reason}). Type it like 23.11 or 23 Nov, or tap one."
TAP_SUMMARY = "⚠️ Tap ✅ Save, ✏️ Edit a field or ✖️ Cancel below."
MAX_HINT = f"(up to {MAX_TEXT_LENGTH:,} characters)"


def too_long(length: int, limit: int, *, sent: bool = False) -> str:
    """A typed text over its limit is refused whole, never cut (`sent`: it was to be sent)."""
    if sent:
        return (
            f"⚠️ That is {length:,} characters; a message holds up to {limit:,} here. "
            "Please shorten it and send it again — nothing was sent."
        )
    return (
        f"⚠️ That is {length:,} characters; this field holds up to {limit:,}. "
        "Please shorten it and send it again — nothing was saved from it."
    )


def bad_name(reason: str) -> str:
    return f"⚠️ That name won't work ({esc(reason)}). Type the client's name again."


def no_match(query: str) -> str:
    return f"No client matches “{esc(query)}”. Add them as a new client, or try another spelling."


def matches(query: str) -> str:
    return f"Clients matching “{esc(query)}”:"


def add_named_client(name: str) -> Plain:
    return Plain(f"➕ Add “{name}”")


def near_duplicate(name: str, existing: list[str]) -> str:
    listed = ", ".join(f"<b>{esc(n)}</b>" for n in existing)
    return (
        f"You already have {listed}. Is <b>{esc(name)}</b> the same person?\n"
        "Tap the existing client to use that record, or create a new one."
    )


def create_anyway(name: str) -> Plain:
    return Plain(f"➕ No, create “{name}”")


def use_existing(name: str) -> Plain:
    return Plain(f"Use {name}")


NOTE_NO_CLIENT_YET = "📝 Note (client not chosen yet)"


def note_for(name: str) -> str:
    return f"📝 Note for <b>{esc(name)}</b>"


def in_progress(name: str | None, step_label: Html) -> str:
    who = f" for <b>{esc(name)}</b>" if name else ""
    return (
        f"You have a note in progress{who} (at: {step_label}).\n"
        f"Continue the note{who}, or start over?"
    )


def saved(number: int, name: str, day: date, before: int, after: int) -> str:
    return f"Saved ✓ Note #{number} for {esc(name)}, {short_date(day)}. Pain {before} → {after}."


def short_date(day: date) -> Html:
    return Html(f"{day.day} {day:%b}")


def long_date(day: date, today: date) -> Html:
    label = f"{day:%a} {day.day} {day:%b}"
    if day.year != today.year:
        label += f" {day.year}"
    if day == today:
        label += " (today)"
    elif (today - day).days == 1:
        label += " (yesterday)"
    return Html(label)


def area_labels(codes: list[str], other: str | None) -> Plain:
    return Plain(_labels(codes, other, AREAS))


def technique_labels(codes: list[str], other: str | None) -> Plain:
    return Plain(_labels(codes, other, TECHNIQUES))


def pressure_label(code: str | None) -> str:
    return PRESSURES.get(code or "", "—")


def _labels(codes: list[str], other: str | None, vocabulary: dict[str, str]) -> str:
    parts = [vocabulary.get(c, c) for c in codes]
    if other:
        parts.append(other)
    return ", ".join(parts) if parts else "—"


def excerpt(text: str, limit: int) -> Plain:
    """At most `limit` characters of a typed text, on one screen; says how much was left out."""
    if len(text) <= limit:
        return Plain(text)
    return Plain(text[: limit - 1].rstrip() + f"… ({len(text):,} characters in all)")
