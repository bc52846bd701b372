"""Amending a saved note: pick a field, give the new value, say why — the earlier wording is kept.

Reached by "✏️ Amend #n" under each note in /history and on the client card. The note itself
changes only at the end, in one transaction with its `NoteRevision` (practice.amendments). What
is chosen on the way (field, new value) is kept like a form's answers: a `FormDraft` with form
"amend" whose target is the note, so a restart in the middle loses nothing, and an amendment
and a form (or a note being written) never replace each other in silence.

Every tap is re-checked: the note must be the presser's own, and the tap must belong to the
amendment in progress (its note, its current card). A corrected session date moves the
client's check-ins with it when that session is, or was, their latest.
"""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ApplicationHandlerStop, CallbackQueryHandler, MessageHandler, filters

from bot.shared import cards, texts
from bot.shared.callbacks import AmendButton, parse_records
from bot.shared.context import Context, Handler, Services
from bot.shared.forms.handlers import draft_title, remember_card
from practice.amendments import (
    FIELD_CODES,
    FIELDS,
    MAX_REASON_LENGTH,
    REASONS,
    change_line,
    value_label,
)
from practice.notes import (
    AREAS,
    PRESSURES,
    TECHNIQUES,
    InputError,
    clean_text,
    parse_pain,
    parse_session_date,
)
from reminders.checkins import session_day_amended
from storage.models import Client, FormDraft, SessionNote
from storage.unit_of_work import UnitOfWork

FORM = "amend"  # the form_drafts row's `form`; its `target_id` is the note
FIELD_STAGE, VALUE_STAGE, REASON_STAGE = "field", "value", "reason"  # the draft's `step`
TAPPED = {"pain_before", "pain_after", "pressure", "areas", "techniques"}
CHOICES = {"areas": AREAS, "techniques": TECHNIQUES, "pressure": PRESSURES}
TEXT_FIELDS = {"subjective", "findings", "response", "plan_next"}

Answers = dict[str, Any]  # field, chosen (areas, techniques), value: JSON in the draft


def amend_buttons(notes: list[SessionNote]) -> list[list[InlineKeyboardButton]]:
    """ "✏️ Amend #13" for each note shown, three to a row."""
    buttons = [
        InlineKeyboardButton(
            texts.AMEND_BUTTON.format(number=n.number),
            callback_data=AmendButton(n.id, "o").encode(),
        )
        for n in notes
    ]
    return [buttons[i : i + 3] for i in range(0, len(buttons), 3)]


async def amendment_marks(
    uow: UnitOfWork, notes: list[SessionNote], today: date, zone: Any
) -> dict[int, str]:
    """ "✏️ amended twice, last on Thu 26 Nov: Typo" for each amended note, by note id."""
    amended = [n for n in notes if n.revision]
    revisions = await uow.amendments.for_notes([n.id for n in amended])
    marks = {}
    for note in amended:
        rows = revisions.get(note.id)
        if not rows:
            continue
        last = rows[-1]
        day = texts.Html(texts.long_date(last.revised_at.astimezone(zone).date(), today))
        marks[note.id] = texts.amended_mark(len(rows), day, last.reason)
    return marks


def draft_title_of(draft: FormDraft, client: Client | None) -> str:
    """What an amendment in progress is called when something else would replace it."""
    return texts.amend_title(int(draft.answers.get("number") or 0), client.name if client else "")


# --- the cards ----------------------------------------------------------------------------


def _b(note_id: int, label: str, action: str, arg: str = "") -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=AmendButton(note_id, action, arg).encode())


def _cancel(note_id: int) -> list[InlineKeyboardButton]:
    return [_b(note_id, texts.AMEND_CANCEL, "x")]


def _fields_view(note: SessionNote, name: str, today: date) -> tuple[str, InlineKeyboardMarkup]:
    buttons = [_b(note.id, FIELDS[field], "f", code) for code, field in FIELD_CODES.items()]
    rows = cards.button_rows(buttons)
    rows.append(_cancel(note.id))
    day = texts.Html(texts.long_date(note.session_date, today))
    return texts.amend_fields(note.number, name, day), InlineKeyboardMarkup(rows)


