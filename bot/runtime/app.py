"""Assembling the bot: the PTB Application, its handlers, and running it until told to stop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Literal

from sqlalchemy.engine import make_url
from telegram.constants import ParseMode
from telegram.error import BadRequest, InvalidToken, NetworkError, RetryAfter
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    Defaults,
    JobQueue,
    MessageHandler,
    filters,
)

import speech
from bot.client import checkins, home, homework, joining, my_data, previsit
from bot.client import intake as client_intake
from bot.client import messages as client_messages
from bot.client import visits as client_visits
from bot.runtime import libraries, start
from bot.runtime.cli import version
from bot.runtime.delivery import ResilientRateLimiter, send_text
from bot.runtime.errors import error_handler
from bot.runtime.health import Health, HealthServer
from bot.runtime.logs import keep_contents_out_of_logs
from bot.runtime.outbox_cards import OUTBOX_CARDS
from bot.runtime.polling import poll, seconds_of
from bot.runtime.transport import AiohttpRequest
from bot.runtime.watch import WATCH_INTERVAL, Watch, watch_job
from bot.shared import access, cards, reach, texts
from bot.shared.config import ConfigError, Settings, chore_policy
from bot.shared.context import App, Context, Services
from bot.shared.forms import handlers as form_handlers
from bot.therapist import (
    agenda,
    amend,
    care,
    clients,
    history,
    invites,
    profile,
    progress,
    providers,
    records,
    referrals,
    replies,
    visits,
    voice,
)
from bot.therapist import intake as therapist_intake
from bot.therapist.forms.exercise import EXERCISE
from bot.therapist.forms.homework import HOMEWORK
from bot.therapist.forms.intake import INTAKE
from bot.therapist.forms.plan import PLAN
from bot.therapist.notes import handlers as notes
from practice.clock import Clock, SystemClock
from reminders.digest import plan_digest
from reminders.dispatcher import WAVE, Dispatcher
from reminders.housekeeping import (
    Housekeeping,
    plan_chores,
    snapshot_before_migration,
)
from reports import render
from storage import Database
from storage.database import STARTUP_LOCK
from storage.repositories import SendBudget

if TYPE_CHECKING:
    # Imported where a webhook is set up: aiohttp's server half is for WEBHOOK_URL alone,
    # and a polling start (the usual one) need not load it.
    from bot.runtime.webhook import WebhookServer

log = logging.getLogger(__name__)

# Telegram redelivers unconfirmed updates for 24 hours; a handled-update record older than
# that can never be needed again.
UPDATE_LOG_RETENTION = timedelta(days=2)


# Telegram is asked only for the update types the gate lets through or answers, so a business
# chat or a channel the bot was added to never reaches the bot at all.
HANDLED_UPDATES: tuple[str, ...] = access.ASKED_FOR

# The dispatcher sends in waves of this many at once; handlers answer beside it. httpcore scans
# every idle connection for each request, so a pool much larger than the traffic costs CPU.
CONNECTIONS = WAVE + 8


def build_application(
    settings: Settings,
    db: Database,
    clock: Clock,
    *,
    read_timeout: float = 10.0,
    backoff_base: float = 0.5,
) -> App:
    token = settings.token
    if token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    base = settings.telegram_api_base_url.rstrip("/")
    health = Health(clock)
    limiter = ResilientRateLimiter(
        backoff_base=backoff_base,
        messages_per_second=settings.telegram_rate_limit,
        paid_broadcast=settings.telegram_paid_broadcast,
        on_success=health.contact,
    )
    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(base)
        .base_file_url(base.removesuffix("/bot") + "/file/bot")
        .updater(None)
        .concurrent_updates(False)
        .context_types(ContextTypes(context=Context))
        .job_queue(JobQueue[Context]())  # the default one, typed for `Context`
        # Every text the bot sends is HTML (bot/shared/texts/); one sent as typed, or as a
        # `texts.Plain`, says parse_mode=None at its call.
        .defaults(Defaults(parse_mode=ParseMode.HTML))
        .rate_limiter(limiter)
    )
    if settings.telegram_transport == "aiohttp":
        # The bot's calls; getUpdates has its own (PTB's defaults: one connection), as before.
        builder = builder.request(_aiohttp_request(read_timeout, CONNECTIONS))
        builder = builder.get_updates_request(AiohttpRequest(connection_pool_size=1))
    else:
        builder = (
            builder.read_timeout(read_timeout)
            .write_timeout(read_timeout)
            .connect_timeout(read_timeout)
            .connection_pool_size(CONNECTIONS)
        )
    application = builder.build()
    application.bot_data["services"] = Services(settings=settings, db=db, clock=clock)
    application.bot_data["health"] = health
    watch = Watch(db, application.bot, clock, health, settings.operator_ids)
    application.bot_data["watch"] = watch
    application.bot_data["dispatcher"] = Dispatcher(
        db,
        application.bot,
        clock,
        cards=OUTBOX_CARDS,
        fallback_zone=settings.practice_timezone,
        lease=timedelta(seconds=settings.dispatch_lease_seconds),
        digest_time=settings.digest_time,
        retention_years=settings.record_retention_years,
        paid_broadcast=settings.telegram_paid_broadcast,
        working_hours=settings.hours,
        send=send_text(application.bot),
        # Several processes may send from one PostgreSQL database (webhook processes, `send`):
        # the bot-wide rate is then a budget they share there, not each process's own.
        budget=SendBudget(limiter.messages_per_second) if db.kind == "postgresql" else None,
    )
    housekeeping = Housekeeping(chore_policy(settings), db, clock)
    housekeeping.on_backup(lambda result: watch.record_backup(result.ok))
    application.bot_data["housekeeping"] = housekeeping
    for form in (PLAN, HOMEWORK, EXERCISE, INTAKE):
        form_handlers.register(form)
    form_handlers.register(providers.PROVIDER)
    form_handlers.register(profile.PROFILE)
    form_handlers.register(referrals.referral_form(settings))
    form_handlers.register(visits.visit_form(settings))
    form_handlers.register_draft(amend.FORM, amend.draft_title_of)
    # Who is a therapist is configuration; everyone else who gets past the gate is a client
    # (or someone answering an invite). Handlers are chosen by role, first match wins.
    therapists = filters.User(user_id=settings.therapist_ids)
    not_therapists = ~therapists  # clients (the gate let through only those on the bot)
    # The gate first of all: nothing it stops reaches any handler (amend's typing included).
    application.add_handler(access.handler(), group=-4)
    # Before the rest, a therapist's typing may be a reply to a client (after ↩️ Reply: the
    # latest thing asked for), then an amendment's value or reason.
    application.add_handler(replies.typing_handler(therapists), group=-3)
    application.add_handler(amend.typing_handler(therapists), group=-2)
    for handler in [
        *start.handlers(therapists),
        *notes.handlers(therapists),
        *history.handlers(therapists),
        *records.handlers(therapists),
        *amend.handlers(therapists),
        *clients.handlers(therapists),
        *invites.therapist_commands(therapists),
        *care.handlers(therapists),
        *providers.handlers(therapists),
        *profile.handlers(therapists),
        *referrals.handlers(therapists),
        *visits.handlers(therapists),
        *agenda.handlers(therapists),
        *therapist_intake.handlers(therapists),
        *replies.handlers(),
        *progress.handlers(therapists),
        *form_handlers.handlers(),
        *invites.handlers(),
        *joining.handlers(),
        homework.handler(),
        checkins.handler(),
        client_visits.handler(),
        previsit.handler(),
        *client_intake.handlers(),
        *my_data.handlers(not_therapists),
        *home.handlers(not_therapists),
        reach.handler(),
        CallbackQueryHandler(cards.unknown_button),
        MessageHandler(filters.COMMAND, start.unknown_command),
        *voice.handlers(therapists, not_therapists),
        # A client's photo, file or sticker: after every question's handler above.
        *client_messages.handlers(not_therapists),
        *notes.text_handlers(therapists),
    ]:
        application.add_handler(handler)
    application.add_error_handler(error_handler([_note_after_failure]))
    return application


def _aiohttp_request(timeout: float, connections: int) -> AiohttpRequest:
    """The timeouts HTTPXRequest is given by the builder above; PTB's own pool timeout."""
    return AiohttpRequest(
        connection_pool_size=connections,
        read_timeout=timeout,
        write_timeout=timeout,
        connect_timeout=timeout,
    )


