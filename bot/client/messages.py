"""What a client writes to their therapist outside any question, relayed through the outbox,
and the therapist's replies as the client sees them.

A typed message reaches this only when no question is waiting for it (bot/client/home.py's
`client_text` asks each question in progress first: a check-in comment, a pause date, a time
zone); a photo, a video or a file is read for its caption (the comment of a check-in that
waits for one, else a message). The words are kept
(`client_messages`) in the same transaction as the update id and the outbox row that carries
them, so a redelivered update relays nothing twice and a 429, a 5xx or a restart loses
nothing. When the therapist muted the client outside working hours, or the client has just
sent many messages in a row (practice/messages.py), the row waits; what the client writes
meanwhile joins it, and the client is told once when it will arrive.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import Message, Update
from telegram.ext import MessageHandler, filters

from bot.client.checkins import check_in_comment
from bot.shared import texts
from bot.shared.context import Context, Handler, Services
from bot.shared.reach import wake_dispatcher
from practice.messages import WINDOW, gathers, paced_until
from practice.notes import MAX_TEXT_LENGTH
from practice.timezones import zone_clock
from storage.models import Client, ClientMessage
from storage.repositories import FROM_CLIENT, RELAY, Outbox
from storage.unit_of_work import UnitOfWork


async def relay_from_client(
    update: Update, context: Context, client: Client, text: str, media: str | None = None
) -> None:
    """Keep the client's words and queue them for their therapist; tell the client what
    happens to them."""
    message = update.effective_message
    assert message is not None
    words = text.strip()
    if len(words) > MAX_TEXT_LENGTH:
        await message.reply_text(texts.too_long(len(words), MAX_TEXT_LENGTH, sent=True))
        return
    services = context.services
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        fresh = await uow.clients.get(client.therapist_id, client.id)
        therapist = await uow.therapists.get(client.therapist_id)
        if fresh is None or therapist is None or fresh.forgotten_at is not None:
            return
        if not await uow.updates.claim(update.update_id, now):
            return  # Telegram delivered it again: relayed already
        due, notice = await _queue(uow, services, fresh, words, media, now)
        name = therapist.display_name
        await uow.commit()
    wake_dispatcher(context)
    at = _moment(services, client, due, now) if due > now else None
    if notice == "hours" and at is not None:
        reply = texts.will_see_in_hours(name, _hours_label(services, client), at)
    elif notice == "paced" and at is not None:
        reply = texts.paced(name, at)
    elif at is not None:
        reply = texts.goes_with_earlier(at)
    elif media is not None:
        reply = texts.media_relayed(name, texts.Html(media))
    else:
        reply = texts.sent_to(name)
    if media is not None and at is not None:
        reply += "\n" + texts.media_relayed(name, texts.Html(media))
    await message.reply_text(reply)


async def _queue(
    uow: UnitOfWork,
    services: Services,
    client: Client,
    words: str,
    media: str | None,
    now: datetime,
) -> tuple[datetime, str | None]:
    """The message kept and given an outbox row: one already waiting (held or paced) takes
    it while there is room, else a new one. When it goes, and what to tell the client once
    ("hours", "paced") when a new row waits."""
    recent = await uow.messages.relayed_since(client.id, now - WINDOW)
    kept = await uow.messages.add(
        ClientMessage(
            therapist_id=client.therapist_id,
            client_id=client.id,
            direction=FROM_CLIENT,
            text=words,
            media=media,
            created_at=now,
        )
    )
    waiting = await uow.messages.waiting_relay(client.id)
    if waiting is not None and gathers(waiting[1], waiting[2], words):
        kept.delivery_id = waiting[0].id
        return waiting[0].due_at, None
    due, notice = now, None
    hours = services.settings.hours
    held = hours.next_start(now, services.settings.practice_timezone) if hours else None
    if client.messages_in_hours and held is not None:
        due, notice = held, "hours"
    else:
        later = paced_until(recent, now)
        if later is not None:
            due, notice = later, "paced"
    if waiting is not None:  # full: the next row goes after it
        due = max(due, waiting[0].due_at)
    therapist_chat = client.therapist_id
    delivery = await uow.outbox.add(
        Outbox.pending(
            RELAY,
            chat_id=therapist_chat,
            day=due.astimezone(services.settings.tz).date(),
            due_at=due,
            now=now,
        )
    )
    kept.delivery_id = delivery.id
    return due, notice


def _moment(services: Services, client: Client, at: datetime, now: datetime) -> texts.Html:
    """ "Thu 26 Nov, 09:00" where the client is."""
    zone = ZoneInfo(client.timezone or services.settings.practice_timezone)
    local = at.astimezone(zone)
    day = texts.long_date(local.date(), now.astimezone(zone).date())
    return texts.Html(f"{day}, {local:%H:%M}")


def _hours_label(services: Services, client: Client) -> texts.Html:
    """The working hours, saying whose clock they are on when it is not the client's."""
    hours = services.settings.hours
    assert hours is not None
    label = hours.label()
    practice = services.settings.practice_timezone
    if (client.timezone or practice) != practice:
        label += f" {zone_clock(practice)}"
    return texts.Html(label)


async def reply_text(uow: UnitOfWork, message: ClientMessage, client: Client) -> str:
    """The therapist's reply as the client sees it: from their therapist, by name."""
    therapist = await uow.therapists.get(message.therapist_id)
    name = texts.therapist_name(therapist, start=True)
    return texts.from_therapist(name, message.text)


def _kind(message: Message) -> str:
    """What the client sent besides words, as the client would call it."""
    if message.photo:
        return "photo"
    if message.animation is not None:  # a GIF is a document too: asked first
        return "GIF"
    if message.video is not None:
        return "video"
    if message.video_note is not None:
        return "video message"
    if message.sticker is not None:
        return "sticker"
    if message.document is not None:
        return "file"
    return "attachment"


async def client_media(update: Update, context: Context) -> None:
    """A photo, a video, a file or a sticker outside any question: its caption is relayed as
    the client's words (the thing itself is neither passed on nor kept: the bot keeps words,
    not pictures of bodies); without a caption the client is told nothing was sent."""
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    async with context.services.db.unit_of_work() as uow:
        client = await uow.clients.by_telegram_user(user.id)
        therapist = await uow.therapists.get(client.therapist_id) if client else None
    if client is None or therapist is None:
        await message.reply_text(texts.STRANGER)
        return
    kind = _kind(message)
    if not (message.caption or "").strip():
        await message.reply_text(texts.media_not_relayed(therapist.display_name, texts.Html(kind)))
        return
    # A check-in waiting for its comment takes the caption as the comment, as it takes words.
    if await check_in_comment(update, context, client, media=kind):
        return
    await relay_from_client(update, context, client, message.caption or "", media=kind)


def handlers(clients: filters.BaseFilter) -> list[Handler]:
    media = filters.PHOTO | filters.VIDEO | filters.VIDEO_NOTE | filters.ANIMATION
    media |= filters.Sticker.ALL | filters.Document.ALL
    private_new = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    return [MessageHandler(clients & private_new & media, client_media)]
