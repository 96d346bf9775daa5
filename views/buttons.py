"""Every inline button Muster sends: its callback_data prefix, how its payload is built, and how
a press is read back. The one place a prefix is spelled.

Callback data is written on messages people keep for weeks, so these strings never change
shape: a press on an old message must still find its handler. Data from a press can be forged,
so `parse` accepts exactly the shape `data` builds and nothing else, and ids are bounded
(numbers too large for SQLite are refused).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

LIMIT = 64  # bytes of callback_data Telegram accepts
_ID = r"\d{1,18}"  # a numeric id, bounded so SQLite can take it


@dataclass(frozen=True, slots=True)
class Button:
    """A kind of button: `prefix` followed by values matching `fields` (regexes), joined
    by ':'."""

    prefix: str
    fields: tuple[str, ...] = ()

    @property
    def pattern(self) -> str:
        """The regex a CallbackQueryHandler routes presses of this button by: the prefix. A
        press with the prefix and a malformed rest still reaches the button's handler, which
        refuses it in words (parse gives None) rather than leaving it unexplained."""
        prefix = re.escape(self.prefix)
        return f"^{prefix}" if self.fields else f"^{prefix}$"

    @property
    def shape(self) -> str:
        """The exact form of this button's callback data."""
        values = ":".join(f"({field})" for field in self.fields)
        return f"{re.escape(self.prefix)}{values}"

    def data(self, *values: object) -> str:
        if len(values) != len(self.fields):
            raise ValueError(f"{self.prefix} takes {len(self.fields)} values")
        encoded = self.prefix + ":".join(str(value) for value in values)
        if len(encoded.encode()) > LIMIT or not re.fullmatch(self.shape, encoded):
            raise ValueError(f"callback data {encoded!r} does not fit its button")
        return encoded

    def parse(self, data: str | None) -> tuple[str, ...] | None:
        """The values of a press of this button; None for anything else."""
        match = re.fullmatch(self.shape, data or "")
        return match.groups() if match else None

    def number(self, data: str | None, index: int = 0) -> int | None:
        """The index-th value as a number, for buttons that carry ids."""
        values = self.parse(data)
        if values is None or not values[index].isdigit():
            return None
        return int(values[index])


# The supporter's own buttons.
LANGUAGE = Button("lang:", (r"[a-z]{2,3}(?:-[A-Za-z]{2,4})?",))
ERASE = Button("erase:", ("yes|no",))
CITY_TOGGLE = Button("city:toggle:", (_ID, _ID))  # city, page of the picker
CITY_PAGE = Button("city:page:", (_ID,))
RSVP = Button("rsvp:", (_ID, "y|n|over"))  # action, answer

# /broadcast and its status message.
BROADCAST_CITY = Button("bc:city:", (f"{_ID}|all",))
BROADCAST_SEND = Button("bc:send")
BROADCAST_SCHEDULE = Button("bc:schedule")
BROADCAST_ABORT = Button("bc:abort")
BROADCAST_ADD_VERSION = Button("bc:version")
BROADCAST_VERSION_LANGUAGE = Button("bc:in:", (r"[a-z]{2,3}(?:-[A-Za-z]{2,4})?",))
BROADCAST_STOP = Button("bc:stop:", (_ID,))
UNSCHEDULE = Button("bc:unschedule:", (_ID,))
# The question before a broadcast that would go into quiet hours.
BROADCAST_QUIET_WAIT = Button("bc:quiet:wait")
BROADCAST_QUIET_URGENT = Button("bc:quiet:urgent")

