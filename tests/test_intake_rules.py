"""The intake's data and rules: each caution and each red flag, what raises them, and
combinations of answers (hypothesis)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from practice.exercises import by_code, load_library
from practice.intake import (
    NONE,
    QuestionKind,
    Urgency,
    cautions_of,
    changed_flags,
    default_intake,
    exercises_to_skip,
    flag_of_answer,
    load_intake,
    minutes_to_answer,
    pressure_cautions,
    red_flags_of,
    safety_screen,
)
from practice.notes import PRESSURES

INTAKE = default_intake()

# What the issue names: each must be in the data, with the urgency its sources give.
RED_FLAGS = {
    "saddle": Urgency.URGENT,
    "bladder": Urgency.URGENT,
    "legs": Urgency.URGENT,
    "calf": Urgency.URGENT,
    "fall": Urgency.SOON,
    "weight": Urgency.SOON,
    "fever": Urgency.URGENT,  # spinal infection: same day (CKS, IFOMPT), corrected from soon
    "night": Urgency.SOON,
}
# The head and neck signs (one checklist, rf_head): each item → its flag, with the urgency its
# sources give (issue #15).
HEAD_NECK = {
    "thunder": ("thunderclap", Urgency.URGENT),  # NICE CKS headache: immediate referral
    "dizzy": ("artery", Urgency.URGENT),  # the cervical framework's 5 Ds and 3 Ns, falls too
    "speech": ("artery", Urgency.URGENT),
    "neck_injury": ("neck_injury", Urgency.SOON),  # NICE NG232; urgent with the others
}
# The fever question's answers → the flags each raises: a fever with a stiff neck or headache
# (NICE NG240: suspected meningitis) is its own answer, not a second question.
FEVER = {"no": set(), "yes": {"fever"}, "neck": {"fever", "neck_fever"}}
HEAD_NECK_FLAGS = {code for code, _ in HEAD_NECK.values()}
YES_NO = [
    f.question for f in INTAKE.red_flags if f.question.startswith("rf_") and f.answers == ("yes",)
]
CONDITIONS = [
    "blood_thinners",
    "recent_surgery",
    "clot_history",
    "osteoporosis",
    "cancer",
    "cancer_past",
    "diabetes_numb",
    "pregnancy",
]
DIAGNOSTIC_WORDS = ("you have", "diagnos", "this is ", "it is ")


def test_the_questions_come_in_the_issues_order() -> None:
    keys = [q.key for q in INTAKE.questions]
    assert keys[:8] == [
        "concern",
        "since",
        "worse_better",
        "goal",
        "conditions",
        "medications",
        "allergies",
        "pregnancy",
    ]
    assert all(k.startswith("rf_") for k in keys[8:])
    # Every yes/no red-flag question offers "No" first, so a tap on the first button is safe;
    # the head and neck signs are one checklist, last, with its "None of these".
    assert keys[-1] == "rf_head"
    head = INTAKE.question("rf_head")
    assert head is not None and head.kind is QuestionKind.MULTI
    assert list(INTAKE.options("rf_head")) == list(HEAD_NECK)
    for key in keys[8:-1]:
        question = INTAKE.question(key)
        assert question is not None and question.choices is not None
        expected = ["no", "yes", "neck"] if key == "rf_fever" else ["no", "yes"]
        assert list(question.choices) == expected


def test_pregnancy_may_be_left_unsaid() -> None:
    question = INTAKE.question("pregnancy")
    assert question is not None and question.choices is not None
    assert "private" in question.choices
    assert "Only if you would like" in question.prompt


@pytest.mark.parametrize(("code", "urgency"), RED_FLAGS.items())
def test_each_red_flag_is_raised_by_its_answer_alone(code: str, urgency: Urgency) -> None:
    flag = INTAKE.red_flag(code)
    assert flag is not None
    assert flag.urgency is urgency
    assert red_flags_of({flag.question: "yes"}) == [flag]
    assert red_flags_of({flag.question: "no"}) == []
    assert red_flags_of({flag.question: None}) == []
    assert flag_of_answer(flag.question, "yes") == flag
    assert flag_of_answer(flag.question, "no") is None
    # Sources named and known; the meaning one line, and a screen, not a diagnosis.
    assert INTAKE.sources_of(flag)
    assert "\n" not in flag.meaning
    assert not any(word in flag.meaning.lower() for word in DIAGNOSTIC_WORDS)
    assert "can be" in flag.meaning or "may be" in flag.meaning or "sign" in flag.meaning


def test_cauda_equina_flags_name_the_spinal_guidance() -> None:
    for code in ("saddle", "bladder"):
        flag = INTAKE.red_flag(code)
        assert flag is not None
        assert {"nice_ng59", "girft_ces"} <= set(flag.sources)
    assert "NG59" in INTAKE.sources["nice_ng59"].title


def test_urgent_flags_come_first() -> None:
    answers = {"rf_night": "yes", "rf_fall": "yes", "rf_calf": "yes"}
    assert [f.code for f in red_flags_of(answers)] == ["calf", "fall", "night"]


@pytest.mark.parametrize("code", [c for c in CONDITIONS if c not in ("pregnancy", "cancer_past")])
def test_each_checklist_condition_raises_its_caution(code: str) -> None:
    condition = INTAKE.condition(code)
    assert condition is not None and condition.checklist
    cautions = cautions_of({"conditions": [code]})
    assert [c.condition.code for c in cautions] == [code]
    assert cautions[0].because == "ticked on the checklist"
    assert INTAKE.sources_of(condition)
    assert pressure_cautions(cautions, "deep") == cautions
    assert pressure_cautions(cautions, "light") == []


def test_blood_thinners_caution_reads_as_the_issue_says() -> None:
    condition = INTAKE.condition("blood_thinners")
    assert condition is not None
    assert condition.caution.startswith("On blood thinners — avoid deep pressure")
    assert condition.short == "blood thinners"


@pytest.mark.parametrize(
    "typed", ["Warfarin 5 mg", "apixaban (Eliquis)", "xarelto", "a blood thinner, can't recall"]
)
def test_a_blood_thinner_typed_under_medications_is_a_caution(typed: str) -> None:
    cautions = cautions_of({"medications": typed})
    assert [c.condition.code for c in cautions] == ["blood_thinners"]
    assert cautions[0].because.startswith("medicine: ")


def test_medicine_words_match_whole_words_only() -> None:
    # "heparinoid" cream is not heparin; ibuprofen is nobody's blood thinner here.
    assert cautions_of({"medications": "heparinoid cream, ibuprofen"}) == []


def test_ticked_and_typed_blood_thinners_are_one_caution() -> None:
    cautions = cautions_of({"conditions": ["blood_thinners"], "medications": "warfarin"})
    assert [c.condition.code for c in cautions] == ["blood_thinners"]


@pytest.mark.parametrize(("answer", "raised"), [("yes", True), ("maybe", True), ("no", False)])
def test_pregnancy_answer_raises_its_caution(answer: str, raised: bool) -> None:
    assert bool(cautions_of({"pregnancy": answer})) is raised


def test_pregnancy_left_unsaid_raises_nothing() -> None:
    assert cautions_of({"pregnancy": "private"}) == []
    assert cautions_of({"pregnancy": None}) == []
    # And it is not on the checklist: it is asked only as its own, optional question.
    assert "pregnancy" not in [c.code for c in INTAKE.checklist]


def test_none_of_these_is_exclusive() -> None:
    ticked = INTAKE.toggle([], "osteoporosis")
    ticked = INTAKE.toggle(ticked, "blood_thinners")
    assert ticked == ["blood_thinners", "osteoporosis"]  # in the checklist's order
    assert INTAKE.toggle(ticked, NONE) == [NONE]
    assert INTAKE.toggle([NONE], "cancer") == ["cancer"]
    assert INTAKE.toggle(["cancer"], "cancer") == []
    assert cautions_of({"conditions": [NONE]}) == []
    with pytest.raises(ValueError, match="not on the checklist"):
        INTAKE.toggle([], "pregnancy")  # not a checklist item
    with pytest.raises(ValueError, match="not on the checklist"):
        INTAKE.toggle([], "gout")


def test_homework_with_a_caution_that_names_the_condition_is_skipped() -> None:
    cautions = cautions_of({"conditions": ["diabetes_numb"]})
    skipped = exercises_to_skip(load_library(), cautions)
    assert [s.exercise.code for s in skipped] == ["plantar_fascia_roll"]
    assert skipped[0].caution.condition.code == "diabetes_numb"
    # A client without it keeps the whole library; numbness down the arm is not diabetes.
    assert exercises_to_skip(load_library(), []) == []
    assert exercises_to_skip([by_code("chin_tuck")], cautions) == []


def test_only_new_flags_are_alerted_on_an_update() -> None:
    before = {"rf_night": "yes"}
    after = {"rf_night": "yes", "rf_fever": "yes"}
    assert [f.code for f in changed_flags(before, after)] == ["fever"]
    assert changed_flags(after, after) == []


def test_typed_and_tapped_answers_are_checked() -> None:
    assert INTAKE.read("concern", "  stiff   neck ") == "stiff neck"
    assert INTAKE.read("allergies", "almond oil") == "almond oil"
    with pytest.raises(ValueError, match="tap"):
        INTAKE.read("rf_saddle", "maybe")
    with pytest.raises(ValueError, match="empty"):
        INTAKE.read("goal", "   ")
    with pytest.raises(ValueError, match="characters"):
        INTAKE.read("goal", "x" * 501)
    assert INTAKE.choose("since", "weeks") == "weeks"
    with pytest.raises(ValueError, match="not a choice"):
        INTAKE.choose("since", "yes")


def test_next_question_skips_what_is_done() -> None:
    first = INTAKE.next_question([])
    assert first is not None and first.key == "concern"
    second = INTAKE.next_question(["concern"])
    assert second is not None and second.key == "since"
    assert INTAKE.next_question([q.key for q in INTAKE.questions]) is None


def test_shown_answers_read_as_labels() -> None:
    conditions = INTAKE.question("conditions")
    since = INTAKE.question("since")
    assert conditions is not None and since is not None
    assert conditions.kind is QuestionKind.MULTI
    shown = conditions.shown(["osteoporosis", "cancer"], INTAKE.conditions)
    assert shown == "Osteoporosis or fragile bones, Cancer treatment now or in the last year"
    assert since.shown("weeks") == "A few weeks"
    assert since.shown(None) == "—"


def test_bad_data_is_refused_with_its_entry_named(tmp_path: Path) -> None:
    text = (Path(__file__).parent.parent / "practice" / "intake.toml").read_text()
    broken = tmp_path / "intake.toml"
    broken.write_text(text.replace('sources = ["girft_ces", "nice_ng59"', 'sources = ["nope"'))
    with pytest.raises(ValueError, match="red flag 'saddle': unknown sources nope"):
        load_intake(broken)
    broken.write_text(text.replace('urgency = "soon"', 'urgency = "later"', 1))
    with pytest.raises(ValueError, match="red flag 'fall': urgency"):
        load_intake(broken)
    broken.write_text(text.replace('confirm_pressures = ["deep"]', 'confirm_pressures = ["x"]', 1))
    with pytest.raises(ValueError, match="condition 'blood_thinners': unknown pressures"):
        load_intake(broken)


def test_every_pressure_named_is_a_note_pressure() -> None:
    for condition in INTAKE.conditions:
        assert set(condition.confirm_pressures) <= set(PRESSURES)


_answers = st.fixed_dictionaries(
    {},
    optional={
        "conditions": st.lists(st.sampled_from([c.code for c in INTAKE.checklist]), unique=True),
        "medications": st.sampled_from(["", "warfarin", "ibuprofen", "eliquis daily"]),
        "pregnancy": st.sampled_from(["yes", "maybe", "no", "private"]) | st.none(),
        "concern": st.sampled_from(
            ["stiff neck, headaches", "lower back pain", "my right knee", "Backache", "feedback"]
        )
        | st.none(),
        "rf_head": st.lists(st.sampled_from([*HEAD_NECK, NONE]), unique=True) | st.none(),
        "rf_fever": st.sampled_from(list(FEVER)) | st.none(),
        **{key: st.sampled_from(["yes", "no"]) | st.none() for key in YES_NO},
    },
)


def _expected_flags(answers: dict[str, object]) -> set[str]:
    """The flags as the issue states them, written out apart from the data's matching."""
    expected = {
        f.code
        for f in INTAKE.red_flags
        if f.question in YES_NO and answers.get(f.question) == "yes"
    }
    expected |= {HEAD_NECK[c][0] for c in answers.get("rf_head") or [] if c != NONE}  # type: ignore[attr-defined]
    expected |= FEVER[str(answers["rf_fever"])] if answers.get("rf_fever") else set()
    ticked = set(answers.get("conditions") or [])  # type: ignore[call-overload]
    concern = str(answers.get("concern") or "")
    if ticked & {"cancer", "cancer_past"} and concern in (
        "stiff neck, headaches",
        "lower back pain",
    ):
        expected.add("cancer_back")  # "Backache" and "feedback" name no back as a word
    return expected


