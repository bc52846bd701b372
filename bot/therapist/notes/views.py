"""What each step of a note looks like: text and inline keyboard. Pure: state in, View out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.shared import cards, texts
from bot.shared.callbacks import ANY_STEP, NoteButton
from bot.therapist.notes.state import DraftState
from bot.therapist.notes.steps import EDITABLE, LABELS, MISSING_STEPS, TEXT_STEPS, Step
from practice.notes import AREAS, PRESSURES, TECHNIQUES, TextField

# How much of each typed field the summary shows; keeps the card well under Telegram's 4,096.
SUMMARY_EXCERPT = 500
PROMPT_EXCERPT = 300


@dataclass(frozen=True)
class View:
    text: str
    keyboard: InlineKeyboardMarkup | None = None

    def with_warning(self, warning: str | None) -> View:
        if not warning:
            return self
        return View(f"{warning}\n\n{self.text}", self.keyboard)


Row = list[InlineKeyboardButton]


def _button(
    state: DraftState, label: str, action: str, arg: str = "", *, step: str = ""
) -> InlineKeyboardButton:
    data = NoteButton(state.token, step or state.step.value, action, arg).encode()
    return InlineKeyboardButton(label, callback_data=data)


def _back(state: DraftState) -> InlineKeyboardButton:
    return _button(state, texts.BACK, "b")


def _cancel(state: DraftState) -> InlineKeyboardButton:
    return _button(state, texts.CANCEL, "x", step=ANY_STEP)


def _pairs(buttons: Row, tick: str = "") -> list[Row]:
    """Two to a row where they fit a phone (cards.button_rows)."""
    return cards.button_rows(buttons, tick=tick)


def _header(state: DraftState) -> str:
    if state.note.client_name:
        return texts.note_for(state.note.client_name) + "\n"
    return ""


def client_step(state: DraftState, clients: list[tuple[int, str]]) -> View:
    rows = _pairs([_button(state, name, "p", str(cid)) for cid, name in clients])
    if state.query:
        text = texts.matches(state.query) if clients else texts.no_match(state.query)
        rows.append([_button(state, texts.add_named_client(_short(state.query, 30)), "an")])
        rows.append([_button(state, texts.SHOW_RECENT, "rc")])
        rows.append([_back(state), _cancel(state)] if state.editing else [_cancel(state)])
    else:
        text = texts.STEP_CLIENT if clients else texts.STEP_CLIENT_EMPTY
        rows.append([_button(state, texts.NEW_CLIENT, "nw")])
        rows.append([_back(state), _cancel(state)] if state.editing else [_cancel(state)])
    return View(text, InlineKeyboardMarkup(rows))


def new_client_step(state: DraftState) -> View:
    return View(texts.STEP_NEW_CLIENT, InlineKeyboardMarkup([[_back(state), _cancel(state)]]))


def duplicate_step(state: DraftState) -> View:
    name = state.pending_name or ""
    rows = [[_button(state, texts.use_existing(n), "p", str(cid))] for cid, n in state.candidates]
    rows.append([_button(state, texts.create_anyway(_short(name, 30)), "cr")])
    rows.append([_back(state), _cancel(state)])
    return View(
        texts.near_duplicate(name, [n for _, n in state.candidates]), InlineKeyboardMarkup(rows)
    )


def _multi_select(
    state: DraftState,
    prompt: str,
    vocabulary: dict[str, str],
    selected: list[str],
    other: str | None,
) -> View:
    toggles = [
        _button(state, f"✓ {label}" if code in selected else label, "t", code)
        for code, label in vocabulary.items()
    ]
    other_label = f"✓ {_short(other, 24)}" if other else texts.OTHER
    toggles.append(_button(state, other_label, "o"))
    rows = _pairs(toggles, tick="✓ ")
    rows.append([_back(state), _button(state, texts.DONE, "d")])
    return View(_header(state) + prompt, InlineKeyboardMarkup(rows))


def areas_step(state: DraftState) -> View:
    n = state.note
    return _multi_select(state, texts.STEP_AREAS, AREAS, n.areas, n.area_other)


def techniques_step(state: DraftState) -> View:
    n = state.note
    if state.technique_to_confirm is not None and state.technique_caution is not None:
        # Asked once a note, as a pressure is: this client's intake has a caution against it.
        label = TECHNIQUES.get(state.technique_to_confirm, state.technique_to_confirm)
        text = texts.technique_confirm(n.client_name or "", state.technique_caution, label)
        rows = [
            [_button(state, texts.PRESSURE_CONFIRM_YES, "tc", state.technique_to_confirm)],
            [_button(state, texts.PRESSURE_CONFIRM_NO, "tn")],
        ]
        return View(_header(state) + text, InlineKeyboardMarkup(rows))
    return _multi_select(state, texts.STEP_TECHNIQUES, TECHNIQUES, n.techniques, n.technique_other)


def other_step(state: DraftState) -> View:
    is_area = state.step is Step.AREA_OTHER
    current = state.note.area_other if is_area else state.note.technique_other
    prompt = texts.STEP_AREA_OTHER if is_area else texts.STEP_TECHNIQUE_OTHER
    rows: list[Row] = []
    if current:
        prompt += f"\nNow: <i>{texts.esc(current)}</i>"
        rows.append([_button(state, texts.CLEAR, "oc")])
    rows.append([_back(state)])
    return View(_header(state) + prompt, InlineKeyboardMarkup(rows))


def pressure_step(state: DraftState) -> View:
    if state.pressure_to_confirm is not None and state.pressure_caution is not None:
        # Asked once a note: this client's intake has a caution against it.
        name = state.note.client_name or ""
        pressure = PRESSURES.get(state.pressure_to_confirm, state.pressure_to_confirm)
        text = texts.pressure_confirm(name, state.pressure_caution, pressure)
        rows = [
            [_button(state, texts.PRESSURE_CONFIRM_YES, "vc", state.pressure_to_confirm)],
            [_button(state, texts.PRESSURE_CONFIRM_NO, "vn")],
        ]
        return View(_header(state) + text, InlineKeyboardMarkup(rows))
    current = state.note.pressure
    row = [
        _button(state, f"✓ {label}" if code == current else label, "v", code)
        for code, label in PRESSURES.items()
    ]
    return View(_header(state) + texts.STEP_PRESSURE, InlineKeyboardMarkup([row, [_back(state)]]))


def pain_step(state: DraftState) -> View:
    before = state.step is Step.PAIN_BEFORE
    current = state.note.pain_before if before else state.note.pain_after
    prompt = texts.STEP_PAIN_BEFORE if before else texts.STEP_PAIN_AFTER
    if not before and state.note.pain_before is not None:
        prompt += f"\n(before: {state.note.pain_before})"

    def label(v: int) -> str:
        return f"✓{v}" if v == current else str(v)

    rows = [
        [_button(state, label(v), "v", str(v)) for v in range(0, 6)],
        [_button(state, label(v), "v", str(v)) for v in range(6, 11)],
        [_back(state)],
    ]
    return View(_header(state) + prompt, InlineKeyboardMarkup(rows))


def text_step(state: DraftState) -> View:
    which = TEXT_STEPS[state.step]
    prompt = texts.TEXT_PROMPTS[which]
    current = state.note.text(which)
    rows: list[Row] = []
    if current:
        prompt += f"\nNow: <i>{texts.esc(texts.excerpt(current, PROMPT_EXCERPT))}</i>"
    prompt += f"\nType it {texts.MAX_HINT}, or skip."
    if state.editing:
        rows.append([_button(state, "Keep as is" if current else texts.SKIP, "sk")])
    else:
        skips = [_button(state, texts.SKIP, "sk"), _button(state, texts.SKIP_TO_SUMMARY, "ss")]
        rows.extend(cards.button_rows(skips))
    if current:
        rows.append([_button(state, texts.CLEAR, "cl")])
    rows.append([_back(state)])
    return View(_header(state) + prompt, InlineKeyboardMarkup(rows))


def summary_text(state: DraftState, today: date) -> str:
    n = state.note
    day = n.session_date or today
    lines = [
        (texts.note_for(n.client_name) if n.client_name else texts.NOTE_NO_CLIENT_YET)
        + f" — {texts.long_date(day, today)}",
        "",
        f"<b>Areas:</b> {texts.esc(texts.area_labels(n.areas, n.area_other))}",
        f"<b>Techniques:</b> {texts.esc(texts.technique_labels(n.techniques, n.technique_other))}",
        f"<b>Pressure:</b> {texts.pressure_label(n.pressure)}",
        f"<b>Pain:</b> {_pain(n.pain_before)} → {_pain(n.pain_after)}",
    ]
    for which in TextField:
        value = n.text(which)
        if value:
            shown = texts.esc(texts.excerpt(value, SUMMARY_EXCERPT))
            lines.append(f"<b>{texts.FIELD_LABELS[which]}:</b> {shown}")
    if state.since_last_visit:
        lines += ["", texts.Html(state.since_last_visit)]
    if n.new_client and n.client_name:
        lines += ["", texts.new_client(n.client_name)]
    if state.lone_pain and n.pain_before is not None and n.pain_after is None:
        lines += ["", texts.lone_pain(n.pain_before)]
    if state.unplaced:
        lines += ["", texts.didnt_place(state.unplaced)]
    missing = n.missing()
    if missing:
        lines += ["", "⚠️ Still needed before saving: " + ", ".join(missing)]
    return "\n".join(lines)


def summary_step(state: DraftState, today: date) -> View:
    rows = [[_button(state, texts.SAVE, "sv")]]
    # What the note still needs, one tap each (a quick note that left them out).
    needed = [
        _button(state, texts.missing_field(label.capitalize()), "mf", MISSING_STEPS[label])
        for label in state.note.missing()
    ]
    rows += _pairs(needed)
    if state.since_last_visit:
        said = texts.as_check_in(texts.Html(state.since_last_visit))
        if said not in (state.note.subjective or ""):
            rows.append([_button(state, texts.AS_CHECK_IN, "ci")])
    rows += [
        [_button(state, texts.EDIT_FIELD, "ed"), _button(state, texts.CHANGE_DATE, "dt")],
        [_back(state), _cancel(state)],
    ]
    return View(summary_text(state, today), InlineKeyboardMarkup(rows))


def edit_menu_step(state: DraftState) -> View:
    buttons = [_button(state, label, "f", step.value) for label, step in EDITABLE]
    rows = _pairs(buttons)
    rows.append([_button(state, texts.BACK_TO_SUMMARY, "b")])
    return View(texts.STEP_EDIT_MENU, InlineKeyboardMarkup(rows))


def date_step(state: DraftState, today: date) -> View:
    current = state.note.session_date or today
    prompt = texts.STEP_DATE + f"\nNow: {texts.long_date(current, today)}"
    rows = [
        [_button(state, texts.TODAY, "v", "0"), _button(state, texts.YESTERDAY, "v", "1")],
        [_back(state)],
    ]
    return View(_header(state) + prompt, InlineKeyboardMarkup(rows))


def confirm_cancel(state: DraftState) -> View:
    rows = [
        [
            _button(state, texts.DISCARD, "xy", step=ANY_STEP),
            _button(state, texts.KEEP, "xn", step=ANY_STEP),
        ]
    ]
    return View(_header(state) + texts.CONFIRM_CANCEL, InlineKeyboardMarkup(rows))


def in_progress(state: DraftState) -> View:
    rows = [
        [
            _button(state, texts.CONTINUE, "go", step=ANY_STEP),
            _button(state, texts.START_OVER, "rs", step=ANY_STEP),
        ]
    ]
    return View(
        texts.in_progress(state.note.client_name, texts.Html(LABELS[state.step])),
        InlineKeyboardMarkup(rows),
    )


def render(state: DraftState, today: date, clients: list[tuple[int, str]]) -> View:
    """The card for the draft's current step. `clients` is only read on the client step."""
    step = state.step
    if step is Step.CLIENT:
        return client_step(state, clients)
    if step in (Step.SUMMARY, Step.DATE):
        return (summary_step if step is Step.SUMMARY else date_step)(state, today)
    return _STEP_VIEWS[step](state)


_STEP_VIEWS: dict[Step, Callable[[DraftState], View]] = {
    Step.NEW_CLIENT: new_client_step,
    Step.DUPLICATE: duplicate_step,
    Step.AREAS: areas_step,
    Step.TECHNIQUES: techniques_step,
    Step.AREA_OTHER: other_step,
    Step.TECHNIQUE_OTHER: other_step,
    Step.PRESSURE: pressure_step,
    Step.PAIN_BEFORE: pain_step,
    Step.PAIN_AFTER: pain_step,
    **dict.fromkeys(TEXT_STEPS, text_step),
    Step.EDIT_MENU: edit_menu_step,
}


def _pain(value: int | None) -> str:
    return "—" if value is None else str(value)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
