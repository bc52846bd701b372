"""The client's side of a visit: told of it in their own time zone, reminded before with three
answers (the message edited in place with theirs), and asked, when they need another time,
to say when suits them — relayed to the therapist with a one-tap booking when it reads, and
kept with the client's messages (the record, /mydata; /forgetme erases it). The booking's
notice (and their home) offer the visit as an .ics for their own calendar."""

from __future__ import annotations

from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler

from bot.client.previsit import previsit_card
from bot.shared import cards, texts
from bot.shared.callbacks import ClientCard, VisitAction, VisitReply, parse
from bot.shared.context import Context, Services
from bot.shared.reach import tell_therapist_with
from bot.shared.visits import (
    AWAITING,
    for_client,
    for_therapist,
    send_ics,
    to_minutes,
    when,
)
from practice.notes import InputError
from practice.visits import (
    OPEN_STATUSES,
    VisitStatus,
    check_bookable,
    local_time,
    parse_visit_time,
    start_utc,
)
from reminders.planning import preferences_of
from reminders.visits import withdraw
from reports.calendar import CalendarVisit
from reports.filenames import document_name
from storage.models import Client, ClientMessage, Delivery, Visit
from storage.repositories import (
    FROM_CLIENT,
    VISIT_BOOKED,
    VISIT_CANCELLED,
    VISIT_CHECK,
    VISIT_MOVED,
    VISIT_REMINDER,
)
from storage.unit_of_work import UnitOfWork

MAX_SUGGESTION = 300


def _zone(client: Client, fallback: str) -> str:
    return preferences_of(client, fallback).timezone


