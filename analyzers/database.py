"""Reads table schemas from a live database, read-only."""

from __future__ import annotations

import dataclasses
import importlib.util
import math
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import URL, Connection, Inspector, make_url
from sqlalchemy.engine.reflection import ObjectKind
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    NoSuchModuleError,
    NotSupportedError,
    SQLAlchemyError,
)
from sqlalchemy.pool import NullPool

from analyzers.errors import InputError
from analyzers.facts import (
    AnalysisWarning,
    AnalyzerRun,
    Column,
    Facts,
    ForeignKey,
    Index,
    Routine,
    Table,
    TableName,
    table_name,
)
from analyzers.redact import redact_text, redact_url
from analyzers.sql import tables_in_sql

ANALYZER = "database"
VERSION = "1"

# Backend -> sqlglot dialect of its SQL (view definitions, function bodies).
_SQLGLOT_DIALECT = {
    "sqlite": "sqlite",
    "postgresql": "postgres",
    "mysql": "mysql",
    "mariadb": "mysql",
}
# Backend -> drivers we know how to make read-only, in order of preference, with their module.
_DRIVERS = {
    "sqlite": (("pysqlite", "sqlite3"),),
    "postgresql": (("psycopg2", "psycopg2"), ("psycopg", "psycopg")),
    "mysql": (("mysqldb", "MySQLdb"), ("pymysql", "pymysql")),
    "mariadb": (("mysqldb", "MySQLdb"), ("pymysql", "pymysql")),
}
_PG_SYSTEM_SCHEMAS = frozenset({"pg_catalog", "information_schema", "pg_toast"})
_INSTALL_HINT = {
    "postgresql": "pip install 'strangler-planner[postgres]' or use postgresql+psycopg://",
    "mysql": "pip install 'strangler-planner[mysql]' or use mysql+pymysql://",
    "mariadb": "pip install 'strangler-planner[mysql]' or use mariadb+pymysql://",
}


# --- connecting, read-only -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Target:
    """A database to open read-only: the URL to connect with and how to lock the session down."""

    shown: str  # the user's URL, password redacted
    url: URL
    backend: str
    connect_args: dict[str, Any]
    timeout_s: float


def _target(url: str, timeout_s: float) -> _Target:
    shown = _shown(url)
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as error:
        raise InputError(
            f"cannot read database {shown}: not a database URL ({error}); "
            "use e.g. sqlite:///shop.db or postgresql+psycopg://user@host/db"
        ) from None
    backend = parsed.get_backend_name()
    if backend not in _DRIVERS:
        raise InputError(
            f"cannot read database {shown}: unsupported database {backend!r}; "
            "use sqlite, postgresql or mysql/mariadb"
        )
    parsed = _with_driver(parsed, backend, shown)
    seconds = max(2, math.ceil(timeout_s))
    if backend == "sqlite":
        return _Target(shown, _sqlite_read_only(parsed, shown), backend, {}, timeout_s)
    if backend == "postgresql":
        options = " ".join(
            filter(
                None,
                [
                    parsed.query.get("options", ""),
                    "-c default_transaction_read_only=on",
                    f"-c statement_timeout={int(timeout_s * 1000)}",
                    # Pinned from the first statement (SQLAlchemy's own included): an operator or
                    # function a hostile schema earlier in the search path defines is never used.
                    "-c search_path=pg_catalog,pg_temp",
                ],
            )
        )
        args = {"connect_timeout": seconds, "options": options}
        return _Target(shown, parsed, backend, args, timeout_s)
    if not parsed.database:
        raise InputError(f"cannot read database {shown}: name the database in the URL (…/dbname)")
    args = {"connect_timeout": seconds, "read_timeout": seconds}
    return _Target(shown, parsed, backend, args, timeout_s)


def _shown(url: str) -> str:
    """The URL as shown and recorded: password, secret query parameters and key files masked."""
    try:
        return redact_url(make_url(url).render_as_string(hide_password=True))
    except Exception:  # a URL that does not parse is still shown redacted
        return redact_url(url)


