"""Is it working? `/progress` (the verdict and a chart), and the decision points a saved note
can raise: re-evaluate, no meaningful change, worse, improved — each answered with one tap
and kept on the record."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.shared import cards, texts
from bot.shared.callbacks import ClientCard, DecisionAnswer, ProgressOf, parse, row_id
from bot.shared.context import Context, Handler
from bot.shared.forms.engine import FormContext
from bot.shared.forms.handlers import start_form
from bot.therapist.client_search import pick_client
from practice.decisions import DecisionKind, DecisionPrompt
from practice.handover import GOOD_ADHERENCE
from practice.notes import MAX_TEXT_LENGTH
from practice.plans import HomeworkStatus
from reminders.planning import replan_assignment
from reports.filenames import document_name
from reports.jobs import progress_chart
from reports.progress import load_progress
from reports.render import render
from storage.models import Client, Decision
from storage.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


def decision_view(decision: Decision, client: Client) -> tuple[str, InlineKeyboardMarkup]:
    def button(label: str, answer: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(
            label, callback_data=DecisionAnswer(decision.id, answer).encode()
        )

    kind = DecisionKind(decision.kind)
    if kind is DecisionKind.PLANNED_END:
        answers = [
            (texts.DECISION_DISCHARGE, "d"),
            (texts.DECISION_EXTEND, "m"),
            (texts.DECISION_MAINTENANCE, "t"),
            (texts.DECISION_REFER, "r"),
            (texts.DECISION_ADJUST, "a"),
            (texts.DECISION_CONTINUE, "c"),
        ]
    elif kind is DecisionKind.IMPROVED:
        answers = [
            (texts.decision_send_note(texts.first_name(client.name)), "n"),
            (texts.DECISION_ADJUST, "a"),
            (texts.DECISION_CONTINUE, "c"),
        ]
    else:
        answers = [
            (texts.DECISION_ADJUST, "a"),
            (texts.DECISION_REFER, "r"),
            (texts.DECISION_CONTINUE, "c"),
        ]
    rows = cards.button_rows([button(label, answer) for label, answer in answers])
    return texts.decision_prompt(client.name, kind.value, decision.summary), InlineKeyboardMarkup(
        rows
    )


async def send_decision(context: Context, chat_id: int, decision: Decision, client: Client) -> None:
    text, keyboard = decision_view(decision, client)
    await context.bot.send_message(chat_id, text, reply_markup=keyboard)


async def linked_decision(
    uow: UnitOfWork, therapist_id: int, client_id: int, decision_id: object
) -> Decision | None:
    """The decision point a form (a referral, a plan) was opened from, if it is this
    therapist's, about this client."""
    row = row_id(str(decision_id or ""))
    if row is None:
        return None
    return await uow.referrals.decision_of(therapist_id, client_id, row)


async def answer_linked(ctx: FormContext, client_id: int, answer: str) -> Decision | None:
    """A form opened from a decision point is being saved: the decision is answered by what
    was saved (a plan, a referral), not by the tap that began it. Returns the decision."""
    decision = await linked_decision(
        ctx.uow, ctx.therapist_id, client_id, ctx.answers.get("decision")
    )
    if decision is not None and decision.answer is None:
        decision.answer, decision.answered_at = answer, ctx.now
    return decision


def reopen_on_cancel(
    lead: str,
) -> Callable[[Context, int, int | None, dict[str, object]], Awaitable[None]]:
    """A form's `cancelled` hook: one opened from a decision point and cancelled asks the
    question again, after `lead`."""

    async def cancelled(
        context: Context, therapist_id: int, client_id: int | None, answers: dict[str, object]
    ) -> None:
        if client_id is not None and answers.get("decision"):
            await reopen_decision(context, therapist_id, client_id, answers["decision"], lead)

    return cancelled


async def open_from_decision(
    update: Update,
    context: Context,
    form: str,
    client_id: int,
    decision_id: int,
    preset: dict[str, object],
    lead: str,
    step: str | None = None,
) -> None:
    """Open `form` to answer a decision point (at `step`, if given). If something else is
    open, the question stays open and comes back after `lead`; a second tap on the same
    decision does nothing."""
    if await start_form(
        update,
        context,
        form,
        client_id,
        preset={**preset, "decision": str(decision_id)},
        step=step,
    ):
        return
    user = update.effective_user
    assert user is not None
    async with context.services.db.unit_of_work() as uow:
        draft = await uow.forms.get(user.id)
    if (
        draft is not None
        and draft.form == form
        and draft.answers.get("decision") == str(decision_id)
    ):
        return  # a second tap: the form for this decision is open already
    await reopen_decision(context, user.id, client_id, decision_id, lead)


