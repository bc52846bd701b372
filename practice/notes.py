"""What a post-session note is made of, and how a therapist's typing is read.

The note follows the SOAP shape massage documentation uses: what the client reports
(Subjective), what the therapist found (Objective/Assessment), the treatment itself
(areas, techniques, pressure, pain before and after), and the plan for next time.
"""

from __future__ import annotations

import copy
import re
from dataclasses import asdict, dataclass, field, fields
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

# Codes are stored; labels are shown. Codes never change once notes use them.
AREAS: dict[str, str] = {
    "neck": "Neck",
    "shoulders": "Shoulders",
    "upper_back": "Upper back",
    "lower_back": "Lower back",
    "hips": "Hips/glutes",
    "legs": "Legs",
    "arms": "Arms/hands",
    "head": "Head/jaw",
    "feet": "Feet",
}

TECHNIQUES: dict[str, str] = {
    "swedish": "Swedish",
    "deep": "Deep tissue",
    "trigger": "Trigger point",
    "myofascial": "Myofascial release",
    "sports": "Sports",
    "pnf": "Stretching/PNF",
    "lymph": "Lymphatic drainage",
    "stone": "Hot stone",
}

PRESSURES: dict[str, str] = {
    "light": "Light",
    "medium": "Medium",
    "firm": "Firm",
    "deep": "Deep",
}

PAIN_MIN, PAIN_MAX = 0, 10

# A free-text field is a quick note typed on a phone, not a report. 3,000 characters is
# about two screens; anything longer is refused (and stays in the therapist's chat to
# shorten) rather than cut silently.
MAX_TEXT_LENGTH = 3000
MAX_OTHER_LENGTH = 80
MAX_CLIENT_NAME_LENGTH = 60
# The oldest session a note may be dated to: late paperwork happens, a typo of a year does too.
MAX_BACKDATE_DAYS = 366


class TextField(StrEnum):
    """The optional free-text parts of a note, in the order they are asked."""

    SUBJECTIVE = "subjective"
    FINDINGS = "findings"
    RESPONSE = "response"
    PLAN_NEXT = "plan_next"


class InputError(ValueError):
    """The therapist typed something the note cannot take; the message says why."""


@dataclass
class NoteDraft:
    """A note being written. Stored as JSON between steps, so it survives restarts."""

    client_id: int | None = None
    client_name: str | None = None
    # A client typed in during this note: the record is created only when the note is saved.
    new_client: bool = False
    areas: list[str] = field(default_factory=list)
    area_other: str | None = None
    techniques: list[str] = field(default_factory=list)
    technique_other: str | None = None
    pressure: str | None = None
    pain_before: int | None = None
    pain_after: int | None = None
    subjective: str | None = None
    findings: str | None = None
    response: str | None = None
    plan_next: str | None = None
    session_date: date | None = None  # None until set: the summary shows "today"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["session_date"] = self.session_date.isoformat() if self.session_date else None
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> NoteDraft:
        known = {f.name for f in fields(cls)}
        # A deep copy: the draft is changed in place, the stored JSON must stay as loaded
        # (the ORM notices a change by comparing the two).
        values = {k: copy.deepcopy(v) for k, v in data.items() if k in known}
        if values.get("session_date"):
            values["session_date"] = date.fromisoformat(values["session_date"])
        return cls(**values)

    def toggle_area(self, code: str) -> None:
        _toggle(self.areas, code, AREAS)

    def toggle_technique(self, code: str) -> None:
        _toggle(self.techniques, code, TECHNIQUES)

    def choose_client(self, client_id: int | None, name: str) -> None:
        self.client_id = client_id
        self.client_name = name
        self.new_client = client_id is None

    def has_treatment(self) -> bool:
        return bool(self.areas or self.area_other or self.techniques or self.technique_other)

    def prefill_from(self, previous: PreviousTreatment | None) -> None:
        """A returning client usually gets the same treatment: start from the last one
        (or from nothing, for a client without notes)."""
        previous = previous or PreviousTreatment([], None, [], None, None)
        self.areas = [a for a in previous.areas if a in AREAS]
        self.area_other = previous.area_other
        self.techniques = [t for t in previous.techniques if t in TECHNIQUES]
        self.technique_other = previous.technique_other
        self.pressure = previous.pressure if previous.pressure in PRESSURES else None

    def treatment(self) -> dict[str, Any]:
        """The treatment part of the note (what a returning client's note starts from)."""
        return {
            "areas": list(self.areas),
            "area_other": self.area_other,
            "techniques": list(self.techniques),
            "technique_other": self.technique_other,
            "pressure": self.pressure,
        }

    def text(self, which: TextField) -> str | None:
        value: str | None = getattr(self, which.value)
        return value

    def set_text(self, which: TextField, value: str | None) -> None:
        setattr(self, which.value, value)

    def missing(self) -> list[str]:
        """What must be filled in before the note can be saved."""
        out = []
        if self.client_id is None and not (self.new_client and self.client_name):
            out.append("client")
        if not self.areas and not self.area_other:
            out.append("areas treated")
        if not self.techniques and not self.technique_other:
            out.append("techniques")
        if self.pressure is None:
            out.append("pressure")
        if self.pain_before is None:
            out.append("pain before")
        if self.pain_after is None:
            out.append("pain after")
        return out


