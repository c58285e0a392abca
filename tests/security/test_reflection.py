"""Reflection a hostile PostgreSQL cannot hijack: its search_path runs nothing of ours."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

from conftest import unique_name
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from analyzers.database import reflect_database

ROOT = Path(__file__).resolve().parents[2]


def hostile(pg_database: str, marker: Path) -> None:
    """Schema `evil`, first in the database's search_path, shadows an operator and a function
    that reflection uses unqualified; each writes `marker` through COPY ... TO PROGRAM."""
    database = make_url(pg_database).database
    # The program reads its input first: a `touch` alone may exit before COPY writes, and COPY
    # then fails with a broken pipe (the trap must fire reliably for the test to prove anything).
    touch = f"COPY (SELECT 1) TO PROGRAM 'cat >/dev/null; touch {marker}'"
    with create_engine(pg_database).begin() as connection:
        for statement in (
            "CREATE TABLE orders (id smallint PRIMARY KEY, total smallint)",
            "CREATE SCHEMA evil",
            "CREATE FUNCTION evil.gt(a smallint, b smallint) RETURNS boolean LANGUAGE plpgsql AS"
            f" $$ BEGIN EXECUTE $q${touch}$q$; RETURN pg_catalog.int2gt(a, b); END $$",
            "CREATE OPERATOR evil.> (LEFTARG = smallint, RIGHTARG = smallint, FUNCTION = evil.gt)",
            "CREATE FUNCTION evil.current_schema() RETURNS name LANGUAGE plpgsql AS"
            f" $$ BEGIN EXECUTE $q${touch}$q$; RETURN 'public'; END $$",
            f'ALTER DATABASE "{database}" SET search_path = evil, pg_catalog, public',
        ):
            connection.execute(text(statement))


def test_hostile_search_path_runs_nothing(pg_database: str, tmp_path: Path) -> None:
    marker = Path("/tmp") / f"planner-hijack-{uuid.uuid4().hex}"
    hostile(pg_database, marker)
    try:
        # The trap works: a plain session of the database calls evil.> on smallints.
        with create_engine(pg_database).connect() as connection:
            connection.execute(text("SELECT 1::smallint > 0::smallint")).scalar()
        assert marker.exists(), "the hostile operator did not run: the test proves nothing"
        marker.unlink()

        facts = reflect_database(pg_database)
        assert not marker.exists()
        assert [t.name for t in facts.tables] == ["orders"]
        assert any("superuser 'postgres'" in w.message for w in facts.warnings)

        # The report says so too.
        repo = tmp_path / "repo"
        (repo / "shop").mkdir(parents=True)
        (repo / "shop" / "__init__.py").write_text("")
        (repo / "shop" / "orders.py").write_text(
            'def total(db):\n    return db.execute("SELECT total FROM orders")\n'
        )
        out = tmp_path / "out"
        env = {k: v for k, v in os.environ.items() if k != "PLANNER_DEBUG"}
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "planner",
                "run",
                str(repo),
                "--out",
                str(out),
                "--no-git",
                "--db",
                pg_database,
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert not marker.exists()
        assert "connected as superuser" in (out / "report.html").read_text(encoding="utf-8")
        assert "connected as superuser" in (out / "plan.md").read_text(encoding="utf-8")
    finally:
        marker.unlink(missing_ok=True)


def test_schema_named_after_the_login_role_lists_each_table_once(
    pg_roles: list[str], pg_database: str
) -> None:
    role = unique_name("reader")
    pg_roles.append(role)
    with create_engine(pg_database).begin() as connection:
        for statement in (
            f'CREATE ROLE "{role}" LOGIN',
            "CREATE TABLE public.orders (id int PRIMARY KEY)",
            f'CREATE SCHEMA "{role}" AUTHORIZATION "{role}"',
            f'CREATE TABLE "{role}".notes (id int PRIMARY KEY)',
            f'GRANT USAGE ON SCHEMA public TO "{role}"',
            f'GRANT SELECT ON public.orders TO "{role}"',
        ):
            connection.execute(text(statement))
    url = make_url(pg_database).set(username=role).render_as_string(hide_password=False)
    facts = reflect_database(url)
    assert sorted(t.name for t in facts.tables) == sorted([f"{role}.notes", "orders"])
    assert not facts.warnings  # not a superuser: nothing to warn about
