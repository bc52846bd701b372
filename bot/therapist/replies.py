"""A client's messages as their therapist gets them, and the therapist's replies.

A relayed message carries [↩️ Reply] [👤 the client] and, with WORKING_HOURS set, the mute
toggle for that client (practice/messages.py says why muting is per client). ↩️ Reply, or a
Telegram reply (swipe) to the relayed message, sends the therapist's next typed message to the
client, through the outbox: it reaches the client as from their therapist, by name, and waits
for the end of the client's quiet hours. After ↩️ Reply the therapist's next typed message is
the reply whatever else is open (a note or a form keeps its place); the client it goes to is
kept in the database (`therapists.replying_to`), so a restart loses nothing; /cancel sends
nothing, and any other command leaves the reply. Every button and every reply is checked
again: the message must be one of the presser's own clients', and a client who has /stop-ped,
blocked the bot or been forgotten gets nothing, the therapist being told why.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import ApplicationHandlerStop, CallbackQueryHandler, MessageHandler, filters

from bot.shared import cards, texts
from bot.shared.callbacks import (
    ClientCard,
    MessageReply,
    MessagesMute,
    handler_pattern,
    parse_messages,
)
from bot.shared.context import Context, Handler, Services
from bot.shared.reach import wake_dispatcher
from practice.messages import WorkingHours
from practice.notes import MAX_TEXT_LENGTH
from practice.schedules import move_out_of_quiet_hours, to_utc
from reminders.planning import preferences_of, quiet_hours_of
from storage.models import Client, ClientMessage
from storage.repositories import FROM_THERAPIST, REPLY, Outbox
from storage.unit_of_work import UnitOfWork


def relay_keyboard(client: Client, hours: WorkingHours | None) -> InlineKeyboardMarkup:
    rows = [
        [
            InlineKeyboardButton(
                texts.REPLY_BUTTON, callback_data=MessageReply(client.id).encode()
            ),
            InlineKeyboardButton(f"👤 {client.name}", callback_data=ClientCard(client.id).encode()),
        ]
    ]
    if hours is not None:
        mute = not client.messages_in_hours
        label = texts.MUTE_BUTTON if mute else texts.UNMUTE_BUTTON
        rows.append(
            [InlineKeyboardButton(label, callback_data=MessagesMute(client.id, mute).encode())]
        )
    return InlineKeyboardMarkup(rows)


async def relay_card(
    uow: UnitOfWork,
    messages: list[ClientMessage],
    now: datetime,
    hours: WorkingHours | None,
    zone: str,
) -> tuple[str, InlineKeyboardMarkup] | None:
    """The outbox's RELAY card (reminders/outbox_cards.py): the client's words, each with when
    it was written (practice time), and why they come now if they waited for working hours."""
    first = messages[0]
    client = await uow.clients.get(first.therapist_id, first.client_id)
    if client is None or client.forgotten_at is not None:
        return None
    tz = ZoneInfo(zone)
    today = now.astimezone(tz).date()
    stamps = []
    for m in messages:
        local = m.created_at.astimezone(tz)
        stamps.append(texts.Html(f"{texts.long_date(local.date(), today)}, {local:%H:%M}"))
    held = None
    written_outside = hours is not None and hours.next_start(first.created_at, zone) is not None
    if hours is not None and client.messages_in_hours and written_outside:
        held = texts.held_until_hours(texts.Html(hours.label()))
    text = texts.relayed(client.name, [m.text for m in messages], stamps, held)
    return text, relay_keyboard(client, hours)


def _refusal(client: Client) -> texts.Html | None:
    """Why nothing may be sent to the client now, or None."""
    if client.forgotten_at is not None:
        return texts.REFUSED_FORGOTTEN
    if client.telegram_user_id is None:
        return texts.REFUSED_NOT_ON_BOT
    if client.stopped_at is not None:
        return texts.REFUSED_STOPPED
    if client.unreachable_at is not None:
        return texts.REFUSED_BLOCKED
    return None


async def reply_button(update: Update, context: Context) -> None:
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None and query.message is not None
    button = parse_messages(query.data)
    services = context.services
    chat_id = query.message.chat.id
    if isinstance(button, MessagesMute):
        await _mute(update, context, button)
        return
    if not isinstance(button, MessageReply):
        await cards.answer(query, texts.STALE_BUTTON)
        return
    async with services.db.unit_of_work() as uow:
        client = await uow.clients.get(user.id, button.client_id)  # re-checked: theirs
        if client is None:
            await cards.answer(query, texts.NOT_YOUR_CLIENT)
            return
        refusal = _refusal(client)
        therapist = await uow.therapists.get(user.id)
        if refusal is None and therapist is not None:
            therapist.replying_to = client.id
            await uow.commit()
        name = client.name
    await cards.answer(query)
    if refusal is not None:
        await context.bot.send_message(chat_id, texts.reply_refused(name, refusal))
        return
    await context.bot.send_message(chat_id, texts.reply_prompt(name))


async def _mute(update: Update, context: Context, button: MessagesMute) -> None:
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None and query.message is not None
    hours = context.services.settings.hours
    async with context.services.db.unit_of_work() as uow:
        client = await uow.clients.get(user.id, button.client_id)
        if client is None or hours is None:
            await cards.answer(query, texts.NOT_YOUR_CLIENT if client is None else None)
            return
        client.messages_in_hours = button.mute
        await uow.commit()
    label = texts.Html(hours.label())
    await cards.answer(
        query, texts.muted(client.name, label) if button.mute else texts.unmuted(client.name)
    )
    markup = query.message.reply_markup if isinstance(query.message, Message) else None
    if _reply_target(markup) is not None:  # a relayed message: its toggle turns over
        keyboard = relay_keyboard(client, hours)
        await context.bot.edit_message_reply_markup(
            query.message.chat.id, query.message.message_id, reply_markup=keyboard
        )


def _reply_target(markup: InlineKeyboardMarkup | None) -> int | None:
    """The client a relayed message's ↩️ Reply names, if it has one."""
    for row in markup.inline_keyboard if markup is not None else ():
        for key in row:
            data = key.callback_data if isinstance(key.callback_data, str) else None
            button = parse_messages(data)
            if isinstance(button, MessageReply):
                return button.client_id
    return None


