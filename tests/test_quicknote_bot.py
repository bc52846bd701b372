"""The quick note in the chat, end to end: one message (or a photo's caption) → the note's
summary card → Save. The real Application talks HTTP to the emulator."""

from __future__ import annotations

import time
from datetime import date, timedelta

from demo.offline import OfflineBot
from emulator import Phone
from practice.clock import FrozenClock
from tests.chat import new_client_note, notes_of
from tests.conftest import MAYA, NOW
from tests.seed import seed_answered_check_ins

EXAMPLE = (
    "Anna: neck and shoulders, deep tissue + trigger point, firm. Pain 6 -> 3. Reports stiff "
    "neck after long drives. Found hypertonic R upper trap, ROM limited L rotation. "
    "Next: pec release."
)


async def send_photo(phone: Phone, running: OfflineBot, caption: str) -> None:
    """A photo with a caption, as Telegram delivers it (the photo's sizes and the caption)."""
    await phone.send("/start")  # a chat the bot may write to
    send = getattr(phone, "send_photo", None)
    if send is not None:  # the emulator's own, where it has one
        await send(caption=caption)
        return
    running.emulator.enqueue_raw(
        {
            "message": {
                "message_id": 900_000 + len(phone.messages),
                "from": phone.user_dict,
                "chat": {"id": phone.chat_id, "type": "private", "first_name": phone.first_name},
                "date": int(time.time()),
                "photo": [
                    {"file_id": "p-small", "file_unique_id": "ps", "width": 90, "height": 90},
                    {"file_id": "p-large", "file_unique_id": "pl", "width": 800, "height": 800},
                ],
                "caption": caption,
            }
        }
    )
    await phone.wait_processed()


async def client_names(running: OfflineBot) -> list[str]:
    async with running.db.unit_of_work() as uow:
        return [name for name, _ in await uow.clients.names(MAYA)]


async def test_one_message_and_one_tap_save_a_whole_note(running: OfflineBot, maya: Phone) -> None:
    await maya.send(EXAMPLE)
    card = maya.last_text
    for expected in (
        "Anna — Wed 25 Nov (today)",
        "Areas: Neck, Shoulders",
        "Techniques: Deep tissue, Trigger point",
        "Pressure: Firm",
        "Pain: 6 → 3",
        "Reports stiff neck after long drives",
        "Found hypertonic R upper trap, ROM limited L rotation",
        "pec release",
        "New client Anna?",
    ):
        assert expected in card
    assert "didn't place" not in card and "Still needed" not in card
    assert maya.all_buttons == [
        "✅ Save",
        "✏️ Edit a field",
        "📅 Change date",
        "⬅️ Back",
        "✖️ Cancel",
    ]
    await maya.tap("✅ Save")  # the second tap
    assert maya.last_text == "Saved ✓ Note #1 for Anna, 25 Nov. Pain 6 → 3."
    [note] = await notes_of(running, MAYA)
    assert (note.areas, note.techniques, note.pressure) == (
        ["neck", "shoulders"],
        ["deep", "trigger"],
        "firm",
    )
    assert (note.pain_before, note.pain_after, note.session_date) == (6, 3, date(2026, 11, 25))
    assert note.subjective == "Reports stiff neck after long drives"
    assert note.findings == "Found hypertonic R upper trap, ROM limited L rotation"
    assert (note.response, note.plan_next) == (None, "pec release")
    assert await client_names(running) == ["Anna"]


async def test_a_known_client_typed_loosely_and_yesterday(running: OfflineBot, maya: Phone) -> None:
    await new_client_note(maya, "Anna Kowalska")
    await maya.send("anna kowalsak - lower back, QL, MFR, medium. 5/10 then 2/10. yesterday")
    assert "Anna Kowalska — Tue 24 Nov" in maya.last_text
    assert "New client" not in maya.last_text
    await maya.tap("✅ Save")
    assert "Note #2 for Anna Kowalska, 24 Nov. Pain 5 → 2." in maya.last_text
    assert await client_names(running) == ["Anna Kowalska"]


