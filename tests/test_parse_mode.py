"""HTML is the Application's default parse mode (Defaults in bot/runtime/app.py), so a call says
nothing to send HTML and says parse_mode=None to send a text as it is. What the therapist typed
for a client, sent as their own words, must still arrive as typed, and the bot's own HTML (a
reply, an outbox message, a caption) must still arrive formatted: checked on what the bot asked
of the Bot API (the emulator records each request) and on what the phone shows."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from demo.offline import OfflineBot
from emulator import BotMessage, Phone
from practice.clock import FrozenClock
from tests.conftest import MAYA
from tests.test_markup import broke
from tests.test_progress_chat import note
from tests.test_reminders import anna_on_the_bot, assign, run_until
from tests.test_reminders import clock as clock  # the October clock, as a fixture

# Markup a phone would render if it were parsed: a bold tag, an entity, a lone "<", a link.
TYPED = '<b>well done</b> &amp; <3 <a href="http://evil">see</a> you Thursday'


def sent_to(running: OfflineBot, chat_id: int, method: str = "sendMessage") -> list[dict[str, Any]]:
    return [
        c.params
        for c in running.emulator.calls
        if c.method == method and c.ok and c.params.get("chat_id") == chat_id
    ]


def shows_as_typed(message: BotMessage, typed: str) -> None:
    assert message.text == typed
    assert message.parse_mode is None
    assert message.entities == []


async def improved(running: OfflineBot, maya: Phone, clock: FrozenClock) -> Phone:
    """Anna on the bot and improving: the draft note for her is offered and opened."""
    anna = await anna_on_the_bot(running, maya)  # pain 6 → 3
    for before, after in (("4", "2"), ("3", "1")):
        await note(maya, clock, before, after)
    await maya.tap("💬 Send Anna a note")
    return anna


async def test_the_therapists_own_words_reach_the_client_as_typed(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    anna = await improved(running, maya, clock)
    draft = maya.last_message
    assert draft is not None and draft.parse_mode == "HTML"  # the draft itself is HTML
    before = len(anna.messages)
    await maya.send(TYPED, reply_to=draft.message_id)
    assert maya.last_text == "Sent to Anna K. ✓"
    [words] = anna.messages[before:]
    shows_as_typed(words, TYPED)
    assert "parse_mode" not in sent_to(running, anna.id)[-1]  # explicitly none, not the default
    assert broke(running) == []


async def test_the_drafted_note_carries_a_therapists_name_as_typed(
    running: OfflineBot, clock: FrozenClock
) -> None:
    """The drafted note (a `texts.Plain`) signs with the therapist's Telegram name, which is
    whatever they typed into Telegram."""
    maya = running.emulator.user(id=MAYA, first_name="<i>Maya</i> & <3")
    anna = await improved(running, maya, clock)
    draft = maya.last_message
    assert draft is not None and "<i>Maya</i> & <3" in draft.text  # escaped in the HTML draft
    before = len(anna.messages)
    await maya.tap_data(draft.callback_data[0][0], message_id=draft.message_id)  # [Send]
    [words] = anna.messages[before:]
    assert "Maya here" not in words.text and "<i>Maya</i> & <3 here" in words.text
    shows_as_typed(words, words.raw_text)
    assert broke(running) == []


async def test_the_bots_html_arrives_formatted(
    running: OfflineBot, maya: Phone, clock: FrozenClock
) -> None:
    # A reply (Message.reply_text) under the default.
    await maya.send("/help")
    help_ = maya.last_message
    assert help_ is not None and help_.parse_mode == "HTML"
    assert help_.text.startswith("What I can do\n/note")
    assert {"type": "bold", "offset": 0, "length": len("What I can do")} in help_.entities
    # An outbox message, sent by the dispatcher on the same bot.
    anna = await anna_on_the_bot(running, maya)
    await assign(maya, "Chin tucks", "Every day", "08:00", "1 wk")
    await run_until(running, clock, datetime(2026, 10, 21, 9, 0, tzinfo=clock.now().tzinfo))
    [reminder, *_] = [m for m in anna.messages if m.raw_text.startswith("🧘 <b>Chin tucks</b>")]
    assert reminder.parse_mode == "HTML" and reminder.text.startswith("🧘 Chin tucks — ")
    bold = {"type": "bold", "offset": len("🧘 ".encode("utf-16-le")) // 2, "length": 10}
    assert bold in reminder.entities
    # A caption (sendPhoto), and an edit of a card (editMessageText).
    clock.advance(timedelta(days=7))
    await maya.send("/progress Anna")
    photo = maya.photos[-1]
    assert photo.parse_mode == "HTML" and photo.caption is not None
    assert photo.caption.startswith("📈 Anna K.\n")
    assert {"type": "bold", "offset": 3, "length": len("Anna K.")} in photo.entities
    edits = [c.params for c in running.emulator.calls if c.method == "editMessageText" and c.ok]
    assert edits and all(params.get("parse_mode") == "HTML" for params in edits)
    assert broke(running) == []
