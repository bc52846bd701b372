"""Callback data: parsed in one place; anything forged or malformed is None."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from bot.shared import texts
from bot.shared.callbacks import (
    MAX_BYTES,
    MAX_ROW_ID,
    ClientCard,
    HistoryPage,
    HistoryPick,
    NoteButton,
    parse,
    parse_records,
    row_id,
)
from bot.therapist.notes.steps import EDITABLE, MAIN_PATH, Step, next_step, previous_step
from demo.offline import OfflineBot
from emulator import Phone
from tests.chat import new_client_note
from tests.test_invites import join


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


def test_ids_no_row_can_have_are_refused() -> None:
    assert parse(f"c:{MAX_ROW_ID}") == ClientCard(MAX_ROW_ID)
    for data in (f"c:{MAX_ROW_ID + 1}", "rf:1:-:99999999999", "rm:999999999999999:d"):
        assert parse(data) is None
    assert parse_records(f"ex:{MAX_ROW_ID + 1}") is None
    assert row_id(str(MAX_ROW_ID)) == MAX_ROW_ID
    for text in (str(MAX_ROW_ID + 1), "", "-1", "1e3", "١٢", "12 "):
        assert row_id(text) is None


# --- end to end: forged buttons with ids no row can have ------------------------------------

TOO_BIG = MAX_ROW_ID + 1


def _screen(phone: Phone) -> list[tuple[int, str, list[list[str]], int]]:
    return [(m.message_id, m.text, m.callback_data, m.edits) for m in phone.messages]


async def test_forged_ids_beyond_any_row_are_answered_as_stale_buttons(
    running: OfflineBot, maya: Phone
) -> None:
    """On PostgreSQL, ids are 32-bit integers: a larger one used to reach the query and fail
    it, so the tap got an apology. Now every such tap is a stale button: answered, nothing
    else happens."""
    await new_client_note(maya, "Anna K.")
    anna = await join(running, maya)
    await anna.tap("London")
    await maya.send("/note")
    pick = next(d for row in maya.last_message.callback_data for d in row if ":p:" in d)  # type: ignore[union-attr]
    therapist_taps = [
        pick.rsplit(":", 1)[0] + f":{TOO_BIG}",
        f"h:{TOO_BIG}:0",
        f"hp:{TOO_BIG}",
        f"c:{TOO_BIG}",
        f"ca:{TOO_BIG}:n",
        f"ck:{TOO_BIG}:7",
        f"iv:{TOO_BIG}",
        f"hw:{TOO_BIG}:p",
        f"pg:{TOO_BIG}",
        f"dp:{TOO_BIG}:c",
        f"pv:{TOO_BIG}:v",
        f"rf:{TOO_BIG}:-",
        f"rf:1:-:{TOO_BIG}",
        f"rc:{TOO_BIG}:p",
        f"fu:{TOO_BIG}:s",
        f"ex:{TOO_BIG}",
        f"am:{TOO_BIG}:o",
    ]
    client_taps = [f"rm:{TOO_BIG}:d", f"ci:{TOO_BIG}:p:3", f"rc:{TOO_BIG}:y"]
    for phone, taps in ((maya, therapist_taps), (anna, client_taps)):
        before = _screen(phone)
        for data in taps:
            answer = await phone.tap_data(data, message_id=phone.last_message_id)
            assert answer in (texts.STALE_BUTTON, texts.CLIENT_GONE), (data, answer)
        assert _screen(phone) == before
    # The largest id a row can have is an ordinary id of nobody's client.
    assert await maya.tap_data(f"c:{MAX_ROW_ID}") == texts.NOT_YOUR_CLIENT
