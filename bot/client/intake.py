"""The intake in the client's chat: one question a message, buttons wherever the answer is
finite, every question skippable, every answer saved the moment it is given.

Where the client is lives in the database (intake_progress): after days, or after a restart,
the next tap or typed answer carries on, and /start asks the waiting question again. The
questions, and what an answer means, are practice/intake.py's; a red flag is answered calmly
here and goes to the therapist through the outbox (rendered by bot/therapist/intake.py).

Why not the form engine (bot/shared/forms/): its drafts are the therapist's (one per
therapist), shown as one card edited in place and kept until Save. The client's intake is
theirs, a message per question, and saves each answer as it comes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler

from bot.shared import cards, texts
from bot.shared.callbacks import IntakeButton, parse_intake
from bot.shared.context import Context, Handler
from bot.shared.intake import intake_of
from bot.shared.reach import wake_dispatcher
from practice.intake import (
    NONE,
    IntakeQuestion,
    QuestionKind,
    RedFlag,
    Urgency,
    changed_flags,
    default_intake,
    minutes_to_answer,
    new_flags,
)
from storage.models import Client, IntakeProgress
from storage.repositories import RED_FLAG, Outbox
from storage.repositories.intake import CLIENT
from storage.unit_of_work import UnitOfWork

BEGIN = "all"  # IntakeButton(BEGIN, "b"): begin, or carry on with, the intake


def begin_button(label: str) -> InlineKeyboardMarkup:
    data = IntakeButton(BEGIN, "b").encode()
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data)]])


def correct_keyboard() -> InlineKeyboardMarkup:
    """/mydata's list of questions, each a button that asks it again."""
    intake = default_intake()
    buttons = [
        InlineKeyboardButton(q.label, callback_data=IntakeButton(q.key, "e").encode())
        for q in intake.questions
    ]
    return InlineKeyboardMarkup(cards.button_rows(buttons))


def shown(question: IntakeQuestion, value: Any) -> str:
    """An answer as the client (and the therapist) reads it."""
    if value is None:
        return texts.INTAKE_SKIPPED
    return question.shown(value, default_intake().conditions)


def _keyboard(
    question: IntakeQuestion, ticked: list[str], keep: bool = False
) -> InlineKeyboardMarkup:
    """The question's buttons; asked again before a visit (`keep`), Skip keeps the answer."""
    skip = InlineKeyboardButton(
        texts.PREVISIT_KEEP if keep else texts.INTAKE_SKIP,
        callback_data=IntakeButton(question.key, "s").encode(),
    )
    if question.kind is QuestionKind.MULTI:
        rows = [
            [
                InlineKeyboardButton(
                    ("✓ " if code in ticked else "") + label,
                    callback_data=IntakeButton(question.key, "t", code).encode(),
                )
            ]
            for code, label in default_intake().options(question.key).items()
        ]
        none = ("✓ " if NONE in ticked else "") + texts.INTAKE_NONE_OF_THESE
        rows.append(
            [
                InlineKeyboardButton(
                    none, callback_data=IntakeButton(question.key, "t", NONE).encode()
                )
            ]
        )
        done = IntakeButton(question.key, "d").encode()
        rows.append([InlineKeyboardButton(texts.INTAKE_DONE, callback_data=done), skip])
        return InlineKeyboardMarkup(rows)
    buttons = [
        InlineKeyboardButton(label, callback_data=IntakeButton(question.key, "c", code).encode())
        for code, label in (question.choices or {}).items()
    ]
    rows = cards.button_rows(buttons)
    rows.append([skip])
    return InlineKeyboardMarkup(rows)


async def _counted(uow: UnitOfWork, client_id: int, key: str) -> tuple[int, int]:
    """ "3 of 12": among the questions this client is asked (not those their therapist has
    answered for them)."""
    current = await uow.intake.current(client_id)
    others = [k for k, answer in current.items() if answer.answered_by != CLIENT]
    return default_intake().count(key, others)


def _question_text(
    question: IntakeQuestion, counted: tuple[int, int], correcting: bool = False
) -> str:
    number, total = counted
    minutes = None if correcting else minutes_to_answer(total)
    # A correction is one question on its own: no lead-in into the ones after it.
    lead_in = "" if correcting else question.lead_in
    return texts.intake_question(number, total, question.prompt, question.example, minutes, lead_in)


