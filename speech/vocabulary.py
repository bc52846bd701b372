"""What a dictated note may say, as a recogniser wants it: the phrases, a few hundred synthetic
notes made of them, and the three ways PocketSphinx can be told about them (a language model,
a grammar, a keyword list; speech/engines.py uses them, bench/dictation.py compares them).

Each word is stated once: the areas, techniques, pressures, cue words, "same as last time"
and the number words are the quick-note parser's own (practice/quicknote.toml), the plans
include the exercise library's names (practice/exercises.toml); speech/vocabulary.toml adds
only what the recogniser alone needs: the words around a rating or a date (the parser reads
those by pattern), the pieces the free-text fields of synthetic notes are made of, and
pronunciations the pronouncing dictionary lacks. The client names are the therapist's own,
passed in per request.
"""

from __future__ import annotations

import math
import random
import re
import tomllib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from practice.exercises import load_library
from practice.quicknote import Meaning
from practice.quicknote import vocabulary as quicknote_vocabulary

__all__ = [
    "Vocabulary",
    "arpa_language_model",
    "jsgf_grammar",
    "keyword_list",
    "spoken_words",
    "synthetic_notes",
    "vocabulary",
]

_WORD = re.compile(r"[a-z']+")
# The share of synthetic notes that use each area's and technique's usual word, the rest any
# of the parser's words for it.
COMMON_SHARE = 0.6


def spoken_words(text: str) -> list[str]:
    """The words of a phrase as a recogniser spells them: lower case, letters only ("Pec
    release." → ["pec", "release"])."""
    return _WORD.findall(text.lower())


@dataclass(frozen=True)
class Vocabulary:
    areas: tuple[str, ...]
    techniques: tuple[str, ...]
    pressures: tuple[str, ...]
    cues: tuple[str, ...]
    numbers: tuple[str, ...]
    complaints: tuple[str, ...]
    findings: tuple[str, ...]
    responses: tuple[str, ...]
    plans: tuple[str, ...]
    # The phrase most said for each area and technique, which synthetic notes favour.
    common_areas: tuple[str, ...] = ()
    common_techniques: tuple[str, ...] = ()
    # A word's pronunciations, the usual first (a string in the TOML for one, a list for more).
    pronunciations: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def phrases(self) -> tuple[str, ...]:
        """Every phrase, each once, in a stable order."""
        seen: dict[str, None] = {}
        for group in (
            self.areas,
            self.techniques,
            self.pressures,
            self.cues,
            self.numbers,
            self.complaints,
            self.findings,
            self.responses,
            self.plans,
        ):
            seen.update(dict.fromkeys(group))
        return tuple(seen)

    def words(self, names: Iterable[str] = ()) -> set[str]:
        found = {word for phrase in self.phrases() for word in spoken_words(phrase)}
        found.update(word for name in names for word in spoken_words(name))
        return found


def _sayable(phrase: str) -> bool:
    """A phrase a therapist would say as written: words of letters, no "c/o" or "+", and not a
    one-letter label ("S:", "P:")."""
    return bool(re.fullmatch(r"[a-z' -]+", phrase)) and len(phrase.replace(" ", "")) > 1


def _by_kind(phrases: Mapping[str, Meaning], *kinds: str) -> tuple[str, ...]:
    return tuple(
        " ".join(spoken_words(p)) for p, m in phrases.items() if m.kind in kinds and _sayable(p)
    )


def _first_per_code(phrases: Mapping[str, Meaning], kind: str) -> tuple[str, ...]:
    """Each code's first phrase in practice/quicknote.toml: the word most therapists say."""
    first: dict[tuple[str, ...], str] = {}
    for phrase, meaning in phrases.items():
        if meaning.kind == kind and len(meaning.codes) == 1 and _sayable(phrase):
            first.setdefault(meaning.codes, phrase)
    return tuple(first.values())


