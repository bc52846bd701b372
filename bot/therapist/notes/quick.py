"""The quick note: a whole note in one message, typed, captioned on a photo, or spoken.

The message is read by practice.quicknote (no Telegram, no database) and becomes an ordinary
note draft, stored like the guided note's (a restart loses nothing) and shown on the same
summary card: every field it understood filled in, what it did not place quoted back, the
fields still needed as buttons (each opens the guided note's own step), and what the bot knows
of the client since their last session. From there it is the guided note: Save, Edit a field,
Cancel.

The speech side calls `open_quick_note(update, context, transcript, spoken=True)`.
"""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from telegram import Update

from bot.shared import cards, texts
from bot.shared.context import Context
from bot.shared.forms.handlers import form_in_progress
from bot.therapist.notes import views
from bot.therapist.notes.flow import Turn, name_new_client, start_draft
from bot.therapist.notes.showing import card_for, remember_card, turn_for
from bot.therapist.notes.state import DraftState
from bot.therapist.notes.steps import Step
from practice.notes import MAX_TEXT_LENGTH, TextField
from practice.quicknote import (
    ClientMatch,
    KnownClient,
    LastNote,
    QuickNoteDraft,
    parse_quick_note,
)
from reminders.digest import plan_digest
from storage.models import StoredDraft

# A message longer than this is no quick note (four full free-text fields): refused whole,
# with its length, rather than read in part.
MAX_QUICK_NOTE = 4 * MAX_TEXT_LENGTH


def says_a_note(text: str, today: date) -> bool:
    """A message with note content in it (a treatment word, a rating, a cue such as
    "reports…"): a quick note. A name alone is not: it finds that client, as before."""
    if len(text) > MAX_QUICK_NOTE:
        return True  # refused as a quick note, with its length, rather than searched for
    draft = parse_quick_note(text, clients=[], today=today, last_note=None)
    return bool(
        draft.areas
        or draft.techniques
        or draft.pressure
        or draft.pain_before is not None
        or draft.pain_after is not None
        or draft.same_as_last
        or any(draft.text(which) for which in TextField)
    )


async def open_quick_note(update: Update, context: Context, text: str, *, spoken: bool) -> None:
    """Read `text` (typed, or a voice message's transcript when `spoken`) as a whole note
    and show its summary card, with the draft stored for Save."""
    await _open(
        update, context, text, warning=texts.Html("🎙 From your voice message.") if spoken else None
    )


async def open_photo_note(update: Update, context: Context) -> bool:
    """A photo with a caption, outside a note: the caption is a quick note (the photo is not
    kept). False when there is no caption or a note is already open (the usual answer)."""
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    caption = (message.caption or "").strip()
    if not caption:
        return False
    async with context.services.db.unit_of_work() as uow:
        if await uow.drafts.get(user.id) is not None:
            return False
    await _open(update, context, caption, warning=texts.Html(texts.PHOTO_NOT_STORED))
    return True


async def _open(update: Update, context: Context, text: str, *, warning: str | None) -> None:
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    services = context.services
    if (open_form := await form_in_progress(context, user.id)) is not None:
        await context.bot.send_message(chat.id, texts.finish_form_first(texts.Html(open_form)))
        return
    if len(text.strip()) > MAX_QUICK_NOTE:
        await context.bot.send_message(
            chat.id, texts.too_long(len(text.strip()), MAX_QUICK_NOTE, sent=True)
        )
        return
    async with services.db.unit_of_work() as uow:
        turn = turn_for(services, uow, user.id)
        first_time = await uow.updates.claim(update.update_id, turn.now)
        row = await uow.drafts.get(user.id)
        if row is not None:
            state = DraftState.load(row)
            # Never replaced in silence: the open note is shown, the message stays in the chat.
            if first_time:
                view = views.in_progress(state).with_warning(texts.QUICK_NOTE_BUSY)
            else:
                view = await card_for(turn, state)  # a redelivery of the message that opened it
            await uow.commit()
        elif not first_time:
            return  # a redelivered quick note whose note was since saved or cancelled
        else:
            await uow.therapists.ensure(user.id, user.full_name, turn.now)
            await plan_digest(
                uow, user.id, now=turn.now, zone=turn.zone, at=services.settings.digest_time
            )
            built = await _draft_from(turn, text)
            if isinstance(built, str):
                await uow.rollback()
                await context.bot.send_message(chat.id, built)
                return
            state, row, problem = built
            state.store(row, turn.now)
            view = (await card_for(turn, state)).with_warning(problem).with_warning(warning)
            await uow.commit()
    shown = await cards.send_card(
        context.bot, chat.id, view.text, view.keyboard, replaces=state.card_message_id
    )
    await remember_card(services, user.id, state, shown)


