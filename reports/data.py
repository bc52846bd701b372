"""What the documents are made of, ready to print.

A repository fills these from the tables; the renderers only read them. Text fields carry what
a reader sees ("Lower back", "Deep tissue", "Weekly"), not stored codes. Days (`date`) are the
practice's local days; moments (`datetime`) are aware UTC and made local by the renderer.
Sequences may be lists or tuples; the renderers sort what has an order of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo

from practice.adherence import Adherence
from practice.decisions import AskedDecision
from practice.plans import VISIT_FREQUENCIES


@dataclass(frozen=True)
class PracticeInfo:
    """Who the documents come from: printed in headers, signatures and contact lines."""

    therapist_name: str
    practice_name: str | None = None
    phone: str | None = None
    email: str | None = None

    @property
    def author(self) -> str:
        """ "Maya Collins, LMT (Riverside Massage)": the documents' author in their metadata."""
        if self.practice_name:
            return f"{self.therapist_name} ({self.practice_name})"
        return self.therapist_name


@dataclass(frozen=True)
class ClientInfo:
    name: str
    first_session: date | None = None
    # Given by the client for referral letters (bot/shared/letter_details.py); each optional.
    birth_date: date | None = None
    contact: str | None = None


@dataclass(frozen=True)
class NoteRevision:
    """One amendment of a saved note: when, why, and what changed ("Pain after: 4 → 3")."""

    revised_at: datetime
    reason: str
    changes: str


@dataclass(frozen=True)
class SessionRow:
    """One session note as it reads now; `revisions` says how it came to read so."""

    number: int
    session_date: date
    areas: Sequence[str]
    techniques: Sequence[str]
    pressure: str
    pain_before: int
    pain_after: int
    subjective: str | None = None
    findings: str | None = None
    response: str | None = None
    plan_next: str | None = None
    revisions: Sequence[NoteRevision] = ()


@dataclass(frozen=True)
class PlanInfo:
    """One version of the treatment plan; the current one carries the `earlier` versions."""

    version: int
    complaint: str
    area: str
    goal: str
    expected_sessions: int
    visit_frequency: str
    reevaluate_after: int
    start_date: date
    # The functional activity the client rates 0–10 ("Climbing stairs"), if the plan has one.
    activity: str | None = None
    earlier: Sequence[PlanInfo] = ()
    # The decision questions answered under this version (a re-evaluation done, not due).
    answered: Sequence[AskedDecision] = ()


# An assignment's state on the day a document is made, besides "Active" and "Paused".
HOMEWORK_ENDED = "Ended"  # by the therapist
HOMEWORK_FINISHED = "Finished"  # its last day has passed


@dataclass(frozen=True)
class HomeworkRow:
    exercise: str
    dose: str
    # How often, in words: "Daily at 08:00", "Mon, Wed, Fri at 19:30 until 20 Dec".
    schedule: str
    status: str
    adherence: Adherence
    start_date: date | None = None
    # The schedule without the reminder's time ("Daily until 20 Dec"): what a letter prints.
    how_often: str = ""

    @property
    def current(self) -> bool:
        """Still given on the day the document was made (active or paused)."""
        return self.status not in (HOMEWORK_ENDED, HOMEWORK_FINISHED)


@dataclass(frozen=True)
class CheckInRow:
    """What the client answered to one check-in between visits; unanswered parts are None."""

    answered_on: date
    pain: int | None = None
    # Global rating of change, -3 … +3 (practice.checkins.CHANGE_LABELS).
    change: int | None = None
    activity: int | None = None
    comment: str | None = None


@dataclass(frozen=True)
class MessageRow:
    """A message between the client and their therapist, relayed by the bot."""

    at: datetime  # when it was written (UTC; printed in the record's zone)
    from_client: bool
    text: str
    media: str | None = None  # what came with it (a photo: the text is its caption)
    delivered: bool = True  # False: still waiting (outside working hours), or never sent


@dataclass(frozen=True)
class DecisionRow:
    """A choice made with the client ("Continue with the plan?" — "Yes, two more sessions")."""

    decided_on: date
    question: str
    answer: str


@dataclass(frozen=True)
class ReferralRow:
    referred_on: date
    provider: str
    profession: str
    reason: str
    # The client's consent to sharing health details with the provider: None while pending.
    consent: bool | None = None
    outcome: str | None = None
    clinic: str | None = None
    contact: str | None = None


@dataclass(frozen=True)
class MissedVisitRow:
    """A booked visit that did not happen: the client did not come, or called it off late."""

    day: date
    time: str  # "14:00", the practice's time
    late: bool  # cancelled late (else: did not come)

    @property
    def what(self) -> str:
        return "Cancelled late" if self.late else "Didn't come"


@dataclass(frozen=True)
class IntakeRow:
    """One intake answer as given (every version: a correction is a row of its own), or the
    answer to a pre-visit question ("No change", "Changed: Medicines or allergies")."""

    answered_on: date
    question: str
    answer: str
    current: bool  # the latest answer to its question
    by_therapist: bool = False
    red_flag: bool = False  # one of the safety (red-flag) questions
    pre_visit: bool = False  # the answer to a pre-visit question, not an intake answer


@dataclass(frozen=True)
class IntakeSummary:
    """What a letter tells its reader from the client's intake: how long the complaint has
    lasted and what changes it, as the client answered, and how they answered the safety
    (red-flag) questions — each by its label, in the intake's order."""

    answered_on: date  # the latest answer's day
    since: str | None = None  # "Longer than 3 months"; None: skipped or not asked
    worse_better: str | None = None  # as the client typed it
    safety_questions: int = 0
    answered_no: int = 0
    answered_yes: Sequence[str] = ()  # each raises a red flag, listed with its meaning
    not_answered: Sequence[str] = ()  # skipped, or not reached yet
    # practice.intake.SafetyScreen.negative: every safety question answered no.
    screen_negative: bool = False


