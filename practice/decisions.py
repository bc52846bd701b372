"""When a saved note should stop and ask the therapist to decide about the plan.

One question at most per session: after each note the bot calls `decision_due` with the
progress verdict and what was asked before under the same plan version. A new plan version
starts a new history, so every question may come again.

In order of priority:

- WORSENING: the verdict is WORSE. Asked at every session while it stays so: a client
  getting worse deserves a fresh decision each visit.
- REEVALUATION: the plan's re-evaluation point is reached (`sessions_count` ≥ its
  `reevaluate_after`; normally at it exactly, or at the next note when a worsening question
  took that one). Once per plan version.
- PLANNED_END: the plan's expected number of sessions is reached — finish, continue or
  refer? Once per plan version; not when the re-evaluation was asked at that point or later
  (a plan whose re-evaluation is its last session asks once).
- NO_PROGRESS: no meaningful change after N sessions (N = `NO_PROGRESS_AFTER`, or the plan's
  `reevaluate_after` when smaller); again at most every N sessions, counting a re-evaluation
  as asked. Not for a client who started without pain and stays so: nothing is wrong there.
- IMPROVED: a meaningful improvement. Once, and again only after a worsening or no-progress
  question has been asked since (the verdict changed in between).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from practice.progress import Assessment, Flag, Verdict
from practice.referrals import NO_PROGRESS as NO_PROGRESS_REASON

# Four sessions is the common point where a trend shows (see plans.DEFAULT_REEVALUATE_AFTER);
# without a change by then, the plan is worth a second look.
NO_PROGRESS_AFTER = 4


class DecisionKind(StrEnum):
    """Codes are stored and go into callback data: short, never changed."""

    WORSENING = "worse"
    REEVALUATION = "reeval"
    PLANNED_END = "end"
    NO_PROGRESS = "noprog"
    IMPROVED = "improved"


DECISION_QUESTIONS: dict[DecisionKind, str] = {
    DecisionKind.WORSENING: "The client is getting worse. Change the plan or refer?",
    DecisionKind.REEVALUATION: "Time to re-evaluate the plan. Continue, change it or refer?",
    DecisionKind.NO_PROGRESS: "No meaningful change so far. Continue, change the plan or refer?",
    DecisionKind.IMPROVED: "A meaningful improvement. Continue, space the sessions out or finish?",
    DecisionKind.PLANNED_END: (
        "The planned sessions are done. Discharge, add sessions, move to maintenance visits, "
        "continue or refer?"
    ),
}


# What each question is about, in a few words: "Decision after session 4 (re-evaluation)".
DECISION_NAMES: dict[DecisionKind, str] = {
    DecisionKind.WORSENING: "getting worse",
    DecisionKind.REEVALUATION: "re-evaluation",
    DecisionKind.NO_PROGRESS: "no meaningful change",
    DecisionKind.IMPROVED: "meaningful improvement",
    DecisionKind.PLANNED_END: "planned sessions done",
}

# The therapist's answers (codes stored in decisions.answer) in words, for every screen and
# document that reports one: "Decided 23 Dec: continue as planned", the record's table.
DECISION_ANSWERS: dict[str, str] = {
    "adjust": "change the plan",
    "refer": "refer to another professional",
    "continue": "continue as planned",
    # At the planned end (DecisionKind.PLANNED_END):
    "discharge": "discharge: treatment finished",
    "extend": "more sessions (plan extended)",
    "maintenance": "maintenance visits",
    "note": "send the client a note (not sent yet)",
    "sent": "send the client a note (sent)",
}


def answer_words(answer: str | None) -> str:
    """ "continue as planned"; "not answered yet" for a question still open."""
    if answer is None:
        return "not answered yet"
    return DECISION_ANSWERS.get(answer, answer)


@dataclass(frozen=True)
class AskedDecision:
    """A question already put to the therapist under the current plan version."""

    kind: DecisionKind
    at_session: int


@dataclass(frozen=True)
class DecisionPrompt:
    kind: DecisionKind
    at_session: int

    @property
    def question(self) -> str:
        return DECISION_QUESTIONS[self.kind]

    @property
    def referral_reason(self) -> str | None:
        """The reason code to preselect if the therapist chooses to refer."""
        return NO_PROGRESS_REASON if self.kind is DecisionKind.NO_PROGRESS else None


def decision_due(
    assessment: Assessment,
    sessions_count: int,
    reevaluate_after: int | None = None,
    asked: Iterable[AskedDecision] = (),
    expected_sessions: int | None = None,
) -> DecisionPrompt | None:
    """The question to ask after the note that made `sessions_count` sessions under the plan
    (None: nothing to ask). `reevaluate_after` and `expected_sessions` are the plan's; None
    without a plan. `asked` is this plan version's history; nothing is asked twice at the
    same session count."""
    asked = list(asked)
    if sessions_count < 1 or any(a.at_session == sessions_count for a in asked):
        return None
    verdict = assessment.verdict
    plan = (reevaluate_after, expected_sessions)
    for kind in DecisionKind:  # in priority order
        if _due(kind, assessment, verdict, sessions_count, plan, asked):
            return DecisionPrompt(kind, sessions_count)
    return None


def _due(
    kind: DecisionKind,
    assessment: Assessment,
    verdict: Verdict,
    sessions: int,
    plan: tuple[int | None, int | None],  # re-evaluate after, expected sessions
    asked: list[AskedDecision],
) -> bool:
    reevaluate_after, expected = plan
    match kind:
        case DecisionKind.WORSENING:
            return verdict is Verdict.WORSE
        case DecisionKind.REEVALUATION:
            return (
                reevaluate_after is not None
                and sessions >= reevaluate_after
                and not any(a.kind is DecisionKind.REEVALUATION for a in asked)
            )
        case DecisionKind.PLANNED_END:
            if expected is None or expected < 1 or sessions < expected:
                return False
            # Once; a re-evaluation asked at the planned end (or after it) has put it already.
            return not any(
                a.kind is DecisionKind.PLANNED_END
                or (a.kind is DecisionKind.REEVALUATION and a.at_session >= expected)
                for a in asked
            )
        case DecisionKind.NO_PROGRESS:
            flags = assessment.evidence.flags
            pain_free = Flag.BASELINE_ZERO in flags and Flag.SIGNALS_DISAGREE not in flags
            if verdict is not Verdict.NO_CHANGE or pain_free:
                return False
            every = NO_PROGRESS_AFTER
            if reevaluate_after is not None and reevaluate_after > 0:
                every = min(every, reevaluate_after)
            looked = (
                DecisionKind.NO_PROGRESS,
                DecisionKind.REEVALUATION,
                DecisionKind.PLANNED_END,
            )
            last = _last(asked, looked)
            return sessions >= every and (last is None or sessions - last >= every)
        case DecisionKind.IMPROVED:
            if verdict is not Verdict.IMPROVING:
                return False
            offered = _last(asked, (DecisionKind.IMPROVED,))
            turned = _last(asked, (DecisionKind.WORSENING, DecisionKind.NO_PROGRESS))
            return offered is None or (turned is not None and turned > offered)
    return False


def _last(asked: list[AskedDecision], kinds: tuple[DecisionKind, ...]) -> int | None:
    return max((a.at_session for a in asked if a.kind in kinds), default=None)
