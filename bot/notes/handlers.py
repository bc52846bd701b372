"""Telegram's side of the note: parse the update, run the step in one transaction, show the card.

Each handler claims the update id in the same transaction as its effect, so an update Telegram
redelivers after a crash changes nothing twice; it only shows the current card again.
"""

from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import cards, texts
from bot.callbacks import ANY_STEP, NoteButton, parse
from bot.notes import views
from bot.notes.flow import Outcome, Turn, clients_for, on_tap, on_text, start_draft
from bot.notes.state import DraftState
from bot.notes.steps import Step
from bot.runtime import Context, Services
from storage.models import StoredDraft


def _turn(services: Services, uow: object, user_id: int) -> Turn:
    return Turn(uow=uow, therapist_id=user_id, now=services.clock.now(), today=services.today())  # type: ignore[arg-type]


async def _card_for(turn: Turn, state: DraftState) -> views.View:
    clients = await clients_for(turn, state) if state.step is Step.CLIENT else []
    return views.render(state, turn.today, clients)


async def _remember_card(
    services: Services, therapist_id: int, state: DraftState, shown: int
) -> None:
    """Store which message now carries the note's buttons (after the card moved)."""
    if shown == state.card_message_id:
        return  # edited in place: nothing moved, no second transaction
    token, message_id = state.token, shown
    async with services.db.unit_of_work() as uow:
        row = await uow.drafts.get(therapist_id)
        if row is not None and row.token == token and row.card_message_id != message_id:
            row.card_message_id = message_id
            await uow.commit()


async def note_command(update: Update, context: Context) -> None:
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    services = context.services
    prompt_in_progress = False
    async with services.db.unit_of_work() as uow:
        turn = _turn(services, uow, user.id)
        first_time = await uow.updates.claim(update.update_id, turn.now)
        await uow.therapists.ensure(user.id, user.full_name, turn.now)
        row = await uow.drafts.get(user.id)
        if row is not None:
            state = DraftState.load(row)
            # A redelivered /note shows the note it started; a new one asks first.
            prompt_in_progress = first_time
            view = views.in_progress(state) if prompt_in_progress else await _card_for(turn, state)
        else:
            state, _ = await start_draft(turn)
            view = await _card_for(turn, state)
        await uow.commit()
    if prompt_in_progress:
        await context.bot.send_message(
            chat.id, view.text, parse_mode=ParseMode.HTML, reply_markup=view.keyboard
        )
        return
    message_id = await cards.send_card(
        context.bot, chat.id, view.text, view.keyboard, replaces=state.card_message_id
    )
    await _remember_card(services, user.id, state, message_id)


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
        await context.bot.send_message(chat.id, texts.NOTHING_TO_CANCEL)
        return
    if card is not None:
        await cards.strip_buttons(context.bot, chat.id, card)
    await context.bot.send_message(chat.id, texts.CANCELLED)


