"""A per-file result cache keyed by content hash, stored in one SQLite file."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

_BATCH = 500

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


def content_key(data: bytes, salt: str) -> str:
    """The cache key of a file's bytes under an analyzer version (and any other salt)."""
    digest = hashlib.sha256(data)
    digest.update(b"\0" + salt.encode("utf-8"))
    return digest.hexdigest()


class ResultCache:
    """Maps content keys to opaque result blobs; a missing or broken cache file just misses."""

    def __init__(self, path: Path | None, table: str = "results", *, create: bool = True) -> None:
        """Open (`create`: or make) the cache file; `create=False` leaves a removed folder alone."""
        self._table = table
        self._db: sqlite3.Connection | None = None
        if path is None:
            return
        try:
            if not create and not path.parent.is_dir():
                return
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(path), isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(
                f"CREATE TABLE IF NOT EXISTS {table} (key TEXT PRIMARY KEY, value BLOB) "
                "WITHOUT ROWID"
            )
        except (OSError, sqlite3.Error):
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
                found.update(self._db.execute(query, batch).fetchall())
        except sqlite3.Error:
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

    def prune(self, keep: Iterable[str], slack: float = 2.0) -> int:
        """Forget entries not in `keep` once they outnumber it `slack` times; returns removed."""
        if self._db is None:
            return 0
        wanted = set(keep)
        try:
            (count,) = self._db.execute(f"SELECT count(*) FROM {self._table}").fetchone()
            if count <= slack * len(wanted) + 100:
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


class _transaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> Iterator[None] | None:
        self._db.execute("BEGIN")
        return None

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self._db.execute("ROLLBACK" if exc_type else "COMMIT")
