"""Progress check-ins between visits: answered with one tap per question, kept as given,
closed when the next arrives; the therapist alerted at once when the client is worse."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from demo.offline import OfflineBot
from emulator import Phone
from practice.checkins import next_checkin_day
from practice.clock import FrozenClock
from storage.models import CheckIn
from tests.test_reminders import BERLIN, anna_on_the_bot, run_until
from tests.test_reminders import clock as clock  # the October clock, as a fixture


async def session_note(maya: Phone, before: str = "6", after: str = "3") -> None:
    await maya.send("/note")
    for label in ("Anna K.", "Done", "Done", "Medium", before, after, "Skip to summary", "Save"):
        await maya.tap(label)


async def test_a_series_of_check_ins_after_a_session(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    anna = await anna_on_the_bot(running, maya)  # first note: pain 6 before
    await maya.send("/plan Anna")
    await maya.send("Stiff neck")
    await maya.tap("Neck")
    await maya.send("Sleep through the night")
    await maya.send("Check the blind spot while driving")
    for label in ("6", "Weekly", "4", "Today", "Save"):
        await maya.tap(label)
    await session_note(maya)  # Monday 19 Oct: check-ins on 21, 24, 28 and 31 Oct

    sent = await run_until(running, clock, datetime(2026, 10, 21, 12, 0, tzinfo=UTC), kind="📊")
    assert [at.astimezone(BERLIN).strftime("%d %H:%M") for at in sent] == ["21 09:00"]
    assert "How is your neck today?" in anna.last_text
    first_card = anna.last_message
    assert first_card is not None

    await anna.tap("8")
    alert = maya.last_text
    assert "Anna K. reports feeling worse: pain 8 (first session: 6)" in alert
    assert maya.all_buttons == ["👤 Anna K."]
    assert "Compared with before your last session" in anna.last_text
    await anna.tap("Worse")
    assert sum("reports feeling worse" in m.text for m in maya.messages) == 1  # once
    assert "Check the blind spot while driving" in anna.last_text
    await anna.tap("3")
    assert "Anything to add for Maya?" in anna.last_text
    await anna.send("Slept badly after a long drive")
    assert "Thank you ✓ Maya will see this" in anna.last_text
    assert "pain 8 · Worse · activity 3" in anna.last_text
    assert "Anna K. added to their check-in: “Slept badly after a long drive”" in maya.last_text
    await maya.tap("👤 Anna K.")
    assert "📊 Check-ins: Wed 21 Oct (today): pain 8 · Worse · activity 3" in maya.last_text
    # Tuesday's digest had nothing to say and was not sent; Thursday's tells Maya.
    assert not any("Good morning" in m.text for m in maya.messages)
    await run_until(running, clock, datetime(2026, 10, 22, 7, 30, tzinfo=UTC))
    digest = maya.last_text
    assert digest.startswith("☀️ Good morning — since yesterday")
    assert "⚠️ Worse: Anna K." in digest
    assert "• Anna K.: pain 8 · Worse · activity 3" in digest

    # The next one closes the first; a half-answered one keeps its answers.
    sent = await run_until(running, clock, datetime(2026, 10, 24, 12, 0, tzinfo=UTC), kind="📊")
    assert [at.astimezone(BERLIN).strftime("%d") for at in sent] == ["24"]
    await anna.tap("4")
    sent = await run_until(running, clock, datetime(2026, 11, 10, 12, 0, tzinfo=UTC), kind="📊")
    assert [at.astimezone(BERLIN).strftime("%d") for at in sent] == ["28", "31"]
    answer = await anna.tap_data(first_card.callback_data[0][0], message_id=first_card.message_id)
    assert answer == "That check-in has closed — a newer one is waiting for you."
    async with running.db.unit_of_work() as uow:
        rows = list(
            await uow.session.scalars(
                select(CheckIn).where(CheckIn.sent_at.is_not(None)).order_by(CheckIn.id)
            )
        )
    answers = [(r.pain, r.change, r.activity, r.comment) for r in rows]
    assert answers[0] == (8, -2, 3, "Slept badly after a long drive")
    assert answers[1] == (4, None, None, None)
    assert len(rows) == 4 and all(r.sent_at is not None for r in rows)
    assert all(r.closed_at is not None for r in rows[:3])


async def test_a_new_session_starts_a_new_series(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    anna = await anna_on_the_bot(running, maya)
    await session_note(maya)
    clock.set(datetime(2026, 10, 20, 16, 0, tzinfo=UTC))
    await session_note(maya, before="5", after="2")  # Tuesday: the next is Thursday 22nd
    sent = await run_until(running, clock, datetime(2026, 10, 23, 12, 0, tzinfo=UTC), kind="📊")
    assert [at.astimezone(BERLIN).strftime("%d %H:%M") for at in sent] == ["22 09:00"]
    await anna.tap("2")
    await anna.tap("Much better")
    assert not any("worse" in m.text for m in maya.messages)
    await anna.tap("Skip ➡️")
    assert "Thank you ✓" in anna.last_text


async def test_check_ins_survive_a_pause_a_late_join_and_a_new_time_zone(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    from tests.chat import new_client_note
    from tests.test_invites import join

    # The session is documented before Anna joins: joining starts the series all the same.
    await new_client_note(maya, "Anna K.")
    anna = await join(running, maya)
    await anna.tap("Berlin")
    await anna.send("/pause")
    await anna.tap("1 day")  # until Tuesday 11:00 UTC; the first check-in is Wednesday
    await anna.send("/settings")
    await anna.tap("Time zone")
    await anna.send("Los Angeles")
    sent = await run_until(running, clock, datetime(2026, 10, 22, 12, 0, tzinfo=UTC), kind="📊")
    la = [at.astimezone(ZoneInfo("America/Los_Angeles")).strftime("%d %H:%M") for at in sent]
    assert la == ["21 09:00"]  # 09:00 where she now is
    assert "How is your" in anna.last_text


def test_check_in_rhythms() -> None:
    session = datetime(2026, 10, 19).date()

    def days(every: int | None) -> list[int]:
        found, n = [], 0
        while (day := next_checkin_day(session, n, every)) is not None:
            found.append((day - session).days)
            n += 1
        return found

    assert days(None) == [2, 5, 9, 12]  # the default: 2 days after, then every 3–4 days
    assert days(2) == [2, 4, 6, 8, 10, 12, 14]
    assert days(3) == [2, 5, 8, 11, 14]
    assert days(7) == [2, 9]
    assert days(0) == []


async def test_the_therapist_sets_a_client_s_check_in_rhythm(
    running: OfflineBot, maya: Phone, leo: Phone, clock: FrozenClock
) -> None:
    anna = await anna_on_the_bot(running, maya)
    await maya.send("/clients")
    await maya.tap("Anna K.")
    assert "📊 Check-in rhythm: 2 days after a session, then every 3–4 days." in maya.last_text
    await maya.tap("⋯ More")
    await maya.tap("📊 Check-ins")
    assert maya.all_buttons[:5] == [
        "2 days after a session, then every 3–4 days",
        "Every 2 days after a session",
        "Every 3 days after a session",
        "2 days after a session, then weekly",
        "No check-ins",
    ]
    weekly = maya.last_message
    assert weekly is not None
    # Another therapist's forged tap changes nothing.
    await leo.send("/start")
    answer = await leo.tap_data(weekly.callback_data[3][0])
    assert answer == "That client is not in your list."
    await maya.tap("2 days after a session, then weekly")
    assert "📊 Check-in rhythm: 2 days after a session, then weekly." in maya.last_text
    await session_note(maya)  # Monday 19 Oct: check-ins on 21 and 28 Oct only
    sent = await run_until(running, clock, datetime(2026, 11, 10, 12, 0, tzinfo=UTC), kind="📊")
    assert [at.astimezone(BERLIN).strftime("%d %b") for at in sent] == ["21 Oct", "28 Oct"]

    await maya.send("/clients")
    await maya.tap("Anna K.")
    await maya.tap("⋯ More")
    await maya.tap("📊 Check-ins")
    await maya.tap("No check-ins")
    assert "📊 Check-in rhythm: none." in maya.last_text
    before = len(anna.messages)
    await session_note(maya)
    await run_until(running, clock, datetime(2026, 11, 30, 12, 0, tzinfo=UTC), kind="📊")
    assert not any("📊" in m.text for m in anna.messages[before:])
