"""The referral letter to another provider (/refer)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from fpdf import XPos, YPos

from reports.data import ClientInfo, HomeworkRow, PlanInfo, PracticeInfo, ReferralRow, SessionRow
from reports.wording import count, day_label, long_day, pain_change

from .document import BODY_PT, LINE, _Document
from .record import _homework_table, _plan_lines


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
) -> bytes:
    """A letter referring the client to `referral.provider`.

    Health details (sessions, plan, homework, progress and chart) are printed only when
    `referral.consent` is True; declined or pending consent leaves the reason alone.
    """
    doc = _Document(
        title=f"Referral: {client.name}",
        author=practice.therapist_name,
        footer=f"Confidential · Referral for {client.name}",
    )
    doc.add_page()
    doc.letterhead(practice)
    doc.set_font(size=BODY_PT)
    doc.cell(0, LINE, long_day(written_on), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    doc.ln(2)

    doc.set_font(style="B")
    doc.cell(0, LINE, "To", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    doc.set_font(style="")
    for line in (referral.provider, referral.profession, referral.clinic, referral.contact):
        if line:
            doc.paragraph(line)
    doc.ln(5)

    doc.paragraph(f"Referral: {client.name}", size=13, style="B")
    doc.ln(2)
    doc.paragraph(f"Dear {referral.provider},")
    doc.ln(1)
    doc.paragraph(f"I am referring my client {client.name} to you.")
    doc.ln(1)
    doc.labelled("Reason for referral", referral.reason)
    doc.ln(2)

    if referral.consent is True:
        doc.paragraph(
            f"{client.name} has agreed to my sharing details of their treatment with you; "
            "they follow."
        )
        _letter_details(doc, client, sessions, plan, homework, verdict, chart_png)
        if cautions or red_flags:
            doc.subheading("From the client's intake")
            doc.bullets([*red_flags, *cautions])
    else:
        refused = "did not consent" if referral.consent is False else "has not yet consented"
        doc.paragraph(
            f"{client.name} {refused} to my sharing details of their health or treatment, so this "
            "letter gives only the reason for the referral. They can share more with you "
            "themselves."
        )

    doc.ln(4)
    doc.paragraph("Please contact me if I can help with anything further.")
    doc.ln(4)
    doc.keep_together(35)
    doc.paragraph("Kind regards,")
    doc.ln(8)
    doc.signature(practice)
    return doc.to_bytes()


def _letter_details(
    doc: _Document,
    client: ClientInfo,
    sessions: Sequence[SessionRow],
    plan: PlanInfo | None,
    homework: Sequence[HomeworkRow],
    verdict: str | None,
    chart_png: bytes | None,
) -> None:
    ordered = sorted(sessions, key=lambda s: (s.session_date, s.number))
    doc.ln(3)
    doc.subheading("Sessions")
    if ordered:
        since = f" since {long_day(client.first_session)}" if client.first_session else ""
        doc.paragraph(
            f"{count(len(ordered), 'session')}{since}, from {day_label(ordered[0].session_date)} "
            f"to {day_label(ordered[-1].session_date)}. Pain is 0–10, before → after."
        )
        doc.ln(1)
    doc.data_table(
        ("Date", "Areas", "Techniques", "Pain"),
        [
            (
                day_label(s.session_date),
                ", ".join(s.areas),
                ", ".join(s.techniques),
                pain_change(s.pain_before, s.pain_after),
            )
            for s in ordered
        ],
        (0.18, 0.3, 0.38, 0.14),
    )
    if plan is not None:
        doc.subheading("Current treatment plan")
        _plan_lines(doc, plan)
        doc.ln(2)
    current = [h for h in homework if h.current]
    if current:
        doc.subheading("Homework")
        _homework_table(doc, current)
    if verdict or chart_png:
        doc.subheading("Progress")
        if verdict:
            doc.paragraph(verdict)
            doc.ln(2)
        if chart_png:
            doc.chart(chart_png)
