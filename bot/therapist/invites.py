"""Invites: the therapist makes a single-use link (and its QR code); the client opens it,
reads what the bot stores and sends, and agrees or declines (bot/client/joining.py). Nothing
about a client is stored before they agree."""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
from datetime import timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler, filters
from telegram.helpers import create_deep_linked_url

from bot.shared import cards, texts
from bot.shared.callbacks import InviteFor, InviteNew, parse
from bot.shared.context import Context, Handler
from bot.therapist.client_search import pick_client
from practice.invites import new_token, token_hash
from practice.notes import InputError, clean_client_name

log = logging.getLogger(__name__)

# Imported inside qr_png: segno's writers pull in the xml packages, a cost every start paid
# for a code made only with an invite. The bot checks at start that it is installed
# (bot/runtime/libraries.py).
LOADED_ON_FIRST_USE = ("segno",)


def qr_png(link: str) -> bytes:
    """The link as a QR code, big enough to scan from a phone held across a room."""
    import segno

    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="png", scale=10, border=3)
    return buffer.getvalue()


# --- the therapist's side --------------------------------------------------------------


async def invite_command(update: Update, context: Context) -> None:
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    await pick_client(
        update,
        context,
        prompt=texts.INVITE_PICK,
        button=lambda client_id: InviteFor(client_id).encode(),
        chosen=lambda client_id: send_invite(
            context, user.id, chat.id, client_id, update_id=update.update_id
        ),
        no_match=lambda typed: offer_new_client(update, typed),
    )


async def offer_new_client(update: Update, typed: str) -> None:
    """/invite Anna K. before Anna's first note: one tap adds her and makes the link."""
    message = update.effective_message
    assert message is not None
    try:
        name = clean_client_name(typed)
        data = InviteNew(name).encode()
    except (InputError, ValueError):  # not a name, or too long for a button
        await message.reply_text(texts.invite_no_match(typed, can_add=False))
        return
    button = InlineKeyboardButton(texts.INVITE_NEW_BUTTON, callback_data=data)
    await message.reply_text(
        texts.invite_no_match(name, can_add=True),
        reply_markup=InlineKeyboardMarkup([[button]]),
    )


async def invite_new_button(update: Update, context: Context) -> None:
    """Adds the client, unless the presser has one of that name by now, and invites them."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None and query.message is not None
    button = parse(query.data)
    try:
        name = clean_client_name(button.name) if isinstance(button, InviteNew) else None
    except InputError:
        name = None
    if name is None:
        await cards.answer(query, texts.STALE_BUTTON)
        return
    await cards.answer(query)
    chat_id = query.message.chat.id
    await cards.strip_buttons(context.bot, chat_id, query.message.message_id)
    now = context.services.clock.now()
    async with context.services.db.unit_of_work() as uow:
        await uow.therapists.ensure(user.id, user.full_name, now)
        same = [c for c in await uow.clients.lookalikes(user.id, name) if c.name == name]
        client = same[0] if same else await uow.clients.add(user.id, name, now)
        await uow.commit()
    await send_invite(context, user.id, chat_id, client.id, update_id=update.update_id)


async def invite_button(update: Update, context: Context) -> None:
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None and query.message is not None
    button = parse(query.data)
    if not isinstance(button, InviteFor):
        await cards.answer(query, texts.STALE_BUTTON)
        return
    await cards.answer(query)
    await send_invite(
        context, user.id, query.message.chat.id, button.client_id, update_id=update.update_id
    )


async def send_invite(
    context: Context, therapist_id: int, chat_id: int, client_id: int, *, update_id: int
) -> None:
    """A new single-use link for the client (an older open link stops working, and the
    message says so): the link as text, then its QR code as a photo."""
    services = context.services
    bot = context.bot
    now = services.clock.now()
    token = new_token()
    expires = now + timedelta(days=services.settings.invite_ttl_days)
    async with services.db.unit_of_work() as uow:
        if not await uow.updates.claim(update_id, now):
            # Delivered again after a crash: its link may already be on the therapist's
            # screen (the token is not kept, so it cannot be shown again), and a new one
            # would silently stop that one from working.
            return
        # Re-checked: the client must be this therapist's, whatever the button said.
        client = await uow.clients.get(therapist_id, client_id)
        if client is None:
            await bot.send_message(chat_id, texts.NOT_YOUR_CLIENT)
            return
        earlier = await uow.invites.open_link_made_at(client.id, now)
        await uow.invites.create(therapist_id, client.id, token_hash(token), now, expires)
        await uow.commit()
    link = create_deep_linked_url(bot.username, token)
    zone, today = services.settings.tz, services.today()
    text = texts.invite_message(
        client.name,
        link,
        texts.long_date(expires.astimezone(zone).date(), today),
        client.telegram_user_id is not None,
        forgotten=client.forgotten_at is not None,
    )
    if earlier is not None:
        text += texts.invite_replaces(texts.long_date(earlier.astimezone(zone).date(), today))
    # The link goes as text first: if the photo fails, the link is on the screen anyway.
    await bot.send_message(chat_id, text)
    png = await asyncio.to_thread(qr_png, link)  # image work stays off the event loop
    try:
        await bot.send_photo(
            chat_id,
            InputFile(png, filename="invite.png"),
            caption=texts.invite_qr_caption(client.name),
        )
    except TelegramError as exc:
        log.warning("could not send an invite's QR code: %s", type(exc).__name__)
        with contextlib.suppress(TelegramError):
            await bot.send_message(chat_id, texts.INVITE_QR_FAILED)


async def therapist_opened_invite(update: Update, context: Context) -> None:
    """A therapist tapping a client's link (testing it, say) must not become a client."""
    message = update.effective_message
    assert message is not None
    await message.reply_text(texts.INVITE_FOR_CLIENTS)


def handlers() -> list[Handler]:
    return [
        CallbackQueryHandler(invite_button, pattern=InviteFor.pattern()),
        CallbackQueryHandler(invite_new_button, pattern=InviteNew.pattern()),
    ]


def therapist_commands(therapists: filters.BaseFilter) -> list[Handler]:
    return [CommandHandler("invite", invite_command, filters=therapists)]
