"""The documents: a chart a phone can read, PDFs that carry (or withhold) the record, a safe CSV."""

from __future__ import annotations

import csv
import io
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from fpdf import FPDF
from PIL import Image
from pypdf import PdfReader

from practice.adherence import Adherence
from reports.chart import HEIGHT_PX, WIDTH_PX, milestones_for, render_progress_chart
from reports.csv_export import COLUMNS, client_record_csv, safe_cell
from reports.data import (
    CheckInRow,
    ClientInfo,
    ClientRecord,
    DayScore,
    DecisionRow,
    HomeworkRow,
    IntakeRow,
    NoteRevision,
    PlanInfo,
    PracticeInfo,
    ProgressChartData,
    ReferralRow,
    SessionPain,
    SessionRow,
    WeekAdherence,
    progress_chart_data,
)
from reports.pdf import client_record, referral_letter
from reports.pdf.document import _Document
from reports.wording import day_label
from tests.test_scripts_in_pdfs import NAMES

FIRST = date(2026, 9, 2)
TODAY = date(2026, 11, 25)
PRACTICE = PracticeInfo(
    therapist_name="Maya Brennan",
    practice_name="Brennan Massage Therapy",
    phone="+44 20 7946 0018",
    email="maya@example.org",
)
ZOE = ClientInfo(name="Zoë Łukasiewicz", first_session=FIRST)
PLAN = PlanInfo(
    version=2,
    complaint="Lower back pain after long drives",
    area="Lower back",
    goal="Drive two hours without pain above 3/10",
    activity="Climbing stairs",
    expected_sessions=8,
    visit_frequency="Weekly",
    reevaluate_after=4,
    start_date=FIRST + timedelta(days=14),
    earlier=[
        PlanInfo(
            version=1,
            complaint="Lower back pain",
            area="Lower back",
            goal="Less pain at work",
            expected_sessions=6,
            visit_frequency="Every 2 weeks",
            reevaluate_after=3,
            start_date=FIRST,
        )
    ],
)
PHYSIO = ReferralRow(
    referred_on=TODAY,
    provider="Dr José Núñez",
    profession="Physiotherapist",
    clinic="Riverside Physio",
    contact="jose@example.org",
    reason="Numbness down the left leg since last week: please assess for nerve involvement.",
    consent=True,
)


