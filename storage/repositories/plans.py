"""Treatment plans, homework and its log, the therapist's own exercises, and the drafts of
the plan and homework forms."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from practice.plans import HomeworkStatus
from storage.models import (
    CustomExercise,
    FormDraft,
    HomeworkAssignment,
    HomeworkLog,
    SessionNote,
    TreatmentPlan,
)


class PlanRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def current(self, therapist_id: int, client_id: int) -> TreatmentPlan | None:
        return await self._session.scalar(
            select(TreatmentPlan)
            .where(TreatmentPlan.client_id == client_id, TreatmentPlan.therapist_id == therapist_id)
            .order_by(TreatmentPlan.version.desc())
            .limit(1)
        )

    async def versions(self, therapist_id: int, client_id: int) -> list[TreatmentPlan]:
        """Every version of the client's plan, the newest first."""
        rows = await self._session.scalars(
            select(TreatmentPlan)
            .where(TreatmentPlan.client_id == client_id, TreatmentPlan.therapist_id == therapist_id)
            .order_by(TreatmentPlan.version.desc())
        )
        return list(rows)

    async def add(self, plan: TreatmentPlan) -> TreatmentPlan:
        """A new version: the earlier ones stay as they were."""
        latest = await self._session.scalar(
            select(func.max(TreatmentPlan.version)).where(TreatmentPlan.client_id == plan.client_id)
        )
        plan.version = (latest or 0) + 1
        self._session.add(plan)
        await self._session.flush()
        return plan

    async def sessions_since(self, therapist_id: int, client_id: int, start: date) -> int:
        """Documented sessions on or after the plan's start: "session 3 of 6"."""
        count = await self._session.scalar(
            select(func.count())
            .select_from(SessionNote)
            .where(
                SessionNote.client_id == client_id,
                SessionNote.therapist_id == therapist_id,
                SessionNote.session_date >= start,
            )
        )
        return count or 0


class HomeworkRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def current(self, therapist_id: int, client_id: int) -> list[HomeworkAssignment]:
        """Active and paused assignments, oldest first."""
        rows = await self._session.scalars(
            select(HomeworkAssignment)
            .where(
                HomeworkAssignment.client_id == client_id,
                HomeworkAssignment.therapist_id == therapist_id,
                HomeworkAssignment.status != HomeworkStatus.ENDED,
            )
            .order_by(HomeworkAssignment.id)
        )
        return list(rows)

    async def get(self, therapist_id: int, assignment_id: int) -> HomeworkAssignment | None:
        row = await self._session.get(HomeworkAssignment, assignment_id)
        if row is None or row.therapist_id != therapist_id:
            return None
        return row

    async def many(self, ids: list[int]) -> dict[int, HomeworkAssignment]:
        """For the dispatcher, which acts for no one therapist."""
        rows = await self._session.scalars(
            select(HomeworkAssignment).where(HomeworkAssignment.id.in_(ids))
        )
        return {row.id: row for row in rows}

    async def get_any(self, assignment_id: int) -> HomeworkAssignment | None:
        """For the dispatcher, which acts for no one therapist; handlers use get()."""
        return await self._session.get(HomeworkAssignment, assignment_id)

    async def add(self, assignment: HomeworkAssignment) -> HomeworkAssignment:
        self._session.add(assignment)
        await self._session.flush()
        return assignment


class ExerciseRepository:
    """The exercises a therapist wrote; the shipped library is data, not rows."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def mine(self, therapist_id: int) -> list[CustomExercise]:
        rows = await self._session.scalars(
            select(CustomExercise)
            .where(CustomExercise.therapist_id == therapist_id)
            .order_by(CustomExercise.name)
        )
        return list(rows)

    async def get(self, therapist_id: int, exercise_id: int) -> CustomExercise | None:
        row = await self._session.get(CustomExercise, exercise_id)
        if row is None or row.therapist_id != therapist_id:
            return None
        return row

    async def add(self, exercise: CustomExercise) -> CustomExercise:
        self._session.add(exercise)
        await self._session.flush()
        return exercise


class FormRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, therapist_id: int) -> FormDraft | None:
        return await self._session.scalar(
            select(FormDraft).where(FormDraft.therapist_id == therapist_id)
        )

    async def start(self, draft: FormDraft) -> FormDraft:
        await self._session.execute(
            delete(FormDraft).where(FormDraft.therapist_id == draft.therapist_id)
        )
        self._session.add(draft)
        await self._session.flush()
        return draft

    async def delete(self, draft: FormDraft) -> None:
        await self._session.delete(draft)
        await self._session.flush()


class HomeworkLogRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(
        self, assignment_id: int, day: date, result: str, now: datetime
    ) -> tuple[HomeworkLog, bool]:
        """The day's answer, and whether it is new; a second tap the same day finds the first
        and changes nothing."""
        existing = await self.get(assignment_id, day)
        if existing is not None:
            return existing, False
        log = HomeworkLog(
            assignment_id=assignment_id, occurrence_date=day, result=result, logged_at=now
        )
        self._session.add(log)
        await self._session.flush()
        return log, True

    async def get(self, assignment_id: int, day: date) -> HomeworkLog | None:
        return await self._session.scalar(
            select(HomeworkLog).where(
                HomeworkLog.assignment_id == assignment_id, HomeworkLog.occurrence_date == day
            )
        )
