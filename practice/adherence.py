"""How much of the homework a client did: done out of the reminders they were due."""

from __future__ import annotations

from dataclasses import dataclass

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
        return f"{min(self.done, self.due)} of {self.due} ({self.share:.0%})"

    def __add__(self, other: Adherence) -> Adherence:
        return Adherence(self.done + other.done, self.due + other.due)
