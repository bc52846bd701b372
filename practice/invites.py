"""Invite links: single-use, expiring tokens of which only a hash is ever stored."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime
from enum import StrEnum

# 16 random bytes: 128 bits, as Telegram's deep-link payload (≤ 64 chars of A-Z a-z 0-9 _ -)
# allows; token_urlsafe gives 22 such characters.
TOKEN_BYTES = 16
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{22}$")


class InviteStatus(StrEnum):
    PENDING = "pending"
    USED = "used"
    DECLINED = "declined"  # only in rows from before "No thanks" left the link open
    REPLACED = "replaced"  # the therapist made a newer link for the same client


class InviteProblem(StrEnum):
    """Why an invite cannot be used. Each gets its own message; none reveals whose it was."""

    UNKNOWN = "unknown"  # never issued, mangled, or forged
    EXPIRED = "expired"
    USED = "used"
    CLOSED = "closed"  # replaced by a newer link (or declined, in an old row)


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """What is stored. SHA-256 suffices: the token is random, not a password to stretch."""
    return hashlib.sha256(token.encode()).hexdigest()


def looks_like_token(text: str) -> bool:
    return bool(_TOKEN.match(text))


def problem_with(status: str, expires_at: datetime, now: datetime) -> InviteProblem | None:
    if status == InviteStatus.USED:
        return InviteProblem.USED
    if status != InviteStatus.PENDING:
        return InviteProblem.CLOSED
    if now >= expires_at:
        return InviteProblem.EXPIRED
    return None
