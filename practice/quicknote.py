"""A note in one message: read what a therapist typed (or said) into the note's fields.

`parse_quick_note` takes the message, the therapist's clients, today's date and the latest
note, and returns every field it understood, plus the parts it did not place, quoted as
said: nothing the therapist wrote is silently dropped. Every word of the message ends up in
exactly one place (a field, a word that was read as structure, or "didn't place"), and the
draft keeps where each span went (`QuickNoteDraft.spans`) so that this can be checked.

The words are data (`quicknote.toml` beside this module), validated when first read.
Order of reading, each step only looking at what the earlier ones left:
1. the client: a name before a colon ("Anna: …"), or a known client's name opening the
   message, or "same client as last time";
2. pain ratings ("6 → 3", "7/10 then 4/10", "six out of ten before, three after");
3. the free-text fields: a sentence or clause opening with a cue word ("Reports…",
   "Found…", "Next:") runs to the end of its sentence, and a following sentence with no
   treatment words in it continues the same field;
4. the session date ("yesterday", "Monday", "12.11", "12 Nov") outside those fields;
5. areas, techniques, pressure and "same as last time", matched as phrases (a small typo
   forgiven in longer words); what is left over is "didn't place".
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

from practice.clients import name_key
from practice.fuzzy import closest, ratio
from practice.notes import (
    AREAS,
    MAX_CLIENT_NAME_LENGTH,
    PRESSURES,
    TECHNIQUES,
    InputError,
    TextField,
    parse_session_date,
)

DEFAULT_PATH = Path(__file__).with_name("quicknote.toml")

# Metaphone (a said name's sound) is imported on the first name compared by sound, not at
# every start (bot/runtime/libraries.py checks it is installed).
LOADED_ON_FIRST_USE = ("jellyfish",)

# A word this long or longer matches a vocabulary word with a typo; shorter words must be
# exact ("legs" is not "less", "trap" is not "tarp").
_FUZZY_MIN_LENGTH = 5
_FUZZY_CUTOFF = 85.0
# A said name matches a client from this score (0-100); within _NAME_TIE of the best, two
# clients are both offered.
_NAME_CUTOFF = 80.0
_NAME_TIE = 5.0
# A said name word that sounds like a client's (same Metaphone key, same first vowel: "Marc"
# for Mark, "Eric" for Erik, but not "Tim" for Tom) scores at least this.
_SOUNDS_ALIKE = 88.0
_MAX_NAME_WORDS = 4
_MAX_PHRASE_WORDS = 6


# --- the vocabulary ---------------------------------------------------------------------


@dataclass(frozen=True)
class Meaning:
    """What a phrase of the vocabulary stands for."""

    kind: str  # "area", "technique", "pressure", "filler", "same_treatment", "same_client"
    codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Vocabulary:
    phrases: Mapping[str, Meaning]  # folded phrase -> meaning
    cues: Mapping[str, TextField]  # folded cue -> the field it opens
    nicknames: Mapping[str, tuple[str, ...]]
    numbers: Mapping[str, int]
    single_words: tuple[str, ...]  # the one-word phrases long enough for a fuzzy match
    # Phrases of two and three words, for a typo in one of them ("deep tisue").
    multi_words: Mapping[int, tuple[str, ...]]
    # The last words of the treatment phrases: a cue right after one starts a field even
    # without a comma between ("neck DT firm reports stiff neck", as dictated).
    last_words: frozenset[str]
    # Cues that are everyday words ("after", "next"): only at the start of a clause.
    clause_cues: frozenset[str]
    # Side words before an area ("R neck", "left shoulder"): folded word → how the card says it.
    sides: Mapping[str, str] = field(default_factory=dict)

    @property
    def longest_phrase(self) -> int:
        return max(len(p.split()) for p in (*self.phrases, *self.cues))


def _fold(text: str) -> str:
    return " ".join(t.fold for t in _tokenize(text) if t.is_word)


def _strings(value: object, label: str) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{label}: must be a non-empty list of strings")
    return value


def _table(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict) or not value:
        raise ValueError(f"[{key}]: missing or empty")
    return value


def load_vocabulary(path: Path = DEFAULT_PATH) -> Vocabulary:
    """Read and check the vocabulary; a mistake names its entry (ValueError)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path.name}: not valid TOML: {exc}") from None
    known_keys = {
        "fillers", "areas", "area_groups", "techniques", "pressures", "cues", "same",
        "nicknames", "numbers", "clause_cues", "sides",
    }  # fmt: skip
    if unknown := sorted(set(data) - known_keys):
        raise ValueError(f"{path.name}: unknown keys {', '.join(unknown)}")
    phrases: dict[str, Meaning] = {}

    def add(phrase: str, meaning: Meaning, label: str) -> None:
        folded = _fold(phrase)
        if not folded:
            raise ValueError(f"{label}: {phrase!r} has no words")
        if folded != phrase.strip():
            raise ValueError(f"{label}: write {phrase!r} as {folded!r}")
        earlier = phrases.get(folded)
        if earlier is not None and earlier != meaning:
            raise ValueError(f"{label}: {phrase!r} is listed twice with two meanings")
        phrases[folded] = meaning

    for kind, table, vocabulary in (
        ("area", "areas", AREAS),
        ("technique", "techniques", TECHNIQUES),
        ("pressure", "pressures", PRESSURES),
    ):
        for code, words in _table(data, table).items():
            if code not in vocabulary:
                raise ValueError(f"[{table}]: {code!r} is not one of {', '.join(vocabulary)}")
            for phrase in _strings(words, f"[{table}] {code}"):
                add(phrase, Meaning(kind, (code,)), f"[{table}] {code}")
    for phrase, codes in _table(data, "area_groups").items():
        codes = _strings(codes, f"[area_groups] {phrase!r}")
        if bad := [c for c in codes if c not in AREAS]:
            raise ValueError(f"[area_groups] {phrase!r}: unknown areas {', '.join(bad)}")
        add(phrase, Meaning("area", tuple(c for c in AREAS if c in codes)), "[area_groups]")
    for phrase in _strings(data.get("fillers"), "fillers"):
        add(phrase, Meaning("filler"), "fillers")
    same = _table(data, "same")
    if set(same) != {"treatment", "client"}:
        raise ValueError("[same]: needs exactly `treatment` and `client`")
    for key in ("treatment", "client"):
        for phrase in _strings(same[key], f"[same] {key}"):
            add(phrase, Meaning(f"same_{key}"), f"[same] {key}")
    cues: dict[str, TextField] = {}
    for name, words in _table(data, "cues").items():
        try:
            which = TextField(name)
        except ValueError:
            known = ", ".join(f.value for f in TextField)
            raise ValueError(f"[cues]: {name!r} is not one of {known}") from None
        for phrase in _strings(words, f"[cues] {name}"):
            folded = _fold(phrase)
            if folded != phrase.strip() or folded in cues:
                raise ValueError(f"[cues] {name}: {phrase!r} is not lower case or listed twice")
            cues[folded] = which
    nicknames = {}
    for short, full in _table(data, "nicknames").items():
        nicknames[short] = tuple(_strings(full, f"[nicknames] {short}"))
    numbers = {}
    for word, value in _table(data, "numbers").items():
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
            raise ValueError(f"[numbers] {word}: must be a whole number from 0 to 10")
        numbers[word] = value
    single = tuple(p for p, m in phrases.items() if " " not in p and len(p) >= _FUZZY_MIN_LENGTH)
    multi = {
        n: tuple(
            p
            for p, m in phrases.items()
            if len(p.split()) == n and len(p) >= 2 * _FUZZY_MIN_LENGTH and m.kind != "filler"
        )
        for n in (2, 3)
    }
    last_words = frozenset(
        p.split()[-1] for p, m in phrases.items() if m.kind in ("area", "technique", "pressure")
    )
    clause_cues = frozenset(_strings(data.get("clause_cues"), "clause_cues"))
    if stray := sorted(clause_cues - set(cues)):
        raise ValueError(f"clause_cues: not cues: {', '.join(stray)}")
    sides: dict[str, str] = {}
    for side, words in _table(data, "sides").items():
        for word in _strings(words, f"[sides] {side}"):
            if _fold(word) != word or word in phrases or word in sides:
                raise ValueError(f"[sides] {side}: {word!r} is not lower case, or listed twice")
            sides[word] = side
    return Vocabulary(
        phrases, cues, nicknames, numbers, single, multi, last_words, clause_cues, sides
    )


