"""The day ahead: /today and /week in the practice's time zone, each visit with the client's
answer to its reminder, their last check-in and their homework, and under it their answer to
the pre-visit question and their intake's cautions — and the same block at the top of the
morning digest."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from telegram import Update
from telegram.ext import CommandHandler, filters

from bot.shared import texts
from bot.shared.bounded import TEXT_LIMIT, fit
from bot.shared.context import Context, Handler
from bot.shared.intake import IntakeView, changed_parts, view_of
from bot.shared.visits import clock_for_therapist
from practice.intake import has_intake
from practice.visits import VisitStatus, day_bounds, local_time
from reminders.digest import Digest
from reminders.planning import preferences_of
from storage.models import VisitCheck
from storage.unit_of_work import UnitOfWork

# The most visits an agenda reads (a week of a full practice); the text is bounded anyway.
MOST = 80
HOMEWORK_DAYS = 7
# The morning digest's share of the message for the day's visits.
MORNING_ROOM = 1500
SHOWN = [s.value for s in VisitStatus]


async def agenda_lines(
    uow: UnitOfWork, therapist_id: int, start: datetime, end: datetime, zone: str, today: date
) -> list[tuple[date, str]]:
    """A line per visit in [start, end), with its local day. One statement per kind of fact
    (the visits with their pre-visit answers, their clients, the last check-ins, the last
    notes, the homework figures, the intakes), however many visits: a full week is 80."""
    visits = await uow.visits.agenda_between(therapist_id, start, end, SHOWN, MOST)
    ids = list(dict.fromkeys(v.client_id for v, _ in visits))
    clients = await uow.clients.many_of(therapist_id, ids)
    ids = [i for i in ids if i in clients]
    checked = await uow.check_ins.latest_pains(ids)
    noted = await uow.notes.latest_pains(therapist_id, ids)
    homework = await uow.records.homework_totals_by_client(
        therapist_id, since=today - timedelta(days=HOMEWORK_DAYS), client_ids=ids
    )
    intakes = await uow.intake.current_of(ids)
    lines = []
    for visit, check in visits:
        client = clients.get(visit.client_id)
        if client is None:
            continue
        figure = homework.get(client.id)
        done = texts.Html(f"{min(figure.done, figure.due)} of {figure.due}") if figure else None
        day = local_time(visit.starts_at, zone).date()
        intake = view_of(intakes.get(client.id, {}), zone)
        line = texts.agenda_line(
            client.name,
            clock_for_therapist(visit.starts_at, zone, preferences_of(client, zone).timezone),
            texts.Html(texts.VISIT_STATUS_LABELS.get(visit.status, visit.status)),
            checked.get(client.id),
            noted.get(client.id),
            done,
            [*_health_check(check, intake, day == today), *intake.warnings()],
        )
        lines.append((day, line))
    return lines


def _health_check(check: VisitCheck | None, intake: IntakeView, asked: bool) -> list[str]:
    """The client's answer to the visit's pre-visit question; for a visit of today (asked
    with its reminder), that it is still waiting. Only a client with an intake is asked."""
    if check is not None and check.answer is not None:
        return [texts.agenda_check(changed_parts(check))]
    return [texts.AGENDA_CHECK_WAITING] if asked and has_intake(intake.answers) else []


def _render(title: texts.Html, lines: list[tuple[date, str]], by_day: bool, room: int) -> str:
    shown: list[str] = []
    day = None
    for when, line in lines:
        if by_day and when != day:
            shown.append(texts.agenda_day(when))
            day = when
        shown.append(("   " + line.replace("\n", "\n   ")) if by_day else line)
    kept = fit(shown, room - len(title) - 1, texts.agenda_more)
    return "\n".join([title, *kept])


async def today_command(update: Update, context: Context) -> None:
    await _agenda(update, context, days=1)


async def week_command(update: Update, context: Context) -> None:
    await _agenda(update, context, days=7)


async def _agenda(update: Update, context: Context, *, days: int) -> None:
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    services = context.services
    zone = services.settings.practice_timezone
    today = services.today()
    start, _ = day_bounds(today, zone)
    _, end = day_bounds(today + timedelta(days=days - 1), zone)
    async with services.db.unit_of_work() as uow:
        lines = await agenda_lines(uow, user.id, start, end, zone, today)
    if not lines:
        await message.reply_text(texts.NO_VISITS_TODAY if days == 1 else texts.NO_VISITS_WEEK)
        return
    title = texts.agenda_today(today) if days == 1 else texts.agenda_week(today)
    await message.reply_text(_render(title, lines, days > 1, TEXT_LIMIT))


async def morning(
    uow: UnitOfWork, therapist_id: int, now: datetime, zone: str, digest: Digest | None
) -> str | None:
    """The morning digest, the day's visits first; None when there is nothing to say."""
    today = local_time(now, zone).date()
    start, end = day_bounds(today, zone)
    lines = await agenda_lines(uow, therapist_id, start, end, zone, today)
    block = _render(texts.agenda_today(today), lines, False, MORNING_ROOM) if lines else ""
    if digest is None:
        return block or None
    rest = texts.digest(
        digest.worse,
        digest.answered,
        digest.silent,
        digest.homework,
        limit=TEXT_LIMIT - len(block) - 2,
    )
    return f"{block}\n\n{rest}" if block else rest


def handlers(therapists: filters.BaseFilter) -> list[Handler]:
    return [
        CommandHandler("today", today_command, filters=therapists),
        CommandHandler("week", week_command, filters=therapists),
    ]