@given(_answers)
def test_combinations_raise_exactly_the_flags_answered_yes(answers: dict[str, object]) -> None:
    flags = red_flags_of(answers)  # type: ignore[arg-type]
    expected = _expected_flags(answers)
    assert {f.code for f in flags} == expected
    assert len(flags) == len(expected)
    urgencies = [f.urgency for f in flags]
    assert urgencies == sorted(urgencies, key=lambda u: u is not Urgency.URGENT)


@given(_answers)
def test_combinations_raise_each_caution_once_and_only_with_a_reason(
    answers: dict[str, object],
) -> None:
    cautions = cautions_of(answers)  # type: ignore[arg-type]
    codes = [c.condition.code for c in cautions]
    assert len(codes) == len(set(codes))
    ticked = set(answers.get("conditions") or [])  # type: ignore[call-overload]
    typed = str(answers.get("medications") or "")
    for code in codes:
        assert (
            code in ticked
            or (code == "blood_thinners" and typed in ("warfarin", "eliquis daily"))
            or (code == "pregnancy" and answers.get("pregnancy") in ("yes", "maybe"))
        )
    for code in ticked:
        assert code in codes
    # Red flags never turn into cautions, nor cautions into red flags.
    assert not set(codes) & set(RED_FLAGS)


@given(st.lists(st.sampled_from([NONE, *[c.code for c in INTAKE.checklist]]), max_size=12))
def test_any_sequence_of_taps_leaves_a_consistent_checklist(taps: list[str]) -> None:
    ticked: list[str] = []
    for code in taps:
        ticked = INTAKE.toggle(ticked, code)
    assert len(ticked) == len(set(ticked))
    assert ticked == [NONE] or NONE not in ticked


