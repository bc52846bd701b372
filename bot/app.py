"""Assembling the bot: the PTB Application, its handlers, and running it until told to stop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable
from datetime import timedelta
from typing import Literal

from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot import (
    access,
    amend,
    cards,
    care,
    checkins,
    client_home,
    history,
    homework_taps,
    invites,
    my_data,
    profile,
    progress,
    providers,
    reach,
    records,
    referrals,
    start,
)
from bot import clients as clients_
from bot.config import Settings
from bot.delivery import ResilientRateLimiter
from bot.errors import on_error
from bot.forms import handlers as form_handlers
from bot.forms.exercise import EXERCISE
from bot.forms.homework import HOMEWORK
from bot.forms.plan import PLAN
from bot.notes import handlers as notes
from bot.polling import poll
from bot.runtime import Context, Services
from practice.clock import Clock, SystemClock
from reminders.digest import plan_digest
from reminders.dispatcher import WAVE, Dispatcher
from storage import Database
from storage.database import STARTUP_LOCK

log = logging.getLogger(__name__)

# Telegram redelivers unconfirmed updates for 24 hours; a handled-update record older than
# that can never be needed again.
UPDATE_LOG_RETENTION = timedelta(days=2)


def keep_contents_out_of_logs() -> None:
    """Health details never go to logs: PTB logs whole updates and API parameters at DEBUG,
    and httpx logs request URLs (which contain the token) at INFO."""
    for name, floor in (
        ("telegram", logging.INFO),
        ("httpx", logging.WARNING),
        ("httpcore", logging.WARNING),
        ("aiosqlite", logging.INFO),
        ("sqlalchemy.engine", logging.WARNING),
    ):
        logger = logging.getLogger(name)
        # An explicit level on the logger itself (lowering the root later must not reopen
        # it), never below what the root asks for now.
        wanted = max(floor, logging.getLogger().getEffectiveLevel())
        if logger.level < wanted:
            logger.setLevel(wanted)


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
) -> Application:  # type: ignore[type-arg]
    token = settings.token
    if token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    base = settings.telegram_api_base_url.rstrip("/")
    application = (
        ApplicationBuilder()
        .token(token)
        .base_url(base)
        .base_file_url(base.removesuffix("/bot") + "/file/bot")
        .updater(None)
        .concurrent_updates(False)
        .context_types(ContextTypes(context=Context))
        .rate_limiter(
            ResilientRateLimiter(
                backoff_base=backoff_base, messages_per_second=settings.telegram_rate_limit
            )
        )
        .read_timeout(read_timeout)
        .write_timeout(read_timeout)
        .connect_timeout(read_timeout)
        .connection_pool_size(CONNECTIONS)
        .build()
    )
    application.bot_data["services"] = Services(settings=settings, db=db, clock=clock)
    application.bot_data["dispatcher"] = Dispatcher(
        db,
        application.bot,
        clock,
        fallback_zone=settings.practice_timezone,
        lease=timedelta(seconds=settings.dispatch_lease_seconds),
        digest_time=settings.digest_time,
    )
    for form in (PLAN, HOMEWORK, EXERCISE):
        form_handlers.register(form)
    form_handlers.register(providers.PROVIDER)
    form_handlers.register(profile.PROFILE)
    form_handlers.register(referrals.referral_form(settings))
    form_handlers.register_draft(amend.FORM, amend.draft_title_of)
    # Who is a therapist is configuration; everyone else who gets past the gate is a client
    # (or someone answering an invite). Handlers are chosen by role, first match wins.
    therapists = filters.User(user_id=settings.therapist_ids)
    clients = ~therapists
    # The gate first of all: nothing it stops reaches any handler (amend's typing included).
    application.add_handler(access.handler(), group=-3)
    # Before the rest, a therapist's typing may be an amendment's value or reason.
    application.add_handler(amend.typing_handler(therapists), group=-2)
    for handler in [
        *start.handlers(therapists),
        *notes.handlers(therapists),
        *history.handlers(therapists),
        *records.handlers(therapists),
        *amend.handlers(therapists),
        *clients_.handlers(therapists),
        *invites.therapist_commands(therapists),
        *care.handlers(therapists),
        *providers.handlers(therapists),
        *profile.handlers(therapists),
        *referrals.handlers(therapists),
        *progress.handlers(therapists),
        *form_handlers.handlers(),
        *invites.handlers(),
        homework_taps.handler(),
        checkins.handler(),
        *my_data.handlers(clients),
        *client_home.handlers(clients),
        reach.handler(),
        CallbackQueryHandler(cards.unknown_button),
        MessageHandler(filters.COMMAND, start.unknown_command),
        *notes.text_handlers(therapists),
    ]:
        application.add_handler(handler)  # type: ignore[arg-type]
    application.add_error_handler(on_error)  # type: ignore[arg-type]
    return application


async def prepare_database(settings: Settings, clock: Clock) -> Database:
    db = Database(settings.database_url)
    await db.migrate()
    async with db.unit_of_work() as uow:
        await uow.serialize(STARTUP_LOCK)  # two processes starting together queue one digest
        await uow.updates.forget_before(clock.now() - UPDATE_LOG_RETENTION)
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
    on_ready: Callable[[Application], None] | None = None,  # type: ignore[type-arg]
    receive_updates: bool = True,
) -> None:
    """Run until `stop` is set (or SIGINT/SIGTERM when run as a program).

    The dispatcher is woken every `dispatch_interval` seconds and at the next due time;
    None leaves it to the caller (tests move a frozen clock and run it themselves).
    Without `receive_updates` the process only sends what the outbox holds: Telegram lets one
    process poll a bot, but any number may share the sending (on PostgreSQL).
    """
    keep_contents_out_of_logs()
    if dispatch_interval == "settings":
        dispatch_interval = settings.dispatch_interval_seconds
    clock = clock or SystemClock()
    stop = stop or _stop_on_signals()
    db = await prepare_database(settings, clock)
    application = build_application(
        settings, db, clock, read_timeout=read_timeout, backoff_base=backoff_base
    )
    try:
        async with application:
            await application.start()
            await start.set_default_commands(application)
            if dispatch_interval is not None:
                assert application.job_queue is not None
                application.job_queue.run_repeating(
                    dispatch_job,
                    interval=dispatch_interval,
                    first=1.0,
                    name="dispatch",
                    data=dispatch_interval,
                )
            if on_ready is not None:
                on_ready(application)
            log.info("Aftercare is running as @%s", application.bot.username)
            if receive_updates:
                await poll(application, stop, poll_timeout=poll_timeout)
            else:
                await stop.wait()
            await application.stop()
    finally:
        await db.dispose()


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
    interval = float(context.job.data) if context.job and context.job.data else 30.0
    wait = await dispatcher.next_due_in()
    if wait is not None and wait.total_seconds() < interval and context.job_queue is not None:
        for job in context.job_queue.get_jobs_by_name("dispatch-next"):
            job.schedule_removal()
        context.job_queue.run_once(
            dispatch_job, when=wait.total_seconds() + 0.05, name="dispatch-next", data=interval
        )


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    return stop
