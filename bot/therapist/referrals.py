"""Referring a client on: /refer (or the card's ↗️ Refer, or a decision point's button), the
client's consent before their health details leave the practice, the letter as a PDF for the
therapist to forward, and the follow-up two weeks later ("Did Anna see Dr Lee?").

The choice of reason and recipient is a form (bot/shared/forms), so it survives restarts like any
other. The consent question and the follow-up go through the outbox; the dispatcher renders
them with `consent_card` and `follow_up_card` and calls `consent_not_asked` when a client
cannot be reached. Every tap is re-checked: the client's answer only from that client and
only while the referral waits for it; the therapist's only for their own referrals. The
client card's "📄 Letter to Dr Lee" sends the letter as it stands again (one lost, or one
never sent because the bot stopped between the consent and the letter).

A referral begun from a decision point answers it ("refer") only when it is saved: until then
the decision stays open, and a referral cancelled (or unable to start) asks it again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.shared import cards, letter_details, texts
from bot.shared.callbacks import FollowUpAnswer, ReferralConsent, ReferStart, parse, row_id
from bot.shared.config import Settings
from bot.shared.context import Context, Handler
from bot.shared.forms.contact import MAX_EMAIL, MAX_PHONE, phone_or_email_answer
from bot.shared.forms.engine import Answer, Form, FormContext, Option, Question, Saved
from bot.shared.forms.handlers import start_form
from bot.shared.reach import tell_therapist_with, wake_dispatcher
from bot.shared.referral_letter import (
    letter_to_therapist,
    reason_of,
    recipient_of,
    referral_to,
    send_letter,
)
from bot.therapist.client_search import pick_client
from bot.therapist.profile import MAX_NAME, MAX_PRACTICE
from bot.therapist.progress import answer_linked, open_from_decision, reopen_on_cancel
from practice.clients import matches_search
from practice.clock import Clock
from practice.intake import has_intake
from practice.notes import InputError
from practice.referrals import (
    NO_PROGRESS,
    REASONS,
    profession_choices,
    profession_label,
    reason_for_client,
)
from reminders.planning import reachable
from reminders.referrals import (
    ASK_AGAIN_DAYS,
    DECLINED,
    GIVEN,
    NOT_YET,
    PENDING,
    REFUSED,
    SEEN,
    UNASKED,
    ask_consent,
    plan_follow_up,
    wait_hours,
)
from storage import Database
from storage.models import Client, Referral, Therapist
from storage.repositories import FOLLOW_UP
from storage.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

TYPED = "typed"  # Referral.reason for a reason in the therapist's own words
FLAG = "flag"  # among the form's answers: the intake red flag a referral answers, if any
_TYPED_PREFIX = "t:"  # how a typed reason is kept among the form's answers
# Among the form's answers: what the therapist's letterhead lacks when the form opens, so that
# the form asks for it before the first letter goes (NAME: never set; CONTACT: no phone or
# email). What they answer is saved to their /profile with the referral.
LETTERHEAD = "letterhead"
NAME, CONTACT = "name", "contact"
Outcome = Literal["seen", "not_yet", "declined"]
OUTCOMES: dict[str, Outcome] = {"s": SEEN, "n": NOT_YET, "d": DECLINED}


# --- the form: why, and to whom -----------------------------------------------------------


async def _sessions(ctx: FormContext) -> int:
    assert ctx.client is not None
    page = await ctx.uow.notes.page(ctx.therapist_id, ctx.client.id, offset=0, limit=1)
    return page.total


def _reason_label(code: str, sessions: int) -> str:
    if code == NO_PROGRESS and sessions >= 2:
        return texts.no_progress_after(sessions)
    return REASONS[code]


async def _reasons(ctx: FormContext) -> list[Option]:
    sessions = await _sessions(ctx)
    return [Option(code, _reason_label(code, sessions)) for code in REASONS]


def _typed_reason(typed: str, ctx: FormContext) -> Answer:
    value = " ".join(typed.split())
    if not value:
        raise InputError("empty")
    if len(value) > texts.MAX_REASON:
        raise InputError(texts.reason_too_long(len(value)))
    return _TYPED_PREFIX + value


async def _show_reason(value: Answer, ctx: FormContext) -> str:
    return texts.esc(await _reason_words(str(value), ctx))


async def _reason_words(value: str, ctx: FormContext) -> str:
    if value.startswith(_TYPED_PREFIX):
        return value.removeprefix(_TYPED_PREFIX)
    return _reason_label(value, await _sessions(ctx)) if value in REASONS else value


async def _recipients(ctx: FormContext) -> list[Option]:
    """The therapist's providers, those of the professions suggested for the reason first;
    then the professions themselves, for a referral to no one in particular."""
    reason = str(ctx.answers.get("reason") or "")
    order = profession_choices(reason if reason in REASONS else "")
    rank = {code: i for i, code in enumerate(order)}
    providers = sorted(
        await ctx.uow.providers.active(ctx.therapist_id),
        key=lambda p: (rank.get(p.profession, len(order)), p.name),
    )
    mark = texts.PROVIDER_MARK
    options = [
        Option(f"p{p.id}", f"{mark} {texts.provider_label(p.name, profession_label(p.profession))}")
        for p in providers
    ]
    options += [Option(code, texts.any_profession(profession_label(code))) for code in order]
    if ctx.query:
        options = [
            o for o in options if matches_search(o.label.removeprefix(f"{mark} "), ctx.query)
        ]
    return options


def letterhead_lacks(therapist: Therapist | None) -> str | None:
    """NAME when the letterhead was never set, CONTACT when it gives no phone or email."""
    if therapist is None or therapist.letter_name is None:
        return NAME
    return None if therapist.phone or therapist.email else CONTACT


def _lacks(*parts: str) -> Callable[[dict[str, Answer]], bool]:
    def asked(answers: dict[str, Answer]) -> bool:
        return answers.get(LETTERHEAD) in parts

    return asked


def _show_contact(value: Answer, ctx: FormContext) -> str:
    return texts.esc(texts.contact_words(value.get("phone"), value.get("email")))


def referral_form(settings: Settings) -> Form:
    async def save(ctx: FormContext, target_id: int | None) -> Saved:
        return await _save(ctx, settings)

    async def initial(ctx: FormContext) -> dict[str, Answer]:
        lacks = letterhead_lacks(await ctx.uow.therapists.get(ctx.therapist_id))
        return {LETTERHEAD: lacks} if lacks else {}

    return Form(
        name="referral",
        cancelled=reopen_on_cancel(texts.DECISION_STILL_OPEN),
        title=lambda client: texts.referral_title(client.name if client else ""),
        questions=[
            Question(
                "reason",
                "Reason",
                texts.REFER_REASON_PROMPT,
                "choice",
                options=_reasons,
                parse=_typed_reason,
                show=_show_reason,
                columns=1,
            ),
            Question(
                "to",
                "To",
                texts.REFER_TO_PROMPT,
                "choice",
                options=_recipients,
                narrows=True,
                columns=1,
                hint=texts.REFER_TO_HINT,
            ),
            Question(
                "my_name",
                "Your name",
                texts.LETTERHEAD_NAME_PROMPT,
                "text",
                max_length=MAX_NAME,
                asked=_lacks(NAME),
                hint=texts.LETTERHEAD_HINT,
            ),
            Question(
                "my_practice",
                "Your practice",
                texts.PROFILE_PRACTICE_PROMPT,
                "text",
                optional=True,
                max_length=MAX_PRACTICE,
                asked=_lacks(NAME),
            ),
            Question(
                "my_contact",
                "Your phone or email",
                texts.LETTERHEAD_CONTACT_PROMPT,
                "text",
                optional=True,
                max_length=MAX_PHONE + MAX_EMAIL + 2,
                parse=phone_or_email_answer,
                asked=_lacks(NAME, CONTACT),
                show=_show_contact,
                hint=texts.LETTERHEAD_CONTACT_HINT,
            ),
        ],
        initial=initial,
        save=save,
        done_prompt=texts.REFER_DONE_PROMPT,
    )


async def _save(ctx: FormContext, settings: Settings) -> Saved:
    client, uow, a = ctx.client, ctx.uow, ctx.answers
    assert client is not None
    to = str(a["to"])
    provider_id = row_id(to[1:]) if to.startswith("p") else None
    provider = (
        await uow.providers.get(ctx.therapist_id, provider_id) if provider_id is not None else None
    )
    reason = str(a["reason"])
    typed = reason.startswith(_TYPED_PREFIX)
    decision = await answer_linked(ctx, client.id, "refer")
    asking = reachable(client)
    referral = await uow.referrals.add(
        Referral(
            therapist_id=ctx.therapist_id,
            client_id=client.id,
            provider_id=provider.id if provider is not None else None,
            profession=provider.profession if provider is not None else to,
            reason=TYPED if typed else reason,
            # The words as the therapist chose them ("No progress after 4 sessions").
            reason_text=(await _reason_words(reason, ctx))[: texts.MAX_REASON],
            decision_id=decision.id if decision is not None else None,
            consent=PENDING if asking else UNASKED,
            consent_asked_at=ctx.now if asking else None,
            created_at=ctx.now,
        )
    )
    flag_id = a.get(FLAG)
    flag = await uow.intake.flag(ctx.therapist_id, flag_id) if isinstance(flag_id, int) else None
    if flag is not None and flag.client_id == client.id:
        flag.decision, flag.decided_at, flag.referral_id = "refer", ctx.now, referral.id
    if asking:
        await ask_consent(uow, referral, client, ctx.now)
    await plan_follow_up(
        uow,
        referral,
        on=ctx.today + timedelta(days=settings.referral_follow_up_days),
        now=ctx.now,
        zone=settings.practice_timezone,
        at=settings.digest_time,
    )
    recipient = recipient_of(provider.name if provider else None, referral.profession)
    therapist = await uow.therapists.get(ctx.therapist_id)
    if therapist is not None and a.get(LETTERHEAD):
        _keep_letterhead(therapist, a)
    reachable_by_letter = therapist is not None and bool(therapist.phone or therapist.email)
    nudge = None if reachable_by_letter else texts.no_letterhead(recipient, now=not asking)
    text = (
        texts.referral_asking(client.name, recipient, nudge)
        if asking
        else texts.referral_unasked(client.name, recipient, _why_not_asked(client), nudge)
    )
    referral_id = referral.id
    offer = [(texts.AGREED_IN_PERSON, ReferralConsent(referral_id, "p").encode())]
    if asking:  # a client who never answers must not hold the letter back for good
        offer.append((texts.REASON_ONLY_NOW, ReferralConsent(referral_id, "r").encode()))

    async def after(context: Context) -> None:
        if asking:
            wake_dispatcher(context)
        else:
            await letter_to_therapist(context, referral_id)

    return Saved(text=text, offer=offer, after=after)


def _keep_letterhead(therapist: Therapist, answers: dict[str, Answer]) -> None:
    """What the form asked of the letterhead, onto /profile (an answer skipped changes nothing)."""
    if answers.get("my_name"):
        therapist.letter_name = answers["my_name"]
        therapist.practice_name = answers.get("my_practice") or None
    contact = answers.get("my_contact") or {}
    therapist.phone = contact.get("phone") or therapist.phone
    therapist.email = contact.get("email") or therapist.email


def _why_not_asked(client: Client) -> texts.Html:
    if client.telegram_user_id is None:
        return texts.Html(texts.NOT_ON_THE_BOT)
    if client.unreachable_at is not None:
        return texts.Html(texts.BLOCKED_THE_BOT)
    return texts.Html(texts.STOPPED_THE_BOT)


# --- starting: /refer, the card's button, a decision point --------------------------------


async def start_referral(
    update: Update,
    context: Context,
    client_id: int,
    reason: str = "",
    decision_id: int | None = None,
) -> None:
    """Open the referral form for one of the therapist's clients; a known reason is preset
    (and the form starts at the recipient), a decision point is linked when it is theirs."""
    preset: dict[str, object] = {"reason": reason} if reason in REASONS else {}
    if decision_id is None:
        await start_form(update, context, "referral", client_id, preset=preset or None)
        return
    await open_from_decision(
        update, context, "referral", client_id, decision_id, preset, texts.DECISION_STILL_OPEN
    )


async def start_referral_for_flag(
    update: Update, context: Context, client_id: int, flag_id: int, reason: str
) -> None:
    """From a red flag's alert: the reason preset in words naming the flag, the physician
    suggested first (a typed reason suggests every profession, in PROFESSIONS' order). The
    flag is answered "refer" when the referral is saved."""
    preset: dict[str, object] = {"reason": _TYPED_PREFIX + reason, FLAG: flag_id}
    await start_form(update, context, "referral", client_id, preset=preset)


async def refer_command(update: Update, context: Context) -> None:
    await pick_client(
        update,
        context,
        prompt=texts.REFER_PICK,
        button=lambda client_id: ReferStart(client_id).encode(),
        chosen=lambda client_id: start_referral(update, context, client_id),
    )


async def refer_button(update: Update, context: Context) -> None:
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    button = parse(query.data)
    if not isinstance(button, ReferStart):
        await cards.answer(query, texts.STALE_BUTTON)
        return
    async with context.services.db.unit_of_work() as uow:
        client = await uow.clients.get(user.id, button.client_id)
    if client is None:  # another therapist's client: forged
        await cards.answer(query, texts.NOT_YOUR_CLIENT)
        return
    await cards.answer(query)
    await start_referral(update, context, client.id, button.reason, button.decision_id)


# --- consent ------------------------------------------------------------------------------


async def consent_card(
    uow: UnitOfWork, referral: Referral, client: Client
) -> tuple[str, InlineKeyboardMarkup]:
    """The question the client is asked in the bot (rendered by the dispatcher)."""
    therapist = await uow.therapists.get(referral.therapist_id)
    name = texts.therapist_name(therapist, start=True, signed=True)
    # The therapist's own typed words as they wrote them; a chosen reason as the client
    # should read it ("No progress after 8 sessions" is for the letter, not for them).
    why = reason_of(referral) if referral.reason == TYPED else reason_for_client(referral.reason)
    answers = {key: row.value for key, row in (await uow.intake.current(client.id)).items()}
    text = texts.consent_question(
        name, await referral_to(uow, referral), why, intake=has_intake(answers)
    )
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.ALLOW, callback_data=ReferralConsent(referral.id, "y").encode()
                ),
                InlineKeyboardButton(
                    texts.DONT_ALLOW, callback_data=ReferralConsent(referral.id, "n").encode()
                ),
            ]
        ]
    )
    return text, keyboard


async def consent_button(update: Update, context: Context) -> None:
    """The client's Allow / Don't allow, or the therapist's "agreed in person"."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None and query.message is not None
    button = parse(query.data)
    if not isinstance(button, ReferralConsent):
        await cards.answer(query, texts.STALE_BUTTON)
        return
    if button.answer == "p":
        await _agreed_in_person(update, context, button.referral_id)
        return
    if button.answer == "r":
        await _reason_only_now(update, context, button.referral_id)
        return
    if button.answer == "l":
        await _letter_again(update, context, button.referral_id)
        return
    if button.answer in (letter_details.BIRTH, letter_details.CONTACT):
        await letter_details.skipped(update, context, button.referral_id, button.answer)
        return
    services = context.services
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        referral = await uow.referrals.get_any(button.referral_id)
        client = await uow.clients.by_telegram_user(user.id)
        if referral is None or client is None or client.id != referral.client_id:
            await cards.answer(query, texts.CONSENT_NOT_YOURS)
            return
        if referral.consent != PENDING:
            await cards.answer(query, texts.CONSENT_ALREADY)
            await cards.strip_buttons(context.bot, query.message.chat.id, query.message.message_id)
            return
        allowed = button.answer == "y"
        referral.consent = GIVEN if allowed else REFUSED
        referral.consent_answered_at = now
        therapist = await uow.therapists.get(referral.therapist_id)
        therapist_name = texts.therapist_name(therapist, start=True, signed=True)
        to = await referral_to(uow, referral)
        therapist_id, referral_id, name = referral.therapist_id, referral.id, client.name
        client_id = client.id
        # Allowed: the client is asked what the letter's reader needs to match it to them
        # (optional); what happens next is said once those are answered, as the last word.
        questions = len(letter_details.wanted(client)) if allowed else 0
        await uow.commit()
    await cards.answer(query)
    await cards.edit_card(
        context.bot,
        query.message.chat.id,
        query.message.message_id,
        texts.consent_thanks(allowed, therapist_name, to, questions),
        None,
    )
    # The letter waits for the client's answers (LETTER_WAIT at most); the therapist need not.
    if questions and await letter_details.start(context, client_id, therapist_id, referral_id):
        now_button = InlineKeyboardButton(
            texts.LETTER_NOW, callback_data=ReferralConsent(referral_id, "l").encode()
        )
        await tell_therapist_with(
            context.bot,
            therapist_id,
            texts.therapist_told_details_asked(name, to, wait_hours()),
            InlineKeyboardMarkup([[now_button]]),
        )
        return
    await tell_therapist_with(
        context.bot, therapist_id, texts.therapist_told_consent(name, allowed, to), None
    )
    await letter_to_therapist(context, referral_id)


async def _agreed_in_person(update: Update, context: Context, referral_id: int) -> None:
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None and query.message is not None
    services = context.services
    async with services.db.unit_of_work() as uow:
        referral = await uow.referrals.get(user.id, referral_id)
        if referral is None:
            await cards.answer(query, texts.REFERRAL_GONE)
            return
        if referral.consent not in (PENDING, UNASKED):
            await cards.answer(query, texts.CONSENT_ALREADY)
            await cards.strip_buttons(context.bot, query.message.chat.id, query.message.message_id)
            return
        # A consent question still queued for the client is dropped by the dispatcher.
        referral.consent = GIVEN
        referral.consent_answered_at = services.clock.now()
        client = await uow.clients.get(user.id, referral.client_id)
        name = client.name if client is not None else "The client"
        await uow.commit()
    await cards.answer(query, "Noted")
    await cards.strip_buttons(context.bot, query.message.chat.id, query.message.message_id)
    await tell_therapist_with(context.bot, user.id, texts.agreed_in_person(name), None)
    await letter_to_therapist(context, referral_id)


async def _reason_only_now(update: Update, context: Context, referral_id: int) -> None:
    """The therapist would rather not wait for the client's answer: the letter with the reason
    only, now. The question stays with the client; if they allow it, the full letter follows."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    services = context.services
    async with services.db.unit_of_work() as uow:
        referral = await uow.referrals.get(user.id, referral_id)
        if referral is None:
            await cards.answer(query, texts.REFERRAL_GONE)
            return
        waiting = referral.consent == PENDING and referral.letter_sent_at is None
    if not waiting:
        await cards.answer(query, texts.LETTER_SENT_ALREADY)
        return
    await cards.answer(query)
    await letter_to_therapist(context, referral_id)


async def _letter_again(update: Update, context: Context, referral_id: int) -> None:
    """The card's "📄 Letter to Dr Lee": the letter as it stands now, sent again (one lost, or
    never sent when the bot stopped between the consent and the letter). Only for the
    referral's own therapist; the summary only with the client's consent."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    services = context.services
    async with services.db.unit_of_work() as uow:
        referral = await uow.referrals.get(user.id, referral_id)
        client = (
            await uow.clients.get(user.id, referral.client_id) if referral is not None else None
        )
        if referral is None or client is None:
            await cards.answer(query, texts.REFERRAL_GONE)
            return
        pending, name = referral.consent == PENDING, client.name
    await cards.answer(query, texts.letter_again(name, pending))
    await letter_to_therapist(context, referral_id)


