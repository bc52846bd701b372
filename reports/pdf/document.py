"""The page every PDF document is printed on: the house fonts, the layout, and the blocks
(headings, paragraphs, tables, the chart) that the documents are made of.

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
from datetime import UTC, date, datetime, time
from functools import cache
from pathlib import Path

import matplotlib
from fontTools.ttLib import TTFont
from fpdf import FPDF, FontFace, XPos, YPos
from fpdf.enums import MethodReturnValue
from fpdf.util import Padding

from reports.chart import HEIGHT_PX, WIDTH_PX
from reports.data import PracticeInfo
from reports.fonts import FALLBACKS, fallback_file
from reports.wording import NOTHING

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


class _Document(FPDF):
    """An A4 page with the house fonts, a footer, and the few blocks the documents use."""

    def __init__(
        self, *, title: str, author: str, footer: str, subject: str, made_at: datetime
    ) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        for style, file in FONT_FILES.items():
            self.add_font(FONT, style, str(FONT_DIR / file))
        self._fallbacks: list[str] = []
        self.footer_text = self.printable(footer)
        self.set_margins(MARGIN, TOP_MARGIN, MARGIN)
        self.set_auto_page_break(auto=True, margin=BOTTOM_MARGIN)
        self.set_title(_clean(title))
        self.set_author(_clean(author))
        self.set_subject(_clean(subject))
        self.set_creator("Aftercare")
        self.set_lang("en")
        # When it was made by the bot's clock (fpdf2 would take the machine's): a document
        # made again from the same data is the same file.
        self.set_creation_date(made_at)
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
        # A figure and its per cent sign stay on one line ("29 %", practice.numbers).
        cleaned = _clean(text).replace(" %", "\u00a0%")
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

    def paragraph_height(self, text: str, *, size: float = BODY_PT, style: str = "") -> float:
        """How tall `paragraph(text)` will be, in mm, on this page's width: measured, not
        drawn."""
        self.set_font(style=style, size=size)
        height = self.multi_cell(
            0, size * 0.5, self.printable(text), dry_run=True, output=MethodReturnValue.HEIGHT
        )
        self.set_font(style="", size=BODY_PT)
        assert isinstance(height, float | int)
        return float(height)

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


def made_on(day: date, moment: datetime | None) -> datetime:
    """A document's creation date: the moment it was gathered, else the start of its day."""
    return moment if moment is not None else datetime.combine(day, time(), UTC)


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
