"""A per-file result cache keyed by content hash, stored in one SQLite file."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from analyzers.records import pack, unpack_typed

_BATCH = 500
APP_NAME = "strangler-planner"
_TABLE_NAME_OK = frozenset("abcdefghijklmnopqrstuvwxyz_")

Progress = Callable[[int, int], None]
"""A callback told (files done, files in all) as an analyzer goes."""


@dataclass(frozen=True)
class RunStats:
    """What one analyzer run did: files seen, parsed now, taken from the cache, and skipped."""

    files: int
    parsed: int
    cached: int
    skipped: int
    lines: int


def default_cache_dir(root: Path) -> Path:
    """Where the cache of one analyzed tree lives unless told otherwise: the user's cache folder
    (`$XDG_CACHE_HOME/strangler-planner/<tree hash>` on Linux), never inside the analyzed tree,
    so a repository cannot ship a cache of its own."""
    where = os.path.abspath(root)
    tree = hashlib.sha256(where.encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return platformdirs.user_cache_path(APP_NAME, appauthor=False) / tree


def source_salt(*files: str) -> str:
    """A fingerprint of the source files (`__file__`s) of the code that computes a cached
    result: the result is only reused by the very code that made it, without a version number
    anyone must remember."""
    digest = hashlib.sha256()
    for name in files:
        digest.update(Path(name).read_bytes() + b"\0")
    return digest.hexdigest()


def content_key(data: bytes, salt: str) -> str:
    """The cache key of a file's bytes under an analyzer version (and any other salt)."""
    digest = hashlib.sha256(data)
    digest.update(b"\0" + salt.encode("utf-8"))
    return digest.hexdigest()


class ResultCache:
    """Maps content keys to opaque result blobs; a missing or broken cache file just misses.

    The file is not trusted: it holds data only (callers validate every blob they read back), and
    a file holding anything but plain key/value tables (triggers, views, other columns) is left
    alone for the run, with `problem` saying why.
    """

    def __init__(self, path: Path | None, table: str = "results", *, create: bool = True) -> None:
        """Open (`create`: or make) the cache file; `create=False` leaves a removed folder alone."""
        if not table or not set(table) <= _TABLE_NAME_OK:
            raise ValueError(f"bad cache table name {table!r}")
        self._table = table
        self._db: sqlite3.Connection | None = None
        self.problem = ""
        if path is None:
            return
        try:
            if not create and not path.parent.is_dir():
                return
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(path), isolation_level=None, timeout=10.0)
            self._db.execute("PRAGMA trusted_schema=OFF")
            self.problem = _foreign_schema(self._db)
            if self.problem:
                self.close()
                return
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(
                f"CREATE TABLE IF NOT EXISTS {table} (key TEXT PRIMARY KEY, value BLOB) "
                "WITHOUT ROWID"
            )
        except (OSError, sqlite3.Error) as exc:
            self.problem = self.problem or f"cache unusable ({exc}); running without it"
            self.close()

    @property
    def enabled(self) -> bool:
        """True when results are read from and written to disk."""
        return self._db is not None

    def get_many(self, keys: Iterable[str]) -> dict[str, bytes]:
        """The stored blobs for those of `keys` that are present."""
        found: dict[str, bytes] = {}
        if self._db is None:
            return found
        wanted = list(dict.fromkeys(keys))
        try:
            for start in range(0, len(wanted), _BATCH):
                batch = wanted[start : start + _BATCH]
                marks = ",".join("?" * len(batch))
                query = f"SELECT key, value FROM {self._table} WHERE key IN ({marks})"
                found.update(
                    (key, value)
                    for key, value in self._db.execute(query, batch)
                    if type(key) is str and type(value) is bytes
                )
        except (sqlite3.Error, ValueError, MemoryError):
            return {}
        return found

    def put_many(self, items: Iterable[tuple[str, bytes]]) -> None:
        """Store blobs (one transaction); errors leave the cache as it was."""
        if self._db is None:
            return
        try:
            with _transaction(self._db):
                self._db.executemany(
                    f"INSERT OR REPLACE INTO {self._table} (key, value) VALUES (?, ?)", items
                )
        except sqlite3.Error:
            pass

    def prune(self, keep: Iterable[str], slack: float = 2.0, floor: int = 100) -> int:
        """Forget entries not in `keep` once they outnumber it `slack` times (plus `floor`);
        returns how many were removed."""
        if self._db is None:
            return 0
        wanted = set(keep)
        try:
            (count,) = self._db.execute(f"SELECT count(*) FROM {self._table}").fetchone()
            if count <= slack * len(wanted) + floor:
                return 0
            stale = [
                (key,)
                for (key,) in self._db.execute(f"SELECT key FROM {self._table}")
                if key not in wanted
            ]
            with _transaction(self._db):
                self._db.executemany(f"DELETE FROM {self._table} WHERE key = ?", stale)
        except sqlite3.Error:
            return 0
        return len(stale)

    def close(self) -> None:
        """Release the database file."""
        if self._db is not None:
            self._db.close()
            self._db = None

    def __enter__(self) -> ResultCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _foreign_schema(db: sqlite3.Connection) -> str:
    """Why this database is not one of our caches ("" when it is: key/value tables only)."""
    for kind, name, sql in db.execute("SELECT type, name, sql FROM sqlite_master"):
        if kind == "index" and sql is None:  # the primary key's own index
            continue
        if kind != "table" or not set(name) <= _TABLE_NAME_OK:
            return f"cache file holds a {kind} {name!r} it should not; ignored for this run"
        columns = [row[1:3] for row in db.execute("SELECT * FROM pragma_table_info(?)", (name,))]
        if columns != [("key", "TEXT"), ("value", "BLOB")]:
            return f"cache table {name!r} has unexpected columns; ignored for this run"
    return ""


