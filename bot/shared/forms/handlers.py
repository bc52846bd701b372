"""Telegram's side of a form: start it for a client, show each question as a card edited in
place, read taps and typed answers, save. The form's step and answers live in the database."""

from __future__ import annotations

import inspect
import secrets
from collections.abc import Callable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler

from bot.shared import cards, texts
from bot.shared.callbacks import FormButton, parse
from bot.shared.context import Context, Handler, Services
from bot.shared.forms.engine import EDIT_MENU, SUMMARY, Form, FormContext, Question, read_text
from bot.shared.reach import send_to_client
from practice.notes import InputError
from storage.models import Client, FormDraft
from storage.unit_of_work import UnitOfWork

FORMS: dict[str, Form] = {}
# Drafts kept beside the forms by flows of their own (a note's amendment), by `form`: what
# each is called, so that neither replaces the other in silence.
DraftTitle = Callable[[FormDraft, Client | None], str]
OTHER_DRAFTS: dict[str, DraftTitle] = {}


def register(form: Form) -> None:
    FORMS[form.name] = form


def register_draft(name: str, title: DraftTitle) -> None:
    OTHER_DRAFTS[name] = title


async def draft_title(uow: UnitOfWork, draft: FormDraft) -> str | None:
    """What the open draft is called ("Plan for Anna K."); None for one no flow knows."""
    client = (
        await uow.clients.get(draft.therapist_id, draft.client_id)
        if draft.client_id is not None
        else None
    )
    if draft.form in FORMS:
        return FORMS[draft.form].title(client)
    if draft.form in OTHER_DRAFTS:
        return OTHER_DRAFTS[draft.form](draft, client)
    return None


def _step_code(form: Form, step: str) -> str:
    if step == SUMMARY:
        return "s"
    if step == EDIT_MENU:
        return "e"
    return str([q.key for q in form.questions].index(step))


async def _context(services: Services, uow: UnitOfWork, draft: FormDraft) -> FormContext | None:
    client = (
        await uow.clients.get(draft.therapist_id, draft.client_id)
        if draft.client_id is not None
        else None
    )
    therapist = await uow.therapists.get(draft.therapist_id)
    if therapist is None or (client is None and draft.client_id is not None):
        return None
    return FormContext(
        uow=uow,
        therapist_id=draft.therapist_id,
        therapist_name=therapist.display_name,
        client=client,
        answers=dict(draft.answers),
        now=services.clock.now(),
        today=services.today(),
        practice_zone=services.settings.practice_timezone,
        query=draft.query,
        target_id=draft.target_id,
    )


async def _shown(question: Question, value: object, ctx: FormContext) -> str:
    if value in (None, "", []):
        return "—"
    if question.show is None and question.options is not None:
        # A choice reads as the label it was chosen by; a typed answer reads as typed.
        labels = {o.value: o.label for o in await question.options(ctx)}
        values = value if isinstance(value, list) else [value]
        return texts.esc(", ".join(labels.get(str(v), str(v)) for v in values))
    if question.show is None:
        return texts.esc(str(value))
    result = question.show(value, ctx)
    return await result if inspect.isawaitable(result) else result


