"""The therapist's clients: a paged list, a search by typing a name, and each client's card
with what to do next (a note, an invite link, the history)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.shared import cards, texts
from bot.shared.bounded import TEXT_LIMIT, fit
from bot.shared.callbacks import (
    CardAction,
    CheckInRhythm,
    ClientCard,
    ClientsPage,
    ExportFor,
    ProgressOf,
    handler_pattern,
    parse,
)
from bot.shared.clocks import homework_clock, other_clock
from bot.shared.context import Context, Handler
from bot.shared.exercises import UNLISTED, exercise_name
from bot.shared.forms.handlers import start_form
from bot.shared.intake import intake_of
from bot.therapist.amend import amend_buttons, amendment_marks
from bot.therapist.care import show_homework, show_plan
from bot.therapist.client_search import client_buttons
from bot.therapist.history import show_history
from bot.therapist.intake import card_line, show_intake
from bot.therapist.invites import send_invite
from bot.therapist.notes.handlers import start_note_for
from bot.therapist.referrals import refer_button_for, referral_view
from bot.therapist.visits import next_visit_view, start_booking
from practice.adherence import ADHERENCE_WINDOW_DAYS, Adherence
from practice.checkins import RHYTHMS, check_in_summary, describe_rhythm
from practice.numbers import percent
from practice.plans import HomeworkStatus, where_in_plan
from practice.timezones import zone_clock
from reminders.checkins import resume_check_ins
from reports.progress import answered_under_plan
from storage.repositories import HOMEWORK, SNOOZE

PAGE_SIZE = 8
CARD_NOTES = 3
_LAST = (
    f"in the last {ADHERENCE_WINDOW_DAYS // 7} weeks"
    if ADHERENCE_WINDOW_DAYS % 7 == 0
    else f"in the last {ADHERENCE_WINDOW_DAYS} days"
)


async def _list_page(
    context: Context, therapist_id: int, offset: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    async with context.services.db.unit_of_work() as uow:
        clients, total = await uow.clients.page(therapist_id, offset=offset, limit=PAGE_SIZE)
        if total and offset >= total:
            offset = (total - 1) // PAGE_SIZE * PAGE_SIZE
            clients, total = await uow.clients.page(therapist_id, offset=offset, limit=PAGE_SIZE)
    if not total:
        return texts.CLIENTS_EMPTY, None
    nav = []
    if offset > 0:
        nav.append(
            InlineKeyboardButton(
                texts.NEWER, callback_data=ClientsPage(max(offset - PAGE_SIZE, 0)).encode()
            )
        )
    if offset + PAGE_SIZE < total:
        nav.append(
            InlineKeyboardButton(
                texts.OLDER, callback_data=ClientsPage(offset + PAGE_SIZE).encode()
            )
        )
    header = texts.clients_header(offset + 1, offset + len(clients), total)
    return header, client_buttons(clients, nav)


async def clients_command(update: Update, context: Context) -> None:
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    text, keyboard = await _list_page(context, user.id, 0)
    await message.reply_text(text, reply_markup=keyboard)


def _both_windows(recent: Adherence, overall: Adherence, since: str) -> str:
    """ "4 of 14 days in the last 2 weeks (29 %) · 11 of 37 since the plan began (30 %)":
    each figure names its window; one figure when the two windows hold the same days."""
    if recent == overall:
        return _named(overall, since)  # it was given (or the plan began) under 2 weeks ago
    return f"{_named(recent, _LAST)} · {_named(overall, since)}"


def _named(adherence: Adherence, window: str) -> str:
    """ "4 of 14 days in the last 2 weeks (29 %)", or "nothing due yet in the last 2 weeks"."""
    if adherence.share is None:
        return f"nothing due yet {window}"
    done = min(adherence.done, adherence.due)
    return f"{done} of {adherence.due} days {window} ({percent(adherence.share)})"


@dataclass(frozen=True)
class Card:
    """A client's card: its text, its first buttons, and the rest (behind More)."""

    text: str
    keyboard: InlineKeyboardMarkup
    more: InlineKeyboardMarkup


