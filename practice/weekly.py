"""The client's short weekly note: what they did, how the pain went. Encouraging, never
nagging, and only when there is something to say."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, time, timedelta

from practice.adherence import Adherence

WEEKDAY = 6  # Sunday: the week looked back on is the one ending


def next_weekly_day(local_today: date, local_now: time, at: time) -> date:
    """The next Sunday (today, if it is Sunday and the time has not passed)."""
    days = (WEEKDAY - local_today.weekday()) % 7
    if days == 0 and local_now >= at:
        days = 7
    return local_today + timedelta(days=days)


def weekly_note(homework: Adherence, pains: Sequence[tuple[date, int]]) -> str | None:
    """ "This week you did your exercises 5 of the 7 times they were due. Pain at your
    check-ins: 6 on Mon 23 Nov → 4 on Sat 28 Nov." — None when there is nothing to say.
    Counted in reminders (an exercise twice a day is two); `pains` are the week's check-in
    answers (the client's day, pain), oldest first: the two compared are named by their day."""
    parts = []
    if homework.due:
        parts.append(
            f"This week you did your exercises {min(homework.done, homework.due)} of the "
            f"{homework.due} times they were due."
        )
    if len(pains) >= 2:
        (first_day, first), (last_day, last) = pains[0], pains[-1]
        parts.append(
            f"Pain at your check-ins: {first} on {_day(first_day)} → {last} on {_day(last_day)}."
        )
    if not parts:
        return None
    share = homework.share
    if share is not None and share >= 0.8:
        parts.append("Great consistency 👏")
    elif share is not None and share >= 0.5:
        parts.append("Good work — keep it going.")
    elif share is not None:
        parts.append("A few minutes on any day still counts.")
    return " ".join(parts)


def _day(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b}"
