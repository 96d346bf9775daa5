"""A local Telegram Bot API server for tests and the token-less "try it" mode.

The real python-telegram-bot stack talks to it over HTTP exactly as it would talk to
api.telegram.org (``base_url=f"{url}/bot"``). It validates requests against the
bundled Bot API spec and rejects what Telegram rejects (status codes and descriptions
match Telegram's), so bugs surface in tests instead of in production. The state is
in memory and indexed by dicts so thousands of sends per second stay cheap.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import math
import re
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import aiohttp
from aiohttp import web

from simulator import spec
from simulator.driver import (
    Button,
    CallbackAnswer,
    SentMessage,
    SimGroup,
    SimUser,
)
from simulator.html import ParseError, parse_html, utf16_len

DEFAULT_TOKEN = "123456:TEST"  # noqa: S105 - a fake token, only valid for the simulator
MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_BUTTONS = 100
# What Telegram accepts as a webhook's secret_token.
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
_SEND_METHODS = frozenset({"sendMessage", "sendPhoto", "sendDocument", "copyMessage"})
# Telegram's default when allowed_updates was never given: everything but these.
_NOT_DEFAULT_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_BUTTON_URL_RE = re.compile(r"^(?:https?|tg)://\S+$")
_CHAT_ACTIONS = frozenset(
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
# Settings a bot pushes at startup; the simulator records them and says "true".
_RECORDED_SETTINGS = frozenset(
    {"setMyDescription", "setMyShortDescription", "setMyName", "setChatMenuButton"}
)

Handler = Callable[[dict[str, Any]], Awaitable[Any]]


class ApiError(Exception):
    """A Bot API error reply: {"ok": false, "error_code": status, "description": ...}."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after


def bad_request(reason: str) -> ApiError:
    """A 400 error with Telegram's "Bad Request: " prefix."""
    return ApiError(400, f"Bad Request: {reason}")


@dataclass
class SimStats:
    """Counters a test or benchmark can assert on."""

    requests: Counter[str] = field(default_factory=Counter)  # by method name
    errors: Counter[int] = field(default_factory=Counter)  # by HTTP status
    sends_delivered: int = 0
    paid_sends: int = 0  # sends that asked for the paid tier (allow_paid_broadcast)
    edits: int = 0
    rejected_429: int = 0
    # Edits refused because they would change nothing: a bot that edits carefully makes none.
    not_modified: int = 0
    updates_enqueued: int = 0
    updates_confirmed: int = 0
    # The highest update_id getUpdates has handed to the bot: those up to it were delivered.
    updates_delivered_up_to: int = 0
    # Webhook requests answered other than 200 (a refused secret, a bot that was down).
    webhook_refusals: int = 0


@dataclass(slots=True)
class UploadedFile:
    """A file part of a multipart request."""

    filename: str
    content_type: str
    size: int
    content: bytes = b""


@dataclass(slots=True)
class FileInfo:
    """A file the simulator knows by file_id."""

    kind: str  # "photo" or "document"
    unique_id: str
    size: int
    name: str = ""
    mime_type: str = ""
    content: bytes = b""  # what was uploaded, for tests to read back


@dataclass(slots=True)
class ChatState:
    """One chat: its Chat JSON, its messages by id and what the bot sent, in order."""

    chat: dict[str, Any]
    messages: dict[int, SentMessage] = field(default_factory=dict)
    received: list[SentMessage] = field(default_factory=list)
    next_message_id: int = 1


@dataclass(slots=True)
class _Fault:
    status: int
    description: str
    remaining: int
    retry_after: int | None


