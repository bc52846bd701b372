"""One source for button data: each kind of button declares its prefix, and who may press it,
once (bot/shared/callbacks.py); the data it encodes, the parser, the handlers' patterns, the
gate's lists (bot/shared/access.py) and the table in callbacks.py's docstring all agree with it."""

from __future__ import annotations

import itertools
import re
import string
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from telegram import CallbackQuery, Update, User
from telegram.ext import Application, CallbackQueryHandler

from bot.runtime.app import build_application
from bot.shared import access, callbacks, cards, texts
from bot.shared.callbacks import (
    KINDS,
    AmendButton,
    CallbackData,
    CardAction,
    CheckInAnswer,
    CheckInRhythm,
    ClientCard,
    ClientsPage,
    Consent,
    DecisionAnswer,
    ExportFor,
    FollowUpAnswer,
    ForgetMeButton,
    FormButton,
    HistoryPage,
    HistoryPick,
    HomeworkAction,
    IntakeButton,
    InviteFor,
    InviteNew,
    MessageReply,
    MessagesMute,
    MyDataButton,
    NoteButton,
    ProgressOf,
    ProviderButton,
    RedFlagButton,
    ReferralConsent,
    ReferStart,
    ReminderAnswer,
    Setting,
    VisitAction,
    VisitCheckButton,
    VisitReply,
    ZoneChoice,
    handler_pattern,
    parse,
    parse_intake,
    parse_messages,
    parse_records,
)
from bot.shared.config import load_settings
from demo.offline import DEMO_TOKEN, OfflineBot
from emulator import Phone
from practice.clock import FrozenClock
from storage import Database
from tests.chat import new_client_note
from tests.conftest import NOW, STRANGER
from tests.test_invites import join

TOKEN = "AbCdEf123_-x"  # a draft's or a form's token
INVITE = "A" * 21 + "z"  # an invite's: 22 characters

# Every kind of button with the data it encodes to, exactly as phones hold it already: a button
# sent before a change must still mean the same after it.
EXAMPLES: list[tuple[CallbackData, str]] = [
    (NoteButton(TOKEN, "cl", "p", "12"), f"n:{TOKEN}:cl:p:12"),
    (NoteButton(TOKEN, "*", "x"), f"n:{TOKEN}:*:x"),
    (HistoryPage(12, 5), "h:12:5"),
    (HistoryPick(7), "hp:7"),
    (ClientCard(3), "c:3"),
    (ClientsPage(20), "cp:20"),
    (CardAction(3, "k"), "ca:3:k"),
    (InviteFor(3), "iv:3"),
    (InviteNew("Anna K."), "iw:Anna K."),
    (Consent(INVITE, agree=True), f"j:{INVITE}:y"),
    (Consent(INVITE, agree=False), f"j:{INVITE}:n"),
    (ZoneChoice("America/Argentina/Buenos_Aires"), "tz:America/Argentina/Buenos_Aires"),
    (Setting("menu"), "st:menu"),
    (Setting("rt", "0930"), "st:rt:0930"),
    (FormButton(TOKEN, "2", "o", "neck_1"), f"f:{TOKEN}:2:o:neck_1"),
    (FormButton(TOKEN, "s", "ok"), f"f:{TOKEN}:s:ok"),
    (HomeworkAction(9, "p"), "hw:9:p"),
    (ReminderAnswer(2147483647, "z"), "rm:2147483647:z"),
    (CheckInAnswer(4, "p", 7), "ci:4:p:7"),
    (CheckInAnswer(4, "k"), "ci:4:k"),
    (CheckInRhythm(3, None), "ck:3:d"),
    (CheckInRhythm(3, 0), "ck:3:0"),
    (ProgressOf(3), "pg:3"),
    (DecisionAnswer(8, "s"), "dp:8:s"),
    (ProviderButton(0, "l"), "pv:0:l"),
    (ReferStart(3), "rf:3:-"),
    (ReferStart(3, "pain", 8), "rf:3:pain:8"),
    (ReferralConsent(5, "y"), "rc:5:y"),
    (FollowUpAnswer(5, "d"), "fu:5:d"),
    (ExportFor(3), "ex:3"),
    (AmendButton(11, "o"), "am:11:o"),
    (AmendButton(11, "f", "pain-now"), "am:11:f:pain-now"),
    (MyDataButton("f"), "md:f"),
    (ForgetMeButton(erase=True), "fm:y"),
    (ForgetMeButton(erase=False), "fm:n"),
    (VisitAction(7, "m"), "vs:7:m"),
    (VisitAction(7, "b", 29419200), "vs:7:b:29419200"),
    (VisitReply(7, "y"), "vr:7:y"),
    (IntakeButton("rf_saddle", "c", "yes"), "ik:rf_saddle:c:yes"),
    (IntakeButton("conditions", "d"), "ik:conditions:d"),
    (RedFlagButton(4, "r"), "fl:4:r"),
    (VisitCheckButton(7, "n"), "hc:7:n"),
    (VisitCheckButton(7, "t", "safety"), "hc:7:t:safety"),
    (MessageReply(12), "mr:12"),
    (MessagesMute(3, mute=True), "mu:3:y"),
    (MessagesMute(3, mute=False), "mu:3:n"),
]

