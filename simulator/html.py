"""Telegram's HTML parse mode: turn formatted text into plain text plus entities.

It follows Telegram's rules closely enough that text the simulator accepts, Telegram
accepts too: only the documented tags, properly nested and closed, and only the four
named character references plus numeric ones. It is deliberately a little stricter
than Telegram about a bare '&' (Telegram keeps it literally) because unescaped user
input is the bug the tests are meant to catch. Offsets and lengths of entities are in
UTF-16 code units, as in the Bot API.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_NAMED_REFS = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_REF_RE = re.compile(r"&(?:#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z]+));")
_PLAIN_RE = re.compile(r"[^<&]+")
_TAG_NAME_RE = re.compile(r"[a-zA-Z][a-zA-Z0-9-]*")
_ATTR_NAME_RE = re.compile(r"[a-zA-Z_][a-zA-Z0-9_-]*")
_UNQUOTED_RE = re.compile(r"[^\s>\"'`=<]+")
_END_TAG_RE = re.compile(r"</([a-zA-Z][a-zA-Z0-9-]*)\s*>")
_URL_RE = re.compile(
    r"^(?:(?:https?|ftp|tg|mailto|tonsite)://?\S+|(?:[\w-]+\.)+[a-zA-Z]{2,}(?:[/?#]\S*)?)$"
)

# Simple tags map straight to one entity type.
_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
}
_SUPPORTED = frozenset({*_SIMPLE_TAGS, "span", "a", "blockquote", "tg-emoji"})


class ParseError(ValueError):
    """The text is not valid Telegram HTML; `reason` is what Telegram would say."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(slots=True)
class _OpenTag:
    name: str
    start: int  # UTF-16 offset in the output where the tag's content begins
    entity: dict[str, Any]
    byte_offset: int
    attrs: dict[str, str] = field(default_factory=dict)


def utf16_len(text: str) -> int:
    """Length of `text` in UTF-16 code units, the unit Telegram counts in."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


class _Parser:
    """Single pass over the text with a stack of open tags."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pieces: list[str] = []
        self.pos16 = 0
        self.stack: list[_OpenTag] = []
        self.entities: list[dict[str, Any]] = []

    def emit(self, chunk: str) -> None:
        self.pieces.append(chunk)
        self.pos16 += utf16_len(chunk)

    def run(self) -> tuple[str, list[dict[str, Any]]]:
        text, i, n = self.text, 0, len(self.text)
        while i < n:
            char = text[i]
            if char == "&":
                i = self.reference(i)
            elif char == "<":
                i = self.end_tag(i) if text.startswith("</", i) else self.start_tag(i)
            else:
                match = _PLAIN_RE.match(text, i)
                assert match is not None  # the character is neither '<' nor '&'
                self.emit(match.group())
                i = match.end()
        if self.stack:
            raise ParseError(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1].name}"'
            )
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.pieces), self.entities

    def reference(self, i: int) -> int:
        decoded, end = decode_reference(self.text, i)
        self.emit(decoded)
        return end

    def start_tag(self, i: int) -> int:
        text = self.text
        match = _TAG_NAME_RE.match(text, i + 1)
        if match is None:
            raise ParseError(
                f"Unexpected end of name token at byte offset {_byte_offset(text, i + 1)}"
            )
        name = match.group().lower()
        if name not in _SUPPORTED:
            raise ParseError(
                f'Unsupported start tag "{name}" at byte offset {_byte_offset(text, i)}'
            )
        attrs, end = self.attributes(match.end(), i)
        entity = _entity_for(name, attrs, _byte_offset(text, i))
        self.stack.append(_OpenTag(name, self.pos16, entity, _byte_offset(text, i), attrs))
        return end

    def attributes(self, j: int, tag_start: int) -> tuple[dict[str, str], int]:
        text, n = self.text, len(self.text)
        attrs: dict[str, str] = {}
        while True:
            while j < n and text[j].isspace():
                j += 1
            if j >= n:
                raise ParseError(
                    f"Unclosed start tag at byte offset {_byte_offset(text, tag_start)}"
                )
            if text[j] == ">":
                return attrs, j + 1
            name_match = _ATTR_NAME_RE.match(text, j)
            if name_match is None:
                raise ParseError(
                    f"Expected equal sign in declaration of an attribute of the tag at "
                    f"byte offset {_byte_offset(text, tag_start)}"
                )
            j = name_match.end()
            value = ""
            if j < n and text[j] == "=":
                value, j = self.attribute_value(j + 1, tag_start)
            attrs[name_match.group().lower()] = value

    def attribute_value(self, j: int, tag_start: int) -> tuple[str, int]:
        text = self.text
        if j < len(text) and text[j] in "\"'":
            close = text.find(text[j], j + 1)
            if close < 0:
                raise ParseError(
                    f"Unclosed start tag at byte offset {_byte_offset(text, tag_start)}"
                )
            return decode_all_references(text[j + 1 : close]), close + 1
        match = _UNQUOTED_RE.match(text, j)
        if match is None:
            raise ParseError(f"Unclosed start tag at byte offset {_byte_offset(text, tag_start)}")
        return decode_all_references(match.group()), match.end()

    def end_tag(self, i: int) -> int:
        text = self.text
        match = _END_TAG_RE.match(text, i)
        if match is None:
            raise ParseError(f"Unclosed end tag at byte offset {_byte_offset(text, i)}")
        name = match.group(1).lower()
        if not self.stack:
            raise ParseError(f"Unexpected end tag at byte offset {_byte_offset(text, i)}")
        top = self.stack[-1]
        if top.name != name:
            raise ParseError(
                f"Unmatched end tag at byte offset {_byte_offset(text, i)}, "
                f'expected "</{top.name}>", found "</{name}>"'
            )
        self.stack.pop()
        self.close(top)
        return match.end()

    def close(self, tag: _OpenTag) -> None:
        length = self.pos16 - tag.start
        language = tag.attrs.get("class", "")
        # <pre><code class="language-x"> is one pre entity carrying the language.
        in_pre = tag.name == "code" and self.stack and self.stack[-1].name == "pre"
        if in_pre and language.startswith("language-"):
            self.stack[-1].entity["language"] = language.removeprefix("language-")
            return
        if length <= 0:
            return  # Telegram drops empty entities
        entity = dict(tag.entity, offset=tag.start, length=length)
        self.entities.append(entity)


