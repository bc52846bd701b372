"""The homework library: the shipped data, the dose text, and what is suggested after a session."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from practice.exercises import (
    EXERCISE_AREAS,
    FIRST_CHOICES,
    GENERAL,
    MAX_STEP_LENGTH,
    MAX_SUMMARY_LENGTH,
    Dose,
    Exercise,
    Kind,
    by_code,
    for_area,
    load_library,
    suggest_for_areas,
)
from practice.notes import AREAS

# The exercises the library promises; their codes are stored with homework and never change.
MUST_INCLUDE = [
    "chin_tuck",
    "doorway_pec_stretch",
    "upper_trapezius_stretch",
    "levator_scapulae_stretch",
    "cat_cow",
    "childs_pose",
    "figure_four_stretch",
    "hamstring_stretch",
    "calf_stretch",
    "hip_flexor_stretch",
    "wrist_flexor_stretch",
    "wrist_extensor_stretch",
    "open_book",
    "glute_bridge",
    "diaphragmatic_breathing",
]

GOOD_ENTRY = """
[[exercise]]
code = "{code}"
name = "Test stretch"
area = "{area}"
kind = "stretch"
steps = {steps}
sets = 3
hold_seconds = 30
cautions = "Stop if it hurts."
summary = "Stretch gently."
"""
TWO_STEPS = '["Do this.", "Then that."]'


def write_library(tmp_path: Path, *entries: str) -> Path:
    path = tmp_path / "exercises.toml"
    path.write_text("".join(entries), encoding="utf-8")
    return path


def entry(code: str = "test_stretch", area: str = "neck", steps: str = TWO_STEPS) -> str:
    return GOOD_ENTRY.format(code=code, area=area, steps=steps)


# --- the shipped library ---


def test_library_loads_with_enough_exercises() -> None:
    library = load_library()
    assert len(library) >= 30
    assert all(isinstance(ex, Exercise) for ex in library)


def test_default_load_is_cached() -> None:
    assert load_library() is load_library()


def test_codes_are_unique() -> None:
    codes = [ex.code for ex in load_library()]
    assert len(codes) == len(set(codes))


@pytest.mark.parametrize("code", MUST_INCLUDE)
def test_must_include(code: str) -> None:
    assert by_code(code).code == code


@pytest.mark.parametrize("area", list(AREAS))
def test_every_area_has_an_exercise(area: str) -> None:
    assert for_area(area)


def test_general_has_breathing_and_posture() -> None:
    kinds = {ex.kind for ex in for_area(GENERAL)}
    assert {Kind.BREATHING, Kind.POSTURE} <= kinds


def test_texts_fit_a_phone() -> None:
    for ex in load_library():
        assert len(ex.summary) <= MAX_SUMMARY_LENGTH, ex.code
        assert "\n" not in ex.summary, ex.code
        assert 2 <= len(ex.steps) <= 5, ex.code
        assert all(len(step) <= MAX_STEP_LENGTH for step in ex.steps), ex.code
        assert ex.cautions.endswith("."), ex.code
        assert ex.area in EXERCISE_AREAS, ex.code
        # Reminders are plain text: nothing that looks like markup.
        assert not any(ch in ex.instructions() for ch in "<>*_`"), ex.code


def test_every_dose_describes_itself() -> None:
    for ex in load_library():
        text = ex.dose.describe()
        assert text, ex.code
        assert "None" not in text, ex.code
        assert text[0].isdigit(), ex.code


def test_first_choices_exist() -> None:
    for area, codes in FIRST_CHOICES.items():
        assert area in EXERCISE_AREAS
        for code in codes:
            by_code(code)


def test_by_code_unknown() -> None:
    with pytest.raises(KeyError, match="no_such"):
        by_code("no_such")


def test_for_area_unknown() -> None:
    with pytest.raises(ValueError, match="elbow"):
        for_area("elbow")


def test_instructions_are_plain_numbered_text() -> None:
    text = by_code("chin_tuck").instructions()
    lines = text.splitlines()
    assert lines[0].startswith("1. Sit or stand tall")
    assert lines[1].startswith("2. ")
    assert "Dose: 2 × 10, hold 5 s" in lines
    assert lines[-1].startswith("Caution: ")


# --- doses ---


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("chin_tuck", "2 × 10, hold 5 s"),
        ("doorway_pec_stretch", "3 × 30 s hold"),
        ("upper_trapezius_stretch", "3 × 30 s hold each side"),
        ("diaphragmatic_breathing", "5 min"),
        ("lower_trunk_rotation", "1 × 10 each side"),
        ("bird_dog", "2 × 8 each side, hold 5 s"),
        ("jaw_relaxation", "3 × 1 min"),
        ("plantar_fascia_roll", "2 min each side"),
        ("cat_cow", "2 × 10"),
    ],
)
def test_shipped_dose_text(code: str, text: str) -> None:
    assert by_code(code).dose.describe() == text


@pytest.mark.parametrize(
    ("dose", "text"),
    [
        (Dose(reps=10), "10 reps"),
        (Dose(hold_seconds=20), "20 s hold"),
        (Dose(minutes=5), "5 min"),
        (Dose(sets=1, minutes=5), "5 min"),
        (Dose(sets=2, reps=5, per_side=True), "2 × 5 each side"),
        (Dose(reps=10, hold_seconds=3), "10 reps, hold 3 s"),
    ],
)
def test_dose_text(dose: Dose, text: str) -> None:
    assert dose.describe() == text


@pytest.mark.parametrize(
    "values",
    [
        {},
        {"sets": 3},
        {"reps": 0},
        {"reps": -1},
        {"hold_seconds": 2.5},
        {"reps": True},
        {"sets": 0, "reps": 10},
        {"reps": 10, "minutes": 5},
        {"hold_seconds": 30, "minutes": 1},
        {"reps": 10, "per_side": "yes"},
    ],
)
def test_bad_dose(values: dict[str, object]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - each case fails for its own reason
        Dose(**values)  # type: ignore[arg-type]


# --- suggestions ---


def codes(exercises: list[Exercise]) -> list[str]:
    return [ex.code for ex in exercises]


def test_neck_starts_with_chin_tucks() -> None:
    assert codes(suggest_for_areas(["neck"]))[:3] == [
        "chin_tuck",
        "upper_trapezius_stretch",
        "levator_scapulae_stretch",
    ]


def test_two_areas_take_turns() -> None:
    assert codes(suggest_for_areas(["neck", "lower_back"])) == [
        "chin_tuck",
        "cat_cow",
        "upper_trapezius_stretch",
        "childs_pose",
    ]


def test_small_limit_still_covers_each_area() -> None:
    assert codes(suggest_for_areas(["legs", "arms"], limit=2)) == [
        "hamstring_stretch",
        "wrist_flexor_stretch",
    ]


def test_shared_exercise_is_suggested_once() -> None:
    # Chin tucks are a first choice for both neck and head; head moves on to its next one.
    suggested = codes(suggest_for_areas(["head", "neck"], limit=4))
    assert suggested == [
        "jaw_relaxation",
        "chin_tuck",
        "jaw_controlled_opening",
        "upper_trapezius_stretch",
    ]


def test_unknown_areas_are_ignored() -> None:
    assert suggest_for_areas(["elbow", "neck"]) == suggest_for_areas(["neck"])
    assert suggest_for_areas(["elbow"]) == []
    assert suggest_for_areas([]) == []


def test_limit_zero_and_negative() -> None:
    assert suggest_for_areas(["neck"], limit=0) == []
    with pytest.raises(ValueError, match="limit"):
        suggest_for_areas(["neck"], limit=-1)


def test_large_limit_runs_out_gracefully() -> None:
    suggested = suggest_for_areas(["arms"], limit=50)
    assert codes(suggested) == ["wrist_flexor_stretch", "wrist_extensor_stretch"]


AREA_CODES = [*AREAS, GENERAL, "elbow", ""]


@given(st.lists(st.sampled_from(AREA_CODES), max_size=6), st.integers(0, 12))
def test_suggestions_are_few_unique_and_relevant(areas: list[str], limit: int) -> None:
    suggested = suggest_for_areas(areas, limit=limit)
    assert len(suggested) <= limit
    assert len(codes(suggested)) == len(set(codes(suggested)))
    for ex in suggested:
        assert any(ex.area == a or ex.code in FIRST_CHOICES.get(a, ()) for a in areas), ex.code
    known = [a for a in areas if a in EXERCISE_AREAS]
    if known and limit:
        # The first treated area always gets its first choice.
        assert suggested[0].code == FIRST_CHOICES[known[0]][0]
    assert suggest_for_areas(areas, limit=limit) == suggested


# --- bad data files ---


def test_custom_file_loads(tmp_path: Path) -> None:
    library = load_library(write_library(tmp_path, entry("a_stretch"), entry("b_stretch")))
    assert [ex.code for ex in library] == ["a_stretch", "b_stretch"]
    assert library[0].dose.describe() == "3 × 30 s hold"


def test_duplicate_code(tmp_path: Path) -> None:
    path = write_library(tmp_path, entry("twice"), entry("once"), entry("twice"))
    with pytest.raises(ValueError, match=r"'twice'.*duplicate"):
        load_library(path)


def test_unknown_area(tmp_path: Path) -> None:
    path = write_library(tmp_path, entry("elbow_stretch", area="elbow"))
    with pytest.raises(ValueError, match=r"'elbow_stretch'.*unknown area"):
        load_library(path)


def test_empty_steps(tmp_path: Path) -> None:
    path = write_library(tmp_path, entry("no_steps", steps="[]"))
    with pytest.raises(ValueError, match=r"'no_steps'.*steps"):
        load_library(path)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('kind = "stretch"', 'kind = "yoga"'), "unknown kind"),
        (("sets = 3", "sets = 0"), "sets"),
        (("hold_seconds = 30", "hold_second = 30"), "unknown keys hold_second"),
        (('summary = "Stretch gently."', 'summary = "' + "x" * 81 + '"'), "summary"),
        (('steps = ["Do this.", ', 'steps = ["' + "x" * 121 + '", '), "step 1"),
        (('name = "Test stretch"\n', ""), "missing name"),
        (('code = "bad_one"', 'code = "Bad One"'), "snake_case"),
        (('steps = ["Do this.", "Then that."]', 'steps = ["Only."]'), "steps"),
    ],
)
def test_bad_entry_names_the_code(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    old, new = change
    text = entry("bad_one")
    assert old in text
    path = write_library(tmp_path, entry("good_one"), text.replace(old, new))
    with pytest.raises(ValueError, match=message) as caught:
        load_library(path)
    assert "bad_one" in str(caught.value) or "Bad One" in str(caught.value)


def test_not_toml(tmp_path: Path) -> None:
    path = write_library(tmp_path, "[[exercise]\ncode = ")
    with pytest.raises(ValueError, match="not valid TOML"):
        load_library(path)


def test_no_entries(tmp_path: Path) -> None:
    path = write_library(tmp_path, "")
    with pytest.raises(ValueError, match="no"):
        load_library(path)
