"""The pre-visit question: right after a visit's reminder, a client with an intake is asked
"Anything new with your health since your last visit?" [No change] [Something changed].

It is a message of its own, the next one after the reminder, not a part of it: the reminder
asks whether they are coming and is edited in place with the answer; a second question with
its own two buttons in the same bubble would be five buttons for two questions on a small
screen, and one answer would wipe the other's buttons. One question a message, as the intake
itself is asked.

"No change" is recorded with its day (the therapist's card: "checked 7 Dec: no change").
"Something changed" asks which parts of the intake did (practice/intake.toml's sections), then
only their questions, one a message, through the intake's own handlers (bot/client/intake.py:
intake_progress.visit_check_id says a check is under way); each new answer is a new version
with its date, the untouched ones keep theirs, a skip keeps the earlier answer, and a red flag
the earlier answer did not raise alerts the therapist as at intake.

Asked once a visit (visit_checks, one row a visit); a cancelled visit's question is never sent,
a moved visit's goes with its new reminder. Every tap is checked against the visit's client
and the visit's current question message; anything else is answered as stale, plainly.
"""

from __future__ import annotations

from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler

from bot.client.intake import ask
from bot.shared import cards, texts
from bot.shared.callbacks import VisitCheckButton, parse_intake
from bot.shared.context import Context
from bot.shared.intake import intake_of
from bot.shared.visits import for_client
from practice.intake import default_intake
from practice.visits import OPEN_STATUSES
from reminders.planning import preferences_of
from storage.models import Client, Visit, VisitCheck
from storage.repositories.intake import CHANGED, NO_CHANGE
from storage.unit_of_work import UnitOfWork


async def previsit_card(
    uow: UnitOfWork, visit: Visit, client: Client, fallback_zone: str
) -> tuple[str, InlineKeyboardMarkup]:
    """The question as the dispatcher sends it (reminders/visits.py decides that it goes)."""
    zone = preferences_of(client, fallback_zone).timezone
    therapist = await uow.therapists.get(visit.therapist_id)
    name = texts.therapist_name(therapist)
    view = await intake_of(uow, client.id, zone)
    first = await uow.retention.last_session(client.id) is None
    on = texts.short_date(view.taken_on) if view.taken_on is not None else texts.Html("—")
    text = texts.previsit_question(
        name, for_client(visit.starts_at, zone, fallback_zone, name), on, first
    )
    keyboard = InlineKeyboardMarkup(
        cards.button_rows(
            [
                InlineKeyboardButton(texts.PREVISIT_NO_CHANGE, callback_data=_data(visit, "n")),
                InlineKeyboardButton(texts.PREVISIT_CHANGED, callback_data=_data(visit, "c")),
            ]
        )
    )
    return text, keyboard


def _data(visit: Visit | int, action: str, value: str = "") -> str:
    visit_id = visit if isinstance(visit, int) else visit.id
    return VisitCheckButton(visit_id, action, value).encode()


def _parts_keyboard(visit_id: int, ticked: list[str]) -> InlineKeyboardMarkup:
    rows = [
        [
            InlineKeyboardButton(
                ("✓ " if s.code in ticked else "") + s.label,
                callback_data=_data(visit_id, "t", s.code),
            )
        ]
        for s in default_intake().sections
    ]
    rows.append([InlineKeyboardButton(texts.INTAKE_DONE, callback_data=_data(visit_id, "d"))])
    rows.append(
        [
            InlineKeyboardButton(
                texts.PREVISIT_NO_CHANGE_AFTER_ALL, callback_data=_data(visit_id, "n")
            )
        ]
    )
    return InlineKeyboardMarkup(rows)


