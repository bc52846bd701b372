"""Showing a step's card: edited in place when the flow advances by a tap, sent anew after typing.

A card that moves to a new message leaves its old message without buttons, so the chat never
fills with keyboards that no longer work.
"""

from __future__ import annotations

import contextlib
import logging

from telegram import Bot, CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot.shared.context import Context
from bot.shared.texts import STALE_BUTTON

log = logging.getLogger(__name__)

_NOT_MODIFIED = "message is not modified"

# What a phone shows of one row of buttons without cutting a label short ("Upper trapez…"):
# about 30 characters across the row, whatever the number of buttons in it.
ROW_CHARS = 30


def button_rows(
    buttons: list[InlineKeyboardButton], columns: int = 2
) -> list[list[InlineKeyboardButton]]:
    """The buttons in rows of at most `columns`, a button starting a row of its own when the
    row's labels would not fit a phone's width together ([Yes] [No] share a row;
    [Cross-body shoulder stretch] does not share it)."""
    rows: list[list[InlineKeyboardButton]] = []
    for button in buttons:
        row = rows[-1] if rows else None
        width = len(button.text)
        if (
            row is not None
            and len(row) < columns
            and sum(len(b.text) for b in row) + width <= ROW_CHARS
        ):
            row.append(button)
        else:
            rows.append([button])
    return rows


async def edit_card(
    bot: Bot,
    chat_id: int,
    message_id: int,
    text: str,
    keyboard: InlineKeyboardMarkup | None,
) -> int:
    """Edit a card in place; if Telegram refuses (too old, deleted), send it anew instead."""
    try:
        await bot.edit_message_text(
            text,
            chat_id=chat_id,
            message_id=message_id,
            reply_markup=keyboard,
        )
        return message_id
    except BadRequest as exc:
        if _NOT_MODIFIED in exc.message.lower():  # PTB capitalises Telegram's text
            return message_id
        # The type only: Telegram's description may quote the card's text.
        log.warning("could not edit card, sending a new one: %s", type(exc).__name__)
    return await send_card(bot, chat_id, text, keyboard)


async def send_card(
    bot: Bot,
    chat_id: int,
    text: str,
    keyboard: InlineKeyboardMarkup | None,
    *,
    replaces: int | None = None,
) -> int:
    """Send a card as a new message; strip the buttons of the card it `replaces`."""
    if replaces is not None:
        await strip_buttons(bot, chat_id, replaces)
    message = await bot.send_message(chat_id, text, reply_markup=keyboard)
    return message.message_id


async def strip_buttons(bot: Bot, chat_id: int, message_id: int) -> None:
    # Already without buttons, or gone: either way nothing is left to tap.
    with contextlib.suppress(BadRequest):
        await bot.edit_message_reply_markup(
            chat_id=chat_id, message_id=message_id, reply_markup=None
        )


async def answer(query: CallbackQuery, text: str | None = None, *, alert: bool = False) -> None:
    """Answer a tap. A tap redelivered after a crash was answered before (or has expired):
    Telegram refuses a second answer, which is no reason to fail the update."""
    try:
        await query.answer(text, show_alert=alert)
    except BadRequest as exc:
        log.info("tap not answered: %s", type(exc).__name__)


async def unknown_button(update: Update, context: Context) -> None:
    """A tap whose data no handler recognises (forged, or from a bot version long gone)."""
    if update.callback_query is not None:
        await answer(update.callback_query, STALE_BUTTON)
