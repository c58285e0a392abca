"""Finds dead code with evidence: tables that migrations drop, code that marks itself deprecated."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from analyzers.cache import source_salt
from analyzers.facts import (
    AnalyzerRun,
    DeadCode,
    DeadKind,
    DeadReason,
    Evidence,
    Facts,
    OrmModel,
    Table,
    TableName,
    Unit,
    table_parts,
)
from analyzers.textcache import per_file
from analyzers.walk import discover

ANALYZER = "deadcode"
VERSION = "1"
MAX_BYTES = 2_000_000
"""Files larger than this are not read for dead code (generated dumps, vendored bundles)."""
_SALT = source_salt(__file__)
"""What a cached per-file result was made by: this module's own source."""

MIGRATION_PARTS = frozenset(
    {"migrations", "migration", "versions", "flyway", "liquibase", "changelog", "changelogs"}
)
"""Directory names that hold schema migrations (Alembic, Django, Flyway, Liquibase)."""
_FLYWAY_FILE = re.compile(r"^[VR]\d[\w.]*__.*\.sql$", re.IGNORECASE)
_NAME = r"[\w$.\"`\[\]]+"
_SQL_DROP = re.compile(
    rf"\bDROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?({_NAME}(?:\s*,\s*{_NAME})*)", re.IGNORECASE
)
_SQL_CREATE = re.compile(
    rf"\bCREATE\s+(?:OR\s+REPLACE\s+)?(TEMP\w*\s+|GLOBAL\s+TEMP\w*\s+|LOCAL\s+TEMP\w*\s+)?"
    rf"TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?({_NAME})",
    re.IGNORECASE,
)
_SQL_RENAME = re.compile(rf"\bALTER\s+TABLE\s+({_NAME})\s+RENAME\s+TO\s+({_NAME})", re.IGNORECASE)
_ALEMBIC = re.compile(r"\bop\.(drop_table|create_table|rename_table)\(\s*['\"]([^'\"]+)['\"]")
_ALEMBIC_RENAME_TO = re.compile(r"\brename_table\(\s*['\"][^'\"]+['\"]\s*,\s*['\"]([^'\"]+)['\"]")
_DJANGO = re.compile(r"\b(DeleteModel|CreateModel)\(\s*(?:name\s*=\s*)?['\"](\w+)['\"]")
_LIQUIBASE_XML = re.compile(r"<(dropTable|createTable)\b[^>]*?\btableName\s*=\s*\"([^\"]+)\"")
_LIQUIBASE_YAML = re.compile(
    r"\b(dropTable|createTable)\s*:\s*\n(?:[ \t]+[\w-]+\s*:.*\n){0,6}?[ \t]+tableName\s*:\s*"
    r"['\"]?([\w.$]+)"
)
_ROLLBACK_XML = re.compile(r"<rollback\b.*?</rollback>", re.DOTALL)
_DEF = re.compile(r"(?:async\s+)?def\s+(\w+)")
_TABLE_WORD = re.compile(r"table", re.IGNORECASE)
"""Every SQL statement read here names TABLE: the quick test before the three patterns."""

_ANY_MARK = re.compile(r"deprecat", re.IGNORECASE)
"""Files without this word carry no deprecation mark: the quick test before reading lines."""
_PY_HEADER = re.compile(r"^(\s*)(?:async\s+)?(def|class)\s+(\w+)")
_PY_COMMENT_MARK = re.compile(r"^\s*#\s*deprecated\b", re.IGNORECASE)
_PY_DECORATOR_MARK = re.compile(r"^\s*@(?:[\w.]+\.)?deprecated\b")
_PY_WARN = re.compile(r"\bwarn\(")
_PY_WARNING_CLASS = re.compile(r"\b(?:Pending)?DeprecationWarning\b")
_DOC_MARK = re.compile(
    r"^\W*deprecated\b|\bis deprecated\b|\bdeprecated (?:since|in|as of|and)\b"
    r"|^\.\.\s+deprecated::",
    re.I,
)
"""A docstring's first line saying its object is deprecated (not one mentioning something else)."""
_ABOUT_A_PART = re.compile(r"\b(?:argument|parameter|keyword|kwarg|option|attribute)s?\b", re.I)
"""A warning about one argument or attribute of a function, not the function itself."""
_STRINGS = re.compile(r'""".*?"""|' + r"'''.*?'''|" + r'"(?:\\.|[^"\\])*"|' + r"'(?:\\.|[^'\\])*'")
_BRACKET_OR_QUOTE = re.compile(r"[()\[\]{}\"']")
_STRING_START = re.compile(r"^\s*[rRuUbB]{0,2}(\"\"\"|'''|\"|')")

