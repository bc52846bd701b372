"""Reading one client's whole record from the database into `reports.data`, ready to render.

Everything goes through the repositories and the therapist's id: a client of another therapist
reads as None. Labels, not codes, come out ("Lower back", "Chin tucks", "Weekly").

What helped and what did not is practice.handover's: each technique's relief during sessions,
and whether it lasts, judged by the verdict.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from practice.adherence import HomeworkDays
from practice.amendments import FIELDS, revision_changes
from practice.checkins import CHANGE_LABELS
from practice.decisions import DECISION_QUESTIONS, AskedDecision, DecisionKind, answer_words
from practice.exercises import EXERCISE_AREAS, by_code, custom_id
from practice.handover import what_helped
from practice.intake import (
    SAFETY,
    SINCE,
    WORSE_BETTER,
    AnswerValue,
    Intake,
    cautions_of,
    default_intake,
    has_intake,
    red_flags_of,
    safety_screen,
)
from practice.notes import AREAS, PRESSURES, TECHNIQUES
from practice.plans import VISIT_FREQUENCIES, HomeworkStatus
from practice.preferences import hhmm
from practice.referrals import PROFESSIONS, REASONS
from practice.schedules import HomeworkSchedule
from practice.timezones import zone_clock
from practice.visits import MISSED_STATUSES, VisitStatus
from reminders.planning import preferences_of
from reports.data import (
    HOMEWORK_ENDED,
    HOMEWORK_FINISHED,
    CheckInRow,
    ClientData,
    ClientInfo,
    ClientRecord,
    DecisionRow,
    HomeworkRow,
    IntakeRow,
    IntakeSummary,
    MessageRow,
    MissedVisitRow,
    NoteRevision,
    PlanInfo,
    PracticeInfo,
    ProgressChartData,
    ReferralRow,
    SessionRow,
    chart_title,
    progress_chart_data,
)
from reports.progress import Progress, asked_under, progress_of, weekly_shares
from reports.wording import day_label
from storage.models import (
    CheckIn,
    Client,
    ClientMessage,
    HomeworkAssignment,
    Provider,
    SessionNote,
    Therapist,
    TreatmentPlan,
)
from storage.models import NoteRevision as StoredRevision
from storage.repositories import FROM_CLIENT
from storage.repositories.intake import CHANGED
from storage.unit_of_work import UnitOfWork

OUTCOMES = {"seen": "Seen", "not_yet": "Not seen yet", "declined": "Decided not to go"}
# What the record calls a visit that did not happen (practice.visits.MISSED_STATUSES).
CONSENT = {"given": True, "refused": False}


async def client_record(
    uow: UnitOfWork,
    therapist_id: int,
    client_id: int,
    *,
    today: date,
    zone: ZoneInfo | str,
    now: datetime | None = None,
) -> ClientRecord | None:
    """The whole record of one of this therapist's clients; None for anyone else's.

    Its verdict is `reports.progress.progress_of`'s, word for word what /progress says; each
    assignment's adherence is counted since it was assigned."""
    tz = ZoneInfo(zone) if isinstance(zone, str) else zone
    client = await uow.clients.get(therapist_id, client_id)
    if client is None:
        return None
    therapist = await uow.therapists.get(therapist_id)
    notes = await uow.records.notes(therapist_id, client_id)
    revisions = await uow.amendments.for_notes([n.id for n in notes])
    plans = await uow.plans.versions(therapist_id, client_id)
    homework = await uow.records.homework(therapist_id, client_id)
    days = await uow.records.homework_days([h.id for h in homework])
    check_ins = await uow.records.check_ins(client_id)
    messages = await uow.messages.of_client(therapist_id, client_id)
    decisions = await uow.records.decisions(therapist_id, client_id)
    referrals = await uow.records.referrals(therapist_id, client_id)
    missed = [v for v in await uow.visits.of_client(client_id) if v.status in MISSED_STATUSES]
    intake = await _intake(uow, client_id, tz)

    sessions = [_session_row(n, revisions.get(n.id, [])) for n in notes]
    plan = (
        _plan_info(plans[0], plans[1:], asked_under(decisions, plans[0].id, answered=True))
        if plans
        else None
    )
    homework_rows = await _homework_rows(uow, therapist_id, homework, days, today)
    check_in_rows = [_check_in_row(c, tz) for c in check_ins]
    progress = progress_of(client, plans[0] if plans else None, notes, check_ins, days, tz)
    helped, not_helped = _what_helped(notes, progress)
    return ClientRecord(
        practice=letterhead(therapist),
        client=ClientInfo(
            client.name,
            notes[0].session_date if notes else None,
            birth_date=client.birth_date,
            contact=client.contact,
        ),
        prepared_on=today,
        prepared_at=now,
        plan=plan,
        sessions=sessions,
        homework=homework_rows,
        check_ins=check_in_rows,
        messages=[_message_row(m) for m in reversed(messages)],
        decisions=[
            DecisionRow(
                decided_on=(d.answered_at or d.asked_at).astimezone(tz).date(),
                question=_decision_question(d.kind),
                answer=_sentence(answer_words(d.answer)),
            )
            for d in decisions
        ]
        + intake.decisions,
        referrals=[
            ReferralRow(
                referred_on=r.created_at.astimezone(tz).date(),
                # None: referred to a profession, not to one of the therapist's providers.
                provider=p.name if p is not None else "",
                profession=PROFESSIONS.get(r.profession, r.profession),
                reason=r.reason_text or REASONS.get(r.reason, r.reason),
                consent=CONSENT.get(r.consent),
                outcome=OUTCOMES.get(r.outcome or "", r.outcome),
                clinic=p.clinic if p is not None else None,
                contact=_contact(p),
            )
            for r, p in referrals
        ],
        missed_visits=[
            MissedVisitRow(
                day=v.starts_at.astimezone(tz).date(),
                time=f"{v.starts_at.astimezone(tz):%H:%M}",
                late=v.status == VisitStatus.CANCELLED_LATE,
            )
            for v in missed
        ],
        verdict=progress.summary,
        helped=helped,
        not_helped=not_helped,
        # Every week since the first assignment: the record's chart shows all sessions too.
        weekly=weekly_shares(days),
        tz=tz,
        intake=intake.rows,
        intake_on=intake.on,
        cautions=intake.cautions,
        red_flags=intake.flags,
        intake_summary=intake.summary,
    )