@dataclass(frozen=True)
class PreviousTreatment:
    areas: list[str]
    area_other: str | None
    techniques: list[str]
    technique_other: str | None
    pressure: str | None


def _toggle(selected: list[str], code: str, vocabulary: dict[str, str]) -> None:
    if code not in vocabulary:
        raise InputError(f"unknown choice {code!r}")
    if code in selected:
        selected.remove(code)
    else:
        # Keep the vocabulary's order so summaries read the same way every time.
        selected.append(code)
        selected.sort(key=list(vocabulary).index)


_PAIN = re.compile(r"^\s*(\d{1,2})\s*(?:/\s*10)?\s*$")


def parse_pain(text: str) -> int:
    """Read a 0–10 numeric pain rating as typed: "7", " 7 ", "7/10"."""
    match = _PAIN.match(text)
    if match is None:
        raise InputError("not a number from 0 to 10")
    value = int(match.group(1))
    if not PAIN_MIN <= value <= PAIN_MAX:
        raise InputError("not a number from 0 to 10")
    return value


def clean_text(text: str, *, limit: int = MAX_TEXT_LENGTH) -> str:
    """Trim a typed field; refuse empty or over-long text rather than cut it silently."""
    cleaned = text.strip()
    if not cleaned:
        raise InputError("empty")
    if len(cleaned) > limit:
        raise InputError(f"too long: {len(cleaned)} characters, the limit is {limit}")
    return cleaned


def clean_client_name(text: str) -> str:
    name = " ".join(text.split())
    if not name or not any(ch.isalpha() for ch in name):
        raise InputError("a name needs at least one letter")
    if name.startswith("/"):
        raise InputError("a name cannot start with /")
    if len(name) > MAX_CLIENT_NAME_LENGTH:
        raise InputError(f"a name has at most {MAX_CLIENT_NAME_LENGTH} characters")
    return name


_MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for m in names
}
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_NUMERIC = re.compile(r"^(\d{1,2})[./-](\d{1,2})(?:[./-](\d{2}|\d{4}))?$")
_DAY_MONTH = re.compile(r"^(\d{1,2})\s+([a-z]+)\.?(?:\s+(\d{4}))?$")
_MONTH_DAY = re.compile(r"^([a-z]+)\.?\s+(\d{1,2})(?:,?\s+(\d{4}))?$")


def parse_session_date(
    text: str, today: date, *, future_days: int = 0, past_days: int = MAX_BACKDATE_DAYS
) -> date:
    """Read a date as a therapist types it, day first: "yesterday", "24.11", "24 Nov".

    Only dates from `past_days` before today to `future_days` after it are accepted (a
    session note: none in the future). A date without a year means the allowed one nearest
    to today.
    """
    t = " ".join(text.strip().lower().split())
    named = {"today": 0, "now": 0, "yesterday": -1, "tomorrow": 1}
    if t in named:
        found = today + timedelta(days=named[t])
        if not -past_days <= named[t] <= future_days:
            raise InputError(
                "that date is in the future" if named[t] > 0 else "that date is in the past"
            )
        return found
    day: int
    month: int
    year: int | None
    if m := _ISO.match(t):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    elif m := _NUMERIC.match(t):
        day, month = int(m[1]), int(m[2])
        year = None if m[3] is None else int(m[3]) + (2000 if len(m[3]) == 2 else 0)
    elif (m := _DAY_MONTH.match(t)) and m[2] in _MONTHS:
        day, month, year = int(m[1]), _MONTHS[m[2]], int(m[3]) if m[3] else None
    elif (m := _MONTH_DAY.match(t)) and m[1] in _MONTHS:
        day, month, year = int(m[2]), _MONTHS[m[1]], int(m[3]) if m[3] else None
    else:
        raise InputError("not a date I can read")
    candidates = []
    for y in (today.year - 1, today.year, today.year + 1) if year is None else (year,):
        try:
            candidates.append(date(y, month, day))
        except ValueError:
            continue  # 29 February of a year without one, 31 April…
    if not candidates:
        raise InputError("no such day")
    allowed = [c for c in candidates if -past_days <= (c - today).days <= future_days]
    if not allowed:
        if any(c > today for c in candidates) and future_days == 0:
            raise InputError("that date is in the future")
        raise InputError("that date is too far from today")
    return min(allowed, key=lambda c: abs((c - today).days))


OLDEST_BIRTH_YEARS = 120
_YEAR = re.compile(r"\b\d{4}\b")


def parse_birth_date(text: str, today: date) -> date:
    """A date of birth as a client types it, day first and with the year: "14 March 1985",
    "14.03.1985", "1985-03-14"."""
    if not _YEAR.search(text):
        raise InputError("a date of birth needs its year")
    return parse_session_date(text, today, past_days=OLDEST_BIRTH_YEARS * 366)