async def _note_after_failure(context: Context, therapist_id: int, chat_id: int) -> bool:
    """After a failure a therapist sees where their note stands (if one is in progress)."""
    return await notes.show_note_again(context, therapist_id, chat_id, texts.NOTE_AFTER_FAILURE)


async def prepare_database(settings: Settings, clock: Clock) -> Database:
    db = Database(settings.database_url)
    try:
        await db.migrate(
            before_upgrade=snapshot_before_migration(chore_policy(settings), db, clock)
        )
        async with db.unit_of_work() as uow:
            await uow.serialize(STARTUP_LOCK)  # two processes starting together queue one digest
            await uow.updates.forget_before(clock.now() - UPDATE_LOG_RETENTION)
            await plan_chores(uow, chore_policy(settings), clock.now())
            # Every therapist who has used the bot gets a morning digest queued.
            for therapist_id in settings.therapist_ids:
                if await uow.therapists.get(therapist_id) is not None:
                    await plan_digest(
                        uow,
                        therapist_id,
                        now=clock.now(),
                        zone=settings.practice_timezone,
                        at=settings.digest_time,
                    )
            await uow.commit()
    except Exception as exc:
        await db.dispose_after_failure()
        unusable = db.explain(exc)
        if unusable is None:
            raise
        raise unusable from None
    return db


