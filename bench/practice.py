"""A busy practice against a small one, through the emulator with the real bot.

    .venv/bin/python bench/practice.py [--scale 1] [--repeat 5] [--fresh]

Generates (bench/busy_practice.py) a busy practice — at --scale 1: 2,000 clients, 50,000
notes, 30,000 check-ins, 5,000 active assignments, 28 days of outbox history — and a small
one (1/100 of it), each a SQLite file kept in a cache folder between runs (regenerated when
the generator, the models or the migrations change, or with --fresh). Each run works on a
copy. Then, for each, Maya (who has 60 % of the clients) does the same things through the
Bot API emulator with the real bot (`offline_bot`, the code production runs): /clients, a
client's card, /history's first and last page of her 300-note client, /progress, /export of
a typical client and of the 300-note one, the new-client look-alike check, a search, the
morning digest end to end (claimed, built, sent, settled), and /note while the digest is
being built. Each figure is the median of --repeat tries; the ratios busy / small are the
figures to compare between machines (this one is shared and noisy). Last, the SQLite file's
bytes per note, per check-in and per outbox row (their tables and indexes, from dbstat).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import hashlib
import json
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import update  # noqa: E402

from bench.busy_practice import MAYA, NOW, Practice, Shape, generate  # noqa: E402
from bot.shared.callbacks import ClientCard, ExportFor, HistoryPage, ProgressOf  # noqa: E402
from demo.offline import OfflineBot, offline_bot  # noqa: E402
from emulator import Phone  # noqa: E402
from practice.clock import FrozenClock  # noqa: E402
from storage.models import Delivery  # noqa: E402
from storage.repositories import DIGEST, Outbox  # noqa: E402

CACHE = Path.home() / ".cache" / "aftercare-bench"
PAGE = 5  # notes per /history page (bot/therapist/history.py)


def _cache_key(scale: float) -> str:
    """Changes when anything that shapes the generated file does."""
    digest = hashlib.sha256(str(scale).encode())
    sources = [ROOT / "bench" / "busy_practice.py", ROOT / "storage" / "models.py"]
    sources += sorted((ROOT / "storage" / "migrations" / "versions").glob("*.py"))
    for path in sources:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


async def practice_file(scale: float, fresh: bool) -> tuple[Path, Practice]:
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"practice-{scale:g}-{_cache_key(scale)}.db"
    meta = path.with_suffix(".json")
    if fresh or not path.exists() or not meta.exists():
        for old in CACHE.glob(f"practice-{scale:g}-*"):
            old.unlink()
        started = time.perf_counter()
        partial = path.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        made = await generate(f"sqlite+aiosqlite:///{partial}", scale)
        partial.rename(path)
        meta.write_text(json.dumps(dataclasses.asdict(made)))
        print(f"  generated scale {scale:g} in {time.perf_counter() - started:.1f} s: {path}")
    found = json.loads(meta.read_text())
    return path, Practice(**{**found, "shape": Shape(**found["shape"])})


async def _timed(repeat: int, action: Callable[[], Awaitable[object]]) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        await action()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


async def _digest_due(bot: OfflineBot) -> None:
    """Maya's next digest, due now (the dispatcher plans the one after it when settled)."""
    async with bot.db.unit_of_work() as uow:
        await uow.session.execute(
            update(Delivery)
            .where(
                Delivery.kind == DIGEST,
                Delivery.chat_id == MAYA,
                Delivery.status == Outbox.PENDING,
            )
            .values(due_at=bot.clock.now() - timedelta(minutes=1))
        )
        await uow.commit()


async def measure(path: Path, made: Practice, repeat: int) -> dict[str, float]:
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "practice.db"
        shutil.copy(path, db)
        clock = FrozenClock(NOW)
        async with offline_bot(
            f"sqlite+aiosqlite:///{db}",
            therapist_ids=frozenset({MAYA}),
            clock=clock,
            timezone="Europe/London",
            read_timeout=30.0,
        ) as bot:
            maya = bot.emulator.user(id=MAYA, first_name="Maya")
            await maya.send("/start")

            async def tap(data: str) -> None:
                await maya.tap_data(data, timeout=60)

            figures["/clients"] = await _timed(repeat, lambda: maya.send("/clients"))
            figures["client card"] = await _timed(
                repeat, lambda: tap(ClientCard(made.typical_client).encode())
            )
            figures["/history first page"] = await _timed(
                repeat, lambda: tap(HistoryPage(made.long_client, 0).encode())
            )
            last = (300 - 1) // PAGE * PAGE
            figures["/history last page"] = await _timed(
                repeat, lambda: tap(HistoryPage(made.long_client, last).encode())
            )
            figures["/progress"] = await _timed(
                repeat, lambda: tap(ProgressOf(made.typical_client).encode())
            )
            figures["/export typical"] = await _timed(
                repeat, lambda: tap(ExportFor(made.typical_client).encode())
            )
            figures["/export 300 notes"] = await _timed(
                repeat, lambda: tap(ExportFor(made.long_client).encode())
            )
            figures["new-client check"] = await _new_client_check(maya, made, repeat)
            query = " ".join(w[:3] for w in made.typical_name.split())
            figures["search"] = await _timed(repeat, lambda: maya.send(query))
            figures["/note alone"] = await _note_alone(maya, repeat)
            digest, during = await _digest_and_note(bot, maya, repeat)
            figures["morning digest"] = digest
            figures["/note during digest"] = during
    return figures


