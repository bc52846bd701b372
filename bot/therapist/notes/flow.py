"""What each tap and each typed message does to a note in progress.

One small coroutine per step. Each takes the draft's state and the unit of work, changes the
state (or not), and says what to show next; nothing here talks to Telegram.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bot.shared import texts
from bot.shared.callbacks import CardAction, NoteButton, row_id
from bot.therapist.notes.state import DraftState
from bot.therapist.notes.steps import (
    MISSING_STEPS,
    TEXT_STEPS,
    Step,
    next_step,
    previous_step,
)
from practice.intake import cautions_of, pressure_cautions, technique_cautions
from practice.notes import (
    MAX_OTHER_LENGTH,
    MAX_TEXT_LENGTH,
    PRESSURES,
    TECHNIQUES,
    InputError,
    NoteDraft,
    clean_client_name,
    clean_text,
    parse_pain,
    parse_session_date,
)
from reminders.checkins import restart_check_ins
from reports.progress import raise_decision
from storage.models import Client, Decision, StoredDraft
from storage.repositories import NewNote
from storage.unit_of_work import UnitOfWork

RECENT_CLIENTS = 8
MAX_QUERY_LENGTH = 200
SEARCH_RESULTS = 8
MAX_LOOKALIKES = 3


@dataclass
class Outcome:
    """What the chat should show after an input."""

    toast: str | None = None  # the answer to a tap, shown briefly on the phone
    alert: bool = False  # show the toast as a dialog the therapist must close
    warning: str | None = None  # a line above the card (a re-ask after bad input)
    final_text: str | None = None  # the note is over (saved, cancelled): the card becomes this
    fresh: bool = False  # show the card as a new message at the bottom of the chat
    confirm_cancel: bool = False  # ask "discard this note?" instead of showing the step
    offer: list[tuple[str, str]] = field(default_factory=list)  # buttons under a final text
    # A question the saved note raises (re-evaluate, no change, worse, improved), asked below.
    decision: tuple[Decision, Client] | None = None
    # Nothing changed on the card (a Save refused with what is missing): no edit to send.
    unchanged: bool = False


@dataclass(frozen=True)
class Turn:
    """Everything one input needs: who, when, and the transaction to work in."""

    uow: UnitOfWork
    therapist_id: int
    now: datetime
    today: date
    zone: str = "UTC"  # the practice's, for clients who have not chosen one


def new_token() -> str:
    # 72 random bits: tells one draft's buttons from another's, for one therapist.
    return secrets.token_urlsafe(9)


async def start_draft(turn: Turn) -> tuple[DraftState, StoredDraft]:
    """A fresh note at the client step, replacing any earlier draft of this therapist.

    The session date is fixed now: a note begun at 23:55 is for today's session, whenever
    it is saved.
    """
    note = NoteDraft(session_date=turn.today)
    state = DraftState(token=new_token(), step=Step.CLIENT, editing=False, note=note)
    row = await turn.uow.drafts.start(
        turn.therapist_id, state.token, state.step.value, {}, turn.now
    )
    state.store(row, turn.now)
    return state, row


async def start_draft_for(turn: Turn, client_id: int) -> tuple[DraftState, StoredDraft]:
    """A fresh note for a client chosen beforehand (from their card): the client step is done."""
    state, row = await start_draft(turn)
    await _pick_client(turn, state, str(client_id))
    state.store(row, turn.now)
    return state, row


async def clients_for(turn: Turn, state: DraftState) -> list[tuple[int, str]]:
    """The client buttons of the client step: search results, or the most recent clients."""
    if state.choices:
        return list(state.choices)  # a quick note's name that fits several clients
    clients = turn.uow.clients
    if state.query:
        found = await clients.search(turn.therapist_id, state.query, SEARCH_RESULTS)
    else:
        found = await clients.recent(turn.therapist_id, RECENT_CLIENTS)
    return [(c.id, c.name) for c in found]


# --- taps ------------------------------------------------------------------------------

TapHandler = Callable[[Turn, DraftState, NoteButton], Awaitable[Outcome]]


async def on_tap(turn: Turn, state: DraftState, button: NoteButton) -> Outcome:
    if button.action == "b":
        return _back(state)
    handler = _TAP_HANDLERS.get(state.step)
    if handler is None:
        return Outcome(toast=texts.OLD_STEP_BUTTON)
    return await handler(turn, state, button)


def _back(state: DraftState) -> Outcome:
    target = previous_step(state.step, editing=state.editing)
    if target is None:
        return Outcome()
    if state.step is Step.CLIENT:
        state.query = None
        state.choices = []
    state.go(target)
    return Outcome()


def _advance(state: DraftState) -> Outcome:
    state.go(next_step(state.step, editing=state.editing))
    return Outcome()


async def _client_tap(turn: Turn, state: DraftState, button: NoteButton) -> Outcome:
    if button.action == "p":
        return await _pick_client(turn, state, button.arg)
    if button.action == "nw":
        state.go(Step.NEW_CLIENT)
        return Outcome()
    if button.action == "an" and state.query:
        return await _name_new_client(turn, state, state.query)
    if button.action == "rc":
        state.query = None
        state.choices = []
        return Outcome()
    return Outcome(toast=texts.OLD_STEP_BUTTON)


async def _duplicate_tap(turn: Turn, state: DraftState, button: NoteButton) -> Outcome:
    if button.action == "p":
        return await _pick_client(turn, state, button.arg)
    if button.action == "cr" and state.pending_name:
        return _use_new_client(state, state.pending_name)
    return Outcome(toast=texts.OLD_STEP_BUTTON)


async def _pick_client(turn: Turn, state: DraftState, arg: str) -> Outcome:
    client_id = row_id(arg)
    client = await turn.uow.clients.get(turn.therapist_id, client_id) if client_id else None
    if client is None:
        return Outcome(toast=texts.CLIENT_GONE)
    state.note.choose_client(client.id, client.name)
    state.pressure_confirmed = False  # confirmed for the client it was asked about
    state.query = state.pending_name = None
    state.candidates = []
    state.choices = []
    # Start from this client's last treatment, unless the therapist already chose one.
    if state.note.treatment() in (_NO_TREATMENT, state.prefilled):
        state.note.prefill_from(await turn.uow.notes.last_treatment(turn.therapist_id, client.id))
        state.prefilled = state.note.treatment()
    state.go(next_step(Step.CLIENT, editing=state.editing))
    return Outcome()


_NO_TREATMENT = NoteDraft().treatment()


async def name_new_client(turn: Turn, state: DraftState, typed: str) -> Outcome:
    """A name typed (or said) for a client not in the list: the look-alike check, then the
    new client (created with the note, on Save)."""
    return await _name_new_client(turn, state, typed)


async def _name_new_client(turn: Turn, state: DraftState, typed: str) -> Outcome:
    try:
        name = clean_client_name(typed)
    except InputError as exc:
        state.go(Step.NEW_CLIENT)
        return Outcome(warning=texts.bad_name(str(exc)), fresh=True)
    lookalikes = await turn.uow.clients.lookalikes(turn.therapist_id, name)
    if lookalikes:
        state.pending_name = name
        state.candidates = [(c.id, c.name) for c in lookalikes[:MAX_LOOKALIKES]]
        state.go(Step.DUPLICATE)
        return Outcome()
    return _use_new_client(state, name)


def _use_new_client(state: DraftState, name: str) -> Outcome:
    state.note.choose_client(None, name)
    state.query = state.pending_name = None
    state.candidates = []
    state.choices = []
    if state.prefilled is not None and state.note.treatment() == state.prefilled:
        state.note.prefill_from(None)  # another client's treatment is no start for a new one
    state.prefilled = None
    state.go(next_step(Step.CLIENT, editing=state.editing))
    return Outcome()


async def _multi_select_tap(turn: Turn, state: DraftState, button: NoteButton) -> Outcome:
    areas = state.step is Step.AREAS
    note = state.note
    if not areas and button.action == "tn":  # "Choose another": back to the techniques
        if state.save_after_confirm and state.technique_to_confirm in note.techniques:
            # Carried over, asked at Save: not used after all; the list, then the summary.
            note.toggle_technique(state.technique_to_confirm)
        state.technique_to_confirm = state.technique_caution = None
        state.save_after_confirm = False
        return Outcome()
    if not areas and button.action == "tc" and button.arg in TECHNIQUES:
        state.technique_confirmed = True
        state.technique_to_confirm = state.technique_caution = None
        if button.arg not in note.techniques:
            note.toggle_technique(button.arg)
        if state.save_after_confirm:
            return await _save_once_confirmed(turn, state)
        return Outcome()
    if button.action == "t":
        adding = not areas and button.arg in TECHNIQUES and button.arg not in note.techniques
        if adding and not state.technique_confirmed:
            cautions = await _technique_cautions(turn, state, button.arg)
            if cautions:
                state.technique_to_confirm = button.arg
                state.technique_caution = "; ".join(cautions)
                return Outcome()
        try:
            (note.toggle_area if areas else note.toggle_technique)(button.arg)
        except InputError:
            return Outcome(toast=texts.OLD_STEP_BUTTON)
        return Outcome()
    if button.action == "o":
        state.go(Step.AREA_OTHER if areas else Step.TECHNIQUE_OTHER)
        return Outcome()
    if button.action == "d":
        chosen = (
            (note.areas or note.area_other) if areas else (note.techniques or note.technique_other)
        )
        if not chosen:
            return Outcome(toast=texts.PICK_ONE_AREA if areas else texts.PICK_ONE_TECHNIQUE)
        return _advance(state)
    return Outcome(toast=texts.OLD_STEP_BUTTON)


async def _other_tap(turn: Turn, state: DraftState, button: NoteButton) -> Outcome:
    if button.action == "oc":
        if state.step is Step.AREA_OTHER:
            state.note.area_other = None
        else:
            state.note.technique_other = None
        return _advance(state)
    return Outcome(toast=texts.OLD_STEP_BUTTON)


async def _pressure_tap(turn: Turn, state: DraftState, button: NoteButton) -> Outcome:
    if button.action == "vn":  # "Choose another": back to the pressures
        state.pressure_to_confirm = state.pressure_caution = None
        state.save_after_confirm = False
        return Outcome()
    if button.arg not in PRESSURES or button.action not in ("v", "vc"):
        return Outcome(toast=texts.OLD_STEP_BUTTON)
    if button.action == "v" and not state.pressure_confirmed:
        cautions = await _pressure_cautions(turn, state, button.arg)
        if cautions:
            state.pressure_to_confirm = button.arg
            state.pressure_caution = "; ".join(cautions)
            return Outcome()
    if button.action == "vc":
        state.pressure_confirmed = True
    state.pressure_to_confirm = state.pressure_caution = None
    state.note.pressure = button.arg
    if button.action == "vc" and state.save_after_confirm:
        return await _save_once_confirmed(turn, state)
    return _advance(state)


async def _save_once_confirmed(turn: Turn, state: DraftState) -> Outcome:
    """Save asked first (a caution against what came without a tap) and it was confirmed:
    whatever else needs confirming is asked next, then the note is saved."""
    state.save_after_confirm = False
    state.go(Step.SUMMARY)
    state.editing = False
    if await _confirm_before_saving(turn, state):
        return Outcome()
    return await _save(turn, state)


async def _confirm_before_saving(turn: Turn, state: DraftState) -> bool:
    """A pressure or a technique the therapist did not tap (carried over from the client's
    last note, or a quick note that said "deep" or "trigger point") that the client's
    cautions ask about: asked once, as a tap on it would have been, before the note is saved.
    True: the question is on the card."""
    pressure = state.note.pressure
    if pressure is not None and not state.pressure_confirmed:
        cautions = await _pressure_cautions(turn, state, pressure)
        if cautions:
            state.pressure_to_confirm = pressure
            state.pressure_caution = "; ".join(cautions)
            state.save_after_confirm = True
            state.go(Step.PRESSURE)
            state.editing = True  # "Choose another" returns to the summary
            return True
    if state.technique_confirmed:
        return False
    for technique in state.note.techniques:
        cautions = await _technique_cautions(turn, state, technique)
        if cautions:
            state.technique_to_confirm = technique
            state.technique_caution = "; ".join(cautions)
            state.save_after_confirm = True
            state.go(Step.TECHNIQUES)
            state.editing = True  # "Choose another" returns to the list, Done to the summary
            return True
    return False


async def _pressure_cautions(turn: Turn, state: DraftState, pressure: str) -> list[str]:
    """The client's intake cautions against `pressure` ("On blood thinners — avoid deep
    pressure …"); none for a new client, who has no intake yet."""
    client_id = state.note.client_id
    if client_id is None or await turn.uow.clients.get(turn.therapist_id, client_id) is None:
        return []
    answers = await turn.uow.intake.answers(client_id)
    return [c.condition.caution for c in pressure_cautions(cautions_of(answers), pressure)]