def test_a_question_is_counted_among_those_the_client_is_asked() -> None:
    intake = default_intake()
    assert intake.count("concern") == (1, 17)
    assert intake.count("since", ["concern", "conditions"]) == (1, 15)
    assert intake.count("rf_head", ["concern", "conditions"]) == (15, 15)
    # The question asked is counted even if someone else answered it (a correction).
    assert intake.count("concern", ["concern"]) == (1, 17)
    assert minutes_to_answer(17) == 3 and minutes_to_answer(1) == 1


@pytest.mark.parametrize(("item", "expected"), HEAD_NECK.items())
def test_each_head_and_neck_sign_raises_its_flag(item: str, expected: tuple[str, Urgency]) -> None:
    code, urgency = expected
    flag = INTAKE.red_flag(code)
    assert flag is not None and flag.urgency is urgency
    assert red_flags_of({"rf_head": [item]}) == [flag]
    assert flag_of_answer("rf_head", [item]) == flag
    assert red_flags_of({"rf_head": [NONE]}) == [] and red_flags_of({"rf_head": None}) == []
    assert INTAKE.sources_of(flag)
    assert "\n" not in flag.meaning
    assert not any(word in flag.meaning.lower() for word in DIAGNOSTIC_WORDS)
    assert "can be" in flag.meaning or "may be" in flag.meaning


