"""After a client allows a referral's summary: their date of birth and a phone or email for the
letter, asked of them (each optional, one question at a time, saying whom it is for), kept
with the client for the next letter, and the letter sent when they have answered.

The client answers by typing (bot/client/home.py passes their text here first) or taps Skip
(the consent buttons, bot/therapist/referrals.py, pass "b" and "c" here). A client who walks
away holds nothing back: the therapist was given "📄 The letter now" when the questions went,
and the letter goes by itself LETTER_WAIT later (an outbox row, reminders/referrals.py; the
dispatcher renders it with `letter_due` and sends the letter with `letter_overdue`). The
question is stale from then: a late answer is still kept, and told the letter went without it.
"""

from __future__ import annotations

from datetime import date, datetime

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.shared import cards, texts
from bot.shared.callbacks import ReferralConsent
from bot.shared.context import Context
from bot.shared.forms.contact import phone_or_email
from bot.shared.reach import send_to_client
from bot.shared.referral_letter import letter_to_therapist, referral_to, send_letter
from practice.clock import Clock
from practice.notes import InputError, parse_birth_date
from reminders.referrals import GIVEN, plan_letter_due, tell_letter_gone, wait_hours
from storage import Database
from storage.models import Client, Referral
from storage.repositories import LETTER_DUE
from storage.unit_of_work import UnitOfWork

# Client.awaiting while a question waits: the prefix, the referral's id, and which question;
# STALE once the letter went without the answer (a late answer is still kept).
AWAITING, STALE = "rd", "rl"
BIRTH, CONTACT = "b", "c"


def wanted(client: Client) -> list[str]:
    """The questions still worth asking: what the client has not given for an earlier letter."""
    return [
        step
        for step, held in ((BIRTH, client.birth_date), (CONTACT, client.contact))
        if held is None
    ]


def _awaiting(referral_id: int, step: str, prefix: str = AWAITING) -> str:
    return f"{prefix}{referral_id}{step}"


def _waiting_for(client: Client, prefix: str = AWAITING) -> tuple[int, str] | None:
    """The referral and question the client's next message answers (STALE: answers late)."""
    awaiting = client.awaiting or ""
    body = awaiting.removeprefix(prefix)
    if body == awaiting or len(body) < 2 or not body[:-1].isdigit() or body[-1] not in "bc":
        return None
    return int(body[:-1]), body[-1]


def _keyboard(referral_id: int, step: str) -> InlineKeyboardMarkup:
    data = ReferralConsent(referral_id, step).encode()
    return InlineKeyboardMarkup([[InlineKeyboardButton(texts.SKIP, callback_data=data)]])


async def ask(context: Context, telegram_user_id: int, referral_id: int, step: str) -> None:
    """Put one question to the client and wait for their answer (the caller set `awaiting`)."""
    services = context.services
    async with services.db.unit_of_work() as uow:
        referral = await uow.referrals.get_any(referral_id)
        if referral is None:
            return
        to = await referral_to(uow, referral)
    text = texts.ask_birth_date(to) if step == BIRTH else texts.ask_contact(to)
    await send_to_client(
        services, context.bot, telegram_user_id, text, _keyboard(referral_id, step)
    )


async def start(context: Context, client_id: int, therapist_id: int, referral_id: int) -> bool:
    """Ask the first question the client has not answered for an earlier letter, the letter
    due LETTER_WAIT from now at the latest; False when there is none (the letter can go now)."""
    services = context.services
    async with services.db.unit_of_work() as uow:
        client = await uow.clients.get(therapist_id, client_id)
        referral = await uow.referrals.get_any(referral_id)
        if (
            client is None
            or referral is None
            or client.telegram_user_id is None
            or not (steps := wanted(client))
        ):
            return False
        client.awaiting = _awaiting(referral_id, steps[0])
        chat = client.telegram_user_id
        await plan_letter_due(uow, referral, services.clock.now())
        await uow.commit()
    await ask(context, chat, referral_id, steps[0])
    return True


async def _advance(uow: UnitOfWork, client: Client, referral_id: int, step: str) -> str | None:
    """After `step` is answered or skipped: the question that comes next, if any, awaited;
    none, and the letter goes now (its wait's end is called off)."""
    later = CONTACT if step == BIRTH and client.contact is None else None
    client.awaiting = _awaiting(referral_id, later) if later else None
    if later is None:
        await uow.outbox.cancel_pending(referral_id=referral_id, kind=LETTER_DUE)
    return later


async def _after(context: Context, client: Client, referral_id: int, later: str | None) -> None:
    """Once the answer is committed: the next question, or the thanks and the letter."""
    chat = client.telegram_user_id
    if chat is None:
        return
    if later is not None:
        await ask(context, chat, referral_id, later)
        return
    services = context.services
    async with services.db.unit_of_work() as uow:
        name, to = await _who(uow, client, referral_id)
    given = client.birth_date is not None or bool(client.contact)
    await send_to_client(services, context.bot, chat, texts.details_done(name, to, given))
    await letter_to_therapist(context, referral_id)