async def _technique_cautions(turn: Turn, state: DraftState, technique: str) -> list[str]:
    """The client's intake cautions against `technique` (trigger point on blood thinners)."""
    client_id = state.note.client_id
    if client_id is None or await turn.uow.clients.get(turn.therapist_id, client_id) is None:
        return []
    answers = await turn.uow.intake.answers(client_id)
    return [c.condition.caution for c in technique_cautions(cautions_of(answers), technique)]


async def _pain_tap(turn: Turn, state: DraftState, button: NoteButton) -> Outcome:
    if button.action == "v":
        try:
            value = parse_pain(button.arg)
        except InputError:
            return Outcome(toast=texts.OLD_STEP_BUTTON)
        _set_pain(state, value)
        return _advance(state)
    return Outcome(toast=texts.OLD_STEP_BUTTON)


def _set_pain(state: DraftState, value: int) -> None:
    if state.step is Step.PAIN_BEFORE:
        state.note.pain_before = value
    else:
        state.note.pain_after = value


async def _text_tap(turn: Turn, state: DraftState, button: NoteButton) -> Outcome:
    if button.action == "sk":
        return _advance(state)
    if button.action == "ss":
        state.go(Step.SUMMARY)
        return Outcome()
    if button.action == "cl":
        state.note.set_text(TEXT_STEPS[state.step], None)
        return Outcome()
    return Outcome(toast=texts.OLD_STEP_BUTTON)


