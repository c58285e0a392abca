"""Reads table schemas from DDL files (schema dumps, SQL migrations), parsed with sqlglot."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import sqlglot
from sqlglot import exp

from analyzers.errors import InputError
from analyzers.facts import (
    AnalysisWarning,
    AnalyzerRun,
    Column,
    Evidence,
    Facts,
    ForeignKey,
    Index,
    Table,
    TableName,
    table_name,
)
from analyzers.redact import redact_text
from analyzers.sql import tables_in_sql

ANALYZER = "ddl"
VERSION = "1"

_DEFAULT_SCHEMAS = frozenset({"public", "main", "dbo"})
_SNIPPET_CHARS = 200

# Quoted text, comments and dollar-quoted bodies, where a `;` does not end a statement.
_TOKENS = re.compile(
    r"--[^\n]*|#[^\n]*|/\*.*?\*/|'(?:[^'\\]|''|\\.)*'|\"(?:[^\"]|\"\")*\"|`[^`]*`"
    r"|\$(?P<tag>[A-Za-z_]\w*)?\$.*?\$(?P=tag)?\$|;",
    re.DOTALL,
)
_LEADING_NOISE = re.compile(r"(?:\s+|--[^\n]*|/\*.*?\*/)*", re.DOTALL)
_INTERESTING = re.compile(
    r"(?:CREATE|ALTER|DROP)\s+(?:OR\s+REPLACE\s+)?(?:(?:GLOBAL\s+|LOCAL\s+)?(?:TEMP|TEMPORARY)\s+"
    r"|UNLOGGED\s+)?(?:TABLE|VIEW|MATERIALIZED\s+VIEW|UNIQUE\s+INDEX|INDEX)\b",
    re.IGNORECASE,
)
_TABLE_NAME = re.compile(
    r"CREATE\s+.*?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(?P<name>[\w.\"`\[\]]+)", re.IGNORECASE
)

# Words that betray a dialect, with their weight.
_DIALECT_MARKERS = {
    "mysql": (r"`\w+`", r"\bENGINE\s*=", r"\bAUTO_INCREMENT\b", r"\bUNSIGNED\b", r"CHARSET\s*="),
    "postgres": (
        r"\bBIG?SERIAL\b",
        r"\bSERIAL\b",
        r"\$\$",
        r"::\w+",
        r"\bJSONB\b",
        r"\bTIMESTAMPTZ\b",
        r"\bnextval\(",
        r"\bOWNER\s+TO\b",
        r"\bCREATE\s+EXTENSION\b",
        r"\bpublic\.",
    ),
    "sqlite": (r"\bAUTOINCREMENT\b", r"\bPRAGMA\b", r"\bWITHOUT\s+ROWID\b", r"\bsqlite_"),
    "tsql": (r"\[dbo\]", r"^\s*GO\s*$", r"\bIDENTITY\s*\(", r"\bNVARCHAR\b"),
    "oracle": (r"\bVARCHAR2\b", r"\bNUMBER\s*\(", r"\bNOCOPY\b"),
}


def guess_dialect(text: str) -> str | None:
    """The sqlglot dialect whose markers appear most in `text`, or None when none does."""
    scores = {
        dialect: sum(len(re.findall(p, text, re.IGNORECASE | re.MULTILINE)) for p in patterns)
        for dialect, patterns in _DIALECT_MARKERS.items()
    }
    best = max(sorted(scores), key=lambda d: scores[d])
    return best if scores[best] else None


@dataclass
class _Draft:
    """A table being assembled from its CREATE and any later ALTER statements."""

    name: TableName
    columns: dict[str, Column] = field(default_factory=dict)
    primary_key: tuple[str, ...] = ()
    foreign_keys: set[ForeignKey] = field(default_factory=set)
    unique: set[tuple[str, ...]] = field(default_factory=set)
    indexes: set[Index] = field(default_factory=set)
    is_view: bool = False
    view_reads: tuple[TableName, ...] = ()
    evidence: list[Evidence] = field(default_factory=list)

    def table(self) -> Table:
        pk = self.primary_key
        return Table(
            name=self.name,
            source="ddl",
            columns=tuple(
                Column(c.name, c.type, c.nullable and c.name not in pk, c.name in pk)
                for c in self.columns.values()
            ),
            primary_key=pk,
            foreign_keys=tuple(sorted(self.foreign_keys)),
            is_view=self.is_view,
            view_reads=self.view_reads,
            evidence=tuple(self.evidence),
            unique=tuple(sorted(self.unique)),
            indexes=tuple(sorted(self.indexes)),
        )


def tables_from_ddl(path: Path, *, dialect: str | None = None, root: Path | None = None) -> Facts:
    """Tables and views declared by a .sql file, or by every .sql file under a directory.

    Files are read in sorted path order, so migrations apply in their usual order; evidence paths
    are relative to `root` when given, else as `path` was passed.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"no such DDL file or directory: {path}")
    files = sorted(p for p in path.rglob("*.sql") if p.is_file()) if path.is_dir() else [path]
    drafts: dict[str, _Draft] = {}
    warnings: list[AnalysisWarning] = []
    texts = {}
    for file in files:
        text, problem = _read(file)
        if problem:
            warnings.append(AnalysisWarning(ANALYZER, _shown_path(file, root), problem))
        if text is not None:
            texts[file] = text
    overall = dialect or guess_dialect("\n".join(texts.values()))
    for file, text in texts.items():
        shown = _shown_path(file, root)
        file_dialect = dialect or guess_dialect(text) or overall
        for line, statement in split_statements(text):
            warning = _apply(
                statement, file_dialect, Evidence(shown, line, _snippet(statement)), drafts
            )
            if warning:
                warnings.append(AnalysisWarning(ANALYZER, f"{shown}:{line}", warning))
    return Facts(
        root="",
        tables=tuple(sorted(d.table() for d in drafts.values())),
        warnings=tuple(sorted(warnings)),
        analyzers=(AnalyzerRun(ANALYZER, VERSION),),
    )