async def consent_not_asked(
    db: Database, clock: Clock, bot: Bot, referral_id: int, *, zone: str
) -> None:
    """The client could not be asked (blocked the bot, stopped its messages, gone): the
    therapist is told, and gets the letter with the reason only."""
    async with db.unit_of_work() as uow:
        referral = await uow.referrals.get_any(referral_id)
        if referral is None or referral.consent != PENDING:
            return
        referral.consent = UNASKED
        client = await uow.clients.get(referral.therapist_id, referral.client_id)
        name = client.name if client is not None else "The client"
        therapist_id = referral.therapist_id
        await uow.commit()
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.AGREED_IN_PERSON,
                    callback_data=ReferralConsent(referral_id, "p").encode(),
                )
            ]
        ]
    )
    await tell_therapist_with(bot, therapist_id, texts.consent_not_asked(name), keyboard)
    await send_letter(bot, db, clock, referral_id, zone=zone)


# --- the letter ---------------------------------------------------------------------------


# --- the follow-up ------------------------------------------------------------------------


async def follow_up_card(
    uow: UnitOfWork, referral: Referral, zone: str
) -> tuple[str, InlineKeyboardMarkup] | None:
    """ "Did Anna see Dr Lee?" for the therapist (rendered by the dispatcher)."""
    client = await uow.clients.get(referral.therapist_id, referral.client_id)
    if client is None:
        return None
    day = referral.created_at.astimezone(ZoneInfo(zone)).date()
    text = texts.follow_up_question(
        client.name, await referral_to(uow, referral), texts.short_date(day)
    )

    def row(label: str, outcome: str) -> list[InlineKeyboardButton]:
        data = FollowUpAnswer(referral.id, outcome).encode()
        return [InlineKeyboardButton(label, callback_data=data)]

    keyboard = InlineKeyboardMarkup(
        [row(texts.SEEN, "s"), row(texts.NOT_YET, "n"), row(texts.DECLINED, "d")]
    )
    return text, keyboard


