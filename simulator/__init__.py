"""A local Telegram Bot API simulator: the test bed and the token-less "try it" mode.

`BotApiSimulator` serves the Bot API over HTTP; `SimUser` and `SimGroup` drive
conversations against it. See server.py and driver.py.
"""

from simulator.driver import Button, CallbackAnswer, SentMessage, SimGroup, SimUser
from simulator.server import ApiError, BotApiSimulator, SimStats

__all__ = [
    "ApiError",
    "BotApiSimulator",
    "Button",
    "CallbackAnswer",
    "SentMessage",
    "SimGroup",
    "SimStats",
    "SimUser",
]
