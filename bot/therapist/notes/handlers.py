"""Telegram's side of the note: parse the update, run the step in one transaction, show the card.

Each handler claims the update id in the same transaction as its effect, so an update Telegram
redelivers after a crash changes nothing twice; it only shows the current card again.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.shared import cards, texts
from bot.shared.callbacks import ANY_STEP, NoteButton, parse
from bot.shared.context import Context, Handler
from bot.shared.forms.handlers import cancel_form, form_in_progress, form_text
from bot.therapist.client_search import search_clients
from bot.therapist.notes import views
from bot.therapist.notes.flow import (
    Outcome,
    Turn,
    on_any_step_tap,
    on_tap,
    on_text,
    start_draft,
    start_draft_for,
)
from bot.therapist.notes.quick import open_photo_note, open_quick_note, says_a_note
from bot.therapist.notes.showing import card_for as _card_for
from bot.therapist.notes.showing import remember_card as _remember_card
from bot.therapist.notes.showing import turn_for as _turn
from bot.therapist.notes.state import DraftState
from bot.therapist.progress import send_decision
from reminders.digest import plan_digest


async def show_note_again(context: Context, therapist_id: int, chat_id: int, warning: str) -> bool:
    """Send the note's current card anew, under `warning`; False if no note is in progress.

    Used after a failure: the therapist sees exactly where the note stands instead of being
    asked to repeat an input that may already have been taken.
    """
    services = context.services
    async with services.db.unit_of_work() as uow:
        row = await uow.drafts.get(therapist_id)
        if row is None:
            return False
        state = DraftState.load(row)
        view = (await _card_for(_turn(services, uow, therapist_id), state)).with_warning(warning)
    shown = await cards.send_card(
        context.bot, chat_id, view.text, view.keyboard, replaces=state.card_message_id
    )
    await _remember_card(services, therapist_id, state, shown)
    return True


async def note_command(update: Update, context: Context) -> None:
    await _begin_note(update, context, client_id=None)


async def start_note_for(update: Update, context: Context, client_id: int) -> None:
    """ "New note" on a client's card: the same as /note with the client already chosen."""
    await _begin_note(update, context, client_id=client_id)


async def _begin_note(update: Update, context: Context, *, client_id: int | None) -> None:
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    services = context.services
    if (open_form := await form_in_progress(context, user.id)) is not None:
        await context.bot.send_message(chat.id, texts.finish_form_first(texts.Html(open_form)))
        return
    async with services.db.unit_of_work() as uow:
        turn = _turn(services, uow, user.id)
        first_time = await uow.updates.claim(update.update_id, turn.now)
        await uow.therapists.ensure(user.id, user.full_name, turn.now)
        await plan_digest(
            uow, user.id, now=turn.now, zone=turn.zone, at=services.settings.digest_time
        )
        row = await uow.drafts.get(user.id)
        if row is not None:
            state = DraftState.load(row)
            # A new /note asks first; a redelivered one shows the note it started.
            view = views.in_progress(state) if first_time else await _card_for(turn, state)
        elif first_time:
            if client_id is None:
                state, _ = await start_draft(turn)
            else:
                state, _ = await start_draft_for(turn, client_id)
            view = await _card_for(turn, state)
        else:
            return  # a redelivered /note whose note was since saved or cancelled
        await uow.commit()
    # The question (or the card) replaces the old card: one message with buttons at a time.
    shown = await cards.send_card(
        context.bot, chat.id, view.text, view.keyboard, replaces=state.card_message_id
    )
    await _remember_card(services, user.id, state, shown)


async def cancel_command(update: Update, context: Context) -> None:
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    services = context.services
    async with services.db.unit_of_work() as uow:
        await uow.updates.claim(update.update_id, services.clock.now())
        row = await uow.drafts.get(user.id)
        card = row.card_message_id if row is not None else None
        if row is not None:
            await uow.drafts.delete(row)
        await uow.commit()
    if row is None:
        if not await cancel_form(context, user.id, chat.id):
            await context.bot.send_message(chat.id, texts.NOTHING_TO_CANCEL)
        return
    if card is not None:
        await cards.strip_buttons(context.bot, chat.id, card)
    await context.bot.send_message(chat.id, texts.CANCELLED)


