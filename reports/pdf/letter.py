"""The referral letter to another provider (/refer).

It reads like a letter a colleague answers: who the client is and how long they have been
seen, why now (the reason), what is asked of the reader, what was tried and what changed (only
with the client's consent), and how to reply. The letter and its signature fit the first page
for a typical client; the progress chart, when shared, is an enclosure on a page of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from fpdf import XPos, YPos

from practice.checkins import PAIN_ANCHORS
from practice.referrals import ask_of
from reports.data import (
    ClientInfo,
    HomeworkRow,
    IntakeSummary,
    PlanInfo,
    PracticeInfo,
    ReferralRow,
    SessionRow,
)
from reports.wording import NOTHING, count, day_label, long_day, pain_change, short_day

from .document import BODY_PT, LINE, RECORD_CHART_WIDTH, TABLE_PT, _Document, made_on
from .record import _lower_first, _plan_lines

# More sessions than this and the table shows the first few and the latest, with a line
# saying how many are left out between them (all of them are in the record).
MAX_SESSION_ROWS = 10
FIRST_ROWS = 2
ENCLOSURE = "Enclosure: progress chart"
# As the client rated it, before the session → after it; its scale said once, in PAIN_LINE.
PAIN_HEADING = "Pain before → after"
PAIN_LINE = f"Pain before → after each session (0–10, {PAIN_ANCHORS}):"


def referral_letter(
    practice: PracticeInfo,
    client: ClientInfo,
    referral: ReferralRow,
    *,
    written_on: date,
    sessions: Sequence[SessionRow] = (),
    plan: PlanInfo | None = None,
    homework: Sequence[HomeworkRow] = (),
    verdict: str | None = None,
    chart_png: bytes | None = None,
    cautions: Sequence[str] = (),
    red_flags: Sequence[str] = (),
    intake: IntakeSummary | None = None,
    made_at: datetime | None = None,
) -> bytes:
    """A letter referring the client to `referral.provider`.

    Health details (the intake, sessions, plan, homework, progress and chart) are printed
    only when `referral.consent` is True; declined or pending consent leaves the reason alone.
    """
    doc = _Document(
        title=f"Referral for {client.name}",
        author=practice.author,
        subject=f"Referral letter to {_recipient(referral)}, {long_day(written_on)}",
        footer=f"Confidential · Referral for {client.name}",
        made_at=made_on(written_on, made_at),
    )
    doc.add_page()
    doc.letterhead(practice)
    doc.set_font(size=BODY_PT)
    doc.cell(0, LINE, long_day(written_on), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    doc.ln(2)

    # Two lines: to whom, and where to find them.
    doc.paragraph(_recipient(referral))
    where = " · ".join(x for x in (referral.clinic, referral.contact) if x)
    if where:
        doc.paragraph(where)
    doc.ln(4)

    shared = referral.consent is True
    doc.paragraph(f"Referral: {client.name}", size=13, style="B")
    # Given by the client for this letter (with their consent), so its reader can match it.
    who = _identifiers(client) if shared else ""
    if who:
        doc.paragraph(who)
    doc.ln(2)
    doc.paragraph(f"Dear {referral.provider},")
    doc.ln(1)
    doc.paragraph(_opening(client, sessions if shared else ()))
    doc.ln(1)
    doc.labelled("Reason for referral", referral.reason)
    doc.labelled("What I am asking", ask_of(referral.profession))
    doc.ln(2)

    if shared:
        # The complaint's history and the safety screen first, as a clinical letter has them.
        if intake is not None or cautions or red_flags:
            _intake_lines(doc, intake, [*red_flags, *cautions])
        _letter_details(doc, client, sessions, plan, homework, verdict)
    else:
        refused = "did not consent" if referral.consent is False else "has not yet consented"
        doc.paragraph(
            f"{client.name} {refused} to my sharing details of their health or treatment, so this "
            "letter gives only the reason for the referral. They can share more with you "
            "themselves."
        )

    enclosed = shared and chart_png is not None
    doc.ln(2)
    reply = _how_to_reply(practice, client)
    if enclosed:
        reply += f" Enclosed: a chart of {client.name}'s pain, activity and homework over time."
    sign_off(doc, reply, practice)

    if enclosed:
        assert chart_png is not None
        doc.add_page()
        doc.subheading(ENCLOSURE)
        doc.chart(chart_png, width=RECORD_CHART_WIDTH)
    return doc.to_bytes()


def sign_off(doc: _Document, reply: str, practice: PracticeInfo) -> None:
    """How to reply, "Kind regards," and the name and practice under it: on one page, the
    page turned first when the block as measured would not fit (never a name alone on a
    page of its own). The phone and email are in the letterhead and in `reply`."""
    lines = [(reply, ""), ("Kind regards,", ""), (practice.therapist_name, "B")]
    if practice.practice_name:
        lines.append((practice.practice_name, ""))
    gaps = 3 + 5  # after the reply, after "Kind regards,"
    doc.keep_together(sum(doc.paragraph_height(t, style=b) for t, b in lines) + gaps)
    doc.paragraph(reply)
    doc.ln(3)
    doc.paragraph("Kind regards,")
    doc.ln(5)
    doc.paragraph(practice.therapist_name, style="B")
    if practice.practice_name:
        doc.paragraph(practice.practice_name)


def _opening(client: ClientInfo, sessions: Sequence[SessionRow]) -> str:
    """Who: the client, and (with consent) since when and how often they have been seen."""
    if not sessions:
        return f"I am referring my client {client.name} to you."
    first = min(s.session_date for s in sessions)
    return (
        f"I am referring my client {client.name} to you. I have seen them for massage "
        f"therapy since {long_day(client.first_session or first)} "
        f"({count(len(sessions), 'session')}), and they have agreed to my sharing the details "
        "of their treatment below."
    )


def _recipient(referral: ReferralRow) -> str:
    return ", ".join(x for x in (referral.provider, referral.profession) if x)


def _identifiers(client: ClientInfo) -> str:
    """ "Date of birth: 14 March 1985 · Phone or email: +44 7700 900123"."""
    parts = []
    if client.birth_date is not None:
        parts.append(f"Date of birth: {long_day(client.birth_date)}")
    if client.contact:
        parts.append(f"Phone or email: {client.contact}")
    return " · ".join(parts)


def _how_to_reply(practice: PracticeInfo, client: ClientInfo) -> str:
    if practice.email and practice.phone:
        reach = f"on {practice.phone} or at {practice.email}"
    elif practice.email:
        reach = f"at {practice.email}"
    elif practice.phone:
        reach = f"on {practice.phone}"
    else:
        return f"{client.name} can pass a reply on to me. Thank you for seeing them."
    return f"You can reach me {reach}. Thank you for seeing them."


def _intake_lines(doc: _Document, intake: IntakeSummary | None, warnings: Sequence[str]) -> None:
    """How long the complaint has lasted and what changes it, as the client answered; how
    they answered the safety questions; then each red flag raised and caution, in full."""
    on = f" ({long_day(intake.answered_on)})" if intake is not None else ""
    doc.subheading(f"From the client's intake{on}")
    if intake is not None:
        # The typed answer quoted as the client's words; on one line when they fit, so that
        # the letter keeps to its page.
        worse_better = f"“{intake.worse_better}”" if intake.worse_better else None
        history = [("How long", intake.since), ("Worse / better", worse_better)]
        _labelled_line(doc, [(label, text) for label, text in history if text])
        if intake.safety_questions:
            doc.labelled("Red-flag screen", screen_words(intake))
    doc.bullets(warnings)


def _labelled_line(doc: _Document, pairs: Sequence[tuple[str, str]]) -> None:
    """ "How long: Longer than 3 months · Worse / better: “…”", each label in bold."""
    if not pairs:
        return
    for i, (label, text) in enumerate(pairs):
        doc.set_font(style="")
        doc.write(LINE, " · " if i else "")
        doc.set_font(style="B")
        doc.write(LINE, f"{label}: ")
        doc.set_font(style="")
        doc.write(LINE, doc.printable(text))
    doc.ln(LINE)


def screen_words(intake: IntakeSummary) -> str:
    """ "negative — …" only when every safety question was answered no; otherwise what was
    answered and which were not: "incomplete — no to 6 of the 9 safety questions; not
    answered: fever, night pain and headache or neck warning signs"."""
    total = intake.safety_questions
    if intake.screen_negative:
        return f"negative — the client answered no to all {total} safety questions."
    parts = []
    if intake.answered_no:
        parts.append(f"no to {intake.answered_no} of the {total} safety questions")
    if intake.answered_yes:
        parts.append(f"yes to {_listed(intake.answered_yes)} (below)")
    if len(intake.not_answered) == total:
        parts.append(f"none of the {total} safety questions answered")
    elif intake.not_answered:
        parts.append(f"not answered: {_listed(intake.not_answered)}")
    words = "; ".join(parts) + "."
    return f"incomplete — {words}" if intake.not_answered else words