def _value_view(note: SessionNote, answers: Answers) -> tuple[str, InlineKeyboardMarkup]:
    field = answers["field"]
    rows: list[list[InlineKeyboardButton]] = []
    if field in ("pain_before", "pain_after"):
        numbers = [_b(note.id, str(v), "v", str(v)) for v in range(11)]
        rows = [numbers[:6], numbers[6:]]
    elif field == "pressure":
        rows = [[_b(note.id, label, "v", code) for code, label in PRESSURES.items()]]
    elif field in ("areas", "techniques"):
        chosen = answers["chosen"]
        buttons = [
            _b(note.id, f"✓ {label}" if code in chosen else label, "v", code)
            for code, label in CHOICES[field].items()
        ]
        rows = [buttons[i : i + 3] for i in range(0, len(buttons), 3)]
        rows.append([_b(note.id, texts.AMEND_DONE, "d")])
    elif field in TEXT_FIELDS:
        rows = [[_b(note.id, texts.AMEND_CLEAR, "v", "-")]]
    rows.append(_cancel(note.id))
    current = value_label(field, getattr(note, field))
    text = texts.amend_ask_value(FIELDS[field], current, field not in TAPPED)
    return text, InlineKeyboardMarkup(rows)


def _reason_view(note: SessionNote, answers: Answers) -> tuple[str, InlineKeyboardMarkup]:
    field = answers["field"]
    change = change_line(field, getattr(note, field), _value(answers))
    rows = [[_b(note.id, label, "r", code) for code, label in REASONS.items()], _cancel(note.id)]
    text = f"{texts.amend_ask_reason(change)}\n{texts.AMEND_TYPE_REASON}"
    return text, InlineKeyboardMarkup(rows)


async def _view(
    uow: UnitOfWork, note: SessionNote, draft: FormDraft, today: date
) -> tuple[str, InlineKeyboardMarkup]:
    """The card for the amendment's current stage."""
    if draft.step == VALUE_STAGE:
        return _value_view(note, draft.answers)
    if draft.step == REASON_STAGE:
        return _reason_view(note, draft.answers)
    client = await uow.clients.get(note.therapist_id, note.client_id)
    return _fields_view(note, client.name if client else "", today)


# --- the answers, as the draft keeps them ---------------------------------------------------


def _value(answers: Answers) -> object:
    """The new value as the note takes it (a date comes back from its JSON text)."""
    value = answers.get("value")
    if answers.get("field") == "session_date" and isinstance(value, str):
        return date.fromisoformat(value)
    return value


def _with_value(answers: Answers, value: object) -> Answers:
    stored = value.isoformat() if isinstance(value, date) else value
    return {**answers, "value": stored}


_KEEP_CHOOSING = object()


def _tapped_value(answers: Answers, button: AmendButton) -> tuple[object, Answers]:
    """The value a tap gives (or _KEEP_CHOOSING), and the answers with a toggled choice."""
    field = answers["field"]
    if field in ("areas", "techniques"):
        chosen = list(answers["chosen"])
        if button.action == "d":
            return (chosen if chosen else _KEEP_CHOOSING), answers
        if button.arg in chosen:
            chosen.remove(button.arg)
        elif button.arg in CHOICES[field]:
            chosen.append(button.arg)
        return _KEEP_CHOOSING, {**answers, "chosen": chosen}
    if field in ("pain_before", "pain_after") and button.arg.isdigit() and int(button.arg) <= 10:
        return int(button.arg), answers
    if field == "pressure" and button.arg in PRESSURES:
        return button.arg, answers
    if field in TEXT_FIELDS and button.arg == "-":
        return None, answers
    return _KEEP_CHOOSING, answers


def _typed_value(field: str, text: str, today: date) -> object:
    if field in ("pain_before", "pain_after"):
        return parse_pain(text)
    if field == "session_date":
        return parse_session_date(text, today)
    if field in TEXT_FIELDS:
        return clean_text(text)
    return _KEEP_CHOOSING


Shown = tuple[str, InlineKeyboardMarkup | None]


async def _take_value(
    uow: UnitOfWork,
    services: Services,
    note: SessionNote,
    draft: FormDraft,
    value: object,
) -> Shown:
    """A value chosen: on to the reason — or the end, when the note already says so."""
    if getattr(note, draft.answers["field"]) == value:
        await uow.forms.delete(draft)
        return texts.AMEND_NOTHING_CHANGED, None
    draft.answers = _with_value(draft.answers, value)
    draft.step = REASON_STAGE
    draft.updated_at = services.clock.now()
    return _reason_view(note, draft.answers)