async def test_two_clients_that_fit_are_a_choice(running: OfflineBot, maya: Phone) -> None:
    await new_client_note(maya, "Anna K.")
    await new_client_note(maya, "Anna B.")
    await maya.send("Anna: neck, DT, firm, 6 -> 3")
    assert "Anna K." in maya.all_buttons and "Anna B." in maya.all_buttons
    await maya.tap("Anna B.")
    assert "Anna B. — Wed 25 Nov" in maya.last_text
    assert "Areas: Neck" in maya.last_text  # what was said, not Anna B.'s last treatment
    await maya.tap("✅ Save")
    assert "Note #2 for Anna B." in maya.last_text


async def test_a_new_client_like_an_existing_one_is_asked_about(
    running: OfflineBot, maya: Phone
) -> None:
    await new_client_note(maya, "Anna K.")
    await maya.send("Anna Kay: neck, DT, firm, 6 -> 3")
    # The guided note's own look-alike question.
    assert maya.all_buttons[:2] == ["Use Anna K.", "➕ No, create “Anna Kay”"]
    await maya.tap("➕ No, create “Anna Kay”")
    assert "New client Anna Kay?" in maya.last_text
    await maya.tap("✅ Save")
    assert sorted(await client_names(running)) == ["Anna K.", "Anna Kay"]


async def test_a_missing_pain_rating_opens_the_0_to_10_keyboard(
    running: OfflineBot, maya: Phone
) -> None:
    await maya.send("Zoe: neck, DT, firm. Reports headaches")
    assert "Still needed before saving: pain before, pain after" in maya.last_text
    assert "➕ Pain before" in maya.all_buttons and "➕ Pain after" in maya.all_buttons
    answer = await maya.tap("✅ Save")
    assert answer == "Still needed: pain before, pain after"
    await maya.tap("➕ Pain before")
    assert "Pain before" in maya.last_text
    assert maya.buttons[0] == ["0", "1", "2", "3", "4", "5"]
    await maya.tap("6")
    await maya.tap("➕ Pain after")
    await maya.tap("2")
    assert "Pain: 6 → 2" in maya.last_text and "Still needed" not in maya.last_text
    await maya.tap("✅ Save")
    [note] = await notes_of(running, MAYA)
    assert (note.pain_before, note.pain_after, note.subjective) == (6, 2, "Reports headaches")


async def test_what_it_did_not_place_is_quoted_back(running: OfflineBot, maya: Phone) -> None:
    await maya.send("Zoe: neck, kinesio tape, DT, firm. Pain 6 -> 3. Cancelled the 3pm.")
    assert "I didn't place: “kinesio tape”, “Cancelled the 3pm”" in maya.last_text


async def test_same_as_last_time_takes_the_clients_previous_treatment(
    running: OfflineBot, maya: Phone
) -> None:
    await new_client_note(maya, "Ben S.", areas=("Lower back", "Hips/glutes"), pressure="Firm")
    await new_client_note(maya, "Anna K.")  # the therapist's latest note is Anna's
    await maya.send("Ben: same as last time, pain six out of ten before, three after")
    card = maya.last_text
    assert "Ben S." in card and "Areas: Lower back, Hips/glutes" in card
    assert "Techniques: Swedish" in card and "Pressure: Firm" in card
    await maya.tap("✅ Save")
    notes = [n for n in await notes_of(running, MAYA) if n.number == 2 and "hips" in n.areas]
    assert notes and (notes[0].pain_before, notes[0].pain_after) == (6, 3)


async def test_same_client_as_last_time(running: OfflineBot, maya: Phone) -> None:
    await new_client_note(maya, "Anna K.")
    await maya.send("Same client as last time: neck, DT, firm, 5 -> 2")
    assert "Anna K. — Wed 25 Nov" in maya.last_text


