"""Tests for the Bot API emulator itself, driven by a real PTB Bot and by raw HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dtm
import struct
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    ReplyParameters,
    Update,
)
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from emulator import BotApiEmulator, Fault, FormattedText, Phone, parse_html
from emulator.htmltext import EntityParseError, format_text

TOKEN = "123456:TEST"

UpdateHandler = Callable[[Bot, Update], Awaitable[None]]


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator(
        token=TOKEN, bot_username="aftercare_demo_bot", bot_first_name="Aftercare"
    ) as emulator:
        emulator.wait_timeout = 5
        yield emulator


@pytest.fixture
async def bot(emu: BotApiEmulator) -> AsyncIterator[Bot]:
    tg_bot = Bot(TOKEN, base_url=emu.base_url, base_file_url=emu.base_file_url)
    await tg_bot.initialize()
    yield tg_bot
    await tg_bot.shutdown()


@pytest.fixture
async def maya(emu: BotApiEmulator) -> Phone:
    phone = emu.user(id=1001, first_name="Maya")
    # A chat exists for the bot only once the user has written; wait=False because no
    # consumer is polling in most tests.
    await phone.send("/start", wait=False)
    return phone


@contextlib.asynccontextmanager
async def consumer(bot: Bot, handler: UpdateHandler) -> AsyncIterator[None]:
    """A minimal polling loop shaped like the project's: confirm only after handling."""

    async def loop() -> None:
        offset = 0
        while True:
            updates = await bot.get_updates(offset=offset, timeout=5)
            for update in updates:
                await handler(bot, update)
            if updates:
                offset = updates[-1].update_id + 1

    task = asyncio.create_task(loop())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def retry_seconds(error: RetryAfter) -> float:
    # PTB 22 is migrating retry_after from int to timedelta (it warns about it, hence the
    # filterwarnings marks on tests that raise RetryAfter); accept either shape.
    value = error.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


def tiny_png(width: int = 3, height: int = 2) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def keyboard(*rows: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text, callback_data=data) for text, data in row] for row in rows]
    )


# ---------------------------------------------------------------------- basics


async def test_get_me_and_urls(emu: BotApiEmulator, bot: Bot) -> None:
    assert emu.base_url.startswith("http://127.0.0.1:")
    assert emu.base_url.endswith("/bot")
    assert emu.base_file_url.endswith("/file/bot")
    assert bot.username == "aftercare_demo_bot"
    assert bot.first_name == "Aftercare"
    assert bot.id == 123456
    assert emu.calls_to("getMe")[0].ok


async def test_send_message_is_recorded_and_parsed(
    emu: BotApiEmulator, bot: Bot, maya: Phone
) -> None:
    sent = await bot.send_message(
        maya.id, "Pick a client", reply_markup=keyboard([("Anna K.", "c:1"), ("➕ New", "new")])
    )
    assert sent.chat.id == maya.id
    assert sent.from_user is not None
    assert sent.from_user.is_bot
    assert sent.text == "Pick a client"
    assert sent.reply_markup is not None
    assert sent.reply_markup.inline_keyboard[0][1].callback_data == "new"

    message = maya.last_message
    assert message is not None
    assert message.message_id == sent.message_id
    assert message.kind == "text"
    assert maya.last_text == "Pick a client"
    assert maya.buttons == [["Anna K.", "➕ New"]]
    assert maya.all_buttons == ["Anna K.", "➕ New"]
    assert message.callback_data == [["c:1", "new"]]

    call = emu.calls_to("sendMessage")[-1]
    assert call.ok
    assert call.params["chat_id"] == maya.id  # decoded from PTB's form string
    assert call.params["reply_markup"]["inline_keyboard"][0][0]["text"] == "Anna K."


async def test_message_ids_increase_per_chat(emu: BotApiEmulator, bot: Bot, maya: Phone) -> None:
    first = await bot.send_message(maya.id, "one")
    second = await bot.send_message(maya.id, "two")
    assert second.message_id == first.message_id + 1
    assert [m.text for m in maya.messages] == ["one", "two"]


async def test_unknown_chat_is_rejected(emu: BotApiEmulator, bot: Bot) -> None:
    emu.user(id=2002, first_name="Silent")  # has a phone but never wrote to the bot
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(2002, "hello")
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(999, "hello")


async def test_empty_text_is_rejected(bot: Bot, maya: Phone) -> None:
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(maya.id, "   ")
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(maya.id, "<b></b>", parse_mode="HTML")


# ---------------------------------------------------------------------- HTML


async def test_html_is_stripped_and_entities_returned(bot: Bot, maya: Phone) -> None:
    sent = await bot.send_message(
        maya.id,
        "<b>Anna</b> &amp; <i>neck</i> &lt;3 <a href='https://x.org/?a=1&amp;b=2'>link</a>",
        parse_mode="HTML",
    )
    assert sent.text == "Anna & neck <3 link"
    assert [e.type for e in sent.entities] == ["bold", "italic", "text_link"]
    assert sent.entities[2].url == "https://x.org/?a=1&b=2"
    assert maya.last_text == "Anna & neck <3 link"
    last = maya.last_message
    assert last is not None
    assert last.parse_mode == "HTML"
    assert last.raw_text.startswith("<b>Anna</b>")


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("<b>bold", "can't find end tag"),
        ("<b><i>x</b></i>", "unmatched end tag"),
        ("x</b>", "unexpected end tag"),
        ("line<br>break", 'unsupported start tag "br"'),
        ("<p>para</p>", 'unsupported start tag "p"'),
        ("1 < 2", 'unexpected "<"'),
        ("fish & chips", 'bare "&"'),
        ("&nbsp;", 'bare "&"'),
        ('<span class="x">s</span>', "tg-spoiler"),
        ("<b", "unclosed start tag"),
    ],
)
async def test_bad_html_is_a_bad_request(bot: Bot, maya: Phone, source: str, fragment: str) -> None:
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities") as error:
        await bot.send_message(maya.id, source, parse_mode="HTML")
    assert fragment.lower() in error.value.message.lower()


