"""The offline demo, played whole: what `./scripts/start` shows a new therapist must work.

Its second act is eight weeks of two clients on the frozen clock: the decisions it prints, the
referral letter and record it writes, and the database read back at the end are checked here.
"""

from __future__ import annotations

import asyncio
import fcntl
import io
import os
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image

from bot.shared.cards import fits_a_row
from demo.play import demo_start, play
from reports.wording import day_label
from tests.test_reports import pdf_text

DEMO_DAY = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
# Anna is in Berlin, Maya in London: Anna's visit times name London's after hers.
BERLIN = r" your time \(11:00 in London, where Maya is\)"


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """Played once for the run, on its own event loop, as `python -m bot demo` plays it,
    from a fixed Wednesday: the weekdays and dates the weeks show follow the first day.
    A play takes about 40 s: when pytest-xdist gives this module's tests to two workers, the
    second reads the first one's transcript and files instead of playing it again."""
    if "PYTEST_XDIST_WORKER" not in os.environ:  # not under xdist: nothing to share
        folder = tmp_path_factory.mktemp("demo-output")
        return "\n".join(asyncio.run(play(folder, now=DEMO_DAY))), folder
    shared = tmp_path_factory.getbasetemp().parent  # this run's, common to its workers
    folder = shared / "demo-output"
    transcript = shared / "demo-transcript.txt"
    with (shared / "demo.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the other worker waits for the play to end
        if not transcript.exists():
            folder.mkdir(exist_ok=True)
            lines = asyncio.run(play(folder, now=DEMO_DAY))
            played = transcript.with_suffix(".tmp")
            played.write_text("\n".join(lines), encoding="utf-8")
            played.rename(transcript)  # only a whole play is shared
    return transcript.read_text(encoding="utf-8"), folder


def ben_sessions(transcript: str) -> list[str]:
    """Ben's session dates as the read-back prints them ("Thu 3 Dec 2026")."""
    ben = transcript.split("Client: Ben R.", 1)[1]
    return re.findall(r"^  #\d+ (\w{3} \d{1,2} \w{3} \d{4}):", ben, flags=re.MULTILINE)


def test_the_second_act_decides_refers_and_follows_up(demo: tuple[str, Path]) -> None:
    transcript, _ = demo
    assert "Traceback" not in transcript and "⚠ " not in transcript
    # Anna improves: the bot says so, and Maya's note reaches her.
    assert "🌱 Anna K. is clearly better." in transcript
    assert "Bot → Anna: Hi Anna, Maya here." in transcript
    # The note says what was observed (her pain, her 86 % of homework), never a cause.
    assert re.search(r"You did your exercises \d+ of the \d+ times they were due\.", transcript)
    assert "big part of it" not in transcript
    assert "🏁 Anna K. has had the sessions the plan expected." in transcript
    # Ben does not: re-evaluated at 4 sessions, asked again at 8, referred with his consent.
    assert "📋 Time to re-evaluate Ben R.'s plan." in transcript
    assert "continue as planned (Ben R.)" in transcript
    # The alert in plain words: what changed, over which sessions and dates, what to do; the
    # basis on a second line, with no statistics words.
    alert = transcript.split("Bot → Maya: ⏸ Ben R.: no real change so far.\n", 1)[1]
    first, basis, hint = alert.split("\n")[:3]
    over = r"   Pain went from 7 to 6 over 8 sessions \(\d+ \w+ – \d+ \w+\): 14 % less"
    assert re.match(over, first)
    assert re.match(r"   From pain before the plan's 1st session \(\d+ \w+\) to the middle", basis)
    assert "median" not in first + basis
    assert hint == "   You might adjust the plan, or refer them on."
    assert "Ben taps [✅ Allow]" in transcript
    # Ben answered the intake, and the letter carries it: his consent says so.
    assert "your plan, your exercises and your answers to the health questions." in transcript
    # Ben is asked kindly, in words for him; the letter keeps the therapist's line.
    assert (
        "Why: Massage alone hasn't brought the change you both hoped for, and someone with "
        "other skills may be able to help you further." in transcript
    )
    assert "Why: No progress" not in transcript
    assert "/stop for good" not in transcript and "/resume starts them again" in transcript
    assert "Did Ben R. see Dr Lee (physiotherapist)?" in transcript
    assert "Ben R. saw Dr Lee (physiotherapist) — noted." in transcript
    assert "Decision after session 8 (no meaningful change)" in transcript
    assert "refer to another professional" in transcript
    assert "Referral to Dr Lee" in transcript and "consent given, letter sent, seen" in transcript
    # The read-back speaks the bot's words, not the database's codes.
    read_back = transcript.split("Read back from the database", 1)[1]
    for code in ("FREQ=", "chin_tuck", "cat_cow", "(reeval)", "(noprog)", "note(s)", ": refer\n"):
        assert code not in read_back, code
    assert "Homework: Chin tucks, 2 × 10, hold 5 s, Daily at 08:00 until 29 Dec" in read_back
    # The weekly line says what its figures are.
    assert re.search(
        r"check-ins: pain \d+ and \d+ of 10, “Better” since the last visit", transcript
    )
    assert transcript.count("Week ") >= 7


def test_the_letter_and_record_carry_every_session(demo: tuple[str, Path]) -> None:
    transcript, folder = demo
    sessions = ben_sessions(transcript)
    assert len(sessions) == 8
    for name in ("ben-referral-letter.pdf", "ben-record.pdf"):
        _, text = pdf_text((folder / name).read_bytes())
        assert "Ben R." in text and "Dr Lee" in text
        for session in sessions:
            assert day_label(datetime.strptime(session, "%a %d %b %Y").date()) in text, session
    reader, _ = pdf_text((folder / "ben-record.pdf").read_bytes())
    handover = " ".join(reader.pages[0].extract_text().split())
    assert "does not last: no meaningful change after 8 sessions" in handover
    assert "Too little to judge the exercises" in handover
    assert "Dr Lee (physiotherapist)" in handover and "— seen" in handover
    reader, letter = pdf_text((folder / "ben-referral-letter.pdf").read_bytes())
    assert "No progress after 8 sessions" in letter
    # Maya's letterhead, asked inside the referral; Ben's date of birth, given after Allow.
    assert "Riverside Massage" in letter and "Maya Collins, LMT" in letter
    assert "You can reach me on +44 20 7946 0000 or at maya@riverside.example" in letter
    assert "Date of birth: 14 March 1985" in letter
    # His intake: how long, what changes it, and a screen he answered no to throughout.
    assert "How long: Longer than 3 months · Worse / better: “Worse after sitting all day" in letter
    assert "Red-flag screen: negative — the client answered no to all 9 safety questions" in letter
    # The letter and its signature on page one, the chart enclosed on a page of its own.
    assert len(reader.pages) == 2
    assert "Kind regards" in reader.pages[0].extract_text()
    assert reader.pages[1].extract_text().startswith("Enclosure: progress chart")
    assert (folder / "ben-record.csv").read_text(encoding="utf-8-sig").count("\n") > 8
    for chart in ("anna-progress.png", "ben-progress.png"):
        with Image.open(io.BytesIO((folder / chart).read_bytes())) as image:
            assert image.size == (1080, 1350)


def test_ben_s_record_reads_as_a_successor_needs(demo: tuple[str, Path]) -> None:
    """Made on 5 Feb, after Ben's cat-cow ended on 26 Jan, with no free text in his notes
    and no amendments: the record says what is true then, and prints no empty rows."""
    _, folder = demo
    reader, text = pdf_text((folder / "ben-record.pdf").read_bytes())
    handover = " ".join(reader.pages[0].extract_text().split())
    # Homework that ran out is not "current", nor "Active".
    assert "Current homework None on 5 Feb 2027: every exercise given has finished" in handover
    assert "Cat-cow 2 × 10 Daily at 08:00 until 26 Jan 2027 2 Dec 2026 Finished" in text
    assert "Active" not in text
    # Swedish and MFR at every session: named together, not each credited with the same figure;
    # less relief than counts is not a result, and is not listed under what helped.
    assert (
        "Swedish and Myofascial release (always given together, so their effects cannot be "
        "told apart): only a little relief during sessions" in handover
    )
    helped = handover.split("What helped", 1)[1].split("What did not help", 1)[0]
    assert "Nothing has made a meaningful difference yet." in helped
    assert "on the table" not in text
    assert "• Swedish: " not in handover
    # Session notes: the parts written, counted in words; no time zone without amendments.
    assert (
        "8 notes, oldest first. Pain is 0–10 (0 = no pain, 10 = worst imaginable). A note shows "
        "only the parts the therapist wrote." in (text)
    )
    assert "Amendment times" not in text
    assert "Subjective —" not in text and "Findings —" not in text
    # Check-ins: the client's words for the change, the activity's columns explained.
    assert "0 About the same" not in text and "About the same" in text
    assert "Activity: “Bend to tie my shoes”, 0–10" in text
    assert "Refer to another professional" in text and "Refer on" not in text


def test_the_demo_starts_at_a_working_morning() -> None:
    # Late on a Wednesday in winter: that Wednesday, 09:30 in London (UTC then).
    assert demo_start(datetime(2026, 12, 2, 23, 40, tzinfo=UTC)) == datetime(
        2026, 12, 2, 9, 30, tzinfo=UTC
    )
    # A Saturday in summer: the Monday, 09:30 British Summer Time.
    assert demo_start(datetime(2026, 7, 4, 12, 0, tzinfo=UTC)) == datetime(
        2026, 7, 6, 8, 30, tzinfo=UTC
    )


def test_the_first_act_has_anna_s_intake_before_her_first_session(
    demo: tuple[str, Path],
) -> None:
    transcript, _ = demo
    first = transcript.splitlines()[0]
    assert re.fullmatch(
        r"The demo is set at \w+day \d{1,2} \w+ \d{4}, 09:30 in Europe/London, Maya's "
        r"practice; its clock then jumps from one message to the next\.",
        first,
    ), first
    # Anna is invited before any note, joins, and answers the intake; then her session.
    assert "Maya taps [➕ Add and invite]" in transcript
    intake = transcript.index(
        "Bot → Anna: 1 of 17 · about 3 minutes, skip anything\n"
        "   What brings you to massage? Tell me your main concern and where in your body you "
        "feel it."
    )
    assert intake < transcript.index("Saved ✓ Note #1 for Anna K.")
    assert "Health conditions: Blood thinners (e.g. warfarin, apixaban) ✓" in transcript
    # Her caution heads Maya's note card; Trigger point asks once (Maya has checked), Deep
    # pressure asks once, and Maya chooses another. Each question states the caution once.
    caution = (
        "⚠️ On blood thinners — avoid deep pressure and trigger point work (may bruise or bleed "
        "easily)"
    )
    assert f"Bot edits #9 → {caution}\n   \n   📝 Note for Anna K.\n   Which areas" in transcript
    assert (
        "Maya taps [Deep]\n"
        "Bot edits #9 → 📝 Note for Anna K.\n"
        f"   ⚠️ Anna K.: {caution.removeprefix('⚠️ ')}\n   Use deep pressure anyway?\n"
        "   [Yes, I've checked]\n   [Choose another]\n"
        "Maya taps [Choose another]"
    ) in transcript
    assert transcript.count("Use deep pressure anyway?") == 1
    assert (
        "Maya taps [Trigger point]\n"
        "Bot edits #9 → 📝 Note for Anna K.\n"
        f"   ⚠️ Anna K.: {caution.removeprefix('⚠️ ')}\n   Use trigger point anyway?\n"
        "   [Yes, I've checked]\n   [Choose another]\n"
        "Maya taps [Yes, I've checked]"
    ) in transcript
    assert transcript.count("Use trigger point anyway?") == 1
    assert "Pressure: Medium\n   Pain: 6 → 3" in transcript
    # Neither intake raised a red flag (Ben answered his with no condition either).
    assert "🚩" not in transcript and "red flag" not in transcript.split("── 7.", 1)[1]


def test_the_weeks_book_remind_show_today_and_a_no_show(demo: tuple[str, Path]) -> None:
    transcript, _ = demo
    day = r"\w{3} \d{1,2} \w{3}"
    # Booked from the saved-note card with one tap on the rhythm; Anna told in Berlin time.
    assert re.search(
        rf"Maya taps \[📅 Next visit\]\n.*\n.*\n   \[({day}), 11:00 — same time next week\]",
        transcript,
    )
    assert re.search(
        rf"→ 📅 Booked: Anna K\., {day}, 11:00 \(60 min; 12:00 their time\)\.", transcript
    )
    assert re.search(rf"Bot → Anna: 📅 Next visit with Maya: {day}, 12:00{BERLIN}\n", transcript)
    # Her reminder a day ahead, answered with one tap and edited in place.
    reminder = re.search(
        rf"24 h before her visit, Anna's reminder.*\n"
        rf"Bot → Anna: ⏰ Reminder: your visit with Maya is on ({day}), 12:00{BERLIN}\. "
        r"Will you come\?\n"
        r"   \[✅ I'll be there\]\n   \[🔁 I need another time\]\n   \[✖️ I can't come\]\n"
        r"Anna taps \[✅ I'll be there\] on #(\d+)\n"
        rf"Bot edits #\2 → ✅ See you on \1, 12:00{BERLIN}\. Maya knows you're coming\.",
        transcript,
    )
    assert reminder, "the reminder and its answer"
    # Right after it, the health question, answered with one tap too (printed once).
    health = re.search(
        r"Right after it, the bot asks Anna, who has an intake, about her health; one tap again:\n"
        r"Bot → Anna: 🩺 Anything new with your health since your last visit\?\n"
        r"   Maya will read your health answers \(last updated \d{1,2} \w{3}\) before your "
        rf"visit on {day}, 12:00{BERLIN}\. Nothing new\? Tap “No change” — that's all\.\n"
        r"   \[No change\]\n   \[Something changed\]\n"
        r"Anna taps \[No change\] on #(\d+)\n"
        r"Bot edits #\1 → 🩺 No change since your last visit ✓\n",
        transcript,
    )
    assert health, "the pre-visit question and Anna's answer"
    assert transcript.count("Anything new with your health") == 1
    # /today on the visit day, as Maya sees it.
    assert re.search(
        rf"Maya: /today\nBot → Maya: 📅 Today, {day}\n"
        r"   Anna K\. 11:00 \(12:00 their time\) ✅ confirmed · pain \d+ \(was 6\) · "
        r"homework \d of 7\n"
        # Under it her answer to the pre-visit question and her intake's caution, as the card.
        r"      🩺 No change since last visit · ⚠️ blood thinners\n"
        r"   Ben R\. 15:00 ✅ confirmed · pain \d+ \(was 7\) · homework \d of 7\n",
        transcript,
    )
    # Ben misses a visit: asked after its time, Maya taps Didn't come; his card says so.
    assert re.search(
        rf"How did Ben R\.'s visit on ({day}), 15:00 go\? There is no note for it yet\.\n"
        r"   \[📝 Write the note\]\n   \[🚫 Didn't come\]\n   \[↩️ Cancelled late\]\n"
        r"Maya taps \[🚫 Didn't come\] on #\d+\n"
        rf"Bot edits #(\d+) → Ben R\., \1, 15:00: 🚫 didn't come\.\n"
        r"   \[📅 Book again\]\nMaya taps \[📅 Book again\] on #\2\n"
        r"Bot → Maya: 📅 Visit for Ben R\.",
        transcript,
    )
    card = transcript.split("The no-show on Ben's card:", 1)[1].split("\n\n", 1)[0]
    assert "👤 Ben R." in card and "late cancellation" not in card
    assert re.search(r"🚫 Missed visits: 1 no-show \(\d{1,2} \w{3}( \d{4})?\)\n", card)
    assert re.search(rf"📅 Next visit: {day}, 15:00 · booked", card)
    assert "their time" not in card  # Ben is in London, as Maya is
    # No caution, no red flag; his answer to the pre-visit question, one tap.
    assert re.search(r"Intake \d{1,2} \w{3} · checked \d{1,2} \w{3}: no change\n", card)
    # Each homework figure names its window; a few buttons, the rest behind More.
    assert (
        "• Cat-cow: 4 of 14 days in the last 2 weeks (29 %) · 11 of 37 days since the plan "
        "began (30 %)" in card
    )
    assert card.endswith(
        "   [📝 New note] [🔁 Move visit]\n   [📈 Progress] [🧘 Homework]\n"
        "   [⋯ More] [⬅️ All clients]"
    )
    # Check-ins follow the visits: while one is booked, the last check-in is the day before.
    for week in re.findall(r"^Week [1-4], .*$", transcript, flags=re.MULTILINE):
        assert "since the last visit (" in week and " and Tue); visit reminder" in week, week


def test_the_demo_reads_true_from_another_weekday(tmp_path: Path) -> None:
    """A therapist may start the demo on any day: from a Friday, with a weekend inside each
    week, it plays through, and each week's check-ins still end the day before the visit."""
    lines = asyncio.run(play(tmp_path, now=datetime(2026, 12, 4, 9, 0, tzinfo=UTC)))
    transcript = "\n".join(lines)
    assert lines[0].startswith("The demo is set at Friday 4 December 2026, 09:30")
    assert "Traceback" not in transcript and "⚠ " not in transcript
    weeks = re.findall(r"^Week [1-4], .*$", transcript, flags=re.MULTILINE)
    assert len(weeks) >= 4, weeks
    for week in weeks:
        assert "since the last visit (" in week and " and Thu); visit reminder" in week, week
    assert "🏁 Anna K. has had the sessions the plan expected." in transcript
    assert "Ben R. saw Dr Lee (physiotherapist) — noted." in transcript
    assert {path.name for path in tmp_path.iterdir()} >= {
        "anna-progress.png",
        "ben-record.pdf",
        "ben-referral-letter.pdf",
    }


def test_every_keyboard_row_of_the_demo_fits_a_phone(demo: tuple[str, Path]) -> None:
    """Each row of buttons the demo shows, in the therapist's chat and the clients', is one
    whose labels a phone shows whole (bot.shared.cards.fits_a_row: the buttons of a row
    share its width equally)."""
    transcript, _ = demo
    rows = [
        line.strip()[1:-1].split("] [")
        for line in transcript.splitlines()
        if line.startswith("   [") and line.rstrip().endswith("]")
    ]
    assert len(rows) > 100 and any(len(row) > 1 for row in rows)
    assert [row for row in rows if not fits_a_row(row)] == []
