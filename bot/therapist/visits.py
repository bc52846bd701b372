"""Booking a visit (the saved-note card, the client card, /book Anna): the plan's rhythm as
buttons or a typed day and time, an overlap pointed out before it is kept; moving and
cancelling it (the client is told); and, after its time, what became of it."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.shared import cards, texts
from bot.shared.callbacks import CardAction, ClientCard, VisitAction, parse
from bot.shared.config import Settings
from bot.shared.context import Context, Handler
from bot.shared.forms.engine import Answer, Form, FormContext, Option, Question, Saved
from bot.shared.forms.handlers import start_form
from bot.shared.reach import wake_dispatcher
from bot.shared.visits import (
    AWAITING,
    for_therapist,
    from_minutes,
    send_ics,
    span,
    to_minutes,
    when,
)
from bot.therapist.client_search import pick_client
from bot.therapist.notes.handlers import start_note_for
from practice.notes import InputError
from practice.visits import (
    MAX_VISIT_MINUTES,
    OPEN_STATUSES,
    Slot,
    VisitStatus,
    check_bookable,
    day_bounds,
    gap,
    local_time,
    overlapping,
    parse_visit_time,
    reference_time,
    start_utc,
    suggestions,
)
from reminders.planning import preferences_of
from reminders.visits import plan_visit, visit_cancelled, withdraw
from reports.calendar import CalendarVisit
from reports.filenames import document_name
from reports.wording import missed_visits_line
from storage.models import Client, Visit
from storage.unit_of_work import UnitOfWork

FORM_NAME = "visit"
# What a visit's outcome buttons set it to.
OUTCOMES = {"d": VisitStatus.NO_SHOW, "l": VisitStatus.CANCELLED_LATE}


# --- the form --------------------------------------------------------------------------------


def _start_of(value: Answer) -> datetime | None:
    text = str(value or "")
    if not text.startswith("t") or not text[1:].isdigit():
        return None
    return from_minutes(int(text[1:]))


def _reference(ctx: FormContext) -> datetime:
    return datetime.fromisoformat(str(ctx.answers["ref"]))


async def _initial(ctx: FormContext) -> dict[str, Answer]:
    """The visit the next one is counted from: the one being moved, today's, or now."""
    assert ctx.client is not None
    zone = ctx.practice_zone
    now_local = local_time(ctx.now, zone)
    moving = (
        await ctx.uow.visits.get(ctx.therapist_id, ctx.target_id)
        if ctx.target_id is not None
        else None
    )
    if moving is not None:
        return {"ref": local_time(moving.starts_at, zone).isoformat()}
    begin, end = day_bounds(ctx.today, zone)
    # A visit missed today keeps the client's usual time for the next one too.
    kept = [*OPEN_STATUSES, VisitStatus.DONE, VisitStatus.NO_SHOW, VisitStatus.CANCELLED_LATE]
    today = await ctx.uow.visits.of_client_between(ctx.client.id, begin, end, kept)
    at = local_time(today[0].starts_at, zone) if today else None
    return {"ref": reference_time(now_local, at).isoformat()}


async def _rhythm(ctx: FormContext) -> list[Option]:
    assert ctx.client is not None
    plan = await ctx.uow.plans.current(ctx.therapist_id, ctx.client.id)
    options = []
    reference = _reference(ctx)
    today = local_time(ctx.now, ctx.practice_zone).date()
    for suggestion in suggestions(reference, plan.visit_frequency if plan else None):
        start = start_utc(suggestion.local, ctx.practice_zone)
        if start <= ctx.now:
            continue
        away = gap(reference, local_time(start, ctx.practice_zone), today)
        label = texts.suggestion_label(
            when(start, ctx.practice_zone),
            texts.rhythm_words(away.days, away.same_time, away.from_today),
        )
        options.append(Option(f"t{to_minutes(start)}", label))
    return options


def _typed(typed: str, ctx: FormContext) -> Answer:
    zone = ctx.practice_zone
    local = parse_visit_time(typed, local_time(ctx.now, zone), _reference(ctx).time())
    start = start_utc(local, zone)
    check_bookable(start, ctx.now)
    return f"t{to_minutes(start)}"


async def overlaps_of(
    uow: UnitOfWork, therapist_id: int, slot: Slot, zone: str, *, besides: int | None
) -> list[texts.Html]:
    """The therapist's other visits `slot` overlaps, as warnings."""
    near = await uow.visits.of_therapist_between(
        therapist_id, slot.start - timedelta(minutes=MAX_VISIT_MINUTES), slot.end, OPEN_STATUSES
    )
    others = {Slot(v.starts_at, v.minutes): v for v in near if v.id != besides}
    warnings = []
    for other in overlapping(slot, others):
        client = await uow.clients.get(therapist_id, others[other].client_id)
        name = client.name if client is not None else "another client"
        warnings.append(texts.overlap_warning(name, span(other.start, other.minutes, zone)))
    return warnings