async def test_html_without_parse_mode_is_literal(bot: Bot, maya: Phone) -> None:
    await bot.send_message(maya.id, "1 < 2 & <b>x</b>")
    assert maya.last_text == "1 < 2 & <b>x</b>"


async def test_length_limit_counts_text_after_html(bot: Bot, maya: Phone) -> None:
    fits = "<b>" + "x" * 4000 + "</b>" + "&amp;" * 96  # 4096 shown, far more sent
    await bot.send_message(maya.id, fits, parse_mode="HTML")
    assert len(maya.last_text) == 4096
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(maya.id, "x" * 4097)
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(maya.id, "<i>" + "y" * 4097 + "</i>", parse_mode="HTML")


def test_parse_html_units() -> None:
    parsed = parse_html("<b>a<i>b</i></b>c&#128512;&#x41;")
    assert parsed == FormattedText(
        "abc😀A",
        [
            {"type": "bold", "offset": 0, "length": 2},
            {"type": "italic", "offset": 1, "length": 1},
        ],
    )
    # Offsets are UTF-16 code units, like Telegram's.
    assert parse_html("😀<b>x</b>").entities == [{"type": "bold", "offset": 2, "length": 1}]
    pre = parse_html('<pre><code class="language-python">x = 1</code></pre>')
    assert pre.entities == [{"type": "pre", "offset": 0, "length": 5, "language": "python"}]
    assert parse_html("<blockquote expandable>q</blockquote>").entities[0]["type"] == (
        "expandable_blockquote"
    )
    with pytest.raises(EntityParseError, match="byte offset 3"):
        parse_html("é <x>")  # "é" is two bytes in UTF-8
    trimmed = format_text("\n\n <b>hi</b> \n", "HTML")
    assert trimmed == FormattedText("hi", [{"type": "bold", "offset": 0, "length": 2}])


# ---------------------------------------------------------------------- keyboards


async def test_callback_data_is_limited_to_64_bytes(bot: Bot, maya: Phone) -> None:
    await bot.send_message(maya.id, "ok", reply_markup=keyboard([("A", "x" * 64)]))
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(maya.id, "no", reply_markup=keyboard([("A", "x" * 65)]))
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        # 33 two-byte characters: within 64 characters but not within 64 bytes
        await bot.send_message(maya.id, "no", reply_markup=keyboard([("A", "é" * 33)]))


async def test_inline_button_needs_text_and_one_action(emu: BotApiEmulator, maya: Phone) -> None:
    async with httpx.AsyncClient(base_url=f"{emu.base_url}{TOKEN}") as client:
        no_action = await client.post(
            "/sendMessage",
            json={
                "chat_id": maya.id,
                "text": "x",
                "reply_markup": {"inline_keyboard": [[{"text": "A"}]]},
            },
        )
        empty_text = await client.post(
            "/sendMessage",
            json={
                "chat_id": maya.id,
                "text": "x",
                "reply_markup": {"inline_keyboard": [[{"text": "", "callback_data": "a"}]]},
            },
        )
    assert no_action.status_code == 400
    assert "unallowed" in no_action.json()["description"]
    assert empty_text.status_code == 400


async def test_reply_keyboard_is_tracked_on_the_chat(bot: Bot, maya: Phone) -> None:
    sent = await bot.send_message(
        maya.id, "Share?", reply_markup=ReplyKeyboardMarkup([["Yes", "No"]])
    )
    assert sent.reply_markup is None  # Telegram never echoes reply keyboards
    assert maya.keyboard == [["Yes", "No"]]
    assert maya.buttons == []


async def test_a_location_is_shared_from_a_request_location_button(
    emu: BotApiEmulator, bot: Bot, maya: Phone
) -> None:
    with pytest.raises(AssertionError, match="no request_location button"):
        await maya.share_location(45.76, 4.84, wait=False)
    markup = ReplyKeyboardMarkup([[KeyboardButton("📍 Here", request_location=True)], ["No"]])
    await bot.send_message(maya.id, "Where?", reply_markup=markup)
    assert maya.keyboard == [["📍 Here"], ["No"]] and maya.location_buttons == ["📍 Here"]
    await bot.get_updates(offset=emu.last_update_id + 1, timeout=0)  # the /start
    await maya.share_location(45.76, 4.84, wait=False)
    (update,) = await bot.get_updates(offset=emu.last_update_id, timeout=0)
    assert update.message is not None and update.message.location is not None
    assert (update.message.location.latitude, update.message.location.longitude) == (45.76, 4.84)
    assert update.message.text is None
    await bot.send_message(maya.id, "Thanks", reply_markup=ReplyKeyboardRemove())
    assert maya.keyboard == [] and maya.location_buttons == []
    # A location can be sent from the attachment menu without any button.
    await maya.send_location(51.5, -0.12, wait=False)
    with pytest.raises(BadRequest, match=r"(?i)must be of type boolean"):
        await bot.send_message(
            maya.id,
            "Where?",
            api_kwargs={"reply_markup": {"keyboard": [[{"text": "x", "request_location": 1}]]}},
        )


