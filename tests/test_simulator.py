"""Tests of the local Bot API simulator: over raw HTTP, through telegram.Bot and PTB."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)

from simulator import BotApiSimulator, spec
from simulator.html import ParseError, parse_html

TOKEN = "123456:TEST"
SHARED_SPEC = Path(__file__).resolve().parents[2] / "shared" / "telegram-bot-api" / "api.min.json"


@pytest_asyncio.fixture
async def sim() -> AsyncIterator[BotApiSimulator]:
    simulator = BotApiSimulator(token=TOKEN)
    await simulator.start()
    yield simulator
    await simulator.stop()


@pytest_asyncio.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest_asyncio.fixture
async def bot(sim: BotApiSimulator) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=f"{sim.url}/bot") as telegram_bot:
        yield telegram_bot


async def call(
    http: aiohttp.ClientSession, sim: BotApiSimulator, method: str, **params: Any
) -> tuple[int, dict[str, Any]]:
    """POST a form-encoded Bot API call the way PTB does (non-strings as JSON)."""
    form = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
    async with http.post(f"{sim.url}/bot{TOKEN}/{method}", data=form) as response:
        return response.status, await response.json()


# --- spec ----------------------------------------------------------------------------


def test_trimmed_spec_matches_shared() -> None:
    """The bundled botapi.json has the same methods and required fields as the reference."""
    if not SHARED_SPEC.exists():
        pytest.skip("shared Bot API reference not available")
    reference = json.loads(SHARED_SPEC.read_text(encoding="utf-8"))["methods"]
    assert spec.method_names() == frozenset(reference)
    for name, method in reference.items():
        expected = [f["name"] for f in method.get("fields", []) if f["required"]]
        assert spec.required_fields(name) == expected, name


def test_coerce_turns_strings_into_typed_values() -> None:
    """Form values become int, bool, JSON objects or stay strings according to the spec."""
    raw = {
        "chat_id": "42",
        "text": "123",
        "disable_notification": "true",
        "reply_markup": '{"inline_keyboard": []}',
    }
    typed = spec.coerce("sendMessage", raw)
    assert typed == {
        "chat_id": 42,
        "text": "123",
        "disable_notification": True,
        "reply_markup": {"inline_keyboard": []},
    }
    assert spec.coerce("sendMessage", {"chat_id": "@channel"})["chat_id"] == "@channel"


# --- HTML parse mode -----------------------------------------------------------------


def test_parse_html_builds_entities_in_utf16_units() -> None:
    """Tags become entities whose offsets count UTF-16 code units, references decode."""
    text, entities = parse_html('👋 <b>Hi</b> &amp; <a href="https://x.org">go</a>')
    assert text == "👋 Hi & go"
    assert entities == [
        {"type": "bold", "offset": 3, "length": 2},
        {"type": "text_link", "url": "https://x.org", "offset": 8, "length": 2},
    ]


@pytest.mark.parametrize(
    "bad",
    [
        "<b>open",
        "<b>x</i>",
        "x</b>",
        "<blink>x</blink>",
        "1 < 2",
        "Tom & Jerry",
        '<a href="">x</a>',
    ],
)
def test_parse_html_rejects_malformed(bad: str) -> None:
    """Unclosed, mismatched or unknown tags, a bare '<' or '&' and bad links are errors."""
    with pytest.raises(ParseError):
        parse_html(bad)


# --- raw HTTP ------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_unknown_method_is_404(sim: BotApiSimulator, http: aiohttp.ClientSession) -> None:
    """A method Telegram does not have answers 404 Not Found."""
    status, body = await call(http, sim, "sendTelepathy", chat_id=1)
    assert (status, body) == (404, {"ok": False, "error_code": 404, "description": "Not Found"})


@pytest.mark.asyncio
async def test_wrong_token_is_401(sim: BotApiSimulator, http: aiohttp.ClientSession) -> None:
    """A request with another token answers 401 Unauthorized."""
    async with http.post(f"{sim.url}/bot999:WRONG/getMe") as response:
        assert response.status == 401
        assert (await response.json())["description"] == "Unauthorized"


@pytest.mark.asyncio
async def test_method_names_are_case_insensitive(
    sim: BotApiSimulator, http: aiohttp.ClientSession
) -> None:
    """Telegram accepts method names in any case."""
    status, body = await call(http, sim, "GETME")
    assert status == 200
    assert body["result"]["username"] == "muster_test_bot"


@pytest.mark.asyncio
async def test_missing_required_parameter_is_400(
    sim: BotApiSimulator, http: aiohttp.ClientSession
) -> None:
    """Leaving out a required parameter names it in a 400."""
    ana = sim.user("Ana")
    await ana.says("/start")
    status, body = await call(http, sim, "sendMessage", chat_id=ana.id)
    assert status == 400
    assert body["description"] == "Bad Request: parameter text is required"


@pytest.mark.asyncio
async def test_text_length_counts_utf16_after_parsing(
    sim: BotApiSimulator, http: aiohttp.ClientSession
) -> None:
    """4096 UTF-16 units after parsing pass, one more is "message is too long"."""
    ana = sim.user("Ana")
    await ana.says("hi")
    fits = "<b>" + "x" * 4096 + "</b>"
    status, _ = await call(http, sim, "sendMessage", chat_id=ana.id, text=fits, parse_mode="HTML")
    assert status == 200
    too_long = "😀" * 2049  # 4098 UTF-16 units but only 2049 code points
    status, body = await call(http, sim, "sendMessage", chat_id=ana.id, text=too_long)
    assert (status, body["description"]) == (400, "Bad Request: message is too long")
    status, body = await call(http, sim, "sendMessage", chat_id=ana.id, text=" \n ")
    assert (status, body["description"]) == (400, "Bad Request: message text is empty")


@pytest.mark.asyncio
async def test_malformed_html_is_rejected(
    sim: BotApiSimulator, http: aiohttp.ClientSession
) -> None:
    """Unescaped user input in HTML mode fails with "can't parse entities"."""
    ana = sim.user("Ana")
    await ana.says("hi")
    status, body = await call(
        http, sim, "sendMessage", chat_id=ana.id, text="<b>a < b</b>", parse_mode="HTML"
    )
    assert status == 400
    assert body["description"].startswith("Bad Request: can't parse entities: ")
    assert ana.messages == []


@pytest.mark.asyncio
async def test_callback_data_over_64_bytes_is_rejected(
    sim: BotApiSimulator, http: aiohttp.ClientSession
) -> None:
    """callback_data is limited to 64 bytes of UTF-8, not characters."""
    ana = sim.user("Ana")
    await ana.says("hi")
    for data, expected in (("é" * 32, 200), ("é" * 32 + "x", 400)):
        markup = {"inline_keyboard": [[{"text": "Go", "callback_data": data}]]}
        status, body = await call(
            http, sim, "sendMessage", chat_id=ana.id, text="pick", reply_markup=markup
        )
        assert status == expected, body
    assert body["description"] == "Bad Request: BUTTON_DATA_INVALID"


@pytest.mark.asyncio
async def test_rate_limit_answers_429_with_retry_after(
    sim: BotApiSimulator, http: aiohttp.ClientSession
) -> None:
    """The 31st send within a second with limit 30 gets 429 and is not delivered."""
    ana = sim.user("Ana")
    await ana.says("hi")
    for n in range(30):
        status, _ = await call(http, sim, "sendMessage", chat_id=ana.id, text=f"m{n}")
        assert status == 200
    status, body = await call(http, sim, "sendMessage", chat_id=ana.id, text="one too many")
    assert status == 429
    assert body["parameters"]["retry_after"] >= 1
    assert body["description"].startswith("Too Many Requests: retry after ")
    assert len(ana.messages) == 30
    assert sim.stats.rejected_429 == 1


@pytest.mark.asyncio
async def test_long_poll_returns_promptly_and_offset_confirms(
    sim: BotApiSimulator, http: aiohttp.ClientSession
) -> None:
    """A waiting getUpdates returns as soon as an update arrives; a higher offset confirms."""
    ana = sim.user("Ana")
    poll = asyncio.create_task(call(http, sim, "getUpdates", timeout=30))
    assert await sim.wait_until(lambda: sim.stats.requests["getUpdates"] == 1, timeout=5)
    started = time.monotonic()
    message_id = await ana.says("/start")
    _, body = await asyncio.wait_for(poll, timeout=5)
    assert time.monotonic() - started < 2
    assert [u["message"]["message_id"] for u in body["result"]] == [message_id]
    update_id = body["result"][0]["update_id"]
    assert body["result"][0]["message"]["entities"][0]["type"] == "bot_command"
    _, again = await call(http, sim, "getUpdates", offset=update_id)
    assert len(again["result"]) == 1  # not confirmed yet
    _, after = await call(http, sim, "getUpdates", offset=update_id + 1)
    assert after["result"] == []
    await sim.idle(timeout=5)


@pytest.mark.asyncio
async def test_fault_injection_returns_the_error_once(
    sim: BotApiSimulator, http: aiohttp.ClientSession
) -> None:
    """fail_next makes the next call fail with the given status, then calls succeed."""
    sim.fail_next("getMe", 500, "Internal Server Error")
    assert (await call(http, sim, "getMe"))[0] == 500
    assert (await call(http, sim, "getMe"))[0] == 200


# --- through telegram.Bot ------------------------------------------------------------


@pytest.mark.asyncio
async def test_bot_send_message_parses_html(sim: BotApiSimulator, bot: Bot) -> None:
    """PTB gets back a Message with plain text and entities; the chat records it."""
    ana = sim.user("Ana", lang="es")
    await ana.says("hola")
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Sí", callback_data="rsvp:1")]])
    sent = await bot.send_message(ana.id, "<b>Hola</b> Ana", parse_mode="HTML", reply_markup=markup)
    assert sent.text == "Hola Ana"
    assert sent.entities[0].type == "bold"
    assert sent.reply_markup == markup
    received = await ana.receives()
    assert (received.text, received.html, received.message_id) == (
        "Hola Ana",
        "<b>Hola</b> Ana",
        sent.message_id,
    )
    assert received.render() == "Hola Ana\n[1] Sí"


@pytest.mark.asyncio
async def test_bot_edit_not_modified_is_400(sim: BotApiSimulator, bot: Bot) -> None:
    """Editing a message to the same text and markup raises BadRequest, a change succeeds."""
    ana = sim.user("Ana")
    await ana.says("hi")
    sent = await bot.send_message(ana.id, "same")
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("same", chat_id=ana.id, message_id=sent.message_id)
    await bot.edit_message_text("changed", chat_id=ana.id, message_id=sent.message_id)
    assert (ana.last.text, ana.last.edited) == ("changed", 1)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=ana.id, message_id=999)


@pytest.mark.asyncio
async def test_bot_blocked_user_is_403(sim: BotApiSimulator, bot: Bot) -> None:
    """Sending to a user who blocked the bot raises Forbidden, unknown chats BadRequest."""
    ana = sim.user("Ana")
    await ana.says("hi")
    await ana.blocks()
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_message(ana.id, "are you there?")
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(424242, "hello?")


@pytest.mark.asyncio
async def test_bot_sees_retry_after(
    sim: BotApiSimulator, bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PTB turns the simulator's 429 into RetryAfter carrying the wait."""
    # Without it PTB 22 warns that retry_after will become a timedelta.
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    sim.rate_limit = 2
    ana = sim.user("Ana")
    await ana.says("hi")
    await bot.send_message(ana.id, "1")
    await bot.send_message(ana.id, "2")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(ana.id, "3")
    assert caught.value.retry_after == dt.timedelta(seconds=1)


