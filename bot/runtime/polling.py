"""Long polling that confirms an update only after it was handled, one chat at a time.

PTB's Updater confirms a batch to Telegram (by asking for the next offset) as soon as it has
queued it, so a crash can lose updates that were queued but not yet handled. Here the offset
sent with getUpdates is the lowest update not yet handled: a kill -9 at any moment means
Telegram delivers the unhandled updates again, and the handlers' update log
(storage.UpdateLog) makes a second delivery of a handled one harmless.

Updates of different chats are handled side by side, each chat's in the order Telegram sent
them (bot/runtime/intake.py). Telegram's offset is a single
watermark, so a later update handled before an earlier one stays unconfirmed until the earlier
one is done; each getUpdates therefore brings back the updates already in hand, and only the
new ones are handled. Telegram answers at most 100 updates from the offset: an update more
than 100 behind the oldest unfinished one is fetched once that one is done.

Each update is read on its own from the raw answer: one the library cannot parse (a field
an older Bot API server omits) is skipped and counted, by its id only, instead of failing the
whole batch again on every restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from telegram.constants import PollingLimit
from telegram.error import Conflict, Forbidden, InvalidToken, NetworkError, RetryAfter

from bot.runtime.health import Health
from bot.runtime.intake import HANDLED_AT_ONCE, ChatTurns, chat_of, read_update
from bot.shared.context import App

if TYPE_CHECKING:
    from telegram import Update

log = logging.getLogger(__name__)

# While updates are in hand, getUpdates answers at once (they are still unconfirmed: Telegram
# confirms every update below the offset asked with, so there is no long poll for new updates
# that leaves the ones in hand unconfirmed): ask again only after this long, or as soon as the
# lowest of them is done. What it costs: while one update is in hand longer than this (a
# therapist's /export, a transcription), a tap from anyone else waits up to this long (a
# quarter of it on average) before the bot sees it; asking more often costs a getUpdates
# round trip, and the parse of every update in hand (up to 100), each time. Webhook mode
# (bot/runtime/webhook.py) has no such wait: Telegram posts each update as it comes.
BUSY_POLL_SECONDS = 0.5


async def poll(
    application: App,
    stop: asyncio.Event,
    *,
    allowed_updates: Sequence[str],
    poll_timeout: int = 30,
    read_timeout: float = 10.0,
    backoff_base: float = 0.5,
    backoff_cap: float = 30.0,
    handled_at_once: int = HANDLED_AT_ONCE,
) -> None:
    bot = application.bot
    # Telegram answering getUpdates is contact too (getUpdates bypasses the rate limiter,
    # which sees every other call); unreadable updates are counted there for an operator.
    health: Health = application.bot_data["health"]
    inbox = _Inbox(application, health, handled_at_once)
    failures = 0
    try:
        while not stop.is_set():
            try:
                raw = await _unless_stopped(
                    stop,
                    _fetch(
                        application,
                        offset=inbox.offset,
                        poll_timeout=poll_timeout,
                        read_timeout=read_timeout,
                        allowed_updates=allowed_updates,
                    ),
                )
                if raw is None:
                    return
            except (InvalidToken, Forbidden):
                raise  # the token is wrong: retrying cannot help
            except RetryAfter as exc:
                await _sleep_or_stop(stop, seconds_of(exc.retry_after))
                continue
            except (Conflict, NetworkError) as exc:
                # A Conflict is another process polling this bot: Telegram ends the older
                # poll. Exiting would hand the bot to a stray second run (or, restarted by
                # systemd, fight it); waiting keeps serving once it is gone.
                failures += 1
                delay = min(backoff_cap, backoff_base * 2 ** min(failures, 8))
                if isinstance(exc, Conflict):
                    log.warning(
                        "another process is polling this bot (only one may); again in %.1fs",
                        delay,
                    )
                else:
                    log.warning(
                        "getUpdates failed (%s); retrying in %.1fs", type(exc).__name__, delay
                    )
                await _sleep_or_stop(stop, delay)
                continue
            failures = 0
            health.contact()
            if not inbox.take(raw, bot) and inbox.busy:
                await inbox.progress(stop, BUSY_POLL_SECONDS)
    finally:
        # Handlers already running finish (their effects and the update log then agree);
        # what they handled is confirmed by the next process's first getUpdates.
        await inbox.drain()


async def _fetch(
    application: App,
    *,
    offset: int | None,
    poll_timeout: int,
    read_timeout: float,
    allowed_updates: Sequence[str],
) -> list[dict[str, Any]]:
    """getUpdates' raw answer. Bot.get_updates parses the whole batch at once: one update it
    cannot read fails them all, and it logs the whole batch (message texts too) on the way."""
    data = {
        "offset": offset,
        "timeout": poll_timeout,
        "limit": PollingLimit.MAX_LIMIT,  # 100
        "allowed_updates": list(allowed_updates),
    }
    # Telegram holds the long poll open for `poll_timeout` seconds before it answers.
    result = await application.bot._post(
        "getUpdates", data, read_timeout=read_timeout + poll_timeout
    )
    return list(result) if isinstance(result, list) else []


class _Inbox:
    """The updates in hand: which are being handled, in which chat's turn, and the offset."""

    def __init__(
        self,
        application: App,
        health: Health,
        handled_at_once: int,
    ) -> None:
        self._application = application
        self._health = health
        self._turns = ChatTurns(handled_at_once)
        self._pending: set[int] = set()  # fetched, not yet handled
        self._seen: set[int] = set()  # fetched and not yet below the offset
        self._next: int | None = None  # one past the highest update id fetched
        self._tasks: set[asyncio.Task[None]] = set()
        self._progress = asyncio.Event()

    @property
    def offset(self) -> int | None:
        """Every update below this one is handled: what getUpdates may confirm."""
        return min(self._pending) if self._pending else self._next

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    def take(self, raw_updates: list[dict[str, Any]], bot: Any) -> int:
        """Start handling the updates not yet in hand; how many there were."""
        offset = self.offset
        if offset is not None:
            self._seen = {update_id for update_id in self._seen if update_id >= offset}
        new = 0
        for raw in raw_updates:
            update_id = raw.get("update_id") if isinstance(raw, dict) else None
            if not isinstance(update_id, int) or update_id in self._seen:
                continue
            if offset is not None and update_id < offset:
                continue
            new += 1
            self._seen.add(update_id)
            self._next = max(self._next or 0, update_id + 1)
            update = read_update(raw, bot, self._health)
            if update is None:
                continue
            self._pending.add(update_id)
            # Tasks start in the order they are created, so each takes its chat's turn in order.
            task = asyncio.create_task(self._handle(update))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return new

    async def _handle(self, update: Update) -> None:
        try:
            # Errors inside handlers go to the application's error handler; what escapes it
            # must still not stop this chat's later updates.
            await self._turns.take(
                chat_of(update), lambda: self._application.process_update(update)
            )
        except Exception as exc:
            log.error(
                "update %s failed outside its handlers: %s", update.update_id, type(exc).__name__
            )
        finally:
            was_lowest = self.offset == update.update_id
            self._pending.discard(update.update_id)
            if was_lowest:
                self._progress.set()

    async def progress(self, stop: asyncio.Event, seconds: float) -> None:
        """Wait until the offset moves (the lowest update in hand is done), or `seconds`."""
        self._progress.clear()
        waits = {asyncio.ensure_future(self._progress.wait()), asyncio.ensure_future(stop.wait())}
        try:
            await asyncio.wait(waits, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiting in waits:
                waiting.cancel()

    async def drain(self) -> None:
        if self._tasks:
            await asyncio.wait(set(self._tasks))


async def _unless_stopped(
    stop: asyncio.Event, call: Coroutine[Any, Any, list[dict[str, Any]]]
) -> list[dict[str, Any]] | None:
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


def seconds_of(value: float | timedelta) -> float:
    """RetryAfter.retry_after: seconds, or a timedelta (PTB's choice)."""
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