# ---------------------------------------------------------------------- edits & deletes


async def test_edit_text_history_and_keyboard_removal(bot: Bot, maya: Phone) -> None:
    sent = await bot.send_message(maya.id, "Step 1", reply_markup=keyboard([("Next", "n")]))
    captured = maya.last_message
    await bot.send_message(maya.id, "Something else")
    edited = await bot.edit_message_text("Step 2", chat_id=maya.id, message_id=sent.message_id)
    assert isinstance(edited, Message)
    assert edited.text == "Step 2"
    assert edited.edit_date is not None
    message = maya.message(sent.message_id)
    assert message.text == "Step 2"
    assert message.history == ["Step 1"]
    assert message.edits == 1
    # Editing text without reply_markup drops the keyboard, as on Telegram.
    assert message.reply_markup is None
    assert maya.buttons == []
    # "Most recently sent or edited" wins, even over a newer message.
    assert maya.last_text == "Step 2"
    # What a test captured earlier is a snapshot of that moment.
    assert captured is not None
    assert (captured.text, captured.buttons) == ("Step 1", [["Next"]])


async def test_edit_not_modified(bot: Bot, maya: Phone) -> None:
    markup = keyboard([("Neck", "a:neck")])
    sent = await bot.send_message(maya.id, "<b>Area?</b>", parse_mode="HTML", reply_markup=markup)
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text(
            "<b>Area?</b>",
            chat_id=maya.id,
            message_id=sent.message_id,
            parse_mode="HTML",
            reply_markup=markup,
        )
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_reply_markup(
            chat_id=maya.id, message_id=sent.message_id, reply_markup=markup
        )
    # Same text but different formatting is a real change.
    await bot.edit_message_text(
        "Area?", chat_id=maya.id, message_id=sent.message_id, reply_markup=markup
    )


async def test_edit_missing_message(bot: Bot, maya: Phone) -> None:
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=maya.id, message_id=999)


async def test_edit_reply_markup_and_delete(emu: BotApiEmulator, bot: Bot, maya: Phone) -> None:
    sent = await bot.send_message(maya.id, "Menu", reply_markup=keyboard([("A", "a")]))
    await bot.edit_message_reply_markup(
        chat_id=maya.id, message_id=sent.message_id, reply_markup=keyboard([("B", "b")])
    )
    assert maya.buttons == [["B"]]
    assert await bot.delete_message(maya.id, sent.message_id)
    assert maya.messages == []
    assert maya.last_message is None
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(maya.id, sent.message_id)
    assert f"Bot deletes #{sent.message_id}" in emu.transcript()


# ---------------------------------------------------------------------- errors & faults


@pytest.mark.filterwarnings("ignore:.*retry_after.*timedelta")
async def test_injected_429_becomes_retry_after(emu: BotApiEmulator, bot: Bot, maya: Phone) -> None:
    emu.inject(Fault(method="sendMessage", error_code=429, retry_after=2, times=1))
    with pytest.raises(RetryAfter) as error:
        await bot.send_message(maya.id, "hi")
    assert retry_seconds(error.value) == 2
    await bot.send_message(maya.id, "hi")  # only once
    failed = emu.calls_to("sendMessage")[0]
    assert (failed.ok, failed.error_code) == (False, 429)
    assert failed.description == "Too Many Requests: retry after 2"
    assert maya.last_text == "hi"


async def test_injected_5xx_is_network_error(emu: BotApiEmulator, bot: Bot, maya: Phone) -> None:
    sent = await bot.send_message(maya.id, "v1")
    emu.inject(Fault(method="editMessageText", error_code=502, times=2))
    for _ in range(2):
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await bot.edit_message_text("v2", chat_id=maya.id, message_id=sent.message_id)
    assert maya.last_text == "v1"  # failed calls have no effect
    await bot.edit_message_text("v2", chat_id=maya.id, message_id=sent.message_id)
    assert maya.last_text == "v2"


async def test_a_fault_can_quote_the_text_as_telegram_descriptions_do(
    emu: BotApiEmulator, bot: Bot, maya: Phone
) -> None:
    quoting = 'Bad Request: can\'t parse entities: Unsupported start tag "{text}" at byte offset 0'
    emu.inject(Fault(method="sendMessage", error_code=400, description=quoting))
    with pytest.raises(BadRequest, match=r'(?i)start tag "pain is 7 since tuesday"'):
        await bot.send_message(maya.id, "pain is 7 since Tuesday")
    emu.inject(Fault(method="sendDocument", error_code=400, description="Bad Request: {text}"))
    with pytest.raises(BadRequest, match="(?i)^" + "x" * 100 + "$"):
        await bot.send_document(maya.id, InputFile(b"a", filename="a.csv"), caption="x" * 100)


async def test_fault_filters_by_chat_and_star_spares_get_updates(
    emu: BotApiEmulator, bot: Bot, maya: Phone
) -> None:
    other = emu.user(id=1002, first_name="Omar")
    await other.send("hi", wait=False)
    emu.inject(Fault(method="*", error_code=500, chat_id=other.id, times=None))
    await bot.send_message(maya.id, "fine")
    with pytest.raises(NetworkError):
        await bot.send_message(other.id, "broken")
    assert len(await bot.get_updates(timeout=0)) == 2
    emu.clear_faults()
    await bot.send_message(other.id, "fixed")