Stamp = tuple[int, int, int, int]
"""What says a file is unchanged without reading it: size, mtime, ctime (ns) and inode."""

_Index = tuple[str, dict[str, tuple[int, int, int, int, int, str]]]
"""The stored index: the salt, then per path its stamp, the run's start time and content key."""
_RACY_NS = 2_000_000_000
"""A file changed this close to (or after) the run that indexed it is hashed again: a later
change within the same timestamp tick would not show in its stamp (git's racy-index rule)."""


class StatIndex:
    """Content keys of a tree's files, trusted while their stamp is unchanged (like git's index).

    A warm run then only stats files: no read, no hash, when size, mtime, ctime and inode are
    those recorded and the file was not changed just before the recording run started.
    """

    def __init__(self, slot: str, salt: str, files: dict[str, tuple] | None = None) -> None:
        self._slot = slot
        self._salt = salt
        self._files: dict[str, tuple] = files or {}
        self.loaded = files is not None

    @staticmethod
    def now() -> int:
        """The time to record as a run's start (wall clock, ns)."""
        return time.time_ns()

    @classmethod
    def load(cls, cache: ResultCache, slot: str, salt: str) -> StatIndex:
        """The index stored for tree `slot`, empty unless it was made with the same `salt`."""
        found = unpack_typed(cache.get_many([slot]).get(slot), _Index)
        if found is None or found[0] != salt:
            return cls(slot, salt)
        return cls(slot, salt, found[1])

    def key(self, rel: str, stamp: Stamp | None) -> str | None:
        """The content key recorded for `rel` if its stamp is unchanged, else None."""
        entry = self._files.get(rel)
        if entry is None or stamp is None or entry[:4] != stamp:
            return None
        if stamp[1] >= entry[4] - _RACY_NS or stamp[2] >= entry[4] - _RACY_NS:
            return None
        return entry[5]

    def update(self, started: int, keys: dict[str, tuple[Stamp | None, str | None]]) -> None:
        """Record each file's stamp and key as seen by a run that started at `started`."""
        for rel, (stamp, key) in keys.items():
            if stamp is None or key is None:
                self._files.pop(rel, None)
            else:
                self._files[rel] = (*stamp, started, key)

    def store(self, cache: ResultCache, keep: Iterable[str] | None = None) -> None:
        """Write the index (only the paths in `keep`, when given)."""
        files = self._files
        if keep is not None:
            files = {rel: files[rel] for rel in keep if rel in files}
        cache.put_many([(self._slot, pack((self._salt, files)))])


class _transaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> Iterator[None] | None:
        self._db.execute("BEGIN")
        return None

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self._db.execute("ROLLBACK" if exc_type else "COMMIT")
