"""Reads Java XML descriptors: MyBatis mappers, web.xml servlets, persistence.xml, orm.xml, hbm.xml.

Regular expressions rather than an XML parser: descriptors in legacy trees are often not
well-formed (unescaped `<` in SQL, missing DTDs), and only a few elements matter here.
"""

from __future__ import annotations

import bisect
import functools
import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from analyzers.records import BOOL, INT, STR, dict_of, fixed, record, tuple_of
from analyzers.redact import redact_text
from analyzers.sql import tables_in_sql

MARKERS = (b"<mapper", b"<web-app", b"<persistence", b"<entity-mappings", b"<hibernate-mapping")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.DOTALL)
_NAMESPACE = re.compile(r"<mapper\b[^>]*\bnamespace\s*=\s*[\"']([^\"']+)[\"']")
_STATEMENTS = {
    tag: re.compile(rf"<({tag})\b([^>]*)>(.*?)</{tag}\s*>", re.DOTALL)
    for tag in ("select", "insert", "update", "delete")
}
_FRAGMENT = re.compile(r"<sql\b[^>]*\bid\s*=\s*[\"']([^\"']+)[\"'][^>]*>(.*?)</sql\s*>", re.DOTALL)
_INCLUDE = re.compile(
    r"<include\b[^>]*\brefid\s*=\s*[\"']([^\"']+)[\"'][^>]*?(?:/>|>.*?</include\s*>)", re.DOTALL
)
_SELECT_KEY = re.compile(r"<selectKey\b.*?</selectKey\s*>", re.DOTALL)
_WHERE_OPEN = re.compile(r"<where\s*>", re.IGNORECASE)
_SET_OPEN = re.compile(r"<set\s*>", re.IGNORECASE)
_TRIM_OPEN = re.compile(r"<trim\b([^>]*)>", re.IGNORECASE)
_FOREACH = re.compile(r"<foreach\b([^>]*)>(.*?)</foreach\s*>", re.IGNORECASE | re.DOTALL)
_ATTR = re.compile(r"([\w:-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_TAG = re.compile(r"</?[A-Za-z][^>]*>")
_PARAM = re.compile(r"[#$]\{[^}]*\}")
_DANGLING_COMMA = re.compile(r",\s*(?=\bwhere\b|\)|$)", re.IGNORECASE)
_WHERE_JOINER = re.compile(
    r"\bwhere\s+1\s*=\s*1\s+(?!and\b|or\b|order\b|group\b|limit\b|having\b|\))(?=\S)",
    re.IGNORECASE,
)
_FALLBACK_TABLE = re.compile(
    r"\b(from|join|into|update)\s+([A-Za-z_][\w$]*(?:\.[A-Za-z_][\w$]*)?)", re.IGNORECASE
)
_SERVLET = re.compile(r"<servlet\s*>(.*?)</servlet\s*>", re.DOTALL)
_SERVLET_MAPPING = re.compile(r"<servlet-mapping\s*>(.*?)</servlet-mapping\s*>", re.DOTALL)
_SERVLET_NAME = re.compile(r"<servlet-name\s*>\s*([^<]+?)\s*</servlet-name\s*>")
_SERVLET_CLASS = re.compile(r"<servlet-class\s*>\s*([^<]+?)\s*</servlet-class\s*>")
_URL_PATTERN = re.compile(r"<url-pattern\s*>\s*([^<]+?)\s*</url-pattern\s*>")
_CLASS_ELEMENT = re.compile(r"<class\s*>\s*([\w.$]+)\s*</class\s*>")
_ORM_ENTITY = re.compile(r"<entity\b([^>]*?)(?:/>|>(.*?)</entity\s*>)", re.DOTALL)
_ORM_ENTITY_EMPTY = re.compile(r"<entity\b([^>]*?)/>()")
_ORM_TABLE = re.compile(r"<table\b([^>]*)/?>")
_HBM_PACKAGE = re.compile(r"<hibernate-mapping\b([^>]*)>")
_HBM_CLASS = re.compile(r"<(?:class|joined-subclass|union-subclass)\b([^>]*)>")
_KEYWORDS = frozenset({"select", "set", "where", "values", "dual", "lateral"})
_MAX_SNIPPET = 200
_SECRET_HINT = re.compile(r"://|passw|pwd|secret|token|key|credential", re.IGNORECASE)

RECORD_SHAPE = record(
    {
        "relevant": BOOL,
        "namespace": STR,
        "statements": tuple_of(fixed(STR, STR, INT, tuple_of(STR), tuple_of(STR))),
        "servlets": tuple_of(fixed(STR, STR, INT)),
        "entities": tuple_of(fixed(STR, STR, INT)),
        "warnings": tuple_of(STR),
        "snips": dict_of(INT, STR),
    }
)
"""The shape of `descriptor_record`'s result, checked when it is read back from the cache."""


@dataclass(frozen=True)
class Statement:
    """One MyBatis statement: its tag, id, line and the tables it reads and writes."""

    tag: str
    id: str
    line: int
    reads: tuple[str, ...]
    writes: tuple[str, ...]


@dataclass
class Descriptor:
    """What one XML file declares (only the kinds of element this analyzer understands)."""

    namespace: str = ""
    statements: list[Statement] = field(default_factory=list)
    servlets: list[tuple[str, str, int]] = field(default_factory=list)  # class, url, line
    entities: list[tuple[str, str, int]] = field(default_factory=list)  # class, table, line
    warnings: list[str] = field(default_factory=list)


def descriptor_record(data: bytes) -> dict:
    """What one XML file declares, as plain data to cache (`relevant` False: not a descriptor)."""
    out: dict = {
        "relevant": False,
        "namespace": "",
        "statements": (),
        "servlets": (),
        "entities": (),
        "warnings": (),
        "snips": {},
    }
    if not any(marker in data for marker in MARKERS) or b"\0" in data[:8192]:
        return out
    text = data.decode("utf-8", "replace")
    try:
        found = read_descriptor(text)
    except RecursionError:
        return {**out, "warnings": ("descriptor too deeply nested; skipped",)}
    lines = text.split("\n")
    used = {s.line for s in found.statements}
    used.update(line for _, _, line in found.servlets)
    used.update(line for _, _, line in found.entities)
    return {
        "relevant": True,
        "namespace": found.namespace,
        "statements": tuple((s.tag, s.id, s.line, s.reads, s.writes) for s in found.statements),
        "servlets": tuple(found.servlets),
        "entities": tuple(found.entities),
        "warnings": tuple(found.warnings),
        "snips": {line: _snippet(lines[line - 1]) for line in used if 0 < line <= len(lines)},
    }


def from_record(data: dict) -> Descriptor:
    """The `Descriptor` of a `descriptor_record`."""
    return Descriptor(
        namespace=data["namespace"],
        statements=[Statement(*s) for s in data["statements"]],
        servlets=list(data["servlets"]),
        entities=list(data["entities"]),
        warnings=list(data["warnings"]),
    )


def _snippet(line: str) -> str:
    text = line.strip()
    if _SECRET_HINT.search(text):
        text = redact_text(text)
    return text[:_MAX_SNIPPET]


def read_descriptor(text: str) -> Descriptor:
    """Everything a MyBatis mapper, web.xml, persistence.xml, orm.xml or hbm.xml declares."""
    text = _closed_sub(_COMMENT, lambda m: "\n" * m.group(0).count("\n"), text, "-->")
    found = Descriptor()
    namespace = _NAMESPACE.search(text)
    if namespace:
        found.namespace = namespace.group(1).strip()
        _mapper(text, found)
    if "<servlet" in text:
        _servlets(text, found)
    for match in _CLASS_ELEMENT.finditer(text):
        found.entities.append((match.group(1), "", _line(text, match.start())))
    if "<entity" in text:
        end = _closed_end(text, "</entity")
        empty = _ORM_ENTITY_EMPTY.finditer(text, end)
        for match in [*_ORM_ENTITY.finditer(text, 0, end), *empty]:
            attrs = _attrs(match.group(1))
            table = _ORM_TABLE.search(match.group(2) or "")
            name = _attrs(table.group(1)).get("name", "") if table else ""
            if attrs.get("class"):
                found.entities.append((attrs["class"], name, _line(text, match.start())))
    if "<hibernate-mapping" in text:
        head = _HBM_PACKAGE.search(text)
        package = _attrs(head.group(1)).get("package", "") if head else ""
        for match in _HBM_CLASS.finditer(text):
            attrs = _attrs(match.group(1))
            name = attrs.get("name", "")
            if not name:
                continue
            if package and "." not in name:
                name = f"{package}.{name}"
            table = attrs.get("table", "")
            if attrs.get("schema") and table:
                table = f"{attrs['schema']}.{table}"
            found.entities.append((name, table, _line(text, match.start())))
    return found


def _closed_end(text: str, closer: str, ignore_case: bool = False) -> int:
    """Where the last closing tag `closer` (a tag name such as `</sql`, or `-->`) ends; 0: none.

    A lazy `<x>(.*?)</x>` pattern tried at an opening tag with no closing tag after it scans to
    the end of the text: 40,000 unclosed `<select>` made that quadratic (minutes). No match can
    end past the last closing tag, so the search stops there.
    """
    tail = r"\s*>" if closer.startswith("</") else ""
    flags = re.IGNORECASE if ignore_case else 0
    last = None
    for last in re.finditer(re.escape(closer) + tail, text, flags):  # noqa: B007
        pass
    return last.end() if last is not None else 0


def _closed_iter(pattern: re.Pattern[str], text: str, closer: str) -> list[re.Match[str]]:
    """`pattern.finditer(text)`, searching no further than the last `closer`."""
    return list(pattern.finditer(text, 0, _closed_end(text, closer)))


def _closed_sub(
    pattern: re.Pattern[str],
    repl: str | Callable[[re.Match[str]], str],
    text: str,
    closer: str,
    *,
    ignore_case: bool = False,
) -> str:
    """`pattern.sub(repl, text)`, searching no further than the last `closer`."""
    end = _closed_end(text, closer, ignore_case)
    return pattern.sub(repl, text[:end]) + text[end:] if end else text


def _line(text: str, offset: int) -> int:
    return bisect.bisect_right(_newlines(text), offset - 1) + 1


@functools.lru_cache(maxsize=2)
def _newlines(text: str) -> list[int]:
    """Offsets of the newlines of `text` (so a line number costs a bisection, not a count)."""
    return [m.start() for m in re.finditer("\n", text)]


def _attrs(text: str) -> dict[str, str]:
    return {
        m.group(1): m.group(2) if m.group(2) is not None else m.group(3)
        for m in _ATTR.finditer(text)
    }


def _mapper(text: str, found: Descriptor) -> None:
    fragments = {m.group(1): m.group(2) for m in _closed_iter(_FRAGMENT, text, "</sql")}
    statements = [m for tag, rx in _STATEMENTS.items() for m in _closed_iter(rx, text, f"</{tag}")]
    for match in sorted(statements, key=lambda m: m.start()):
        tag = match.group(1)
        attrs = _attrs(match.group(2))
        sql = mybatis_sql(match.group(3), fragments)
        reads, writes = statement_tables(tag, sql)
        line = _line(text, match.start())
        if not reads and not writes:
            found.warnings.append(f"line {line}: MyBatis <{tag}> names no table that could be read")
            continue
        found.statements.append(Statement(tag, attrs.get("id", ""), line, reads, writes))


def mybatis_sql(body: str, fragments: dict[str, str] | None = None) -> str:
    """The SQL of a MyBatis statement: includes inlined, dynamic tags and parameters removed."""
    fragments = fragments or {}
    for _ in range(4):
        if "<include" not in body:
            break
        body = _INCLUDE.sub(lambda m: " " + fragments.get(m.group(1), "") + " ", body)
    body = _closed_sub(_CDATA, lambda m: m.group(1), body, "]]>")
    body = _closed_sub(_SELECT_KEY, " ", body, "</selectKey")
    body = _WHERE_OPEN.sub(" WHERE 1=1 ", body)
    body = _SET_OPEN.sub(" SET ", body)
    body = _TRIM_OPEN.sub(_trim, body)
    body = _closed_sub(_FOREACH, _foreach, body, "</foreach", ignore_case=True)
    body = _TAG.sub(" ", body)
    body = html.unescape(body)
    body = _PARAM.sub("0", body)
    body = _DANGLING_COMMA.sub(" ", body)
    body = _WHERE_JOINER.sub("WHERE 1=1 AND ", body)
    return " ".join(body.split())


def _foreach(match: re.Match[str]) -> str:
    attrs = _attrs(match.group(1))
    return f" {attrs.get('open', '')} {match.group(2)} {attrs.get('close', '')} "


def _trim(match: re.Match[str]) -> str:
    prefix = _attrs(match.group(1)).get("prefix", "")
    return " WHERE 1=1 " if prefix.strip().lower() == "where" else f" {prefix} "


def statement_tables(tag: str, sql: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(reads, writes) of a statement; falls back to FROM/JOIN/INTO/UPDATE names if unparsable."""
    found = tables_in_sql(sql) if sql else None
    if found is not None:
        return tuple(sorted(found.reads)), tuple(sorted(found.writes))
    reads: set[str] = set()
    writes: set[str] = set()
    for match in _FALLBACK_TABLE.finditer(sql):
        keyword, name = match.group(1).lower(), match.group(2).lower()
        if name in _KEYWORDS:
            continue
        if tag != "select" and (
            keyword in ("into", "update") or (keyword == "from" and tag == "delete")
        ):
            writes.add(name)
        else:
            reads.add(name)
    return tuple(sorted(reads - writes)), tuple(sorted(writes))


def _servlets(text: str, found: Descriptor) -> None:
    classes: dict[str, str] = {}
    for match in _closed_iter(_SERVLET, text, "</servlet"):
        name = _SERVLET_NAME.search(match.group(1))
        cls = _SERVLET_CLASS.search(match.group(1))
        if name and cls:
            classes[name.group(1)] = cls.group(1)
    for match in _closed_iter(_SERVLET_MAPPING, text, "</servlet-mapping"):
        name = _SERVLET_NAME.search(match.group(1))
        if not name or name.group(1) not in classes:
            continue
        for url in _URL_PATTERN.finditer(match.group(1)):
            line = _line(text, match.start(1) + url.start())
            found.servlets.append((classes[name.group(1)], url.group(1), line))