def _entity_for(name: str, attrs: dict[str, str], byte_offset: int) -> dict[str, Any]:
    if name in _SIMPLE_TAGS:
        return {"type": _SIMPLE_TAGS[name]}
    if name == "span":
        if attrs.get("class") != "tg-spoiler":
            raise ParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {byte_offset}'
            )
        return {"type": "spoiler"}
    if name == "a":
        href = attrs.get("href", "").strip()
        if not _URL_RE.match(href):
            raise ParseError(f'Wrong HTTP URL "{href}" at byte offset {byte_offset}')
        return {"type": "text_link", "url": href}
    if name == "blockquote":
        expandable = "expandable" in attrs
        return {"type": "expandable_blockquote" if expandable else "blockquote"}
    # tg-emoji
    emoji_id = attrs.get("emoji-id", "")
    if not emoji_id.isdigit():
        raise ParseError(
            "Custom emoji entity must contain a valid custom emoji identifier "
            f"at byte offset {byte_offset}"
        )
    return {"type": "custom_emoji", "custom_emoji_id": emoji_id}


def decode_reference(text: str, i: int) -> tuple[str, int]:
    """Decode the character reference starting at text[i] == '&'; return (char, end)."""
    match = _REF_RE.match(text, i)
    if match is None:
        raise ParseError(
            f"Character '&' at byte offset {_byte_offset(text, i)} does not begin "
            "a character reference; escape it as &amp;"
        )
    decimal, hexadecimal, named = match.groups()
    if named is not None:
        if named not in _NAMED_REFS:
            raise ParseError(
                f'Unsupported HTML entity "&{named};" at byte offset {_byte_offset(text, i)}'
            )
        return _NAMED_REFS[named], match.end()
    code = int(decimal) if decimal is not None else int(hexadecimal, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        raise ParseError(f"Invalid character reference at byte offset {_byte_offset(text, i)}")
    return chr(code), match.end()


def decode_all_references(value: str) -> str:
    """Decode references in an attribute value, keeping a stray '&' literally."""
    if "&" not in value:
        return value
    out: list[str] = []
    i = 0
    while i < len(value):
        amp = value.find("&", i)
        if amp < 0:
            out.append(value[i:])
            break
        out.append(value[i:amp])
        try:
            char, i = decode_reference(value, amp)
        except ParseError:
            char, i = "&", amp + 1
        out.append(char)
    return "".join(out)


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram HTML into (plain text, entities); raise ParseError if malformed."""
    if "<" not in text and "&" not in text:
        return text, []  # fast path: nothing to parse
    return _Parser(text).run()


def escape(text: str) -> str:
    """Escape plain text for Telegram HTML (the three characters Telegram requires)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
