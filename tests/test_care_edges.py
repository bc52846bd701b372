"""Edges of plans, homework and invites found in review, each end to end."""

from __future__ import annotations

from datetime import UTC, datetime, time

from demo.offline import OfflineBot, offline_bot
from emulator import BotApiEmulator, Phone
from practice.clock import FrozenClock
from practice.decisions import AskedDecision, DecisionKind
from practice.plans import HomeworkStatus, where_in_plan
from storage.models import HomeworkAssignment
from tests.chat import new_client_note
from tests.conftest import MAYA
from tests.test_invites import ANNA, EVE, invite, invite_text, join


async def _assign(maya: Phone, *labels: str, note: str | None = None) -> None:
    await maya.send("/homework Anna")
    await maya.tap("Add exercise")
    for label in labels:
        if label.startswith("type:"):
            await maya.send(label.removeprefix("type:"))
        else:
            await maya.tap(label)
    if note is None:
        await maya.tap("Skip ➡️")
    else:
        await maya.send(note)


async def test_changing_homework_starts_from_it_and_a_paused_one_is_not_sent(
    running: OfflineBot, maya: Phone
) -> None:
    await new_client_note(maya, "Anna K.", areas=("Neck",))
    anna = await join(running, maya)
    await anna.tap("London")
    await _assign(
        maya,
        "Chin tucks",
        "type:5 × 5",
        "Chosen weekdays",
        "Mon",
        "Wed",
        "Done ➡️",
        "18:00",
        "2 wk",
        note="Slowly",
    )
    await maya.tap("Save")
    await maya.send("/homework Anna")
    await maya.tap("✏️")
    summary = maya.last_text
    for expected in ("Chin tucks", "5 × 5", "Mon, Wed", "18:00", "2 weeks", "Slowly"):
        assert expected in summary, expected
    await maya.tap("Save")
    assert "sent to Anna K." in maya.last_text

    await maya.send("/homework Anna")
    await maya.tap("⏸ Chin tucks")
    messages_to_anna = len(anna.messages)
    await maya.tap("✏️")
    await maya.tap("Save")
    assert len(anna.messages) == messages_to_anna  # paused: nothing sent
    async with running.db.unit_of_work() as uow:
        client = await uow.clients.by_telegram_user(ANNA)
        assert client is not None
        [item] = await uow.homework.current(MAYA, client.id)
        assert item.status == HomeworkStatus.PAUSED and item.dose == "5 × 5"


async def test_a_time_in_quiet_hours_is_pointed_out(running: OfflineBot, maya: Phone) -> None:
    await new_client_note(maya, "Anna K.")
    await _assign(maya, "Chin tucks", "Keep", "Every day", "type:7:15", "4 wk")
    assert "07:15 is in the client's quiet hours (21:00–08:00)" in maya.last_text
    assert "the reminder will come at 08:00" in maya.last_text
    # Changing "how often" to chosen weekdays from the summary asks for the days at once.
    await maya.tap("Edit a field")
    await maya.tap("How often")
    await maya.tap("Chosen weekdays")
    assert "On which days?" in maya.last_text
    await maya.tap("Tue")
    await maya.tap("Done ➡️")
    assert "check and save" in maya.last_text and "Days: Tue" in maya.last_text


async def test_a_second_form_does_not_throw_away_the_first(
    running: OfflineBot, maya: Phone
) -> None:
    await new_client_note(maya, "Anna K.")
    await maya.send("/plan Anna")
    await maya.send("Stiff neck")
    await maya.send("/homework Anna")
    await maya.tap("Add exercise")
    assert "You're in the middle of: 📋 Plan for Anna K." in maya.last_text
    # A forged Skip on a required question changes nothing.
    async with running.db.unit_of_work() as uow:
        draft = await uow.forms.get(MAYA)
        assert draft is not None and draft.step == "area"
        token = draft.token
    answer = await maya.tap_data(f"f:{token}:1:k")
    assert answer == "That button is from an earlier step — use the latest message."
    answer = await maya.tap_data(f"f:{token}:1:d")
    async with running.db.unit_of_work() as uow:
        draft = await uow.forms.get(MAYA)
        assert draft is not None and draft.step == "area" and draft.answers.get("area") is None


async def test_a_client_record_moves_to_a_new_account_openly(
    running: OfflineBot, maya: Phone
) -> None:
    await new_client_note(maya, "Anna K.")
    anna = await join(running, maya)
    await anna.tap("London")
    token = await invite(maya)
    assert "Anna K. is already on the bot" in invite_text(maya)
    new_phone = running.emulator.user(id=EVE, first_name="Anna")
    await new_phone.send(f"/start {token}")
    await new_phone.tap("I agree")
    assert "Anna K. moved to a new Telegram account" in maya.last_text
    assert "connected to another Telegram account" in anna.last_text
    await anna.send("/homework")
    assert "serves a massage practice's therapists" in anna.last_text


