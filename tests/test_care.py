"""Treatment plans and homework, end to end: set by the therapist, received by the client."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.shared.forms.engine import FormContext
from bot.therapist.forms.homework import HOMEWORK
from demo.offline import OfflineBot
from emulator import Fault, Phone
from practice.preferences import DEFAULT_REMINDER_TIME, encode_time
from tests.chat import new_client_note
from tests.conftest import LEO, MAYA
from tests.test_invites import ANNA, join


async def set_plan(maya: Phone) -> None:
    """From the card after a first note: the plan form, answered in full."""
    await maya.tap("Set a plan")
    assert "Plan for Anna K. · 1 of 8" in maya.last_text
    await maya.send("Stiff neck, tension headaches")
    await maya.tap("Neck")
    await maya.send("Sleep through the night without neck pain")
    await maya.send("Turn my head to check the blind spot while driving")
    await maya.tap("6")
    await maya.tap("Weekly")
    await maya.tap("4")
    await maya.tap("Today")
    assert "check the plan and save" in maya.last_text


async def test_a_plan_after_the_first_note_reaches_the_client(
    running: OfflineBot, maya: Phone
) -> None:
    await new_client_note(maya, "Anna K.")
    anna = await join(running, maya)
    await anna.tap("London")
    await maya.send("/clients")
    await maya.tap("Anna K.")
    assert "📋 No plan yet." in maya.last_text
    await maya.send("/note")
    for label in ("Anna K.", "Done", "Done", "Medium", "5", "3", "Skip to summary", "Save"):
        await maya.tap(label)
    await set_plan(maya)
    summary = maya.last_text
    for expected in ("Stiff neck", "Neck", "blind spot", "6", "Weekly", "4", "Wed 25 Nov (today)"):
        assert expected in summary
    await maya.tap("Save")
    assert "Plan saved and sent to Anna K." in maya.last_text
    plan = anna.last_text
    assert "Your treatment plan" in plan and "Sleep through the night" in plan
    assert "about 6, weekly" in plan and "blind spot" in plan

    await maya.send("/plan Anna")
    assert "Session 2 of 6 planned · re-evaluate after 4" in maya.last_text
    await maya.tap("Change plan")
    assert "check the plan and save" in maya.last_text  # starts from the current version
    await maya.tap("Edit a field")
    await maya.tap("Expected sessions")
    await maya.send("8")
    assert "check the plan and save" in maya.last_text
    await maya.tap("Save")
    assert "Plan changed (version 2)" in maya.last_text
    assert "Your treatment plan has changed" in anna.last_text and "about 8" in anna.last_text
    await maya.send("/plan Anna")
    assert "version 2" in maya.last_text and "Session 2 of 8" in maya.last_text
    assert "Earlier versions" in maya.last_text and "v1" in maya.last_text


async def test_homework_is_suggested_assigned_and_arrives(running: OfflineBot, maya: Phone) -> None:
    await new_client_note(maya, "Anna K.", areas=("Neck",))
    anna = await join(running, maya)
    await anna.tap("London")
    await maya.send("/homework Anna")
    await maya.tap("Add exercise")
    assert maya.all_buttons[:2] == ["Chin tucks", "Upper trapezius stretch"]
    await maya.send("hamstring")
    assert maya.all_buttons[0] == "Hamstring stretch"
    await maya.tap("Show all")
    await maya.tap("Chin tucks")
    assert "Keep: 2 × 10, hold 5 s" in maya.all_buttons[0]
    await maya.tap("Keep")
    await maya.tap("Chosen weekdays")
    for day in ("Mon", "Wed", "Fri", "Done"):
        await maya.tap(day)
    await maya.send("7:30")
    await maya.tap("2 wk")
    await maya.send("After your shower, when the muscles are warm")
    summary = maya.last_text
    for expected in ("Chin tucks", "2 × 10", "Mon, Wed, Fri", "07:30", "2 weeks", "shower"):
        assert expected in summary
    await maya.tap("Save")
    assert "sent to Anna K." in maya.last_text
    arrived = anna.last_text
    assert arrived.startswith("🧘 Your homework from Maya")
    for expected in ("Chin tucks", "1. ", "⚠️", "Mon, Wed, Fri at 07:30", "shower"):
        assert expected in arrived

    await anna.send("/homework")
    assert "Chin tucks" in anna.last_text
    await anna.send("/start")
    assert "Chin tucks" in anna.last_text

    # Pause, resume, end.
    await maya.send("/homework Anna")
    await maya.tap("⏸ Chin tucks")
    assert "(paused)" in maya.last_text
    await anna.send("/homework")
    assert "No homework yet" in anna.last_text
    await maya.tap("▶️ Chin tucks")
    assert "(paused)" not in maya.last_text
    await maya.tap("⏹")
    assert "End Chin tucks for good?" in maya.last_text
    await maya.tap("Keep it")
    assert "Chin tucks" in maya.last_text and "No homework yet." not in maya.last_text
    await maya.tap("⏹")
    await maya.tap("Yes, end it")
    assert "No homework yet." in maya.last_text


async def test_a_form_survives_its_edges(running: OfflineBot, maya: Phone, leo: Phone) -> None:
    await new_client_note(maya, "Anna K.")
    await maya.tap("Add homework")
    form_card = maya.last_message
    assert form_card is not None
    await maya.send("/note")
    assert "You're in the middle of: 🧘 Homework for Anna K." in maya.last_text
    await maya.send("/cancel")
    assert "Cancelled — nothing was saved." in maya.last_text
    answer = await maya.tap_data(form_card.callback_data[0][0], message_id=form_card.message_id)
    assert answer in ("", "That button belongs to an earlier form.")
    # Another therapist's forged buttons find nothing of Maya's.
    async with running.db.unit_of_work() as uow:
        [(_, anna)] = await uow.clients.names(MAYA)
    await leo.send("/clients")
    for data in (f"ca:{anna.id}:p", f"ca:{anna.id}:w", f"ca:{anna.id}:a", "hw:1:e"):
        answer = await leo.tap_data(data, message_id=leo.last_message_id)
        assert answer in ("That client is not in your list.", "")
    assert all("Anna" not in m.text for m in leo.messages)
    assert LEO != ANNA


async def test_a_403_when_sending_homework_marks_the_client_unreachable(
    running: OfflineBot, maya: Phone
) -> None:
    await new_client_note(maya, "Anna K.")
    anna = await join(running, maya)
    await anna.tap("London")
    # Telegram refuses: the client blocked the bot, and no membership update came (yet).
    running.emulator.inject(Fault(method="sendMessage", error_code=403, chat_id=ANNA, times=1))
    await maya.send("/homework Anna")
    await maya.tap("Add exercise")
    for label in ("Chin tucks", "Keep", "Every day", "08:00", "4 wk", "Skip ➡️", "Save"):
        await maya.tap(label)
    assert "Anna K. has blocked the bot" in maya.last_text
    async with running.db.unit_of_work() as uow:
        client = await uow.clients.by_telegram_user(ANNA)
        assert client is not None and client.unreachable_at is not None
    # The next plan is not even attempted: the client is unreachable.
    sent_before = len(running.emulator.calls_to("sendMessage"))
    await maya.send("/plan Anna")
    await maya.send("Neck pain")
    await maya.tap("Neck")
    await maya.send("Turn my head freely")
    await maya.tap("Skip ➡️")
    for label in ("6", "Weekly", "4", "Today", "Save"):
        await maya.tap(label)
    assert "They have blocked the bot, so nothing was sent." in maya.last_text
    calls = running.emulator.calls_to("sendMessage")[sent_before:]
    assert [c for c in calls if c.params.get("chat_id") == ANNA] == []


async def test_a_therapists_own_exercise_is_offered_and_sent(
    running: OfflineBot, maya: Phone, leo: Phone
) -> None:
    await new_client_note(maya, "Anna K.", areas=("Neck",))
    anna = await join(running, maya)
    await anna.tap("London")
    await maya.send("/exercise")
    await maya.send("Towel neck stretch")
    await maya.tap("Neck")
    await maya.send("1. Hold a rolled towel behind your neck\n2. Pull gently forward\n3. Tilt back")
    await maya.send("3 × 30 s hold")
    await maya.tap("Skip ➡️")
    assert "1. Hold a rolled towel" in maya.last_text and "3. Tilt back" in maya.last_text
    await maya.tap("Save")
    assert "Towel neck stretch is in your exercises" in maya.last_text

    await maya.send("/homework Anna")
    await maya.tap("Add exercise")
    assert "Towel neck stretch" in maya.all_buttons  # offered with the neck suggestions
    await maya.send("towel")
    await maya.tap("Towel neck stretch")
    assert "Keep: 3 × 30 s hold" in maya.all_buttons[0]
    for label in ("Keep", "Every day", "08:00", "4 wk", "Skip ➡️", "Save"):
        await maya.tap(label)
    assert "Towel neck stretch" in anna.last_text and "2. Pull gently forward" in anna.last_text
    await maya.send("/clients")
    await maya.tap("Anna K.")
    assert "• Towel neck stretch: nothing due yet" in maya.last_text

    # Leo never sees Maya's own exercise.
    await new_client_note(leo, "Boris P.", areas=("Neck",))
    await leo.send("/homework Boris")
    await leo.tap("Add exercise")
    await leo.send("towel")
    assert "Towel neck stretch" not in leo.all_buttons


async def test_steps_are_checked(running: OfflineBot, maya: Phone) -> None:
    await maya.send("/exercise")
    await maya.send("Tiny")
    await maya.tap("Neck")
    await maya.send("just one step")
    assert "write 2 to 5 steps, one per line" in maya.last_text.lower()


async def test_the_homework_time_question_without_a_client_offers_the_default_time() -> None:
    # The form is opened for a client, but its context allows none: the question must not fail.
    ctx = FormContext(
        uow=None,  # the time question reads no records
        therapist_id=MAYA,
        therapist_name="Maya",
        client=None,
        answers={},
        now=datetime(2026, 11, 25, 9, tzinfo=UTC),
        today=date(2026, 11, 25),
        practice_zone="Europe/Berlin",
    )
    times = next(q for q in HOMEWORK.questions if q.key == "time")
    assert times.options is not None
    options = await times.options(ctx)
    assert encode_time(DEFAULT_REMINDER_TIME) in [o.value for o in options]
    # In the order of the day, not the chosen one first ([✓ 09:00] [07:00] [08:00] was seen).
    assert [o.label for o in options] == sorted(o.label for o in options)


async def test_a_plan_made_before_the_client_joined_reaches_them_when_they_join(
    running: OfflineBot, maya: Phone
) -> None:
    await new_client_note(maya, "Anna K.")
    await set_plan(maya)
    await maya.tap("Save")
    assert "sent to Anna K." not in maya.last_text  # she is not on the bot yet
    anna = await join(running, maya)
    plans = [m.text for m in anna.messages if "Your treatment plan" in m.text]
    assert len(plans) == 1 and "Sleep through the night without neck pain" in plans[0]
    await anna.tap("London")
    await anna.send("/start")
    home = anna.last_text
    assert "📋 Your plan: Stiff neck, tension headaches — goal: Sleep through the night" in home
