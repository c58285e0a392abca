"""Writes an output directory like a database: staged, locked, switched by one rename."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import orjson
from filelock import FileLock

from analyzers.errors import InputError

# Layout of OUT (the user sees the names; the data lives in one generation at a time):
#   OUT/report.html -> .planner-outputs/current/report.html   (one symlink per name we own)
#   OUT/.planner-outputs/current -> gen-<id>                   (switched by one atomic rename)
#   OUT/.planner-outputs/gen-<id>/...                          (a complete set of outputs)
#   OUT/.planner-outputs/tmp-<pid>-<id>/...                    (a run's staging area)
#   OUT/.planner-outputs/lock                                  (one writer commits at a time)
#   OUT/.planner-manifest.json                                 (the names we wrote, nothing else)
# A reader sees either the previous complete set or the new one, never a mix; a name we did not
# write (a user's own `scaffold/` package) is never removed or replaced.
STORE = ".planner-outputs"
MANIFEST = ".planner-manifest.json"
MANIFEST_VERSION = 1
LOCK_TIMEOUT = 600.0


@dataclass(frozen=True)
class Manifest:
    """What planner wrote into an output directory: top-level names, sorted."""

    names: tuple[str, ...] = ()


def read_manifest(out: Path) -> Manifest:
    """The manifest of `out` (empty when there is none or it cannot be read)."""
    try:
        data = orjson.loads((out / MANIFEST).read_bytes())
        names = data["names"] if isinstance(data, dict) else []
        return Manifest(tuple(sorted(str(n) for n in names if _plain_name(str(n)))))
    except (OSError, orjson.JSONDecodeError, KeyError, TypeError):
        return Manifest()


def _plain_name(name: str) -> bool:
    return bool(name) and name not in (".", "..") and "/" not in name and "\\" not in name


def _link_target(name: str) -> str:
    return f"{STORE}/current/{name}"


def owned(out: Path, name: str) -> bool:
    """Whether OUT/name is ours to replace: absent, or the symlink planner made for it."""
    path = out / name
    if not os.path.lexists(path):
        return True
    return path.is_symlink() and os.readlink(path) == _link_target(name)


def check_writable(out: Path, names: Iterable[str]) -> None:
    """Refuse (one line, before any long work) to write where a name is not ours."""
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: exists and is not a directory")
    for name in sorted(names):
        if not owned(out, name):
            raise InputError(
                f"{out / name}: exists and was not written by planner; move it or choose "
                "another --out (planner never replaces files it did not write)"
            )


class Staging:
    """A run's private folder inside OUT's store; `commit()` publishes it as OUT's contents."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.store = out / STORE
        self.path = self.store / f"tmp-{_unique()}"

    def commit(self, keep: Iterable[str] = ()) -> list[Path]:
        """Publish every top-level entry staged here, plus `keep` names from the current set.

        Returns OUT's paths of the names published, sorted. Under the lock: refuses names not
        ours, carries the kept names over (hard links), renames the staging area into a
        generation, points each name's symlink at `current`, then switches `current` with one
        rename: before it readers see the previous set, after it the new one. Older generations
        and staging areas of dead processes are removed last.
        """
        names = sorted(p.name for p in self.path.iterdir())
        with FileLock(str(self.store / "lock"), timeout=LOCK_TIMEOUT):
            current = self.store / "current"
            carried = sorted(set(keep) - set(names))
            for name in carried:
                source = current / name
                if os.path.lexists(source) and name in read_manifest(self.out).names:
                    _link_copy(source, self.path / name)
            names = sorted(p.name for p in self.path.iterdir())
            check_writable(self.out, names)
            generation = self.store / f"gen-{uuid.uuid4().hex}"
            self.path.rename(generation)
            _fsync_dir(self.store)
            for name in names:
                _symlink(self.out / name, _link_target(name))
            _symlink(current, generation.name)
            _fsync_dir(self.store)
            previous = set(read_manifest(self.out).names)
            for name in sorted(previous - set(names)):
                if os.path.lexists(self.out / name) and owned(self.out, name):
                    (self.out / name).unlink()
            _write_manifest(self.out, Manifest(tuple(names)))
            _fsync_dir(self.out)
            retired = _collect(self.out, keep=generation.name)
        for path in retired:  # deleted once the lock is free: the next run need not wait
            shutil.rmtree(path, ignore_errors=True)
        return [self.out / name for name in names]

    def discard(self) -> None:
        """Remove the staging area (a run that failed publishes nothing)."""
        shutil.rmtree(self.path, ignore_errors=True)


@contextmanager
def staging(out: Path) -> Iterator[Staging]:
    """A staging area inside `out`, removed unless committed (or when the run fails)."""
    out.mkdir(parents=True, exist_ok=True)
    area = Staging(out)
    area.store.mkdir(exist_ok=True)
    area.path.mkdir()
    try:
        yield area
    finally:
        area.discard()


_LEFTOVER = re.compile(r"^\..+\.\d+-[0-9a-f]{32}\.(link|tmp)$")


def _unique() -> str:
    """A name part no other run can take: our process id and a random id."""
    return f"{os.getpid()}-{uuid.uuid4().hex}"


def _symlink(path: Path, target: str) -> None:
    """Point `path` at `target` atomically (a unique temporary link renamed over it)."""
    if path.is_symlink() and os.readlink(path) == target:
        return
    tmp = path.with_name(f".{path.name}.{_unique()}.link")
    os.symlink(target, tmp)
    os.replace(tmp, path)


def _link_copy(source: Path, target: Path) -> None:
    """Carry a file or folder into a new generation without copying bytes (hard links)."""
    if source.is_dir():
        shutil.copytree(source, target, symlinks=True, copy_function=_link_or_copy)
    else:
        _link_or_copy(source, target)


def _link_or_copy(source: str | Path, target: str | Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _write_manifest(out: Path, manifest: Manifest) -> None:
    data = {"format_version": MANIFEST_VERSION, "names": list(manifest.names)}
    tmp = out / f"{MANIFEST}.{_unique()}.tmp"
    tmp.write_bytes(orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n")
    os.replace(tmp, out / MANIFEST)


def _collect(out: Path, keep: str) -> list[Path]:
    """Retire generations other than `keep` and staging areas whose process has ended (renamed
    to staging areas of ours, returned for deletion) and remove the temporary links and
    manifests a killed run left in OUT (all named by us, uniquely)."""
    retired = []
    for entry in sorted((out / STORE).iterdir()):
        old = entry.name.startswith("gen-") and entry.name != keep
        if old or (entry.name.startswith("tmp-") and not _alive(entry.name)):
            target = entry.with_name(f"tmp-{_unique()}")
            entry.rename(target)
            retired.append(target)
    for entry in out.iterdir():
        if _LEFTOVER.match(entry.name) and not _alive(entry.name.rsplit(".", 2)[-2]):
            entry.unlink(missing_ok=True)
    return retired


def _alive(name: str) -> bool:
    """Whether the process named in `tmp-<pid>-<id>` or `<pid>-<id>` is still running."""
    try:
        pid = int(name.removeprefix("tmp-").split("-")[0])
    except ValueError:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