async def follow_up_button(update: Update, context: Context) -> None:
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None and query.message is not None
    button = parse(query.data)
    if not isinstance(button, FollowUpAnswer):
        await cards.answer(query, texts.STALE_BUTTON)
        return
    services = context.services
    settings = services.settings
    now, today = services.clock.now(), services.today()
    again: date | None = None
    async with services.db.unit_of_work() as uow:
        referral = await uow.referrals.get(user.id, button.referral_id)
        if referral is None:
            await cards.answer(query, texts.REFERRAL_GONE)
            return
        outcome = OUTCOMES[button.outcome]
        settled = referral.outcome in (SEEN, DECLINED)
        asked_again = outcome == NOT_YET and await uow.outbox.waiting(
            FOLLOW_UP, referral_id=referral.id
        )
        if settled or asked_again:
            # A second tap, or an older question's: the answer given stands.
            await cards.answer(query, texts.FOLLOW_UP_ALREADY)
            await cards.strip_buttons(context.bot, query.message.chat.id, query.message.message_id)
            return
        referral.outcome = outcome
        referral.outcome_at = now
        if outcome == NOT_YET:
            again = today + timedelta(days=ASK_AGAIN_DAYS)
            await plan_follow_up(
                uow,
                referral,
                on=again,
                now=now,
                zone=settings.practice_timezone,
                at=settings.digest_time,
            )
        else:
            # The outcome is known: no more "did they go?" questions.
            await uow.outbox.cancel_pending(referral_id=referral.id, kind=FOLLOW_UP)
        client = await uow.clients.get(user.id, referral.client_id)
        name = client.name if client is not None else "The client"
        to = await referral_to(uow, referral)
        await uow.commit()
    await cards.answer(query)
    await cards.edit_card(
        context.bot,
        query.message.chat.id,
        query.message.message_id,
        texts.follow_up_answered(
            name, to, outcome, texts.short_date(again) if again is not None else None
        ),
        None,
    )


