"""The renders the bot sends, as module-level functions of plain data: what `reports.render`
runs in a worker process (a worker imports this module by name, so it stays free of the
database and of Telegram; the chart's data is gathered by the caller).

The bot's process imports this module to name the renders, and must not pay for what they
use: matplotlib (and numpy, PIL) and fpdf2 are imported inside each render, in the worker
that runs it (about 0.7 s and 86 MB the bot's process no longer loads at start)."""

from __future__ import annotations

from datetime import date

from reports.csv_export import client_data_csv, client_record_csv
from reports.data import ClientData, ClientRecord, ProgressChartData, ReferralRow

# What the renders import where they run; the bot checks at start that each is installed
# (bot/runtime/libraries.py), so a missing one stops it there, not at a therapist's /export.
LOADED_ON_FIRST_USE = ("matplotlib", "fpdf", "PIL", "fontTools", "uharfbuzz")


def record_documents(record: ClientRecord, chart: ProgressChartData) -> tuple[bytes, bytes]:
    """/export: the record as a PDF (with the progress chart) and as a CSV."""
    from reports.chart import render_progress_chart
    from reports.pdf import client_record as client_record_pdf

    png = render_progress_chart(chart)
    return client_record_pdf(record, chart_png=png), client_record_csv(record)


def client_data_documents(data: ClientData) -> tuple[bytes, bytes]:
    """/mydata's files: the client's own data as a PDF and a CSV."""
    from reports.pdf import client_data_pdf

    return client_data_pdf(data), client_data_csv(data)


def referral_letter_pdf(
    record: ClientRecord,
    row: ReferralRow,
    written_on: date,
    shared: bool,
    chart: ProgressChartData | None,
) -> bytes:
    """The referral letter. Health details (and the chart, health information too) only when
    the client allowed them (`shared`)."""
    from reports.chart import render_progress_chart
    from reports.pdf import referral_letter

    return referral_letter(
        record.practice,
        record.client,
        row,
        written_on=written_on,
        sessions=record.sessions if shared else (),
        plan=record.plan if shared else None,
        homework=record.homework if shared else (),
        verdict=record.verdict if shared else None,
        cautions=record.cautions if shared else (),
        red_flags=record.red_flags if shared else (),
        intake=record.intake_summary if shared else None,
        made_at=record.prepared_at,
        chart_png=render_progress_chart(chart) if shared and chart is not None else None,
    )


def progress_chart(chart: ProgressChartData) -> bytes:
    """/progress: the chart as a PNG."""
    from reports.chart import render_progress_chart

    return render_progress_chart(chart)