async def _stale(uow: UnitOfWork, visit: Visit, now_passed: bool, message_id: int) -> str | None:
    """Why this message's buttons no longer answer for the visit, or None if they do."""
    if visit.status not in OPEN_STATUSES:
        return texts.PREVISIT_VISIT_OFF
    if now_passed:
        return texts.PREVISIT_VISIT_PAST
    if await uow.visits.check_message(visit.id, visit.starts_at) != message_id:
        return texts.PREVISIT_MOVED
    check = await uow.intake.check_of(visit.id)
    if check is not None and check.answer is not None:
        return texts.PREVISIT_ANSWERED_ALREADY
    return None


async def previsit_button(update: Update, context: Context) -> None:
    """A tap on the pre-visit question: the presser's own visit only."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None and query.message is not None
    button = parse_intake(query.data)
    if not isinstance(button, VisitCheckButton):
        await cards.answer(query, texts.STALE_BUTTON)
        return
    services = context.services
    now = services.clock.now()
    chat_id, message_id = query.message.chat.id, query.message.message_id
    intake = default_intake()
    first_key: str | None = None
    async with services.db.unit_of_work() as uow:
        visit = await uow.visits.get_any(button.visit_id)
        client = await uow.clients.by_telegram_user(user.id)
        if visit is None or client is None or client.id != visit.client_id:
            await cards.answer(query, texts.INTAKE_BUTTON_NOT_YOURS, alert=True)
            return
        stale = await _stale(uow, visit, visit.starts_at <= now, message_id)
        if stale is not None:
            await cards.answer(query, stale, alert=True)
            await cards.strip_buttons(context.bot, chat_id, message_id)
            return
        therapist = await uow.therapists.get(visit.therapist_id)
        name = texts.therapist_name(therapist, start=True)
        check = await uow.intake.check_of(visit.id)
        if check is None:
            check = await uow.intake.begin_check(visit.id, client.id)
        ticked = list(check.sections or [])
        text: str
        keyboard: InlineKeyboardMarkup | None = None
        if button.action == "n":
            _answer(check, NO_CHANGE, None, now)
            first = await uow.retention.last_session(client.id) is None
            text = texts.previsit_no_change(name, first)
        elif button.action == "c":
            check.sections = []
            text, keyboard = texts.previsit_pick(), _parts_keyboard(visit.id, [])
        elif button.action == "t":
            try:
                check.sections = intake.toggle_section(ticked, button.value)
            except ValueError:
                await cards.answer(query, texts.STALE_BUTTON)
                return
            text, keyboard = texts.previsit_pick(), _parts_keyboard(visit.id, check.sections)
        else:  # "d": done choosing
            keys = intake.questions_of(ticked)
            if not keys:
                await cards.answer(query, texts.PREVISIT_PICK_FIRST, alert=True)
                return
            _answer(check, CHANGED, ticked, now)
            first_key, check.pending = keys[0], keys[1:] or None
            await _begin_questions(uow, client, check, first_key, now)
            labels = [s.label for s in intake.sections if s.code in ticked]
            text = texts.previsit_picked(labels)
        await uow.commit()
    await cards.answer(query)
    await cards.edit_card(context.bot, chat_id, message_id, text, keyboard)
    if first_key is not None:
        await ask(context, chat_id, client.id, first_key)


def _answer(check: VisitCheck, answer: str, sections: list[str] | None, now: datetime) -> None:
    check.answer = answer
    check.sections = sections
    check.answered_at = now


async def _begin_questions(
    uow: UnitOfWork, client: Client, check: VisitCheck, key: str, now: datetime
) -> None:
    """The intake's progress waits at the first changed question, as part of this check."""
    progress = await uow.intake.progress(client.id)
    if progress is None:  # an intake the therapist filled in (/intake)
        progress = await uow.intake.start(client.id, now, None)
    current = (await uow.intake.answers(client.id)).get(key)
    progress.step, progress.correcting = key, False
    progress.ticked = list(current) if isinstance(current, list) else None
    progress.visit_check_id = check.id
    progress.message_id = None


def handler() -> CallbackQueryHandler[Context, None]:
    return CallbackQueryHandler(previsit_button, pattern=VisitCheckButton.pattern())
