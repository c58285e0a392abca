"""Finds files under a root without leaving it (symlinks checked), and classifies their role."""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from analyzers.facts import UnitRole

SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        ".venv",
        "venv",
        "env",
        "__pycache__",
        ".tox",
        ".nox",
        "build",
        "dist",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".planner-cache",
    }
)
BUILD_DIRS = frozenset({"target", ".gradle", "out", "build", "bin", ".idea"})
"""Build output and IDE directories of JVM projects: what is in them was generated from sources."""
VENDORED_DIRS = frozenset({"vendor", "_vendor", "vendored", "third_party", "site-packages"})
MIGRATION_DIRS = frozenset({"migrations"})
TEST_DIRS = frozenset({"tests", "test"})
SCRIPT_DIRS = frozenset({"scripts"})
SCRIPT_FILES = frozenset({"manage.py", "setup.py"})
SECRET_FILES = (
    ".env",
    ".env.*",
    "*.env",
    ".npmrc",
    ".pypirc",
    ".netrc",
    "_netrc",
    ".git-credentials",
    ".htpasswd",
    ".dockercfg",
    "credentials",
    "credentials.*",
    "secrets.*",
    "*.pem",
    "*.key",
    "*.p12",
    "*.pfx",
    "*.jks",
    "*.keystore",
    "*.kdbx",
    "*.gpg",
    "*.asc",
    "id_rsa*",
    "id_dsa*",
    "id_ecdsa*",
    "id_ed25519*",
    "gradle.properties",
    "settings-security.xml",
)
"""Credential files and keys never copied out of the analyzed tree (matched on the file name)."""
_NOT_SECRET = ("*.example", "*.sample", "*.template", "*.dist", "*.pub")
_MAVEN_SERVERS = re.compile(rb"<servers?>|<password>|<privateKey>|<passphrase>", re.IGNORECASE)
_TEST_FILE = re.compile(r"^(?:test_.*\.py|.*_tests?\.py|conftest\.py)$")


@dataclass(frozen=True, order=True)
class SourceFile:
    """A file found under the root: its repository-relative posix path, absolute path (a str:
    building 4,000 `Path` objects cost more than the rest of a warm run's walk) and its stat."""

    rel: str
    path: str
    size: int
    mtime_ns: int = 0
    ctime_ns: int = 0
    ino: int = 0

    @property
    def stamp(self) -> tuple[int, int, int, int]:
        """Size, mtime, ctime and inode: what says the file is unchanged without reading it."""
        return (self.size, self.mtime_ns, self.ctime_ns, self.ino)


