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
