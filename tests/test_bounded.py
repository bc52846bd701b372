"""Messages built from lists that grow with a practice — the digest, /mydata, the client
card, /plan — stay within Telegram's limits however long the lists get, and say what they
left out; a periodic message that fails once still plans the next."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from bot.shared.bounded import TEXT_LIMIT, fit, shares
from demo.offline import OfflineBot
from emulator import Fault, Phone
from practice.clock import FrozenClock
from storage.models import Delivery
from tests.chat import new_client_note
from tests.conftest import MAYA, NOW
from tests.seed import (
    seed_answered_check_ins,
    seed_assignments,
    seed_clients_on_the_bot,
    seed_plan_versions,
    seed_providers,
    seed_referrals,
    seed_weekly_history,
)
from tests.test_invites import ANNA, join


def test_fit_keeps_what_fits_and_counts_the_rest() -> None:
    lines = [f"line {n}" for n in range(10)]
    assert fit(lines, 1000, lambda n: f"and {n} more") == lines
    kept = fit(lines, 31, lambda n: f"and {n} more")
    assert kept == ["line 0", "line 1", "line 2", "and 7 more"]
    assert len("\n".join(kept)) == 31
    assert fit(lines, 30, lambda n: f"and {n} more") == ["line 0", "line 1", "and 8 more"]
    assert fit(["a" * 50], 20, lambda n: f"+{n}") == ["+1"]
    assert fit(["ab", "cd", "ef"], 7, lambda n: f"+{n}", sep=", ") == ["ab", "+2"]


def test_shares_give_small_parts_all_they_want() -> None:
    assert shares(100, [10, 500, 20]) == [10, 70, 20]
    assert shares(90, [500, 500, 500]) == [30, 30, 30]
    assert sum(shares(4000, [3000, 2000, 100])) == 4000


async def digests(running: OfflineBot) -> list[Delivery]:
    async with running.db.unit_of_work() as uow:
        return list(
            await uow.session.scalars(
                select(Delivery).where(Delivery.kind == "digest").order_by(Delivery.id)
            )
        )


async def test_the_digest_of_80_clients_fits_and_a_failed_one_plans_the_next(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    await maya.send("/start")
    clients = await seed_clients_on_the_bot(running.db, MAYA, 80, clock.now())
    await seed_answered_check_ins(running.db, MAYA, clients, clock.now())
    # Thursday's digest is refused once by Telegram: Friday's is planned all the same.
    running.emulator.inject(Fault(method="sendMessage", chat_id=MAYA, error_code=400, times=1))
    clock.set(datetime(2026, 11, 26, 8, 0, tzinfo=UTC))
    await running.dispatch()
    *_, failed, planned = await digests(running)
    assert failed.status == "failed"
    assert planned.status == "pending"
    assert planned.due_at == datetime(2026, 11, 27, 8, 0, tzinfo=UTC)

    await seed_answered_check_ins(running.db, MAYA, clients, clock.now())
    clock.set(datetime(2026, 11, 27, 8, 0, tzinfo=UTC))
    await running.dispatch()
    digest = maya.last_text
    assert digest.startswith("☀️ Good morning — since yesterday")
    assert len(digest) <= TEXT_LIMIT
    assert "• Client 000 Longname: pain 5" in digest
    assert "more — on each client's card (/clients)" in digest
    *_, sent, following = await digests(running)
    assert sent.status == "sent" and following.status == "pending"


async def test_mydata_after_60_weeks_fits_and_keeps_its_files_button(
    running: OfflineBot, maya: Phone
) -> None:
    await new_client_note(maya, "Anna K.")
    anna = await join(running, maya)
    await anna.tap("London")
    async with running.db.unit_of_work() as uow:
        client = await uow.clients.by_telegram_user(ANNA)
        assert client is not None
    await seed_weekly_history(running.db, MAYA, client.id, 60, NOW)

    await anna.send("/mydata")
    text = anna.last_text
    assert text.startswith("🗂 What the bot holds about you")
    assert len(text) <= TEXT_LIMIT
    assert "earlier — all of it is in the PDF and CSV" in text
    assert "To erase what the bot holds about you: /forgetme" in text
    # Sixty weeks make a long PDF: rendering it may outlast the default wait on a busy machine.
    await anna.tap("Send it as PDF and CSV", timeout=30)
    pdf, csv = anna.documents[-2:]
    assert pdf.filename is not None and pdf.filename.endswith(".pdf")
    assert csv.file_bytes is not None and csv.file_bytes.count(b"Stiff in the morning") == 120


async def anna_k(running: OfflineBot) -> int:
    async with running.db.unit_of_work() as uow:
        [(_, client)] = await uow.clients.names(MAYA)
        return client.id


async def test_a_client_card_with_40_referrals_fits(running: OfflineBot, maya: Phone) -> None:
    await new_client_note(maya, "Anna K.")
    await seed_referrals(running.db, MAYA, await anna_k(running), 40, NOW)
    await maya.send("/clients")
    await maya.tap("Anna K.")
    card = maya.last_text
    assert card.startswith("👤 Anna K.")
    assert len(card) <= TEXT_LIMIT
    newest = "↗️ Referred to Dr Alexandra Montgomery-Whitfield (physiotherapist) 18 Nov"
    assert f"{newest} — consent given — seen" in card
    # How many no longer fit depends on what else the card holds (the intake's line is new).
    assert re.search(r"and \d+ earlier referrals? — all in 📄 Export record", card)
    await maya.tap("⋯ More")
    assert "📄 Export record" in maya.all_buttons


async def test_a_plan_with_25_versions_fits(running: OfflineBot, maya: Phone) -> None:
    await new_client_note(maya, "Anna K.")
    await seed_plan_versions(running.db, MAYA, await anna_k(running), 25, NOW)
    await maya.send("/plan Anna")
    card = maya.last_text
    assert card.startswith("📋 Plan for Anna K. (version 25)")
    assert len(card) <= TEXT_LIMIT
    assert "v24 · " in card
    assert "earlier versions — all in 📄 Export record" in card


async def test_a_network_of_60_providers_fits(running: OfflineBot, maya: Phone) -> None:
    await maya.send("/start")
    await seed_providers(running.db, MAYA, 60, NOW)
    await maya.send("/providers")
    listing = maya.last_text
    assert listing.startswith("⚕️ Your referral network")
    assert len(listing) <= TEXT_LIMIT
    assert "more — each has its button below" in listing
    assert len(maya.all_buttons) == 61  # every provider, and Add


async def test_sixty_exercises_fit_the_homework_list_and_the_clients_home(
    running: OfflineBot, maya: Phone
) -> None:
    await new_client_note(maya, "Anna K.")
    anna = await join(running, maya)
    await anna.tap("London")
    await seed_assignments(running.db, MAYA, await anna_k(running), 60, NOW)
    await maya.send("/homework Anna")
    listing = maya.last_text
    assert listing.startswith("🧘 Homework for Anna K.")
    assert len(listing) <= TEXT_LIMIT
    assert "more — each has its button below" in listing
    await anna.send("/start")
    home = anna.last_text
    assert home.startswith("👋 Hi Anna!") and len(home) <= TEXT_LIMIT
    assert "more — /homework shows them all" in home
    await anna.send("/homework")  # split between messages already, never cut
    assert all(len(m.text) <= TEXT_LIMIT for m in anna.messages)


async def test_a_weekly_note_refused_once_plans_the_next(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    await new_client_note(maya, "Anna K.")
    anna = await join(running, maya)
    await anna.tap("London")
    anna_id = await anna_k(running)
    for day in (27, 28):  # two pains this week: something for Sunday's note to say
        await seed_answered_check_ins(
            running.db, MAYA, [anna_id], datetime(2026, 11, day, 12, 0, tzinfo=UTC)
        )
    running.emulator.inject(Fault(method="sendMessage", chat_id=ANNA, error_code=400, times=None))
    clock.set(datetime(2026, 11, 29, 12, 0, tzinfo=UTC))
    await running.dispatch()
    # Anna's other message due goes first; the note a second later (one a second to a chat).
    clock.advance(timedelta(seconds=1))
    await running.dispatch()
    running.emulator.clear_faults()
    async with running.db.unit_of_work() as uow:
        weekly = list(
            await uow.session.scalars(
                select(Delivery).where(Delivery.kind == "weekly").order_by(Delivery.id)
            )
        )
    assert [(w.status, w.occurrence_date) for w in weekly][-2:] == [
        ("failed", date(2026, 11, 29)),
        ("pending", date(2026, 12, 6)),
    ]
