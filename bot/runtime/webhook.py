"""Webhook mode: Telegram POSTs each update to WEBHOOK_URL (a proxy forwards it to
WEBHOOK_LISTEN), and the bot answers only once the update is handled.

PTB's own `run_webhook` answers 200 as soon as it has queued an update, so a crash loses what
was queued. Here the answer waits for `process_update`: 200 once the handlers are done (their
transactions committed), 500 when one of them failed, so that Telegram delivers the update
again. A request without the right X-Telegram-Bot-Api-Secret-Token is refused with 401 and
never handled. Any number of processes may serve one bot behind a proxy (on PostgreSQL): an
update delivered again to another process is recognised by the handlers' update log
(storage.UpdateLog), whose claim waits for the first process's transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import time
from datetime import UTC, datetime
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update

from bot.runtime.health import Health
from bot.runtime.intake import HANDLED_AT_ONCE, ChatTurns, chat_of, read_update
from bot.shared.config import Webhook
from bot.shared.context import App, Context

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 -- a header name
# How many requests Telegram may have open to the bot at once (all processes together; its
# default is 40, its maximum 100). Each process handles HANDLED_AT_ONCE of them at a time.
MAX_CONNECTIONS = 40
# A stop lets the updates being handled finish this long; what is cut off is not answered,
# so Telegram delivers it again.
SHUTDOWN_SECONDS = 10.0
# Telegram posts only when there is an update: a quiet night must not look like an outage,
# so the bot asks how the webhook fares this often (the answer is contact, and tells of
# failed deliveries).
INFO_INTERVAL = 60.0
REFUSALS_LOGGED_EVERY = 60.0


class FailedUpdates:
    """An error handler that remembers which updates a handler failed on, until asked."""

    def __init__(self) -> None:
        self._failed: set[int] = set()

    async def __call__(self, update: object, context: Context) -> None:
        if isinstance(update, Update):
            self._failed.add(update.update_id)

    def pop(self, update_id: int) -> bool:
        """Whether a handler failed on this update (and forget it)."""
        if update_id in self._failed:
            self._failed.discard(update_id)
            return True
        return False


class WebhookServer:
    """The route Telegram posts updates to, on host:port."""

    def __init__(
        self,
        application: App,
        webhook: Webhook,
        *,
        handled_at_once: int = HANDLED_AT_ONCE,
        shutdown_seconds: float = SHUTDOWN_SECONDS,
    ) -> None:
        self._application = application
        self.webhook = webhook
        self._secret = webhook.secret.encode()
        self._health: Health = application.bot_data["health"]
        self._turns = ChatTurns(handled_at_once)
        self._failed = FailedUpdates()
        self._shutdown_seconds = shutdown_seconds
        self._runner: web.AppRunner | None = None
        self.path = urlsplit(webhook.url).path or "/"
        self.port: int | None = None
        self.refused = 0  # requests without the right secret
        self._refusal_logged: float | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post(self.path, self._receive)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=self._shutdown_seconds)
        await runner.setup()
        try:
            # reuse_port: several processes on one machine may listen on one port, and the
            # kernel shares the connections among them.
            site = web.TCPSite(runner, self.webhook.host, self.webhook.port, reuse_port=True)
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self.port = int(runner.addresses[0][1])
        # After the application's own error handler, which tells the user.
        self._application.add_error_handler(self._failed)
        log.info("webhook listening on http://%s:%d%s", self.webhook.host, self.port, self.path)

    async def stop(self) -> None:
        """Stop taking updates; those being handled finish (up to the shutdown time)."""
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()
            self._application.remove_error_handler(self._failed)

    async def _receive(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            # Neither the body nor the header's value: only the fact, and at most once a
            # minute (whoever sends them could otherwise fill the log).
            self.refused += 1
            now = time.monotonic()
            if self._refusal_logged is None or now - self._refusal_logged >= REFUSALS_LOGGED_EVERY:
                self._refusal_logged = now
                log.warning(
                    "refused a webhook request without the right secret token (%d so far)",
                    self.refused,
                )
            return web.Response(status=401)
        self._health.contact()
        try:
            raw = json.loads(await request.read())
        except ValueError:
            raw = None
        update = read_update(raw, self._application.bot, self._health)
        if update is None:
            return web.Response(status=200)  # delivered again, it could not be read either
        try:
            await self._turns.take(chat_of(update), lambda: self._handle(update))
        except Exception as exc:
            log.error(
                "update %s failed outside its handlers: %s", update.update_id, type(exc).__name__
            )
            return web.Response(status=500)
        if self._failed.pop(update.update_id):
            return web.Response(status=500)  # Telegram delivers it again
        return web.Response(status=200)

    async def _handle(self, update: Update) -> None:
        self._failed.pop(update.update_id)  # a failure of an earlier delivery is not this one's
        await self._application.process_update(update)


async def watch_webhook(application: App, stop: asyncio.Event, interval: float) -> None:
    """Ask Telegram every `interval` how the webhook fares, until `stop`: each answer is
    contact for /healthz, and a delivery error Telegram saw since is logged (its own words,
    which never quote an update)."""
    seen: datetime | None = None
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)
        if stop.is_set():
            return
        try:
            info = await application.bot.get_webhook_info()
        except Exception as exc:  # the rate limiter logged and retried; try again later
            log.warning("getWebhookInfo failed: %s", type(exc).__name__)
            continue
        last = info.last_error_date
        if last is not None and (seen is None or last > seen):
            seen = last
            log.warning(
                "Telegram could not deliver to the webhook at %s (%s); %d update(s) waiting",
                last.astimezone(UTC).isoformat(timespec="seconds"),
                info.last_error_message,
                info.pending_update_count,
            )