def test_the_head_and_neck_flags_name_their_sources() -> None:
    def sources(code: str) -> set[str]:
        flag = INTAKE.red_flag(code)
        assert flag is not None
        return set(flag.sources)

    assert "ifompt_cervical" in sources("artery") and "ifompt_cervical" in sources("thunderclap")
    assert "nice_cks_headache" in sources("thunderclap")
    assert "nice_ng240" in sources("neck_fever")
    assert "nice_ng232" in sources("neck_injury")
    assert "Cervical Region" in INTAKE.sources["ifompt_cervical"].title.title()
    # The client reads plain words: no "thunderclap", no "diplopia", no "dysarthria".
    labels = " ".join(INTAKE.options("rf_head").values()).lower()
    for word in ("thunderclap", "diplopia", "dysarthria", "dysphagia", "meningitis", "drop attack"):
        assert word not in labels


def test_several_signs_ticked_raise_each_flag_once_urgent_first() -> None:
    flags = red_flags_of({"rf_head": ["dizzy", "speech", "neck_injury", "thunder"]})
    assert [f.code for f in flags] == ["thunderclap", "artery", "neck_injury"]
    assert INTAKE.toggle(["dizzy"], "thunder", "rf_head") == ["thunder", "dizzy"]
    assert INTAKE.toggle(["dizzy"], NONE, "rf_head") == [NONE]
    with pytest.raises(ValueError, match="not on the checklist"):
        INTAKE.toggle([], "osteoporosis", "rf_head")  # the conditions' item, not this list's
    shown = INTAKE.question("rf_head").shown(["thunder", NONE], INTAKE.conditions)  # type: ignore[union-attr]
    assert shown == "A sudden, severe headache, unlike any before, None of these"