async def note_button(update: Update, context: Context) -> None:
    query = update.callback_query
    user = update.effective_user
    assert query is not None and user is not None and query.message is not None
    button = parse(query.data)
    if not isinstance(button, NoteButton):
        await cards.answer(query, texts.STALE_BUTTON)
        return
    services = context.services
    chat_id = query.message.chat.id
    tapped = query.message.message_id
    async with services.db.unit_of_work() as uow:
        turn = _turn(services, uow, user.id)
        first_time = await uow.updates.claim(update.update_id, turn.now)
        row = await uow.drafts.get(user.id)
        if row is None or row.token != button.token:
            final = await _already_saved(turn, button)
            await uow.commit()
            if final is None:
                await cards.answer(query, texts.STALE_BUTTON)
            else:
                await cards.answer(query, "Saved ✓")
                await cards.edit_card(context.bot, chat_id, tapped, final, None)
            return
        state = DraftState.load(row)
        if button.step == ANY_STEP:
            outcome, row = await _any_step(turn, state, row, button)
            if row is not None:
                state = DraftState.load(row)
        elif button.step != state.step.value:
            await uow.commit()
            await cards.answer(query, texts.OLD_STEP_BUTTON)
            return
        elif first_time:
            outcome = await on_tap(turn, state, button)
        else:
            outcome = Outcome()  # a redelivered tap: show where the note is, change nothing
        previous_card = state.card_message_id
        view = views.View("")
        if outcome.final_text is None and row is not None:
            state.store(row)
            view = await _card_for(turn, state)
        await uow.commit()

    await cards.answer(query, outcome.toast, alert=outcome.alert)
    bot = context.bot
    if outcome.fresh:
        shown = await cards.send_card(
            bot, chat_id, view.text, view.keyboard, replaces=previous_card
        )
    else:
        # The tapped message becomes the card; an older card (if any) loses its buttons first.
        if previous_card not in (None, tapped):
            await cards.strip_buttons(bot, chat_id, previous_card)
        text = outcome.final_text if outcome.final_text is not None else view.text
        keyboard = None if outcome.final_text is not None else view.keyboard
        shown = await cards.edit_card(bot, chat_id, tapped, text, keyboard)
    if outcome.final_text is None:
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


async def _any_step(
    turn: Turn, state: DraftState, row: StoredDraft, button: NoteButton
) -> tuple[Outcome, StoredDraft | None]:
    """Buttons that work at any step: cancel, and the answers to "continue or start over?"."""
    if button.action == "x":
        await turn.uow.drafts.delete(row)
        return Outcome(toast="Cancelled", final_text=texts.CANCELLED), None
    if button.action == "rs":
        await start_draft(turn)
        new_row = await turn.uow.drafts.get(turn.therapist_id)
        assert new_row is not None
        # The old card loses its buttons once the new one is shown.
        new_row.card_message_id = state.card_message_id
        return Outcome(toast="Started over", restarted=True), new_row
    # "go": continue where the note was; the prompt becomes the card.
    return Outcome(), row


async def therapist_text(update: Update, context: Context) -> None:
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None and message.text is not None
    services = context.services
    async with services.db.unit_of_work() as uow:
        turn = _turn(services, uow, user.id)
        first_time = await uow.updates.claim(update.update_id, turn.now)
        row = await uow.drafts.get(user.id)
        if row is None:
            await uow.commit()
            await message.reply_text(texts.THERAPIST_IDLE_TEXT)
            return
        state = DraftState.load(row)
        previous_card = state.card_message_id
        outcome = await on_text(turn, state, message.text) if first_time else Outcome()
        state.store(row)
        view = (await _card_for(turn, state)).with_warning(outcome.warning)
        await uow.commit()
    shown = await cards.send_card(
        context.bot, message.chat_id, view.text, view.keyboard, replaces=previous_card
    )
    await _remember_card(services, user.id, state, shown)


async def therapist_other_message(update: Update, context: Context) -> None:
    message = update.effective_message
    assert message is not None
    await message.reply_text("I can only read typed text here. " + texts.THERAPIST_IDLE_TEXT)


async def therapist_edited_message(update: Update, context: Context) -> None:
    message = update.effective_message
    assert message is not None
    await message.reply_text(texts.EDITS_NOT_READ)


def handlers() -> list[object]:
    return [
        CommandHandler("note", note_command),
        CommandHandler("cancel", cancel_command),
        CallbackQueryHandler(note_button, pattern=r"^n:"),
    ]


def text_handlers() -> list[object]:
    """Typed messages: registered after every command, so commands are never read as input."""
    private_new = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    return [
        MessageHandler(private_new & filters.TEXT & ~filters.COMMAND, therapist_text),
        MessageHandler(private_new & ~filters.COMMAND, therapist_other_message),
        MessageHandler(
            filters.ChatType.PRIVATE & filters.UpdateType.EDITED_MESSAGE, therapist_edited_message
        ),
    ]