@pytest.mark.asyncio
async def test_bot_photo_upload_and_copy(sim: BotApiSimulator, bot: Bot) -> None:
    """An uploaded photo gets a file_id that can be resent and copied to another chat."""
    ana, ben = sim.user("Ana"), sim.user("Ben")
    await ana.says("hi")
    await ben.says("hi")
    sent = await bot.send_photo(ana.id, b"\x89PNG fake", caption="<i>flyer</i>", parse_mode="HTML")
    assert sent.caption == "flyer"
    again = await bot.send_photo(ben.id, sent.photo[-1].file_id)
    assert again.photo[-1].file_id == sent.photo[-1].file_id
    copied = await bot.copy_message(ben.id, ana.id, sent.message_id)
    assert ben.last.message_id == copied.message_id
    assert (ben.last.kind, ben.last.text) == ("photo", "flyer")
    with pytest.raises(BadRequest, match=r"(?i)caption is too long"):
        await bot.send_photo(ana.id, sent.photo[-1].file_id, caption="x" * 1025)


@pytest.mark.asyncio
async def test_bot_commands_are_stored_per_scope_and_language(
    sim: BotApiSimulator, bot: Bot
) -> None:
    """setMyCommands validates and stores commands; getMyCommands returns them."""
    await bot.set_my_commands([("start", "Start")], language_code="es")
    assert sim.commands(language_code="es") == [{"command": "start", "description": "Start"}]
    assert sim.commands() == []
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([("Start", "uppercase is invalid")])


