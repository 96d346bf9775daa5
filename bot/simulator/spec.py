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


@dataclass(frozen=True, slots=True)
class Field:
    """One parameter of a Bot API method."""

    name: str
    types: tuple[str, ...]
    required: bool


class CoerceError(ValueError):
    """A parameter value does not fit any of the types the spec allows."""

    def __init__(self, field: str, value: str) -> None:
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
    """Turn string parameter values into typed values following the method's spec.

    Values that are not strings (already typed, e.g. from a JSON body or an uploaded
    file) and parameters the spec does not list are passed through unchanged.
    """
    known = _field_map(method)
    out: dict[str, Any] = {}
    for name, value in raw.items():
        spec_field = known.get(name)
        if spec_field is None or not isinstance(value, str):
            out[name] = value
        else:
            out[name] = _coerce_value(spec_field, value)
    return out


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
        return json.loads(value)
    except ValueError:
        raise CoerceError(spec_field.name, value) from None