async def reopen_decision(
    context: Context, therapist_id: int, client_id: int, decision_id: object, lead: str
) -> None:
    """The form a decision point opened was not saved: the question is asked again, still
    open, after `lead` (why it is back)."""
    async with context.services.db.unit_of_work() as uow:
        decision = await linked_decision(uow, therapist_id, client_id, decision_id)
        client = await uow.clients.get(therapist_id, client_id)
    if decision is None or client is None or decision.answer is not None:
        return
    text, keyboard = decision_view(decision, client)
    await context.bot.send_message(therapist_id, f"{lead}\n\n{text}", reply_markup=keyboard)


# --- /progress ---------------------------------------------------------------------------


async def show_progress(update: Update, context: Context, client_id: int) -> None:
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    services = context.services
    async with services.db.unit_of_work() as uow:
        progress = await load_progress(uow, user.id, client_id, zone=services.settings.tz)
        open_question = None
        if progress is not None:
            decisions = await uow.records.decisions(user.id, client_id)
            if decisions and decisions[-1].answer is None:
                open_question = decisions[-1]
    if progress is None:
        await context.bot.send_message(chat.id, texts.NOT_YOUR_CLIENT)
        return
    caption = texts.progress_caption(progress.client.name, progress.summary)
    await context.bot.send_chat_action(chat.id, "upload_photo")
    # Rendering takes a few hundred milliseconds of CPU: in a worker process.
    png = await render(progress_chart, progress.chart())
    name = document_name(progress.client.name, "progress", services.today(), "png")
    keyboard = InlineKeyboardMarkup(
        [[InlineKeyboardButton(texts.CARD_OPEN, callback_data=ClientCard(client_id).encode())]]
    )
    await context.bot.send_photo(
        chat.id,
        InputFile(png, filename=name),
        caption=caption,
        reply_markup=keyboard,
    )
    if open_question is not None:  # asked after a note and not answered yet: ask again here
        await send_decision(context, chat.id, open_question, progress.client)


async def progress_command(update: Update, context: Context) -> None:
    await pick_client(
        update,
        context,
        prompt=texts.PROGRESS_PICK,
        button=lambda client_id: ProgressOf(client_id).encode(),
        chosen=lambda client_id: show_progress(update, context, client_id),
    )