@cache
def vocabulary() -> Vocabulary:
    """The parser's own words (practice/quicknote.toml), the exercise library's names (a plan
    says "chin tucks"), and speech/vocabulary.toml's pieces of the free-text fields."""
    data = tomllib.loads(resources.files("speech").joinpath("vocabulary.toml").read_text("utf-8"))
    parser = quicknote_vocabulary()
    phrases = parser.phrases
    numbers = tuple(
        next(word for word, value in parser.numbers.items() if value == n) for n in range(11)
    )
    exercises = tuple(" ".join(spoken_words(e.name)) for e in load_library())
    return Vocabulary(
        areas=_by_kind(phrases, "area"),
        techniques=_by_kind(phrases, "technique"),
        pressures=_by_kind(phrases, "pressure"),
        cues=tuple(
            dict.fromkeys(
                (
                    *(" ".join(spoken_words(c)) for c in parser.cues if _sayable(c)),
                    *_by_kind(phrases, "same_treatment", "same_client", "filler"),
                    *(w for w in parser.numbers if w not in numbers),
                    *data["phrasing"],
                )
            )
        ),
        numbers=numbers,
        complaints=tuple(data["complaints"]),
        findings=tuple(data["findings"]),
        responses=tuple(data["responses"]),
        plans=tuple(dict.fromkeys((*data["plans"], *exercises))),
        common_areas=_first_per_code(phrases, "area"),
        common_techniques=_first_per_code(phrases, "technique"),
        pronunciations={
            word: (said,) if isinstance(said, str) else tuple(said)
            for word, said in data.get("pronunciations", {}).items()
        },
    )


def _some(rng: random.Random, items: Sequence[str], most: int) -> list[str]:
    return rng.sample(list(items), rng.randint(1, min(most, len(items))))


def _joined(rng: random.Random, items: list[str], joiner: str) -> str:
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + f" {joiner} " + items[-1]


def _pain(rng: random.Random, numbers: Sequence[str]) -> str:
    before = rng.randint(3, 9)
    after = rng.randint(0, before)
    b, a = numbers[before], numbers[after]
    return rng.choice(
        [
            f"pain {b} to {a}",
            f"pain {b} down to {a}",
            f"pain {b} then {a}",
            f"{b} out of ten before, {a} after",
            f"pain {b} out of ten then {a} out of ten",
        ]
    )


def synthetic_notes(vocab: Vocabulary, names: Sequence[str], count: int, seed: int) -> list[str]:
    """`count` notes as a therapist might dictate them, for a language model to learn from.

    Each names a client (or "same client as last time"), areas, techniques, a pressure and the
    pain before and after, then some of the four free-text fields after their cue words.
    """
    rng = random.Random(seed)
    notes: list[str] = []
    for _ in range(count):
        parts: list[str] = []
        if names and rng.random() < 0.9:
            parts.append(rng.choice(list(names)).lower())
        else:
            parts.append("same client as last time")
        if rng.random() < 0.15:
            parts.append("same as last time")
        else:
            areas = vocab.common_areas if rng.random() < COMMON_SHARE else vocab.areas
            techniques = (
                vocab.common_techniques if rng.random() < COMMON_SHARE else vocab.techniques
            )
            parts.append(_joined(rng, _some(rng, areas or vocab.areas, 3), "and"))
            parts.append(
                _joined(
                    rng, _some(rng, techniques or vocab.techniques, 2), rng.choice(["and", "plus"])
                )
            )
            parts.append(rng.choice(vocab.pressures) + rng.choice(["", " pressure"]))
        parts.append(_pain(rng, vocab.numbers))
        if rng.random() < 0.8:
            cue = rng.choice(["reports", "says", "complains of"])
            parts.append(f"{cue} {rng.choice(vocab.complaints)}")
        if rng.random() < 0.7:
            parts.append(
                f"{rng.choice(['found', 'noted', 'palpated'])} {rng.choice(vocab.findings)}"
            )
        if rng.random() < 0.5:
            parts.append(f"responded {rng.choice(vocab.responses)}")
        if rng.random() < 0.7:
            cue = rng.choice(["next time", "plan", "next"])
            parts.append(f"{cue} {rng.choice(vocab.plans)}")
        notes.append(". ".join(parts))
    return notes


