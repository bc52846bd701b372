"""Who may talk to the bot. Runs before every handler.

Anyone who is not one of the practice's therapists gets one polite answer per message and
nothing else; what they wrote is neither stored nor logged.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop, TypeHandler

from bot import texts
from bot.runtime import Context

log = logging.getLogger(__name__)


async def gate(update: Update, context: Context) -> None:
    user = update.effective_user
    chat = update.effective_chat
    if chat is not None and chat.type != ChatType.PRIVATE:
        # Notes are never shown where others could read them, even to a therapist.
        if update.callback_query is not None:
            await update.callback_query.answer(texts.PRIVATE_ONLY, show_alert=True)
        elif (
            update.message is not None
            and update.message.text
            and update.message.text.startswith("/")
        ):
            await update.message.reply_text(texts.PRIVATE_ONLY)
        raise ApplicationHandlerStop
    if user is not None and context.services.is_therapist(user.id):
        return
    if user is not None:
        # The id only (it is how a new therapist finds theirs for THERAPIST_IDS), never the text.
        log.info("not a therapist: user id %s", user.id)
    if update.callback_query is not None:
        await update.callback_query.answer(texts.STRANGER_TAP, show_alert=True)
    elif update.message is not None and update.message.chat.type == "private":
        await context.bot.send_message(update.message.chat.id, texts.STRANGER)
    raise ApplicationHandlerStop


def handler() -> TypeHandler:  # type: ignore[type-arg]
    return TypeHandler(Update, gate)
