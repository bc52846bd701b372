"""The client record (/export): a one-page handover, then every note, plan, homework,
check-in, decision and referral; and the blocks of it that the other documents print too."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from datetime import date, tzinfo

from fpdf import XPos, YPos

from practice.checkins import ACTIVITY_ANCHORS, PAIN_ANCHORS
from practice.notes import TextField
from practice.plans import where_in_plan
from practice.timezones import zone_clock
from reports.data import (
    CheckInRow,
    ClientRecord,
    DecisionRow,
    HomeworkRow,
    IntakeRow,
    MessageRow,
    MissedVisitRow,
    PlanInfo,
    ReferralRow,
    SessionRow,
)
from reports.wording import (
    NOTHING,
    change_label,
    consent_label,
    count,
    day_label,
    missed_visits_line,
    moment_label,
    or_nothing,
    pain_change,
)

from .document import (
    BODY_PT,
    HANDOVER_TEXT,
    LINE,
    RECORD_CHART_WIDTH,
    SMALL_PT,
    TABLE_PT,
    _Document,
    made_on,
)

# The free-text parts of a note, as the record labels them (a part left empty is not printed).
TEXT_FIELDS = (
    (TextField.SUBJECTIVE, "Subjective"),
    (TextField.FINDINGS, "Findings"),
    (TextField.RESPONSE, "Response"),
    (TextField.PLAN_NEXT, "Plan next time"),
)


NOTHING_HELPED = "Nothing has made a meaningful difference yet."
NO_SESSIONS = "No sessions yet."


def client_record(record: ClientRecord, *, chart_png: bytes | None = None) -> bytes:
    """The whole record: a one-page handover, then every note, plan, homework, check-in,
    decision and referral."""
    client = record.client
    doc = _Document(
        title=f"Client record: {client.name}",
        author=record.practice.author,
        subject=f"Confidential health record, prepared {day_label(record.prepared_on)}",
        footer=f"Confidential health record · {client.name}",
        made_at=made_on(record.prepared_on, record.prepared_at),
    )
    sessions = sorted(record.sessions, key=lambda s: (s.session_date, s.number))
    doc.add_page()
    _handover(doc, record, sessions)

    if chart_png is not None:
        doc.add_page()
        doc.heading("Progress chart")
        doc.chart(chart_png, width=RECORD_CHART_WIDTH)

    doc.add_page()
    _session_notes(doc, record, sessions)
    _plans(doc, record.plan)
    _homework(doc, record.homework)
    _check_ins(doc, record.check_ins, record.plan.activity if record.plan else None)
    _messages(doc, record.messages, record.tz, record.client.name)
    _decisions(doc, record.decisions)
    _referrals(doc, record.referrals)
    if record.missed_visits:
        _missed_visits(doc, record.missed_visits)
    _intake(doc, record.intake)
    return doc.to_bytes()


def _handover(doc: _Document, record: ClientRecord, sessions: list[SessionRow]) -> None:
    client, plan = record.client, record.plan
    doc.paragraph("HANDOVER", size=SMALL_PT, style="B", grey=True)
    doc.set_font(style="B", size=18)
    doc.multi_cell(0, 9, doc.printable(client.name), new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
    facts = [f"Prepared by {record.practice.therapist_name} on {_kept(record.prepared_on)}"]
    first = client.first_session or (sessions[0].session_date if sessions else None)
    if first:
        facts.append(f"first session {_kept(first)}")
    if sessions:
        count = f"{len(sessions)} session{'s' if len(sessions) != 1 else ''}"
        facts.append(f"{count}, latest {_kept(sessions[-1].session_date)}")
    doc.paragraph(" · ".join(facts), grey=True)
    doc.ln(3)
    doc.banner(record.verdict or "No progress verdict yet.")
    doc.ln(3)

    if plan is not None:
        done = sum(1 for s in sessions if s.session_date >= plan.start_date)
        doc.fact("Complaint", f"{plan.complaint} ({plan.area})")
        doc.fact("Goal", plan.goal)
        doc.fact(
            "Plan",
            f"Version {plan.version} since {day_label(plan.start_date)}: "
            + _lower_first(
                where_in_plan(done, plan.expected_sessions, plan.reevaluate_after, plan.answered)
            )
            + f"; {plan.visit_frequency.lower()} visits.",
        )
        if plan.activity:
            doc.fact("Functional activity", _activity_progress(plan.activity, record))
    else:
        doc.fact("Plan", "No treatment plan recorded.")
    if sessions:
        doc.fact("Pain (0–10)", _pain_story(sessions, record.check_ins))
    if sessions and sessions[-1].plan_next:
        latest = sessions[-1]
        doc.fact("Next session", _shorter(latest.plan_next or "", f"note #{latest.number}"))
    if record.referrals:
        doc.fact("Referred", "; ".join(_referral_line(r) for r in record.referrals))
    if record.missed_visits:
        no_shows = [v.day for v in record.missed_visits if not v.late]
        late = [v.day for v in record.missed_visits if v.late]
        doc.fact("Missed visits", missed_visits_line(no_shows, late))
    if record.intake_on is not None:
        doc.fact("Intake", _intake_line(record.intake_on, record.intake))
        for caution in record.cautions:
            doc.fact("Caution", caution)
        for flag in record.red_flags:
            doc.fact("Red flag", flag)
    else:
        doc.fact("Intake", "Not answered.")
    doc.ln(2)

    for title, items, none in (
        ("What helped", record.helped, NOTHING_HELPED if sessions else NO_SESSIONS),
        ("What did not help", record.not_helped, "Nothing noted." if sessions else NO_SESSIONS),
    ):
        doc.subheading(title)
        if items:
            doc.bullets(items)
        else:
            doc.paragraph(none, grey=True)
        doc.ln(1.5)

    doc.subheading("Current homework")
    current = [h for h in record.homework if h.current]
    if current:
        _homework_table(doc, current)
    elif record.homework:
        doc.paragraph(
            f"None on {day_label(record.prepared_on)}: every exercise given has finished or "
            "was ended (see Homework and adherence).",
            grey=True,
        )
    else:
        doc.paragraph("No homework given.", grey=True)


def _kept(day: date) -> str:
    """ "20 Jan 2027" held together on one line."""
    return day_label(day).replace(" ", "\u00a0")


def _referral_line(r: ReferralRow) -> str:
    """ "Dr Lee (physiotherapist), 13 Jan 2027 — consent given — seen"."""
    to = f"{r.provider} ({r.profession.lower()})" if r.provider else f"a {r.profession.lower()}"
    parts = [f"{to}, {day_label(r.referred_on)}", f"consent {consent_label(r.consent).lower()}"]
    parts.append(r.outcome.lower() if r.outcome else "outcome not known yet")
    return " — ".join(parts)


def _session_notes(doc: _Document, record: ClientRecord, sessions: list[SessionRow]) -> None:
    doc.heading("Session notes")
    about = [f"{count(len(sessions), 'note')}, oldest first. Pain is 0–10 ({PAIN_ANCHORS})."]
    if any(session.revisions for session in sessions):
        zone = getattr(record.tz, "key", None) or record.tz.tzname(None) or "UTC"
        about.append(f"Amendment times are {zone_clock(zone)}.")
    if any(not getattr(s, field.value) for s in sessions for field, _ in TEXT_FIELDS):
        about.append("A note shows only the parts the therapist wrote.")
    doc.paragraph(" ".join(about), grey=True)
    doc.ln(2)
    if not sessions:
        doc.paragraph("None recorded.", grey=True)
    for session in sessions:
        amended = " · amended" if session.revisions else ""
        doc.subheading(f"Note #{session.number} · {day_label(session.session_date)}{amended}")
        doc.fact(
            "Treatment",
            f"{', '.join(session.areas) or NOTHING} — {', '.join(session.techniques) or NOTHING}"
            f" — {session.pressure.lower()} pressure",
        )
        doc.fact("Pain", f"{pain_change(session.pain_before, session.pain_after)} (before → after)")
        for field, label in TEXT_FIELDS:
            if text := getattr(session, field.value):
                doc.fact(label, text)
        if session.revisions:
            doc.set_font(style="I", size=TABLE_PT)
            doc.cell(0, LINE, "Amendments", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            doc.bullets(
                [
                    f"{moment_label(r.revised_at, record.tz)} — {r.reason.rstrip('.')}. "
                    f"Changed: {r.changes}"
                    for r in sorted(session.revisions, key=lambda r: r.revised_at)
                ]
            )
            doc.set_font(style="", size=BODY_PT)
        doc.rule()


def _plans(doc: _Document, plan: PlanInfo | None) -> None:
    doc.heading("Treatment plan")
    if plan is None:
        doc.paragraph("None recorded.", grey=True)
        return
    versions = sorted([plan, *plan.earlier], key=lambda p: p.version, reverse=True)
    for version in versions:
        current = " (current)" if version is plan else ""
        doc.subheading(f"Version {version.version}{current} · from {day_label(version.start_date)}")
        _plan_lines(doc, version)
        doc.ln(2)


def _plan_lines(doc: _Document, plan: PlanInfo) -> None:
    doc.fact("Complaint", f"{plan.complaint} ({plan.area})")
    doc.fact("Goal", plan.goal)
    if plan.activity:
        doc.fact(
            "Functional activity",
            f"{_their_words(plan.activity)}, rated by the client 0–10 ({ACTIVITY_ANCHORS})",
        )
    doc.fact(
        "Sessions",
        f"{plan.expected_sessions} expected, {plan.visit_frequency.lower()}; re-evaluate after "
        f"{plan.reevaluate_after}; started {day_label(plan.start_date)}",
    )


def _homework(doc: _Document, homework: Sequence[HomeworkRow]) -> None:
    doc.heading("Homework and adherence")
    _homework_table(doc, homework, with_status=True)


def _homework_table(
    doc: _Document, homework: Sequence[HomeworkRow], *, with_status: bool = False
) -> None:
    if not with_status:
        doc.data_table(
            ("Exercise", "Dose", "Schedule", "Done since assigned"),
            [(h.exercise, h.dose, h.schedule, h.adherence.describe()) for h in homework],
            (0.28, 0.22, 0.3, 0.2),
        )
        return
    doc.data_table(
        ("Exercise", "Dose", "Schedule", "From", "Status", "Done since assigned"),
        [
            (
                h.exercise,
                h.dose,
                h.schedule,
                day_label(h.start_date) if h.start_date else NOTHING,
                h.status[:1].upper() + h.status[1:],
                h.adherence.describe(),
            )
            for h in homework
        ],
        (0.22, 0.17, 0.22, 0.14, 0.1, 0.15),
    )


def _check_ins(
    doc: _Document, check_ins: Sequence[CheckInRow], activity: str | None = None
) -> None:
    doc.heading("Check-ins between visits")
    explained = (
        f"Pain 0–10 ({PAIN_ANCHORS}); Change: the client's answer to “compared with before your "
        "last session”"
    )
    if activity:
        explained += f"; Activity: “{activity}”, 0–10 ({ACTIVITY_ANCHORS})"
    doc.paragraph(explained + ".", grey=True)
    doc.ln(1)
    # A column no check-in has anything in (no activity in the plan, no comment written) is
    # left out rather than printed as a column of dashes.
    columns: list[tuple[str, float, Callable[[CheckInRow], str]]] = [
        ("Date", 0.15, lambda c: day_label(c.answered_on)),
        ("Pain", 0.08, lambda c: or_nothing(c.pain)),
        ("Change", 0.2, lambda c: change_label(c.change)),
        ("Activity", 0.1, lambda c: or_nothing(c.activity)),
        ("Comment", 0.47, lambda c: c.comment or ""),
    ]
    empty = {
        "Activity": all(c.activity is None for c in check_ins),
        "Comment": not any(c.comment for c in check_ins),
    }
    shown = [col for col in columns if not empty.get(col[0], False)]
    total = sum(width for _, width, _ in shown)
    doc.data_table(
        tuple(name for name, _, _ in shown),
        [
            tuple(cell(c) for _, _, cell in shown)
            for c in sorted(check_ins, key=lambda c: c.answered_on)
        ],
        tuple(width / total for _, width, _ in shown),
    )


def _messages(
    doc: _Document, messages: Sequence[MessageRow], tz: tzinfo, client: str, you: bool = False
) -> None:
    """The messages between the client and the therapist, relayed by the bot, oldest first."""
    doc.heading("Your messages with your therapist" if you else "Messages between visits")
    doc.data_table(
        ("When", "From", "Message"),
        [
            (
                moment_label(m.at, tz),
                ("You" if you else client) if m.from_client else "Therapist",
                _message_text(m),
            )
            for m in sorted(messages, key=lambda m: m.at)
        ],
        (0.2, 0.15, 0.65),
    )


def _message_text(message: MessageRow) -> str:
    notes = [f"with a {message.media}"] if message.media else []
    if not message.delivered:
        notes.append("not delivered")
    return f"{message.text} ({', '.join(notes)})" if notes else message.text


def _decisions(doc: _Document, decisions: Sequence[DecisionRow]) -> None:
    doc.heading("Decisions")
    doc.data_table(
        ("Date", "Question", "Answer"),
        [
            (day_label(d.decided_on), d.question, d.answer)
            for d in sorted(decisions, key=lambda d: d.decided_on)
        ],
        (0.15, 0.4, 0.45),
    )


def _intake(doc: _Document, intake: Sequence[IntakeRow], heading: str = "Intake") -> None:
    """Every answer as given: a correction follows the answer it replaced."""
    doc.heading(heading)
    doc.data_table(
        ("Date", "Question", "Answer"),
        [
            (
                day_label(r.answered_on),
                r.question,
                r.answer
                + ("" if r.current else " (since changed)")
                + (" (entered by the therapist)" if r.by_therapist else ""),
            )
            for r in intake
        ],
        (0.15, 0.3, 0.55),
    )


def _referrals(doc: _Document, referrals: Sequence[ReferralRow]) -> None:
    doc.heading("Referrals")
    doc.data_table(
        ("Date", "To", "Reason", "Consent", "Outcome"),
        [
            (
                day_label(r.referred_on),
                ", ".join(p for p in (r.provider, r.profession, r.clinic) if p),
                r.reason,
                consent_label(r.consent),
                r.outcome or "",
            )
            for r in sorted(referrals, key=lambda r: r.referred_on)
        ],
        (0.14, 0.24, 0.28, 0.12, 0.22),
    )


def _missed_visits(doc: _Document, missed: Sequence[MissedVisitRow]) -> None:
    doc.heading("Missed visits")
    doc.data_table(
        ("Date", "Time", "What happened"),
        [(day_label(v.day), v.time, v.what) for v in sorted(missed, key=lambda v: v.day)],
        (0.3, 0.2, 0.5),
    )


def _pain_story(sessions: list[SessionRow], check_ins: Sequence[CheckInRow]) -> str:
    first, latest = sessions[0], sessions[-1]
    story = (
        f"{first.pain_before} before the first session ({day_label(first.session_date)}); "
        f"{latest.pain_before} → {latest.pain_after} at the latest "
        f"({day_label(latest.session_date)})"
    )
    later = [c for c in check_ins if c.pain is not None and c.answered_on > latest.session_date]
    if later:
        last = max(later, key=lambda c: c.answered_on)
        story += f"; {last.pain} at the latest check-in ({day_label(last.answered_on)})"
    return story + "."


def _their_words(activity: str) -> str:
    """The activity as the client put it ("Turn my head when I drive"): quoted as theirs."""
    return f"In the client's words: “{activity}”"


def _lower_first(words: str) -> str:
    """ "Session 8 of 10 planned" → "session 8 of 10 planned", to go on after a colon."""
    return words[:1].lower() + words[1:]


# Answers that say no (a yes-or-no question, or a checklist with nothing ticked).
NEGATIVE = ("No", "None of these")


def _intake_line(day: date, intake: Sequence[IntakeRow]) -> str:
    """The latest answers, what the client said first; the questions answered no in one
    sentence (the red-flag questions counted rather than listed)."""
    given = [r for r in intake if r.current and r.answer != "skipped" and not r.pre_visit]
    said = [f"{r.question}: {r.answer}" for r in given if r.answer not in NEGATIVE]
    negatives = [_lower_first(r.question) for r in given if r.answer in NEGATIVE and not r.red_flag]
    flags = [r for r in given if r.red_flag]
    flags_no = sum(1 for r in flags if r.answer in NEGATIVE)
    if flags_no:
        negatives.append(
            ("the red-flag question" if len(flags) == 1 else f"the {len(flags)} red-flag questions")
            if flags_no == len(flags)
            else f"{flags_no} of the {len(flags)} red-flag questions"
        )
    line = f"{day_label(day)}, the client's answers"
    line += (": " + "; ".join(said) + ".") if said else "."
    if negatives:
        listed = ", ".join(negatives[:-1]) + " and " if len(negatives) > 1 else ""
        line += f" Answered no to: {listed}{negatives[-1]}."
    checks = [r for r in intake if r.pre_visit]
    if checks:
        changed = [r for r in checks if r.answer != "No change"]
        last = max(checks, key=lambda r: r.answered_on)
        visits = f"{len(checks)} visit{'s' if len(checks) != 1 else ''}"
        words = _pre_visit_words(checks, changed)
        line += (
            f" Asked before {visits} whether anything was new: {words}; last asked "
            f"{day_label(last.answered_on)}."
        )
    return line


def _pre_visit_words(checks: Sequence[IntakeRow], changed: Sequence[IntakeRow]) -> str:
    if not changed:
        return "no change each time"
    said = "; ".join(
        f"changed on {day_label(r.answered_on)} ({r.answer.removeprefix('Changed: ').lower()})"
        for r in changed
    )
    same = len(checks) - len(changed)
    return f"no change {same} time{'s' if same != 1 else ''}, {said}" if same else said


def _activity_progress(activity: str, record: ClientRecord) -> str:
    rated = sorted(
        (c for c in record.check_ins if c.activity is not None), key=lambda c: c.answered_on
    )
    activity = _their_words(activity)
    if not rated:
        return f"{activity} — not rated yet"
    first, last = rated[0], rated[-1]
    if first is last:
        return (
            f"{activity} — {last.activity}/10 ({day_label(last.answered_on)}); {ACTIVITY_ANCHORS}"
        )
    return (
        f"{activity} — {first.activity}/10 ({day_label(first.answered_on)}) → "
        f"{last.activity}/10 ({day_label(last.answered_on)}); {ACTIVITY_ANCHORS}"
    )


def _shorter(text: str, where: str) -> str:
    """Page 1 stays one page: a long text is cut there and read in full where it lives."""
    if len(text) <= HANDOVER_TEXT:
        return text
    return textwrap.shorten(text, HANDOVER_TEXT, placeholder=f" … (in full in {where})")