_JAVA_ANNOTATION_MARK = re.compile(r"@(?:java\.lang\.)?Deprecated\b")
_JAVA_TYPE = re.compile(r"\b(?:class|interface|enum|record)\s+(\w+)")
_JAVA_METHOD = re.compile(
    r"(?:(?:public|protected|private|static|final|abstract|synchronized|native|default)\s+)*"
    r"(?:<[^>]+>\s*)?(?:[\w.<>\[\],?]+\s+)?(\w+)\s*\("
)


@dataclass(frozen=True, order=True)
class _Change:
    """One schema change a migration makes: the file order key, evidence, op and table."""

    key: tuple
    line: int
    path: str
    op: str  # "create" | "drop"
    table: str
    snippet: str


Found = tuple[int, str, str, str, bool]
"""A change as one file shows it: line, op, table (a Django model's name when the flag is set,
resolved against the ORM models later) and the line's text."""
Mark = tuple[str, str, int, str]
"""A deprecated mark: qualified name ("" for the module), kind, line and the line's text."""
Scan = tuple[tuple[Found, ...], tuple[Mark, ...]]
"""What one file holds for this analyzer: its schema changes and its deprecation marks."""
Tag = Literal["migration", "schema", "python", "java"]
"""How a file is read: a Python migration, a SQL/Liquibase one, or Python or Java code."""


def find_dead_code(
    root: Path,
    units: tuple[Unit, ...],
    orm_models: tuple[OrmModel, ...] = (),
    tables: tuple[Table, ...] = (),
    *,
    cache_dir: Path | None = None,
) -> Facts:
    """Dead code under `root`: tables the migrations drop (and not re-create), the ORM models
    mapped to them, and modules, classes and functions marked deprecated; each with evidence.

    A table the live database still holds is not dead (the drop has not run there). With a
    `cache_dir`, a file unchanged since the last run is not read again.
    """
    wanted: dict[str, Tag] = {}
    for unit in units:
        if unit.role == "migration" and unit.language == "python":
            wanted[unit.path] = "migration"
        elif unit.role == "code":
            wanted[unit.path] = "java" if unit.language == "java" else "python"
    for file in discover(root, (".sql", ".xml", ".yaml", ".yml"), lambda _path, _message: None):
        if _is_migration_path(file.rel):
            wanted.setdefault(file.rel, "schema")
    scans = per_file(
        root,
        wanted,
        _scan,
        Scan,
        name=ANALYZER,
        salt=_SALT,
        cache_dir=cache_dir,
        limit=MAX_BYTES,
    )
    changes = _migration_changes(scans, wanted, orm_models)
    dropped = _net_drops(changes)
    live = {_plain(t.name) for t in tables if t.source == "database"}
    found: list[DeadCode] = []
    for plain, change in sorted(dropped.items()):
        if plain in live:
            continue
        found.append(
            DeadCode(
                "table",
                change.table,
                "dropped",
                f"dropped by the migration {change.path}, never created again",
                (Evidence(change.path, change.line, change.snippet),),
            )
        )
    dead_tables = {p for p in dropped if p not in live}
    for model in orm_models:
        if _plain(model.table) in dead_tables:
            found.append(
                DeadCode(
                    "model",
                    f"{model.unit}:{model.class_name}",
                    "dropped",
                    f"maps the table {model.table}, which a migration dropped",
                    (model.evidence,),
                )
            )
    models = {(m.unit, m.class_name) for m in orm_models}
    for unit in units:
        scan = scans.get(unit.path) if unit.role == "code" else None
        for qualname, kind, line, snippet in scan[1] if scan else ():
            found.append(
                _deprecated(unit, qualname, kind, Evidence(unit.path, line, snippet), models)
            )
    return Facts(
        root=str(root),
        dead_code=_merged(found),
        analyzers=(AnalyzerRun(ANALYZER, VERSION),),
    )