def _answered_text(question: IntakeQuestion, value: Any, counted: tuple[int, int]) -> str:
    number, total = counted
    return texts.intake_answered(number, total, question.label, shown(question, value))


def _place(keys: list[str], key: str) -> tuple[int, int]:
    """A question's number among the ones asked again before a visit, and how many."""
    return (keys.index(key) + 1 if key in keys else len(keys)), len(keys)


async def _again(uow: UnitOfWork, progress: IntakeProgress) -> list[str] | None:
    """The questions of a pre-visit check under way, in order; None when none is."""
    if progress.visit_check_id is None:
        return None
    check = await uow.intake.check(progress.visit_check_id)
    return default_intake().questions_of(check.sections or []) if check is not None else None


async def _asking(
    context: Context,
    uow: UnitOfWork,
    client_id: int,
    progress: IntakeProgress | None,
    question: IntakeQuestion,
) -> tuple[str, bool]:
    """The question's text as it is asked now, and whether it is asked again before a visit
    (then it says which of how many, and shows the answer it would replace)."""
    key = question.key
    correcting = progress is not None and progress.correcting
    text = _question_text(question, await _counted(uow, client_id, key), correcting)
    keys = await _again(uow, progress) if progress is not None and not correcting else None
    if keys is not None:
        client = (await uow.clients.many([client_id])).get(client_id)
        zone = context.services.settings.practice_timezone
        if client is not None and client.timezone:
            zone = client.timezone
        row = (await uow.intake.current(client_id)).get(key)
        on = (
            texts.short_date(row.answered_at.astimezone(ZoneInfo(zone)).date())
            if row is not None
            else None
        )
        before = shown(question, row.value) if row is not None else ""
        number, total = _place(keys, key)
        text = texts.previsit_question_again(
            number, total, question.prompt, question.example, before, on, question.lead_in
        )
    return text, keys is not None


async def ask(context: Context, chat_id: int, client_id: int, key: str) -> None:
    """Send the question `key` and remember its message, for its buttons to go later. Asked
    again before a visit, it says which of how many, and shows the answer it would replace."""
    question = default_intake().question(key)
    assert question is not None
    async with context.services.db.unit_of_work() as uow:
        progress = await uow.intake.progress(client_id)
        ticked = list(progress.ticked or []) if progress is not None else []
        text, again = await _asking(context, uow, client_id, progress, question)
    message = await context.bot.send_message(
        chat_id, text, reply_markup=_keyboard(question, ticked, keep=again)
    )
    async with context.services.db.unit_of_work() as uow:
        progress = await uow.intake.progress(client_id)
        if progress is not None and progress.step == key:
            progress.message_id = message.message_id
            await uow.commit()


async def _first_open(uow: UnitOfWork, client_id: int) -> str | None:
    done = await uow.intake.current(client_id)
    question = default_intake().next_question(done)
    return question.key if question is not None else None


async def begin(context: Context, client: Client, chat_id: int) -> bool:
    """Begin the intake (with its opening words, before the first answer), or ask again the
    question it waits at. False: nothing to ask (it is finished)."""
    now = context.services.clock.now()
    async with context.services.db.unit_of_work() as uow:
        therapist = await uow.therapists.get(client.therapist_id)
        progress = await uow.intake.progress(client.id)
        step = await _first_open(uow, client.id)
        intro = not await uow.intake.current(client.id)
        if progress is None and step is not None:
            progress = await uow.intake.start(client.id, now, step)
        elif progress is not None and progress.step is None and step is not None:
            progress.step, progress.correcting, progress.ticked = step, False, None
        key = progress.step if progress is not None else None
        name = therapist.display_name if therapist is not None else ""
        await uow.commit()
    if key is None:
        return False
    if intro:
        await context.bot.send_message(chat_id, texts.intake_intro(name))
    await ask(context, chat_id, client.id, key)
    return True


async def after_joining(context: Context, telegram_user_id: int, chat_id: int) -> None:
    """Right after the client joined and set their zone: the intake, unless it was begun."""
    async with context.services.db.unit_of_work() as uow:
        client = await uow.clients.by_telegram_user(telegram_user_id)
        progress = await uow.intake.progress(client.id) if client is not None else None
    if client is not None and progress is None:
        await begin(context, client, chat_id)


