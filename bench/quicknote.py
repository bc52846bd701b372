"""The quick note's parser on the typed corpus: how often each field comes out exactly right,
and how long a note takes to read.

    .venv/bin/python bench/quicknote.py [--rounds 20]

Field accuracy: the share of the corpus's notes (tests/data/quicknotes.toml) whose field is
exactly what the corpus says, known misses included. Parse time: the median over all notes
and rounds of one call, and beside it, as a baseline measured in the same run, the time of a
plain `str.split()` + `str.casefold()` of the same text (what reading the words costs at
all). The machine is shared and noisy: compare figures from one run, not across runs.

With --chat N, also through the chat: the real bot against the emulator on a SQLite file,
N quick notes for a returning client (send, ✅ Save) beside N guided notes for the same
client (/note and its taps), each counted in taps and timed from the first message to
"Saved ✓" (the emulator answers at once: this is the bot's own time, not a phone's).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from practice.quicknote import parse_quick_note, vocabulary  # noqa: E402
from tests import quicknote_corpus  # noqa: E402

GOAL_MS = 5.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--chat", type=int, default=0, metavar="N")
    args = parser.parse_args()
    corpus = quicknote_corpus.load()
    vocabulary()  # read once, as the bot does at its first quick note

    def parse(text: str):  # type: ignore[no-untyped-def]
        return parse_quick_note(
            text, clients=corpus.clients, today=corpus.today, last_note=corpus.last_note
        )

    right = dict.fromkeys(quicknote_corpus.FIELDS, 0)
    whole = 0
    for case in corpus.cases:
        got = quicknote_corpus.fields_of(parse(case.text))
        hits = [got[f] == case.expected[f] for f in quicknote_corpus.FIELDS]
        for name, hit in zip(quicknote_corpus.FIELDS, hits, strict=True):
            right[name] += hit
        whole += all(hits)
    n = len(corpus.cases)
    print(f"field accuracy on {n} typed notes (% exactly right):")
    for name in quicknote_corpus.FIELDS:
        print(f"  {name:<12} {100 * right[name] / n:6.1f} %")
    print(f"  {'whole note':<12} {100 * whole / n:6.1f} %")

    parse_times: list[float] = []
    split_times: list[float] = []
    for _ in range(args.rounds):
        for case in corpus.cases:
            t0 = time.perf_counter()
            parse(case.text)
            t1 = time.perf_counter()
            [w.casefold() for w in case.text.split()]
            t2 = time.perf_counter()
            parse_times.append(t1 - t0)
            split_times.append(t2 - t1)
    median = statistics.median(parse_times) * 1000
    p95 = statistics.quantiles(parse_times, n=20)[-1] * 1000
    base = statistics.median(split_times) * 1000
    print(
        f"parse time per note, {len(parse_times)} parses: median {median:.3f} ms, "
        f"95th percentile {p95:.3f} ms (goal < {GOAL_MS:.0f} ms: "
        f"{'met' if median < GOAL_MS else 'NOT met'}); "
        f"baseline split+casefold median {base * 1000:.1f} µs, ratio {median / base:.0f}×"
    )
    if args.chat:
        asyncio.run(_chat(args.chat))
    print("(a shared, noisy machine: compare figures within one run)")


async def _chat(count: int) -> None:
    from datetime import UTC, datetime

    from demo.offline import offline_bot
    from practice.clock import FrozenClock
    from tests.chat import new_client_note

    therapist = 1001
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{folder}/bench.db"
        clock = FrozenClock(datetime(2026, 11, 25, 10, 0, tzinfo=UTC))
        async with offline_bot(url, therapist_ids=frozenset({therapist}), clock=clock) as bot:
            maya = bot.emulator.user(id=therapist, first_name="Maya")
            await new_client_note(maya, "Anna K.")
            guided: list[float] = []
            quick: list[float] = []
            guided_taps = quick_taps = 0
            for _ in range(count):
                t0 = time.perf_counter()
                await maya.send("/note")
                taps = 0
                # A returning client: last treatment preselected (the README's 8 taps).
                for label in ("Anna K.", "Done ➡️", "Done ➡️", "Medium", "6", "3"):
                    await maya.tap(label)
                    taps += 1
                await maya.tap("⏭ Skip to summary")
                await maya.tap("✅ Save")
                assert any(m.text.startswith("Saved ✓") for m in maya.messages[-3:])
                guided.append(time.perf_counter() - t0)
                guided_taps = taps + 2
                t0 = time.perf_counter()
                await maya.send("Anna K: neck, shoulders, swedish, medium. Pain 6 -> 3")
                await maya.tap("✅ Save")
                assert any(m.text.startswith("Saved ✓") for m in maya.messages[-3:])
                quick.append(time.perf_counter() - t0)
                quick_taps = 1
    g, q = statistics.median(guided), statistics.median(quick)
    print(
        f"through the chat, {count} notes each: guided /note {guided_taps} taps + 1 message, "
        f"median {g * 1000:.0f} ms; quick note 1 message + {quick_taps} tap, median "
        f"{q * 1000:.0f} ms (ratio {g / q:.1f}×)"
    )


if __name__ == "__main__":
    main()
