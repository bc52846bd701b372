"""Whether the bot is doing its job: GET /healthz for a monitor, and the report the operators'
notices (bot/runtime/watch.py) are made from.

Three questions, answered from what this process saw and from the outbox: when Telegram last
answered, how late the longest-waiting message is, how many deliveries failed. The answer is
counts and times only: nothing in it names a client or carries what was sent.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import SQLAlchemyError

from practice.clock import Clock
from storage import Database

if TYPE_CHECKING:
    # aiohttp's server half is imported only when the endpoint is on (HEALTH_PORT set):
    # most starts never serve it and need only the client half the transport uses.
    from aiohttp import web

log = logging.getLogger(__name__)

# The long poll comes back at least every 30 s and a network outage is retried within 30 s
# (a webhook process asks getWebhookInfo every minute), so five minutes without a single
# answer from Telegram is no longer a passing moment.
CONTACT_LIMIT = timedelta(minutes=5)
# A reminder a quarter of an hour late is late to the client: the dispatcher is stuck, dead
# in every process, or cannot keep up.
OUTBOX_LIMIT = timedelta(minutes=15)
# "Deliveries keep failing": this many messages given up on within the last hour, or waiting
# for another try after this many failed ones (a Telegram outage shows here long before the
# retries run out, about an hour later).
FAILING = 3
FAILING_WINDOW = timedelta(hours=1)


class Problem(StrEnum):
    NO_CONTACT = "no_contact"
    OUTBOX_BEHIND = "outbox_behind"
    DELIVERIES_FAILING = "deliveries_failing"
    DATABASE = "database_unavailable"


class Health:
    """What only this process knows: when Telegram last answered it, how its last backup went.

    The rate limiter (every API call but getUpdates), the polling loop (getUpdates) and the
    webhook (each update Telegram posts with the right secret) call `contact()`; the backup
    job reports through bot/runtime/watch.py's `record_backup`.
    """

    def __init__(self, clock: Clock, *, expects_contact: bool = True) -> None:
        self._clock = clock
        # A process that only sends (`python -m bot send`) may go hours without a call.
        self.expects_contact = expects_contact
        self.started_at = clock.now()
        self.last_contact: datetime | None = None
        self.last_backup_at: datetime | None = None
        self.last_backup_ok: bool | None = None
        self.unreadable_updates = 0  # skipped because the library could not parse them

    def contact(self) -> None:
        self.last_contact = self._clock.now()

    def record_backup(self, ok: bool) -> None:
        self.last_backup_at = self._clock.now()
        self.last_backup_ok = ok


@dataclass(frozen=True)
class Report:
    checked_at: datetime
    last_contact: datetime | None
    oldest_due: datetime | None
    failed_last_day: int | None
    failing: int | None  # given up within the hour, plus those retried FAILING times or more
    last_backup_at: datetime | None
    last_backup_ok: bool | None
    unreadable_updates: int
    problems: tuple[Problem, ...]

    @property
    def healthy(self) -> bool:
        return not self.problems

    @property
    def behind(self) -> timedelta | None:
        """How late the longest-waiting due message is."""
        return None if self.oldest_due is None else self.checked_at - self.oldest_due

    def as_json(self) -> dict[str, Any]:
        behind = self.behind
        return {
            "healthy": self.healthy,
            "problems": [str(p) for p in self.problems],
            "checked_at": _iso(self.checked_at),
            "last_telegram_contact": _iso(self.last_contact),
            "seconds_since_telegram_contact": (
                None
                if self.last_contact is None
                else round((self.checked_at - self.last_contact).total_seconds())
            ),
            "oldest_due_at": _iso(self.oldest_due),
            "oldest_due_seconds": None if behind is None else round(behind.total_seconds()),
            "failed_deliveries_last_day": self.failed_last_day,
            "failing_deliveries_last_hour": self.failing,
            "last_backup_at": _iso(self.last_backup_at),
            "last_backup_ok": self.last_backup_ok,
            "unreadable_updates": self.unreadable_updates,
        }


def judge(
    now: datetime,
    health: Health,
    *,
    oldest_due: datetime | None,
    failing: int,
) -> tuple[Problem, ...]:
    """What is wrong, by the thresholds above."""
    problems: list[Problem] = []
    if health.expects_contact:
        since = health.last_contact or health.started_at
        if now - since > CONTACT_LIMIT:
            problems.append(Problem.NO_CONTACT)
    if oldest_due is not None and now - oldest_due > OUTBOX_LIMIT:
        problems.append(Problem.OUTBOX_BEHIND)
    if failing >= FAILING:
        problems.append(Problem.DELIVERIES_FAILING)
    return tuple(problems)


async def assess(db: Database, health: Health, clock: Clock) -> Report:
    now = clock.now()
    oldest_due: datetime | None = None
    failed_last_day: int | None = None
    failing: int | None = None
    unavailable = False
    try:
        async with db.unit_of_work() as uow:
            oldest_due = await uow.outbox.oldest_due(now)
            failed_last_day = await uow.outbox.failed_since(now - timedelta(days=1))
            failing = await uow.outbox.failed_since(now - FAILING_WINDOW)
            failing += await uow.outbox.retrying(FAILING)
    except (SQLAlchemyError, OSError) as exc:
        # A locked, missing or unreachable database is itself the answer, not a crash.
        log.warning("health check could not read the outbox: %s", type(exc).__name__)
        unavailable = True
    problems = judge(now, health, oldest_due=oldest_due, failing=failing or 0)
    return Report(
        checked_at=now,
        last_contact=health.last_contact,
        oldest_due=oldest_due,
        failed_last_day=failed_last_day,
        failing=failing,
        last_backup_at=health.last_backup_at,
        last_backup_ok=health.last_backup_ok,
        unreadable_updates=health.unreadable_updates,
        problems=(*problems, Problem.DATABASE) if unavailable else problems,
    )


class HealthServer:
    """GET /healthz: the report as JSON, HTTP 200 when healthy and 503 when not."""

    def __init__(self, db: Database, health: Health, clock: Clock) -> None:
        self._db = db
        self._health = health
        self._clock = clock
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

    async def start(self, host: str, port: int) -> None:
        from aiohttp import web

        app = web.Application()
        app.router.add_get("/healthz", self._healthz)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        log.info("health endpoint on http://%s:%d/healthz", host, self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _healthz(self, request: web.Request) -> web.Response:
        from aiohttp import web

        report = await assess(self._db, self._health, self._clock)
        return web.json_response(
            report.as_json(),
            status=200 if report.healthy else 503,
            headers={"Cache-Control": "no-store"},
        )


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat(timespec="seconds")
