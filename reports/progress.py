"""A client's progress read from the record and judged (practice.progress), and the decision
point a saved note raises, recorded as asked. Used by /progress, the note flow and exports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from practice.adherence import Adherence
from practice.decisions import AskedDecision, DecisionKind, DecisionPrompt, decision_due
from practice.progress import (
    Assessment,
    ProgressSeries,
    describe,
    judge,
)
from reports.data import DayScore, ProgressChartData, SessionPain, WeekAdherence
from reports.data import days_between_visits as visit_gap
from reports.gather import progress_series, weekly_shares
from storage.models import Client, Decision, TreatmentPlan
from storage.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Progress:
    """A client's series, judged, with what the chart and the decision points need."""

    client: Client
    plan: TreatmentPlan | None
    series: ProgressSeries
    assessment: Assessment
    sessions: int  # under the current plan (all of them without a plan)
    homework: Adherence
    weekly: list[WeekAdherence]

    @property
    def summary(self) -> str:
        return describe(self.assessment, self.sessions, self.homework.share)

    def chart(self) -> ProgressChartData:
        plan = self.plan
        return ProgressChartData(
            verdict=self.summary.splitlines()[0],
            sessions=[
                SessionPain(s.day, s.pain_before, s.pain_after) for s in self.series.sessions
            ],
            check_ins=[
                DayScore(c.day, c.pain) for c in self.series.check_ins if c.pain is not None
            ],
            activity=[
                DayScore(c.day, c.activity) for c in self.series.check_ins if c.activity is not None
            ],
            activity_name=plan.activity if plan else None,
            adherence=self.weekly,
            expected_sessions=plan.expected_sessions if plan else None,
            reevaluate_after=plan.reevaluate_after if plan else None,
            plan_start=plan.start_date if plan else None,
            days_between_visits=visit_gap(plan.visit_frequency) if plan else None,
        )


async def load_progress(
    uow: UnitOfWork, therapist_id: int, client_id: int, *, zone: ZoneInfo
) -> Progress | None:
    client = await uow.clients.get(therapist_id, client_id)
    if client is None:
        return None
    notes = await uow.records.notes(therapist_id, client_id)
    plan = await uow.plans.current(therapist_id, client_id)
    check_ins = await uow.records.check_ins(client_id)
    homework = await uow.records.homework(therapist_id, client_id)
    due, done = await uow.records.homework_days([h.id for h in homework])
    series = progress_series(notes, check_ins, plan, zone)
    since = plan.start_date if plan else None
    sessions = sum(1 for n in notes if since is None or n.session_date >= since)
    counted = {(a, d) for a, d in due if since is None or d >= since}
    return Progress(
        client=client,
        plan=plan,
        series=series,
        assessment=judge(series),
        sessions=sessions,
        homework=Adherence(len(counted & done), len(counted)),
        weekly=weekly_shares(counted, done),
    )


# --- decision points --------------------------------------------------------------------


async def raise_decision(
    uow: UnitOfWork, therapist_id: int, client_id: int, note_id: int, *, now: datetime, zone: str
) -> Decision | None:
    """After a saved note: the question the progress so far asks, recorded as asked (in the
    note's own transaction), or None. Each is asked once per plan version and session."""
    progress = await load_progress(uow, therapist_id, client_id, zone=ZoneInfo(zone))
    if progress is None:
        return None
    plan_id = progress.plan.id if progress.plan else None
    asked = [
        AskedDecision(DecisionKind(d.kind), d.at_session)
        for d in await uow.records.decisions(therapist_id, client_id)
        if d.plan_id == plan_id
    ]
    prompt = decision_due(
        progress.assessment,
        progress.sessions,
        progress.plan.reevaluate_after if progress.plan else None,
        asked,
    )
    if prompt is None:
        return None
    decision = Decision(
        therapist_id=therapist_id,
        client_id=client_id,
        plan_id=plan_id,
        note_id=note_id,
        kind=prompt.kind.value,
        at_session=prompt.at_session,
        summary=_evidence(progress, prompt)[:400],
        asked_at=now,
    )
    uow.session.add(decision)
    await uow.session.flush()
    return decision


def _evidence(progress: Progress, prompt: DecisionPrompt) -> str:
    """What the therapist is shown with the question, kept with the answer."""
    return progress.summary
