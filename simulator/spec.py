"""The Bot API method table the simulator validates requests against.

`botapi.json` is a trimmed copy of the machine-readable Bot API reference (see
BOTAPI_LICENSE): for every method, its parameters' name, types and whether they are
required. Keeping our own copy lets the project run without the shared reference.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

_SPEC_PATH = Path(__file__).with_name("botapi.json")

_TRUE = frozenset({"true", "1"})
_FALSE = frozenset({"false", "0"})
_JSON_TYPES = (int, float, bool, list, dict, type(None))


@dataclass(frozen=True, slots=True)
class Field:
    """One parameter of a Bot API method."""

    name: str
    types: tuple[str, ...]
    required: bool


class CoerceError(ValueError):
    """A parameter value does not fit any of the types the spec allows."""

    def __init__(self, field: str, value: object) -> None:
        super().__init__(f"invalid value for parameter {field}: {value!r}")
        self.field = field


@cache
def _load() -> tuple[str, dict[str, tuple[Field, ...]]]:
    raw = json.loads(_SPEC_PATH.read_text(encoding="utf-8"))
    methods = {
        name: tuple(Field(f["name"], tuple(f["types"]), bool(f["required"])) for f in fields)
        for name, fields in raw["methods"].items()
    }
    return str(raw.get("version", "")), methods


@cache
def _field_map(method: str) -> dict[str, Field]:
    return {f.name: f for f in _load()[1][method]}


@cache
def _canonical_names() -> dict[str, str]:
    # Telegram matches method names case-insensitively.
    return {name.lower(): name for name in _load()[1]}


def version() -> str:
    """Return the Bot API version string of the bundled spec, e.g. "Bot API 10.1"."""
    return _load()[0]


def method_names() -> frozenset[str]:
    """Return every Bot API method name, in its documented spelling."""
    return frozenset(_load()[1])


def canonical_method(name: str) -> str | None:
    """Return the documented spelling of a method name matched case-insensitively."""
    return _canonical_names().get(name.lower())


def fields(method: str) -> list[Field]:
    """Return the parameters of a method (KeyError if the method does not exist)."""
    return list(_load()[1][method])


def required_fields(method: str) -> list[str]:
    """Return the names of the required parameters of a method."""
    return [f.name for f in _load()[1][method] if f.required]


def coerce(method: str, raw: dict[str, Any]) -> dict[str, Any]:
    """Turn parameter values into typed values following the method's spec, or raise
    CoerceError for one that fits none of its types.

    Telegram's server keeps each value of a JSON body as its JSON text (a string's without
    the quotes) and reads it as it reads a form value: `{"limit": [1]}` is refused like
    `limit=[1]`, while `{"text": 123}` sends "123". Uploaded files fit InputFile parameters
    only; parameters the spec does not list are passed through unchanged.
    """
    known = _field_map(method)
    out: dict[str, Any] = {}
    for name, value in raw.items():
        spec_field = known.get(name)
        if spec_field is None:
            out[name] = value
        elif isinstance(value, str):
            out[name] = _coerce_value(spec_field, value)
        elif isinstance(value, _JSON_TYPES):
            out[name] = _coerce_value(spec_field, json.dumps(value))
        elif "InputFile" in spec_field.types:
            out[name] = value
        else:
            raise CoerceError(spec_field.name, value)
    return out


def _fits(kind: str, value: object) -> bool:
    """Whether a value parsed from JSON text is of a spec type: "Integer", "Array of String",
    or an object type such as "InlineKeyboardMarkup" (a JSON object, whose fields are the
    method handlers' to check)."""
    if kind.startswith("Array of "):
        item = kind.removeprefix("Array of ")
        return isinstance(value, list) and all(_fits(item, element) for element in value)
    match kind:
        case "Integer":
            # JSON's true and false are Python ints too, but no Telegram integer.
            return isinstance(value, int) and not isinstance(value, bool)
        case "Float":
            return isinstance(value, int | float) and not isinstance(value, bool)
        case "Boolean":
            return isinstance(value, bool)
        case "String":
            return isinstance(value, str)
        case "InputFile":
            return False  # a file comes as a part of its own, never inside JSON
        case _:
            return isinstance(value, dict)


def _coerce_value(spec_field: Field, value: str) -> Any:
    types = spec_field.types
    if "Integer" in types:
        try:
            return int(value)
        except ValueError:
            # "Integer or String" (chat_id): a username like "@channel" stays a string.
            if "String" in types:
                return value
            raise CoerceError(spec_field.name, value) from None
    if "Float" in types:
        try:
            return float(value)
        except ValueError:
            raise CoerceError(spec_field.name, value) from None
    if "Boolean" in types:
        lowered = value.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise CoerceError(spec_field.name, value)
    # "InputFile or String" is a file_id, a URL or "attach://name": keep the string.
    if "String" in types or "InputFile" in types:
        return value
    try:
        loaded = json.loads(value)
    except ValueError:
        raise CoerceError(spec_field.name, value) from None
    if not any(_fits(kind, loaded) for kind in types):
        raise CoerceError(spec_field.name, value)
    return loaded
