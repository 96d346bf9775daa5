"""The story-telling side of the simulator: fake users who talk to the bot.

Tests (and the terminal chat) read like conversations::

    ana = sim.user("Ana", lang="es")
    await ana.says("/start city-seattle")
    reply = await ana.receives()
    await ana.presses("I'll be there")

Users enqueue updates that the bot fetches with getUpdates; what the bot sends is
recorded per chat as `SentMessage` objects, which edits update in place. Waiting is
event-driven (no sleeps): `receives` and `waits_for` wake on every change.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from simulator.html import utf16_len

if TYPE_CHECKING:
    from simulator.server import BotApiSimulator

_callback_ids = itertools.count(1)


@dataclass(frozen=True, slots=True)
class Button:
    """One inline keyboard button as the bot sent it."""

    text: str
    callback_data: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class CallbackAnswer:
    """What the bot answered to a button press (answerCallbackQuery)."""

    callback_query_id: str
    text: str | None
    show_alert: bool
    url: str | None = None


@dataclass(slots=True, eq=False)
class SentMessage:
    """A message in a simulated chat; edits by the bot update it in place.

    `text` is the plain text (or caption) after entity parsing, `html` the raw string
    exactly as the bot sent it. Messages written by users share this class with
    `from_user_id` set, but are not part of a chat's received list.
    """

    message_id: int
    chat_id: int
    text: str
    html: str
    parse_mode: str | None
    buttons: list[list[Button]]
    kind: str  # "text", "photo", "document", "sticker"
    date: int
    edited: int = 0
    entities: list[dict[str, Any]] = field(default_factory=list)
    reply_markup: dict[str, Any] | None = None
    media: dict[str, Any] | None = None  # e.g. {"photo": [...]} merged into the JSON
    from_user_id: int | None = None  # None: sent by the bot
    edit_date: int | None = None
    deleted: bool = False

    @property
    def caption(self) -> str:
        """The caption of a media message ("" for text messages)."""
        return "" if self.kind == "text" else self.text

    def labels(self) -> list[str]:
        """Button labels in reading order."""
        return [button.text for row in self.buttons for button in row]

    def button(self, label: str) -> Button | None:
        """The first button with exactly this label, if any."""
        for row in self.buttons:
            for button in row:
                if button.text == label:
                    return button
        return None

    def render(self) -> str:
        """Text form for a terminal: the text, then numbered buttons, one line per row."""
        lines: list[str] = []
        if self.kind != "text":
            name = (self.media or {}).get("document", {}).get("file_name", "")
            lines.append(f"[{self.kind}{' ' + name if name else ''}]")
        if self.text:
            lines.append(self.text)
        if self.deleted:
            lines.append("(deleted)")
        number = itertools.count(1)
        for row in self.buttons:
            lines.append("  ".join(f"[{next(number)}] {button.text}" for button in row))
        return "\n".join(lines)


class _ChatView:
    """What a test can observe about one chat: the bot's messages and waiting on them."""

    def __init__(self, sim: BotApiSimulator, chat_id: int) -> None:
        self._sim = sim
        self.chat_id = chat_id
        self._cursor = 0  # index in `messages` of the next message `receives` returns

    @property
    def messages(self) -> list[SentMessage]:
        """Every message the bot sent to this chat, oldest first (deleted ones flagged)."""
        return self._sim.received(self.chat_id)

    @property
    def last(self) -> SentMessage:
        """The newest message the bot sent to this chat."""
        if not self.messages:
            raise AssertionError(f"chat {self.chat_id} has received no message")
        return self.messages[-1]

    def mark_all_read(self) -> None:
        """Make `receives` skip everything received so far."""
        self._cursor = len(self.messages)

    # A timeout argument reads better in test stories than wrapping every call.
    async def receives(self, timeout: float = 5.0) -> SentMessage:  # noqa: ASYNC109
        """Wait for the next message after the last one consumed and return it."""
        start = self._cursor
        arrived = await self._sim.wait_until(lambda: len(self.messages) > start, timeout)
        if not arrived:
            raise AssertionError(
                f"chat {self.chat_id} received nothing new within {timeout}s; "
                f"it has: {self._describe()}"
            )
        self._cursor = start + 1
        return self.messages[start]

    async def waits_for(
        self,
        predicate: Callable[[Any], object],
        timeout: float = 5.0,  # noqa: ASYNC109 - see receives()
    ) -> None:
        """Wait until predicate(self) holds; it is re-evaluated on every change."""
        if not await self._sim.wait_until(lambda: bool(predicate(self)), timeout):
            raise AssertionError(
                f"condition on chat {self.chat_id} not met within {timeout}s; "
                f"it has: {self._describe()}"
            )

    def buttons_flat(self, message_id: int | None = None) -> list[str]:
        """Labels of the buttons of the given (default: newest) message in order."""
        message = self.last if message_id is None else self._message(message_id)
        return message.labels()

    def _message(self, message_id: int) -> SentMessage:
        message = self._sim.message(self.chat_id, message_id)
        if message is None:
            raise AssertionError(f"chat {self.chat_id} has no message {message_id}")
        return message

    def _describe(self) -> str:
        if not self.messages:
            return "no messages"
        return "; ".join(f"#{m.message_id} {m.text[:80]!r}" for m in self.messages[-5:])