async def on_home(context: Context, client: Client) -> tuple[str, InlineKeyboardMarkup] | None:
    """/start's home card's intake line and button: an intake under way is carried on, and
    a client who joined before there was an intake is offered it, once."""
    now = context.services.clock.now()
    async with context.services.db.unit_of_work() as uow:
        progress = await uow.intake.progress(client.id)
        therapist = await uow.therapists.get(client.therapist_id)
        current = await uow.intake.current(client.id)
        others = [k for k, answer in current.items() if answer.answered_by != CLIENT]
        answered = len(current) - len(others)
        total = len(default_intake().questions) - len(others)
        offer = progress is None and client.timezone is not None
        if offer:
            await uow.intake.start(client.id, now, None)  # offered; /mydata begins it later
            await uow.commit()
    if progress is not None and progress.step is not None:
        line = (
            texts.PREVISIT_CARRY_ON
            if progress.visit_check_id is not None
            else texts.intake_carry_on(answered, total)
        )
        return line, begin_button(texts.INTAKE_CARRY_ON)
    if offer:
        name = therapist.display_name if therapist is not None else ""
        return texts.intake_offer(name), begin_button(texts.INTAKE_START_NOW)
    return None


async def my_intake(context: Context, client: Client, chat_id: int) -> InlineKeyboardButton:
    """/mydata's part for the intake: the answers with their dates, sent before the rest, and
    the button for the rest's card: change an answer (or begin, for a client who has not)."""
    zone = client.timezone or context.services.settings.practice_timezone
    async with context.services.db.unit_of_work() as uow:
        view = await intake_of(uow, client.id, zone)
    if view.taken_on is None:
        return InlineKeyboardButton(
            texts.INTAKE_FILL_IN, callback_data=IntakeButton(BEGIN, "b").encode()
        )
    text = texts.intake_full(
        texts.INTAKE_YOURS, texts.short_date(view.taken_on), view.lines(zone), texts.Html("")
    )
    await context.bot.send_message(chat_id, text)
    return InlineKeyboardButton(
        texts.INTAKE_CORRECT, callback_data=IntakeButton(BEGIN, "e").encode()
    )


@dataclass(frozen=True)
class _Given:
    question: IntakeQuestion
    value: Any
    flags: list[RedFlag]  # the red flags raised now (not raised before)
    counted: tuple[int, int]  # the question's "3 of 12"
    next_key: str | None
    correcting: bool
    therapist: str
    message_id: int | None
    # Asked again before a visit: its number of how many, and whether it was kept as it was.
    again: tuple[int, int] | None = None
    kept: bool = False
    resumes: bool = False  # a correction made during a pre-visit update, which goes on


async def _give(
    context: Context,
    uow: UnitOfWork,
    client: Client,
    progress: IntakeProgress,
    value: Any,
    *,
    skipped: bool = False,
) -> _Given:
    """Save the answer to the question waiting, raise its red flag, move on. In `uow`.
    Asked again before a visit (a pre-visit check), a skip keeps the earlier answer."""
    key = progress.step
    assert key is not None
    if progress.visit_check_id is not None and not progress.correcting:
        return await _give_again(context, uow, client, progress, value, skipped=skipped)
    services = context.services
    now = services.clock.now()
    question = default_intake().question(key)
    assert question is not None
    row = await uow.intake.record(client.id, key, value, now, CLIENT)
    counted = await _counted(uow, client.id, key)
    answers = await uow.intake.answers(client.id)
    flags = new_flags(answers, await uow.intake.flagged(client.id))
    for flag in flags:
        await _alert(uow, client, flag, row.id, now)
    correcting, message_id = progress.correcting, progress.message_id
    next_key = None if correcting else await _first_open(uow, client.id)
    resumes = False
    if correcting and progress.visit_check_id is not None:
        # A correction in the middle of a pre-visit update: back to the update's question.
        next_key, resumes = await _resume_check(uow, progress), True
    progress.step, progress.correcting, progress.ticked = next_key, False, None
    progress.message_id = None
    if next_key is None and progress.completed_at is None and not correcting:
        progress.completed_at = now
    current = answers.get(next_key) if resumes and next_key is not None else None
    if isinstance(current, list):
        progress.ticked = list(current)  # the checklist asked again starts from what it was
    therapist = await uow.therapists.get(client.therapist_id)
    return _Given(
        question,
        value,
        flags,
        counted,
        next_key,
        correcting,
        therapist.display_name if therapist is not None else "",
        message_id,
        resumes=resumes,
    )


