"""/history: a client's notes, newest first, a page at a time; the page is edited in place."""

from __future__ import annotations

from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.shared import cards, texts
from bot.shared.bounded import TEXT_LIMIT
from bot.shared.callbacks import HistoryPage, HistoryPick, handler_pattern, parse
from bot.shared.context import Context, Handler
from bot.therapist.amend import amend_buttons, amendment_marks
from bot.therapist.client_search import pick_client
from practice.notes import TextField
from storage.models import Client, SessionNote

PAGE_SIZE = 5
# How much of each typed field a page shows, longest first; 0 leaves the fields out. With
# no fields a note is at most ~450 characters, so a page of five always fits.
FIELD_EXCERPTS = (140, 70, 40, 0)


def _note_lines(note: SessionNote, today: date, excerpt: int, mark: str | None) -> list[str]:
    lines = [
        f"<b>#{note.number}</b> · {texts.long_date(note.session_date, today)} · "
        f"pain {note.pain_before} → {note.pain_after}",
        texts.esc(
            f"{texts.area_labels(note.areas, note.area_other)} · "
            f"{texts.technique_labels(note.techniques, note.technique_other)} · "
            f"{texts.pressure_label(note.pressure)}"
        ),
    ]
    if mark:
        lines.append(mark)
    for which in TextField if excerpt else ():
        value = getattr(note, which.value)
        if value:
            shown = texts.esc(texts.excerpt(value, excerpt))
            lines.append(f"<i>{texts.FIELD_LABELS[which]}:</i> {shown}")
    return lines


async def _page(
    context: Context, therapist_id: int, client: Client, offset: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    services = context.services
    async with services.db.unit_of_work() as uow:
        page = await uow.notes.page(therapist_id, client.id, offset=offset, limit=PAGE_SIZE)
        if page.total and offset >= page.total:  # an old or forged button past the end
            offset = (page.total - 1) // PAGE_SIZE * PAGE_SIZE
            page = await uow.notes.page(therapist_id, client.id, offset=offset, limit=PAGE_SIZE)
        marks = await amendment_marks(uow, page.notes, services.today(), services.settings.tz)
    if page.total == 0:
        return texts.HISTORY_NO_NOTES.format(name=texts.esc(client.name)), None
    header = texts.history_header(client.name, offset + 1, offset + len(page.notes), page.total)
    today = services.today()
    # Five detailed notes may not fit in one message: shorten the typed fields until they do.
    for excerpt in FIELD_EXCERPTS:
        text = "\n\n".join(
            [
                header,
                *("\n".join(_note_lines(n, today, excerpt, marks.get(n.id))) for n in page.notes),
            ]
        )
        if len(text) <= TEXT_LIMIT:
            break
    nav = []
    if offset > 0:
        newer = HistoryPage(client.id, max(offset - PAGE_SIZE, 0)).encode()
        nav.append(InlineKeyboardButton(texts.NEWER, callback_data=newer))
    if offset + PAGE_SIZE < page.total:
        older = HistoryPage(client.id, offset + PAGE_SIZE).encode()
        nav.append(InlineKeyboardButton(texts.OLDER, callback_data=older))
    rows = amend_buttons(page.notes)
    return text, InlineKeyboardMarkup([*rows, nav] if nav else rows)


async def show_history(context: Context, therapist_id: int, chat_id: int, client_id: int) -> None:
    """The first page of a client's history as a new message (from the client's card)."""
    async with context.services.db.unit_of_work() as uow:
        client = await uow.clients.get(therapist_id, client_id)
    if client is None:
        await context.bot.send_message(chat_id, texts.NOT_YOUR_CLIENT)
        return
    text, keyboard = await _page(context, therapist_id, client, 0)
    await context.bot.send_message(chat_id, text, reply_markup=keyboard)


async def history_command(update: Update, context: Context) -> None:
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    await pick_client(
        update,
        context,
        prompt=texts.HISTORY_PICK,
        empty=texts.HISTORY_EMPTY_LIST,
        button=lambda client_id: HistoryPick(client_id).encode(),
        chosen=lambda client_id: show_history(context, user.id, chat.id, client_id),
    )


async def history_button(update: Update, context: Context) -> None:
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None and query.message is not None
    button = parse(query.data)
    if not isinstance(button, HistoryPage | HistoryPick):
        await cards.answer(query, texts.STALE_BUTTON)
        return
    async with context.services.db.unit_of_work() as uow:
        # Re-checked against who pressed: a forged id of another therapist's client finds nothing.
        client = await uow.clients.get(user.id, button.client_id)
    if client is None:
        await cards.answer(query, texts.NOT_YOUR_CLIENT)
        return
    offset = button.offset if isinstance(button, HistoryPage) else 0
    text, keyboard = await _page(context, user.id, client, offset)
    await cards.answer(query)
    await cards.edit_card(
        context.bot, query.message.chat.id, query.message.message_id, text, keyboard
    )


def handlers(therapists: filters.BaseFilter) -> list[Handler]:
    return [
        CommandHandler("history", history_command, filters=therapists),
        CallbackQueryHandler(history_button, pattern=handler_pattern(HistoryPage, HistoryPick)),
    ]
