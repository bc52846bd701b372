"""Telegram-flavoured text formatting: turn a ``parse_mode`` message into what a phone shows.

Telegram's HTML dialect is much stricter than browser HTML: only a handful of tags exist, every
tag must be closed in order, and a stray ``<`` is a hard 400 error instead of literal text. The
standard library's ``html.parser`` is deliberately forgiving (``"a < b"`` or ``"a<b"`` come back as
plain data), so it cannot reproduce those errors; this module therefore uses a small scanner
modelled on the parser inside Telegram's own server (tdlib's ``parse_html``), including its
error messages and UTF-8 *byte* offsets.

One intentional difference: a bare ``&`` that does not start a valid entity is rejected here,
whereas Telegram silently keeps it. Bots that interpolate user input without ``html.escape``
usually trip over ``<`` only on the rare day a user types one; failing on ``&`` as well surfaces
the same bug in ordinary test data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "MAX_CAPTION_LENGTH",
    "MAX_TEXT_LENGTH",
    "EntityParseError",
    "FormattedText",
    "bot_command_entities",
    "format_text",
    "parse_html",
    "utf16_len",
]

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024

# Tag -> MessageEntity type, as documented at https://core.telegram.org/bots/api#html-style
_TAG_ENTITY: dict[str, str] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "blockquote": "blockquote",
}

_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(?:#(\d{1,8})|#[xX]([0-9a-fA-F]{1,8})|([a-zA-Z][a-zA-Z0-9]{0,31}));")
_TAG_NAME_RE = re.compile(r"[a-zA-Z][a-zA-Z0-9-]*")
_END_TAG_RE = re.compile(r"</([a-zA-Z][a-zA-Z0-9-]*)\s*>")
_ATTR_RE = re.compile(
    r"""\s+([a-zA-Z][a-zA-Z0-9_-]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'<>`]+)))?"""
)
_BOT_COMMAND_RE = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![A-Za-z0-9_@])")
_TRIM_CHARS = " \t\r\n"


class EntityParseError(ValueError):
    """The text cannot be parsed in the requested parse_mode (Telegram answers 400)."""


