"""How well, and how fast, dictated notes are transcribed, per engine configuration.

    .venv/bin/python bench/dictation.py [--configs plain,lm-0,lm,keywords,jsgf] [--notes 48]
                                        [--jsgf-notes 3] [--save FILE] [--transcripts FILE]

The spoken set is tests/speech_corpus.py: hand-written notes said by espeak-ng in four voices
and speeds; each figure is given for all of them, for the 32 the recogniser and the parser were
tuned on (DICTATIONS), and for the 16 held out (HELD_OUT, written before that tuning and never
used for it). --save keeps the transcripts; --transcripts re-reads them (the parser's figures
again, without recognising). The notes are encoded as Telegram's OGG/Opus, decoded and
resampled as the bot does (speech.audio).
Each configuration runs in a fresh process of its own, so its peak memory (ru_maxrss) is its own.

Figures per configuration: word error rate over the set (jiwer; the transcript against the
dictated text, both lower case, punctuation dropped); "field words heard", the share of notes
whose client name, pain numbers, pressure, areas and techniques all appear in the transcript
(words, whatever the parser makes of them); the quick-note parser's field accuracy on the
transcripts (practice.quicknote with the set's clients: the share of notes whose client, areas,
techniques, pressure, pain before, pain after and date are exactly the dictation's, and whose
four free-text fields have the words the parser reads from the dictated text itself; "six" is
the share with all six of the issue's fields right, goal >= 90 % each), beside the same parser
on the dictated text as typed (the row "typed": what a perfect recogniser would give); the
real-time factor (transcription time over audio
time, median and total; goal ≤ 0.5); the engine's build time; peak memory. The plain model and
"lm-0" (the language model without the front end's dither, with the acoustic model's noise
removal, without the names' accents: as before speech/engines.py had them) are the baselines
measured in the same run. JSGF decodes at tens of times real time, so it gets
only --jsgf-notes notes. The machine is shared and noisy: times vary by some tens of percent
between runs; the error rates do not (decoding is deterministic).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import statistics
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import jiwer

from practice.notes import AREAS, TECHNIQUES, TextField
from practice.quicknote import KnownClient, QuickNoteDraft, parse_quick_note
from speech.engines import EngineSpec, engine_for
from speech.pool import transcribe_here
from speech.vocabulary import spoken_words
from tests.speech_corpus import CLIENTS, DICTATIONS, HELD_OUT, Dictation, spoken, voice_of

# The spoken set's session date is the day it is dictated: "today" (no date said).
TODAY = date(2026, 12, 2)
KNOWN = tuple(KnownClient(i, name) for i, name in enumerate(CLIENTS, start=1))
PARSED = ("client", "areas", "techniques", "pressure", "before", "after", "date")
FREE = tuple(f.value for f in TextField)
SIX = PARSED[:6]

NUMBERS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]


def field_words(d: Dictation) -> dict[str, list[str]]:
    def label_words(table: dict[str, str], codes: tuple[str, ...]) -> list[str]:
        return [w for code in codes for w in spoken_words(table[code].split("/")[0])]

    fields = {
        "client": spoken_words(d.client),
        "areas": label_words(AREAS, d.areas),
        "techniques": label_words(TECHNIQUES, d.techniques),
        "pressure": [d.pressure] if d.pressure else [],
        "pain": [NUMBERS[d.before], NUMBERS[d.after]] if d.before is not None else [],
    }
    return fields


def heard_all(words: list[str], transcript: list[str]) -> bool:
    """Every word of the field is in the transcript (numbers in their order)."""
    rest = list(transcript)
    for word in words:
        if word not in rest:
            return False
        rest = rest[rest.index(word) + 1 :]
    return True


def parse(text: str) -> QuickNoteDraft:
    return parse_quick_note(text, clients=KNOWN, today=TODAY, last_note=None)


def parsed_right(d: Dictation, transcript: str) -> dict[str, bool]:
    """Which of the parser's fields, read from the transcript, are the dictation's."""
    got = parse(transcript)
    typed = parse(d.text)
    found = got.client.client
    right = {
        "client": found is not None and found.name == d.client,
        "areas": set(got.areas) == set(d.areas),
        "techniques": set(got.techniques) == set(d.techniques),
        "pressure": got.pressure == d.pressure,
        "before": got.pain_before == d.before,
        "after": got.pain_after == d.after,
        "date": got.session_date is None,
    }
    for name in FREE:
        said = getattr(typed, name)
        heard = getattr(got, name)
        right[name] = spoken_words(said or "") == spoken_words(heard or "")
    return right


# Configurations beside the adaptations themselves: "lm-0" is the language model without the
# front end's dither, with the acoustic model's noise removal and without the names' accents
# (speech/engines.py): the baseline those are measured against in the same run (the
# vocabulary, with its pronunciations, is today's in both).
VARIANTS: dict[str, tuple[str, dict[str, Any]]] = {
    "lm-0": ("lm", {"DITHER_SHARE": 0.0, "REMOVE_NOISE": True, "ACCENT_VARIANTS": False}),
    "lm-names": ("lm", {"ACCENT_ALL_WORDS": False}),
}


def run_config(config: str, clips: list[tuple[bytes, int]], texts: list[str], out: Any) -> None:
    import speech.engines

    adaptation, settings = VARIANTS.get(config, (config, {}))
    for name, value in settings.items():
        setattr(speech.engines, name, value)
    started = time.perf_counter()
    spec = EngineSpec(adaptation=adaptation, names=CLIENTS)  # type: ignore[arg-type]
    engine_for(spec)
    build = time.perf_counter() - started
    results = [transcribe_here(data, spec) for data, _ in clips]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out.send(
        {
            "build": build,
            "hyps": [r.text for r in results],
            "rtf": [r.real_time_factor for r in results],
            "audio": sum(r.audio_seconds for r in results),
            "work": sum(r.work_seconds for r in results),
            "peak_mb": peak_mb,
            "refs": texts,
        }
    )


def measure(config: str, clips: list[tuple[bytes, int]], texts: list[str]) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(target=run_config, args=(config, clips, texts, child))
    process.start()
    figures: dict[str, Any] = parent.recv()
    process.join()
    return figures


def accuracy(dictations: tuple[Dictation, ...], transcripts: list[str]) -> dict[str, list[bool]]:
    per_field: dict[str, list[bool]] = {}
    for d, text in zip(dictations, transcripts, strict=True):
        right = parsed_right(d, text)
        right["six"] = all(right[n] for n in SIX)
        for name, ok in right.items():
            per_field.setdefault(name, []).append(ok)
    return per_field


def pct(values: list[bool]) -> str:
    return f"{100 * sum(values) / len(values):5.0f}%"


def report(
    config: str, dictations: tuple[Dictation, ...], refs: list[str], hyps: list[str]
) -> tuple[str, dict[str, list[bool]]]:
    """The row of word figures for `hyps`, and the parser's field accuracy on them."""
    wer = jiwer.wer(refs, [h if h else "<nothing>" for h in hyps])
    per_field: dict[str, list[bool]] = {}
    complete = []
    for d, hyp in zip(dictations, hyps, strict=True):
        words = spoken_words(hyp)
        results = {name: heard_all(w, words) for name, w in field_words(d).items()}
        for name, ok in results.items():
            per_field.setdefault(name, []).append(ok)
        complete.append(all(results.values()))
    row = (
        f"{config:18} {len(hyps):5d} {wer:6.3f} {pct(per_field['client']):>7} "
        f"{pct(per_field['areas']):>6} {pct(per_field['techniques']):>6} "
        f"{pct(per_field['pressure']):>6} {pct(per_field['pain']):>6} {pct(complete):>5}"
    )
    return row, accuracy(dictations, hyps)