async def test_the_latest_check_in_is_on_the_card_and_goes_in_with_one_tap(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    await new_client_note(maya, "Anna K.")
    [client_id] = [c.id for _, c in await _clients(running)]
    await seed_answered_check_ins(running.db, MAYA, [client_id], NOW + timedelta(days=2))
    clock.set(NOW + timedelta(days=3))
    await maya.send("Anna K: neck, DT, firm, 5 -> 2")
    assert "Since last visit: pain 5 on Fri" in maya.last_text
    await maya.tap("📋 Reports: as check-in")
    assert "Client reports: As check-in: pain 5 on Fri" in maya.last_text
    assert "📋 Reports: as check-in" not in maya.all_buttons
    await maya.tap("✅ Save")
    latest = max(await notes_of(running, MAYA), key=lambda n: n.number)
    assert latest.subjective == "As check-in: pain 5 on Fri"


async def _clients(running: OfflineBot):  # type: ignore[no-untyped-def]
    async with running.db.unit_of_work() as uow:
        return await uow.clients.names(MAYA)


async def test_a_photo_caption_is_a_quick_note_and_the_photo_is_not_kept(
    running: OfflineBot, maya: Phone
) -> None:
    await send_photo(maya, running, "Zoe: glutes, MFR, medium. Pain 4 -> 1")
    assert "The photo itself is not stored" in maya.last_text
    assert "Areas: Hips/glutes" in maya.last_text
    await maya.tap("✅ Save")
    [note] = await notes_of(running, MAYA)
    assert (note.areas, note.pain_before, note.pain_after) == (["hips"], 4, 1)


async def test_a_photo_without_a_caption_outside_a_note_says_what_the_bot_reads(
    running: OfflineBot, maya: Phone
) -> None:
    await send_photo(maya, running, "")
    assert "I can't use a photo without a caption here" in maya.last_text
    assert "in a note" not in maya.last_text  # no note is open: that was the confusing part


async def test_a_sticker_outside_a_note_is_answered_and_inside_one_shows_the_note(
    running: OfflineBot, maya: Phone
) -> None:
    await maya.send_sticker("👍")
    assert "I can't use a sticker here" in maya.last_text
    await maya.send("/note")
    await maya.send_sticker("👍")
    assert "I can only read typed text in a note" in maya.last_text


async def test_a_forwarded_message_is_neither_a_note_nor_a_name(
    running: OfflineBot, maya: Phone
) -> None:
    await new_client_note(maya, "Anna K.")
    before = len(maya.messages)
    await maya.forward("Anna: neck, DT, firm, 6 -> 3", sender_name="Anna K.")
    assert "forwarded message: I didn't read it as a note" in maya.last_text
    assert len(maya.messages) == before + 1
    await maya.forward("Anna", sender_name="Anna K.")
    assert "forwarded message" in maya.last_text  # not Anna's card from a name search
    assert len(await notes_of(running, MAYA)) == 1


async def test_markup_is_shown_as_typed_and_a_huge_field_is_refused(
    running: OfflineBot, maya: Phone
) -> None:
    await maya.send("Zoe <3: neck, DT, firm, 6 -> 3. Reports <i>stiff</i> & sore <b>now")
    assert "I didn't place: “Zoe <3”" in maya.last_text
    assert "Reports <i>stiff</i> & sore <b>now" in maya.last_text
    await maya.send("/cancel")
    huge = "Zoe: neck, DT, firm, 6 -> 3. Reports " + "very stiff " * 330
    await maya.send(huge)
    assert "3,000" in maya.last_text and "Save" not in " ".join(maya.all_buttons[-1:])
    assert await notes_of(running, MAYA) == []


async def test_a_stale_save_button_saves_nothing(running: OfflineBot, maya: Phone) -> None:
    await maya.send("Zoe: neck, DT, firm, 6 -> 3")
    card = maya.last_message
    assert card is not None
    save = next(
        b["callback_data"] for row in card.inline_keyboard for b in row if b["text"] == "✅ Save"
    )
    await maya.send("/cancel")
    answer = await maya.tap_data(save, message_id=card.message_id)
    assert answer == "That button belongs to an earlier note."
    assert await notes_of(running, MAYA) == []


async def test_a_bare_name_is_still_a_search(running: OfflineBot, maya: Phone) -> None:
    await new_client_note(maya, "Anna K.")
    await maya.send("Anna")
    assert "Anna K." in maya.all_buttons
    assert "Save" not in " ".join(maya.all_buttons)
    await maya.send("Nobody")
    assert "No client matches" in maya.last_text


async def test_a_quick_note_while_a_note_is_open_replaces_nothing(
    running: OfflineBot, maya: Phone
) -> None:
    await maya.send("/note")
    await maya.tap("New client")
    await maya.send("Anna K.")
    await maya.send("Zoe: neck, DT, firm, 6 -> 3")
    # A note is open at the areas step: its typed input is read there, as before.
    assert "areas" in maya.last_text.lower()
    assert await client_names(running) == []


def test_a_quick_notes_extras_are_stored_with_the_draft() -> None:
    """The choices, the unplaced words and the check-in line live in the draft's row, like
    the rest of the note: a restart mid-draft loses none of them."""
    from datetime import UTC, datetime

    from bot.therapist.notes.state import DraftState
    from bot.therapist.notes.steps import Step
    from practice.notes import NoteDraft
    from storage.models import StoredDraft

    state = DraftState("tok", Step.CLIENT, True, NoteDraft(pain_before=6))
    state.choices = [(1, "Anna K."), (2, "Anna B.")]
    state.unplaced = ["kinesio tape"]
    state.since_last_visit = "📬 Since last visit: pain 5 on Fri"
    row = StoredDraft(therapist_id=MAYA, token="tok", step="cl", editing=True, data={})
    state.store(row, datetime(2026, 11, 25, tzinfo=UTC))
    again = DraftState.load(row)
    assert (again.choices, again.unplaced, again.since_last_visit) == (
        state.choices,
        state.unplaced,
        state.since_last_visit,
    )
    assert again.note.pain_before == 6


async def test_homework_done_since_the_last_visit_is_on_the_card(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    from sqlalchemy import select

    from storage.models import Delivery, HomeworkAssignment, HomeworkLog
    from storage.repositories.outbox import HOMEWORK, Outbox
    from tests.seed import seed_assignments

    await new_client_note(maya, "Anna K.")
    [client_id] = [c.id for _, c in await _clients(running)]
    await seed_assignments(running.db, MAYA, client_id, 1, NOW)
    async with running.db.unit_of_work() as uow:
        assignment = (await uow.session.scalars(select(HomeworkAssignment))).one()
        for offset in range(1, 7):  # six reminders sent since the session, four done
            day = NOW + timedelta(days=offset)
            uow.session.add(
                Delivery(
                    kind=HOMEWORK,
                    client_id=client_id,
                    chat_id=client_id,
                    assignment_id=assignment.id,
                    occurrence_date=day.date(),
                    occurs_at=day,
                    due_at=day,
                    status=Outbox.SENT,
                    sent_at=day,
                    created_at=day,
                )
            )
            if offset <= 4:
                uow.session.add(
                    HomeworkLog(
                        assignment_id=assignment.id,
                        occurrence_date=day.date(),
                        result="done",
                        logged_at=day,
                    )
                )
        await uow.commit()
    clock.set(NOW + timedelta(days=7))
    await maya.send("Anna K: neck, DT, firm, 5 -> 2")
    assert "Since last visit: did 4 of 6 exercises" in maya.last_text


async def test_one_rating_alone_is_read_as_before_and_the_card_says_so(
    running: OfflineBot, maya: Phone
) -> None:
    await maya.send("Zoe: R neck, DT, firm, pain 6")
    card = maya.last_text
    assert "Pain: 6 → —" in card and "Still needed before saving: pain after" in card
    assert "You gave one pain rating (6): I read it as before the session" in card
    assert "Areas: Neck, sides: right neck" in card
    await maya.tap("➕ Pain after")
    await maya.tap("3")
    assert "Pain: 6 → 3" in maya.last_text and "one pain rating" not in maya.last_text
