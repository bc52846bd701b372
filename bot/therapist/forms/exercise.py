"""A therapist's own exercise: name, area, steps, dose, caution — then offered as homework."""

from __future__ import annotations

from bot.shared import texts
from bot.shared.forms.engine import Answer, Form, FormContext, Question, Saved, options_from
from practice.exercises import (
    EXERCISE_AREAS,
    MAX_CAUTION_LENGTH,
    MAX_DOSE_TEXT,
    MAX_NAME_LENGTH,
    MAX_STEP_LENGTH,
    MAX_STEPS,
    parse_steps,
)
from storage.models import CustomExercise


def _steps(typed: str, ctx: FormContext) -> Answer:
    return list(parse_steps(typed))


def _show_steps(value: Answer, ctx: FormContext) -> str:
    return "".join(f"\n  {i}. {texts.esc(step)}" for i, step in enumerate(value, start=1))


EXERCISE = Form(
    name="exercise",
    title=lambda client: "🧘 <b>Your own exercise</b>",
    questions=[
        Question(
            "name",
            "Name",
            "Its <b>name</b>, as the client will see it? <i>e.g. Towel neck stretch</i>",
            "text",
            max_length=MAX_NAME_LENGTH,
        ),
        Question(
            "area", "Area", "For which <b>area</b>?", "choice", options=options_from(EXERCISE_AREAS)
        ),
        Question(
            "steps",
            "Steps",
            "The <b>steps</b>, one per line (2 to 5)?",
            "text",
            max_length=MAX_STEPS * (MAX_STEP_LENGTH + 8),
            parse=_steps,
            show=_show_steps,
            hint="Send them in one message, one step per line.",
        ),
        Question(
            "dose",
            "Dose",
            "The usual <b>dose</b>? <i>e.g. 3 × 30 s hold each side</i>",
            "text",
            max_length=MAX_DOSE_TEXT,
        ),
        Question(
            "cautions",
            "Caution",
            "A <b>caution</b> for the client? (optional) <i>e.g. stop if it pinches</i>",
            "text",
            optional=True,
            max_length=MAX_CAUTION_LENGTH,
        ),
    ],
    initial=lambda ctx: _initial(),
    save=lambda ctx, target: _save(ctx),
    done_prompt="check and save:",
)


async def _initial() -> dict[str, Answer]:
    return {}


async def _save(ctx: FormContext) -> Saved:
    a = ctx.answers
    row = await ctx.uow.exercises.add(
        CustomExercise(
            therapist_id=ctx.therapist_id,
            name=a["name"],
            area=a["area"],
            steps=list(a["steps"]),
            dose=a["dose"],
            cautions=a.get("cautions"),
            created_at=ctx.now,
        )
    )
    return Saved(text=texts.exercise_saved(row.name))
