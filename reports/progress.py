"""A client's progress read from the record and judged (practice.progress), and the decision
point a saved note raises, recorded as asked.

This is the one place the series is drawn and its verdict worded: /progress, the decision
points after a note, the export's handover page and the referral letter all state
`Progress.summary` — see `progress_of` for how it counts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from practice.adherence import Adherence, HomeworkDays
from practice.decisions import AskedDecision, DecisionKind, decision_due
from practice.progress import (
    Assessment,
    CheckInRating,
    Plan,
    ProgressSeries,
    SessionRating,
    alert,
    describe,
    judge,
)
from reports.data import DayScore, ProgressChartData, SessionPain, WeekAdherence, chart_title
from reports.data import days_between_visits as visit_gap
from storage.models import CheckIn, Client, Decision, SessionNote, TreatmentPlan
from storage.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Progress:
    """A client's series, judged, with what the chart and the decision points need."""

    client: Client
    plan: TreatmentPlan | None
    series: ProgressSeries
    assessment: Assessment
    homework: Adherence  # over the series' period: since the plan's start, or all of it
    weekly: list[WeekAdherence]

    @property
    def sessions(self) -> int:
        """Sessions in the series: under the current plan (all of them without a plan)."""
        return self.assessment.evidence.sessions

    @property
    def summary(self) -> str:
        """The verdict, as every surface states it; its first line is the verdict line."""
        return describe(self.assessment, self.sessions, self.homework.share)

    @property
    def alert(self) -> str:
        """The same verdict in the plain words of an alert (the decision question's)."""
        return alert(self.assessment, self.sessions, self.homework.share)

    @property
    def verdict_line(self) -> str:
        return self.summary.split("\n", 1)[0]

    def chart(self) -> ProgressChartData:
        plan = self.plan
        return ProgressChartData(
            verdict=chart_title(self.verdict_line),
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


def progress_of(
    client: Client,
    plan: TreatmentPlan | None,
    notes: Sequence[SessionNote],
    check_ins: Sequence[CheckIn],
    homework: HomeworkDays,
    zone: ZoneInfo,
) -> Progress:
    """The client's progress from their record, counted one way wherever it is shown:
    "Improving: pain 7 → 3 (−57 %) over 5 sessions; homework 80 % done."

    - The series starts at the current plan's start date; without a plan, at the first
      session. Sessions before the plan stay in the record and on the chart, but the verdict
      is about the plan being followed.
    - Baseline pain is the series' first pain rating: the first session's pain before (with a
      plan, the first on or after its start — or a check-in's pain, if that came first).
      Current pain is the median of the last 3 ratings after it (pain before each session,
      pain at check-ins), worded "middle of the last 3 ratings" on every screen
      (practice.progress.current_words); practice.progress.judge has the rules and thresholds.
    - "over N sessions" counts the sessions in the series: those under the plan, or all.
    - "homework X % done" is the exercise days due in the series' period that the client
      marked done (practice.adherence).

    `notes` and `check_ins` are all of the client's, in any order; `homework` the days of
    every assignment they were given.
    """
    series = progress_series(notes, check_ins, plan, zone)
    since = plan.start_date if plan else None
    period = homework.since(since)
    return Progress(
        client=client,
        plan=plan,
        series=series,
        assessment=judge(series),
        homework=period.adherence(),
        weekly=weekly_shares(period),
    )


async def load_progress(
    uow: UnitOfWork, therapist_id: int, client_id: int, *, zone: ZoneInfo
) -> Progress | None:
    """`progress_of` one of this therapist's clients; None for anyone else's."""
    client = await uow.clients.get(therapist_id, client_id)
    if client is None:
        return None
    notes = await uow.records.notes(therapist_id, client_id)
    plan = await uow.plans.current(therapist_id, client_id)
    check_ins = await uow.records.check_ins(client_id)
    homework = await uow.records.homework(therapist_id, client_id)
    days = await uow.records.homework_days([h.id for h in homework])
    return progress_of(client, plan, notes, check_ins, days, zone)


def progress_series(
    notes: Sequence[SessionNote],
    check_ins: Sequence[CheckIn],
    plan: TreatmentPlan | None,
    tz: ZoneInfo,
) -> ProgressSeries:
    """What practice.progress.judge reads, from the stored notes, check-ins and plan."""
    return ProgressSeries(
        sessions=[SessionRating(n.session_date, n.pain_before, n.pain_after) for n in notes],
        check_ins=[
            CheckInRating(
                _answered_day(c.answered_at, tz), pain=c.pain, change=c.change, activity=c.activity
            )
            for c in check_ins
            if c.answered_at is not None
        ],
        plan=Plan(
            start=plan.start_date,
            expected_sessions=plan.expected_sessions,
            reevaluate_after=plan.reevaluate_after,
            has_activity=plan.activity is not None,
            baseline_activity=plan.activity_baseline,
        )
        if plan is not None
        else None,
    )


def weekly_shares(days: HomeworkDays) -> list[WeekAdherence]:
    """Per week (from Monday), the share of the exercise days due that were done; weeks with
    nothing due are left out. The chart's lower panel."""
    weeks_due: dict[date, int] = defaultdict(int)
    weeks_done: dict[date, int] = defaultdict(int)
    for _, day in days.due:
        weeks_due[_monday(day)] += 1
    for _, day in days.done & days.due:
        weeks_done[_monday(day)] += 1
    fullest = max(weeks_due.values(), default=0)
    edges = {min(weeks_due, default=None), max(weeks_due, default=None)}
    return [
        WeekAdherence(
            week,
            min(weeks_done[week], count) / count,
            partial=week in edges and count < fullest,
            days_due=len({day for _, day in days.due if _monday(day) == week}),
        )
        for week, count in sorted(weeks_due.items())
    ]


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _answered_day(moment: datetime | None, tz: ZoneInfo) -> date:
    assert moment is not None
    return moment.astimezone(tz).date()


# --- decision points --------------------------------------------------------------------


def asked_under(
    decisions: Iterable[Decision], plan_id: int | None, *, answered: bool = False
) -> list[AskedDecision]:
    """The questions put under one plan version (or, `answered`, those the therapist answered)."""
    return [
        AskedDecision(DecisionKind(d.kind), d.at_session)
        for d in decisions
        if d.plan_id == plan_id and (d.answer is not None or not answered)
    ]


async def answered_under_plan(
    uow: UnitOfWork, therapist_id: int, client_id: int, plan_id: int
) -> list[AskedDecision]:
    """What `practice.plans.where_in_plan` needs to say a re-evaluation was done, not due."""
    decisions = await uow.records.decisions(therapist_id, client_id)
    return asked_under(decisions, plan_id, answered=True)


async def raise_decision(
    uow: UnitOfWork, therapist_id: int, client_id: int, note_id: int, *, now: datetime, zone: str
) -> Decision | None:
    """After a saved note: the question the progress so far asks, recorded as asked (in the
    note's own transaction), or None. Each is asked once per plan version and session."""
    progress = await load_progress(uow, therapist_id, client_id, zone=ZoneInfo(zone))
    if progress is None:
        return None
    plan_id = progress.plan.id if progress.plan else None
    asked = asked_under(await uow.records.decisions(therapist_id, client_id), plan_id)
    prompt = decision_due(
        progress.assessment,
        progress.sessions,
        progress.plan.reevaluate_after if progress.plan else None,
        asked,
        progress.plan.expected_sessions if progress.plan else None,
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
        summary=progress.alert[:400],  # the evidence as shown with the question
        asked_at=now,
    )
    uow.session.add(decision)
    await uow.session.flush()
    return decision