@dataclass(frozen=True)
class _Intake:
    rows: list[IntakeRow]
    on: date | None
    cautions: list[str]
    flags: list[str]
    decisions: list[DecisionRow]
    summary: IntakeSummary | None = None


async def _intake(uow: UnitOfWork, client_id: int, tz: ZoneInfo) -> _Intake:
    """The intake for the record: every answer given, with what the latest raise, and each
    red flag put to the therapist as a decision with its answer."""
    library = default_intake()
    history = await uow.intake.history(client_id)
    latest = {row.question: row.id for row in history}
    # The red-flag questions as the client was asked them: the safety part (the conditions
    # and the concern also feed some flags, but they are not screening questions).
    safety = library.section(SAFETY)
    flagging = set(safety.questions) if safety is not None else set()
    dated: list[tuple[datetime, IntakeRow]] = []
    for row in history:
        question = library.question(row.question)
        if question is None:
            continue
        answer = "skipped" if row.value is None else question.shown(row.value, library.conditions)
        dated.append(
            (
                row.answered_at,
                IntakeRow(
                    answered_on=row.answered_at.astimezone(tz).date(),
                    question=question.label,
                    answer=answer,
                    current=latest[row.question] == row.id,
                    by_therapist=row.answered_by == "therapist",
                    red_flag=row.question in flagging,
                ),
            )
        )
    on = max((r.answered_on for _, r in dated), default=None)
    for check in await uow.intake.checks(client_id):
        assert check.answered_at is not None
        parts = [library.section(code) for code in check.sections or []]
        said = (
            "Changed: " + ", ".join(p.label for p in parts if p is not None)
            if check.answer == CHANGED
            else "No change"
        )
        day = check.answered_at.astimezone(tz).date()
        asked = IntakeRow(day, PRE_VISIT_QUESTION, said, current=True, pre_visit=True)
        dated.append((check.answered_at, asked))
    rows = [row for _, row in sorted(dated, key=lambda pair: pair[0])]
    answers = {row.question: row.value for row in history}  # the latest, oldest overwritten
    decisions = []
    for flag_row in await uow.intake.flags(client_id):
        flag = library.red_flag(flag_row.flag)
        if flag is None:
            continue
        decisions.append(
            DecisionRow(
                decided_on=(flag_row.decided_at or flag_row.raised_at).astimezone(tz).date(),
                question=f"Intake red flag ({flag.urgency.value}): {flag.name}",
                answer=FLAG_ANSWERS.get(flag_row.decision or "", "Not answered yet"),
            )
        )
    return _Intake(
        rows,
        on,
        [c.condition.caution for c in cautions_of(answers)],
        [f"{f.name} ({f.urgency.value}): {f.meaning}" for f in red_flags_of(answers)],
        decisions,
        _summary(library, answers, on) if on is not None and has_intake(answers) else None,
    )


