"""The intake: what a client tells their therapist before the first session, and what in it
changes what a massage may do (cautions) or says it is not for massage until a doctor has
looked (red flags).

All of it is data (`intake.toml` beside this module), each condition and each red flag with
its sources, checked on load. The functions here read answers — a mapping of question key to
what was given: a choice's code, typed text, the checklist's list of codes, or None for a
question skipped — and say which cautions and red flags they raise. They screen; they never
diagnose: a red flag says "a doctor should look at this", never what it is.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

from practice.exercises import Exercise
from practice.notes import PRESSURES, TECHNIQUES

DEFAULT_PATH = Path(__file__).with_name("intake.toml")

# The checklist's "None of these": a code of its own, exclusive of the others.
NONE = "none"
# A yes-or-no question's "No" (the safety questions' choice code).
NO = "no"
# The part of the intake that holds the safety (red-flag) questions, as the client is asked them.
SAFETY = "safety"
# The questions the functions read by name: the checklist, and the medicines typed; and the
# two the referral letter quotes (how long the complaint has lasted, what changes it).
CONDITIONS = "conditions"
MEDICATIONS = "medications"
SINCE = "since"
WORSE_BETTER = "worse_better"
# What a client may type at most in one answer: a few sentences, not a life story.
MAX_ANSWER_LENGTH = 500
# About how long one question takes on a phone (read, tap or type a few words): for the
# first question's "about 3 minutes". An estimate, not a measurement.
SECONDS_PER_QUESTION = 12


def minutes_to_answer(questions: int) -> int:
    """The whole intake's time, rounded to whole minutes, at least one."""
    return max(1, round(questions * SECONDS_PER_QUESTION / 60))


_CODE = re.compile(r"^[a-z][a-z0-9_]{0,15}$")

AnswerValue = str | list[str] | None
Answers = Mapping[str, AnswerValue]


class Urgency(StrEnum):
    """As the sources put it: URGENT is medical assessment the same day, SOON within days."""

    URGENT = "urgent"
    SOON = "soon"


class QuestionKind(StrEnum):
    TEXT = "text"
    CHOICE = "choice"
    MULTI = "multi"


@dataclass(frozen=True)
class Source:
    key: str
    title: str
    url: str | None = None


@dataclass(frozen=True)
class IntakeQuestion:
    key: str
    kind: QuestionKind
    label: str  # on the summary and the card
    prompt: str  # plain text; the chat escapes it
    example: str = ""
    choices: Mapping[str, str] | None = None  # code → label, in order
    typed: bool = False  # a choice question that also takes a typed answer
    lead_in: str = ""  # a line above the question as it is asked ("A few safety questions now")
    # Choices no longer offered, code → label: answers given before still read, and still
    # raise the flags that name them.
    retired: Mapping[str, str] | None = None

    def shown(self, value: AnswerValue, conditions: Sequence[Condition] = ()) -> str:
        """An answer as a person reads it: the label of a choice, typed text as typed."""
        if value is None or value == "" or value == []:
            return "—"
        if isinstance(value, list):
            labels = dict(self.choices or {c.code: c.label for c in conditions})
            labels.update(self.retired or {})
            labels[NONE] = "None of these"
            return ", ".join(labels.get(v, v) for v in value)
        if self.choices and value in self.choices:
            return self.choices[value]
        return (self.retired or {}).get(value, value)


@dataclass(frozen=True)
class Condition:
    code: str
    label: str  # on the checklist
    short: str  # on the card line: "⚠️ blood thinners"
    caution: str  # at the top of a note card
    sources: tuple[str, ...]
    confirm_pressures: tuple[str, ...] = ()
    # Techniques (practice.notes.TECHNIQUES) asked about as a pressure is: deep, focal work.
    confirm_techniques: tuple[str, ...] = ()
    medication_words: tuple[str, ...] = ()
    exercise_words: tuple[str, ...] = ()
    checklist: bool = True
    from_question: str | None = None
    from_answers: tuple[str, ...] = ()


