"""How much of the homework a client did: done out of the reminders they were due.

Every figure shown (the client card, /progress and its verdict, the export, the client's weekly
note, the therapist's digest) is cut from one `HomeworkDays`, read by one repository call
(`RecordRepository.homework_days`). The surfaces differ only in their window, and each says
which: "last 14 days", "since the plan started", "since assigned".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from practice.numbers import percent

ADHERENCE_WINDOW_DAYS = 14


@dataclass(frozen=True)
class Adherence:
    done: int
    due: int

    @property
    def share(self) -> float | None:
        """Done / due; None when nothing was due yet (no reminder has gone out)."""
        return None if self.due == 0 else min(self.done, self.due) / self.due

    def describe(self) -> str:
        if self.share is None:
            return "nothing due yet"
        return f"{min(self.done, self.due)} of {self.due} ({percent(self.share)})"

    def __add__(self, other: Adherence) -> Adherence:
        return Adherence(self.done + other.done, self.due + other.due)


Day = tuple[int, date]  # (assignment id, the client's local day of the occurrence)


@dataclass(frozen=True)
class HomeworkDays:
    """The days a client was due an exercise (its reminder went out, or its time passed while
    the bot was down) and the days they said they did it, per assignment.

    A day counts as done only if it was due: an answer is always to a reminder, so this only
    keeps a stray answer from counting twice.
    """

    due: frozenset[Day] = frozenset()
    done: frozenset[Day] = frozenset()

    @classmethod
    def of(cls, due: Iterable[Day], done: Iterable[Day]) -> HomeworkDays:
        return cls(frozenset(due), frozenset(done))

    def since(self, first_day: date | None) -> HomeworkDays:
        """The days from `first_day` on (None: all of them, each since it was assigned)."""
        if first_day is None:
            return self
        due = frozenset(d for d in self.due if d[1] >= first_day)
        return HomeworkDays(due, self.done & due)

    def adherence(
        self, *, assignment_id: int | None = None, since: date | None = None
    ) -> Adherence:
        """Done out of due: for one assignment or all of them, from `since` on (None: since
        each was assigned)."""
        days = self.since(since)
        due = {d for d in days.due if assignment_id is None or d[0] == assignment_id}
        return Adherence(done=len(due & days.done), due=len(due))
