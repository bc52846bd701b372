"""Finding a client by typing part of their name, and the buttons that open client cards."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.shared import cards, texts
from bot.shared.callbacks import ClientCard
from bot.shared.context import Context
from bot.therapist.notes.flow import RECENT_CLIENTS, SEARCH_RESULTS
from storage.models import Client


def client_buttons(clients: list[Client], nav: list[InlineKeyboardButton]) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(_label(c), callback_data=ClientCard(c.id).encode()) for c in clients
    ]
    rows = cards.button_rows(buttons)
    if nav:
        rows.append(nav)
    return InlineKeyboardMarkup(rows)


def _label(client: Client) -> str:
    # A phone icon marks clients who are on the bot: the therapist sees it at a glance.
    return f"{client.name} 📱" if client.telegram_user_id else client.name


async def search_clients(update: Update, context: Context, query: str) -> None:
    """A therapist typing a name outside a note: find that client."""
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    async with context.services.db.unit_of_work() as uow:
        found = await uow.clients.search(user.id, query, SEARCH_RESULTS)
    if not found:
        await message.reply_text(texts.CLIENT_NO_MATCH.format(query=texts.esc(query[:60])))
        return
    await message.reply_text(texts.matches(query[:60]), reply_markup=client_buttons(found, []))


async def pick_client(
    update: Update,
    context: Context,
    *,
    prompt: str,
    button: Callable[[int], str],
    chosen: Callable[[int], Awaitable[None]],
    empty: str = texts.CLIENTS_EMPTY,
    no_match: Callable[[str], Awaitable[None]] | None = None,
) -> None:
    """/history, /invite, /plan, /homework: a name that finds one client goes straight to them;
    otherwise a list of clients to tap (the matches, or the most recent); a name that finds
    none goes to `no_match`, if given."""
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    query = " ".join(context.args or [])
    async with context.services.db.unit_of_work() as uow:
        if query:
            found = await uow.clients.search(user.id, query, SEARCH_RESULTS)
        else:
            found = await uow.clients.recent(user.id, RECENT_CLIENTS)
    if query and len(found) == 1:
        await chosen(found[0].id)
        return
    if query and not found and no_match is not None:
        await no_match(query)
        return
    if not found:
        text = texts.history_no_match(query) if query else empty
        await message.reply_text(text)
        return
    buttons = [InlineKeyboardButton(c.name, callback_data=button(c.id)) for c in found]
    rows = cards.button_rows(buttons)
    await message.reply_text(
        texts.matches(query) if query else prompt,
        reply_markup=InlineKeyboardMarkup(rows),
    )