def _with_driver(url: URL, backend: str, shown: str) -> URL:
    """The URL with a driver that is installed: an explicit one, else the first known that is."""
    known = dict(_DRIVERS[backend])
    if "+" in url.drivername:
        driver = url.get_driver_name()
        module = known.get(driver)
        if module is None:
            raise InputError(
                f"cannot read database {shown}: driver {driver!r} is not supported read-only; "
                f"use one of {', '.join(known)}"
            )
        if importlib.util.find_spec(module) is None:
            raise InputError(
                f"cannot read database {shown}: driver package {module!r} is not installed; "
                f"{_INSTALL_HINT.get(backend, 'install it')}"
            )
        return url
    for driver, module in _DRIVERS[backend]:
        if importlib.util.find_spec(module) is not None:
            return url.set(drivername=f"{backend}+{driver}")
    raise InputError(
        f"cannot read database {shown}: no driver package installed; {_INSTALL_HINT[backend]}"
    )


def _sqlite_read_only(url: URL, shown: str) -> URL:
    """`sqlite:///file:PATH?mode=ro&uri=true` for an existing file (never creates one)."""
    database = url.database or ""
    if database.startswith("file:"):
        database = database[len("file:") :]  # make_url has already decoded %XX and the query
    if database in ("", ":memory:") or url.query.get("mode") == "memory":
        raise InputError(f"cannot read database {shown}: an in-memory database has no tables")
    path = Path(database).expanduser().resolve()
    if not path.is_file():
        raise InputError(f"cannot read database {shown}: no such SQLite file {path}")
    return URL.create(
        "sqlite+pysqlite",
        database="file:" + quote(path.as_posix()),
        query={"mode": "ro", "uri": "true"},
    )


def _lock_down(target: _Target, dbapi_connection: Any) -> None:
    """Make a fresh DBAPI connection read-only with a statement timeout, before any use."""
    cursor = dbapi_connection.cursor()
    try:
        if target.backend == "sqlite":
            cursor.execute("PRAGMA query_only = ON")
        elif target.backend == "postgresql":
            cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
            dbapi_connection.commit()
        else:
            cursor.execute("SET SESSION TRANSACTION READ ONLY")
            cursor.execute("SELECT VERSION()")
            if "mariadb" in str(cursor.fetchone()[0]).lower():
                cursor.execute(f"SET SESSION max_statement_time = {float(target.timeout_s)}")
            else:
                cursor.execute(f"SET SESSION max_execution_time = {int(target.timeout_s * 1000)}")
    finally:
        cursor.close()


@contextmanager
def read_only_connection(url: str, *, timeout_s: float = 30.0) -> Iterator[Connection]:
    """A connection that cannot write (read-only session, statement timeout); InputError if none."""
    target = _target(url, timeout_s)
    try:
        engine = create_engine(target.url, connect_args=target.connect_args, poolclass=NullPool)
    except (ImportError, NoSuchModuleError, ArgumentError) as error:
        raise InputError(f"cannot read database {target.shown}: {_one_line(error, url)}") from None
    event.listen(engine, "connect", lambda dbapi, _record: _lock_down(target, dbapi))
    try:
        try:
            connection = engine.connect()
        except DBAPIError as error:
            raise InputError(_describe(error, target.shown, url)) from None
        with connection:
            yield connection
    finally:
        engine.dispose()


def _one_line(error: BaseException, url: str) -> str:
    """The first line of an error message, with the URL's password removed."""
    orig = getattr(error, "orig", None) or error
    message = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    password = _password(url)
    if password:
        message = message.replace(password, "***")
    return redact_text(message)


def _password(url: str) -> str | None:
    try:
        return make_url(url).password  # type: ignore[return-value]
    except Exception:
        return None


_ADVICE = (
    (
        re.compile(
            r"password authentication|access denied for user|authentication failed"
            r"|role .* does not exist",
            re.I,
        ),
        "check the user name and password",
    ),
    (
        re.compile(
            r"could not connect|connection refused|can't connect|timeout|timed out|"
            r"could not translate host|name or service not known|no route to host|unknown host",
            re.I,
        ),
        "check the host and port, and that the server is running and reachable",
    ),
    (
        re.compile(r"database .* does not exist|unknown database", re.I),
        "check the database name",
    ),
    (
        re.compile(r"permission denied|command denied|access denied|not authorized", re.I),
        "connect as a user allowed to read the schema catalogs",
    ),
    (
        re.compile(r"unable to open database file|readonly|not a database", re.I),
        "check that the SQLite file exists and is readable",
    ),
)


def _describe(error: BaseException, shown: str, url: str) -> str:
    message = _one_line(error, url)
    advice = next((a for pattern, a in _ADVICE if pattern.search(message)), "check the URL")
    return f"cannot read database {shown}: {message}; {advice}"


# --- reflecting ----------------------------------------------------------------------------------