async def note_button(update: Update, context: Context) -> None:
    query = update.callback_query
    user = update.effective_user
    assert query is not None and user is not None and query.message is not None
    services = context.services
    bot = context.bot
    chat_id = query.message.chat.id
    tapped = query.message.message_id
    button = parse(query.data)
    if not isinstance(button, NoteButton):
        await cards.answer(query, texts.STALE_BUTTON)
        return
    async with services.db.unit_of_work() as uow:
        turn = _turn(services, uow, user.id)
        first_time = await uow.updates.claim(update.update_id, turn.now)
        row = await uow.drafts.get(user.id)
        if row is None or row.token != button.token:
            saved = await _already_saved(turn, button)
            await uow.commit()
            await cards.answer(query, texts.STALE_BUTTON if saved is None else "Saved ✓")
            if saved is not None:
                await cards.edit_card(bot, chat_id, tapped, saved, None)
            elif row is None or row.card_message_id != tapped:
                await cards.strip_buttons(bot, chat_id, tapped)  # a keyboard left from before
            return
        state: DraftState | None = DraftState.load(row)
        assert state is not None
        previous_card = state.card_message_id
        if button.step != ANY_STEP and button.step != state.step.value:
            await uow.commit()
            await cards.answer(query, texts.OLD_STEP_BUTTON)
            return
        if not first_time:
            outcome = Outcome()  # a redelivered tap: show where the note is, change nothing
        elif button.step == ANY_STEP:
            outcome, state, row = await on_any_step_tap(turn, state, row, button)
        else:
            outcome = await on_tap(turn, state, button)
        view = views.View("")
        if state is not None and row is not None and outcome.final_text is None:
            state.store(row, turn.now)
            if outcome.confirm_cancel:
                view = views.confirm_cancel(state)
            else:
                view = (await _card_for(turn, state)).with_warning(outcome.warning)
        await uow.commit()

    await cards.answer(query, outcome.toast, alert=outcome.alert)
    if outcome.unchanged and previous_card == tapped:
        return  # the card already shows what the alert said; Telegram refuses a same edit
    if outcome.fresh and state is not None:
        shown = await cards.send_card(
            bot, chat_id, view.text, view.keyboard, replaces=previous_card
        )
    else:
        # The tapped message becomes the card; an older card (if any) loses its buttons first.
        if previous_card not in (None, tapped):
            await cards.strip_buttons(bot, chat_id, previous_card)
        if outcome.final_text is not None:
            offer = [
                InlineKeyboardButton(label, callback_data=data) for label, data in outcome.offer
            ]
            keyboard = InlineKeyboardMarkup(cards.button_rows(offer, columns=3)) if offer else None
            await cards.edit_card(bot, chat_id, tapped, outcome.final_text, keyboard)
            if outcome.decision is not None:
                await send_decision(context, chat_id, *outcome.decision)
            return
        shown = await cards.edit_card(bot, chat_id, tapped, view.text, view.keyboard)
    if state is not None:
        await _remember_card(services, user.id, state, shown)


async def _already_saved(turn: Turn, button: NoteButton) -> str | None:
    """A Save tap for a note that is already saved (a double tap, or a redelivery)."""
    if button.action != "sv":
        return None
    note = await turn.uow.notes.by_draft_token(turn.therapist_id, button.token)
    if note is None:
        return None
    client = await turn.uow.clients.get(turn.therapist_id, note.client_id)
    name = client.name if client else ""
    return texts.saved(note.number, name, note.session_date, note.pain_before, note.pain_after)


async def therapist_text(update: Update, context: Context) -> None:
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None and message.text is not None
    services = context.services
    if await form_text(update, context):
        return
    async with services.db.unit_of_work() as uow:
        turn = _turn(services, uow, user.id)
        row = await uow.drafts.get(user.id)
        # Outside a note, a message with a note in it is a quick note (which claims the update
        # itself, with the draft it makes); a name alone finds that client.
        # A forwarded message is someone else's words: neither a note nor a name to look up.
        forwarded = row is None and message.forward_origin is not None
        quick = row is None and not forwarded and says_a_note(message.text, turn.today)
        if not quick:
            first_time = await uow.updates.claim(update.update_id, turn.now)
        if row is None:
            if not quick:
                await uow.commit()
        else:
            state = DraftState.load(row)
            previous_card = state.card_message_id
            outcome = await on_text(turn, state, message.text) if first_time else Outcome()
            state.store(row, turn.now)
            view = (await _card_for(turn, state)).with_warning(outcome.warning)
            await uow.commit()
    if row is None:
        if forwarded:
            await message.reply_text(texts.FORWARDED_NOT_READ)
        elif quick:
            await open_quick_note(update, context, message.text, spoken=False)
        else:
            await search_clients(update, context, message.text)
        return
    shown = await cards.send_card(
        context.bot, message.chat_id, view.text, view.keyboard, replaces=previous_card
    )
    await _remember_card(services, user.id, state, shown)


async def therapist_other_message(update: Update, context: Context) -> None:
    """A photo, sticker or voice message: only typed text goes into a note. A photo with a
    caption, outside a note, is a quick note read from its caption."""
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    if message.photo and await open_photo_note(update, context):
        return
    if not await show_note_again(context, user.id, message.chat_id, texts.TEXT_ONLY):
        await message.reply_text(texts.cannot_use(_kind_of(message)))


def _kind_of(message: Message) -> str:
    """ "a sticker", "a file": what the therapist sent, in words."""
    for attribute, words in KINDS:
        if getattr(message, attribute, None):
            return words
    return "that kind of message"


KINDS = (
    ("sticker", "a sticker"),
    ("animation", "a GIF"),
    ("document", "a file"),
    ("video", "a video"),
    ("video_note", "a video message"),
    ("photo", "a photo without a caption"),
    ("location", "a location"),
    ("venue", "a place"),
    ("contact", "a contact"),
    ("poll", "a poll"),
    ("dice", "a dice"),
)


def handlers(therapists: filters.BaseFilter) -> list[Handler]:
    return [
        CommandHandler("note", note_command, filters=therapists),
        CommandHandler("cancel", cancel_command, filters=therapists),
        CallbackQueryHandler(note_button, pattern=NoteButton.pattern()),
    ]


def text_handlers(therapists: filters.BaseFilter) -> list[Handler]:
    """Typed messages: registered after every command, so commands are never read as input."""
    private_new = therapists & filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    return [
        MessageHandler(private_new & filters.TEXT & ~filters.COMMAND, therapist_text),
        MessageHandler(private_new & ~filters.COMMAND, therapist_other_message),
    ]