def _scan(tag: str, rel: str, text: str) -> Scan:
    """The schema changes and deprecation marks of one file (`tag` says how to read it)."""
    if tag == "migration":
        return tuple(_python_migration(rel, text)), ()
    if tag == "schema":
        found = _sql_changes(1, text) if rel.endswith(".sql") else _liquibase_changes(rel, text)
        return tuple((line, op, table, snippet, False) for line, op, table, snippet in found), ()
    if not _ANY_MARK.search(text):
        return (), ()
    marks = _java_marks(text) if tag == "java" else _python_marks(text)
    return (), tuple(marks)


def _deprecated(
    unit: Unit, qualname: str, kind: str, evidence: Evidence, models: set[tuple[str, str]]
) -> DeadCode:
    """A deprecated mark as dead code: the whole unit, an ORM model, a class or a function."""
    if not qualname or (unit.language == "java" and qualname == unit.id.rsplit(".", 1)[-1]):
        what: DeadKind = "module" if unit.language == "python" else "class"
        return DeadCode(what, unit.id, "deprecated", _said(evidence.snippet), (evidence,))
    if kind == "class" and "." not in qualname and (unit.id, qualname) in models:
        what = "model"
    else:
        what = "class" if kind == "class" else "function"
    name = f"{unit.id}:{qualname}"
    return DeadCode(what, name, "deprecated", _said(evidence.snippet), (evidence,))


def _said(snippet: str) -> str:
    """What a deprecation mark says, as a short detail: `marked deprecated: use X instead`."""
    said = re.sub(r"^[#@/*\s\"']+|[\"']+$", "", snippet).strip()
    said = re.sub(r"^(?:deprecated\b[\s:,.-]*)", "", said, flags=re.IGNORECASE).strip()
    call = re.fullmatch(r"\(([^()]*)\)", said)  # a decorator's call: `@deprecated("use X")`
    if call:
        said = call[1].strip()
        if len(said) > 1 and said[0] == said[-1] and said[0] in "\"'":
            said = said[1:-1].strip()
    return f"marked deprecated: {said[:160]}" if said else "marked deprecated"


def _merged(items: list[DeadCode]) -> tuple[DeadCode, ...]:
    """One record per (kind, name): a drop wins over a deprecation, evidence combined."""
    by_key: dict[tuple[str, str], DeadCode] = {}
    for item in items:
        seen = by_key.get((item.kind, item.name))
        if seen is None:
            by_key[(item.kind, item.name)] = item
            continue
        first, second = (
            (seen, item)
            if seen.reason == "dropped" or item.reason != "dropped"
            else (
                item,
                seen,
            )
        )
        detail = first.detail
        if first.reason != second.reason:
            detail = f"{first.detail}; also marked deprecated"
        reason: DeadReason = first.reason
        evidence = tuple(sorted(set(first.evidence) | set(second.evidence)))
        by_key[(item.kind, item.name)] = DeadCode(item.kind, item.name, reason, detail, evidence)
    return tuple(sorted(by_key.values()))


# --- migrations ---------------------------------------------------------------------------------


def _natural(path: str) -> tuple:
    """A sort key reading digit runs as numbers (`V2__` before `V10__`)."""
    return tuple(int(p) if p.isdigit() else p.lower() for p in re.split(r"(\d+)", path))


def _is_migration_path(rel: str) -> bool:
    parts = rel.lower().split("/")
    return any(p in MIGRATION_PARTS for p in parts[:-1]) or bool(_FLYWAY_FILE.match(parts[-1]))


