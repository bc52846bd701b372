"""How days, moments and scores read in the documents, in one place so they can be translated.

Month names are spelt out here rather than taken from the locale: a document must read the same
whichever machine renders it, and `strftime` is locale-dependent.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, tzinfo

from practice.checkins import CHANGE_LABELS

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
NOTHING = "—"


def short_day(day: date) -> str:
    """ "3 Nov": chart ticks."""
    return f"{day.day} {MONTHS[day.month - 1][:3]}"


def day_label(day: date) -> str:
    """ "3 Nov 2026": tables and headings."""
    return f"{short_day(day)} {day.year}"


def long_day(day: date) -> str:
    """ "3 November 2026": a letter's date."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def moment_label(moment: datetime, tz: tzinfo) -> str:
    """ "3 Nov 2026 14:05" in the reader's zone."""
    local = moment.astimezone(tz)
    return f"{day_label(local.date())} {local:%H:%M}"


def pain_change(before: int, after: int) -> str:
    """ "7 → 4", held together on one line by no-break spaces."""
    return f"{before}\u00a0→\u00a0{after}"


def change_label(change: int | None) -> str:
    """ "Better", "A little worse", "About the same": the words the client tapped."""
    if change is None:
        return NOTHING
    return CHANGE_LABELS.get(change, NOTHING)


def consent_label(consent: bool | None) -> str:
    if consent is None:
        return "Pending"
    return "Given" if consent else "Declined"


def or_nothing(value: object) -> str:
    return NOTHING if value is None or value == "" else str(value)


def count(n: int, noun: str) -> str:
    """ "1 note", "8 notes" (a noun with a plain -s plural)."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def missed_visits_line(
    no_shows: Sequence[date], late: Sequence[date], this_year: int | None = None
) -> str:
    """ "2 no-shows (last 14 Jan 2027), 1 late cancellation (7 Jan 2027)", "1 no-show (7 Jan
    2027)": each kind there was counted, with the day of the latest ("last" when there were
    several); the record's line and the client card's (which gives `this_year`: a day of it
    goes without its year)."""

    def part(days: Sequence[date], noun: str) -> str:
        last = max(days)
        day = short_day(last) if last.year == this_year else day_label(last)
        return f"{count(len(days), noun)} ({'last ' if len(days) > 1 else ''}{day})"

    kinds = [(no_shows, "no-show"), (late, "late cancellation")]
    return ", ".join(part(days, noun) for days, noun in kinds if days) or "none"
