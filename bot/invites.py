"""Invites: the therapist makes a single-use link (and its QR code); the client opens it,
reads what the bot stores and sends, and agrees or declines. Nothing about a client is stored
before they agree."""

from __future__ import annotations

import asyncio
import contextlib
import io
from datetime import timedelta

import segno
from telegram import (
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import cards, texts
from bot.callbacks import Consent, InviteFor, parse
from bot.client_search import pick_client
from bot.reach import tell_therapist
from bot.runtime import Context
from bot.zones import ask_zone
from practice.invites import (
    InviteProblem,
    InviteStatus,
    looks_like_token,
    new_token,
    problem_with,
    token_hash,
)
from practice.preferences import (
    DEFAULT_QUIET_END,
    DEFAULT_QUIET_START,
    quiet_label,
)
from reminders.checkins import replan_client

PROBLEM_TEXT = {
    InviteProblem.UNKNOWN: texts.INVITE_UNKNOWN,
    InviteProblem.EXPIRED: texts.INVITE_EXPIRED,
    InviteProblem.USED: texts.INVITE_USED,
    InviteProblem.CLOSED: texts.INVITE_CLOSED,
}


def qr_png(link: str) -> bytes:
    """The link as a QR code, big enough to scan from a phone held across a room."""
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
        chosen=lambda client_id: send_invite(context, user.id, chat.id, client_id),
    )


async def invite_button(update: Update, context: Context) -> None:
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None and query.message is not None
    button = parse(query.data)
    assert isinstance(button, InviteFor)
    await cards.answer(query)
    await send_invite(context, user.id, query.message.chat.id, button.client_id)


async def send_invite(context: Context, therapist_id: int, chat_id: int, client_id: int) -> None:
    """A new single-use link for the client (older open links stop working) and its QR code."""
    services = context.services
    now = services.clock.now()
    token = new_token()
    expires = now + timedelta(days=services.settings.invite_ttl_days)
    async with services.db.unit_of_work() as uow:
        # Re-checked: the client must be this therapist's, whatever the button said.
        client = await uow.clients.get(therapist_id, client_id)
        if client is None:
            await context.bot.send_message(chat_id, texts.NOT_YOUR_CLIENT)
            return
        await uow.invites.create(therapist_id, client.id, token_hash(token), now, expires)
        await uow.commit()
    link = f"https://t.me/{context.bot.username}?start={token}"
    until = texts.long_date(expires.astimezone(services.settings.tz).date(), services.today())
    png = await asyncio.to_thread(qr_png, link)  # image work stays off the event loop
    await context.bot.send_photo(
        chat_id,
        InputFile(png, filename="invite.png"),
        caption=texts.invite_caption(
            client.name,
            link,
            until,
            client.telegram_user_id is not None,
            forgotten=client.forgotten_at is not None,
        ),
        parse_mode=ParseMode.HTML,
    )


async def therapist_opened_invite(update: Update, context: Context) -> None:
    """A therapist tapping a client's link (testing it, say) must not become a client."""
    message = update.effective_message
    assert message is not None
    await message.reply_text(texts.INVITE_FOR_CLIENTS)


# --- the client's side -----------------------------------------------------------------


async def open_invite(update: Update, context: Context, token: str) -> None:
    """`/start <token>` from someone who is not a therapist: show the consent card."""
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    services = context.services
    async with services.db.unit_of_work() as uow:
        invite = (
            await uow.invites.by_token_hash(token_hash(token)) if looks_like_token(token) else None
        )
        problem = (
            InviteProblem.UNKNOWN
            if invite is None
            else problem_with(invite.status, invite.expires_at, services.clock.now())
        )
        linked = await uow.clients.by_telegram_user(user.id)
        therapist = await uow.therapists.get(invite.therapist_id) if invite else None
    if linked is not None and invite is not None and linked.id == invite.client_id:
        await message.reply_text(
            "You're already connected. " + texts.CLIENT_HELP, parse_mode=ParseMode.HTML
        )
        return
    if problem is not None:
        await message.reply_text(PROBLEM_TEXT[problem])
        return
    if linked is not None:
        await message.reply_text(texts.ALREADY_LINKED_ELSEWHERE)
        return
    assert therapist is not None
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(texts.AGREE, callback_data=Consent(token, True).encode()),
                InlineKeyboardButton(texts.NO_THANKS, callback_data=Consent(token, False).encode()),
            ]
        ]
    )
    quiet = quiet_label(DEFAULT_QUIET_START, DEFAULT_QUIET_END)
    await message.reply_text(
        texts.consent_card(therapist.display_name, quiet),
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard,
    )