def _listed(labels: Sequence[str]) -> str:
    """ "fever, night pain and weight loss": the questions' labels, in a sentence."""
    words = [_lower_first(label) for label in labels]
    return ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else words[0]


def _letter_details(
    doc: _Document,
    client: ClientInfo,
    sessions: Sequence[SessionRow],
    plan: PlanInfo | None,
    homework: Sequence[HomeworkRow],
    verdict: str | None,
) -> None:
    """The plan (which names the activity and its scale), then what changed (what a busy
    reader needs), then what was tried: the sessions and the homework."""
    if plan is not None:
        doc.ln(1)
        doc.subheading("Treatment plan")
        _plan_lines(doc, plan)
    if verdict:
        doc.ln(1)
        doc.subheading("What changed")
        doc.paragraph(verdict)
    ordered = sorted(sessions, key=lambda s: (s.session_date, s.number))
    doc.ln(1)
    doc.subheading("Sessions")
    treatments = {(tuple(s.techniques), tuple(s.areas)) for s in ordered}
    if len(treatments) == 1 and len(ordered) > 1:
        # The same treatment every time (the usual course): said once, and the pain as a line
        # rather than a table of repeated words, so that the letter keeps to its page.
        techniques, areas = next(iter(treatments))
        doc.paragraph(
            f"Every session: {', '.join(techniques) or NOTHING} ({', '.join(areas) or NOTHING})."
        )
        doc.paragraph(f"{PAIN_LINE} " + " · ".join(_pain_entries(ordered)))
        doc.ln(2)
    else:
        doc.paragraph(PAIN_LINE.removesuffix(":") + ".", size=TABLE_PT, grey=True)
        doc.data_table(
            ("Date", "Areas", "Techniques", PAIN_HEADING),
            _session_rows(ordered),
            (0.16, 0.28, 0.35, 0.21),
        )
    current = [h for h in homework if h.current]
    if current:
        doc.subheading("Homework")
        doc.data_table(
            ("Exercise", "Dose", "How often", "Done since assigned"),
            [
                (h.exercise, h.dose, h.how_often or h.schedule, h.adherence.describe())
                for h in current
            ],
            # The last heading on one line: the letter keeps to its page.
            (0.28, 0.16, 0.29, 0.27),
        )


