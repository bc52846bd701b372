"""A generated practice, busy or small, written with the project's own models in bulk.

At scale 1 (a busy practice after a few years): 2,000 clients, 50,000 notes, 30,000 check-ins,
5,000 active homework assignments with 28 days of sent reminders behind each (and the answers
the clients gave), a treatment plan per client. Three therapists share it: Maya has 60 % of
the clients, and one of hers has 300 notes. Scale 0.01 is the small practice (20 clients).

Used by bench/practice.py (timings through the emulator) and tests/test_query_plans.py (the
planner's choices on a practice big enough for them to be real). Rows are inserted with one
executemany per table and batch, so the busy practice takes seconds, not minutes.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from practice.notes import AREAS, PRESSURES, TECHNIQUES
from storage import Database
from storage.models import (
    CheckIn,
    Delivery,
    HomeworkAssignment,
    HomeworkLog,
    SessionNote,
    Therapist,
    TreatmentPlan,
)
from storage.repositories import CHECK_IN, DIGEST, HOMEWORK, Outbox, insert_clients

MAYA, LEO, IDA = 1001, 1002, 1003
# Wednesday 25 November 2026, 10:00 in London (UTC in winter), as the tests' clock.
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
BUSY = {
    "clients": 2_000,
    "notes": 50_000,
    "check_ins": 30_000,
    "assignments": 5_000,
}
HISTORY_DAYS = 28  # of sent reminders behind every active assignment
LONG_RECORD = 300  # notes of Maya's longest-standing client
FIRST_TELEGRAM_ID = 10_000_000
BATCH = 5_000

FIRST_NAMES = [
    "Anna",
    "Anton",
    "Boris",
    "Clara",
    "Daniel",
    "Elena",
    "Farid",
    "Greta",
    "Hana",
    "Igor",
    "Jana",
    "Karl",
    "Lena",
    "Marta",
    "Nina",
    "Oskar",
    "Paula",
    "Rosa",
    "Sven",
    "Tara",
    "Uma",
    "Vera",
    "Wim",
    "Xenia",
    "Yara",
    "Zoe",
    "Ali",
    "Bea",
    "Cem",
    "Dora",
    "Emil",
    "Fay",
    "Gil",
    "Hugo",
    "Ines",
    "Jon",
    "Kai",
    "Liv",
    "Mia",
    "Noa",
    "Ole",
    "Pia",
    "Rui",
    "Sara",
    "Tom",
    "Una",
    "Vito",
    "Wen",
]
SURNAMES = [
    "Kowalska",
    "Berg",
    "Novak",
    "Horvat",
    "Larsen",
    "Moreau",
    "Rossi",
    "Schmidt",
    "Silva",
    "Jansen",
    "Weber",
    "Fischer",
    "Meyer",
    "Wagner",
    "Becker",
    "Hoffmann",
    "Keller",
    "Brandt",
    "Lange",
    "Vogel",
    "Krause",
    "Hahn",
    "Koch",
    "Roth",
    "Frank",
    "Winter",
    "Sommer",
    "Arnold",
    "Lorenz",
    "Kraus",
    "Peters",
    "Stein",
    "Jung",
    "Haas",
    "Ernst",
    "Lang",
    "Otto",
    "Graf",
    "Beck",
    "Busch",
]
EXERCISES = ("chin_tuck", "upper_trapezius_stretch", "neck_rotation", "wall_angel")


@dataclass(frozen=True)
class Shape:
    """How many of each, at a scale (1 = busy)."""

    clients: int
    notes: int
    check_ins: int
    assignments: int

    @classmethod
    def at(cls, scale: float) -> Shape:
        counts = {k: max(1, round(v * scale)) for k, v in BUSY.items()}
        # Maya's long record is there at every scale (the small practice's /export of it is
        # the busy one's baseline).
        counts["notes"] = max(counts["notes"], LONG_RECORD + 2 * counts["clients"])
        return cls(**counts)


@dataclass(frozen=True)
class Practice:
    """What the benchmark and the tests need to find in it."""

    shape: Shape
    typical_client: int  # one of Maya's, on the bot, with homework and a usual record
    typical_name: str
    long_client: int  # Maya's client with LONG_RECORD notes
    long_name: str
    maya_clients: int


def _therapist_of(index: int) -> int:
    return MAYA if index % 5 < 3 else (LEO if index % 5 == 3 else IDA)


async def generate(database_url: str, scale: float = 1.0, *, now: datetime = NOW) -> Practice:
    """Migrate a fresh database at `database_url` and fill it; what was made."""
    shape = Shape.at(scale)
    rng = random.Random(17)  # the same practice every time
    db = Database(database_url)
    await db.migrate()
    try:
        async with db.engine.begin() as conn:
            practice = await _fill(conn, shape, rng, now)
    finally:
        await db.dispose()
    return practice


async def _bulk(conn: AsyncConnection, table: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), BATCH):
        await conn.execute(insert(table), rows[start : start + BATCH])


async def _fill(conn: AsyncConnection, shape: Shape, rng: random.Random, now: datetime) -> Practice:
    await _bulk(
        conn,
        Therapist,
        [
            {"id": t, "display_name": n, "created_at": now - timedelta(days=2000)}
            for t, n in ((MAYA, "Maya"), (LEO, "Leo"), (IDA, "Ida"))
        ],
    )
    today = now.date()
    # --- clients: four in five on the bot; names from a small pool, so look-alikes exist
    names: list[str] = []
    clients: list[dict[str, Any]] = []
    for i in range(shape.clients):
        name = f"{FIRST_NAMES[i % len(FIRST_NAMES)]} {SURNAMES[(i * 7) % len(SURNAMES)]}"
        if i >= len(FIRST_NAMES) * len(SURNAMES) // 2:
            name += f" {chr(65 + i % 26)}."
        names.append(name)
        on_bot = i % 5 != 4
        clients.append(
            {
                "id": i + 1,
                "therapist_id": _therapist_of(i),
                "name": name,
                "created_at": now - timedelta(days=1500 - i * 1400 // shape.clients),
                "last_note_at": None,
                "notes_count": 0,
                "telegram_user_id": FIRST_TELEGRAM_ID + i if on_bot else None,
                "joined_at": now - timedelta(days=300) if on_bot else None,
                "timezone": "Europe/London" if on_bot else None,
                "reminder_time": time(9) if on_bot else None,
            }
        )
    # --- notes: client 0 (Maya's) has the long record, the rest share the others
    per_client = [0] * shape.clients
    per_client[0] = LONG_RECORD
    for _ in range(shape.notes - LONG_RECORD):
        per_client[rng.randrange(1, shape.clients)] += 1
    notes: list[dict[str, Any]] = []
    first_note_of: dict[int, int] = {}
    area_codes, technique_codes = list(AREAS), list(TECHNIQUES)
    for i, count in enumerate(per_client):
        client_id = i + 1
        for n in range(count):
            day = today - timedelta(days=(count - n) * 1400 // max(count, 1))
            pain = max(0, 8 - n // 3 + rng.randrange(-1, 2))
            first_note_of.setdefault(client_id, len(notes) + 1)
            notes.append(
                {
                    "id": len(notes) + 1,
                    "therapist_id": clients[i]["therapist_id"],
                    "client_id": client_id,
                    "number": n + 1,
                    "session_date": day,
                    "areas": rng.sample(area_codes, 2),
                    "area_other": None,
                    "techniques": rng.sample(technique_codes, 2),
                    "technique_other": None,
                    "pressure": rng.choice(list(PRESSURES)),
                    "pain_before": min(pain + 2, 10),
                    "pain_after": pain,
                    "subjective": "Sleeps badly after long days at the desk.",
                    "findings": "Tight upper trapezius, left more than right.",
                    "response": "Eased during the session.",
                    "plan_next": "Continue, add stretching at home.",
                    "draft_token": f"gen{len(notes) + 1:027d}",
                    "created_at": datetime.combine(day, time(12), UTC),
                    "revision": 0,
                }
            )
        if count:
            clients[i]["notes_count"] = count
            clients[i]["last_note_at"] = notes[-1]["created_at"]
    for start in range(0, len(clients), BATCH):  # with their name words, as the bot adds one
        await insert_clients(conn, clients[start : start + BATCH])
    await _bulk(conn, SessionNote, notes)
    await _bulk(
        conn,
        TreatmentPlan,
        [
            {
                "therapist_id": c["therapist_id"],
                "client_id": c["id"],
                "version": 1,
                "complaint": "Stiff neck",
                "area": "neck",
                "goal": "Sleep through the night",
                "activity": None,
                "expected_sessions": 6,
                "visit_frequency": "weekly",
                "reevaluate_after": 4,
                "start_date": today - timedelta(days=60),
                "created_at": now - timedelta(days=60),
            }
            for c in clients
        ],
    )
    on_bot = [c for c in clients if c["telegram_user_id"] is not None]
    # --- check-ins: every 3-4 days, the newest last; one client in eight answered one since
    # yesterday, one in ten left the last two unanswered.
    check_ins: list[dict[str, Any]] = []
    deliveries: list[dict[str, Any]] = []
    per_bot_client = max(1, shape.check_ins // len(on_bot))
    for k, c in enumerate(on_bot):
        for n in range(per_bot_client):
            back = (per_bot_client - n) * 3.5 - 0.9
            sent = now - timedelta(days=back)
            newest = n >= per_bot_client - 2
            answered = None if (newest and k % 10 == 0) else sent + timedelta(hours=2)
            if n == per_bot_client - 1 and k % 8 == 1:
                sent, answered = now - timedelta(hours=20), now - timedelta(hours=18)
            check_ins.append(
                {
                    "id": len(check_ins) + 1,
                    "therapist_id": c["therapist_id"],
                    "client_id": c["id"],
                    "after_note_id": first_note_of.get(c["id"]),
                    "number": n,
                    "sent_at": sent,
                    "pain": rng.randrange(0, 8) if answered else None,
                    "change": rng.randrange(-2, 3) if answered else None,
                    "activity": None,
                    "comment": None,
                    "answered_at": answered,
                    "closed_at": None if newest else sent + timedelta(days=3),
                }
            )
            deliveries.append(_delivery(CHECK_IN, c, sent, Outbox.SENT, check_in_id=len(check_ins)))
    await _bulk(conn, CheckIn, check_ins)
    # --- homework: the active assignments, a daily reminder each with HISTORY_DAYS sent
    # behind it (one in ten missed), done on about 60 % of the days, the next one pending.
    assignments: list[dict[str, Any]] = []
    logs: list[dict[str, Any]] = []
    for a in range(shape.assignments):
        c = on_bot[a % len(on_bot)]
        assignment_id = a + 1
        start = today - timedelta(days=HISTORY_DAYS)
        assignments.append(
            {
                "id": assignment_id,
                "therapist_id": c["therapist_id"],
                "client_id": c["id"],
                "exercise_code": EXERCISES[a % len(EXERCISES)],
                "dose": "2 × 10",
                "rrule": "FREQ=DAILY;INTERVAL=1",
                "start_date": start,
                "end_date": None,
                "time_of_day": time(9),
                "note": None,
                "status": "active",
                "created_at": now - timedelta(days=HISTORY_DAYS),
                "updated_at": now - timedelta(days=HISTORY_DAYS),
            }
        )
        for d in range(HISTORY_DAYS):
            day = start + timedelta(days=d)
            at = datetime.combine(day, time(9), UTC)
            missed = rng.random() < 0.1
            deliveries.append(
                _delivery(
                    HOMEWORK,
                    c,
                    at,
                    Outbox.MISSED if missed else Outbox.SENT,
                    assignment_id=assignment_id,
                    day=day,
                )
            )
            if not missed and rng.random() < 0.6:
                logs.append(
                    {
                        "assignment_id": assignment_id,
                        "occurrence_date": day,
                        "result": "done",
                        "logged_at": at + timedelta(hours=1),
                    }
                )
        tomorrow = today + timedelta(days=1)
        deliveries.append(
            _delivery(
                HOMEWORK,
                c,
                datetime.combine(tomorrow, time(9), UTC),
                Outbox.PENDING,
                assignment_id=assignment_id,
                day=tomorrow,
            )
        )
    await _bulk(conn, HomeworkAssignment, assignments)
    await _bulk(conn, HomeworkLog, logs)
    # Each therapist's next morning digest, due tomorrow at 08:00 (the benchmark moves it).
    for therapist in (MAYA, LEO, IDA):
        due = datetime.combine(today + timedelta(days=1), time(8), UTC)
        deliveries.append(
            {
                **_delivery(DIGEST, None, due, Outbox.PENDING, day=due.date()),
                "chat_id": therapist,
            }
        )
    await _bulk(conn, Delivery, deliveries)
    # A typical client: Maya's, on the bot, with homework, and a record of the usual length.
    usual = (shape.notes - LONG_RECORD) / max(shape.clients - 1, 1)
    with_homework = {a["client_id"] for a in assignments}
    typical = min(
        (c for c in on_bot[1:] if c["therapist_id"] == MAYA and c["id"] in with_homework),
        key=lambda c: (abs(c["notes_count"] - usual), c["id"]),
    )
    return Practice(
        shape=shape,
        typical_client=typical["id"],
        typical_name=typical["name"],
        long_client=1,
        long_name=names[0],
        maya_clients=sum(1 for c in clients if c["therapist_id"] == MAYA),
    )


def _delivery(
    kind: str,
    client: dict[str, Any] | None,
    at: datetime,
    status: str,
    *,
    assignment_id: int | None = None,
    check_in_id: int | None = None,
    day: date | None = None,
) -> dict[str, Any]:
    sent = status == Outbox.SENT
    return {
        "kind": kind,
        "client_id": client["id"] if client else None,
        "chat_id": client["telegram_user_id"] if client else 0,
        "assignment_id": assignment_id,
        "check_in_id": check_in_id,
        "referral_id": None,
        "occurrence_date": day if day is not None else at.date(),
        "sequence": 0,
        "occurs_at": at,
        "due_at": at,
        "status": status,
        "attempts": 1 if status != Outbox.PENDING else 0,
        "lease_until": None,
        "message_id": 1 if sent else None,
        "sent_at": at if sent else None,
        "last_error": None,
        "created_at": at - timedelta(days=1),
    }
