"""The quick note's parser: the corpus of typed phrasings, the vocabulary's checks, and
properties that hold for any message (numbers kept as said, every word placed somewhere)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from practice.quicknote import (
    DEFAULT_PATH,
    ClientMatch,
    KnownClient,
    LastNote,
    Place,
    load_vocabulary,
    match_client,
    numbers_said,
    parse_quick_note,
)
from tests import quicknote_corpus

CORPUS = quicknote_corpus.load()
TODAY = CORPUS.today
CLIENTS = CORPUS.clients


def parse(text: str, last_note: LastNote | None = CORPUS.last_note):
    return parse_quick_note(text, clients=CLIENTS, today=TODAY, last_note=last_note)


def test_the_corpus_has_at_least_150_phrasings():
    assert len(CORPUS.cases) >= 150
    assert len({c.text for c in CORPUS.cases}) == len(CORPUS.cases)


@pytest.mark.parametrize("case", CORPUS.cases, ids=lambda c: c.text[:60])
def test_corpus(case):
    got = quicknote_corpus.fields_of(parse(case.text))
    for name in quicknote_corpus.FIELDS:
        if name in case.known_miss:
            continue
        assert got[name] == case.expected[name], name


def test_the_issue_example_fills_every_field():
    draft = parse(
        "Anna K: neck and shoulders, deep tissue + trigger point, firm. Pain 6 -> 3. "
        "Reports stiff neck after long drives. Found hypertonic R upper trap, ROM limited "
        "L rotation. Next: pec release."
    )
    assert draft.client.client == KnownClient(1, "Anna Kowalska")
    assert (draft.areas, draft.techniques, draft.pressure) == (
        ["neck", "shoulders"],
        ["deep", "trigger"],
        "firm",
    )
    assert (draft.pain_before, draft.pain_after) == (6, 3)
    assert draft.subjective == "Reports stiff neck after long drives"
    assert draft.findings == "Found hypertonic R upper trap, ROM limited L rotation"
    assert draft.plan_next == "pec release"
    assert draft.unplaced == []


# --- clients ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("anna kowalska", "Anna Kowalska"),
        ("ANNA K", "Anna Kowalska"),
        ("Ana Kowalsak", "Anna Kowalska"),
        ("Kowalska", "Anna Kowalska"),
        ("AK", "Anna Kowalska"),
        ("Liz", "Elizabeth Taylor"),
        ("Kate", "Katherine Lee"),
        ("Tommy", "Tom Hughes"),
        ("mark obrien", "Mark O'Brien"),
        ("Chloe", "Chloé Dubois"),
    ],
)
def test_a_said_name_finds_the_client(said, expected):
    guess = match_client(said, CLIENTS)
    assert guess.match is ClientMatch.FOUND
    assert guess.client is not None and guess.client.name == expected


def test_two_clients_that_fit_are_both_offered():
    guess = match_client("anna", CLIENTS)
    assert guess.match is ClientMatch.AMBIGUOUS
    assert {c.name for c in guess.candidates} == {"Anna Kowalska", "Anna Berg"}


def test_a_name_that_is_none_of_theirs_is_a_new_client():
    guess = match_client("Zoe Quinn", CLIENTS)
    assert (guess.match, guess.said) == (ClientMatch.NEW, "Zoe Quinn")
    assert match_client("Ken", CLIENTS).match is ClientMatch.NEW  # not Ben


def test_same_client_without_a_previous_note_is_quoted_back():
    draft = parse("Same client, neck, DT, firm, 6 -> 3", last_note=None)
    assert draft.client.match is ClientMatch.NONE
    assert draft.unplaced == ["Same client"]


def test_same_as_last_time_takes_the_previous_treatment_and_keeps_what_was_said():
    draft = parse("Ben: same as last time but light. Pain 6 -> 3")
    assert draft.same_as_last
    assert draft.areas == ["neck", "shoulders"] and draft.techniques == ["deep", "trigger"]
    assert draft.pressure == "light"
    assert draft.unplaced == ["but"]


def test_same_as_last_time_for_another_client_is_left_to_the_caller():
    # The previous note is Ben's: Priya's own last note is the one that counts.
    draft = parse("Priya: same as last time. Pain 6 -> 3")
    assert draft.same_as_last and draft.areas == []
    draft.take_treatment(LastNote(10, ("hips",), None, ("sports",), None, "medium"))
    assert (draft.areas, draft.techniques, draft.pressure) == (["hips"], ["sports"], "medium")


# --- dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("said", "days_back"),
    [("yesterday", 1), ("today", 0), ("Monday", 2), ("wednesday", 0), ("last Wed", 7)],
)
def test_relative_dates(said, days_back):
    assert parse(f"Ben: neck, DT, firm, 6 -> 3, {said}").session_date == TODAY - timedelta(
        days=days_back
    )


def test_a_future_or_impossible_date_is_quoted_not_guessed():
    draft = parse("Ben: neck, DT, firm, 6 -> 3, 31.02")
    assert draft.session_date is None
    assert "31.02" in draft.unplaced


# --- the vocabulary -------------------------------------------------------------------------


def _vocabulary_with(tmp_path: Path, old: str, new: str) -> Path:
    text = DEFAULT_PATH.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "quicknote.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_the_shipped_vocabulary_loads():
    vocab = load_vocabulary()
    assert vocab.phrases["ql"].codes == ("lower_back",)
    assert vocab.phrases["mfr"].codes == ("myofascial",)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("\nneck = [", "\nnekc = [", "'nekc' is not one of"),
        ('"glutes", "glute"', '"glutes", "glute", "dt"', "listed twice with two meanings"),
        ('"ql", "qls"', '"QL", "qls"', "write 'QL' as 'ql'"),
        ("[cues]\nsubjective", "[cues]\nsubject", "'subject' is not one of"),
        ("ten = 10", "ten = 11", "from 0 to 10"),
        ("fillers = [", "fillers = 3\nold = [", "unknown keys"),
        ('clause_cues = ["after"', 'clause_cues = ["later"', "not cues: later"),
    ],
)
def test_a_mistake_in_the_vocabulary_is_named(tmp_path, old, new, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        load_vocabulary(_vocabulary_with(tmp_path, old, new))


def test_the_vocabulary_is_package_data():
    pyproject = (Path(__file__).parent.parent / "pyproject.toml").read_text()
    assert '"quicknote.toml"' in pyproject


# --- properties ----------------------------------------------------------------------------

_FRAGMENTS = [
    "Anna K:", "Ben", "same client", "neck", "traps", "QL", "glutes", "IT band", "SCM",
    "rhomboids", "DT", "MFR", "TrP", "PNF", "Swedish", "firm", "light", "deep", "medium",
    "pain", "before", "after", "->", "→", "to", "then", "down to", "/10", "out of ten",
    "six", "three", "ten", "yesterday", "Monday", "12.11", "12 Nov", "reports", "found",
    "noted", "responded", "plan:", "next time", "same as last time", "and", "+", ",", ".",
    ";", ":", "\n", "stiff", "R", "L", "the", "kinesio", "tape", "🙂", "<b>", "&amp;",
]  # fmt: skip
_message = st.lists(
    st.one_of(
        st.sampled_from(_FRAGMENTS),
        st.integers(0, 120).map(str),
        st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=6),
    ),
    max_size=30,
).map(" ".join)


def _words(text: str) -> list[tuple[int, int]]:
    from practice.quicknote import _tokenize

    return [(t.start, t.end) for t in _tokenize(text) if t.is_word]


@settings(max_examples=300, deadline=None)
@given(_message)
def test_every_word_lands_in_a_field_or_in_didnt_place(text):
    draft = parse(text)
    placed = {(s, e) for s, e, _ in draft.spans}
    assert set(_words(text)) == placed
    # What was not placed is quoted exactly as said, and so is every free-text field.
    for quoted in draft.unplaced:
        assert quoted in text
    for value in (draft.subjective, draft.findings, draft.response, draft.plan_next):
        for piece in (value or "").split(". "):
            assert piece in text
    unplaced_words = [text[s:e] for s, e, p in draft.spans if p is Place.UNPLACED]
    assert all(any(w in q for q in draft.unplaced) for w in unplaced_words)


@settings(max_examples=300, deadline=None)
@given(_message)
def test_a_number_said_is_never_turned_into_a_different_number(text):
    draft = parse(text)
    said = numbers_said(text)
    for value in (draft.pain_before, draft.pain_after):
        assert value is None or (value in said and 0 <= value <= 10)
    if draft.session_date is not None:
        assert TODAY - timedelta(days=366) <= draft.session_date <= TODAY


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 30), st.integers(0, 30), st.sampled_from(["->", "→", "to", "down to"]))
def test_a_pain_rating_is_read_as_said_or_not_at_all(before, after, arrow):
    draft = parse(f"Ben: neck, DT, firm. Pain {before} {arrow} {after}")
    if before <= 10 and after <= 10:
        assert (draft.pain_before, draft.pain_after) == (before, after)
    else:
        assert draft.pain_before in (None, before) and draft.pain_after in (None, after)
        assert draft.unplaced  # the rating that could not be a 0-10 one is quoted back


def test_parsing_is_quick_on_a_huge_message():
    text = "Anna K: neck, DT, firm. Reports " + "very stiff neck and " * 300 + "done."
    draft = parse(text)
    assert draft.subjective is not None and draft.subjective.startswith("Reports very")
    assert date.today()  # the parser took no clock of its own


# --- the edges: a name spelt as it sounds, sides, one rating alone -------------------------


@pytest.mark.parametrize(
    ("said", "expected"),
    [("Marc", "Mark Jones"), ("Eric", "Erik Berg"), ("Jeff", "Geoff Hall"), ("Katy", "Katie Moss")],
)
def test_a_name_spelt_as_it_sounds_finds_the_client(said, expected):
    clients = [
        KnownClient(1, "Mark Jones"),
        KnownClient(2, "Erik Berg"),
        KnownClient(3, "Geoff Hall"),
        KnownClient(4, "Katie Moss"),
        KnownClient(5, "Tom Hughes"),
    ]
    guess = match_client(said, clients)
    assert guess.match is ClientMatch.FOUND
    assert guess.client is not None and guess.client.name == expected


def test_a_name_that_sounds_like_two_clients_is_a_choice():
    clients = [KnownClient(1, "Mark Jones"), KnownClient(2, "Marco Rossi")]
    guess = match_client("Marc", clients)
    assert guess.match is ClientMatch.AMBIGUOUS
    assert {c.name for c in guess.candidates} == {"Mark Jones", "Marco Rossi"}


@pytest.mark.parametrize("said", ["Tim", "Don", "Jan"])
def test_another_vowel_is_another_name(said):
    """Metaphone alone hears Tim as Tom: the first vowel must agree too."""
    clients = [KnownClient(1, "Tom Hughes"), KnownClient(2, "Dan Price"), KnownClient(3, "Jon Ash")]
    assert match_client(said, clients).match is ClientMatch.NEW


def test_a_side_before_an_area_is_kept_with_the_areas():
    draft = parse("Anna K: R neck, L shoulder, bilateral calves, DT, firm. Pain 6 -> 3.")
    assert draft.areas == ["neck", "shoulders", "legs"]
    assert draft.area_other == "sides: right neck, left shoulder, bilateral calves"
    assert draft.unplaced == []


def test_a_side_inside_a_finding_stays_there():
    draft = parse("Anna K: neck, DT, firm. Pain 6 -> 3. Found hypertonic R upper trap.")
    assert draft.areas == ["neck"] and draft.area_other is None
    assert draft.findings == "Found hypertonic R upper trap"


def test_a_side_alone_is_not_placed():
    draft = parse("Anna K: neck, DT, firm, right. Pain 6 -> 3.")
    assert draft.unplaced == ["right"]


def test_one_rating_alone_is_the_pain_before_and_says_so():
    draft = parse("Anna K: neck, DT, firm, pain 6")
    assert (draft.pain_before, draft.pain_after, draft.lone_pain) == (6, None, True)
    both = parse("Anna K: neck, DT, firm, pain 6 -> 3")
    assert both.lone_pain is False