async def progress_button(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    button = parse(query.data)
    if not isinstance(button, ProgressOf):
        await cards.answer(query, texts.STALE_BUTTON)
        return
    await cards.answer(query)
    await show_progress(update, context, button.client_id)


# --- answers -----------------------------------------------------------------------------


async def _improvement_words(
    uow: UnitOfWork, context: Context, client: Client, therapist_first_name: str
) -> str:
    """The suggested note to an improving client: the pain figures the verdict compares,
    and the exercises only when the client kept them up (as the handover page would say)."""
    zone = context.services.settings.tz
    progress = await load_progress(uow, client.therapist_id, client.id, zone=zone)
    pain = homework = None
    if progress is not None:
        evidence = progress.assessment.evidence
        if evidence.baseline_pain is not None and evidence.current_pain is not None:
            now = evidence.current_pain
            pain = (evidence.baseline_pain, f"{now:g}" if now == int(now) else f"about {now:g}")
        share, done = progress.homework.share, progress.homework
        if share is not None and share >= GOOD_ADHERENCE:
            homework = (min(done.done, done.due), done.due)
    return texts.improvement_note(client.name, therapist_first_name, pain=pain, homework=homework)


async def decision_button(update: Update, context: Context) -> None:
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None and query.message is not None
    button = parse(query.data)
    if not isinstance(button, DecisionAnswer):
        await cards.answer(query, texts.STALE_BUTTON)
        return
    services = context.services
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        decision = await uow.session.get(Decision, button.decision_id)
        client = None
        if decision is not None and decision.therapist_id == user.id:
            client = await uow.clients.get(user.id, decision.client_id)
        if decision is None or client is None:
            await cards.answer(query, texts.NOT_YOUR_CLIENT)
            return
        if button.answer in ("s", "x"):
            await _send_or_drop_note(update, context, uow, decision, client, button.answer)
            return
        if decision.answer is not None and decision.answer != "n":
            await cards.answer(query, texts.decision_already(decision.answer))
            return
        answer = ANSWERS.get(button.answer)
        if answer is None or (
            answer in PLANNED_END_ONLY and decision.kind != DecisionKind.PLANNED_END
        ):
            await cards.answer(query, texts.STALE_BUTTON)
            return
        # A referral or a plan answers it when it is saved (bot/therapist/referrals.py,
        # bot/therapist/forms/plan.py).
        if answer not in FORM_ANSWERS:
            decision.answer, decision.answered_at = answer, now
        if answer == "discharge":
            await _discharge(uow, context, client, now)
        await uow.commit()
    chat_id, message_id = query.message.chat.id, query.message.message_id
    done = texts.decision_answered(
        client.name, decision.kind, decision.summary, texts.Html(answer), services.today()
    )
    if answer == "note":
        await cards.answer(query)
        async with services.db.unit_of_work() as uow:
            draft = await _improvement_words(uow, context, client, user.first_name)
        await cards.edit_card(context.bot, chat_id, message_id, done, None)
        keyboard = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        texts.NOTE_SEND, callback_data=DecisionAnswer(decision.id, "s").encode()
                    ),
                    InlineKeyboardButton(
                        texts.NOTE_DROP, callback_data=DecisionAnswer(decision.id, "x").encode()
                    ),
                ]
            ]
        )
        await context.bot.send_message(
            chat_id,
            texts.note_draft(client.name, draft),
            reply_markup=keyboard,
        )
        return
    # A referral or a plan records the answer when it is saved: no "Recorded" for it yet.
    pending = answer in FORM_ANSWERS
    await cards.answer(query, None if pending else texts.DECISION_RECORDED)
    await cards.edit_card(context.bot, chat_id, message_id, done, None)
    if answer == "refer":
        await _refer(update, context, client.id, decision)
    elif answer in PLAN_STEPS:
        await _adjust(update, context, client.id, decision.id, answer, services.today())


# The buttons' letters (DecisionAnswer.answer) → the answers stored.
ANSWERS = {
    "a": "adjust",
    "r": "refer",
    "c": "continue",
    "n": "note",
    "d": "discharge",
    "m": "extend",
    "t": "maintenance",
}
PLANNED_END_ONLY = frozenset({"discharge", "extend", "maintenance"})
# Answered by the plan form (at this question; None: from its summary) when it is saved.
PLAN_STEPS: dict[str, str | None] = {
    "adjust": None,
    "extend": "sessions",
    "maintenance": "frequency",
}
FORM_ANSWERS = frozenset({"refer", *PLAN_STEPS})


async def _discharge(uow: UnitOfWork, context: Context, client: Client, now: datetime) -> None:
    """Treatment finished: the client's homework ends, so no reminder follows them home."""
    zone = context.services.settings.practice_timezone
    for item in await uow.homework.current(client.therapist_id, client.id):
        item.status, item.updated_at = HomeworkStatus.ENDED, now
        await replan_assignment(uow, item, client, now=now, fallback_zone=zone)


async def _adjust(
    update: Update, context: Context, client_id: int, decision_id: int, answer: str, today: date
) -> None:
    """Into the plan form, which answers the decision (`answer`) when it is saved. More
    sessions or maintenance open it at that question, as a plan counted from the next
    session (today's belongs to the plan that ends)."""
    step = PLAN_STEPS[answer]
    preset: dict[str, object] = {"purpose": answer}
    if step is not None:
        preset["start"] = (today + timedelta(days=1)).isoformat()
    await open_from_decision(
        update, context, "plan", client_id, decision_id, preset, texts.PLAN_STILL_OPEN, step
    )


async def _refer(update: Update, context: Context, client_id: int, decision: Decision) -> None:
    """Into the referral flow with this client (and the reason the question implies)."""
    from bot.therapist.referrals import (
        start_referral,  # bot.therapist.referrals imports this module
    )

    reason = DecisionPrompt(DecisionKind(decision.kind), decision.at_session).referral_reason
    await start_referral(update, context, client_id, reason=reason or "", decision_id=decision.id)


