"""The facts model: what the analyzers found, each fact with its evidence."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import gc
import itertools
import operator
import os
import re
import types
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import msgspec
import orjson

# FORMAT_VERSION log (bump on any change to what facts.json holds):
#   1: units, dependencies, tables (with unique constraints and indexes), table_access,
#      endpoints, orm_models, change_stats, co_changes, ownership, routines (PostgreSQL functions
#      and triggers), warnings, analyzers, databases. Nothing has been released before version 1.
#   2: an evidence path equal to its unit's own file (a dependency's source, a table access's
#      unit) is written empty and restored on reading (`in_file_form`, `read_facts`): 3 MB less
#      on saleor. Version 1 files still read.
#   3: dead_code (tables migrations drop, code marked deprecated), container_findings (the
#      repo's own Dockerfiles, compose files and CI workflows checked), build (runtime and build
#      facts: Python/Java version, build system, env vars read, port, health routes). Versions 1
#      and 2 still read.
#   4: a compact file form (`in_file_form` writes it, `read_facts` reads it back into equal
#      `Facts`; the model itself is unchanged): saleor's facts.json 14.3 MB -> 7.3 MB. Every
#      section is as in version 3 except three, which refer to unit ids, table names and
#      evidence paths by their index in `strings` (each string once, in order of first use;
#      "#" below), grouped by runs of consecutive rows (so their order is kept):
#        dependencies: [[source#, lines, [[target#, kind, weight, [evidence, ...]], ...]], ...]
#        table_access: [[unit#, lines, [[table#, mode, via, [evidence, ...]], ...]], ...]
#        ownership: [[[team, ...], [owner, ...], [[path#, line, snippet], ...], [unit#, ...]], ...]
#      lines: [[line, text], ...], the lines of the group unit's own file its evidence cites;
#      evidence: such a line's number, or [path#, line, snippet] (another file, another text).
#      Versions 1-3 still read, and so does version 4 in their object form (`encode(facts)`,
#      no `strings`).
FORMAT_VERSION = 4
READABLE_FORMAT_VERSIONS = (1, 2, 3, 4)

UnitId = str
"""A unit of code: a dotted module name for Python (`shop.orders.service`), a fully qualified
class name for Java (`com.shop.orders.OrderService`)."""
TableName = str
"""A table, qualified by its schema when it has one (`sales.orders`), else plain (`orders`).
A part holding a dot or a double quote is written double-quoted (`public."dotted.name"`): build
names with `table_name` and take them apart with `table_parts`, never with `split(".")`."""

Language = Literal["python", "java"]
UnitRole = Literal["code", "test", "migration", "vendored", "script"]
DependencyKind = Literal["import", "call", "inherit", "reference", "co_change"]
AccessMode = Literal["read", "write"]
AccessVia = Literal["orm", "sql"]
TableSource = Literal["database", "ddl", "orm"]


def table_name(schema: str | None, name: str) -> TableName:
    """The `TableName` of `name` in `schema` (none: plain), quoting parts that hold `.` or `"`."""
    return ".".join(_name_part(p) for p in (schema, name) if p)


def _name_part(part: str) -> str:
    return '"' + part.replace('"', '""') + '"' if "." in part or '"' in part else part


def table_parts(name: TableName) -> tuple[str, str]:
    """`(schema, table)` of a `TableName` (schema "" when plain); quoted parts unquoted.

    A part is quoted only when it starts with `"` and its closing quote ends it; anything else
    is taken as written (`we"ird` is one plain name, `a.b.c` is schema `a`, table `b.c`).
    """
    first = _quoted_part(name)
    if first is None:
        schema, dot, rest = name.partition(".")
        if not dot:
            return "", name
    else:
        schema, rest = first
        if not rest:
            return "", schema
        rest = rest[1:]
    second = _quoted_part(rest)
    return (schema, second[0]) if second is not None and not second[1] else (schema, rest)


def _quoted_part(text: str) -> tuple[str, str] | None:
    """A leading `"..."` part of a name, unquoted, and what follows it (empty or `.rest`)."""
    match = _QUOTED_PART.match(text)
    return (match[1].replace('""', '"'), text[match.end() :]) if match else None


_QUOTED_PART = re.compile(r'"((?:[^"]|"")*)"(?=\.|$)')
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def has_control_chars(text: str) -> bool:
    """True when `text` holds a control character (a newline, an ANSI escape...)."""
    return _CONTROL.search(text) is not None


@dataclass(frozen=True, order=True)
class Evidence:
    """Where a fact was seen: a repository-relative path, a 1-based line and the line's text."""

    path: str
    line: int
    snippet: str = ""