# --- the client card ----------------------------------------------------------------------


def refer_button_for(client_id: int) -> InlineKeyboardButton:
    return InlineKeyboardButton(texts.CARD_REFER, callback_data=ReferStart(client_id).encode())


LETTER_BUTTONS = 3  # the newest referrals' letters, on the client card


async def referral_view(
    uow: UnitOfWork, therapist_id: int, client_id: int, zone: ZoneInfo
) -> tuple[list[str], list[list[InlineKeyboardButton]]]:
    """For the client card: one line per referral, newest first (to whom, when, consent,
    outcome), and "📄 Letter to Dr Lee" for the newest few, to have the letter again."""
    lines, rows = [], []
    for n, referral in enumerate(await uow.referrals.of_client(therapist_id, client_id)):
        provider = (
            await uow.providers.get(therapist_id, referral.provider_id)
            if referral.provider_id is not None
            else None
        )
        to = recipient_of(provider.name if provider is not None else None, referral.profession)
        day = texts.short_date(referral.created_at.astimezone(zone).date())
        outcome = texts.Html(referral.outcome) if referral.outcome is not None else None
        lines.append(texts.referral_line(to, day, texts.Html(referral.consent), outcome))
        if n < LETTER_BUTTONS:
            label = provider.name if provider is not None else to
            data = ReferralConsent(referral.id, "l").encode()
            rows.append([InlineKeyboardButton(texts.letter_button(label), callback_data=data)])
    return lines, rows


def handlers(therapists: filters.BaseFilter) -> list[Handler]:
    return [
        CommandHandler("refer", refer_command, filters=therapists),
        CallbackQueryHandler(refer_button, pattern=ReferStart.pattern()),
        CallbackQueryHandler(follow_up_button, pattern=FollowUpAnswer.pattern()),
        # Clients answer here too: not limited to therapists.
        CallbackQueryHandler(consent_button, pattern=ReferralConsent.pattern()),
    ]
