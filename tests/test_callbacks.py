"""Callback data: parsed in one place; anything forged or malformed is None."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from bot.callbacks import MAX_BYTES, HistoryPage, HistoryPick, NoteButton, parse
from bot.notes.steps import EDITABLE, MAIN_PATH, Step, next_step, previous_step


@given(
    token=st.from_regex(r"[A-Za-z0-9_-]{12}", fullmatch=True),
    step=st.sampled_from([s.value for s in Step] + ["*"]),
    action=st.from_regex(r"[a-z]{1,3}", fullmatch=True),
    arg=st.from_regex(r"[a-z0-9_]{0,20}", fullmatch=True),
)
def test_note_buttons_round_trip_under_64_bytes(
    token: str, step: str, action: str, arg: str
) -> None:
    button = NoteButton(token, step, action, arg)
    data = button.encode()
    assert len(data.encode()) <= MAX_BYTES
    assert parse(data) == button


@given(st.text(max_size=80))
def test_arbitrary_data_never_raises(data: str) -> None:
    parse(data)


def test_history_buttons() -> None:
    assert parse(HistoryPage(12, 5).encode()) == HistoryPage(12, 5)
    assert parse(HistoryPick(7).encode()) == HistoryPick(7)
    assert parse("h:-1:0") is None
    assert parse("hp:1; DROP TABLE") is None


def test_next_and_back_are_inverse_along_the_main_path() -> None:
    for here, there in itertools.pairwise(MAIN_PATH):
        assert next_step(here, editing=False) is there
        assert previous_step(there, editing=False) is here
    assert previous_step(Step.CLIENT, editing=False) is None


def test_editing_a_field_returns_to_the_summary() -> None:
    for _, step in EDITABLE:
        if step is not Step.DATE:
            assert next_step(step, editing=True) is Step.SUMMARY
            assert previous_step(step, editing=True) is Step.SUMMARY
