"""Decoding and validating Bot API parameters the way Telegram does.

Kept apart from the server so the rules (what a valid keyboard is, which strings become ints)
read as one list and can be checked without any HTTP around them.
"""

from __future__ import annotations

import json
from typing import Any

from .models import ApiError

__all__ = [
    "CHAT_ACTIONS",
    "decode_param",
    "image_size",
    "int_param",
    "scope_key",
    "validate_inline_keyboard",
    "validate_reply_keyboard",
]

# PTB (and most clients) send every parameter as a form string; these are decoded so handlers
# and ApiCall.params see real types.
_JSON_PARAMS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "scope",
        "commands",
        "allowed_updates",
        "reply_parameters",
        "link_preview_options",
        "menu_button",
    }
)
_INT_PARAMS = frozenset(
    {
        "chat_id",
        "message_id",
        "offset",
        "limit",
        "timeout",
        "cache_time",
        "user_id",
        "reply_to_message_id",
        "message_thread_id",
        "max_connections",
    }
)
_BOOL_PARAMS = frozenset(
    {
        "show_alert",
        "drop_pending_updates",
        "disable_notification",
        "protect_content",
        "disable_web_page_preview",
        "allow_sending_without_reply",
        "disable_content_type_detection",
        "has_spoiler",
        "show_caption_above_media",
    }
)
_INLINE_BUTTON_ACTIONS = (
    "callback_data",
    "url",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "callback_game",
    "pay",
    "web_app",
    "copy_text",
)
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)


def decode_param(key: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if key in _JSON_PARAMS:
        try:
            return json.loads(value)
        except ValueError:
            if key == "reply_markup":
                raise ApiError.bad_request(
                    "can't parse reply keyboard markup JSON object"
                ) from None
            raise ApiError.bad_request(f"can't parse {key} JSON object") from None
    if key in _INT_PARAMS:
        try:
            return int(value)
        except ValueError:
            return value  # left for the handler to reject with its own message
    if key in _BOOL_PARAMS and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value


def int_param(params: dict[str, Any], key: str, default: int) -> int:
    value = params.get(key)
    if value is None or value == "":
        return default
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ApiError.bad_request(f"invalid {key} parameter")
    return int(value)


def scope_key(params: dict[str, Any]) -> str:
    scope = params.get("scope") or {"type": "default"}
    if not isinstance(scope, dict):
        raise ApiError.bad_request("can't parse BotCommandScope JSON object")
    kind = scope.get("type", "default")
    if kind in ("default", "all_private_chats", "all_group_chats", "all_chat_administrators"):
        key = str(kind)
    elif kind in ("chat", "chat_administrators"):
        key = f"{kind}:{scope.get('chat_id')}"
    elif kind == "chat_member":
        key = f"chat_member:{scope.get('chat_id')}:{scope.get('user_id')}"
    else:
        raise ApiError.bad_request("wrong bot command scope type specified")
    language = params.get("language_code")
    return f"{key}@{language}" if language else key


def validate_inline_keyboard(rows: Any) -> dict[str, Any] | None:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise ApiError.bad_request('field "inline_keyboard" must be an Array of Arrays')
    clean: list[list[dict[str, Any]]] = []
    for row in rows:
        for button in row:
            _validate_inline_button(button)
        if row:
            clean.append(row)
    # An empty keyboard is how a bot removes buttons; store it as "no markup".
    return {"inline_keyboard": clean} if clean else None


def _validate_inline_button(button: Any) -> None:
    prefix = "can't parse inline keyboard button:"
    if not isinstance(button, dict):
        raise ApiError.bad_request(f"{prefix} InlineKeyboardButton must be an Object")
    text = button.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ApiError.bad_request(f"{prefix} Text must be non-empty")
    actions = [key for key in _INLINE_BUTTON_ACTIONS if key in button]
    if not actions:
        raise ApiError.bad_request(f"{prefix} Text buttons are unallowed in the inline keyboard")
    if len(actions) > 1:
        raise ApiError.bad_request(
            f"{prefix} exactly one of the optional fields must be used, got {', '.join(actions)}"
        )
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
            raise ApiError.bad_request("BUTTON_DATA_INVALID")
    if "url" in button:
        url = button["url"]
        if not isinstance(url, str) or not url.startswith(("http://", "https://", "tg://")):
            raise ApiError.bad_request("BUTTON_URL_INVALID")


def validate_reply_keyboard(rows: Any) -> tuple[list[list[str]], dict[str, str]]:
    """The labels of a reply keyboard, and which buttons ask the user's client for something
    ("request_location", "request_contact"): label → that field."""
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise ApiError.bad_request('field "keyboard" must be an Array of Arrays')
    labels: list[list[str]] = []
    requests: dict[str, str] = {}
    for row in rows:
        labels.append([])
        for button in row:
            text = button.get("text") if isinstance(button, dict) else button
            if not isinstance(text, str) or not text:
                raise ApiError.bad_request("can't parse keyboard button: Text must be non-empty")
            labels[-1].append(text)
            if isinstance(button, dict):
                for field in ("request_location", "request_contact"):
                    if field not in button:
                        continue
                    if not isinstance(button[field], bool):
                        raise ApiError.bad_request(
                            f'can\'t parse keyboard button: Field "{field}" must be of type Boolean'
                        )
                    if button[field]:
                        requests[text] = field
    return labels, requests


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG/JPEG/GIF/WebP, or None if Telegram could not process it."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        return int.from_bytes(data[6:8], "little"), int.from_bytes(data[8:10], "little")
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return 0, 0  # valid image; its dimensions are irrelevant to the bot
    if data.startswith(b"\xff\xd8"):
        return _jpeg_size(data)
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            i += 1
            continue
        marker = data[i + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7 or marker == 0xFF:
            i += 1 if marker == 0xFF else 2
            continue
        # Any start-of-frame marker carries the dimensions (C4/C8/CC are other segments).
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height = int.from_bytes(data[i + 5 : i + 7], "big")
            width = int.from_bytes(data[i + 7 : i + 9], "big")
            return width, height
        i += 2 + int.from_bytes(data[i + 2 : i + 4], "big")
    return None