async def run_bot(
    settings: Settings,
    *,
    clock: Clock | None = None,
    stop: asyncio.Event | None = None,
    poll_timeout: int = 30,
    read_timeout: float = 10.0,
    backoff_base: float = 0.5,
    dispatch_interval: float | Literal["settings"] | None = "settings",
    on_ready: Callable[[App], None] | None = None,
    receive_updates: bool = True,
    watch_interval: float | None = WATCH_INTERVAL,
) -> None:
    """Run until `stop` is set (or SIGINT/SIGTERM when run as a program).

    The dispatcher is woken every `dispatch_interval` seconds and at the next due time;
    None leaves it to the caller (tests move a frozen clock and run it themselves); so does
    a `watch_interval` of None for the operators' notices.
    Without `receive_updates` the process only sends what the outbox holds: Telegram lets one
    process poll a bot, but any number may share the sending (on PostgreSQL).
    Telegram out of reach at start-up is waited for (backoff from `backoff_base`); a token it
    refuses raises ConfigError (so does a library it loads on first use that is not installed:
    bot/runtime/libraries.py), a database that cannot be used DatabaseUnusable.
    """
    keep_contents_out_of_logs()
    if absent := libraries.missing():
        raise ConfigError(libraries.MISSING.format(names="; ".join(absent)))
    if dispatch_interval == "settings":
        dispatch_interval = settings.dispatch_interval_seconds
    clock = clock or SystemClock()
    stop = stop or _stop_on_signals()
    render.reopen()  # shut down by an earlier run in this process (a test, the benchmark)
    speech.reopen()
    db = await prepare_database(settings, clock)
    application = build_application(
        settings, db, clock, read_timeout=read_timeout, backoff_base=backoff_base
    )
    application.bot_data["health"].expects_contact = receive_updates
    wait = StartupWait(stop, settings.token or "", backoff_base=backoff_base)
    health_server: HealthServer | None = None
    try:
        health_server = await _serve_health(settings, application, db, clock)
        # Not `async with application`: its exit would raise "This Application is still
        # running!" over whatever went wrong while it ran, hiding the cause.
        try:
            if not await wait.until_answered("getMe", application.initialize):
                return
            await application.start()
            try:
                await _serve(
                    application,
                    settings,
                    clock,
                    stop,
                    wait,
                    poll_timeout=poll_timeout,
                    read_timeout=read_timeout,
                    dispatch_interval=dispatch_interval,
                    on_ready=on_ready,
                    receive_updates=receive_updates,
                    watch_interval=watch_interval,
                )
            finally:
                if application.running:
                    await application.stop()
        finally:
            await application.shutdown()
            await application.bot.shutdown()  # its connections, also when getMe never answered
    finally:
        if health_server is not None:
            await health_server.stop()
        await db.dispose()
        await render.shutdown()  # the render workers, if any were started
        await speech.shutdown()  # the speech worker, likewise


