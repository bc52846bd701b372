"""Treatment plans: a goal, an expected number of sessions, and when to stop and re-evaluate."""

from __future__ import annotations

from enum import StrEnum

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


def where_in_plan(sessions_done: int, expected: int, reevaluate_after: int) -> str:
    """ "Session 3 of 6 planned · re-evaluate after 4" — or what is due now."""
    if sessions_done == 0:
        return f"No sessions yet · {expected} planned · re-evaluate after {reevaluate_after}"
    line = f"Session {sessions_done} of {expected} planned"
    if sessions_done >= expected:
        return line + " · planned sessions done: time to review"
    if sessions_done >= reevaluate_after:
        return line + f" · re-evaluation due (after {reevaluate_after})"
    return line + f" · re-evaluate after {reevaluate_after}"
