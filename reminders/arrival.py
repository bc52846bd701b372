"""Whether a send Telegram did not answer may still have arrived: the one reading of a network
error that both the request layer (bot/runtime/delivery.py, which does not retry such a send)
and the dispatcher (which tries it once more, then takes it as sent) go by."""

from __future__ import annotations

import aiohttp
import httpx
from telegram.error import NetworkError, TelegramError


class NotSent(Exception):
    """A transport's own cause for a request it never put on the wire (no free connection)."""


# PTB's HTTPXRequest raises TimedOut / NetworkError from the httpx exception, the bot's
# AiohttpRequest (bot/runtime/transport.py) from the aiohttp one; these mean no request went
# out on the wire (PTB itself says so of a pool timeout). aiohttp's ConnectionTimeoutError is
# a slow connect (or its own pool wait), ClientConnectorError a refused or unreachable one; a
# connection reset after it was made (ClientOSError, ServerDisconnectedError) may have arrived.
NEVER_SENT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    aiohttp.ClientConnectorError,
    aiohttp.ConnectionTimeoutError,
    NotSent,
)


def may_have_arrived(exc: NetworkError) -> bool:
    """Whether a call that failed with `exc` may still have been carried out by Telegram: the
    request went out and no answer came back (a 5xx is an answer: Telegram says it failed)."""
    cause = exc.__cause__
    return cause is not None and not isinstance(cause, (TelegramError, *NEVER_SENT))
