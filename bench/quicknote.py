"""The quick note's parser on the typed corpus: how often each field comes out exactly right,
and how long a note takes to read.

    .venv/bin/python bench/quicknote.py [--rounds 20]

Field accuracy: the share of the corpus's notes (tests/data/quicknotes.toml) whose field is
exactly what the corpus says, known misses included. Parse time: the median over all notes
and rounds of one call, and beside it, as a baseline measured in the same run, the time of a
plain `str.split()` + `str.casefold()` of the same text (what reading the words costs at
all). The machine is shared and noisy: compare figures from one run, not across runs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
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
    print("(a shared, noisy machine: compare figures within one run)")


if __name__ == "__main__":
    main()
