"""The last line: an exception in a handler is logged without content, and the user told kindly.

A screen that can show a therapist where they stand (the note in progress) is given to
`error_handler` when the application is assembled (bot/runtime/app.py): this module knows no
screen."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.error import BadRequest

from bot.shared import texts
from bot.shared.bounded import TAP_ANSWER_LIMIT
from bot.shared.context import Context
from practice.redact import error_type, where
from workers import PoolClosed

log = logging.getLogger(__name__)

# A screen showing itself again after a failure, under its own warning: (context, therapist's
# id, chat id) -> whether it had something to show (False: nothing in progress).
ShowAgain = Callable[[Context, int, int], Awaitable[bool]]
ErrorHandler = Callable[[object, Context], Coroutine[Any, Any, None]]


def error_handler(show_again: Sequence[ShowAgain] = ()) -> ErrorHandler:
    """The application's error handler; after a therapist's failure the first of
    `show_again` that has something in progress shows it, instead of a bare apology."""
    screens = tuple(show_again)

    async def on_error(update: object, context: Context) -> None:
        await _on_error(update, context, screens)

    return on_error


async def _on_error(update: object, context: Context, show_again: Sequence[ShowAgain]) -> None:
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    if isinstance(error, PoolClosed):  # the bot is stopping: nothing failed, it is told so
        log.info("update %s refused: the bot is stopping", update_id)
        if isinstance(update, Update):
            await _tell_safely(update, context, (), texts.RESTARTING)
        return
    # No message, no traceback text: either may quote what a user typed (practice/redact.py).
    if error is None:
        log.error("handler failed on update %s", update_id)
    else:
        log.error(
            "handler failed on update %s: %s at %s", update_id, error_type(error), where(error)
        )
    if isinstance(update, Update):
        await _tell_safely(update, context, show_again, texts.SOMETHING_WENT_WRONG)


async def _tell_safely(
    update: Update, context: Context, show_again: Sequence[ShowAgain], words: str
) -> None:
    try:
        await _tell(update, context, show_again, words)
    except Exception as exc:  # the apology must never become a second failure
        log.warning("could not tell the user about the failure: %s", type(exc).__name__)


async def _tell(
    update: Update, context: Context, show_again: Sequence[ShowAgain], words: str
) -> None:
    user, chat = update.effective_user, update.effective_chat
    told = False
    if update.callback_query is not None:
        try:
            await update.callback_query.answer(words[:TAP_ANSWER_LIMIT], show_alert=True)
            told = True
        except BadRequest:
            pass  # already answered before the failure
    if (
        user is not None
        and chat is not None
        and chat.type == ChatType.PRIVATE
        and context.services.is_therapist(user.id)
        # Show where (say) the note stands rather than ask to repeat an input it may
        # already hold.
        and await _shown_again(context, user.id, chat.id, show_again)
    ):
        return
    if not told and chat is not None and user is not None and await _may_write_to(context, user.id):
        await context.bot.send_message(chat.id, words)


async def _shown_again(
    context: Context, therapist_id: int, chat_id: int, show_again: Sequence[ShowAgain]
) -> bool:
    for show in show_again:
        if await show(context, therapist_id, chat_id):
            return True
    return False


async def _may_write_to(context: Context, user_id: int) -> bool:
    """Only therapists and clients on the bot get messages: not a stranger, and never someone
    whose data was erased, whose account is unlinked (a late tap on their erase card cannot
    be answered any more, and must not become a message to them)."""
    services = context.services
    if services.is_therapist(user_id):
        return True
    async with services.db.unit_of_work() as uow:
        return await uow.clients.by_telegram_user(user_id) is not None