async def typed(update: Update, context: Context) -> None:
    """In a group of its own before the others: it stops the update only when it used it."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    text = message.text or ""
    services = context.services
    replied = message.reply_to_message
    target = _reply_target(replied.reply_markup) if replied is not None else None
    if target is not None and not text.startswith("/"):
        async with services.db.unit_of_work() as uow:
            client = await uow.clients.get(user.id, target)  # re-checked: theirs
        if client is None:
            await message.reply_text(texts.NOT_YOUR_CLIENT)
            raise ApplicationHandlerStop
        await _send_reply(update, context, client.id, text)
        raise ApplicationHandlerStop
    async with services.db.unit_of_work() as uow:
        therapist = await uow.therapists.get(user.id)
        if therapist is None or therapist.replying_to is None:
            return
        client_id = therapist.replying_to
        if text.startswith("/"):
            therapist.replying_to = None  # a command leaves the reply
            await uow.commit()
    if text.startswith("/"):
        if text.split()[0].split("@")[0] == "/cancel":
            await message.reply_text(texts.REPLY_CANCELLED)
            raise ApplicationHandlerStop
        return
    await _send_reply(update, context, client_id, text)
    raise ApplicationHandlerStop


async def _send_reply(update: Update, context: Context, client_id: int, text: str) -> None:
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    services = context.services
    words = text.strip()
    if len(words) > MAX_TEXT_LENGTH:  # the reply is still awaited: shorten and send again
        await message.reply_text(texts.too_long(len(words), MAX_TEXT_LENGTH, sent=True))
        return
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        therapist = await uow.therapists.get(user.id)
        client = await uow.clients.get(user.id, client_id)
        if therapist is None:
            return
        if not await uow.updates.claim(update.update_id, now):
            return  # Telegram delivered it again: queued already
        therapist.replying_to = None
        if client is None:
            await uow.commit()
            await message.reply_text(texts.NOT_YOUR_CLIENT)
            return
        refusal = _refusal(client)
        if refusal is None:
            await _queue_reply(uow, client, words, now)
        when = _quiet_end(services, client, now) if refusal is None else None
        name = client.name
        await uow.commit()
    if refusal is not None:
        await message.reply_text(texts.reply_refused(name, refusal))
        return
    wake_dispatcher(context)
    await message.reply_text(texts.reply_on_its_way(name, when))


async def _queue_reply(uow: UnitOfWork, client: Client, words: str, now: datetime) -> None:
    assert client.telegram_user_id is not None
    delivery = await uow.outbox.add(
        Outbox.pending(
            REPLY,
            chat_id=client.telegram_user_id,
            client_id=client.id,
            day=now.date(),
            due_at=now,
            now=now,
        )
    )
    await uow.messages.add(
        ClientMessage(
            therapist_id=client.therapist_id,
            client_id=client.id,
            direction=FROM_THERAPIST,
            text=words,
            created_at=now,
            delivery_id=delivery.id,
        )
    )


def _quiet_end(services: Services, client: Client, now: datetime) -> texts.Html | None:
    """When the client's quiet hours end, in the practice's clock, if they are in them now."""
    prefs = preferences_of(client, services.settings.practice_timezone)
    quiet = quiet_hours_of(prefs)
    if quiet is None:
        return None
    tz = ZoneInfo(prefs.timezone)
    local = now.astimezone(tz).replace(tzinfo=None)
    if not quiet.contains(local.time()):
        return None
    end = to_utc(move_out_of_quiet_hours(local, quiet), tz).astimezone(services.settings.tz)
    return texts.Html(f"{texts.long_date(end.date(), services.today())}, {end:%H:%M}")


def typing_handler(therapists: filters.BaseFilter) -> MessageHandler[Context, None]:
    return MessageHandler(therapists & filters.ChatType.PRIVATE & filters.TEXT, typed)


def handlers() -> list[Handler]:
    return [CallbackQueryHandler(reply_button, pattern=handler_pattern(MessageReply, MessagesMute))]
