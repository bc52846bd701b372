"""Telegram Bot API emulator: run the real bot against a local fake Telegram.

Used by the test-suite, the benchmarks and the offline demo::

    async with BotApiEmulator(token="123456:TEST") as emu:
        bot = telegram.Bot(token, base_url=emu.base_url, base_file_url=emu.base_file_url)
        maya = emu.user(id=1001, first_name="Maya")
        await maya.send("/start")
        assert "Welcome" in maya.last_text
"""

from .htmltext import EntityParseError, FormattedText, format_text, parse_html
from .models import ApiCall, ApiError, BotMessage, Fault
from .phone import Phone
from .server import BotApiEmulator

__all__ = [
    "ApiCall",
    "ApiError",
    "BotApiEmulator",
    "BotMessage",
    "EntityParseError",
    "Fault",
    "FormattedText",
    "Phone",
    "format_text",
    "parse_html",
]
