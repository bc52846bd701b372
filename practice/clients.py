"""Client names as typed by a therapist: searching, and spotting one person entered twice."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import TypeVar

from practice.fuzzy import ratio

T = TypeVar("T")

# Above this similarity two names are probably one person typed twice ("Ana K." / "Anna K.").
# (practice.fuzzy.ratio, 0-100.)
_SIMILAR_RATIO = 80
# A look-alike shares the start of a word with the new name: its first letters, this many.
LOOKALIKE_PREFIX = 2


def name_key(name: str) -> str:
    """Fold a name for comparison: case, accents, dots and spacing do not make a new person."""
    decomposed = unicodedata.normalize("NFKD", name)
    letters = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    kept = "".join(ch if ch.isalnum() else " " for ch in letters.casefold())
    return " ".join(kept.split())


def name_words(name: str) -> list[str]:
    """The distinct words of the folded name, as the search index keeps them."""
    return sorted(set(name_key(name).split()))


def prefix_range(prefix: str) -> tuple[str, str | None]:
    """The words that start with `prefix` are those w with low <= w < high (code point order;
    high None: no upper bound, for a prefix ending in the last code point)."""
    last = ord(prefix[-1])
    if last == 0x10FFFF:
        return prefix, None
    return prefix, prefix[:-1] + chr(last + 1)


def lookalike_prefixes(name: str) -> list[str]:
    """What a possible look-alike of `name` shares: the start of one of its words. A name
    mistyped in the first letters of every word is not caught (it is rarely the same person)."""
    return sorted({w[:LOOKALIKE_PREFIX] for w in name_words(name)})


def matches_search(name: str, query: str) -> bool:
    """Every word typed is the start of a word of the name: "ann k" finds "Anna Kowalska"."""
    words = name_key(name).split()
    wanted = name_key(query).split()
    return bool(wanted) and all(any(w.startswith(q) for w in words) for q in wanted)


def is_near_duplicate(new: str, existing: str) -> bool:
    a, b = name_key(new), name_key(existing)
    if not a or not b:
        return False
    if a == b:
        return True
    wa, wb = a.split(), b.split()
    # "Anna K" and "Anna Kowalska": same first name, the rest agree as initials.
    if len(wa) > 1 and len(wb) > 1 and wa[0] == wb[0]:
        rest_a, rest_b = wa[1:], wb[1:]
        # Initials agree ("K" / "Kowalska"), or the surname differs only by a typo.
        if len(rest_a) == len(rest_b) and all(
            x.startswith(y) or y.startswith(x) for x, y in zip(rest_a, rest_b, strict=True)
        ):
            return True
        rest_a_text, rest_b_text = " ".join(rest_a), " ".join(rest_b)
        if min(len(rest_a_text), len(rest_b_text)) < 3:
            return False  # "Anna K" and "Anna B" are two people
        return ratio(rest_a_text, rest_b_text) >= _SIMILAR_RATIO
    return ratio(a, b) >= _SIMILAR_RATIO


def near_duplicates(new: str, existing: Iterable[tuple[str, T]]) -> list[T]:
    """Which of the existing (name, item) pairs look like the same person as `new`."""
    return [item for name, item in existing if is_near_duplicate(new, name)]
