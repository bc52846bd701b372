"""Who may talk to the bot. Runs before every handler.

Anyone who is not one of the practice's therapists gets one polite answer per message and
nothing else; what they wrote is neither stored nor logged.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop, TypeHandler

from bot import texts
from bot.runtime import Context


async def gate(update: Update, context: Context) -> None:
    user = update.effective_user
    if user is not None and context.services.is_therapist(user.id):
        return
    if update.callback_query is not None:
        await update.callback_query.answer(texts.STRANGER_TAP, show_alert=True)
    elif update.message is not None and update.effective_chat is not None:
        if update.effective_chat.type == "private":
            await context.bot.send_message(update.effective_chat.id, texts.STRANGER)
    raise ApplicationHandlerStop


def handler() -> TypeHandler:  # type: ignore[type-arg]
    return TypeHandler(Update, gate)