async def _resume_check(uow: UnitOfWork, progress: IntakeProgress) -> str | None:
    """The pre-visit update's question to go back to after a correction (the one it waited
    at was put back first in its pending list), or None when none is left: then it ends."""
    assert progress.visit_check_id is not None
    check = await uow.intake.check(progress.visit_check_id)
    pending = list(check.pending or []) if check is not None else []
    next_key = pending.pop(0) if pending else None
    if check is not None:
        check.pending = pending or None
    if next_key is None:
        progress.visit_check_id = None
    return next_key


async def _give_again(
    context: Context,
    uow: UnitOfWork,
    client: Client,
    progress: IntakeProgress,
    value: Any,
    *,
    skipped: bool,
) -> _Given:
    """An answer to a question asked again before a visit: saved as a new version (the
    others keep their dates and values), or, skipped, the earlier one kept. A red flag the
    earlier answer did not raise alerts the therapist as at intake."""
    now = context.services.clock.now()
    key = progress.step
    assert key is not None and progress.visit_check_id is not None
    question = default_intake().question(key)
    assert question is not None
    keys = await _again(uow, progress) or [key]
    earlier = await uow.intake.answers(client.id)
    before = earlier.get(key)
    flags: list[RedFlag] = []
    if skipped:
        value = before
    else:
        row = await uow.intake.record(client.id, key, value, now, CLIENT)
        flags = changed_flags(earlier, {**earlier, key: value})
        for flag in flags:
            await _alert(uow, client, flag, row.id, now)
    next_key = await _resume_check(uow, progress)
    message_id = progress.message_id
    progress.step, progress.correcting, progress.message_id = next_key, False, None
    progress.ticked = None
    if next_key is not None:
        current = (await uow.intake.answers(client.id)).get(next_key)
        if isinstance(current, list):  # the checklist asked again starts from what it was
            progress.ticked = list(current)
    therapist = await uow.therapists.get(client.therapist_id)
    place = _place(keys, key)
    return _Given(
        question,
        value,
        flags,
        place,
        next_key,
        False,
        therapist.display_name if therapist is not None else "",
        message_id,
        again=place,
        kept=skipped,
    )


async def _hold_check(uow: UnitOfWork, progress: IntakeProgress, key: str) -> None:
    """A correction asked during a pre-visit update: the update's waiting question goes back
    first in line, to be asked again once the correction is given (the corrected question
    itself is not asked twice)."""
    if progress.visit_check_id is None:
        return
    check = await uow.intake.check(progress.visit_check_id)
    if check is None:
        progress.visit_check_id = None
        return
    waiting = [progress.step] if progress.step is not None and not progress.correcting else []
    pending = [k for k in [*waiting, *(check.pending or [])] if k != key]
    check.pending = pending or None


async def _alert(
    uow: UnitOfWork, client: Client, flag: RedFlag, answer_id: int, now: datetime
) -> None:
    """The red flag to the therapist, through the outbox, at once."""
    raised = await uow.intake.raise_flag(client.therapist_id, client.id, flag.code, answer_id, now)
    await uow.outbox.add(
        Outbox.pending(
            RED_FLAG,
            chat_id=client.therapist_id,
            day=now.date(),
            due_at=now,
            now=now,
            intake_flag_id=raised.id,
        )
    )


async def _after(context: Context, chat_id: int, client: Client, given: _Given) -> None:
    """What the client sees once an answer is saved: the question's message shows the
    answer, a red flag's calm reply, then the next question (or the thanks)."""
    bot = context.bot
    if given.message_id is not None:
        answered = _answered_text(given.question, given.value, given.counted)
        if given.again is not None:
            answer = shown(given.question, given.value)
            answer = texts.previsit_kept(answer) if given.kept else answer
            answered = texts.previsit_answered(*given.again, given.question.label, answer)
        await cards.edit_card(bot, chat_id, given.message_id, answered, None)
    if given.flags:
        wake_dispatcher(context)
        urgent = any(f.urgency is Urgency.URGENT for f in given.flags)
        await bot.send_message(chat_id, texts.red_flag_reply(given.therapist, urgent))
    if given.resumes:
        await bot.send_message(chat_id, texts.previsit_corrected(given.therapist))
        if given.next_key is not None:
            await ask(context, chat_id, client.id, given.next_key)
        else:
            await bot.send_message(chat_id, texts.previsit_updated(given.therapist))
    elif given.correcting:
        await bot.send_message(chat_id, texts.intake_corrected(given.therapist))
    elif given.next_key is None and given.again is not None:
        await bot.send_message(chat_id, texts.previsit_updated(given.therapist))
    elif given.next_key is not None:
        await ask(context, chat_id, client.id, given.next_key)
    else:
        await bot.send_message(chat_id, texts.intake_finished(given.therapist))