@cache
def vocabulary() -> Vocabulary:
    return load_vocabulary()


# --- what the parser is given and what it returns ---------------------------------------


@dataclass(frozen=True)
class KnownClient:
    id: int
    name: str


@dataclass(frozen=True)
class LastNote:
    """The treatment of a previous note, and whose it was."""

    client_id: int | None
    areas: tuple[str, ...] = ()
    area_other: str | None = None
    techniques: tuple[str, ...] = ()
    technique_other: str | None = None
    pressure: str | None = None


class ClientMatch(StrEnum):
    FOUND = "found"  # one of the therapist's clients
    AMBIGUOUS = "ambiguous"  # several fit: the therapist chooses
    NEW = "new"  # a name that is none of theirs
    NONE = "none"  # no client was named


@dataclass(frozen=True)
class ClientGuess:
    match: ClientMatch
    said: str | None = None
    client: KnownClient | None = None
    candidates: tuple[KnownClient, ...] = ()


class Place(StrEnum):
    """Where a span of the message went."""

    CLIENT = "client"
    AREA = "area"
    TECHNIQUE = "technique"
    PRESSURE = "pressure"
    PAIN = "pain"
    DATE = "date"
    SAME = "same"
    FILLER = "filler"
    LABEL = "label"  # a cue word used as a heading ("Plan:")
    SUBJECTIVE = "subjective"
    FINDINGS = "findings"
    RESPONSE = "response"
    PLAN_NEXT = "plan_next"
    UNPLACED = "unplaced"


@dataclass
class QuickNoteDraft:
    client: ClientGuess = field(default_factory=lambda: ClientGuess(ClientMatch.NONE))
    areas: list[str] = field(default_factory=list)
    area_other: str | None = None
    techniques: list[str] = field(default_factory=list)
    technique_other: str | None = None
    pressure: str | None = None
    pain_before: int | None = None
    pain_after: int | None = None
    session_date: date | None = None
    subjective: str | None = None
    findings: str | None = None
    response: str | None = None
    plan_next: str | None = None
    # "Same as last time" was said: the treatment is the previous note's.
    same_as_last: bool = False
    # One rating alone ("pain 6"): read as the pain before, and the after left for the
    # therapist (the card says so).
    lone_pain: bool = False
    # The sides said with areas ("right neck"), kept with the areas (`area_other`).
    sides: list[str] = field(default_factory=list)
    # The parts that went nowhere, quoted as said, in the order said.
    unplaced: list[str] = field(default_factory=list)
    # (start, end, place) for every word of the message.
    spans: list[tuple[int, int, Place]] = field(default_factory=list)

    def text(self, which: TextField) -> str | None:
        value: str | None = getattr(self, which.value)
        return value

    def take_treatment(self, last: LastNote) -> None:
        """Fill what was not said from a previous note: the areas, techniques, pressure."""
        if not self.areas and not self.area_other:
            self.areas = [a for a in AREAS if a in last.areas]
            self.area_other = last.area_other
        if not self.techniques and not self.technique_other:
            self.techniques = [t for t in TECHNIQUES if t in last.techniques]
            self.technique_other = last.technique_other
        if self.pressure is None and last.pressure in PRESSURES:
            self.pressure = last.pressure


