"""Check-ins as the client answers them: one card, one question at a time, each answer kept
as it is given; and the therapist's alert when the answers say the client is worse."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler

from bot.shared import cards, texts
from bot.shared.callbacks import CheckInAnswer, ClientCard, parse
from bot.shared.context import Context, Services
from bot.shared.reach import tell_therapist_with
from practice.checkins import CHANGE_LABELS, check_in_summary, is_worsening
from practice.notes import AREAS, MAX_TEXT_LENGTH
from storage.models import CheckIn, Client
from storage.unit_of_work import UnitOfWork


async def _area(uow: UnitOfWork, client: Client) -> str:
    plan = await uow.plans.current(client.therapist_id, client.id)
    if plan is not None:
        return AREAS.get(plan.area, plan.area).lower()
    last = await uow.notes.last_treatment(client.therapist_id, client.id)
    if last is not None and last.areas:
        return AREAS.get(last.areas[0], last.areas[0]).lower()
    return "body"


async def check_in_card(
    uow: UnitOfWork, check_in: CheckIn, client: Client
) -> tuple[str, InlineKeyboardMarkup]:
    """The card for the check-in's next unanswered question."""
    therapist = await uow.therapists.get(check_in.therapist_id)
    name = texts.therapist_name(therapist)
    area = await _area(uow, client)

    def button(label: str, question: str, value: int | None = None) -> InlineKeyboardButton:
        data = CheckInAnswer(check_in.id, question, value).encode()
        return InlineKeyboardButton(label, callback_data=data)

    def scale(question: str) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup(
            [
                [button(str(v), question, v) for v in range(0, 6)],
                [button(str(v), question, v) for v in range(6, 11)],
            ]
        )

    if check_in.pain is None:
        return texts.check_in_pain(name, area), scale("p")
    if check_in.change is None:
        rows = [[button(label, "g", value + 3)] for value, label in CHANGE_LABELS.items()]
        return texts.check_in_change(area), InlineKeyboardMarkup(rows)
    activity = await _activity(uow, client)
    if activity and check_in.activity is None:
        return texts.check_in_activity(activity), scale("a")
    return texts.check_in_comment(name), InlineKeyboardMarkup([[button(texts.SKIP, "k")]])


async def _activity(uow: UnitOfWork, client: Client) -> str | None:
    plan = await uow.plans.current(client.therapist_id, client.id)
    return plan.activity if plan is not None else None


async def check_in_button(update: Update, context: Context) -> None:
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None and query.message is not None
    button = parse(query.data)
    if not isinstance(button, CheckInAnswer):
        await cards.answer(query, texts.STALE_BUTTON)
        return
    services = context.services
    now = services.clock.now()
    alert = None
    async with services.db.unit_of_work() as uow:
        check_in = await uow.check_ins.get(button.check_in_id)
        client = await uow.clients.by_telegram_user(user.id)
        # Re-checked: only the client the check-in was sent to can answer it.
        if (
            check_in is None
            or client is None
            or client.id != check_in.client_id
            or check_in.sent_at is None
        ):
            await cards.answer(query, texts.CHECK_IN_NOT_YOURS)
            return
        if check_in.closed_at is not None:
            await cards.answer(query, texts.CHECK_IN_CLOSED)
            await cards.strip_buttons(context.bot, query.message.chat.id, query.message.message_id)
            return
        value = button.value
        if button.question == "p" and check_in.pain is None and value is not None and value <= 10:
            check_in.pain = value
        elif (
            button.question == "g" and check_in.change is None and value is not None and value <= 6
        ):
            check_in.change = value - 3
        elif (
            button.question == "a"
            and check_in.activity is None
            and value is not None
            and value <= 10
        ):
            check_in.activity = value
        elif button.question == "k" and check_in.comment is None:
            check_in.comment = ""  # asked, and left empty
        check_in.answered_at = check_in.answered_at or now
        alert = await _alert_if_worse(uow, check_in, client)
        text, keyboard = await _next_card(uow, check_in, client)
        # At the comment question, the client's next typed message is the comment.
        waiting = check_in.comment is None and await _at_comment(uow, check_in, client)
        if waiting:
            client.awaiting = f"ci{check_in.id}"
        elif (client.awaiting or "").startswith("ci"):
            client.awaiting = None  # other half-asked questions (a time zone) stay
        therapist_id, client_id, name = check_in.therapist_id, client.id, client.name
        await uow.commit()
    await cards.answer(query)
    await cards.edit_card(
        context.bot, query.message.chat.id, query.message.message_id, text, keyboard
    )
    if alert is not None:
        await _send_alert(context, therapist_id, client_id, name, alert)