async def render(
    form: Form, draft: FormDraft, ctx: FormContext
) -> tuple[str, InlineKeyboardMarkup]:
    """The card for the form's current step."""

    def button(
        label: str, action: str, arg: str = "", step: str | None = None
    ) -> InlineKeyboardButton:
        code = _step_code(form, step or draft.step)
        return InlineKeyboardButton(
            label, callback_data=FormButton(draft.token, code, action, arg).encode()
        )

    title = form.title(ctx.client)
    cancel = button(texts.CANCEL, "x")
    if draft.step == SUMMARY:
        lines = [f"{title} — {form.done_prompt}", ""]
        for q in form.asked(ctx.answers):
            lines.append(f"<b>{q.label}:</b> {await _shown(q, ctx.answers.get(q.key), ctx)}")
        missing = form.missing(ctx.answers)
        if missing:
            lines += ["", "⚠️ Still needed: " + ", ".join(missing)]
        lines += [f"ℹ️ {warning}" for warning in form.warnings(ctx)]
        rows = [
            [button(texts.SAVE, "sv")],
            [button(texts.EDIT_FIELD, "ed")],
            [button(texts.BACK, "b"), cancel],
        ]
        return "\n".join(lines), InlineKeyboardMarkup(rows)
    if draft.step == EDIT_MENU:
        buttons = [
            button(q.label, "f", str(i))
            for i, q in enumerate(form.questions)
            if q.asked(ctx.answers)
        ]
        rows = cards.button_rows(buttons)
        rows.append([button(texts.BACK_TO_SUMMARY, "b")])
        return f"{title}\n{texts.STEP_EDIT_MENU}", InlineKeyboardMarkup(rows)

    question = form.question(draft.step)
    assert question is not None
    asked = form.asked(ctx.answers)
    # The counter counts the steps the therapist is shown: a question answered when the form
    # opened (a referral's reason from a decision point) is no step of theirs, unless they
    # went back to it. One step alone has no counter ("1 of 1" says nothing).
    given = set(_given(ctx.answers))
    steps = [q.key for q in asked if q.key not in given or q.key == question.key]
    number = [q.key for q in asked].index(question.key) + 1
    step = steps.index(question.key) + 1
    lines = [f"{title} · {step} of {len(steps)}" if len(steps) > 1 else title]
    # What the earlier steps hold, so that a form opened part-filled (a referral's reason
    # preset by a decision point) says what was given.
    # The last few only: each answer is bounded by its question, so the card is too.
    earlier = [
        f"{q.label}: {await _shown(q, ctx.answers[q.key], ctx)}"
        for q in asked[: number - 1]
        if ctx.answers.get(q.key) not in (None, "", [])
    ][-EARLIER_SHOWN:]
    if earlier:
        lines.append("<i>" + " · ".join(earlier) + "</i>")
    lines.append(question.prompt)
    current = ctx.answers.get(question.key)
    rows = []
    if question.kind == "text":
        if current:
            lines.append(f"Now: <i>{texts.esc(str(current))}</i>")
        suggested = await question.suggest(ctx) if question.suggest is not None else None
        if suggested is not None and suggested[1] != current:
            source, words = suggested
            lines.append(texts.form_suggestion(source, words))
            rows.append([button(texts.form_use(source), "u")])
        lines.append(question.hint or f"Type it (up to {question.max_length:,} characters).")
    else:
        assert question.options is not None
        options = await question.options(ctx)
        chosen = set(current) if isinstance(current, list) else {current}
        buttons = [
            button(
                f"✓ {o.label}" if o.value in chosen else o.label,
                "t" if question.kind == "multi" else "v",
                o.value,
            )
            for o in options
        ]
        rows += cards.button_rows(buttons, question.columns, tick="✓ ")
        if question.hint:
            lines.append(question.hint)
        if question.note is not None and (note := await question.note(ctx)):
            lines.append(note)
        if ctx.query:
            lines.append(f"Showing matches for “{texts.esc(ctx.query)}”.")
            rows.append([button(texts.SHOW_ALL, "cq")])
        if question.kind == "multi":
            rows.append([button(texts.DONE, "d")])
    if question.optional:
        rows.append([button(texts.SKIP, "k")])
    rows.append([button(texts.BACK, "b"), cancel])
    return "\n".join(lines), InlineKeyboardMarkup(rows)


