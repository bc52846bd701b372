"""Who may talk to the bot, decided before any handler runs. The whole policy is here:

- Only a private chat with a known person reaches the handlers: a therapist (THERAPIST_IDS), a
  client whose Telegram account is linked to a client record (they agreed to an invite), or
  someone opening an invite link, and only to see and answer its consent card.
- Only the updates the bot serves: messages, button taps and the bot's own membership of a
  private chat (blocked, restarted). Everything else stops here unanswered: channel posts,
  inline queries, polls, group members, and Telegram Business above all (a therapist who
  connects the bot to her Business account must not have it answer a customer as her).
- No edit is ever acted on: edits are not read, and a known person is told what to do instead.
- A command or tap in a group is answered "private chats only"; plain chatter is not.
- Anyone else gets a polite answer; what they wrote is neither stored nor logged.

A reply here is a courtesy, sent once an hour at most to the same person (in the same place),
so that strangers cannot keep the bot busy; a tap is always answered. The gate fails closed:
whatever becomes of its answer (the command was deleted by a group's clean-up bot, Telegram
fails, the chat is blocked), or if who is asking cannot be found out, the update goes no
further.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta

from telegram import Message, Update
from telegram.constants import ChatType, UpdateType
from telegram.ext import ApplicationHandlerStop, TypeHandler

from bot.shared import texts
from bot.shared.callbacks import ANY_ROLE, CLIENT, INVITEE, THERAPIST, prefixes_for
from bot.shared.context import Context, Services

log = logging.getLogger(__name__)

# The gate's rule for each kind of button, by the prefix of its data, as the kind declares it
# (bot/shared/callbacks.py). A tap of no kind goes on as a client's would: a known person's to
# be answered as stale (bot/shared/cards.py: unknown_button), anyone else's as a stranger's.
# Refused for anyone but a therapist:
THERAPIST_BUTTONS = prefixes_for(THERAPIST)
# Let through for a therapist or a linked client; their handlers decide by who pressed:
CLIENT_BUTTONS = prefixes_for(CLIENT, ANY_ROLE)
# Let through for anyone, on top: the invite's consent card, answered before anyone is a client.
INVITE_BUTTONS = prefixes_for(INVITEE)

# What the handlers act on: messages, taps, and a client blocking or unblocking the bot
# (bot/shared/reach.py). Edits are asked for too, only to be answered: they are never acted on.
SERVED = frozenset({UpdateType.MESSAGE, UpdateType.CALLBACK_QUERY, UpdateType.MY_CHAT_MEMBER})
ASKED_FOR: tuple[str, ...] = (*sorted(SERVED), UpdateType.EDITED_MESSAGE)
ANSWER_AT_MOST_EVERY = timedelta(hours=1)
# A few hundred bytes each: ample for any practice, and a flood of new ids only makes the
# oldest forgotten sooner (each of whom, at worst, hears the polite answer once more).
REMEMBERED = 10_000


@dataclass(frozen=True)
class Refusal:
    """What the gate says as it stops an update: a reply to a message, an answer to a tap
    (a tap is always answered, so the phone stops waiting). None says nothing."""

    reply: str | None = None
    tap: str | None = None
    alert: bool = False


SILENCE = Refusal()


class OncePer:
    """Whether it is time to say something to someone again: at most once per `period` for
    each key, remembering the `capacity` most recent keys (in memory: forgetting them at a
    restart costs one extra courtesy each, while a database write per stranger's message
    would let strangers load the database, and keep their ids)."""

    def __init__(self, period: timedelta, capacity: int) -> None:
        self._period = period
        self._capacity = capacity
        self._said: OrderedDict[Hashable, datetime] = OrderedDict()

    def due(self, key: Hashable, now: datetime) -> bool:
        if self.recent(key, now):
            return False
        self._said[key] = now
        self._said.move_to_end(key)
        # Oldest first: drop whatever has expired, and beyond capacity the oldest anyway.
        while self._said:
            oldest_key, oldest = next(iter(self._said.items()))
            if len(self._said) <= self._capacity and now - oldest < self._period:
                break
            del self._said[oldest_key]
        return True

    def recent(self, key: Hashable, now: datetime) -> bool:
        """Said to `key` less than a period ago."""
        said = self._said.get(key)
        return said is not None and now - said < self._period

    def forget(self, key: Hashable) -> None:
        self._said.pop(key, None)

    def __len__(self) -> int:
        return len(self._said)


class Gate:
    def __init__(self) -> None:
        self._answered = OncePer(ANSWER_AT_MOST_EVERY, REMEMBERED)

    async def __call__(self, update: Update, context: Context) -> None:
        try:
            refusal = await self._refusal(update, context.services)
        except Exception as error:
            # Who is asking is unknown (the database failed, say): the error handler
            # apologises, and nothing goes further.
            await context.application.process_error(update, error)
            raise ApplicationHandlerStop from None
        if refusal is None:
            return
        try:
            await _say(update, refusal)
        except Exception as error:
            log.info("the gate's answer was not delivered: %s", type(error).__name__)
        raise ApplicationHandlerStop

    async def _refusal(self, update: Update, services: Services) -> Refusal | None:
        """None lets the update through to the handlers; a Refusal stops it."""
        user, chat, query = update.effective_user, update.effective_chat, update.callback_query
        edit = update.edited_message is not None
        if user is None or chat is None or not (_kind(update) in SERVED or edit):
            return SILENCE
        if chat.type != ChatType.PRIVATE:
            if query is not None:
                return Refusal(tap=texts.PRIVATE_ONLY, alert=True)
            if edit or not _is_command(update.message):
                return SILENCE
            return self._once(("group", chat.id, user.id), Refusal(texts.PRIVATE_ONLY), services)
        if services.is_therapist(user.id):
            return Refusal(texts.EDITS_NOT_READ) if edit else None
        stranger = ("stranger", user.id)
        if not edit and _opens_invite(update):
            self._answered.forget(stranger)  # they may become a client now: look them up again
            return None
        if query is not None and (query.data or "").startswith(THERAPIST_BUTTONS):
            # A therapist's button in anyone else's hands is forged or misplaced.
            return Refusal(tap=texts.STALE_BUTTON)
        # Told within the hour, they are a stranger still (only an invite, above, changes
        # that): a flood of a stranger's messages costs no database work.
        if not self._answered.recent(stranger, services.clock.now()):
            async with services.db.unit_of_work() as uow:
                if await uow.clients.by_telegram_user(user.id) is not None:
                    return Refusal(texts.EDITS_NOT_READ_CLIENT) if edit else None
        if user.id in services.settings.operator_ids:
            # Told of failures (bot/runtime/watch.py), never shown a record.
            if query is not None:
                return Refusal(tap=texts.OPERATOR_TAP, alert=True)
            return Refusal(texts.OPERATOR) if _typed(update) is not None else SILENCE
        if query is not None:
            return Refusal(tap=texts.STRANGER_TAP, alert=True)
        if _typed(update) is None:
            return SILENCE  # a stranger's membership: nothing to answer
        refusal = self._once(stranger, Refusal(texts.STRANGER), services)
        if refusal is not SILENCE:
            # The id only (how a new therapist finds theirs for THERAPIST_IDS), never the text.
            log.info("not a therapist: user id %s", user.id)
        return refusal

    def _once(self, key: Hashable, refusal: Refusal, services: Services) -> Refusal:
        """A reply is a message, which counts against the bot's limits at Telegram (and
        makes every other chat wait): the same person gets it once an hour. A tap is
        answered anyway, so its answer always says why."""
        return refusal if self._answered.due(key, services.clock.now()) else SILENCE


async def _say(update: Update, refusal: Refusal) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer(refusal.tap, show_alert=refusal.alert)
    elif refusal.reply is not None and (message := _typed(update)) is not None:
        await message.reply_text(refusal.reply)


def _kind(update: Update) -> str | None:
    """Which of Telegram's update types this is ("message", "edited_message", ...)."""
    return next((kind for kind in Update.ALL_TYPES if getattr(update, kind, None)), None)


def _typed(update: Update) -> Message | None:
    """A message or an edit in the bot's own chat; never a business one (a reply to that would
    be sent on the business account's behalf)."""
    return update.message or update.edited_message


def _is_command(message: Message | None) -> bool:
    return message is not None and (message.text or "").startswith("/")


def _opens_invite(update: Update) -> bool:
    """`/start <token>` (the invite link) or a tap on the consent card it shows."""
    if update.callback_query is not None:
        return (update.callback_query.data or "").startswith(INVITE_BUTTONS)
    text = update.message.text if update.message is not None else None
    return text is not None and text.startswith("/start ") and len(text.split()) == 2


def handler() -> TypeHandler[Update, Context, None]:
    """The gate, to be registered in a group before every other handler."""
    return TypeHandler(Update, Gate())
