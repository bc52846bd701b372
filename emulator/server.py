"""An in-process Telegram Bot API server for tests, benchmarks and the offline demo.

The emulator speaks the subset of the Bot API the Aftercare bot uses, answers like Telegram
(including its error shapes and validation rules) and keeps what each user's phone would show,
so a test can drive the real bot end to end without the network.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import math
import mimetypes
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

import aiohttp
from aiohttp import web

from .htmltext import (
    MAX_CAPTION_LENGTH,
    MAX_TEXT_LENGTH,
    EntityParseError,
    FormattedText,
    bot_command_entities,
    format_text,
)
from .models import (
    ApiCall,
    ApiError,
    BotMessage,
    BusinessChat,
    ChatState,
    Fault,
    MessageKind,
    describe_error,
)
from .phone import Phone
from .validation import (
    CHAT_ACTIONS,
    decode_param,
    image_size,
    int_param,
    scope_key,
    validate_inline_keyboard,
    validate_reply_keyboard,
)

__all__ = ["BotApiEmulator"]

logger = logging.getLogger("emulator")

_PARSE_MODES = frozenset({"html", "markdown", "markdownv2"})
# What Telegram delivers when a bot never specified allowed_updates.
_DEFAULT_ALLOWED_UPDATES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
_QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"
_MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # Bot API limit for documents
# getFile: "For the moment, bots can download files of up to 20MB in size."
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
# What a user's upload is called by kind: the file_id's prefix and the folder of its file_path,
# as Telegram's own look (voice notes are .oga, music under music/).
_USER_FILES: dict[str, tuple[str, str, str]] = {
    "voice": ("AwAC", "voice", ".oga"),
    "audio": ("CQAC", "music", ".mp3"),
    "photo": ("AgAC", "photos", ".jpg"),
    "document": ("BQAC", "documents", ""),
}


@dataclass(frozen=True)
class _Upload:
    filename: str
    data: bytes
    content_type: str


@dataclass(frozen=True)
class _StoredFile:
    file_id: str
    file_unique_id: str
    kind: MessageKind
    data: bytes
    filename: str
    mime_type: str
    path: str
    width: int = 0
    height: int = 0
    duration: int = 0


@dataclass
class _CallbackQuery:
    user_id: int
    message_id: int
    data: str
    answered: bool = False
    text: str | None = None
    show_alert: bool = False


@dataclass
class _Request:
    method: str
    params: dict[str, Any]
    uploads: dict[str, _Upload]
    http: web.Request


@dataclass
class _Webhook:
    """What setWebhook set, and how its deliveries fared (getWebhookInfo)."""

    url: str
    secret_token: str | None
    max_connections: int
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass
class _Bucket:
    """Token bucket: ``rate`` tokens per second, at most ``capacity`` saved up."""

    rate: float
    capacity: float
    tokens: float
    updated: float = field(default_factory=time.monotonic)

    def wait_needed(self, now: float) -> float:
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self) -> None:
        self.tokens -= 1


class _Signal:
    """Broadcast "something changed" to any number of waiters without a lock.

    Everything runs on one event loop, so checking a predicate and then awaiting the current
    event cannot miss a notification that happens in between.
    """

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait_until(self, predicate: Callable[[], bool], seconds: float | None) -> None:
        async with asyncio.timeout(seconds):
            while not predicate():
                await self._event.wait()

    async def next(self, seconds: float | None) -> None:
        """Until the next notify(), or `seconds`."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._event.wait()


Handler = Callable[[_Request], Awaitable[Any]]