# --- a real PTB Application polling the simulator ------------------------------------


async def _start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_chat is not None
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("I'll be there", callback_data="yes")]])
    await context.bot.send_message(update.effective_chat.id, "Join us?", reply_markup=markup)


async def _pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("Thanks!")
    await query.edit_message_text(f"See you! ({query.data})")


@pytest_asyncio.fixture
async def app(sim: BotApiSimulator) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    application = ApplicationBuilder().token(TOKEN).base_url(f"{sim.url}/bot").build()
    application.add_handler(CommandHandler("start", _start))
    application.add_handler(CallbackQueryHandler(_pressed))
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(timeout=10)
        yield application
        await application.updater.stop()
        await application.stop()


@pytest.mark.asyncio
async def test_application_story(
    sim: BotApiSimulator, app: Application[Any, Any, Any, Any, Any, Any]
) -> None:
    """A user starts the bot, presses a button and sees the message edited."""
    ana = sim.user("Ana", lang="es")
    await ana.says("/start city-seattle")
    invite = await ana.receives()
    assert invite.text == "Join us?"
    assert ana.buttons_flat() == ["I'll be there"]
    await ana.presses("I'll be there")
    await ana.waits_for(lambda user: user.last.edited == 1)
    assert ana.last.text == "See you! (yes)"
    assert ana.last.buttons == []
    assert [a.text for a in ana.callback_answers] == ["Thanks!"]
    await sim.idle(timeout=5)
    assert len(ana.messages) == 1


