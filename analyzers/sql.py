"""Finds which tables a SQL string reads and writes, parsed with sqlglot."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from analyzers.facts import TableName, table_name

if TYPE_CHECKING:
    from sqlglot import exp

# sqlglot warns on stderr when it falls back to an opaque Command; a string we cannot read is
# simply not SQL to us, so keep its logger quiet.
logging.getLogger("sqlglot").setLevel(logging.ERROR)

_STATEMENT_SHAPES = (
    r"\(?\s*select\b.+?\bfrom\s+[\w\"`\[(]",
    r"insert\s+(?:or\s+\w+\s+|ignore\s+)?into\s+[\w\"`\[]",
    r"update\s+(?:only\s+)?[\w.\"`\[\]]+(?:\s+(?:as\s+)?\w+)?\s+set\s",
    r"delete\s+(?:[\w.]+\s+)?from\s+[\w\"`\[]",
    r"with\s+(?:recursive\s+)?[\w\"`]+(?:\s*\([^)]*\))?\s+as\s+(?:not\s+)?(?:materialized\s+)?\(",
    r"(?:merge|replace)\s+into\s",
    r"create\s+(?:or\s+replace\s+)?(?:materialized\s+)?view\s",
)
_SQL_START = re.compile(r"^\s*(?:" + "|".join(_STATEMENT_SHAPES) + ")", re.IGNORECASE | re.DOTALL)
_CAPITALISED_KEYWORD = re.compile(r"^\s*\(?\s*[A-Z][a-z]+\b")
_PROSE_WORDS = re.compile(r"\b(?:a|an|the|your|this|these|those|my|our|to|of|please|you)\b")
"""Words prose uses and SQL rarely does; only tell when the statement keyword is Capitalised."""
# Placeholders of DB-API styles and string formatting, replaced by a literal so sqlglot parses.
_PLACEHOLDERS = re.compile(r"%\([A-Za-z_]\w*\)s|%s|%d|\?|(?<![:\w]):[A-Za-z_]\w*|\$\d+|\{[^{}]*\}")


@dataclass(frozen=True)
class SqlTables:
    """Tables one SQL statement (or several) reads and writes."""

    reads: frozenset[TableName]
    writes: frozenset[TableName]


def looks_like_sql(text: str) -> bool:
    """True when a string starts with the shape of a SQL statement that names a table.

    Cheap filter before parsing. Prose such as "Delete a file from server" or "Select a country
    from the list" starts like SQL: a Capitalised keyword followed by English words is prose.
    """
    if not _SQL_START.match(text):
        return False
    return not (_CAPITALISED_KEYWORD.match(text) and _PROSE_WORDS.search(text))


@lru_cache(maxsize=4096)
def tables_in_sql(text: str, dialect: str | None = None) -> SqlTables | None:
    """The tables `text` reads and writes, or None when it does not parse as SQL (sqlglot is
    imported on the first call: a warm run, which parses nothing, never loads it)."""
    import sqlglot
    from sqlglot import exp

    cleaned = _PLACEHOLDERS.sub("0", text)
    try:
        statements = sqlglot.parse(cleaned, read=dialect, error_level=sqlglot.ErrorLevel.RAISE)
    except (sqlglot.errors.SqlglotError, ValueError, RecursionError):
        return None
    reads: set[str] = set()
    writes: set[str] = set()
    for statement in statements:
        if statement is None:
            continue
        ctes = {cte.alias_or_name for cte in statement.find_all(exp.CTE)}
        targets = _write_targets(statement)
        writes.update(_name(t) for t in targets)
        target_ids = {id(t) for t in targets}
        for table in statement.find_all(exp.Table):
            if id(table) in target_ids or not table.name or table.name in ctes:
                continue
            if _catalog(table):
                continue
            reads.add(_name(table))
    if not reads and not writes:
        return None
    return SqlTables(frozenset(reads), frozenset(writes))


_CATALOG_SCHEMAS = {"information_schema", "pg_catalog", "performance_schema", "sys", "system"}
_CATALOG_TABLES = {"dual", "sqlite_master", "sqlite_schema", "sqlite_sequence"}


def _catalog(table: exp.Table) -> bool:
    """A system catalog (`information_schema.columns`, `pg_class`, `dual`), not the app's data:
    code that reads it (redash's query runners) inspects a database, it owns no table there."""

    schema, name = _part(table.args.get("db")), _part(table.this)
    if schema:
        return schema in _CATALOG_SCHEMAS
    return name in _CATALOG_TABLES or name.startswith("pg_")


def _write_targets(statement: exp.Expression) -> list[exp.Table]:
    from sqlglot import exp

    targets = []
    for node in statement.find_all(exp.Insert, exp.Update, exp.Delete, exp.Merge, exp.Create):
        target = node.this
        if isinstance(target, exp.Schema):
            target = target.this
        if isinstance(target, exp.Table):
            targets.append(target)
    return targets


def _name(table: exp.Table) -> TableName:
    """Schema-qualified name as the database sees it: unquoted parts fold to lower case, quoted
    ones keep their case and dots (`sales.orders`, `orders`, `"Orders"`, `public."a.b"`)."""
    return table_name(_part(table.args.get("db")), _part(table.this))


def _part(node: exp.Expression | None) -> str:
    from sqlglot import exp

    if isinstance(node, exp.Identifier):
        return node.name if node.quoted else node.name.lower()
    return node.name.lower() if node is not None else ""