class BotApiEmulator:
    """A fake api.telegram.org for one bot, with phones to play its users.

    Point python-telegram-bot at ``base_url``/``base_file_url``; drive users with
    :meth:`user`; inspect ``calls``, ``commands`` and :meth:`transcript`. Misbehaviour comes
    from :meth:`inject` (errors, delays), :meth:`block` and ``rate_limits``.

    Updates wait for getUpdates, or, once the bot called setWebhook, are POSTed to its URL as
    Telegram does: one update per chat in flight, chats side by side up to max_connections, a
    non-2xx answer or a broken connection tried again later (``webhook_retry_delay``,
    doubling). Either way an update counts as confirmed (for ``wait_processed`` and a
    phone's ``send``) once the bot took it: an offset past it, or a 2xx answer.
    """

    def __init__(
        self,
        token: str = "123456:TEST",  # noqa: S107 - a fake token for a fake server
        bot_username: str = "aftercare_demo_bot",
        bot_first_name: str = "Aftercare",
        *,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.token = token
        bot_id_part = token.split(":", 1)[0]
        self.bot_user: dict[str, Any] = {
            "id": int(bot_id_part) if bot_id_part.isdigit() else 1,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.host = host
        self.port = port
        # How long the waiting helpers wait for the bot: long only when something is wrong, and
        # long enough for a loaded two-core machine shaping a Hindi PDF.
        self.wait_timeout: float = 30.0
        self.calls: list[ApiCall] = []
        self.commands: dict[str, list[tuple[str, str]]] = {}
        self.bot_settings: dict[str, Any] = {}

        # Flood control knobs, after the Bot FAQ ("My bot is hitting limits",
        # https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this):
        # "avoid sending more than one message per second" in a chat — "We may allow short
        # bursts that go over this limit, but eventually you'll begin receiving 429 errors" —
        # and "not more than 30 messages per second or so" for bulk notifications. Modelled as
        # token buckets: per chat 1/s with `rate_limit_chat_burst` saved up (the short bursts
        # Telegram tolerates, which a handler's few replies to one tap rely on; 1 is the strict
        # rule), per bot 30/s with a second's worth saved up. A sendMessage with
        # allow_paid_broadcast ("up to 1000 messages per second", paid in Stars; Bot API
        # sendMessage) counts against a bucket of `rate_limit_paid` instead of the bot's 30.
        # A 429 answers a send past either, with retry_after until it would pass.
        self.rate_limits: bool = False
        self.rate_limit_global: float = 30.0
        self.rate_limit_paid: float = 1000.0
        self.rate_limit_per_chat: float = 1.0
        self.rate_limit_chat_burst: int = 3
        # The buckets' time in seconds: a test gives its injected clock, so that the limits
        # apply to the time the bot believes it is (real time by default).
        self.flood_clock: Callable[[], float] = time.monotonic
        self._global_bucket: _Bucket | None = None
        self._paid_bucket: _Bucket | None = None
        self._chat_buckets: dict[int, _Bucket] = {}

        self._chats: dict[int, ChatState] = {}
        self._phones: dict[int, Phone] = {}
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = 1
        # Every update ever enqueued, so redeliver() can hand one out again.
        self._history: dict[int, dict[str, Any]] = {}
        self._deliveries: dict[int, int] = {}  # update_id -> times getUpdates returned it
        self._last_poll_offset: int | None = None
        self._dropped: dict[int, str] = {}  # update_id -> why the bot will never see it
        self._allowed_updates: frozenset[str] = _DEFAULT_ALLOWED_UPDATES
        # False plays a server that delivers what the bot opted out of: Telegram documents
        # that allowed_updates "doesn't affect updates created before the call", and a
        # self-hosted Bot API server of another version may not honour it at all.
        self.honours_allowed_updates: bool = True
        self._business: dict[str, dict[str, Any]] = {}  # connection id -> BusinessConnection
        self._business_chats: dict[tuple[str, int], ChatState] = {}
        self._business_phones: dict[tuple[str, int, int], Phone] = {}
        self._poll_generation = 0
        # Webhook delivery (setWebhook): the chats with an update in flight (one each), and
        # when an update that failed may be tried again (time.monotonic()).
        self._webhook: _Webhook | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._webhook_client: aiohttp.ClientSession | None = None
        self._in_flight: dict[object, int] = {}
        self._posts: set[asyncio.Task[None]] = set()
        self._retry_at: dict[int, float] = {}
        self._failures: dict[int, int] = {}  # update_id -> failed webhook deliveries
        # Telegram tries a failed update again later, waiting longer each time; the first wait
        # is short here so that a test sees the redelivery promptly.
        self.webhook_retry_delay: float = 0.05
        self.webhook_retry_cap: float = 2.0
        # How long Telegram waits for the webhook's answer.
        self.webhook_timeout: float = 60.0
        self._queries: dict[str, _CallbackQuery] = {}
        self._query_ids = itertools.count(5_836_204_917_000_001)
        self._touch = itertools.count(1)
        self._files: dict[str, _StoredFile] = {}
        self._file_paths: dict[str, _StoredFile] = {}
        self._file_counter = itertools.count(1)
        self._faults: list[Fault] = []
        self._held = 0  # calls held back by a delay fault, not yet carried out
        self._transcript: list[str] = []
        self._signal = _Signal()
        self._stopping = False
        self._runner: web.AppRunner | None = None
        self._socket: socket.socket | None = None
        self._handlers: dict[str, tuple[str, Handler]] = self._build_handlers()

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        if self._runner is not None:
            raise RuntimeError("emulator already started")
        self._stopping = False
        app = web.Application(client_max_size=_MAX_UPLOAD_BYTES + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_route("GET", "/file/bot{token}/{path:.+}", self._handle_file)
        # Telegram answers every other path with a JSON 404 too, never an HTML error page.
        app.router.add_route("*", "/{path:.*}", self._handle_unknown_path)
        # access_log=None: every call is already logged (with decoded params) by _handle_api.
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await runner.setup()
        # Binding our own socket is the only public way to learn which port 0 resolved to.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        site = web.SockSite(runner, sock)
        try:
            await site.start()
        except BaseException:
            sock.close()
            await runner.cleanup()
            raise
        self._runner = runner
        self._socket = sock
        self.port = sock.getsockname()[1]
        logger.info("Bot API emulator listening on %s", self.base_url)

    async def stop(self) -> None:
        if self._runner is None:
            return
        # Release long polls and injected delays first so shutdown does not wait them out.
        self._stopping = True
        self._signal.notify()
        await self._stop_webhook()
        runner, self._runner = self._runner, None
        await runner.cleanup()
        if self._socket is not None:
            self._socket.close()
            self._socket = None
        logger.info("Bot API emulator stopped")

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def root_url(self) -> str:
        if self._runner is None:
            raise RuntimeError("emulator is not running; await emu.start() first")
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """For ``Bot(base_url=...)``; PTB appends the token itself."""
        return f"{self.root_url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.root_url}/file/bot"

    # ------------------------------------------------------------------ users & inspection

    def group(self, chat_id: int, title: str, member: Phone, *, cleanup_bot: bool = False) -> Phone:
        """A group chat (negative id) in which `member` writes: the returned phone sends there.

        With `cleanup_bot`, another bot in the group deletes every command the moment it is
        posted (as group clean-up bots do): the bot still receives the update, but replying
        to it fails like on Telegram, with "message to be replied not found".
        """
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        phone = self._phones.get(chat_id)
        if phone is None:
            group = {"id": chat_id, "type": "group", "title": title}
            state = self._chats[chat_id] = ChatState(
                user=member.user_dict, group=group, deletes_commands=cleanup_bot
            )
            phone = self._phones[chat_id] = Phone(self, state)
        return phone

    def channel(self, chat_id: int, title: str, admin: Phone) -> Phone:
        """A channel (negative id) with the bot as an administrator, in which `admin` posts:
        the bot gets ``channel_post`` updates, signed by the channel (no ``from``)."""
        if chat_id >= 0:
            raise ValueError("channel chat ids are negative")
        phone = self._phones.get(chat_id)
        if phone is None:
            channel = {"id": chat_id, "type": "channel", "title": title}
            state = self._chats[chat_id] = ChatState(user=admin.user_dict, group=channel)
            phone = self._phones[chat_id] = Phone(self, state)
        return phone

    def connect_business(self, owner: Phone, *, can_reply: bool = True) -> str:
        """`owner` connects the bot to her Telegram Business account (Settings → Business →
        Chatbots); the bot gets a ``business_connection`` update. Returns the connection id."""
        self.bot_user["can_connect_to_business"] = True  # BotFather's Business Mode
        connection_id = f"emu-business-{len(self._business) + 1}"
        connection: dict[str, Any] = {
            "id": connection_id,
            "user": owner.user_dict,
            "user_chat_id": owner.id,
            "date": int(time.time()),
            "is_enabled": True,
            "rights": {"can_reply": can_reply, "can_read_messages": True},
        }
        self._business[connection_id] = connection
        self._log(f"{owner.first_name} connects the bot to her Business account")
        self._enqueue({"business_connection": dict(connection)})
        return connection_id

    def business_chat(
        self, connection_id: str, customer: Phone, *, as_customer: bool = False
    ) -> Phone:
        """The business account's chat with `customer`, as the owner types in it (or, with
        `as_customer`, as the customer does). Both phones show the same chat; what the bot
        sends with this ``business_connection_id`` lands there, as if the owner wrote it."""
        connection = self._business.get(connection_id)
        if connection is None:
            raise KeyError(f"no business connection {connection_id!r}")
        key = (connection_id, customer.id)
        state = self._business_chats.get(key)
        if state is None:
            business = BusinessChat(connection_id, dict(connection["user"]), customer.user_dict)
            state = self._business_chats[key] = ChatState(user=business.owner, business=business)
            state.known = True
        writer = customer.user_dict if as_customer else state.user
        phone = self._business_phones.get((*key, writer["id"]))
        if phone is None:
            phone = Phone(self, state, sender=writer)
            self._business_phones[(*key, writer["id"])] = phone
        return phone

    def user(
        self,
        id: int,
        first_name: str = "User",
        last_name: str | None = None,
        username: str | None = None,
        *,
        language_code: str | None = None,
        started: bool = False,
    ) -> Phone:
        """The phone of the user ``id`` (created on first use; later calls return it as is).

        ``started`` marks the user as having opened the bot before (so the bot may write to
        them without an update from them first), as for clients set up directly in a database
        by a benchmark or a test.
        """
        phone = self._phones.get(id)
        if phone is None:
            user: dict[str, Any] = {"id": id, "is_bot": False, "first_name": first_name}
            if last_name:
                user["last_name"] = last_name
            if username:
                user["username"] = username
            if language_code:
                user["language_code"] = language_code
            state = self._chats.get(id)
            if state is None:
                state = self._chats[id] = ChatState(user=user)
            else:
                state.user = user
            phone = self._phones[id] = Phone(self, state)
        if started:
            phone._state.known = True
        return phone

    @property
    def phones(self) -> dict[int, Phone]:
        return dict(self._phones)

    def calls_to(self, method: str) -> list[ApiCall]:
        return [call for call in self.calls if call.method.lower() == method.lower()]

    def unanswered_callback_queries(self) -> list[str]:
        return [qid for qid, query in self._queries.items() if not query.answered]

    def transcript(self) -> list[str]:
        return list(self._transcript)

    def clear_log(self) -> None:
        """Forget recorded calls and transcript lines; chats and messages are kept."""
        self.calls.clear()
        self._transcript.clear()

    def inject(self, fault: Fault) -> Fault:
        self._faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        self._faults.clear()

    def block(self, user_id: int) -> None:
        """The user blocks the bot: sends to them fail with 403 until they come back.

        Like Telegram, the bot also gets a ``my_chat_member`` update (status "kicked") if the
        user had talked to it.
        """
        state = self._chat_state(user_id)
        if state.blocked:
            return
        state.blocked = True
        self._log(f"{self._name(state)} blocks the bot")
        self._membership_update(state, old="member", new="kicked")

    def unblock(self, user_id: int) -> None:
        """The user unblocks the bot (sending a message does this implicitly)."""
        state = self._chat_state(user_id)
        if not state.blocked:
            return
        state.blocked = False
        self._log(f"{self._name(state)} unblocks the bot")
        self._membership_update(state, old="kicked", new="member")

    def _membership_update(self, state: ChatState, *, old: str, new: str) -> None:
        if not state.known:
            return

        def member(status: str) -> dict[str, Any]:
            entry: dict[str, Any] = {"user": dict(self.bot_user), "status": status}
            if status == "kicked":
                entry["until_date"] = 0
            return entry

        self._enqueue(
            {
                "my_chat_member": {
                    "chat": state.chat,
                    "from": dict(state.user),
                    "date": int(time.time()),
                    "old_chat_member": member(old),
                    "new_chat_member": member(new),
                }
            }
        )

    def commands_for(self, chat_id: int, language_code: str | None = None) -> list[tuple[str, str]]:
        """The command menu a private chat would show, resolving scopes like Telegram does."""
        for key in (f"chat:{chat_id}", "all_private_chats", "default"):
            if language_code and f"{key}@{language_code}" in self.commands:
                return list(self.commands[f"{key}@{language_code}"])
            if key in self.commands:
                return list(self.commands[key])
        return []

    # ------------------------------------------------------------------ update queue & sync

    def _chat_state(self, user_id: int) -> ChatState:
        state = self._chats.get(user_id)
        if state is None:
            state = self._chats[user_id] = ChatState(
                user={"id": user_id, "is_bot": False, "first_name": f"User {user_id}"}
            )
        return state

    def _enqueue(self, payload: dict[str, Any]) -> int:
        update_id = self._next_update_id
        self._next_update_id += 1
        update = {"update_id": update_id, **payload}
        self._history[update_id] = update
        self._updates.append(update)
        self._signal.notify()
        return update_id

    @property
    def last_update_id(self) -> int:
        """The update_id of the newest update a phone produced (0 before the first)."""
        return self._next_update_id - 1

    def redeliver(self, update_id: int) -> None:
        """Queue an already-confirmed update again, as Telegram does for a bot that crashed
        before confirming it. It keeps its update_id (and a tap its callback query id, which
        the bot already answered), and wait_processed() waits for it again.
        """
        update = self._history.get(update_id)
        if update is None:
            raise KeyError(f"no update {update_id} was ever sent (last is {self.last_update_id})")
        if self._is_pending(update_id):
            return
        self._dropped.pop(update_id, None)
        self._updates.append(update)
        self._updates.sort(key=lambda u: u["update_id"])
        self._log(f"↻ Telegram delivers update {update_id} again")
        self._signal.notify()

    def enqueue_raw(self, payload: dict[str, Any]) -> int:
        """Queue an update exactly as given (its update_id is added): a kind no phone produces
        (a business message, a channel post), or one a library cannot parse, such as the poll
        an older self-hosted Bot API server sends without `persistent_id`. Returns its id."""
        kinds = [key for key in payload if key != "update_id"]
        if len(kinds) != 1:
            raise ValueError(f"an update carries exactly one kind of object, got {kinds}")
        self._log(f"⚙ Telegram delivers a raw {kinds[0]} update")
        return self._enqueue(dict(payload))

    def dropped_reason(self, update_id: int) -> str | None:
        """Why the bot will never see this update (its allowed_updates, a dropped queue)."""
        return self._dropped.get(update_id)

    def _is_pending(self, update_id: int) -> bool:
        return any(u["update_id"] == update_id for u in self._updates)

    def _user_message(
        self,
        state: ChatState,
        text: str,
        reply_to: int | None = None,
        sender: dict[str, Any] | None = None,
    ) -> int:
        if not text:
            raise ValueError("Telegram clients cannot send an empty message")
        if state.business is None:
            # Writing to a bot you blocked means pressing "Restart", which unblocks it.
            self.unblock(state.id)
        state.known = True
        sender = sender or state.user
        message: dict[str, Any] = {
            "message_id": state.allocate_message_id(),
            "from": dict(sender),
            "chat": state.chat,
            "date": int(time.time()),
            "text": text,
        }
        if state.business is not None:
            message["business_connection_id"] = state.business.connection_id
        if state.is_channel:
            del message["from"]
            message["sender_chat"] = state.chat
        if entities := bot_command_entities(text):
            message["entities"] = entities
        if reply_to is not None:  # swipe-to-reply on one of the bot's messages
            if reply_to not in state.messages:
                raise AssertionError(f"no bot message #{reply_to} to reply to")
            original = self._message_dict(state, state.messages[reply_to])
            original.pop("reply_to_message", None)
            message["reply_to_message"] = original
        state.user_messages[message["message_id"]] = message
        who = sender.get("first_name") or sender["id"]
        self._log(f"{who}{self._where(state)}: {_indent(text)}")
        update_id = self._enqueue({_kind(state, "message"): message})
        if state.deletes_commands and text.startswith("/"):
            # The update exists already; only the message is gone when the bot answers.
            del state.user_messages[message["message_id"]]
            self._log(f"🧹 a clean-up bot deletes #{message['message_id']}")
        return update_id

    def _from_user(self, state: ChatState, **content: Any) -> dict[str, Any]:
        """A new message from the chat's user (its id, sender, chat and date, then `content`),
        kept as theirs; writing to a bot one blocked means pressing "Restart", which unblocks
        it."""
        self.unblock(state.id)
        state.known = True
        message: dict[str, Any] = {
            "message_id": state.allocate_message_id(),
            "from": dict(state.user),
            "chat": state.chat,
            "date": int(time.time()),
            **content,
        }
        state.user_messages[message["message_id"]] = message
        return message

    def _user_location(self, state: ChatState, latitude: float, longitude: float) -> int:
        """A location message, as a client sends it from the attachment menu or from a
        reply keyboard's request_location button."""
        message = self._from_user(state, location={"latitude": latitude, "longitude": longitude})
        self._log(f"{self._name(state)}: 📍 {latitude:.4f}, {longitude:.4f}")
        return self._enqueue({"message": message})

    def _user_sticker(self, state: ChatState, emoji: str) -> int:
        """A sticker (Bot API: Sticker), as a user picks one from a pack."""
        number = next(self._file_counter)
        sticker = {
            "file_id": f"CAACAgemu{number:06d}",
            "file_unique_id": f"AgAD{number:06d}",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
        }
        message = self._from_user(state, sticker=sticker)
        self._log(f"{self._name(state)}: [sticker {emoji}]")
        return self._enqueue({"message": message})

    def _user_forward(self, state: ChatState, text: str, sender_name: str) -> int:
        """A text message forwarded from someone else's chat: Telegram marks where it came
        from (forward_origin; a sender who hides their account is a "hidden_user")."""
        if not text:
            raise ValueError("Telegram clients cannot forward an empty message")
        origin = {"type": "hidden_user", "sender_user_name": sender_name, "date": int(time.time())}
        message = self._from_user(state, text=text, forward_origin=origin)
        self._log(f"{self._name(state)}: [forwarded from {sender_name}] {_indent(text)}")
        return self._enqueue({"message": message})

    def _user_file(
        self,
        kind: MessageKind,
        data: bytes,
        *,
        filename: str,
        mime_type: str,
        duration: int = 0,
        width: int = 0,
        height: int = 0,
    ) -> _StoredFile:
        """A file a user uploads: kept so that getFile and the file URL can hand it back."""
        number = next(self._file_counter)
        prefix, folder, default_extension = _USER_FILES[kind]
        extension = "." + filename.rsplit(".", 1)[-1] if "." in filename else default_extension
        stored = _StoredFile(
            file_id=f"{prefix}emu{number:06d}",
            file_unique_id=f"AgAD{number:06d}",
            kind=kind,
            data=data,
            filename=filename,
            mime_type=mime_type,
            path=f"{folder}/file_{number}{extension}",
            width=width,
            height=height,
            duration=duration,
        )
        self._files[stored.file_id] = stored
        self._file_paths[stored.path] = stored
        return stored

    def _user_media(
        self,
        state: ChatState,
        stored: _StoredFile,
        caption: str = "",
        extra: dict[str, Any] | None = None,
    ) -> int:
        """A voice message, an audio file, a photo or a document, with its caption if any."""
        if len(caption) > MAX_CAPTION_LENGTH:
            raise ValueError("Telegram clients cannot send a caption over 1024 characters")
        captioned = {"caption": caption} if caption else {}
        message = self._from_user(state, **_user_file_object(stored), **(extra or {}), **captioned)
        what = f"{stored.kind} {_human_size(len(stored.data))}"
        if stored.duration:
            what += f", {stored.duration // 60}:{stored.duration % 60:02d}"
        shown = f" {_indent(caption)}" if caption else ""
        self._log(f"{self._name(state)}: [{what}]{shown}")
        return self._enqueue({"message": message})

    def _user_edit(self, state: ChatState, message_id: int, text: str) -> int:
        original = state.user_messages.get(message_id)
        if original is None:
            raise AssertionError(f"{self._name(state)} sent no message #{message_id}")
        edited = {**original, "text": text, "edit_date": int(time.time())}
        edited.pop("entities", None)
        if entities := bot_command_entities(text):
            edited["entities"] = entities
        state.user_messages[message_id] = edited
        author = edited.get("from") or edited["sender_chat"]
        who = author.get("first_name") or author.get("title") or author["id"]
        self._log(f"{who}{self._where(state)} edits #{message_id}: {_indent(text)}")
        return self._enqueue({_kind(state, "edited_message"): edited})

    def _inline_query(self, state: ChatState, query: str) -> int:
        if not self.bot_user["supports_inline_queries"]:
            raise AssertionError(
                "the bot's inline mode is off (BotFather /setinline): "
                "Telegram sends it no inline queries"
            )
        self._log(f"{self._name(state)} types @{self.bot_user['username']} {query}")
        return self._enqueue(
            {
                "inline_query": {
                    "id": str(next(self._query_ids)),
                    "from": dict(state.user),
                    "query": query,
                    "offset": "",
                    "chat_type": "sender",
                }
            }
        )

    def _callback_query(self, state: ChatState, message: BotMessage, data: str) -> tuple[int, str]:
        query_id = str(next(self._query_ids))
        self._queries[query_id] = _CallbackQuery(state.id, message.message_id, data)
        update_id = self._enqueue(
            {
                "callback_query": {
                    "id": query_id,
                    "from": dict(state.user),
                    "message": self._message_dict(state, message),
                    "chat_instance": state.chat_instance,
                    "data": data,
                }
            }
        )
        return update_id, query_id

    def _answer_text(self, query_id: str) -> str:
        query = self._queries.get(query_id)
        return (query.text or "") if query is not None else ""

    async def wait_processed(self, timeout: float | None = None) -> None:  # noqa: ASYNC109
        """Wait until the bot has confirmed every update enqueued so far.

        ``timeout`` defaults to ``wait_timeout``; it is a parameter (rather than leaving it to
        ``asyncio.timeout``) so the TimeoutError can explain which update is stuck and why.
        """
        # Dropped or filtered-out updates leave the queue too: they need no confirmation.
        limit = self.wait_timeout if timeout is None else timeout
        try:
            await self._signal.wait_until(lambda: not self._updates or self._stopping, limit)
        except TimeoutError:
            stuck = self._updates[0]["update_id"]
            raise TimeoutError(self._not_confirmed_reason(stuck, limit)) from None
        if self._updates:
            raise RuntimeError("emulator stopped while updates were still pending")

    async def _wait_confirmed(self, update_id: int, within: float | None) -> None:
        """Wait until the update has left the queue: confirmed by an offset past it (or
        dropped, which is reported as an error because the bot never saw it).
        """
        limit = self.wait_timeout if within is None else within
        try:
            await self._signal.wait_until(
                lambda: not self._is_pending(update_id) or self._stopping, limit
            )
        except TimeoutError:
            raise TimeoutError(self._not_confirmed_reason(update_id, limit)) from None
        if update_id in self._dropped:
            raise RuntimeError(
                f"update {update_id} never reached the bot: {self._dropped[update_id]}"
            )
        if self._is_pending(update_id):
            raise RuntimeError(f"emulator stopped before the bot confirmed update {update_id}")

    def _not_confirmed_reason(self, update_id: int, timeout: float) -> str:
        base = f"bot did not confirm update {update_id} within {timeout:g}s"
        if self._webhook is not None:
            failures = self._failures.get(update_id, 0)
            if update_id in self._in_flight.values():
                return f"{base}: posted to the webhook, which has not answered yet"
            if failures:
                return (
                    f"{base}: posting it to the webhook failed {failures} time(s), last: "
                    f"{self._webhook.last_error_message}"
                )
            return f"{base}: waiting for an earlier update of its chat, or a free connection"
        if self._last_poll_offset is None:
            return f"{base}: it never called getUpdates on this emulator"
        if self._deliveries.get(update_id):
            return (
                f"{base}: getUpdates delivered it, but the bot has not polled again with "
                f"offset > {update_id} (still busy handling it, or its handler hangs?)"
            )
        return (
            f"{base}: the bot has not fetched it yet "
            f"(last getUpdates offset={self._last_poll_offset})"
        )

    def _filter_allowed(self) -> None:
        """Discard queued updates of types the bot opted out of; Telegram never creates them."""
        if not self.honours_allowed_updates:
            return
        kept: list[dict[str, Any]] = []
        for update in self._updates:
            kind = next(key for key in update if key != "update_id")
            if kind in self._allowed_updates:
                kept.append(update)
            else:
                self._dropped[update["update_id"]] = f"the bot's allowed_updates excludes {kind!r}"
        if len(kept) != len(self._updates):
            self._updates = kept
            self._signal.notify()

    def _apply_offset(self, offset: int) -> None:
        if offset > 0:
            kept = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            # Telegram: a negative offset returns the last |offset| updates and forgets the rest.
            kept = self._updates[offset:]
        else:
            return
        if len(kept) != len(self._updates):
            self._updates = kept
            self._signal.notify()

    # ------------------------------------------------------------------ HTTP plumbing

    def _build_handlers(self) -> dict[str, tuple[str, Handler]]:
        table: dict[str, Handler] = {
            "getMe": self._get_me,
            "logOut": self._ok_true,
            "close": self._ok_true,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "setMyDescription": self._setting("description"),
            "getMyDescription": self._getting("description"),
            "setMyShortDescription": self._setting("short_description"),
            "getMyShortDescription": self._getting("short_description"),
            "setMyName": self._setting("name"),
            "getMyName": self._getting("name"),
            "setChatMenuButton": self._setting("menu_button"),
            "getChatMenuButton": self._getting("menu_button"),
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "sendDocument": self._send_document,
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "sendChatAction": self._send_chat_action,
            "getFile": self._get_file,
            "getBusinessConnection": self._get_business_connection,
        }
        # Bot API method names are case-insensitive.
        return {name.lower(): (name, handler) for name, handler in table.items()}

    async def _handle_api(self, request: web.Request) -> web.Response:
        method_in_path = request.match_info["method"]
        entry = self._handlers.get(method_in_path.lower())
        method = entry[0] if entry else method_in_path
        params: dict[str, Any] = {}
        result: Any = None
        try:
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            if entry is None:
                raise ApiError(404, "Not Found")
            params, uploads = await self._read_params(request)
            result = await self._dispatch(entry[1], _Request(method, params, uploads, request))
        except ApiError as error:
            self._record(method, params, error=error)
            return web.json_response(error.payload(), status=error.error_code)
        except Exception as exc:
            # An emulator bug must still look like a Telegram failure to the bot, and be loud.
            logger.exception("emulator failed while handling %s %s", method, params)
            failure = ApiError(500, f"Internal Server Error: emulator bug: {exc!r}")
            self._record(method, params, error=failure)
            return web.json_response(failure.payload(), status=500)
        self._record(method, params, result=result)
        return web.json_response({"ok": True, "result": result})

    async def _handle_unknown_path(self, request: web.Request) -> web.Response:
        return web.json_response(ApiError(404, "Not Found").payload(), status=404)

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        stored = self._file_paths.get(request.match_info["path"])
        if request.match_info["token"] != self.token or stored is None:
            return web.json_response(ApiError(404, "Not Found").payload(), status=404)
        return web.Response(body=stored.data, content_type=stored.mime_type)

    async def _read_params(self, request: web.Request) -> tuple[dict[str, Any], dict[str, _Upload]]:
        raw: dict[str, Any] = dict(request.query)
        uploads: dict[str, _Upload] = {}
        if request.body_exists:
            if request.content_type == "application/json":
                try:
                    body = await request.json()
                except ValueError:
                    raise ApiError.bad_request("can't parse JSON body") from None
                if not isinstance(body, dict):
                    raise ApiError.bad_request("JSON body must be an object")
                raw.update(body)
            elif request.content_type in (
                "application/x-www-form-urlencoded",
                "multipart/form-data",
            ):
                form = await request.post()
                for key, value in form.items():
                    if isinstance(value, web.FileField):
                        # Uploads are already spooled by aiohttp; reading is local and bounded.
                        data = value.file.read()
                        uploads[key] = _Upload(value.filename, data, value.content_type)
                        raw[key] = f"<upload {value.filename}, {len(data)} bytes>"
                    else:
                        raw[key] = value
        return {key: decode_param(key, value) for key, value in raw.items()}, uploads

    async def _dispatch(self, handler: Handler, call: _Request) -> Any:
        fault = next(
            (f for f in self._faults if f.matches(call.method, call.params.get("chat_id"))),
            None,
        )
        if fault is None:
            return await handler(call)
        fault.hits += 1
        self._held += 1
        self._signal.notify()  # for wait_holding
        try:
            if fault.delay > 0:
                await self._sleep(fault.delay)
            if (error := fault.to_error(call.params)) is not None:
                raise error
            return await handler(call)
        finally:
            self._held -= 1
            self._signal.notify()

    async def wait_holding(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until a call is being held back by a delay fault (a send is in flight)."""
        await self._signal.wait_until(lambda: self._held > 0 or self._stopping, timeout)

    async def wait_held(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until every call held back by a delay fault has been carried out (the bot may
        have given up on them long ago: what a slow Telegram still delivers arrives now)."""
        await self._signal.wait_until(lambda: self._held == 0 or self._stopping, timeout)

    async def _sleep(self, seconds: float) -> None:
        # Interruptible by stop(), so a long injected delay never holds up shutdown.
        with contextlib.suppress(TimeoutError):
            await self._signal.wait_until(lambda: self._stopping, seconds)

    def _record(
        self,
        method: str,
        params: dict[str, Any],
        *,
        result: Any = None,
        error: ApiError | None = None,
    ) -> None:
        call = ApiCall(
            method=method,
            params=params,
            ok=error is None,
            error_code=error.error_code if error else None,
            description=error.description if error else None,
            at=time.monotonic(),
            result=result,
        )
        self.calls.append(call)
        if error is None:
            logger.debug("%s %s -> ok", method, params)
            return
        logger.debug("%s %s -> %s %s", method, params, error.error_code, error.description)
        if method != "getUpdates":
            self._log(f"⚠ {method} failed: {error.error_code} {error.description}")

    # ------------------------------------------------------------------ shared validation

    def _target_chat(self, params: dict[str, Any], *, sending: bool = True) -> ChatState:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise ApiError.bad_request("chat_id is empty")
        connection_id = params.get("business_connection_id")
        if connection_id:
            # On behalf of a business account: into its chat with that customer.
            connection = self._business.get(str(connection_id))
            if connection is None or not connection["is_enabled"]:
                raise ApiError.bad_request("BUSINESS_CONNECTION_INVALID")
            business_chat = self._business_chats.get((str(connection_id), chat_id))
            if business_chat is None:
                raise ApiError.bad_request("chat not found")
            return business_chat
        state = self._chats.get(chat_id) if isinstance(chat_id, int) else None
        if state is None or not state.known:
            raise ApiError.bad_request("chat not found")
        if sending and state.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return state

    def _check_flood(self, state: ChatState, *, paid: bool = False) -> None:
        if not self.rate_limits:
            return
        now = self.flood_clock()
        if paid:
            if self._paid_bucket is None:
                rate = self.rate_limit_paid
                self._paid_bucket = _Bucket(rate, rate, rate, updated=now)
            bot_bucket = self._paid_bucket
        else:
            if self._global_bucket is None:
                rate = self.rate_limit_global
                self._global_bucket = _Bucket(rate, rate, rate, updated=now)
            bot_bucket = self._global_bucket
        chat_bucket = self._chat_buckets.get(state.id)
        if chat_bucket is None:
            burst = float(self.rate_limit_chat_burst)
            chat_bucket = self._chat_buckets[state.id] = _Bucket(
                self.rate_limit_per_chat, burst, burst, updated=now
            )
        wait = max(bot_bucket.wait_needed(now), chat_bucket.wait_needed(now))
        if wait > 0:
            raise ApiError.too_many_requests(max(1, math.ceil(wait)))
        bot_bucket.take()
        chat_bucket.take()

    def _format(
        self, params: dict[str, Any], key: str, *, caption: bool
    ) -> tuple[FormattedText, str | None, str]:
        raw = params.get(key)
        raw_text = "" if raw is None else str(raw)
        if not raw_text and not caption:
            raise ApiError.bad_request("message text is empty")
        parse_mode = params.get("parse_mode") or None
        if parse_mode is not None and str(parse_mode).lower() not in _PARSE_MODES:
            raise ApiError.bad_request("unsupported parse_mode")
        entities = params.get("caption_entities" if caption else "entities")
        try:
            formatted = format_text(
                raw_text, parse_mode, entities if isinstance(entities, list) else None
            )
        except EntityParseError as error:
            raise ApiError.bad_request(f"can't parse entities: {error}") from None
        if not caption and not formatted.text:
            raise ApiError.bad_request("message text is empty")
        if caption and len(formatted.text) > MAX_CAPTION_LENGTH:
            raise ApiError.bad_request("message caption is too long")
        if not caption and len(formatted.text) > MAX_TEXT_LENGTH:
            raise ApiError.bad_request("message is too long")
        return formatted, parse_mode, raw_text

    def _markup(
        self, params: dict[str, Any], state: ChatState | None, *, inline_only: bool
    ) -> dict[str, Any] | None:
        """Validate reply_markup; return the inline keyboard to store on the message, if any.

        Reply keyboards are applied to the chat (not the message) as Telegram does: they are
        never echoed back in the Message object.
        """
        markup = params.get("reply_markup")
        if markup is None or markup == "":
            return None
        if not isinstance(markup, dict):
            raise ApiError.bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            return validate_inline_keyboard(markup["inline_keyboard"])
        if inline_only:
            raise ApiError.bad_request("inline keyboard expected")
        if "keyboard" in markup:
            rows, requests = validate_reply_keyboard(markup["keyboard"])
            if state is not None:
                state.reply_keyboard, state.reply_keyboard_requests = rows, requests
        elif markup.get("remove_keyboard") is True:
            if state is not None:
                state.reply_keyboard, state.reply_keyboard_requests = None, {}
        elif markup.get("force_reply") is not True:
            raise ApiError.bad_request("can't parse reply keyboard markup JSON object")
        return None

    def _reply_to(self, params: dict[str, Any], state: ChatState) -> int | None:
        reply = params.get("reply_parameters")
        message_id: Any = params.get("reply_to_message_id")
        allow_missing = bool(params.get("allow_sending_without_reply"))
        if isinstance(reply, dict):
            message_id = reply.get("message_id")
            allow_missing = bool(reply.get("allow_sending_without_reply", allow_missing))
        if message_id is None:
            return None
        if state.business is not None:
            allow_missing = True  # "always True for messages sent on behalf of a business account"
        exists = isinstance(message_id, int) and (
            message_id in state.user_messages or message_id in state.messages
        )
        if exists:
            return int(message_id)
        if allow_missing:
            return None
        raise ApiError.bad_request("message to be replied not found")

    def _bot_message_for_edit(self, params: dict[str, Any]) -> tuple[ChatState, BotMessage]:
        if params.get("inline_message_id"):
            raise ApiError.bad_request("MESSAGE_ID_INVALID")
        state = self._target_chat(params)
        message_id = params.get("message_id")
        if not isinstance(message_id, int):
            raise ApiError.bad_request("message identifier is not specified")
        if message_id in state.user_messages:
            raise ApiError.bad_request("message can't be edited")
        message = state.messages.get(message_id)
        if message is None or message.deleted:
            raise ApiError.bad_request("message to edit not found")
        return state, message

    # ------------------------------------------------------------------ message dicts

    def _message_dict(self, state: ChatState, message: BotMessage) -> dict[str, Any]:
        result: dict[str, Any] = {
            "message_id": message.message_id,
            "from": dict(self.bot_user),
            "chat": state.chat,
            "date": message.date,
        }
        if state.business is not None:  # written by the bot, shown as the account's own
            result["from"] = dict(state.business.owner)
            result["sender_business_bot"] = dict(self.bot_user)
            result["business_connection_id"] = state.business.connection_id
        if message.kind == "text":
            result["text"] = message.text
            if message.entities:
                result["entities"] = message.entities
        else:
            if message.text:
                result["caption"] = message.text
                if message.entities:
                    result["caption_entities"] = message.entities
            stored = self._files.get(message.file_id or "")
            if stored is not None:
                result.update(_file_object(stored))
        if message.reply_markup:
            result["reply_markup"] = message.reply_markup
        if message.edit_date is not None:
            result["edit_date"] = message.edit_date
        if message.reply_to_message_id is not None:
            original = state.user_messages.get(message.reply_to_message_id)
            if original is None and message.reply_to_message_id in state.messages:
                original = self._message_dict(state, state.messages[message.reply_to_message_id])
                original.pop("reply_to_message", None)
            if original is not None:
                result["reply_to_message"] = original
        return result

    def _new_message(
        self,
        state: ChatState,
        kind: MessageKind,
        formatted: FormattedText,
        parse_mode: str | None,
        raw_text: str,
        markup: dict[str, Any] | None,
        reply_to: int | None,
        stored: _StoredFile | None = None,
    ) -> BotMessage:
        message = BotMessage(
            message_id=state.allocate_message_id(),
            chat_id=state.id,
            text=formatted.text,
            date=int(time.time()),
            kind=kind,
            parse_mode=parse_mode,
            raw_text=raw_text,
            entities=formatted.entities,
            reply_markup=markup,
            reply_to_message_id=reply_to,
        )
        if stored is not None:
            message.file_bytes = stored.data
            message.filename = stored.filename
            message.mime_type = stored.mime_type
            message.file_id = stored.file_id
        state.messages[message.message_id] = message
        state.touched[message.message_id] = next(self._touch)
        self._signal.notify()
        return message

    # ------------------------------------------------------------------ method handlers

    async def _ok_true(self, call: _Request) -> bool:
        return True

    async def _get_me(self, call: _Request) -> dict[str, Any]:
        return dict(self.bot_user)

    async def _get_business_connection(self, call: _Request) -> dict[str, Any]:
        connection = self._business.get(str(call.params.get("business_connection_id", "")))
        if connection is None:
            raise ApiError.bad_request("BUSINESS_CONNECTION_INVALID")
        return dict(connection)

    async def _get_updates(self, call: _Request) -> list[dict[str, Any]]:
        params = call.params
        if call.http.transport is None:
            # The client gave up (e.g. during an injected delay); nothing can be delivered, and
            # claiming the poll slot would wrongly evict the client's retry with a 409.
            return []
        if self._webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use "
                "deleteWebhook to delete the webhook first",
            )
        offset = int_param(params, "offset", 0)
        limit = min(max(int_param(params, "limit", 100), 1), 100)
        timeout = max(int_param(params, "timeout", 0), 0)
        self._poll_generation += 1
        generation = self._poll_generation
        self._signal.notify()  # an older poll still waiting must now end with 409
        self._last_poll_offset = offset
        self._apply_offset(offset)
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            # Persistent like on Telegram; an empty list restores the default selection.
            self._allowed_updates = frozenset(allowed) or _DEFAULT_ALLOWED_UPDATES
        self._filter_allowed()

        def ready() -> bool:
            self._filter_allowed()
            return bool(self._updates) or generation != self._poll_generation or self._stopping

        if timeout > 0:
            with contextlib.suppress(TimeoutError):
                await self._signal.wait_until(ready, timeout)
        if generation != self._poll_generation:
            raise ApiError(409, describe_error(409))
        batch = self._updates[:limit]
        for update in batch:
            self._deliveries[update["update_id"]] = self._deliveries.get(update["update_id"], 0) + 1
        return batch

    async def _delete_webhook(self, call: _Request) -> bool:
        await self._stop_webhook()
        if call.params.get("drop_pending_updates") is True:
            self._drop_pending("deleteWebhook")
        return True

    def _drop_pending(self, method: str) -> None:
        if not self._updates:
            return
        reason = f"dropped by {method}(drop_pending_updates=True); start the bot before sending"
        self._dropped.update((u["update_id"], reason) for u in self._updates)
        logger.warning("dropping %d pending updates at the bot's request", len(self._updates))
        self._updates.clear()
        self._signal.notify()

    async def _get_webhook_info(self, call: _Request) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self._webhook.url if self._webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self._webhook is not None:
            info["max_connections"] = self._webhook.max_connections
            info["allowed_updates"] = sorted(self._allowed_updates)
            if self._webhook.last_error_date is not None:
                info["last_error_date"] = self._webhook.last_error_date
                info["last_error_message"] = self._webhook.last_error_message
        return info

    # ------------------------------------------------------------------ webhook delivery

    async def _set_webhook(self, call: _Request) -> bool:
        params = call.params
        url = str(params.get("url") or "")
        if not url:  # "Use an empty string to remove webhook integration"
            return await self._delete_webhook(call)
        # Telegram posts to https only; like a self-hosted Bot API server (--local), the
        # emulator also posts to plain http on the loopback, where tests listen.
        if not (url.startswith("https://") or url.startswith("http://127.0.0.1")):
            raise ApiError.bad_request("bad webhook: HTTPS url must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None:
            secret = str(secret)
            if not (1 <= len(secret) <= 256) or not all(
                c.isascii() and (c.isalnum() or c in "_-") for c in secret
            ):
                raise ApiError.bad_request("secret token contains unallowed characters")
        max_connections = int_param(params, "max_connections", 40)
        if not 1 <= max_connections <= 100:
            raise ApiError.bad_request("bad webhook: max_connections must be between 1 and 100")
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = frozenset(allowed) or _DEFAULT_ALLOWED_UPDATES
        if params.get("drop_pending_updates") is True:
            self._drop_pending("setWebhook")
        if self._webhook is None:
            self._webhook = _Webhook(url, secret, max_connections)
        else:  # setting it again keeps how it fared
            self._webhook.url, self._webhook.secret_token = url, secret
            self._webhook.max_connections = max_connections
        if self._webhook_client is None:
            self._webhook_client = aiohttp.ClientSession()
        if self._webhook_task is None or self._webhook_task.done():
            self._webhook_task = asyncio.create_task(self._deliver_to_webhook())
        self._poll_generation += 1  # a long poll still waiting ends (with 409)
        self._signal.notify()
        return True

    @property
    def webhook_url(self) -> str:
        """Where updates are posted ("" while the bot polls)."""
        return self._webhook.url if self._webhook else ""

    @property
    def webhook_last_error(self) -> str | None:
        return self._webhook.last_error_message if self._webhook else None

    def webhook_failures(self, update_id: int) -> int:
        """How many times posting this update to the webhook failed."""
        return self._failures.get(update_id, 0)

    async def _stop_webhook(self) -> None:
        self._webhook = None
        task, self._webhook_task = self._webhook_task, None
        posts, self._posts = set(self._posts), set()
        for running in (task, *posts):
            if running is not None:
                running.cancel()
        for running in (task, *posts):
            if running is not None:
                with contextlib.suppress(asyncio.CancelledError):
                    await running
        self._in_flight.clear()
        client, self._webhook_client = self._webhook_client, None
        if client is not None:
            await client.close()

    async def _deliver_to_webhook(self) -> None:
        """Post the pending updates, each chat's one at a time and in order, different chats
        side by side up to max_connections; a failed one is tried again later."""
        while self._webhook is not None and not self._stopping:
            hook = self._webhook
            now = time.monotonic()
            wake: float | None = None
            chats: set[object] = set()
            for update in list(self._updates):
                if len(self._in_flight) >= hook.max_connections:
                    break
                update_id = update["update_id"]
                kind = next(key for key in update if key != "update_id")
                if self.honours_allowed_updates and kind not in self._allowed_updates:
                    self._dropped[update_id] = f"the bot's allowed_updates excludes {kind!r}"
                    self._updates.remove(update)
                    continue
                chat = _chat_of(update)
                if chat in chats:
                    continue  # a later update of a chat waits for its earlier one
                chats.add(chat)
                if chat in self._in_flight:
                    continue
                due = self._retry_at.get(update_id, 0.0)
                if due > now:
                    wake = due if wake is None else min(wake, due)
                    continue
                self._in_flight[chat] = update_id
                post = asyncio.create_task(self._post_update(hook, update, chat))
                self._posts.add(post)
                post.add_done_callback(self._posts.discard)
            await self._signal.next(None if wake is None else max(0.0, wake - now))

    async def _post_update(self, hook: _Webhook, update: dict[str, Any], chat: object) -> None:
        update_id = update["update_id"]
        headers = {}
        if hook.secret_token is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = hook.secret_token
        assert self._webhook_client is not None
        error: str | None = None
        try:
            async with self._webhook_client.post(
                hook.url,
                json=update,
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=self.webhook_timeout),
            ) as answer:
                await answer.read()
                if not 200 <= answer.status < 300:
                    error = f"Wrong response from the webhook: {answer.status} {answer.reason}"
        except TimeoutError:
            error = "Read timeout expired"
        except aiohttp.ClientConnectionError as exc:
            error = "Connection refused" if "refused" in str(exc).lower() else type(exc).__name__
        finally:
            if self._in_flight.get(chat) == update_id:
                del self._in_flight[chat]
        self._deliveries[update_id] = self._deliveries.get(update_id, 0) + 1
        if error is None:
            self._retry_at.pop(update_id, None)
            if update in self._updates:
                self._updates.remove(update)
        else:
            failures = self._failures[update_id] = self._failures.get(update_id, 0) + 1
            delay = min(self.webhook_retry_cap, self.webhook_retry_delay * 2 ** (failures - 1))
            self._retry_at[update_id] = time.monotonic() + delay
            hook.last_error_date = int(time.time())
            hook.last_error_message = error
            self._log(f"⚠ webhook: update {update_id} not delivered: {error}")
        self._signal.notify()

    async def _set_my_commands(self, call: _Request) -> bool:
        commands = call.params.get("commands")
        if not isinstance(commands, list):
            raise ApiError.bad_request("can't parse commands JSON object")
        parsed: list[tuple[str, str]] = []
        for item in commands:
            if not isinstance(item, dict):
                raise ApiError.bad_request("can't parse BotCommand JSON object")
            command = str(item.get("command", "")).removeprefix("/")
            description = str(item.get("description", ""))
            if not (1 <= len(command) <= 32) or not all(
                c.isascii() and (c.islower() or c.isdigit() or c == "_") for c in command
            ):
                raise ApiError.bad_request("BOT_COMMAND_INVALID")
            if not (1 <= len(description) <= 256):
                raise ApiError.bad_request("command description is empty or too long")
            parsed.append((command, description))
        key = scope_key(call.params)
        if parsed:
            self.commands[key] = parsed
        else:
            self.commands.pop(key, None)
        return True

    async def _get_my_commands(self, call: _Request) -> list[dict[str, str]]:
        return [
            {"command": command, "description": description}
            for command, description in self.commands.get(scope_key(call.params), [])
        ]

    async def _delete_my_commands(self, call: _Request) -> bool:
        self.commands.pop(scope_key(call.params), None)
        return True

    def _setting(self, name: str) -> Handler:
        async def handler(call: _Request) -> bool:
            value = call.params.get(name)
            if value is None and name == "menu_button":
                value = {"type": "default"}
            self.bot_settings[name] = value
            return True

        return handler

    def _getting(self, name: str) -> Handler:
        async def handler(call: _Request) -> Any:
            value = self.bot_settings.get(name)
            if name == "menu_button":
                return value or {"type": "default"}
            return {name: value or ""}

        return handler

    async def _send_message(self, call: _Request) -> dict[str, Any]:
        params = call.params
        state = self._target_chat(params)
        formatted, parse_mode, raw_text = self._format(params, "text", caption=False)
        keyboard_before = state.reply_keyboard
        markup = self._markup(params, state, inline_only=False)
        reply_to = self._reply_to(params, state)
        self._check_flood(state, paid=params.get("allow_paid_broadcast") in (True, "true"))
        message = self._new_message(
            state, "text", formatted, parse_mode, raw_text, markup, reply_to
        )
        self._log(
            f"Bot → {self._name(state)}: {_indent(message.text)}{_buttons(message)}"
            f"{_keyboard_change(keyboard_before, state.reply_keyboard)}"
        )
        return self._message_dict(state, message)

    async def _send_photo(self, call: _Request) -> dict[str, Any]:
        return await self._send_media(call, "photo")

    async def _send_document(self, call: _Request) -> dict[str, Any]:
        return await self._send_media(call, "document")

    async def _send_media(self, call: _Request, kind: MessageKind) -> dict[str, Any]:
        params = call.params
        state = self._target_chat(params)
        stored = self._resolve_file(call, kind)
        formatted, parse_mode, raw_text = self._format(params, "caption", caption=True)
        keyboard_before = state.reply_keyboard
        markup = self._markup(params, state, inline_only=False)
        reply_to = self._reply_to(params, state)
        self._check_flood(state)
        message = self._new_message(
            state, kind, formatted, parse_mode, raw_text, markup, reply_to, stored
        )
        size = _human_size(len(stored.data))
        caption = f" {_indent(message.text)}" if message.text else ""
        self._log(
            f"Bot → {self._name(state)}: [{kind} {stored.filename}, {size}]{caption}"
            f"{_buttons(message)}{_keyboard_change(keyboard_before, state.reply_keyboard)}"
        )
        return self._message_dict(state, message)

    def _resolve_file(self, call: _Request, kind: MessageKind) -> _StoredFile:
        value = call.params.get(kind)
        upload = call.uploads.get(kind)
        if isinstance(value, str) and value.startswith("attach://"):
            upload = call.uploads.get(value.removeprefix("attach://"))
            if upload is None:
                raise ApiError.bad_request(f"wrong HTTP URL specified: {value}")
        if upload is not None:
            return self._store_upload(upload, kind)
        if not value:
            raise ApiError.bad_request(f"there is no {kind} in the request")
        text = str(value)
        existing = self._files.get(text)
        if existing is not None:
            if existing.kind != kind:
                raise ApiError.bad_request("type of file mismatch")
            return existing
        if text.startswith(("http://", "https://")):
            # The emulator is offline: accept the URL and record an empty file for it.
            name = text.rsplit("/", 1)[-1] or kind
            return self._store_upload(_Upload(name, b"", _guess_mime(name)), kind, check=False)
        raise ApiError.bad_request("wrong file identifier/HTTP URL specified")

    def _store_upload(
        self, upload: _Upload, kind: MessageKind, *, check: bool = True
    ) -> _StoredFile:
        width = height = 0
        if check:
            if not upload.data:
                raise ApiError.bad_request("file must be non-empty")
            if kind == "photo":
                size = image_size(upload.data)
                if size is None:
                    raise ApiError.bad_request("IMAGE_PROCESS_FAILED")
                width, height = size
        number = next(self._file_counter)
        filename = upload.filename or f"file_{number}"
        mime_type = upload.content_type
        if not mime_type or mime_type == "application/octet-stream":
            mime_type = _guess_mime(filename)
        extension = "." + filename.rsplit(".", 1)[-1] if "." in filename else ""
        folder = "photos" if kind == "photo" else "documents"
        stored = _StoredFile(
            file_id=f"{'AgAC' if kind == 'photo' else 'BQAC'}emu{number:06d}",
            file_unique_id=f"AQAD{number:06d}",
            kind=kind,
            data=upload.data,
            filename=filename,
            mime_type=mime_type,
            path=f"{folder}/file_{number}{extension}",
            width=width,
            height=height,
        )
        self._files[stored.file_id] = stored
        self._file_paths[stored.path] = stored
        return stored

    async def _get_file(self, call: _Request) -> dict[str, Any]:
        stored = self._files.get(str(call.params.get("file_id", "")))
        if stored is None:
            raise ApiError.bad_request("invalid file_id")
        if len(stored.data) > MAX_DOWNLOAD_BYTES:
            raise ApiError.bad_request("file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.path,
        }

    async def _edit_message_text(self, call: _Request) -> dict[str, Any]:
        params = call.params
        state, message = self._bot_message_for_edit(params)
        if message.kind != "text":
            raise ApiError.bad_request("there is no text in the message to edit")
        formatted, parse_mode, raw_text = self._format(params, "text", caption=False)
        return self._apply_edit(call, state, message, formatted, parse_mode, raw_text)

    async def _edit_message_caption(self, call: _Request) -> dict[str, Any]:
        params = call.params
        state, message = self._bot_message_for_edit(params)
        if message.kind == "text":
            raise ApiError.bad_request("there is no caption in the message to edit")
        formatted, parse_mode, raw_text = self._format(params, "caption", caption=True)
        return self._apply_edit(call, state, message, formatted, parse_mode, raw_text)

    def _apply_edit(
        self,
        call: _Request,
        state: ChatState,
        message: BotMessage,
        formatted: FormattedText,
        parse_mode: str | None,
        raw_text: str,
    ) -> dict[str, Any]:
        # Like Telegram, an edit without reply_markup removes the inline keyboard.
        markup = self._markup(call.params, state, inline_only=True)
        if (
            formatted.text == message.text
            and formatted.entities == message.entities
            and markup == message.reply_markup
        ):
            raise ApiError.bad_request(_NOT_MODIFIED)
        self._check_flood(state)
        text_changed = formatted.text != message.text
        if text_changed:
            message.history.append(message.text)
        message.text = formatted.text
        message.entities = formatted.entities
        message.parse_mode = parse_mode
        message.raw_text = raw_text
        message.reply_markup = markup
        self._touch_edit(state, message)
        if text_changed:
            self._log(
                f"Bot edits #{message.message_id} → {_indent(message.text)}{_buttons(message)}"
            )
        else:
            # Toggling a checkbox re-sends the same text; repeating it would drown the chat.
            self._log_buttons_edit(message)
        return self._message_dict(state, message)

    def _log_buttons_edit(self, message: BotMessage) -> None:
        change = _buttons(message) or "\n   (buttons removed)"
        self._log(f"Bot edits buttons of #{message.message_id}:{change}")

    async def _edit_message_reply_markup(self, call: _Request) -> dict[str, Any]:
        state, message = self._bot_message_for_edit(call.params)
        markup = self._markup(call.params, state, inline_only=True)
        if markup == message.reply_markup:
            raise ApiError.bad_request(_NOT_MODIFIED)
        self._check_flood(state)
        message.reply_markup = markup
        self._touch_edit(state, message)
        self._log_buttons_edit(message)
        return self._message_dict(state, message)

    def _touch_edit(self, state: ChatState, message: BotMessage) -> None:
        message.edits += 1
        message.edit_date = int(time.time())
        state.touched[message.message_id] = next(self._touch)
        self._signal.notify()

    async def _delete_message(self, call: _Request) -> bool:
        state = self._target_chat(call.params, sending=False)
        message_id = call.params.get("message_id")
        if isinstance(message_id, int) and state.user_messages.pop(message_id, None) is not None:
            self._log(f"Bot deletes {self._name(state)}'s message #{message_id}")
            return True
        message = state.messages.get(message_id) if isinstance(message_id, int) else None
        if message is None or message.deleted:
            raise ApiError.bad_request("message to delete not found")
        message.deleted = True
        self._signal.notify()
        self._log(f"Bot deletes #{message.message_id}")
        return True

    async def _answer_callback_query(self, call: _Request) -> bool:
        query_id = str(call.params.get("callback_query_id", ""))
        query = self._queries.get(query_id)
        if query is None or query.answered:
            raise ApiError.bad_request(_QUERY_INVALID)
        text = call.params.get("text")
        text = "" if text is None else str(text)
        if len(text) > 200:
            raise ApiError.bad_request("MESSAGE_TOO_LONG")
        query.answered = True
        query.text = text
        query.show_alert = bool(call.params.get("show_alert"))
        self._chat_state(query.user_id).last_answer = text
        if text:
            how = "alert" if query.show_alert else "tap"
            self._log(f"Bot answers {how}: {_indent(text)}")
        return True

    async def _send_chat_action(self, call: _Request) -> bool:
        self._target_chat(call.params)
        if call.params.get("action") not in CHAT_ACTIONS:
            raise ApiError.bad_request("wrong parameter action in request")
        return True

    # ------------------------------------------------------------------ transcript

    def _name(self, state: ChatState) -> str:
        if state.business is not None:
            customer = state.business.customer
            return f"{state.user.get('first_name')}'s chat with {customer.get('first_name')}"
        return str(state.user.get("first_name") or state.id)

    def _where(self, state: ChatState) -> str:
        """Where a user writes, for the transcript: nothing for the bot's own private chat."""
        if state.business is not None:
            return f" (to {state.business.customer.get('first_name')}, Business)"
        if state.group is not None:
            return f" (in {state.group.get('title')})"
        return ""

    def _log(self, line: str) -> None:
        self._transcript.append(line)


# ---------------------------------------------------------------------- helpers


def _chat_of(update: dict[str, Any]) -> object:
    """Whose turn an update waits for in webhook delivery: its chat (a tap's: its message's),
    else its sender."""
    body = next(value for key, value in update.items() if key != "update_id")
    if isinstance(body, dict):
        chat = body.get("chat") or (body.get("message") or {}).get("chat")
        if isinstance(chat, dict) and "id" in chat:
            return ("chat", chat["id"])
        sender = body.get("from") or body.get("user")
        if isinstance(sender, dict) and "id" in sender:
            return ("user", sender["id"])
    return ("update", update["update_id"])


def _kind(state: ChatState, kind: str) -> str:
    """The update type for a user's message or edit: a business chat's and a channel's have
    their own."""
    if state.business is not None:
        return {"message": "business_message", "edited_message": "edited_business_message"}[kind]
    if state.is_channel:
        return {"message": "channel_post", "edited_message": "edited_channel_post"}[kind]
    return kind


def _file_object(stored: _StoredFile) -> dict[str, Any]:
    base = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.data),
    }
    if stored.kind == "photo":
        return {"photo": [{**base, "width": stored.width, "height": stored.height}]}
    return {"document": {**base, "file_name": stored.filename, "mime_type": stored.mime_type}}


def _user_file_object(stored: _StoredFile) -> dict[str, Any]:
    """The message field of a user's upload (Bot API: Voice, Audio, PhotoSize[], Document)."""
    base: dict[str, Any] = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.data),
    }
    if stored.kind == "photo":
        return {"photo": [{**base, "width": stored.width, "height": stored.height}]}
    if stored.kind == "voice":
        return {"voice": {**base, "duration": stored.duration, "mime_type": stored.mime_type}}
    if stored.kind == "audio":
        return {
            "audio": {
                **base,
                "duration": stored.duration,
                "file_name": stored.filename,
                "mime_type": stored.mime_type,
            }
        }
    return {"document": {**base, "file_name": stored.filename, "mime_type": stored.mime_type}}


def _guess_mime(filename: str) -> str:
    return mimetypes.guess_type(filename, strict=False)[0] or "application/octet-stream"


def _human_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def _indent(text: str) -> str:
    return text.replace("\n", "\n   ")


def _keyboard_change(before: list[list[str]] | None, after: list[list[str]] | None) -> str:
    if after == before:
        return ""
    if not after:
        return "\n   (keyboard removed)"
    return "".join("\n   ⌨ " + " ".join(f"[{label}]" for label in row) for row in after)


def _buttons(message: BotMessage) -> str:
    return "".join("\n   " + " ".join(f"[{label}]" for label in row) for row in message.buttons)
