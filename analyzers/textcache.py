"""Per-file results of the readers that run after the parsers, cached by file stamp and content."""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar

from analyzers.cache import ResultCache, Stamp, StatIndex, content_key
from analyzers.records import pack_typed, unpack_typed
from analyzers.walk import inside, read_inside

T = TypeVar("T")

Compute = Callable[[str, str, str], T]
"""What a reader makes of one file: `compute(tag, rel, text)`, plain data only."""

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def per_file(
    root: Path,
    wanted: Mapping[str, str],
    compute: Compute[T],
    result_type: type[T],
    *,
    name: str,
    salt: str,
    cache_dir: Path | None,
    limit: int,
) -> dict[str, T]:
    """`compute(tag, rel, text)` for each file `rel` of `wanted` (rel -> tag) under `root`; a file
    missing, unreadable, larger than `limit` bytes or outside `root` has no result.

    With a `cache_dir`, a file whose stamp (size, mtime, ctime, inode) is unchanged since the
    last run is not read again: its result comes back from `<name>.sqlite` (checked against
    `result_type`; a bad record is recomputed). A file whose stamp changed is read and its
    result looked up by content (a touched or re-extracted tree is not scanned again). The key
    of a result covers the file's bytes, its path, its tag and `salt` (the reader's version:
    give it everything else the result depends on).
    """
    started = StatIndex.now()
    reader = _Reader(root, limit)
    if cache_dir is None:
        found = {rel: reader.read(rel) for rel in wanted}
        return {
            rel: compute(wanted[rel], rel, text)
            for rel, (_, text) in found.items()
            if text is not None
        }
    path = cache_dir / f"{name}.sqlite"
    slot = hashlib.sha256(os.fspath(root).encode("utf-8", "surrogateescape")).hexdigest()
    out: dict[str, T] = {}
    with ResultCache(path, table="files") as table, ResultCache(path) as results:
        index = StatIndex.load(table, slot, salt)
        stamps = {rel: reader.stamp(rel) for rel in wanted}
        keys = {rel: index.key(_entry(rel, wanted[rel]), stamps[rel]) for rel in wanted}
        blobs = results.get_many(k for k in keys.values() if k is not None)
        fresh: dict[str, tuple[Stamp | None, str | None]] = {}
        texts: dict[str, str] = {}
        for rel, tag in wanted.items():
            stamp, key = stamps[rel], keys[rel]
            result = unpack_typed(blobs.get(key), result_type) if key is not None else None
            if result is not None:
                out[rel] = result
                continue
            keys[rel] = None
            if stamp is not None and stamp[0] > limit:
                continue
            data, text = reader.read(rel)
            if data is None or text is None:
                fresh[_entry(rel, tag)] = (None, None)
                continue
            texts[rel] = text
            if stamp is not None:  # a symlink (read through `read_inside`) is never cached
                keys[rel] = content_key(data, f"{salt}\0{tag}\0{rel}")
                fresh[_entry(rel, tag)] = (stamp, keys[rel])
        blobs = results.get_many(keys[rel] for rel in texts if keys[rel] is not None)
        new: list[tuple[str, bytes]] = []
        for rel, text in texts.items():
            key = keys[rel]
            result = unpack_typed(blobs.get(key), result_type) if key is not None else None
            if result is None:
                result = compute(wanted[rel], rel, text)
                if key is not None:
                    new.append((key, pack_typed(result)))
            out[rel] = result
        if fresh:
            index.update(started, fresh)
            index.store(table, keep=[_entry(rel, tag) for rel, tag in wanted.items()])
        if new:
            results.put_many(new)
            results.prune(k for k in keys.values() if k is not None)
    return out


def _entry(rel: str, tag: str) -> str:
    return f"{rel}\0{tag}"


class _Reader:
    """Reads files of the tree: a regular file in a directory that resolves inside the root is
    opened directly (one `inside` check per directory, not per file); a symlink goes through
    `read_inside`, which resolves it."""

    def __init__(self, root: Path, limit: int) -> None:
        self._root = root
        self._base = os.fspath(root)
        self._limit = limit
        self._dirs: dict[str, bool] = {}

    def stamp(self, rel: str) -> Stamp | None:
        """Size, mtime, ctime and inode of a regular file (None for anything else)."""
        try:
            st = os.lstat(os.path.join(self._base, rel))
        except (OSError, ValueError):
            return None
        if not stat.S_ISREG(st.st_mode):
            return None
        return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)

    def read(self, rel: str) -> tuple[bytes | None, str | None]:
        """The file's bytes and text, or None when it cannot be read safely."""
        data = self._bytes(rel)
        return data, None if data is None else data.decode("utf-8", errors="replace")

    def _bytes(self, rel: str) -> bytes | None:
        folder = rel.rpartition("/")[0]
        ok = self._dirs.get(folder)
        if ok is None:
            ok = self._dirs[folder] = inside(self._root, self._root / folder)
        if not ok or rel.startswith("/") or ".." in rel.split("/"):
            return None
        path = os.path.join(self._base, rel)
        try:
            handle = os.open(path, os.O_RDONLY | _NOFOLLOW)
        except OSError:  # a symlink (ELOOP with O_NOFOLLOW) or a missing file
            return read_inside(self._root, Path(path), self._limit)
        try:
            with os.fdopen(handle, "rb") as file:
                st = os.fstat(file.fileno())
                if not stat.S_ISREG(st.st_mode) or st.st_size > self._limit:
                    return None
                return file.read(self._limit + 1)
        except OSError:
            return None
