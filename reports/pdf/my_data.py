"""The client's own copy of what the bot holds about them (/mydata)."""

from __future__ import annotations

from fpdf import XPos, YPos

from reports.data import ClientData
from reports.wording import day_label

from .document import _Document, made_on
from .record import _check_ins, _homework, _intake, _messages, _plan_lines


def client_data_pdf(data: ClientData) -> bytes:
    """The client's own copy (/mydata): what the bot holds about them, in plain words."""
    doc = _Document(
        title=f"Your data: {data.client_name}",
        author=data.therapist_name,
        subject=f"What the Aftercare bot holds about you, {day_label(data.prepared_on)}",
        made_at=made_on(data.prepared_on, data.prepared_at),
        footer=f"Your data held by the Aftercare bot · {data.client_name}",
    )
    doc.add_page()
    doc.set_font(style="B", size=18)
    doc.multi_cell(
        0, 9, doc.printable(data.client_name), new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L"
    )
    doc.paragraph(
        f"What the bot holds about you for your sessions with {data.therapist_name}, "
        f"as of {day_label(data.prepared_on)}. Your therapist's clinical notes are their health "
        "record and are not part of this copy; ask them for one.",
        grey=True,
    )
    doc.heading("Your sessions")
    if data.session_dates:
        doc.paragraph(", ".join(day_label(d) for d in sorted(data.session_dates)))
    else:
        doc.paragraph("None yet.", grey=True)
    doc.heading("Your plan")
    if data.plan is None:
        doc.paragraph("None yet.", grey=True)
    else:
        _plan_lines(doc, data.plan)
    _homework(doc, data.homework)
    _check_ins(doc, data.check_ins, data.plan.activity if data.plan else None)
    _messages(doc, data.messages, data.tz, data.client_name, you=True)
    if data.intake:
        _intake(doc, data.intake, heading="Your health answers")
    else:
        doc.heading("Your health answers")
        doc.paragraph("None yet.", grey=True)
    doc.heading("Your settings")
    for label, value in data.settings:
        doc.fact(label, value)
    return doc.to_bytes()
