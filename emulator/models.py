"""Plain data records shared by the emulator server and the Phone helper."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "ApiCall",
    "ApiError",
    "BotMessage",
    "BusinessChat",
    "ChatState",
    "Fault",
    "MessageKind",
    "describe_error",
]

MessageKind = Literal["text", "photo", "document", "voice", "audio"]

_DEFAULT_DESCRIPTIONS: dict[int, str] = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


def describe_error(error_code: int, retry_after: int | None = None) -> str:
    """The description Telegram sends along with a bare error code."""
    if error_code == 429:
        return f"Too Many Requests: retry after {retry_after or 1}"
    return _DEFAULT_DESCRIPTIONS.get(error_code, f"Error {error_code}")


class ApiError(Exception):
    """A Telegram-shaped failure; the server turns it into ``{"ok": false, ...}``."""

    def __init__(
        self, error_code: int, description: str, *, retry_after: int | None = None
    ) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after

    @classmethod
    def bad_request(cls, detail: str) -> ApiError:
        return cls(400, f"Bad Request: {detail}")

    @classmethod
    def too_many_requests(cls, retry_after: int) -> ApiError:
        return cls(429, describe_error(429, retry_after), retry_after=retry_after)

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


@dataclass(frozen=True)
class ApiCall:
    """One HTTP request the bot made, with its decoded parameters and how it was answered.

    ``at`` is ``time.monotonic()`` so benchmarks can measure gaps (e.g. backoff after a 429).
    Integer and JSON parameters are decoded (``chat_id`` is an int even though PTB sends it as
    a form string); file uploads appear as a short ``"<upload name, N bytes>"`` placeholder.
    """

    method: str
    params: dict[str, Any]
    ok: bool
    error_code: int | None
    description: str | None
    at: float
    result: Any = None


@dataclass
class Fault:
    """Misbehaviour to inject into the next ``times`` matching calls (``None`` = until cleared).

    ``method="*"`` matches every method except getUpdates, so a blanket fault cannot stall the
    bot's polling loop by accident; name getUpdates explicitly to fault it. With ``delay`` the
    response is held back that long and then processed normally (the action still happens, as
    it may on real Telegram when a client gives up waiting); with ``error_code`` the call fails
    without any effect. Both together: wait, then fail.

    ``description`` may hold ``{text}``, replaced by the call's text (or caption): Telegram's
    descriptions quote what they tripped on (``can't parse entities: Unsupported start tag
    "…"`` names a word of the text), and which word is the text's business, so the whole of it
    stands in for any.
    """

    method: str = "*"
    error_code: int | None = None
    description: str | None = None
    retry_after: int | None = None
    delay: float = 0.0
    times: int | None = 1
    chat_id: int | None = None
    hits: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        if self.error_code is None and self.delay <= 0:
            raise ValueError("a Fault needs an error_code, a positive delay, or both")
        if self.times is not None and self.times < 1:
            raise ValueError("Fault.times must be positive (or None for unlimited)")
        if self.error_code == 429 and self.retry_after is None:
            self.retry_after = 1

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.hits >= self.times

    def matches(self, method: str, chat_id: Any) -> bool:
        if self.exhausted:
            return False
        if self.method == "*":
            if method == "getUpdates":
                return False
        elif self.method.lower() != method.lower():
            return False
        return self.chat_id is None or str(self.chat_id) == str(chat_id)

    def to_error(self, params: dict[str, Any] | None = None) -> ApiError | None:
        if self.error_code is None:
            return None
        description = self.description or describe_error(self.error_code, self.retry_after)
        if "{text}" in description:
            quoted = str((params or {}).get("text") or (params or {}).get("caption") or "")
            description = description.replace("{text}", quoted)
        retry_after = self.retry_after if self.error_code == 429 else None
        return ApiError(self.error_code, description, retry_after=retry_after)


def _json_copy(value: Any) -> Any:
    """A deep copy of dicts and lists of immutable values (anything else: copy.deepcopy)."""
    if isinstance(value, dict):
        return {key: _json_copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_copy(item) for item in value]
    if value is None or isinstance(value, str | int | float):
        return value
    return copy.deepcopy(value)


@dataclass
class BotMessage:
    """A message as the user's phone currently shows it.

    ``text`` is the displayed text (HTML stripped, entities unescaped) or the caption for media;
    ``raw_text`` keeps what the bot actually sent. ``history`` keeps the earlier displayed
    texts, oldest first. Phones hand out snapshots, so a captured message does not change
    under the caller when the bot edits it later; compare snapshots with ``==`` (same state)
    or by ``message_id`` (same message), not with ``is``.
    """

    message_id: int
    chat_id: int
    text: str
    date: int
    kind: MessageKind = "text"
    parse_mode: str | None = None
    raw_text: str = ""
    entities: list[dict[str, Any]] = field(default_factory=list)
    reply_markup: dict[str, Any] | None = None
    file_bytes: bytes | None = None
    filename: str | None = None
    mime_type: str | None = None
    file_id: str | None = None
    reply_to_message_id: int | None = None
    edits: int = 0
    edit_date: int | None = None
    history: list[str] = field(default_factory=list)
    deleted: bool = False

    def snapshot(self) -> BotMessage:
        """An independent copy, so later edits do not change what a caller captured. The
        mutable fields are JSON-like (what the Bot API sent) and copied as such: deepcopy's
        generic walk made `phone.messages` of a long chat most of a test's time."""
        twin = object.__new__(BotMessage)
        twin.__dict__.update(self.__dict__)
        twin.entities = _json_copy(self.entities)
        twin.reply_markup = _json_copy(self.reply_markup)
        twin.history = list(self.history)
        return twin

    @property
    def caption(self) -> str | None:
        return self.text if self.kind != "text" else None

    @property
    def inline_keyboard(self) -> list[list[dict[str, Any]]]:
        if not self.reply_markup:
            return []
        rows: list[list[dict[str, Any]]] = self.reply_markup.get("inline_keyboard", [])
        return rows

    @property
    def buttons(self) -> list[list[str]]:
        return [[str(button.get("text", "")) for button in row] for row in self.inline_keyboard]

    @property
    def callback_data(self) -> list[list[str]]:
        """Row-aligned with ``buttons``; "" for buttons that carry no callback data (URLs)."""
        return [
            [str(button.get("callback_data", "")) for button in row] for row in self.inline_keyboard
        ]

    def __repr__(self) -> str:
        preview = self.text if len(self.text) <= 40 else self.text[:39] + "…"
        return f"BotMessage(#{self.message_id} {self.kind} {preview!r} buttons={self.buttons})"


