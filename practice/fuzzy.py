"""How alike two strings are, as a therapist types names and treatment words on a phone:
rapidfuzz's ratio (0-100: the indel similarity 2·LCS / (len a + len b)).

rapidfuzz is imported on the first comparison (a new client's name, a quick note), not with
this module: its compiled matchers are about 4.5 MB that a process answering taps does not
need. Its presence is checked at start instead (bot/runtime/libraries.py)."""

from __future__ import annotations

from collections.abc import Sequence

LOADED_ON_FIRST_USE = ("rapidfuzz",)


def ratio(a: str, b: str) -> float:
    from rapidfuzz.fuzz import ratio as indel_ratio

    return float(indel_ratio(a, b))


def closest(query: str, choices: Sequence[str], *, cutoff: float) -> str | None:
    """The choice most like `query`, if any scores `cutoff` or more (the first of a tie)."""
    from rapidfuzz import fuzz, process

    best = process.extractOne(query, choices, scorer=fuzz.ratio, score_cutoff=cutoff)
    return None if best is None else str(best[0])
