"""/intake Anna: the therapist fills in or updates a client's intake (a client not on the bot,
or answers given in the room). A form like the plan's: its questions are practice/intake.py's,
each optional. Saving adds the answers that changed, marked as the therapist's, beside any the
client gave: earlier answers stay with their dates. A red flag among them is kept with the
client's flags (the therapist is the one who heard it: no alert is sent to them)."""

from __future__ import annotations

from collections.abc import Callable

from bot.shared import texts
from bot.shared.forms.engine import Answer, Form, FormContext, Question, Saved, options_from
from bot.shared.intake import intake_of
from practice.intake import NONE, IntakeQuestion, QuestionKind, default_intake, new_flags
from practice.notes import InputError
from storage.repositories.intake import THERAPIST


def _typed(key: str) -> Callable[[str, FormContext], Answer]:
    def parse(typed: str, ctx: FormContext) -> Answer:
        try:
            return default_intake().read(key, typed)
        except ValueError as exc:
            raise InputError(str(exc)) from None

    return parse


def _question(q: IntakeQuestion) -> Question:
    prompt = texts.esc(q.prompt)
    if q.kind is QuestionKind.TEXT:
        return Question(q.key, q.label, prompt, "text", optional=True, max_length=500)
    if q.kind is QuestionKind.MULTI:
        choices = default_intake().options(q.key)
        choices[NONE] = texts.INTAKE_NONE_OF_THESE
        return Question(
            q.key, q.label, prompt, "multi", optional=True, options=options_from(choices), columns=1
        )
    return Question(
        q.key,
        q.label,
        prompt,
        "choice",
        optional=True,
        options=options_from(dict(q.choices or {})),
        parse=_typed(q.key) if q.typed else None,
    )


async def _initial(ctx: FormContext) -> dict[str, Answer]:
    assert ctx.client is not None
    answers = await ctx.uow.intake.answers(ctx.client.id)
    return {key: value for key, value in answers.items() if value is not None}


async def _save(ctx: FormContext, target_id: int | None) -> Saved:
    client = ctx.client
    assert client is not None
    before = await ctx.uow.intake.answers(client.id)
    flagged = await ctx.uow.intake.flagged(client.id)
    rows = {}
    for question in default_intake().questions:
        value = ctx.answers.get(question.key)
        if value in (None, "", []):
            continue
        if isinstance(value, list) and NONE in value and len(value) > 1:
            value = [v for v in value if v != NONE]  # a condition ticked outweighs "none"
        if before.get(question.key) == value:
            continue
        rows[question.key] = await ctx.uow.intake.record(
            client.id, question.key, value, ctx.now, THERAPIST
        )
    after = await ctx.uow.intake.answers(client.id)
    for flag in new_flags(after, flagged):
        row = rows.get(flag.question) or rows.get(flag.with_question or "")
        answer_id = row.id if row is not None else None
        await ctx.uow.intake.raise_flag(ctx.therapist_id, client.id, flag.code, answer_id, ctx.now)
    view = await intake_of(ctx.uow, client.id, ctx.practice_zone)
    line = texts.intake_card_line(texts.short_date(view.taken_on or ctx.today), view.warnings())
    return Saved(text=texts.intake_saved(client.name, texts.Html(line)))


INTAKE = Form(
    name="intake",
    title=lambda client: texts.intake_form_title(client.name if client else ""),
    questions=[_question(q) for q in default_intake().questions],
    initial=_initial,
    save=_save,
)