class BotApiSimulator:
    """An in-memory Telegram Bot API served over HTTP by aiohttp."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        bot_username: str = "muster_test_bot",
        bot_id: int = 123456,
        rate_limit: float | None = 30.0,
        per_chat_limit: float | None = None,
        paid_rate_limit: float = 1000.0,
        bot_name: str = "Muster",
        *,
        open_chats: bool = False,
        keep_messages: bool = True,
        on_send: Callable[[SentMessage], object] | None = None,
    ) -> None:
        """open_chats: any positive chat id is a user who started the bot, so a benchmark
        can send to a million people without creating a SimUser for each (the default keeps
        Telegram's "chat not found" for users the bot never saw). keep_messages=False keeps
        no record of what the bot sent, so memory stays flat however many messages go out;
        the counters in `stats` still count them. on_send is called with every message the
        bot sends (after it is counted), for observers such as a latency benchmark."""
        self.token = token
        self.bot_username = bot_username
        self.bot_id = bot_id
        self.bot_name = bot_name
        self.rate_limit = rate_limit
        self.per_chat_limit = per_chat_limit
        self.paid_rate_limit = paid_rate_limit
        self.open_chats = open_chats
        self.keep_messages = keep_messages
        self.on_send = on_send
        # Called with every message the bot edits, after the edit (for observers, as on_send).
        self.on_edit: Callable[[SentMessage], object] | None = None
        self.stats = SimStats()
        self.webhook_url = ""
        self.webhook_secret = ""
        self._pusher: asyncio.Task[None] | None = None
        self._pushing: set[int] = set()  # update ids posted and not yet answered
        self._posts: set[asyncio.Task[None]] = set()
        self._answered: set[int] = set()  # answered 200, not yet off the queue's left end
        self.settings: dict[str, dict[str, Any]] = {}  # last value of each setMy* call
        self._users: dict[int, SimUser] = {}
        self._groups: dict[int, SimGroup] = {}
        self._chats: dict[int, ChatState] = {}
        self._files: dict[str, FileInfo] = {}
        self._commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self._callbacks: dict[str, SimUser] = {}  # unanswered callback queries
        self._faults: dict[str, deque[_Fault]] = {}
        self._next_user_id = 1001
        self._next_group_id = -5001
        self._file_counter = itertools.count(1)
        # Updates: confirmed ones are dropped from the left as offsets advance.
        self._updates: deque[dict[str, Any]] = deque()
        self._next_update_id = 1
        self._allowed: frozenset[str] | None = None  # None: Telegram's default set
        self._poll_generation = 0
        self._updates_event = asyncio.Event()
        # Wakes driver waits (receives, waits_for, idle) on any change.
        self._changed = asyncio.Event()
        self._send_times: deque[float] = deque()
        self._chat_send_times: dict[int, deque[float]] = {}
        self._inflight = 0
        self._last_request = time.monotonic()
        self._stopping = False
        self._runner: web.AppRunner | None = None
        self._handlers: dict[str, Handler] = self._handler_table()
        self.url = ""

    # --- lifecycle ------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve on host:port (0 picks a free port); return the base URL."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._stopping = False
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound_port = self._runner.addresses[0][1]
        self.url = f"http://{host}:{bound_port}"
        return self.url

    async def stop(self) -> None:
        """Stop serving; pending long polls return at once."""
        self._stopping = True
        self._stop_pushing()
        self._updates_event.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> BotApiSimulator:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # --- driver-facing API ----------------------------------------------------------

    def user(
        self,
        first_name: str,
        lang: str = "en",
        user_id: int | None = None,
        username: str | None = None,
    ) -> SimUser:
        """Return the user with this id (updating name/lang) or create a new one."""
        if user_id is None:
            while self._next_user_id in self._users:
                self._next_user_id += 1
            user_id = self._next_user_id
            self._next_user_id += 1
        existing = self._users.get(user_id)
        if existing is not None:
            existing.first_name, existing.lang = first_name, lang
            existing.username = username or existing.username
            self._chats[user_id].chat = existing.chat_json()  # replaced, never mutated
            return existing
        sim_user = SimUser(self, user_id, first_name, lang, username)
        self._users[user_id] = sim_user
        self._chats[user_id] = ChatState(sim_user.chat_json())
        return sim_user

    def group(self, title: str) -> SimGroup:
        """Create a group chat (negative id) with the bot in it."""
        group_id = self._next_group_id
        self._next_group_id -= 1
        sim_group = SimGroup(self, group_id, title)
        self._groups[group_id] = sim_group
        self._chats[group_id] = ChatState(sim_group.chat_json())
        return sim_group

    def received(self, chat_id: int) -> list[SentMessage]:
        """Every message the bot sent to a chat, oldest first (edits applied in place)."""
        chat = self._chats.get(chat_id)
        return chat.received if chat is not None else []

    def message(self, chat_id: int, message_id: int) -> SentMessage | None:
        """A message of a chat by id (None if missing or deleted)."""
        chat = self._chats.get(chat_id)
        return chat.messages.get(message_id) if chat is not None else None

    def commands(
        self, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, str]]:
        """The commands setMyCommands stored for a scope and language."""
        return list(self._commands.get(_commands_key(scope, language_code), []))

    def file(self, file_id: str) -> FileInfo | None:
        """A file the bot uploaded (its name, type and bytes) or that the simulator made."""
        return self._files.get(file_id)

    def fail_next(
        self,
        method: str,
        status: int = 500,
        description: str = "Internal Server Error",
        count: int = 1,
        retry_after: int | None = None,
    ) -> None:
        """Make the next `count` calls of a method fail; status 0 drops the connection."""
        fault = _Fault(status, description, count, retry_after)
        self._faults.setdefault(method.lower(), deque()).append(fault)

    # A timeout argument reads better in test stories than wrapping every call.
    async def idle(self, timeout: float = 5.0, quiet: float = 0.2) -> None:  # noqa: ASYNC109
        """Wait until every update is confirmed and no request came for `quiet` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            now = time.monotonic()
            silent_for = now - self._last_request
            if not self._updates and self._inflight == 0 and silent_for >= quiet:
                return
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(
                    f"simulator not idle after {timeout}s: {len(self._updates)} unconfirmed "
                    f"updates, {self._inflight} requests in flight"
                )
            self._changed.clear()
            wait = min(remaining, max(quiet - silent_for, 0.01))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), wait)

    async def wait_until(
        self,
        predicate: Callable[[], bool],
        timeout: float,  # noqa: ASYNC109 - see idle()
    ) -> bool:
        """Wait until predicate() is true, re-checking on every change; False on timeout."""
        try:
            async with asyncio.timeout(timeout):
                while not predicate():
                    # Safe without a lock: nothing can change between the check and wait.
                    self._changed.clear()
                    await self._changed.wait()
        except TimeoutError:
            return predicate()
        return True

    def enqueue_update(self, payload: dict[str, Any]) -> int:
        """Append an update (payload without update_id) for getUpdates; return its id."""
        kind = next(iter(payload))
        update_id = self._next_update_id
        self._next_update_id += 1
        if not self._is_allowed(kind):
            return update_id  # Telegram does not keep updates the bot opted out of
        self._updates.append({"update_id": update_id, **payload})
        self.stats.updates_enqueued += 1
        self._updates_event.set()
        self._changed.set()
        return update_id

    def register_callback(self, query_id: str, sim_user: SimUser) -> None:
        """Remember a callback query id so answerCallbackQuery can accept it once."""
        self._callbacks[query_id] = sim_user

    def store_user_message(
        self,
        sim_user: SimUser,
        chat_id: int,
        kind: str,
        text: str,
        entities: list[dict[str, Any]],
        media: dict[str, Any] | None,
    ) -> SentMessage:
        """Record a message a user wrote (not part of the chat's received list)."""
        chat = self._chats[chat_id]
        message = SentMessage(
            message_id=self._next_message_id(chat),
            chat_id=chat_id,
            text=text,
            html=text,
            parse_mode=None,
            buttons=[],
            kind=kind,
            date=self.now(),
            entities=entities,
            media=media,
            from_user_id=sim_user.id,
        )
        chat.messages[message.message_id] = message
        return message

    def message_json(self, message: SentMessage) -> dict[str, Any]:
        """The Message object of a stored message, as the Bot API returns it."""
        sender = self.bot_user() if message.from_user_id is None else self._sender(message)
        out: dict[str, Any] = {
            "message_id": message.message_id,
            "date": message.date,
            "chat": self._chat_json(message.chat_id),
            "from": sender,
        }
        text_key, entities_key = (
            ("text", "entities") if message.kind == "text" else ("caption", "caption_entities")
        )
        if message.text:
            out[text_key] = message.text
        if message.entities:
            out[entities_key] = message.entities
        if message.media:
            out.update(message.media)
        markup = message.reply_markup
        if markup is not None and "inline_keyboard" in markup:
            out["reply_markup"] = markup
        if message.edit_date is not None:
            out["edit_date"] = message.edit_date
        return out

    def _chat_json(self, chat_id: int) -> dict[str, Any]:
        chat = self._chats.get(chat_id)
        return chat.chat if chat is not None else _open_chat_json(chat_id)

    def bot_user(self) -> dict[str, Any]:
        """The bot's User object."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_name,
            "username": self.bot_username,
        }

    def new_photo_sizes(self, size: int) -> list[dict[str, Any]]:
        """Register a new photo and return its PhotoSize list (thumbnail, full)."""
        file_id = self._new_file("photo", size)
        return self._photo_sizes(file_id)

    @staticmethod
    def now() -> int:
        """Unix time in whole seconds, as Telegram dates are."""
        return int(time.time())

    # --- HTTP plumbing --------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        tail = request.match_info["tail"]
        if not tail.startswith("bot") or "/" not in tail:
            return _error_response(ApiError(404, "Not Found"))
        token, _, method_name = tail[3:].partition("/")
        if token != self.token:
            return _error_response(ApiError(401, "Unauthorized"))
        method = spec.canonical_method(method_name)
        self.stats.requests[method or method_name] += 1
        self._last_request = time.monotonic()
        self._changed.set()
        if method is None:
            return self._count_error(ApiError(404, "Not Found"))
        counted = method != "getUpdates"  # a long poll in flight is not "busy"
        self._inflight += counted
        try:
            return await self._dispatch(request, method)
        finally:
            self._inflight -= counted
            self._last_request = time.monotonic()
            self._changed.set()

    async def _dispatch(self, request: web.Request, method: str) -> web.StreamResponse:
        fault = self._take_fault(method)
        if fault is not None:
            return self._fault_response(request, fault)
        try:
            params = await _read_params(request)
            missing = [name for name in spec.required_fields(method) if name not in params]
            if missing:
                raise bad_request(f"parameter {missing[0]} is required")
            try:
                typed = spec.coerce(method, params)
            except spec.CoerceError as exc:
                raise bad_request(f"invalid parameter {exc.field}") from None
            handler = self._handlers.get(method)
            if handler is None:
                raise bad_request(f"method {method} is not supported by the simulator")
            result = await handler(typed)
        except ApiError as exc:
            return self._count_error(exc)
        return web.json_response({"ok": True, "result": result}, dumps=_dumps)

    def _count_error(self, exc: ApiError) -> web.Response:
        self.stats.errors[exc.status] += 1
        if exc.status == 429:
            self.stats.rejected_429 += 1
        return _error_response(exc)

    def _take_fault(self, method: str) -> _Fault | None:
        queue = self._faults.get(method.lower())
        if not queue:
            return None
        fault = queue[0]
        fault.remaining -= 1
        if fault.remaining <= 0:
            queue.popleft()
        return fault

    def _fault_response(self, request: web.Request, fault: _Fault) -> web.StreamResponse:
        if fault.status == 0 and request.transport is not None:
            # A network failure: the client sees the connection drop without a reply.
            request.transport.abort()
        status = fault.status or 502
        return self._count_error(ApiError(status, fault.description, fault.retry_after))

    def _handler_table(self) -> dict[str, Handler]:
        table: dict[str, Handler] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "logOut": self._true,
            "close": self._true,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "sendDocument": self._send_document,
            "copyMessage": self._copy_message,
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "sendChatAction": self._send_chat_action,
        }
        for name in _RECORDED_SETTINGS:
            table[name] = self._make_recorder(name)
        return table

    def _make_recorder(self, name: str) -> Handler:
        async def record(params: dict[str, Any]) -> bool:
            self.settings[name] = params
            return True

        return record

    # --- updates and webhook --------------------------------------------------------

    async def _true(self, params: dict[str, Any]) -> bool:
        return True

    async def _get_me(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            **self.bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        limit = min(max(int(params.get("limit", 100)), 1), 100)
        timeout = max(float(params.get("timeout", 0)), 0.0)
        if params.get("allowed_updates") is not None:
            self._set_allowed(params["allowed_updates"])
        self._confirm(int(params.get("offset", 0)))
        # A newer getUpdates supersedes this one, as on Telegram (409 Conflict).
        self._poll_generation += 1
        generation = self._poll_generation
        self._updates_event.set()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            remaining = deadline - loop.time()
            if self._updates or self._stopping or remaining <= 0:
                batch = list(itertools.islice(self._updates, limit))
                if batch:
                    last = batch[-1]["update_id"]
                    self.stats.updates_delivered_up_to = max(
                        self.stats.updates_delivered_up_to, last
                    )
                return batch
            self._updates_event.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._updates_event.wait(), remaining)

    def _confirm(self, offset: int) -> None:
        updates = self._updates
        if offset < 0:
            # A negative offset keeps only the last -offset updates.
            while len(updates) > -offset:
                updates.popleft()
                self.stats.updates_confirmed += 1
            return
        while updates and updates[0]["update_id"] < offset:
            updates.popleft()
            self.stats.updates_confirmed += 1

    def _set_allowed(self, allowed: Iterable[str]) -> None:
        chosen = frozenset(allowed)
        self._allowed = chosen or None
        kept = [u for u in self._updates if self._is_allowed(_update_kind(u))]
        self._updates = deque(kept)

    def _is_allowed(self, kind: str) -> bool:
        if self._allowed is None:
            return kind not in _NOT_DEFAULT_UPDATES
        return kind in self._allowed

    async def _set_webhook(self, params: dict[str, Any]) -> bool:
        url = str(params.get("url", ""))
        secret = str(params.get("secret_token", ""))
        if url and not url.startswith(("https://", "http://")):
            raise ApiError(400, "Bad Request: bad webhook: HTTPS url must be provided for webhook")
        if secret and not _SECRET_TOKEN.fullmatch(secret):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        if params.get("allowed_updates") is not None:
            self._set_allowed(params["allowed_updates"])
        if params.get("drop_pending_updates"):
            self.stats.updates_confirmed += len(self._updates)
            self._updates.clear()
        self.webhook_url, self.webhook_secret = url, secret
        connections = int(params.get("max_connections", 40))
        self._stop_pushing()
        if url:
            self._pusher = asyncio.create_task(self._push(url, secret, connections))
        self._poll_generation += 1  # a long poll in flight ends (409), as on Telegram
        self._updates_event.set()
        return True

    async def _delete_webhook(self, params: dict[str, Any]) -> bool:
        self.webhook_url = ""
        self._stop_pushing()
        if params.get("drop_pending_updates"):
            self.stats.updates_confirmed += len(self._updates)
            self._updates.clear()
        return True

    def _stop_pushing(self) -> None:
        if self._pusher is not None:
            self._pusher.cancel()
            self._pusher = None
        for post in self._posts:
            post.cancel()
        self._posts.clear()
        self._pushing.clear()

    async def _push(self, url: str, secret: str, connections: int) -> None:
        """Sends each update to the webhook as Telegram does: a POST with the secret token,
        up to `connections` at once, one person's updates one after another, each sent again
        until it is answered 200 (then it is confirmed)."""
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
        async with aiohttp.ClientSession(headers=headers) as session:
            slots = asyncio.Semaphore(connections)
            while True:
                batch = self._next_to_push(connections)
                if not batch:
                    self._updates_event.clear()
                    await self._updates_event.wait()
                    continue
                for update in batch:
                    self._pushing.add(update["update_id"])
                    await slots.acquire()
                    task = asyncio.create_task(self._post_update(session, url, update))
                    self._posts.add(task)
                    task.add_done_callback(partial(self._posted, slots))

    def _posted(self, slots: asyncio.Semaphore, post: asyncio.Task[None]) -> None:
        slots.release()
        self._posts.discard(post)

    def _next_to_push(self, most: int) -> list[dict[str, Any]]:
        busy = {_update_sender(u) for u in self._updates if u["update_id"] in self._pushing}
        chosen: list[dict[str, Any]] = []
        for update in itertools.islice(self._updates, 1000):
            update_id = update["update_id"]
            if update_id in self._pushing or update_id in self._answered:
                continue
            sender = _update_sender(update)
            if sender not in busy:
                chosen.append(update)
            busy.add(sender)  # a person's later updates wait for this one
            if len(chosen) >= most:
                break
        return chosen

    async def _post_update(
        self, session: aiohttp.ClientSession, url: str, update: dict[str, Any]
    ) -> None:
        update_id = update["update_id"]
        failures = 0
        while self.webhook_url == url:
            try:
                async with session.post(url, json=update) as response:
                    status = response.status
            except aiohttp.ClientError:
                status = 0
            if status == 200:
                self._answered.add(update_id)
                self.stats.updates_delivered_up_to = max(
                    self.stats.updates_delivered_up_to, update_id
                )
                while self._updates and self._updates[0]["update_id"] in self._answered:
                    self._answered.discard(self._updates.popleft()["update_id"])
                    self.stats.updates_confirmed += 1
                break
            self.stats.webhook_refusals += 1
            failures += 1
            await asyncio.sleep(min(0.05 * 2**failures, 2.0))
        self._pushing.discard(update_id)
        self._updates_event.set()
        self._changed.set()

    async def _get_webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    # --- sending --------------------------------------------------------------------

    async def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._sendable_chat(params)
        raw = params["text"]
        text, entities = self._format(raw, params.get("parse_mode"), params.get("entities"))
        _check_text(text)
        markup, buttons = _parse_markup(params.get("reply_markup"))
        message = self._deliver(chat, "text", text, raw, params, entities, markup, buttons)
        return self.message_json(message)

    async def _send_photo(self, params: dict[str, Any]) -> dict[str, Any]:
        return await self._send_media(params, "photo")

    async def _send_document(self, params: dict[str, Any]) -> dict[str, Any]:
        return await self._send_media(params, "document")

    async def _send_media(self, params: dict[str, Any], kind: str) -> dict[str, Any]:
        chat = self._sendable_chat(params)
        file_id = self._resolve_file(params, kind)
        raw = str(params.get("caption", ""))
        caption, entities = self._format(
            raw, params.get("parse_mode"), params.get("caption_entities")
        )
        _check_caption(caption)
        markup, buttons = _parse_markup(params.get("reply_markup"))
        message = self._deliver(chat, kind, caption, raw, params, entities, markup, buttons)
        message.media = self._media_json(kind, file_id)
        return self.message_json(message)

    async def _copy_message(self, params: dict[str, Any]) -> dict[str, int]:
        chat = self._sendable_chat(params)
        source_chat = self._chats.get(params["from_chat_id"])
        if source_chat is None:
            raise bad_request("chat not found")
        source = source_chat.messages.get(params["message_id"])
        if source is None:
            raise bad_request("message to copy not found")
        text, raw, entities = source.text, source.html, source.entities
        if "caption" in params and source.kind != "text":
            raw = str(params["caption"])
            text, entities = self._format(
                raw, params.get("parse_mode"), params.get("caption_entities")
            )
            _check_caption(text)
        markup, buttons = _parse_markup(params.get("reply_markup"))
        message = self._deliver(chat, source.kind, text, raw, params, entities, markup, buttons)
        message.media = source.media
        return {"message_id": message.message_id}

    def _sendable_chat(self, params: dict[str, Any]) -> ChatState:
        """Check rate limits and that the bot may write to the chat."""
        chat_id = params["chat_id"]
        paid = bool(params.get("allow_paid_broadcast"))
        self._check_rate(chat_id, paid)
        self.stats.paid_sends += paid
        return self._writable_chat(chat_id)

    def _visible_chat(self, chat_id: object) -> ChatState:
        """The chat if the bot knows it: a group it is in or a user seen in an update."""
        chat = self._chats.get(chat_id) if isinstance(chat_id, int) else None
        sim_user = self._users.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None and self.open_chats and isinstance(chat_id, int) and chat_id > 0:
            return self._open_chat(chat_id)
        if chat is None or (sim_user is not None and not sim_user.seen):
            raise bad_request("chat not found")
        return chat

    def _writable_chat(self, chat_id: object) -> ChatState:
        chat = self._visible_chat(chat_id)
        sim_user = self._users.get(chat_id) if isinstance(chat_id, int) else None
        if sim_user is not None:
            if sim_user.blocked:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            if not sim_user.started:
                raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        return chat

    def _open_chat(self, chat_id: int) -> ChatState:
        """A private chat of a user nobody created, under open_chats. Without keep_messages
        it is not stored, so a million recipients cost no memory (its message ids restart
        at 1, which no benchmark reads)."""
        chat = ChatState(_open_chat_json(chat_id))
        if self.keep_messages:
            self._chats[chat_id] = chat
        return chat

    def _deliver(
        self,
        chat: ChatState,
        kind: str,
        text: str,
        raw: str,
        params: dict[str, Any],
        entities: list[dict[str, Any]],
        markup: dict[str, Any] | None,
        buttons: list[list[Button]],
    ) -> SentMessage:
        message = SentMessage(
            message_id=self._next_message_id(chat),
            chat_id=chat.chat["id"],
            text=text,
            html=raw,
            parse_mode=params.get("parse_mode"),
            buttons=buttons,
            kind=kind,
            date=self.now(),
            entities=entities,
            reply_markup=markup,
        )
        if self.keep_messages:
            chat.messages[message.message_id] = message
            chat.received.append(message)
        self._record_send(message.chat_id)
        self.stats.sends_delivered += 1
        self._changed.set()
        if self.on_send is not None:
            self.on_send(message)
        return message

    def _format(
        self, raw: str, parse_mode: str | None, entities: object
    ) -> tuple[str, list[dict[str, Any]]]:
        """Apply the parse mode; return the trimmed plain text and its entities."""
        mode = (parse_mode or "").lower()
        if mode == "html":
            try:
                text, found = parse_html(raw)
            except ParseError as exc:
                raise bad_request(f"can't parse entities: {exc.reason}") from None
        elif mode == "":
            text = raw
            found = list(entities) if isinstance(entities, list) else []
        elif mode in ("markdown", "markdownv2"):
            raise bad_request(f"parse_mode {parse_mode} is not supported by the simulator")
        else:
            raise bad_request(f"unsupported parse_mode {parse_mode}")
        return _trim(text, found)

    def _next_message_id(self, chat: ChatState) -> int:
        message_id = chat.next_message_id
        chat.next_message_id += 1
        return message_id

    def _sender(self, message: SentMessage) -> dict[str, Any]:
        assert message.from_user_id is not None
        return self._users[message.from_user_id].json()

    # --- rate limits ----------------------------------------------------------------

    def _check_rate(self, chat_id: object, paid: bool) -> None:
        now = time.monotonic()
        limit = self.paid_rate_limit if paid else self.rate_limit
        if self.rate_limit is not None and limit is not None:
            _enforce(self._send_times, limit, now)
        self._check_chat_rate(chat_id, now)

    def _check_chat_rate(self, chat_id: object, now: float) -> None:
        if self.per_chat_limit is not None and isinstance(chat_id, int):
            window = self._chat_send_times.get(chat_id)
            if window is not None:
                _enforce(window, self.per_chat_limit, now)

    def _record_send(self, chat_id: int) -> None:
        now = time.monotonic()
        if self.rate_limit is not None:
            self._send_times.append(now)
        self._record_chat_send(chat_id, now)

    def _record_chat_send(self, chat_id: int, now: float) -> None:
        if self.per_chat_limit is not None:
            self._chat_send_times.setdefault(chat_id, deque()).append(now)

    # --- files ----------------------------------------------------------------------

    def _resolve_file(self, params: dict[str, Any], kind: str) -> str:
        value = params[kind]
        if isinstance(value, str) and value.startswith("attach://"):
            value = params.get(value.removeprefix("attach://"))
        if isinstance(value, UploadedFile):
            file_id = self._new_file(kind, value.size, value.filename, value.content_type)
            self._files[file_id].content = value.content
            return file_id
        if not isinstance(value, str):
            raise bad_request("wrong file identifier/HTTP URL specified")
        known = self._files.get(value)
        if known is not None:
            if known.kind != kind:
                raise bad_request(f"can't use file of type {known.kind.title()} as {kind.title()}")
            return value
        if value.startswith(("http://", "https://")):
            return self._new_file(kind, 1, value.rsplit("/", 1)[-1], "")
        raise bad_request("wrong file identifier/HTTP URL specified")

    def _new_file(self, kind: str, size: int, name: str = "", mime_type: str = "") -> str:
        number = next(self._file_counter)
        file_id = f"sim-{kind}-{number}"
        self._files[file_id] = FileInfo(kind, f"u{kind}{number}", size, name, mime_type)
        return file_id

    def _media_json(self, kind: str, file_id: str) -> dict[str, Any]:
        if kind == "photo":
            return {"photo": self._photo_sizes(file_id)}
        info = self._files[file_id]
        document: dict[str, Any] = {
            "file_id": file_id,
            "file_unique_id": info.unique_id,
            "file_size": info.size,
        }
        if info.name:
            document["file_name"] = info.name
        if info.mime_type:
            document["mime_type"] = info.mime_type
        return {"document": document}

    def _photo_sizes(self, file_id: str) -> list[dict[str, Any]]:
        info = self._files[file_id]
        thumb = {
            "file_id": f"{file_id}-thumb",
            "file_unique_id": f"{info.unique_id}t",
            "width": 90,
            "height": 90,
            "file_size": min(info.size, 1024),
        }
        full = {
            "file_id": file_id,
            "file_unique_id": info.unique_id,
            "width": 800,
            "height": 800,
            "file_size": info.size,
        }
        return [thumb, full]

    # --- editing --------------------------------------------------------------------

    async def _edit_message_text(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._editable(params)
        if message.kind != "text":
            raise bad_request("there is no text in the message to edit")
        raw = params["text"]
        text, entities = self._format(raw, params.get("parse_mode"), params.get("entities"))
        _check_text(text)
        return self._apply_edit(message, params, text, raw, entities)

    async def _edit_message_caption(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._editable(params)
        if message.kind == "text":
            raise bad_request("there is no caption in the message to edit")
        raw = str(params.get("caption", ""))
        text, entities = self._format(raw, params.get("parse_mode"), params.get("caption_entities"))
        _check_caption(text)
        return self._apply_edit(message, params, text, raw, entities)

    async def _edit_message_reply_markup(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._editable(params)
        return self._apply_edit(message, params, message.text, message.html, message.entities)

    def _editable(self, params: dict[str, Any]) -> SentMessage:
        if "inline_message_id" in params:
            raise bad_request("inline messages are not supported by the simulator")
        if "chat_id" not in params or "message_id" not in params:
            raise bad_request("message identifier is not specified")
        chat = self._writable_chat(params["chat_id"])
        message = chat.messages.get(params["message_id"])
        if message is None:
            raise bad_request("message to edit not found")
        if message.from_user_id is not None:
            raise bad_request("message can't be edited")
        # Edits count against a chat's flood limit as messages do (not against the bot's
        # global one, which Telegram states for messages sent).
        now = time.monotonic()
        self._check_chat_rate(message.chat_id, now)
        self._record_chat_send(message.chat_id, now)
        return message

    def _apply_edit(
        self,
        message: SentMessage,
        params: dict[str, Any],
        text: str,
        raw: str,
        entities: list[dict[str, Any]],
    ) -> dict[str, Any]:
        # Omitting reply_markup in an edit removes the inline keyboard, as on Telegram.
        markup, buttons = _parse_markup(params.get("reply_markup"))
        if text == message.text and entities == message.entities and markup == message.reply_markup:
            self.stats.not_modified += 1
            raise bad_request(
                "message is not modified: specified new message content and reply markup "
                "are exactly the same as a current content and reply markup of the message"
            )
        message.text, message.html, message.entities = text, raw, entities
        message.reply_markup, message.buttons = markup, buttons
        if "parse_mode" in params:
            message.parse_mode = params["parse_mode"]
        message.edited += 1
        message.edit_date = self.now()
        self.stats.edits += 1
        if self.on_edit is not None:
            self.on_edit(message)
        self._changed.set()
        return self.message_json(message)

    async def _delete_message(self, params: dict[str, Any]) -> bool:
        chat = self._chats.get(params["chat_id"])
        if chat is None:
            raise bad_request("chat not found")
        message = chat.messages.pop(params["message_id"], None)
        if message is None:
            raise bad_request("message to delete not found")
        message.deleted = True
        self._changed.set()
        return True

    # --- callbacks, commands, chat actions ------------------------------------------

    async def _answer_callback_query(self, params: dict[str, Any]) -> bool:
        query_id = params["callback_query_id"]
        sim_user = self._callbacks.pop(query_id, None)
        if sim_user is None:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        text = params.get("text")
        if text is not None and len(text) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        answer = CallbackAnswer(
            query_id, text, bool(params.get("show_alert", False)), params.get("url")
        )
        sim_user.callback_answers.append(answer)
        self._changed.set()
        return True

    async def _set_my_commands(self, params: dict[str, Any]) -> bool:
        commands = params["commands"]
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("BOT_COMMANDS_TOO_MUCH")
        stored = [_check_command(command) for command in commands]
        key = self._commands_key(params)
        if stored:
            self._commands[key] = stored
        else:
            self._commands.pop(key, None)
        return True

    async def _get_my_commands(self, params: dict[str, Any]) -> list[dict[str, str]]:
        return self._commands.get(self._commands_key(params), [])

    async def _delete_my_commands(self, params: dict[str, Any]) -> bool:
        self._commands.pop(self._commands_key(params), None)
        return True

    def _commands_key(self, params: dict[str, Any]) -> tuple[str, str]:
        """Validate the scope (its chat must be known, as on Telegram) and build the key."""
        scope = params.get("scope")
        if isinstance(scope, dict) and "chat_id" in scope:
            self._visible_chat(scope["chat_id"])
        return _commands_key(scope, params.get("language_code", ""))

    async def _send_chat_action(self, params: dict[str, Any]) -> bool:
        self._writable_chat(params["chat_id"])
        if params["action"] not in _CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True


# --- module helpers ------------------------------------------------------------------


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _open_chat_json(chat_id: int) -> dict[str, Any]:
    """The Chat object of a user known only by id (open_chats)."""
    return {"id": chat_id, "type": "private", "first_name": f"User {chat_id}"}


def _error_response(exc: ApiError) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": exc.status, "description": exc.description}
    if exc.retry_after is not None:
        body["parameters"] = {"retry_after": exc.retry_after}
    return web.json_response(body, status=exc.status, dumps=_dumps)


async def _read_params(request: web.Request) -> dict[str, Any]:
    """Merge query string and body (form, multipart or JSON) into one dict."""
    params: dict[str, Any] = dict(request.query)
    if not request.can_read_body:
        return params
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise bad_request("can't parse JSON") from None
        if isinstance(body, dict):
            params.update(body)
        return params
    form = await request.post()
    for name, value in form.items():
        if isinstance(value, web.FileField):
            content = value.file.read()
            params[name] = UploadedFile(value.filename, value.content_type, len(content), content)
        else:
            params[name] = value
    return params


def _update_kind(update: dict[str, Any]) -> str:
    return next(key for key in update if key != "update_id")


def _update_sender(update: dict[str, Any]) -> int:
    """Whose update it is (the user, else the chat), for keeping a person's in order."""
    body = update[_update_kind(update)]
    sender = body.get("from") or body.get("chat") or {}
    return int(sender.get("id", 0))