async def test_delay_fault_times_out_client_but_still_acts(
    emu: BotApiEmulator, bot: Bot, maya: Phone
) -> None:
    emu.inject(Fault(method="*", delay=0.5, times=1))
    with pytest.raises(TimedOut):
        await bot.send_message(maya.id, "slow", read_timeout=0.1)
    arrived = await maya.wait_for_message(timeout=3)
    assert arrived.text == "slow"


async def test_wait_held_waits_for_what_a_slow_answer_still_delivers(
    emu: BotApiEmulator, bot: Bot, maya: Phone
) -> None:
    emu.inject(Fault(method="sendMessage", delay=0.3, times=2))
    for text in ("one", "two"):
        with pytest.raises(TimedOut):
            await bot.send_message(maya.id, text, read_timeout=0.05)
    assert [m.text for m in maya.messages] == []
    await emu.wait_held()
    assert [m.text for m in maya.messages] == ["one", "two"]


async def test_blocked_user_is_forbidden(emu: BotApiEmulator, bot: Bot, maya: Phone) -> None:
    emu.block(maya.id)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(maya.id, "reminder")
    emu.unblock(maya.id)
    await bot.send_message(maya.id, "reminder")
    assert "Maya blocks the bot" in emu.transcript()


@pytest.mark.filterwarnings("ignore:.*retry_after.*timedelta")
async def test_rate_limits(emu: BotApiEmulator, bot: Bot, maya: Phone) -> None:
    emu.rate_limits = True
    for i in range(emu.rate_limit_chat_burst):
        await bot.send_message(maya.id, f"burst {i}")
    with pytest.raises(RetryAfter) as error:
        await bot.send_message(maya.id, "one too many")
    assert retry_seconds(error.value) >= 1


async def test_answer_callback_query_validation(emu: BotApiEmulator, bot: Bot, maya: Phone) -> None:
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query("nonexistent")
    await bot.send_message(maya.id, "Pick", reply_markup=keyboard([("A", "a")]))
    await maya.tap("A", wait=False)
    (query_id,) = emu.unanswered_callback_queries()
    with pytest.raises(BadRequest):
        await bot.answer_callback_query(query_id, text="x" * 201)
    assert await bot.answer_callback_query(query_id, text="ok")
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query_id)
    assert emu.unanswered_callback_queries() == []
    assert maya.last_answer == "ok"


# ---------------------------------------------------------------------- polling & sync


async def test_long_poll_returns_update_from_phone(emu: BotApiEmulator, bot: Bot) -> None:
    maya = emu.user(id=1001, first_name="Maya", username="maya_m")
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.05)  # let the request reach the server and start waiting
    assert not poll.done()
    await maya.send("/history Anna", wait=False)
    updates = await asyncio.wait_for(poll, 2)
    assert len(updates) == 1
    message = updates[0].message
    assert message is not None
    assert message.text == "/history Anna"
    assert message.from_user is not None
    assert message.from_user.username == "maya_m"
    assert message.chat.id == 1001
    (entity,) = message.entities
    assert (entity.type, entity.offset, entity.length) == ("bot_command", 0, len("/history"))

    # Unconfirmed updates are redelivered; confirming with offset drops them.
    again = await bot.get_updates(timeout=0)
    assert [u.update_id for u in again] == [updates[0].update_id]
    assert await bot.get_updates(offset=updates[0].update_id + 1, timeout=0) == ()


async def test_long_poll_times_out_empty(bot: Bot) -> None:
    assert await bot.get_updates(timeout=1) == ()


async def test_send_waits_until_bot_confirms(emu: BotApiEmulator, bot: Bot) -> None:
    maya = emu.user(id=1001, first_name="Maya")

    async def echo(tg_bot: Bot, update: Update) -> None:
        assert update.message is not None
        await asyncio.sleep(0.05)  # a slow handler must still finish before send() returns
        await tg_bot.send_message(update.message.chat.id, f"echo: {update.message.text}")

    async with consumer(bot, echo):
        await maya.send("/note")
        assert maya.last_text == "echo: /note"
        await maya.send("second")
        assert maya.last_text == "echo: second"


async def test_send_times_out_without_consumer(emu: BotApiEmulator) -> None:
    emu.wait_timeout = 0.2
    maya = emu.user(id=1001, first_name="Maya")
    with pytest.raises(TimeoutError, match="did not confirm update 1"):
        await maya.send("/note")


