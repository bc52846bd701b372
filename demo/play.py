"""The offline demo: the real bot and its users' phones played on the Bot API emulator.

No token and no network: a fresh SQLite file in a temporary folder and a frozen clock. The
first act is one day: a complete note, a cancelled one, a client joining, a plan and homework.
The second act (demo/weeks.py) is eight weeks of two clients, one improving and one not,
ending in a referral. The chat prints as a transcript; charts, the referral letter and a
record are written to the output folder; the database is read back at the end.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from bot.shared import texts
from bot.shared.exercises import exercise_name
from demo.offline import offline_bot
from demo.weeks import play_weeks
from practice.clock import FrozenClock
from practice.decisions import DECISION_NAMES, DecisionKind, answer_words
from practice.notes import TextField
from reminders.planning import schedule_of
from reports.wording import count

THERAPIST_ID = 1001
CLIENT_ID = 2001
OUTPUT = Path("demo-output")  # charts, the referral letter and a record, to open afterwards


class Transcript(list[str]):
    """The demo's lines; with `echo`, each is printed as it comes (the demo takes a while)."""

    def __init__(self, *, echo: bool) -> None:
        super().__init__()
        self.echo = echo

    def append(self, line: str) -> None:
        super().append(line)
        if self.echo:
            print(line, flush=True)

    def extend(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.append(line)


async def play(output: Path = OUTPUT, *, echo: bool = False) -> list[str]:
    started = time.monotonic()
    out = Transcript(echo=echo)
    clock = FrozenClock(datetime.now(UTC).replace(microsecond=0))
    with tempfile.TemporaryDirectory(prefix="aftercare-demo-") as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'demo.db'}"
        async with offline_bot(
            url,
            therapist_ids=frozenset({THERAPIST_ID}),
            timezone="Europe/London",
            clock=clock,
        ) as running:
            emulator = running.emulator
            shown = 0

            def scene(title: str) -> None:
                """Print the chat since the last scene, under the last scene's title."""
                nonlocal shown
                lines = emulator.transcript()
                out.extend(lines[shown:])
                shown = len(lines)
                out.extend(["", f"── {title} ──", ""])

            maya = emulator.user(id=THERAPIST_ID, first_name="Maya")
            anna = emulator.user(id=CLIENT_ID, first_name="Anna")
            scene("1. Maya logs a new client's first session")
            await maya.send("/start")
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

            scene("2. A second note: the last treatment comes preselected; Maya cancels it")
            await maya.send("/note")
            for label in ("Anna K.", "Done", "Done", "Medium", "5", "4", "Skip to summary"):
                await maya.tap(label)
            await maya.tap("Cancel")
            await maya.tap("Yes, discard")

            scene("3. Anna joins the bot with her invite link")
            await maya.send("/invite Anna")
            link = next(line for line in reversed(emulator.transcript()) if "start=" in line)
            token = link.rsplit("start=", 1)[-1].split()[0]
            await anna.send(f"/start {token}")
            await anna.tap("I agree")
            await anna.send("Berlin")

            scene("4. Maya sets Anna's treatment plan; Anna receives it")
            await maya.send("/plan Anna")
            await maya.send("Stiff neck, tension headaches")
            await maya.tap("Neck")
            await maya.send("Sleep through the night without neck pain")
            await maya.send("Turn my head to check the blind spot while driving")
            for label in ("6", "Weekly", "4", "Today", "Save"):
                await maya.tap(label)

            scene("5. Maya gives Anna homework; it arrives at once")
            await maya.send("/homework Anna")
            await maya.tap("Add exercise")
            for label in ("Chin tucks", "Keep", "Every day", "08:00", "4 wk"):
                await maya.tap(label)
            await maya.send("After your morning shower, when the muscles are warm.")
            await maya.tap("Save")
            await anna.send("/start")

            out.extend(emulator.transcript()[shown:])  # the end of act one
            files = await play_weeks(running, clock, out, output)
            shown = len(emulator.transcript())
            scene("Read back from the database")
            out.extend(await _read_back(running.db, THERAPIST_ID))
    out.append(f"\nDemo finished in {time.monotonic() - started:.1f} s, offline.")
    if files:
        out.append(f"Open them in {output}/: {', '.join(files)}")
    return out


async def _read_back(db: object, therapist_id: int) -> list[str]:
    """What the database holds, in the words the bot uses (not its stored codes)."""
    from storage import Database

    assert isinstance(db, Database)
    lines: list[str] = []
    async with db.unit_of_work() as uow:
        for name, client in await uow.clients.names(therapist_id):
            page = await uow.notes.page(therapist_id, client.id, offset=0, limit=50)
            lines.append(f"Client: {name} — {count(page.total, 'note')}")
            for note in reversed(page.notes):
                lines.append(
                    f"  #{note.number} {note.session_date:%a %d %b %Y}: "
                    f"pain {note.pain_before} → {note.pain_after}, "
                    f"{texts.area_labels(note.areas, note.area_other)} · "
                    f"{texts.technique_labels(note.techniques, note.technique_other)} · "
                    f"{texts.pressure_label(note.pressure)}"
                )
                for which in TextField:
                    if value := getattr(note, which.value):
                        lines.append(f"      {texts.FIELD_LABELS[which]}: {value}")
            plan = await uow.plans.current(therapist_id, client.id)
            if plan is not None:
                lines.append(
                    f"  Plan v{plan.version}: {plan.goal}; "
                    f"{count(plan.expected_sessions, 'session')}, "
                    f"re-evaluate after {plan.reevaluate_after}"
                )
            for item in await uow.homework.current(therapist_id, client.id):
                exercise = await exercise_name(uow, therapist_id, item.exercise_code)
                lines.append(f"  Homework: {exercise}, {item.dose}, {schedule_of(item).describe()}")
            for decision in await uow.records.decisions(therapist_id, client.id):
                kind = DECISION_NAMES.get(DecisionKind(decision.kind), decision.kind)
                lines.append(
                    f"  Decision after session {decision.at_session} ({kind}), "
                    f"{decision.asked_at:%d %b}: {answer_words(decision.answer)}"
                )
            for referral, provider in await uow.records.referrals(therapist_id, client.id):
                to = provider.name if provider is not None else referral.profession
                consent = texts.CONSENT_WORDS.get(referral.consent, referral.consent)
                outcome = texts.OUTCOME_WORDS.get(referral.outcome or "", "no outcome yet")
                letter = "letter sent" if referral.letter_sent_at else "no letter yet"
                lines.append(
                    f"  Referral to {to}, {referral.created_at:%d %b}: {consent}, {letter}, "
                    f"{outcome}"
                )
            linked = "on the bot" if client.telegram_user_id else "not on the bot"
            lines.append(f"  {linked}, time zone {client.timezone or '—'}")
        drafts = await uow.drafts.get(therapist_id)
        lines.append(f"Notes in progress: {'none' if drafts is None else 'one'}")
    return lines


def main() -> None:
    asyncio.run(play(echo=True))
