"""The last line: an exception in a handler is logged without content, and the user told kindly."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from bot import texts
from bot.runtime import Context

log = logging.getLogger(__name__)


async def on_error(update: object, context: Context) -> None:
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    # Type and update id only: messages may carry health details, which never go to logs.
    log.error(
        "handler failed on update %s: %s",
        update_id,
        type(error).__name__,
        exc_info=error if not isinstance(error, TelegramError) else None,
    )
    if not isinstance(update, Update):
        return
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(texts.SOMETHING_WENT_WRONG[:200], show_alert=True)
        elif update.effective_chat is not None:
            await context.bot.send_message(update.effective_chat.id, texts.SOMETHING_WENT_WRONG)
    except TelegramError as exc:
        log.warning("could not tell the user about the failure: %s", type(exc).__name__)