@dataclass(frozen=True)
class ClientRecord:
    """Everything the client record (PDF and CSV) shows about one client."""

    practice: PracticeInfo
    client: ClientInfo
    prepared_on: date
    # The moment it was gathered (the bot's clock): the PDFs' creation date.
    prepared_at: datetime | None = None
    plan: PlanInfo | None = None
    sessions: Sequence[SessionRow] = ()
    homework: Sequence[HomeworkRow] = ()
    check_ins: Sequence[CheckInRow] = ()
    messages: Sequence[MessageRow] = ()  # oldest first
    decisions: Sequence[DecisionRow] = ()
    referrals: Sequence[ReferralRow] = ()
    missed_visits: Sequence[MissedVisitRow] = ()
    # The intake (practice/intake.py): every answer, and what the latest ones raise.
    intake: Sequence[IntakeRow] = ()
    intake_on: date | None = None
    cautions: Sequence[str] = ()
    red_flags: Sequence[str] = ()
    # For the referral letter; None without an intake (no answer given).
    intake_summary: IntakeSummary | None = None
    # The progress verdict, and what helped or did not: worked out elsewhere, printed as given.
    verdict: str | None = None
    helped: Sequence[str] = ()
    not_helped: Sequence[str] = ()
    # Share of each week's homework done, every week since the first assignment (the chart).
    weekly: Sequence[WeekAdherence] = ()
    # Where revision times are shown in: the therapist's zone.
    tz: tzinfo = UTC


@dataclass(frozen=True)
class SessionPain:
    day: date
    before: int
    after: int


@dataclass(frozen=True)
class DayScore:
    """A 0–10 rating on one day: pain at a check-in, or the plan's functional activity."""

    day: date
    score: int


@dataclass(frozen=True)
class WeekAdherence:
    """Share of the week's homework done, 0…1. Weeks with nothing due are left out."""

    week_start: date
    share: float
    # A first or last week the homework was due on only part of (it started or ended inside
    # it, or the week is not over): its share is of fewer days, and the chart says so.
    partial: bool = False
    days_due: int | None = None


@dataclass(frozen=True)
class ProgressChartData:
    verdict: str
    sessions: Sequence[SessionPain] = ()
    check_ins: Sequence[DayScore] = ()
    activity: Sequence[DayScore] = ()
    activity_name: str | None = None
    adherence: Sequence[WeekAdherence] = ()
    # From the current plan: the sessions counted towards it are those on or after
    # `plan_start` (all of them when None). `days_between_visits` lets the chart project
    # the markers of sessions that have not happened yet.
    expected_sessions: int | None = None
    reevaluate_after: int | None = None
    plan_start: date | None = None
    days_between_visits: float | None = None


# The usual gap between visits for each plan frequency, for projecting future sessions.
DAYS_BETWEEN_VISITS: dict[str, float] = {
    "twice_weekly": 3.5,
    "weekly": 7,
    "biweekly": 14,
    "monthly": 30,
}


def days_between_visits(frequency: str) -> float | None:
    """The gap for a plan frequency given as its code ("weekly") or its label ("Weekly")."""
    if frequency in DAYS_BETWEEN_VISITS:
        return DAYS_BETWEEN_VISITS[frequency]
    for code, label in VISIT_FREQUENCIES.items():
        if label == frequency:
            return DAYS_BETWEEN_VISITS.get(code)
    return None


def chart_title(verdict: str) -> str:
    """The verdict's words alone ("No meaningful change after 8 sessions"): its figures, too
    long for a chart's title, are said in the text beside the chart."""
    return verdict.split("\n", 1)[0].split(": ", 1)[0]


def progress_chart_data(
    record: ClientRecord, *, headline: str, weekly_adherence: Sequence[WeekAdherence] = ()
) -> ProgressChartData:
    """The chart's data from a client record, so one repository query serves both."""
    plan = record.plan
    return ProgressChartData(
        verdict=headline,
        sessions=[
            SessionPain(s.session_date, s.pain_before, s.pain_after) for s in record.sessions
        ],
        check_ins=[DayScore(c.answered_on, c.pain) for c in record.check_ins if c.pain is not None],
        activity=[
            DayScore(c.answered_on, c.activity) for c in record.check_ins if c.activity is not None
        ],
        activity_name=plan.activity if plan else None,
        adherence=weekly_adherence,
        expected_sessions=plan.expected_sessions if plan else None,
        reevaluate_after=plan.reevaluate_after if plan else None,
        plan_start=plan.start_date if plan else None,
        days_between_visits=days_between_visits(plan.visit_frequency) if plan else None,
    )


@dataclass(frozen=True)
class ClientData:
    """What the bot holds about a client, for the client (/mydata): their plan, homework,
    ratings and session dates, and their own settings — not the therapist's clinical notes."""

    therapist_name: str
    client_name: str
    prepared_on: date
    prepared_at: datetime | None = None  # the PDF's creation date
    session_dates: Sequence[date] = ()
    plan: PlanInfo | None = None
    homework: Sequence[HomeworkRow] = ()
    check_ins: Sequence[CheckInRow] = ()
    messages: Sequence[MessageRow] = ()  # oldest first
    # Their intake: every answer with its date (corrections and pre-visit updates each a row
    # of their own) and each pre-visit question's answer, as the therapist's export has them.
    intake: Sequence[IntakeRow] = ()
    # ("Time zone", "Europe/London"), ("Joined the bot", "3 Nov 2026"), …
    settings: Sequence[tuple[str, str]] = ()
    # Where the messages' times are shown in: the client's zone.
    tz: tzinfo = UTC