def visit_form(settings: Settings) -> Form:
    async def show(value: Answer, ctx: FormContext) -> str:
        start = _start_of(value)
        if start is None:
            return "—"
        moving = ctx.target_id
        minutes = await _minutes(ctx.uow, ctx.therapist_id, moving, settings)
        warnings = await overlaps_of(
            ctx.uow,
            ctx.therapist_id,
            Slot(start, minutes),
            ctx.practice_zone,
            besides=moving,
        )
        assert ctx.client is not None
        at = for_therapist(start, ctx.practice_zone, _zone(ctx.client, ctx.practice_zone), minutes)
        return "\n".join([at, *warnings])

    async def save(ctx: FormContext, target_id: int | None) -> Saved:
        return await _save(ctx, target_id, settings)

    return Form(
        name=FORM_NAME,
        title=lambda client: texts.visit_title(client.name if client else ""),
        questions=[
            Question(
                "when",
                texts.VISIT_WHEN_LABEL,
                texts.VISIT_WHEN_PROMPT,
                "choice",
                options=_rhythm,
                parse=_typed,
                show=show,
                columns=1,
            )
        ],
        initial=_initial,
        save=save,
        done_prompt=texts.VISIT_DONE_PROMPT,
    )


async def _minutes(
    uow: UnitOfWork, therapist_id: int, visit_id: int | None, settings: Settings
) -> int:
    visit = await uow.visits.get(therapist_id, visit_id) if visit_id is not None else None
    return visit.minutes if visit is not None else settings.visit_minutes


async def _save(ctx: FormContext, target_id: int | None, settings: Settings) -> Saved:
    client = ctx.client
    assert client is not None
    start = _start_of(ctx.answers.get("when"))
    assert start is not None
    zone = ctx.practice_zone
    try:
        check_bookable(start, ctx.now)
    except InputError:
        return Saved(text=texts.visit_booked_too_late(when(start, zone)))
    visit = await ctx.uow.visits.get(ctx.therapist_id, target_id) if target_id else None
    if target_id is not None and (visit is None or visit.status not in OPEN_STATUSES):
        return Saved(text=texts.VISIT_CLOSED)
    told = await book(ctx.uow, client, visit, start, ctx.now, settings, ctx.therapist_id)
    assert told.visit is not None
    at = for_therapist(start, zone, _zone(client, zone), told.visit.minutes)
    return Saved(
        text=texts.visit_booked(client.name, at, visit is not None, told.told),
        offer=visit_buttons(told.visit.id),
        after=lambda context: _woken(context),
    )


async def _woken(context: Context) -> None:
    wake_dispatcher(context)


class Booked:
    def __init__(self, visit: Visit, told: bool) -> None:
        self.visit = visit
        self.told = told


async def book(
    uow: UnitOfWork,
    client: Client,
    visit: Visit | None,
    start: datetime,
    now: datetime,
    settings: Settings,
    therapist_id: int,
) -> Booked:
    """A new visit at `start`, or `visit` moved there; its messages queued anew."""
    if visit is None:
        visit = await uow.visits.add(
            Visit(
                therapist_id=therapist_id,
                client_id=client.id,
                starts_at=start,
                minutes=settings.visit_minutes,
                status=VisitStatus.BOOKED,
                created_at=now,
                updated_at=now,
            )
        )
        moved = False
    else:
        visit.starts_at = start
        visit.status = VisitStatus.BOOKED  # a move answers a request for another time
        visit.updated_at = now
        moved = True
        if client.awaiting == f"{AWAITING}{visit.id}":
            client.awaiting = None  # the question "when suits you?" is answered by the move
    told = await plan_visit(
        uow,
        visit,
        client,
        moved=moved,
        now=now,
        reminder_hours=settings.visit_reminder_hours,
        fallback_zone=settings.practice_timezone,
    )
    return Booked(visit, told)


def _zone(client: Client, practice_zone: str) -> str:
    """The client's own zone (the practice's until they chose one)."""
    return preferences_of(client, practice_zone).timezone