@dataclass(frozen=True, order=True)
class Unit:
    """A module (Python) or class (Java): the smallest thing the planner moves."""

    id: UnitId
    path: str
    language: Language
    lines: int
    package: str
    role: UnitRole = "code"
    is_package: bool = False
    classes: tuple[str, ...] = ()
    functions: tuple[str, ...] = ()


@dataclass(frozen=True, order=True)
class Dependency:
    """A directed use of one unit by another, with its strength and where it was seen."""

    source: UnitId
    target: UnitId
    kind: DependencyKind
    weight: float = 1.0
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True, order=True)
class Column:
    """A table column as declared or reflected."""

    name: str
    type: str = ""
    nullable: bool = True
    primary_key: bool = False


@dataclass(frozen=True, order=True)
class Index:
    """An index on some columns of a table (unique or not)."""

    name: str
    columns: tuple[str, ...]
    unique: bool = False


@dataclass(frozen=True, order=True)
class ForeignKey:
    """A foreign key from some columns of a table to another table."""

    columns: tuple[str, ...]
    referred_table: TableName
    referred_columns: tuple[str, ...] = ()


@dataclass(frozen=True, order=True)
class Table:
    """A table or view, from a live database, a DDL file or an ORM declaration."""

    name: TableName
    source: TableSource
    columns: tuple[Column, ...] = ()
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    is_view: bool = False
    view_reads: tuple[TableName, ...] = ()
    row_estimate: int | None = None
    evidence: tuple[Evidence, ...] = ()
    unique: tuple[tuple[str, ...], ...] = ()
    indexes: tuple[Index, ...] = ()


RoutineKind = Literal["function", "procedure", "trigger"]


@dataclass(frozen=True, order=True)
class Routine:
    """A database function, procedure or trigger and the tables its body reads and writes."""

    name: str
    kind: RoutineKind
    reads: tuple[TableName, ...] = ()
    writes: tuple[TableName, ...] = ()
    table: TableName = ""  # trigger: the table it fires on
    function: str = ""  # trigger: the function it runs
    events: tuple[str, ...] = ()  # trigger: INSERT, UPDATE, DELETE, TRUNCATE


@dataclass(frozen=True, order=True)
class OrmModel:
    """An ORM class mapped to a table (SQLAlchemy `__tablename__`, Django model)."""

    unit: UnitId
    class_name: str
    table: TableName
    framework: str
    evidence: Evidence


@dataclass(frozen=True, order=True)
class TableAccess:
    """A unit reading or writing a table, through the ORM or a SQL string."""

    unit: UnitId
    table: TableName
    mode: AccessMode
    via: AccessVia
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True, order=True)
class Endpoint:
    """An HTTP route served by a unit."""

    unit: UnitId
    method: str
    path: str
    framework: str
    handler: str
    evidence: Evidence


@dataclass(frozen=True, order=True)
class ChangeStats:
    """How a unit changed over the repository's history."""

    unit: UnitId
    commits: int
    lines_added: int
    lines_removed: int
    authors: tuple[str, ...]
    first_change: str
    last_change: str


@dataclass(frozen=True, order=True)
class CoChange:
    """Two units changed in the same commits: support (commits together) and confidence."""

    unit_a: UnitId
    unit_b: UnitId
    support: int
    confidence: float


@dataclass(frozen=True, order=True)
class Ownership:
    """Who owns a unit: teams and owners from CODEOWNERS or the team map, with the matching rule."""

    unit: UnitId
    teams: tuple[str, ...]
    owners: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True, order=True)
class AnalysisWarning:
    """Something an analyzer could not read or understand; the analysis went on."""

    analyzer: str
    path: str
    message: str