async def _summary_tap(turn: Turn, state: DraftState, button: NoteButton) -> Outcome:
    if button.action == "sv":
        if await _confirm_before_saving(turn, state):
            return Outcome()
        return await _save(turn, state)
    if button.action == "ed":
        state.go(Step.EDIT_MENU)
        return Outcome()
    if button.action == "dt":
        state.go(Step.DATE)
        return Outcome()
    if button.action == "mf" and button.arg in MISSING_STEPS.values():
        # A field the note still needs (a quick note said nothing of it): its step, then back.
        state.go(Step(button.arg))
        state.editing = True
        return Outcome()
    if button.action == "ci" and state.since_last_visit:
        said = texts.as_check_in(texts.Html(state.since_last_visit))
        current = state.note.subjective
        if current is None or said not in current:
            state.note.subjective = f"{current}. {said}" if current else said
        return Outcome(toast="Added ✓")
    return Outcome(toast=texts.OLD_STEP_BUTTON)


async def _edit_menu_tap(turn: Turn, state: DraftState, button: NoteButton) -> Outcome:
    if button.action == "f":
        try:
            target = Step(button.arg)
        except ValueError:
            return Outcome(toast=texts.OLD_STEP_BUTTON)
        state.go(target)
        state.editing = target is not Step.DATE
        return Outcome()
    return Outcome(toast=texts.OLD_STEP_BUTTON)