def _enforce(window: deque[float], limit: float, now: float) -> None:
    """Raise 429 if `limit` sends already happened in the last second."""
    cutoff = now - 1.0
    while window and window[0] <= cutoff:
        window.popleft()
    if len(window) >= limit:
        retry_after = max(1, math.ceil(window[0] + 1.0 - now))
        raise ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)


def _check_text(text: str) -> None:
    if not text:
        raise bad_request("message text is empty")
    if utf16_len(text) > MAX_TEXT:
        raise bad_request("message is too long")


def _check_caption(caption: str) -> None:
    if utf16_len(caption) > MAX_CAPTION:
        raise bad_request("message caption is too long")


def _trim(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Strip surrounding whitespace as Telegram does, shifting entities to match."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    size = utf16_len(stripped)
    kept: list[dict[str, Any]] = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, size)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return stripped, kept


def _parse_markup(markup: object) -> tuple[dict[str, Any] | None, list[list[Button]]]:
    """Validate reply_markup; return it and its inline buttons."""
    if markup is None:
        return None, []
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in markup:
        if not {"keyboard", "remove_keyboard", "force_reply"} & markup.keys():
            raise bad_request("can't parse reply keyboard markup JSON object")
        return markup, []
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('can\'t parse inline keyboard: field "inline_keyboard" must be an Array')
    if sum(len(row) for row in rows) > MAX_BUTTONS:
        raise bad_request("reply markup is too long")
    return markup, [[_check_button(button) for button in row] for row in rows]


