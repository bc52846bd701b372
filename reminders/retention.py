"""The retention period, applied daily: a therapist is told a month before a record is
deleted (through the outbox, at their digest time), and on the day it goes, whole."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from practice.retention import NOTICE, Step, retention_step
from practice.schedules import to_utc
from storage.repositories import RETENTION, Outbox
from storage.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


@dataclass
class RetentionReport:
    notified: int = 0
    withdrawn: int = 0
    purged: int = 0


async def apply_retention(
    uow: UnitOfWork, *, now: datetime, years: int, zone: str, notice_at: time
) -> RetentionReport:
    """One day's run, in the caller's transaction."""
    tz = ZoneInfo(zone)
    today = now.astimezone(tz).date()
    report = RetentionReport()
    # Only records within a month of their day can need anything (or that have a day).
    horizon = today + NOTICE + timedelta(days=1) - relativedelta(years=years)
    busy = await uow.retention.being_written()
    doomed: list[int] = []
    for record in await uow.retention.records(ended_before=horizon):
        step = retention_step(record.last_session, years, record.purge_on, today)
        if step.step == Step.PURGE and record.client_id not in busy:
            doomed.append(record.client_id)
        elif step.step == Step.WITHDRAW:
            await uow.retention.set_purge_on(record.client_id, None)
            report.withdrawn += 1
        elif step.step == Step.NOTIFY:
            assert step.purge_on is not None
            await uow.retention.set_purge_on(record.client_id, step.purge_on)
            await uow.outbox.add(
                Outbox.pending(
                    RETENTION,
                    chat_id=record.therapist_id,
                    client_id=record.client_id,
                    day=step.purge_on,
                    due_at=next_at(now, tz, notice_at),
                    now=now,
                )
            )
            report.notified += 1
    report.purged = await uow.retention.purge(doomed)
    if report.notified or report.withdrawn or report.purged:
        # Counts only: whose records stays out of the logs.
        log.info(
            "retention: %d records deleted, %d therapists' notices queued, %d withdrawn",
            report.purged,
            report.notified,
            report.withdrawn,
        )
    return report


def next_at(now: datetime, tz: ZoneInfo, at: time) -> datetime:
    """The first `at` local time after `now` (the notice comes at the digest's hour, not at
    night)."""
    local = now.astimezone(tz)
    day: date = local.date() if local.time() < at else local.date() + timedelta(days=1)
    return to_utc(datetime.combine(day, at), tz)