def arpa_language_model(sentences: Iterable[str], *, order: int = 3, discount: float = 0.5) -> str:
    """A back-off n-gram model in ARPA text form, with absolute discounting.

    Each n-gram of the corpus keeps its count less `discount`; what is taken from a history
    goes to its back-off weight, so any word of the vocabulary can follow any other (through
    the unigrams) while the phrases of the corpus are preferred.
    """
    counts: list[Counter[tuple[str, ...]]] = [Counter() for _ in range(order + 1)]
    for sentence in sentences:
        words = ["<s>", *spoken_words(sentence), "</s>"]
        for n in range(1, order + 1):
            for i in range(len(words) - n + 1):
                counts[n][tuple(words[i : i + n])] += 1
    histories: list[Counter[tuple[str, ...]]] = [Counter() for _ in range(order + 1)]
    followers: list[Counter[tuple[str, ...]]] = [Counter() for _ in range(order + 1)]
    for n in range(2, order + 1):
        for gram, count in counts[n].items():
            histories[n][gram[:-1]] += count
            followers[n][gram[:-1]] += 1
    unigrams = counts[1]
    total = sum(count for gram, count in unigrams.items() if gram != ("<s>",))
    prob: dict[tuple[str, ...], float] = {}
    for gram, count in unigrams.items():
        prob[gram] = count / total if gram != ("<s>",) else 0.0
    for n in range(2, order + 1):
        for gram, count in counts[n].items():
            prob[gram] = (count - discount) / histories[n][gram[:-1]]
    lower_taken: dict[tuple[str, ...], float] = {}
    for n in range(2, order + 1):
        for gram in counts[n]:
            lower_taken[gram[:-1]] = lower_taken.get(gram[:-1], 0.0) + prob[gram[1:]]
    backoff: dict[tuple[str, ...], float] = {}
    for n in range(1, order):
        for history in counts[n]:
            seen = followers[n + 1].get(history)
            if not seen:
                continue
            left = discount * seen / histories[n + 1][history]
            backoff[history] = left / max(1e-9, 1.0 - lower_taken.get(history, 0.0))

    def log10(p: float) -> str:
        return f"{math.log10(p):.4f}" if p > 0 else "-99"

    lines = ["\\data\\"]
    lines += [f"ngram {n}={len(counts[n])}" for n in range(1, order + 1)]
    for n in range(1, order + 1):
        lines += ["", f"\\{n}-grams:"]
        for gram in sorted(counts[n]):
            row = f"{log10(prob[gram])}\t{' '.join(gram)}"
            if n < order and gram in backoff:
                row += f"\t{math.log10(backoff[gram]):.4f}"
            lines.append(row)
    lines += ["", "\\end\\", ""]
    return "\n".join(lines)


def jsgf_grammar(vocab: Vocabulary, names: Sequence[str]) -> str:
    """A JSGF grammar of a note: any sequence of the vocabulary's phrases and the names."""
    phrases = [" ".join(spoken_words(p)) for p in (*vocab.phrases(), *names)]
    alternatives = " | ".join(sorted({p for p in phrases if p}))
    return f"#JSGF V1.0;\ngrammar note;\n<phrase> = {alternatives};\npublic <note> = <phrase>+;\n"


def keyword_list(vocab: Vocabulary, names: Sequence[str], threshold: str = "1e-20") -> str:
    """PocketSphinx's keyphrase file: the fields' words and the names, each with a threshold."""
    groups = (*vocab.areas, *vocab.techniques, *vocab.pressures, *vocab.numbers, *vocab.cues)
    phrases = {" ".join(spoken_words(p)) for p in (*groups, *names)}
    return "".join(f"{phrase} /{threshold}/\n" for phrase in sorted(p for p in phrases if p))
