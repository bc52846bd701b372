"""Who may talk to the bot, decided before any handler runs.

- The practice's therapists (THERAPIST_IDS).
- Clients whose Telegram account is linked to a client record (they agreed to an invite).
- Someone opening an invite link, and only to see and answer its consent card.

Anyone else gets one polite answer per message and nothing else; what they wrote is neither
stored nor logged. The bot works in private chats only: notes are never shown in a group.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop, TypeHandler

from bot import texts
from bot.runtime import Context
from bot.watch import operator_answer

log = logging.getLogger(__name__)

# Callback data prefixes of the therapist's buttons (see bot/callbacks.py).
THERAPIST_BUTTONS = (
    "n:",
    "h:",
    "hp:",
    "c:",
    "cp:",
    "ca:",
    "iv:",
    "f:",
    "hw:",
    "ex:",
    "am:",
    "pv:",
    "rf:",
    "fu:",
)


async def gate(update: Update, context: Context) -> None:
    user, chat = update.effective_user, update.effective_chat
    if chat is not None and chat.type != ChatType.PRIVATE:
        if update.callback_query is not None:
            await update.callback_query.answer(texts.PRIVATE_ONLY, show_alert=True)
        elif update.message is not None and (update.message.text or "").startswith("/"):
            await update.message.reply_text(texts.PRIVATE_ONLY)
        raise ApplicationHandlerStop
    if user is None:
        return
    services = context.services
    if services.is_therapist(user.id) or _opens_invite(update):
        return
    query = update.callback_query
    if query is not None and (query.data or "").startswith(THERAPIST_BUTTONS):
        # A therapist's button in anyone else's hands is forged or misplaced: answer, do nothing.
        await query.answer(texts.STALE_BUTTON)
        raise ApplicationHandlerStop
    async with services.db.unit_of_work() as uow:
        if await uow.clients.by_telegram_user(user.id) is not None:
            return
    if user.id in services.settings.operator_ids:
        await operator_answer(update)  # never raises: the update stops here whatever happens
        raise ApplicationHandlerStop
    # The id only (it is how a new therapist finds theirs for THERAPIST_IDS), never the text.
    log.info("not a therapist: user id %s", user.id)
    if update.callback_query is not None:
        await update.callback_query.answer(texts.STRANGER_TAP, show_alert=True)
    elif update.message is not None:
        await update.message.reply_text(texts.STRANGER)
    raise ApplicationHandlerStop


def _opens_invite(update: Update) -> bool:
    """`/start <token>` (the invite link) or a tap on the consent card it shows."""
    if update.callback_query is not None:
        return (update.callback_query.data or "").startswith("j:")
    text = update.message.text if update.message is not None else None
    return text is not None and text.startswith("/start ") and len(text.split()) == 2


def handler() -> TypeHandler:  # type: ignore[type-arg]
    return TypeHandler(Update, gate)
