"""Data-only cache records: MessagePack bytes (msgspec), checked against a declared shape on load.

A cache file may come from anyone (a repository can ship one), so nothing read back from it may
execute (no pickle, no marshal) or break the run: `unpack` decodes plain data only and conforms
it to a *shape*, a small function that checks types and arity and turns arrays back into tuples.
Anything that does not fit is `None`, which callers treat as a cache miss.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import msgspec

Shape = Callable[[Any], Any]
"""Checks one decoded value and returns it conformed (arrays as tuples); raises `BadRecord`."""

T = TypeVar("T")

_ENCODER = msgspec.msgpack.Encoder()
_DECODER = msgspec.msgpack.Decoder()


class BadRecord(ValueError):
    """A decoded value does not have the declared shape."""


def pack(value: Any) -> bytes:
    """MessagePack bytes of plain data (tuples, lists, dicts, str, int, float, bool, None)."""
    return _ENCODER.encode(value)


def unpack(blob: object, shape: Shape) -> Any | None:
    """The value stored in `blob` conformed to `shape`, or None when it is not such a value."""
    if not isinstance(blob, bytes):
        return None
    try:
        return shape(_DECODER.decode(blob))
    except (msgspec.DecodeError, BadRecord, RecursionError, MemoryError):
        return None


def pack_typed(value: Any) -> bytes:
    """MessagePack bytes of a dataclass tree (for `unpack_typed`)."""
    return _ENCODER.encode(value)


def unpack_typed(blob: object, cls: type[T]) -> T | None:
    """A dataclass tree of type `cls` (types, literals and arity validated by msgspec) or None."""
    if not isinstance(blob, bytes):
        return None
    try:
        return msgspec.msgpack.decode(blob, type=cls)
    except (msgspec.DecodeError, msgspec.ValidationError, RecursionError, MemoryError):
        return None


def load_json_typed(blob: object, cls: type[T]) -> T | None:
    """A dataclass tree of type `cls` from JSON bytes (validated as `unpack_typed`) or None."""
    if not isinstance(blob, bytes):
        return None
    try:
        return msgspec.json.decode(blob, type=cls)
    except (msgspec.DecodeError, msgspec.ValidationError, RecursionError, MemoryError):
        return None


# --- shapes --------------------------------------------------------------------------------------


def _scalar(kind: type, name: str) -> Shape:
    def check(value: Any) -> Any:
        if type(value) is not kind:
            raise BadRecord(f"expected {name}")
        return value

    return check


INT = _scalar(int, "int")
STR = _scalar(str, "str")
BOOL = _scalar(bool, "bool")


def literal(*values: Any) -> Shape:
    """One of `values` exactly (tags such as "import" or "from")."""
    allowed = frozenset(values)

    def check(value: Any) -> Any:
        if type(value) is not str or value not in allowed:
            raise BadRecord(f"expected one of {sorted(allowed)}")
        return value

    return check


def optional(shape: Shape) -> Shape:
    """None or a value of `shape`."""

    def check(value: Any) -> Any:
        return None if value is None else shape(value)

    return check


def tuple_of(item: Shape) -> Shape:
    """An array of any length whose items have shape `item`, as a tuple."""
    if item is STR or item is INT:
        kind = str if item is STR else int

        def scalars(value: Any) -> tuple:
            if type(value) not in (list, tuple) or any(type(v) is not kind for v in value):
                raise BadRecord("expected an array of scalars")
            return tuple(value)

        return scalars

    def check(value: Any) -> tuple:
        if type(value) not in (list, tuple):
            raise BadRecord("expected an array")
        return tuple([item(v) for v in value])

    return check


def fixed(*items: Shape) -> Shape:
    """An array of exactly len(items) values, each of its own shape, as a tuple."""
    size = len(items)

    def check(value: Any) -> tuple:
        if type(value) not in (list, tuple) or len(value) != size:
            raise BadRecord(f"expected an array of {size}")
        return tuple([shape(v) for shape, v in zip(items, value, strict=True)])

    return check


def tagged(**variants: Shape) -> Shape:
    """An array whose first item is a tag naming its variant; `variants[tag]` checks the rest."""

    def check(value: Any) -> tuple:
        if type(value) not in (list, tuple) or not value or type(value[0]) is not str:
            raise BadRecord("expected a tagged array")
        rest = variants.get(value[0])
        if rest is None:
            raise BadRecord(f"unknown tag {value[0]!r}")
        return (value[0], *rest(value[1:]))

    return check


def dict_of(key: Shape, item: Shape) -> Shape:
    """A map whose keys and values have the given shapes."""

    def check(value: Any) -> dict:
        if type(value) is not dict:
            raise BadRecord("expected a map")
        return {key(k): item(v) for k, v in value.items()}

    return check


def record(required: dict[str, Shape], optional_keys: dict[str, Shape] | None = None) -> Shape:
    """A map with exactly the `required` keys (and perhaps some `optional_keys`)."""
    extra = optional_keys or {}
    names = frozenset(required)

    def check(value: Any) -> dict:
        if type(value) is not dict or not names <= value.keys():
            raise BadRecord("expected a record")
        out = {}
        for name, item in value.items():
            shape = required.get(name) or extra.get(name)
            if shape is None:
                raise BadRecord(f"unknown field {name!r}")
            out[name] = shape(item)
        return out

    return check


def lazy(make: Callable[[], Shape]) -> Shape:
    """A shape defined later (for recursive shapes)."""

    def check(value: Any) -> Any:
        return make()(value)

    return check
