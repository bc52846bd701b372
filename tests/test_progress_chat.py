"""Is it working? /progress with its verdict and chart, and the decision points a saved note
raises: asked once, answered with one tap, kept on the record."""

from __future__ import annotations

import io
import logging
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import select

from demo.offline import OfflineBot
from emulator import Phone
from practice.clock import FrozenClock
from practice.plans import HomeworkStatus
from reports import render as render_module
from storage.models import Decision, HomeworkAssignment
from tests.chat import new_client_note, past_the_letterhead
from tests.test_records import csv_rows, pdf_text
from tests.test_reminders import anna_on_the_bot, assign
from tests.test_reminders import clock as clock  # the October clock, as a fixture
from workers import Pool


async def note(maya: Phone, clock: FrozenClock, before: str, after: str) -> None:
    """A week later, a note for Anna with these pains (her last areas and techniques)."""
    clock.advance(timedelta(days=7))
    await maya.send("/note")
    for label in ("Anna K.", "Done", "Done", "Medium", before, after, "Skip to summary", "Save"):
        await maya.tap(label)


async def exported_decisions(maya: Phone) -> tuple[list[str], list[dict[str, str]]]:
    """The decisions' answers and the referrals, as the exported CSV has them."""
    await maya.send("/export Anna")
    rows = csv_rows(maya.documents[-1].file_bytes or b"")
    answers = [r["answer"] for r in rows if r["record_type"] == "decision"]
    return answers, [r for r in rows if r["record_type"] == "referral"]


async def plan(maya: Phone, reevaluate_after: str = "4", sessions: str = "8") -> None:
    await maya.send("/plan Anna")
    await maya.send("Stiff neck")
    await maya.tap("Neck")
    await maya.send("Sleep through the night")
    await maya.tap("Skip")  # no functional activity
    for label in (sessions, "Weekly", reevaluate_after, "Today", "Save"):
        await maya.tap(label)


async def decisions(running: OfflineBot) -> list[Decision]:
    async with running.db.unit_of_work() as uow:
        return list(await uow.session.scalars(select(Decision).order_by(Decision.id)))


async def test_no_change_at_the_re_evaluation_point_asks_once_and_records_the_answer(
    running: OfflineBot, maya: Phone, leo: Phone, clock: FrozenClock
) -> None:
    await new_client_note(maya, "Anna K.", areas=("Neck",))  # pain 6 → 3 by default
    await plan(maya)  # from today: the first session counts towards it
    for before, after in (("6", "4"), ("5", "3")):
        await note(maya, clock, before, after)
    assert await decisions(running) == []  # three sessions under the plan: nothing to ask
    await note(maya, clock, "6", "4")
    prompt = maya.last_text
    assert "Time to re-evaluate Anna K.'s plan." in prompt
    assert (
        "Pain stayed at 6 over 4 sessions (19 Oct – 9 Nov).\n"
        "From pain before the plan's 1st session (19 Oct) to the middle of the last 3 ratings "
        "(26 Oct – 9 Nov).\nKeep the plan, adjust it, or refer them on?"
    ) in prompt
    assert maya.all_buttons == ["📋 Adjust plan", "↗️ Refer", "▶️ Continue as planned"]
    card = maya.last_message
    assert card is not None

    await leo.send("/start")
    assert await leo.tap_data(card.callback_data[1][0]) == "That client is not in your list."
    assert await maya.tap("▶️ Continue as planned") == "Recorded ✓"
    # Answered, the question keeps its title and figures: what was decided, and on what.
    assert maya.last_text.startswith(
        "📋 Time to re-evaluate Anna K.'s plan.\nPain stayed at 6 over 4 sessions"
    )
    assert maya.last_text.endswith("continue as planned (Anna K.).")
    assert "✓ Decided" in maya.last_text
    again = await maya.tap_data(card.callback_data[0][0], message_id=card.message_id)
    assert again == "Already decided: continue as planned."
    [decision] = await decisions(running)
    assert (decision.kind, decision.at_session, decision.answer) == ("reeval", 4, "continue")
    assert "to the middle of the last 3 ratings (26 Oct – 9 Nov)" in decision.summary
    # The same session is never asked about twice; the next one with no change is not asked
    # again until four more sessions have passed.
    await note(maya, clock, "6", "4")
    assert len(await decisions(running)) == 1


