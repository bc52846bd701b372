"""A slow Telegram that delivers anyway: a send it did not answer in time may have arrived,
so it goes out at most once more — never once per retry of every layer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import select
from telegram.error import NetworkError, TimedOut

from bot.runtime.delivery import delivers_a_message, may_have_arrived
from demo.offline import OfflineBot, offline_bot
from emulator import Fault, Phone
from practice.clock import FrozenClock
from storage.models import Delivery
from tests.conftest import MAYA
from tests.test_invites import ANNA
from tests.test_reminders import START, anna_on_the_bot, assign, run_until

READ_TIMEOUT = 0.2
# Telegram holds every answer to Anna's chat past the bot's read timeout, then delivers.
SLOW = Fault(method="sendMessage", chat_id=ANNA, delay=READ_TIMEOUT * 2, times=None)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
async def running(database_url: str, clock: FrozenClock) -> AsyncIterator[OfflineBot]:
    async with offline_bot(
        database_url,
        therapist_ids=frozenset({MAYA}),
        clock=clock,
        timezone="Europe/London",
        read_timeout=READ_TIMEOUT,
    ) as bot:
        yield bot
        bot.check_alive()


def reminders(phone: Phone) -> list[str]:
    return [m.text for m in phone.messages if m.text.startswith("🧘 Chin tucks")]


async def test_a_reminder_under_a_slow_telegram_arrives_at_most_twice(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    anna = await anna_on_the_bot(running, maya)
    await assign(maya, "Chin tucks", "Every day", "08:00", "1 wk")
    running.emulator.inject(SLOW)
    # 08:00 in Berlin is 06:00 UTC; the morning gives every retry time to run.
    await run_until(running, clock, datetime(2026, 10, 20, 12, 0, tzinfo=UTC))
    running.emulator.clear_faults()
    await running.emulator.wait_held()
    assert 1 <= len(reminders(anna)) <= 2
    async with running.db.unit_of_work() as uow:
        (row,) = await uow.session.scalars(
            select(Delivery).where(Delivery.kind == "homework", Delivery.status == "sent")
        )
    # Taken as delivered: its buttons work, and the record says why.
    assert row.last_error is not None and "taken as delivered" in row.last_error
    await anna.tap("Done")
    assert "Done — logged" in anna.last_text


async def test_a_handlers_reply_under_a_slow_telegram_arrives_once(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    anna = await anna_on_the_bot(running, maya)
    running.emulator.inject(SLOW)
    await anna.send("/homework")
    running.emulator.clear_faults()
    await running.emulator.wait_held()
    assert sum("No homework yet" in m.text for m in anna.messages) == 1


def _raised_from(cause: BaseException | None) -> NetworkError:
    error = TimedOut() if isinstance(cause, httpx.TimeoutException) else NetworkError("failed")
    error.__cause__ = cause
    return error


def test_which_failures_may_have_reached_telegram() -> None:
    request = httpx.Request("POST", "https://api.telegram.org/bot/sendMessage")
    never_sent = [
        httpx.ConnectError("refused", request=request),
        httpx.ConnectTimeout("slow connect", request=request),
        httpx.PoolTimeout("pool full", request=request),
        None,  # a 5xx: Telegram answered that it failed
    ]
    perhaps = [
        httpx.ReadTimeout("no answer", request=request),
        httpx.WriteTimeout("half written", request=request),
        httpx.RemoteProtocolError("dropped", request=request),
    ]
    assert [may_have_arrived(_raised_from(c)) for c in never_sent] == [False] * 4
    assert [may_have_arrived(_raised_from(c)) for c in perhaps] == [True] * 3
    assert delivers_a_message("sendMessage") and delivers_a_message("sendDocument")
    assert delivers_a_message("copyMessage") and delivers_a_message("forwardMessage")
    assert not delivers_a_message("sendChatAction")
    assert not delivers_a_message("editMessageText")
    assert not delivers_a_message("answerCallbackQuery")
