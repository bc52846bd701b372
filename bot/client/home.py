"""What a client sees: their home, help, settings (time zone, reminder time, quiet hours);
and what they type: the answer to a question in progress, else a message for their therapist."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.client.checkins import check_in_comment
from bot.client.intake import intake_text, on_home
from bot.client.joining import open_invite
from bot.client.messages import relay_from_client
from bot.client.visits import calendar_row, next_visit_line, other_time_answer
from bot.client.zones import ask_zone, shared_location, typed_zone, zone_button
from bot.shared import cards, letter_details, texts
from bot.shared.callbacks import Setting, ZoneChoice, parse
from bot.shared.context import Context, Handler, Services
from bot.shared.exercises import exercise_card, homework_section
from bot.shared.reach import client_back
from practice.exercises import ExerciseCard, client_dose
from practice.notes import InputError, parse_session_date
from practice.plans import HomeworkStatus
from practice.preferences import (
    QUIET_CHOICES,
    REMINDER_TIME_CHOICES,
    Preferences,
    decode_time,
    encode_time,
    hhmm,
    quiet_label,
)
from practice.schedules import to_utc
from reminders.checkins import replan_client
from reminders.planning import preferences_of, quiet_hours_of, schedule_of
from reminders.visits import replan_visits
from storage.models import Client, HomeworkAssignment
from storage.repositories import HOMEWORK, SNOOZE
from storage.unit_of_work import UnitOfWork

THERAPIST_COMMANDS = [
    "note",
    "cancel",
    "history",
    "clients",
    "invite",
    "plan",
    "exercise",
    "export",
    "book",
    "today",
    "week",
    "calendar",
]


def _preferences(services: Services, client: Client) -> Preferences:
    return preferences_of(client, services.settings.practice_timezone)


async def client_start(update: Update, context: Context) -> None:
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    if context.args:
        await open_invite(update, context, context.args[0])
        return
    services = context.services
    async with services.db.unit_of_work() as uow:
        client = await uow.clients.by_telegram_user(user.id)
        therapist = await uow.therapists.get(client.therapist_id) if client else None
    if client is None or therapist is None:
        await message.reply_text(texts.STRANGER)
        return
    await client_back(services, user.id)
    prefs = _preferences(services, client)
    quiet = quiet_hours_of(prefs)
    given = await _homework_of(services, client)
    homework = [
        texts.Html(
            texts.homework_line(
                card.name, client_dose(h.dose), schedule_of(h).describe(quiet), False
            )
        )
        for h, card in given
    ]
    coming = None
    async with services.db.unit_of_work() as uow:
        upcoming = await uow.outbox.upcoming(client.id, 1, kinds=(HOMEWORK, SNOOZE))
        plan = await uow.plans.current(client.therapist_id, client.id)
        visit = await next_visit_line(
            uow, client, services.clock.now(), services.settings.practice_timezone
        )
    names = {h.id: card.name for h, card in given}
    if upcoming and upcoming[0].assignment_id in names:
        zone = ZoneInfo(prefs.timezone)
        at = upcoming[0].due_at.astimezone(zone)
        day = texts.long_date(at.date(), services.clock.now().astimezone(zone).date())
        coming = texts.next_reminder(
            texts.Html(f"{day}, {at:%H:%M}"), names[upcoming[0].assignment_id]
        )
    home = texts.client_home(
        client.name,
        therapist.display_name,
        prefs.timezone,
        texts.Html(hhmm(prefs.reminder_time)),
        texts.Html(prefs.quiet_label),
        homework,
        coming,
        (plan.complaint, plan.goal) if plan is not None else None,
        visit[0] if visit is not None else None,
    )
    # The next visit's [📆 Add to my calendar], under the intake's own buttons if it waits.
    rows = [calendar_row(visit[1])] if visit is not None else []
    intake = await on_home(context, client)
    if intake is not None:
        line, keyboard = intake
        home = f"{home}\n\n{line}"
        rows = [*(list(row) for row in keyboard.inline_keyboard), *rows]
    await message.reply_text(home, reply_markup=InlineKeyboardMarkup(rows) if rows else None)


async def client_help(update: Update, context: Context) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(texts.CLIENT_HELP)


async def _homework_of(
    services: Services, client: Client
) -> list[tuple[HomeworkAssignment, ExerciseCard]]:
    """The client's active homework with its exercises (their therapist's own included)."""
    async with services.db.unit_of_work() as uow:
        out = []
        for item in await uow.homework.current(client.therapist_id, client.id):
            card = await exercise_card(uow, client.therapist_id, item.exercise_code)
            if item.status == HomeworkStatus.ACTIVE and card is not None:
                out.append((item, card))
        return out


async def client_homework(update: Update, context: Context) -> None:
    """The client's current exercises, each with its full instructions."""
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    async with context.services.db.unit_of_work() as uow:
        client = await uow.clients.by_telegram_user(user.id)
        therapist = await uow.therapists.get(client.therapist_id) if client else None
    if client is None or therapist is None:
        await message.reply_text(texts.STRANGER)
        return
    homework = await _homework_of(context.services, client)
    if not homework:
        await message.reply_text(texts.CLIENT_NO_HOMEWORK)
        return
    quiet = quiet_hours_of(_preferences(context.services, client))
    sections = [texts.Html(homework_section(h, card, quiet=quiet)) for h, card in homework]
    header = texts.Html(texts.your_homework(therapist.display_name))
    for chunk in texts.chunks(header, sections):
        await message.reply_text(chunk)