# What the gate refused for anyone but a therapist before the kinds declared it: unchanged.
THERAPIST_ONLY = {
    *("n", "h", "hp", "c", "cp", "ca", "iv", "f", "hw", "ex", "am", "pv", "rf", "fu"),
    # added since, each a therapist's only from the start: visits, red-flag alerts, replies
    *("vs", "fl", "mr", "mu", "iw"),
}


def prefix_of(data: str) -> str:
    return data.split(":", 1)[0]


def test_every_kind_encodes_as_before_and_parses_back() -> None:
    assert {type(button) for button, _ in EXAMPLES} == set(KINDS.values())
    for button, data in EXAMPLES:
        assert button.encode() == data
        assert prefix_of(data) == button.PREFIX
        assert button.PREFIX in KINDS and KINDS[button.PREFIX] is type(button)
        if isinstance(button, callbacks.RecordsButton):
            parsed: object = parse_records(data)
        elif isinstance(button, callbacks.IntakeButtons):
            parsed = parse_intake(data)
        elif isinstance(button, callbacks.MessagesButton):
            parsed = parse_messages(data)
        else:
            parsed = parse(data)
        assert parsed == button, data


# A row of the table in callbacks.py's docstring: `ci:<check-in id>:<p|g|a|k>[:<value>]`.
_PART = r"(?:<[^>]*>|[a-z0-9|]+)"
_ROW = re.compile(rf"^    ([a-z]+)((?::{_PART}|\[:{_PART}\])*)", flags=re.MULTILINE)


def test_the_docstring_table_names_every_kind_once_in_its_shape() -> None:
    rows = _ROW.findall(callbacks.__doc__ or "")
    table = [prefix for prefix, _ in rows]
    assert len(table) == len(set(table)), table
    assert set(table) == set(KINDS)
    # Each example has as many parts as its row says: the required ones, and the optional.
    shapes = {prefix: (rest.count(":") - rest.count("["), rest.count(":")) for prefix, rest in rows}
    for _, data in EXAMPLES:
        least, most = shapes[prefix_of(data)]
        assert least <= data.count(":") <= most, data


def test_a_prefix_is_declared_once_and_is_a_prefix() -> None:
    with pytest.raises(TypeError, match="ProgressOf's"):

        class Again(CallbackData, prefix="pg", pressed_by=callbacks.THERAPIST):
            pass

    with pytest.raises(TypeError, match="one or two letters"):

        class Colon(CallbackData, prefix="p:", pressed_by=callbacks.THERAPIST):
            pass

    assert "pg" in KINDS and KINDS["pg"] is ProgressOf
    assert ProgressOf.pattern().pattern == "^pg:"
    assert handler_pattern(HistoryPage, HistoryPick).pattern == "^(?:h|hp):"


