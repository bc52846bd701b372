"""A client's own data: /mydata shows (and sends as PDF and CSV) what the bot holds about them;
/forgetme erases it.

What a client sees of themselves: the dates of their sessions, their plan, their homework with
how much they did, their ratings and comments between visits, their messages with their
therapist, their settings, their intake answers (bot/client/intake.py, correctable
there; in the PDF and CSV every version with its date, and each pre-visit question's answer),
and their answers to referral consent questions. Not the therapist's clinical
notes (what was found, done and
planned in a session): those are the therapist's health record, which the client asks the
therapist for.

What /forgetme erases, in one transaction: the Telegram link, their check-ins (ratings and
comments), their messages with their therapist (both ways), their own intake answers,
their homework answers, every message row queued or sent (each carries their chat id),
their settings, and any consent question still waiting for them (the therapist then gets
that referral's letter with the reason only). Kept: the therapist's notes, plans and
prescribed homework, under RECORD_RETENTION_YEARS (see README), and the consent answers
already given — the therapist's evidence of what they were allowed to share. Afterwards
the account is a stranger to the bot and nothing is ever sent to it (`reachable` is
false), unless the person opens a new invite link themselves and agrees again
(bot/client/joining.py).
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.client.intake import my_intake
from bot.client.joining import clear_client_commands
from bot.shared import cards, texts
from bot.shared.callbacks import ForgetMeButton, MyDataButton, parse_records
from bot.shared.context import Context, Handler
from bot.shared.referral_letter import consent_lines, letter_to_therapist
from practice.checkins import check_in_summary
from practice.exercises import client_dose
from reports.data import ClientData
from reports.filenames import document_name
from reports.gather import client_data
from reports.jobs import client_data_documents
from reports.render import render
from reports.wording import day_label, moment_label

log = logging.getLogger(__name__)


async def _data_of(context: Context, telegram_user_id: int) -> ClientData | None:
    services = context.services
    async with services.db.unit_of_work() as uow:
        client = await uow.clients.by_telegram_user(telegram_user_id)
        if client is None or client.forgotten_at is not None:
            return None
        return await client_data(
            uow,
            client,
            now=services.clock.now(),
            today=services.today(),
            zone=client.timezone or services.settings.practice_timezone,
            fallback_zone=services.settings.practice_timezone,
        )


async def my_data_command(update: Update, context: Context) -> None:
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    data = await _data_of(context, user.id)
    if data is None:
        await message.reply_text(texts.STRANGER)
        return
    services = context.services
    async with services.db.unit_of_work() as uow:
        client = await uow.clients.by_telegram_user(user.id)
        assert client is not None
        consents = await consent_lines(
            uow, client, client.timezone or services.settings.practice_timezone
        )
    plan = data.plan
    text = texts.my_data(
        data.therapist_name,
        [day_label(d) for d in data.session_dates],
        f"{plan.goal} — about {plan.expected_sessions} sessions, {plan.visit_frequency.lower()}"
        if plan
        else None,
        [
            f"• {h.exercise} ({client_dose(h.dose)}), {h.schedule} — {h.adherence.describe()}"
            for h in data.homework
        ],
        [f"• {day_label(c.answered_on)}: {check_in_summary(c)}" for c in data.check_ins],
        "; ".join(f"{label}: {value}" for label, value in data.settings),
        consents,
        [
            f"• {moment_label(m.at, data.tz)} {'you' if m.from_client else data.therapist_name}: "
            f"{m.text}"
            for m in data.messages
        ],
    )
    intake = await my_intake(context, client, message.chat_id)
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(texts.MY_DATA_FILES, callback_data=MyDataButton("f").encode())],
            [intake],
        ]
    )
    await message.reply_text(text, reply_markup=keyboard)


async def my_data_button(update: Update, context: Context) -> None:
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None and query.message is not None
    data = await _data_of(context, user.id)  # always the presser's own data, whatever the tap
    if data is None or not isinstance(parse_records(query.data), MyDataButton):
        await cards.answer(query, texts.STALE_BUTTON)
        return
    await cards.answer(query)
    pdf, csv = await render(client_data_documents, data)
    day = data.prepared_on
    chat_id = query.message.chat.id
    name = document_name(data.client_name, "my data", day, "pdf")
    await context.bot.send_document(chat_id, InputFile(pdf, filename=name))
    name = document_name(data.client_name, "my data", day, "csv")
    await context.bot.send_document(chat_id, InputFile(csv, filename=name))


async def forget_me_command(update: Update, context: Context) -> None:
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    async with context.services.db.unit_of_work() as uow:
        client = await uow.clients.by_telegram_user(user.id)
        therapist = await uow.therapists.get(client.therapist_id) if client else None
    if client is None:
        await message.reply_text(texts.STRANGER)
        return
    name = texts.therapist_name(therapist)
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.FORGET_CONFIRM, callback_data=ForgetMeButton(True).encode()
                ),
                InlineKeyboardButton(
                    texts.FORGET_KEEP, callback_data=ForgetMeButton(False).encode()
                ),
            ]
        ]
    )
    years = context.services.settings.record_retention_years
    await message.reply_text(texts.forget_me_question(name, years), reply_markup=keyboard)


async def forget_me_button(update: Update, context: Context) -> None:
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None and query.message is not None
    button = parse_records(query.data)
    if not isinstance(button, ForgetMeButton):
        await cards.answer(query, texts.STALE_BUTTON)
        return
    chat_id, message_id = query.message.chat.id, query.message.message_id
    if not button.erase:
        await cards.answer(query)
        await cards.edit_card(context.bot, chat_id, message_id, texts.FORGET_KEPT, None)
        return
    services = context.services
    years = services.settings.record_retention_years
    async with services.db.unit_of_work() as uow:
        # Whoever pressed is who is forgotten: the tap carries no id to forge.
        client = await uow.clients.by_telegram_user(user.id)
        if client is None:
            await cards.answer(query, texts.STRANGER_TAP, alert=True)
            return
        therapist = await uow.therapists.get(client.therapist_id)
        withdrawn = await uow.erasure.forget(client, services.clock.now())
        await uow.commit()
    name = texts.therapist_name(therapist, start=True)
    await cards.answer(query)
    await cards.edit_card(context.bot, chat_id, message_id, texts.forget_done(name, years), None)
    await clear_client_commands(context, chat_id)
    try:
        await context.bot.send_message(
            client.therapist_id,
            texts.forgotten_to_therapist(client.name, years, len(withdrawn)),
        )
    except TelegramError as exc:  # the erasure stands whether or not the therapist hears now
        log.warning("could not tell the therapist about an erasure: %s", type(exc).__name__)
    # A referral that waited for the client's answer goes with the reason only.
    for referral_id in withdrawn:
        await letter_to_therapist(context, referral_id)


def handlers(clients: filters.BaseFilter) -> list[Handler]:
    return [
        CommandHandler("mydata", my_data_command, filters=clients),
        CommandHandler("forgetme", forget_me_command, filters=clients),
        CallbackQueryHandler(my_data_button, pattern=MyDataButton.pattern()),
        CallbackQueryHandler(forget_me_button, pattern=ForgetMeButton.pattern()),
    ]