async def _draft_from(turn: Turn, text: str) -> tuple[DraftState, StoredDraft, str | None] | str:
    """The note draft a message makes, or why it cannot make one."""
    uow = turn.uow
    known = [KnownClient(c.id, name) for name, c in await uow.clients.names(turn.therapist_id)]
    parsed = parse_quick_note(
        text, clients=known, today=turn.today, last_note=await _last_note(turn)
    )
    for which in TextField:
        value = parsed.text(which)
        if value is not None and len(value) > MAX_TEXT_LENGTH:
            return texts.too_long(len(value), MAX_TEXT_LENGTH, sent=True)
    guess = parsed.client
    if parsed.same_as_last and guess.client is not None:
        previous = await uow.notes.last_treatment(turn.therapist_id, guess.client.id)
        if previous is not None:
            parsed.take_treatment(
                LastNote(
                    guess.client.id,
                    tuple(previous.areas),
                    previous.area_other,
                    tuple(previous.techniques),
                    previous.technique_other,
                    previous.pressure,
                )
            )
    state, row = await start_draft(turn)
    _fill(state, parsed)
    state.unplaced = list(parsed.unplaced)
    state.lone_pain = parsed.lone_pain
    # Every step taken from here returns to the summary, as an edit of the guided note does.
    state.editing = True
    problem: str | None = None
    if guess.match is ClientMatch.FOUND and guess.client is not None:
        state.note.choose_client(guess.client.id, guess.client.name)
        state.since_last_visit = await _since_last_visit(turn, guess.client.id)
        state.go(Step.SUMMARY)
    elif guess.match is ClientMatch.AMBIGUOUS:
        state.choices = [(c.id, c.name) for c in guess.candidates]
        state.query = guess.said
        state.go(Step.CLIENT)
    elif guess.match is ClientMatch.NEW and guess.said:
        state.go(Step.CLIENT)
        outcome = await name_new_client(turn, state, guess.said)
        problem = outcome.warning
    else:
        state.go(Step.SUMMARY)
    if state.step is Step.SUMMARY:
        state.editing = False
    return state, row, problem


def _fill(state: DraftState, parsed: QuickNoteDraft) -> None:
    note = state.note
    note.areas = list(parsed.areas)
    note.area_other = parsed.area_other
    note.techniques = list(parsed.techniques)
    note.technique_other = parsed.technique_other
    note.pressure = parsed.pressure
    note.pain_before = parsed.pain_before
    note.pain_after = parsed.pain_after
    for which in TextField:
        note.set_text(which, parsed.text(which))
    if parsed.session_date is not None:
        note.session_date = parsed.session_date


async def _last_note(turn: Turn) -> LastNote | None:
    """The therapist's latest note, for "same client as last time"."""
    recent = await turn.uow.clients.recent(turn.therapist_id, 1)
    if not recent or recent[0].last_note_at is None:
        return None
    previous = await turn.uow.notes.last_treatment(turn.therapist_id, recent[0].id)
    if previous is None:
        return None
    return LastNote(
        recent[0].id,
        tuple(previous.areas),
        previous.area_other,
        tuple(previous.techniques),
        previous.technique_other,
        previous.pressure,
    )


async def _since_last_visit(turn: Turn, client_id: int) -> str | None:
    """ "Since last visit: pain 5 on Tue, did 4 of 6 exercises": the client's latest
    check-in after their last session, and the homework done since."""
    uow = turn.uow
    latest = await uow.notes.latest(turn.therapist_id, client_id)
    if latest is None:
        return None
    zone = ZoneInfo(turn.zone)
    check_in_part = None
    for check_in in await uow.check_ins.recent(client_id, 1):
        answered = check_in.answered_at
        if answered is None:
            continue
        day = answered.astimezone(zone).date()
        if day < latest.session_date:
            continue
        shown = (
            texts.Html(f"{day:%a}")
            if turn.today - day < timedelta(days=7)
            else texts.short_date(day)
        )
        check_in_part = texts.check_in_part(check_in.pain, shown)
    homework = await uow.records.homework(turn.therapist_id, client_id)
    days = await uow.records.homework_days([h.id for h in homework], since=latest.session_date)
    done = days.adherence()
    homework_part = texts.homework_part(min(done.done, done.due), done.due) if done.due else None
    if check_in_part is None and homework_part is None:
        return None
    return texts.since_last_visit(check_in_part, homework_part)
