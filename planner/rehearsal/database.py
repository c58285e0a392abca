"""The rehearsal's scratch PostgreSQL database, driven through psql (as the grant scripts are)."""

from __future__ import annotations

import re
import secrets
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

from analyzers.errors import InputError

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
MARK = "strangler-planner rehearsal"  # comment on every role the rehearsal creates


@dataclass(frozen=True)
class Server:
    """Where the scratch database lives: host, port and the administrator's URL."""

    admin_url: str
    host: str
    port: int
    psql: str

    def url(self, database: str, user: str | None = None, password: str | None = None) -> str:
        """A libpq URL of `database` on this server (the admin's user unless `user`)."""
        parts = urlsplit(self.admin_url)
        login = user if user is not None else (parts.username or "postgres")
        auth = quote(login, safe="") + (f":{quote(password, safe='')}" if password else "")
        return urlunsplit(("postgresql", f"{auth}@{self.host}:{self.port}", f"/{database}", "", ""))


def server(admin_url: str) -> Server:
    """The server of `admin_url`, checked: psql on the PATH and the server answering."""
    psql = shutil.which("psql")
    if psql is None:
        raise InputError(
            "the rehearsal needs PostgreSQL's psql on the PATH (apt-get install postgresql-client)"
        )
    parts = urlsplit(admin_url.replace("postgresql+psycopg://", "postgresql://", 1))
    if parts.scheme not in ("postgresql", "postgres"):
        raise InputError(f"--db-admin-url must be a postgresql:// URL, not {parts.scheme}://")
    found = Server(urlunsplit(parts), parts.hostname or "127.0.0.1", parts.port or 5432, psql)
    result = _run(found, found.admin_url, "SELECT 1", check=False)
    if result.returncode != 0:
        reason = (result.stderr.strip().splitlines() or ["no answer"])[-1]
        raise InputError(f"no PostgreSQL at {found.host}:{found.port}: {reason}")
    return found


def _run(
    srv: Server,
    url: str,
    sql: str | None = None,
    *,
    file: Path | None = None,
    variables: dict[str, str] | None = None,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    args = [srv.psql, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url]
    for name, value in (variables or {}).items():
        args += ["-v", f"{name}={value}"]
    args += ["-f", str(file)] if file is not None else ["-c", sql or ""]
    result = subprocess.run(args, capture_output=True, text=True, check=False, timeout=120)
    if check and result.returncode != 0:
        where = file.name if file is not None else (sql or "")[:60]
        reason = (result.stderr.strip().splitlines() or ["failed"])[-1]
        raise InputError(f"PostgreSQL refused {where}: {reason}")
    return result


def query(srv: Server, database: str, sql: str) -> list[list[str]]:
    """Rows of `sql` as the administrator, each a list of text fields."""
    out = _run(srv, srv.url(database), sql).stdout
    return [line.split("|") for line in out.splitlines() if line]


def try_as(srv: Server, database: str, user: str, password: str, sql: str) -> str:
    """Run `sql` as `user`: "" when it worked, else PostgreSQL's error line."""
    result = _run(srv, srv.url(database, user, password), sql, check=False)
    return "" if result.returncode == 0 else (result.stderr.strip().splitlines() or ["?"])[-1]


def create_database(srv: Server, name: str) -> None:
    """A new empty database (the name is the rehearsal's own, lower case letters and digits)."""
    _run(srv, srv.admin_url, f'CREATE DATABASE "{name}"')


def drop_database(srv: Server, name: str) -> None:
    """Drop the scratch database, closing whatever still holds a connection to it."""
    _run(srv, srv.admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', check=False)


def load_schema(srv: Server, database: str, schema: Path) -> None:
    """Run the sample's DDL (and data) into the scratch database in one transaction."""
    args = [
        srv.psql,
        "-X",
        "-q",
        "-v",
        "ON_ERROR_STOP=1",
        "--single-transaction",
        "-d",
        srv.url(database),
        "-f",
        str(schema),
    ]
    result = subprocess.run(args, capture_output=True, text=True, check=False, timeout=300)
    if result.returncode != 0:
        reason = (result.stderr.strip().splitlines() or ["failed"])[-1]
        raise InputError(f"loading {schema.name} into PostgreSQL failed: {reason}")


def new_password() -> str:
    """A password for one rehearsal role (never written anywhere but the scratch run)."""
    return secrets.token_urlsafe(18)


def claim_role(srv: Server, role: str) -> None:
    """Make sure `role` is free to create: drop a leftover of an earlier rehearsal, refuse to
    touch a role someone else made (the rehearsal must not change a real role)."""
    rows = query(
        srv,
        "postgres",
        "SELECT rolname, coalesce(shobj_description(oid, 'pg_authid'), "
        f"'') FROM pg_roles WHERE rolname = '{_literal(role)}'",
    )
    if not rows:
        return
    if not rows[0][1].startswith(MARK):
        raise InputError(
            f"role {role!r} already exists on {srv.host}:{srv.port}; rehearse on a "
            "PostgreSQL without the plan's roles (a scratch server)"
        )
    drop_role(srv, role)


def mark_role(srv: Server, role: str, run: str) -> None:
    """Label a role as the rehearsal's, so a later run may remove it if this one is killed."""
    _run(srv, srv.admin_url, f"COMMENT ON ROLE \"{role}\" IS '{MARK} {run}'")


def drop_role(srv: Server, role: str) -> None:
    """Remove a rehearsal role (its privileges went with the dropped database)."""
    _run(srv, srv.admin_url, f'DROP ROLE IF EXISTS "{role}"', check=False)


def create_owner_role(srv: Server, database: str, role: str, password: str) -> None:
    """The monolith's role: every privilege on every table and sequence of the scratch database."""
    _run(srv, srv.admin_url, f"CREATE ROLE \"{role}\" LOGIN PASSWORD '{_literal(password)}'")
    sql = (
        f'GRANT ALL ON ALL TABLES IN SCHEMA public TO "{role}"; '
        f'GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO "{role}"; '
        f'GRANT USAGE ON SCHEMA public TO "{role}"'
    )
    _run(srv, srv.url(database), sql)


def apply_grants(srv: Server, database: str, script: Path, password: str) -> None:
    """Run one generated grant script as the administrator, with the role's password."""
    _run(srv, srv.url(database), file=script, variables={"svc_password": password})


def sessions(srv: Server, database: str) -> list[tuple[str, str]]:
    """(user, application_name) of every session connected to the scratch database."""
    rows = query(
        srv,
        database,
        "SELECT usename, application_name FROM pg_stat_activity "
        f"WHERE datname = '{_literal(database)}' AND pid <> pg_backend_pid()",
    )
    return [(r[0], r[1] if len(r) > 1 else "") for r in rows]


def _literal(text: str) -> str:
    if not re.fullmatch(r"[\w .:-]*", text):
        raise InputError(f"unexpected characters in {text!r}")
    return text.replace("'", "''")