def reflect_database(url: str, *, timeout_s: float = 30.0) -> Facts:
    """Tables, views, keys, indexes, row estimates (and PostgreSQL routines) of a live database."""
    target = _target(url, timeout_s)
    with read_only_connection(url, timeout_s=timeout_s) as connection:
        try:
            tables, warnings = _reflect_tables(connection, target)
            routines: tuple[Routine, ...] = ()
            if target.backend == "postgresql":
                default = _pg_default_schema(inspect(connection))
                routines = _pg_routines(connection, {t.name for t in tables}, default)
                warnings += _pg_superuser(connection)
        except (DBAPIError, NotSupportedError) as error:
            raise InputError(_describe(error, target.shown, url)) from None
        except SQLAlchemyError as error:
            raise InputError(
                f"cannot read database {target.shown}: {_one_line(error, url)}"
            ) from None
    return Facts(
        root="",
        tables=tuple(sorted(tables)),
        warnings=tuple(
            sorted(AnalysisWarning(ANALYZER, target.shown, message) for message in warnings)
        ),
        analyzers=(AnalyzerRun(ANALYZER, VERSION),),
        databases=(target.shown,),
        routines=tuple(sorted(routines)),
    )


def _reflect_tables(connection: Connection, target: _Target) -> tuple[list[Table], list[str]]:
    inspector = inspect(connection)
    default = inspector.default_schema_name
    schemas: list[str | None] = [None]
    if target.backend == "postgresql":
        # Every schema by name (the session's search path is pg_catalog): `public` is written
        # plain, others qualified, so no table is listed twice under two names.
        default = _pg_default_schema(inspector)
        schemas = [s for s in inspector.get_schema_names() if s not in _PG_SYSTEM_SCHEMAS]
    rows = _row_estimates(connection, target.backend, default)
    tables: list[Table] = []
    views: dict[TableName, str] = {}
    for schema in schemas:
        schema_tables, schema_views = _reflect_schema(inspector, schema, default, rows)
        tables += schema_tables
        views.update(schema_views)
    return _with_view_reads(tables, views, target.backend, default)


def _pg_default_schema(inspector: Inspector) -> str | None:
    """The schema whose tables are named plain: `public` when it exists (as DDL files assume)."""
    return "public" if "public" in inspector.get_schema_names() else None


def _pg_superuser(connection: Connection) -> list[str]:
    """A warning when the session's role is a superuser (the report repeats it)."""
    row = connection.execute(
        text("SELECT pg_catalog.current_setting('is_superuser'), CURRENT_USER")
    ).one()
    if row[0] != "on":
        return []
    return [
        f"connected as superuser {row[1]!r}: reflection reads catalogs only, read-only and with "
        "search_path pinned to pg_catalog, but give it a role that can only read (pg_read_all_data "
        "or USAGE on the schemas)"
    ]


def _qualified(schema: str | None, name: str, default: str | None) -> TableName:
    return table_name(None if schema == default else schema, name)


def _reflect_schema(
    inspector: Inspector,
    schema: str | None,
    default: str | None,
    rows: dict[TableName, int],
) -> tuple[list[Table], dict[TableName, str]]:
    """Every table and view of one schema, through the multi-table inspector methods."""
    view_names = set(inspector.get_view_names(schema))
    with suppress(NotImplementedError):
        view_names |= set(inspector.get_materialized_view_names(schema))
    any_kind = ObjectKind.ANY
    columns = inspector.get_multi_columns(schema=schema, kind=any_kind)
    pks = inspector.get_multi_pk_constraint(schema=schema, kind=ObjectKind.TABLE)
    fks = inspector.get_multi_foreign_keys(schema=schema, kind=ObjectKind.TABLE)
    uniques = inspector.get_multi_unique_constraints(schema=schema, kind=ObjectKind.TABLE)
    indexes = inspector.get_multi_indexes(schema=schema, kind=any_kind)
    dialect = inspector.bind.dialect
    tables = []
    for key, cols in columns.items():
        name = _qualified(key[0], key[1], default)
        pk = tuple(pks.get(key, {}).get("constrained_columns") or ())
        tables.append(
            Table(
                name=name,
                source="database",
                columns=tuple(
                    Column(
                        c["name"], _type_name(c["type"], dialect), c["nullable"], c["name"] in pk
                    )
                    for c in cols
                ),
                primary_key=pk,
                foreign_keys=tuple(sorted(_foreign_key(fk, default) for fk in fks.get(key, ()))),
                is_view=key[1] in view_names,
                row_estimate=rows.get(name),
                unique=tuple(sorted(tuple(u["column_names"]) for u in uniques.get(key, ()))),
                indexes=tuple(sorted(_index(i) for i in indexes.get(key, ()))),
            )
        )
    definitions = {}
    for view in sorted(view_names):
        try:
            definitions[_qualified(schema, view, default)] = (
                inspector.get_view_definition(view, schema) or ""
            )
        except (NotImplementedError, SQLAlchemyError):
            definitions[_qualified(schema, view, default)] = ""
    return tables, definitions


