"""Every Bot API call goes through here: Telegram's rate limits, and retries of passing failures.

AIORateLimiter keeps the bot under ~30 messages per second and waits out 429 retry_after.
Its bucket is kept small (`burst`): PTB's default lets a whole second's worth (29) go at once
after a pause, and Telegram's own bucket (the emulator's: 30 a second, 30 at most saved up)
then has about one message to spare, so that a delay on the way of more than ~1/30 s — a
busy event loop, a slow connection — that bunches those with the ones after would be a 429.
With a bucket of 3 the spare is most of a second. (bench/dispatch.py drew no 429 either way
on this machine, 3,000 reminders; the small bucket is the margin.) With
paid broadcasts the sends that ask for them (the dispatcher's) share the same bucket, at the
rate paid for, instead of PTB's separate 1,000 a second beside the free 30.
On top of it, a call that failed in passing is retried a few times with exponential backoff
and jitter — unless retrying could deliver a message twice. A 400 or 403 is never retried:
it would fail the same way again.

What may be retried, by whether the request can have taken effect:

- the request never reached Telegram (no connection could be made, or no connection was free
  in the pool): anything is retried, a send too;
- Telegram answered 5xx: it reports that it failed, so the call is retried (Telegram gives no
  sign that a 5xx ever delivers; if one did, that is one duplicate per retry, as for any
  client of the Bot API);
- no answer came to a request that was (perhaps) sent — a read or write timeout, a dropped
  connection: Telegram may well have acted on it. A call that changes nothing when repeated
  (an edit, a callback answer, a read) is retried; a send is not, since each retry could be
  one more copy of the message in the client's chat. The dispatcher's own attempts are then
  the one retry level for what it sends (see `reminders/dispatcher.py`), and a handler's
  reply fails into the handler's apology rather than arrive several times.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Coroutine
from typing import Any

from aiolimiter import AsyncLimiter
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram.error import BadRequest, NetworkError, TelegramError
from telegram.ext import AIORateLimiter, ExtBot
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from reminders.arrival import may_have_arrived
from reminders.dispatcher import SendText

log = logging.getLogger(__name__)

# getUpdates has its own loop (bot/runtime/polling.py), which already retries forever, and the calls
# at start-up theirs (bot/runtime/app.py StartupWait), with one log line per attempt.
_NOT_RETRIED = frozenset({"getUpdates", "getMe", "deleteWebhook", "setWebhook"})

# Telegram's ceiling for paid broadcasts, messages per second.
PAID_BROADCAST_LIMIT = 1000.0


def burst(messages_per_second: float) -> float:
    """How many messages may go at once after a pause: a tenth of a second's worth, at
    least 3 (at 29/s: 3, so ~0.9 s of delay on the way before Telegram's bucket overflows)."""
    return min(messages_per_second, max(3.0, messages_per_second / 10))


def delivers_a_message(endpoint: str) -> bool:
    """sendMessage, sendDocument, forwardMessage, copyMessage…: a repeat is a second message."""
    name = endpoint.lower()
    return name.startswith(("send", "forward", "copy")) and name != "sendchataction"


class ResilientRateLimiter(AIORateLimiter):
    def __init__(
        self,
        *,
        network_retries: int = 3,
        backoff_base: float = 0.5,
        backoff_cap: float = 8.0,
        max_retry_after_retries: int = 3,
        messages_per_second: float = 29.0,
        paid_broadcast: bool = False,
        on_success: Callable[[], None] | None = None,
    ) -> None:
        if paid_broadcast:
            messages_per_second = min(messages_per_second, PAID_BROADCAST_LIMIT)
        size = burst(messages_per_second)
        super().__init__(
            max_retries=max_retry_after_retries,
            overall_max_rate=size,
            overall_time_period=size / messages_per_second,
        )
        # One bucket for the whole bot: PTB keeps sends with allow_paid_broadcast in a bucket
        # of their own (at 1,000/s) beside it; here they share it, at the rate paid for.
        assert self._base_limiter is not None
        self._apb_limiter: AsyncLimiter = self._base_limiter
        self.messages_per_second = messages_per_second
        # Told of every call Telegram answered well (bot/runtime/health.py's last contact).
        self._on_success = on_success
        self._network_retries = network_retries
        self._backoff_base = backoff_base
        self._backoff_cap = backoff_cap

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        attempts = 0 if endpoint in _NOT_RETRIED else self._network_retries
        for attempt in range(attempts + 1):
            try:
                result = await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
            except BadRequest:
                raise
            except NetworkError as exc:  # 5xx, timeouts, connection errors
                if attempt == attempts or (delivers_a_message(endpoint) and may_have_arrived(exc)):
                    raise
                delay = min(self._backoff_cap, self._backoff_base * 2**attempt)
                delay *= random.uniform(0.5, 1.0)
                log.warning(
                    "%s failed (%s), retry %d in %.2fs",
                    endpoint,
                    type(exc).__name__,
                    attempt + 1,
                    delay,
                )
                await asyncio.sleep(delay)
                continue
            if self._on_success is not None:
                self._on_success()
            return result
        raise AssertionError("unreachable")


def send_text(bot: Bot) -> SendText:
    """The dispatcher's sendMessage (reminders/dispatcher.py SendText): the request
    `bot.send_message` makes — the fields it leaves to the bot's Defaults filled in once, as
    PTB fills them — through the bot's rate limiter and retries (ResilientRateLimiter above) and
    its request's error handling (`BaseRequest.post`: a 429 is RetryAfter, a 403 Forbidden, a
    5xx a NetworkError, as for every call), but without the rest of `Bot._post` (every value
    inspected for Defaults, files and dates, each time), and of the answer only `message_id`
    read, no `Message` built. `ExtBot._insert_defaults` and RequestParameter are PTB's
    private API: safe only while PTB is pinned (requirements.lock), as for the paid-broadcast
    limiter above."""
    defaults: dict[str, object] = {
        "parse_mode": DEFAULT_NONE,
        "disable_notification": DEFAULT_NONE,
        "protect_content": DEFAULT_NONE,
    }
    bot._insert_defaults(defaults)
    fixed = {name: value for name, value in defaults.items() if value is not None}
    limiter = bot.rate_limiter if isinstance(bot, ExtBot) else None
    endpoint = "sendMessage"

    async def post(data: dict[str, object]) -> Any:
        fields = [RequestParameter(name, value, None) for name, value in data.items()]
        return await bot.request.post(f"{bot.base_url}/{endpoint}", RequestData(fields))

    async def send(
        chat_id: int, text: str, keyboard: InlineKeyboardMarkup | None, paid: bool
    ) -> int:
        data: dict[str, object] = {"chat_id": chat_id, "text": text, **fixed}
        if keyboard is not None:
            data["reply_markup"] = keyboard_dict(keyboard)
        if paid:
            data["allow_paid_broadcast"] = True
        if limiter is None:
            answer = await post(data)
        else:
            answer = await limiter.process_request(post, (data,), {}, endpoint, data, None)
        message_id = answer.get("message_id") if isinstance(answer, dict) else None
        if not isinstance(message_id, int):
            raise TelegramError("sendMessage answered without a message_id")
        return message_id

    return send


# An inline button's attributes other than its label and its callback data or link: a button
# with any of them set is written by PTB's own to_dict.
_RICH = tuple(
    name for name in InlineKeyboardButton.__slots__ if name not in ("text", "callback_data", "url")
)


def keyboard_dict(markup: InlineKeyboardMarkup) -> dict[str, object]:
    """`markup.to_dict()`, without PTB's generic walk over every attribute of every object for
    the plain buttons the dispatcher's messages have (a label and callback data, or a link);
    any other button as to_dict writes it."""
    if markup.api_kwargs:
        return markup.to_dict()
    return {"inline_keyboard": [[_button_dict(b) for b in row] for row in markup.inline_keyboard]}


def _button_dict(button: InlineKeyboardButton) -> dict[str, object]:
    if (
        button.api_kwargs
        or not isinstance(button.callback_data, str | None)
        or any(getattr(button, name) is not None for name in _RICH)
    ):
        return button.to_dict()
    plain: dict[str, object] = {"text": button.text}
    if button.callback_data is not None:
        plain["callback_data"] = button.callback_data
    if button.url is not None:
        plain["url"] = button.url
    return plain