@dataclass(frozen=True)
class FormattedText:
    """Plain text as displayed, plus MessageEntity dicts with UTF-16 offsets like the Bot API."""

    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit Telegram uses for entity offsets."""
    return len(text.encode("utf-16-le")) // 2


@dataclass
class _OpenTag:
    name: str
    entity_type: str
    offset: int
    byte_offset: int
    attrs: dict[str, str]
    language: str | None = None


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode("utf-8"))


def _decode_entity(source: str, index: int) -> tuple[str, int] | None:
    match = _ENTITY_RE.match(source, index)
    if match is None:
        return None
    decimal, hexadecimal, name = match.groups()
    if name is not None:
        char = _NAMED_ENTITIES.get(name)
        if char is None:
            return None
        return char, match.end()
    code = int(decimal) if decimal is not None else int(hexadecimal, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code), match.end()


def _unescape_attr(value: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(value):
        if value[i] == "&" and (decoded := _decode_entity(value, i)) is not None:
            out.append(decoded[0])
            i = decoded[1]
        else:
            out.append(value[i])
            i += 1
    return "".join(out)


def parse_html(source: str) -> FormattedText:
    """Parse Telegram HTML into displayed text and entities (untrimmed).

    Raises EntityParseError with a Telegram-style message on anything Telegram would reject.
    """
    out: list[str] = []
    position = 0  # UTF-16 offset of the next output character
    stack: list[_OpenTag] = []
    entities: list[dict[str, Any]] = []
    i = 0
    n = len(source)

    def emit(chunk: str) -> None:
        nonlocal position
        out.append(chunk)
        position += utf16_len(chunk)

    while i < n:
        char = source[i]
        if char == "&":
            decoded = _decode_entity(source, i)
            if decoded is None:
                raise EntityParseError(
                    f'Unsupported HTML entity or bare "&" at byte offset '
                    f'{_byte_offset(source, i)}; write "&amp;" for a literal ampersand'
                )
            emit(decoded[0])
            i = decoded[1]
            continue
        if char != "<":
            # Copy a run of ordinary characters at once; texts can be 4096+ chars long.
            j = i + 1
            while j < n and source[j] not in "<&":
                j += 1
            emit(source[i:j])
            i = j
            continue

        start = i
        if source.startswith("</", i):
            end_match = _END_TAG_RE.match(source, i)
            if end_match is None:
                raise EntityParseError(
                    f"Can't find end of tag at byte offset {_byte_offset(source, start)}"
                )
            name = end_match.group(1).lower()
            if not stack:
                raise EntityParseError(
                    f"Unexpected end tag at byte offset {_byte_offset(source, start)}"
                )
            expected = stack[-1].name
            if name != expected:
                raise EntityParseError(
                    f"Unmatched end tag at byte offset {_byte_offset(source, start)}, "
                    f'expected "</{expected}>", found "</{name}>"'
                )
            _close(stack, entities, position)
            i = end_match.end()
            continue

        name_match = _TAG_NAME_RE.match(source, i + 1)
        if name_match is None:
            raise EntityParseError(
                f'Unexpected "<" at byte offset {_byte_offset(source, start)}; '
                f'write "&lt;" for a literal less-than sign'
            )
        name = name_match.group(0).lower()
        if name not in _TAG_ENTITY:
            raise EntityParseError(
                f'Unsupported start tag "{name}" at byte offset {_byte_offset(source, start)}'
            )
        i = name_match.end()
        attrs: dict[str, str] = {}
        while True:
            attr_match = _ATTR_RE.match(source, i)
            if attr_match is None:
                break
            attr_name = attr_match.group(1).lower()
            raw = next((g for g in attr_match.groups()[1:] if g is not None), "")
            attrs[attr_name] = _unescape_attr(raw)
            i = attr_match.end()
        while i < n and source[i] in _TRIM_CHARS:
            i += 1
        if i >= n or source[i] != ">":
            raise EntityParseError(
                f"Unclosed start tag at byte offset {_byte_offset(source, start)}"
            )
        i += 1
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise EntityParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset '
                f"{_byte_offset(source, start)}"
            )
        entity_type = _TAG_ENTITY[name]
        if name == "blockquote" and "expandable" in attrs:
            entity_type = "expandable_blockquote"
        stack.append(_OpenTag(name, entity_type, position, _byte_offset(source, start), attrs))

    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return FormattedText("".join(out), entities)


def _close(stack: list[_OpenTag], entities: list[dict[str, Any]], position: int) -> None:
    tag = stack.pop()
    length = position - tag.offset
    if tag.name == "code" and stack and stack[-1].name == "pre":
        # <pre><code class="language-x"> is how Telegram spells a pre block with a language;
        # it yields one "pre" entity, not pre + code.
        language = tag.attrs.get("class", "")
        if language.startswith("language-"):
            stack[-1].language = language.removeprefix("language-")
            return
    if length <= 0:
        return
    entity: dict[str, Any] = {"type": tag.entity_type, "offset": tag.offset, "length": length}
    if tag.name == "a":
        href = tag.attrs.get("href", "")
        if not href:
            return
        user_id = re.fullmatch(r"tg://user\?id=(\d+)", href)
        if user_id:
            entity = {
                "type": "text_mention",
                "offset": tag.offset,
                "length": length,
                "user": {"id": int(user_id.group(1)), "is_bot": False, "first_name": ""},
            }
        else:
            entity["url"] = href
    elif tag.name == "pre" and tag.language:
        entity["language"] = tag.language
    entities.append(entity)


def _trim(formatted: FormattedText) -> FormattedText:
    """Strip surrounding whitespace like Telegram does, keeping entity offsets consistent."""
    text = formatted.text
    stripped = text.strip(_TRIM_CHARS)
    if stripped == text:
        return formatted
    left = utf16_len(text[: len(text) - len(text.lstrip(_TRIM_CHARS))])
    total = utf16_len(stripped)
    entities: list[dict[str, Any]] = []
    for entity in formatted.entities:
        start = max(entity["offset"] - left, 0)
        end = min(entity["offset"] + entity["length"] - left, total)
        if end > start:
            entities.append({**entity, "offset": start, "length": end - start})
    return FormattedText(stripped, entities)


def format_text(
    text: str, parse_mode: str | None, entities: list[dict[str, Any]] | None = None
) -> FormattedText:
    """Apply ``parse_mode`` (or explicit entities) and trim, as Telegram does before storing.

    Markdown modes are accepted but not interpreted: the project formats with HTML, and a
    half-right Markdown parser would be worse than none.
    """
    mode = (parse_mode or "").lower()
    if mode == "html":
        formatted = parse_html(text)
    elif mode in ("", "markdown", "markdownv2"):
        formatted = FormattedText(text, list(entities or []))
    else:
        raise EntityParseError(f"unsupported parse_mode {parse_mode!r}")
    return _trim(formatted)


def bot_command_entities(text: str) -> list[dict[str, Any]]:
    """The bot_command entity a Telegram client attaches when a message starts with /command."""
    match = _BOT_COMMAND_RE.match(text)
    if match is None:
        return []
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(match.group(0))}]
