"""The floor for bench/latency.py: a bare PTB bot on the same transport, with no database.

It answers every tap and edits the tapped message, and replies to every message, through the
same polling loop and rate limiter as Aftercare. Aftercare's figures divided by these are
what the note flow itself costs.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

# Run as a script, this folder comes first on sys.path, and bench/practice.py would stand in
# for the `practice` package: the project's root goes before it.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ApplicationBuilder, CallbackQueryHandler, ContextTypes, MessageHandler
from telegram.ext import filters as f

from bot.runtime.delivery import ResilientRateLimiter
from bot.runtime.health import Health
from bot.runtime.polling import poll
from bot.runtime.transport import AiohttpRequest
from practice.clock import SystemClock

KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("Tap", callback_data="tap")]])


async def on_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text("Pong", reply_markup=KEYBOARD)


async def on_tap(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer()
    context.chat_data["n"] = context.chat_data.get("n", 0) + 1  # type: ignore[index,union-attr]
    await query.edit_message_text(f"Tapped {context.chat_data['n']}", reply_markup=KEYBOARD)  # type: ignore[index]


async def main() -> None:
    application = (
        ApplicationBuilder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(os.environ["TELEGRAM_API_BASE_URL"])
        .updater(None)
        .rate_limiter(ResilientRateLimiter())
        # Aftercare's default transport (TELEGRAM_TRANSPORT=aiohttp), so the ratio is the bot's.
        .request(AiohttpRequest(connection_pool_size=8))
        .get_updates_request(AiohttpRequest(connection_pool_size=1))
        .build()
    )
    application.bot_data["health"] = Health(SystemClock())  # the polling loop reports to it
    application.add_handler(CallbackQueryHandler(on_tap))
    application.add_handler(MessageHandler(f.ALL, on_message))
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    async with application:
        await application.start()
        await application.bot.delete_webhook(drop_pending_updates=False)
        await poll(
            application,
            stop,
            allowed_updates=["message", "callback_query"],
            poll_timeout=5,
        )
        await application.stop()


if __name__ == "__main__":
    asyncio.run(main())