def test_the_gate_has_one_rule_for_every_kind_and_none_for_anything_else() -> None:
    lists = (access.THERAPIST_BUTTONS, access.CLIENT_BUTTONS, access.INVITE_BUTTONS)
    for listed in lists:
        assert all(p.endswith(":") for p in listed)
    declared = [p for listed in lists for p in listed]
    assert sorted(declared) == sorted(f"{prefix}:" for prefix in KINDS)  # each exactly once
    assert {p.removesuffix(":") for p in access.THERAPIST_BUTTONS} == THERAPIST_ONLY
    assert access.INVITE_BUTTONS == ("j:",)


# --- the real Application's handlers ------------------------------------------------------


@pytest.fixture
async def application(tmp_path: Path) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    settings = load_settings(
        telegram_bot_token=DEMO_TOKEN,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'aftercare.db'}",
        therapist_ids=frozenset({1001}),
    )
    db = Database(settings.database_url)
    try:
        yield build_application(settings, db, FrozenClock(NOW))
    finally:
        await db.dispose()


def button_handlers(
    application: Application,  # type: ignore[type-arg]
) -> list[tuple[int, int, CallbackQueryHandler]]:  # type: ignore[type-arg]
    """Every CallbackQueryHandler, in every group: (group, position, handler)."""
    return [
        (group, position, handler)
        for group, handlers in application.handlers.items()
        for position, handler in enumerate(handlers)
        if isinstance(handler, CallbackQueryHandler)
    ]


def tap(data: str) -> Update:
    user = User(id=1001, first_name="Maya", is_bot=False)
    return Update(1, callback_query=CallbackQuery("1", user, chat_instance="1", data=data))


async def test_every_kind_has_exactly_one_handler_and_no_handler_takes_anything_else(
    application: Application,  # type: ignore[type-arg]
) -> None:
    found = button_handlers(application)
    catch_all = [(g, i, h) for g, i, h in found if h.pattern is None]
    patterned = [(g, i, h) for g, i, h in found if h.pattern is not None]
    # One handler takes whatever no other does, and answers it as stale: after all the others.
    assert len(catch_all) == 1
    group, position, handler = catch_all[0]
    assert handler.callback is cards.unknown_button
    assert all(g == group and i < position for g, i, _ in patterned)
    for handler_ in (h for _, _, h in patterned):
        assert isinstance(handler_.pattern, re.Pattern), handler_.pattern
    for _, data in EXAMPLES:
        taking = [h for _, _, h in patterned if h.check_update(tap(data))]
        assert len(taking) == 1, (data, [h.callback.__name__ for h in taking])
    # Nothing but a declared prefix: every prefix of up to three letters that no kind declares.
    letters = string.ascii_lowercase
    for size in (1, 2, 3):
        for prefix in map("".join, itertools.product(letters, repeat=size)):
            if prefix in KINDS:
                continue
            for data in (f"{prefix}:", f"{prefix}:1:a"):
                assert not any(h.pattern.match(data) for _, _, h in patterned), data
    for data in ("", "forged", ":1", "N:1", "pgx:1", " n:1"):
        assert not any(h.pattern.match(data) for _, _, h in patterned), data


# --- end to end: a tap of no kind is answered as before --------------------------------------


async def test_a_tap_of_no_kind_is_answered_as_before(running: OfflineBot, maya: Phone) -> None:
    await new_client_note(maya, "Anna K.")
    anna = await join(running, maya)
    await anna.tap("London")
    stranger = running.emulator.user(id=STRANGER, first_name="Sam")
    await stranger.send("hello")
    for data in ("zz:1", "forged"):
        assert await maya.tap_data(data, message_id=maya.last_message_id) == texts.STALE_BUTTON
        assert await anna.tap_data(data, message_id=anna.last_message_id) == texts.STALE_BUTTON
        answer = await stranger.tap_data(data, message_id=stranger.last_message_id)
        assert answer == texts.STRANGER_TAP
    # A therapist's button in a client's or a stranger's hands is stale, at the gate.
    for phone in (anna, stranger):
        assert await phone.tap_data("c:1", message_id=phone.last_message_id) == texts.STALE_BUTTON
