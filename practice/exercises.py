"""The homework library: exercises a therapist gives a client to do between visits.

The exercises are data (`exercises.toml` beside this module), so wording can be corrected
without touching code. Every entry is checked when the file is read: a typo there should stop
the bot at start-up with the entry named, not reach a client's phone as a broken reminder.
"""

from __future__ import annotations

import re
import tomllib
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

from practice.notes import AREAS, InputError

DEFAULT_PATH = Path(__file__).with_name("exercises.toml")

# Breathing and posture habits belong to no one body area.
GENERAL = "general"
EXERCISE_AREAS: dict[str, str] = {**AREAS, GENERAL: "Whole body"}

# Limits are set by where the text ends up: a reminder on a phone screen.
MAX_NAME_LENGTH = 40
MIN_STEPS, MAX_STEPS = 2, 5
MAX_STEP_LENGTH = 120
MAX_CAUTION_LENGTH = 160
MAX_SUMMARY_LENGTH = 80
# A dose typed by a therapist ("3 × 30 s hold each side").
MAX_DOSE_TEXT = 40

# Codes are stored with a client's homework; they are ids, not text, so keep them boring.
_CODE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
_DOSE_KEYS = ("sets", "reps", "hold_seconds", "minutes", "per_side")
_TEXT_KEYS = ("code", "name", "area", "kind", "steps", "cautions", "summary")
_KNOWN_KEYS = frozenset(_TEXT_KEYS + _DOSE_KEYS)


class Kind(StrEnum):
    STRETCH = "stretch"
    MOBILITY = "mobility"
    STRENGTH = "strength"
    BREATHING = "breathing"
    POSTURE = "posture"


@dataclass(frozen=True)
class Dose:
    """How much of an exercise: counted (sets × reps, maybe with a hold), held, or timed."""

    sets: int | None = None
    reps: int | None = None
    hold_seconds: int | None = None
    minutes: int | None = None
    # The whole dose is done on each side (each arm, leg, foot): most stretches are.
    per_side: bool = False

    def __post_init__(self) -> None:
        for name in ("sets", "reps", "hold_seconds", "minutes"):
            value = getattr(self, name)
            # bool is an int to Python, but `reps = true` in the data file is a mistake.
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int) or value < 1
            ):
                raise ValueError(f"{name} must be a positive whole number, not {value!r}")
        if not isinstance(self.per_side, bool):
            raise ValueError(f"per_side must be true or false, not {self.per_side!r}")
        if self.reps is None and self.hold_seconds is None and self.minutes is None:
            raise ValueError("a dose needs reps, hold_seconds or minutes")
        # "10 reps for 5 minutes" reads two ways; a dose is either counted or timed.
        if self.minutes is not None and (self.reps is not None or self.hold_seconds is not None):
            raise ValueError("a dose is counted (reps/hold_seconds) or timed (minutes), not both")

    def describe(self) -> str:
        """Compact text for a reminder: "2 × 10, hold 5 s", "3 × 30 s hold each side", "5 min"."""
        side = " each side" if self.per_side else ""
        if self.minutes is not None:
            # One set of five minutes is just five minutes.
            sets = f"{self.sets} × " if self.sets and self.sets > 1 else ""
            return f"{sets}{self.minutes} min{side}"
        sets = f"{self.sets} × " if self.sets else ""
        if self.reps is None:
            return f"{sets}{self.hold_seconds} s hold{side}"
        count = f"{sets}{self.reps}" if self.sets else f"{self.reps} reps"
        hold = f", hold {self.hold_seconds} s" if self.hold_seconds else ""
        return f"{count}{side}{hold}"

    def for_client(self) -> str:
        """The same dose in a client's words: "2 sets of 10, hold each 5 seconds"."""
        side = " on each side" if self.per_side else ""
        times = f", {_count(self.sets, 'time')}" if self.sets and self.sets > 1 else ""
        if self.minutes is not None:
            return f"{_count(self.minutes, 'minute')}{side}{times}"
        if self.reps is None:
            assert self.hold_seconds is not None
            return f"hold {_count(self.hold_seconds, 'second')}{side}{times}"
        if self.sets and self.sets > 1:
            count = f"{self.sets} sets of {self.reps}"
        else:
            count = _count(self.reps, "time")
        hold = f", hold each {_count(self.hold_seconds, 'second')}" if self.hold_seconds else ""
        return f"{count}{side}{hold}"


