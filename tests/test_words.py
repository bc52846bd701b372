"""Words a client or a therapist reads, pinned: each says what it means (issue 16)."""

from __future__ import annotations

from datetime import date

from bot.shared import texts
from practice.adherence import Adherence
from practice.exercises import client_dose, load_library
from practice.weekly import weekly_note
from storage.models import Therapist


def test_the_weekly_pain_names_the_two_check_ins_it_compares() -> None:
    pains = [(date(2026, 11, 23), 6), (date(2026, 11, 25), 5), (date(2026, 11, 28), 4)]
    assert weekly_note(Adherence(done=6, due=7), pains) == (
        "This week you did your exercises 6 of the 7 times they were due. "
        "Pain at your check-ins: 6 on Mon 23 Nov → 4 on Sat 28 Nov. Great consistency 👏"
    )


def test_one_check_in_is_no_comparison() -> None:
    assert weekly_note(Adherence(done=0, due=0), [(date(2026, 11, 23), 6)]) is None


def test_the_improvement_note_says_what_was_observed_not_why() -> None:
    note = texts.improvement_note("Anna K.", "Maya", pain=(6, "2"), homework=(13, 15))
    assert note == (
        "Hi Anna, Maya here. Your ratings show a real, meaningful improvement since we started "
        "— well done. Your pain has come down from 6 to 2 out of 10. You did your exercises 13 "
        "of the 15 times they were due. Keep going, and tell me at your next visit how "
        "everyday life feels now. 🌿"
    )
    bare = texts.improvement_note("Ben", "Maya", pain=None, homework=None)
    assert "exercise" not in bare and "pain" not in bare


def test_a_client_is_greeted_the_same_way_everywhere() -> None:
    """By the first name the therapist wrote: the home and the improvement note alike."""
    assert texts.greeting("Anna K.") == "Hi Anna"
    home = texts.client_home(
        "Anna K.", "Maya", "Europe/London", texts.Html("09:00"), texts.Html("21:00–08:00"), []
    )
    assert home.startswith("👋 Hi Anna! You're connected with <b>Maya</b>.")
    note = texts.improvement_note("Anna K.", "Maya", pain=None, homework=None)
    assert note.startswith("Hi Anna, Maya here.")


def test_a_dose_is_said_in_a_clients_words_once_for_every_client_screen() -> None:
    assert client_dose("2 × 10, hold 5 s") == "2 sets of 10, hold each 5 seconds"
    assert client_dose("3 × 30 s hold each side") == "hold 30 seconds on each side, 3 times"
    assert client_dose("1 × 10 each side") == "10 times on each side"
    assert client_dose("5 min") == "5 minutes"
    assert client_dose("As many as feel easy") == "As many as feel easy"  # typed: as typed
    for exercise in load_library():
        assert client_dose(exercise.dose.describe()) == exercise.dose.for_client()
        assert "×" not in exercise.dose.for_client()


def test_the_plan_message_anchors_the_activity_scale() -> None:
    message = texts.plan_message(
        therapist="Maya",
        changed=False,
        complaint="Neck pain",
        goal="Turn my head when driving",
        sessions=6,
        frequency="weekly",
        activity="Turn my head to check the blind spot",
    )
    assert (
        "<b>We'll track:</b> Turn my head to check the blind spot — now and then I'll ask how "
        "well you can do it, from 0 to 10 (0 = not at all, 10 = as well as before the problem)."
    ) in message
    homework = texts.homework_for_client(
        name="Chin tucks",
        dose=client_dose("2 × 10, hold 5 s"),
        steps=["Sit tall."],
        caution=None,
        when="Daily at 08:00",
        note=None,
    )
    assert homework.startswith("<b>Chin tucks</b> — 2 sets of 10, hold each 5 seconds")


def test_the_therapist_is_named_one_way_to_a_client() -> None:
    """By their name (signed letters: as the letterhead has it), or "your therapist" once
    their row is gone — never an empty name."""
    maya = Therapist(id=1, display_name="Maya", letter_name="Maya Collins, LMT")
    assert texts.therapist_name(maya) == "Maya"
    assert texts.therapist_name(maya, signed=True) == "Maya Collins, LMT"
    assert texts.therapist_name(Therapist(id=2, display_name="Sam"), signed=True) == "Sam"
    assert texts.therapist_name(None) == "your therapist"
    assert texts.therapist_name(None, start=True, signed=True) == "Your therapist"