async def _save(
    uow: UnitOfWork, services: Services, note: SessionNote, draft: FormDraft, reason: str
) -> Shown:
    """The amendment, whole: the new value, the revision keeping the old, the draft gone, and
    the check-ins moved with a corrected date — in the caller's one transaction."""
    field, value = draft.answers["field"], _value(draft.answers)
    now = services.clock.now()
    await uow.forms.delete(draft)
    latest = await uow.notes.latest(note.therapist_id, note.client_id)
    old = getattr(note, field)
    revision = await uow.amendments.amend(note, {field: value}, reason, now)
    if revision is None:
        return texts.AMEND_NOTHING_CHANGED, None
    if field == "session_date":
        client = await uow.clients.get(note.therapist_id, note.client_id)
        if client is not None:
            await session_day_amended(
                uow,
                client,
                note_id=note.id,
                was_latest=latest is not None and latest.id == note.id,
                now=now,
                fallback_zone=services.settings.practice_timezone,
            )
    text = texts.amend_saved(note.number, note.revision, change_line(field, old, value), reason)
    return text, None


# --- taps ---------------------------------------------------------------------------------


async def _open(update: Update, context: Context, note_id: int) -> None:
    """ "✏️ Amend #n": a new amendment, unless a note or form is in progress (never replaced
    in silence); the same note's amendment shows again where it is."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None and query.message is not None
    services, bot = context.services, context.bot
    chat_id = query.message.chat.id
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        note = await uow.notes.get(user.id, note_id)
        if note is None:  # another therapist's note (forged), or gone
            await cards.answer(query, texts.NOT_YOUR_NOTE)
            return
        if await uow.drafts.get(user.id) is not None:
            await cards.answer(query)
            await bot.send_message(chat_id, texts.FINISH_NOTE_FIRST)
            return
        draft = await uow.forms.get(user.id)
        if draft is not None and not (draft.form == FORM and draft.target_id == note.id):
            title = await draft_title(uow, draft)
            if title is not None:
                await cards.answer(query)
                await bot.send_message(chat_id, texts.finish_form_first(texts.Html(title)))
                return
            draft = None  # left by a form this version no longer has: replaced below
        if draft is None:
            draft = await uow.forms.start(
                FormDraft(
                    therapist_id=user.id,
                    token=secrets.token_urlsafe(9),
                    form=FORM,
                    client_id=note.client_id,
                    target_id=note.id,
                    step=FIELD_STAGE,
                    editing=False,
                    answers={"number": note.number},
                    query=None,
                    card_message_id=None,
                    created_at=now,
                    updated_at=now,
                )
            )
        text, keyboard = await _view(uow, note, draft, services.today())
        old_card, token = draft.card_message_id, draft.token
        await uow.commit()
    await cards.answer(query)
    shown = await cards.send_card(bot, chat_id, text, keyboard, replaces=old_card)
    await remember_card(services, user.id, token, shown)


async def amend_button(update: Update, context: Context) -> None:
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None and query.message is not None
    button = parse_records(query.data)
    if not isinstance(button, AmendButton):
        await cards.answer(query, texts.STALE_BUTTON)
        return
    if button.action == "o":
        await _open(update, context, button.note_id)
        return
    services = context.services
    chat_id, tapped = query.message.chat.id, query.message.message_id
    async with services.db.unit_of_work() as uow:
        note = await uow.notes.get(user.id, button.note_id)
        if note is None:  # another therapist's note (forged), or gone
            await cards.answer(query, texts.NOT_YOUR_NOTE)
            return
        draft = await uow.forms.get(user.id)
        if draft is None or draft.form != FORM or draft.target_id != note.id:
            await cards.answer(query, texts.AMEND_ENDED)
            return
        if draft.card_message_id is not None and draft.card_message_id != tapped:
            await cards.answer(query, texts.OLD_STEP_BUTTON)
            return
        token = draft.token
        if await uow.updates.claim(update.update_id, services.clock.now()):
            shown = await _on_tap(uow, services, note, draft, button)
        else:  # a tap Telegram delivers again: show the amendment where it is
            shown = await _view(uow, note, draft, services.today())
        if shown is None:
            await uow.rollback()
            await cards.answer(query, texts.OLD_STEP_BUTTON)
            return
        await uow.commit()
    await cards.answer(query)
    card = await cards.edit_card(context.bot, chat_id, tapped, *shown)
    await remember_card(services, user.id, token, card)


async def _on_tap(
    uow: UnitOfWork, services: Services, note: SessionNote, draft: FormDraft, button: AmendButton
) -> Shown | None:
    """What a tap on the current card does; None for one that does not fit the stage."""
    if button.action == "x":
        await uow.forms.delete(draft)
        return texts.AMEND_CANCELLED, None
    if draft.step == FIELD_STAGE and button.action == "f" and button.arg in FIELD_CODES:
        field = FIELD_CODES[button.arg]
        answers: Answers = {"number": note.number, "field": field}
        if field in ("areas", "techniques"):
            answers["chosen"] = list(getattr(note, field))
        draft.answers, draft.step = answers, VALUE_STAGE
        draft.updated_at = services.clock.now()
        return _value_view(note, answers)
    if draft.step == VALUE_STAGE and button.action in ("v", "d"):
        value, answers = _tapped_value(draft.answers, button)
        if value is _KEEP_CHOOSING:
            draft.answers = answers
            draft.updated_at = services.clock.now()
            return _value_view(note, answers)
        return await _take_value(uow, services, note, draft, value)
    if draft.step == REASON_STAGE and button.action == "r" and button.arg in REASONS:
        return await _save(uow, services, note, draft, REASONS[button.arg])
    return None


# --- typing -------------------------------------------------------------------------------


async def typed(update: Update, context: Context) -> None:
    """A therapist's typing while an amendment waits for a value or a reason. Anything else
    (no amendment waiting) passes on to the note and search handlers untouched."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    text = message.text or ""
    if text.startswith("/"):
        await _leave(context, user.id, message.chat_id, text)
        return
    services = context.services
    warning: str | None = None
    shown: Shown | None = None
    async with services.db.unit_of_work() as uow:
        draft = await uow.forms.get(user.id)
        if draft is None or draft.form != FORM or draft.step not in (VALUE_STAGE, REASON_STAGE):
            return
        old_card, token = draft.card_message_id, draft.token
        note = await uow.notes.get(user.id, draft.target_id or 0)
        if note is None:
            await uow.forms.delete(draft)
            await uow.commit()
            return
        if not await uow.updates.claim(update.update_id, services.clock.now()):
            raise ApplicationHandlerStop  # a message Telegram delivers again: taken already
        if draft.step == REASON_STAGE:
            reason = " ".join(text.split())
            if len(reason) > MAX_REASON_LENGTH:
                warning = texts.too_long(len(reason), MAX_REASON_LENGTH)
            elif reason:
                shown = await _save(uow, services, note, draft, reason)
        else:
            try:
                value = _typed_value(draft.answers["field"], text, services.today())
            except InputError as problem:
                warning = f"⚠️ {problem}"
            else:
                if value is _KEEP_CHOOSING:
                    warning = texts.RE_TAP_CHOICES
                else:
                    shown = await _take_value(uow, services, note, draft, value)
        await uow.commit()
    if warning is not None:
        await message.reply_text(warning, parse_mode=None)  # an InputError's words, unescaped
    if shown is not None:
        card = await cards.send_card(context.bot, message.chat_id, *shown, replaces=old_card)
        await remember_card(services, user.id, token, card)
    raise ApplicationHandlerStop


async def _leave(context: Context, therapist_id: int, chat_id: int, command: str) -> None:
    """A command leaves an amendment in progress, the note as it was: its card keeps no
    buttons, and /cancel says so (and goes no further)."""
    async with context.services.db.unit_of_work() as uow:
        draft = await uow.forms.get(therapist_id)
        if draft is None or draft.form != FORM:
            return
        card = draft.card_message_id
        await uow.forms.delete(draft)
        await uow.commit()
    if command.split()[0].split("@")[0] == "/cancel":
        if card is not None:
            await cards.edit_card(context.bot, chat_id, card, texts.AMEND_CANCELLED, None)
        else:
            await context.bot.send_message(chat_id, texts.AMEND_CANCELLED)
        raise ApplicationHandlerStop
    if card is not None:
        await cards.strip_buttons(context.bot, chat_id, card)


def handlers(therapists: filters.BaseFilter) -> list[Handler]:
    return [CallbackQueryHandler(amend_button, pattern=AmendButton.pattern())]


def typing_handler(therapists: filters.BaseFilter) -> MessageHandler[Context, None]:
    """In a group of its own before the others: it stops the update only when it used it."""
    return MessageHandler(therapists & filters.ChatType.PRIVATE & filters.TEXT, typed)