# --- tokens --------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"[^\W\d_]+(?:['’/\-][^\W\d_]+)*"  # words, with c/o, f/u, c-spine, don't
    r"|[0-9]+"
    r"|[^\W_]+"  # digits of other scripts, superscripts: words, never read as numbers
    r"|-->|->|=>|→|⟶|➡|[+&]"
    r"|[^\w\s]",
    re.UNICODE,
)


@dataclass(frozen=True)
class _Token:
    text: str
    start: int
    end: int

    @property
    def fold(self) -> str:
        return self.text.casefold().replace("’", "'")

    @property
    def is_word(self) -> bool:
        return any(ch.isalnum() for ch in self.text) or self.text in "+&"


def _tokenize(text: str) -> list[_Token]:
    return [_Token(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]


_SENTENCE_END = frozenset(".!?;\n")
_CLAUSE_END = frozenset(",:")


# --- the parser -----------------------------------------------------------------------------


class _Reading:
    """One message being read: its tokens and where each went."""

    def __init__(self, text: str, vocab: Vocabulary) -> None:
        self.text = text
        self.vocab = vocab
        self.tokens = _tokenize(text)
        self.place: list[Place | None] = [None] * len(self.tokens)
        self.sentences = self._sentences()

    def _sentences(self) -> list[tuple[int, int]]:
        """Token index ranges [start, end) of the sentences; the end mark is not included."""
        out: list[tuple[int, int]] = []
        start = 0
        for i, tok in enumerate(self.tokens):
            newline = i > 0 and "\n" in self.text[self.tokens[i - 1].end : tok.start]
            if newline and i > start:
                out.append((start, i))
                start = i
            ends = (
                tok.text in _SENTENCE_END
                and (tok.text != "." or tok.end == len(self.text) or self.text[tok.end].isspace())
                and not (tok.text == "." and _is_initial(self.tokens, i))
            )
            if ends:
                if i > start:
                    out.append((start, i))
                start = i + 1
        if start < len(self.tokens):
            out.append((start, len(self.tokens)))
        return out

    def mark(self, first: int, last: int, where: Place) -> None:
        for i in range(first, last):
            if self.place[i] is None and self.tokens[i].is_word:
                self.place[i] = where

    def free(self, i: int) -> bool:
        return self.place[i] is None

    def token_range(self, start: int, end: int) -> range:
        """The tokens lying within the characters [start, end)."""
        idx = [i for i, t in enumerate(self.tokens) if t.start >= start and t.end <= end]
        return range(idx[0], idx[-1] + 1) if idx else range(0)

    def sentence_of(self, i: int) -> tuple[int, int]:
        for s, e in self.sentences:
            if s <= i < e:
                return s, e
        return i, i + 1


def parse_quick_note(
    text: str,
    *,
    clients: Sequence[KnownClient],
    today: date,
    last_note: LastNote | None,
    vocab: Vocabulary | None = None,
) -> QuickNoteDraft:
    """Read one typed (or transcribed) message into a note's fields. Pure and quick."""
    reading = _Reading(text, vocab or vocabulary())
    draft = QuickNoteDraft()
    draft.client = _read_client(reading, clients, last_note)
    pains = _read_pain(reading)
    fields_found = _read_text_fields(reading)
    _keep_pain(reading, draft, pains)
    for which, pieces in fields_found.items():
        setattr(draft, which.value, ". ".join(pieces))
    _read_date(reading, draft, today)
    _read_vocabulary(reading, draft)
    if draft.same_as_last and last_note is not None:
        # The previous note counts for its own client, or when no client was named; another
        # client's "last time" is theirs (the caller has it: QuickNoteDraft.take_treatment).
        chosen = draft.client
        if (chosen.match is ClientMatch.NONE) or (
            chosen.client is not None and chosen.client.id == last_note.client_id
        ):
            draft.take_treatment(last_note)
    _collect(reading, draft)
    return draft


# --- 1. the client ------------------------------------------------------------------------


def _read_client(
    reading: _Reading, clients: Sequence[KnownClient], last_note: LastNote | None
) -> ClientGuess:
    tokens = reading.tokens
    vocab = reading.vocab
    # "Same client as last time", anywhere.
    for i in range(len(tokens)):
        n, meaning = _phrase_at(reading, i, kinds=("same_client",))
        if meaning is not None:
            reading.mark(i, i + n, Place.CLIENT)
            if last_note is not None and last_note.client_id is not None:
                known = next((c for c in clients if c.id == last_note.client_id), None)
                if known is not None:
                    return ClientGuess(ClientMatch.FOUND, reading_span(reading, i, i + n), known)
            reading.place[i : i + n] = [None] * n  # nothing to go by: said, not placed
            break
    if not tokens:
        return ClientGuess(ClientMatch.NONE)
    first_sentence_end = reading.sentences[0][1] if reading.sentences else len(tokens)
    start = 0
    # "Yesterday, Anna: …": the date first.
    if len(tokens) > 2 and _DATE_WORD.fullmatch(tokens[0].text) and tokens[1].text == ",":
        start = 2
    lead = start
    # "For Anna: …", "Client Anna, …"
    if tokens[start].fold in ("for", "client", "pt", "patient") and len(tokens) > start + 1:
        start += 1
    # A name before a colon or a dash: "Anna: …", "Anna K. - …"
    for j in range(start + 1, min(first_sentence_end, start + _MAX_NAME_WORDS * 2 + 1)):
        if tokens[j].text in (":", "-", "—", "–"):
            words = [t for t in tokens[start:j] if t.is_word]
            if 0 < len(words) <= _MAX_NAME_WORDS and _could_be_name(reading, start, j):
                said = reading_span(reading, start, j)
                guess = match_client(said, clients, vocab)
                reading.mark(lead, j, Place.CLIENT)
                return guess
            break
        if tokens[j].text == "." and _is_initial(tokens, j):
            continue  # "Ben R.: …": the initial's full stop is part of the name
        if tokens[j].text in _SENTENCE_END or tokens[j].text == ",":
            break
    # No colon: a known client's name opening the message ("Anna, neck…", "Anna K neck…").
    for n in range(min(_MAX_NAME_WORDS, first_sentence_end - start), 0, -1):
        end = start + n
        if not all(tokens[k].is_word for k in range(start, end)):
            continue
        if not _could_be_name(reading, start, end):
            continue
        said = reading_span(reading, start, end)
        guess = match_client(said, clients, vocab)
        if guess.match in (ClientMatch.FOUND, ClientMatch.AMBIGUOUS):
            reading.mark(lead, end, Place.CLIENT)
            return guess
    # An unknown name standing alone before a comma, capitalised: "Zoe, neck and back…"
    for j in range(start + 1, min(first_sentence_end, start + _MAX_NAME_WORDS + 1)):
        if tokens[j].text == ",":
            words = tokens[start:j]
            if all(t.is_word and t.text[:1].isupper() for t in words) and _could_be_name(
                reading, start, j
            ):
                said = reading_span(reading, start, j)
                reading.mark(lead, j, Place.CLIENT)
                return match_client(said, clients, vocab)
            break
    return ClientGuess(ClientMatch.NONE)


def _is_initial(tokens: Sequence[_Token], i: int) -> bool:
    """The full stop at `i` closes an initial ("Ben R.", "J. Smith"), not a sentence: a single
    capital letter before it, and a name's colon, dash or a capitalised word after it."""
    if i == 0 or tokens[i].text != ".":
        return False
    before = tokens[i - 1].text
    if not (len(before) == 1 and before.isupper()):
        return False
    after = tokens[i + 1].text if i + 1 < len(tokens) else ""
    return after in (":", "-", "—", "–", ",") or (len(after) > 1 and after[:1].isupper())


def _could_be_name(reading: _Reading, start: int, end: int) -> bool:
    """Words that are not the note's own vocabulary, a cue, a number or a date."""
    tokens = reading.tokens[start:end]
    if not tokens or not all(t.is_word or t.text == "." for t in tokens):
        return False
    if any(t.text.isdigit() or t.fold in reading.vocab.numbers for t in tokens):
        return False
    words = [t for t in tokens if t.is_word]
    if not any(ch.isalpha() for t in words for ch in t.text):
        return False
    if " ".join(t.fold for t in words) in reading.vocab.cues or words[0].fold in (
        c for c in reading.vocab.cues if len(c) > 2
    ):
        return False
    for i in range(start, end):
        if not reading.tokens[i].is_word:
            continue
        if _phrase_at(reading, i, fuzzy=False)[1] is not None:
            return False
        if _DATE_WORD.fullmatch(reading.tokens[i].text):
            return False
    return True


def reading_span(reading: _Reading, first: int, last: int) -> str:
    """The message's own text from token `first` up to (not including) token `last`."""
    return reading.text[reading.tokens[first].start : reading.tokens[last - 1].end]


def match_client(
    said: str, clients: Sequence[KnownClient], vocab: Vocabulary | None = None
) -> ClientGuess:
    """Which of the therapist's clients a said name means: name, first name, nickname,
    initials; typos and case ignored."""
    vocab = vocab or vocabulary()
    wanted = name_key(said).split()
    cleaned = " ".join(said.split()).lstrip(" .")
    if not re.search(r"(?:^|\s)\w\.$", cleaned):  # keep an initial's stop: "Ben R."
        cleaned = cleaned.rstrip(" .")
    if not wanted:
        return ClientGuess(ClientMatch.NONE)
    scored = [(c, _name_score(wanted, name_key(c.name).split(), vocab)) for c in clients]
    exact = [c for c in clients if name_key(c.name) == " ".join(wanted)]
    if len(exact) == 1:
        return ClientGuess(ClientMatch.FOUND, cleaned, exact[0])
    best = max((s for _, s in scored), default=0.0)
    if best < _NAME_CUTOFF:
        if len(cleaned) > MAX_CLIENT_NAME_LENGTH:
            cleaned = cleaned[:MAX_CLIENT_NAME_LENGTH].rstrip()
        return ClientGuess(ClientMatch.NEW, cleaned)
    near = [c for c, s in scored if s >= max(_NAME_CUTOFF, best - _NAME_TIE)]
    if len(near) == 1:
        return ClientGuess(ClientMatch.FOUND, cleaned, near[0])
    near.sort(key=lambda c: -dict((k.id, s) for k, s in scored)[c.id])
    return ClientGuess(ClientMatch.AMBIGUOUS, cleaned, None, tuple(near))


def _word_score(said: str, word: str, vocab: Vocabulary) -> float:
    if said == word:
        return 100.0
    if len(said) == 1:
        return 90.0 if word.startswith(said) else 0.0
    if word in vocab.nicknames.get(said, ()):
        return 97.0
    if len(said) >= 3 and word.startswith(said) and len(said) >= len(word) - 2:
        return 92.0
    if len(word) >= 3 and said.startswith(word) and len(said) <= len(word) + 2:
        return 90.0  # "Sammy" for Sam, "Tommy" for Tom
    score = ratio(said, word)
    if sounds_alike(said, word):
        return max(score, _SOUNDS_ALIKE)
    return score


_VOWELS = re.compile(r"[aeiouy]")


def sounds_alike(said: str, word: str) -> bool:
    """Two spellings of one name as it is said: the same Metaphone key and the same first
    vowel ("marc"/"mark", "katy"/"katie", "geoff"/"jeff"; not "tom"/"tim", "dan"/"don")."""
    if len(said) < 3 or len(word) < 3 or not said.isalpha() or not word.isalpha():
        return False
    import jellyfish  # on the first name compared by sound, not at every start

    if jellyfish.metaphone(said) != jellyfish.metaphone(word):
        return False
    first_said, first_word = _VOWELS.search(said), _VOWELS.search(word)
    return (
        first_said is not None
        and first_word is not None
        and first_said.group() == first_word.group()
    )


def _name_score(said: list[str], name: list[str], vocab: Vocabulary) -> float:
    if not name:
        return 0.0
    # Initials run together: "AK" for Anna Kowalska.
    if (
        len(said) == 1
        and len(said[0]) == len(name) > 1
        and said[0].isalpha()
        and all(w.startswith(ch) for ch, w in zip(said[0], name, strict=True))
    ):
        return 88.0
    joined = ratio("".join(said), "".join(name))  # "obrien" / "o brien"
    if len(said) > len(name) or joined >= 95:
        return max(joined, ratio(" ".join(said), " ".join(name)))
    if len(said) == 1:
        # The first name alone (or a nickname), or the surname alone a little below it.
        first = _word_score(said[0], name[0], vocab)
        if len(said[0]) == 1:
            first = min(first, 80.0)  # a bare initial: a weak hint
        others = [_word_score(said[0], w, vocab) - 3 for w in name[1:] if len(said[0]) > 1]
        return max([first, *others])
    # Word by word, in order: "Anna K" / "Anna Kowalska", "Ana Kowalsk".
    scores = [_word_score(s, w, vocab) for s, w in zip(said, name, strict=False)]
    return sum(scores) / len(scores)


# --- 2. pain ---------------------------------------------------------------------------------

_N = r"(?:10|[0-9]|zero|nil|none|one|two|three|four|five|six|seven|eight|nine|ten)"
_SCALE = r"(?:\s*(?:/|out\s+of|of)\s*(?:10|ten))"
_TO = (
    r"(?:→|->|-->|=>|⟶|➡|>|to|down\s+to|dropped\s+to|went\s+(?:down\s+)?to|then|reduced\s+to"
    r"|decreased\s+to|came\s+down\s+to|improved\s+to|up\s+to|rose\s+to|now)"
)
_PAIN_WORD = r"(?:pain(?:\s+(?:level|score|rating))?|vas|nprs)"
_BEFORE = r"(?:before|pre(?:-?treatment|-?session)?|at\s+start|at\s+the\s+start|initially)"
_AFTER = r"(?:after|post(?:-?treatment|-?session)?|at\s+the\s+end|at\s+end|afterwards)"
_SEP = r"\s*[:=]?\s*(?:was\s+|of\s+|from\s+|at\s+)?"
# "after treatment she felt…" opens the response; a rating's "after" ends there.
_NOT_CUE = r"(?!\s+(?:treatment|the\b|session|massage|that|which|she|he|they|client|we))"
# "3 to 4 sessions" is a count, not a rating.
_UNIT = (
    r"\s*(?:(?:sessions?|weeks?|days?|minutes?|mins?|times?|visits?|months?|hours?|hrs?"
    r"|reps?|sets?|x|kg|lbs?|years?)\b|%)"
)


@cache
def _pain_patterns() -> list[tuple[str, re.Pattern[str]]]:
    """Compiled on the first note read, not at the bot's start (about 60 ms of it)."""
    return [
        (
            # "pain 6 -> 3", "6 → 3", "7/10 then 4/10", "pain 6 down to 3", "6 before → 3 after"
            "transition",
            re.compile(
                rf"(?:{_PAIN_WORD}{_SEP})?(?P<b>{_N}){_SCALE}?(?:\s+{_BEFORE})?"
                rf"\s*,?\s*{_TO}\s*(?P<a>{_N}){_SCALE}?(?:\s+{_AFTER}{_NOT_CUE})?(?!\s*/\s*[0-9])(?!{_UNIT})",
                re.IGNORECASE,
            ),
        ),
        (
            # "six out of ten before, three after", "6 pre, 3 post", "6/10 before and 3/10 after"
            "before_after",
            re.compile(
                rf"(?:{_PAIN_WORD}{_SEP})?(?P<b>{_N}){_SCALE}?\s+{_BEFORE}\s*[,;]?\s*(?:and\s+)?"
                rf"(?:{_PAIN_WORD}\s+)?(?P<a>{_N}){_SCALE}?\s+{_AFTER}",
                re.IGNORECASE,
            ),
        ),
        (
            # "before 6, after 3", "pain before 6 after 3", "pre: 6 post: 3"
            "labelled",
            re.compile(
                rf"(?:{_PAIN_WORD}\s+)?{_BEFORE}{_SEP}(?P<b>{_N}){_SCALE}?\s*[,;]?\s*(?:and\s+)?"
                rf"(?:{_PAIN_WORD}\s+)?{_AFTER}{_SEP}(?P<a>{_N}){_SCALE}?",
                re.IGNORECASE,
            ),
        ),
        (
            # "pain before 6", "pain 6 before"
            "before_only",
            re.compile(
                rf"{_PAIN_WORD}\s+{_BEFORE}{_SEP}(?P<b>{_N}){_SCALE}?"
                rf"|{_PAIN_WORD}{_SEP}(?P<b2>{_N}){_SCALE}?\s+{_BEFORE}",
                re.IGNORECASE,
            ),
        ),
        (
            # "pain after 3", "pain 3 after", "3/10 after"
            "after_only",
            re.compile(
                rf"{_PAIN_WORD}\s+{_AFTER}{_SEP}(?P<a>{_N}){_SCALE}?"
                rf"|(?:{_PAIN_WORD}{_SEP})?(?P<a2>{_N}){_SCALE}?\s+{_AFTER}\b(?!\s+\w+\s+{_N})",
                re.IGNORECASE,
            ),
        ),
        (
            # "pain 6", "pain 6/10", "7/10": a single rating, the one the client came in with.
            "single",
            re.compile(
                rf"{_PAIN_WORD}{_SEP}(?P<b>{_N}){_SCALE}?|(?P<b2>{_N}){_SCALE}",
                re.IGNORECASE,
            ),
        ),
    ]


# Only these kinds are read inside a free-text field: there a lone "pain 7" is the client's
# story ("reports pain 7 at night"), not the session's rating.
_EXPLICIT = frozenset({"transition", "before_after", "labelled"})


@dataclass(frozen=True)
class _Pain:
    kind: str
    before: int | None
    after: int | None
    tokens: range


def _number(text: str | None, vocab: Vocabulary) -> int | None:
    if text is None:
        return None
    if text.isascii() and text.isdigit():
        return int(text)
    return vocab.numbers.get(text.casefold())


def _read_pain(reading: _Reading) -> list[_Pain]:
    found: list[_Pain] = []
    text = reading.text
    for kind, pattern in _pain_patterns():
        for m in pattern.finditer(text):
            span = reading.token_range(m.start(), m.end())
            # Whole tokens only ("16 → 3" is not "6 → 3"), and none already taken.
            if not span or reading.tokens[span[0]].start != m.start():
                continue
            if reading.tokens[span[-1]].end != m.end():
                continue
            if not all(reading.free(i) for i in span):
                continue
            groups = m.groupdict()
            before = _number(groups.get("b") or groups.get("b2"), reading.vocab)
            after = _number(groups.get("a") or groups.get("a2"), reading.vocab)
            if kind == "transition" and not _strong_transition(m.group()):
                kind_found = "weak_transition"
            else:
                kind_found = kind
            if kind == "single" and groups.get("b2") and not _scale_in(m.group()):
                continue
            reading.mark(span[0], span[-1] + 1, Place.PAIN)
            found.append(_Pain(kind_found, before, after, span))
    return found


def _scale_in(said: str) -> bool:
    return bool(re.search(_SCALE, said, re.IGNORECASE))


def _strong_transition(said: str) -> bool:
    """ "6 -> 3" is a rating whatever surrounds it, and so is "pain 6 to 3" or "6/10 to
    3/10"; a bare "6 to 3" is one only outside the client's story."""
    if re.match(_PAIN_WORD, said, re.IGNORECASE) or _scale_in(said):
        return True
    return bool(re.search(r"→|->|=>|⟶|➡|>", said))


def _keep_pain(reading: _Reading, draft: QuickNoteDraft, pains: list[_Pain]) -> None:
    for pain in sorted(pains, key=lambda p: p.tokens[0]):
        in_text = any(
            reading.place[i] in _TEXT_PLACES_SET for i in pain.tokens if reading.tokens[i].is_word
        )
        if in_text and pain.kind not in _EXPLICIT:
            continue  # part of what the client said, kept there as words
        if pain.before is not None and draft.pain_before is None:
            draft.pain_before = pain.before
            draft.lone_pain = pain.kind == "single"
        if pain.after is not None and draft.pain_after is None:
            draft.pain_after = pain.after
            draft.lone_pain = False


# --- 3. the free-text fields --------------------------------------------------------------

_TEXT_PLACES = {
    TextField.SUBJECTIVE: Place.SUBJECTIVE,
    TextField.FINDINGS: Place.FINDINGS,
    TextField.RESPONSE: Place.RESPONSE,
    TextField.PLAN_NEXT: Place.PLAN_NEXT,
}
_TEXT_PLACES_SET = frozenset(_TEXT_PLACES.values())
_LABEL_MARKS = frozenset({":", "-", "—", "–"})


def _cue_at(reading: _Reading, i: int) -> tuple[int, TextField, bool] | None:
    """A cue opening at token i: (its length, its field, whether it is a label with a colon)."""
    tokens = reading.tokens
    for n in range(min(reading.vocab.longest_phrase, len(tokens) - i), 0, -1):
        span = tokens[i : i + n]
        if not all(t.is_word and reading.free(i + k) for k, t in enumerate(span)):
            continue
        key = " ".join(t.fold for t in span)
        which = reading.vocab.cues.get(key)
        if which is None:
            continue
        labelled = i + n < len(tokens) and tokens[i + n].text in _LABEL_MARKS
        if len(key) <= 2 and not labelled:
            continue
        return n, which, labelled
    return None


def _read_text_fields(reading: _Reading) -> dict[TextField, list[str]]:
    tokens = reading.tokens
    found: dict[TextField, list[str]] = {}
    open_field: TextField | None = None
    for s, e in reading.sentences:
        # Clause starts: the sentence's first free word, and the word after each , or :
        k = s
        while k < e and not reading.free(k):
            k += 1
        clause_starts = {k} if k < e else set()
        clause_starts |= {
            j + 1 for j in range(s, e - 1) if tokens[j].text in _CLAUSE_END and reading.free(j + 1)
        }
        # …and, for dictated notes without commas, a word right after a treatment word.
        starts = clause_starts | {j for j in range(s + 1, e) if _follows_treatment(reading, j)}
        cues: list[tuple[int, tuple[int, TextField, bool]]] = []
        for j in sorted(starts):
            c = _cue_at(reading, j)
            if c is None or (cues and j < cues[-1][0] + cues[-1][1][0]):
                continue
            if j not in clause_starts and _clause_only(reading, j, c[0]):
                continue
            cues.append((j, c))
        if not cues:
            if open_field is not None and _continues(reading, s, e):
                _take_text(reading, found, open_field, s, s, e)
            else:
                open_field = None
            continue
        # Words before the first cue in this sentence are structure.
        for index, (j, (n, which, labelled)) in enumerate(cues):
            end = cues[index + 1][0] if index + 1 < len(cues) else e
            # A clause of this sentence before the next cue: drop the trailing comma.
            while end > j and tokens[end - 1].text in _CLAUSE_END:
                end -= 1
            body = j + n + 1 if labelled else j
            if labelled:
                reading.mark(j, j + n + 1, Place.LABEL)
            _take_text(reading, found, which, j, body, end)
            open_field = which
    return found


def _follows_treatment(reading: _Reading, j: int) -> bool:
    """Token j comes right after a rating, the client's name or a treatment word."""
    prev = reading.tokens[j - 1]
    if not prev.is_word or not reading.tokens[j].is_word:
        return False
    return reading.place[j - 1] in (Place.PAIN, Place.CLIENT) or prev.fold in (
        reading.vocab.last_words
    )


def _clause_only(reading: _Reading, j: int, n: int) -> bool:
    key = " ".join(t.fold for t in reading.tokens[j : j + n])
    return key in reading.vocab.clause_cues


def _continues(reading: _Reading, s: int, e: int) -> bool:
    """A sentence that reads as prose goes on with the field before it: at least half its
    words are none of the note's vocabulary ("Also tight pecs", "Worse when driving");
    "Glutes, DT, firm" is a new part of the note."""
    content = unknown = 0
    i = s
    while i < e:
        tok = reading.tokens[i]
        if not tok.is_word:
            i += 1
            continue
        if reading.place[i] is Place.PAIN:
            return False
        if not reading.free(i):
            i += 1
            continue
        n, meaning = _phrase_at(reading, i)
        if meaning is not None and meaning.kind == "filler":
            i += n
            continue
        content += 1
        if meaning is None:
            unknown += 1
        i += max(n, 1)
    return content > 0 and 2 * unknown >= content


def _take_text(
    reading: _Reading,
    found: dict[TextField, list[str]],
    which: TextField,
    owner: int,
    body: int,
    end: int,
) -> None:
    """Tokens [body, end) are the field's text; [owner, end) are marked as the field's."""
    tokens = reading.tokens
    while body < end and not tokens[body].is_word and tokens[body].text not in "(\"'":
        body += 1
    if body >= end:
        return
    # Pain ratings inside stay in the text (said there), and also count as the field's.
    for i in range(owner, end):
        if tokens[i].is_word and reading.place[i] in (None, Place.PAIN):
            reading.place[i] = _TEXT_PLACES[which]
    piece = reading.text[tokens[body].start : tokens[end - 1].end].strip()
    piece = piece.rstrip(",;:-—– ")
    if piece:
        found.setdefault(which, []).append(piece)


# --- 4. the date -------------------------------------------------------------------------------

_WEEKDAYS = {
    name: i
    for i, names in enumerate(
        [
            ("monday", "mon"),
            ("tuesday", "tue", "tues"),
            ("wednesday", "wed"),
            ("thursday", "thu", "thur", "thurs"),
            ("friday", "fri"),
            ("saturday", "sat"),
            ("sunday", "sun"),
        ]
    )
    for name in names
}
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_WEEKDAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues?|wed|thu(?:rs?)?|fri|sat|sun)"  # noqa: E501
_DATE_WORD = re.compile(rf"(?:today|yesterday|{_WEEKDAY})", re.IGNORECASE)
_DATE = re.compile(
    r"(?P<named>today|yesterday)"
    rf"|(?:last\s+|on\s+)?(?P<weekday>{_WEEKDAY})\b"
    r"|(?P<ago>[0-9]{1,2}|one|two|three|four|five|six|seven)\s+days?\s+ago"
    r"|(?:on\s+)?(?P<numeric>[0-9]{1,2}[./][0-9]{1,2}(?:[./](?:[0-9]{4}|[0-9]{2}))?)"
    rf"|(?:on\s+)?(?P<dm>[0-9]{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<dm_month>{_MONTH})\.?"
    r"(?:\s+(?P<dm_year>[0-9]{4}))?"
    rf"|(?:on\s+)?(?P<md_month>{_MONTH})\.?\s+(?P<md>[0-9]{{1,2}})(?:st|nd|rd|th)?"
    r"(?:,?\s+(?P<md_year>[0-9]{4}))?",
    re.IGNORECASE,
)