async def test_tap_finds_buttons_and_returns_answer(emu: BotApiEmulator, bot: Bot) -> None:
    maya = emu.user(id=1001, first_name="Maya")

    async def handler(tg_bot: Bot, update: Update) -> None:
        if update.message is not None:
            await tg_bot.send_message(
                update.message.chat.id,
                "Which area?",
                reply_markup=keyboard(
                    [("Neck", "a:neck"), ("Lower back", "a:low")], [("Back", "x")]
                ),
            )
        query = update.callback_query
        if query is not None:
            assert query.message is not None
            await tg_bot.edit_message_text(
                f"Saved {query.data}",
                chat_id=query.message.chat.id,
                message_id=query.message.message_id,
            )
            await tg_bot.answer_callback_query(query.id, text="Saved")

    async with consumer(bot, handler):
        await maya.send("/note")
        menu = maya.last_message
        assert menu is not None
        assert maya.buttons == [["Neck", "Lower back"], ["Back"]]

        with pytest.raises(AssertionError, match=r"2 buttons match 'back'.*Visible buttons"):
            await maya.tap("back")
        with pytest.raises(AssertionError, match=r"no button matches 'Shoulder'") as error:
            await maya.tap("Shoulder")
        assert "[Neck] [Lower back] / [Back]" in str(error.value)

        assert await maya.tap("lower") == "Saved"  # unique case-insensitive substring
        assert maya.last_text == "Saved a:low"
        assert maya.last_answer == "Saved"

        # The edit removed the buttons: a stale tap on that message fails clearly.
        with pytest.raises(AssertionError, match="no inline buttons"):
            await maya.tap("Neck", message_id=menu.message_id)

        await maya.send("/note")
        second_menu = maya.last_message
        assert second_menu is not None
        await maya.send("/note")
        # Tap an older (still buttoned) message explicitly.
        assert await maya.tap("Neck", message_id=second_menu.message_id) == "Saved"
        assert maya.message(second_menu.message_id).text == "Saved a:neck"
    assert emu.unanswered_callback_queries() == []


async def test_tap_without_any_keyboard(emu: BotApiEmulator, maya: Phone) -> None:
    with pytest.raises(AssertionError, match="no message with inline buttons"):
        await maya.tap("Neck")


async def test_second_poller_evicts_first_with_conflict(emu: BotApiEmulator) -> None:
    async with httpx.AsyncClient(base_url=f"{emu.base_url}{TOKEN}") as client:
        first = asyncio.create_task(client.post("/getUpdates", data={"timeout": "5"}))
        await asyncio.sleep(0.05)
        second = asyncio.create_task(client.post("/getUpdates", data={"timeout": "0"}))
        old, new = await asyncio.wait_for(asyncio.gather(first, second), 3)
    assert old.status_code == 409
    assert old.json()["description"].startswith("Conflict: terminated by other getUpdates")
    assert new.json() == {"ok": True, "result": []}


async def test_drop_pending_updates_fails_waiters(emu: BotApiEmulator, bot: Bot) -> None:
    maya = emu.user(id=1001, first_name="Maya")
    waiter = asyncio.create_task(maya.send("/start"))
    await asyncio.sleep(0)
    await bot.delete_webhook(drop_pending_updates=True)
    with pytest.raises(RuntimeError, match="dropped"):
        await waiter
    assert await bot.get_updates(timeout=0) == ()


async def test_stop_releases_long_poll() -> None:
    emulator = BotApiEmulator(token=TOKEN)
    await emulator.start()
    async with httpx.AsyncClient(base_url=f"{emulator.base_url}{TOKEN}") as client:
        poll = asyncio.create_task(client.post("/getUpdates", data={"timeout": "30"}))
        # Stop only once the poll is held: on a busy machine the request can take a while to arrive.
        for _ in range(1000):
            if emulator._poll_generation:
                break
            await asyncio.sleep(0.01)
        assert emulator._poll_generation, "the long poll never reached the emulator"
        await asyncio.wait_for(emulator.stop(), 3)
        response = await asyncio.wait_for(poll, 3)
    assert response.json() == {"ok": True, "result": []}


# ---------------------------------------------------------------------- files


async def test_send_photo_multipart_and_download(
    emu: BotApiEmulator, bot: Bot, maya: Phone
) -> None:
    png = tiny_png(3, 2)
    sent = await bot.send_photo(
        maya.id, InputFile(png, filename="progress.png"), caption="<b>Week 2</b>", parse_mode="HTML"
    )
    assert sent.caption == "Week 2"
    assert (sent.photo[-1].width, sent.photo[-1].height) == (3, 2)
    (photo,) = maya.photos
    assert photo.file_bytes == png
    assert photo.filename == "progress.png"
    assert photo.caption == "Week 2"
    assert emu.calls_to("sendPhoto")[0].params["photo"].startswith("<upload progress.png")

    downloaded = await (await bot.get_file(sent.photo[-1].file_id)).download_as_bytearray()
    assert bytes(downloaded) == png

    # Re-sending by file_id reuses the stored bytes.
    await bot.send_photo(maya.id, sent.photo[-1].file_id)
    assert maya.photos[-1].file_bytes == png

    with pytest.raises(BadRequest, match=r"(?i)IMAGE_PROCESS_FAILED"):
        await bot.send_photo(maya.id, InputFile(b"not an image", filename="x.png"))
    with pytest.raises(BadRequest, match=r"(?i)wrong file identifier"):
        await bot.send_photo(maya.id, "AgACunknown")


async def test_send_document(bot: Bot, maya: Phone, emu: BotApiEmulator) -> None:
    await bot.send_document(
        maya.id, InputFile(b"date,note\n", filename="notes.csv"), caption="Export"
    )
    (document,) = maya.documents
    assert document.kind == "document"
    assert document.file_bytes == b"date,note\n"
    assert document.filename == "notes.csv"
    assert document.mime_type == "text/csv"
    assert any(
        line.startswith("Bot → Maya: [document notes.csv, 10 B] Export")
        for line in emu.transcript()
    )


# ---------------------------------------------------------------------- commands


