"""The offline demo: the real bot and its users' phones played on the Bot API emulator.

No token and no network: a fresh SQLite file in a temporary folder and a frozen clock set at
a working morning. The first act is one day: a new client invited, joining and answering the
intake before her first session (with a caution the note card then shows), the note and her
next visit booked from it, a cancelled note, a plan and homework.
The second act (demo/weeks.py) is eight weeks of two clients, one improving and one not,
ending in a referral. The chat prints as a transcript; charts, the referral letter and a
record are written to the output folder; the database is read back at the end.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.shared import texts
from bot.shared.exercises import exercise_name
from demo.offline import offline_bot
from demo.weeks import play_weeks
from practice.clock import FrozenClock
from practice.decisions import DECISION_NAMES, DecisionKind, answer_words
from practice.notes import TextField
from practice.timezones import zone_clock
from reminders.planning import schedule_of
from reports.wording import count

THERAPIST_ID = 1001
CLIENT_ID = 2001
OUTPUT = Path("demo-output")  # charts, the referral letter and a record, to open afterwards
PRACTICE_ZONE = "Europe/London"
MORNING = clock_time(9, 30)  # the demo's day starts at a working morning in the practice's zone

# Anna's intake, in the order asked: typed answers as text, buttons by their label; the
# checklist's ticks end with its Done ("None of these" answers at once). Apixaban (for
# atrial fibrillation) is a blood thinner: her caution, "avoid deep pressure". No to every
# red-flag question, none of the head and neck signs.
ANNA_INTAKE: list[tuple[str, str]] = [
    ("send", "Stiff neck and right shoulder, with tension headaches after long drives"),
    ("tap", "1–3 months"),
    ("send", "Worse after driving or a day at the laptop; better after a hot shower"),
    ("send", "Sleep through the night and turn my head when I drive"),
    ("tap", "Blood thinners (e.g. warfarin, apixaban)"),
    ("tap", "Done ✓"),
    ("send", "Apixaban 5 mg twice a day, for atrial fibrillation"),
    ("tap", "No"),  # allergies to oils or lotions
    ("tap", "No"),  # pregnancy
    *[("tap", "No")] * 8,  # the red-flag questions
    ("tap", "None of these"),  # the head and neck signs: answered at once
]


def demo_start(now: datetime, zone: str = PRACTICE_ZONE) -> datetime:
    """The demo's clock: today at 09:30 in the practice's zone, or the next weekday's if
    today is a Saturday or Sunday (a first session is not logged at 23:40)."""
    day = now.astimezone(ZoneInfo(zone)).date()
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, MORNING, ZoneInfo(zone)).astimezone(UTC)


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


async def play(
    output: Path = OUTPUT, *, echo: bool = False, now: datetime | None = None
) -> list[str]:
    """Play the demo from `now` (the real time unless given: the tests pin a day, since what
    the weeks show depends on the weekday the demo starts on)."""
    started = time.monotonic()
    out = Transcript(echo=echo)
    clock = FrozenClock(demo_start(now or datetime.now(UTC)))
    local = clock.now().astimezone(ZoneInfo(PRACTICE_ZONE))
    out.append(
        f"The demo is set at {local:%A} {local.day} {local:%B %Y, %H:%M} in {PRACTICE_ZONE}, "
        "Maya's practice; its clock then jumps from one message to the next."
    )
    with tempfile.TemporaryDirectory(prefix="aftercare-demo-") as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'demo.db'}"
        async with offline_bot(
            url,
            therapist_ids=frozenset({THERAPIST_ID}),
            timezone=PRACTICE_ZONE,
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
            scene(
                "1. Before her first session: Maya invites Anna; Anna joins and answers the intake"
            )
            await maya.send("/start")
            await maya.send("/invite Anna K.")
            await maya.tap("➕ Add and invite")
            link = next(line for line in reversed(emulator.transcript()) if "start=" in line)
            token = link.rsplit("start=", 1)[-1].split()[0]
            await anna.send(f"/start {token}")
            await anna.tap("I agree")
            await anna.send("Berlin")
            for how, answer in ANNA_INTAKE:
                if how == "send":
                    await anna.send(answer)
                else:
                    await anna.tap(answer)
            await running.dispatch()

            clock.set(clock.now() + timedelta(minutes=95))  # 11:05, after the session
            scene(
                "2. After the session: Maya logs it (her intake's caution on the card; Trigger "
                "point and Deep pressure each ask once), and books the next visit from the saved "
                "note"
            )
            await maya.send("/note")
            await maya.tap("Anna K.")
            for label in ("Neck", "Shoulders", "Done"):
                await maya.tap(label)
            for label in ("Swedish", "Trigger point", "Yes, I've checked", "Done"):
                await maya.tap(label)
            await maya.tap("Deep")
            await maya.tap("Choose another")
            await maya.tap("Medium")
            await maya.tap("6")
            await maya.tap("3")
            await maya.send("Stiff neck after long drives; sleeps badly on the left side.")
            await maya.send("ROM limited in left rotation, hypertonic R upper trapezius.")
            await maya.tap("Skip ➡️")
            await maya.send("Continue neck work; add pec release. Chin tucks daily.")
            await maya.tap("Save")
            await maya.tap("📅 Next visit")
            await maya.tap("same time next week")
            await maya.tap("✅ Save")
            await running.dispatch()

            scene("3. A second note: the last treatment comes preselected; Maya cancels it")
            await maya.send("/note")
            for label in ("Anna K.", "Done", "Done", "Medium", "5", "4", "Skip to summary"):
                await maya.tap(label)
            await maya.tap("Cancel")
            await maya.tap("Yes, discard")

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
                day = note.session_date
                lines.append(
                    f"  #{note.number} {day:%a} {texts.day_month_year(day)}: "
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
                    f"{texts.short_date(decision.asked_at)}: {answer_words(decision.answer)}"
                )
            for referral, provider in await uow.records.referrals(therapist_id, client.id):
                to = provider.name if provider is not None else referral.profession
                consent = texts.CONSENT_WORDS.get(referral.consent, referral.consent)
                outcome = texts.OUTCOME_WORDS.get(referral.outcome or "", "no outcome yet")
                letter = "letter sent" if referral.letter_sent_at else "no letter yet"
                lines.append(
                    f"  Referral to {to}, {texts.short_date(referral.created_at)}: {consent}, "
                    f"{letter}, {outcome}"
                )
            linked = "on the bot" if client.telegram_user_id else "not on the bot"
            zone = zone_clock(client.timezone) if client.timezone else "no time zone yet"
            lines.append(f"  {linked}, {zone}")
        drafts = await uow.drafts.get(therapist_id)
        lines.append(f"Notes in progress: {'none' if drafts is None else 'one'}")
    return lines


def main() -> None:
    asyncio.run(play(echo=True))