async def skipped(update: Update, context: Context, referral_id: int, step: str) -> None:
    """The client's Skip: only theirs, and only while that question waits."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None and query.message is not None
    async with context.services.db.unit_of_work() as uow:
        client = await uow.clients.by_telegram_user(user.id)
        waiting = client is not None and _waiting_for(client) == (referral_id, step)
        late = client is not None and _waiting_for(client, STALE) == (referral_id, step)
        if client is not None and waiting:
            later = await _advance(uow, client, referral_id, step)
            await uow.commit()
        elif client is not None and late:  # the letter went without it: nothing more to ask
            client.awaiting = None
            await uow.commit()
    if late:
        await cards.answer(query, texts.DETAILS_LATE_SKIP)
    else:
        await cards.answer(query, None if waiting else texts.CONSENT_ALREADY)
    await cards.strip_buttons(context.bot, query.message.chat.id, query.message.message_id)
    if client is not None and waiting:
        await _after(context, client, referral_id, later)


async def typed(update: Update, context: Context, client: Client) -> bool:
    """A typed message while a question waits; False if none waits (it is read elsewhere)."""
    message = update.effective_message
    assert message is not None and message.text is not None
    if _waiting_for(client, STALE) is not None:
        return await _typed_late(update, context, client)
    waiting = _waiting_for(client)
    if waiting is None:
        return False
    referral_id, step = waiting
    services = context.services
    async with services.db.unit_of_work() as uow:
        fresh = await uow.clients.get(client.therapist_id, client.id)
        if fresh is None:
            return False
        try:
            _read(step, message.text, fresh, services.today())
        except InputError as exc:
            problem = str(exc)
            later = None
        else:
            problem = ""
            later = await _advance(uow, fresh, referral_id, step)
            await uow.commit()
    if problem:
        # Still awaited: the client types it again, or skips it.
        bad = texts.bad_birth_date(problem) if step == BIRTH else texts.bad_client_contact(problem)
        await message.reply_text(bad, reply_markup=_keyboard(referral_id, step))
        return True
    await _after(context, fresh, referral_id, later)
    return True


async def _who(uow: UnitOfWork, client: Client, referral_id: int) -> tuple[str, str]:
    """Who the letter is from (the letterhead's name) and to whom, as the client is told."""
    referral = await uow.referrals.get_any(referral_id)
    therapist = await uow.therapists.get(client.therapist_id)
    to = await referral_to(uow, referral) if referral is not None else ""
    return texts.therapist_name(therapist, start=True, signed=True), to


def _read(step: str, typed: str, client: Client, today: date) -> None:
    """The answer onto the client (InputError when it does not read as one)."""
    if step == BIRTH:
        client.birth_date = parse_birth_date(typed, today)
    else:
        phone, email = phone_or_email(typed)
        client.contact = " · ".join(x for x in (phone, email) if x)


async def _typed_late(update: Update, context: Context, client: Client) -> bool:
    """An answer after the letter went without it: kept for the next letter, and the client
    told so, with nothing more asked. Text that is no answer is read as a message (False)."""
    message = update.effective_message
    assert message is not None and message.text is not None
    services = context.services
    async with services.db.unit_of_work() as uow:
        fresh = await uow.clients.get(client.therapist_id, client.id)
        stale = _waiting_for(fresh, STALE) if fresh is not None else None
        if fresh is None or stale is None:
            return False
        referral_id, step = stale
        fresh.awaiting = None
        try:
            _read(step, message.text, fresh, services.today())
        except InputError:
            await uow.commit()
            return False
        name, to = await _who(uow, fresh, referral_id)
        await uow.commit()
    await message.reply_text(texts.details_late(name, to))
    return True


async def letter_due(uow: UnitOfWork, referral: Referral, now: datetime) -> str | None:
    """The letter's wait is over (rendered by the dispatcher): the client's question still
    open goes stale, the client is told nothing more is needed (`letter_gone`), and, if no
    letter went meanwhile, the one line telling the therapist why the letter that follows
    (`letter_overdue`) lacks what it lacks. None: nothing waited."""
    client = await uow.clients.get(referral.therapist_id, referral.client_id)
    waiting = _waiting_for(client) if client is not None else None
    if client is None or waiting is None or waiting[0] != referral.id:
        return None  # answered meanwhile (the letter went then), or asked something else since
    client.awaiting = _awaiting(referral.id, waiting[1], STALE)
    if referral.consent == GIVEN:
        await tell_letter_gone(uow, referral, client, now)
    if referral.letter_sent_at is not None or referral.consent != GIVEN:
        return None  # the therapist had it already ("📄 The letter now")
    missing = [
        words
        for words, held in (
            (texts.BIRTH_WORDS, client.birth_date),
            (texts.CONTACT_WORDS, client.contact),
        )
        if held is None
    ]
    return texts.details_timed_out(client.name, missing, wait_hours())


async def letter_gone(uow: UnitOfWork, referral: Referral, client: Client) -> str | None:
    """The client's message once the letter went without their answers (queued by
    `letter_due`); None when they have answered since (`details_late` thanked them)."""
    stale = _waiting_for(client, STALE)
    if stale is None or stale[0] != referral.id:
        return None
    return texts.details_gone(
        await referral_to(uow, referral), client.birth_date is None, client.contact is None
    )


async def letter_overdue(
    db: Database, clock: Clock, bot: Bot, referral_id: int, *, zone: str
) -> None:
    """After `letter_due`'s line: the letter, with what the client gave."""
    await send_letter(bot, db, clock, referral_id, zone=zone)
