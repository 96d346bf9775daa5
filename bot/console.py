"""The terminal chat of simulator mode: type as a supporter, press buttons by number."""

from __future__ import annotations

import asyncio
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from bot.app import build_application
from bot.runtime import running
from bot.settings import Settings
from simulator.driver import SentMessage, SimUser
from simulator.server import BotApiSimulator

SIMULATED_ADMIN_ID = 1
HELP = """\
You are chatting with Muster through a local Telegram simulator (no token needed).
  type text or /commands     as the current user
  a number, like 2           press button 2 of the newest message with buttons
  :as ID NAME [LANG]         become user ID (e.g. :as 42 Maria es)
  :admin                     become the admin
  :block / :unblock          block or unblock the bot
  :sticker / :photo          send a sticker or a photo
  :help                      this text
  :quit                      leave (Ctrl-D works too)"""


@dataclass
class Console:
    """One terminal session: who is typing, and which bot messages they have seen."""

    sim: BotApiSimulator
    admin_id: int
    user: SimUser
    seen: dict[tuple[int, int], int] = field(default_factory=dict)

    async def handle(self, line: str) -> bool:
        """Acts on one typed line; False means quit."""
        line = line.strip()
        if not line:
            return True
        if line.startswith(":"):
            return await self.meta(line[1:].split())
        if line.isdigit():
            await self.press(int(line))
        else:
            await self.user.says(line)
        return True

    async def meta(self, words: list[str]) -> bool:
        command, args = (words[0].lower(), words[1:]) if words else ("help", [])
        if command in {"quit", "q", "exit"}:
            return False
        if command == "as" and args and args[0].isdigit():
            name = args[1] if len(args) > 1 else f"User {args[0]}"
            lang = args[2] if len(args) > 2 else "en"
            self.user = self.sim.user(name, lang=lang, user_id=int(args[0]))
            print(f"You are now {self.describe()}.")
        elif command == "admin":
            self.user = self.sim.user("Admin", user_id=self.admin_id)
            print(f"You are now {self.describe()}, an admin.")
        elif command == "block":
            await self.user.blocks()
        elif command == "unblock":
            await self.user.unblocks()
        elif command == "sticker":
            await self.user.sends_sticker()
        elif command == "photo":
            await self.user.sends_photo(caption=" ".join(args) or None)
        else:
            print(HELP)
        return True

    async def press(self, number: int) -> None:
        with_buttons = [message for message in self.user.messages if message.buttons]
        if not with_buttons:
            print("(no buttons to press)")
            return
        message = with_buttons[-1]
        labels = message.labels()
        if not 1 <= number <= len(labels):
            print(f"(pick a button from 1 to {len(labels)})")
            return
        await self.user.presses(labels[number - 1], message_id=message.message_id)

    def show_news(self) -> None:
        """Prints what the bot sent or edited in the current user's chat since last time."""
        for message in self.user.messages:
            key = (self.user.id, message.message_id)
            if self.seen.get(key) == message.edited:
                continue
            edited = key in self.seen
            self.seen[key] = message.edited
            print(render(message, edited))
        answers = self.user.callback_answers
        while answers:
            answer = answers.pop(0)
            if answer.text:
                print(f"  ({answer.text})")

    def describe(self) -> str:
        return f"{self.user.first_name} (id {self.user.id}, {self.user.lang})"


def render(message: SentMessage, edited: bool) -> str:
    body = message.render().replace("\n", "\n  ")
    return f"{'✎ ' if edited else ''}Muster: {body}"


async def run_simulated(settings: Settings) -> int:
    """Starts the simulator and the bot against it in this process, then the terminal chat."""
    sim = BotApiSimulator()
    await sim.start()
    admins = settings.admin_ids or frozenset({SIMULATED_ADMIN_ID})
    changes: dict[str, object] = {"telegram_api_url": sim.url, "admin_ids": admins}
    scratch = None
    if "database_path" not in settings.model_fields_set:
        # The simulated people vanish with the simulator, so their data should too; and a
        # demo must not write into the production database's default path.
        scratch = tempfile.TemporaryDirectory(prefix="muster-sim-")
        changes["database_path"] = Path(scratch.name) / "muster.db"
    settings = settings.model_copy(update=changes)
    console = Console(sim, admin_id=min(admins), user=sim.user("Ana", lang="en"))
    try:
        async with running(build_application(settings, sim.token), poll_timeout=1):
            print(HELP)
            print(f"\nYou are {console.describe()}. Say /start.")
            await chat(console)
    finally:
        await sim.stop()
        if scratch is not None:
            scratch.cleanup()
    return 0


async def chat(console: Console) -> None:
    lines = read_lines()
    while True:
        print(f"{console.user.first_name}> ", end="", flush=True)
        line = await lines.get()
        if line is None or not await console.handle(line):
            print()
            return
        await console.sim.idle(timeout=30)
        console.show_news()


def read_lines() -> asyncio.Queue[str | None]:
    """Stdin lines, read in a daemon thread so Ctrl-C never waits for an Enter."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str | None] = asyncio.Queue()

    def pump() -> None:
        for line in sys.stdin:
            loop.call_soon_threadsafe(queue.put_nowait, line)
        loop.call_soon_threadsafe(queue.put_nowait, None)

    threading.Thread(target=pump, name="stdin", daemon=True).start()
    return queue
