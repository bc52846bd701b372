"""A client's intake: every answer as given, where they are in it, and the red flags it
raised with the therapist's decision."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import IntakeAnswer, IntakeFlag, IntakeProgress, VisitCheck

CLIENT = "client"
THERAPIST = "therapist"
# The pre-visit question's answers (visit_checks.answer).
NO_CHANGE, CHANGED = "same", "changed"


class IntakeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def history(self, client_id: int) -> list[IntakeAnswer]:
        """Every answer ever given, oldest first: the versions of the intake."""
        rows = await self._session.scalars(
            select(IntakeAnswer)
            .where(IntakeAnswer.client_id == client_id)
            .order_by(IntakeAnswer.answered_at, IntakeAnswer.id)
        )
        return list(rows)

    async def current(self, client_id: int) -> dict[str, IntakeAnswer]:
        """The latest answer to each question (a skip is an answer of None)."""
        return (await self.current_of([client_id])).get(client_id, {})

    async def current_of(self, client_ids: list[int]) -> dict[int, dict[str, IntakeAnswer]]:
        """`current` for many clients in one statement (/today: each visit's caution); a
        client with no answer is not in it."""
        latest: dict[int, dict[str, IntakeAnswer]] = {}
        if not client_ids:
            return latest
        rows = await self._session.scalars(
            select(IntakeAnswer)
            .where(IntakeAnswer.client_id.in_(client_ids))
            .order_by(IntakeAnswer.answered_at, IntakeAnswer.id)
        )
        for row in rows:  # oldest first: each question's latest answer is kept
            latest.setdefault(row.client_id, {})[row.question] = row
        return latest

    async def answers(self, client_id: int) -> dict[str, Any]:
        """The latest answers as practice.intake reads them."""
        return {key: row.value for key, row in (await self.current(client_id)).items()}

    async def record(
        self, client_id: int, question: str, value: Any, now: datetime, by: str
    ) -> IntakeAnswer:
        row = IntakeAnswer(
            client_id=client_id, question=question, value=value, answered_at=now, answered_by=by
        )
        self._session.add(row)
        await self._session.flush()
        return row

    async def progress(self, client_id: int) -> IntakeProgress | None:
        return await self._session.get(IntakeProgress, client_id)

    async def start(self, client_id: int, now: datetime, step: str | None) -> IntakeProgress:
        """Begun at `step`; with None, offered and not begun."""
        progress = IntakeProgress(
            client_id=client_id, started_at=now, step=step, correcting=False, ticked=None
        )
        self._session.add(progress)
        await self._session.flush()
        return progress

    async def raise_flag(
        self, therapist_id: int, client_id: int, flag: str, answer_id: int | None, now: datetime
    ) -> IntakeFlag:
        row = IntakeFlag(
            therapist_id=therapist_id,
            client_id=client_id,
            flag=flag,
            answer_id=answer_id,
            raised_at=now,
        )
        self._session.add(row)
        await self._session.flush()
        return row

    async def flag(self, therapist_id: int, flag_id: int) -> IntakeFlag | None:
        """The therapist's own flag only: a button's id is checked against who pressed it."""
        row = await self._session.get(IntakeFlag, flag_id)
        return row if row is not None and row.therapist_id == therapist_id else None

    async def flags(self, client_id: int) -> list[IntakeFlag]:
        rows = await self._session.scalars(
            select(IntakeFlag)
            .where(IntakeFlag.client_id == client_id)
            .order_by(IntakeFlag.raised_at, IntakeFlag.id)
        )
        return list(rows)

    async def flagged(self, client_id: int) -> set[str]:
        """The flags raised for the client so far: a flag is alerted once."""
        return {f.flag for f in await self.flags(client_id)}

    async def check_of(self, visit_id: int) -> VisitCheck | None:
        """The pre-visit question's answer for a visit (one per visit), if it was tapped."""
        return await self._session.scalar(select(VisitCheck).where(VisitCheck.visit_id == visit_id))

    async def begin_check(self, visit_id: int, client_id: int) -> VisitCheck:
        row = VisitCheck(visit_id=visit_id, client_id=client_id)
        self._session.add(row)
        await self._session.flush()
        return row

    async def check(self, check_id: int) -> VisitCheck | None:
        return await self._session.get(VisitCheck, check_id)

    async def latest_check(self, client_id: int) -> VisitCheck | None:
        """The newest answered pre-visit question (the card: "checked 7 Dec: no change")."""
        return await self._session.scalar(
            select(VisitCheck)
            .where(VisitCheck.client_id == client_id, VisitCheck.answered_at.is_not(None))
            .order_by(VisitCheck.answered_at.desc(), VisitCheck.id.desc())
            .limit(1)
        )

    async def checks(self, client_id: int) -> list[VisitCheck]:
        """Every answered pre-visit question, oldest first (the export)."""
        rows = await self._session.scalars(
            select(VisitCheck)
            .where(VisitCheck.client_id == client_id, VisitCheck.answered_at.is_not(None))
            .order_by(VisitCheck.answered_at, VisitCheck.id)
        )
        return list(rows)

    async def forget(self, client_id: int) -> None:
        """/forgetme: the client's own answers (the pre-visit question's too) and their place
        in the intake go; what the
        therapist entered (/intake) and the flags with their decisions are the therapist's."""
        own = select(IntakeAnswer.id).where(
            IntakeAnswer.client_id == client_id, IntakeAnswer.answered_by == CLIENT
        )
        await self._session.execute(
            update(IntakeFlag).where(IntakeFlag.answer_id.in_(own)).values(answer_id=None)
        )
        await self._session.execute(
            delete(IntakeAnswer).where(
                IntakeAnswer.client_id == client_id, IntakeAnswer.answered_by == CLIENT
            )
        )
        await self._session.execute(
            delete(IntakeProgress).where(IntakeProgress.client_id == client_id)
        )
        await self._session.execute(delete(VisitCheck).where(VisitCheck.client_id == client_id))