def _read_date(reading: _Reading, draft: QuickNoteDraft, today: date) -> None:
    for m in _DATE.finditer(reading.text):
        span = reading.token_range(m.start(), m.end())
        if not span or reading.tokens[span[0]].start != m.start():
            continue
        if reading.tokens[span[-1]].end != m.end():
            continue
        if not all(reading.free(i) for i in span):
            continue
        numeric = m["numeric"]
        if numeric and "/" in numeric and numeric.split("/")[1] in ("10",):
            continue  # "7/10" is a rating
        try:
            day = _date_of(m, today, reading.vocab)
        except InputError:
            continue  # left for "didn't place", quoted as said
        if draft.session_date is not None and day != draft.session_date:
            continue  # a second, different date: quoted back rather than guessed
        draft.session_date = day
        reading.mark(span[0], span[-1] + 1, Place.DATE)


def _date_of(m: re.Match[str], today: date, vocab: Vocabulary) -> date:
    if m["named"]:
        return today if m["named"].lower() == "today" else today - timedelta(days=1)
    if m["weekday"]:
        wanted = _WEEKDAYS[m["weekday"].lower()]
        back = (today.weekday() - wanted) % 7
        if back == 0 and m.group().lower().startswith("last"):
            back = 7
        return today - timedelta(days=back)
    if m["ago"]:
        n = _number(m["ago"], vocab)
        if n is None or n > 60:
            raise InputError("too far back")
        return parse_session_date((today - timedelta(days=n)).isoformat(), today)
    if m["numeric"]:
        return parse_session_date(m["numeric"], today)
    if m["dm"]:
        year = f" {m['dm_year']}" if m["dm_year"] else ""
        return parse_session_date(f"{m['dm']} {m['dm_month'].lower()[:3]}{year}", today)
    year = f" {m['md_year']}" if m["md_year"] else ""
    return parse_session_date(f"{m['md']} {m['md_month'].lower()[:3]}{year}", today)