class SimGroup(_ChatView):
    """A group chat (negative id) the bot is a member of."""

    def __init__(self, sim: BotApiSimulator, chat_id: int, title: str) -> None:
        super().__init__(sim, chat_id)
        self.id = chat_id
        self.title = title

    def chat_json(self) -> dict[str, Any]:
        """The Chat object of this group."""
        return {"id": self.id, "type": "group", "title": self.title}


class SimUser(_ChatView):
    """A Telegram user with a private chat with the bot (chat id == user id)."""

    def __init__(
        self,
        sim: BotApiSimulator,
        user_id: int,
        first_name: str,
        lang: str = "en",
        username: str | None = None,
    ) -> None:
        super().__init__(sim, user_id)
        self.id = user_id
        self.first_name = first_name
        self.lang = lang
        self.username = username
        # Telegram tells "chat not found" for users the bot never saw in any update, and
        # refuses to write first to users it saw (e.g. in a group) who never started it.
        self.seen = False
        self.started = False
        self.blocked = False
        self.callback_answers: list[CallbackAnswer] = []
        self._last_own_message: SentMessage | None = None

    def json(self) -> dict[str, Any]:
        """The User object."""
        user: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.username:
            user["username"] = self.username
        if self.lang:
            user["language_code"] = self.lang
        return user

    def chat_json(self) -> dict[str, Any]:
        """The Chat object of the private chat with the bot."""
        chat: dict[str, Any] = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.username:
            chat["username"] = self.username
        return chat

    # --- things the user does -------------------------------------------------------

    async def says(self, text: str) -> int:
        """Send a text message to the bot; return its message_id."""
        if self.blocked:
            # Writing again means pressing "Restart": Telegram reports the unblock first.
            await self.unblocks()
        self.started = True
        return self._post(self.chat_id, "text", text, _command_entities(text))

    async def says_in(self, group: SimGroup, text: str) -> int:
        """Send a text message in a group chat; return its message_id."""
        return self._post(group.chat_id, "text", text, _command_entities(text))

    async def sends_sticker(self, emoji: str = "👍") -> int:
        """Send a sticker in the private chat."""
        self.started = True
        sticker = {
            "file_id": f"sim-sticker-{emoji.encode().hex()}",
            "file_unique_id": f"u-sticker-{emoji.encode().hex()}",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
        }
        return self._post(self.chat_id, "sticker", "", [], media={"sticker": sticker})

    async def sends_photo(self, caption: str | None = None) -> int:
        """Send a photo (with an optional caption) in the private chat."""
        self.started = True
        media = {"photo": self._sim.new_photo_sizes(size=1024)}
        return self._post(self.chat_id, "photo", caption or "", [], media=media)

    async def edits_last_message(self, new_text: str) -> int:
        """Edit the user's own last text message (an edited_message update)."""
        message = self._last_own_message
        if message is None:
            raise AssertionError(f"{self.first_name} has not sent a message to edit")
        message.text = message.html = new_text
        message.entities = _command_entities(new_text)
        message.edited += 1
        message.edit_date = self._sim.now()
        return self._sim.enqueue_update({"edited_message": self._sim.message_json(message)})

    async def presses(self, label: str, *, message_id: int | None = None) -> str:
        """Press the inline button labelled `label` on the newest message showing it."""
        message = self._find_button_message(label, message_id)
        button = message.button(label)
        assert button is not None
        if button.callback_data is None:
            raise AssertionError(f"button {label!r} is a URL button ({button.url}), not a callback")
        return self._press(message, button.callback_data)

    async def presses_data(self, data: str, message_id: int | None = None) -> str:
        """Send arbitrary (possibly forged) callback data for a message of this chat."""
        message = self.last if message_id is None else self._message(message_id)
        return self._press(message, data)

    async def blocks(self) -> int:
        """Block the bot; the bot gets a my_chat_member update (member -> kicked)."""
        self.blocked = True
        return self._member_update("member", "kicked")

    async def unblocks(self) -> int:
        """Unblock (restart) the bot; the bot gets a my_chat_member update (kicked -> member)."""
        self.blocked = False
        self.started = True
        return self._member_update("kicked", "member")

    async def sends_raw(self, update: dict[str, Any]) -> int:
        """Enqueue any update payload (without update_id); return the update_id."""
        return self._sim.enqueue_update(update)

    # --- helpers --------------------------------------------------------------------

    def _post(
        self,
        chat_id: int,
        kind: str,
        text: str,
        entities: list[dict[str, Any]],
        media: dict[str, Any] | None = None,
    ) -> int:
        self.seen = True
        message = self._sim.store_user_message(self, chat_id, kind, text, entities, media)
        self._last_own_message = message
        self._sim.enqueue_update({"message": self._sim.message_json(message)})
        return message.message_id

    def _find_button_message(self, label: str, message_id: int | None) -> SentMessage:
        if message_id is not None:
            message = self._message(message_id)
            if message.button(label) is None:
                raise AssertionError(
                    f"message {message_id} has no button {label!r}; it has {message.labels()}"
                )
            return message
        for message in reversed(self.messages):
            if not message.deleted and message.button(label) is not None:
                return message
        available = [m.labels() for m in self.messages if m.buttons and not m.deleted]
        raise AssertionError(
            f"no button {label!r} in {self.first_name}'s chat; buttons there: {available}"
        )

    def _press(self, message: SentMessage, data: str) -> str:
        self.seen = True
        query_id = f"{self.id}-{next(_callback_ids)}"
        self._sim.register_callback(query_id, self)
        self._sim.enqueue_update(
            {
                "callback_query": {
                    "id": query_id,
                    "from": self.json(),
                    "message": self._sim.message_json(message),
                    "chat_instance": f"ci-{self.chat_id}",
                    "data": data,
                }
            }
        )
        return query_id

    def _member_update(self, old: str, new: str) -> int:
        self.seen = True
        bot = self._sim.bot_user()
        new_member: dict[str, Any] = {"status": new, "user": bot}
        if new == "kicked":
            new_member["until_date"] = 0
        old_member: dict[str, Any] = {"status": old, "user": bot}
        if old == "kicked":
            old_member["until_date"] = 0
        payload = {
            "chat": self.chat_json(),
            "from": self.json(),
            "date": self._sim.now(),
            "old_chat_member": old_member,
            "new_chat_member": new_member,
        }
        return self._sim.enqueue_update({"my_chat_member": payload})


def _command_entities(text: str) -> list[dict[str, Any]]:
    """A bot_command entity for a leading "/command[@bot]" word, as Telegram adds."""
    if not text.startswith("/") or len(text) < 2:
        return []
    word = text.split(maxsplit=1)[0]
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(word)}]