async def _serve_health(
    settings: Settings,
    application: App,
    db: Database,
    clock: Clock,
) -> HealthServer | None:
    """GET /healthz when HEALTH_PORT is set; nothing listens otherwise."""
    if settings.health_port is None:
        return None
    server = HealthServer(db, application.bot_data["health"], clock)
    try:
        await server.start(settings.health_host, settings.health_port)
    except OSError as exc:
        raise ConfigError(
            f"Configuration error: HEALTH_PORT {settings.health_port} on {settings.health_host} "
            f"cannot be listened on ({os.strerror(exc.errno) if exc.errno else exc})"
        ) from None
    application.bot_data["health_server"] = server
    return server


async def _serve(
    application: App,
    settings: Settings,
    clock: Clock,
    stop: asyncio.Event,
    wait: StartupWait,
    *,
    poll_timeout: int,
    read_timeout: float,
    dispatch_interval: float | None,
    on_ready: Callable[[App], None] | None,
    receive_updates: bool,
    watch_interval: float | None,
) -> None:
    await start.set_default_commands(application)
    jobs = application.job_queue
    assert jobs is not None
    if dispatch_interval is not None:
        jobs.run_repeating(
            dispatch_job,
            interval=dispatch_interval,
            first=1.0,
            name="dispatch",
            data=dispatch_interval,
        )
        if receive_updates:  # one process does the daily chores: the one that polls
            jobs.run_repeating(
                housekeeping_job, interval=HOUSEKEEPING_TICK, first=5.0, name="housekeeping"
            )
    if watch_interval is not None and settings.operator_ids:
        jobs.run_repeating(watch_job, interval=watch_interval, first=watch_interval, name="watch")
    server: WebhookServer | None = None
    if receive_updates and settings.webhook is not None:
        server = await _listen_for_webhook(application, settings)  # its port known when ready
    try:
        if on_ready is not None:
            on_ready(application)
        log.info(
            "Aftercare %s started (%s): %s database, %d therapist(s) configured, bot @%s",
            version(),
            "send" if not receive_updates else "run, webhook" if server else "run",
            make_url(settings.database_url).get_backend_name(),
            len(settings.therapist_ids),
            application.bot.username,
        )
        if not receive_updates:
            await stop.wait()
        elif server is not None:
            await _serve_webhook(application, server, stop, wait)
        elif await wait.until_answered(
            "deleteWebhook", lambda: application.bot.delete_webhook(drop_pending_updates=False)
        ):
            await poll(
                application,
                stop,
                allowed_updates=HANDLED_UPDATES,
                poll_timeout=poll_timeout,
                backoff_base=wait.backoff_base,
                read_timeout=read_timeout,
            )
    finally:
        if server is not None:
            await server.stop()


async def _listen_for_webhook(application: App, settings: Settings) -> WebhookServer:
    from bot.runtime.webhook import WebhookServer

    webhook = settings.webhook
    assert webhook is not None
    server = WebhookServer(application, webhook)
    try:
        await server.start()
    except OSError as exc:
        raise ConfigError(
            f"Configuration error: WEBHOOK_LISTEN {settings.webhook_listen} cannot be listened "
            f"on ({os.strerror(exc.errno) if exc.errno else exc})"
        ) from None
    application.bot_data["webhook_server"] = server
    return server


