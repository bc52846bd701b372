"""The intake in the database: every answer kept with its date, the latest read as the
intake, and /forgetme taking the client's own answers but not the therapist's record."""

from __future__ import annotations

from datetime import timedelta

from practice.intake import cautions_of
from storage import Database
from storage.repositories.intake import CLIENT, THERAPIST
from tests.conftest import NOW


async def test_an_update_keeps_the_earlier_answer_with_its_date(database_url: str) -> None:
    db = Database(database_url)
    await db.migrate()
    later = NOW + timedelta(days=3)
    async with db.unit_of_work() as uow:
        await uow.therapists.ensure(1, "Maya", NOW)
        client = await uow.clients.add(1, "Anna", NOW)
        await uow.intake.start(client.id, NOW, "concern")
        await uow.intake.record(client.id, "conditions", ["osteoporosis"], NOW, CLIENT)
        await uow.intake.record(client.id, "medications", None, NOW, CLIENT)  # skipped
        await uow.intake.record(client.id, "conditions", ["blood_thinners"], later, CLIENT)
        await uow.commit()
    async with db.unit_of_work() as uow:
        answers = await uow.intake.answers(client.id)
        history = await uow.intake.history(client.id)
        progress = await uow.intake.progress(client.id)
    assert answers == {"conditions": ["blood_thinners"], "medications": None}
    assert [c.condition.code for c in cautions_of(answers)] == ["blood_thinners"]
    assert [(h.question, h.value, h.answered_at) for h in history] == [
        ("conditions", ["osteoporosis"], NOW),
        ("medications", None, NOW),
        ("conditions", ["blood_thinners"], later),
    ]
    assert progress is not None and progress.step == "concern"
    await db.dispose()


async def test_forgetting_takes_the_clients_answers_and_keeps_the_therapists(
    database_url: str,
) -> None:
    db = Database(database_url)
    await db.migrate()
    async with db.unit_of_work() as uow:
        await uow.therapists.ensure(1, "Maya", NOW)
        client = await uow.clients.add(1, "Anna", NOW)
        await uow.intake.start(client.id, NOW, "rf_night")
        own = await uow.intake.record(client.id, "rf_night", "yes", NOW, CLIENT)
        await uow.intake.record(client.id, "concern", "low back, after a fall", NOW, THERAPIST)
        flag = await uow.intake.raise_flag(1, client.id, "night", own.id, NOW)
        flag.decision, flag.decided_at = "seen", NOW
        await uow.erasure.forget(client, NOW)
        await uow.commit()
    async with db.unit_of_work() as uow:
        answers = await uow.intake.answers(client.id)
        flags = await uow.intake.flags(client.id)
        assert await uow.intake.progress(client.id) is None
        assert await uow.intake.flag(2, flags[0].id) is None  # another therapist's: not found
    assert answers == {"concern": "low back, after a fall"}
    assert [(f.flag, f.answer_id, f.decision) for f in flags] == [("night", None, "seen")]
    await db.dispose()
