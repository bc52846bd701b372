"""The gate before every handler: it fails closed (a refusal that cannot be sent still stops the
update), it lets nothing through but private chats with known people, no edit is ever acted on,
and a stranger hears the polite refusal once an hour at most."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.exc import OperationalError
from telegram import Update
from telegram.ext import TypeHandler

from bot.shared.access import OncePer
from demo.offline import OfflineBot
from emulator import Fault, Phone
from practice.clock import FrozenClock
from storage.models import Client
from storage.repositories import ClientRepository
from tests.chat import new_client_note, notes_of
from tests.conftest import MAYA, NOW, STRANGER
from tests.test_invites import join

GROUP = -100200
# sendMessage to the group fails through every retry of the request layer (1 + 3).
ALL_RETRIES = 4


def sends_to(running: OfflineBot, chat_id: int) -> list[str]:
    """Every send into `chat_id` the bot attempted, whatever Telegram answered."""
    return [
        call.method
        for call in running.emulator.calls
        if call.method.startswith("send") and call.params.get("chat_id") == chat_id
    ]


async def test_commands_a_clean_up_bot_deleted_post_nothing_to_the_group(
    running: OfflineBot, maya: Phone
) -> None:
    await new_client_note(maya, "Anna K.")
    group = running.emulator.group(GROUP, "Staff room", member=maya, cleanup_bot=True)
    for command in ("/history Anna", "/export Anna", "/clients"):
        await group.send(command)
    # The refusal could not quote the deleted command; nothing else was tried instead.
    assert group.messages == []
    assert set(sends_to(running, GROUP)) == {"sendMessage"}
    assert len(sends_to(running, GROUP)) == 1  # refused once; then the gate keeps quiet


async def test_a_refusal_lost_to_telegram_errors_still_stops_the_command(
    running: OfflineBot, maya: Phone
) -> None:
    await new_client_note(maya, "Anna K.")
    group = running.emulator.group(GROUP, "Staff room", member=maya)
    running.emulator.inject(Fault("sendMessage", 502, chat_id=GROUP, times=ALL_RETRIES))
    await group.send("/export Anna")
    assert group.messages == [] and group.documents == []
    assert set(sends_to(running, GROUP)) == {"sendMessage"}


async def test_a_clients_my_data_in_a_group_posts_nothing_there(
    running: OfflineBot, maya: Phone
) -> None:
    await new_client_note(maya, "Anna K.")
    anna = await join(running, maya)
    await anna.tap("London")
    group = running.emulator.group(GROUP, "Family", member=anna, cleanup_bot=True)
    await group.send("/mydata")
    assert group.messages == []
    assert set(sends_to(running, GROUP)) == {"sendMessage"}


async def test_a_stranger_whose_refusal_fails_reaches_no_client_handler(
    running: OfflineBot,
) -> None:
    stranger = running.emulator.user(id=STRANGER, first_name="Eve")
    running.emulator.inject(Fault("sendMessage", 403, chat_id=STRANGER, times=1))
    await stranger.send("/mydata")
    # Exactly the one refusal was tried: /mydata's own "ask for an invite" never ran.
    assert sends_to(running, STRANGER) == ["sendMessage"]
    assert stranger.messages == []


async def test_business_chats_get_nothing_from_the_bot(running: OfflineBot, maya: Phone) -> None:
    await new_client_note(maya, "Anna K.")
    emulator = running.emulator
    # Defence in depth: even if Telegram delivers what the bot did not ask for.
    emulator.honours_allowed_updates = False
    customer = emulator.user(id=7007, first_name="Carl")
    connection = emulator.connect_business(maya)
    in_chat = emulator.business_chat(connection, customer)
    carl_writes = emulator.business_chat(connection, customer, as_customer=True)
    await maya.wait_processed()
    before = len(maya.messages)
    await in_chat.send("/clients")
    await carl_writes.send("Hello, can I book a massage?")
    await in_chat.send("/export Anna")
    await in_chat.edit(in_chat.sent_message_ids[0], "/history Anna")
    assert in_chat.messages == [] and customer.messages == []
    assert [c for c in emulator.calls if "business_connection_id" in c.params] == []
    assert len(maya.messages) == before  # nor into Maya's own chat with the bot


async def test_only_messages_taps_and_membership_get_past_the_gate(
    running: OfflineBot, maya: Phone
) -> None:
    reached: list[Update] = []

    async def record(update: Update, context: object) -> None:
        reached.append(update)

    # In a group of its own before the handlers: whatever the gate lets through comes here.
    running.application.add_handler(TypeHandler(Update, record), group=-1)
    await maya.send("/start")
    assert [u.message.text for u in reached if u.message] == ["/start"]
    emulator = running.emulator
    emulator.honours_allowed_updates = False
    emulator.bot_user["supports_inline_queries"] = True  # as if turned on in BotFather
    await maya.inline_query("Anna")
    channel = emulator.channel(-100300, "Practice news", admin=maya)
    await channel.send("/clients")
    await channel.edit(channel.sent_message_ids[-1], "/history Anna")
    emulator.connect_business(maya)
    emulator.block(maya.id)  # her own membership of her chat with the bot does get through
    await maya.wait_processed()
    assert len(reached) == 2 and reached[-1].my_chat_member is not None
    assert channel.messages == []


async def test_an_old_message_edited_into_a_command_does_nothing(
    running: OfflineBot, maya: Phone
) -> None:
    await new_client_note(maya, "Anna K.")
    await maya.send("hello")
    shown = len(maya.messages)
    await maya.edit(maya.sent_message_ids[-1], "/export Anna")
    assert maya.documents == []
    assert "don't read edits" in maya.last_text
    assert len(maya.messages) == shown + 1  # said once: no other handler answered as well


async def test_a_clients_edit_into_stop_does_not_stop_them(
    running: OfflineBot, maya: Phone
) -> None:
    await new_client_note(maya, "Anna K.")
    anna = await join(running, maya)
    await anna.tap("London")
    await anna.send("thanks")
    await anna.edit(anna.sent_message_ids[-1], "/stop")
    async with running.db.unit_of_work() as uow:
        client = await uow.clients.by_telegram_user(anna.id)
        assert client is not None and client.stopped_at is None
    assert "don't read edits" in anna.last_text and "new message" in anna.last_text


async def test_an_edit_while_an_amendment_waits_is_not_its_value(
    running: OfflineBot, maya: Phone
) -> None:
    await new_client_note(maya, "Anna K.")
    await maya.send("/history Anna")
    await maya.tap("✏️ Amend #1")
    await maya.tap("Client reports")
    asking = maya.last_text
    await maya.edit(maya.sent_message_ids[0], "pain much worse")
    assert "don't read edits" in maya.last_text
    await maya.send("Sore after gardening")  # the value, sent as a new message, is taken
    assert "Sore after gardening" in maya.last_text and maya.last_text != asking
    await maya.tap("Typo")
    [note] = await notes_of(running, MAYA)
    assert note.subjective == "Sore after gardening"


async def test_a_stranger_is_answered_once_an_hour_then_left_in_silence(
    running: OfflineBot, clock: FrozenClock
) -> None:
    stranger = running.emulator.user(id=STRANGER, first_name="Eve")
    for text in ("hello", "/start", "/note", "anyone?"):
        await stranger.send(text)
    assert len(stranger.messages) == 1
    assert "serves a massage practice's therapists" in stranger.last_text
    clock.advance(timedelta(minutes=59))
    await stranger.send("still there?")
    assert len(stranger.messages) == 1
    clock.advance(timedelta(minutes=2))
    await stranger.send("hello again")
    assert len(stranger.messages) == 2


async def test_when_who_is_asking_cannot_be_told_nothing_goes_through(
    running: OfflineBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    stranger = running.emulator.user(id=STRANGER, first_name="Eve")
    real = ClientRepository.by_telegram_user
    failures = iter([OperationalError("SELECT", {}, Exception("database is locked"))])

    async def flaky(self: ClientRepository, telegram_user_id: int) -> Client | None:
        failure = next(failures, None)
        if failure is not None:
            raise failure
        return await real(self, telegram_user_id)

    monkeypatch.setattr(ClientRepository, "by_telegram_user", flaky)
    await stranger.send("/mydata")
    # Nothing: /mydata itself (which would answer "ask for an invite") never ran, and the
    # apology is written only to therapists and clients on the bot (bot/runtime/errors.py).
    assert stranger.messages == []


def test_once_per_period_per_key_in_bounded_memory() -> None:
    told = OncePer(timedelta(hours=1), capacity=3)
    assert told.due("eve", NOW)
    assert not told.due("eve", NOW + timedelta(minutes=59))
    assert told.due("bob", NOW + timedelta(minutes=1))  # each person their own hour
    assert told.due("eve", NOW + timedelta(hours=1))
    for n in range(5):
        assert told.due(n, NOW + timedelta(hours=1, seconds=n))
    assert len(told) == 3  # the oldest are forgotten first...
    assert told.due(0, NOW + timedelta(hours=1, minutes=1))  # ...and told again, early
    assert not told.due(4, NOW + timedelta(hours=1, minutes=1))
    told.due("late", NOW + timedelta(hours=5))
    assert len(told) == 1  # whatever has expired goes as soon as anyone is told
    assert told.recent("late", NOW + timedelta(hours=5, minutes=30))
    told.forget("late")
    assert not told.recent("late", NOW + timedelta(hours=5, minutes=30))
    assert told.due("late", NOW + timedelta(hours=5, minutes=30))


async def test_a_told_stranger_costs_no_lookup_and_an_invite_makes_them_a_client_at_once(
    running: OfflineBot, maya: Phone, monkeypatch: pytest.MonkeyPatch
) -> None:
    looked_up: list[int] = []
    real = ClientRepository.by_telegram_user

    async def counted(self: ClientRepository, telegram_user_id: int) -> Client | None:
        looked_up.append(telegram_user_id)
        return await real(self, telegram_user_id)

    monkeypatch.setattr(ClientRepository, "by_telegram_user", counted)
    stranger = running.emulator.user(id=STRANGER, first_name="Anna")
    for n in range(5):
        await stranger.send(f"hello {n}")
    assert looked_up == [STRANGER]  # the first message only
    await new_client_note(maya, "Anna K.")
    anna = await join(running, maya, client_id=STRANGER)  # within the same hour
    await anna.tap("London")
    await anna.send("/help")
    assert "Your commands" in anna.last_text