async def client_wrong_command(update: Update, context: Context) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(texts.CLIENT_WRONG_COMMAND)


def _settings_view(services: Services, client: Client) -> tuple[str, InlineKeyboardMarkup]:
    prefs = _preferences(services, client)
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.SETTINGS_REMINDER_TIME, callback_data=Setting("rt").encode()
                )
            ],
            [InlineKeyboardButton(texts.SETTINGS_QUIET, callback_data=Setting("qh").encode())],
            [InlineKeyboardButton(texts.SETTINGS_TIMEZONE, callback_data=Setting("tz").encode())],
        ]
    )
    text = texts.settings_card(
        prefs.timezone, texts.Html(hhmm(prefs.reminder_time)), texts.Html(prefs.quiet_label)
    )
    return text, keyboard


async def client_settings(update: Update, context: Context) -> None:
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    async with context.services.db.unit_of_work() as uow:
        client = await uow.clients.by_telegram_user(user.id)
        if client is not None and client.timezone is not None:
            client.awaiting = None  # a fresh /settings leaves any half-asked question
            await uow.commit()
    if client is None:
        await message.reply_text(texts.STRANGER)
        return
    text, keyboard = _settings_view(context.services, client)
    await message.reply_text(text, reply_markup=keyboard)


def _choices(setting: str, options: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(label, callback_data=Setting(setting, value).encode())
        for label, value in options
    ]
    rows = cards.button_rows(buttons)
    rows.append([InlineKeyboardButton(texts.BACK, callback_data=Setting("menu").encode())])
    return InlineKeyboardMarkup(rows)


async def settings_button(update: Update, context: Context) -> None:
    """Every settings tap acts on the presser's own record: the data names no client."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None and query.message is not None
    button = parse(query.data)
    if not isinstance(button, Setting):
        await cards.answer(query, texts.STALE_BUTTON)
        return
    services = context.services
    chat_id, card = query.message.chat.id, query.message.message_id
    keyboard: InlineKeyboardMarkup | None
    async with services.db.unit_of_work() as uow:
        client = await uow.clients.by_telegram_user(user.id)
        if client is None:
            await cards.answer(query, texts.STRANGER_TAP, alert=True)
            return
        text: str | None = None
        if button.name == "rt" and not button.value:
            text = texts.PICK_REMINDER_TIME
            keyboard = _choices("rt", [(hhmm(t), encode_time(t)) for t in REMINDER_TIME_CHOICES])
        elif button.name == "qh" and not button.value:
            text = texts.PICK_QUIET
            options = [
                (quiet_label(s, e), encode_time(s) + encode_time(e)) for s, e in QUIET_CHOICES
            ]
            keyboard = _choices("qh", [*options, (texts.QUIET_NONE, "off")])
        elif button.name == "pz" and button.value in ("1d", "1w"):
            days = 1 if button.value == "1d" else 7
            text = await _pause(context, client, services.clock.now() + timedelta(days=days), uow)
            keyboard = None
        elif button.name == "pz" and button.value == "date":
            client.awaiting = "pause_until"
            text, keyboard = texts.PAUSE_TYPE_DATE, None
        elif button.name == "tz":
            client.awaiting = "timezone"
        elif button.name == "rt" and (chosen := decode_time(button.value)):
            client.reminder_time = chosen
        elif button.name == "qh" and button.value == "off":
            client.quiet_start = client.quiet_end = time(0, 0)
        elif button.name == "qh" and (span := _quiet_span(button.value)):
            client.quiet_start, client.quiet_end = span
        elif button.name != "menu":
            await cards.answer(query, texts.STALE_BUTTON)
            return
        if button.name in ("qh", "rt") and button.value:
            await replan_client(
                uow,
                client,
                now=services.clock.now(),
                fallback_zone=services.settings.practice_timezone,
            )
        if button.name not in ("tz", "pz"):
            client.awaiting = None  # any other settings tap leaves a half-asked question
        if text is None and button.name != "tz":
            text, keyboard = _settings_view(services, client)
        await uow.commit()
    await cards.answer(query)
    if text is None:  # the zone question comes as new messages, with the 📍 keyboard
        await ask_zone(context, chat_id, texts.CHANGE_TIMEZONE, back=True)
        return
    await cards.edit_card(context.bot, chat_id, card, text, keyboard)


def _quiet_span(value: str) -> tuple[time, time] | None:
    start, end = decode_time(value[:4]), decode_time(value[4:])
    if start is None or end is None or (start, end) not in QUIET_CHOICES:
        return None
    return start, end


def _pause_keyboard() -> InlineKeyboardMarkup:
    def option(label: str, value: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(label, callback_data=Setting("pz", value).encode())

    return InlineKeyboardMarkup(
        [
            [option(texts.PAUSE_DAY, "1d"), option(texts.PAUSE_WEEK, "1w")],
            [option(texts.PAUSE_DATE, "date")],
        ]
    )


async def client_pause(update: Update, context: Context) -> None:
    message = update.effective_message
    assert message is not None
    await message.reply_text(texts.PAUSE_ASK, reply_markup=_pause_keyboard())


async def _pause(context: Context, client: Client, until: datetime, uow: UnitOfWork) -> str:
    """Pause the client's messages until `until`; what to tell them."""
    services = context.services
    client.paused_until = until
    client.awaiting = None
    await replan_client(
        uow, client, now=services.clock.now(), fallback_zone=services.settings.practice_timezone
    )
    tz = ZoneInfo(_preferences(services, client).timezone)
    local, today = until.astimezone(tz), services.clock.now().astimezone(tz).date()
    if local.time() == time(0):  # to the end of a day the client named: say that day
        last = local.date() - timedelta(days=1)
        return texts.paused_through(
            texts.long_date(last, today), texts.long_date(local.date(), today)
        )
    return texts.paused_until(texts.Html(f"{texts.long_date(local.date(), today)}, {hhmm(local)}"))


