"""Shared fixtures: throwaway PostgreSQL and MariaDB databases on the local test servers."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

PG_HOST = os.environ.get("TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("TEST_PG_PORT", "5432"))
MARIADB_HOST = os.environ.get("TEST_MARIADB_HOST", "127.0.0.1")
MARIADB_PORT = int(os.environ.get("TEST_MARIADB_PORT", "3306"))


def unavailable(reason: str) -> None:
    """Fail under CI=true (every service must be there), else skip with the reason."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: required)")
    pytest.skip(reason)


def unique_name(prefix: str) -> str:
    """A fresh lower-case identifier for a database or role made by one test."""
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


@pytest.fixture
def pg_database() -> Iterator[str]:
    """URL of a new, empty PostgreSQL database (user postgres), dropped after the test."""
    try:
        import psycopg
    except ImportError:
        unavailable("psycopg is not installed")
    name = unique_name("sp_test")
    try:
        admin = psycopg.connect(
            host=PG_HOST, port=PG_PORT, user="postgres", dbname="postgres", connect_timeout=3
        )
    except psycopg.OperationalError as error:
        unavailable(f"PostgreSQL not reachable on {PG_HOST}:{PG_PORT}: {error}")
    admin.autocommit = True
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"postgresql+psycopg://postgres@{PG_HOST}:{PG_PORT}/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_roles() -> Iterator[list[str]]:
    """A list the test appends PostgreSQL role names to; they are dropped after the test.

    Request it before `pg_database` so the database (holding the roles' grants) goes first.
    """
    import psycopg

    roles: list[str] = []
    yield roles
    if not roles:
        return
    with psycopg.connect(
        host=PG_HOST, port=PG_PORT, user="postgres", dbname="postgres", autocommit=True
    ) as admin:
        for role in roles:
            admin.execute(f'DROP ROLE IF EXISTS "{role}"')


@pytest.fixture
def mariadb_database() -> Iterator[str]:
    """URL of a new, empty MariaDB/MySQL database (user root), dropped after the test."""
    try:
        import pymysql
    except ImportError:
        unavailable("PyMySQL is not installed")
    name = unique_name("sp_test")
    try:
        admin = pymysql.connect(
            host=MARIADB_HOST, port=MARIADB_PORT, user="root", password="", connect_timeout=3
        )
    except pymysql.err.OperationalError as error:
        unavailable(f"MariaDB not reachable on {MARIADB_HOST}:{MARIADB_PORT}: {error}")
    admin.autocommit(True)
    with admin, admin.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE `{name}`")
        try:
            yield f"mysql+pymysql://root@{MARIADB_HOST}:{MARIADB_PORT}/{name}"
        finally:
            cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")


@pytest.fixture
def mariadb_users() -> Iterator[list[str]]:
    """A list the test appends MariaDB user names (host '%') to; they are dropped after the test."""
    import pymysql

    users: list[str] = []
    yield users
    if not users:
        return
    admin = pymysql.connect(host=MARIADB_HOST, port=MARIADB_PORT, user="root", password="")
    with admin, admin.cursor() as cursor:
        for user in users:
            cursor.execute("DROP USER IF EXISTS %s@'%%'", (user,))


@pytest.fixture(autouse=True, scope="session")
def _private_cache_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Point the user cache folder (XDG_CACHE_HOME) at a temp dir: tests never touch ~/.cache."""
    old = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))
    yield
    if old is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = old