@pytest.mark.asyncio
async def test_bot_cannot_write_first_to_a_user_seen_only_in_a_group(
    sim: BotApiSimulator, bot: Bot
) -> None:
    """A user the bot saw in a group but who never started it gets 403, the group works."""
    ana = sim.user("Ana")
    volunteers = sim.group("Volunteers")
    await ana.says_in(volunteers, f"/start@{sim.bot_username}")
    with pytest.raises(Forbidden, match=r"(?i)can't initiate conversation"):
        await bot.send_message(ana.id, "hi")
    await bot.send_message(volunteers.id, "Welcome!")
    assert (await volunteers.receives()).text == "Welcome!"


@pytest.mark.asyncio
async def test_dropped_connection_is_a_network_error(sim: BotApiSimulator, bot: Bot) -> None:
    """fail_next with status 0 drops the connection, which PTB reports as NetworkError."""
    sim.fail_next("getMe", 0)
    with pytest.raises(NetworkError):
        await bot.get_me()
    assert (await bot.get_me()).username == sim.bot_username


@pytest.mark.asyncio
async def test_every_driver_update_is_valid_for_ptb(
    sim: BotApiSimulator, http: aiohttp.ClientSession, bot: Bot
) -> None:
    """Updates the driver produces de-serialise into the PTB objects handlers expect."""
    ana = sim.user("Ana", username="ana_v")
    await ana.says("/start")
    await bot.send_message(
        ana.id,
        "Pick",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("Go", callback_data="go")]]),
    )
    await ana.presses("Go")
    await ana.presses_data("forged:1")
    await ana.sends_sticker()
    await ana.sends_photo(caption="me")
    await ana.edits_last_message("me again")
    await ana.blocks()
    await ana.says("back")  # unblocks first, then the message
    _, body = await call(http, sim, "getUpdates")
    updates = [Update.de_json(raw, bot) for raw in body["result"]]
    kinds = [next(k for k in raw if k != "update_id") for raw in body["result"]]
    assert kinds == [
        "message",
        "callback_query",
        "callback_query",
        "message",
        "message",
        "edited_message",
        "my_chat_member",
        "my_chat_member",
        "message",
    ]
    assert updates[0].message is not None
    assert updates[0].message.text == "/start"
    assert updates[1].callback_query is not None
    assert updates[1].callback_query.data == "go"
    assert updates[3].message is not None
    assert updates[3].message.sticker is not None
    assert updates[6].my_chat_member is not None
    assert updates[6].my_chat_member.new_chat_member.status == "kicked"


