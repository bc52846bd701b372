"""The offline demo: the real bot and a therapist's phone played on the Bot API emulator.

No token and no network: a fresh SQLite file in a temporary folder, a complete note, a cancelled
one, the chat as a transcript, and the saved note read back from the database.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

from bot import texts
from bot.offline import offline_bot
from practice.notes import TextField

THERAPIST_ID = 1001


async def play() -> list[str]:
    started = time.monotonic()
    out: list[str] = []
    with tempfile.TemporaryDirectory(prefix="aftercare-demo-") as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'demo.db'}"
        async with offline_bot(url, therapist_ids=frozenset({THERAPIST_ID})) as running:
            maya = running.emulator.user(id=THERAPIST_ID, first_name="Maya")
            await maya.send("/start")

            # A new client's first note, typed and tapped as on a phone.
            await maya.send("/note")
            await maya.tap("New client")
            await maya.send("Anna K.")
            for label in ("Neck", "Shoulders", "Done"):
                await maya.tap(label)
            for label in ("Swedish", "Trigger point", "Done"):
                await maya.tap(label)
            await maya.tap("Medium")
            await maya.tap("6")
            await maya.tap("3")
            await maya.send("Stiff neck after long drives; sleeps badly on the left side.")
            await maya.send("ROM limited in left rotation, hypertonic R upper trapezius.")
            await maya.tap("Skip ➡️")
            await maya.send("Continue neck work; add pec release. Chin tucks daily.")
            await maya.tap("Save")

            # A second note for the same client: the last treatment comes preselected. Cancelled.
            await maya.send("/note")
            for label in ("Anna K.", "Done", "Done", "Medium", "5", "4", "Skip to summary"):
                await maya.tap(label)
            await maya.tap("Cancel")
            await maya.tap("Yes, discard")

            out += ["", "── The chat, as the therapist's phone shows it ──", ""]
            out += running.emulator.transcript()
            out += ["", "── Read back from the database ──", ""]
            out += await _read_back(running.db, THERAPIST_ID)
    out.append(f"\nDemo finished in {time.monotonic() - started:.1f} s, offline.")
    return out


async def _read_back(db: object, therapist_id: int) -> list[str]:
    from storage import Database

    assert isinstance(db, Database)
    lines: list[str] = []
    async with db.unit_of_work() as uow:
        for name, client in await uow.clients.names(therapist_id):
            page = await uow.notes.page(therapist_id, client.id, offset=0, limit=50)
            lines.append(f"Client: {name} — {page.total} note(s)")
            for note in page.notes:
                lines.append(
                    f"  Note #{note.number}, {note.session_date:%a %d %b %Y}: "
                    f"pain {note.pain_before} → {note.pain_after}, "
                    f"pressure {texts.pressure_label(note.pressure)}"
                )
                lines.append(f"    Areas: {texts.area_labels(note.areas, note.area_other)}")
                techniques = texts.technique_labels(note.techniques, note.technique_other)
                lines.append(f"    Techniques: {techniques}")
                for which in TextField:
                    value = getattr(note, which.value)
                    lines.append(f"    {texts.FIELD_LABELS[which]}: {value or '—'}")
        drafts = await uow.drafts.get(therapist_id)
        lines.append(f"Notes in progress: {'none' if drafts is None else 'one'}")
    return lines


def main() -> None:
    for line in asyncio.run(play()):
        print(line)