def _summary(library: Intake, answers: Mapping[str, AnswerValue], on: date) -> IntakeSummary:
    """The letter's lines from the latest answers: the complaint's history, and the screen."""

    def said(key: str) -> str | None:
        question, value = library.question(key), answers.get(key)
        return question.shown(value) if question is not None and value else None

    screen = safety_screen(answers, library)
    return IntakeSummary(
        answered_on=on,
        since=said(SINCE),
        worse_better=said(WORSE_BETTER),
        safety_questions=len(screen.questions),
        answered_no=len(screen.answered_no),
        answered_yes=[q.label for q in screen.answered_yes],
        not_answered=[q.label for q in screen.not_answered],
        screen_negative=screen.negative,
    )


# The pre-visit question's row in the intake (bot/client/previsit.py).
PRE_VISIT_QUESTION = "Before a visit: anything new?"

# The therapist's answers to a red flag, in words, for the record's decisions.
FLAG_ANSWERS = {"refer": "Referred on", "seen": "Seen; to discuss with the client"}


def chart_data(record: ClientRecord) -> ProgressChartData:
    """The progress chart's data: the verdict's first words are its title."""
    headline = chart_title(record.verdict or "")
    return progress_chart_data(record, headline=headline, weekly_adherence=record.weekly)


async def _homework_rows(
    uow: UnitOfWork,
    therapist_id: int,
    homework: list[HomeworkAssignment],
    days: HomeworkDays,
    today: date,
) -> list[HomeworkRow]:
    """Each assignment with its adherence since it was assigned (the card adds 14 days), and
    its state on `today`: one whose last day has passed is finished, whatever it is stored as."""
    return [
        HomeworkRow(
            exercise=await _exercise_name(uow, therapist_id, h.exercise_code),
            dose=h.dose,
            schedule=_schedule_text(h),
            how_often=_schedule_text(h, at=False),
            status=_status_on(h, today),
            adherence=days.adherence(assignment_id=h.id),
            start_date=h.start_date,
        )
        for h in homework
    ]


def _labels(codes: list[str], other: str | None, vocabulary: dict[str, str]) -> list[str]:
    return [vocabulary.get(c, c) for c in codes] + ([other] if other else [])


def _session_row(note: SessionNote, revisions: list[StoredRevision]) -> SessionRow:
    current = {field: getattr(note, field) for field in FIELDS}
    changes = revision_changes([r.before for r in revisions], current)
    return SessionRow(
        number=note.number,
        session_date=note.session_date,
        areas=_labels(note.areas, note.area_other, AREAS),
        techniques=_labels(note.techniques, note.technique_other, TECHNIQUES),
        pressure=PRESSURES.get(note.pressure, note.pressure),
        pain_before=note.pain_before,
        pain_after=note.pain_after,
        subjective=note.subjective,
        findings=note.findings,
        response=note.response,
        plan_next=note.plan_next,
        revisions=[
            NoteRevision(revised_at=r.revised_at, reason=r.reason, changes=text)
            for r, text in zip(revisions, changes, strict=True)
        ],
    )


def _plan_info(
    plan: TreatmentPlan, earlier: list[TreatmentPlan], answered: Sequence[AskedDecision] = ()
) -> PlanInfo:
    return PlanInfo(
        version=plan.version,
        complaint=plan.complaint,
        area=EXERCISE_AREAS.get(plan.area, plan.area),
        goal=plan.goal,
        expected_sessions=plan.expected_sessions,
        visit_frequency=VISIT_FREQUENCIES.get(plan.visit_frequency, plan.visit_frequency),
        reevaluate_after=plan.reevaluate_after,
        start_date=plan.start_date,
        activity=plan.activity,
        earlier=[_plan_info(p, []) for p in earlier],
        answered=answered,
    )


def _message_row(message: ClientMessage) -> MessageRow:
    return MessageRow(
        at=message.created_at,
        from_client=message.direction == FROM_CLIENT,
        text=message.text,
        media=message.media,
        delivered=message.delivered_at is not None,
    )


def _check_in_row(check_in: CheckIn, tz: ZoneInfo) -> CheckInRow:
    assert check_in.answered_at is not None
    return CheckInRow(
        answered_on=check_in.answered_at.astimezone(tz).date(),
        pain=check_in.pain,
        change=check_in.change if check_in.change in CHANGE_LABELS else None,
        activity=check_in.activity,
        comment=check_in.comment,
    )


def _schedule_text(assignment: HomeworkAssignment, *, at: bool = True) -> str:
    try:
        schedule = HomeworkSchedule.from_rrule(
            assignment.rrule, assignment.start_date, assignment.time_of_day
        )
    except ValueError:
        return assignment.rrule
    return schedule.describe(at=at)