SETS = {"tuning": DICTATIONS, "held-out": HELD_OUT}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--configs", default="plain,lm-0,lm,keywords,jsgf")
    parser.add_argument("--notes", type=int, default=len(DICTATIONS) + len(HELD_OUT))
    parser.add_argument("--jsgf-notes", type=int, default=3)
    parser.add_argument("--save", help="write the transcripts here (JSON, per configuration)")
    parser.add_argument(
        "--transcripts", help="read the transcripts from a --save file instead of recognising"
    )
    args = parser.parse_args()
    every = (DICTATIONS + HELD_OUT)[: args.notes]
    which = ["tuning"] * len(DICTATIONS) + ["held-out"] * len(HELD_OUT)
    refs = [" ".join(spoken_words(d.text)) for d in every]
    saved: dict[str, Any] = {}
    if args.transcripts:
        saved = json.loads(Path(args.transcripts).read_text(encoding="utf-8"))
        clips: list[tuple[bytes, int]] = []
    else:
        clips = [spoken(d.text, *voice_of(i)) for i, d in enumerate(every)]
        print(
            f"{len(clips)} notes ({sum(w == 'tuning' for w in which[: len(clips)])} tuning, "
            f"{sum(w == 'held-out' for w in which[: len(clips)])} held out), "
            f"{sum(s for _, s in clips)} s of audio, "
            f"{len({voice_of(i) for i in range(len(clips))})} voices/speeds"
        )
    print(
        f"{'config / set':18} {'notes':>5} {'WER':>6} {'client':>7} {'areas':>6} {'techn':>6} "
        f"{'press':>6} {'pain':>6} {'all':>5}"
    )
    parser_rows: list[tuple[str, dict[str, list[bool]]]] = []
    for name, group in (("all", every), *SETS.items()):
        chosen = tuple(d for d in group if d in every)
        parser_rows.append((f"typed / {name}", accuracy(chosen, [d.text for d in chosen])))
    timing: list[str] = []
    for config in args.configs.split(","):
        count = args.jsgf_notes if config == "jsgf" else len(every)
        if config in saved:
            figures = saved[config]
        else:
            figures = measure(config, clips[:count], refs[:count])
            saved[config] = figures
        hyps: list[str] = figures["hyps"]
        count = len(hyps)
        for name in ("all", *SETS):
            keep = [i for i in range(count) if name == "all" or which[i] == name]
            if not keep:
                continue
            row, per_field = report(
                f"{config} / {name}",
                tuple(every[i] for i in keep),
                [refs[i] for i in keep],
                [hyps[i] for i in keep],
            )
            print(row)
            parser_rows.append((f"{config} / {name}", per_field))
        timing.append(
            f"{config:9} {statistics.median(figures['rtf']):8.3f} "
            f"{figures['work'] / figures['audio']:8.3f} {figures['build']:8.2f} "
            f"{figures['peak_mb']:8.0f}"
        )
    print()
    print(f"{'config':9} {'RTF med':>8} {'RTF all':>8} {'build s':>8} {'peak MB':>8}")
    print("\n".join(timing))
    print()
    print("the quick-note parser on the transcripts (% of notes with the field exactly right):")
    names = (*PARSED, *FREE, "six")
    print(f"{'config / set':18} {'notes':>5} " + " ".join(f"{n[:7]:>7}" for n in names))
    for label, per_field in parser_rows:
        cells = " ".join(f"{pct(per_field[n]):>7}" for n in names)
        print(f"{label:18} {len(per_field['six']):5d} {cells}")
    if args.save:
        Path(args.save).write_text(json.dumps(saved, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
