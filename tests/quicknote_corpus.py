"""The typed quick-note corpus (tests/data/quicknotes.toml): its setting, and each note's
expected fields next to what the parser made of it. Shared by the tests and bench/quicknote.py."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from practice.quicknote import ClientMatch, KnownClient, LastNote, QuickNoteDraft

CORPUS = Path(__file__).with_name("data") / "quicknotes.toml"

# The fields the corpus states and the benchmark scores, in the order printed.
FIELDS = (
    "client",
    "areas",
    "techniques",
    "pressure",
    "pain_before",
    "pain_after",
    "date",
    "subjective",
    "findings",
    "response",
    "plan_next",
    "unplaced",
)


@dataclass(frozen=True)
class Case:
    text: str
    expected: dict[str, Any]
    known_miss: frozenset[str]


@dataclass(frozen=True)
class Corpus:
    today: date
    clients: list[KnownClient]
    last_note: LastNote
    cases: list[Case]


def load() -> Corpus:
    data = tomllib.loads(CORPUS.read_text(encoding="utf-8"))
    setting = data["setting"]
    clients = [KnownClient(i + 1, name) for i, name in enumerate(setting["clients"])]
    by_name = {c.name: c for c in clients}
    last = setting["last_note"]
    last_note = LastNote(
        client_id=by_name[last["client"]].id,
        areas=tuple(last["areas"]),
        techniques=tuple(last["techniques"]),
        pressure=last["pressure"],
    )
    cases = []
    for entry in data["note"]:
        if "client" in entry:
            client: tuple[str, ...] | None = ("found", entry["client"])
        elif "new_client" in entry:
            client = ("new", entry["new_client"])
        elif "ambiguous" in entry:
            client = ("ambiguous", *entry["ambiguous"])
        else:
            client = None
        expected = {
            "client": client,
            "areas": entry.get("areas", []),
            "techniques": entry.get("techniques", []),
            "pressure": entry.get("pressure"),
            "pain_before": entry.get("pain_before"),
            "pain_after": entry.get("pain_after"),
            "date": entry.get("date"),
            "subjective": entry.get("subjective"),
            "findings": entry.get("findings"),
            "response": entry.get("response"),
            "plan_next": entry.get("plan_next"),
            "unplaced": entry.get("unplaced", []),
        }
        cases.append(Case(entry["text"], expected, frozenset(entry.get("known_miss", []))))
    return Corpus(setting["today"], clients, last_note, cases)


def fields_of(draft: QuickNoteDraft) -> dict[str, Any]:
    """The parser's answer in the corpus's terms."""
    guess = draft.client
    client: tuple[str, ...] | None
    if guess.match is ClientMatch.FOUND and guess.client is not None:
        client = ("found", guess.client.name)
    elif guess.match is ClientMatch.NEW:
        client = ("new", guess.said or "")
    elif guess.match is ClientMatch.AMBIGUOUS:
        client = ("ambiguous", *(c.name for c in guess.candidates))
    else:
        client = None
    return {
        "client": client,
        "areas": draft.areas,
        "techniques": draft.techniques,
        "pressure": draft.pressure,
        "pain_before": draft.pain_before,
        "pain_after": draft.pain_after,
        "date": draft.session_date,
        "subjective": draft.subjective,
        "findings": draft.findings,
        "response": draft.response,
        "plan_next": draft.plan_next,
        "unplaced": draft.unplaced,
    }