@pytest.mark.parametrize("ticked", ["cancer", "cancer_past"])
def test_a_history_of_cancer_with_back_or_neck_pain_is_a_flag(ticked: str) -> None:
    flag = INTAKE.red_flag("cancer_back")
    assert flag is not None and flag.urgency is Urgency.SOON
    assert {"nice_ng59", "ifompt_2020"} <= set(flag.sources)
    with_back = {"conditions": [ticked, "osteoporosis"], "concern": "New lower back pain"}
    assert red_flags_of(with_back) == [flag]
    assert red_flags_of({**with_back, "concern": "pain in my spine"}) == [flag]
    assert red_flags_of({**with_back, "concern": "Stiff neck"}) == [flag]
    # Either alone is no flag: cancer is a caution; back pain is a massage's everyday work.
    assert red_flags_of({"conditions": [ticked]}) == []
    assert red_flags_of({"conditions": [ticked], "concern": "tight calves after running"}) == []
    assert red_flags_of({"conditions": ["osteoporosis"], "concern": "lower back pain"}) == []
    assert red_flags_of({"concern": "lower back pain"}) == []
    # And it stays a caution too (the checklist's line on the note card).
    assert [c.condition.code for c in cautions_of(with_back)] == ["osteoporosis", ticked]


def test_a_flag_that_needs_two_answers_is_checked_on_load(tmp_path: Path) -> None:
    text = (Path(__file__).parent.parent / "practice" / "intake.toml").read_text()
    broken = tmp_path / "intake.toml"
    broken.write_text(text.replace('with_question = "concern"', 'with_question = "since"'))
    with pytest.raises(ValueError, match="red flag 'cancer_back': with_question"):
        load_intake(broken)
    broken.write_text(text.replace('answers = ["cancer", "cancer_past"]', 'answers = ["gout"]'))
    with pytest.raises(ValueError, match="red flag 'cancer_back': answer"):
        load_intake(broken)
    broken.write_text(text.replace('answer = "thunder"', 'answer = "yes"'))
    with pytest.raises(ValueError, match="red flag 'thunderclap': answer"):
        load_intake(broken)


