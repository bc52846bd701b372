"""Joining: the client opens the single-use link their therapist made (bot/therapist/invites.py),
reads what the bot stores and sends, and agrees or declines. Nothing about a client is stored
before they agree.

Whoever holds the link can open it, so the bot never knows that the person answering is the
client: "No thanks" changes nothing (the link still works for the client, and the therapist is
not told that "Anna declined" on the word of whoever tapped)."""

from __future__ import annotations

import contextlib

from telegram import (
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler

from bot.client.zones import ask_zone
from bot.shared import cards, texts
from bot.shared.bounded import TAP_ANSWER_LIMIT
from bot.shared.callbacks import Consent, parse
from bot.shared.context import Context, Handler
from bot.shared.plans import plan_for_client
from bot.shared.reach import tell_therapist
from practice.invites import (
    InviteProblem,
    InviteStatus,
    looks_like_token,
    problem_with,
    token_hash,
)
from practice.preferences import (
    DEFAULT_QUIET_END,
    DEFAULT_QUIET_START,
    quiet_label,
)
from reminders.checkins import replan_client
from reminders.visits import replan_visits

PROBLEM_TEXT = {
    InviteProblem.UNKNOWN: texts.INVITE_UNKNOWN,
    InviteProblem.EXPIRED: texts.INVITE_EXPIRED,
    InviteProblem.USED: texts.INVITE_USED,
    InviteProblem.CLOSED: texts.INVITE_CLOSED,
}


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
        await message.reply_text("You're already connected. " + texts.CLIENT_HELP)
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
        texts.consent_card(therapist.display_name, texts.Html(quiet)),
        reply_markup=keyboard,
    )


async def consent_button(update: Update, context: Context) -> None:
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None and query.message is not None
    button = parse(query.data)
    if not isinstance(button, Consent):
        await cards.answer(query, texts.INVITE_UNKNOWN[:TAP_ANSWER_LIMIT])
        return
    services = context.services
    bot = context.bot
    chat_id, card = query.message.chat.id, query.message.message_id
    if services.is_therapist(user.id):
        await cards.answer(query, texts.INVITE_FOR_CLIENTS[:TAP_ANSWER_LIMIT], alert=True)
        return
    if not button.agree:
        # Whoever holds the link can tap this, so it stores, closes and tells nothing: the
        # link still works for its client.
        await cards.answer(query)
        await cards.edit_card(bot, chat_id, card, await _declined(context, user.id), None)
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
        mine = invite is not None and linked is not None and linked.id == invite.client_id
        if problem == InviteProblem.USED and mine:
            # This account agreed to this link already: a second tap, or the same tap
            # delivered again, leaves "You're connected" as it was.
            assert linked is not None
            therapist = await uow.therapists.get(linked.therapist_id)
            problem_text: str | None = texts.client_joined(
                linked.name, therapist.display_name if therapist is not None else ""
            )
        elif problem is None and linked is not None and not mine:
            problem_text = texts.ALREADY_LINKED_ELSEWHERE
        else:
            problem_text = PROBLEM_TEXT[problem] if problem is not None else None
        plan_text: str | None = None
        if problem_text is None and invite is not None:
            client = await uow.clients.get(invite.therapist_id, invite.client_id)
            therapist = await uow.therapists.get(invite.therapist_id)
            assert client is not None and therapist is not None
            previous_account = client.telegram_user_id
            rejoined = client.forgotten_at is not None
            client.telegram_user_id = user.id
            client.joined_at = now
            client.unreachable_at = None
            # Someone who asked to be forgotten and now opens a new link and agrees has given
            # a new, explicit consent: they are a client on the bot again, from now. What was
            # erased stays erased.
            client.forgotten_at = None
            client.awaiting = "timezone"
            await uow.invites.close(invite, InviteStatus.USED, now)
            # A plan made before they joined reaches them now, as it would have then.
            plan = await uow.plans.current(client.therapist_id, client.id)
            plan_text = plan_for_client(plan, therapist.display_name) if plan else None
            # Homework given before the client joined starts reminding now, and visits
            # booked before it are told and reminded as at booking.
            await replan_client(
                uow, client, now=now, fallback_zone=services.settings.practice_timezone
            )
            await replan_visits(
                uow,
                client,
                now=now,
                reminder_hours=services.settings.visit_reminder_hours,
                fallback_zone=services.settings.practice_timezone,
            )
        await uow.commit()
    if problem_text is not None or invite is None:
        await cards.answer(query)
        await cards.edit_card(bot, chat_id, card, problem_text or texts.INVITE_UNKNOWN, None)
        return
    # Both were found above whenever there was no problem with the invite.
    assert client is not None and therapist is not None
    await cards.answer(query)
    await cards.edit_card(
        bot, chat_id, card, texts.client_joined(client.name, therapist.display_name), None
    )
    await _set_client_commands(context, chat_id)
    if plan_text is not None:
        await bot.send_message(chat_id, plan_text)
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


async def _declined(context: Context, telegram_user_id: int) -> str:
    async with context.services.db.unit_of_work() as uow:
        linked = await uow.clients.by_telegram_user(telegram_user_id)
    # A client already on the bot who taps "No thanks" on a card left from before stays on it.
    return texts.STILL_CONNECTED if linked is not None else texts.CLIENT_DECLINED


async def _set_client_commands(context: Context, chat_id: int) -> None:
    commands = [BotCommand(c, d) for c, d in texts.COMMANDS_CLIENT]
    with contextlib.suppress(TelegramError):  # the menu is a convenience
        await context.bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id))


async def clear_client_commands(context: Context, chat_id: int) -> None:
    """Back to everyone's menu (/start, /help): after /forgetme the chat is no client's."""
    with contextlib.suppress(TelegramError):  # the menu is a convenience
        await context.bot.delete_my_commands(scope=BotCommandScopeChat(chat_id))


def handlers() -> list[Handler]:
    return [
        CallbackQueryHandler(consent_button, pattern=Consent.pattern()),
    ]