async def start_form(
    update: Update,
    context: Context,
    form_name: str,
    client_id: int | None,
    *,
    target_id: int | None = None,
    preset: dict[str, object] | None = None,
    step: str | None = None,
) -> bool:
    """Open a form (for one of the therapist's clients, or none), as a card at the bottom;
    False if it could not open (another form or a note in progress, not their client).

    `preset` answers (a referral's reason from a decision point) start it at the first
    question they leave open; `step` opens it at that one question of a form otherwise
    filled in (more sessions at a plan's end), and its answer leads to the summary."""
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    services = context.services
    form = FORMS[form_name]
    async with services.db.unit_of_work() as uow:
        await uow.therapists.ensure(user.id, user.full_name, services.clock.now())
        client = await uow.clients.get(user.id, client_id) if client_id is not None else None
        if client_id is not None and client is None:
            await context.bot.send_message(chat.id, texts.NOT_YOUR_CLIENT)
            return False
        if await uow.drafts.get(user.id) is not None:
            await context.bot.send_message(chat.id, texts.FINISH_NOTE_FIRST)
            return False
        open_draft = await uow.forms.get(user.id)
        if open_draft is not None and (title := await draft_title(uow, open_draft)) is not None:
            # Never throw away a half-filled form: show where it is instead.
            await context.bot.send_message(chat.id, texts.finish_form_first(texts.Html(title)))
            return False
        now = services.clock.now()
        draft = FormDraft(
            therapist_id=user.id,
            token=secrets.token_urlsafe(9),
            form=form.name,
            client_id=client.id if client is not None else None,
            target_id=target_id,
            step=SUMMARY,
            editing=False,
            answers={},
            query=None,
            card_message_id=None,
            created_at=now,
            updated_at=now,
        )
        ctx = await _context(services, uow, draft)
        assert ctx is not None
        await uow.updates.claim(update.update_id, now)
        ctx.answers = {**await form.initial(ctx), **(preset or {})}
        given = sorted(q.key for q in form.questions if preset and q.key in preset)
        if given:
            ctx.answers[GIVEN] = given
        draft.answers = ctx.answers
        # A fresh form starts at its first question; one prefilled from a record (changing a
        # plan) starts at its summary, where one field can be changed.
        if step is not None and form.question(step) is not None:
            draft.step, draft.editing = step, True
        elif not form.missing(ctx.answers) and ctx.answers:
            draft.step = SUMMARY
        elif preset:
            draft.step = form.first_unanswered(ctx.answers) or SUMMARY
        else:
            draft.step = form.asked(ctx.answers)[0].key
        await uow.forms.start(draft)
        text, keyboard = await render(form, draft, ctx)
        await uow.commit()
    shown = await cards.send_card(context.bot, chat.id, text, keyboard)
    await remember_card(services, user.id, draft.token, shown)
    return True


async def remember_card(services: Services, therapist_id: int, token: str, message_id: int) -> None:
    """The message now carrying the form (or amendment) `token`: only its buttons count."""
    async with services.db.unit_of_work() as uow:
        draft = await uow.forms.get(therapist_id)
        if draft is not None and draft.token == token and draft.card_message_id != message_id:
            draft.card_message_id = message_id
            await uow.commit()


EARLIER_SHOWN = 3
# The answers' key that lists the questions answered when the form opened (`preset`).
GIVEN = "given"


def _given(answers: dict[str, object]) -> list[str]:
    keys = answers.get(GIVEN)
    return [k for k in keys if isinstance(k, str)] if isinstance(keys, list) else []


def _advance(form: Form, draft: FormDraft, answers: dict[str, object]) -> None:
    if draft.editing:
        # Back to the summary, unless the changed answer made another question necessary.
        draft.step = form.first_unanswered(answers) or SUMMARY
    else:
        draft.step = form.next_key(draft.step, answers)
    draft.query = None
    if draft.step == SUMMARY:
        draft.editing = False