# `Dose.describe`'s shorthand, read back: a stored dose ("2 × 10, hold 5 s") shown to a client.
_SHORTHAND = re.compile(
    r"^(?:(?P<sets>\d+) × )?(?:"
    r"(?P<reps>\d+)(?P<reps_word> reps)?(?P<side1> each side)?(?:, hold (?P<hold>\d+) s)?"
    r"|(?P<held>\d+) s hold(?P<side2> each side)?"
    r"|(?P<minutes>\d+) min(?P<side3> each side)?"
    r")$"
)


def client_dose(dose: str) -> str:
    """A stored dose as a client reads it, stated once for every client screen (the homework
    message, the reminder, their home): "2 × 10, hold 5 s" → "2 sets of 10, hold each 5
    seconds". A dose the therapist typed in their own words is shown as typed."""
    match = _SHORTHAND.match(dose.strip())
    if match is None:
        return dose
    number = {k: int(v) for k, v in match.groupdict().items() if v and v.strip().isdigit()}
    sets = number.get("sets")
    if match["reps"] is not None and match["reps_word"] is not None and sets is not None:
        return dose  # "2 × 10 reps" is no shorthand describe writes: leave it as typed
    side = any(match[k] for k in ("side1", "side2", "side3"))
    try:
        parsed = Dose(
            sets=sets,
            reps=number.get("reps"),
            hold_seconds=number.get("hold") or number.get("held"),
            minutes=number.get("minutes"),
            per_side=side,
        )
    except ValueError:
        return dose
    return parsed.for_client()


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


@dataclass(frozen=True)
class Exercise:
    code: str
    name: str
    area: str
    kind: Kind
    steps: tuple[str, ...]
    dose: Dose
    cautions: str
    summary: str

    def __post_init__(self) -> None:
        problem = _problem(self)
        if problem:
            raise ValueError(f"exercise {self.code!r}: {problem}")

    def instructions(self) -> str:
        """The full instructions as plain text: numbered steps, the dose, the caution.

        Without the name: the caller heads the message in its own way (and escapes it for
        whatever markup it sends with).
        """
        lines = [f"{i}. {step}" for i, step in enumerate(self.steps, start=1)]
        lines.append(f"Dose: {self.dose.describe()}")
        lines.append(f"Caution: {self.cautions}")
        return "\n".join(lines)


def _problem(ex: Exercise) -> str | None:
    """What is wrong with an exercise, or None: one message, so a data fix is one edit."""
    if not isinstance(ex.code, str) or not _CODE.match(ex.code):
        return "code must be snake_case: lowercase letters, digits and underscores"
    if ex.area not in EXERCISE_AREAS:
        return f"unknown area {ex.area!r} (known: {', '.join(EXERCISE_AREAS)})"
    if not isinstance(ex.kind, Kind):
        return f"kind must be a Kind, not {ex.kind!r}"
    if not isinstance(ex.dose, Dose):
        return "dose must be a Dose"
    for label, text, limit in (
        ("name", ex.name, MAX_NAME_LENGTH),
        ("cautions", ex.cautions, MAX_CAUTION_LENGTH),
        ("summary", ex.summary, MAX_SUMMARY_LENGTH),
    ):
        if problem := _text_problem(text, limit):
            return f"{label} {problem}"
    if not isinstance(ex.steps, tuple) or not MIN_STEPS <= len(ex.steps) <= MAX_STEPS:
        return f"needs {MIN_STEPS} to {MAX_STEPS} steps"
    for i, step in enumerate(ex.steps, start=1):
        if problem := _text_problem(step, MAX_STEP_LENGTH):
            return f"step {i} {problem}"
    return None