async def visit_message(
    uow: UnitOfWork, delivery: Delivery, visit: Visit, client: Client, fallback_zone: str
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The client's message about a visit (rendered by the dispatcher), in their own zone."""
    if delivery.kind == VISIT_CHECK:
        return await previsit_card(uow, visit, client, fallback_zone)
    therapist = await uow.therapists.get(visit.therapist_id)
    name = texts.therapist_name(therapist)
    at = for_client(visit.starts_at, _zone(client, fallback_zone), fallback_zone, name)
    if delivery.kind == VISIT_CANCELLED:
        return texts.visit_cancelled_notice(at, name), None
    if delivery.kind in (VISIT_BOOKED, VISIT_MOVED):
        notice = (
            texts.visit_moved_notice(at, name)
            if delivery.kind == VISIT_MOVED
            else texts.next_visit_notice(at, name)
        )
        # Booked inside the reminder's window, no reminder follows: the notice stands in for
        # it, answers and all, so the therapist still learns of a cancellation.
        reminded = await uow.outbox.waiting(VISIT_REMINDER, visit_id=visit.id)
        rows = [] if reminded else _answers(visit)
        return notice, InlineKeyboardMarkup([*rows, calendar_row(visit.id)])
    assert delivery.kind == VISIT_REMINDER
    return texts.visit_reminder(at, name), InlineKeyboardMarkup(_answers(visit))


def _answers(visit: Visit) -> list[list[InlineKeyboardButton]]:
    return [
        [InlineKeyboardButton(texts.I_WILL_BE_THERE, callback_data=_reply(visit, "y"))],
        [InlineKeyboardButton(texts.NEED_ANOTHER_TIME, callback_data=_reply(visit, "m"))],
        [InlineKeyboardButton(texts.CANT_COME, callback_data=_reply(visit, "n"))],
    ]


def calendar_row(visit_id: int) -> list[InlineKeyboardButton]:
    """[📆 Add to my calendar]: the visit's .ics, in the client's own zone."""
    data = VisitReply(visit_id, "c").encode()
    return [InlineKeyboardButton(texts.ADD_TO_CALENDAR, callback_data=data)]


async def next_visit_line(
    uow: UnitOfWork, client: Client, now: datetime, fallback_zone: str
) -> tuple[texts.Html, int] | None:
    """For the client's home: their next visit booked, and its id (for its calendar button)."""
    visit = await uow.visits.next_of_client(client.id, now, OPEN_STATUSES)
    if visit is None:
        return None
    therapist = await uow.therapists.get(visit.therapist_id)
    name = texts.therapist_name(therapist)
    at = for_client(visit.starts_at, _zone(client, fallback_zone), fallback_zone, name)
    confirmed = visit.status == VisitStatus.CONFIRMED
    return texts.next_visit_notice(at, name, confirmed), visit.id


async def _calendar_button(update: Update, context: Context, visit_id: int) -> None:
    """[📆 Add to my calendar]: the client's own visit as an .ics, its start as it is now (a
    moved visit's file moves the event: the same UID), in their zone, titled "Massage with
    Maya" and no more (a phone's calendar is no place for anything clinical)."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None and query.message is not None
    services = context.services
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        visit = await uow.visits.get_any(visit_id)
        client = await uow.clients.by_telegram_user(user.id)
        if visit is None or client is None or client.id != visit.client_id:
            await cards.answer(query, texts.VISIT_NOT_YOURS)
            return
        if visit.status not in OPEN_STATUSES or visit.starts_at <= now:
            await cards.answer(query, texts.VISIT_OVER)
            return
        therapist = await uow.therapists.get(visit.therapist_id)
    name = texts.therapist_name(therapist)
    zone = _zone(client, services.settings.practice_timezone)
    title = texts.client_calendar_event(name)
    event = CalendarVisit(visit.id, visit.starts_at, visit.minutes, title=title, alarm=title)
    await cards.answer(query)
    await send_ics(
        context.bot,
        query.message.chat.id,
        [event],
        zone,
        now=now,
        filename=document_name(name, "visit", local_time(visit.starts_at, zone).date(), "ics"),
        caption=texts.client_calendar_caption(name),
    )


def _reply(visit: Visit, answer: str) -> str:
    return VisitReply(visit.id, answer).encode()


async def reply_button(update: Update, context: Context) -> None:
    """The client's answer to a visit's reminder."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None and query.message is not None
    button = parse(query.data)
    if not isinstance(button, VisitReply):
        await cards.answer(query, texts.STALE_BUTTON)
        return
    if button.answer == "c":
        await _calendar_button(update, context, button.visit_id)
        return
    services = context.services
    fallback = services.settings.practice_timezone
    now = services.clock.now()
    chat_id, message_id = query.message.chat.id, query.message.message_id
    async with services.db.unit_of_work() as uow:
        visit = await uow.visits.get_any(button.visit_id)
        client = await uow.clients.by_telegram_user(user.id)
        if visit is None or client is None or client.id != visit.client_id:
            await cards.answer(query, texts.VISIT_NOT_YOURS)
            return
        # Only the reminder (or the notice standing in for it) for the visit's start as it is
        # now: a moved visit's old reminder (its buttons) no longer speaks for it.
        current = await uow.visits.reminder_message(visit.id, visit.starts_at)
        if visit.status not in OPEN_STATUSES or visit.starts_at <= now or current != message_id:
            await cards.answer(query, texts.VISIT_NO_LONGER)
            await cards.strip_buttons(context.bot, chat_id, message_id)
            return
        therapist = await uow.therapists.get(visit.therapist_id)
        therapist_name = texts.therapist_name(therapist, start=True)
        zone = _zone(client, fallback)
        own = for_client(visit.starts_at, zone, fallback, therapist_name)
        elsewhere = own != when(visit.starts_at, zone)  # the practice's time named too
        theirs = for_therapist(visit.starts_at, fallback, zone)
        if button.answer == "y":
            visit.status = VisitStatus.CONFIRMED
        elif button.answer == "n":
            visit.status = VisitStatus.CANCELLED_BY_CLIENT
            await withdraw(uow, visit, client, now, fallback)
        else:
            visit.status = VisitStatus.CHANGE_REQUESTED
            client.awaiting = f"{AWAITING}{visit.id}"
        visit.updated_at = now
        therapist_id, client_id, name = visit.therapist_id, client.id, client.name
        await uow.commit()
    await cards.answer(query)
    await cards.edit_card(
        context.bot,
        chat_id,
        message_id,
        texts.reminder_answered(own, therapist_name, button.answer, elsewhere),
        None,
    )
    # A confirmation shows on /today; a change or a cancellation is told at once.
    if button.answer == "n":
        await _tell(context, therapist_id, client_id, name, texts.client_cannot_come(name, theirs))
    elif button.answer == "m":
        await _tell(
            context, therapist_id, client_id, name, texts.client_needs_another_time(name, theirs)
        )


async def _tell(
    context: Context,
    therapist_id: int,
    client_id: int,
    name: str,
    text: str,
    extra: list[list[InlineKeyboardButton]] | None = None,
) -> bool:
    card = [InlineKeyboardButton(f"👤 {name}", callback_data=ClientCard(client_id).encode())]
    keyboard = InlineKeyboardMarkup([*(extra or []), card])
    return await tell_therapist_with(context.bot, therapist_id, text, keyboard)


async def other_time_answer(update: Update, context: Context, client: Client) -> bool:
    """A typed message while the client is asked when suits them; False if nothing asks.
    It is a question of its own: it is read here before any other handling of free text."""
    message = update.effective_message
    assert message is not None and message.text is not None
    awaiting = client.awaiting or ""
    if not awaiting.startswith(AWAITING) or not awaiting[len(AWAITING) :].isdigit():
        return False
    services: Services = context.services
    practice_zone = services.settings.practice_timezone
    now = services.clock.now()
    typed = " ".join(message.text.split())
    if len(typed) > MAX_SUGGESTION:
        await message.reply_text(texts.too_long(len(typed), MAX_SUGGESTION))
        return True
    async with services.db.unit_of_work() as uow:
        fresh = await uow.clients.get(client.therapist_id, client.id)
        visit = await uow.visits.get_any(int(awaiting[len(AWAITING) :]))
        if fresh is None:
            return False
        fresh.awaiting = None
        if visit is None or visit.client_id != client.id or visit.status not in OPEN_STATUSES:
            await uow.commit()
            return False
        if not await uow.updates.claim(update.update_id, now):
            return True  # Telegram delivered it again: relayed and kept already
        # The client's words to the therapist, kept with the record like any message.
        kept = await uow.messages.add(
            ClientMessage(
                therapist_id=visit.therapist_id,
                client_id=fresh.id,
                direction=FROM_CLIENT,
                text=typed,
                created_at=now,
            )
        )
        therapist = await uow.therapists.get(visit.therapist_id)
        therapist_name = texts.therapist_name(therapist, start=True)
        # Read in the client's own zone, as they meant it; booked in the practice's.
        client_zone = _zone(fresh, practice_zone)
        start = None
        try:
            local = parse_visit_time(
                typed, local_time(now, client_zone), local_time(visit.starts_at, client_zone).time()
            )
            start = start_utc(local, client_zone)
            check_bookable(start, now)
        except InputError:
            start = None
        visit_id, therapist_id, name = visit.id, visit.therapist_id, fresh.name
        old = for_therapist(visit.starts_at, practice_zone, client_zone)
        await uow.commit()
    await message.reply_text(texts.other_time_sent(therapist_name))
    extra = []
    read_as = None
    if start is not None:
        read_as = for_therapist(start, practice_zone, client_zone)
        data = VisitAction(visit_id, "b", to_minutes(start)).encode()
        label = texts.book_this(when(start, practice_zone))
        extra.append([InlineKeyboardButton(label, callback_data=data)])
    move = VisitAction(visit_id, "m").encode()
    extra.append([InlineKeyboardButton(texts.MOVE_VISIT, callback_data=move)])
    relayed = await _tell(
        context,
        therapist_id,
        client.id,
        name,
        texts.client_suggests(name, old, typed, read_as),
        extra,
    )
    if relayed:
        async with services.db.unit_of_work() as uow:
            await uow.messages.delivered_one(kept.id, services.clock.now())
            await uow.commit()
    return True


def handler() -> CallbackQueryHandler[Context, None]:
    return CallbackQueryHandler(reply_button, pattern=VisitReply.pattern())