def _migration_changes(
    scans: dict[str, Scan], wanted: dict[str, Tag], orm_models: tuple[OrmModel, ...]
) -> list[_Change]:
    """Every table creation and drop the migrations make, in migration order."""
    tables_of = {m.class_name: m.table for m in orm_models if m.framework == "django"}
    changes: list[_Change] = []
    for path, scan in scans.items():
        if wanted[path] not in ("migration", "schema") or not scan[0]:
            continue
        key = _natural(path)
        app = path.split("/")[-3] if path.count("/") >= 2 else ""
        for line, op, name, snippet, django in scan[0]:
            table = tables_of.get(name, f"{app}_{name}".lower().lstrip("_")) if django else name
            changes.append(_Change(key, line, path, op, table, snippet))
    return sorted(changes)


def _python_migration(path: str, text: str) -> list[Found]:
    """Changes in an Alembic `upgrade()` or a Django migration's operations (never a downgrade)."""
    changes: list[Found] = []
    function = ""
    alembic = "_table(" in text
    django = "Model(" in text
    for number, line in enumerate(text.splitlines(), start=1):
        header = _DEF.match(line)
        if header:
            function = header[1]
            continue
        if line and not line[0].isspace() and not line.startswith(("#", ")", "]", "}")):
            function = ""
        if function.startswith("downgrade") or "reverse_sql" in line:
            continue
        snippet = line.strip()
        if alembic and "_table(" in line:
            for match in _ALEMBIC.finditer(line):
                op = {"drop_table": "drop", "create_table": "create"}.get(match[1], "drop")
                changes.append((number, op, match[2], snippet, False))
                if match[1] == "rename_table":
                    renamed = _ALEMBIC_RENAME_TO.search(line)
                    if renamed:
                        changes.append((number, "create", renamed[1], snippet, False))
        if django and "Model(" in line:
            for match in _DJANGO.finditer(line):
                op = "drop" if match[1] == "DeleteModel" else "create"
                changes.append((number, op, match[2], snippet, True))
        if (not function or function.startswith("upgrade")) and _TABLE_WORD.search(line):
            changes += [(n, op, t, s, False) for n, op, t, s in _sql_changes(number, line)]
    return changes


def _sql_changes(first_line: int, text: str) -> list[tuple[int, str, str, str]]:
    """CREATE TABLE, DROP TABLE and ALTER TABLE ... RENAME TO in SQL text: line, op, table and
    the line's text."""
    events: list[tuple[int, str, str]] = []
    for match in _SQL_DROP.finditer(text):
        events += [(match.start(), "drop", name.strip()) for name in match[1].split(",")]
    for match in _SQL_CREATE.finditer(text):
        if not match[1]:
            events.append((match.start(), "create", match[2]))
    for match in _SQL_RENAME.finditer(text):
        events += [(match.start(), "drop", match[1]), (match.start() + 1, "create", match[2])]
    if not events:
        return []
    lines = text.splitlines()
    changes = []
    for offset, op, name in sorted(events):
        number = text.count("\n", 0, offset)
        snippet = lines[number].strip() if number < len(lines) else ""
        table = _unquoted(name)
        if table:
            changes.append((first_line + number, op, table, snippet[:200]))
    return changes


def _liquibase_changes(path: str, text: str) -> list[tuple[int, str, str, str]]:
    """Liquibase `dropTable` / `createTable` changes (XML outside rollbacks, or YAML)."""
    if path.endswith(".xml"):
        text = _ROLLBACK_XML.sub(lambda m: "\n" * m[0].count("\n"), text)
        pattern = _LIQUIBASE_XML
    else:
        pattern = _LIQUIBASE_YAML
    lines = text.splitlines()
    changes = []
    for match in pattern.finditer(text):
        number = text.count("\n", 0, match.start())
        op = "drop" if match[1] == "dropTable" else "create"
        snippet = lines[number].strip()[:200] if number < len(lines) else ""
        changes.append((number + 1, op, match[2], snippet))
    return changes