def test_a_fever_is_asked_once_and_its_answer_raises_each_flag_it_means() -> None:
    fever, meningitis = INTAKE.red_flag("fever"), INTAKE.red_flag("neck_fever")
    assert fever is not None and meningitis is not None
    question = INTAKE.question("rf_fever")
    assert question is not None and question.choices is not None
    assert question.choices["neck"] == "Yes, with a stiff neck or headache"
    assert red_flags_of({"rf_fever": "neck"}) == [fever, meningitis]
    assert red_flags_of({"rf_fever": "yes"}) == [fever]
    assert red_flags_of({"rf_fever": "no"}) == []
    assert meningitis.urgency is Urgency.URGENT and "nice_ng240" in meningitis.sources
    # The head and neck checklist asks neither about a fever nor about falls on an item of
    # their own: falls are in the dizziness item, which raises the same flag.
    labels = INTAKE.options("rf_head")
    assert not any("fever" in label.lower() for label in labels.values())
    assert labels["dizzy"] == "Dizzy spells, double vision, or sudden falls"
    assert [f.code for f in red_flags_of({"rf_head": ["dizzy"]})] == ["artery"]


def test_every_red_flag_can_still_be_raised_by_an_answer_a_client_is_offered() -> None:
    for flag in INTAKE.red_flags:
        question = INTAKE.question(flag.question)
        assert question is not None
        offered = INTAKE.options(question.key) or dict(question.choices or {})
        answer = next(a for a in flag.answers if a in offered)  # one a client can give
        answers: dict[str, object] = {flag.question: answer}
        if question.kind is QuestionKind.MULTI:
            answers = {flag.question: [answer]}
        if flag.with_question is not None:
            answers[flag.with_question] = flag.with_words[0]
        assert flag in red_flags_of(answers), flag.code  # type: ignore[arg-type]
    # No two items of the intake ask the same thing: every label is said once.
    labels = [label.lower() for q in INTAKE.questions for label in INTAKE.options(q.key).values()]
    assert len(labels) == len(set(labels))


def test_the_safety_questions_are_led_in_calmly_once() -> None:
    led = [q for q in INTAKE.questions if q.lead_in]
    first_flag = next(q for q in INTAKE.questions if q.key.startswith("rf_"))
    assert [q.key for q in led] == [first_flag.key] == ["rf_saddle"]
    assert first_flag.lead_in == (
        "Now a few safety questions, asked of everyone — most people answer No to all of them."
    )


def test_a_lead_in_is_one_short_line(tmp_path: Path) -> None:
    text = (Path(__file__).parent.parent / "practice" / "intake.toml").read_text()
    broken = tmp_path / "intake.toml"
    broken.write_text(text.replace('lead_in = "Now a few', 'lead_in = "Now a few\\nmore'))
    with pytest.raises(ValueError, match="question 'rf_saddle': lead_in must be one line"):
        load_intake(broken)
    broken.write_text(text.replace('lead_in = "Now a few', f'lead_in = "{"calm " * 30}'))
    with pytest.raises(ValueError, match="lead_in must be one line of at most 120 characters"):
        load_intake(broken)


