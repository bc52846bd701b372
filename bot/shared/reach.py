"""Writing to people the bot does not hear from right now: therapists told of events, and
clients who may have blocked the bot (Telegram 403), who are then marked unreachable."""

from __future__ import annotations

import logging

from telegram import Bot, ChatMemberUpdated, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatMemberStatus
from telegram.error import BadRequest, Forbidden
from telegram.ext import ChatMemberHandler

from bot.shared import texts
from bot.shared.context import Context, Services
from practice.clock import Clock
from reminders.checkins import replan_client
from storage import Database

log = logging.getLogger(__name__)


def wake_dispatcher(context: Context) -> None:
    """Send what was just queued now rather than at the dispatcher's next tick (when one is
    running)."""
    queue = context.job_queue
    if queue is None:
        return
    ticks = queue.get_jobs_by_name("dispatch")
    if not ticks:
        return  # tests run the dispatcher themselves
    # The tick's own callback (bot/runtime/app.py's dispatch_job), run once now.
    tick = ticks[0]
    queue.run_once(tick.callback, when=0.05, name="dispatch-next", data=tick.data)


async def tell_therapist(bot: Bot, therapist_id: int, text: str) -> None:
    """A notice for a therapist; one they cannot receive is logged, never fatal."""
    await tell_therapist_with(bot, therapist_id, text, None)


async def tell_therapist_with(
    bot: Bot, therapist_id: int, text: str, keyboard: InlineKeyboardMarkup | None
) -> bool:
    """Whether it reached the therapist."""
    try:
        await bot.send_message(therapist_id, text, reply_markup=keyboard)
    except (Forbidden, BadRequest) as exc:
        log.warning("could not notify therapist %s: %s", therapist_id, type(exc).__name__)
        return False
    return True


async def send_to_client(
    services: Services,
    bot: Bot,
    telegram_user_id: int,
    text: str,
    keyboard: InlineKeyboardMarkup | None = None,
) -> Message | None:
    """Send to a client; on 403 the client is marked unreachable (and their therapist told)."""
    try:
        return await bot.send_message(telegram_user_id, text, reply_markup=keyboard)
    except Forbidden:
        await client_unreachable(services.db, services.clock, bot, telegram_user_id)
        return None


async def client_unreachable(db: Database, clock: Clock, bot: Bot, telegram_user_id: int) -> None:
    """The client blocked the bot: stop their reminders, and tell their therapist once."""
    async with db.unit_of_work() as uow:
        client = await uow.clients.by_telegram_user(telegram_user_id)
        if client is None or client.unreachable_at is not None:
            return
        client.unreachable_at = clock.now()
        await uow.outbox.cancel_pending(client_id=client.id)
        therapist_id, name = client.therapist_id, client.name
        await uow.commit()
    await tell_therapist(bot, therapist_id, texts.therapist_told_unreachable(name))


async def client_back(services: Services, telegram_user_id: int) -> None:
    """The client started the bot again: their reminders resume from now."""
    async with services.db.unit_of_work() as uow:
        client = await uow.clients.by_telegram_user(telegram_user_id)
        if client is not None and client.unreachable_at is not None:
            client.unreachable_at = None
            await replan_client(
                uow,
                client,
                now=services.clock.now(),
                fallback_zone=services.settings.practice_timezone,
            )
            await uow.commit()


async def on_membership(update: Update, context: Context) -> None:
    """Telegram tells the bot when a user blocks it (kicked) or starts it again (member)."""
    change: ChatMemberUpdated | None = update.my_chat_member
    if change is None or change.chat.type != "private":
        return
    user_id = change.chat.id
    if change.new_chat_member.status == ChatMemberStatus.BANNED:
        services = context.services
        await client_unreachable(services.db, services.clock, context.bot, user_id)
    elif change.new_chat_member.status == ChatMemberStatus.MEMBER:
        await client_back(context.services, user_id)


def handler() -> ChatMemberHandler[Context, None]:
    return ChatMemberHandler(on_membership, ChatMemberHandler.MY_CHAT_MEMBER)
