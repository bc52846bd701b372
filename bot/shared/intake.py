"""The intake as both sides read it: each question's latest answer with its date (the
client's /mydata, the therapist's card), and the client's cautions and red flags."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from bot.shared import texts
from practice.intake import Caution, RedFlag, cautions_of, default_intake, red_flags_of
from storage.models import IntakeAnswer, VisitCheck
from storage.repositories.intake import CHANGED
from storage.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class IntakeView:
    rows: dict[str, IntakeAnswer]  # the latest answer to each question
    cautions: list[Caution]
    flags: list[RedFlag]
    taken_on: date | None  # the day of the latest answer, in the reader's zone
    check: VisitCheck | None = None  # the latest pre-visit question answered
    checked_on: date | None = None  # its day, in the reader's zone

    def checked(self) -> texts.Html:
        """ "checked 7 Dec: no change", "checked 9 Dec: medicines changed", or ""."""
        if self.check is None or self.checked_on is None:
            return texts.Html("")
        return texts.checked_line(texts.short_date(self.checked_on), changed_parts(self.check))

    def warnings(self) -> list[texts.Html]:
        """ "⚠️ blood thinners", "🚩 1 red flag": the client's cautions as the card shows them
        (and /today beside each visit)."""
        return texts.intake_warnings([c.condition.short for c in self.cautions], len(self.flags))

    @property
    def answers(self) -> dict[str, Any]:
        return {key: row.value for key, row in self.rows.items()}

    def lines(self, zone: str) -> list[texts.Html]:
        """Each answer in the questions' order, with its day where that is not the heading's
        (the latest answer's); the questions skipped in one line at the end."""
        tz = ZoneInfo(zone)
        out = []
        skipped = []
        for question in default_intake().questions:
            row = self.rows.get(question.key)
            if row is None:
                continue
            if row.value is None:
                skipped.append(question.label)
                continue
            answer = question.shown(row.value, default_intake().conditions)
            day = row.answered_at.astimezone(tz).date()
            when = texts.short_date(day) if day != self.taken_on else None
            out.append(texts.intake_answer_line(question.label, answer, when))
        if skipped:
            out.append(texts.intake_skipped_line(skipped))
        return out


def changed_parts(check: VisitCheck) -> list[str] | None:
    """The parts of the intake a pre-visit answer said changed, as the card names them
    ("medicines"); None for no change."""
    if check.answer != CHANGED:
        return None
    intake = default_intake()
    parts = [intake.section(code) for code in check.sections or []]
    return [p.short for p in parts if p is not None]


async def intake_of(uow: UnitOfWork, client_id: int, zone: str) -> IntakeView:
    rows = await uow.intake.current(client_id)
    return view_of(rows, zone, await uow.intake.latest_check(client_id))


def view_of(
    rows: dict[str, IntakeAnswer], zone: str, check: VisitCheck | None = None
) -> IntakeView:
    """The intake of these latest answers (`intake_of`'s, or a batch's for /today)."""
    answers = {key: row.value for key, row in rows.items()}
    latest = max((row.answered_at for row in rows.values()), default=None)
    tz = ZoneInfo(zone)
    return IntakeView(
        rows,
        cautions_of(answers),
        red_flags_of(answers),
        latest.astimezone(tz).date() if latest is not None else None,
        check,
        check.answered_at.astimezone(tz).date()
        if check is not None and check.answered_at is not None
        else None,
    )