async def _at_comment(uow: UnitOfWork, check_in: CheckIn, client: Client) -> bool:
    if check_in.pain is None or check_in.change is None:
        return False
    return not (await _activity(uow, client)) or check_in.activity is not None


async def _next_card(
    uow: UnitOfWork, check_in: CheckIn, client: Client
) -> tuple[str, InlineKeyboardMarkup | None]:
    if check_in.comment is not None:
        therapist = await uow.therapists.get(check_in.therapist_id)
        name = texts.therapist_name(therapist, start=True)
        return texts.check_in_thanks(name, texts.Html(check_in_summary(check_in))), None
    return await check_in_card(uow, check_in, client)


async def _alert_if_worse(uow: UnitOfWork, check_in: CheckIn, client: Client) -> str | None:
    """The alert's text the first time a check-in shows worsening; None otherwise."""
    if check_in.alerted_at is not None:
        return None
    first = await uow.notes.first(check_in.therapist_id, client.id)
    baseline = first.pain_before if first is not None else None
    if not is_worsening(baseline, check_in.pain, check_in.change):
        return None
    check_in.alerted_at = check_in.answered_at
    pain = f"pain {check_in.pain}" if check_in.pain is not None else "pain —"
    if baseline is not None and check_in.pain is not None:
        pain += f" (first session: {baseline})"
    change = f" · “{CHANGE_LABELS[check_in.change]}”" if check_in.change is not None else ""
    return texts.worse_alert(client.name, texts.Html(pain), texts.Html(change), None)


async def _send_alert(
    context: Context, therapist_id: int, client_id: int, name: str, text: str
) -> None:
    keyboard = InlineKeyboardMarkup(
        [[InlineKeyboardButton(f"👤 {name}", callback_data=ClientCard(client_id).encode())]]
    )
    await tell_therapist_with(context.bot, therapist_id, text, keyboard)


async def check_in_comment(
    update: Update, context: Context, client: Client, media: str | None = None
) -> bool:
    """A typed message while a check-in waits for its comment; False if none waits. With
    `media` (a photo, a file…), the caption is the comment and the thing itself is not kept:
    the reply says so."""
    message = update.effective_message
    assert message is not None
    text = message.caption if media is not None else message.text
    assert text is not None
    awaiting = client.awaiting or ""
    if not awaiting.startswith("ci"):
        return False
    services: Services = context.services
    async with services.db.unit_of_work() as uow:
        fresh = await uow.clients.get(client.therapist_id, client.id)
        check_in = await uow.check_ins.get(int(awaiting[2:]))
        if fresh is None or check_in is None or check_in.client_id != client.id:
            return False
        if check_in.closed_at is not None or check_in.comment is not None:
            fresh.awaiting = None
            await uow.commit()
            return False
        comment = text.strip()
        too_long = len(comment) > MAX_TEXT_LENGTH
        if not too_long:
            fresh.awaiting = None
            check_in.comment = comment
            thanks, _ = await _next_card(uow, check_in, fresh)  # with a comment: the thanks
            alerted = check_in.alerted_at is not None
            therapist_id, name = check_in.therapist_id, client.name
            await uow.commit()
    if too_long:
        # The comment is still awaited: the client shortens it and sends it again.
        await message.reply_text(texts.too_long(len(comment), MAX_TEXT_LENGTH))
        return True
    if media is not None:
        thanks += "\n" + texts.media_not_kept_with_comment(texts.Html(media))
    await message.reply_text(thanks)
    if alerted and comment:
        await _send_alert(
            context, therapist_id, client.id, name, texts.comment_added(name, comment)
        )
    return True


def handler() -> CallbackQueryHandler[Context, None]:
    return CallbackQueryHandler(check_in_button, pattern=CheckInAnswer.pattern())