def test_an_answer_given_to_a_retired_item_still_reads_and_raises_its_flag() -> None:
    head = INTAKE.question("rf_head")
    assert head is not None and head.retired is not None
    assert "drops" not in INTAKE.options("rf_head")  # no longer offered
    assert head.shown(["drops"], INTAKE.conditions) == "Sudden falls, your legs giving way"
    assert [f.code for f in red_flags_of({"rf_head": ["drops"]})] == ["artery"]
    shown = head.shown(["fever_neck"], INTAKE.conditions)
    assert shown == "A fever with a stiff neck or headache"
    # The sign moved to the fever question; a client's answer from before still raises it,
    # alone and among others, so no flag of an earlier intake disappears from the card.
    assert [f.code for f in red_flags_of({"rf_head": ["fever_neck"]})] == ["neck_fever"]
    raised = red_flags_of({"rf_head": ["thunder", "fever_neck"], "rf_fever": "no"})
    assert {f.code for f in raised} == {"thunderclap", "neck_fever"}
    flag = flag_of_answer("rf_head", ["fever_neck"])
    assert flag is not None and flag.code == "neck_fever"


def test_an_earlier_trigger_must_be_a_retired_item(tmp_path: Path) -> None:
    text = (Path(__file__).parent.parent / "practice" / "intake.toml").read_text()
    broken = tmp_path / "intake.toml"
    # An item still offered is not "earlier": it would raise the flag from two questions.
    broken.write_text(
        text.replace('earlier = { rf_head = ["fever_neck"] }', 'earlier = { rf_head = ["dizzy"] }')
    )
    with pytest.raises(ValueError, match="red flag 'neck_fever': earlier must name retired"):
        load_intake(broken)


# --- the safety screen, as a letter reports it ---------------------------------------------

SAFETY_KEYS = [
    "rf_saddle",
    "rf_bladder",
    "rf_legs",
    "rf_calf",
    "rf_fall",
    "rf_weight",
    "rf_fever",
    "rf_night",
    "rf_head",
]
ALL_NO: dict[str, object] = {**{key: "no" for key in SAFETY_KEYS[:-1]}, "rf_head": [NONE]}


def test_the_screen_is_negative_only_when_every_safety_question_was_answered_no() -> None:
    screen = safety_screen(ALL_NO)  # type: ignore[arg-type]
    assert [q.key for q in screen.questions] == SAFETY_KEYS
    assert screen.negative and len(screen.answered_no) == 9
    # Skipped (None) and never reached (absent) are not a no.
    partial = {**ALL_NO, "rf_fever": None}
    del partial["rf_head"]
    screen = safety_screen(partial)  # type: ignore[arg-type]
    assert not screen.negative
    assert [q.label for q in screen.not_answered] == ["Fever", "Headache or neck warning signs"]
    assert len(screen.answered_no) == 7 and screen.answered_yes == ()
    assert not safety_screen({}).negative
    ticked = safety_screen({**ALL_NO, "rf_head": ["dizzy"]})  # type: ignore[arg-type]
    assert not ticked.negative
    assert [q.label for q in ticked.answered_yes] == ["Headache or neck warning signs"]


@given(_answers)
def test_the_screen_sorts_every_safety_question_once_and_its_yes_answers_are_the_flags(
    answers: dict[str, object],
) -> None:
    screen = safety_screen(answers)  # type: ignore[arg-type]
    groups = [*screen.answered_no, *screen.answered_yes, *screen.not_answered]
    assert sorted(q.key for q in groups) == sorted(SAFETY_KEYS)
    flagged = {f.question for f in red_flags_of(answers)} & set(SAFETY_KEYS)  # type: ignore[arg-type]
    assert {q.key for q in screen.answered_yes} == flagged
    said_no = all(answers.get(k) in ("no", [NONE]) for k in SAFETY_KEYS)
    assert screen.negative is said_no