def visit_buttons(visit_id: int) -> list[tuple[str, str]]:
    return [
        (texts.MOVE_VISIT, VisitAction(visit_id, "m").encode()),
        (texts.CANCEL_VISIT, VisitAction(visit_id, "x").encode()),
        (texts.CALENDAR_FILE, VisitAction(visit_id, "c").encode()),
    ]


# The most visits /calendar puts in one file.
CALENDAR_MOST = 200


async def send_calendar(
    context: Context, therapist_id: int, chat_id: int, visits: list[Visit]
) -> None:
    """The visits as one .ics file, in the practice's zone, each with an alarm."""
    services = context.services
    zone = services.settings.practice_timezone
    async with services.db.unit_of_work() as uow:
        names = {}
        for visit in visits:
            client = await uow.clients.get(therapist_id, visit.client_id)
            names[visit.id] = client.name if client is not None else "client"
    events = [
        CalendarVisit(
            visit_id=v.id,
            start=v.starts_at,
            minutes=v.minutes,
            title=texts.calendar_event(names[v.id]),
            alarm=texts.calendar_alarm(names[v.id]),
        )
        for v in visits
    ]
    what = names[visits[0].id] if len(visits) == 1 else "Aftercare"
    name = document_name(what, "visits" if len(visits) > 1 else "visit", services.today(), "ics")
    await send_ics(
        context.bot,
        chat_id,
        events,
        zone,
        now=services.clock.now(),
        filename=name,
        caption=texts.calendar_caption(len(visits)),
    )


async def calendar_command(update: Update, context: Context) -> None:
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    services = context.services
    async with services.db.unit_of_work() as uow:
        upcoming = await uow.visits.upcoming(
            user.id, services.clock.now(), OPEN_STATUSES, CALENDAR_MOST
        )
    if not upcoming:
        await message.reply_text(texts.NO_UPCOMING)
        return
    await send_calendar(context, user.id, message.chat_id, upcoming)


# --- starting: the note's and the card's buttons, /book ---------------------------------------


async def start_booking(update: Update, context: Context, client_id: int) -> None:
    await start_form(update, context, FORM_NAME, client_id)


async def book_command(update: Update, context: Context) -> None:
    await pick_client(
        update,
        context,
        prompt=texts.VISIT_PICK,
        button=lambda client_id: CardAction(client_id, "v").encode(),
        chosen=lambda client_id: start_booking(update, context, client_id),
    )


async def next_visit_view(
    uow: UnitOfWork, therapist_id: int, client: Client, now: datetime, zone: str
) -> tuple[list[texts.Html], list[list[InlineKeyboardButton]]]:
    """For the client card: the next visit and its buttons (or a button to book one), and
    the visits missed."""
    client_id = client.id
    visit = await uow.visits.next_of_client(client_id, now - timedelta(hours=12), OPEN_STATUSES)
    if visit is not None and visit.starts_at <= now and await _noted(uow, visit, zone):
        # Today's visit has its note (it is marked done when the question after it is due):
        # the next visit is the one after it, and Move or Cancel are for that one.
        visit = await uow.visits.next_of_client(client_id, visit.starts_at, OPEN_STATUSES)
    lines: list[texts.Html] = []
    if visit is None or visit.therapist_id != therapist_id:
        rows = [[_button(texts.NEXT_VISIT, CardAction(client_id, "v").encode())]]
    else:
        status = texts.Html(texts.VISIT_STATUS_LABELS.get(visit.status, visit.status))
        at = for_therapist(visit.starts_at, zone, _zone(client, zone))
        lines.append(texts.visit_line(at, status))
        rows = [[_button(label, data) for label, data in visit_buttons(visit.id)]]
    missed = await uow.visits.missed(client_id)
    if missed:

        def days(status: VisitStatus) -> list[date]:
            return [local_time(at, zone).date() for at in missed.get(status, [])]

        words = missed_visits_line(
            days(VisitStatus.NO_SHOW),
            days(VisitStatus.CANCELLED_LATE),
            this_year=local_time(now, zone).year,
        )
        lines.append(texts.missed_line(words))
    return lines, rows


async def _noted(uow: UnitOfWork, visit: Visit, zone: str) -> bool:
    """The client's latest note is of the visit's day (the dispatcher's test, read only)."""
    note = await uow.notes.latest(visit.therapist_id, visit.client_id)
    return note is not None and note.session_date == local_time(visit.starts_at, zone).date()


def _button(label: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=data)


# --- the visit's own buttons --------------------------------------------------------------------