async def _date_tap(turn: Turn, state: DraftState, button: NoteButton) -> Outcome:
    if button.action == "v" and button.arg in ("0", "1"):
        state.note.session_date = turn.today - timedelta(days=int(button.arg))
        state.go(Step.SUMMARY)
        return Outcome()
    return Outcome(toast=texts.OLD_STEP_BUTTON)


_TAP_HANDLERS: dict[Step, TapHandler] = {
    Step.CLIENT: _client_tap,
    Step.DUPLICATE: _duplicate_tap,
    Step.AREAS: _multi_select_tap,
    Step.TECHNIQUES: _multi_select_tap,
    Step.AREA_OTHER: _other_tap,
    Step.TECHNIQUE_OTHER: _other_tap,
    Step.PRESSURE: _pressure_tap,
    Step.PAIN_BEFORE: _pain_tap,
    Step.PAIN_AFTER: _pain_tap,
    Step.SUBJECTIVE: _text_tap,
    Step.FINDINGS: _text_tap,
    Step.RESPONSE: _text_tap,
    Step.PLAN_NEXT: _text_tap,
    Step.SUMMARY: _summary_tap,
    Step.EDIT_MENU: _edit_menu_tap,
    Step.DATE: _date_tap,
}


# --- buttons that work at any step ----------------------------------------------------