# --- 5. areas, techniques, pressure ---------------------------------------------------------


def _phrase_at(
    reading: _Reading,
    i: int,
    *,
    kinds: Iterable[str] | None = None,
    fuzzy: bool = True,
) -> tuple[int, Meaning | None]:
    """The longest vocabulary phrase starting at token i among free words."""
    tokens = reading.tokens
    wanted = set(kinds) if kinds is not None else None
    vocab = reading.vocab
    limit = min(_MAX_PHRASE_WORDS, len(tokens) - i)
    exact: tuple[int, Meaning | None] = (0, None)
    for n in range(limit, 0, -1):
        span = tokens[i : i + n]
        if not all(t.is_word and reading.free(i + k) for k, t in enumerate(span)):
            continue
        key = " ".join(t.fold for t in span)
        meaning = vocab.phrases.get(key)
        if meaning is None and n == 1 and key.endswith("s") and len(key) > 3:
            meaning = vocab.phrases.get(key[:-1])
        if meaning is not None and (wanted is None or meaning.kind in wanted):
            exact = (n, meaning)
            break
    if exact[0] >= 2 or not fuzzy:
        return exact
    for n in (3, 2):
        span = tokens[i : i + n]
        if len(span) < n or not all(t.is_word and reading.free(i + k) for k, t in enumerate(span)):
            continue
        key = " ".join(t.fold for t in span)
        if len(key) < 2 * _FUZZY_MIN_LENGTH or key in vocab.phrases:
            continue
        best = closest(key, vocab.multi_words[n], cutoff=_FUZZY_CUTOFF)
        if best is not None:
            meaning = vocab.phrases[best]
            if wanted is None or meaning.kind in wanted:
                return n, meaning
    if exact[1] is not None:
        return exact
    if fuzzy and tokens[i].is_word and reading.free(i) and len(tokens[i].text) >= _FUZZY_MIN_LENGTH:
        best = closest(tokens[i].fold, vocab.single_words, cutoff=_FUZZY_CUTOFF)
        if best is not None:
            meaning = vocab.phrases[best]
            if meaning.kind != "filler" and (wanted is None or meaning.kind in wanted):
                return 1, meaning
    return 0, None


