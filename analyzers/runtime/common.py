"""Small helpers shared by the Python and Java build readers."""

from __future__ import annotations

import re
from pathlib import Path

from analyzers.facts import BuildFact, BuildKind, Evidence
from analyzers.walk import read_text_inside

MAX_MANIFEST = 5_000_000  # bytes: a manifest or lock file is far smaller
MAX_FILE = 2_000_000  # bytes: a source file read for its environment variables and port

_DATABASE = re.compile(r"DATABASE|DB_URL|DB_URI|DSN|SQLALCHEMY|DATASOURCE|POSTGRES|MYSQL|JDBC")
_SECRET = re.compile(r"SECRET|PASSWORD|PASSWD|TOKEN|API_KEY|_KEY$|CREDENTIAL")


def read(root: Path, path: Path, limit: int = MAX_MANIFEST) -> str | None:
    """A file of the analyzed tree, or None (missing, too big, or outside `root`)."""
    return read_text_inside(root, path, limit)


def evidence(path: str, line: int, snippet: str) -> Evidence:
    """Evidence at `path:line`."""
    return Evidence(path, line, snippet)


def fact(
    kind: BuildKind,
    value: str,
    *,
    module: str = "",
    purpose: str = "",
    evidence: tuple[Evidence, ...] = (),
    text: str = "",
) -> BuildFact:
    """One build fact."""
    return BuildFact(kind, value, module, purpose, evidence, text)


def line_of(text: str, needle: str) -> int:
    """The 1-based line of the first occurrence of `needle` in `text` (1 when absent)."""
    index = text.find(needle)
    return 1 if index < 0 else text.count("\n", 0, index) + 1


def env_purpose(name: str) -> str:
    """What an environment variable is for, from its name: database, port, secret or other."""
    upper = name.upper()
    if _DATABASE.search(upper) and not upper.endswith(("_POOL_SIZE", "_ECHO")):
        return "secret" if upper.endswith(("PASSWORD", "_USERNAME", "_USER")) else "database"
    if upper == "PORT" or upper.endswith(("_PORT", "SERVER_PORT")):
        return "port"
    if _SECRET.search(upper):
        return "secret"
    return "other"
