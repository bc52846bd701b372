"""/start and /help, and the command menu each kind of user sees."""

from __future__ import annotations

import logging

from telegram import BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeChat, Update
from telegram.error import TelegramError
from telegram.ext import CommandHandler, filters

from bot.shared import texts
from bot.shared.context import App, Context, Handler
from bot.therapist.invites import therapist_opened_invite
from practice.preferences import hhmm
from reminders.digest import plan_digest

log = logging.getLogger(__name__)


def _commands(pairs: list[tuple[str, str]]) -> list[BotCommand]:
    return [BotCommand(command, description) for command, description in pairs]


async def set_default_commands(application: App) -> None:
    """Everyone sees /start and /help; a therapist's own chat gets the therapist menu."""
    try:
        await application.bot.set_my_commands(
            _commands(texts.COMMANDS_DEFAULT), scope=BotCommandScopeAllPrivateChats()
        )
    except TelegramError as exc:
        # The menu is a convenience (the last one set stays): never a reason not to start.
        log.warning("could not set the default command menu: %s", type(exc).__name__)


async def set_therapist_commands(context: Context, chat_id: int) -> None:
    try:
        await context.bot.set_my_commands(
            _commands(texts.COMMANDS_THERAPIST), scope=BotCommandScopeChat(chat_id)
        )
    except TelegramError as exc:
        # The menu is a convenience; the welcome must still arrive.
        log.warning("could not set the therapist command menu: %s", type(exc).__name__)


async def start_command(update: Update, context: Context) -> None:
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    if context.args:  # a client's invite link, opened by a therapist
        await therapist_opened_invite(update, context)
        return
    services = context.services
    async with services.db.unit_of_work() as uow:
        await uow.therapists.ensure(user.id, user.full_name, services.clock.now())
        await plan_digest(
            uow,
            user.id,
            now=services.clock.now(),
            zone=services.settings.practice_timezone,
            at=services.settings.digest_time,
        )
        await uow.commit()
    await set_therapist_commands(context, message.chat_id)
    await message.reply_text(texts.welcome_therapist(hhmm(services.settings.digest_time)))


async def help_command(update: Update, context: Context) -> None:
    message = update.effective_message
    assert message is not None
    await message.reply_text(texts.HELP_THERAPIST)


async def unknown_command(update: Update, context: Context) -> None:
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    if not context.services.is_therapist(user.id):
        await message.reply_text(texts.UNKNOWN_COMMAND_CLIENT)
        return
    await message.reply_text(texts.UNKNOWN_COMMAND_THERAPIST)


def handlers(therapists: filters.BaseFilter) -> list[Handler]:
    return [
        CommandHandler("start", start_command, filters=therapists),
        CommandHandler("help", help_command, filters=therapists),
    ]