@pytest.mark.asyncio
async def test_paid_broadcast_and_per_chat_limits(
    sim: BotApiSimulator, http: aiohttp.ClientSession
) -> None:
    """allow_paid_broadcast lifts the global limit; a per-chat limit still applies."""
    sim.rate_limit, sim.paid_rate_limit, sim.per_chat_limit = 1, 1000, 2
    ana, ben = sim.user("Ana"), sim.user("Ben")
    await ana.says("hi")
    await ben.says("hi")
    assert (await call(http, sim, "sendMessage", chat_id=ana.id, text="1"))[0] == 200
    assert (await call(http, sim, "sendMessage", chat_id=ben.id, text="1"))[0] == 429
    paid = {"allow_paid_broadcast": True}
    assert (await call(http, sim, "sendMessage", chat_id=ben.id, text="1", **paid))[0] == 200
    assert (await call(http, sim, "sendMessage", chat_id=ana.id, text="2", **paid))[0] == 200
    assert (await call(http, sim, "sendMessage", chat_id=ana.id, text="3", **paid))[0] == 429
    assert [m.text for m in ana.messages] == ["1", "2"]


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("method", "body", "bad"),
    [
        ("getUpdates", {"limit": [1]}, "limit"),
        ("getUpdates", {"timeout": True}, "timeout"),
        ("getUpdates", {"allowed_updates": "message"}, "allowed_updates"),
        ("getUpdates", {"allowed_updates": ["message", 1]}, "allowed_updates"),
        ("sendMessage", {"chat_id": 1, "text": "hi", "reply_markup": [1]}, "reply_markup"),
        (
            "sendMessage",
            {"chat_id": 1, "text": "hi", "disable_notification": {}},
            "disable_notification",
        ),
    ],
)
async def test_json_values_of_the_wrong_type_are_400(
    sim: BotApiSimulator, http: aiohttp.ClientSession, method: str, body: dict[str, Any], bad: str
) -> None:
    """A JSON body whose value fits none of the parameter's types is refused with a 400 that
    names it, as Telegram does, never a 500."""
    async with http.post(f"{sim.url}/bot{TOKEN}/{method}", json=body) as response:
        assert response.status == 400
        assert (await response.json())["description"] == f"Bad Request: invalid parameter {bad}"
    assert sim.stats.errors[500] == 0


@pytest.mark.asyncio
async def test_json_values_are_read_as_telegram_reads_them(
    sim: BotApiSimulator, http: aiohttp.ClientSession
) -> None:
    """Typed JSON values of the right type pass, and a number where a string is expected is
    its text, as Telegram's server keeps every JSON value's text."""
    ana = sim.user("Ana")
    await ana.says("/start")
    body = {"chat_id": ana.id, "text": 123, "disable_notification": True}
    async with http.post(f"{sim.url}/bot{TOKEN}/sendMessage", json=body) as response:
        assert response.status == 200
    assert ana.last.text == "123"
    polled: dict[str, Any] = {"limit": 1, "timeout": 0, "allowed_updates": ["message"]}
    async with http.post(f"{sim.url}/bot{TOKEN}/getUpdates", json=polled) as response:
        assert response.status == 200
        assert len((await response.json())["result"]) == 1
