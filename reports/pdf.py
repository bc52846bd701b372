"""The PDF documents: a referral letter to another provider, and the client record.

Fonts are the DejaVu faces shipped with matplotlib, so accented names and "→", "−" print
without a system font. A name or note in a script DejaVu lacks (Chinese, Japanese, Korean,
Devanagari, Thai) is printed in a Kurinto face (a Noto-derived family from the weblate-fonts
package) through fpdf2's font fallback; those faces are big, so a document loads only the ones
its text needs. Text in a script that needs shaping (Arabic letters join, Devanagari and Thai
marks stack, Hebrew and Arabic read right to left) goes through HarfBuzz, block by block, as
shaping costs time and PDF size that Latin text does not need. Emoji (which no face here has)
are dropped rather than printed as boxes; any other character no face has prints as "�".

Table cells longer than MAX_CELL_CHARS are printed in full under their table, with a pointer in
the cell: a table row must fit on one page, a client's comment need not.
"""

from __future__ import annotations

import io
import re
import textwrap
from collections.abc import Sequence
from datetime import date
from functools import cache
from pathlib import Path

import matplotlib
from fontTools.ttLib import TTFont
from fpdf import FPDF, FontFace, XPos, YPos
from fpdf.enums import MethodReturnValue
from fpdf.util import Padding

from practice.plans import where_in_plan
from reports.chart import HEIGHT_PX, WIDTH_PX
from reports.data import (
    CheckInRow,
    ClientData,
    ClientInfo,
    ClientRecord,
    DecisionRow,
    HomeworkRow,
    PlanInfo,
    PracticeInfo,
    ReferralRow,
    SessionRow,
)
from reports.fonts import FALLBACKS, fallback_file
from reports.wording import (
    NOTHING,
    change_label,
    consent_label,
    day_label,
    long_day,
    moment_label,
    or_nothing,
    pain_change,
)

