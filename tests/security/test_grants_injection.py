"""Grant scripts with hostile table and service names, applied for real: only grants change."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from conftest import MARIADB_HOST, MARIADB_PORT, PG_HOST, PG_PORT, unavailable
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from analyzers.facts import Facts, TableAccess, merge_facts, table_name, table_parts
from analyzers.sql import tables_in_sql
from planner.plan import ROLE_NAME_LIMIT, Plan, TableUse, role_name
from reports.grants import grant_script, privileges

# Names that try to leave the identifier, the string, the dollar-quoted block or the comment
# they are written into, or to reach a client meta-command (psql `\!`, mysql `\!`, `:var`).
HOSTILE = (
    'x"; DROP TABLE victims; --',
    "x`; DROP TABLE victims; --",
    "x'; DROP TABLE victims; --",
    "x$svc$; DROP TABLE victims; $svc$",
    "\\! touch pwned",
    ":'svc_password' \\! touch pwned",
    "*/ DROP TABLE victims; /*",
    "/*! DROP TABLE victims */",
    "Mixed Case",
)
NEWLINE_NAMES = ("zz\n\\! touch pwned\ndrop table victims; --", "esc\x1b[31mred")


def hostile_plan(service: str) -> tuple[Plan, list[str]]:
    names = list(HOSTILE)
    names.append(table_name("public", "dotted.name"))
    uses = [TableUse(service, n, True, i % 2 == 0) for i, n in enumerate(names)]
    uses += [TableUse(service, n, True, True) for n in NEWLINE_NAMES]
    plan = Plan(
        root="",
        services=(),
        shared_kernel=(),
        excluded=(),
        tables=(),
        access=tuple(uses),
        edges=(),
        waves=(),
        steps=(),
        metrics={},
        warnings=(),
    )
    return plan, names


def apply(command: list[str], script: str, tmp_path: Path, stdin: str = "") -> None:
    path = tmp_path / f"grants-{uuid.uuid4().hex[:6]}.sql"
    path.write_text(script, encoding="utf-8")
    result = subprocess.run(
        [c.replace("{script}", str(path)) for c in command],
        input=stdin + script if stdin else None,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=tmp_path,  # where an injected `\! touch pwned` would leave its mark
    )
    assert result.returncode == 0, result.stderr


def test_control_characters_are_refused_and_never_written() -> None:
    plan, _ = hostile_plan("orders")
    wanted = privileges(plan, "orders")
    assert wanted.refused == len(NEWLINE_NAMES)
    for dialect in ("postgresql", "mysql"):
        script = grant_script(plan, "orders", dialect)  # type: ignore[arg-type]
        assert "\x1b" not in script and "zz" not in script
        assert "2 table name(s) holding control characters" in script
        for line in script.splitlines():
            assert line.isprintable(), line


def test_analysis_refuses_table_names_with_control_characters() -> None:
    part = Facts(
        root="",
        table_access=(
            TableAccess("shop.a", "ok", "read", "orm"),
            TableAccess("shop.a", "zz\n\\! touch x", "write", "orm"),
        ),
    )
    facts = merge_facts("", [part])
    assert [a.table for a in facts.table_access] == ["ok"]
    assert any("control characters refused" in w.message for w in facts.warnings)


def test_names_keep_their_schema_dots_and_case() -> None:
    assert tables_in_sql('SELECT * FROM public."dotted.name"', "postgres").reads == {
        'public."dotted.name"'
    }
    assert tables_in_sql('SELECT * FROM "OrderItems"', "postgres").reads == {"OrderItems"}
    assert tables_in_sql("SELECT * FROM OrderItems", "postgres").reads == {"orderitems"}
    assert table_parts('public."dotted.name"') == ("public", "dotted.name")


def test_role_names_are_unique_when_cut() -> None:
    long_a = "customer_loyalty_programme_rewards_a"
    long_b = "customer_loyalty_programme_rewards_b"
    roles = {role_name(n) for n in (long_a, long_b, "a-b", "a_b", "A_b", "a b")}
    assert len(roles) == 6
    assert all(len(r) <= ROLE_NAME_LIMIT for r in roles)
    assert role_name("orders") == "svc_orders"


def _pg_tables(connection, names: list[str]) -> None:
    quote = connection.dialect.identifier_preparer.quote_identifier
    for name in names:
        schema, table = table_parts(name)
        qualified = f"{quote(schema)}.{quote(table)}" if schema else quote(table)
        connection.execute(text(f"CREATE TABLE {qualified} (id int)"))


def test_postgresql_hostile_names_change_only_grants(
    pg_roles: list[str], pg_database: str, tmp_path: Path
) -> None:
    if shutil.which("psql") is None:
        unavailable("psql is not installed")
    database = make_url(pg_database).database
    assert database
    marker = tmp_path / "pwned"
    long_a = f"customer_loyalty_programme_rewards_{uuid.uuid4().hex[:6]}_a"
    long_b = long_a[:-1] + "b"
    plan, names = hostile_plan(long_a)
    plan = Plan(**{**plan.__dict__, "access": (*plan.access, TableUse(long_b, "victims", True, 0))})
    engine = create_engine(pg_database)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE victims (id int)"))
        connection.execute(text("INSERT INTO victims VALUES (1)"))
        _pg_tables(connection, names)
    pg_roles += [role_name(long_a), role_name(long_b)]
    psql = ["psql", "-X", "-q", "-h", PG_HOST, "-p", str(PG_PORT), "-U", "postgres"]
    command = [*psql, "-v", "svc_password=pw", "-d", database, "-f", "{script}"]
    for service in (long_a, long_b):
        apply(command, grant_script(plan, service, "postgresql", database=database), tmp_path)

    assert not marker.exists()
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM victims")).scalar() == 1
        granted = connection.execute(
            text(
                "SELECT grantee, table_schema, table_name FROM information_schema.role_table_grants"
                " WHERE privilege_type = 'SELECT' AND grantee IN (:a, :b)"
            ),
            {"a": role_name(long_a), "b": role_name(long_b)},
        ).all()
    engine.dispose()
    expected = {(role_name(long_a), *table_parts(n)) for n in names}
    expected = {(r, s or "public", t) for r, s, t in expected}
    assert set(granted) == expected | {(role_name(long_b), "public", "victims")}


def test_mariadb_hostile_names_change_only_grants(
    mariadb_users: list[str], mariadb_database: str, tmp_path: Path
) -> None:
    client = shutil.which("mariadb") or shutil.which("mysql")
    if client is None:
        unavailable("the mysql/mariadb client is not installed")
    database = make_url(mariadb_database).database
    assert database
    marker = tmp_path / "pwned"
    long_a = f"customer_loyalty_programme_rewards_{uuid.uuid4().hex[:6]}_a"
    long_b = long_a[:-1] + "b"
    plan, names = hostile_plan(long_a)
    names = [n for n in names if not n.startswith("public.")]  # MySQL has no schema `public`
    access = [u for u in plan.access if not u.table.startswith("public.")]
    plan = Plan(**{**plan.__dict__, "access": (*access, TableUse(long_b, "victims", True, False))})
    engine = create_engine(mariadb_database)
    with engine.begin() as connection:
        quote = connection.dialect.identifier_preparer.quote_identifier
        connection.execute(text("CREATE TABLE victims (id int)"))
        connection.execute(text("INSERT INTO victims VALUES (1)"))
        for name in names:
            connection.exec_driver_sql(f"CREATE TABLE {quote(name)} (id int)")
    mariadb_users += [role_name(long_a), role_name(long_b)]
    command = [client, "-h", MARIADB_HOST, "-P", str(MARIADB_PORT), "-u", "root", database]
    for service in (long_a, long_b):
        script = grant_script(plan, service, "mysql", database=database)
        apply(command, script, tmp_path, stdin="SET @svc_password = 'pw';\n")

    assert not marker.exists()
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM victims")).scalar() == 1
        granted = connection.execute(
            text(
                "SELECT grantee, table_name FROM information_schema.table_privileges"
                " WHERE privilege_type = 'SELECT' AND table_schema = :db"
            ),
            {"db": database},
        ).all()
    engine.dispose()
    got = {(g.split("@")[0].strip("'"), t) for g, t in granted}
    expected = {(role_name(long_a), n) for n in names} | {(role_name(long_b), "victims")}
    assert got == expected


@pytest.mark.parametrize("service", ["../../../x", "a\nb", "x\x1b[2J"])
def test_hostile_service_names_stay_in_comments(service: str) -> None:
    plan, _ = hostile_plan(service)
    for dialect in ("postgresql", "mysql"):
        script = grant_script(plan, service, dialect)  # type: ignore[arg-type]
        assert all(line.isprintable() for line in script.splitlines())
        assert role_name(service) in script


def test_a_hostile_tablename_in_code_never_reaches_a_grant_script(tmp_path: Path) -> None:
    """`__tablename__` with a newline (issue 12, item 1), analyzed and planned for real."""
    repo = tmp_path / "repo" / "shop"
    repo.mkdir(parents=True)
    (repo / "__init__.py").write_text("")
    (repo / "models.py").write_text(
        "from sqlalchemy.orm import DeclarativeBase\n\n\nclass Base(DeclarativeBase):\n"
        "    pass\n\n\nclass Victim(Base):\n"
        '    __tablename__ = """zz\n\\\\! touch pwned\ndrop table victims; --"""\n\n\n'
        "class Order(Base):\n    __tablename__ = 'orders'\n"
    )
    (repo / "service.py").write_text(
        "from shop.models import Order, Victim\n\n\ndef work(session):\n"
        "    session.add(Victim())\n    session.add(Order())\n"
        '    session.execute("DELETE FROM orders")\n'
    )
    out = tmp_path / "out"
    env = {k: v for k, v in os.environ.items() if k != "PLANNER_DEBUG"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "planner",
            "run",
            str(tmp_path / "repo"),
            "--out",
            str(out),
            "--no-git",
        ],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    facts = (out / "facts.json").read_text(encoding="utf-8")
    assert "control characters refused" in facts
    scripts = sorted((out / "grants").glob("*.sql"))
    assert scripts
    for script in scripts:
        text_ = script.read_text(encoding="utf-8")
        assert "touch pwned" not in text_ and "\\!" not in text_
        assert "drop table victims" not in text_