async def test_set_my_commands_scopes(emu: BotApiEmulator, bot: Bot, maya: Phone) -> None:
    await bot.set_my_commands([BotCommand("note", "New session note")])
    await bot.set_my_commands(
        [BotCommand("history", "Client history")], scope=BotCommandScopeChat(maya.id)
    )
    assert emu.commands["default"] == [("note", "New session note")]
    assert emu.commands[f"chat:{maya.id}"] == [("history", "Client history")]
    assert maya.commands == [("history", "Client history")]
    assert emu.user(id=5, first_name="Other").commands == [("note", "New session note")]
    assert [c.command for c in await bot.get_my_commands()] == ["note"]
    with pytest.raises(BadRequest):
        await bot.set_my_commands([BotCommand("Bad-Command", "x")])
    await bot.delete_my_commands(scope=BotCommandScopeChat(maya.id))
    assert maya.commands == [("note", "New session note")]


# ---------------------------------------------------------------------- raw HTTP


async def test_raw_http_shapes(emu: BotApiEmulator, maya: Phone) -> None:
    api = f"{emu.base_url}{TOKEN}"
    async with httpx.AsyncClient() as client:
        wrong_token = await client.post(f"{emu.base_url}999:NOPE/getMe")
        unknown = await client.post(f"{api}/frobnicate")
        nonsense_path = await client.get(f"{emu.base_url.removesuffix('/bot')}/favicon.ico")
        get_me = await client.get(f"{api}/GETME")  # method names are case-insensitive
        by_query = await client.get(f"{api}/sendMessage", params={"chat_id": maya.id, "text": "q"})
        bad_json = await client.post(
            f"{api}/sendMessage",
            data={"chat_id": str(maya.id), "text": "x", "reply_markup": "{not json"},
        )
    assert wrong_token.status_code == 401
    assert wrong_token.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    assert unknown.status_code == 404
    assert unknown.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
    assert nonsense_path.status_code == 404
    assert nonsense_path.json()["ok"] is False
    assert get_me.json()["result"]["username"] == "aftercare_demo_bot"
    assert by_query.json()["result"]["text"] == "q"
    assert bad_json.status_code == 400
    assert bad_json.json()["description"].startswith("Bad Request: can't parse reply keyboard")


async def test_raw_429_shape(emu: BotApiEmulator, maya: Phone) -> None:
    emu.inject(Fault(method="sendMessage", error_code=429, retry_after=7))
    async with httpx.AsyncClient(base_url=f"{emu.base_url}{TOKEN}") as client:
        response = await client.post("/sendMessage", json={"chat_id": maya.id, "text": "x"})
    assert response.status_code == 429
    assert response.json() == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 7",
        "parameters": {"retry_after": 7},
    }


# ---------------------------------------------------------------------- transcript


async def test_transcript_reads_like_a_chat(emu: BotApiEmulator, bot: Bot) -> None:
    maya = emu.user(id=1001, first_name="Maya")

    async def handler(tg_bot: Bot, update: Update) -> None:
        if update.message is not None:
            await tg_bot.send_message(
                update.message.chat.id,
                "<b>Which client?</b>\nPick one:",
                parse_mode="HTML",
                reply_markup=keyboard([("Anna K.", "c:1"), ("➕ New client", "new")]),
            )
        if update.callback_query is not None:
            query = update.callback_query
            assert query.message is not None
            await tg_bot.edit_message_text(
                "Client: Anna K.",
                chat_id=query.message.chat.id,
                message_id=query.message.message_id,
            )
            await query.answer("Saved")

    async with consumer(bot, handler):
        await maya.send("/note")
        await maya.tap("Anna")
    menu_id = maya.messages[0].message_id
    assert emu.transcript() == [
        "Maya: /note",
        "Bot → Maya: Which client?\n   Pick one:\n   [Anna K.] [➕ New client]",
        "Maya taps [Anna K.]",
        f"Bot edits #{menu_id} → Client: Anna K.",
        "Bot answers tap: Saved",
    ]
    emu.clear_log()
    assert emu.transcript() == []
    assert emu.calls == []


# ---------------------------------------------------------------------- membership & extras


async def test_block_sends_my_chat_member_and_message_unblocks(
    emu: BotApiEmulator, bot: Bot, maya: Phone
) -> None:
    (start,) = await bot.get_updates(timeout=0)
    emu.block(maya.id)
    (update,) = await bot.get_updates(offset=start.update_id + 1, timeout=0)
    assert update.my_chat_member is not None
    assert update.my_chat_member.new_chat_member.status == "kicked"
    assert update.my_chat_member.chat.id == maya.id

    await maya.send("/start", wait=False)  # pressing "Restart" unblocks the bot
    assert not maya.blocked
    kinds = [
        "my_chat_member" if u.my_chat_member else "message"
        for u in await bot.get_updates(offset=update.update_id + 1, timeout=0)
    ]
    assert kinds == ["my_chat_member", "message"]
    await bot.send_message(maya.id, "welcome back")
    assert emu.transcript()[-3:] == [
        "Maya unblocks the bot",
        "Maya: /start",
        "Bot → Maya: welcome back",
    ]


async def test_allowed_updates_filters_and_wait_processed_copes(
    emu: BotApiEmulator, bot: Bot
) -> None:
    maya = emu.user(id=1001, first_name="Maya")

    seen: list[Update] = []

    async def record(_bot: Bot, update: Update) -> None:
        seen.append(update)

    # The setting persists across getUpdates calls, as on Telegram.
    await bot.get_updates(timeout=0, allowed_updates=["message", "callback_query"])
    async with consumer(bot, record):
        await maya.send("hi")
        emu.block(maya.id)  # my_chat_member is not allowed: never delivered, nothing to wait for
        await maya.wait_processed(timeout=2)
    assert [u.message.text for u in seen if u.message] == ["hi"]
    assert all(u.my_chat_member is None for u in seen)
    assert emu.calls_to("getUpdates")[0].params["allowed_updates"] == ["message", "callback_query"]


