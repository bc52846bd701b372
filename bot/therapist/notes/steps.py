"""The steps of a note, in order, and where Back and Next lead. Pure: no Telegram, no I/O."""

from __future__ import annotations

from enum import StrEnum

from practice.notes import TextField


class Step(StrEnum):
    # Values go into callback data: short, and never renamed once deployed.
    CLIENT = "cl"
    NEW_CLIENT = "nc"
    DUPLICATE = "du"
    AREAS = "ar"
    AREA_OTHER = "ao"
    TECHNIQUES = "te"
    TECHNIQUE_OTHER = "to"
    PRESSURE = "pr"
    PAIN_BEFORE = "pb"
    PAIN_AFTER = "pa"
    SUBJECTIVE = "s"
    FINDINGS = "f"
    RESPONSE = "r"
    PLAN_NEXT = "p"
    SUMMARY = "sm"
    EDIT_MENU = "em"
    DATE = "dt"


# The main path; side steps (typing a new name, an "Other…" entry, the date) hang off it.
MAIN_PATH: list[Step] = [
    Step.CLIENT,
    Step.AREAS,
    Step.TECHNIQUES,
    Step.PRESSURE,
    Step.PAIN_BEFORE,
    Step.PAIN_AFTER,
    Step.SUBJECTIVE,
    Step.FINDINGS,
    Step.RESPONSE,
    Step.PLAN_NEXT,
    Step.SUMMARY,
]

TEXT_STEPS: dict[Step, TextField] = {
    Step.SUBJECTIVE: TextField.SUBJECTIVE,
    Step.FINDINGS: TextField.FINDINGS,
    Step.RESPONSE: TextField.RESPONSE,
    Step.PLAN_NEXT: TextField.PLAN_NEXT,
}

# The main-path step each side step hangs off: Back returns there.
SIDE_STEP_PARENT: dict[Step, Step] = {
    Step.NEW_CLIENT: Step.CLIENT,
    Step.DUPLICATE: Step.CLIENT,
    Step.AREA_OTHER: Step.AREAS,
    Step.TECHNIQUE_OTHER: Step.TECHNIQUES,
    Step.EDIT_MENU: Step.SUMMARY,
    Step.DATE: Step.SUMMARY,
}
# Side steps that complete their parent's choice (naming a new client) move on as the parent
# would; the others (an "Other…" entry, the date) return to their parent when done.
COMPLETES_PARENT = frozenset({Step.NEW_CLIENT, Step.DUPLICATE})

# Fields offered by "Edit a field", in the summary's order; each opens its step.
EDITABLE: list[tuple[str, Step]] = [
    ("Client", Step.CLIENT),
    ("Date", Step.DATE),
    ("Areas", Step.AREAS),
    ("Techniques", Step.TECHNIQUES),
    ("Pressure", Step.PRESSURE),
    ("Pain before", Step.PAIN_BEFORE),
    ("Pain after", Step.PAIN_AFTER),
    ("Client reports", Step.SUBJECTIVE),
    ("Findings", Step.FINDINGS),
    ("Response", Step.RESPONSE),
    ("Plan", Step.PLAN_NEXT),
]

LABELS: dict[Step, str] = {
    Step.CLIENT: "client",
    Step.NEW_CLIENT: "new client's name",
    Step.DUPLICATE: "new client's name",
    Step.AREAS: "areas treated",
    Step.AREA_OTHER: "areas treated",
    Step.TECHNIQUES: "techniques",
    Step.TECHNIQUE_OTHER: "techniques",
    Step.PRESSURE: "pressure",
    Step.PAIN_BEFORE: "pain before",
    Step.PAIN_AFTER: "pain after",
    Step.SUBJECTIVE: "client reports",
    Step.FINDINGS: "findings",
    Step.RESPONSE: "response to treatment",
    Step.PLAN_NEXT: "plan for next time",
    Step.SUMMARY: "summary",
    Step.EDIT_MENU: "summary",
    Step.DATE: "session date",
}


# The step that fills each field a note must have (NoteDraft.missing() names them).
MISSING_STEPS: dict[str, str] = {
    "client": Step.CLIENT.value,
    "areas treated": Step.AREAS.value,
    "techniques": Step.TECHNIQUES.value,
    "pressure": Step.PRESSURE.value,
    "pain before": Step.PAIN_BEFORE.value,
    "pain after": Step.PAIN_AFTER.value,
}


def next_step(step: Step, *, editing: bool) -> Step:
    """Where finishing `step` leads: the next main step, or back to the summary when editing."""
    if step in SIDE_STEP_PARENT:
        if step not in COMPLETES_PARENT:
            return SIDE_STEP_PARENT[step]
        step = SIDE_STEP_PARENT[step]
    if editing:
        return Step.SUMMARY
    index = MAIN_PATH.index(step)
    return MAIN_PATH[min(index + 1, len(MAIN_PATH) - 1)]


def previous_step(step: Step, *, editing: bool) -> Step | None:
    """Where Back leads; None on the first step (Back there means leaving the note)."""
    if step in SIDE_STEP_PARENT:
        return SIDE_STEP_PARENT[step]
    if editing and step != Step.SUMMARY:
        return Step.SUMMARY
    index = MAIN_PATH.index(step)
    return MAIN_PATH[index - 1] if index > 0 else None