def discover(
    root: Path, suffixes: Iterable[str], warn: Callable[[str, str], None]
) -> list[SourceFile]:
    """Every regular file under `root` ending in one of `suffixes`, sorted by relative path.

    Skips hidden directories (`.git`, `.semgrep`...) and the usual tool and dependency
    directories, never follows symlinks (so symlink loops
    cannot trap it) and reports unreadable directories through `warn(rel_path, message)`.
    """
    wanted = tuple(suffixes)
    found: list[SourceFile] = []
    for rel, entry in scan(root, _source_folder, warn):
        if not entry.name.endswith(wanted):
            continue
        try:
            if entry.is_symlink() or not entry.is_file(follow_symlinks=False):
                continue
            st = entry.stat(follow_symlinks=False)
        except OSError as exc:
            warn(rel, f"unreadable: {exc.strerror or exc}")
            continue
        found.append(
            SourceFile(rel, entry.path, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
        )
    found.sort(key=lambda f: f.rel)  # paths are unique: the same order as sorting the records
    return found


def scan(
    root: Path, enter: Callable[[str], bool], warn: Callable[[str, str], None] | None = None
) -> Iterator[tuple[str, os.DirEntry[str]]]:
    """Every entry under `root` that is not a folder, as (relative path, entry), depth first.

    Folders are entered when `enter(name)` says so and never through a symlink (so symlink loops
    cannot trap it); an unreadable folder or
    entry goes to `warn(rel_path, message)` when given, and is left out."""
    base = os.fspath(root)
    cut = len(base) + 1
    stack = [base]
    while stack:
        directory = stack.pop()
        try:
            with os.scandir(directory) as entries:
                items = list(entries)
        except OSError as exc:
            if warn is not None:
                warn(_rel(directory, cut), f"unreadable directory: {exc.strerror or exc}")
            continue
        for entry in items:
            try:
                folder = entry.is_dir(follow_symlinks=False)
            except OSError as exc:
                if warn is not None:
                    warn(_rel(entry.path, cut), f"unreadable: {exc.strerror or exc}")
                continue
            if not folder:
                yield _rel(entry.path, cut), entry
            elif enter(entry.name):
                stack.append(entry.path)


def _source_folder(name: str) -> bool:
    """Whether `discover` enters a folder: not hidden, not a tool's or a dependency's."""
    return name not in SKIP_DIRS and not name.startswith(".")


def _rel(path: str, cut: int) -> str:
    rel = path[cut:]
    if os.sep != "/":
        rel = rel.replace(os.sep, "/")
    return rel or "."


def classify_role(rel: str, is_alembic_versions: Callable[[str], bool] | None = None) -> UnitRole:
    """The role of a file from its relative path: vendored, migration, test, script or code.

    `is_alembic_versions(dir_rel)` may confirm that a `versions/` directory belongs to Alembic
    (for example because its parent holds `env.py`); without it only `alembic/.../versions/` counts.
    """
    parts = rel.split("/")
    dirs, name = parts[:-1], parts[-1]
    if any(d in VENDORED_DIRS for d in dirs):
        return "vendored"
    if any(d in MIGRATION_DIRS for d in dirs):
        return "migration"
    for i, d in enumerate(dirs):
        if d != "versions":
            continue
        if "alembic" in dirs[:i]:
            return "migration"
        if is_alembic_versions is not None and is_alembic_versions("/".join(dirs[: i + 1])):
            return "migration"
    if any(d in TEST_DIRS for d in dirs) or _TEST_FILE.match(name):
        return "test"
    if any(d in SCRIPT_DIRS for d in dirs) or name in SCRIPT_FILES:
        return "script"
    return "code"


def alembic_versions_checker(root: Path) -> Callable[[str], bool]:
    """A memoized check that a `versions/` directory sits next to an Alembic `env.py`."""
    memo: dict[str, bool] = {}

    def check(dir_rel: str) -> bool:
        if dir_rel not in memo:
            parent = (root / dir_rel).parent
            memo[dir_rel] = (parent / "env.py").is_file() and (
                (parent / "script.py.mako").is_file() or (parent.name == "alembic")
            )
        return memo[dir_rel]

    return check


def inside(root: Path, path: Path) -> bool:
    """True when `path`, every symlink on the way resolved, is `root` or lies under it."""
    try:
        resolved = path.resolve(strict=True)
        base = root.resolve(strict=True)
    except (OSError, RuntimeError):  # missing, unreadable, or a symlink loop
        return False
    return resolved == base or base in resolved.parents


def is_secret_file(name: str, data: bytes = b"") -> bool:
    """True for a credential file or key by its name (`.env`, `id_rsa`, `*.pem`...), and for a
    Maven `settings.xml` whose content declares servers or passwords."""
    lowered = name.lower()
    if any(fnmatch.fnmatchcase(lowered, p) for p in _NOT_SECRET):
        return False
    if any(fnmatch.fnmatchcase(lowered, p) for p in SECRET_FILES):
        return True
    return lowered == "settings.xml" and _MAVEN_SERVERS.search(data) is not None


def read_inside(root: Path, path: Path, limit: int | None = None) -> bytes | None:
    """The bytes of a regular file under `root`, or None when it is missing, unreadable, larger
    than `limit`, or resolves (through any symlink) outside `root`. Every reader of the analyzed
    tree outside `discover` goes through here, so nothing outside the root is ever read."""
    if not inside(root, path):
        return None
    try:
        resolved = path.resolve(strict=True)
        if not resolved.is_file() or (limit is not None and resolved.stat().st_size > limit):
            return None
        with open(resolved, "rb") as handle:
            return handle.read() if limit is None else handle.read(limit + 1)[: limit + 1]
    except OSError:
        return None


def read_text_inside(root: Path, path: Path, limit: int | None = None) -> str | None:
    """`read_inside` decoded as UTF-8 (bad bytes replaced)."""
    data = read_inside(root, path, limit)
    return None if data is None else data.decode("utf-8", errors="replace")