async def test_a_raw_update_is_delivered_as_given_unless_its_kind_is_not_allowed(
    emu: BotApiEmulator, bot: Bot
) -> None:
    chat = {"id": 555, "type": "private", "first_name": "A customer"}
    business = {"message_id": 7, "business_connection_id": "bc-1", "chat": chat, "date": 0}
    delivered = emu.enqueue_raw({"business_message": {**business, "text": "hi"}})
    (update,) = await bot.get_updates(timeout=0)
    assert update.update_id == delivered
    assert update.business_message is not None and update.business_message.text == "hi"
    # Telegram never creates updates of kinds the bot opted out of.
    await bot.get_updates(offset=delivered + 1, timeout=0, allowed_updates=["message"])
    dropped = emu.enqueue_raw({"business_message": {**business, "text": "again"}})
    assert await bot.get_updates(offset=delivered + 1, timeout=0) == ()
    assert "allowed_updates excludes 'business_message'" in (emu.dropped_reason(dropped) or "")
    assert emu.dropped_reason(delivered) is None
    with pytest.raises(ValueError, match="exactly one kind"):
        emu.enqueue_raw({"message": {}, "poll": {}})


async def test_negative_offset_keeps_only_latest(emu: BotApiEmulator, bot: Bot) -> None:
    maya = emu.user(id=1001, first_name="Maya")
    for text in ("one", "two", "three"):
        await maya.send(text, wait=False)
    (latest,) = await bot.get_updates(offset=-1, timeout=0)
    assert latest.message is not None
    assert latest.message.text == "three"
    assert [u.update_id for u in await bot.get_updates(timeout=0)] == [latest.update_id]


async def test_wait_for_message_since(bot: Bot, maya: Phone) -> None:
    since = maya.last_message_id
    await bot.send_message(maya.id, "Reminder: stretch your neck")  # lands before the wait
    arrived = await maya.wait_for_message(lambda m: "Reminder" in m.text, since=since, timeout=1)
    assert arrived.text.startswith("Reminder")
    with pytest.raises(TimeoutError, match="no new bot message for Maya"):
        await maya.wait_for_message(timeout=0.1)


async def test_reply_keyboard_in_transcript(emu: BotApiEmulator, bot: Bot, maya: Phone) -> None:
    await bot.send_message(maya.id, "Share?", reply_markup=ReplyKeyboardMarkup([["Yes", "No"]]))
    assert emu.transcript()[-1] == "Bot → Maya: Share?\n   ⌨ [Yes] [No]"