async def test_progress_shows_the_verdict_and_a_chart(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    await new_client_note(maya, "Anna K.", areas=("Neck",), before="8")
    await plan(maya, reevaluate_after="6")
    for before, after in (("7", "4"), ("5", "3"), ("4", "2")):
        await note(maya, clock, before, after)
    await maya.send("/progress Anna")
    [photo] = maya.photos
    assert photo.caption is not None
    assert photo.caption.startswith(
        "📈 Anna K.\nImproving over 4 sessions: pain 8 (before the plan's 1st session, 19 Oct)"
        " → 5 (middle of the last 3 ratings, 26 Oct – 9 Nov), −38 %"
    )
    assert photo.file_bytes is not None
    with Image.open(io.BytesIO(photo.file_bytes)) as image:
        assert image.format == "PNG"
        assert image.size == (1080, 1350)
    assert [b["text"] for row in photo.inline_keyboard for b in row] == ["👤 Open the card"]
    # The improvement raised after the last note is still unanswered: it is asked again here.
    assert maya.last_text.startswith("🌱 Anna K. is clearly better.")


async def test_improvement_offers_a_note_the_therapist_can_rewrite(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    anna = await anna_on_the_bot(running, maya)  # pain 6 → 3
    for before, after in (("4", "2"), ("3", "1")):
        await note(maya, clock, before, after)
    assert maya.last_text.startswith(
        "🌱 Anna K. is clearly better.\nPain went from 6 to 3.5 over 3 sessions (19 Oct – 2 Nov):"
        " 42 % less.\nFrom pain before the 1st session (19 Oct) to the middle of the last 2 "
        "ratings (26 Oct – 2 Nov)."
    )
    assert maya.last_text.endswith("\nYou might send Anna a note to say so.")
    assert maya.all_buttons == ["💬 Send Anna a note", "📋 Adjust plan", "▶️ Continue as planned"]
    await maya.tap("💬 Send Anna a note")
    card = maya.messages[-2]
    draft = maya.last_message
    assert draft is not None and "reply to this message with your own words" in draft.text
    assert "Hi Anna, Maya here." in draft.text
    # What was observed, not a cause: the verdict's figures, and no homework (she has none).
    assert "Your pain has come down from 6 to about 3.5 out of 10." in draft.text
    assert "exercises" not in draft.text and "big part" not in draft.text
    before = len(anna.messages)
    await maya.send("Anna, lovely progress — see you Thursday!", reply_to=draft.message_id)
    assert maya.last_text == "Sent to Anna K. ✓"
    # The decision's card says nothing that sending made untrue.
    card_now = maya.message(card.message_id).text
    assert card_now.endswith("a note to Anna K., drafted below.") and "not sent" not in card_now
    assert [m.text for m in anna.messages[before:]] == ["Anna, lovely progress — see you Thursday!"]
    # Sent once: the draft's own button now has nothing left to send.
    assert await maya.tap_data(draft.callback_data[0][0], message_id=draft.message_id) == (
        "That note was already sent or dropped."
    )
    assert len(anna.messages) == before + 1
    [decision] = await decisions(running)
    assert (decision.kind, decision.answer) == ("improved", "sent")
    # The record says it in words, as the chat did (not the stored code).
    answers, _ = await exported_decisions(maya)
    assert answers == ["Send the client a note (sent)"]


async def test_the_planned_end_is_brought_to_the_therapist_once(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    await new_client_note(maya, "Anna K.", areas=("Neck",), before="6", after="4")
    await plan(maya)  # 8 sessions, re-evaluate after 4
    for _ in range(6):
        await note(maya, clock, "6", "4")
        if "▶️ Continue as planned" in maya.all_buttons:
            await maya.tap("▶️ Continue as planned")
    assert not any("🏁" in m.text for m in maya.messages)
    # The re-evaluation answered at session 4 is no longer "due" on the screens that say
    # where the plan stands: /plan, the client's card and the exported record.
    done = "Session 7 of 8 planned · re-evaluated at session 4"
    await maya.send("/plan Anna")
    assert done in maya.last_text and "re-evaluation due" not in maya.last_text
    await maya.send("/clients")
    await maya.tap("Anna K.")
    assert done in maya.last_text and "re-evaluation due" not in maya.last_text
    await maya.send("/export Anna")
    record = pdf_text(
        next(d for d in maya.documents if (d.filename or "").endswith(".pdf")).file_bytes or b""
    )
    assert "re-evaluated at session 4" in " ".join(record.split())
    assert "re-evaluation due" not in record
    await note(maya, clock, "6", "4")  # the eighth
    assert maya.last_text.startswith("🏁 Anna K. has had the sessions the plan expected.")
    assert "over 8 sessions" in maya.last_text
    assert maya.all_buttons == END_BUTTONS
    await maya.tap("↗️ Refer")
    assert "Why" in maya.last_text  # no reason implied by a planned end: asked
    await maya.tap("No progress")
    await maya.tap("Any physiotherapist")
    await past_the_letterhead(maya)
    await maya.tap("Save")
    kinds = [(d.kind, d.at_session, d.answer) for d in await decisions(running)]
    assert kinds == [("reeval", 4, "continue"), ("end", 8, "refer")]
    await note(maya, clock, "6", "4")
    assert len(await decisions(running)) == 2  # asked once per plan version


async def test_adjust_plan_is_recorded_when_the_plan_is_saved_not_on_the_tap(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    await new_client_note(maya, "Anna K.", areas=("Neck",))  # pain 6 → 3
    await plan(maya)  # re-evaluate after 4 sessions
    for before, after in (("6", "4"), ("5", "3"), ("6", "4")):
        await note(maya, clock, before, after)
    question = maya.last_message
    assert question is not None and "Time to re-evaluate Anna K.'s plan." in question.text

    # Begun, then cancelled: the plan is unchanged and the decision claims nothing.
    assert await maya.tap("📋 Adjust plan", message_id=question.message_id) == ""  # no "Recorded"
    assert "change it below" in maya.message(question.message_id).text
    assert "check the plan and save" in maya.last_text
    assert (await decisions(running))[0].answer is None  # the form is open, nothing saved
    await maya.tap("✖️ Cancel")
    assert "Cancelled — nothing was saved" in maya.messages[-2].text
    assert "The plan was not changed, so this question is still open:" in maya.last_text
    assert maya.all_buttons == ["📋 Adjust plan", "↗️ Refer", "▶️ Continue as planned"]
    [decision] = await decisions(running)
    assert (decision.answer, decision.answered_at) == (None, None)

    # Saved: the decision is answered "adjust", when the plan was saved.
    reopened = maya.last_message
    assert reopened is not None
    clock.advance(timedelta(minutes=5))
    await maya.tap("📋 Adjust plan", message_id=reopened.message_id)
    await maya.tap("Save")
    assert any("✓ Plan changed (version 2)" in m.text for m in maya.messages[-2:])
    [decision] = await decisions(running)
    assert (decision.answer, decision.answered_at) == ("adjust", clock.now())
    for card in (question, reopened):
        answer = await maya.tap_data(card.callback_data[0][0], message_id=card.message_id)
        assert answer == "Already decided: change the plan."


END_BUTTONS = [
    "🎓 Discharge",
    "➕ More sessions",
    "🔁 Maintenance",
    "↗️ Refer",
    "📋 Adjust plan",
    "▶️ Continue as planned",
]


async def at_the_planned_end(maya: Phone, clock: FrozenClock) -> None:
    """Anna's three planned sessions done (re-evaluated at the second)."""
    await new_client_note(maya, "Anna K.", areas=("Neck",), before="6", after="4")
    await plan(maya, "2", sessions="3")
    await note(maya, clock, "6", "4")
    await maya.tap("▶️ Continue as planned")
    await note(maya, clock, "6", "4")
    assert maya.last_text.startswith("🏁 Anna K. has had the sessions the plan expected.")
    assert maya.all_buttons == END_BUTTONS


async def test_more_sessions_at_the_planned_end_extends_the_plan(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    await at_the_planned_end(maya, clock)
    await maya.tap("➕ More sessions")
    assert any(
        "More sessions for Anna K.: say how many more below" in m.text for m in maya.messages
    )
    assert "How many sessions do you expect?" in maya.last_text
    await maya.tap("4")
    assert "Expected sessions: 4" in maya.last_text  # back at the summary
    await maya.tap("Save")
    async with running.db.unit_of_work() as uow:
        client_id = (await uow.clients.names(1001))[0][1].id
        versions = await uow.plans.versions(1001, client_id)
    latest = versions[0]  # the newest first
    # Counted from the next session: today's was the last of the plan that ended.
    assert (latest.version, latest.expected_sessions) == (2, 4)
    assert latest.start_date == clock.now().date() + timedelta(days=1)
    kinds = [(d.kind, d.answer) for d in await decisions(running)]
    assert kinds[-1] == ("end", "extend")
    answers, _ = await exported_decisions(maya)
    assert answers[-1] == "More sessions (plan extended)"


async def test_discharge_at_the_planned_end_ends_the_homework(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    await at_the_planned_end(maya, clock)
    await assign(maya, "Chin tucks", "Every day", "08:00", "4 wk")
    await maya.send("/progress Anna")  # the open question is asked again under the chart
    await maya.tap("🎓 Discharge")
    assert maya.last_text.endswith(
        "Anna K. is discharged, treatment finished. Their homework reminders are stopped; the "
        "record stays, and /plan starts a new plan if they come back."
    )
    async with running.db.unit_of_work() as uow:
        items = list(await uow.session.scalars(select(HomeworkAssignment)))
    assert [i.status for i in items] == [HomeworkStatus.ENDED]
    kinds = [(d.kind, d.answer) for d in await decisions(running)]
    assert kinds[-1] == ("end", "discharge")


async def test_a_chart_asked_for_as_the_bot_stops_is_answered_in_plain_words(
    running: OfflineBot,
    maya: Phone,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await new_client_note(maya, "Anna K.", areas=("Neck",))
    stopping = Pool(  # a pool of this test's own, shut down as the bot's is when it stops
        "render",
        workers=lambda: 1,
        max_tasks_per_child=1,
        initializer=render_module.quiet_worker,
        mode_variable=render_module.MODE_VARIABLE,
        log=render_module.log,
    )
    monkeypatch.setattr(render_module, "POOL", stopping)
    await stopping.shutdown()
    caplog.set_level(logging.INFO)
    await maya.send("/progress Anna")
    assert maya.last_text == "The bot is restarting — please try again in a minute."
    assert maya.photos == []
    assert "the bot is stopping" in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert "Traceback" not in caplog.text
