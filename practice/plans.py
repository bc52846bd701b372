"""Treatment plans: a goal, an expected number of sessions, and when to stop and re-evaluate."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from practice.decisions import AskedDecision, DecisionKind

# How often the client is expected to come; codes are stored.
VISIT_FREQUENCIES: dict[str, str] = {
    "twice_weekly": "Twice a week",
    "weekly": "Weekly",
    "biweekly": "Every 2 weeks",
    "monthly": "Monthly",
}
# A common point to look at the evidence: after four sessions the trend is usually visible.
DEFAULT_REEVALUATE_AFTER = 4
MAX_SESSIONS = 52
MAX_COMPLAINT = 120
MAX_GOAL = 200
MAX_ACTIVITY = 120


class HomeworkStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    ENDED = "ended"


def where_in_plan(
    sessions_done: int,
    expected: int,
    reevaluate_after: int,
    answered: Iterable[AskedDecision] = (),
) -> str:
    """ "Session 3 of 6 planned · re-evaluate after 4" — or what is due now, or when it was done.

    `answered`: the decision questions the therapist answered under this plan version; a
    re-evaluation (or the review at the planned end) once answered is no longer "due".
    """
    if sessions_done == 0:
        return f"No sessions yet · {expected} planned · re-evaluate after {reevaluate_after}"
    answered = list(answered)
    line = f"Session {sessions_done} of {expected} planned"
    if sessions_done >= expected:
        reviewed = _last_at(answered, DecisionKind.PLANNED_END, DecisionKind.REEVALUATION, expected)
        if reviewed is not None:
            return line + f" · planned sessions done, reviewed at session {reviewed}"
        return line + " · planned sessions done: time to review"
    if sessions_done >= reevaluate_after:
        reevaluated = _last_at(answered, DecisionKind.REEVALUATION, None, 0)
        if reevaluated is not None:
            return line + f" · re-evaluated at session {reevaluated}"
        return line + f" · re-evaluation due (after {reevaluate_after})"
    return line + f" · re-evaluate after {reevaluate_after}"


def _last_at(
    answered: list[AskedDecision],
    kind: DecisionKind,
    or_kind: DecisionKind | None,
    from_session: int,
) -> int | None:
    """The latest session at which a question of `kind` was answered (or of `or_kind` at
    `from_session` or later: a re-evaluation held at the planned end is its review)."""
    sessions = [
        a.at_session
        for a in answered
        if a.kind is kind or (a.kind is or_kind and a.at_session >= from_session)
    ]
    return max(sessions) if sessions else None