@dataclass(frozen=True)
class RedFlag:
    code: str
    question: str
    answers: tuple[str, ...]  # any of them raises it (a checklist's: any of them ticked)
    name: str
    urgency: Urgency
    meaning: str  # one plain line for the therapist, never a diagnosis
    sources: tuple[str, ...]
    # Raised only together with a typed answer that mentions one of these words (a history
    # of cancer, with back or neck pain as the main concern).
    with_question: str | None = None
    with_words: tuple[str, ...] = ()
    # Answers to other questions that raised it before the intake moved the sign into
    # `question` (a retired item's code): a client's earlier answer still raises it.
    earlier: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def asked_by(self, key: str) -> bool:
        """Whether an answer to question `key` can raise this flag."""
        return key == self.question or any(key == q for q, _ in self.earlier)

    def raised_by(self, answers: Answers) -> bool:
        hit = any(
            _answered(answers.get(key), codes)
            for key, codes in ((self.question, self.answers), *self.earlier)
        )
        if not hit or self.with_question is None:
            return hit
        typed = answers.get(self.with_question)
        text = typed.lower() if isinstance(typed, str) else ""
        return any(_has_word(text, w) for w in self.with_words)


def _answered(value: AnswerValue | None, codes: tuple[str, ...]) -> bool:
    """Whether an answer is one of `codes` (a checklist's: any of them ticked)."""
    if isinstance(value, list):
        return any(a in value for a in codes)
    return value in codes


@dataclass(frozen=True)
class Section:
    """A part of the intake the pre-visit question can ask again: its questions, in order."""

    code: str
    label: str  # the client's button: "Medicines or allergies"
    short: str  # on the therapist's card: "checked 9 Dec: medicines changed"
    questions: tuple[str, ...]


@dataclass(frozen=True)
class Caution:
    """A condition as it applies to one client, and why the bot thinks so."""

    condition: Condition
    because: str  # "ticked on the checklist", "medicine: warfarin", "answered Pregnancy"


@dataclass(frozen=True)
class Intake:
    questions: tuple[IntakeQuestion, ...]
    conditions: tuple[Condition, ...]
    red_flags: tuple[RedFlag, ...]
    sources: Mapping[str, Source]
    sections: tuple[Section, ...] = ()

    def question(self, key: str) -> IntakeQuestion | None:
        return next((q for q in self.questions if q.key == key), None)

    def condition(self, code: str) -> Condition | None:
        return next((c for c in self.conditions if c.code == code), None)

    def red_flag(self, code: str) -> RedFlag | None:
        return next((f for f in self.red_flags if f.code == code), None)

    def section(self, code: str) -> Section | None:
        return next((s for s in self.sections if s.code == code), None)

    def questions_of(self, sections: Iterable[str]) -> list[str]:
        """The question keys of the parts chosen, in the intake's order (unknown codes are
        ignored: a stale button names no part)."""
        chosen = {code for code in sections}
        keys = {k for s in self.sections if s.code in chosen for k in s.questions}
        return [q.key for q in self.questions if q.key in keys]

    def toggle_section(self, ticked: Sequence[str], code: str) -> list[str]:
        """The parts ticked after tapping `code`, in the data's order."""
        if self.section(code) is None:
            raise ValueError(f"{code!r} is not a part of the intake")
        current = set(ticked) ^ {code}
        return [s.code for s in self.sections if s.code in current]

    @property
    def checklist(self) -> tuple[Condition, ...]:
        return tuple(c for c in self.conditions if c.checklist)

    def options(self, key: str) -> dict[str, str]:
        """A checklist question's items, code → label, in order (without "None of these"):
        the conditions for the conditions checklist, its own choices for any other."""
        question = self.question(key)
        if question is not None and question.kind is QuestionKind.MULTI and question.choices:
            return dict(question.choices)
        if key == CONDITIONS:
            return {c.code: c.label for c in self.checklist}
        return {}

    def sources_of(self, item: Condition | RedFlag) -> list[Source]:
        return [self.sources[key] for key in item.sources]

    def next_question(self, done: Iterable[str]) -> IntakeQuestion | None:
        """The first question neither answered nor skipped (`done`), in order; None: finished."""
        seen = set(done)
        return next((q for q in self.questions if q.key not in seen), None)

    def position(self, key: str) -> int:
        """1-based: "Question 3 of 16"."""
        return [q.key for q in self.questions].index(key) + 1

    def count(self, key: str, answered_by_others: Iterable[str] = ()) -> tuple[int, int]:
        """Question `key` as "3 of 12" for a client: the questions they are asked, which are
        all but those someone else (their therapist, with /intake) has already answered."""
        others = set(answered_by_others) - {key}
        asked = [q.key for q in self.questions if q.key not in others]
        return asked.index(key) + 1, len(asked)

    def read(self, key: str, typed: str) -> str:
        """A typed answer to question `key`, tidied; ValueError with a reason for a bad one."""
        question = self.question(key)
        if question is None:
            raise ValueError(f"no question {key!r}")
        if question.kind is QuestionKind.MULTI or (
            question.kind is QuestionKind.CHOICE and not question.typed
        ):
            raise ValueError("please tap one of the buttons")
        value = " ".join(typed.split())
        if not value:
            raise ValueError("that was empty")
        if len(value) > MAX_ANSWER_LENGTH:
            raise ValueError(
                f"that is {len(value):,} characters; an answer holds up to {MAX_ANSWER_LENGTH}"
            )
        return value

    def choose(self, key: str, code: str) -> str:
        """A tapped choice, checked against the question's own choices."""
        question = self.question(key)
        if question is None or question.choices is None or code not in question.choices:
            raise ValueError(f"{code!r} is not a choice of {key!r}")
        return code

    def toggle(self, ticked: Sequence[str], code: str, key: str = CONDITIONS) -> list[str]:
        """Checklist `key` after tapping `code`: "None of these" clears the rest, and any
        item clears "None of these"."""
        known = list(self.options(key))
        if code != NONE and code not in known:
            raise ValueError(f"{code!r} is not on the checklist")
        if code == NONE:
            return [] if NONE in ticked else [NONE]
        current = [c for c in ticked if c != NONE]
        if code in current:
            return [c for c in current if c != code]
        return [c for c in known if c in current or c == code]