def session(number: int, *, text: str = "") -> SessionRow:
    return SessionRow(
        number=number,
        session_date=FIRST + timedelta(days=7 * (number - 1)),
        areas=["Lower back", "Hips/glutes"],
        techniques=["Myofascial release", "Trigger point"],
        pressure="Firm",
        pain_before=max(0, 8 - number // 2),
        pain_after=max(0, 5 - number // 2),
        subjective=f"Stiff after driving = worse on Mondays. {text}",
        findings=f"Tight left QL, tender glute medius. {text}",
        response="Eased; range of motion better.",
        plan_next="Continue QL work; check hip flexors.",
        revisions=[
            NoteRevision(
                revised_at=datetime(2026, 9, 3, 8, 30, tzinfo=UTC),
                reason="Typo in pain after",
                changes="Pain after: 6 → 5",
            )
        ]
        if number == 1
        else [],
    )


def record(sessions: int = 5, *, text: str = "") -> ClientRecord:
    return ClientRecord(
        practice=PRACTICE,
        client=ZOE,
        prepared_on=TODAY,
        plan=PLAN,
        sessions=[session(n, text=text) for n in range(1, sessions + 1)],
        homework=[
            HomeworkRow(
                exercise="Cat–cow",
                dose="2 × 10",
                schedule="Daily at 08:00",
                status="Active",
                adherence=Adherence(done=9, due=14),
                start_date=FIRST,
            ),
            HomeworkRow(
                exercise="Knee to chest",
                dose="3 × 30 s hold each side",
                schedule="Mon, Wed, Fri at 19:30",
                status="Ended",
                adherence=Adherence(done=2, due=6),
            ),
        ],
        check_ins=[
            CheckInRow(
                FIRST + timedelta(days=2 + 7 * i),
                pain=max(0, 5 - i // 2),
                change=1,
                activity=min(10, 4 + i),
            )
            for i in range(sessions)
        ]
        + [CheckInRow(TODAY, pain=3, change=-1, comment='=HYPERLINK("x") drove 3 h ' + text)],
        decisions=[DecisionRow(FIRST + timedelta(days=28), "Continue the plan?", "Yes, 4 more")],
        referrals=[PHYSIO],
        verdict="Improving: pain down 3 points since the first session.",
        helped=["Myofascial release on the QL", "Daily cat–cow"],
        not_helped=["Deep pressure on the glutes (sore for 2 days)"],
    )


def chart_data(sessions: int = 5) -> ProgressChartData:
    weeks = [WeekAdherence(FIRST + timedelta(days=7 * i), 0.5 + i / 20) for i in range(sessions)]
    return progress_chart_data(record(sessions), headline="Improving", weekly_adherence=weeks)


def pdf_text(pdf: bytes) -> tuple[PdfReader, str]:
    """The reader, and all the text with line breaks as spaces (lines wrap where they fit)."""
    reader = PdfReader(io.BytesIO(pdf))
    return reader, " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def png_size(png: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(png)) as image:
        image.verify()
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG"
        return image.size


@pytest.fixture(scope="module")
def chart_png() -> bytes:
    return render_progress_chart(chart_data(5))


# The chart.


def test_chart_is_a_phone_sized_png(chart_png: bytes) -> None:
    assert png_size(chart_png) == (WIDTH_PX, HEIGHT_PX)


def test_chart_data_comes_from_the_record() -> None:
    data = chart_data(5)
    assert [s.before for s in data.sessions] == [8, 7, 7, 6, 6]
    assert len(data.check_ins) == 6
    assert data.activity_name == "Climbing stairs"
    assert data.days_between_visits == 7  # "Weekly"
    assert (data.expected_sessions, data.reevaluate_after) == (8, 4)


@pytest.mark.parametrize(
    "data",
    [
        ProgressChartData(verdict="No sessions yet"),
        ProgressChartData(verdict="One session", sessions=[SessionPain(FIRST, 7, 4)]),
        ProgressChartData(
            verdict="A check-in only, and a plan",
            check_ins=[DayScore(FIRST, 5)],
            expected_sessions=6,
            reevaluate_after=4,
            days_between_visits=7,
        ),
    ],
)
def test_chart_with_too_little_data_is_still_a_png(data: ProgressChartData) -> None:
    assert png_size(render_progress_chart(data)) == (WIDTH_PX, HEIGHT_PX)


def test_chart_renders_in_two_threads_at_once() -> None:
    small, full = ProgressChartData(verdict="Not much yet"), chart_data(12)
    with ThreadPoolExecutor(max_workers=2) as pool:
        charts = list(pool.map(render_progress_chart, [full, small, full, small]))
    assert all(png_size(png) == (WIDTH_PX, HEIGHT_PX) for png in charts)
    # Same data, same picture: neither thread drew into the other's figure.
    assert charts[0] == charts[2]
    assert charts[1] == charts[3]


def test_milestones_mark_sessions_held_and_project_the_rest() -> None:
    data = chart_data(5)
    # The plan starts with session 3: sessions 3–5 count, the 4th under the plan is ahead.
    reevaluate, end = milestones_for(data)
    assert (reevaluate.label, reevaluate.projected) == ("Re-evaluate", True)
    assert reevaluate.day == FIRST + timedelta(days=35)
    assert end.day == FIRST + timedelta(days=28 + 7 * 5)
    held = milestones_for(chart_data(12))
    assert [m.projected for m in held] == [False, False]
    assert held[0].day == FIRST + timedelta(days=7 * 5)
    unknown = ProgressChartData(verdict="", sessions=data.sessions, reevaluate_after=9)
    assert milestones_for(unknown) == []


def test_a_milestone_far_ahead_still_leaves_a_readable_chart() -> None:
    data = replace(chart_data(5), expected_sessions=40, verdict="Long plan " * 20)
    assert milestones_for(data)[-1].day > FIRST + timedelta(days=200)
    assert png_size(render_progress_chart(data)) == (WIDTH_PX, HEIGHT_PX)


# The referral letter.


def test_referral_letter_with_consent_carries_the_treatment(chart_png: bytes) -> None:
    zoe = record(5)
    letter = referral_letter(
        PRACTICE,
        ZOE,
        PHYSIO,
        written_on=TODAY,
        sessions=zoe.sessions,
        plan=PLAN,
        homework=zoe.homework,
        verdict=zoe.verdict,
        chart_png=chart_png,
    )
    reader, text = pdf_text(letter)
    assert "Zoë Łukasiewicz" in text
    assert "Dr José Núñez" in text
    assert "Numbness down the left leg" in text
    assert "Myofascial release" in text
    assert "8 → 5" in text
    assert "25 November 2026" in text
    for s in zoe.sessions:
        assert day_label(s.session_date) in text
    assert "+44 20 7946 0018" in text
    assert any(page.images for page in reader.pages)


@pytest.mark.parametrize("consent", [False, None])
def test_referral_letter_without_consent_carries_only_the_reason(
    consent: bool | None, chart_png: bytes
) -> None:
    zoe = record(5)
    letter = referral_letter(
        PRACTICE,
        ZOE,
        replace(PHYSIO, consent=consent),
        written_on=TODAY,
        sessions=zoe.sessions,
        plan=PLAN,
        homework=zoe.homework,
        verdict=zoe.verdict,
        chart_png=chart_png,
    )
    reader, text = pdf_text(letter)
    assert "Numbness down the left leg" in text
    assert "consent" in text
    assert "Zoë Łukasiewicz" in text
    for detail in ("Myofascial", "Trigger point", "8 → 5", "→", "Cat–cow", "Improving", "QL"):
        assert detail not in text
    assert not any(page.images for page in reader.pages)
    assert "Maya Brennan" in text


# The client record.


def test_client_record_opens_with_the_handover(chart_png: bytes) -> None:
    zoe = record(5)
    reader, text = pdf_text(client_record(zoe, chart_png=chart_png))
    handover = reader.pages[0].extract_text()
    assert "HANDOVER" in handover
    assert "Zoë Łukasiewicz" in handover
    assert "Drive two hours" in handover
    assert "Version 2 since 16 Sep 2026: session 3 of 8 planned" in " ".join(handover.split())
    assert "Myofascial release on the QL" in handover
    assert "Deep pressure on the glutes" in handover
    assert "Cat–cow" in handover
    assert "Knee to chest" not in handover  # ended homework is history, not handover
    assert "Improving" in handover
    flat = " ".join(handover.split())  # lines wrap where they fit
    assert (
        "Referred Dr José Núñez (physiotherapist), 25 Nov 2026 — consent given — outcome not "
        "known yet" in flat
    )
    for s in zoe.sessions:
        assert f"Note #{s.number} · {day_label(s.session_date)}" in text
    assert "Typo in pain after" in text
    assert "Pain after: 6 → 5" in text
    assert "Version 1" in text
    assert "Less pain at work" in text
    assert "Knee to chest" in text
    assert "Continue the plan?" in text
    assert "Riverside Physio" in text
    assert "Confidential health record" in text


def test_the_handover_quotes_the_client_and_sums_up_the_answers_no() -> None:
    """The activity is the client's words, said so; the intake's answers "No" are one line,
    the red-flag questions counted, not listed."""
    day = FIRST
    answers = [
        ("Main concern", "Lower back, after long days at my desk", False),
        ("Health conditions", "None of these", False),
        ("Medications", "skipped", False),
        ("Allergies to oils or lotions", "No", False),
        ("Pregnancy", "No", False),
        *((f"Red-flag question {n}", "No", True) for n in range(8)),
    ]
    intake = [IntakeRow(day, q, a, current=True, red_flag=flag) for q, a, flag in answers]
    written = replace(record(5), intake=intake, intake_on=day)
    reader, _ = pdf_text(client_record(written))
    handover = " ".join(reader.pages[0].extract_text().split())
    assert "Functional activity In the client's words: “Climbing stairs” —" in handover
    assert (
        "Intake 2 Sep 2026, the client's answers: Main concern: Lower back, after long days at "
        "my desk. Answered no to: health conditions, allergies to oils or lotions, pregnancy "
        "and the 8 red-flag questions."
    ) in handover
    assert ": No;" not in handover and "Medications" not in handover
    # One red flag raised: the others counted as answered no.
    intake[-1] = replace(intake[-1], answer="Yes")
    reader, _ = pdf_text(client_record(replace(written, intake=intake)))
    handover = " ".join(reader.pages[0].extract_text().split())
    assert "pregnancy and 7 of the 8 red-flag questions." in handover
    assert "Red-flag question 7: Yes" in handover
    # The pre-visit answers are not intake answers: summed up in one sentence after them.
    checks = [
        IntakeRow(FIRST + timedelta(weeks=w), "Before a visit: anything new?", answer,
                  current=True, pre_visit=True)
        for w, answer in ((1, "No change"), (2, "Changed: Medicines or allergies"),
                          (3, "No change"))
    ]  # fmt: skip
    reader, _ = pdf_text(client_record(replace(written, intake=[*intake[:-1], *checks])))
    handover = " ".join(reader.pages[0].extract_text().split())
    assert "anything new?:" not in handover
    assert (
        "Asked before 3 visits whether anything was new: no change 2 times, changed on "
        "16 Sep 2026 (medicines or allergies); last asked 23 Sep 2026."
    ) in handover


def test_a_long_record_paginates_with_footers() -> None:
    long = "Client describes the pain in detail. " * 20  # about 750 characters a field
    reader, text = pdf_text(client_record(record(40, text=long)))
    pages = len(reader.pages)
    assert pages >= 10
    for number, page in enumerate(reader.pages, start=1):
        footer = page.extract_text()
        assert "Confidential health record" in footer
        assert f"Page {number} of {pages}" in footer
    for s in record(40).sessions:
        assert day_label(s.session_date) in text
    # A check-in comment too long for a table row is printed in full under the table.
    assert "in full below, note 1" in text


# The spreadsheet.


def test_csv_round_trips_with_accents_and_every_record_type() -> None:
    data = client_record_csv(record(3))
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert tuple(rows[0]) == COLUMNS
    by_type = [dict(zip(COLUMNS, row, strict=True)) for row in rows[1:]]
    kinds = [row["record_type"] for row in by_type]
    assert kinds.count("session") == 3
    assert kinds.count("revision") == 1
    assert kinds.count("plan") == 2
    assert {"homework", "checkin", "decision", "referral"} <= set(kinds)
    assert all(row["client"] == "Zoë Łukasiewicz" for row in by_type)
    revision = next(row for row in by_type if row["record_type"] == "revision")
    assert revision["changes"] == "Pain after: 6 → 5"
    assert revision["session_number"] == "1"
    referral = next(row for row in by_type if row["record_type"] == "referral")
    assert referral["provider"] == "Dr José Núñez"
    assert referral["consent"] == "yes"


def test_csv_defuses_formulas_but_keeps_numbers() -> None:
    rows = list(csv.reader(io.StringIO(client_record_csv(record(3)).decode("utf-8-sig"))))
    comment = rows[0].index("comment")
    change = rows[0].index("change")
    last_check_in = [row for row in rows if row[0] == "checkin"][-1]
    assert last_check_in[comment].startswith("'=HYPERLINK")
    assert last_check_in[change] == "-1"


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+44 20 7946", "'+44 20 7946"),
        ("-rm", "'-rm"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("-3", "-3"),
        ("+2", "+2"),
        ("-0.5", "-0.5"),
        (-3, "-3"),
        ("Stiff = worse", "Stiff = worse"),
        (None, ""),
    ],
)
def test_safe_cell(value: object, cell: str) -> None:
    assert safe_cell(value) == cell


@pytest.mark.parametrize("script", NAMES)
def test_a_name_in_any_script_prints_in_the_record_and_the_letter(script: str) -> None:
    name = NAMES[script]
    client = replace(ZOE, name=name)
    written = record(2, text=f"Notes by {name}")
    printed = client_record(replace(written, client=client))
    _, text = pdf_text(printed)
    assert text.count(name) >= 3  # the title, the typed notes, the footers
    letter = referral_letter(PRACTICE, client, PHYSIO, written_on=TODAY)
    _, text = pdf_text(letter)
    assert f"Referral: {name}" in text and text.count(name) >= 3  # title, opening, footer


def test_a_character_no_face_has_is_marked_not_dropped() -> None:
    # Runic is in no face shipped here.
    printed = client_record(replace(record(1), client=replace(ZOE, name="Anna \u16a0\u16a2")))
    _, text = pdf_text(printed)
    assert "Anna \ufffd\ufffd" in text


def fonts_of(pdf: bytes) -> set[str]:
    reader = PdfReader(io.BytesIO(pdf))
    return {
        str(font["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }


def test_a_face_is_embedded_only_where_its_script_is_used() -> None:
    """The fallback faces are 5-10 MB to read: a record in Latin script loads none."""
    latin = fonts_of(client_record(record(2)))
    assert latin and not any("Kurinto" in font for font in latin)
    korean = fonts_of(client_record(replace(record(2), client=replace(ZOE, name="김민준"))))
    assert [font for font in korean if "Kurinto" in font] == [
        f for f in korean if "KurintoSansKR" in f
    ]


def test_an_activity_named_in_any_script_prints_in_the_chart() -> None:
    """matplotlib warns for each glyph no font has; with the fallback faces, none is missing."""
    data = replace(chart_data(5), activity_name="太極拳 ताई ची 걷기")
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="Glyph .* missing")
        assert render_progress_chart(data).startswith(b"\x89PNG")


def test_the_document_keeps_fpdfs_own_text_and_highlight() -> None:
    # Its cleaning of a text (`printable`) and its verdict band (`banner`) once took these
    # names: a caller of FPDF's text(x, y, text) or highlight() got a different method.
    assert _Document.text is FPDF.text
    assert _Document.highlight is FPDF.highlight
