"""Asking a client for their time zone: buttons for common zones, a 📍 button that shares their
location, and an answer to whatever they type (a city, a country, a zone name, or an
abbreviation, which is never taken as a zone). Used after "I agree" and from /settings."""

from __future__ import annotations

import asyncio

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)

from bot.client.intake import after_joining
from bot.shared import cards, texts
from bot.shared.callbacks import Setting, ZoneChoice, parse
from bot.shared.context import Context
from practice.preferences import hhmm, local_clock, zones_to_offer
from practice.timezones import Found, clock_abbreviations, find_zone, known_zone, zone_at
from reminders.checkins import replan_client
from reminders.planning import preferences_of


def zone_keyboard(
    context: Context, zones: list[str] | None = None, *, back: bool = False, clocks: bool = False
) -> InlineKeyboardMarkup:
    """The common zones (the practice's first), or `zones`; with `clocks` each button names
    its clock ("MST all year"), for a client who typed an abbreviation."""
    services = context.services
    now = services.clock.now()
    practice = services.settings.practice_timezone
    buttons = [
        InlineKeyboardButton(
            texts.zone_button(
                zone,
                local_clock(zone, now),
                zone == practice,
                texts.clock_names(clock_abbreviations(zone, now)) if clocks else "",
            ),
            callback_data=ZoneChoice(zone).encode(),
        )
        for zone in (zones if zones is not None else zones_to_offer(practice))
    ]
    rows = cards.button_rows(buttons, columns=1 if clocks else 2)
    if back:  # from /settings, where the question can be left unanswered
        rows.append([InlineKeyboardButton(texts.BACK, callback_data=Setting("menu").encode())])
    return InlineKeyboardMarkup(rows)


def location_keyboard() -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        [[KeyboardButton(texts.LOCATION_BUTTON, request_location=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
        input_field_placeholder=texts.CITY_PLACEHOLDER,
    )


async def ask_zone(context: Context, chat_id: int, question: str, *, back: bool = False) -> None:
    """The question first, then the 📍 button on a message of its own (one message carries
    either a reply keyboard or inline buttons, and the question needs its buttons): the offer
    answers a question already asked, never one still to come."""
    await context.bot.send_message(
        chat_id, question, reply_markup=zone_keyboard(context, back=back)
    )
    await context.bot.send_message(chat_id, texts.LOCATION_OFFER, reply_markup=location_keyboard())


async def zone_button(update: Update, context: Context) -> None:
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None and query.message is not None
    button = parse(query.data)
    if not isinstance(button, ZoneChoice) or not known_zone(button.zone):
        await cards.answer(query, texts.STALE_BUTTON)
        return
    text = await set_zone(context, user.id, button.zone)
    await cards.answer(query)
    if text is None:
        return
    chat_id = query.message.chat.id
    # The question keeps what was picked; the confirmation comes as a message, the only way
    # to take the 📍 keyboard away.
    await cards.edit_card(
        context.bot, chat_id, query.message.message_id, texts.zone_chosen(button.zone), None
    )
    await context.bot.send_message(chat_id, text, reply_markup=ReplyKeyboardRemove())
    await after_joining(context, user.id, chat_id)


async def typed_zone(message: Message, context: Context, user_id: int) -> None:
    """The answer to a typed place while the zone question is open."""
    assert message.text is not None
    services = context.services
    lookup = await asyncio.to_thread(
        find_zone,
        message.text,
        now=services.clock.now(),
        home=services.settings.practice_timezone,
    )
    if lookup.zone is not None:
        await _confirm(message, context, user_id, await set_zone(context, user_id, lookup.zone))
        return
    if lookup.found is Found.ABBREVIATION:
        text = texts.zone_abbreviation(message.text.strip(), offered=bool(lookup.choices))
    elif lookup.found is Found.COUNTRY:
        text = texts.zone_country_choice(lookup.place)
    elif lookup.found is Found.CITY:
        text = texts.zone_city_choice(message.text.strip())
    else:
        text = texts.unknown_zone(message.text)
    keyboard = zone_keyboard(
        context,
        list(lookup.choices) if lookup.choices else None,
        clocks=lookup.found is Found.ABBREVIATION,
    )
    await message.reply_text(text, reply_markup=keyboard)


async def shared_location(update: Update, context: Context) -> None:
    """A client's location sets their zone; the coordinates are neither stored nor logged."""
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None and message.location is not None
    async with context.services.db.unit_of_work() as uow:
        client = await uow.clients.by_telegram_user(user.id)
    if client is None:
        await message.reply_text(texts.STRANGER)
        return
    place = message.location
    zone = await asyncio.to_thread(zone_at, place.latitude, place.longitude)
    if zone is None:
        await message.reply_text(texts.LOCATION_NO_ZONE)
        return
    await _confirm(message, context, user.id, await set_zone(context, user.id, zone))


async def _confirm(message: Message, context: Context, user_id: int, text: str | None) -> None:
    """The zone is set: say so, and a client who has just joined goes on to the intake."""
    if text is not None:
        await message.reply_text(text, reply_markup=ReplyKeyboardRemove())
        await after_joining(context, user_id, message.chat_id)


async def set_zone(context: Context, telegram_user_id: int, zone: str) -> str | None:
    """Store the zone and move queued reminders to the same local time in it; what to tell
    the client (None if they are no client)."""
    services = context.services
    async with services.db.unit_of_work() as uow:
        client = await uow.clients.by_telegram_user(telegram_user_id)
        if client is None:
            return None
        client.timezone = zone
        client.awaiting = None
        prefs = preferences_of(client, services.settings.practice_timezone)
        await replan_client(
            uow, client, now=services.clock.now(), fallback_zone=services.settings.practice_timezone
        )
        await uow.commit()
    return texts.zone_set(
        zone,
        *map(
            texts.Html,
            (local_clock(zone, services.clock.now()), hhmm(prefs.reminder_time), prefs.quiet_label),
        ),
    )