@dataclass(frozen=True, order=True)
class AnalyzerRun:
    """An analyzer that contributed to the facts, with its version."""

    name: str
    version: str


Severity = Literal["error", "warning", "info", "style"]


@dataclass(frozen=True, order=True)
class ContainerFinding:
    """A problem in a container file (Dockerfile, compose, CI workflow): where, which rule (ours
    `SP...`, hadolint's `DL...`/`SC...`), how bad, what is wrong and what to do."""

    evidence: Evidence
    rule: str
    severity: Severity
    message: str
    fix: str = ""
    tool: str = "planner"


DeadKind = Literal["table", "model", "module", "class", "function"]
DeadReason = Literal["dropped", "deprecated"]


@dataclass(frozen=True, order=True)
class DeadCode:
    """A table a migration dropped, or a model, module, class or function the code marks
    deprecated; `name`: the table, the unit id, or `unit:Class` / `unit:function`."""

    kind: DeadKind
    name: str
    reason: DeadReason
    detail: str
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class Facts:
    """Everything the analyzers found about one codebase and its databases."""

    root: str
    units: tuple[Unit, ...] = ()
    dependencies: tuple[Dependency, ...] = ()
    tables: tuple[Table, ...] = ()
    orm_models: tuple[OrmModel, ...] = ()
    table_access: tuple[TableAccess, ...] = ()
    endpoints: tuple[Endpoint, ...] = ()
    change_stats: tuple[ChangeStats, ...] = ()
    co_changes: tuple[CoChange, ...] = ()
    ownership: tuple[Ownership, ...] = ()
    warnings: tuple[AnalysisWarning, ...] = ()
    analyzers: tuple[AnalyzerRun, ...] = ()
    databases: tuple[str, ...] = field(default=(), metadata={"doc": "redacted URLs"})
    format_version: int = FORMAT_VERSION
    routines: tuple[Routine, ...] = ()
    container_findings: tuple[ContainerFinding, ...] = ()
    dead_code: tuple[DeadCode, ...] = ()
    build: tuple[BuildFact, ...] = ()  # runtime and build facts (analyzers.runtime)

    def sorted(self) -> Facts:
        """The same facts with every collection sorted, so output is deterministic."""
        return dataclasses.replace(
            self,
            **{
                f.name: _sorted_unique(getattr(self, f.name))
                for f in dataclasses.fields(self)
                if isinstance(getattr(self, f.name), tuple)
            },
        )


def _sorted_unique(items: tuple[Any, ...]) -> tuple[Any, ...]:
    """Distinct items in their natural order; dataclasses sorted by the tuple of their fields
    (the order `order=True` defines, computed once per item instead of once per comparison)."""
    sample = items[0] if items else None
    if not dataclasses.is_dataclass(sample) or len(dataclasses.fields(sample)) < 2:
        return tuple(sorted(set(items)))
    key = operator.attrgetter(*(f.name for f in dataclasses.fields(sample)))
    keys = list(map(key, items))
    if all(map(operator.lt, keys, keys[1:])):  # already sorted and distinct (a parser's output)
        return items
    return tuple(sorted(set(items), key=key))


def merge_facts(root: str, parts: list[Facts]) -> Facts:
    """One `Facts` holding every part's facts (each analyzer returns its own part), sorted."""
    merged = Facts(root=root)
    for part in parts:
        merged = dataclasses.replace(
            merged,
            **{
                f.name: getattr(merged, f.name) + getattr(part, f.name)
                for f in dataclasses.fields(Facts)
                if isinstance(getattr(part, f.name), tuple)
            },
        )
    return _without_control_names(merged).sorted()


def _without_control_names(facts: Facts) -> Facts:
    """Facts without tables whose names hold control characters, with one warning for them.

    Such a name (from `__tablename__ = "x\\n..."`, a Java string or a hostile database) could
    break out of a comment or a line of a generated script; nothing legitimate needs one.
    """
    bad = {t.name for t in facts.tables} | {a.table for a in facts.table_access}
    bad |= {m.table for m in facts.orm_models}
    bad = {name for name in bad if has_control_chars(name)}
    if not bad:
        return facts
    warning = AnalysisWarning(
        "facts",
        "",
        f"{len(bad)} table name(s) with control characters refused: "
        + ", ".join(sorted(repr(n) for n in bad)),
    )
    return dataclasses.replace(
        facts,
        tables=tuple(t for t in facts.tables if t.name not in bad),
        table_access=tuple(a for a in facts.table_access if a.table not in bad),
        orm_models=tuple(m for m in facts.orm_models if m.table not in bad),
        warnings=(*facts.warnings, warning),
    )


