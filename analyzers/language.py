"""What the language analyzers share: a source file's bytes as UTF-8, the result of a file that
yielded nothing, and the repository-wide facts their resolve step returns."""

from __future__ import annotations

import codecs
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from analyzers.facts import (
    AnalysisWarning,
    Dependency,
    Endpoint,
    OrmModel,
    Table,
    TableAccess,
    Unit,
)


@dataclass(frozen=True)
class Resolved:
    """The repository-wide facts of one language analyzer (unsorted)."""

    units: list[Unit]
    dependencies: list[Dependency]
    tables: list[Table]
    orm_models: list[OrmModel]
    table_access: list[TableAccess]
    endpoints: list[Endpoint]
    warnings: list[AnalysisWarning]


def empty_result(
    fields: Mapping[str, Any], lines: int = 0, warnings: Iterable[str] = ()
) -> dict[str, Any]:
    """A file's result with nothing in it but (perhaps) warnings: the line count and warnings
    first, then the language's other `fields`, empty."""
    return {"lines": lines, "warnings": tuple(warnings), **fields}


def decode_source(
    data: bytes, declared: str | None = None, *, latin1: bool = False
) -> tuple[bytes, str | None]:
    """The source as UTF-8 bytes, and a warning when some bytes could not be read as they should.

    A byte-order mark is dropped. A `declared` encoding (Python's PEP 263 cookie) is honoured; an
    unknown one is read as UTF-8. Bytes that are not valid UTF-8 are read as Latin-1 (`latin1`)
    or replaced.
    """
    data = data.removeprefix(codecs.BOM_UTF8)
    if declared:
        try:
            name = codecs.lookup(declared).name
        except LookupError:
            text = data.decode("utf-8", "replace")
            return text.encode("utf-8"), f"unknown encoding {declared!r}; decoded as UTF-8"
        if name != "utf-8":
            try:
                return data.decode(name).encode("utf-8"), None
            except UnicodeDecodeError as exc:
                line = data.count(b"\n", 0, exc.start) + 1
                text = data.decode(name, "replace")
                return text.encode("utf-8"), (
                    f"bytes not valid {name} near line {line}; decoded with replacement"
                )
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        if latin1:
            text = data.decode("latin-1")
            return text.encode("utf-8"), f"bytes not valid UTF-8 near line {line}; read as Latin-1"
        text = data.decode("utf-8", "replace")
        return text.encode("utf-8"), (
            f"bytes not valid UTF-8 near line {line}; decoded with replacement"
        )
    return data, None
