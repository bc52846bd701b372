"""What both ways of receiving updates share (bot/runtime/polling.py, bot/runtime/webhook.py):
reading one update from Telegram's JSON, and handling each person's updates in turn.

Updates of different chats are handled side by side, a few at once; one person's updates
wait for each other, in the order they arrived, so one chat's traffic never waits behind
another's and a chat never sees its second tap handled before its first.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from telegram import Bot, Update

from bot.runtime.health import Health

log = logging.getLogger(__name__)

# How many updates (of different chats) are handled at once: enough that a slow chat does not
# hold up the others, few enough that the database's connection pool is never exhausted.
HANDLED_AT_ONCE = 8

T = TypeVar("T")


def read_update(raw: object, bot: Bot, health: Health) -> Update | None:
    """The update, or None (counted for an operator, logged by its id only) if the library
    cannot read it: a field an older Bot API server omits must not fail it on every retry."""
    update_id = raw.get("update_id") if isinstance(raw, dict) else None
    try:
        if not isinstance(raw, dict) or not isinstance(update_id, int):
            raise TypeError("not an update")
        return Update.de_json(raw, bot)
    except Exception as exc:  # any field the library insists on; contents never logged
        health.unreadable_updates += 1
        log.warning(
            "update %s could not be read (%s) and is skipped (%d so far)",
            update_id,
            type(exc).__name__,
            health.unreadable_updates,
        )
        return None


def chat_of(update: Update) -> object:
    """Whose turn an update waits for: one person's updates (wherever they typed) in order."""
    if update.effective_user is not None:
        return ("user", update.effective_user.id)
    if update.effective_chat is not None:
        return ("chat", update.effective_chat.id)
    return ("other",)


class ChatTurns:
    """Work for one chat waits for that chat's earlier work (however it ended), then for one
    of `at_once` places. The turn is taken when `take` is called, before its first await."""

    def __init__(self, at_once: int = HANDLED_AT_ONCE) -> None:
        self._slots = asyncio.Semaphore(at_once)
        self._last_of_chat: dict[object, asyncio.Future[None]] = {}

    def __len__(self) -> int:
        """How many chats have work in hand."""
        return len(self._last_of_chat)

    async def take(self, key: object, work: Callable[[], Awaitable[T]]) -> T:
        earlier = self._last_of_chat.get(key)
        mine: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._last_of_chat[key] = mine
        try:
            if earlier is not None:
                await asyncio.wait({earlier})
            async with self._slots:
                return await work()
        finally:
            mine.set_result(None)
            if self._last_of_chat.get(key) is mine:
                del self._last_of_chat[key]
