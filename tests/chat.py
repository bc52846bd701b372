"""Short chats the tests repeat: a whole note, and reading notes back from the database."""

from __future__ import annotations

from demo.offline import OfflineBot
from emulator import Phone
from storage.models import SessionNote


async def new_client_note(
    phone: Phone,
    name: str = "Anna K.",
    *,
    areas: tuple[str, ...] = ("Neck", "Shoulders"),
    techniques: tuple[str, ...] = ("Swedish",),
    pressure: str = "Medium",
    before: str = "6",
    after: str = "3",
) -> int:
    """A complete note for a new client, free text skipped. Returns the number of taps."""
    taps = 0
    await phone.send("/note")
    await phone.tap("New client")
    taps += 1
    await phone.send(name)
    for label in (*areas, "Done", *techniques, "Done", pressure, before, after):
        await phone.tap(label)
        taps += 1
    await phone.tap("Skip to summary")
    await phone.tap("Save")
    return taps + 2


async def skip_intake(phone: Phone) -> None:
    """A client who has just joined skips every intake question (bot/client/intake.py)."""
    while "that's everything" not in phone.last_text:
        await phone.tap("Skip")


async def past_the_letterhead(therapist: Phone, name: str = "Maya") -> None:
    """The referral form asks a therapist whose /profile is unset for their letterhead: here,
    for a test about something else, the name alone (as the letter printed before), with no
    practice and no phone or email. With a name already kept, only the contact is asked."""
    if "how should it be signed" in therapist.last_text:
        await therapist.send(name)
        await therapist.tap("Skip")  # no practice
    if "reach you" in therapist.last_text:
        await therapist.tap("Skip")  # no phone or email


async def allow(client: Phone) -> None:
    """The client allows a referral's summary, and skips the letter's two optional questions
    (their date of birth, a phone or email), which the letter waits for."""
    await client.tap("✅ Allow")
    for asked in ("date of birth", "phone number or email"):
        if asked in client.last_text:
            await client.tap("Skip")


async def notes_of(running: OfflineBot, therapist_id: int) -> list[SessionNote]:
    async with running.db.unit_of_work() as uow:
        notes: list[SessionNote] = []
        for _, client in await uow.clients.names(therapist_id):
            page = await uow.notes.page(therapist_id, client.id, offset=0, limit=1000)
            notes += page.notes
        return notes