# --- JSON round trip, shared by every frozen model of the pipeline -----------------------------

T = TypeVar("T")


def to_jsonable(value: Any) -> Any:
    """A dataclass tree as plain JSON types (dicts keep field order; tuples become lists)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (tuple, list)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in sorted(value.items())}
    return value


def from_jsonable(cls: type[T], data: Any) -> T:
    """Rebuild a dataclass tree of type `cls` from `to_jsonable` output."""
    return _convert(cls, data)


@functools.cache
def _shape(tp: type) -> tuple[dict[str, Any], frozenset[str]]:
    """A dataclass's resolved field types and its init field names (cached: reading is hot)."""
    hints = typing.get_type_hints(tp)
    return hints, frozenset(f.name for f in dataclasses.fields(tp) if f.init)


@functools.cache
def _plan_of(tp: Any) -> tuple[str, Any]:
    """How to convert data for type `tp`: a tag and its argument (cached per type)."""
    if dataclasses.is_dataclass(tp):
        return "dataclass", tp
    origin = typing.get_origin(tp)
    if origin is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return "tuple_of", args[0]
        return "tuple_fixed", args
    if origin is dict:
        return "dict", typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(tp) if a is not type(None)]
        return "optional", options[0]
    if tp is float:
        return "float", None
    if tp in (str, int, bool):
        return "scalar", tp
    if origin is Literal:
        return "literal", frozenset(typing.get_args(tp))
    return "plain", None


_SHAPES = {"dataclass": dict, "tuple_of": list, "tuple_fixed": list, "dict": dict}


def _convert(tp: Any, data: Any) -> Any:
    """Rebuild `data` as `tp`, refusing a value of the wrong JSON type (TypeError)."""
    tag, arg = _plan_of(tp)
    if tag == "plain":
        return data
    if tag in _SHAPES and not isinstance(data, _SHAPES[tag]):
        raise TypeError(f"expected a JSON {_SHAPES[tag].__name__} for {tp}, got {data!r:.60}")
    if tag == "scalar":
        if not isinstance(data, arg) or (arg is int and isinstance(data, bool)):
            raise TypeError(f"expected {arg.__name__}, got {data!r:.60}")
        return data
    if tag == "literal":
        if data not in arg:
            raise TypeError(f"expected one of {sorted(map(str, arg))}, got {data!r:.60}")
        return data
    if tag == "dataclass":
        hints, names = _shape(arg)
        unknown = data.keys() - names
        if unknown:
            raise ValueError(f"{arg.__name__}: unknown fields {sorted(unknown)}")
        return arg(**{k: _convert(hints[k], v) for k, v in data.items()})
    if tag == "tuple_of":
        return tuple(_convert(arg, v) for v in data)
    if tag == "tuple_fixed":
        return tuple(_convert(a, v) for a, v in zip(arg, data, strict=True))
    if tag == "dict":
        key_tp, val_tp = arg
        return {_convert(key_tp, k): _convert(val_tp, v) for k, v in data.items()}
    if tag == "optional":
        return None if data is None else _convert(arg, data)
    if isinstance(data, bool) or not isinstance(data, int | float):
        raise TypeError(f"expected a number, got {data!r:.60}")
    return float(data)


_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS | orjson.OPT_APPEND_NEWLINE


def encode(model: Any, *, pretty: bool = False) -> bytes:
    """Deterministic UTF-8 JSON of a model, by orjson: dataclass fields in declaration order,
    dict keys sorted, one final newline; compact by default, two-space indent with `pretty`."""
    return orjson.dumps(model, option=_OPTIONS | (orjson.OPT_INDENT_2 if pretty else 0))


def dumps(model: Any) -> str:
    """Deterministic JSON text of a model for people: two-space indent, final newline."""
    return encode(model, pretty=True).decode("utf-8")


