"""/export: a client's whole record as a PDF (with the progress chart) and a CSV, sent to the
therapist as two documents. Also reached from the client card's "Export record" button.

Rendering is CPU-bound (matplotlib, fpdf): it runs in a worker process (reports/render.py), so
other therapists' taps are answered meanwhile.
"""

from __future__ import annotations

from telegram import InputFile, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.shared import cards, texts
from bot.shared.callbacks import ExportFor, parse_records
from bot.shared.context import Context, Handler
from bot.therapist.client_search import pick_client
from reports.filenames import document_name
from reports.gather import chart_data, client_record
from reports.jobs import record_documents
from reports.render import render


async def send_export(context: Context, therapist_id: int, chat_id: int, client_id: int) -> None:
    services = context.services
    async with services.db.unit_of_work() as uow:
        record = await client_record(
            uow,
            therapist_id,
            client_id,
            today=services.today(),
            zone=services.settings.practice_timezone,
            now=services.clock.now(),
        )
    if record is None:
        await context.bot.send_message(chat_id, texts.NOT_YOUR_CLIENT)
        return
    name = record.client.name
    preparing = await context.bot.send_message(chat_id, texts.export_preparing(name))
    pdf, csv = await render(record_documents, record, chart_data(record))
    day = services.today()
    await context.bot.send_document(
        chat_id, InputFile(pdf, filename=document_name(name, "record", day, "pdf"))
    )
    await context.bot.send_document(
        chat_id, InputFile(csv, filename=document_name(name, "record", day, "csv"))
    )
    await cards.edit_card(
        context.bot,
        chat_id,
        preparing.message_id,
        texts.export_ready(name, len(record.sessions)),
        None,
    )


async def export_command(update: Update, context: Context) -> None:
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    await pick_client(
        update,
        context,
        prompt=texts.EXPORT_PICK,
        button=lambda client_id: ExportFor(client_id).encode(),
        chosen=lambda client_id: send_export(context, user.id, chat.id, client_id),
    )


async def export_button(update: Update, context: Context) -> None:
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None and query.message is not None
    button = parse_records(query.data)
    if not isinstance(button, ExportFor):
        await cards.answer(query, texts.STALE_BUTTON)
        return
    async with context.services.db.unit_of_work() as uow:
        # Re-checked against who pressed: a forged id of another therapist's client finds nothing.
        client = await uow.clients.get(user.id, button.client_id)
    if client is None:
        await cards.answer(query, texts.NOT_YOUR_CLIENT)
        return
    await cards.answer(query)
    await send_export(context, user.id, query.message.chat.id, client.id)


def handlers(therapists: filters.BaseFilter) -> list[Handler]:
    return [
        CommandHandler("export", export_command, filters=therapists),
        CallbackQueryHandler(export_button, pattern=ExportFor.pattern()),
    ]