async def intake_button(update: Update, context: Context) -> None:
    """Every tap acts on the presser's own intake: the data names only the question."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None and query.message is not None
    button = parse_intake(query.data)
    if not isinstance(button, IntakeButton):
        await cards.answer(query, texts.STALE_BUTTON)
        return
    chat_id, message_id = query.message.chat.id, query.message.message_id
    intake = default_intake()
    async with context.services.db.unit_of_work() as uow:
        client = await uow.clients.by_telegram_user(user.id)
        if client is None:
            await cards.answer(query, texts.INTAKE_BUTTON_NOT_YOURS, alert=True)
            return
        progress = await uow.intake.progress(client.id)
        if button.action == "b":
            await cards.answer(query)
            await cards.strip_buttons(context.bot, chat_id, message_id)
            if not await begin(context, client, chat_id):
                await context.bot.send_message(chat_id, texts.intake_finished(""))
            return
        if button.question == BEGIN and button.action == "e":
            await cards.answer(query)
            await context.bot.send_message(
                chat_id, texts.INTAKE_CORRECT_PICK, reply_markup=correct_keyboard()
            )
            return
        question = intake.question(button.question)
        if question is None:
            await cards.answer(query, texts.STALE_BUTTON)
            return
        if button.action == "e":
            if progress is None:
                progress = await uow.intake.start(client.id, context.services.clock.now(), None)
            current = (await uow.intake.answers(client.id)).get(question.key)
            await _hold_check(uow, progress, question.key)
            progress.step, progress.correcting = question.key, True
            progress.ticked = list(current) if isinstance(current, list) else None
            await uow.commit()
            await cards.answer(query)
            await ask(context, chat_id, client.id, question.key)
            return
        if progress is None or progress.step != question.key:
            await cards.answer(query, texts.INTAKE_ANSWERED_ALREADY)
            await cards.strip_buttons(context.bot, chat_id, message_id)
            return
        if button.action == "t" and button.value != NONE:
            try:
                progress.ticked = intake.toggle(progress.ticked or [], button.value, question.key)
            except ValueError:
                await cards.answer(query, texts.STALE_BUTTON)
                return
            ticked = list(progress.ticked)
            text, again = await _asking(context, uow, client.id, progress, question)
            await uow.commit()
            await cards.answer(query)
            await cards.edit_card(
                context.bot, chat_id, message_id, text, _keyboard(question, ticked, keep=again)
            )
            return
        value: Any
        if button.action == "t":  # "None of these" is a whole answer: no Done to wait for
            value = [NONE]
        elif button.action == "d":
            if not progress.ticked:
                await cards.answer(query, texts.INTAKE_TICK_FIRST, alert=True)
                return
            value = list(progress.ticked)
        elif button.action == "c":
            try:
                value = intake.choose(question.key, button.value)
            except ValueError:
                await cards.answer(query, texts.STALE_BUTTON)
                return
        else:  # "s": skipped, and saved as such (asked again before a visit: kept as it was)
            value = None
        progress.message_id = message_id  # the message tapped is the one to show the answer
        given = await _give(context, uow, client, progress, value, skipped=button.action == "s")
        await uow.commit()
    await cards.answer(query)
    await _after(context, chat_id, client, given)


async def intake_text(update: Update, context: Context, client: Client) -> bool:
    """A typed message while the intake waits for an answer; False if it waits for none.
    The intake comes before any other reading of free text."""
    message = update.effective_message
    assert message is not None and message.text is not None
    intake = default_intake()
    async with context.services.db.unit_of_work() as uow:
        progress = await uow.intake.progress(client.id)
        if progress is None or progress.step is None:
            return False
        key = progress.step
        try:
            value = intake.read(key, message.text)
        except ValueError as exc:
            await message.reply_text(
                texts.INTAKE_TAP_A_BUTTON
                if "tap" in str(exc)
                else texts.bad_intake_answer(str(exc))
            )
            return True
        given = await _give(context, uow, client, progress, value)
        await uow.commit()
    await _after(context, message.chat_id, client, given)
    return True


def handlers() -> list[Handler]:
    return [CallbackQueryHandler(intake_button, pattern=IntakeButton.pattern())]