def loads(data: bytes | str) -> Any:
    """Parsed JSON (compact or indented alike)."""
    return orjson.loads(data)


def write_json(model: Any, path: Path, *, pretty: bool = False) -> bytes:
    """Write a model as JSON atomically (a reader never sees half a file; unique temp name);
    returns the bytes written."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{id(model):x}.tmp")
    data = encode(model, pretty=pretty)
    try:
        tmp.write_bytes(data)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return data


class _Versioned(msgspec.Struct):
    format_version: Any = None


@functools.cache
def typed_decoder(cls: type[T]) -> msgspec.json.Decoder[T]:
    """A JSON decoder straight into the frozen dataclass tree `cls`, checking every value's type
    (msgspec: about twice as fast as parsing, then converting; wrong types raise ValueError)."""
    return msgspec.json.Decoder(cls)


def read_versioned(
    path: Path, cls: type[T], versions: tuple[int, ...], what: str, data: bytes | None = None
) -> T:
    """Load a JSON file of model `cls` (compact or pretty) whose `format_version` is one of
    `versions`, or raise ValueError saying why not; `data`: the file's bytes, already read."""
    raw = path.read_bytes() if data is None else data
    _head(raw, path, _Versioned, versions, what)
    return typed_decoder(cls).decode(raw)


H = TypeVar("H", bound=_Versioned)


def _head(raw: bytes, path: Path, head: type[H], versions: tuple[int, ...], what: str) -> H:
    """The `head` fields of a JSON file whose `format_version` is one of `versions`, or
    ValueError saying why not."""
    try:
        found = msgspec.json.decode(raw, type=head)
    except msgspec.ValidationError:
        raise ValueError(f"{path}: not a JSON object") from None
    except msgspec.DecodeError as error:
        raise ValueError(f"{path}: not valid JSON: {error}") from None
    if found.format_version is None:
        raise ValueError(f"{path}: no format_version, not written by this planner")
    if found.format_version not in versions:
        version = found.format_version
        raise ValueError(f"{path}: {what} format {version!r}, this planner reads {versions[-1]}")
    return found


def read_facts(path: Path, data: bytes | None = None) -> Facts:
    """Load facts.json (compact or pretty), refusing a format this version does not know;
    `data`: the file's bytes, already read. Version 4's file form (see `FORMAT_VERSION`) is
    turned back into the same `Facts` that were written; evidence paths versions 2 and 3 left
    empty are restored."""
    raw = path.read_bytes() if data is None else data
    head = _head(raw, path, _FactsHead, READABLE_FORMAT_VERSIONS, "facts")
    if head.format_version >= 4 and head.strings:
        with _no_gc():
            return _from_file(typed_decoder(_file_form()).decode(raw), path)
    facts = typed_decoder(Facts).decode(raw)  # versions 1-3, or `encode(facts)` as it is
    if head.format_version in (2, 3):
        _restore_own_paths(facts)
    return facts


def in_file_form(facts: Facts) -> Any:
    """`facts` as facts.json holds them (version 4, see `FORMAT_VERSION`), for `encode` and
    `write_json`; `read_facts` turns the file back into equal `Facts`."""
    with _no_gc():
        return _to_file(facts)


class _FactsHead(_Versioned):
    strings: msgspec.Raw = msgspec.Raw()  # only in version 4's file form (empty: absent)


_Ref = Annotated[int, msgspec.Meta(ge=0)]
"""An index into the file's `strings`."""
_FileEvidence = int | tuple[_Ref, int, str]
"""A line of the group unit's own file (its text in the group's `lines`), or [path, line, text]."""
_Lines = tuple[tuple[int, str], ...]
_DependencyGroup = tuple[
    _Ref, _Lines, tuple[tuple[_Ref, DependencyKind, float, tuple[_FileEvidence, ...]], ...]
]
_AccessGroup = tuple[
    _Ref, _Lines, tuple[tuple[_Ref, AccessMode, AccessVia, tuple[_FileEvidence, ...]], ...]
]
_OwnershipGroup = tuple[
    tuple[str, ...], tuple[str, ...], tuple[tuple[_Ref, int, str], ...], tuple[_Ref, ...]
]
_GROUPED = {
    "dependencies": _DependencyGroup,
    "table_access": _AccessGroup,
    "ownership": _OwnershipGroup,
}