async def _exercise_name(uow: UnitOfWork, therapist_id: int, code: str) -> str:
    row_id = custom_id(code)
    if row_id is not None:
        row = await uow.exercises.get(therapist_id, row_id)
        return row.name if row is not None else "(an exercise no longer listed)"
    try:
        return by_code(code).name
    except KeyError:
        return "(an exercise no longer listed)"


def _contact(provider: Provider | None) -> str | None:
    if provider is None:
        return None
    return ", ".join(x for x in (provider.phone, provider.email) if x) or None


def _decision_question(kind: str) -> str:
    try:
        return DECISION_QUESTIONS[DecisionKind(kind)]
    except ValueError:
        return kind


def _what_helped(notes: list[SessionNote], progress: Progress) -> tuple[list[str], list[str]]:
    """Each technique's pain drop during sessions, judged with the verdict (practice.handover)."""
    drops: dict[str, dict[int, int]] = defaultdict(dict)
    for note in notes:
        for label in _labels(note.techniques, note.technique_other, TECHNIQUES):
            drops[label][note.number] = note.pain_before - note.pain_after
    found = what_helped(
        drops, progress.assessment.verdict, progress.sessions, progress.homework.share
    )
    return found.helped, found.not_helped


async def client_data(
    uow: UnitOfWork,
    client: Client,
    *,
    now: datetime,
    today: date,
    zone: ZoneInfo | str,
    fallback_zone: str,
) -> ClientData:
    """What the bot holds about a client, for the client: see `reports.data.ClientData`.

    Session dates, not the notes: the free text is the therapist's clinical record."""
    tz = ZoneInfo(zone) if isinstance(zone, str) else zone
    therapist_id = client.therapist_id
    therapist = await uow.therapists.get(therapist_id)
    notes = await uow.records.notes(therapist_id, client.id)
    plan = await uow.plans.current(therapist_id, client.id)
    homework = await uow.records.homework(therapist_id, client.id)
    days = await uow.records.homework_days([h.id for h in homework])
    check_ins = await uow.records.check_ins(client.id)
    messages = await uow.messages.of_client(therapist_id, client.id)
    prefs = preferences_of(client, fallback_zone)
    settings = [
        ("Name", client.name),
        ("Telegram account", "linked" if client.telegram_user_id else "not linked"),
        ("Time zone", zone_clock(prefs.timezone)),
        ("Reminder time", hhmm(prefs.reminder_time)),
        ("Quiet hours", prefs.quiet_label),
    ]
    if client.joined_at is not None:
        settings.append(("Joined the bot", day_label(client.joined_at.astimezone(tz).date())))
    if client.birth_date is not None:
        settings.append(("Date of birth (for referral letters)", day_label(client.birth_date)))
    if client.contact:
        settings.append(("Phone or email (for referral letters)", client.contact))
    if client.stopped_at is not None:
        settings.append(("Messages", "stopped (send /resume to restart)"))
    elif client.paused_until is not None and client.paused_until > now:
        settings.append(("Messages", "paused"))
    return ClientData(
        therapist_name=letterhead(therapist).therapist_name,
        client_name=client.name,
        prepared_on=today,
        prepared_at=now,
        session_dates=[n.session_date for n in notes],
        plan=_plan_info(plan, []) if plan is not None else None,
        homework=await _homework_rows(uow, therapist_id, homework, days, today),
        check_ins=[_check_in_row(c, tz) for c in check_ins],
        messages=[_message_row(m) for m in reversed(messages)],
        intake=(await _intake(uow, client.id, tz)).rows,
        settings=settings,
        tz=tz,
    )


def letterhead(therapist: Therapist | None) -> PracticeInfo:
    """Who letters and records come from: the /profile letterhead, else the Telegram name."""
    if therapist is None:
        return PracticeInfo("Your therapist")
    return PracticeInfo(
        therapist.letterhead_name,
        practice_name=therapist.practice_name,
        phone=therapist.phone,
        email=therapist.email,
    )


def _sentence(words: str) -> str:
    """ "continue as planned" → "Continue as planned" (the rest left as it is)."""
    return words[:1].upper() + words[1:]


def _status_on(assignment: HomeworkAssignment, today: date) -> str:
    """ "Active", "Paused", "Ended" (by the therapist) or "Finished" (its course ran out)."""
    if assignment.status == HomeworkStatus.ENDED:
        return HOMEWORK_ENDED
    if assignment.end_date is not None and assignment.end_date < today:
        return HOMEWORK_FINISHED
    return assignment.status.capitalize()
