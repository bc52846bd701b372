"""The bot's aiohttp transport against the emulator: answers, uploads, and each failure raised
as PTB's own transport raises it, with the cause that tells a send that never left from one
that may have arrived."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, LoginUrl, WebAppInfo
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import Defaults, ExtBot
from telegram.request import BaseRequest, HTTPXRequest

from bot.runtime.app import build_application
from bot.runtime.delivery import keyboard_dict, send_text
from bot.runtime.polling import seconds_of
from bot.runtime.transport import AiohttpRequest
from bot.shared.config import load_settings
from demo.offline import DEMO_TOKEN
from emulator import BotApiEmulator, Fault, Phone
from practice.clock import FrozenClock
from reminders.arrival import NotSent, may_have_arrived
from storage import Database
from tests.conftest import NOW

TOKEN = "123456:TEST"  # the emulator's fake token


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator(token=TOKEN) as emulator:
        emulator.wait_timeout = 5
        yield emulator


def aiohttp_bot(base_url: str, base_file_url: str = "", **timeouts: float) -> Bot:
    request = AiohttpRequest(connection_pool_size=4, **timeouts)
    return Bot(
        TOKEN,
        base_url=base_url,
        base_file_url=base_file_url or base_url,
        request=request,
        get_updates_request=AiohttpRequest(connection_pool_size=1),
    )


@pytest.fixture
async def bot(emu: BotApiEmulator) -> AsyncIterator[Bot]:
    tg_bot = aiohttp_bot(emu.base_url, emu.base_file_url, read_timeout=0.3)
    await tg_bot.initialize()
    yield tg_bot
    await tg_bot.shutdown()


@pytest.fixture
async def maya(emu: BotApiEmulator) -> Phone:
    phone = emu.user(id=1001, first_name="Maya")
    await phone.send("/start", wait=False)
    return phone


async def test_a_message_is_sent_and_its_answer_parsed(bot: Bot, maya: Phone) -> None:
    sent = await bot.send_message(maya.id, "<b>Hello</b>", parse_mode="HTML")
    assert sent.text == "Hello" and maya.last_text == "Hello"


async def test_a_document_and_a_photo_are_uploaded(
    emu: BotApiEmulator, bot: Bot, maya: Phone
) -> None:
    pdf = b"%PDF-1.4 the export\n" + bytes(range(256)) * 40
    sent = await bot.send_document(maya.id, pdf, filename="export.pdf", caption="Your records")
    assert sent.document is not None and sent.document.file_name == "export.pdf"
    assert sent.caption == "Your records"
    # A client's name in the file name goes as it is (UTF-8), as HTTPXRequest sends it.
    named = await bot.send_document(maya.id, b"x", filename="Анна Müller — 2026.pdf")
    assert named.document is not None and named.document.file_name == "Анна Müller — 2026.pdf"
    file = await bot.get_file(sent.document.file_id)
    assert bytes(await file.download_as_bytearray()) == pdf
    png = (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
        b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7"
        b"5\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
    )
    photo = await bot.send_photo(maya.id, png, caption="Chart")
    assert photo.photo and photo.caption == "Chart"


async def test_an_answer_later_than_the_read_timeout_is_timed_out_and_may_have_arrived(
    emu: BotApiEmulator, bot: Bot, maya: Phone
) -> None:
    emu.inject(Fault(method="sendMessage", delay=1.0))
    with pytest.raises(TimedOut) as raised:
        await bot.send_message(maya.id, "slow")
    assert may_have_arrived(raised.value)
    await emu.wait_held()
    assert maya.last_text == "slow"  # Telegram carried it out all the same


async def test_a_closed_port_is_a_network_error_that_never_left() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # Nothing listens there now: the connection is refused.
    tg_bot = aiohttp_bot(f"http://127.0.0.1:{port}/bot", connect_timeout=1.0)
    async with tg_bot.request:
        with pytest.raises(NetworkError) as raised:
            await tg_bot.send_message(1, "nobody there")
    assert not isinstance(raised.value, TimedOut)
    assert not may_have_arrived(raised.value)


async def test_no_free_connection_is_a_timeout_that_never_left(
    emu: BotApiEmulator, maya: Phone
) -> None:
    request = AiohttpRequest(connection_pool_size=1, read_timeout=5.0, pool_timeout=0.1)
    tg_bot = Bot(TOKEN, base_url=emu.base_url, request=request)
    emu.inject(Fault(method="sendMessage", delay=0.5))
    async with request:
        held = asyncio.create_task(tg_bot.send_message(maya.id, "holds the connection"))
        await asyncio.sleep(0.1)
        with pytest.raises(TimedOut, match="Pool timeout") as raised:
            await tg_bot.send_message(maya.id, "waits for it")
        await held
    assert not may_have_arrived(raised.value)


async def test_flood_control_is_retry_after_and_an_error_answer_its_error(
    emu: BotApiEmulator, bot: Bot, maya: Phone
) -> None:
    emu.inject(Fault(method="sendMessage", error_code=429, retry_after=7))
    with pytest.raises(RetryAfter) as flood:
        await bot.send_message(maya.id, "too fast")
    assert seconds_of(flood.value.retry_after) == 7
    emu.inject(Fault(method="sendMessage", error_code=400, description="Bad Request: nope"))
    with pytest.raises(BadRequest, match=r"(?i)nope"):
        await bot.send_message(maya.id, "refused")
    emu.inject(Fault(method="sendMessage", error_code=502, description="Bad Gateway"))
    with pytest.raises(NetworkError, match="Bad Gateway") as gateway:
        await bot.send_message(maya.id, "server down")
    assert not may_have_arrived(gateway.value)  # a 5xx is an answer: it failed


async def test_the_dispatchers_send_is_send_message_with_the_bots_defaults_and_its_errors(
    emu: BotApiEmulator, maya: Phone
) -> None:
    """send_text sends one JSON body with what the bot's Defaults say (HTML), the keyboard as
    PTB writes it, and reads the message_id; Telegram's refusals come back as the errors the
    dispatcher tells apart, the same as send_message raises."""
    bot = ExtBot(
        TOKEN,
        base_url=emu.base_url,
        request=AiohttpRequest(connection_pool_size=4),
        defaults=Defaults(parse_mode=ParseMode.HTML),
    )
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("✅ Done", callback_data="r:7:d")],
            [InlineKeyboardButton("Later", callback_data="r:7:z")],
        ]
    )
    async with bot:
        send = send_text(bot)
        message_id = await send(maya.id, "<b>Chin tuck</b>", keyboard, False)
        assert maya.last_text == "Chin tuck"
        call = emu.calls_to("sendMessage")[-1]
        assert call.result["message_id"] == message_id
        assert call.params["parse_mode"] == "HTML" and call.params["chat_id"] == maya.id
        assert call.params["reply_markup"] == keyboard.to_dict()
        assert "allow_paid_broadcast" not in call.params
        await send(maya.id, "paid", None, True)
        assert emu.calls_to("sendMessage")[-1].params["allow_paid_broadcast"] is True
        emu.inject(Fault(method="sendMessage", error_code=403, description="Forbidden: blocked"))
        with pytest.raises(Forbidden, match="blocked"):
            await send(maya.id, "blocked", None, False)
        emu.inject(Fault(method="sendMessage", error_code=429, retry_after=7))
        with pytest.raises(RetryAfter) as flood:
            await send(maya.id, "too fast", None, False)
        assert seconds_of(flood.value.retry_after) == 7
        emu.inject(Fault(method="sendMessage", error_code=502, description="Bad Gateway"))
        with pytest.raises(NetworkError, match="Bad Gateway") as gateway:
            await send(maya.id, "server down", None, False)
        assert not may_have_arrived(gateway.value)


def test_a_keyboard_is_written_as_ptb_writes_it() -> None:
    """keyboard_dict's short way for plain buttons gives PTB's to_dict, and any other button
    is PTB's own."""
    plain = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("✅ Done", callback_data="r:7:d"),
                InlineKeyboardButton("Skip", callback_data="r:7:s"),
            ],
            [InlineKeyboardButton("Site", url="https://example.org")],
        ]
    )
    rich = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("App", web_app=WebAppInfo("https://example.org/app"))],
            [InlineKeyboardButton("Log in", login_url=LoginUrl("https://example.org/in"))],
            [InlineKeyboardButton("Search", switch_inline_query_current_chat="")],
        ]
    )
    assert keyboard_dict(plain) == plain.to_dict()
    assert keyboard_dict(rich) == rich.to_dict()
    assert keyboard_dict(rich)["inline_keyboard"][2] == [
        {"text": "Search", "switch_inline_query_current_chat": ""}
    ]


