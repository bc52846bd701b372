"""A client joins by their invite link: consent first, then their time zone; and every way an
invite can go wrong."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import text

from demo.offline import OfflineBot
from emulator import Fault, Phone
from practice.clock import FrozenClock
from tests.chat import new_client_note, skip_intake
from tests.conftest import LEO, MAYA

ANNA = 2001
EVE = 2002
LINK = re.compile(r"https://t\.me/aftercare_demo_bot\?start=([A-Za-z0-9_-]+)")


async def invite(therapist: Phone, name: str = "Anna") -> str:
    """The therapist makes an invite link; returns its token (as the client's phone sees it)."""
    await therapist.send(f"/invite {name}")
    photo = therapist.photos[-1]
    assert photo.file_bytes is not None and photo.file_bytes.startswith(b"\x89PNG")
    return token_in(invite_text(therapist))


def invite_text(therapist: Phone) -> str:
    """The latest message with an invite link: the link travels as text, beside its QR code."""
    return next(m.text for m in reversed(therapist.messages) if LINK.search(m.text))


def token_in(text: str) -> str:
    match = LINK.search(text)
    assert match, text
    return match.group(1)


async def join(running: OfflineBot, therapist: Phone, client_id: int = ANNA) -> Phone:
    token = await invite(therapist)
    client = running.emulator.user(id=client_id, first_name="Anna")
    await client.send(f"/start {token}")
    await client.tap("I agree")
    return client


async def test_a_client_joins_by_the_link(running: OfflineBot, maya: Phone) -> None:
    await new_client_note(maya, "Anna K.")
    token = await invite(maya)
    assert len(token) == 22  # 128 bits
    caption = invite_text(maya)
    assert "Invite for Anna K." in caption and "Single use" in caption
    assert "Wed 2 Dec" in caption  # seven days
    assert "replaces" not in caption  # the first link
    assert "QR code of Anna K.'s link above" in maya.photos[-1].caption  # type: ignore[operator]

    anna = running.emulator.user(id=ANNA, first_name="Anna")
    await anna.send(f"/start {token}")
    card = anna.last_text
    # What comes is said as it will come (daily homework is a reminder a day, not "a few a week").
    assert "a reminder on each day an exercise your therapist gives you is due" in card
    for expected in ("Maya", "What is stored", "What you will get", "21:00–08:00", "erase"):
        assert expected in card
    await anna.tap("I agree")
    assert "You're connected with Maya ✓" in anna.messages[-3].text
    assert "which time zone" in anna.messages[-2].text
    assert "✅ Anna K. joined the bot." in maya.last_text
    assert "homework" in dict(running.emulator.commands[f"chat:{ANNA}"])

    await anna.send("Narnia")
    assert "I don't know the time zone “Narnia”" in anna.last_text
    await anna.send("madrid")
    zone_set = anna.messages[-3].text  # then the intake's opening and its first question
    assert "Time zone: Madrid time" in zone_set
    assert "(your time now: 11:00)" in zone_set
    assert "A few questions before your first session" in anna.messages[-2].text

    async with running.db.unit_of_work() as uow:
        client = await uow.clients.by_telegram_user(ANNA)
        assert client is not None
        assert (client.name, client.timezone) == ("Anna K.", "Europe/Madrid")
    # Only a hash of the token is stored.
    async with running.db.unit_of_work() as uow:
        stored = (await uow.session.execute(text("select token_hash from invites"))).scalars().all()
        assert token not in stored and len(stored[0]) == 64


async def test_zone_buttons_and_settings(running: OfflineBot, maya: Phone) -> None:
    await new_client_note(maya, "Anna K.")
    anna = await join(running, maya)
    assert "🏠 London · 10:00" in anna.all_buttons  # the practice's zone first, with its time
    await anna.tap("Berlin")
    zone_set = anna.messages[-3].text  # then the intake's opening and its first question
    assert "Time zone: Berlin time" in zone_set and "11:00" in zone_set
    await anna.send("/start")
    assert "👋 Hi Anna! You're connected with Maya" in anna.last_text
    assert "⚙️ Berlin time · quiet hours 21:00–08:00 · check-ins at 09:00" in anna.last_text
    await anna.send("/settings")
    await anna.tap("Check-in time")
    await anna.tap("07:00")
    assert "Check-ins at: 07:00" in anna.last_text
    await anna.tap("Quiet hours")
    await anna.tap("22:00–07:00")
    assert "Quiet hours: 22:00–07:00" in anna.last_text
    await anna.tap("Quiet hours")
    await anna.tap("No quiet hours")
    assert "Quiet hours: none" in anna.last_text
    await anna.tap("Time zone")
    await anna.send("new york")
    assert "Time zone: New York time" in anna.last_text
    # Settings taps act on the presser's own record only: no client id is in the data.
    assert all("st:" in d or "tz:" in d for row in anna.messages[-2].callback_data for d in row)


async def test_a_client_typing_a_therapist_command(running: OfflineBot, maya: Phone) -> None:
    await new_client_note(maya, "Anna K.")
    anna = await join(running, maya)
    await anna.tap("London")
    await skip_intake(anna)
    for command in ("/note", "/history Anna", "/clients", "/invite Anna", "/cancel"):
        await anna.send(command)
        assert "That command is for therapists" in anna.last_text
    await anna.send("/homework")
    assert "No homework yet" in anna.last_text
    await anna.send("hello?")
    assert anna.last_text == "✓ Sent to Maya."  # words outside a question are for Maya
    assert not any("Anna K." in m.text and "pain" in m.text for m in anna.messages)


async def test_no_thanks_from_whoever_holds_the_link_changes_nothing(
    running: OfflineBot, maya: Phone
) -> None:
    """The link was forwarded, and a stranger taps "No thanks": the therapist is not told that
    Anna declined (nobody knows who tapped), and Anna's link still works."""
    await new_client_note(maya, "Anna K.")
    token = await invite(maya)
    told = len(maya.messages)
    bob = running.emulator.user(id=EVE, first_name="Bob", last_name="Z.")
    await bob.send(f"/start {token}")
    await bob.tap("No thanks")
    assert len(maya.messages) == told
    assert "nothing about you was stored, and nothing was sent to your therapist" in bob.last_text
    await bob.tap_data(f"j:{token}:n")  # again, and again nobody is told
    assert len(maya.messages) == told
    async with running.db.unit_of_work() as uow:
        assert await uow.clients.by_telegram_user(EVE) is None
    await bob.send("/start")
    assert "serves a massage practice's therapists" in bob.last_text

    anna = running.emulator.user(id=ANNA, first_name="Anna")
    await anna.send(f"/start {token}")
    await anna.tap("I agree")
    assert "Anna K. joined the bot" in maya.last_text
    assert [m.text for m in maya.messages[told:]] == [maya.last_text]


async def test_every_way_an_invite_can_be_wrong(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    await new_client_note(maya, "Anna K.")
    eve = running.emulator.user(id=EVE, first_name="Eve")
    # Forged or truncated.
    for payload in ("abc", "x" * 22, "../../etc", "A" * 64):
        await eve.send(f"/start {payload}")
        assert eve.last_text == (
            "This invite link doesn't work. Please ask your therapist for a new one."
        )
    token = await invite(maya)
    await eve.send(f"/start {token[:-1]}")
    assert "doesn't work" in eve.last_text
    answer = await eve.tap_data("j:" + "B" * 22 + ":y", message_id=eve.last_message_id)
    assert answer == ""
    assert "doesn't work" in eve.last_text

    # Opened by the therapist.
    await maya.send(f"/start {token}")
    assert "it does nothing for you" in maya.last_text

    # Replaced by a newer link, then expired.
    newer = await invite(maya)
    await eve.send(f"/start {token}")
    assert "no longer valid" in eve.last_text
    clock.advance(timedelta(days=7, minutes=1))
    await eve.send(f"/start {newer}")
    assert "has expired" in eve.last_text


async def test_an_invite_is_single_use(running: OfflineBot, maya: Phone) -> None:
    await new_client_note(maya, "Anna K.")
    token = await invite(maya)
    anna = running.emulator.user(id=ANNA, first_name="Anna")
    eve = running.emulator.user(id=EVE, first_name="Eve")
    # Opened twice before anyone agreed: two consent cards, the first "I agree" wins.
    await anna.send(f"/start {token}")
    await eve.send(f"/start {token}")
    await anna.tap("I agree")
    await eve.tap("I agree")
    assert "already been used" in eve.last_text
    # Opened again afterwards: by Anna (already connected), by a second account (refused).
    await anna.send(f"/start {token}")
    assert "already connected" in anna.last_text
    await eve.send(f"/start {token}")
    assert "already been used" in eve.last_text
    async with running.db.unit_of_work() as uow:
        assert await uow.clients.by_telegram_user(EVE) is None


async def test_a_client_who_blocks_the_bot_is_marked_and_the_therapist_told_once(
    running: OfflineBot, maya: Phone
) -> None:
    await new_client_note(maya, "Anna K.")
    anna = await join(running, maya)
    await anna.tap("London")
    told_before = len(maya.messages)
    running.emulator.block(ANNA)
    await anna.wait_processed()
    assert "Anna K. has blocked the bot" in maya.last_text
    running.emulator.unblock(ANNA)
    running.emulator.block(ANNA)
    await anna.wait_processed()
    assert len([m for m in maya.messages[told_before:] if "blocked" in m.text]) == 2
    async with running.db.unit_of_work() as uow:
        client = await uow.clients.by_telegram_user(ANNA)
        assert client is not None and client.unreachable_at is not None
    await maya.send("/clients")
    await maya.tap("Anna K.")
    assert "has blocked it" in maya.last_text
    # Writing to the bot again unblocks it.
    await anna.send("/start")
    async with running.db.unit_of_work() as uow:
        client = await uow.clients.by_telegram_user(ANNA)
        assert client is not None and client.unreachable_at is None


async def test_two_therapists_each_with_an_anna(
    running: OfflineBot, maya: Phone, leo: Phone
) -> None:
    await new_client_note(maya, "Anna K.")
    await new_client_note(leo, "Anna K.")
    leos_anna = await join(running, leo, client_id=3001)
    await leos_anna.tap("London")
    assert "Anna K. joined" in leo.last_text
    assert not any("joined" in m.text for m in maya.messages)
    await maya.send("/clients")
    assert maya.all_buttons == ["Anna K."]  # hers, not on the bot
    await leo.send("/clients")
    assert leo.all_buttons == ["Anna K. 📱"]
    await leos_anna.send("/start")
    assert "connected with <b>Leo" not in leos_anna.last_text and "Leo" in leos_anna.last_text


async def test_a_therapist_listed_as_someones_client_stays_a_therapist(
    running: OfflineBot, maya: Phone, leo: Phone
) -> None:
    await new_client_note(leo, "Maya S.")
    token = await invite(leo, "Maya")
    await maya.send(f"/start {token}")
    assert "it does nothing for you" in maya.last_text
    await maya.send("/clients")
    assert "Maya S." not in maya.all_buttons
    await maya.send("/note")
    assert "which client" in maya.last_text  # still her own therapist tools
    assert LEO != MAYA


async def test_i_agree_delivered_twice_leaves_you_are_connected(
    running: OfflineBot, maya: Phone
) -> None:
    await new_client_note(maya, "Anna K.")
    token = await invite(maya)
    anna = running.emulator.user(id=ANNA, first_name="Anna")
    await anna.send(f"/start {token}")
    card = anna.last_message_id
    await anna.tap("I agree")
    agreed = running.emulator.last_update_id
    told = len(maya.messages)
    screen = [(m.message_id, m.text) for m in anna.messages]
    running.emulator.redeliver(agreed)  # the bot crashed before confirming the tap
    await anna.wait_processed()
    await anna.tap_data(f"j:{token}:y", message_id=card)  # and a second tap on the same card
    assert [(m.message_id, m.text) for m in anna.messages] == screen
    assert anna.message(card).text == "You're connected with Maya ✓"
    assert len(maya.messages) == told
    # A second consent card, opened before agreeing, says so too.
    await anna.tap_data(f"j:{token}:n", message_id=card)
    assert "You're already connected, so nothing changed" in anna.message(card).text


async def test_invite_delivered_twice_makes_one_link(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    """The QR code on the screen keeps working when Telegram delivers /invite again; a new
    /invite says which link it replaces."""
    await new_client_note(maya, "Anna K.")
    first = await invite(maya)
    shown = len(maya.messages)
    running.emulator.redeliver(running.emulator.last_update_id)
    await maya.wait_processed()
    assert len(maya.messages) == shown
    async with running.db.unit_of_work() as uow:
        assert await uow.session.scalar(text("select count(*) from invites")) == 1

    clock.advance(timedelta(days=1))
    second = await invite(maya)
    assert "This replaces the link made Wed 25 Nov (yesterday): that one no longer works." in (
        invite_text(maya)
    )
    anna = running.emulator.user(id=ANNA, first_name="Anna")
    await anna.send(f"/start {first}")
    assert "no longer valid" in anna.last_text
    await anna.send(f"/start {second}")
    await anna.tap("I agree")
    assert "Anna K. joined the bot" in maya.last_text
    # An expired link is not "replaced": nothing worked any more.
    clock.advance(timedelta(days=8))
    await invite(maya)
    assert "replaces" not in invite_text(maya)


async def test_the_link_arrives_as_text_when_the_qr_photo_fails(
    running: OfflineBot, maya: Phone
) -> None:
    await new_client_note(maya, "Anna K.")
    running.emulator.inject(
        Fault(method="sendPhoto", error_code=400, description="Bad Request: IMAGE_PROCESS_FAILED")
    )
    await maya.send("/invite Anna")
    assert maya.photos == []
    assert maya.last_text == "⚠️ The QR code could not be sent; the link above works just the same."
    token = token_in(invite_text(maya))
    anna = running.emulator.user(id=ANNA, first_name="Anna")
    await anna.send(f"/start {token}")
    await anna.tap("I agree")
    assert "Anna K. joined the bot" in maya.last_text


async def test_a_new_client_is_invited_before_their_first_note(
    running: OfflineBot, maya: Phone, leo: Phone
) -> None:
    """/invite with a name that is no client's offers to add them: the intake is then
    answered before the first session. Leo's own client of that name is not Maya's."""
    await new_client_note(leo, "Anna K.")
    await maya.send("/invite Anna K.")
    assert maya.last_text.startswith("No client matches “Anna K.”. Add Anna K. to your clients")
    assert maya.all_buttons == ["➕ Add and invite"]
    offer = maya.last_message_id
    await maya.tap("Add and invite")
    assert "Invite for Anna K." in invite_text(maya)
    assert maya.message(offer).buttons == []  # one tap: the offer is used
    anna = running.emulator.user(id=ANNA, first_name="Anna")
    await anna.send(f"/start {token_in(invite_text(maya))}")
    await anna.tap("I agree")
    await anna.tap("London")
    assert "A few questions before your first session" in anna.messages[-2].text
    await maya.send("/clients")
    assert maya.all_buttons == ["Anna K. 📱"]
    # A name typed again finds the client; one too long for a button is sent to /note.
    await maya.send("/invite Anna")
    assert "Invite for Anna K." in invite_text(maya)
    long = "Анастасия Константиновна Ковальчук"  # 34 letters, 66 bytes
    await maya.send(f"/invite {long}")
    assert "is added with their first /note" in maya.last_text
    assert maya.last_message is not None and maya.last_message.buttons == []
