"""A note in progress as the conversation sees it: the step, the note so far, and side inputs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.therapist.notes.steps import Step
from practice.notes import NoteDraft
from storage.models import StoredDraft


@dataclass
class DraftState:
    token: str
    step: Step
    editing: bool
    note: NoteDraft
    card_message_id: int | None = None
    # A typed new-client name waiting for "same person?" to be answered, and the look-alikes.
    pending_name: str | None = None
    candidates: list[tuple[int, str]] = field(default_factory=list)
    # What the therapist typed to search the client list, if they did.
    query: str | None = None
    # The treatment copied from the chosen client's last note, while it is left as it was:
    # picking another client then replaces it with theirs instead of keeping the wrong one.
    prefilled: dict[str, Any] | None = None
    # A quick note: the clients its name could mean (the therapist picks one), the words it
    # did not place, and what the bot knows of the client since their last session.
    choices: list[tuple[int, str]] = field(default_factory=list)
    unplaced: list[str] = field(default_factory=list)
    since_last_visit: str | None = None
    # The client's intake cautions that ask before a pressure (practice/intake.py): the
    # pressure chosen and waiting for "Yes, I've checked", and whether it was confirmed once.
    pressure_to_confirm: str | None = None
    pressure_caution: str | None = None
    pressure_confirmed: bool = False
    # The same for a technique (trigger point for a client on blood thinners): asked once.
    technique_to_confirm: str | None = None
    technique_caution: str | None = None
    technique_confirmed: bool = False
    # The pressure came without a tap on it (carried over from the last note, or a quick
    # note that said it) and Save asked first: "Yes, I've checked" then saves.
    save_after_confirm: bool = False
    # The message gave one pain rating alone, read as the pain before (the card says so).
    lone_pain: bool = False

    @classmethod
    def load(cls, row: StoredDraft) -> DraftState:
        data = row.data
        return cls(
            token=row.token,
            step=Step(row.step),
            editing=row.editing,
            note=NoteDraft.from_json(data.get("note", {})),
            card_message_id=row.card_message_id,
            pending_name=data.get("pending_name"),
            candidates=[(int(i), str(n)) for i, n in data.get("candidates", [])],
            query=data.get("query"),
            prefilled=data.get("prefilled"),
            choices=[(int(i), str(n)) for i, n in data.get("choices", [])],
            unplaced=[str(u) for u in data.get("unplaced", [])],
            since_last_visit=data.get("since_last_visit"),
            pressure_to_confirm=data.get("pressure_to_confirm"),
            pressure_caution=data.get("pressure_caution"),
            pressure_confirmed=bool(data.get("pressure_confirmed", False)),
            technique_to_confirm=data.get("technique_to_confirm"),
            technique_caution=data.get("technique_caution"),
            technique_confirmed=bool(data.get("technique_confirmed", False)),
            save_after_confirm=bool(data.get("save_after_confirm", False)),
            lone_pain=bool(data.get("lone_pain", False)),
        )

    def store(self, row: StoredDraft, now: datetime) -> None:
        row.updated_at = now
        row.step = self.step.value
        row.editing = self.editing
        row.card_message_id = self.card_message_id
        row.data = {
            "note": self.note.to_json(),
            "pending_name": self.pending_name,
            "candidates": [[i, n] for i, n in self.candidates],
            "query": self.query,
            "prefilled": self.prefilled,
            "choices": [[i, n] for i, n in self.choices],
            "unplaced": list(self.unplaced),
            "since_last_visit": self.since_last_visit,
            "pressure_to_confirm": self.pressure_to_confirm,
            "pressure_caution": self.pressure_caution,
            "pressure_confirmed": self.pressure_confirmed,
            "technique_to_confirm": self.technique_to_confirm,
            "technique_caution": self.technique_caution,
            "technique_confirmed": self.technique_confirmed,
            "save_after_confirm": self.save_after_confirm,
            "lone_pain": self.lone_pain,
        }

    def go(self, step: Step) -> None:
        self.step = step
        if step is not Step.TECHNIQUES:  # a question left unanswered is not asked elsewhere
            self.technique_to_confirm = self.technique_caution = None
        if step is Step.SUMMARY:
            self.editing = False