def _pain_entries(ordered: Sequence[SessionRow]) -> list[str]:
    """ "2 Sep 2026: 8 → 5" each, held together on its line; a long course as the table
    would show it: the first few, how many between, the latest."""

    def entry(s: SessionRow) -> str:
        day = day_label(s.session_date).replace(" ", "\u00a0")
        return f"{day}:\u00a0{pain_change(s.pain_before, s.pain_after)}"

    if len(ordered) <= MAX_SESSION_ROWS:
        return [entry(s) for s in ordered]
    latest = MAX_SESSION_ROWS - FIRST_ROWS - 1
    between = len(ordered) - FIRST_ROWS - latest
    return [
        *map(entry, ordered[:FIRST_ROWS]),
        f"({count(between, 'more session')})",
        *map(entry, ordered[-latest:]),
    ]


def _session_rows(ordered: Sequence[SessionRow]) -> list[tuple[str, str, str, str]]:
    def row(s: SessionRow) -> tuple[str, str, str, str]:
        return (
            day_label(s.session_date),
            ", ".join(s.areas),
            ", ".join(s.techniques),
            pain_change(s.pain_before, s.pain_after),
        )

    if len(ordered) <= MAX_SESSION_ROWS:
        return [row(s) for s in ordered]
    latest = MAX_SESSION_ROWS - FIRST_ROWS - 1
    between = ordered[FIRST_ROWS:-latest]
    gap = (
        f"{short_day(between[0].session_date)} – {short_day(between[-1].session_date)}",
        f"{count(len(between), 'more session')}",
        "",
        "",
    )
    return [*map(row, ordered[:FIRST_ROWS]), gap, *map(row, ordered[-latest:])]