def _net_drops(changes: list[_Change]) -> dict[str, _Change]:
    """Tables whose last change is a drop, by plain lower-case name, with that drop."""
    last: dict[str, _Change] = {}
    for change in changes:
        last[_plain(change.table)] = change
    return {name: c for name, c in last.items() if c.op == "drop"}


def _unquoted(name: str) -> str:
    return re.sub(r"[\"`\[\]]", "", name).strip().rstrip(";")


def _plain(name: TableName) -> str:
    """A table's name without schema, lower case: how a migration and the code both name it."""
    return table_parts(_unquoted(name))[1].lower()


def dead_table_names(names: Iterable[TableName], dead: Iterable[DeadCode]) -> set[TableName]:
    """Those of `names` that a dead-table record names (compared without schema or case)."""
    plain = {_plain(d.name) for d in dead if d.kind == "table"}
    return {n for n in names if _plain(n) in plain}


# --- deprecation marks --------------------------------------------------------------------------


@dataclass
class _Def:
    kind: str
    qualname: str
    indent: int
    line: int
    parent: _Def | None
    body_code: bool = False  # a statement other than the docstring seen in its body
    body_indent: int = -1  # the indent of its body's statements, once seen


def _python_marks(text: str) -> list[Mark]:
    """Deprecated marks in Python source: `# DEPRECATED` comments above a def or class, first in
    its body or heading the file; `@deprecated` decorators; an unconditional `warnings.warn(...,
    DeprecationWarning)` in a function's own body (not in a nested wrapper: that is a decorator
    factory; in `__init__`: the class; not about one argument); docstrings that say so."""
    lines = text.splitlines()
    marks: list[Mark] = []
    stack: list[_Def] = []
    module_code = False
    # a comment or decorator mark waiting for the next statement, with the body it opened in
    pending: tuple[int, str, _Def | None, bool] | None = None
    expect_doc: _Def | bool | None = True  # True: the module docstring may come next
    in_string = ""
    depth = 0  # open brackets: continuation lines are not statements
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if in_string:
            if in_string in line:
                rest = line.split(in_string, 1)[1]
                in_string = ""
                change, in_string = _depth(rest)
                depth = max(0, depth + change)
            continue
        if not stripped:
            continue
        if depth > 0:
            change, in_string = _depth(line)
            depth = max(0, depth + change)
            continue
        indent = len(line) - len(line.lstrip())
        if stripped.startswith("#"):
            if _PY_COMMENT_MARK.match(line) and pending is None:
                owner = _open_body(stack, indent)
                fresh = (owner is not None and not owner.body_code) or (
                    owner is None and not module_code
                )
                pending = (number, stripped, owner, fresh)
            continue
        while stack and indent <= stack[-1].indent:
            stack.pop()
        change, in_string = _depth(line)
        depth = max(0, change)
        if stack and stack[-1].body_indent < 0:
            stack[-1].body_indent = indent
        if _PY_DECORATOR_MARK.match(line):
            pending = pending or (number, stripped, None, False)
            continue
        if stripped.startswith("@"):
            continue
        header = _PY_HEADER.match(line)
        if header:
            parent = stack[-1] if stack else None
            if parent:
                parent.body_code = True
            else:
                module_code = True
            name = header[3] if parent is None else f"{parent.qualname}.{header[3]}"
            node = _Def(header[2], name, indent, number, parent)
            stack.append(node)
            if pending is not None:
                marks.append((name, header[2], pending[0], pending[1]))
            pending = None
            expect_doc = node
            continue
        if pending is not None and pending[3]:
            owner = pending[2]
            where = (owner.qualname, owner.kind) if owner else ("", "module")
            marks.append((*where, pending[0], pending[1]))
        pending = None
        doc = _STRING_START.match(line)
        if doc and expect_doc is not None and expect_doc is not False:
            summary = _string_text(lines, number - 1, doc[1]).strip().split("\n", 1)[0]
            if _DOC_MARK.search(summary):
                owner = expect_doc if isinstance(expect_doc, _Def) else None
                where = (owner.qualname, owner.kind) if owner else ("", "module")
                marks.append((*where, number, stripped))
        elif stack:
            stack[-1].body_code = True
        else:
            module_code = True
        expect_doc = None
        if _PY_WARN.search(line):
            window = " ".join(lines[number - 1 : number + 3])
            owner = stack[-1] if stack else None
            unconditional = indent == (owner.body_indent if owner else 0)
            if unconditional and _PY_WARNING_CLASS.search(window):
                mark = None if _ABOUT_A_PART.search(window) else _warned(owner)
                if mark is not None:
                    marks.append((*mark, number, stripped))
    return sorted(set(marks), key=lambda m: (m[2], m[0]))