async def _send_or_drop_note(
    update: Update,
    context: Context,
    uow: UnitOfWork,
    decision: Decision,
    client: Client,
    choice: str,
    text: str | None = None,
) -> None:
    """[Send] the drafted note (or `text`, the therapist's own words) to the client, or drop
    it. Sent once: the decision records it."""
    query = update.callback_query
    message = update.effective_message
    assert message is not None
    if decision.answer != "note":  # sent or dropped already
        if query is not None:
            await cards.answer(query, texts.NOTE_ALREADY)
        else:
            await message.reply_text(texts.NOTE_ALREADY)
        return
    services = context.services
    if choice == "x":
        decision.answer = "continue"
        await uow.commit()
        if query is not None:
            await cards.answer(query)
        await cards.edit_card(
            context.bot, message.chat.id, message.message_id, texts.NOTE_DROPPED, None
        )
        return
    user = update.effective_user
    assert user is not None
    words = text or await _improvement_words(uow, context, client, user.first_name)
    if client.telegram_user_id is None or client.unreachable_at or client.forgotten_at:
        if query is not None:
            await cards.answer(query, texts.NOTE_UNREACHABLE, alert=True)
        else:
            await message.reply_text(texts.NOTE_UNREACHABLE)
        return
    decision.answer = "sent"
    decision.answered_at = services.clock.now()
    await uow.commit()  # before sending: a retry after a crash cannot send it twice
    try:
        await context.bot.send_message(client.telegram_user_id, words, parse_mode=None)  # as typed
        result = texts.note_sent(client.name)
    except Forbidden:
        result = texts.NOTE_UNREACHABLE
    except TelegramError as exc:
        log.warning("improvement note not sent: %s", type(exc).__name__)
        result = texts.NOTE_FAILED
    if query is not None:
        await cards.answer(query)
        await cards.edit_card(context.bot, message.chat.id, message.message_id, result, None)
    else:
        await message.reply_text(result)


async def own_words(update: Update, context: Context) -> None:
    """The therapist replied to the drafted note with their own words: those are sent."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None and message.text is not None
    target = message.reply_to_message
    markup = target.reply_markup if target is not None else None
    button = None
    if markup is not None:
        for row in markup.inline_keyboard:
            for key in row:
                parsed = parse(key.callback_data if isinstance(key.callback_data, str) else None)
                if isinstance(parsed, DecisionAnswer) and parsed.answer == "s":
                    button = parsed
    if button is None:
        return
    services = context.services
    async with services.db.unit_of_work() as uow:
        decision = await uow.session.get(Decision, button.decision_id)
        client = None
        if decision is not None and decision.therapist_id == user.id:
            client = await uow.clients.get(user.id, decision.client_id)
        if decision is None or client is None:
            await message.reply_text(texts.NOT_YOUR_CLIENT)
            return
        words = message.text.strip()
        if len(words) > MAX_TEXT_LENGTH:  # the draft keeps its button: shorten and reply again
            await message.reply_text(texts.too_long(len(words), MAX_TEXT_LENGTH, sent=True))
            return
        await _send_or_drop_note(update, context, uow, decision, client, "s", words)


def _is_reply_to_a_draft(message: object) -> bool:
    target = getattr(message, "reply_to_message", None)
    markup = getattr(target, "reply_markup", None)
    if markup is None:
        return False
    return any(
        isinstance(
            parse(k.callback_data if isinstance(k.callback_data, str) else None), DecisionAnswer
        )
        for row in markup.inline_keyboard
        for k in row
    )


class _ReplyToDraft(filters.MessageFilter):
    def filter(self, message: object) -> bool:
        return _is_reply_to_a_draft(message)


def handlers(therapists: filters.BaseFilter) -> list[Handler]:
    return [
        CommandHandler("progress", progress_command, filters=therapists),
        CallbackQueryHandler(progress_button, pattern=ProgressOf.pattern()),
        CallbackQueryHandler(decision_button, pattern=DecisionAnswer.pattern()),
        MessageHandler(
            therapists & filters.TEXT & ~filters.COMMAND & _ReplyToDraft(),
            own_words,
        ),
    ]
