"""The intake's parts for the pre-visit question (practice/intake.toml's sections) and what an
updated answer raises: plain functions, no Telegram, no database."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from practice.intake import changed_flags, default_intake, has_intake, load_intake

INTAKE = default_intake()
CODES = [s.code for s in INTAKE.sections]


def test_every_question_is_in_exactly_one_part() -> None:
    placed = [key for section in INTAKE.sections for key in section.questions]
    assert sorted(placed) == sorted(q.key for q in INTAKE.questions)
    assert CODES == ["concern", "conditions", "medicines", "pregnancy", "safety"]
    safety = INTAKE.section("safety")
    assert safety is not None and all(k.startswith("rf_") for k in safety.questions)


@given(st.lists(st.sampled_from([*CODES, "nope"])))
def test_the_questions_of_the_parts_chosen_come_in_the_intakes_order(chosen: list[str]) -> None:
    keys = INTAKE.questions_of(chosen)
    order = [q.key for q in INTAKE.questions]
    assert keys == sorted(keys, key=order.index)
    expected = {k for s in INTAKE.sections if s.code in chosen for k in s.questions}
    assert set(keys) == expected


def test_ticking_a_part_twice_unticks_it_and_unknown_parts_are_refused() -> None:
    ticked = INTAKE.toggle_section([], "safety")
    ticked = INTAKE.toggle_section(ticked, "concern")
    assert ticked == ["concern", "safety"]  # in the data's order
    assert INTAKE.toggle_section(ticked, "safety") == ["concern"]
    with pytest.raises(ValueError, match="not a part of the intake"):
        INTAKE.toggle_section(ticked, "nope")


def _update(key: str, before: object, after: object, others: dict[str, object] | None = None):
    earlier = {**(others or {}), key: before}
    return [f.code for f in changed_flags(earlier, {**earlier, key: after})]  # type: ignore[arg-type]


def test_an_update_raises_a_flag_only_when_the_earlier_answer_did_not() -> None:
    assert _update("rf_saddle", "no", "yes") == ["saddle"]
    assert _update("rf_saddle", None, "yes") == ["saddle"]  # skipped before
    assert _update("rf_saddle", "yes", "yes") == []  # the therapist knows already
    assert _update("rf_saddle", "yes", "no") == []
    assert _update("concern", "neck", "back") == []
    # A checklist ticked again: only the item new on it; a flag that needs two answers, when
    # the update completes it (a back pain now, after a cancer ticked at intake).
    assert _update("rf_head", ["dizzy"], ["dizzy", "thunder"]) == ["thunderclap"]
    assert _update("rf_head", ["dizzy"], ["speech"]) == []  # the same flag as before
    cancer = {"conditions": ["cancer_past"]}
    assert _update("concern", "stiff shoulder", "lower back pain", cancer) == ["cancer_back"]


def test_a_client_who_skipped_everything_has_no_intake_to_check() -> None:
    assert not has_intake({})
    assert not has_intake({"concern": None, "conditions": None})
    assert has_intake({"concern": None, "rf_saddle": "no"})


def test_bad_parts_are_refused(tmp_path: Path) -> None:
    text = (Path(__file__).parent.parent / "practice" / "intake.toml").read_text()
    broken = tmp_path / "intake.toml"
    broken.write_text(text.replace('questions = ["pregnancy"]', 'questions = ["pregnant"]'))
    with pytest.raises(ValueError, match="section 'pregnancy': questions must be keys"):
        load_intake(broken)
    broken.write_text(text.replace('questions = ["pregnancy"]', 'questions = ["goal"]'))
    with pytest.raises(ValueError, match="every question must be in exactly one section"):
        load_intake(broken)
    broken.write_text(
        text.replace('questions = ["medications", "allergies"]', 'questions = ["allergies"]')
    )
    with pytest.raises(ValueError, match="exactly one section"):
        load_intake(broken)
