"""The intake on the therapist's side: a red flag's alert (sent through the outbox, rendered
here) with [↗️ Refer] and [✔️ Seen, I'll discuss it], the card's intake line and the full
intake behind its button, and /intake to fill it in for a client who is not on the bot.

A flag's decision is kept with it (intake_flags): "seen" when tapped; "refer" only once the
referral it opened is saved (bot/therapist/referrals.py links it), so a referral cancelled
halfway leaves the flag open, as a decision point's question stays open.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.shared import cards, texts
from bot.shared.callbacks import CardAction, ClientCard, RedFlagButton, parse_intake
from bot.shared.context import Context, Handler
from bot.shared.forms.handlers import start_form
from bot.shared.intake import IntakeView, intake_of
from bot.therapist.client_search import pick_client
from bot.therapist.referrals import start_referral_for_flag
from practice.intake import RedFlag, Urgency, default_intake
from storage.models import Client, IntakeFlag
from storage.unit_of_work import UnitOfWork

SEEN = "seen"
REFER = "refer"


def flag_reason(flag: RedFlag) -> str:
    """The referral's reason, as the letter will read it: the flag and its meaning."""
    return texts.red_flag_reason(flag.name, flag.meaning)[: texts.MAX_REASON]


async def red_flag_card(
    uow: UnitOfWork, row: IntakeFlag, zone: str
) -> tuple[str, InlineKeyboardMarkup] | None:
    """The alert, or None when there is nothing to alert (decided, the client gone)."""
    flag = default_intake().red_flag(row.flag)
    client = await uow.clients.get(row.therapist_id, row.client_id)
    if flag is None or client is None or row.decision is not None:
        return None
    answered = texts.short_date(row.raised_at.astimezone(ZoneInfo(zone)).date())
    text = texts.red_flag_alert(
        client.name, flag.name, flag.meaning, flag.urgency is Urgency.URGENT, answered
    )
    return text, _alert_keyboard(row, client)


def _alert_keyboard(row: IntakeFlag, client: Client) -> InlineKeyboardMarkup:
    decisions = [
        InlineKeyboardButton(
            texts.RED_FLAG_REFER, callback_data=RedFlagButton(row.id, "r").encode()
        ),
        InlineKeyboardButton(
            texts.RED_FLAG_SEEN, callback_data=RedFlagButton(row.id, "s").encode()
        ),
    ]
    card = InlineKeyboardButton(f"👤 {client.name}", callback_data=ClientCard(client.id).encode())
    return InlineKeyboardMarkup([*cards.button_rows(decisions), [card]])


async def red_flag_button(update: Update, context: Context) -> None:
    """The therapist's own flags only: the id is checked against who pressed."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None and query.message is not None
    button = parse_intake(query.data)
    if not isinstance(button, RedFlagButton):
        await cards.answer(query, texts.STALE_BUTTON)
        return
    services = context.services
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        row = await uow.intake.flag(user.id, button.flag_id)
        flag = default_intake().red_flag(row.flag) if row is not None else None
        client = await uow.clients.get(user.id, row.client_id) if row is not None else None
        if row is None or flag is None or client is None:
            await cards.answer(query, texts.STALE_BUTTON)
            return
        if row.decision is not None:
            await cards.answer(query, texts.RED_FLAG_DECIDED_ALREADY)
            await cards.strip_buttons(context.bot, query.message.chat.id, query.message.message_id)
            return
        if button.action == "s":
            row.decision, row.decided_at = SEEN, now
        await uow.commit()
    await cards.answer(query)
    chat_id, message_id = query.message.chat.id, query.message.message_id
    if button.action == "s":
        urgent = flag.urgency is Urgency.URGENT
        on = texts.short_date(services.today())
        seen = texts.red_flag_seen(client.name, flag.name, flag.meaning, urgent, on)
        await cards.edit_card(context.bot, chat_id, message_id, seen, None)
        return
    await start_referral_for_flag(update, context, client.id, row.id, flag_reason(flag))


def card_line(view: IntakeView) -> str:
    """ "Intake 2 Dec · ⚠️ blood thinners · 🚩 1 red flag", or that there is none yet."""
    if view.taken_on is None:
        return texts.INTAKE_NOT_YET
    return texts.intake_card_line(texts.short_date(view.taken_on), view.warnings(), view.checked())


async def intake_card_text(uow: UnitOfWork, client: Client, zone: str) -> str:
    """The full intake behind the card's 📝 button, with the flags and their decisions."""
    view = await intake_of(uow, client.id, zone)
    if view.taken_on is None:
        return texts.INTAKE_NOT_YET
    decisions = []
    tz = ZoneInfo(zone)
    for row in await uow.intake.flags(client.id):
        flag = default_intake().red_flag(row.flag)
        if flag is None:
            continue
        decided = (
            texts.short_date(row.decided_at.astimezone(tz).date())
            if row.decided_at is not None
            else None
        )
        decisions.append(texts.flag_decision_line(flag.name, row.decision, decided))
    cautions = [texts.caution_line(c.condition.caution) for c in view.cautions]
    checked = [texts.checked_line_full(view.checked())] if view.check is not None else []
    footer = texts.Html("\n".join([*checked, *cautions, *decisions]))
    heading = texts.intake_heading(client.name)
    return texts.intake_full(heading, texts.short_date(view.taken_on), view.lines(zone), footer)


async def show_intake(context: Context, therapist_id: int, chat_id: int, client_id: int) -> None:
    """The card's 📝 Intake: the whole intake as a message of its own, back to the card."""
    zone = context.services.settings.practice_timezone
    async with context.services.db.unit_of_work() as uow:
        client = await uow.clients.get(therapist_id, client_id)
        if client is None:
            return
        text = await intake_card_text(uow, client, zone)
    back = InlineKeyboardButton(f"👤 {client.name}", callback_data=ClientCard(client.id).encode())
    update = InlineKeyboardButton(
        texts.INTAKE_UPDATE, callback_data=CardAction(client.id, "u").encode()
    )
    keyboard = InlineKeyboardMarkup([[update], [back]])
    await context.bot.send_message(chat_id, text, reply_markup=keyboard)


async def intake_command(update: Update, context: Context) -> None:
    """/intake Anna: fill in or update the intake (the form bot/therapist/forms/intake.py)."""
    await pick_client(
        update,
        context,
        prompt=texts.INTAKE_PICK,
        button=lambda client_id: CardAction(client_id, "u").encode(),
        chosen=lambda client_id: _open_form(update, context, client_id),
    )


async def _open_form(update: Update, context: Context, client_id: int) -> None:
    await start_form(update, context, "intake", client_id)


def handlers(therapists: filters.BaseFilter) -> list[Handler]:
    return [
        CommandHandler("intake", intake_command, filters=therapists),
        CallbackQueryHandler(red_flag_button, pattern=RedFlagButton.pattern()),
    ]