def cautions_of(answers: Answers, intake: Intake | None = None) -> list[Caution]:
    """The client's cautions, in the data's order: conditions ticked, medicines typed that
    mean one (a client may not know warfarin is a blood thinner), and answers that raise one
    (pregnancy)."""
    intake = intake or default_intake()
    ticked = answers.get(CONDITIONS)
    ticked_codes = set(ticked) if isinstance(ticked, list) else set()
    medicines = answers.get(MEDICATIONS)
    typed = medicines.lower() if isinstance(medicines, str) else ""
    found: list[Caution] = []
    for condition in intake.conditions:
        if condition.checklist and condition.code in ticked_codes:
            found.append(Caution(condition, "ticked on the checklist"))
            continue
        word = next((w for w in condition.medication_words if _has_word(typed, w)), None)
        if word is not None:
            found.append(Caution(condition, f"medicine: {word}"))
            continue
        if condition.from_question is not None:
            value = answers.get(condition.from_question)
            if isinstance(value, str) and value in condition.from_answers:
                question = intake.question(condition.from_question)
                label = question.label if question else condition.from_question
                found.append(Caution(condition, f"answered {label}"))
    return found


def red_flags_of(answers: Answers, intake: Intake | None = None) -> list[RedFlag]:
    """The red flags the answers raise: urgent first, then in the data's order."""
    intake = intake or default_intake()
    raised = [f for f in intake.red_flags if f.raised_by(answers)]
    return sorted(raised, key=lambda f: f.urgency is not Urgency.URGENT)


def flag_of_answer(key: str, value: AnswerValue, intake: Intake | None = None) -> RedFlag | None:
    """The first red flag one answer raises on its own, or None (a flag that also needs
    another answer is red_flags_of's)."""
    intake = intake or default_intake()
    return next(
        (f for f in intake.red_flags if f.asked_by(key) and f.raised_by({key: value})), None
    )


def new_flags(
    answers: Answers, flagged: Iterable[str], intake: Intake | None = None
) -> list[RedFlag]:
    """The red flags `answers` raise that are not among the codes `flagged` already."""
    done = set(flagged)
    return [f for f in red_flags_of(answers, intake) if f.code not in done]


def pressure_cautions(cautions: Iterable[Caution], pressure: str) -> list[Caution]:
    """The cautions that ask the therapist to confirm before choosing `pressure`."""
    return [c for c in cautions if pressure in c.condition.confirm_pressures]


def technique_cautions(cautions: Iterable[Caution], technique: str) -> list[Caution]:
    """The cautions that ask the therapist to confirm before choosing `technique`."""
    return [c for c in cautions if technique in c.condition.confirm_techniques]


@dataclass(frozen=True)
class Skipped:
    exercise: Exercise
    caution: Caution


def exercises_to_skip(exercises: Iterable[Exercise], cautions: Iterable[Caution]) -> list[Skipped]:
    """The exercises whose own `cautions` in the library name one of the client's
    conditions ("skip it if your feet are numb or you have diabetes"), with the condition."""
    cautions = list(cautions)
    skipped: list[Skipped] = []
    for exercise in exercises:
        text = exercise.cautions.lower()
        hit = next(
            (c for c in cautions if any(_has_word(text, w) for w in c.condition.exercise_words)),
            None,
        )
        if hit is not None:
            skipped.append(Skipped(exercise, hit))
    return skipped