async def test_a_clients_homework_is_split_between_messages_never_cut(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    await new_client_note(maya, "Anna K.")
    anna = await join(running, maya)
    await anna.tap("London")
    codes = [
        "chin_tuck",
        "upper_trapezius_stretch",
        "levator_scapulae_stretch",
        "doorway_pec_stretch",
        "cat_cow",
        "childs_pose",
        "figure_four_stretch",
        "hamstring_stretch",
        "calf_stretch",
        "hip_flexor_stretch",
        "glute_bridge",
        "open_book",
    ]
    async with running.db.unit_of_work() as uow:
        client = await uow.clients.by_telegram_user(ANNA)
        assert client is not None
        for code in codes:
            await uow.homework.add(
                HomeworkAssignment(
                    therapist_id=MAYA,
                    client_id=client.id,
                    exercise_code=code,
                    dose="3 × 10",
                    rrule="FREQ=DAILY;INTERVAL=1;UNTIL=20261231T235959",
                    start_date=clock.now().date(),
                    end_date=None,
                    time_of_day=time(9),
                    note="Breathe out as you stretch, <gently> & slowly. " * 5,
                    status=HomeworkStatus.ACTIVE,
                    created_at=clock.now(),
                    updated_at=clock.now(),
                )
            )
        await uow.commit()
    before = len(anna.messages)
    await anna.send("/homework")
    replies = anna.messages[before:]
    assert len(replies) > 1 and all(len(m.text) <= 4096 for m in replies)
    together = "\n".join(m.text for m in replies)
    assert together.count("3 sets of 10") == len(codes)  # in the client's words
    assert together.count("Your homework from Maya") == 1


async def test_leaving_the_time_zone_question_in_settings(running: OfflineBot, maya: Phone) -> None:
    await new_client_note(maya, "Anna K.")
    anna = await join(running, maya)
    await anna.tap("London")
    await anna.send("/settings")
    await anna.tap("Time zone")
    assert "Which time zone are you in now?" in anna.messages[-2].text
    await anna.tap("⬅️ Back")
    assert "Your settings" in anna.last_text
    await anna.send("hi there")
    assert "I don't know the time zone" not in anna.last_text
    # A client pressing a therapist's (forged) button changes nothing.
    answer = await anna.tap_data("cp:0", message_id=anna.last_message_id)
    assert answer == "That button belongs to an earlier note."
    assert "You have no clients" not in anna.last_text


async def test_a_form_answer_delivered_twice_counts_once(
    database_url: str, clock: FrozenClock
) -> None:
    async with BotApiEmulator(token="123456:OFFLINE-DEMO") as emulator:
        maya = emulator.user(id=MAYA, first_name="Maya")
        kwargs = {"therapist_ids": frozenset({MAYA}), "clock": clock, "emulator": emulator}
        async with offline_bot(database_url, **kwargs):  # type: ignore[arg-type]
            await new_client_note(maya, "Anna K.")
            await maya.send("/plan Anna")
            await maya.send("Stiff neck")
            await maya.tap("Neck")
            await maya.send("Sleep well")
            goal_update = emulator.last_update_id
        emulator.redeliver(goal_update)  # the bot crashed before confirming it
        async with offline_bot(database_url, **kwargs) as running:  # type: ignore[arg-type]
            await maya.wait_processed()
            async with running.db.unit_of_work() as uow:
                draft = await uow.forms.get(MAYA)
                assert draft is not None
                assert draft.answers.get("goal") == "Sleep well"
                assert draft.answers.get("activity") is None and draft.step == "activity"


def test_where_in_plan_reads_well() -> None:
    assert where_in_plan(0, 6, 4) == "No sessions yet · 6 planned · re-evaluate after 4"
    assert where_in_plan(3, 6, 4) == "Session 3 of 6 planned · re-evaluate after 4"
    assert "re-evaluation due" in where_in_plan(4, 6, 4)
    assert "time to review" in where_in_plan(6, 6, 4)


def test_a_re_evaluation_once_answered_is_no_longer_due() -> None:
    reeval = AskedDecision(DecisionKind.REEVALUATION, 4)
    assert where_in_plan(5, 10, 4, [reeval]) == (
        "Session 5 of 10 planned · re-evaluated at session 4"
    )
    # Asked but not answered is not passed in: still due.
    assert "re-evaluation due (after 4)" in where_in_plan(5, 10, 4, [])
    # Another question answered does not stand in for the re-evaluation.
    other = AskedDecision(DecisionKind.NO_PROGRESS, 4)
    assert "re-evaluation due" in where_in_plan(5, 10, 4, [other])
    # At the planned end: the review is its own question, or a re-evaluation held there.
    assert "time to review" in where_in_plan(10, 10, 4, [reeval])
    end = AskedDecision(DecisionKind.PLANNED_END, 10)
    assert where_in_plan(11, 10, 4, [reeval, end]).endswith(
        "planned sessions done, reviewed at session 10"
    )
    late = AskedDecision(DecisionKind.REEVALUATION, 6)
    assert "reviewed at session 6" in where_in_plan(6, 6, 6, [late])
    assert datetime(2026, 1, 1, tzinfo=UTC)