def _check_button(button: object) -> Button:
    if not isinstance(button, dict):
        raise bad_request("can't parse inline keyboard button: object expected")
    text = button.get("text")
    if not isinstance(text, str) or not text.strip():
        raise bad_request("BUTTON_TEXT_INVALID")
    actions = [name for name in _BUTTON_ACTIONS if name in button]
    if not actions:
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if len(actions) > 1:
        raise bad_request(
            "can't parse inline keyboard button: exactly one of the optional fields must be used"
        )
    data, url = button.get("callback_data"), button.get("url")
    if "callback_data" in button and (
        not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA
    ):
        raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button and (not isinstance(url, str) or not _BUTTON_URL_RE.match(url)):
        raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")
    return Button(text, data, url)


def _check_command(command: object) -> dict[str, str]:
    if not isinstance(command, dict):
        raise bad_request("can't parse BotCommand")
    name, description = command.get("command"), command.get("description")
    if not isinstance(name, str) or not _COMMAND_RE.match(name):
        raise bad_request("BOT_COMMAND_INVALID")
    if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
        raise bad_request("command description must be non-empty")
    return {"command": name, "description": description}


def _commands_key(scope: object, language_code: object) -> tuple[str, str]:
    """Commands are stored per (scope, language); the default scope is {"type":"default"}."""
    if scope is None:
        scope = {"type": "default"}
    if not isinstance(scope, dict) or "type" not in scope:
        raise bad_request("can't parse BotCommandScope")
    language = str(language_code or "")
    if language and not re.fullmatch(r"[a-z]{2}", language):
        raise bad_request("invalid language code specified")
    return json.dumps(scope, sort_keys=True), language