async def form_button(update: Update, context: Context) -> None:
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None and query.message is not None
    button = parse(query.data)
    services = context.services
    bot = context.bot
    chat_id, tapped = query.message.chat.id, query.message.message_id
    if not isinstance(button, FormButton):
        await cards.answer(query, texts.STALE_BUTTON)
        return
    toast: str | None = None
    saved = None
    async with services.db.unit_of_work() as uow:
        # Claimed with the effect: a tap Telegram delivers again changes nothing twice.
        first_time = await uow.updates.claim(update.update_id, services.clock.now())
        draft = await uow.forms.get(user.id)
        form = FORMS.get(draft.form) if draft is not None else None
        if draft is None or form is None or draft.token != button.token:
            await uow.commit()
            await cards.answer(query, texts.STALE_FORM_BUTTON)
            await cards.strip_buttons(bot, chat_id, tapped)
            return
        if button.step != _step_code(form, draft.step):
            await uow.rollback()
            await cards.answer(query, texts.OLD_STEP_BUTTON)
            return
        ctx = await _context(services, uow, draft)
        if ctx is None:
            await uow.forms.delete(draft)
            await uow.commit()
            await cards.answer(query, texts.CLIENT_GONE)
            return
        question = form.question(draft.step)
        action, arg = button.action, button.arg
        if not first_time:
            action = "replay"
        if action == "replay":
            pass  # show the form where it is
        elif action == "x":
            await uow.forms.delete(draft)
            await uow.commit()
            await cards.answer(query, "Cancelled")
            await cards.edit_card(bot, chat_id, tapped, texts.FORM_CANCELLED, None)
            if form.cancelled is not None:
                await form.cancelled(context, user.id, draft.client_id, dict(draft.answers))
            return
        if action == "b":
            if draft.step == EDIT_MENU or (draft.editing and question is not None):
                draft.step, draft.editing = SUMMARY, False
            else:
                previous = form.previous_key(draft.step, ctx.answers)
                if previous is not None:
                    draft.step = previous
            draft.query = None
        elif action == "sv" and draft.step == SUMMARY:
            missing = form.missing(ctx.answers)
            if missing:
                await uow.rollback()
                await cards.answer(query, "Still needed: " + ", ".join(missing), alert=True)
                return
            saved = await form.save(ctx, draft.target_id)
            await uow.forms.delete(draft)
        elif action == "ed" and draft.step == SUMMARY:
            draft.step = EDIT_MENU
        elif action == "f" and draft.step == EDIT_MENU and arg.isdigit():
            index = int(arg)
            if index < len(form.questions) and form.questions[index].asked(ctx.answers):
                draft.step, draft.editing = form.questions[index].key, True
        elif action == "cq":
            draft.query = None
        elif question is not None and (action, question.kind) in _TAPS_BY_KIND:
            toast = await _answer_tap(form, draft, question, ctx, action, arg)
        else:
            await uow.rollback()
            await cards.answer(query, texts.OLD_STEP_BUTTON)
            return
        draft.updated_at = ctx.now
        ctx.query = draft.query
        if saved is None:
            text, keyboard = await render(form, draft, ctx)
        await uow.commit()

    await cards.answer(query, toast)
    if saved is not None:
        offer = (
            InlineKeyboardMarkup(
                cards.button_rows(
                    [InlineKeyboardButton(label, callback_data=data) for label, data in saved.offer]
                )
            )
            if saved.offer
            else None
        )
        await cards.edit_card(bot, chat_id, tapped, saved.text, offer)
        for telegram_user_id, message in saved.notify:
            await send_to_client(services, bot, telegram_user_id, message)
        if saved.after is not None:
            await saved.after(context)
        return
    shown = await cards.edit_card(bot, chat_id, tapped, text, keyboard)
    await remember_card(services, user.id, button.token, shown)


# Which taps each kind of question takes; anything else is forged or from an old keyboard.
_TAPS_BY_KIND = {
    ("v", "choice"),
    ("t", "multi"),
    ("d", "multi"),
    ("k", "text"),
    ("u", "text"),
    ("k", "choice"),
    ("k", "multi"),
}


