"""The treatment plan as the client reads it: sent when the therapist saves it, sent again when
a client joins after it was made, and named on the client's home."""

from __future__ import annotations

from bot.shared import texts
from practice.plans import VISIT_FREQUENCIES
from storage.models import TreatmentPlan


def plan_for_client(plan: TreatmentPlan, therapist: str) -> str:
    """The plan in plain language, as the client reads it."""
    return texts.plan_message(
        therapist=therapist,
        changed=plan.version > 1,
        complaint=plan.complaint,
        goal=plan.goal,
        sessions=plan.expected_sessions,
        frequency=VISIT_FREQUENCIES.get(plan.visit_frequency, plan.visit_frequency).lower(),
        activity=plan.activity,
    )