@functools.cache
def _file_form() -> type:
    """The dataclass of version 4's file form: the fields of `Facts` in their order, the grouped
    sections in their file shape, then `strings` (built from `Facts`, so a field added there is
    written and read here too)."""
    hints = typing.get_type_hints(Facts)
    fields: list[tuple[str, Any, Any]] = [
        (
            f.name,
            tuple[_GROUPED[f.name], ...] if f.name in _GROUPED else hints[f.name],
            dataclasses.field(default=f.default, default_factory=f.default_factory),
        )
        for f in dataclasses.fields(Facts)
    ]
    fields.append(("strings", tuple[str, ...], dataclasses.field(default=())))
    return dataclasses.make_dataclass("FactsFile", fields, frozen=True)


def _to_file(facts: Facts) -> Any:
    """The version 4 file form of `facts` (a `_file_form()` instance, orjson writes it as is)."""
    strings: dict[str, int] = {}
    ref = functools.partial(_ref, strings)
    path_of = {u.id: u.path for u in facts.units}

    def group(unit: UnitId, rows: list[Any], rest: Any) -> tuple[Any, ...]:
        own, lines = path_of.get(unit), {}
        items = [
            (*rest(row), tuple([_file_evidence(e, own, lines, ref) for e in row.evidence]))
            for row in rows
        ]
        return ref(unit), tuple(sorted(lines.items())), tuple(items)

    dependencies = tuple(
        group(source, rows, lambda d: (ref(d.target), d.kind, d.weight))
        for source, rows in _runs(facts.dependencies, operator.attrgetter("source"))
    )
    access = tuple(
        group(unit, rows, lambda a: (ref(a.table), a.mode, a.via))
        for unit, rows in _runs(facts.table_access, operator.attrgetter("unit"))
    )
    ownership = tuple(
        (teams, owners, tuple([(ref(e.path), e.line, e.snippet) for e in evidence]),
         tuple([ref(o.unit) for o in rows]))
        for (teams, owners, evidence), rows in _runs(
            facts.ownership, operator.attrgetter("teams", "owners", "evidence")
        )
    )  # fmt: skip
    grouped = {"dependencies": dependencies, "table_access": access, "ownership": ownership}
    values = {f.name: getattr(facts, f.name) for f in dataclasses.fields(Facts)}
    return _file_form()(
        **{**values, **grouped, "format_version": FORMAT_VERSION, "strings": tuple(strings)}
    )


def _ref(strings: dict[str, int], text: str) -> int:
    """The index of `text` in the file's `strings` (added at the end when new)."""
    index = strings.get(text)
    if index is None:
        index = strings[text] = len(strings)
    return index


def _runs(rows: tuple[T, ...], key: Any) -> Iterator[tuple[Any, list[T]]]:
    """Runs of consecutive rows with the same key (so reading keeps the rows' order)."""
    return ((value, list(run)) for value, run in itertools.groupby(rows, key))


def _file_evidence(
    evidence: Evidence, own: str | None, lines: dict[int, str], ref: Any
) -> int | tuple[int, int, str]:
    """Evidence in its file form: its line when in the unit's own file and that line's text is
    the group's (`lines` collects it), else [path, line, snippet]."""
    if (
        evidence.path == own
        and lines.setdefault(evidence.line, evidence.snippet) == evidence.snippet
    ):
        return evidence.line
    return ref(evidence.path), evidence.line, evidence.snippet