async def _answer_tap(
    form: Form, draft: FormDraft, question: Question, ctx: FormContext, action: str, arg: str
) -> str | None:
    answers = dict(draft.answers)
    if action == "k":
        if not question.optional:
            return texts.OLD_STEP_BUTTON
        answers[question.key] = None
    elif action == "u":
        suggested = await question.suggest(ctx) if question.suggest is not None else None
        if suggested is None:
            return texts.OLD_STEP_BUTTON
        answers[question.key] = suggested[1][: question.max_length]
    elif action in ("v", "t"):
        assert question.options is not None
        if arg not in {o.value for o in await question.options(ctx)}:
            return texts.OLD_STEP_BUTTON
        if action == "t":
            chosen = list(answers.get(question.key) or [])
            chosen = [c for c in chosen if c != arg] if arg in chosen else [*chosen, arg]
            answers[question.key] = chosen
            draft.answers = answers
            ctx.answers = answers
            return None
        answers[question.key] = arg
    elif action == "d" and not answers.get(question.key):
        return texts.PICK_AT_LEAST_ONE
    draft.answers = answers
    ctx.answers = answers
    _advance(form, draft, answers)
    return None


async def form_text(update: Update, context: Context) -> bool:
    """A typed message while a form is open; False if no form is open (the note reads it)."""
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None and message.text is not None
    services = context.services
    warning: str | None = None
    async with services.db.unit_of_work() as uow:
        draft = await uow.forms.get(user.id)
        form = FORMS.get(draft.form) if draft is not None else None
        if draft is None or form is None:
            return False
        ctx = await _context(services, uow, draft)
        if ctx is None:
            await uow.forms.delete(draft)
            await uow.commit()
            return False
        first_time = await uow.updates.claim(update.update_id, ctx.now)
        question = form.question(draft.step)
        typed = message.text
        if not first_time:
            pass  # a message Telegram delivered again: show the form where it is
        elif question is None:
            warning = texts.TAP_FORM_SUMMARY
        elif question.kind == "text" or question.parse is not None:
            try:
                value = read_text(question, typed) if question.kind == "text" else None
                if question.parse is not None:
                    value = question.parse(typed, ctx)
            except InputError as exc:
                warning = f"⚠️ {texts.esc(str(exc)).capitalize()}. Please try again."
            else:
                answers = {**draft.answers, question.key: value}
                draft.answers = ctx.answers = answers
                _advance(form, draft, answers)
        elif question.narrows:
            draft.query = ctx.query = " ".join(typed.split())[:60] or None
        else:
            warning = texts.RE_TAP_CHOICES
        draft.updated_at = ctx.now
        text, keyboard = await render(form, draft, ctx)
        if warning:
            text = f"{warning}\n\n{text}"
        old_card, token = draft.card_message_id, draft.token
        await uow.commit()
    shown = await cards.send_card(context.bot, message.chat_id, text, keyboard, replaces=old_card)
    await remember_card(services, user.id, token, shown)
    return True


async def cancel_form(context: Context, therapist_id: int, chat_id: int) -> bool:
    """/cancel with a form open: close it. False if none was open."""
    async with context.services.db.unit_of_work() as uow:
        draft = await uow.forms.get(therapist_id)
        if draft is None:
            return False
        card = draft.card_message_id
        await uow.forms.delete(draft)
        await uow.commit()
    if card is not None:
        await cards.strip_buttons(context.bot, chat_id, card)
    await context.bot.send_message(chat_id, texts.FORM_CANCELLED)
    form = FORMS.get(draft.form)
    if form is not None and form.cancelled is not None:
        await form.cancelled(context, therapist_id, draft.client_id, dict(draft.answers))
    return True


async def form_in_progress(context: Context, therapist_id: int) -> str | None:
    """The title of the form the therapist has open, if any."""
    async with context.services.db.unit_of_work() as uow:
        draft = await uow.forms.get(therapist_id)
        return await draft_title(uow, draft) if draft is not None else None


def handlers() -> list[Handler]:
    return [CallbackQueryHandler(form_button, pattern=FormButton.pattern())]