async def _card(context: Context, therapist_id: int, client_id: int) -> Card | None:
    services = context.services
    async with services.db.unit_of_work() as uow:
        client = await uow.clients.get(therapist_id, client_id)
        if client is None:
            return None
        page = await uow.notes.page(therapist_id, client.id, offset=0, limit=CARD_NOTES)
        marks = await amendment_marks(uow, page.notes, services.today(), services.settings.tz)
        plan = await uow.plans.current(therapist_id, client.id)
        done = (
            await uow.plans.sessions_since(therapist_id, client.id, plan.start_date) if plan else 0
        )
        answered = await answered_under_plan(uow, therapist_id, client.id, plan.id) if plan else []
        homework = await uow.homework.current(therapist_id, client.id)
        names = [await exercise_name(uow, therapist_id, h.exercise_code) for h in homework]
        days = await uow.records.homework_days([h.id for h in homework])
        check_ins = await uow.check_ins.recent(client.id, 3)
        referrals, letters = await referral_view(uow, therapist_id, client.id, services.settings.tz)
        upcoming = await uow.outbox.upcoming(client.id, 2, kinds=(HOMEWORK, SNOOZE))
        visit_lines, visit_rows = await next_visit_view(
            uow, therapist_id, client, services.clock.now(), services.settings.practice_timezone
        )
        name_of: dict[int | None, str] = dict(zip((h.id for h in homework), names, strict=True))
        upcoming_names = [name_of.get(d.assignment_id, UNLISTED) for d in upcoming]
        intake_line = card_line(
            await intake_of(uow, client.id, services.settings.practice_timezone)
        )
    today = services.today()
    if client.telegram_user_id is None:
        joined = "Not on the bot yet — send them an invite link."
    elif client.unreachable_at is not None:
        joined = "📱 On the bot, but has blocked it: nothing is sent to them."
    else:
        assert client.joined_at is not None
        day = client.joined_at.astimezone(services.settings.tz).date()
        joined = f"📱 On the bot since {texts.long_date(day, today)}."
        theirs, practice_zone = client.timezone, services.settings.practice_timezone
        if theirs and other_clock(services.clock.now(), theirs, practice_zone) is not None:
            joined += f" 🌍 On {texts.esc(zone_clock(theirs))}."
        if client.stopped_at is not None:
            joined += " ⏹ Has stopped all messages (until they /resume)."
        elif client.paused_until is not None and client.paused_until > services.clock.now():
            until = client.paused_until.astimezone(services.settings.tz).date()
            joined += f" ⏸ Paused until {texts.long_date(until, today)}."
    # Two windows, both named on the card: the last two weeks, and the plan's (as /progress
    # counts it) or, without a plan, each exercise's whole life (as the export counts it).
    window_start = today - timedelta(days=ADHERENCE_WINDOW_DAYS - 1)
    since_plan = plan.start_date if plan else None
    notes_line = f"{page.total} session note{'s' if page.total != 1 else ''}."
    plan_line = (
        f"📋 {texts.esc(plan.goal)} — "
        + where_in_plan(done, plan.expected_sessions, plan.reevaluate_after, answered)
        if plan
        else "📋 " + texts.NO_PLAN
    )
    if homework:
        since = "since the plan began" if plan else "since it was given"
        lines = ["🧘 Homework — days done of the days due:"]
        for name, item in zip(names, homework, strict=True):
            state = " (paused)" if item.status == HomeworkStatus.PAUSED else ""
            recent = days.adherence(assignment_id=item.id, since=window_start)
            overall = days.adherence(assignment_id=item.id, since=since_plan)
            lines.append(f"• {texts.esc(name)}{state}: {_both_windows(recent, overall, since)}")
        if len(homework) > 1:
            both = _both_windows(
                days.adherence(since=window_start),
                days.adherence(since=since_plan),
                since if plan else "since each was given",
            )
            lines.append(f"• Overall: {both}")
        practice_zone = services.settings.practice_timezone
        client_zone = client.timezone or practice_zone
        for delivery, name in zip(upcoming, upcoming_names, strict=True):
            day = delivery.due_at.astimezone(ZoneInfo(client_zone)).date()
            clock = homework_clock(delivery.due_at, client_zone, practice_zone)
            lines.append(f"⏭ Next: {texts.esc(name)}, {texts.long_date(day, today)} {clock}")
        homework_line = "\n".join(lines)
    else:
        homework_line = "🧘 " + texts.NO_HOMEWORK_THERAPIST
    homework_line += "\n" + texts.rhythm_line(texts.Html(describe_rhythm(client.check_in_days)))
    if check_ins:
        zone = services.settings.tz
        homework_line += "\n📊 Check-ins: " + "; ".join(
            f"{texts.long_date(c.answered_at.astimezone(zone).date(), today)}: "
            + texts.esc(check_in_summary(c))
            for c in check_ins
            if c.answered_at is not None
        )
    last = [
        texts.Html(
            f"#{n.number} · {texts.long_date(n.session_date, today)} · pain {n.pain_before} → "
            f"{n.pain_after} · {texts.esc(texts.area_labels(n.areas, n.area_other))}"
            + (f"\n   {marks[n.id]}" if n.id in marks else "")
        )
        for n in page.notes
    ]

    def action(label: str, code: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(label, callback_data=CardAction(client.id, code).encode())

    # What a therapist taps most right after looking, in rows a phone shows whole; every
    # other action behind More, which edits this message into them (and Back out again).
    visit_buttons = [button for row in visit_rows for button in row]
    progress = InlineKeyboardButton(
        texts.CARD_PROGRESS, callback_data=ProgressOf(client.id).encode()
    )
    visit = visit_buttons[0]
    if visit.text == texts.MOVE_VISIT:  # a visit is booked: on its own, "Move" says too little
        visit = InlineKeyboardButton(texts.CARD_MOVE_VISIT, callback_data=visit.callback_data)
    first = [action(texts.CARD_NEW_NOTE, "n"), visit]
    keyboard = InlineKeyboardMarkup(
        [
            *cards.button_rows([*first, progress, action(texts.CARD_HOMEWORK, "w")]),
            [
                action(texts.CARD_MORE, "m"),
                InlineKeyboardButton(texts.CARD_BACK, callback_data=ClientsPage(0).encode()),
            ],
        ]
    )
    rest = [
        action(texts.CARD_PLAN, "p"),
        action(texts.CARD_HISTORY, "h"),
        action(texts.CARD_RHYTHM, "k"),
        action(texts.INTAKE_SHOW, "t"),
        action(texts.CARD_INVITE, "i"),
        refer_button_for(client.id),
        *visit_buttons[1:],
        *(button for row in letters for button in row),
        InlineKeyboardButton(texts.EXPORT_BUTTON, callback_data=ExportFor(client.id).encode()),
        *(button for row in amend_buttons(page.notes) for button in row),
    ]
    more = InlineKeyboardMarkup(
        [
            *cards.button_rows(rest),
            [InlineKeyboardButton(texts.CARD_LESS, callback_data=ClientCard(client.id).encode())],
        ]
    )
    summary = "\n".join([notes_line, intake_line, *visit_lines, plan_line, homework_line])
    # Referrals grow without end: the newest that fit, and a count of the rest (the export
    # lists them all).
    room = (
        TEXT_LIMIT
        - len(texts.client_card(client.name, texts.Html(joined), texts.Html(summary), last))
        - 1
    )
    summary = "\n".join([summary, *fit(referrals, room, texts.earlier_referrals)])
    text = texts.client_card(client.name, texts.Html(joined), texts.Html(summary), last)
    return Card(text, keyboard, more)


async def clients_button(update: Update, context: Context) -> None:
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None and query.message is not None
    button = parse(query.data)
    chat_id, message_id = query.message.chat.id, query.message.message_id
    bot = context.bot
    if isinstance(button, ClientsPage):
        text, keyboard = await _list_page(context, user.id, button.offset)
        await cards.answer(query)
        await cards.edit_card(bot, chat_id, message_id, text, keyboard)
        return
    if isinstance(button, CheckInRhythm):
        if await _set_rhythm(context, user.id, chat_id, message_id, button):
            await cards.answer(
                query, texts.rhythm_set(texts.Html(describe_rhythm(button.every_days)))
            )
        else:
            await cards.answer(query, texts.NOT_YOUR_CLIENT)
        return
    if not isinstance(button, ClientCard | CardAction):
        await cards.answer(query, texts.STALE_BUTTON)
        return
    card = await _card(context, user.id, button.client_id)
    if card is None:  # not this therapist's client (forged), or gone
        await cards.answer(query, texts.NOT_YOUR_CLIENT)
        return
    if isinstance(button, ClientCard):
        await cards.answer(query)
        await cards.edit_card(bot, chat_id, message_id, card.text, card.keyboard)
    elif button.action == "m":
        await cards.answer(query)
        await cards.edit_card(bot, chat_id, message_id, card.text, card.more)
    elif button.action == "i":
        await cards.answer(query)
        await send_invite(context, user.id, chat_id, button.client_id, update_id=update.update_id)
    elif button.action == "h":
        await cards.answer(query)
        await show_history(context, user.id, chat_id, button.client_id)
    elif button.action == "p":
        await cards.answer(query)
        await show_plan(update, context, button.client_id)
    elif button.action == "q":
        await cards.answer(query)
        await start_form(update, context, "plan", button.client_id)
    elif button.action == "w":
        await cards.answer(query)
        await show_homework(update, context, button.client_id)
    elif button.action == "a":
        await cards.answer(query)
        await start_form(update, context, "homework", button.client_id)
    elif button.action == "v":
        await cards.answer(query)
        await start_booking(update, context, button.client_id)
    elif button.action == "u":
        await cards.answer(query)
        await start_form(update, context, "intake", button.client_id)
    elif button.action == "t":
        await cards.answer(query)
        await show_intake(context, user.id, chat_id, button.client_id)
    elif button.action == "k":
        await cards.answer(query)
        await cards.edit_card(
            bot, chat_id, message_id, texts.RHYTHM_QUESTION, _rhythm_keyboard(button.client_id)
        )
    else:
        await cards.answer(query)
        await start_note_for(update, context, button.client_id)


def _rhythm_keyboard(client_id: int) -> InlineKeyboardMarkup:
    rows = [
        [
            InlineKeyboardButton(
                texts.rhythm_choice(describe_rhythm(days)),
                callback_data=CheckInRhythm(client_id, days).encode(),
            )
        ]
        for days in RHYTHMS
    ]
    rows.append([InlineKeyboardButton(texts.BACK, callback_data=ClientCard(client_id).encode())])
    return InlineKeyboardMarkup(rows)


async def _set_rhythm(
    context: Context, therapist_id: int, chat_id: int, message_id: int, choice: CheckInRhythm
) -> bool:
    """The client's check-ins from now on follow the new rhythm; the card shows it. False
    for somebody else's client (forged data)."""
    services = context.services
    async with services.db.unit_of_work() as uow:
        client = await uow.clients.get(therapist_id, choice.client_id)
        if client is None:
            return False
        client.check_in_days = choice.every_days
        await resume_check_ins(
            uow, client, now=services.clock.now(), fallback_zone=services.settings.practice_timezone
        )
        await uow.commit()
    card = await _card(context, therapist_id, choice.client_id)
    if card is not None:
        await cards.edit_card(context.bot, chat_id, message_id, card.text, card.keyboard)
    return True


def handlers(therapists: filters.BaseFilter) -> list[Handler]:
    return [
        CommandHandler("clients", clients_command, filters=therapists),
        CallbackQueryHandler(
            clients_button,
            pattern=handler_pattern(ClientCard, ClientsPage, CardAction, CheckInRhythm),
        ),
    ]