def _read_vocabulary(reading: _Reading, draft: QuickNoteDraft) -> None:
    i = 0
    tokens = reading.tokens
    while i < len(tokens):
        if not reading.free(i) or not tokens[i].is_word:
            i += 1
            continue
        side = reading.vocab.sides.get(tokens[i].fold)
        if side is not None and i + 1 < len(tokens) and reading.free(i + 1):
            n, meaning = _phrase_at(reading, i + 1, kinds=("area",))
            if meaning is not None:
                # "R neck": the area, and its side in the areas' own words.
                for code in meaning.codes:
                    if code not in draft.areas:
                        draft.areas.append(code)
                said = reading_span(reading, i + 1, i + 1 + n).lower()
                draft.sides.append(f"{side} {said}")
                reading.mark(i, i + 1 + n, Place.AREA)
                i += 1 + n
                continue
        n, meaning = _phrase_at(reading, i)
        if meaning is None:
            i += 1
            continue
        if meaning.kind == "area":
            for code in meaning.codes:
                if code not in draft.areas:
                    draft.areas.append(code)
            reading.mark(i, i + n, Place.AREA)
        elif meaning.kind == "technique":
            for code in meaning.codes:
                if code not in draft.techniques:
                    draft.techniques.append(code)
            reading.mark(i, i + n, Place.TECHNIQUE)
        elif meaning.kind == "pressure":
            code = meaning.codes[0]
            if draft.pressure is None or draft.pressure == code:
                draft.pressure = code
                reading.mark(i, i + n, Place.PRESSURE)
            # A second, different pressure is left for "didn't place".
        elif meaning.kind == "same_treatment":
            draft.same_as_last = True
            reading.mark(i, i + n, Place.SAME)
        elif meaning.kind == "filler":
            reading.mark(i, i + n, Place.FILLER)
        i += max(n, 1)
    draft.areas.sort(key=list(AREAS).index)
    draft.techniques.sort(key=list(TECHNIQUES).index)
    if draft.sides:
        draft.area_other = "sides: " + ", ".join(draft.sides)


