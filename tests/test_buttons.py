"""The button registry: every kind of button Muster sends is declared once, no two can be
mistaken for each other, and every payload fits Telegram's 64 bytes."""

from __future__ import annotations

import re
import string

import pytest

from views import buttons
from views.buttons import ALL, LIMIT, Button, which

BIGGEST_ID = "9" * 18  # the largest id a payload may carry


def widest(button: Button) -> str:
    """The longest payload the button can carry."""
    values = []
    for field in button.fields:
        candidates = [BIGGEST_ID, "yes", "over", "all", "zh-Hant", "en", "default"]
        fitting = [value for value in candidates if re.fullmatch(field, value)]
        assert fitting, f"no sample value for {field}"
        values.append(max(fitting, key=len))
    return button.data(*values)


@pytest.mark.parametrize("button", ALL, ids=lambda button: button.prefix)
def test_every_payload_fits_and_reads_back(button: Button) -> None:
    """The widest payload of each button fits 64 bytes and parses back to its values."""
    data = widest(button)
    assert len(data.encode()) <= LIMIT
    assert button.parse(data) is not None
    assert which(data) is button


def test_no_two_buttons_route_the_same_press() -> None:
    """No prefix of one button is the start of another's payloads."""
    for button in ALL:
        routed = [other for other in ALL if re.match(other.pattern, widest(button))]
        assert routed == [button]


def test_every_button_is_registered() -> None:
    """Each Button the module declares is in ALL, so the checks above cover it."""
    declared = {value for value in vars(buttons).values() if isinstance(value, Button)}
    assert declared == set(ALL)


@pytest.mark.parametrize(
    "forged",
    ["rsvp:1:maybe", "rsvp:" + "9" * 19 + ":y", "bc:stop:-1", "bc:stop:1:2", "lang:<b>", ""],
)
def test_forged_data_parses_to_nothing(forged: str) -> None:
    """Data of the wrong shape, or with an id too large for SQLite, reads as no press at all."""
    assert all(button.parse(forged) is None for button in ALL)


def test_data_refuses_values_outside_the_shape() -> None:
    """Building a payload with a value the button cannot carry is a programming error."""
    with pytest.raises(ValueError, match="does not fit"):
        buttons.RSVP.data(1, "maybe")
    with pytest.raises(ValueError, match="does not fit"):
        buttons.LANGUAGE.data(string.ascii_lowercase * 3)