@dataclass(frozen=True)
class BusinessChat:
    """A Telegram Business account's private chat with one of its customers, which a bot
    connected to the account sees (and writes in, as the account) through `connection_id`."""

    connection_id: str
    owner: dict[str, Any]
    customer: dict[str, Any]


@dataclass(eq=False)
class ChatState:
    """Everything the emulator knows about one chat: a private chat (chat id == user id), a
    group in which `user` is the member who writes (`group` set), or a business account's
    chat with a customer (`business` set; `user` is the account's owner, the chat's id the
    customer's)."""

    user: dict[str, Any]
    group: dict[str, Any] | None = None
    business: BusinessChat | None = None
    # A clean-up bot in the group deletes each command as soon as it is posted.
    deletes_commands: bool = False
    known: bool = False  # Telegram only lets a bot write to users who have contacted it
    blocked: bool = False
    next_message_id: int = 1
    messages: dict[int, BotMessage] = field(default_factory=dict)
    user_messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    touched: dict[int, int] = field(default_factory=dict)
    reply_keyboard: list[list[str]] | None = None
    # Reply keyboard buttons that ask the client for something: label → "request_location".
    reply_keyboard_requests: dict[str, str] = field(default_factory=dict)
    last_answer: str | None = None

    @property
    def id(self) -> int:
        chat_id: int = self._peer["id"]
        return chat_id

    @property
    def is_channel(self) -> bool:
        return self.group is not None and self.group.get("type") == "channel"

    @property
    def _peer(self) -> dict[str, Any]:
        if self.group is not None:
            return self.group
        return self.business.customer if self.business is not None else self.user

    @property
    def chat(self) -> dict[str, Any]:
        if self.group is not None:
            return dict(self.group)
        chat: dict[str, Any] = {"id": self.id, "type": "private"}
        for key in ("first_name", "last_name", "username"):
            if self._peer.get(key):
                chat[key] = self._peer[key]
        return chat

    @property
    def chat_instance(self) -> str:
        # Telegram gives each chat an opaque, stable numeric string.
        return str(-(self.id * 1_000_003 + 424_242))

    def allocate_message_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id

    def visible(self) -> list[BotMessage]:
        return [m for m in self.messages.values() if not m.deleted]

    def latest(self, *, with_keyboard: bool = False) -> BotMessage | None:
        """Most recently sent-or-edited visible bot message (optionally: with inline buttons)."""
        candidates = [m for m in self.visible() if not with_keyboard or m.inline_keyboard]
        if not candidates:
            return None
        return max(candidates, key=lambda m: self.touched.get(m.message_id, 0))