# --- what was left ----------------------------------------------------------------------------


def _collect(reading: _Reading, draft: QuickNoteDraft) -> None:
    """Quote the words that went nowhere (a filler beside them goes with them), and record
    every word's place."""
    tokens = reading.tokens
    place = reading.place
    # A filler between two unplaced words reads as part of them: "the" in "cancelled the 3pm".
    for i, tok in enumerate(tokens):
        if tok.is_word and place[i] is None:
            place[i] = Place.UNPLACED
    for s, e in reading.sentences:
        words = [i for i in range(s, e) if tokens[i].is_word]
        for left, mid, right in zip(words, words[1:], words[2:], strict=False):
            if place[mid] is Place.FILLER and place[left] is place[right] is Place.UNPLACED:
                place[mid] = Place.UNPLACED
    runs: list[tuple[int, int]] = []
    i = 0
    while i < len(tokens):
        if place[i] is not Place.UNPLACED:
            i += 1
            continue
        s, e = reading.sentence_of(i)
        j = i
        while j + 1 < e and (
            place[j + 1] is Place.UNPLACED
            or (
                not tokens[j + 1].is_word
                and tokens[j + 1].text not in _CLAUSE_END
                and j + 2 < e
                and place[j + 2] is Place.UNPLACED
            )
        ):
            j += 1
        runs.append((i, j + 1))
        i = j + 1
    draft.unplaced = [reading_span(reading, a, b) for a, b in runs]
    draft.spans = [(t.start, t.end, p) for t, p in zip(tokens, place, strict=True) if p]


def numbers_said(text: str, vocab: Vocabulary | None = None) -> set[int]:
    """Every whole number in the message, in digits or words (for checking the parser)."""
    vocab = vocab or vocabulary()
    out: set[int] = set()
    for tok in _tokenize(text):
        value = _number(tok.text, vocab)
        if value is not None:
            out.add(value)
        elif tok.text.isascii() and tok.text.isdigit():
            out.add(int(tok.text))
    return out
