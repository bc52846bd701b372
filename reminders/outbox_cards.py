"""What the dispatcher is given by the chat surface: how each kind of outbox row reads as a
message, and what follows when a message cannot reach its person.

The dispatcher decides what is due, whether it still holds, and what to do with the outcome;
the words and buttons belong to the screens that answer them (bot/), which fill this in once
(bot/runtime/outbox_cards.py) when the application is assembled. reminders/ imports nothing
of bot/."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from telegram import Bot, InlineKeyboardMarkup

from practice.clock import Clock
from practice.exercises import ExerciseCard
from practice.messages import WorkingHours
from reminders.digest import Digest
from storage import Database
from storage.models import (
    CheckIn,
    Client,
    ClientMessage,
    CustomExercise,
    Delivery,
    IntakeFlag,
    Referral,
    Visit,
)
from storage.unit_of_work import UnitOfWork

# A message with buttons: its HTML text and its keyboard.
Card = tuple[str, InlineKeyboardMarkup]


class ConsentNotAsked(Protocol):
    """What follows for a referral after a batch: the client could not be asked for consent
    (the therapist is told), or its letter waited long enough (the letter goes)."""

    def __call__(
        self, db: Database, clock: Clock, bot: Bot, referral_id: int, *, zone: str
    ) -> Awaitable[None]: ...


@dataclass(frozen=True)
class OutboxCards:
    """One member per kind of message the dispatcher renders, and per consequence it
    triggers after a batch."""

    # HOMEWORK and SNOOZE rows: the reminder (delivery id, exercise, dose, the day it is for,
    # the client's today) with its buttons; a reminder for an earlier day says which.
    homework_reminder: Callable[[int, ExerciseCard, str, date, date], Card]
    # A therapist's own exercise, as the reminder shows it.
    custom_exercise: Callable[[CustomExercise], ExerciseCard]
    # CHECK_IN: the check-in's next unanswered question for the client.
    check_in: Callable[[UnitOfWork, CheckIn, Client], Awaitable[Card]]
    # DIGEST: the therapist's morning digest: the day's visits (therapist, now, the practice's
    # zone), then what came in (None: nothing); None when there is nothing to say at all.
    morning: Callable[[UnitOfWork, int, datetime, str, Digest | None], Awaitable[str | None]]
    # WEEKLY: the client's weekly note.
    weekly: Callable[[str], str]
    # RETENTION: the therapist told a record will be deleted (name, last session, purge day,
    # retention years).
    retention_notice: Callable[[str, date, date, int], str]
    # CONSENT: the client asked whether a referral may go ahead.
    consent_request: Callable[[UnitOfWork, Referral, Client], Awaitable[Card]]
    # FOLLOW_UP: the therapist asked how a referral went (None: the client is gone); the
    # third argument is the practice's time zone.
    follow_up: Callable[[UnitOfWork, Referral, str], Awaitable[Card | None]]
    # RED_FLAG: the therapist alerted to a red flag in an intake (None: decided already, or
    # the client is gone); the third argument is the practice's time zone.
    red_flag: Callable[[UnitOfWork, IntakeFlag, str], Awaitable[Card | None]]
    # RELAY: a client's words for their therapist (several, when they were gathered), with
    # ↩️ Reply and the client's card; None when the client is no longer the therapist's.
    # The time now, the practice's working hours (if set) and its time zone come with them.
    relay: Callable[
        [UnitOfWork, list[ClientMessage], datetime, WorkingHours | None, str],
        Awaitable[Card | None],
    ]
    # REPLY: the therapist's reply, as the client sees it.
    reply: Callable[[UnitOfWork, ClientMessage, Client], Awaitable[str]]
    # A client's chat refused a message (they blocked the bot): their reminders stop and
    # their therapist is told.
    client_unreachable: Callable[[Database, Clock, Bot, int], Awaitable[None]]
    # A consent question that will not reach the client.
    consent_not_asked: ConsentNotAsked
    # LETTER_DUE: the letter's wait for the client's optional details is over: the line that
    # tells the therapist why it comes without them (None: nothing waits any more), and then,
    # after the batch, the letter itself.
    letter_due: Callable[[UnitOfWork, Referral, datetime], Awaitable[str | None]]
    letter_overdue: ConsentNotAsked
    # LETTER_GONE: the client, whose answers the letter went without, told nothing more is
    # needed (None: they have answered since).
    letter_gone: Callable[[UnitOfWork, Referral, Client], Awaitable[str | None]]
    # VISIT_BOOKED, VISIT_MOVED, VISIT_CANCELLED, VISIT_REMINDER: the client's message about
    # a visit (the row says which, and the start it was queued for); the last argument is
    # the practice's time zone, for a client who gave none.
    visit_message: Callable[
        [UnitOfWork, Delivery, Visit, Client, str],
        Awaitable[tuple[str, InlineKeyboardMarkup | None]],
    ]
    # VISIT_OUTCOME: the therapist asked how a visit went (the third argument is the
    # practice's time zone).
    visit_outcome: Callable[[UnitOfWork, Visit, str], Awaitable[Card]]
