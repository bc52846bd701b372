"""Callback data: short, typed, parsed in one place. Never trusted: handlers re-check who pressed.

    n:<draft token>:<step>:<action>[:<arg>]   a button of a note in progress
    h:<client id>:<offset>                    a page of a client's history
    hp:<client id>                            pick a client for /history

Telegram allows 64 bytes; the longest here is about 40.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_BYTES = 64

ANY_STEP = "*"  # for buttons that work whatever the note's step (continue, start over, cancel)


@dataclass(frozen=True)
class NoteButton:
    token: str
    step: str
    action: str
    arg: str = ""

    def encode(self) -> str:
        data = f"n:{self.token}:{self.step}:{self.action}"
        if self.arg:
            data += f":{self.arg}"
        _check(data)
        return data


@dataclass(frozen=True)
class HistoryPage:
    client_id: int
    offset: int

    def encode(self) -> str:
        return _check(f"h:{self.client_id}:{self.offset}")


@dataclass(frozen=True)
class HistoryPick:
    client_id: int

    def encode(self) -> str:
        return _check(f"hp:{self.client_id}")


Button = NoteButton | HistoryPage | HistoryPick

_DRAFT_TOKEN = r"[A-Za-z0-9_-]{6,32}"  # noqa: S105 -- a pattern, not a secret
_NOTE = re.compile(rf"^n:({_DRAFT_TOKEN}):([a-z*]{{1,3}}):([a-z]{{1,3}})(?::([a-z0-9_]{{1,20}}))?$")
_HISTORY = re.compile(r"^h:(\d{1,12}):(\d{1,6})$")
_PICK = re.compile(r"^hp:(\d{1,12})$")


def parse(data: str | None) -> Button | None:
    """The button a callback's data names, or None for anything forged or malformed."""
    if not data or len(data.encode()) > MAX_BYTES:
        return None
    if m := _NOTE.match(data):
        return NoteButton(token=m[1], step=m[2], action=m[3], arg=m[4] or "")
    if m := _HISTORY.match(data):
        return HistoryPage(client_id=int(m[1]), offset=int(m[2]))
    if m := _PICK.match(data):
        return HistoryPick(client_id=int(m[1]))
    return None


def _check(data: str) -> str:
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
    return data