async def client_stop(update: Update, context: Context) -> None:
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    services = context.services
    async with services.db.unit_of_work() as uow:
        client = await uow.clients.by_telegram_user(user.id)
        if client is None:
            return
        client.stopped_at = services.clock.now()
        await uow.outbox.cancel_pending(client_id=client.id)
        await uow.commit()
    await message.reply_text(texts.STOPPED)


async def client_resume(update: Update, context: Context) -> None:
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    services = context.services
    async with services.db.unit_of_work() as uow:
        client = await uow.clients.by_telegram_user(user.id)
        if client is None:
            return
        now = services.clock.now()
        stopped = client.stopped_at is not None
        was_quiet = stopped or (client.paused_until is not None and client.paused_until > now)
        client.stopped_at = None
        client.paused_until = None
        zone = services.settings.practice_timezone
        await replan_client(uow, client, now=now, fallback_zone=zone)
        if stopped:
            # /stop withdrew every visit's messages, and a visit booked since told nobody:
            # each visit ahead gets what the client was not sent of it yet.
            await replan_visits(
                uow,
                client,
                now=now,
                reminder_hours=services.settings.visit_reminder_hours,
                fallback_zone=zone,
            )
        await uow.commit()
    await message.reply_text(texts.RESUMED if was_quiet else texts.NOTHING_TO_RESUME)


async def client_text(update: Update, context: Context) -> None:
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None and message.text is not None
    async with context.services.db.unit_of_work() as uow:
        client = await uow.clients.by_telegram_user(user.id)
    if client is None:
        await message.reply_text(texts.STRANGER)
        return
    if await check_in_comment(update, context, client):
        return
    if await letter_details.typed(update, context, client):
        return
    if await other_time_answer(update, context, client):
        return
    if client.awaiting == "pause_until":
        services = context.services
        tz = ZoneInfo(_preferences(services, client).timezone)
        today = services.clock.now().astimezone(tz).date()
        try:
            last_day = parse_session_date(message.text, today, future_days=366, past_days=0)
        except InputError as exc:
            await message.reply_text(texts.bad_pause_date(str(exc)))
            return
        # To the end of that day, where the client is.
        until = to_utc(datetime.combine(last_day + timedelta(days=1), time(0)), tz)
        async with services.db.unit_of_work() as uow:
            fresh = await uow.clients.by_telegram_user(user.id)
            assert fresh is not None
            reply = await _pause(context, fresh, until, uow)
            await uow.commit()
        await message.reply_text(reply)
        return
    if client.awaiting == "timezone":
        await typed_zone(message, context, user.id)
        return
    # An intake question waiting comes before any other reading of free text.
    if await intake_text(update, context, client):
        return
    # No question waits for it (each question in progress is asked above, and a new one goes
    # above too): the client's words are for their therapist.
    await relay_from_client(update, context, client, message.text)


def handlers(clients: filters.BaseFilter) -> list[Handler]:
    """`clients` matches everyone who is not a therapist (the gate let only clients and people
    with an invite link through)."""
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("start", client_start, filters=clients),
        CommandHandler("help", client_help, filters=clients),
        CommandHandler("homework", client_homework, filters=clients),
        CommandHandler("settings", client_settings, filters=clients),
        CommandHandler("pause", client_pause, filters=clients),
        CommandHandler("stop", client_stop, filters=clients),
        CommandHandler("resume", client_resume, filters=clients),
        CommandHandler(THERAPIST_COMMANDS, client_wrong_command, filters=clients),
        CallbackQueryHandler(settings_button, pattern=Setting.pattern()),
        CallbackQueryHandler(zone_button, pattern=ZoneChoice.pattern()),
        MessageHandler(
            clients & private & filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND,
            client_text,
        ),
        MessageHandler(
            clients & private & filters.UpdateType.MESSAGE & filters.LOCATION, shared_location
        ),
    ]
