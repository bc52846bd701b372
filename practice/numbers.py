"""How a figure is printed, in one place for every screen and document: percentages and their
rounding. A share 0…1 reads "29 %" (a space before the sign, as the progress verdicts have
always printed it), rounded as on paper."""

from __future__ import annotations

import math

MINUS = "−"


def round_half_away(x: float) -> int:
    """−12.5 → −13, not Python's banker's −12: a printed figure should round as on paper."""
    return int(math.copysign(math.floor(abs(x) + 0.5), x))


def percent(share: float) -> str:
    """0.286 → "29 %"."""
    return percent_of(100 * share)


def percent_of(points: float, *, signed: bool = False) -> str:
    """29 → "29 %"; signed: −14 → "−14 %", 5 → "+5 %"."""
    n = round_half_away(points)
    sign = "+" if signed and n > 0 else MINUS if n < 0 else ""
    return f"{sign}{abs(n)} %"