def _text_problem(text: object, limit: int) -> str | None:
    if not isinstance(text, str) or not text.strip():
        return "is empty"
    if text != text.strip() or "\n" in text:
        # One line each: a reminder lays the text out itself.
        return "must be one line without surrounding spaces"
    if len(text) > limit:
        return f"is {len(text)} characters, the limit is {limit}"
    return None


def _parse_entry(entry: Any, position: int) -> Exercise:
    if not isinstance(entry, Mapping):
        raise ValueError(f"exercise #{position}: not a table")
    code = entry.get("code")
    label = f"exercise {code!r}" if isinstance(code, str) and code else f"exercise #{position}"
    unknown = sorted(set(entry) - _KNOWN_KEYS)
    if unknown:
        # A misspelt key ("hold_second") would otherwise be dropped without a word.
        raise ValueError(f"{label}: unknown keys {', '.join(unknown)}")
    missing = [key for key in _TEXT_KEYS if key not in entry]
    if missing:
        raise ValueError(f"{label}: missing {', '.join(missing)}")
    steps = entry["steps"]
    if not isinstance(steps, list):
        raise ValueError(f"{label}: steps must be a list of strings")
    try:
        kind = Kind(entry["kind"])
    except ValueError:
        known = ", ".join(k.value for k in Kind)
        raise ValueError(f"{label}: unknown kind {entry['kind']!r} (known: {known})") from None
    try:
        dose = Dose(**{key: entry[key] for key in _DOSE_KEYS if key in entry})
    except ValueError as exc:
        raise ValueError(f"{label}: {exc}") from None
    # Exercise checks the rest and names the code itself.
    return Exercise(
        code=entry["code"],  # there: checked with the other keys above
        name=entry["name"],
        area=entry["area"],
        kind=kind,
        steps=tuple(steps),
        dose=dose,
        cautions=entry["cautions"],
        summary=entry["summary"],
    )


def _read(path: Path) -> tuple[Exercise, ...]:
    with path.open("rb") as f:
        try:
            data = tomllib.load(f)
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"{path.name}: not valid TOML: {exc}") from None
    entries = data.get("exercise")
    if not isinstance(entries, list) or not entries:
        raise ValueError(f"{path.name}: no [[exercise]] entries")
    extra = sorted(set(data) - {"exercise"})
    if extra:
        raise ValueError(f"{path.name}: unknown top-level keys {', '.join(extra)}")
    library: list[Exercise] = []
    seen: set[str] = set()
    for position, entry in enumerate(entries, start=1):
        exercise = _parse_entry(entry, position)
        if exercise.code in seen:
            # Codes are stored with homework: two entries with one code would make old
            # homework point at whichever came last.
            raise ValueError(f"exercise {exercise.code!r}: duplicate code")
        seen.add(exercise.code)
        library.append(exercise)
    return tuple(library)


@cache
def _default_library() -> tuple[Exercise, ...]:
    return _read(DEFAULT_PATH)


@cache
def _by_code() -> dict[str, Exercise]:
    return {ex.code: ex for ex in _default_library()}


def load_library(path: Path | None = None) -> tuple[Exercise, ...]:
    """All exercises in file order. The shipped file is read once; another path every call."""
    return _default_library() if path is None else _read(path)


def by_code(code: str) -> Exercise:
    """The shipped exercise with this code; KeyError if there is none."""
    try:
        return _by_code()[code]
    except KeyError:
        raise KeyError(f"unknown exercise {code!r}") from None


def for_area(area: str) -> list[Exercise]:
    """The shipped exercises for one area (an AREAS code or "general"), in file order."""
    if area not in EXERCISE_AREAS:
        raise ValueError(f"unknown area {area!r}")
    return [ex for ex in _default_library() if ex.area == area]


