"""Queuing a referral's messages through the outbox: the consent question to the client at
once, the letter at the latest LETTER_WAIT after the client was asked for its optional details,
and the "did they go?" question to the therapist on the follow-up day, at the time of their
morning digest."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from practice.schedules import to_utc
from storage.models import Client, Referral
from storage.repositories import CONSENT, FOLLOW_UP, LETTER_DUE, LETTER_GONE, Outbox
from storage.unit_of_work import UnitOfWork

# Referral.consent
PENDING: Final = "pending"
GIVEN: Final = "given"
REFUSED: Final = "refused"
UNASKED: Final = "unasked"
# Referral.outcome
SEEN: Final = "seen"
NOT_YET: Final = "not_yet"
DECLINED: Final = "declined"
ASK_AGAIN_DAYS = 7
# How long a letter waits for the client's date of birth and contact before it goes without.
LETTER_WAIT = timedelta(hours=48)


async def ask_consent(uow: UnitOfWork, referral: Referral, client: Client, now: datetime) -> None:
    """The consent question, due now (the dispatcher waits out the client's quiet hours).

    The row names no client: it must not be cancelled with the client's reminders when they
    block the bot, since then the therapist is to be told the client could not be asked.
    """
    assert client.telegram_user_id is not None
    row = Outbox.pending(
        CONSENT,
        chat_id=client.telegram_user_id,
        day=now.date(),
        due_at=now,
        now=now,
        referral_id=referral.id,
    )
    await uow.outbox.add(row)


async def plan_follow_up(
    uow: UnitOfWork, referral: Referral, *, on: date, now: datetime, zone: str, at: time
) -> None:
    """Ask the therapist on `on`, at `at` practice time, whether the client went."""
    referral.follow_up_on = on
    due = max(to_utc(datetime.combine(on, at), ZoneInfo(zone)), now)
    row = Outbox.pending(
        FOLLOW_UP,
        chat_id=referral.therapist_id,
        day=on,
        due_at=due,
        now=now,
        referral_id=referral.id,
    )
    await uow.outbox.add(row)


async def plan_letter_due(uow: UnitOfWork, referral: Referral, now: datetime) -> None:
    """The letter's wait for the client's optional details ends LETTER_WAIT from now: then the
    therapist has it without what the client has not given (the dispatcher checks that it
    still waits)."""
    due = now + LETTER_WAIT
    row = Outbox.pending(
        LETTER_DUE,
        chat_id=referral.therapist_id,
        day=due.date(),
        due_at=due,
        now=now,
        referral_id=referral.id,
    )
    await uow.outbox.add(row)


async def tell_letter_gone(
    uow: UnitOfWork, referral: Referral, client: Client, now: datetime
) -> None:
    """The client, whose question went unanswered for LETTER_WAIT, told the letter has gone
    without it (in their private chat, out of their quiet hours; not if they left)."""
    if client.telegram_user_id is None:
        return
    row = Outbox.pending(
        LETTER_GONE,
        chat_id=client.telegram_user_id,
        client_id=client.id,
        day=now.date(),
        due_at=now,
        now=now,
        referral_id=referral.id,
    )
    await uow.outbox.add(row)


def wait_hours() -> int:
    """LETTER_WAIT in hours, as the therapist and the client are told it."""
    return int(LETTER_WAIT.total_seconds() // 3600)
