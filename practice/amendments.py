"""Amending a saved note: which fields may change, why, and how a change reads afterwards.

A saved note is never overwritten in silence. An amendment keeps the changed fields as they
were (a `NoteRevision` row: field → old value, JSON), with a reason and a time; the note counts
its revisions. "Pain after: 4 → 3" is worked out from the old value kept and the value that
followed it (the next revision's old value, or the note as it reads now).
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from datetime import date

from practice.notes import AREAS, PRESSURES, TECHNIQUES

# Codes are stored in revisions and go into callback data (short); labels are shown.
FIELDS: dict[str, str] = {
    "session_date": "Date",
    "pain_before": "Pain before",
    "pain_after": "Pain after",
    "areas": "Areas",
    "area_other": "Other area",
    "techniques": "Techniques",
    "technique_other": "Other technique",
    "pressure": "Pressure",
    "subjective": "Client reports",
    "findings": "Findings",
    "response": "Response",
    "plan_next": "Plan",
}
# Short codes for callback data: "am:<note>:f:pa".
FIELD_CODES: dict[str, str] = {
    "dt": "session_date",
    "pb": "pain_before",
    "pa": "pain_after",
    "ar": "areas",
    "te": "techniques",
    "pr": "pressure",
    "su": "subjective",
    "fi": "findings",
    "re": "response",
    "pl": "plan_next",
}

REASONS: dict[str, str] = {
    "typo": "Typo",
    "detail": "Added detail",
    "client": "Wrong client info",
}
MAX_REASON_LENGTH = 200
TEXT_SHOWN = 60


def value_label(field: str, value: object) -> str:
    """A field's value for people: labels, not codes; long texts shortened."""
    if value is None or value == "" or value == []:
        return "—"
    if field == "areas" and isinstance(value, list):
        return ", ".join(AREAS.get(str(c), str(c)) for c in value)
    if field == "techniques" and isinstance(value, list):
        return ", ".join(TECHNIQUES.get(str(c), str(c)) for c in value)
    if field == "pressure":
        return PRESSURES.get(str(value), str(value))
    if field == "session_date":
        day = value if isinstance(value, date) else date.fromisoformat(str(value))
        return f"{day.day} {day:%b} {day.year}"
    if isinstance(value, str) and field not in ("area_other", "technique_other"):
        return "“" + textwrap.shorten(value, TEXT_SHOWN, placeholder=" …") + "”"
    return str(value)


def change_line(field: str, old: object, new: object) -> str:
    return f"{FIELDS.get(field, field)}: {value_label(field, old)} → {value_label(field, new)}"


def revision_changes(
    befores: Sequence[Mapping[str, object]], current: Mapping[str, object]
) -> list[str]:
    """What each revision changed, oldest first ("Pain after: 4 → 3; Areas: Neck → …").

    `befores` are the revisions' kept values, oldest first; `current` the note as it reads now.
    """
    out = []
    for i, before in enumerate(befores):
        parts = []
        for field, old in before.items():
            later = next((b[field] for b in befores[i + 1 :] if field in b), current.get(field))
            parts.append(change_line(field, old, later))
        out.append("; ".join(parts))
    return out
