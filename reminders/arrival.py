"""Whether a send Telegram did not answer may still have arrived: the one reading of a network
error that both the request layer (bot/runtime/delivery.py, which does not retry such a send)
and the dispatcher (which tries it once more, then takes it as sent) go by."""

from __future__ import annotations

import httpx
from telegram.error import NetworkError, TelegramError

# PTB's HTTPXRequest raises TimedOut / NetworkError from the httpx exception; these three
# mean no request went out on the wire (PTB itself says so of a pool timeout).
NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def may_have_arrived(exc: NetworkError) -> bool:
    """Whether a call that failed with `exc` may still have been carried out by Telegram: the
    request went out and no answer came back (a 5xx is an answer: Telegram says it failed)."""
    cause = exc.__cause__
    return cause is not None and not isinstance(cause, (TelegramError, *NEVER_SENT))