def _depth(line: str) -> tuple[int, str]:
    """Brackets a line opens minus those it closes (strings and comment left out), and the
    triple quote of a string it leaves open ("" if none)."""
    if not _BRACKET_OR_QUOTE.search(line):
        return 0, ""
    code = _STRINGS.sub("", line) if "'" in line or '"' in line else line
    left_open = ""
    for quote in ('"""', "'''"):
        if quote in code:
            code, left_open = code.split(quote, 1)[0], quote
            break
    code = code.split("#", 1)[0]
    opened = code.count("(") + code.count("[") + code.count("{")
    return opened - code.count(")") - code.count("]") - code.count("}"), left_open


def _warned(owner: _Def | None) -> tuple[str, str] | None:
    """What a `warnings.warn(..., DeprecationWarning)` in `owner`'s body marks deprecated."""
    if owner is None:
        return ("", "module")
    if owner.kind == "def" and owner.parent is not None and owner.parent.kind == "def":
        return None  # a wrapper inside a decorator factory: the factory is not deprecated
    if owner.kind == "def" and owner.qualname.rsplit(".", 1)[-1] in ("__init__", "__new__"):
        cls = owner.parent
        return (cls.qualname, cls.kind) if cls is not None else None
    return (owner.qualname, owner.kind)


def _open_body(stack: list[_Def], indent: int) -> _Def | None:
    """The innermost def or class whose body a line at `indent` belongs to."""
    for node in reversed(stack):
        if indent > node.indent:
            return node
    return None


def _string_text(lines: list[str], index: int, quote: str) -> str:
    """The text of a string literal starting on `lines[index]` (up to 20 lines)."""
    text = lines[index]
    if len(quote) == 3 and text.count(quote) < 2:
        for more in lines[index + 1 : index + 20]:
            text += "\n" + more
            if quote in more:
                break
    return text.strip().lstrip("rRuUbB").strip("\"'")


def _java_marks(text: str) -> list[Mark]:
    """`@Deprecated` annotations and Javadoc `@deprecated` tags on types and methods."""
    marks: list[Mark] = []
    pending: tuple[int, str] | None = None
    in_doc = False
    doc_marked = False
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if in_doc:
            doc_marked = doc_marked or "@deprecated" in stripped
            if "*/" in stripped:
                in_doc = False
                if doc_marked:
                    pending = pending or (number, stripped)
            continue
        if stripped.startswith("/**"):
            doc_marked = "@deprecated" in stripped
            in_doc = "*/" not in stripped
            if not in_doc and doc_marked:
                pending = pending or (number, stripped)
            continue
        if not stripped or stripped.startswith(("//", "*", "/*")):
            continue
        annotation = _JAVA_ANNOTATION_MARK.search(stripped)
        rest = _JAVA_ANNOTATION_MARK.sub("", stripped).strip() if annotation else stripped
        if annotation:
            pending = pending or (number, stripped)
        rest = re.sub(r"@\w+(?:\([^)]*\))?", "", rest).strip()
        if not rest:
            continue
        if pending is not None:
            declared = _JAVA_TYPE.search(rest)
            if declared:
                marks.append((declared[1], "class", *pending))
            else:
                method = _JAVA_METHOD.match(rest)
                if method and method[1] not in ("return", "new", "if", "for", "while", "switch"):
                    marks.append((method[1], "def", *pending))
        pending = None
    return marks
