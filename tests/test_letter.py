"""The referral letter reads like one a colleague answers: who and since when, why now, what is
asked of them, what changed, how to reply; the letter on page one, the chart enclosed after."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader

from practice.checkins import ACTIVITY_ANCHORS
from practice.referrals import ASK_OTHER, ASKS, PHYSICIAN, PHYSIO, PROFESSIONS, ask_of
from reports.chart import render_progress_chart
from reports.data import CheckInRow, IntakeSummary, PracticeInfo
from reports.pdf import client_record, referral_letter
from reports.pdf.document import _Document
from reports.pdf.letter import ENCLOSURE, MAX_SESSION_ROWS, sign_off
from tests.test_reports import PHYSIO as PHYSIO_ROW
from tests.test_reports import PRACTICE, TODAY, chart_data, record

ONE_LINE_REASON = "No progress after 8 sessions"


def letter(
    sessions: int = 8,
    practice: PracticeInfo = PRACTICE,
    *,
    intake: IntakeSummary | None = None,
    red_flags: tuple[str, ...] = (),
    cautions: tuple[str, ...] = (),
    **row: object,
) -> bytes:
    r = record(sessions)
    homework = [replace(h, how_often="Daily until 26 Jan 2027") for h in r.homework]
    referral = replace(PHYSIO_ROW, consent=True, reason=ONE_LINE_REASON)
    return referral_letter(
        practice,
        r.client,
        replace(referral, **row),  # type: ignore[arg-type]
        written_on=TODAY,
        sessions=r.sessions,
        plan=r.plan,
        homework=homework,
        verdict=r.verdict,
        chart_png=render_progress_chart(chart_data(sessions)),
        intake=intake,
        red_flags=red_flags,
        cautions=cautions,
    )


def pages(pdf: bytes) -> list[str]:
    return [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages]


def test_it_says_who_why_what_is_asked_and_how_to_reply() -> None:
    first = pages(letter())[0]
    assert (
        "I have seen them for massage therapy since 2 September 2026 (8 sessions), "
        "and they have agreed" in first
    )
    assert f"Reason for referral: {ONE_LINE_REASON}" in first
    assert f"What I am asking: {ASKS[PHYSIO]}" in first
    assert "You can reach me on +44 20 7946 0018 or at maya@example.org" in first


def test_the_letter_and_its_signature_fit_the_first_page_and_the_chart_is_enclosed() -> None:
    # (The demo's letter, 8 sessions, fits too: tests/test_demo.py.)
    letter_pages = pages(letter(5))
    assert len(letter_pages) == 2
    assert "Kind regards, Maya Brennan" in letter_pages[0]
    assert "Enclosed: a chart" in letter_pages[0]
    assert letter_pages[1].startswith(ENCLOSURE)
    assert "Kind regards" not in letter_pages[1]


def test_the_reminders_hour_is_not_a_colleagues_business() -> None:
    text = " ".join(pages(letter()))
    assert "Daily until 26 Jan 2027" in text
    assert "08:00" not in text


def test_the_scales_are_anchored_once_in_the_words_the_client_was_asked() -> None:
    text = pages(letter())[0]
    assert (
        f"In the client's words: “Climbing stairs”, rated by the client 0–10 ({ACTIVITY_ANCHORS})"
    ) in " ".join(text.split())
    assert text.count(ACTIVITY_ANCHORS) == 1
    for other in ("0 = unable", "as before)", "as before the problem)"):
        assert other not in text.replace(ACTIVITY_ANCHORS, ""), other


def test_every_percent_in_the_letter_is_printed_one_way() -> None:
    text = " ".join(pages(letter()))
    assert re.findall(r"\d%", text) == []  # never "29%": always "29 %"
    assert re.search(r"\(\d+ %\)", text)  # the homework's share


def test_a_long_course_shows_the_first_and_latest_sessions_and_says_how_many_between() -> None:
    text = " ".join(pages(letter(20)))
    shown = MAX_SESSION_ROWS - 1
    assert f"{20 - shown} more sessions" in text
    assert "20 sessions" in text


def test_without_a_phone_or_email_the_client_carries_the_reply() -> None:
    text = " ".join(pages(letter(practice=PracticeInfo("Maya"))))
    assert "can pass a reply on to me" in text
    assert "You can reach me" not in text


def test_without_consent_no_treatment_and_no_enclosure() -> None:
    letter_pages = pages(letter(consent=None))
    assert len(letter_pages) == 1
    assert ENCLOSURE not in letter_pages[0]
    assert "I have seen them" not in letter_pages[0]  # how often they came is treatment too
    assert "What I am asking" in letter_pages[0]


@pytest.mark.parametrize("profession", [*PROFESSIONS, *PROFESSIONS.values()])
def test_every_profession_is_asked_something_by_code_or_by_name(profession: str) -> None:
    ask = ask_of(profession)
    assert ask.startswith("Would you please")
    assert "diagnos" not in ask


def test_an_unknown_profession_gets_the_general_ask() -> None:
    assert ask_of("Acupuncturist") == ASK_OTHER
    assert ask_of(PROFESSIONS[PHYSICIAN]) == ASKS[PHYSICIAN]


MADE_AT = datetime(2026, 11, 25, 10, 30, tzinfo=UTC)


def test_the_letter_and_the_record_say_when_the_bot_made_them_and_who_wrote_them() -> None:
    """The creation date is the bot's clock, not the machine's: a frozen clock gives it."""
    r = replace(record(3), prepared_at=MADE_AT)
    referral = replace(PHYSIO_ROW, consent=True)
    letter_pdf = referral_letter(
        PRACTICE, r.client, referral, written_on=TODAY, sessions=r.sessions, made_at=MADE_AT
    )
    for pdf, title, subject in (
        (
            letter_pdf,
            "Referral for Zoë Łukasiewicz",
            "Referral letter to Dr José Núñez, Physiotherapist, 25 November 2026",
        ),
        (
            client_record(r),
            "Client record: Zoë Łukasiewicz",
            "Confidential health record, prepared 25 Nov 2026",
        ),
    ):
        meta = PdfReader(io.BytesIO(pdf)).metadata
        assert meta is not None
        assert meta.creation_date == MADE_AT
        assert meta.title == title
        assert meta.subject == subject
        assert meta.author == "Maya Brennan (Brennan Massage Therapy)"
        assert meta.creator == "Aftercare"
    # Without a moment (a caller with a date only): the start of the letter's day, not "now".
    undated = referral_letter(PRACTICE, r.client, referral, written_on=TODAY)
    meta = PdfReader(io.BytesIO(undated)).metadata
    assert meta is not None and meta.creation_date == datetime(2026, 11, 25, tzinfo=UTC)


def test_a_course_given_the_same_way_every_time_is_said_once_with_each_sessions_pain() -> None:
    text = pages(letter(5))[0]
    assert "Every session: Myofascial release, Trigger point (Lower back, Hips/glutes)." in text
    assert "Pain before → after each session (0–10, 0 = no pain, 10 = worst imaginable):" in text
    assert "2 Sep 2026: 8 → 5 · 9 Sep 2026: 7 → 4" in text
    assert "Techniques" not in text  # no table of the same words five times


def test_the_records_check_ins_leave_out_columns_nobody_filled_and_say_what_counts() -> None:
    r = record(3)
    quiet = replace(r, check_ins=[CheckInRow(TODAY, pain=4, change=0)], helped=(), not_helped=())
    text = " ".join(pages(client_record(quiet)))
    checkins = text.split("Check-ins between visits", 1)[1].split("Messages", 1)[0]
    assert "Comment" not in checkins and "Activity" not in checkins.split("Date", 1)[1]
    assert "4 About the same" in checkins
    assert "Nothing has made a meaningful difference yet." in text


# Ben's intake in the demo: every safety question answered no.
ANSWERED = IntakeSummary(
    answered_on=TODAY,
    since="Longer than 3 months",
    worse_better="Worse after sitting all day, better when I walk",
    safety_questions=9,
    answered_no=9,
    screen_negative=True,
)
FALL = "Pain after a fall or injury (soon): Pain after a fall or accident may be a fracture."


def test_the_intake_says_how_long_what_changes_it_and_that_the_screen_was_negative() -> None:
    first = pages(letter(intake=ANSWERED))[0]
    assert "From the client's intake (25 November 2026)" in first
    assert (
        "How long: Longer than 3 months · Worse / better: “Worse after sitting all day, better "
        "when I walk”" in first
    )
    assert "Red-flag screen: negative — the client answered no to all 9 safety questions." in first
    # Before what was tried, as a clinical letter has the history.
    assert first.index("From the client's intake") < first.index("Treatment plan")


def test_a_screen_with_questions_left_unanswered_says_which_and_is_never_negative() -> None:
    partial = replace(
        ANSWERED,
        since=None,
        worse_better=None,
        answered_no=4,
        answered_yes=("After a fall or injury",),
        not_answered=("Weight loss", "Fever", "Night pain", "Headache or neck warning signs"),
        screen_negative=False,
    )
    first = pages(letter(intake=partial, red_flags=(FALL,)))[0]
    assert (
        "Red-flag screen: incomplete — no to 4 of the 9 safety questions; yes to after a fall or "
        "injury (below); not answered: weight loss, fever, night pain and headache or neck "
        "warning signs." in first
    )
    assert f"• {FALL}" in first
    assert "negative" not in first
    assert "How long" not in first and "Worse / better" not in first  # skipped: not printed
    typed_only = pages(letter(intake=replace(partial, worse_better="Worse when I sit")))[0]
    assert "Worse / better: “Worse when I sit” Red-flag screen:" in typed_only
    nothing = replace(partial, answered_no=0, answered_yes=(), not_answered=("x",) * 9)
    assert (
        "Red-flag screen: incomplete — none of the 9 safety questions answered."
        in (pages(letter(intake=nothing))[0])
    )
    answered = replace(partial, answered_no=8, not_answered=())
    assert (
        "Red-flag screen: no to 8 of the 9 safety questions; yes to after a fall or injury "
        "(below)." in pages(letter(intake=answered, red_flags=(FALL,)))[0]
    )


def test_the_intake_keeps_the_letter_and_its_signature_on_the_first_page() -> None:
    caution = "On blood thinners — avoid deep pressure and trigger point work"
    letter_pages = pages(letter(intake=ANSWERED, cautions=(caution,)))
    assert len(letter_pages) == 2
    assert "Kind regards, Maya Brennan" in letter_pages[0]
    assert caution in letter_pages[0]
    assert letter_pages[1].startswith(ENCLOSURE)


def test_without_consent_nothing_of_the_intake() -> None:
    text = " ".join(pages(letter(consent=None, intake=ANSWERED, red_flags=(FALL,))))
    assert "From the client's intake" not in text and "Red-flag screen" not in text


@pytest.mark.parametrize("room", [80.0, 30.0])
def test_the_sign_off_is_never_split_from_the_name_under_it(room: float) -> None:
    """With `room` mm left on the page: the reply line, "Kind regards," and the name and
    practice come on one page — the next one when the block, as measured, does not fit
    (30 mm is more than the fixed 26 mm the letter used to keep, less than the block)."""
    doc = _Document(
        title="t", author="a", footer="f", subject="s", made_at=datetime(2026, 12, 3, tzinfo=UTC)
    )
    doc.add_page()
    doc.paragraph("Text of the letter above.")
    doc.set_y(doc.h - doc.b_margin - room)
    reply = (
        "You can reach me on +44 20 7946 0018 or at maya@example.org. Thank you for seeing "
        "them. Enclosed: a chart of Ben R.'s pain, activity and homework over time."
    )
    sign_off(doc, reply, PRACTICE)
    texts = pages(bytes(doc.output()))
    last = texts[-1]
    assert "Kind regards, Maya Brennan Brennan Massage Therapy" in last
    assert "You can reach me on" in last
    assert len(texts) == (1 if room > 40 else 2)