async def _new_client_check(maya: Phone, made: Practice, repeat: int) -> float:
    """The look-alike check: the time from typing a new client's name to the next card."""
    typed = made.typical_name.replace(made.typical_name[-1], "y")  # one letter off
    samples = []
    for _ in range(repeat):
        await maya.send("/note")
        await maya.tap("New client")
        started = time.perf_counter()
        await maya.send(typed)
        samples.append(time.perf_counter() - started)
        await maya.send("/cancel")
    return statistics.median(samples)


async def _note_alone(maya: Phone, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        await maya.send("/note")
        samples.append(time.perf_counter() - started)
        await maya.send("/cancel")
    return statistics.median(samples)


async def _digest_and_note(bot: OfflineBot, maya: Phone, repeat: int) -> tuple[float, float]:
    """The digest from due to delivered; and /note sent while it is being built."""
    digests, notes = [], []
    for _ in range(repeat):
        await _digest_due(bot)
        before = maya.last_message_id
        started = time.perf_counter()
        sending = asyncio.create_task(bot.dispatch())
        await asyncio.sleep(0.01)  # the dispatcher has claimed and is building it
        note_started = time.perf_counter()
        await maya.send("/note", timeout=120)
        notes.append(time.perf_counter() - note_started)
        await sending
        await maya.wait_for_message(lambda m: m.text.startswith("☀️"), since=before, timeout=120)
        digests.append(time.perf_counter() - started)
        await maya.send("/cancel")
        bot.clock.advance(timedelta(seconds=1))  # type: ignore[attr-defined]
    return statistics.median(digests), statistics.median(notes)


def sizes(path: Path) -> dict[str, float]:
    """Bytes of the file per note, per check-in and per outbox row (table and its indexes)."""
    with sqlite3.connect(path) as conn:
        per: dict[str, float] = {}
        for table, label in (
            ("session_notes", "note"),
            ("check_ins", "check-in"),
            ("deliveries", "outbox row"),
        ):
            count = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            size = conn.execute(
                "SELECT sum(d.pgsize) FROM dbstat d JOIN sqlite_schema s ON s.name = d.name "
                "WHERE s.tbl_name = ?",
                (table,),
            ).fetchone()[0]
            per[label] = size / max(count, 1)
            per[f"{label} rows"] = count
        per["file MB"] = path.stat().st_size / 1e6
    return per


async def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scale", type=float, default=1.0, help="the busy practice (1 = 2,000 clients)"
    )
    parser.add_argument("--repeat", type=int, default=5, help="tries per figure (the median)")
    parser.add_argument("--fresh", action="store_true", help="generate again, ignoring the cache")
    args = parser.parse_args(argv)
    small_scale = args.scale / 100
    print("(one shared, noisy machine: compare the ratios, not the milliseconds)")
    busy_path, busy = await practice_file(args.scale, args.fresh)
    small_path, small = await practice_file(small_scale, args.fresh)
    busy_figures = await measure(busy_path, busy, args.repeat)
    small_figures = await measure(small_path, small, args.repeat)
    print(
        f"busy: {busy.shape.clients} clients ({busy.maya_clients} Maya's), {busy.shape.notes} "
        f"notes, {busy.shape.check_ins} check-ins, {busy.shape.assignments} assignments; "
        f"small: {small.shape.clients} clients, {small.shape.notes} notes"
    )
    print(f"{'median of ' + str(args.repeat):<22}{'busy':>10}{'small':>10}{'ratio':>8}")
    for name, busy_s in busy_figures.items():
        small_s = small_figures[name]
        print(
            f"{name:<22}{busy_s * 1000:8.1f}ms{small_s * 1000:8.1f}ms"
            f"{busy_s / max(small_s, 1e-9):7.2f}×"
        )
    print(
        "/note during digest vs /note alone (busy): "
        f"{busy_figures['/note during digest'] / busy_figures['/note alone']:.2f}×"
    )
    for label, path in (("busy", busy_path), ("small", small_path)):
        s = sizes(path)
        print(
            f"SQLite file, {label}: {s['file MB']:.1f} MB; bytes per note {s['note']:.0f} "
            f"({s['note rows']:.0f}), per check-in {s['check-in']:.0f} ({s['check-in rows']:.0f}), "
            f"per outbox row {s['outbox row']:.0f} ({s['outbox row rows']:.0f})"
        )


if __name__ == "__main__":
    asyncio.run(main())
