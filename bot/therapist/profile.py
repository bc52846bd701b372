"""The therapist's letterhead, /profile: the name, practice and contact that referral letters
and exported records carry. A form (bot/shared/forms), so it survives a restart; once set, /profile
opens at its summary and one field can be changed."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, filters

from bot.shared import texts
from bot.shared.context import Context, Handler
from bot.shared.forms.contact import email_question, phone_question
from bot.shared.forms.engine import Answer, Form, FormContext, Question, Saved
from bot.shared.forms.handlers import start_form

MAX_NAME = MAX_PRACTICE = 120


async def _initial(ctx: FormContext) -> dict[str, Answer]:
    therapist = await ctx.uow.therapists.get(ctx.therapist_id)
    if therapist is None or therapist.letter_name is None:
        return {}
    return {
        "name": therapist.letter_name,
        "practice": therapist.practice_name,
        "phone": therapist.phone,
        "email": therapist.email,
    }


async def _save(ctx: FormContext, target_id: int | None) -> Saved:
    therapist = await ctx.uow.therapists.get(ctx.therapist_id)
    assert therapist is not None  # start_form made sure the row exists
    a = ctx.answers
    therapist.letter_name = a["name"]
    therapist.practice_name = a.get("practice") or None
    therapist.phone = a.get("phone") or None
    therapist.email = a.get("email") or None
    return Saved(text=texts.profile_saved(therapist.letter_name, therapist.practice_name))


PROFILE = Form(
    name="profile",
    title=lambda client: texts.PROFILE_FORM_TITLE,
    questions=[
        Question("name", "Name", texts.PROFILE_NAME_PROMPT, "text", max_length=MAX_NAME),
        Question(
            "practice",
            "Practice",
            texts.PROFILE_PRACTICE_PROMPT,
            "text",
            optional=True,
            max_length=MAX_PRACTICE,
        ),
        phone_question(texts.PROFILE_PHONE_PROMPT),
        email_question(texts.PROFILE_EMAIL_PROMPT),
    ],
    initial=_initial,
    save=_save,
    done_prompt="check and save:",
)


async def profile_command(update: Update, context: Context) -> None:
    await start_form(update, context, PROFILE.name, None)


def handlers(therapists: filters.BaseFilter) -> list[Handler]:
    return [CommandHandler("profile", profile_command, filters=therapists)]