FONT = "DejaVu"
FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf"}
# For the characters of a text that DejaVu lacks: the first of these faces that has them all
# (else, character by character, the first that has each). The pan-script face has Devanagari,
# Thai and kana; Han alone is Chinese (the Simplified face, the widest Han set). A text with
# kana is Japanese and one with Hangul Korean: their face comes first, so that a Japanese name
# gets Japanese forms of its Han characters, and one face (each is 5-10 MB to read) instead
# of two.
_KANA = re.compile("[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
_HANGUL = re.compile("[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
MISSING = "\ufffd"
# Scripts that print wrongly without shaping: Hebrew to Arabic and their neighbours (joining,
# right to left), the Indic scripts, Thai to Tibetan, Myanmar, Khmer, and presentation forms.
_NEEDS_SHAPING = re.compile(
    "[\u0590-\u08ff\u0900-\u0dff\u0e00-\u0fff\u1000-\u109f\u1780-\u17ff\ufb1d-\ufdff\ufe70-\ufeff]"
)

# A4 in millimetres; the bottom margin leaves room for the footer.
MARGIN = 18
TOP_MARGIN = 16
BOTTOM_MARGIN = 20
BODY_PT = 10
TABLE_PT = 9
SMALL_PT = 8.5
LINE = 5
TABLE_LINE = 4.4
INK = (20, 20, 20)
GREY = (100, 100, 100)
RULE = (190, 190, 190)
HEADING_FILL = (232, 238, 246)

MAX_CELL_CHARS = 300
# Page 1 of the record is read in two minutes: the latest note's plan is cut there if long,
# and read in full with its note.
HANDOVER_TEXT = 350
LABEL_WIDTH = 40
# The chart is 4:5: 105 mm wide is 131 mm tall, beside a letter's text; the record gives it a page.
CHART_WIDTH = 105
RECORD_CHART_WIDTH = 150

# Telegram text often carries emoji, which DejaVu has no glyphs for, and stray control
# characters; both would print as nothing with a warning, so they are dropped here.
_UNPRINTABLE = re.compile("[\U00010000-\U0010ffff\ufe00-\ufe0f\u200d\x00-\x08\x0b-\x1f\x7f]")


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


def client_record(record: ClientRecord, *, chart_png: bytes | None = None) -> bytes:
    """The whole record: a one-page handover, then every note, plan, homework, check-in,
    decision and referral."""
    client = record.client
    doc = _Document(
        title=f"Client record: {client.name}",
        author=record.practice.therapist_name,
        footer=f"Confidential health record · {client.name}",
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
    _check_ins(doc, record.check_ins)
    _decisions(doc, record.decisions)
    _referrals(doc, record.referrals)
    return doc.to_bytes()


class _Document(FPDF):
    """An A4 page with the house fonts, a footer, and the few blocks the documents use."""

    def __init__(self, *, title: str, author: str, footer: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        for style, file in FONT_FILES.items():
            self.add_font(FONT, style, str(FONT_DIR / file))
        self._fallbacks: list[str] = []
        self.footer_text = self.printable(footer)
        self.set_margins(MARGIN, TOP_MARGIN, MARGIN)
        self.set_auto_page_break(auto=True, margin=BOTTOM_MARGIN)
        self.set_title(_clean(title))
        self.set_author(_clean(author))
        self.set_creator("Aftercare")
        self.set_text_color(*INK)
        self.set_font(FONT, size=BODY_PT)

    def footer(self) -> None:
        # The footer can come in the middle of a block (a page break inside a paragraph):
        # that block's shaping is left as it was.
        shaping = self.text_shaping
        self.shape(self.footer_text)
        self.set_y(-14)
        self.set_draw_color(*RULE)
        self.line(self.l_margin, self.y, self.w - self.r_margin, self.y)
        self.ln(1.5)
        self.set_font(FONT, "", SMALL_PT)
        self.set_text_color(*GREY)
        self.cell(0, 4, self.footer_text, align="L")
        self.set_x(self.l_margin)
        self.cell(0, 4, f"Page {self.page_no()} of {{nb}}", align="R")
        self.text_shaping = shaping

    def to_bytes(self) -> bytes:
        return bytes(self.output())

    # Text.

    # Not `text`: FPDF.text(x, y, text) prints at a point, and a caller of it would get this.
    def printable(self, text: str) -> str:
        """`text` as it will print: emoji and control characters dropped, the fallback faces
        its characters need loaded, the characters no face has shown as "�"; and shaping
        switched on if the text needs it."""
        cleaned = _clean(text)
        # The faces differ: DejaVu's oblique has no Arabic, for one.
        house = _cmap(FONT_DIR / FONT_FILES.get(self.font_style, FONT_FILES[""]))
        self._cover(cleaned, house)
        shown = "".join(ch if _printable(ch, house) else MISSING for ch in cleaned)
        self.shape(shown)
        return shown

    def shape(self, *texts: str) -> None:
        if any(_NEEDS_SHAPING.search(t) for t in texts):
            if not self.text_shaping:
                self.set_text_shaping(True)
        else:
            self.set_text_shaping(False)

    def _cover(self, text: str, house: frozenset[int]) -> None:
        loaded = [_cmap(fallback_file(f)) for f in self._fallbacks]
        needed = {
            ord(ch)
            for ch in text
            if not ch.isspace() and ord(ch) not in house and not any(ord(ch) in c for c in loaded)
        }
        if not needed:
            return
        order = sorted(
            FALLBACKS,
            key=lambda f: (
                not (f == "KurintoSansJP" and _KANA.search(text)),
                not (f == "KurintoSansKR" and _HANGUL.search(text)),
            ),
        )
        whole = next((f for f in order if needed <= _cmap(fallback_file(f))), None)
        for point in needed:
            family = whole or next((f for f in order if point in _cmap(fallback_file(f))), None)
            if family is not None and family not in self._fallbacks:
                # The regular face only, also for bold text: each face costs about a second
                # to load and embed, and a name in a heading printed in the regular weight
                # reads as well.
                self.add_font(family, "", str(fallback_file(family)))
                self._fallbacks.append(family)
                self.set_fallback_fonts(self._fallbacks, exact_match=False)

    # Blocks.

    def keep_together(self, height: float) -> None:
        """Start a new page unless `height` mm fit on this one (headings stay with text)."""
        if self.will_page_break(height):
            self.add_page()

    def heading(self, text: str) -> None:
        if self.y > self.t_margin:
            self.ln(4)
        self.keep_together(30)
        self.start_section(self.printable(text))
        self.set_font(style="B", size=15)
        self.cell(0, 9, self.printable(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(style="", size=BODY_PT)
        self.ln(1)

    def subheading(self, text: str) -> None:
        self.keep_together(22)
        self.set_font(style="B", size=11.5)
        self.multi_cell(
            0, 6.5, self.printable(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L"
        )
        self.set_font(style="", size=BODY_PT)

    def paragraph(
        self, text: str, *, size: float = BODY_PT, style: str = "", grey: bool = False
    ) -> None:
        self.set_font(style=style, size=size)
        if grey:
            self.set_text_color(*GREY)
        self.multi_cell(
            0, size * 0.5, self.printable(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L"
        )
        self.set_text_color(*INK)
        self.set_font(style="", size=BODY_PT)

    def labelled(self, label: str, text: str | None) -> None:
        """ "Label: text", the text flowing on under the label."""
        self.set_font(style="B", size=BODY_PT)
        self.write(LINE, f"{label}: ")
        self.set_font(style="")
        self.write(LINE, self.printable(text or "") or NOTHING)
        self.ln(LINE)

    def fact(self, label: str, text: str | None) -> None:
        """A label in its own column, the text beside it: a form a reader scans down."""
        self.keep_together(2 * LINE)
        top, page = self.y, self.page
        self.set_font(style="B", size=BODY_PT)
        label_height: float = self.multi_cell(  # type: ignore[assignment]  # output=HEIGHT: a float
            LABEL_WIDTH,
            LINE,
            self.printable(label),
            new_x=XPos.RIGHT,
            new_y=YPos.TOP,
            align="L",
            output=MethodReturnValue.HEIGHT,
        )
        self.set_font(style="")
        self.multi_cell(
            0,
            LINE,
            self.printable(text or "") or NOTHING,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
            align="L",
        )
        if self.page == page:
            self.y = max(self.y, top + label_height)
        self.ln(0.8)

    # Not `highlight`: that is FPDF's context manager for a text markup annotation.
    def banner(self, text: str) -> None:
        self.set_font(style="B", size=11)
        self.set_fill_color(*HEADING_FILL)
        self.multi_cell(
            0,
            6,
            self.printable(text),
            fill=True,
            padding=Padding.new(2.5),
            align="L",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        self.set_fill_color(255)
        self.set_font(style="", size=BODY_PT)

    def bullets(self, items: Sequence[str]) -> None:
        for item in items:
            self.set_x(self.l_margin + 2)
            self.cell(4, LINE, "•")
            self.multi_cell(
                0, LINE, self.printable(item), new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L"
            )

    def rule(self) -> None:
        self.ln(1.5)
        self.set_draw_color(*RULE)
        self.line(self.l_margin, self.y, self.w - self.r_margin, self.y)
        self.ln(2.5)

    def data_table(
        self, headings: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float]
    ) -> None:
        """A table that breaks across pages with its headings repeated."""
        if not rows:
            self.paragraph("None recorded.", grey=True)
            return
        overflow: list[str] = []

        def fit(text: str) -> str:
            text = self.printable(text) or NOTHING
            if len(text) <= MAX_CELL_CHARS:
                return text
            overflow.append(text)
            start = textwrap.shorten(text, 90, placeholder=" …")
            return f"{start} (in full below, note {len(overflow)})"

        self.keep_together(20)
        self.set_font(size=TABLE_PT)
        cells = [[fit(text) for text in row] for row in rows]
        # The table prints when its block ends: one shaping setting for all its cells.
        self.shape(*(text for row in cells for text in row))
        with self.table(
            col_widths=tuple(widths),
            text_align="LEFT",
            line_height=TABLE_LINE,
            padding=(1, 1.5),
            headings_style=FontFace(emphasis="BOLD", fill_color=HEADING_FILL),
            borders_layout="HORIZONTAL_LINES",
            repeat_headings=1,
        ) as table:
            header = table.row()
            for heading in headings:
                header.cell(heading)
            for row in cells:
                printed = table.row()
                for text in row:
                    printed.cell(text)
        self.set_font(size=BODY_PT)
        self.ln(2)
        for number, text in enumerate(overflow, start=1):
            self.paragraph(f"Note {number}: {text}", size=TABLE_PT)
            self.ln(1)

    def chart(self, png: bytes, width: float = CHART_WIDTH) -> None:
        height = width * HEIGHT_PX / WIDTH_PX
        self.keep_together(height + 2)
        self.image(io.BytesIO(png), x=(self.w - width) / 2, w=width, h=height)
        self.ln(2)

    def letterhead(self, practice: PracticeInfo) -> None:
        self.set_font(style="B", size=16)
        self.cell(
            0,
            8,
            self.printable(practice.practice_name or practice.therapist_name),
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        lines = [practice.therapist_name] if practice.practice_name else []
        contact = " · ".join(c for c in (practice.phone, practice.email) if c)
        if contact:
            lines.append(contact)
        for line in lines:
            self.paragraph(line, size=BODY_PT, grey=True)
        self.rule()

    def signature(self, practice: PracticeInfo) -> None:
        self.paragraph(practice.therapist_name, style="B")
        for line in (practice.practice_name, practice.phone, practice.email):
            if line:
                self.paragraph(line)


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
            f"{len(ordered)} session(s){since}, from {day_label(ordered[0].session_date)} "
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
    current = [h for h in homework if h.status.lower() != "ended"]
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


def _handover(doc: _Document, record: ClientRecord, sessions: list[SessionRow]) -> None:
    client, plan = record.client, record.plan
    doc.paragraph("HANDOVER", size=SMALL_PT, style="B", grey=True)
    doc.set_font(style="B", size=18)
    doc.multi_cell(0, 9, doc.printable(client.name), new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
    facts = [f"Prepared by {record.practice.therapist_name} on {day_label(record.prepared_on)}"]
    first = client.first_session or (sessions[0].session_date if sessions else None)
    if first:
        facts.append(f"first session {day_label(first)}")
    if sessions:
        count = f"{len(sessions)} session{'s' if len(sessions) != 1 else ''}"
        facts.append(f"{count}, latest {day_label(sessions[-1].session_date)}")
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
            f"{where_in_plan(done, plan.expected_sessions, plan.reevaluate_after)}; "
            f"{plan.visit_frequency.lower()} visits.",
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
    doc.ln(2)

    for title, items in (("What helped", record.helped), ("What did not help", record.not_helped)):
        doc.subheading(title)
        if items:
            doc.bullets(items)
        else:
            doc.paragraph("Nothing noted yet.", grey=True)
        doc.ln(1.5)

    doc.subheading("Current homework")
    _homework_table(doc, [h for h in record.homework if h.status.lower() != "ended"])


def _referral_line(r: ReferralRow) -> str:
    """ "Dr Lee (physiotherapist), 13 Jan 2027 — consent given — seen"."""
    to = f"{r.provider} ({r.profession.lower()})" if r.provider else f"a {r.profession.lower()}"
    parts = [f"{to}, {day_label(r.referred_on)}", f"consent {consent_label(r.consent).lower()}"]
    parts.append(r.outcome.lower() if r.outcome else "outcome not known yet")
    return " — ".join(parts)


def _session_notes(doc: _Document, record: ClientRecord, sessions: list[SessionRow]) -> None:
    doc.heading("Session notes")
    zone = getattr(record.tz, "key", None) or record.tz.tzname(None) or "UTC"
    doc.paragraph(
        f"{len(sessions)} note(s), oldest first. Pain is 0–10. Amendment times are {zone}.",
        grey=True,
    )
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
        doc.fact("Subjective", session.subjective)
        doc.fact("Findings", session.findings)
        doc.fact("Response", session.response)
        doc.fact("Plan next time", session.plan_next)
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
        doc.fact("Functional activity", f"{plan.activity} (rated 0–10)")
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


def _check_ins(doc: _Document, check_ins: Sequence[CheckInRow]) -> None:
    doc.heading("Check-ins between visits")
    doc.data_table(
        ("Date", "Pain", "Change", "Activity", "Comment"),
        [
            (
                day_label(c.answered_on),
                or_nothing(c.pain),
                change_label(c.change),
                or_nothing(c.activity),
                c.comment or "",
            )
            for c in sorted(check_ins, key=lambda c: c.answered_on)
        ],
        (0.15, 0.08, 0.2, 0.1, 0.47),
    )


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


def _activity_progress(activity: str, record: ClientRecord) -> str:
    rated = sorted(
        (c for c in record.check_ins if c.activity is not None), key=lambda c: c.answered_on
    )
    if not rated:
        return f"{activity} — not rated yet"
    first, last = rated[0], rated[-1]
    if first is last:
        return f"{activity} — {last.activity}/10 ({day_label(last.answered_on)})"
    return (
        f"{activity} — {first.activity}/10 ({day_label(first.answered_on)}) → "
        f"{last.activity}/10 ({day_label(last.answered_on)})"
    )


def _shorter(text: str, where: str) -> str:
    """Page 1 stays one page: a long text is cut there and read in full where it lives."""
    if len(text) <= HANDOVER_TEXT:
        return text
    return textwrap.shorten(text, HANDOVER_TEXT, placeholder=f" … (in full in {where})")


def _clean(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return _UNPRINTABLE.sub("", text)


@cache
def _cmap(path: Path) -> frozenset[int]:
    """The characters a face has; read once a process (the Han faces take a moment)."""
    font = TTFont(str(path), lazy=True)
    try:
        return frozenset(font.getBestCmap())
    finally:
        font.close()


def _printable(ch: str, house: frozenset[int]) -> bool:
    if ch.isspace() or ord(ch) in house:
        return True
    return any(ord(ch) in _cmap(fallback_file(f)) for f in FALLBACKS)


def client_data_pdf(data: ClientData) -> bytes:
    """The client's own copy (/mydata): what the bot holds about them, in plain words."""
    doc = _Document(
        title=f"Your data: {data.client_name}",
        author=data.therapist_name,
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
    _check_ins(doc, data.check_ins)
    doc.heading("Your settings")
    for label, value in data.settings:
        doc.fact(label, value)
    return doc.to_bytes()
