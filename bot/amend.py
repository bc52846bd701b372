"""Amending a saved note: pick a field, give the new value, say why — the earlier wording is kept.

Reached by "✏️ Amend #n" under each note in /history and on the client card. The note itself
changes only at the end, in one transaction with its `NoteRevision` (practice.amendments). What
is chosen on the way (field, new value) lives in the therapist's `user_data`: an amendment is
a minute's work, and one lost to a restart has changed nothing.

Every tap is re-checked: the note must be the presser's own, and the tap must belong to the
amendment in progress.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ApplicationHandlerStop, CallbackQueryHandler, MessageHandler, filters

from bot import cards, texts
from bot.callbacks import AmendButton, parse_records
from bot.runtime import Context
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
from storage.models import SessionNote
from storage.unit_of_work import UnitOfWork

KEY = "amendment"
TAPPED = {"pain_before", "pain_after", "pressure", "areas", "techniques"}
CHOICES = {"areas": AREAS, "techniques": TECHNIQUES, "pressure": PRESSURES}
TEXT_FIELDS = {"subjective", "findings", "response", "plan_next"}


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
    """ "✏️ amended 2× — last 26 Nov (Typo)" for each amended note, by note id."""
    amended = [n for n in notes if n.revision]
    revisions = await uow.amendments.for_notes([n.id for n in amended])
    marks = {}
    for note in amended:
        rows = revisions.get(note.id)
        if not rows:
            continue
        last = rows[-1]
        day = texts.long_date(last.revised_at.astimezone(zone).date(), today)
        marks[note.id] = texts.amended_mark(len(rows), day, last.reason)
    return marks


def _b(note_id: int, label: str, action: str, arg: str = "") -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=AmendButton(note_id, action, arg).encode())


def _cancel(note_id: int) -> list[InlineKeyboardButton]:
    return [_b(note_id, texts.AMEND_CANCEL, "x")]


def _fields_view(note: SessionNote, name: str, today: date) -> tuple[str, InlineKeyboardMarkup]:
    buttons = [_b(note.id, FIELDS[field], "f", code) for code, field in FIELD_CODES.items()]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append(_cancel(note.id))
    day = texts.long_date(note.session_date, today)
    return texts.amend_fields(note.number, name, day), InlineKeyboardMarkup(rows)


def _value_view(note: SessionNote, state: dict[str, Any]) -> tuple[str, InlineKeyboardMarkup]:
    field = state["field"]
    rows: list[list[InlineKeyboardButton]] = []
    if field in ("pain_before", "pain_after"):
        numbers = [_b(note.id, str(v), "v", str(v)) for v in range(11)]
        rows = [numbers[:6], numbers[6:]]
    elif field == "pressure":
        rows = [[_b(note.id, label, "v", code) for code, label in PRESSURES.items()]]
    elif field in ("areas", "techniques"):
        chosen = state["chosen"]
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


def _reason_view(note: SessionNote, state: dict[str, Any]) -> tuple[str, InlineKeyboardMarkup]:
    field = state["field"]
    change = change_line(field, getattr(note, field), state["value"])
    rows = [[_b(note.id, label, "r", code) for code, label in REASONS.items()], _cancel(note.id)]
    text = f"{texts.amend_ask_reason(change)}\n{texts.AMEND_TYPE_REASON}"
    return text, InlineKeyboardMarkup(rows)


async def _own_note(context: Context, therapist_id: int, note_id: int) -> SessionNote | None:
    async with context.services.db.unit_of_work() as uow:
        return await uow.notes.get(therapist_id, note_id)


async def amend_button(update: Update, context: Context) -> None:
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None and query.message is not None
    button = parse_records(query.data)
    if not isinstance(button, AmendButton):
        await cards.answer(query, texts.STALE_BUTTON)
        return
    note = await _own_note(context, user.id, button.note_id)
    if note is None:  # another therapist's note (forged), or gone
        await cards.answer(query, texts.NOT_YOUR_NOTE)
        return
    user_data = context.user_data if context.user_data is not None else {}
    chat_id, message_id = query.message.chat.id, query.message.message_id
    today = context.services.today()
    if button.action == "o":
        async with context.services.db.unit_of_work() as uow:
            client = await uow.clients.get(user.id, note.client_id)
        assert client is not None
        user_data[KEY] = {"note_id": note.id, "stage": "field"}
        await cards.answer(query)
        await cards.send_card(context.bot, chat_id, *_fields_view(note, client.name, today))
        return
    state = user_data.get(KEY)
    if state is None or state.get("note_id") != note.id:
        await cards.answer(query, texts.AMEND_ENDED)
        return
    if button.action == "x":
        user_data.pop(KEY, None)
        await cards.answer(query)
        await cards.edit_card(context.bot, chat_id, message_id, texts.AMEND_CANCELLED, None)
        return
    if button.action == "f" and button.arg in FIELD_CODES:
        field = FIELD_CODES[button.arg]
        state.update(field=field, stage="value")
        if field in CHOICES and field != "pressure":
            state["chosen"] = list(getattr(note, field))
        await cards.answer(query)
        await cards.edit_card(context.bot, chat_id, message_id, *_value_view(note, state))
        return
    if state.get("stage") == "value" and button.action in ("v", "d"):
        value = _tapped_value(state, button)
        await cards.answer(query)
        if value is _KEEP_CHOOSING:
            await cards.edit_card(context.bot, chat_id, message_id, *_value_view(note, state))
            return
        await _take_value(context, note, state, value, chat_id, message_id)
        return
    if state.get("stage") == "reason" and button.action == "r" and button.arg in REASONS:
        await cards.answer(query)
        await _save(context, user.id, state, REASONS[button.arg], chat_id, message_id)
        return
    await cards.answer(query, texts.OLD_STEP_BUTTON)


_KEEP_CHOOSING = object()


def _tapped_value(state: dict[str, Any], button: AmendButton) -> object:
    field = state["field"]
    if field in ("areas", "techniques"):
        if button.action == "d":
            return list(state["chosen"]) if state["chosen"] else _KEEP_CHOOSING
        if button.arg in CHOICES[field]:
            chosen = state["chosen"]
            if button.arg in chosen:
                chosen.remove(button.arg)
            else:
                chosen.append(button.arg)
        return _KEEP_CHOOSING
    if field in ("pain_before", "pain_after") and button.arg.isdigit() and int(button.arg) <= 10:
        return int(button.arg)
    if field == "pressure" and button.arg in PRESSURES:
        return button.arg
    if field in TEXT_FIELDS and button.arg == "-":
        return None
    return _KEEP_CHOOSING


async def _take_value(
    context: Context,
    note: SessionNote,
    state: dict[str, Any],
    value: object,
    chat_id: int,
    message_id: int | None,
) -> None:
    if getattr(note, state["field"]) == value:
        if context.user_data is not None:
            context.user_data.pop(KEY, None)
        await _show(context, chat_id, message_id, texts.AMEND_NOTHING_CHANGED, None)
        return
    state.update(value=value, stage="reason")
    await _show(context, chat_id, message_id, *_reason_view(note, state))


async def _show(
    context: Context,
    chat_id: int,
    message_id: int | None,
    text: str,
    keyboard: InlineKeyboardMarkup | None,
) -> None:
    if message_id is None:
        await cards.send_card(context.bot, chat_id, text, keyboard)
    else:
        await cards.edit_card(context.bot, chat_id, message_id, text, keyboard)


async def _save(
    context: Context,
    therapist_id: int,
    state: dict[str, Any],
    reason: str,
    chat_id: int,
    message_id: int | None,
) -> None:
    """The amendment, whole: the new value, the revision keeping the old, in one transaction."""
    services = context.services
    field, value = state["field"], state["value"]
    if context.user_data is not None:
        context.user_data.pop(KEY, None)
    async with services.db.unit_of_work() as uow:
        note = await uow.notes.get(therapist_id, state["note_id"])
        if note is None:
            await _show(context, chat_id, message_id, texts.NOT_YOUR_NOTE, None)
            return
        old = getattr(note, field)
        revision = await uow.amendments.amend(note, {field: value}, reason, services.clock.now())
        await uow.commit()
    if revision is None:
        await _show(context, chat_id, message_id, texts.AMEND_NOTHING_CHANGED, None)
        return
    text = texts.amend_saved(note.number, note.revision, change_line(field, old, value), reason)
    await _show(context, chat_id, message_id, text, None)


async def typed(update: Update, context: Context) -> None:
    """A therapist's typing while an amendment waits for a value or a reason. Anything else
    (no amendment waiting) passes on to the note and search handlers untouched."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or context.user_data is None:
        return
    state = context.user_data.get(KEY)
    if state is None:
        return
    text = message.text or ""
    if text.startswith("/"):
        # A command leaves the amendment: the note stays as it was.
        context.user_data.pop(KEY, None)
        return
    if state.get("stage") not in ("value", "reason"):
        return
    note = await _own_note(context, user.id, state["note_id"])
    if note is None:
        context.user_data.pop(KEY, None)
        return
    chat_id = message.chat_id
    if state["stage"] == "reason":
        reason = " ".join(text.split())[:MAX_REASON_LENGTH]
        if reason:
            await _save(context, user.id, state, reason, chat_id, None)
        raise ApplicationHandlerStop
    field = state["field"]
    try:
        value = _typed_value(field, text, context.services.today())
    except InputError as problem:
        await message.reply_text(f"⚠️ {problem}")
        raise ApplicationHandlerStop from None
    if value is _KEEP_CHOOSING:
        await message.reply_text(texts.RE_TAP_CHOICES)
        raise ApplicationHandlerStop
    await _take_value(context, note, state, value, chat_id, None)
    raise ApplicationHandlerStop


def _typed_value(field: str, text: str, today: date) -> object:
    if field in ("pain_before", "pain_after"):
        return parse_pain(text)
    if field == "session_date":
        return parse_session_date(text, today)
    if field in TEXT_FIELDS:
        return clean_text(text)
    return _KEEP_CHOOSING


def handlers(therapists: filters.BaseFilter) -> list[object]:
    return [CallbackQueryHandler(amend_button, pattern=r"^am:")]


def typing_handler(therapists: filters.BaseFilter) -> MessageHandler:  # type: ignore[type-arg]
    """In a group of its own before the others: it stops the update only when it used it."""
    return MessageHandler(therapists & filters.ChatType.PRIVATE & filters.TEXT, typed)
