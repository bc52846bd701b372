"""Callback data: short, typed, parsed in one place. Never trusted: handlers re-check who pressed.

    n:<draft token>:<step>:<action>[:<arg>]   a button of a note in progress
    h:<client id>:<offset>                    a page of a client's history
    hp:<client id>                            pick a client for /history
    c:<client id>                             a client's card
    cp:<offset>                               a page of the client list
    ca:<client id>:<action>                   an action on a client's card
    iv:<client id>                            make an invite link for a client
    iw:<name>                                 add a client by the name /invite found no
                                              match for, and make their invite link
    f:<form token>:<step>:<action>[:<arg>]    a button of a plan or homework form
    hw:<assignment id>:<action>               pause, resume or end a homework assignment
    rm:<delivery id>:<d|s|z>                  a client's answer to a homework reminder
    ci:<check-in id>:<p|g|a|k>[:<value>]      a client's answer to a check-in question
    j:<invite token>:<y|n>                    a client's answer to the consent card
    tz:<IANA zone>                            a client picks their time zone
    st:<setting>[:<value>]                    a client changes a setting
    ck:<client id>:<d|0|2|3|7>                a client's check-in rhythm (d: the default)
    pg:<client id>                            a client's progress: verdict and chart
    dp:<decision id>:<a|r|c|n|s|x>            the answer to a decision point
    pv:<provider id>:<l|a|v|e|x|y>            the provider network (id 0: list, add)
    rf:<client id>:<reason|->[:<decision id>] start a referral, the reason preset or asked
    rc:<referral id>:<y|n|p|r|l|b|c>          consent: the client's answer, agreed in person;
                                              the letter: reason only now, l again; the
                                              client skips their date of birth, contact
    fu:<referral id>:<s|n|d>                  did the client go: seen, not yet, declined
    ex:<client id>                            export a client's record (PDF and CSV)
    am:<note id>:<action>[:<arg>]             amend a saved note: o open, f field, v value,
                                              d done choosing, r reason, x cancel
    md:f                                      a client's /mydata: send the files
    fm:<y|n>                                  a client confirms or declines /forgetme
    vs:<visit id>:<m|x|y|c|n|d|l|b>[:<minutes>] a visit on the therapist's side: move, cancel
                                              (asks, confirmed), its .ics, after it: note,
                                              didn't come, cancelled late; book a time asked
    vr:<visit id>:<y|m|n|c>                   the client's answer to a visit's reminder; c: the
                                              visit's .ics for their own calendar
    ik:<question>:<c|t|d|s|e|b>[:<code>]      a client's intake: choose, tick, done, skip,
                                              correct (from /mydata), begin (question "all")
    fl:<flag id>:<r|s>                        a red flag's alert: refer, seen
    hc:<visit id>:<n|c|t|d>[:<section>]       the pre-visit question: no change, something
                                              changed, tick a part, done choosing
    mr:<client id>                            reply to a client's relayed message
    mu:<client id>:<y|n>                      a client's messages: only in working hours, or not

Telegram allows 64 bytes; the longest here is about 40.

Each kind's prefix is written once, where its class declares it with who may press it
(`CallbackData`): encode(), the regexes here, every handler's pattern (`NoteButton.pattern()`)
and the gate's lists (`prefixes_for`) are made from it. tests/test_buttons.py holds this table,
the handlers and the gate to the classes.

Ids are bounded here, for every button and for the ids a button's argument carries (`row_id`):
a number no row can have (PostgreSQL's `integer` ends at 2³¹−1, and a forged button can say
anything) makes the button unparseable, answered like any stale or forged one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from enum import Enum
from typing import TYPE_CHECKING, ClassVar, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

from telegram.constants import InlineKeyboardButtonLimit

MAX_BYTES = InlineKeyboardButtonLimit.MAX_CALLBACK_DATA  # 64

# The database's row ids are 32-bit: a larger number names no row, and handing it to
# PostgreSQL raises instead of finding nothing.
MAX_ROW_ID = 2**31 - 1

_B = TypeVar("_B", bound="DataclassInstance | None")  # every button is a dataclass


def row_id(text: str) -> int | None:
    """The row id `text` spells, or None if it spells none (not plain digits, or too large)."""
    if not text.isascii() or not text.isdigit():
        return None
    value = int(text)
    return value if value <= MAX_ROW_ID else None


ANY_STEP = "*"  # for buttons that work whatever the note's step (continue, start over, cancel)


class PressedBy(Enum):
    """Who may press a kind of button: the gate (bot/shared/access.py) is built from this."""

    THERAPIST = "the therapist"  # anyone else's tap is answered as a stale button, at the gate
    CLIENT = "a client"  # let through for a linked client (and a therapist): the handler checks
    ANY_ROLE = "either"  # let through for both: the handler decides by who pressed it
    INVITEE = "whoever holds an invite"  # let through for anyone: the invite's token is the check


THERAPIST = PressedBy.THERAPIST
CLIENT = PressedBy.CLIENT
ANY_ROLE = PressedBy.ANY_ROLE
INVITEE = PressedBy.INVITEE

# Every kind of button, by its prefix, in the order declared (filled in by CallbackData).
KINDS: dict[str, type[CallbackData]] = {}


class CallbackData:
    """A kind of button. Its prefix, the text before the first ":" of its data, is declared
    once, with the class (`class ProgressOf(CallbackData, prefix="pg", pressed_by=...)`):
    encode(), the parser's regex, the handler's pattern and the gate's lists all use it."""

    PREFIX: ClassVar[str]
    PRESSED_BY: ClassVar[PressedBy]

    def __init_subclass__(cls, *, prefix: str, pressed_by: PressedBy, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if not re.fullmatch(r"[a-z]{1,2}", prefix):
            raise TypeError(f"{cls.__name__}: a prefix is one or two letters, not {prefix!r}")
        if prefix in KINDS:
            raise TypeError(f"{cls.__name__}: prefix {prefix!r} is {KINDS[prefix].__name__}'s")
        cls.PREFIX = prefix
        cls.PRESSED_BY = pressed_by
        KINDS[prefix] = cls

    def encode(self) -> str:
        """The button's data: its prefix, ":", and what it carries."""
        raise NotImplementedError

    @classmethod
    def pattern(cls) -> re.Pattern[str]:
        """For its CallbackQueryHandler: the data of every button of this kind."""
        return handler_pattern(cls)

    @classmethod
    def regex(cls, rest: str) -> re.Pattern[str]:
        """The parser's: this kind's data in full, `rest` being what follows the prefix's ":"."""
        return re.compile(rf"^{cls.PREFIX}:{rest}$")


def handler_pattern(*kinds: type[CallbackData]) -> re.Pattern[str]:
    """For a CallbackQueryHandler that takes several kinds of button (`^(?:h|hp):`)."""
    if not kinds:
        raise ValueError("a pattern for no kind of button")
    if len(kinds) == 1:
        return re.compile(rf"^{kinds[0].PREFIX}:")
    return re.compile(rf"^(?:{'|'.join(kind.PREFIX for kind in kinds)}):")


def prefixes_for(*pressed_by: PressedBy) -> tuple[str, ...]:
    """The data prefixes ("n:", "h:", ...) of the kinds of button these may press, for
    str.startswith."""
    return tuple(f"{prefix}:" for prefix, kind in KINDS.items() if kind.PRESSED_BY in pressed_by)


@dataclass(frozen=True)
class NoteButton(CallbackData, prefix="n", pressed_by=THERAPIST):
    token: str
    step: str
    action: str
    arg: str = ""

    def encode(self) -> str:
        data = f"{self.PREFIX}:{self.token}:{self.step}:{self.action}"
        if self.arg:
            data += f":{self.arg}"
        _check(data)
        return data


@dataclass(frozen=True)
class HistoryPage(CallbackData, prefix="h", pressed_by=THERAPIST):
    client_id: int
    offset: int

    def encode(self) -> str:
        return _check(f"{self.PREFIX}:{self.client_id}:{self.offset}")


@dataclass(frozen=True)
class HistoryPick(CallbackData, prefix="hp", pressed_by=THERAPIST):
    client_id: int

    def encode(self) -> str:
        return _check(f"{self.PREFIX}:{self.client_id}")


@dataclass(frozen=True)
class ClientCard(CallbackData, prefix="c", pressed_by=THERAPIST):
    client_id: int

    def encode(self) -> str:
        return _check(f"{self.PREFIX}:{self.client_id}")


@dataclass(frozen=True)
class ClientsPage(CallbackData, prefix="cp", pressed_by=THERAPIST):
    offset: int

    def encode(self) -> str:
        return _check(f"{self.PREFIX}:{self.offset}")


@dataclass(frozen=True)
class CardAction(CallbackData, prefix="ca", pressed_by=THERAPIST):
    client_id: int
    # n: new note, i: invite link, h: history, p: plan, q: change plan, w: homework,
    # a: add homework, k: check-in rhythm, v: book the next visit, m: the card's other
    # buttons (More)
    action: str

    def encode(self) -> str:
        return _check(f"{self.PREFIX}:{self.client_id}:{self.action}")


@dataclass(frozen=True)
class InviteFor(CallbackData, prefix="iv", pressed_by=THERAPIST):
    client_id: int

    def encode(self) -> str:
        return _check(f"{self.PREFIX}:{self.client_id}")


@dataclass(frozen=True)
class InviteNew(CallbackData, prefix="iw", pressed_by=THERAPIST):
    # The name as the therapist typed it after /invite; re-read as a name when tapped.
    name: str

    def encode(self) -> str:
        return _check(f"{self.PREFIX}:{self.name}")


@dataclass(frozen=True)
class Consent(CallbackData, prefix="j", pressed_by=INVITEE):
    # The invite's own token: only whoever holds the link can answer its card.
    token: str
    agree: bool

    def encode(self) -> str:
        return _check(f"{self.PREFIX}:{self.token}:{'y' if self.agree else 'n'}")


@dataclass(frozen=True)
class ZoneChoice(CallbackData, prefix="tz", pressed_by=CLIENT):
    zone: str

    def encode(self) -> str:
        return _check(f"{self.PREFIX}:{self.zone}")


@dataclass(frozen=True)
class Setting(CallbackData, prefix="st", pressed_by=CLIENT):
    # rt: reminder time, qh: quiet hours, tz: time zone, pz: pause, menu: the settings card
    name: str
    value: str = ""

    def encode(self) -> str:
        return _check(
            f"{self.PREFIX}:{self.name}:{self.value}"
            if self.value
            else f"{self.PREFIX}:{self.name}"
        )


@dataclass(frozen=True)
class FormButton(CallbackData, prefix="f", pressed_by=THERAPIST):
    token: str
    step: str  # the question's index, "s" (summary) or "e" (the edit menu)
    action: str
    arg: str = ""

    def encode(self) -> str:
        data = f"{self.PREFIX}:{self.token}:{self.step}:{self.action}"
        return _check(f"{data}:{self.arg}" if self.arg else data)


@dataclass(frozen=True)
class HomeworkAction(CallbackData, prefix="hw", pressed_by=THERAPIST):
    assignment_id: int
    # p: pause, r: resume, c: change, e: end (asks), x: end (confirmed), k: keep it
    action: str

    def encode(self) -> str:
        return _check(f"{self.PREFIX}:{self.assignment_id}:{self.action}")


@dataclass(frozen=True)
class ReminderAnswer(CallbackData, prefix="rm", pressed_by=CLIENT):
    delivery_id: int
    action: str  # d: done, s: skip today, z: in one hour

    def encode(self) -> str:
        return _check(f"{self.PREFIX}:{self.delivery_id}:{self.action}")


@dataclass(frozen=True)
class CheckInAnswer(CallbackData, prefix="ci", pressed_by=CLIENT):
    check_in_id: int
    question: str  # p: pain, g: global change (value + 3), a: activity, k: skip the comment
    value: int | None = None

    def encode(self) -> str:
        data = f"{self.PREFIX}:{self.check_in_id}:{self.question}"
        return _check(data if self.value is None else f"{data}:{self.value}")


# The therapist's, but not refused for others at the gate: its handler checks who pressed.
@dataclass(frozen=True)
class CheckInRhythm(CallbackData, prefix="ck", pressed_by=ANY_ROLE):
    client_id: int
    every_days: int | None  # None: the default rhythm; 0: no check-ins

    def encode(self) -> str:
        days = "d" if self.every_days is None else str(self.every_days)
        return _check(f"{self.PREFIX}:{self.client_id}:{days}")


# The therapist's, but not refused for others at the gate: its handler checks who pressed.
@dataclass(frozen=True)
class ProgressOf(CallbackData, prefix="pg", pressed_by=ANY_ROLE):
    client_id: int

    def encode(self) -> str:
        return _check(f"{self.PREFIX}:{self.client_id}")


# The therapist's, but not refused for others at the gate: its handler checks who pressed.
@dataclass(frozen=True)
class DecisionAnswer(CallbackData, prefix="dp", pressed_by=ANY_ROLE):
    decision_id: int
    # a: adjust the plan, r: refer, c: continue as planned, n: write the client a note,
    # at a plan's end d: discharge, m: more sessions, t: maintenance visits;
    # s: send the note as drafted, x: don't send it
    answer: str

    def encode(self) -> str:
        return _check(f"{self.PREFIX}:{self.decision_id}:{self.answer}")


Button = (
    NoteButton
    | HistoryPage
    | HistoryPick
    | ClientCard
    | ClientsPage
    | CardAction
    | InviteFor
    | InviteNew
    | Consent
    | ZoneChoice
    | Setting
    | FormButton
    | HomeworkAction
    | ReminderAnswer
    | CheckInAnswer
    | CheckInRhythm
    | ProgressOf
    | DecisionAnswer
)

_DRAFT_TOKEN = r"[A-Za-z0-9_-]{6,32}"  # noqa: S105 -- a pattern, not a secret
_NOTE = NoteButton.regex(
    rf"({_DRAFT_TOKEN}):([a-z*]{{1,3}}):([a-z]{{1,3}})(?::([a-z0-9_]{{1,20}}))?"
)
_HISTORY = HistoryPage.regex(r"(\d{1,12}):(\d{1,6})")
_PICK = HistoryPick.regex(r"(\d{1,12})")
_CARD = ClientCard.regex(r"(\d{1,12})")
_CLIENTS_PAGE = ClientsPage.regex(r"(\d{1,6})")
_CARD_ACTION = CardAction.regex(r"(\d{1,12}):([nihpqwakvtum])")
_FORM = FormButton.regex(
    rf"({_DRAFT_TOKEN}):(\d{{1,2}}|s|e):([a-z]{{1,2}})(?::([a-z0-9_]{{1,40}}))?"
)
_CHECK_IN = CheckInAnswer.regex(r"(\d{1,15}):([pgak])(?::(\d{1,2}))?")
_REMINDER = ReminderAnswer.regex(r"(\d{1,15}):([dsz])")
_HOMEWORK = HomeworkAction.regex(r"(\d{1,12}):([precxk])")
_INVITE_FOR = InviteFor.regex(r"(\d{1,12})")
_INVITE_NEW = InviteNew.regex(r"([^\x00-\x1f]{1,60})")
_CONSENT = Consent.regex(r"([A-Za-z0-9_-]{22}):([yn])")
_ZONE = ZoneChoice.regex(r"([A-Za-z0-9_+/-]{1,60})")
_SETTING = Setting.regex(r"(rt|qh|tz|pz|menu)(?::([0-9a-z]{1,8}))?")
_RHYTHM = CheckInRhythm.regex(r"(\d{1,12}):(d|0|2|3|7)")
_PROGRESS = ProgressOf.regex(r"(\d{1,12})")
_DECISION = DecisionAnswer.regex(r"(\d{1,12}):([arcnsxdmt])")


def parse(data: str | None) -> Button | ReferralButton | VisitButton | None:
    """The button a callback's data names, or None for anything forged or malformed."""
    return _in_range(_parse(data))


def _in_range(button: _B) -> _B | None:
    """The button, unless a number in it is larger than any row id (so forged)."""
    if button is None:
        return None
    for field in fields(button):
        value = getattr(button, field.name)
        if isinstance(value, int) and value > MAX_ROW_ID:
            return None
    return button


def _parse(data: str | None) -> Button | ReferralButton | VisitButton | None:
    if not data or len(data.encode()) > MAX_BYTES:
        return None
    if m := _NOTE.match(data):
        return NoteButton(token=m[1], step=m[2], action=m[3], arg=m[4] or "")
    if m := _HISTORY.match(data):
        return HistoryPage(client_id=int(m[1]), offset=int(m[2]))
    if m := _PICK.match(data):
        return HistoryPick(client_id=int(m[1]))
    if m := _CARD.match(data):
        return ClientCard(client_id=int(m[1]))
    if m := _CLIENTS_PAGE.match(data):
        return ClientsPage(offset=int(m[1]))
    if m := _CARD_ACTION.match(data):
        return CardAction(client_id=int(m[1]), action=m[2])
    if m := _INVITE_FOR.match(data):
        return InviteFor(client_id=int(m[1]))
    if m := _INVITE_NEW.match(data):
        return InviteNew(name=m[1])
    if m := _CONSENT.match(data):
        return Consent(token=m[1], agree=m[2] == "y")
    if m := _ZONE.match(data):
        return ZoneChoice(zone=m[1])
    if m := _SETTING.match(data):
        return Setting(name=m[1], value=m[2] or "")
    if m := _FORM.match(data):
        return FormButton(token=m[1], step=m[2], action=m[3], arg=m[4] or "")
    if m := _HOMEWORK.match(data):
        return HomeworkAction(assignment_id=int(m[1]), action=m[2])
    if m := _REMINDER.match(data):
        return ReminderAnswer(delivery_id=int(m[1]), action=m[2])
    if m := _CHECK_IN.match(data):
        return CheckInAnswer(int(m[1]), m[2], int(m[3]) if m[3] is not None else None)
    if m := _RHYTHM.match(data):
        return CheckInRhythm(int(m[1]), None if m[2] == "d" else int(m[2]))
    if m := _PROGRESS.match(data):
        return ProgressOf(int(m[1]))
    if m := _DECISION.match(data):
        return DecisionAnswer(int(m[1]), m[2])
    return _parse_referrals(data) or _parse_visits(data)


def _check(data: str) -> str:
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
    return data


# --- referrals: the provider network, /refer, consent and follow-up --------------------------


@dataclass(frozen=True)
class ProviderButton(CallbackData, prefix="pv", pressed_by=THERAPIST):
    provider_id: int  # 0 for the list and for a new provider
    # l: the list, a: add, v: view, e: edit, x: archive (asks), y: archive (confirmed)
    action: str

    def encode(self) -> str:
        return _check(f"{self.PREFIX}:{self.provider_id}:{self.action}")


@dataclass(frozen=True)
class ReferStart(CallbackData, prefix="rf", pressed_by=THERAPIST):
    """Start a referral for a client: from the card, a decision point, anywhere."""

    client_id: int
    reason: str = ""  # a practice.referrals.REASONS code, or "" to ask for one
    decision_id: int | None = None  # the decision point that led here, if any

    def encode(self) -> str:
        data = f"{self.PREFIX}:{self.client_id}:{self.reason or '-'}"
        return _check(data if self.decision_id is None else f"{data}:{self.decision_id}")


# The client answers (y, n), the therapist acts for them (p, r, l): the handler tells which.
@dataclass(frozen=True)
class ReferralConsent(CallbackData, prefix="rc", pressed_by=ANY_ROLE):
    referral_id: int
    # y: allow, n: don't allow (the client's); p: agreed in person, r: the letter with the
    # reason only now, without waiting for the client; l: the current letter again (the
    # therapist's); b, c: the client skips giving their date of birth, their contact
    answer: str

    def encode(self) -> str:
        return _check(f"{self.PREFIX}:{self.referral_id}:{self.answer}")


@dataclass(frozen=True)
class FollowUpAnswer(CallbackData, prefix="fu", pressed_by=THERAPIST):
    referral_id: int
    outcome: str  # s: seen, n: not yet, d: declined

    def encode(self) -> str:
        return _check(f"{self.PREFIX}:{self.referral_id}:{self.outcome}")


ReferralButton = ProviderButton | ReferStart | ReferralConsent | FollowUpAnswer

_PROVIDER = ProviderButton.regex(r"(\d{1,12}):([laevxy])")
_REFER = ReferStart.regex(r"(\d{1,12}):([a-z]{1,12}|-)(?::(\d{1,12}))?")
_REFERRAL_CONSENT = ReferralConsent.regex(r"(\d{1,12}):([ynprlbc])")
_FOLLOW_UP = FollowUpAnswer.regex(r"(\d{1,12}):([snd])")


def _parse_referrals(data: str) -> ReferralButton | None:
    if m := _PROVIDER.match(data):
        return ProviderButton(int(m[1]), m[2])
    if m := _REFER.match(data):
        reason = "" if m[2] == "-" else m[2]
        return ReferStart(int(m[1]), reason, int(m[3]) if m[3] is not None else None)
    if m := _REFERRAL_CONSENT.match(data):
        return ReferralConsent(int(m[1]), m[2])
    if m := _FOLLOW_UP.match(data):
        return FollowUpAnswer(int(m[1]), m[2])
    return None


# --- records that travel: export, amendments, /mydata, /forgetme ---------------------------


@dataclass(frozen=True)
class ExportFor(CallbackData, prefix="ex", pressed_by=THERAPIST):
    client_id: int

    def encode(self) -> str:
        return _check(f"{self.PREFIX}:{self.client_id}")


@dataclass(frozen=True)
class AmendButton(CallbackData, prefix="am", pressed_by=THERAPIST):
    note_id: int
    # o: open (pick a field), f: a field (arg: its code), v: a value (arg), d: done choosing,
    # r: a reason (arg: its code), x: cancel
    action: str
    arg: str = ""

    def encode(self) -> str:
        data = f"{self.PREFIX}:{self.note_id}:{self.action}"
        return _check(f"{data}:{self.arg}" if self.arg else data)


@dataclass(frozen=True)
class MyDataButton(CallbackData, prefix="md", pressed_by=CLIENT):
    action: str  # f: send the files

    def encode(self) -> str:
        return _check(f"{self.PREFIX}:{self.action}")


@dataclass(frozen=True)
class ForgetMeButton(CallbackData, prefix="fm", pressed_by=CLIENT):
    erase: bool

    def encode(self) -> str:
        return _check(f"{self.PREFIX}:{'y' if self.erase else 'n'}")


# --- the intake: the client's answers, the therapist's red-flag alerts -----------------------


@dataclass(frozen=True)
class IntakeButton(CallbackData, prefix="ik", pressed_by=CLIENT):
    """Acts on the presser's own intake: the data names no client, only the question."""

    question: str  # a practice.intake question key
    # c: choose (value: the choice's code), t: tick or untick (value: a condition code),
    # d: done with the checklist, s: skip, e: correct this answer (from /mydata), b: begin or
    # carry on (question "all")
    action: str
    value: str = ""

    def encode(self) -> str:
        data = f"{self.PREFIX}:{self.question}:{self.action}"
        return _check(f"{data}:{self.value}" if self.value else data)


@dataclass(frozen=True)
class RedFlagButton(CallbackData, prefix="fl", pressed_by=THERAPIST):
    flag_id: int
    action: str  # r: refer (the referral flow, reason preset), s: seen, I'll discuss it

    def encode(self) -> str:
        return _check(f"{self.PREFIX}:{self.flag_id}:{self.action}")


@dataclass(frozen=True)
class VisitCheckButton(CallbackData, prefix="hc", pressed_by=CLIENT):
    """The pre-visit question: checked against the visit's client and its current message."""

    visit_id: int
    # n: no change, c: something changed, t: tick or untick a part (value: its code),
    # d: done choosing the parts
    action: str
    value: str = ""

    def encode(self) -> str:
        data = f"{self.PREFIX}:{self.visit_id}:{self.action}"
        return _check(f"{data}:{self.value}" if self.value else data)


IntakeButtons = IntakeButton | RedFlagButton | VisitCheckButton

_INTAKE = IntakeButton.regex(r"([a-z][a-z0-9_]{0,15}):([ctdseb])(?::([a-z0-9_]{1,16}))?")
_RED_FLAG = RedFlagButton.regex(r"(\d{1,12}):([rs])")
_VISIT_CHECK = VisitCheckButton.regex(r"(\d{1,12}):([nctd])(?::([a-z][a-z0-9_]{0,15}))?")


def parse_intake(data: str | None) -> IntakeButtons | None:
    """The intake button a callback's data names, or None for anything forged or malformed."""
    if not data or len(data.encode()) > MAX_BYTES:
        return None
    if m := _INTAKE.match(data):
        return IntakeButton(m[1], m[2], m[3] or "")
    if m := _RED_FLAG.match(data):
        return _in_range(RedFlagButton(int(m[1]), m[2]))
    if m := _VISIT_CHECK.match(data):
        return _in_range(VisitCheckButton(int(m[1]), m[2], m[3] or ""))
    return None


RecordsButton = ExportFor | AmendButton | MyDataButton | ForgetMeButton

_EXPORT = ExportFor.regex(r"(\d{1,12})")
_AMEND = AmendButton.regex(r"(\d{1,12}):([ofvdrx])(?::([a-z0-9_-]{1,20}))?")
_MY_DATA = MyDataButton.regex(r"(f)")
_FORGET_ME = ForgetMeButton.regex(r"([yn])")


def parse_records(data: str | None) -> RecordsButton | None:
    """The records button a callback's data names, or None for anything forged or malformed."""
    return _in_range(_parse_records(data))


def _parse_records(data: str | None) -> RecordsButton | None:
    if not data or len(data.encode()) > MAX_BYTES:
        return None
    if m := _EXPORT.match(data):
        return ExportFor(client_id=int(m[1]))
    if m := _AMEND.match(data):
        return AmendButton(note_id=int(m[1]), action=m[2], arg=m[3] or "")
    if m := _MY_DATA.match(data):
        return MyDataButton(action=m[1])
    if m := _FORGET_ME.match(data):
        return ForgetMeButton(erase=m[1] == "y")
    return None


# --- visits: booking, the reminder's answers, after the visit -------------------------------


@dataclass(frozen=True)
class VisitAction(CallbackData, prefix="vs", pressed_by=THERAPIST):
    visit_id: int
    # m: move, x: cancel (asks), y: cancel (confirmed), c: the .ics file, n: write the note,
    # d: didn't come, l: cancelled late, b: book the time the client asked for (`minutes`)
    action: str
    minutes: int | None = None  # b: the new start, in minutes since the Unix epoch (UTC)

    def encode(self) -> str:
        data = f"{self.PREFIX}:{self.visit_id}:{self.action}"
        return _check(data if self.minutes is None else f"{data}:{self.minutes}")


@dataclass(frozen=True)
class VisitReply(CallbackData, prefix="vr", pressed_by=CLIENT):
    visit_id: int
    answer: str  # y: I'll be there, m: I need another time, n: I can't come; c: its .ics

    def encode(self) -> str:
        return _check(f"{self.PREFIX}:{self.visit_id}:{self.answer}")


VisitButton = VisitAction | VisitReply

_VISIT_ACTION = VisitAction.regex(r"(\d{1,12}):([mxycndlb])(?::(\d{1,10}))?")
_VISIT_REPLY = VisitReply.regex(r"(\d{1,12}):([ymnc])")


def _parse_visits(data: str) -> VisitButton | None:
    if m := _VISIT_ACTION.match(data):
        return VisitAction(int(m[1]), m[2], int(m[3]) if m[3] is not None else None)
    if m := _VISIT_REPLY.match(data):
        return VisitReply(int(m[1]), m[2])
    return None


# --- messages between a client and their therapist ----------------------------------------


@dataclass(frozen=True)
class MessageReply(CallbackData, prefix="mr", pressed_by=THERAPIST):
    client_id: int  # the client whose relayed message it is

    def encode(self) -> str:
        return _check(f"{self.PREFIX}:{self.client_id}")


@dataclass(frozen=True)
class MessagesMute(CallbackData, prefix="mu", pressed_by=THERAPIST):
    client_id: int
    mute: bool  # True: outside working hours the client's messages wait

    def encode(self) -> str:
        return _check(f"{self.PREFIX}:{self.client_id}:{'y' if self.mute else 'n'}")


MessagesButton = MessageReply | MessagesMute

_MESSAGE_REPLY = MessageReply.regex(r"(\d{1,12})")
_MESSAGES_MUTE = MessagesMute.regex(r"(\d{1,12}):([yn])")


def parse_messages(data: str | None) -> MessagesButton | None:
    """The messages button a callback's data names, or None for anything forged or malformed."""
    if not data or len(data.encode()) > MAX_BYTES:
        return None
    button: MessagesButton | None = None
    if m := _MESSAGE_REPLY.match(data):
        button = MessageReply(client_id=int(m[1]))
    elif m := _MESSAGES_MUTE.match(data):
        button = MessagesMute(client_id=int(m[1]), mute=m[2] == "y")
    return _in_range(button)
