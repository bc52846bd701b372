"""The intake as both sides read it: each question's latest answer with its date (the
client's /mydata, the therapist's card), and the client's cautions and red flags."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from bot.shared import texts
from practice.intake import Caution, RedFlag, cautions_of, default_intake, red_flags_of
from storage.models import IntakeAnswer
from storage.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class IntakeView:
    rows: dict[str, IntakeAnswer]  # the latest answer to each question
    cautions: list[Caution]
    flags: list[RedFlag]
    taken_on: date | None  # the day of the latest answer, in the reader's zone

    @property
    def answers(self) -> dict[str, Any]:
        return {key: row.value for key, row in self.rows.items()}

    def lines(self, zone: str) -> list[texts.Html]:
        """Each answer with the day it was given, in the questions' order."""
        tz = ZoneInfo(zone)
        out = []
        for question in default_intake().questions:
            row = self.rows.get(question.key)
            if row is None:
                continue
            answer = (
                texts.INTAKE_SKIPPED
                if row.value is None
                else question.shown(row.value, default_intake().conditions)
            )
            day = texts.short_date(row.answered_at.astimezone(tz).date())
            out.append(texts.intake_answer_line(question.label, answer, day))
        return out


async def intake_of(uow: UnitOfWork, client_id: int, zone: str) -> IntakeView:
    rows = await uow.intake.current(client_id)
    answers = {key: row.value for key, row in rows.items()}
    latest = max((row.answered_at for row in rows.values()), default=None)
    return IntakeView(
        rows,
        cautions_of(answers),
        red_flags_of(answers),
        latest.astimezone(ZoneInfo(zone)).date() if latest is not None else None,
    )