def _type_name(type_: Any, dialect: Any) -> str:
    try:
        return str(type_.compile(dialect=dialect))
    except Exception:  # NullType and exotic types that do not compile
        return type(type_).__name__.upper()


def _foreign_key(fk: dict[str, Any], default: str | None) -> ForeignKey:
    return ForeignKey(
        columns=tuple(fk["constrained_columns"]),
        referred_table=_qualified(fk.get("referred_schema"), fk["referred_table"], default),
        referred_columns=tuple(fk.get("referred_columns") or ()),
    )


def _index(index: dict[str, Any]) -> Index:
    names = index.get("column_names") or []
    expressions = index.get("expressions") or []
    columns = tuple(
        name if name is not None else str(expressions[i] if i < len(expressions) else "<expr>")
        for i, name in enumerate(names)
    )
    return Index(index.get("name") or "", columns, bool(index.get("unique")))


def _row_estimates(
    connection: Connection, backend: str, default: str | None
) -> dict[TableName, int]:
    """Row counts from catalog statistics only (never a scan); tables without statistics omitted."""
    if backend == "postgresql":
        rows = connection.execute(
            text(
                "SELECT n.nspname, c.relname, c.reltuples FROM pg_catalog.pg_class c "
                "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relkind IN ('r', 'p', 'm') AND c.reltuples >= 0"
            )
        )
        return {_qualified(s, t, default): int(n) for s, t, n in rows}
    if backend in ("mysql", "mariadb"):
        rows = connection.execute(
            text(
                "SELECT TABLE_NAME, TABLE_ROWS FROM information_schema.TABLES "
                "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' "
                "AND TABLE_ROWS IS NOT NULL"
            )
        )
        return {t: int(n) for t, n in rows}
    has_stats = connection.execute(
        text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'")
    ).first()
    if not has_stats:
        return {}
    estimates: dict[TableName, int] = {}
    for table, stat in connection.execute(text("SELECT tbl, stat FROM sqlite_stat1")):
        first = str(stat or "").split(" ", 1)[0]
        if first.isdigit():
            estimates[table] = max(estimates.get(table, 0), int(first))
    return estimates


# --- views and routines: which tables their SQL touches ------------------------------------------

_VIEW_BODY = re.compile(r"\bAS\s+(\(?\s*(?:SELECT|WITH|VALUES)\b.*)", re.IGNORECASE | re.DOTALL)


def _with_view_reads(
    tables: list[Table], views: dict[TableName, str], backend: str, default: str | None
) -> tuple[list[Table], list[str]]:
    known = _Names(t.name for t in tables)
    warnings = []
    result = []
    for table in tables:
        if not table.is_view:
            result.append(table)
            continue
        sql = views.get(table.name, "")
        if re.match(r"\s*CREATE\b", sql, re.IGNORECASE):
            match = _VIEW_BODY.search(sql)
            sql = match.group(1) if match else sql
        found = tables_in_sql(sql, _SQLGLOT_DIALECT[backend]) if sql else None
        if found is None:
            warnings.append(f"view {table.name}: could not find the tables its SQL reads")
            result.append(table)
            continue
        reads = sorted({known.resolve(n, default) for n in found.reads} - {table.name})
        result.append(_replace(table, view_reads=tuple(reads)))
    return result, warnings


def _replace(table: Table, **changes: Any) -> Table:
    return dataclasses.replace(table, **changes)


class _Names:
    """Maps names found in SQL (lowercased, maybe schema-qualified) to reflected table names."""

    def __init__(self, names: Iterable[TableName]) -> None:
        self._by_lower = {n.lower(): n for n in names}

    def resolve(self, name: str, default: str | None) -> TableName:
        lowered = name.lower()
        if default and lowered.startswith(default.lower() + "."):
            lowered = lowered[len(default) + 1 :]
        return self._by_lower.get(lowered, lowered)

    def __contains__(self, name: str) -> bool:
        return name.lower() in self._by_lower


