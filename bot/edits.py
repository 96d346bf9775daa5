"""Edits of messages the bot sent, never with the content they already show.

Telegram answers 400 "message is not modified" to an edit that changes nothing, which is what
a second tap on the same button asks for. Every edit goes through one Editor, which knows what
each recent message shows (what it last set, or else the copy of the message that came with
the button press) and skips an edit that would change nothing. A press handled while an
earlier one was still being answered carries the message as it was before that answer, so the
Editor's own memory is consulted first.
"""

from __future__ import annotations

import html
import logging
import re
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardMarkup, MaybeInaccessibleMessage, Message
from telegram.error import BadRequest

from bot.calls import PlainCalls

log = logging.getLogger(__name__)

MEMORY = 10_000  # messages remembered; older ones fall back to the press's copy
_TAG = re.compile(r"<[^>]+>")

Markup = dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class Shown:
    """What a message shows, as Telegram compares it: the text without its HTML tags (None
    where unknown) and the inline keyboard."""

    text: str | None
    markup: Markup


def plain(text_html: str) -> str:
    """The text Telegram keeps of an HTML message: tags gone, entities read, ends trimmed."""
    return html.unescape(_TAG.sub("", text_html)).strip()


def markup_of(markup: InlineKeyboardMarkup | None) -> Markup:
    return markup.to_dict() if markup is not None and markup.inline_keyboard else None


def shown_in(message: MaybeInaccessibleMessage | None) -> Shown | None:
    """What the copy of a message that came with a press shows; None when it is too old for
    Telegram to include."""
    if not isinstance(message, Message):
        return None
    text = message.text if message.text is not None else message.caption
    return Shown(text, markup_of(message.reply_markup))


class Editor:
    """Edits messages, skipping edits that would change nothing. The bot's own memory of what
    it last set wins over the press's copy, which may predate an edit made since."""

    def __init__(self, calls: PlainCalls, memory: int = MEMORY) -> None:
        self._calls = calls
        self._memory = memory
        self._shown: OrderedDict[tuple[int, int], Shown] = OrderedDict()

    async def open(self) -> None:
        await self._calls.open()

    async def close(self) -> None:
        await self._calls.close()

    async def edit_text(
        self,
        chat_id: int,
        message_id: int,
        text: str,
        markup: InlineKeyboardMarkup | None = None,
        *,
        copy: MaybeInaccessibleMessage | None = None,
    ) -> bool:
        """Replaces the text and the keyboard (None removes it); False when it was shown
        already and nothing was sent."""
        wanted = Shown(plain(text), markup_of(markup))
        if self._current(chat_id, message_id, copy) == wanted:
            return False
        payload = {"chat_id": chat_id, "message_id": message_id, "text": text}
        await self._edit("editMessageText", {**payload, "parse_mode": "HTML"}, wanted.markup)
        self._remember(chat_id, message_id, wanted)
        return True

    async def edit_markup(
        self,
        chat_id: int,
        message_id: int,
        markup: InlineKeyboardMarkup | None,
        *,
        copy: MaybeInaccessibleMessage | None = None,
    ) -> bool:
        """Replaces the keyboard only; False when it was shown already."""
        current = self._current(chat_id, message_id, copy)
        wanted = markup_of(markup)
        if current is not None and current.markup == wanted:
            return False
        await self._edit(
            "editMessageReplyMarkup", {"chat_id": chat_id, "message_id": message_id}, wanted
        )
        self._remember(chat_id, message_id, Shown(current.text if current else None, wanted))
        return True

    def _current(
        self, chat_id: int, message_id: int, copy: MaybeInaccessibleMessage | None
    ) -> Shown | None:
        remembered = self._shown.get((chat_id, message_id))
        return remembered if remembered is not None else shown_in(copy)

    def _remember(self, chat_id: int, message_id: int, shown: Shown) -> None:
        key = (chat_id, message_id)
        self._shown[key] = shown
        self._shown.move_to_end(key)
        while len(self._shown) > self._memory:
            self._shown.popitem(last=False)

    async def _edit(self, method: str, payload: dict[str, Any], markup: Markup) -> None:
        if markup is not None:
            payload["reply_markup"] = markup  # without one, Telegram removes the keyboard
        try:
            await self._calls.call(method, payload)
        except BadRequest as error:
            # Only a race the memory cannot see (a copy older than an edit made by another
            # process, say) gets here; the message shows what was wanted, which is success.
            if "not modified" not in error.message:
                raise
            log.debug("edit skipped by Telegram: %s", error.message)