async def test_the_request_must_be_initialized(emu: BotApiEmulator) -> None:
    request = AiohttpRequest()
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request(f"{emu.base_url}{TOKEN}/getMe", "POST")
    await request.initialize()
    status, body = await request.do_request(f"{emu.base_url}{TOKEN}/getMe", "POST")
    assert status == 200 and b'"ok":true' in body.replace(b" ", b"")
    await request.shutdown()
    await request.shutdown()  # twice is harmless
    await request.initialize()  # and it can be started again
    await request.shutdown()


def test_aiohttp_causes_are_read_as_httpx_ones_are() -> None:
    key = aiohttp.client_reqrep.ConnectionKey("x", 1, False, True, None, None, None)
    never_sent = [
        aiohttp.ClientConnectorError(key, ConnectionRefusedError(111, "refused")),
        aiohttp.ConnectionTimeoutError("slow connect"),
        NotSent("no free connection"),
    ]
    perhaps = [
        aiohttp.SocketTimeoutError("no answer"),
        TimeoutError(),  # the total ran out while writing or waiting
        aiohttp.ServerDisconnectedError(),
        aiohttp.ClientOSError(104, "reset"),
    ]

    def raised_from(cause: BaseException) -> NetworkError:
        error = TimedOut() if isinstance(cause, TimeoutError) else NetworkError("failed")
        error.__cause__ = cause
        return error

    assert [may_have_arrived(raised_from(c)) for c in never_sent] == [False] * 3
    assert [may_have_arrived(raised_from(c)) for c in perhaps] == [True] * 4


@pytest.mark.parametrize(
    ("transport", "kind"), [("aiohttp", AiohttpRequest), ("httpx", HTTPXRequest)]
)
async def test_the_bot_talks_through_the_transport_its_settings_name(
    tmp_path: Path, transport: str, kind: type[BaseRequest]
) -> None:
    settings = load_settings(
        telegram_bot_token=DEMO_TOKEN,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'aftercare.db'}",
        telegram_transport=transport,
    )
    db = Database(settings.database_url)
    try:
        application = build_application(settings, db, FrozenClock(NOW), read_timeout=3.0)
        bot = application.bot
        assert isinstance(bot.request, kind) and bot.request.read_timeout == 3.0
        # getUpdates on its own request, with PTB's defaults, whichever the transport.
        updates = bot._request[0]
        assert isinstance(updates, kind) and updates is not bot.request
        assert updates.read_timeout == 5.0
    finally:
        await db.dispose()