async def test_emulator_bug_is_a_telegram_shaped_500(
    emu: BotApiEmulator, bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(_call: object) -> None:
        raise KeyError("oops")

    monkeypatch.setitem(emu._handlers, "getme", ("getMe", broken))
    with pytest.raises(NetworkError, match="emulator bug"):
        await bot.get_me()
    assert emu.calls_to("getMe")[-1].error_code == 500


async def test_tap_data_reaches_the_bot_from_a_stale_keyboard(
    emu: BotApiEmulator, bot: Bot
) -> None:
    maya = emu.user(id=1001, first_name="Maya")
    seen: list[str] = []

    async def handler(tg_bot: Bot, update: Update) -> None:
        if update.message is not None:
            await tg_bot.send_message(
                update.message.chat.id, "Card", reply_markup=keyboard([("Neck", "a:neck")])
            )
        if update.callback_query is not None:
            query = update.callback_query
            assert query.message is not None
            seen.append(f"{query.data}@{query.message.message_id}")
            # The tap carries the message as it is now; editing "Closed" again would be a 400.
            if getattr(query.message, "text", None) != "Closed":
                await tg_bot.edit_message_text(
                    "Closed", chat_id=query.message.chat.id, message_id=query.message.message_id
                )
            await query.answer("That button belongs to an earlier note.")

    async with consumer(bot, handler):
        await maya.send("/note")
        card = maya.last_message
        assert card is not None
        await maya.tap("Neck")
        assert maya.buttons == []
        answer = await maya.tap_data("a:neck", message_id=card.message_id)
        assert answer == "That button belongs to an earlier note."
        await maya.tap_data("forged", message_id=card.message_id)
    assert seen == [f"a:neck@{card.message_id}"] * 2 + [f"forged@{card.message_id}"]
    assert f"Maya taps a button with data 'forged' on #{card.message_id}" in emu.transcript()
    with pytest.raises(ValueError, match="1-64 bytes"):
        await maya.tap_data("x" * 65)


async def test_redeliver_hands_out_a_confirmed_update_again(emu: BotApiEmulator, bot: Bot) -> None:
    maya = emu.user(id=1001, first_name="Maya")
    answers: list[str] = []

    async def handler(tg_bot: Bot, update: Update) -> None:
        if update.message is not None:
            await tg_bot.send_message(
                update.message.chat.id, "Save?", reply_markup=keyboard([("Save", "save")])
            )
        if update.callback_query is not None:
            try:
                await update.callback_query.answer("Saved")
                answers.append("answered")
            except BadRequest as error:
                answers.append(error.message)

    async with consumer(bot, handler):
        await maya.send("/note")
        assert await maya.tap("Save") == "Saved"
        tap_update = emu.last_update_id
    assert emu.last_update_id == 2

    emu.redeliver(tap_update)
    # A freshly started bot polls without an offset and gets the same update again.
    (again,) = await bot.get_updates(timeout=0)
    assert again.update_id == tap_update
    assert again.callback_query is not None
    async with consumer(bot, handler):
        await maya.wait_processed(timeout=2)
    assert answers == [
        "answered",
        "Query is too old and response timeout expired or query id is invalid",
    ]
    assert "↻ Telegram delivers update 2 again" in emu.transcript()
    with pytest.raises(KeyError):
        emu.redeliver(99)


# ---------------------------------------------------------------------- groups and Business


async def test_a_clean_up_bot_deletes_commands_so_replying_to_them_fails(
    emu: BotApiEmulator, bot: Bot, maya: Phone
) -> None:
    group = emu.group(-100200, "Staff room", member=maya, cleanup_bot=True)
    await group.send("/history Anna", wait=False)
    await group.send("see you at noon", wait=False)
    *_, command, chatter = await bot.get_updates(timeout=0)
    assert command.message is not None and command.message.text == "/history Anna"
    # PTB's reply_text quotes in groups, without allow_sending_without_reply.
    with pytest.raises(BadRequest, match="Message to be replied not found"):
        await command.message.reply_text("Only in private")
    assert group.messages == []
    sent = await command.message.reply_text(
        "Only in private",
        reply_parameters=ReplyParameters(
            command.message.message_id, allow_sending_without_reply=True
        ),
    )
    assert sent.reply_to_message is None
    assert chatter.message is not None
    reply = await chatter.message.reply_text("noted")  # plain chatter stays
    assert reply.reply_to_message is not None
    assert "🧹 a clean-up bot deletes #1" in emu.transcript()


async def test_business_messages_and_what_the_bot_sends_on_the_accounts_behalf(
    emu: BotApiEmulator, bot: Bot, maya: Phone
) -> None:
    carl = emu.user(id=5005, first_name="Carl")
    connection_id = emu.connect_business(maya)
    in_chat = emu.business_chat(connection_id, carl)
    carl_writes = emu.business_chat(connection_id, carl, as_customer=True)
    await carl_writes.send("Can I book Friday?", wait=False)
    await in_chat.send("/clients", wait=False)
    *_, connected, asked, typed = await bot.get_updates(timeout=0)
    connection = connected.business_connection
    assert connection is not None and connection.user.id == maya.id and connection.is_enabled
    assert connection.user_chat_id == maya.id
    assert asked.business_message is not None and asked.message is None
    assert asked.business_message.from_user is not None
    assert asked.business_message.from_user.id == carl.id
    message = typed.business_message
    assert message is not None and message.business_connection_id == connection_id
    assert message.chat.id == carl.id and message.chat.type == "private"
    assert message.from_user is not None and message.from_user.id == maya.id

    # PTB's reply_text carries the connection: the answer goes to Carl, as Maya.
    sent = await message.reply_text("Your clients: …")
    assert sent.business_connection_id == connection_id
    assert sent.sender_business_bot is not None and sent.from_user is not None
    assert sent.from_user.id == maya.id
    assert [m.text for m in carl_writes.messages] == ["Your clients: …"]
    assert carl.messages == []  # not Carl's private chat with the bot
    # Replies on a business account's behalf never fail for a missing message.
    await bot.send_message(
        carl.id, "ok", business_connection_id=connection_id, reply_to_message_id=999
    )
    with pytest.raises(BadRequest, match="Business_connection_invalid"):
        await bot.send_message(carl.id, "x", business_connection_id="nope")
    assert (await bot.get_business_connection(connection_id)).id == connection_id

    await in_chat.edit(in_chat.sent_message_ids[-1], "/export Anna", wait=False)
    (edited,) = await bot.get_updates(offset=typed.update_id + 1, timeout=0)
    assert edited.edited_business_message is not None
    assert edited.edited_business_message.text == "/export Anna"


async def test_a_server_may_deliver_what_allowed_updates_excludes(
    emu: BotApiEmulator, bot: Bot, maya: Phone
) -> None:
    await bot.get_updates(timeout=0, allowed_updates=["message", "callback_query"])
    emu.connect_business(maya)
    assert [u for u in await bot.get_updates(timeout=0) if u.business_connection] == []
    emu.honours_allowed_updates = False
    emu.connect_business(maya)
    assert [u for u in await bot.get_updates(timeout=0) if u.business_connection] != []


async def test_channel_posts_and_inline_queries(emu: BotApiEmulator, bot: Bot, maya: Phone) -> None:
    channel = emu.channel(-100300, "Practice news", admin=maya)
    await channel.send("/clients", wait=False)
    with pytest.raises(AssertionError, match="inline mode is off"):
        await maya.inline_query("Anna", wait=False)
    emu.bot_user["supports_inline_queries"] = True
    await maya.inline_query("Anna", wait=False)
    await channel.edit(channel.sent_message_ids[-1], "/history", wait=False)
    *_, post, query, edited = await bot.get_updates(timeout=0)
    assert post.channel_post is not None and post.message is None
    assert post.channel_post.from_user is None
    assert post.channel_post.sender_chat is not None
    assert post.channel_post.sender_chat.id == -100300
    assert query.inline_query is not None and query.inline_query.query == "Anna"
    assert query.inline_query.from_user.id == maya.id
    assert edited.edited_channel_post is not None
    assert edited.edited_channel_post.text == "/history"
