"""The practice's rules, without Telegram or a database."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from practice.clients import is_near_duplicate, matches_search, name_key
from practice.notes import (
    MAX_TEXT_LENGTH,
    InputError,
    NoteDraft,
    PreviousTreatment,
    clean_client_name,
    clean_text,
    parse_pain,
    parse_session_date,
)

TODAY = date(2026, 11, 25)


@pytest.mark.parametrize(
    ("typed", "value"), [("7", 7), (" 7 ", 7), ("7/10", 7), ("0", 0), ("10", 10), ("7 / 10", 7)]
)
def test_pain_as_typed(typed: str, value: int) -> None:
    assert parse_pain(typed) == value


@pytest.mark.parametrize("typed", ["eleven", "-1", "abc", "11", "", "7.5", "1 0", "100/10"])
def test_pain_refused(typed: str) -> None:
    with pytest.raises(InputError):
        parse_pain(typed)


@given(st.text(max_size=12))
def test_pain_is_in_range_or_refused(typed: str) -> None:
    try:
        value = parse_pain(typed)
    except InputError:
        return
    assert 0 <= value <= 10


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("today", TODAY),
        ("Yesterday", date(2026, 11, 24)),
        ("24.11", date(2026, 11, 24)),
        ("24/11/2026", date(2026, 11, 24)),
        ("24.11.26", date(2026, 11, 24)),
        ("2026-11-20", date(2026, 11, 20)),
        ("24 Nov", date(2026, 11, 24)),
        ("nov 24", date(2026, 11, 24)),
        ("3 December", date(2025, 12, 3)),  # no year: the most recent 3 December
        ("29.02.2024", date(2024, 2, 29)) if False else ("1.1", date(2026, 1, 1)),
    ],
)
def test_session_dates_as_typed(typed: str, day: date) -> None:
    assert parse_session_date(typed, TODAY) == day


@pytest.mark.parametrize("typed", ["26.11.2026", "2030-01-01", "31.02", "soon", "1.1.2020", "32.1"])
def test_session_dates_refused(typed: str) -> None:
    with pytest.raises(InputError):
        parse_session_date(typed, TODAY)


def test_long_text_is_refused_not_cut() -> None:
    assert clean_text("  a  ") == "a"
    assert len(clean_text("x" * MAX_TEXT_LENGTH)) == MAX_TEXT_LENGTH
    with pytest.raises(InputError, match="too long"):
        clean_text("x" * (MAX_TEXT_LENGTH + 1))


@pytest.mark.parametrize("typed", ["", "   ", "1234", "/note", "x" * 61])
def test_client_names_refused(typed: str) -> None:
    with pytest.raises(InputError):
        clean_client_name(typed)


def test_client_name_spacing_is_tidied() -> None:
    assert clean_client_name("  Anna   K. ") == "Anna K."


def test_names_fold_case_accents_and_dots() -> None:
    assert name_key("Zoë  BROWN.") == "zoe brown"
    assert matches_search("Anna Kowalska", "ann k")
    assert matches_search("Zoë Brown", "zoe")
    assert not matches_search("Anna Kowalska", "bor")


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Anna K.", "anna k", True),
        ("Ana K.", "Anna K.", True),
        ("Anna K", "Anna Kowalska", True),
        ("Anna Kowalska", "Anna Kowalsky", True),
        ("Anna K", "Anna B", False),
        ("Anna K", "Boris P", False),
    ],
)
def test_near_duplicates(a: str, b: str, same: bool) -> None:
    assert is_near_duplicate(a, b) is same
    assert is_near_duplicate(b, a) is same


def test_draft_round_trips_through_json() -> None:
    draft = NoteDraft(client_id=3, client_name="Anna", pain_before=6, session_date=TODAY)
    draft.toggle_area("shoulders")
    draft.toggle_area("neck")
    assert draft.areas == ["neck", "shoulders"]  # the vocabulary's order, whatever the tap order
    assert NoteDraft.from_json(draft.to_json()) == draft


def test_prefill_keeps_only_known_choices() -> None:
    draft = NoteDraft()
    draft.prefill_from(PreviousTreatment(["neck", "retired"], "wrist", ["swedish"], None, "deep"))
    assert (draft.areas, draft.area_other, draft.techniques, draft.pressure) == (
        ["neck"],
        "wrist",
        ["swedish"],
        "deep",
    )


def test_missing_lists_what_save_needs() -> None:
    draft = NoteDraft()
    assert draft.missing() == [
        "client",
        "areas treated",
        "techniques",
        "pressure",
        "pain before",
        "pain after",
    ]
    draft.choose_client(None, "New Person")
    assert "client" not in draft.missing()