def _from_file(file: Any, path: Path) -> Facts:
    """The `Facts` a version 4 file form holds; a dangling index or line raises ValueError."""
    strings = file.strings
    path_of = {u.id: u.path for u in file.units}
    try:
        dependencies = [
            Dependency(source, strings[target], kind, weight, evidence(items))
            for source, evidence, rows in _groups(file.dependencies, strings, path_of, path)
            for target, kind, weight, items in rows
        ]
        access = [
            TableAccess(unit, strings[table], mode, via, evidence(items))
            for unit, evidence, rows in _groups(file.table_access, strings, path_of, path)
            for table, mode, via, items in rows
        ]
        ownership = [
            Ownership(strings[unit], teams, owners, made)
            for teams, owners, items, units in file.ownership
            for made in [tuple([Evidence(strings[p], line, text) for p, line, text in items])]
            for unit in units
        ]
    except IndexError:
        raise ValueError(f"{path}: an index past the end of `strings`") from None
    values = {f.name: getattr(file, f.name) for f in dataclasses.fields(Facts)}
    grouped = {"dependencies": dependencies, "table_access": access, "ownership": ownership}
    return Facts(**{**values, **{name: tuple(rows) for name, rows in grouped.items()}})


def _groups(
    groups: tuple[Any, ...], strings: tuple[str, ...], path_of: dict[str, str], path: Path
) -> Iterator[tuple[str, Callable[[tuple[Any, ...]], tuple[Evidence, ...]], Any]]:
    """Per group: its unit, a function making a row's evidence, and its rows."""
    for ref, lines, rows in groups:
        unit = strings[ref]
        own = path_of.get(unit)
        seen = {line: Evidence(own, line, text) for line, text in lines} if own is not None else {}
        yield unit, functools.partial(_evidence, seen, strings, f"{path}: {unit}"), rows


def _evidence(
    seen: dict[int, Evidence], strings: tuple[str, ...], where: str, items: tuple[Any, ...]
) -> tuple[Evidence, ...]:
    """A row's evidence from its file form (`seen`: the group's lines, as evidence)."""
    try:
        return tuple(
            [seen[e] if type(e) is int else Evidence(strings[e[0]], e[1], e[2]) for e in items]
        )
    except KeyError as error:
        raise ValueError(f"{where}: evidence line {error} is not in the unit's `lines`") from None


def _restore_own_paths(facts: Facts) -> None:
    """Versions 2 and 3 left an evidence path equal to its unit's own file (a dependency's
    source, a table access's unit) empty: put it back."""
    path_of = {u.id: u.path for u in facts.units}
    for unit, items in itertools.chain(
        ((d.source, d.evidence) for d in facts.dependencies),
        ((a.unit, a.evidence) for a in facts.table_access),
    ):
        for evidence in items:
            if not evidence.path and unit in path_of:
                # Set in place, as fast as decoding: these objects were made just now by the
                # decoder, nothing else holds or has hashed them yet.
                object.__setattr__(evidence, "path", path_of[unit])


@contextlib.contextmanager
def _no_gc() -> Iterator[None]:
    """No garbage collection inside (a full collection per few thousand new records, each over
    the whole model, would cost seconds); the records made hold no reference cycle."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# --- runtime and build facts (analyzers.runtime) -------------------------------------------------

BuildKind = Literal[
    "python_version",  # value: the version or specifier as written (`3.8.10`, `>=3.8`)
    "build_system",  # requirements | poetry | pipenv | pyproject | maven | gradle (per module)
    "file",  # a build/dependency manifest: value its path, text its content (secrets redacted)
    "requirement",  # one requirement line as written (`psycopg2-binary==2.8.6`)
    "framework",  # flask | fastapi | django | spring-boot | spring
    "env",  # an environment variable the code reads; purpose: database | port | secret | other
    "config_key",  # a configuration key set from a placeholder (`spring.datasource.url`)
    "port",  # the port the application listens on
    "entrypoint",  # the application object (`shop.app:app`)
    "health",  # a health route the code serves
    "java_version",  # the release the module compiles for (`17`)
    "packaging",  # jar | war
    "plugin",  # a build plugin (`spring-boot-maven-plugin`, `org.springframework.boot`)
    "artifact",  # the module's own artifact id
    "dependency",  # a dependency's artifact id (sibling modules are found among them)
    "wrapper",  # mvnw | gradlew
]


@dataclass(frozen=True, order=True)
class BuildFact:
    """A runtime or build fact read from the analyzed repository, with where it was seen."""

    kind: BuildKind
    value: str
    module: str = ""  # the build module's directory ("" for the root project)
    purpose: str = ""  # for `env`: database | port | secret | other
    evidence: tuple[Evidence, ...] = ()
    text: str = ""  # for `file`: the file's text
