"""The form engine: a form is data (its fields), the engine walks it.

A field is one question: typed text, one choice, or several choices. Choices can depend on
the client (the exercises suggested for the areas last treated), and typing at a choice
question either gives the answer directly (a date, a time, a number) or narrows the list.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from practice.notes import InputError
from storage.models import Client
from storage.unit_of_work import UnitOfWork

Answer = Any  # str, or list[str] for several choices; JSON in the database


@dataclass(frozen=True)
class Option:
    value: str  # goes into callback data: short, [a-z0-9_]
    label: str


@dataclass
class FormContext:
    """What a question needs to know to show itself or read an answer."""

    uow: UnitOfWork
    therapist_id: int
    therapist_name: str
    client: Client | None  # None for a form about no one client (the therapist's library)
    answers: dict[str, Answer]
    now: datetime
    today: date
    practice_zone: str
    query: str | None = None  # what the therapist typed to narrow a list
    target_id: int | None = None  # the record the form changes (a homework assignment), if any


Options = Callable[[FormContext], Awaitable[list[Option]]]
Parse = Callable[[str, FormContext], Answer]  # raises InputError with a reason
Show = Callable[[Answer, FormContext], Awaitable[str] | str]


def _always(answers: dict[str, Answer]) -> bool:
    return True


@dataclass(frozen=True)
class Question:
    key: str
    label: str  # on the summary
    prompt: str  # HTML
    kind: Literal["text", "choice", "multi"]
    optional: bool = False
    max_length: int = 200
    options: Options | None = None
    parse: Parse | None = None  # typed answers for choice questions
    narrows: bool = False  # typing narrows the options instead of answering
    asked: Callable[[dict[str, Answer]], bool] = _always
    show: Show | None = None  # how an answer reads on the summary
    columns: int = 2
    hint: str = ""
    # A line that depends on the client (why an exercise is not suggested), under the hint.
    note: Callable[[FormContext], Awaitable[str]] | None = None
    # A text question's one-tap answer from what is known already (the client's intake goal
    # for the plan's goal): (where it is from, the words). Typing still answers instead.
    suggest: Callable[[FormContext], Awaitable[tuple[str, str] | None]] | None = None


@dataclass(frozen=True)
class Saved:
    """What Save did: the text the card becomes, and messages to others (the client)."""

    text: str
    notify: list[tuple[int, str]] = field(default_factory=list)  # (telegram user id, HTML)
    offer: list[tuple[str, str]] = field(default_factory=list)  # follow-up buttons
    # Anything more once the save is committed (a document to send); given the handler's context.
    after: Callable[[Any], Awaitable[None]] | None = None


@dataclass(frozen=True)
class Form:
    name: str  # stored with the draft; short, never renamed
    title: Callable[[Client | None], str]
    questions: list[Question]
    initial: Callable[[FormContext], Awaitable[dict[str, Answer]]]
    save: Callable[[FormContext, int | None], Awaitable[Saved]]
    done_prompt: str = "Check and save:"
    # Things worth knowing before saving that do not stop it (a time in quiet hours).
    warnings: Callable[[FormContext], list[str]] = lambda ctx: []
    # Anything more once the form is cancelled (a question it was answering reopens); given
    # the handler's context, the therapist, the draft's client and its answers.
    cancelled: Callable[[Any, int, int | None, dict[str, Answer]], Awaitable[None]] | None = None

    def question(self, key: str) -> Question | None:
        return next((q for q in self.questions if q.key == key), None)

    def asked(self, answers: dict[str, Answer]) -> list[Question]:
        return [q for q in self.questions if q.asked(answers)]

    def next_key(self, key: str, answers: dict[str, Answer]) -> str:
        asked = [q.key for q in self.asked(answers)]
        if key not in asked:
            return SUMMARY
        index = asked.index(key)
        return asked[index + 1] if index + 1 < len(asked) else SUMMARY

    def previous_key(self, key: str, answers: dict[str, Answer]) -> str | None:
        asked = [q.key for q in self.asked(answers)]
        if key == SUMMARY:
            return asked[-1] if asked else None
        index = asked.index(key) if key in asked else 0
        return asked[index - 1] if index > 0 else None

    def unanswered(self, answers: dict[str, Answer]) -> list[Question]:
        """The questions asked that still need an answer, in order."""
        return [
            q
            for q in self.asked(answers)
            if not q.optional and answers.get(q.key) in (None, "", [])
        ]

    def first_unanswered(self, answers: dict[str, Answer]) -> str | None:
        """A question that a changed answer made necessary (weekdays, once "chosen weekdays")."""
        return next((q.key for q in self.unanswered(answers)), None)

    def missing(self, answers: dict[str, Answer]) -> list[str]:
        return [q.label for q in self.unanswered(answers)]


SUMMARY = "summary"
EDIT_MENU = "edit"


def options_from(choices: dict[str, str]) -> Options:
    """Options for a fixed vocabulary (code → label)."""

    async def options(ctx: FormContext) -> list[Option]:
        return [Option(code, label) for code, label in choices.items()]

    return options


def read_text(question: Question, typed: str) -> str:
    value = " ".join(typed.split())
    if not value:
        raise InputError("empty")
    if len(value) > question.max_length:
        raise InputError(
            f"that is {len(value):,} characters; this answer holds up to {question.max_length:,}"
        )
    return value