_STATEMENT_START = re.compile(
    r"\b(SELECT|INSERT|UPDATE|DELETE|WITH|MERGE|PERFORM)\b", re.IGNORECASE
)
_BLOCK_WORDS = re.compile(r"\b(LOOP|THEN|ELSE|ELSIF|END)\b", re.IGNORECASE)


def tables_in_body(body: str, dialect: str = "postgres") -> tuple[set[str], set[str]]:
    """Tables read and written by the SQL statements inside a procedural function body."""
    reads: set[str] = set()
    writes: set[str] = set()
    covered = -1
    for match in _STATEMENT_START.finditer(body):
        if match.start() < covered:
            continue
        fragment, end = _statement_at(body, match.start())
        if match.group(1).upper() == "PERFORM":
            fragment = "SELECT" + fragment[len("PERFORM") :]
        fragment = (
            re.sub(
                r"\bINTO\s+(STRICT\s+)?[\w.]+(\s*,\s*[\w.]+)*\s+(?=FROM\b)",
                "",
                fragment,
                flags=re.IGNORECASE,
            )
            if fragment[:6].upper() == "SELECT"
            else fragment
        )
        found = tables_in_sql(fragment, dialect)
        if found is not None:
            reads |= found.reads
            writes |= found.writes
            covered = end
    return reads, writes


def _statement_at(body: str, start: int) -> tuple[str, int]:
    """The statement starting at `start`: up to `;`, an unbalanced `)` or a PL/pgSQL block word."""
    depth = 0
    i = start
    quoted = False
    while i < len(body):
        char = body[i]
        if char == "'":
            quoted = not quoted
        elif not quoted:
            if char == "(":
                depth += 1
            elif char == ")":
                if depth == 0:
                    break
                depth -= 1
            elif char == ";":
                break
            elif depth == 0 and char.isalpha() and (i == 0 or not body[i - 1].isalnum()):
                word = _BLOCK_WORDS.match(body, i)
                if word and i > start:
                    break
        i += 1
    return body[start:i], i


_TRIGGER_EVENTS = ((4, "INSERT"), (8, "DELETE"), (16, "UPDATE"), (32, "TRUNCATE"))


def _pg_routines(
    connection: Connection, known_tables: set[TableName], default: str | None
) -> list[Routine]:
    """PostgreSQL functions, procedures and triggers (not from extensions) and their tables."""
    names = _Names(known_tables)
    functions: dict[str, Routine] = {}
    for schema, name, args, kind, source in connection.execute(text(_PG_FUNCTIONS)):
        reads, writes = tables_in_body(source or "")
        qualified = f"{_qualified(schema, name, default)}({args})"
        functions[qualified] = Routine(
            name=qualified,
            kind="procedure" if kind == "p" else "function",
            reads=_known(reads, names, default),
            writes=_known(writes, names, default),
        )
    routines = list(functions.values())
    for schema, table, trigger, fschema, fname, fargs, tgtype in connection.execute(
        text(_PG_TRIGGERS)
    ):
        table_name = _qualified(schema, table, default)
        function = f"{_qualified(fschema, fname, default)}({fargs})"
        body = functions.get(function)
        routines.append(
            Routine(
                name=f"{trigger} on {table_name}",
                kind="trigger",
                reads=body.reads if body else (),
                writes=body.writes if body else (),
                table=table_name,
                function=function,
                events=tuple(event for bit, event in _TRIGGER_EVENTS if tgtype & bit),
            )
        )
    return routines


def _known(found: set[str], names: _Names, default: str | None) -> tuple[TableName, ...]:
    return tuple(
        sorted({names.resolve(n, default) for n in found if names.resolve(n, default) in names})
    )


_PG_FUNCTIONS = """
SELECT n.nspname, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid), p.prokind,
       p.prosrc
FROM pg_catalog.pg_proc p
JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
JOIN pg_catalog.pg_language l ON l.oid = p.prolang
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
  AND p.prokind IN ('f', 'p') AND l.lanname IN ('sql', 'plpgsql')
  AND NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend d
    WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
"""

_PG_TRIGGERS = """
SELECT n.nspname, c.relname, t.tgname, fn.nspname, p.proname,
       pg_catalog.pg_get_function_identity_arguments(p.oid), t.tgtype
FROM pg_catalog.pg_trigger t
JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_proc p ON p.oid = t.tgfoid
JOIN pg_catalog.pg_namespace fn ON fn.oid = p.pronamespace
WHERE NOT t.tgisinternal AND n.nspname NOT IN ('pg_catalog', 'information_schema')
"""
