"""A referral as every screen names it, and its letter: "Dr Lee (Physiotherapist)", the reason
in words, the PDF the therapist forwards (health details only with the client's consent), and
the client's own answers as /mydata lists them.

The therapist's referral flow (bot/therapist/referrals.py), the client's answer to the consent
question and /forgetme (which sends a waiting referral's letter, reason only) all use these.
"""

from __future__ import annotations

import logging
from typing import Literal
from zoneinfo import ZoneInfo

from telegram import Bot, InputFile
from telegram.error import BadRequest, Forbidden

from bot.shared import texts
from bot.shared.context import Context
from practice.clock import Clock
from practice.referrals import REASONS, profession_label
from reminders.referrals import GIVEN, PENDING, REFUSED
from reports.data import ReferralRow
from reports.filenames import document_name
from reports.gather import chart_data, client_record
from reports.jobs import referral_letter_pdf
from reports.render import render
from storage import Database
from storage.models import Client, Referral
from storage.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


# The consents a client is shown in /mydata (a referral never asked is not theirs to see).
SHOWN_CONSENTS: dict[str, Literal["given", "refused", "pending"]] = {
    GIVEN: GIVEN,
    REFUSED: REFUSED,
    PENDING: PENDING,
}


def recipient_of(provider: str | None, profession: str) -> str:
    return texts.referred_to(provider, profession_label(profession))


async def referral_to(uow: UnitOfWork, referral: Referral) -> str:
    provider = (
        await uow.providers.get(referral.therapist_id, referral.provider_id)
        if referral.provider_id is not None
        else None
    )
    return recipient_of(provider.name if provider is not None else None, referral.profession)


def reason_of(referral: Referral) -> str:
    return referral.reason_text or REASONS.get(referral.reason, referral.reason)


async def letter_to_therapist(context: Context, referral_id: int) -> None:
    """`send_letter` from a handler, with the running bot's services."""
    services = context.services
    await send_letter(
        context.bot,
        services.db,
        services.clock,
        referral_id,
        zone=services.settings.practice_timezone,
    )


async def send_letter(bot: Bot, db: Database, clock: Clock, referral_id: int, *, zone: str) -> None:
    """The referral letter as a PDF to the therapist. Health details go in only with the
    client's consent; otherwise the letter gives the reason alone."""
    tz = ZoneInfo(zone)
    today = clock.now().astimezone(tz).date()
    async with db.unit_of_work() as uow:
        referral = await uow.referrals.get_any(referral_id)
        if referral is None:
            return
        record = await client_record(
            uow, referral.therapist_id, referral.client_id, today=today, zone=tz, now=clock.now()
        )
        provider = (
            await uow.providers.get(referral.therapist_id, referral.provider_id)
            if referral.provider_id is not None
            else None
        )
        to = recipient_of(provider.name if provider is not None else None, referral.profession)
        shared = referral.consent == GIVEN
    if record is None:
        return
    row = ReferralRow(
        referred_on=referral.created_at.astimezone(tz).date(),
        provider=provider.name if provider is not None else "Colleague",
        profession=profession_label(referral.profession),
        reason=reason_of(referral),
        consent=True if shared else False if referral.consent == REFUSED else None,
        clinic=provider.clinic if provider is not None else None,
        contact=", ".join(x for x in (provider.phone, provider.email) if x) or None
        if provider is not None
        else None,
    )

    # Rendering is CPU work: in a worker process, so other chats are not kept waiting. The
    # chart is health information too: drawn only for a letter the client allowed.
    chart = chart_data(record) if shared else None
    pdf = await render(referral_letter_pdf, record, row, today, shared, chart)
    filename = document_name(record.client.name, "referral", today, "pdf")
    try:
        await bot.send_document(
            referral.therapist_id,
            InputFile(pdf, filename=filename),
            caption=texts.letter_caption(record.client.name, to, shared),
        )
    except (Forbidden, BadRequest) as exc:
        log.warning("could not send a referral letter: %s", type(exc).__name__)
        return
    async with db.unit_of_work() as uow:
        stored = await uow.referrals.get_any(referral_id)
        if stored is not None:
            stored.letter_sent_at = clock.now()
            await uow.commit()


async def consent_lines(uow: UnitOfWork, client: Client, zone: str) -> list[str]:
    """The client's own answers to consent questions (and one still waiting), for /mydata."""
    lines: list[str] = []
    for referral in await uow.referrals.of_client(client.therapist_id, client.id):
        consent = SHOWN_CONSENTS.get(referral.consent)
        if consent is None:
            continue
        moment = referral.consent_answered_at or referral.consent_asked_at or referral.created_at
        day = texts.short_date(moment.astimezone(ZoneInfo(zone)).date())
        lines.append(texts.my_consent(day, await referral_to(uow, referral), consent))
    return lines