async def on_any_step_tap(
    turn: Turn, state: DraftState, row: StoredDraft, button: NoteButton
) -> tuple[Outcome, DraftState | None, StoredDraft | None]:
    """Cancel (confirmed once something was entered) and "continue or start over?".

    Returns the outcome and the draft that goes on (None when the note ended).
    """
    action = button.action
    if action == "x" and state.note.client_name:
        return Outcome(confirm_cancel=True), state, row
    if action in ("x", "xy"):
        await turn.uow.drafts.delete(row)
        return Outcome(toast="Cancelled", final_text=texts.CANCELLED), None, None
    if action == "rs":
        new_state, new_row = await start_draft(turn)
        # The old card still carries buttons: it is stripped once the new card is shown.
        new_state.card_message_id = state.card_message_id
        return Outcome(toast="Started over"), new_state, new_row
    # "go" (continue) and "xn" (keep the note): show the note where it is.
    return Outcome(), state, row


# --- saving ----------------------------------------------------------------------------


async def _save(turn: Turn, state: DraftState) -> Outcome:
    note = state.note
    missing = note.missing()
    if missing:
        return Outcome(toast="Still needed: " + ", ".join(missing), alert=True, unchanged=True)
    uow = turn.uow
    client_id = note.client_id
    if note.new_client:
        client_id = (await uow.clients.add(turn.therapist_id, note.client_name or "", turn.now)).id
    assert client_id is not None  # missing() guarantees a client
    assert note.pressure is not None and note.pain_before is not None
    assert note.pain_after is not None
    day = note.session_date or turn.today
    try:
        saved = await uow.notes.add(
            turn.therapist_id,
            NewNote(
                client_id=client_id,
                session_date=day,
                areas=list(note.areas),
                area_other=note.area_other,
                techniques=list(note.techniques),
                technique_other=note.technique_other,
                pressure=note.pressure,
                pain_before=note.pain_before,
                pain_after=note.pain_after,
                subjective=note.subjective,
                findings=note.findings,
                response=note.response,
                plan_next=note.plan_next,
                draft_token=state.token,
            ),
            turn.now,
        )
    except LookupError:
        state.go(Step.CLIENT)
        state.note.choose_client(None, "")
        state.note.new_client = False
        return Outcome(toast=texts.CLIENT_GONE, alert=True)
    row = await uow.drafts.get(turn.therapist_id)
    if row is not None:
        await uow.drafts.delete(row)
    client = await uow.clients.get(turn.therapist_id, client_id)
    if client is not None:
        # Check-ins follow each session: a new series starts from this one.
        await restart_check_ins(
            uow, client, note_id=saved.id, session_day=day, now=turn.now, fallback_zone=turn.zone
        )
    decision = None
    if client is not None:
        asked = await raise_decision(
            uow, turn.therapist_id, client_id, saved.id, now=turn.now, zone=turn.zone
        )
        decision = (asked, client) if asked is not None else None
    # The natural next steps, right where the therapist is: a plan after the first note,
    # homework, the next visit.
    offer = [
        (texts.ADD_HOMEWORK, CardAction(client_id, "a").encode()),
        (texts.NEXT_VISIT, CardAction(client_id, "v").encode()),
    ]
    if await uow.plans.current(turn.therapist_id, client_id) is None:
        offer.insert(0, (texts.SET_PLAN, CardAction(client_id, "p").encode()))
    return Outcome(
        offer=offer,
        toast="Saved ✓",
        decision=decision,
        final_text=texts.saved(
            saved.number, note.client_name or "", day, note.pain_before, note.pain_after
        ),
    )


