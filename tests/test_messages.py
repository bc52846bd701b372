"""Messages both ways: what a linked client types outside any question reaches their
therapist through the outbox, with ↩️ Reply and the client's card; the therapist's reply
reaches the client as from them. Kept with the record (export, /mydata), erased by
/forgetme; muted outside working hours per client; a flood is gathered, never refused."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.shared import texts
from bot.shared.bounded import TEXT_LIMIT
from bot.shared.config import ConfigError, load_settings
from demo.offline import DEMO_TOKEN, OfflineBot, offline_bot
from emulator import BotApiEmulator, Fault, Phone
from emulator.htmltext import parse_html
from practice.clock import FrozenClock
from practice.messages import BURST, gathers, parse_working_hours
from storage.models import CheckIn, ClientMessage, Delivery
from tests.chat import skip_intake
from tests.conftest import LEO, MAYA
from tests.test_checkins import session_note
from tests.test_invites import ANNA
from tests.test_records import csv_rows, pdf_text
from tests.test_reminders import anna_on_the_bot, run_until
from tests.test_reminders import clock as clock  # Monday 19 Oct 2026, 10:00 UTC


async def anna_ready(running: OfflineBot, maya: Phone) -> Phone:
    """Anna on the bot, past the intake (whose questions would take her typed words)."""
    anna = await anna_on_the_bot(running, maya)
    await skip_intake(anna)
    return anna


HOURS = "09:00-18:00"  # London time: 08:00-17:00 UTC in October, so 10:00 UTC is within


@pytest.fixture
async def running(database_url: str, clock: FrozenClock, places: None) -> AsyncIterator[OfflineBot]:
    async with offline_bot(
        database_url,
        therapist_ids=frozenset({MAYA, LEO}),
        clock=clock,
        timezone="Europe/London",
        working_hours=HOURS,
    ) as bot:
        yield bot
        assert bot.emulator.unanswered_callback_queries() == []
        bot.check_alive()


async def messages_of(running: OfflineBot) -> list[ClientMessage]:
    async with running.db.unit_of_work() as uow:
        rows = await uow.session.scalars(select(ClientMessage).order_by(ClientMessage.id))
        return list(rows)


async def test_messages_both_ways(running: OfflineBot, maya: Phone, clock: FrozenClock) -> None:
    anna = await anna_ready(running, maya)
    await anna.send("My neck is <b>sore</b> & stiff today")
    assert anna.last_text == "✓ Sent to Maya."
    # Telegram fails first: a 502 past the quick retries, then a 429. Nothing is lost, and
    # the message arrives once.
    running.emulator.inject(Fault(method="sendMessage", error_code=502, chat_id=MAYA, times=4))
    before = len(maya.messages)
    await running.dispatch()
    assert len(maya.messages) == before
    running.emulator.inject(Fault(method="sendMessage", error_code=429, chat_id=MAYA))
    await run_until(running, clock, clock.now() + timedelta(minutes=30))
    relayed = [m for m in maya.messages[before:] if "writes:" in m.text]
    assert len(relayed) == 1
    assert maya.last_text == (
        "💬 Anna K. writes:\n\nMy neck is <b>sore</b> & stiff today\n\n"
        "↩️ Reply, or swipe this message to reply."
    )
    assert maya.buttons == [["↩️ Reply", "👤 Anna K."], ["🔕 Only in working hours"]]
    card = maya.last_message_id

    await maya.tap("↩️ Reply")
    assert "Reply to Anna K." in maya.last_text and "/cancel" in maya.last_text
    await maya.send("Try the <i>heat</i> pack tonight")
    assert maya.last_text == "✓ Sent — Anna K. gets it now."
    await running.dispatch()
    assert anna.last_text == "💬 Maya:\n\nTry the <i>heat</i> pack tonight"

    # A Telegram reply (swipe) to the relayed message goes to Anna too (a second later: the
    # outbox sends a chat one message a second).
    await maya.send("And drink water", reply_to=card)
    clock.advance(timedelta(seconds=1))
    await running.dispatch()
    assert anna.last_text == "💬 Maya:\n\nAnd drink water"
    # The card's button opens her card.
    await maya.tap("👤 Anna K.", message_id=card)
    assert "Anna K." in maya.last_text

    rows = await messages_of(running)
    assert [(m.direction, m.text) for m in rows] == [
        ("in", "My neck is <b>sore</b> & stiff today"),
        ("out", "Try the <i>heat</i> pack tonight"),
        ("out", "And drink water"),
    ]
    assert all(m.delivered_at is not None for m in rows)

    # In the export and in /mydata.
    await maya.send("/export Anna")
    pdf, sheet = maya.documents[-2:]
    assert "My neck is <b>sore</b> & stiff today" in pdf_text(pdf.file_bytes or b"")
    messages = [r for r in csv_rows(sheet.file_bytes or b"") if r["record_type"] == "message"]
    assert [(r["from"], r["message"], r["status"]) for r in messages] == [
        ("client", "My neck is <b>sore</b> & stiff today", "delivered"),
        ("therapist", "Try the <i>heat</i> pack tonight", "delivered"),
        ("therapist", "And drink water", "delivered"),
    ]
    await anna.send("/mydata")
    shown = anna.last_text
    assert "Your messages with your therapist:" in shown
    assert "you: My neck is <b>sore</b> & stiff today" in shown
    assert "Maya: And drink water" in shown
    await anna.tap("Send it as PDF and CSV")
    pdf, sheet = anna.documents[-2:]
    assert "Try the <i>heat</i> pack tonight" in pdf_text(pdf.file_bytes or b"")
    rows_csv = csv_rows(sheet.file_bytes or b"")
    assert sum(r["record_type"] == "message" for r in rows_csv) == 3


async def test_a_check_in_comment_is_a_comment_and_the_next_message_is_relayed(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    anna = await anna_ready(running, maya)
    await session_note(maya)  # Monday 19 Oct: the first check-in on Wednesday
    await run_until(running, clock, datetime(2026, 10, 21, 12, 0, tzinfo=UTC), kind="📊")
    await anna.tap("4")
    await anna.tap("Better")
    assert "Anything to add for Maya?" in anna.last_text
    before = len(maya.messages)
    await anna.send("Slept well for once")
    assert "Thank you ✓ Maya will see this" in anna.last_text
    async with running.db.unit_of_work() as uow:
        comments = list(await uow.session.scalars(select(CheckIn.comment)))
    assert "Slept well for once" in comments
    assert await messages_of(running) == []
    await running.dispatch()
    assert not any("writes:" in m.text for m in maya.messages[before:])
    # Outside any question, the next words are a message.
    await anna.send("Also: the stretch hurts a bit")
    await running.dispatch()
    assert "Also: the stretch hurts a bit" in maya.last_text


async def test_a_reply_is_refused_after_stop_and_after_forgetme(
    running: OfflineBot, maya: Phone
) -> None:
    anna = await anna_ready(running, maya)
    await anna.send("Can I come earlier on Thursday?")
    await running.dispatch()
    card = maya.last_message_id
    await anna.send("/stop")
    await maya.tap("↩️ Reply", message_id=card)
    assert maya.last_text == (
        "⚠️ Nothing was sent to Anna K.: they stopped messages from the bot with /stop "
        "(until they send /resume)."
    )
    before = len(anna.messages)
    await maya.send("Yes, 13:00 works", reply_to=card)
    assert "Nothing was sent to Anna K.: they stopped messages" in maya.last_text
    await running.dispatch()
    assert len(anna.messages) == before

    # Stopped between the tap and the reply: refused all the same.
    await anna.send("/resume")
    await maya.tap("↩️ Reply", message_id=card)
    await anna.send("/stop")
    await maya.send("Yes, 13:00 works")
    assert "Nothing was sent to Anna K.: they stopped messages" in maya.last_text
    await running.dispatch()
    assert len(anna.messages) == before + 2  # /resume's and /stop's own answers

    await anna.send("/resume")
    await anna.send("One more thing")
    await running.dispatch()
    await anna.send("/forgetme")
    await anna.tap("Erase my data")
    assert await messages_of(running) == []
    async with running.db.unit_of_work() as uow:
        relays = await uow.session.scalar(
            select(func.count()).select_from(Delivery).where(Delivery.kind == "relay")
        )
    assert relays == 0
    await maya.tap("↩️ Reply", message_id=card)
    assert maya.last_text == (
        "⚠️ Nothing was sent to Anna K.: they asked the bot to forget them (/forgetme)."
    )
    await maya.send("/export Anna")
    sheet = maya.documents[-1]
    assert not any(r["record_type"] == "message" for r in csv_rows(sheet.file_bytes or b""))


async def test_a_forged_reply_button_from_another_therapist_does_nothing(
    running: OfflineBot, maya: Phone, leo: Phone
) -> None:
    anna = await anna_ready(running, maya)
    await anna.send("Is it normal to feel dizzy?")
    await running.dispatch()
    relayed = maya.last_message
    assert relayed is not None
    await leo.send("/start")
    for data in [data for row in relayed.callback_data for data in row]:
        assert await leo.tap_data(data) in ("That client is not in your list.", "")
    assert not any("Reply to" in m.text for m in leo.messages)
    before = len(anna.messages)
    await leo.send("Come to my practice instead")
    await running.dispatch()
    assert len(anna.messages) == before
    async with running.db.unit_of_work() as uow:
        client = await uow.clients.by_telegram_user(ANNA)
        assert client is not None and client.messages_in_hours is False


async def test_muted_outside_working_hours_and_delivered_when_they_begin(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    anna = await anna_ready(running, maya)
    await anna.send("Thanks for today")
    await running.dispatch()
    await maya.tap("🔕 Only in working hours")
    assert (
        maya.last_answer
        == "🔕 Anna K.'s messages outside 09:00–18:00 now wait for your working hours."
    )
    assert maya.buttons[-1] == ["🔔 Any time"]

    clock.set(datetime(2026, 10, 19, 20, 30, tzinfo=UTC))  # 21:30 in London, 22:30 in Berlin
    before = len(maya.messages)
    await anna.send("The pain came back tonight")
    assert anna.last_text == (
        "✓ Kept for Maya. They read messages 09:00–18:00 London time, so they will see "
        "this Tue 20 Oct, 10:00. Anything more you write before then goes with it. If it is "
        "urgent, call the practice."
    )
    await anna.send("Ice helped a bit")
    assert anna.last_text == "✓ Kept — it goes with your earlier message at Tue 20 Oct, 10:00."
    await run_until(running, clock, datetime(2026, 10, 20, 7, 59, tzinfo=UTC))
    assert not any("writes:" in m.text for m in maya.messages[before:])
    await run_until(running, clock, datetime(2026, 10, 20, 8, 1, tzinfo=UTC))
    relayed = [m for m in maya.messages[before:] if "writes:" in m.text]
    assert len(relayed) == 1
    text = relayed[0].text
    assert "Mon 19 Oct (yesterday), 21:30\nThe pain came back tonight" in text
    assert "Mon 19 Oct (yesterday), 21:30\nIce helped a bit" in text
    assert "Written outside your working hours (09:00–18:00), kept until now." in text

    # Unmuted: at any hour again.
    await maya.tap("🔔 Any time", message_id=maya.last_message_id)
    clock.set(datetime(2026, 10, 20, 21, 0, tzinfo=UTC))
    await anna.send("Sorry, one more")
    assert anna.last_text == "✓ Sent to Maya."
    await running.dispatch()
    assert maya.last_text.endswith("Sorry, one more\n\n↩️ Reply, or swipe this message to reply.")


async def test_a_client_who_floods_is_gathered_not_refused(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    anna = await anna_ready(running, maya)
    before = len(maya.messages)
    for number in range(BURST):  # one every 20 s, each relayed at once
        await anna.send(f"message {number}")
        assert anna.last_text == "✓ Sent to Maya."
        await running.dispatch()
        clock.advance(timedelta(seconds=20))
    assert len([m for m in maya.messages[before:] if "writes:" in m.text]) == BURST
    await anna.send("message 5")  # 10:01:40 UTC: the first of the five went at 10:00:00
    assert anna.last_text == (
        "✓ Kept. You have sent Maya several messages in a few minutes: what you write now "
        "reaches them together at Mon 19 Oct (today), 12:10. Nothing is lost."
    )
    for number in (6, 7):
        await anna.send(f"message {number}")
        assert "goes with your earlier message at Mon 19 Oct (today), 12:10" in anna.last_text
    await run_until(running, clock, datetime(2026, 10, 19, 10, 9, 59, tzinfo=UTC))
    assert len([m for m in maya.messages[before:] if "writes:" in m.text]) == BURST
    await run_until(running, clock, datetime(2026, 10, 19, 10, 10, 1, tzinfo=UTC))
    assert len([m for m in maya.messages[before:] if "writes:" in m.text]) == BURST + 1
    gathered = maya.last_text
    assert all(f"message {n}" in gathered for n in (5, 6, 7))
    assert len(await messages_of(running)) == 8
    async with running.db.unit_of_work() as uow:
        waiting = await uow.session.scalar(
            select(func.count())
            .select_from(ClientMessage)
            .where(ClientMessage.delivered_at.is_(None))
        )
    assert waiting == 0


async def test_photos_voice_and_long_messages_from_a_client(
    running: OfflineBot, maya: Phone
) -> None:
    anna = await anna_ready(running, maya)
    await anna.send_photo(caption="The bruise this morning")
    assert "Sent your caption to Maya. The photo itself is not passed on or kept" in (
        anna.last_text
    )
    await anna.send_photo()
    assert anna.last_text.startswith("I can pass on only typed words to Maya: the photo")
    await anna.send_voice(b"OggS" + bytes(100), duration=3)
    assert "I can't listen to voice messages" in anna.last_text
    await anna.send("x" * 3001)
    assert "3,001 characters" in anna.last_text and "nothing was sent" in anna.last_text
    await running.dispatch()
    assert [(m.text, m.media) for m in await messages_of(running)] == [
        ("The bruise this morning", "photo")
    ]
    assert "The bruise this morning" in maya.last_text


@pytest.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator(token=DEMO_TOKEN) as emu:
        yield emu


async def test_a_reply_in_progress_survives_a_restart(
    emulator: BotApiEmulator, database_url: str, clock: FrozenClock, places: None
) -> None:
    maya = emulator.user(id=MAYA, first_name="Maya")
    kwargs = {
        "therapist_ids": frozenset({MAYA}),
        "clock": clock,
        "emulator": emulator,
        "timezone": "Europe/London",
    }
    async with offline_bot(database_url, **kwargs) as running:  # type: ignore[arg-type]
        anna = await anna_ready(running, maya)
        await anna.send("Should I rest tomorrow?")
        await running.dispatch()
        await maya.tap("↩️ Reply")
    async with offline_bot(database_url, **kwargs) as running:  # type: ignore[arg-type]
        await maya.send("Yes, one day off")
        assert maya.last_text == "✓ Sent — Anna K. gets it now."
        await running.dispatch()
        assert anna.last_text == "💬 Maya:\n\nYes, one day off"
        # /cancel ends a reply in progress with nothing sent.
        await maya.tap("↩️ Reply", message_id=maya.messages[-3].message_id)
        await maya.send("/cancel")
        assert maya.last_text == "Reply cancelled — nothing was sent."
        await maya.send("Anna: neck, deep tissue")  # a quick note again, not a reply
        assert "Reply" not in maya.last_text
        await running.dispatch()
        assert anna.last_text == "💬 Maya:\n\nYes, one day off"


def test_working_hours() -> None:
    hours = parse_working_hours("09:00-18:00")
    assert hours.label() == "09:00–18:00"
    london = "Europe/London"
    inside = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    assert hours.next_start(inside, london) is None
    evening = datetime(2026, 11, 25, 19, 0, tzinfo=UTC)
    assert hours.next_start(evening, london) == datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    early = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)
    assert hours.next_start(early, london) == datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    # Summer time: 09:00 in London is 08:00 UTC.
    summer = datetime(2026, 7, 1, 20, 0, tzinfo=UTC)
    assert hours.next_start(summer, london) == datetime(2026, 7, 2, 8, 0, tzinfo=UTC)
    night = parse_working_hours("20:00–04:00")
    assert night.contains(datetime(2026, 1, 1, 23, 0))
    for bad in ("9-18", "09:00", "25:00-26:00", "09:00-09:00"):
        with pytest.raises(ValueError, match=r"must|different"):
            parse_working_hours(bad)


async def test_messages_go_with_the_record_at_the_end_of_the_retention_period(
    running: OfflineBot, maya: Phone
) -> None:
    anna = await anna_ready(running, maya)
    await anna.send("Thank you for everything")
    await running.dispatch()
    await maya.tap("↩️ Reply")
    await maya.send("You're welcome")
    assert len(await messages_of(running)) == 2
    async with running.db.unit_of_work() as uow:
        client = await uow.clients.by_telegram_user(ANNA)
        assert client is not None
        assert await uow.retention.purge([client.id]) == 1
        await uow.commit()
    assert await messages_of(running) == []
    await running.dispatch()  # the reply queued for her goes with the record: nothing is sent
    assert not any("You're welcome" in m.text for m in anna.messages)


async def test_mydata_with_many_messages_fits(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    anna = await anna_ready(running, maya)
    async with running.db.unit_of_work() as uow:
        client = await uow.clients.by_telegram_user(ANNA)
        assert client is not None
        for n in range(60):
            uow.session.add(
                ClientMessage(
                    therapist_id=MAYA,
                    client_id=client.id,
                    direction="in" if n % 2 else "out",
                    text=f"message {n}: " + "words & <more> " * 12,
                    created_at=clock.now() - timedelta(hours=60 - n),
                    delivered_at=clock.now(),
                )
            )
        await uow.commit()
    await anna.send("/mydata")
    text = anna.last_text
    assert len(text) <= TEXT_LIMIT
    assert "message 59: words & <more>" in text  # the latest, shown as typed
    assert "earlier — all of it is in the PDF and CSV" in text
    assert "To erase what the bot holds about you: /forgetme" in text
    await anna.tap("Send it as PDF and CSV", timeout=30)
    rows = csv_rows(anna.documents[-1].file_bytes or b"")
    assert sum(r["record_type"] == "message" for r in rows) == 60


@pytest.mark.parametrize("size", [1, 40, 700, 3000])
def test_a_gathered_relay_fits_in_one_message(size: int) -> None:
    words: list[str] = []
    while gathers(sum(map(len, words)), len(words), "&" * size):
        words.append("&" * size)  # & is five characters of HTML and one on the screen
    assert words
    stamp = texts.Html("Mon 19 Oct (yesterday), 21:30")
    held = texts.held_until_hours(texts.Html("09:00–18:00"))
    card = texts.relayed("N" * 60, words, [stamp] * len(words), held)
    assert len(parse_html(card).text) <= TEXT_LIMIT


def test_working_hours_are_checked_at_start_up() -> None:
    assert load_settings(working_hours="09:00-18:00").hours == parse_working_hours("09:00-18:00")
    assert load_settings(working_hours="").hours is None
    with pytest.raises(ConfigError, match="WORKING_HOURS must be two times like 09:00-18:00"):
        load_settings(working_hours="9 to 6")
