"""When a client's record is deleted under the practice's retention period, and when the
therapist is told: plain dates, no database.

A record is kept `years` after the client's last session and deleted on that anniversary.
The therapist is told a month before, once; the record is never deleted sooner than a month
after they were told (a notice that came late moves the day, it is never skipped), and a
session after the notice withdraws it (a new notice comes a month before the new day).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from dateutil.relativedelta import relativedelta

NOTICE = relativedelta(months=1)


class Step(StrEnum):
    KEEP = "keep"
    NOTIFY = "notify"  # tell the therapist: deleted on `purge_on`
    WITHDRAW = "withdraw"  # a session since the notice: the day told no longer holds
    PURGE = "purge"


@dataclass(frozen=True)
class Retention:
    step: Step
    purge_on: date | None  # the day to keep on the record after this step


def kept_until(last_session: date, years: int) -> date:
    """The anniversary `years` after the last session (29 February falls on the 28th)."""
    return last_session + relativedelta(years=years)


def retention_step(last_session: date, years: int, purge_on: date | None, today: date) -> Retention:
    """What today's daily run does to one record, given the day already told (if any)."""
    due = kept_until(last_session, years)
    if purge_on is not None:
        if due <= purge_on:
            # A shorter period since the notice keeps the day told: never sooner than said.
            if today >= purge_on:
                return Retention(Step.PURGE, purge_on)
            return Retention(Step.KEEP, purge_on)
        purge_on = None  # a later session, or a longer period: the notice no longer holds
        if today < due - NOTICE:
            return Retention(Step.WITHDRAW, None)
    if today < due - NOTICE:
        return Retention(Step.KEEP, None)
    return Retention(Step.NOTIFY, max(due, today + NOTICE))
