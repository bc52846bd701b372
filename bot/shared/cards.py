"""Showing a step's card: edited in place when the flow advances by a tap, sent anew after typing.

A card that moves to a new message leaves its old message without buttons, so the chat never
fills with keyboards that no longer work.
"""

from __future__ import annotations

import contextlib
import logging
import unicodedata

from telegram import Bot, CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot.shared.context import Context
from bot.shared.texts import STALE_BUTTON

log = logging.getLogger(__name__)

_NOT_MODIFIED = "message is not modified"

# What a phone shows of one row of buttons without cutting a label short ("Upper trapez…"):
# about 32 characters across the row. Telegram's apps give every button of a row the same
# width, so a label has its share of the row: two buttons of up to 16 characters each, three
# of up to 10. Why 32: on a 360-dp phone (the commonest Android width) half a row showed
# "📄 Reason only, now" (19) whole and cut "🤝 Client agreed in person" (26) and "Upper
# trapezius stretch" (23); 16 a half leaves room for wide letters and narrower phones.
# Pairs of 40–47 characters ([Bladder or bowel changes] [Weakness in the legs]) were cut.
ROW_CHARS = 32


def label_width(label: str) -> int:
    """A label's width in narrow characters: an emoji or a wide letter counts two (an emoji's
    variation selector already counts one), a zero-width joiner none."""
    width = 0
    for char in label:
        if unicodedata.east_asian_width(char) in ("W", "F"):
            width += 2
        elif char != "\ufe0f" and unicodedata.category(char) in ("Mn", "Me", "Cf"):
            continue
        else:
            width += 1
    return width


def fits_a_row(labels: list[str]) -> bool:
    """Whether these labels share one row on a phone: each within its share of ROW_CHARS
    ([Yes] [No] do; [No] [Cross-body shoulder stretch] do not, nor any two of more than 32
    together)."""
    return len(labels) <= 1 or len(labels) * max(map(label_width, labels)) <= ROW_CHARS


def button_rows(
    buttons: list[InlineKeyboardButton], columns: int = 2, tick: str = ""
) -> list[list[InlineKeyboardButton]]:
    """The buttons in rows of at most `columns`, a button starting a row of its own when the
    row's labels would not fit a phone's width together (fits_a_row). A checklist names its
    `tick` ("✓ "): every label is measured as if ticked, so a tap never moves the buttons."""

    def measured(button: InlineKeyboardButton) -> str:
        return tick + button.text.removeprefix(tick) if tick else button.text

    rows: list[list[InlineKeyboardButton]] = []
    for button in buttons:
        row = rows[-1] if rows else None
        if (
            row is not None
            and len(row) < columns
            and fits_a_row([measured(b) for b in (*row, button)])
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
