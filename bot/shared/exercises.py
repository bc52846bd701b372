"""Finding an exercise by its code, whether shipped in the library or written by the therapist,
and how one reads in the client's homework."""

from __future__ import annotations

from bot.shared import texts
from practice.clients import matches_search
from practice.exercises import (
    ExerciseCard,
    by_code,
    card_of,
    client_dose,
    custom_code,
    custom_id,
    load_library,
)
from practice.schedules import HomeworkSchedule, QuietHours
from reminders.planning import schedule_of
from storage.models import CustomExercise, HomeworkAssignment
from storage.unit_of_work import UnitOfWork


def card_of_custom(row: CustomExercise) -> ExerciseCard:
    return ExerciseCard(
        code=custom_code(row.id),
        name=row.name,
        area=row.area,
        steps=tuple(row.steps),
        dose=row.dose,
        cautions=row.cautions,
        summary=row.steps[0] if row.steps else "",
    )


async def exercise_card(uow: UnitOfWork, therapist_id: int, code: str) -> ExerciseCard | None:
    """The exercise behind a code; a therapist's own only for that therapist."""
    row_id = custom_id(code)
    if row_id is not None:
        row = await uow.exercises.get(therapist_id, row_id)
        return card_of_custom(row) if row is not None else None
    try:
        return card_of(by_code(code))
    except KeyError:
        return None


UNLISTED = "(an exercise no longer listed)"


async def exercise_name(uow: UnitOfWork, therapist_id: int, code: str) -> str:
    card = await exercise_card(uow, therapist_id, code)
    return card.name if card is not None else UNLISTED


async def search_exercises(
    uow: UnitOfWork, therapist_id: int, query: str, limit: int
) -> list[ExerciseCard]:
    """The therapist's own exercises first, then the library's, matching the typed words."""
    mine = [card_of_custom(r) for r in await uow.exercises.mine(therapist_id)]
    library = [card_of(e) for e in load_library()]
    return [c for c in mine + library if matches_search(c.name, query)][:limit]


def homework_section(
    assignment: HomeworkAssignment,
    exercise: ExerciseCard,
    schedule: HomeworkSchedule | None = None,
    quiet: QuietHours | None = None,
) -> str:
    """One exercise as the client reads it: name and dose, steps, caution, days, note; with
    the client's `quiet` hours, when a reminder set inside them really comes."""
    schedule = schedule or schedule_of(assignment)
    return texts.homework_for_client(
        name=exercise.name,
        dose=client_dose(assignment.dose),
        steps=list(exercise.steps),
        caution=exercise.cautions,
        when=schedule.describe(quiet),
        note=assignment.note,
    )