# --- typing ----------------------------------------------------------------------------


async def on_text(turn: Turn, state: DraftState, text: str) -> Outcome:
    """A typed message during a note. The card is always shown anew below it."""
    step = state.step
    outcome: Outcome
    if step is Step.CLIENT:
        # Kept whole (within reason): "Add …" turns it into a name, which has its own limit.
        state.query = " ".join(text.split())[:MAX_QUERY_LENGTH] or None
        outcome = Outcome()
    elif step in (Step.NEW_CLIENT, Step.DUPLICATE):
        outcome = await _name_new_client(turn, state, text)
    elif step in (Step.AREA_OTHER, Step.TECHNIQUE_OTHER):
        outcome = _typed_other(state, text)
    elif step in (Step.PAIN_BEFORE, Step.PAIN_AFTER):
        outcome = _typed_pain(state, text)
    elif step in TEXT_STEPS:
        outcome = _typed_text(state, text)
    elif step is Step.DATE:
        outcome = _typed_date(turn, state, text)
    elif step is Step.SUMMARY:
        outcome = Outcome(warning=texts.TAP_SUMMARY)
    else:
        outcome = Outcome(warning=texts.RE_TAP_CHOICES)
    outcome.fresh = True
    return outcome


def _typed_other(state: DraftState, text: str) -> Outcome:
    try:
        value = clean_text(text, limit=MAX_OTHER_LENGTH)
    except InputError:
        return Outcome(warning=texts.too_long(len(text.strip()), MAX_OTHER_LENGTH))
    if state.step is Step.AREA_OTHER:
        state.note.area_other = value
    else:
        state.note.technique_other = value
    return _advance(state)


def _typed_pain(state: DraftState, text: str) -> Outcome:
    try:
        value = parse_pain(text)
    except InputError:
        return Outcome(warning=texts.RE_ASK_PAIN)
    _set_pain(state, value)
    return _advance(state)


def _typed_text(state: DraftState, text: str) -> Outcome:
    try:
        value = clean_text(text)
    except InputError:
        length = len(text.strip())
        if length == 0:
            return Outcome()
        return Outcome(warning=texts.too_long(length, MAX_TEXT_LENGTH))
    state.note.set_text(TEXT_STEPS[state.step], value)
    return _advance(state)


def _typed_date(turn: Turn, state: DraftState, text: str) -> Outcome:
    try:
        state.note.session_date = parse_session_date(text, turn.today)
    except InputError as exc:
        return Outcome(warning=texts.RE_ASK_DATE.format(reason=texts.esc(str(exc))))
    state.go(Step.SUMMARY)
    return Outcome()
