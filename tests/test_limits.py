"""Telegram's limits as python-telegram-bot states them (telegram.constants), held against what
we generate and against the emulator, which keeps its own figures: it stands in for Telegram's
servers, so it does not take them from the library whose requests it checks."""

from __future__ import annotations

from telegram.constants import MessageLimit
from telegram.helpers import create_deep_linked_url

from emulator import htmltext
from practice.invites import looks_like_token, new_token


def test_the_emulator_refuses_where_telegram_does() -> None:
    assert htmltext.MAX_TEXT_LENGTH == MessageLimit.MAX_TEXT_LENGTH
    assert htmltext.MAX_CAPTION_LENGTH == MessageLimit.CAPTION_LENGTH


def test_an_invite_token_is_a_deep_link_payload_telegram_takes() -> None:
    """create_deep_linked_url refuses a payload over 64 characters or outside A-Z a-z 0-9 _ -."""
    for _ in range(500):
        token = new_token()
        assert looks_like_token(token) and len(token) <= MessageLimit.DEEP_LINK_LENGTH
        link = create_deep_linked_url("aftercare_demo_bot", token)
        assert link == f"https://t.me/aftercare_demo_bot?start={token}"