def _shown_path(file: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return file.resolve().relative_to(Path(root).resolve()).as_posix()
        except ValueError:
            pass
    return file.as_posix()


def _read(file: Path) -> tuple[str | None, str]:
    try:
        data = file.read_bytes()
    except OSError as error:
        return None, f"cannot read: {error.strerror or error}"
    if b"\x00" in data[:8192]:
        return None, "binary file, skipped"
    try:
        return data.decode("utf-8-sig"), ""
    except UnicodeDecodeError:
        return data.decode("latin-1"), "not UTF-8, read as Latin-1"


def _snippet(statement: str) -> str:
    return (
        redact_text(statement.strip().splitlines()[0][:_SNIPPET_CHARS]) if statement.strip() else ""
    )


def split_statements(text: str) -> Iterator[tuple[int, str]]:
    """The statements of a SQL script with the 1-based line where each starts (comments skipped)."""
    start = 0
    for match in _TOKENS.finditer(text):
        if match.group() == ";":
            yield from _statement(text, start, match.start())
            start = match.end()
    yield from _statement(text, start, len(text))


def _statement(text: str, start: int, end: int) -> Iterator[tuple[int, str]]:
    begin = _LEADING_NOISE.match(text, start, end)
    first = begin.end() if begin else start
    if first < end:
        yield text.count("\n", 0, first) + 1, text[first:end]


# --- applying one statement to the drafts ---------------------------------------------------------


def _apply(
    statement: str, dialect: str | None, evidence: Evidence, drafts: dict[str, _Draft]
) -> str:
    """Apply a CREATE/ALTER/DROP statement; a warning message when it does not parse."""
    if not _INTERESTING.match(statement):
        return ""
    try:
        tree = sqlglot.parse_one(statement, read=dialect)
    except (sqlglot.errors.SqlglotError, ValueError, RecursionError):
        tree = None
    if isinstance(tree, exp.Create):
        return _create(tree, statement, dialect, evidence, drafts)
    if isinstance(tree, exp.Alter):
        _alter(tree, dialect, drafts)
        return ""
    if isinstance(tree, exp.Drop) and str(tree.args.get("kind", "")).upper() in ("TABLE", "VIEW"):
        for table in tree.find_all(exp.Table):
            drafts.pop(_table_name(table).lower(), None)
        return ""
    fallback = _TABLE_NAME.match(statement)
    if fallback:
        name = _normalize_name(fallback["name"])
        _draft(drafts, name).evidence.append(evidence)
        return f"could not parse the definition of table {name}; recorded without columns"
    return "could not parse this statement"


def _draft(drafts: dict[str, _Draft], name: TableName) -> _Draft:
    return drafts.setdefault(name.lower(), _Draft(name))


def _create(
    tree: exp.Create, sql: str, dialect: str | None, evidence: Evidence, drafts: dict[str, _Draft]
) -> str:
    kind = str(tree.args.get("kind") or "").upper()
    target = tree.this
    if kind == "INDEX" and isinstance(target, exp.Index):
        table = target.args.get("table")
        if isinstance(table, exp.Table):
            params = target.args.get("params")
            columns = (
                tuple(_column_name(c, dialect) for c in (params.args.get("columns") or []))
                if params
                else ()
            )
            index = Index(_identifier(target.this), columns, bool(tree.args.get("unique")))
            _draft(drafts, _table_name(table)).indexes.add(index)
        return ""
    table = target.this if isinstance(target, exp.Schema) else target
    if not isinstance(table, exp.Table):
        return "could not find the table this statement creates"
    name = _table_name(table)
    if kind in ("VIEW", "MATERIALIZED VIEW") or "VIEW" in kind:
        found = tables_in_sql(sql, dialect)
        draft = drafts[name.lower()] = _Draft(name, is_view=True)
        draft.view_reads = (
            tuple(sorted({_normalize_name(r) for r in found.reads} - {name})) if found else ()
        )
        draft.evidence.append(evidence)
        return "" if found else f"could not find the tables view {name} reads"
    draft = drafts[name.lower()] = _Draft(name, evidence=[*_draft(drafts, name).evidence, evidence])
    if isinstance(target, exp.Schema):
        for item in target.expressions:
            if isinstance(item, exp.ColumnDef):
                _add_column(draft, item, dialect)
            else:
                _add_constraint(draft, item)
    return ""


def _alter(tree: exp.Alter, dialect: str | None, drafts: dict[str, _Draft]) -> None:
    if not isinstance(tree.this, exp.Table):
        return
    draft = _draft(drafts, _table_name(tree.this))
    for action in tree.args.get("actions") or []:
        if isinstance(action, exp.ColumnDef):
            _add_column(draft, action, dialect)
        elif isinstance(action, exp.AddConstraint):
            for constraint in action.expressions:
                _add_constraint(draft, constraint)
        else:
            _add_constraint(draft, action)


def _add_column(draft: _Draft, column: exp.ColumnDef, dialect: str | None) -> None:
    name = _identifier(column.this)
    kind = column.args.get("kind")
    nullable = True
    for constraint in column.args.get("constraints") or []:
        detail = (
            constraint.args.get("kind")
            if isinstance(constraint, exp.ColumnConstraint)
            else constraint
        )
        if isinstance(detail, exp.NotNullColumnConstraint) and not detail.args.get("allow_null"):
            nullable = False
        elif isinstance(detail, exp.PrimaryKeyColumnConstraint):
            draft.primary_key = (name,)
        elif isinstance(detail, exp.UniqueColumnConstraint):
            draft.unique.add((name,))
        elif isinstance(detail, exp.Reference):
            draft.foreign_keys.add(_reference((name,), detail))
    type_name = kind.sql(dialect=dialect) if isinstance(kind, exp.DataType) else ""
    draft.columns[name] = Column(name, type_name, nullable)


def _add_constraint(draft: _Draft, node: exp.Expression) -> None:
    parts = node.expressions if isinstance(node, exp.Constraint) else [node]
    for part in parts:
        if isinstance(part, exp.PrimaryKey):
            draft.primary_key = tuple(_column_name(c) for c in part.expressions)
        elif isinstance(part, exp.ForeignKey):
            reference = part.args.get("reference")
            if isinstance(reference, exp.Reference):
                columns = tuple(_column_name(c) for c in part.expressions)
                draft.foreign_keys.add(_reference(columns, reference))
        elif isinstance(part, exp.UniqueColumnConstraint):
            schema = part.this
            if isinstance(schema, exp.Schema):
                draft.unique.add(tuple(_column_name(c) for c in schema.expressions))
        elif isinstance(part, exp.IndexColumnConstraint):
            columns = tuple(_column_name(c) for c in part.expressions)
            draft.indexes.add(Index(_identifier(part.this) if part.this else "", columns))


def _reference(columns: tuple[str, ...], reference: exp.Reference) -> ForeignKey:
    target = reference.this
    table = target.this if isinstance(target, exp.Schema) else target
    referred = (
        tuple(_column_name(c) for c in target.expressions) if isinstance(target, exp.Schema) else ()
    )
    name = _table_name(table) if isinstance(table, exp.Table) else ""
    return ForeignKey(columns, name, referred)


# --- names ---------------------------------------------------------------------------------------


def _identifier(node: exp.Expression | None) -> str:
    """An identifier as the database sees it: unquoted folds to lower case, quoted stays."""
    if isinstance(node, exp.Identifier):
        return node.name if node.quoted else node.name.lower()
    if node is None:
        return ""
    return node.name or node.sql()


def _column_name(node: exp.Expression, dialect: str | None = None) -> str:
    if isinstance(node, exp.Ordered):
        node = node.this
    if isinstance(node, exp.Column) and not node.table:
        return _identifier(node.this)
    if isinstance(node, exp.Identifier):
        return _identifier(node)
    return node.sql(dialect=dialect)


def _table_name(table: exp.Table) -> TableName:
    """`schema.table`, or `table` when the schema is absent or a default one (public, main, dbo)."""
    schema = _identifier(table.args.get("db")) if table.args.get("db") else ""
    name = _identifier(table.this)
    return table_name(None if schema.lower() in _DEFAULT_SCHEMAS else schema, name)


def _normalize_name(raw: str) -> TableName:
    """A table name from text (maybe quoted, maybe qualified) in the form `_table_name` gives."""
    parts = [p.strip('"`[]') for p in raw.split(".")]
    parts = [p if raw.count('"') or raw.count("`") else p.lower() for p in parts]
    if len(parts) > 1 and parts[-2].lower() in _DEFAULT_SCHEMAS:
        return parts[-1]
    return ".".join(parts[-2:])
