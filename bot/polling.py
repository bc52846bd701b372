"""Long polling that confirms an update only after it was handled.

PTB's Updater confirms a batch to Telegram (by asking for the next offset) as soon as it has
queued it, so a crash can lose updates that were queued but not yet handled. Here the next
getUpdates is sent only after every update of the batch went through the handlers: a kill -9
at any moment means Telegram delivers the unhandled updates again, and the handlers' update
log (storage.UpdateLog) makes a second delivery of a handled one harmless.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from typing import Any

from telegram import Update
from telegram.error import Conflict, Forbidden, InvalidToken, NetworkError, RetryAfter
from telegram.ext import Application

log = logging.getLogger(__name__)


async def poll(
    application: Application,  # type: ignore[type-arg]
    stop: asyncio.Event,
    *,
    poll_timeout: int = 30,
    backoff_cap: float = 30.0,
) -> None:
    bot = application.bot
    await bot.delete_webhook(drop_pending_updates=False)
    offset: int | None = None
    failures = 0
    while not stop.is_set():
        try:
            updates = await _unless_stopped(
                stop,
                bot.get_updates(
                    offset=offset, timeout=poll_timeout, allowed_updates=Update.ALL_TYPES
                ),
            )
            if updates is None:
                return
        except (InvalidToken, Forbidden, Conflict):
            raise  # the token is wrong or another process polls: retrying cannot help
        except RetryAfter as exc:
            await _sleep_or_stop(stop, _seconds(exc.retry_after))
            continue
        except NetworkError as exc:
            failures += 1
            delay = min(backoff_cap, 0.5 * 2 ** min(failures, 8))
            log.warning("getUpdates failed (%s); retrying in %.1fs", type(exc).__name__, delay)
            await _sleep_or_stop(stop, delay)
            continue
        failures = 0
        # Telegram answered (getUpdates bypasses the rate limiter, which sees all other calls).
        application.bot_data["health"].contact()
        for update in updates:
            # Errors inside handlers go to the application's error handler, never out of here.
            await application.process_update(update)
            offset = update.update_id + 1


async def _unless_stopped(
    stop: asyncio.Event, call: Coroutine[Any, Any, tuple[Update, ...]]
) -> tuple[Update, ...] | None:
    """The long poll's result, or None as soon as `stop` is set (the poll is abandoned)."""
    fetch = asyncio.ensure_future(call)
    stopped = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({fetch, stopped}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopped.cancel()
    if fetch.done():
        return fetch.result()
    fetch.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await fetch
    return None


def _seconds(value: object) -> float:
    total = getattr(value, "total_seconds", None)
    return float(total()) if callable(total) else float(value)  # type: ignore[arg-type]


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
