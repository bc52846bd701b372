"""The therapist's referral network, /providers: add, list, edit and archive the physicians,
physiotherapists and others they refer clients to. Adding and editing are a form (bot/shared/forms),
so a half-typed provider survives a restart; every button is re-checked against its owner."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.shared import cards, texts
from bot.shared.callbacks import ProviderButton, parse
from bot.shared.context import Context, Handler
from bot.shared.forms.contact import email_question, phone_question
from bot.shared.forms.engine import Answer, Form, FormContext, Question, Saved, options_from
from bot.shared.forms.handlers import start_form
from practice.referrals import PROFESSIONS, profession_label
from storage.models import Provider

MAX_NAME, MAX_CLINIC, MAX_NOTES = 80, 120, 1000


async def _initial(ctx: FormContext) -> dict[str, Answer]:
    if ctx.target_id is None:
        return {}
    row = await ctx.uow.providers.get(ctx.therapist_id, ctx.target_id)
    if row is None:
        return {}
    return {
        "name": row.name,
        "profession": row.profession,
        "clinic": row.clinic,
        "phone": row.phone,
        "email": row.email,
        "notes": row.notes,
    }


async def _save(ctx: FormContext, target_id: int | None) -> Saved:
    a = ctx.answers
    if target_id is not None:
        row = await ctx.uow.providers.get(ctx.therapist_id, target_id)
        if row is None or row.archived_at is not None:
            return Saved(text=texts.PROVIDER_GONE)
    else:
        row = Provider(therapist_id=ctx.therapist_id, created_at=ctx.now)
    row.name = a["name"]
    row.profession = a["profession"]
    row.clinic = a.get("clinic") or None
    row.phone = a.get("phone") or None
    row.email = a.get("email") or None
    row.notes = a.get("notes") or None
    if target_id is None:
        await ctx.uow.providers.add(row)
    return Saved(
        text=texts.provider_saved(row.name, profession_label(row.profession)),
        offer=[(texts.ALL_PROVIDERS, ProviderButton(0, "l").encode())],
    )


PROVIDER = Form(
    name="provider",
    title=lambda client: texts.PROVIDER_FORM_TITLE,
    questions=[
        Question("name", "Name", texts.PROVIDER_NAME_PROMPT, "text", max_length=MAX_NAME),
        Question(
            "profession",
            "Profession",
            texts.PROVIDER_PROFESSION_PROMPT,
            "choice",
            options=options_from(PROFESSIONS),
        ),
        Question(
            "clinic",
            "Clinic",
            texts.PROVIDER_CLINIC_PROMPT,
            "text",
            optional=True,
            max_length=MAX_CLINIC,
        ),
        phone_question(texts.PROVIDER_PHONE_PROMPT),
        email_question(texts.PROVIDER_EMAIL_PROMPT),
        Question(
            "notes",
            "Notes",
            texts.PROVIDER_NOTES_PROMPT,
            "text",
            optional=True,
            max_length=MAX_NOTES,
        ),
    ],
    initial=_initial,
    save=_save,
    done_prompt="check and save:",
)


async def _list_view(context: Context, therapist_id: int) -> tuple[str, InlineKeyboardMarkup]:
    async with context.services.db.unit_of_work() as uow:
        rows = await uow.providers.active(therapist_id)
    lines = [
        texts.Html(
            "• "
            + texts.esc(texts.provider_label(r.name, profession_label(r.profession)))
            + (f" — {texts.esc(r.clinic)}" if r.clinic else "")
        )
        for r in rows
    ]
    buttons = [
        [
            InlineKeyboardButton(
                texts.provider_label(r.name, profession_label(r.profession)),
                callback_data=ProviderButton(r.id, "v").encode(),
            )
        ]
        for r in rows
    ]
    buttons.append(
        [InlineKeyboardButton(texts.ADD_PROVIDER, callback_data=ProviderButton(0, "a").encode())]
    )
    return texts.providers_list(lines), InlineKeyboardMarkup(buttons)


def _card(row: Provider) -> tuple[str, InlineKeyboardMarkup]:
    def button(label: str, action: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(label, callback_data=ProviderButton(row.id, action).encode())

    text = texts.provider_card(
        row.name, profession_label(row.profession), row.clinic, row.phone, row.email, row.notes
    )
    keyboard = InlineKeyboardMarkup(
        [
            [button(texts.EDIT_PROVIDER, "e"), button(texts.ARCHIVE_PROVIDER, "x")],
            [
                InlineKeyboardButton(
                    texts.ALL_PROVIDERS, callback_data=ProviderButton(0, "l").encode()
                )
            ],
        ]
    )
    return text, keyboard


async def providers_command(update: Update, context: Context) -> None:
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    text, keyboard = await _list_view(context, user.id)
    await message.reply_text(text, reply_markup=keyboard)


async def provider_button(update: Update, context: Context) -> None:
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None and query.message is not None
    button = parse(query.data)
    if not isinstance(button, ProviderButton):
        await cards.answer(query, texts.STALE_BUTTON)
        return
    bot, chat_id, message_id = context.bot, query.message.chat.id, query.message.message_id
    if button.provider_id == 0:
        await cards.answer(query)
        if button.action == "a":
            await start_form(update, context, "provider", None)
        else:
            await cards.edit_card(bot, chat_id, message_id, *await _list_view(context, user.id))
        return
    services = context.services
    async with services.db.unit_of_work() as uow:
        # Re-checked: only the therapist's own providers, and none that is archived.
        row = await uow.providers.get(user.id, button.provider_id)
        if row is None or row.archived_at is not None:
            await cards.answer(query, texts.PROVIDER_GONE)
            return
        if button.action == "y":
            row.archived_at = services.clock.now()
            await uow.commit()
    if button.action == "y":
        await cards.answer(query, "Archived")
        await cards.edit_card(bot, chat_id, message_id, *await _list_view(context, user.id))
    elif button.action == "e":
        await cards.answer(query)
        await start_form(update, context, "provider", None, target_id=row.id)
    elif button.action == "x":
        await cards.answer(query)
        confirm = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        texts.ARCHIVE_IT, callback_data=ProviderButton(row.id, "y").encode()
                    ),
                    InlineKeyboardButton(
                        texts.KEEP_IT, callback_data=ProviderButton(row.id, "v").encode()
                    ),
                ]
            ]
        )
        await cards.edit_card(bot, chat_id, message_id, texts.archive_provider(row.name), confirm)
    else:
        await cards.answer(query)
        await cards.edit_card(bot, chat_id, message_id, *_card(row))


def handlers(therapists: filters.BaseFilter) -> list[Handler]:
    return [
        CommandHandler("providers", providers_command, filters=therapists),
        CallbackQueryHandler(provider_button, pattern=ProviderButton.pattern()),
    ]
