"""A user's phone: send messages and tap buttons, see what the bot showed in this chat."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .models import BotMessage, ChatState
from .validation import image_size

if TYPE_CHECKING:
    from .server import BotApiEmulator, _StoredFile

__all__ = ["Phone"]

# A 2×2 PNG: a photo for a test that cares only about its caption.
_SMALL_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000002000000020802000000fdd49a"
    "730000001049444154789c6338d39106440c100a0031fe06e910e229f3000000"
    "0049454e44ae426082"
)


class Phone:
    """One Telegram user writing in one chat: their private chat with the bot (chat id ==
    user id), a group (``emu.group``) or a business account's chat with a customer
    (``emu.business_chat``).

    Obtain it with ``emu.user(...)``. ``send``/``tap`` return once the bot has confirmed the
    resulting update (polled getUpdates past it), so assertions right after them see the bot's
    complete reaction.

    Messages are handed out as snapshots: a ``card = phone.last_message`` kept across later
    taps still shows what the screen showed then; read the property again for the present.
    """

    def __init__(
        self, emulator: BotApiEmulator, state: ChatState, sender: dict[str, Any] | None = None
    ) -> None:
        self._emulator = emulator
        self._state = state
        self._sender = sender  # who types, when not the chat's own user (a business customer)

    def __repr__(self) -> str:
        return f"Phone({self.id}, {self.first_name!r})"

    # ------------------------------------------------------------------ identity

    @property
    def id(self) -> int:
        return self._state.id

    @property
    def chat_id(self) -> int:
        return self._state.id

    @property
    def first_name(self) -> str:
        return str(self.user_dict.get("first_name", ""))

    @property
    def last_name(self) -> str | None:
        return self.user_dict.get("last_name")

    @property
    def username(self) -> str | None:
        return self.user_dict.get("username")

    @property
    def user_dict(self) -> dict[str, Any]:
        """The Telegram ``User`` object this phone sends as ``from``."""
        return dict(self._sender or self._state.user)

    @property
    def blocked(self) -> bool:
        return self._state.blocked

    # ------------------------------------------------------------------ actions

    # The waiting methods take ``timeout`` (default: emu.wait_timeout) instead of relying on
    # asyncio.timeout so that their TimeoutError can say which update is stuck and why.

    async def send(
        self,
        text: str,
        *,
        reply_to: int | None = None,
        wait: bool = True,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> None:
        """Send a text message (as a reply to the bot's message ``reply_to``, if given); with
        ``wait`` return after the bot has processed it."""
        update_id = self._emulator._user_message(self._state, text, reply_to, self._sender)
        if wait:
            await self._emulator._wait_confirmed(update_id, timeout)

    async def send_voice(
        self,
        data: bytes,
        *,
        duration: int,
        mime_type: str = "audio/ogg",
        wait: bool = True,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> None:
        """Hold the microphone button: a voice message (Telegram records OGG/Opus) of
        `duration` seconds, as the client reports it."""
        stored = self._emulator._user_file(
            "voice", data, filename="", mime_type=mime_type, duration=duration
        )
        await self._upload(stored, "", wait, timeout)

    async def send_audio(
        self,
        data: bytes,
        *,
        duration: int,
        filename: str = "recording.mp3",
        mime_type: str = "audio/mpeg",
        caption: str = "",
        wait: bool = True,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> None:
        """Share an audio file from the attachment menu (Telegram sends it as ``audio``)."""
        stored = self._emulator._user_file(
            "audio", data, filename=filename, mime_type=mime_type, duration=duration
        )
        await self._upload(stored, caption, wait, timeout)

    async def send_document(
        self,
        data: bytes,
        *,
        filename: str,
        mime_type: str,
        caption: str = "",
        wait: bool = True,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> None:
        """Share a file as a file (the attachment menu's "File"): Telegram sends it as a
        ``document`` with the name and the MIME type the phone gave it, and no duration."""
        stored = self._emulator._user_file("document", data, filename=filename, mime_type=mime_type)
        await self._upload(stored, caption, wait, timeout)

    async def send_photo(
        self,
        data: bytes | None = None,
        *,
        caption: str = "",
        wait: bool = True,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> None:
        """Send a photo (a small PNG unless `data` is given), with a caption if any."""
        picture = data if data is not None else _SMALL_PNG
        size = image_size(picture)
        if size is None:
            raise ValueError("not a picture Telegram could process")
        stored = self._emulator._user_file(
            "photo", picture, filename="", mime_type="image/jpeg", width=size[0], height=size[1]
        )
        await self._upload(stored, caption, wait, timeout)

    async def _upload(
        self, stored: _StoredFile, caption: str, wait: bool, within: float | None
    ) -> None:
        update_id = self._emulator._user_media(self._state, stored, caption)
        if wait:
            await self._emulator._wait_confirmed(update_id, within)

    async def send_location(
        self,
        latitude: float,
        longitude: float,
        *,
        wait: bool = True,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> None:
        """Send a location from the attachment menu (possible in any private chat)."""
        update_id = self._emulator._user_location(self._state, latitude, longitude)
        if wait:
            await self._emulator._wait_confirmed(update_id, timeout)

    async def send_sticker(
        self,
        emoji: str = "👍",
        *,
        wait: bool = True,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> None:
        """Send a sticker from a pack."""
        update_id = self._emulator._user_sticker(self._state, emoji)
        if wait:
            await self._emulator._wait_confirmed(update_id, timeout)

    async def forward(
        self,
        text: str,
        *,
        sender_name: str = "Someone",
        wait: bool = True,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> None:
        """Forward into this chat a text message from someone else's chat."""
        update_id = self._emulator._user_forward(self._state, text, sender_name)
        if wait:
            await self._emulator._wait_confirmed(update_id, timeout)

    async def share_location(
        self,
        latitude: float,
        longitude: float,
        *,
        wait: bool = True,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> None:
        """Press the reply keyboard's request_location button: the client asks the user, then
        sends the location as a message. Fails if no such button is shown."""
        if not self.location_buttons:
            raise AssertionError(
                f"no request_location button on {self.first_name}'s reply keyboard "
                f"(shown: {self.keyboard})"
            )
        await self.send_location(latitude, longitude, wait=wait, timeout=timeout)

    @property
    def location_buttons(self) -> list[str]:
        """Labels of the reply keyboard's buttons that share the user's location."""
        return [
            label
            for label, request in self._state.reply_keyboard_requests.items()
            if request == "request_location"
        ]

    async def edit(
        self,
        message_id: int,
        text: str,
        *,
        wait: bool = True,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> None:
        """Edit a message this user sent earlier (an ``edited_message`` update)."""
        update_id = self._emulator._user_edit(self._state, message_id, text)
        if wait:
            await self._emulator._wait_confirmed(update_id, timeout)

    async def inline_query(
        self,
        query: str,
        *,
        wait: bool = True,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> None:
        """Type "@bot <query>" in any chat (an ``inline_query``; only with inline mode on)."""
        update_id = self._emulator._inline_query(self._state, query)
        if wait:
            await self._emulator._wait_confirmed(update_id, timeout)

    @property
    def sent_message_ids(self) -> list[int]:
        """Ids of the messages this user sent, oldest first."""
        return sorted(self._state.user_messages)

    async def tap(
        self,
        label: str,
        *,
        message_id: int | None = None,
        wait: bool = True,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> str:
        """Tap an inline button and return the bot's answerCallbackQuery text ("" if none).

        The button is looked up by exact label first, then as a unique case-insensitive
        substring, on ``message_id`` or else on the latest message that has inline buttons.
        """
        message = self._message_with_buttons(message_id)
        button = _find_button(message, label)
        if "callback_data" not in button:
            kind = next((k for k in button if k != "text"), "unknown")
            raise AssertionError(
                f"button [{button['text']}] on message #{message.message_id} is a {kind} "
                "button; tapping it would not reach the bot"
            )
        where = f" on #{message.message_id}" if message_id is not None else ""
        return await self._press(
            message, str(button["callback_data"]), f"[{button['text']}]{where}", wait, timeout
        )

    async def tap_data(
        self,
        data: str,
        *,
        message_id: int | None = None,
        wait: bool = True,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> str:
        """Send a callback query with arbitrary ``data``, as a client showing an outdated
        keyboard (or a forged one) would; returns the answer text like :meth:`tap`.

        The message defaults to the latest one with inline buttons, else the latest bot
        message; it only has to have existed, not to still carry a button with ``data``.
        """
        if not 1 <= len(data.encode("utf-8")) <= 64:
            raise ValueError("Telegram callback data is 1-64 bytes")
        if message_id is not None:
            message = self._state.messages.get(message_id)
            if message is None:
                raise AssertionError(f"no bot message #{message_id} in chat with {self.first_name}")
        else:
            message = self._state.latest(with_keyboard=True) or self._state.latest()
            if message is None:
                raise AssertionError(f"the bot has not sent {self.first_name} anything yet")
        label = next(
            (
                button.get("text")
                for row in message.inline_keyboard
                for button in row
                if button.get("callback_data") == data
            ),
            None,
        )
        shown = f"[{label}]" if label is not None else f"a button with data {data!r}"
        return await self._press(message, data, f"{shown} on #{message.message_id}", wait, timeout)

    async def _press(
        self, message: BotMessage, data: str, shown: str, wait: bool, within: float | None
    ) -> str:
        emulator = self._emulator
        emulator._log(f"{emulator._name(self._state)} taps {shown}")
        update_id, query_id = emulator._callback_query(self._state, message, data)
        if not wait:
            return ""
        await emulator._wait_confirmed(update_id, within)
        return emulator._answer_text(query_id)

    async def wait_processed(self, timeout: float | None = None) -> None:  # noqa: ASYNC109
        """Wait until the bot has confirmed every pending update of this emulator."""
        await self._emulator.wait_processed(timeout)

    async def wait_for_message(
        self,
        predicate: Callable[[BotMessage], bool] | None = None,
        *,
        since: int | None = None,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> BotMessage:
        """Wait for a new bot message in this chat (e.g. a scheduled reminder).

        "New" means sent after this call, or with ``message_id > since`` when ``since`` is
        given; pass ``since=phone.last_message_id`` captured before triggering the bot to rule
        out the race where the message lands before the wait starts.
        """
        baseline = max(self._state.messages, default=0) if since is None else since
        limit = self._emulator.wait_timeout if timeout is None else timeout
        found: list[BotMessage] = []

        def arrived() -> bool:
            for message_id, message in self._state.messages.items():
                if message_id > baseline and (predicate is None or predicate(message)):
                    found.append(message)
                    return True
            return False

        try:
            await self._emulator._signal.wait_until(arrived, limit)
        except TimeoutError:
            raise TimeoutError(
                f"no new bot message for {self.first_name} within {limit:g}s "
                f"(last text: {self.last_text!r})"
            ) from None
        return found[0].snapshot()

    # ------------------------------------------------------------------ what the screen shows

    @property
    def messages(self) -> list[BotMessage]:
        """Bot messages in this chat in send order, as they look now (deleted ones omitted)."""
        return [message.snapshot() for message in self._state.visible()]

    def messages_from(self, index: int) -> list[BotMessage]:
        """``messages[index:]``, copying only those (a long chat read a few at a time)."""
        return [message.snapshot() for message in self._state.visible()[index:]]

    @property
    def message_count(self) -> int:
        """``len(messages)``, copying none."""
        return len(self._state.visible())

    @property
    def last_message(self) -> BotMessage | None:
        """The bot message most recently sent or edited."""
        message = self._state.latest()
        return message.snapshot() if message is not None else None

    @property
    def last_message_id(self) -> int:
        """Highest bot message id in this chat so far (0 if none), deleted ones included."""
        return max(self._state.messages, default=0)

    @property
    def last_text(self) -> str:
        message = self.last_message
        return message.text if message is not None else ""

    @property
    def buttons(self) -> list[list[str]]:
        """Button rows of the most recently sent-or-edited message that has inline buttons."""
        message = self._state.latest(with_keyboard=True)
        return message.buttons if message is not None else []

    @property
    def all_buttons(self) -> list[str]:
        return [label for row in self.buttons for label in row]

    @property
    def keyboard(self) -> list[list[str]]:
        """The reply keyboard (below the input field) currently shown, if any."""
        return [list(row) for row in self._state.reply_keyboard or []]

    @property
    def last_answer(self) -> str | None:
        return self._state.last_answer

    @property
    def photos(self) -> list[BotMessage]:
        return [m for m in self.messages if m.kind == "photo"]

    @property
    def documents(self) -> list[BotMessage]:
        return [m for m in self.messages if m.kind == "document"]

    @property
    def commands(self) -> list[tuple[str, str]]:
        """The command menu this user sees (setMyCommands scopes resolved like Telegram)."""
        return self._emulator.commands_for(self.id, self._state.user.get("language_code"))

    def message(self, message_id: int) -> BotMessage:
        found = self._state.messages.get(message_id)
        if found is None:
            raise KeyError(f"no bot message #{message_id} in chat with {self.first_name}")
        return found.snapshot()

    # ------------------------------------------------------------------ internals

    def _message_with_buttons(self, message_id: int | None) -> BotMessage:
        if message_id is not None:
            message = self._state.messages.get(message_id)
            if message is None or message.deleted:
                state = "was deleted" if message is not None else "does not exist"
                raise AssertionError(
                    f"message #{message_id} in chat with {self.first_name} {state}"
                )
            if not message.inline_keyboard:
                raise AssertionError(
                    f"message #{message_id} ({_preview(message.text)}) has no inline buttons"
                )
            return message
        latest = self._state.latest(with_keyboard=True)
        if latest is None:
            raise AssertionError(
                f"no message with inline buttons in chat with {self.first_name}; "
                f"last bot text: {self.last_text!r}"
            )
        return latest


def _find_button(message: BotMessage, label: str) -> dict[str, Any]:
    buttons = [button for row in message.inline_keyboard for button in row]
    exact = [b for b in buttons if b.get("text") == label]
    if len(exact) == 1:
        return exact[0]
    needle = label.casefold()
    partial = exact or [b for b in buttons if needle in str(b.get("text", "")).casefold()]
    if len(partial) == 1:
        return partial[0]
    visible = " / ".join(" ".join(f"[{label}]" for label in row) for row in message.buttons)
    problem = (
        f"{len(partial)} buttons match {label!r}: "
        + ", ".join(f"[{b.get('text')}]" for b in partial)
        if partial
        else f"no button matches {label!r}"
    )
    raise AssertionError(
        f"{problem} on message #{message.message_id} ({_preview(message.text)}). "
        f"Visible buttons: {visible}"
    )


def _preview(text: str) -> str:
    flat = " ".join(text.split())
    return repr(flat if len(flat) <= 60 else flat[:59] + "…")
