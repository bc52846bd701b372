"""What every module of bot/shared/texts uses: `esc` for what was typed, and the `Html` and
`Plain` markers of what a text is (bot/shared/texts/__init__.py says what they mean)."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import NewType, Protocol

esc = html.escape
Html = NewType("Html", str)  # put in as it is; a `str` argument is escaped
Plain = NewType("Plain", str)  # shown as it is, never parsed: so never escaped


def first_name(name: str) -> Plain:
    """A client's first name as the therapist wrote it: "Anna" of "Anna K."."""
    return Plain(name.split()[0] if name.split() else name)


def greeting(name: str) -> Plain:
    """How a client is greeted everywhere (their home, a note in the therapist's name): "Hi
    Anna", by `first_name`."""
    return Plain(f"Hi {first_name(name)}")


class TherapistNames(Protocol):
    @property
    def display_name(self) -> str: ...
    @property
    def letterhead_name(self) -> str: ...


def therapist_name(
    therapist: TherapistNames | None, *, start: bool = False, signed: bool = False
) -> Plain:
    """The therapist as a client reads them: their name ("Maya"; `signed`, as their letters
    are signed: "Maya Collins, LMT"), or "your therapist" when the row is gone (`start`: at
    the start of a sentence, "Your therapist")."""
    if therapist is not None:
        return Plain(therapist.letterhead_name if signed else therapist.display_name)
    return Plain("Your therapist" if start else "your therapist")


@dataclass(frozen=True)
class Command:
    """One of a person's commands, said once: its line in Telegram's command menu, and its
    line on /help."""

    name: str
    menu: str  # the menu's description (Telegram allows 1–256 characters)
    help: str  # after "/name — " on /help


class Commands(tuple[Command, ...]):
    """A person's commands, in the menu's order."""

    def menu(self) -> list[tuple[str, str]]:
        return [(command.name, command.menu) for command in self]

    def help(self, title: str, footer: str = "") -> str:
        lines = [f"<b>{title}</b>", *(f"/{c.name} — {c.help}" for c in self)]
        return "\n".join(lines) + (f"\n\n{footer}" if footer else "")