async def _serve_webhook(
    application: App, server: WebhookServer, stop: asyncio.Event, wait: StartupWait
) -> None:
    """The route is open before Telegram is told where to post, so an update it sends at once
    finds it. The webhook stays set when the process stops: Telegram keeps the updates for
    the next start (or for the other processes behind the proxy); `aftercare run` without
    WEBHOOK_URL deletes it and polls."""
    from bot.runtime.webhook import INFO_INTERVAL, MAX_CONNECTIONS, watch_webhook

    webhook = server.webhook
    try:
        set_webhook = await wait.until_answered(
            "setWebhook",
            lambda: application.bot.set_webhook(
                url=webhook.url,
                secret_token=webhook.secret,
                allowed_updates=list(HANDLED_UPDATES),
                max_connections=MAX_CONNECTIONS,
                drop_pending_updates=False,
            ),
        )
    except BadRequest as exc:  # e.g. a port Telegram does not post to
        raise ConfigError(
            f"Configuration error: Telegram refused WEBHOOK_URL ({exc.message})"
        ) from None
    if set_webhook:
        log.info("webhook set: Telegram posts updates to %s", webhook.url)
        await watch_webhook(application, stop, INFO_INTERVAL)


REFUSED_BY_TELEGRAM = (
    "Configuration error: Telegram refused TELEGRAM_BOT_TOKEN (check it with @BotFather), "
    "or TELEGRAM_API_BASE_URL is not a Bot API server"
)


class StartupWait:
    """Start-up calls to Telegram, repeated with backoff while Telegram is out of reach (a
    network outage passes; an exit would only be restarted into the same outage)."""

    def __init__(
        self, stop: asyncio.Event, token: str, *, backoff_base: float, backoff_cap: float = 60.0
    ) -> None:
        self._stop = stop
        self._token = token
        self.backoff_base = backoff_base
        self._cap = backoff_cap

    async def until_answered(self, method: str, call: Callable[[], Awaitable[object]]) -> bool:
        """True once `call` succeeded; False if told to stop first."""
        attempt = 0
        while not self._stop.is_set():
            attempt += 1
            try:
                await call()
                return True
            except InvalidToken:
                raise ConfigError(REFUSED_BY_TELEGRAM) from None
            except BadRequest:
                raise
            except (NetworkError, RetryAfter) as exc:  # no network, DNS, timeouts, 5xx, 429
                delay = min(self._cap, self.backoff_base * 2 ** min(attempt - 1, 10))
                if isinstance(exc, RetryAfter):
                    delay = max(delay, seconds_of(exc.retry_after))
                log.warning(
                    "Telegram cannot be reached (%s: %s) at %s, attempt %d; again in %.1fs",
                    type(exc).__name__,
                    self._redact(str(exc)),
                    method,
                    attempt,
                    delay,
                )
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), timeout=delay)
        return False

    def _redact(self, text: str) -> str:
        return without_token(text, self._token)


def without_token(text: str, token: str | None) -> str:
    """One line of an error's text for the log: an httpx error may quote the URL, and the
    URL holds the token."""
    line = text.splitlines()[0] if text else ""
    return (line.replace(token, "<token>") if token else line)[:200]


async def dispatch_job(context: Context) -> None:
    """APScheduler's tick. Sending a large backlog takes minutes at Telegram's pace, so the
    work runs as a task of its own and a tick that finds it running does nothing."""
    dispatcher: Dispatcher = context.application.bot_data["dispatcher"]
    if dispatcher.busy:
        return
    context.application.create_task(_drain(context, dispatcher))


async def _drain(context: Context, dispatcher: Dispatcher) -> None:
    """Send what is due, then wake again when the next row is due."""
    await dispatcher.run_until_idle()
    data = context.job.data if context.job else None
    interval = float(data) if isinstance(data, int | float) and data else 30.0
    wait = await dispatcher.next_due_in()
    if wait is not None and wait.total_seconds() < interval and context.job_queue is not None:
        for job in context.job_queue.get_jobs_by_name("dispatch-next"):
            job.schedule_removal()
        context.job_queue.run_once(
            dispatch_job, when=wait.total_seconds() + 0.05, name="dispatch-next", data=interval
        )


# How often the scheduler asks whether a daily chore (backup, retention) is due.
HOUSEKEEPING_TICK = 60.0


async def housekeeping_job(context: Context) -> None:
    housekeeping: Housekeeping = context.application.bot_data["housekeeping"]
    await housekeeping.run_due()


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    return stop