# /newaction and /myactions.
ACTION_CITY = Button("na:city:", (_ID,))
ACTION_PUBLISH = Button("na:publish")
ACTION_PUBLISH_LATER = Button("na:later")
ACTION_ABORT = Button("na:abort")
ACTION_CADENCE = Button("na:remind:", ("default|common",))  # the reminders chosen
ACTION_TIME = Button("act:time:", (_ID,))
ACTION_PLACE = Button("act:place:", (_ID,))
ACTION_CAPACITY = Button("act:capacity:", (_ID,))
ACTION_ASK_CANCEL = Button("act:cancel:", (_ID,))
ACTION_CANCEL = Button("act:cancel!:", (_ID,))
MADE_IT = Button("made:", (_ID, "yes|no"))  # action, whether they were there
PLACE_BACK = Button("place:back:", (_ID,))  # a place got from the waitlist, given back

# Petitions: signing, /mysignatures, /newpetition and /petitions.
SIGN = Button("pet:sign:", (_ID,))
WITHDRAW = Button("pet:withdraw:", (_ID,))
FOLLOW_UP = Button("pet:follow:", (_ID, "yes|no"))  # petition, wanted
PETITION_SCOPE = Button("np:city:", (f"{_ID}|all",))
PETITION_NAMES = Button("np:names:", ("yes|no",))
PETITION_PUBLISH = Button("np:publish")
PETITION_PUBLISH_LATER = Button("np:later")
PETITION_ABORT = Button("np:abort")
PETITION_ASK_CLOSE = Button("pet:close:", (_ID,))
PETITION_EXPORT = Button("pet:export:", (_ID,))
PETITION_CLOSE = Button("pet:close!:", (_ID,))

# /qr: what the QR code and poster are for.
QR_CITY = Button("qr:city:", (_ID,))
QR_LINK = Button("qr:link:", (_ID,))
QR_ACTION = Button("qr:action:", (_ID,))
QR_PETITION = Button("qr:petition:", (_ID,))

ALL: tuple[Button, ...] = (
    LANGUAGE,
    ERASE,
    CITY_TOGGLE,
    CITY_PAGE,
    RSVP,
    BROADCAST_CITY,
    BROADCAST_SEND,
    BROADCAST_SCHEDULE,
    BROADCAST_ABORT,
    BROADCAST_ADD_VERSION,
    BROADCAST_VERSION_LANGUAGE,
    BROADCAST_STOP,
    UNSCHEDULE,
    BROADCAST_QUIET_WAIT,
    BROADCAST_QUIET_URGENT,
    ACTION_CITY,
    ACTION_PUBLISH,
    ACTION_PUBLISH_LATER,
    ACTION_ABORT,
    ACTION_CADENCE,
    ACTION_TIME,
    ACTION_PLACE,
    ACTION_CAPACITY,
    ACTION_ASK_CANCEL,
    ACTION_CANCEL,
    MADE_IT,
    PLACE_BACK,
    SIGN,
    WITHDRAW,
    FOLLOW_UP,
    PETITION_SCOPE,
    PETITION_NAMES,
    PETITION_PUBLISH,
    PETITION_PUBLISH_LATER,
    PETITION_ABORT,
    PETITION_ASK_CLOSE,
    PETITION_CLOSE,
    PETITION_EXPORT,
    QR_CITY,
    QR_LINK,
    QR_ACTION,
    QR_PETITION,
)

# Buttons that open a conversation of their own (changing an action's time, place or capacity):
# pressed during another conversation, they end it first, so the two never compete for the
# next text.
OPENS_CONVERSATION: tuple[Button, ...] = (ACTION_TIME, ACTION_PLACE, ACTION_CAPACITY)


def which(data: str | None) -> Button | None:
    """The kind of button a press is routed to; None for data no button of Muster's carries."""
    found = [button for button in ALL if re.match(button.pattern, data or "")]
    return found[0] if len(found) == 1 else None


def one_per_row(*labelled: tuple[str, str]) -> InlineKeyboardMarkup:
    """A keyboard of (label, callback data) pairs, one button a row."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data)] for label, data in labelled]
    )


def any_of(*buttons: Button) -> str:
    """One pattern that matches a press of any of these buttons."""
    return "|".join(f"(?:{button.pattern})" for button in buttons)