@dataclass(frozen=True)
class SafetyScreen:
    """How the client answered the safety (red-flag) questions, each question in one group.
    The screen is negative only when every one was answered no: a question skipped, or not
    reached yet, is not a no."""

    questions: tuple[IntakeQuestion, ...]
    answered_no: tuple[IntakeQuestion, ...]
    # Answered with a sign: a yes, or an item of a checklist ticked (each raises a red flag).
    answered_yes: tuple[IntakeQuestion, ...]
    not_answered: tuple[IntakeQuestion, ...]

    @property
    def negative(self) -> bool:
        return bool(self.questions) and len(self.answered_no) == len(self.questions)


def safety_screen(answers: Answers, intake: Intake | None = None) -> SafetyScreen:
    """The safety questions in the intake's order, grouped by how `answers` answer them."""
    intake = intake or default_intake()
    section = intake.section(SAFETY)
    keys = set(section.questions) if section is not None else set()
    questions = tuple(q for q in intake.questions if q.key in keys)
    groups: dict[str, list[IntakeQuestion]] = {"no": [], "yes": [], "none": []}
    for question in questions:
        value = answers.get(question.key)
        if value is None or value == "" or value == []:
            groups["none"].append(question)
        elif value in (NO, [NONE]):
            groups["no"].append(question)
        else:
            groups["yes"].append(question)
    return SafetyScreen(questions, tuple(groups["no"]), tuple(groups["yes"]), tuple(groups["none"]))


def has_intake(answers: Answers) -> bool:
    """Whether the client has told anything: one answer at least that was not skipped (a
    client who skipped every question has nothing to check before a visit)."""
    return any(value not in (None, "", []) for value in answers.values())


def changed_flags(before: Answers, after: Answers, intake: Intake | None = None) -> list[RedFlag]:
    """The red flags `after` raises that `before` did not: the ones to alert about."""
    old = {f.code for f in red_flags_of(before, intake)}
    return [f for f in red_flags_of(after, intake) if f.code not in old]


def _has_word(text: str, word: str) -> bool:
    return re.search(rf"(?<![a-z]){re.escape(word.lower())}(?![a-z])", text) is not None


# --- loading and checking the data ---