async def visit_button(update: Update, context: Context) -> None:
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None and query.message is not None
    button = parse(query.data)
    if not isinstance(button, VisitAction):
        await cards.answer(query, texts.STALE_BUTTON)
        return
    services = context.services
    settings = services.settings
    zone = settings.practice_timezone
    chat_id, message_id = query.message.chat.id, query.message.message_id
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        visit = await uow.visits.get(user.id, button.visit_id)
        client = await uow.clients.get(user.id, visit.client_id) if visit is not None else None
        if visit is None or client is None:  # another therapist's (forged), or gone
            await cards.answer(query, texts.VISIT_GONE)
            return
        if visit.status not in OPEN_STATUSES:
            await cards.answer(query, texts.VISIT_CLOSED)
            await cards.strip_buttons(context.bot, chat_id, message_id)
            return
        client_id, name = client.id, client.name
        at = for_therapist(visit.starts_at, zone, _zone(client, zone))
        text: str | None = None
        keyboard: InlineKeyboardMarkup | None = None
        if button.action == "x":
            text = texts.cancel_visit_question(name, at)
            keyboard = InlineKeyboardMarkup(
                [
                    [_button(texts.YES_CANCEL_VISIT, VisitAction(visit.id, "y").encode())],
                    [_button(texts.KEEP_VISIT, ClientCard(client_id).encode())],
                ]
            )
        elif button.action == "y":
            visit.status = VisitStatus.CANCELLED_BY_THERAPIST
            visit.updated_at = now
            if client.awaiting == f"{AWAITING}{visit.id}":
                client.awaiting = None
            told = await visit_cancelled(uow, visit, client, now, zone)
            text = texts.visit_cancelled(name, at, told)
        elif button.action in OUTCOMES or button.action == "n":
            if visit.starts_at > now:
                await cards.answer(query, texts.VISIT_NOT_YET)
                return
            visit.status = OUTCOMES.get(button.action, VisitStatus.DONE)
            visit.updated_at = now
            await withdraw(uow, visit, client, now, zone)
            label = texts.Html(texts.VISIT_STATUS_LABELS[visit.status])
            text = texts.visit_outcome_recorded(name, when(visit.starts_at, zone), label)
            if visit.status != VisitStatus.DONE:  # missed: the next one, as from the card
                again = CardAction(client_id, "v").encode()
                keyboard = InlineKeyboardMarkup([[_button(texts.BOOK_AGAIN, again)]])
        elif button.action == "b" and button.minutes is not None:
            start = from_minutes(button.minutes)
            if start <= now:
                await cards.answer(query, texts.VISIT_TIME_PASSED)
                return
            booked = await book(uow, client, visit, start, now, settings, user.id)
            warnings = await overlaps_of(
                uow, user.id, Slot(start, visit.minutes), zone, besides=visit.id
            )
            moved_to = for_therapist(start, zone, _zone(client, zone), visit.minutes)
            text = "\n".join([texts.visit_booked(name, moved_to, True, booked.told), *warnings])
            keyboard = InlineKeyboardMarkup(
                [[_button(label, data) for label, data in visit_buttons(visit.id)]]
            )
        await uow.commit()
    await cards.answer(query)
    if button.action == "c":
        await send_calendar(context, user.id, chat_id, [visit])
        return
    if button.action == "m":
        await start_form(update, context, FORM_NAME, client_id, target_id=button.visit_id)
        return
    if text is not None:
        await cards.edit_card(context.bot, chat_id, message_id, text, keyboard)
    if button.action == "n":
        await start_note_for(update, context, client_id)
    if button.action in ("y", "b"):
        wake_dispatcher(context)


async def visit_outcome_card(
    uow: UnitOfWork, visit: Visit, zone: str
) -> tuple[str, InlineKeyboardMarkup]:
    """The question after a visit with no note (rendered by the dispatcher)."""
    client = await uow.clients.get(visit.therapist_id, visit.client_id)
    name = client.name if client is not None else "The client"
    text = texts.visit_outcome_question(name, when(visit.starts_at, zone))
    keyboard = InlineKeyboardMarkup(
        [
            [_button(texts.WRITE_THE_NOTE, VisitAction(visit.id, "n").encode())],
            *cards.button_rows(
                [
                    _button(texts.DIDNT_COME, VisitAction(visit.id, "d").encode()),
                    _button(texts.CANCELLED_LATE, VisitAction(visit.id, "l").encode()),
                ]
            ),
        ]
    )
    return text, keyboard


def handlers(therapists: filters.BaseFilter) -> list[Handler]:
    return [
        CommandHandler("book", book_command, filters=therapists),
        CommandHandler("calendar", calendar_command, filters=therapists),
        CallbackQueryHandler(visit_button, pattern=VisitAction.pattern()),
    ]
