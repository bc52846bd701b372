"""The homework reminder a client gets, and their one-tap answers: done, skip today, later.

An answer is checked against who pressed it (the reminder's own chat), counts for the day
the reminder was for however late it comes, and counts once however often it is tapped.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler

from bot.shared import cards, texts
from bot.shared.callbacks import ReminderAnswer, parse
from bot.shared.context import Context
from bot.shared.exercises import exercise_card
from practice.exercises import ExerciseCard, client_dose
from practice.preferences import hhmm
from practice.reminders import snoozed_until
from reminders.planning import preferences_of, quiet_hours_of
from storage.models import Delivery
from storage.repositories import SNOOZE, Outbox
from storage.unit_of_work import UnitOfWork


def reminder_card(
    delivery_id: int, card: ExerciseCard, dose: str, day: date, today: date
) -> tuple[str, InlineKeyboardMarkup]:
    def button(label: str, action: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(
            label, callback_data=ReminderAnswer(delivery_id, action).encode()
        )

    skip = texts.REMINDER_SKIP if day >= today else texts.REMINDER_SKIP_THAT_DAY
    keyboard = InlineKeyboardMarkup(
        [
            [button(texts.REMINDER_DONE, "d"), button(skip, "s")],
            [button(texts.REMINDER_LATER, "z")],
        ]
    )
    return reminder_text(card, dose, day, today), keyboard


def reminder_text(card: ExerciseCard, dose: str, day: date, today: date) -> str:
    """The reminder's words; one for an earlier day than today names it."""
    late_for = texts.reminder_day(day, today) if day < today else None
    return texts.homework_reminder(card.name, client_dose(dose), card.summary, late_for)


async def reminder_button(update: Update, context: Context) -> None:
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None and query.message is not None
    button = parse(query.data)
    services = context.services
    if not isinstance(button, ReminderAnswer):
        await cards.answer(query, texts.STALE_BUTTON)
        return
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        delivery = await uow.outbox.get(button.delivery_id)
        # Re-checked: only the client the reminder went to can answer it.
        # Re-checked: only the client the reminder went to can answer it, once it was sent.
        if (
            delivery is None
            or delivery.chat_id != user.id
            or delivery.assignment_id is None
            or delivery.status != Outbox.SENT
        ):
            await cards.answer(query, texts.REMINDER_NOT_YOURS)
            return
        assignment = await uow.homework.get_any(delivery.assignment_id)
        client = await uow.clients.by_telegram_user(user.id)
        if assignment is None or client is None or client.id != assignment.client_id:
            await cards.answer(query, texts.REMINDER_NOT_YOURS)
            return
        card = await exercise_card(uow, assignment.therapist_id, assignment.exercise_code)
        assert delivery.occurrence_date is not None
        prefs = preferences_of(client, services.settings.practice_timezone)
        tz = ZoneInfo(prefs.timezone)
        today = now.astimezone(tz).date()
        if button.action in ("d", "s"):
            result = "done" if button.action == "d" else "skipped"
            logged, new = await uow.homework_log.record(
                assignment.id, delivery.occurrence_date, result, now
            )
            footer = texts.REMINDER_LOGGED[logged.result]
            toast = footer if new else texts.REMINDER_ALREADY
        elif done := await uow.homework_log.get(assignment.id, delivery.occurrence_date):
            footer = texts.REMINDER_LOGGED[done.result]
            toast = texts.REMINDER_ALREADY
        else:
            when = snoozed_until(now, tz, quiet_hours_of(prefs))
            footer = texts.reminder_snoozed(texts.Html(hhmm(when.astimezone(tz))))
            toast = footer if await _snooze(uow, delivery, when, now) else texts.SNOOZE_WAITING
        await uow.commit()
    await cards.answer(query, toast)
    if card is not None:
        text = reminder_text(card, assignment.dose, delivery.occurrence_date, today)
        await cards.edit_card(
            context.bot,
            query.message.chat.id,
            query.message.message_id,
            f"{text}\n\n{footer}",
            None,
        )


async def _snooze(uow: UnitOfWork, delivery: Delivery, when: datetime, now: datetime) -> bool:
    """Queue the reminder again at `when`; False if a snooze for that day already waits."""
    assert delivery.assignment_id is not None and delivery.occurrence_date is not None
    key = (delivery.assignment_id, delivery.occurrence_date)
    if await uow.outbox.waiting(
        SNOOZE, assignment_id=delivery.assignment_id, occurrence_date=delivery.occurrence_date
    ):
        return False
    sequence = (await uow.outbox.last_sequences([key])).get(key, -1)
    await uow.outbox.add(
        Outbox.pending(
            SNOOZE,
            chat_id=delivery.chat_id,
            client_id=delivery.client_id,
            assignment_id=delivery.assignment_id,
            day=delivery.occurrence_date,
            sequence=sequence + 1,
            occurs_at=delivery.occurs_at,
            due_at=when,
            now=now,
        )
    )
    return True


def handler() -> CallbackQueryHandler[Context, None]:
    return CallbackQueryHandler(reminder_button, pattern=ReminderAnswer.pattern())