# What a therapist reaches for first after treating an area, best first. Some cross areas on
# purpose: a jaw client usually carries the head forward too, so chin tucks follow for "head".
# After these an area's other exercises follow in file order.
FIRST_CHOICES: dict[str, tuple[str, ...]] = {
    "neck": ("chin_tuck", "upper_trapezius_stretch", "levator_scapulae_stretch"),
    "shoulders": ("doorway_pec_stretch", "cross_body_shoulder_stretch", "scapular_squeeze"),
    "upper_back": ("open_book", "cat_cow", "scapular_squeeze"),
    "lower_back": ("cat_cow", "childs_pose", "pelvic_tilt", "knee_to_chest"),
    "hips": ("figure_four_stretch", "hip_flexor_stretch", "glute_bridge"),
    "legs": ("hamstring_stretch", "calf_stretch", "quad_stretch"),
    "arms": ("wrist_flexor_stretch", "wrist_extensor_stretch"),
    "head": ("jaw_relaxation", "chin_tuck"),
    "feet": ("plantar_fascia_roll", "calf_stretch"),
    GENERAL: ("diaphragmatic_breathing", "posture_break", "box_breathing"),
}


def _candidates(area: str) -> list[str]:
    first = list(FIRST_CHOICES.get(area, ()))
    return first + [ex.code for ex in for_area(area) if ex.code not in first]


def suggest_for_areas(areas: Iterable[str], limit: int = 4) -> list[Exercise]:
    """Homework to suggest after a session that treated these areas, best first.

    Areas take turns (neck's first choice, lower back's first choice, neck's second, ...) so
    each treated area gets something even when the limit is small. An exercise shared by two
    areas is suggested once; unknown areas are ignored.
    """
    if limit < 0:
        raise ValueError("limit must not be negative")
    wanted = [a for a in dict.fromkeys(areas) if a in EXERCISE_AREAS]
    queues = [deque(_candidates(area)) for area in wanted]
    chosen: list[str] = []
    while len(chosen) < limit and any(queues):
        for queue in queues:
            while queue and queue[0] in chosen:
                queue.popleft()
            if queue:
                chosen.append(queue.popleft())
                if len(chosen) == limit:
                    break
    return [by_code(code) for code in chosen]


# --- a therapist's own exercises, beside the shipped library ------------------------------

# Codes of a therapist's own exercises: "my_<row id>". Shipped codes never take this prefix.
CUSTOM_PREFIX = "my_"
_NUMBERING = re.compile(r"^\s*(?:\d+[.)]|[-•*])\s*")


@dataclass(frozen=True)
class ExerciseCard:
    """What a reminder or a list needs of any exercise, shipped or the therapist's own."""

    code: str
    name: str
    area: str
    steps: tuple[str, ...]
    dose: str
    cautions: str | None
    summary: str  # the one line a reminder carries


def card_of(exercise: Exercise) -> ExerciseCard:
    return ExerciseCard(
        code=exercise.code,
        name=exercise.name,
        area=exercise.area,
        steps=exercise.steps,
        dose=exercise.dose.describe(),
        cautions=exercise.cautions,
        summary=exercise.summary,
    )


def custom_code(row_id: int) -> str:
    return f"{CUSTOM_PREFIX}{row_id}"


def custom_id(code: str) -> int | None:
    rest = code.removeprefix(CUSTOM_PREFIX)
    return int(rest) if code.startswith(CUSTOM_PREFIX) and rest.isdigit() else None


def parse_steps(text: str) -> tuple[str, ...]:
    """Steps typed one per line ("1. Sit tall", "- Breathe out"): numbering is dropped."""
    steps = tuple(
        cleaned for line in text.splitlines() if (cleaned := _NUMBERING.sub("", line).strip())
    )
    if not MIN_STEPS <= len(steps) <= MAX_STEPS:
        raise InputError(f"write {MIN_STEPS} to {MAX_STEPS} steps, one per line")
    long = next((s for s in steps if len(s) > MAX_STEP_LENGTH), None)
    if long is not None:
        raise InputError(f"a step has at most {MAX_STEP_LENGTH} characters")
    return steps