def _tuple(entry: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ValueError(f"{where}: {key} must be a list of words")
    return tuple(value)


def _text(entry: Mapping[str, Any], key: str, where: str, limit: int = 240) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip() or value != value.strip():
        raise ValueError(f"{where}: {key} must be a non-empty line")
    if "\n" in value or len(value) > limit:
        raise ValueError(f"{where}: {key} must be one line of at most {limit} characters")
    return value


def _code(value: object, where: str) -> str:
    if not isinstance(value, str) or not _CODE.match(value):
        raise ValueError(f"{where}: code must be [a-z0-9_], at most 16 characters")
    return value


def _known(entry: Mapping[str, Any], keys: set[str], where: str) -> None:
    unknown = sorted(set(entry) - keys)
    if unknown:
        raise ValueError(f"{where}: unknown keys {', '.join(unknown)}")


def _sources(entry: Mapping[str, Any], known: Mapping[str, Source], where: str) -> tuple[str, ...]:
    sources = _tuple(entry, "sources", where)
    if not sources:
        raise ValueError(f"{where}: names no sources")
    missing = [s for s in sources if s not in known]
    if missing:
        raise ValueError(f"{where}: unknown sources {', '.join(missing)}")
    return sources


def _question(entry: Mapping[str, Any]) -> IntakeQuestion:
    where = f"question {entry.get('key')!r}"
    _known(
        entry,
        {"key", "kind", "label", "prompt", "example", "choices", "typed", "lead_in", "retired"},
        where,
    )
    key = _code(entry.get("key"), where)
    try:
        kind = QuestionKind(str(entry.get("kind")))
    except ValueError:
        raise ValueError(f"{where}: kind must be text, choice or multi") from None
    choices = entry.get("choices")
    if kind is QuestionKind.CHOICE or (kind is QuestionKind.MULTI and key != CONDITIONS):
        if not isinstance(choices, dict) or not choices:
            raise ValueError(f"{where}: a choice question or checklist needs choices")
        for code, label in choices.items():
            if _code(code, f"{where} choice") == NONE:
                raise ValueError(f"{where}: {NONE!r} is every checklist's own, not a choice")
            if not isinstance(label, str) or not label:
                raise ValueError(f"{where}: choice {code!r} needs a label")
    elif choices is not None:
        raise ValueError(f"{where}: only a choice question or a checklist has choices")
    retired = entry.get("retired")
    if retired is not None:
        if not isinstance(retired, dict) or not choices:
            raise ValueError(f"{where}: retired must be code = label, beside choices")
        for code, label in retired.items():
            if _code(code, f"{where} retired") in choices or code == NONE:
                raise ValueError(f"{where}: retired {code!r} is still a choice")
            if not isinstance(label, str) or not label:
                raise ValueError(f"{where}: retired {code!r} needs a label")
    typed = entry.get("typed", False)
    if not isinstance(typed, bool):
        raise ValueError(f"{where}: typed must be true or false")
    return IntakeQuestion(
        key=key,
        kind=kind,
        label=_text(entry, "label", where, 40),
        prompt=_text(entry, "prompt", where, 300),
        example=_text(entry, "example", where) if "example" in entry else "",
        choices=dict(choices) if choices else None,
        typed=typed,
        lead_in=_text(entry, "lead_in", where, 120) if "lead_in" in entry else "",
        retired=dict(retired) if retired else None,
    )


_CONDITION_KEYS = {
    "code",
    "label",
    "short",
    "caution",
    "sources",
    "confirm_pressures",
    "confirm_techniques",
    "medication_words",
    "exercise_words",
    "checklist",
    "from_question",
    "from_answers",
}


def _condition(
    entry: Mapping[str, Any], sources: Mapping[str, Source], questions: Mapping[str, IntakeQuestion]
) -> Condition:
    where = f"condition {entry.get('code')!r}"
    _known(entry, _CONDITION_KEYS, where)
    pressures = _tuple(entry, "confirm_pressures", where)
    if unknown := [p for p in pressures if p not in PRESSURES]:
        raise ValueError(f"{where}: unknown pressures {', '.join(unknown)}")
    techniques = _tuple(entry, "confirm_techniques", where)
    if unknown := [t for t in techniques if t not in TECHNIQUES]:
        raise ValueError(f"{where}: unknown techniques {', '.join(unknown)}")
    checklist = entry.get("checklist", True)
    if not isinstance(checklist, bool):
        raise ValueError(f"{where}: checklist must be true or false")
    from_question = entry.get("from_question")
    from_answers = _tuple(entry, "from_answers", where)
    if from_question is not None:
        question = questions.get(from_question) if isinstance(from_question, str) else None
        if question is None or question.choices is None:
            raise ValueError(f"{where}: from_question must be a choice question")
        if not from_answers or any(a not in question.choices for a in from_answers):
            raise ValueError(f"{where}: from_answers must be choices of {from_question}")
    elif not checklist:
        raise ValueError(f"{where}: off the checklist, it needs from_question")
    return Condition(
        code=_code(entry.get("code"), where),
        label=_text(entry, "label", where, 60),
        short=_text(entry, "short", where, 24),
        caution=_text(entry, "caution", where, 120),
        sources=_sources(entry, sources, where),
        confirm_pressures=pressures,
        confirm_techniques=techniques,
        medication_words=tuple(w.lower() for w in _tuple(entry, "medication_words", where)),
        exercise_words=tuple(w.lower() for w in _tuple(entry, "exercise_words", where)),
        checklist=checklist,
        from_question=from_question,
        from_answers=from_answers,
    )


def _red_flag(
    entry: Mapping[str, Any],
    sources: Mapping[str, Source],
    questions: Mapping[str, IntakeQuestion],
    conditions: set[str],
) -> RedFlag:
    where = f"red flag {entry.get('code')!r}"
    _known(entry, _RED_FLAG_KEYS, where)
    question = questions.get(entry.get("question", ""))
    answers = (entry["answer"],) if "answer" in entry else _tuple(entry, "answers", where)
    if question is None or question.kind is QuestionKind.TEXT:
        raise ValueError(f"{where}: question must be a choice question or a checklist")
    options = conditions if question.key == CONDITIONS else set(question.choices or {})
    options |= set(question.retired or {})
    both = ("answer" in entry) == ("answers" in entry)
    if both or not answers or any(a not in options for a in answers):
        raise ValueError(f"{where}: answer (or answers) must be the question's choices")
    with_question = entry.get("with_question")
    with_words = tuple(w.lower() for w in _tuple(entry, "with_words", where))
    if with_question is not None:
        typed = questions.get(with_question) if isinstance(with_question, str) else None
        if typed is None or typed.kind is not QuestionKind.TEXT or not with_words:
            raise ValueError(f"{where}: with_question must be a typed question, with_words")
    elif with_words:
        raise ValueError(f"{where}: with_words needs with_question")
    earlier = []
    for key, codes in dict(entry.get("earlier", {})).items():
        before = questions.get(key)
        codes = tuple(str(c) for c in codes) if isinstance(codes, list) else ()
        if before is None or not codes or any(c not in (before.retired or {}) for c in codes):
            raise ValueError(f"{where}: earlier must name retired items of its questions")
        earlier.append((key, codes))
    try:
        urgency = Urgency(str(entry.get("urgency")))
    except ValueError:
        raise ValueError(f"{where}: urgency must be urgent or soon") from None
    return RedFlag(
        code=_code(entry.get("code"), where),
        question=question.key,
        answers=tuple(str(a) for a in answers),
        name=_text(entry, "name", where, 60),
        urgency=urgency,
        meaning=_text(entry, "meaning", where, 200),
        sources=_sources(entry, sources, where),
        with_question=with_question,
        with_words=with_words,
        earlier=tuple(earlier),
    )


_RED_FLAG_KEYS = {
    "earlier",
    "code",
    "question",
    "answer",
    "answers",
    "name",
    "urgency",
    "meaning",
    "sources",
    "with_question",
    "with_words",
}


def load_intake(path: Path = DEFAULT_PATH) -> Intake:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path.name}: not valid TOML: {exc}") from None
    _known(data, {"source", "question", "section", "condition", "red_flag"}, path.name)
    sources: dict[str, Source] = {}
    for key, entry in data.get("source", {}).items():
        where = f"source {key!r}"
        _known(entry, {"title", "url"}, where)
        url = entry.get("url")
        sources[key] = Source(key, _text(entry, "title", where, 200), url)
    questions = [_question(e) for e in data.get("question", [])]
    by_key = {q.key: q for q in questions}
    if len(by_key) != len(questions):
        raise ValueError(f"{path.name}: two questions share a key")
    listed = by_key.get(CONDITIONS)
    if listed is None or listed.kind is not QuestionKind.MULTI or MEDICATIONS not in by_key:
        raise ValueError(f"{path.name}: needs the checklist {CONDITIONS!r}, and {MEDICATIONS!r}")
    conditions = [_condition(e, sources, by_key) for e in data.get("condition", [])]
    ticks = {c.code for c in conditions if c.checklist}
    flags = [_red_flag(e, sources, by_key, ticks) for e in data.get("red_flag", [])]
    for kind, items in (("condition", conditions), ("red flag", flags)):
        codes = [i.code for i in items]
        if len(set(codes)) != len(codes) or NONE in codes:
            raise ValueError(f"{path.name}: {kind} codes must be unique and not {NONE!r}")
    sections = _sections(data.get("section", []), [q.key for q in questions], path.name)
    return Intake(tuple(questions), tuple(conditions), tuple(flags), sources, sections)


def _sections(entries: list[Any], order: list[str], name: str) -> tuple[Section, ...]:
    """The parts: every question in exactly one, each part's questions in the intake's order."""
    sections = []
    for entry in entries:
        where = f"section {entry.get('code')!r}"
        _known(entry, {"code", "label", "short", "questions"}, where)
        keys = _tuple(entry, "questions", where)
        if not keys or any(k not in order for k in keys):
            raise ValueError(f"{where}: questions must be keys of questions above")
        if list(keys) != sorted(keys, key=order.index):
            raise ValueError(f"{where}: questions must be in the intake's order")
        sections.append(
            Section(
                code=_code(entry.get("code"), where),
                label=_text(entry, "label", where, 40),
                short=_text(entry, "short", where, 24),
                questions=keys,
            )
        )
    if not sections:
        return ()
    placed = [k for s in sections for k in s.questions]
    if sorted(placed) != sorted(order):
        raise ValueError(f"{name}: every question must be in exactly one section")
    if len({s.code for s in sections}) != len(sections):
        raise ValueError(f"{name}: section codes must be unique")
    return tuple(sections)


@cache
def default_intake() -> Intake:
    return load_intake()
