"""The phone and email questions that forms share (a provider's, the therapist's letterhead):
one length, one check and one refusal for each, whoever asks."""

from __future__ import annotations

import re

from bot.shared import texts
from bot.shared.forms.engine import Answer, FormContext, Question
from practice.notes import InputError

MAX_PHONE, MAX_EMAIL = 40, 120
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")
_PHONE = re.compile(r"^\+?[0-9 ()./-]+$")


def email_answer(typed: str, ctx: FormContext) -> Answer:
    value = " ".join(typed.split())  # the engine has checked its length
    if not _EMAIL.match(value):
        raise InputError(texts.BAD_EMAIL)
    return value


def phone_answer(typed: str, ctx: FormContext) -> Answer:
    value = " ".join(typed.split())
    if not _PHONE.match(value) or sum(c.isdigit() for c in value) < 5:
        raise InputError(texts.BAD_PHONE)
    return value


_EMAIL_IN_TEXT = re.compile(r"[^@\s,;]+@[^@\s,;]+")


def phone_or_email(typed: str) -> tuple[str | None, str | None]:
    """A phone number, an email address, or both in one message ("+44 20 7946 0000,
    maya@example.org"): (phone, email), each checked as its own question would."""
    value = " ".join(typed.split())
    found = _EMAIL_IN_TEXT.search(value)
    if found and not _EMAIL.match(found.group(0)):
        raise InputError(texts.BAD_EMAIL)
    email = found.group(0) if found else None
    rest = (value[: found.start()] + value[found.end() :]) if found else value
    rest = " ".join(rest.replace(",", " ").replace(";", " ").split())
    if email is None and not any(c.isdigit() for c in rest):
        raise InputError(texts.BAD_CONTACT)
    if rest and (not _PHONE.match(rest) or sum(c.isdigit() for c in rest) < 5):
        raise InputError(texts.BAD_PHONE)
    return rest or None, email


def phone_or_email_answer(typed: str, ctx: FormContext) -> Answer:
    phone, email = phone_or_email(typed)
    return {"phone": phone, "email": email}


def phone_question(prompt: str) -> Question:
    """An optional phone number, stored as typed with its spacing tidied."""
    return Question(
        "phone", "Phone", prompt, "text", optional=True, max_length=MAX_PHONE, parse=phone_answer
    )


def email_question(prompt: str) -> Question:
    """An optional email address."""
    return Question(
        "email", "Email", prompt, "text", optional=True, max_length=MAX_EMAIL, parse=email_answer
    )