async def consent_button(update: Update, context: Context) -> None:
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None and query.message is not None
    button = parse(query.data)
    assert isinstance(button, Consent)
    services = context.services
    bot = context.bot
    chat_id, card = query.message.chat.id, query.message.message_id
    if services.is_therapist(user.id):
        await cards.answer(query, texts.INVITE_FOR_CLIENTS[:200], alert=True)
        return
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        invite = await uow.invites.by_token_hash(token_hash(button.token))
        problem = (
            InviteProblem.UNKNOWN
            if invite is None
            else problem_with(invite.status, invite.expires_at, now)
        )
        linked = await uow.clients.by_telegram_user(user.id)
        if (
            problem is None
            and linked is not None
            and invite is not None
            and linked.id != invite.client_id
        ):
            problem_text: str | None = texts.ALREADY_LINKED_ELSEWHERE
        else:
            problem_text = PROBLEM_TEXT[problem] if problem is not None else None
        if problem_text is not None or invite is None:
            await uow.commit()
            await cards.answer(query)
            await cards.edit_card(bot, chat_id, card, problem_text or texts.INVITE_UNKNOWN, None)
            return
        client = await uow.clients.get(invite.therapist_id, invite.client_id)
        therapist = await uow.therapists.get(invite.therapist_id)
        assert client is not None and therapist is not None
        previous_account = client.telegram_user_id
        rejoined = button.agree and client.forgotten_at is not None
        if button.agree:
            client.telegram_user_id = user.id
            client.joined_at = now
            client.unreachable_at = None
            # Someone who asked to be forgotten and now opens a new link and agrees has given
            # a new, explicit consent: they are a client on the bot again, from now. What was
            # erased stays erased.
            client.forgotten_at = None
            client.awaiting = "timezone"
            await uow.invites.close(invite, InviteStatus.USED, now)
            # Homework given before the client joined starts reminding now.
            await replan_client(
                uow, client, now=now, fallback_zone=services.settings.practice_timezone
            )
        else:
            await uow.invites.close(invite, InviteStatus.DECLINED, now)
        await uow.commit()

    await cards.answer(query)
    if not button.agree:
        await cards.edit_card(bot, chat_id, card, texts.CLIENT_DECLINED, None)
        await tell_therapist(bot, therapist.id, texts.therapist_told_declined(client.name))
        return
    await cards.edit_card(
        bot, chat_id, card, texts.client_joined(client.name, therapist.display_name), None
    )
    await _set_client_commands(context, chat_id)
    await ask_zone(context, chat_id, texts.PICK_TIMEZONE)
    if rejoined:
        await tell_therapist(bot, therapist.id, texts.therapist_told_rejoined(client.name))
        return
    if previous_account is not None and previous_account != user.id:
        # A re-invite used from another account (a new phone): say so to both sides.
        await tell_therapist(bot, therapist.id, texts.therapist_told_moved(client.name))
        with contextlib.suppress(TelegramError):
            await bot.send_message(previous_account, texts.CLIENT_MOVED_AWAY)
        return
    await tell_therapist(bot, therapist.id, texts.therapist_told_joined(client.name))


async def _set_client_commands(context: Context, chat_id: int) -> None:
    commands = [BotCommand(c, d) for c, d in texts.COMMANDS_CLIENT]
    with contextlib.suppress(TelegramError):  # the menu is a convenience
        await context.bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id))


def handlers() -> list[object]:
    return [
        CallbackQueryHandler(invite_button, pattern=r"^iv:"),
        CallbackQueryHandler(consent_button, pattern=r"^j:"),
    ]


def therapist_commands(therapists: object) -> list[object]:
    return [CommandHandler("invite", invite_command, filters=therapists)]  # type: ignore[arg-type]
