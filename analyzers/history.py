"""Reads git history (live or a saved export): churn, authors and co-change per unit."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shlex
import subprocess
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import BinaryIO

from analyzers.cache import ResultCache, content_key
from analyzers.errors import InputError
from analyzers.facts import (
    AnalysisWarning,
    AnalyzerRun,
    ChangeStats,
    CoChange,
    Facts,
    Unit,
    UnitId,
    encode,
)
from analyzers.records import load_json_typed

VERSION = "2"  # 2: names from --name-status over all history, line counts from a recent window
ANALYZER = "history"
CACHE_FILE = "history.sqlite"
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# The one log format this module reads, live or from a file. Each commit opens with a header line
# (record separator, then fields split by unit separators), followed by its `--numstat` lines
# (an export) or its `--name-status` lines (the live history).
LOG_FORMAT = "%x1e%H%x1f%P%x1f%aN%x1f%aE%x1f%aI%x1f%cI"
LOG_ARGS = ("log", "--numstat", "-M", "--no-color", f"--format={LOG_FORMAT}")
# Live, the whole history is read for names only (tree diffs: file content is read only for
# rename candidates, never to count lines), and line counts only for the newest `churn_window`
# commits, by a second `git log --numstat` running at the same time, limited to the units'
# file types.
NAMES_ARGS = ("log", "--name-status", "-M", "--no-color", f"--format={LOG_FORMAT}")
CHURN_ARGS = ("log", "--numstat", "-M", "--no-color", "--format=%x1e%H")
CHURN_WINDOW = 1000
_STATUS = re.compile(r"^[ACDMRTUXB]\d*$")
# Settings a user's git config could change and the parser depends on.
LOG_CONFIG = ("-c", "core.quotePath=false", "-c", "log.showRoot=true")
LOG_CONFIG += ("-c", "log.showSignature=false")
EXPORT_COMMAND = shlex.join(["git", *LOG_CONFIG, *LOG_ARGS]) + " > history.log"
"""What users run at the top of the work tree to make a file for `git_log=` (`--git-log FILE`)."""

PROGRESS_EVERY = 500
_HEADER = "\x1e"
_FIELD = "\x1f"
_BRACE_RENAME = re.compile(r"^(?P<pre>.*?)\{(?P<old>[^{}]*) => (?P<new>[^{}]*)\}(?P<post>.*)$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_C_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f"}
_C_ESCAPES |= {"v": "\v", "r": "\r"}


# --- the parsed log: commits as plain values ---------------------------------------------------


@dataclass(frozen=True)
class FileChange:
    """One `--numstat` line: lines added and removed (0 for binary), the path and its old path."""

    added: int
    removed: int
    path: str
    old_path: str | None = None


@dataclass(frozen=True)
class Commit:
    """One commit of the log with the files it changed (merges list no files in `git log`)."""

    sha: str
    parents: tuple[str, ...]
    author_name: str
    author_email: str
    author_date: str
    committer_date: str
    files: tuple[FileChange, ...] = ()

    @property
    def is_merge(self) -> bool:
        return len(self.parents) > 1


@dataclass
class _Decoder:
    """Decodes log lines as UTF-8, replacing bad bytes and remembering that it had to."""

    replaced: int = 0
    first_sha: str = ""

    def decode(self, raw: bytes) -> str:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            self.replaced += 1
            return raw.decode("utf-8", errors="replace")


def parse_log(lines: Iterable[bytes | str], decoder: _Decoder | None = None) -> Iterator[Commit]:
    """Commits from `git log` output in LOG_FORMAT, one at a time (the log is never held whole)."""
    decoder = decoder or _Decoder()
    header: list[str] | None = None
    files: list[FileChange] = []
    for raw in lines:
        line = decoder.decode(raw) if isinstance(raw, bytes) else raw
        line = line.rstrip("\r\n")
        if line.startswith(_HEADER):
            if header is not None:
                yield _commit(header, files)
            header, files = line[1:].split(_FIELD), []
        elif line and header is not None:
            change = parse_numstat(line) or parse_name_status(line)
            if change is not None:
                files.append(change)
    if header is not None:
        yield _commit(header, files)


def _commit(fields: list[str], files: list[FileChange]) -> Commit:
    fields = (fields + [""] * 6)[:6]
    sha, parents, name, email, author_date, committer_date = fields
    return Commit(
        sha=sha,
        parents=tuple(parents.split()),
        author_name=name.strip(),
        author_email=email.strip().lower(),
        author_date=author_date[:10],
        committer_date=committer_date[:10] or author_date[:10],
        files=tuple(files),
    )


def parse_numstat(line: str) -> FileChange | None:
    """`added<TAB>removed<TAB>path` (`-` for binary, renames as `a => b` or `d/{a => b}/f`)."""
    parts = line.split("\t", 2)
    if len(parts) != 3:
        return None
    added, removed, spec = parts
    if not (_is_count(added) and _is_count(removed)):
        return None
    old, new = split_rename(spec)
    return FileChange(_count(added), _count(removed), new, old)


def parse_name_status(line: str) -> FileChange | None:
    """`M<TAB>path` or `R100<TAB>old<TAB>new` (`--name-status`): no line counts (0, 0)."""
    parts = line.split("\t")
    if len(parts) < 2 or not _STATUS.match(parts[0]):
        return None
    if parts[0][0] in "RC" and len(parts) == 3:
        old, new = _unquote(parts[1]), _unquote(parts[2])
        return FileChange(0, 0, new, old if parts[0][0] == "R" else None)
    return FileChange(0, 0, _unquote(parts[-1]))


def _is_count(text: str) -> bool:
    return text == "-" or text.isdigit()


def _count(text: str) -> int:
    return 0 if text == "-" else int(text)


def split_rename(spec: str) -> tuple[str | None, str]:
    """(old path or None, new path) from a numstat path, unquoting C-style quoted paths."""
    match = _BRACE_RENAME.match(spec)
    if match:
        pre, post = match["pre"], match["post"]
        return _clean(pre + match["old"] + post), _clean(pre + match["new"] + post)
    if " => " in spec:
        old, new = spec.split(" => ", 1)
        return _unquote(old), _unquote(new)
    return None, _unquote(spec)


def _clean(path: str) -> str:
    """A path from a brace rename: `d/{ => sub}/f` leaves `d//f`, which means `d/f`."""
    path = _unquote(path)
    while "//" in path:
        path = path.replace("//", "/")
    return path.strip("/")


def _unquote(path: str) -> str:
    """Undo git's C-style quoting of unusual paths (`"a\\tb.py"`, octal bytes)."""
    if len(path) < 2 or not (path.startswith('"') and path.endswith('"')):
        return path
    body, out, i = path[1:-1], bytearray(), 0
    while i < len(body):
        char = body[i]
        if char == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            octal = body[i + 1 : i + 4]
            if len(octal) == 3 and all(c in "01234567" for c in octal):
                out.append(int(octal, 8) & 0xFF)
                i += 4
                continue
            out.extend(_C_ESCAPES.get(nxt, nxt).encode())
            i += 2
            continue
        out.extend(char.encode())
        i += 1
    return out.decode("utf-8", errors="replace")


# --- accumulating statistics ------------------------------------------------------------------


@dataclass
class _PathStats:
    commits: int = 0
    eligible: int = 0
    added: int = 0
    removed: int = 0
    authors: set[int] = field(default_factory=set)
    first: str = ""
    last: str = ""


@dataclass
class _Totals:
    commits: int = 0
    merges: int = 0
    bulk: int = 0


@dataclass
class _Accumulator:
    """Folds commits (newest first) into per-path stats and co-change pair counts."""

    wanted: Mapping[str, int]
    bulk_threshold: int
    since: str | None = None
    aliases: dict[str, str] = field(default_factory=dict)
    stats: dict[int, _PathStats] = field(default_factory=dict)
    pairs: Counter[int] = field(default_factory=Counter)
    author_ids: dict[str, int] = field(default_factory=dict)
    author_names: list[str] = field(default_factory=list)
    totals: _Totals = field(default_factory=_Totals)

    def add(self, commit: Commit) -> None:
        if commit.is_merge:
            self.totals.merges += 1
            return
        if self.since and commit.committer_date < self.since:
            return
        self.totals.commits += 1
        touched = self._touched(commit.files)
        if not touched:
            return
        bulk = len(commit.files) > self.bulk_threshold
        self.totals.bulk += bulk
        author = self._author(commit)
        for index, (added, removed) in touched.items():
            self._count(index, added, removed, author, commit.author_date, bulk)
        if not bulk and len(touched) > 1:
            size = len(self.wanted)
            self.pairs.update(a * size + b for a, b in combinations(sorted(touched), 2))

    def _touched(self, files: Sequence[FileChange]) -> dict[int, tuple[int, int]]:
        """Wanted path index -> (added, removed) for this commit, renames mapped to today's path."""
        touched: dict[int, tuple[int, int]] = {}
        for change in files:
            current = self.aliases.get(change.path, change.path)
            if change.old_path is not None and change.old_path != change.path:
                self.aliases[change.old_path] = current
            index = self.wanted.get(current)
            if index is not None:
                added, removed = touched.get(index, (0, 0))
                touched[index] = (added + change.added, removed + change.removed)
        return touched

    def _author(self, commit: Commit) -> int:
        key = commit.author_email or commit.author_name.casefold()
        index = self.author_ids.get(key)
        if index is None:
            index = self.author_ids[key] = len(self.author_names)
            self.author_names.append(display_author(commit.author_name, commit.author_email))
        return index

    def _count(self, index: int, added: int, removed: int, author: int, date: str, bulk: bool):
        stats = self.stats.get(index)
        if stats is None:
            stats = self.stats[index] = _PathStats(first=date, last=date)
        stats.commits += 1
        stats.eligible += not bulk
        stats.added += added
        stats.removed += removed
        stats.authors.add(author)
        stats.first = min(stats.first, date)
        stats.last = max(stats.last, date)


def display_author(name: str, email: str) -> str:
    """How an author is shown: `Name <email>` (the email, lowercased, is the identity)."""
    if not email:
        return name or "unknown"
    return f"{name} <{email}>" if name else f"<{email}>"


# --- results -----------------------------------------------------------------------------------


def _results(acc: _Accumulator, paths: Sequence[str], units_by_path: Mapping[str, list[UnitId]]):
    change_stats: list[ChangeStats] = []
    for index, stats in acc.stats.items():
        authors = tuple(sorted(acc.author_names[a] for a in stats.authors))
        for unit in units_by_path[paths[index]]:
            change_stats.append(
                ChangeStats(
                    unit=unit,
                    commits=stats.commits,
                    lines_added=stats.added,
                    lines_removed=stats.removed,
                    authors=authors,
                    first_change=stats.first,
                    last_change=stats.last,
                )
            )
    co_changes: dict[tuple[UnitId, UnitId], CoChange] = {}
    size = len(paths)
    for key, support in acc.pairs.items():
        if support < 2:
            continue
        a, b = divmod(key, size)
        base = min(acc.stats[a].eligible, acc.stats[b].eligible)
        confidence = round(support / base, 4) if base else 0.0
        for unit_a in units_by_path[paths[a]]:
            for unit_b in units_by_path[paths[b]]:
                low, high = sorted((unit_a, unit_b))
                if low != high:
                    co_changes[(low, high)] = CoChange(low, high, support, confidence)
    return tuple(sorted(change_stats)), tuple(sorted(co_changes.values()))


# --- the edges: git and files ------------------------------------------------------------------


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        ["git", "-C", str(root), *args],
        capture_output=True,
        check=False,
        env=_git_env(),
    )


def _git_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(GIT_TERMINAL_PROMPT="0", LC_ALL="C", GIT_PAGER="cat")
    env.pop("GIT_DIR", None)
    env.pop("GIT_WORK_TREE", None)
    return env


@dataclass(frozen=True)
class _RepoInfo:
    prefix: str = ""
    problem: str = ""
    shallow: bool = False


def _repo_info(root: Path) -> _RepoInfo:
    """Where root sits in its work tree, or why there is no history to read."""
    try:
        inside = _git(root, "rev-parse", "--show-prefix")
    except FileNotFoundError:
        return _RepoInfo(problem="git is not installed (no `git` on PATH): history skipped")
    except OSError as exc:
        return _RepoInfo(problem=f"git could not run ({exc}): history skipped")
    if inside.returncode != 0:
        reason = _first_line(inside.stderr) or "not a git work tree"
        return _RepoInfo(problem=f"not a git repository ({reason}): history skipped")
    prefix = inside.stdout.decode("utf-8", errors="replace").strip()
    if _git(root, "rev-parse", "--verify", "--quiet", "HEAD").returncode != 0:
        return _RepoInfo(prefix, problem="the repository has no commits yet: history is empty")
    shallow = _git(root, "rev-parse", "--is-shallow-repository").stdout.strip() == b"true"
    return _RepoInfo(prefix, shallow=shallow)


def _first_line(data: bytes) -> str:
    text = data.decode("utf-8", errors="replace").strip()
    return text.splitlines()[0] if text else ""


def _stream_git_log(root: Path, since: str | None, sink: list[str]) -> Iterator[bytes]:
    """The live log (names only), line by line; a failure message is appended to sink."""
    args = ["git", "-C", str(root), *LOG_CONFIG, *NAMES_ARGS]
    if since:
        args.append(f"--since={since}")
    with tempfile.TemporaryFile() as errors:
        with subprocess.Popen(args, stdout=subprocess.PIPE, stderr=errors, env=_git_env()) as proc:
            assert proc.stdout is not None
            yield from proc.stdout
        if proc.returncode != 0:
            errors.seek(0)
            sink.append(f"git log failed ({_first_line(errors.read())}): history is partial")


def _read_export(path: Path) -> Iterator[bytes]:
    handle: BinaryIO
    with path.open("rb") as handle:
        yield from handle


# --- the analyzer --------------------------------------------------------------------------------


def analyze_history(
    root: Path,
    units: Sequence[Unit],
    *,
    since: str | None = None,
    git_log: Path | None = None,
    bulk_threshold: int = 50,
    progress: Callable[[int], None] | None = None,
    cache_dir: Path | None = None,
    churn_window: int = CHURN_WINDOW,
) -> Facts:
    """Churn, authors and co-change of each unit from git history or a saved `git log` export.

    Merge commits are skipped entirely (their changes are already counted on the branch).
    Bulk commits (more than `bulk_threshold` files) count for commits, churn and authors but not
    for co-change. Confidence is support / min(non-bulk commits of a, of b). Renames are followed:
    a file's history before a rename counts for its current path. Authors are identified by
    lowercased email (mailmap applied) and shown as `Name <email>`, sorted; the name shown is
    the newest one seen for that email. Dates are author dates (`YYYY-MM-DD`).

    Live, commits, authors, dates and co-change come from the whole history read by file names
    (`--name-status`, exact renames), and lines added and removed from the newest
    `churn_window` commits (`--numstat`, renames by similarity; 0: the whole history), read by
    a second `git log` at the same time. An export is read whole, line counts included.

    `since` goes to `git log --since` (any date git understands, compared with committer dates);
    with `git_log` (a file made by EXPORT_COMMAND) it must be `YYYY-MM-DD`. When root is below
    the top of its git work tree, unit paths are mapped through `git rev-parse --show-prefix`.
    A missing git, a directory outside git, an empty or shallow history, a failing `git log` and
    non-UTF-8 bytes each give a warning and an empty or partial result, never an exception; a
    missing export file or a bad `since` for one raise InputError (user mistakes).
    `progress` is called with the number of commits read so far. With `cache_dir`, a complete
    live result is kept per HEAD commit and options, so re-running on unchanged history is instant.
    """
    warnings: list[AnalysisWarning] = []
    run = (AnalyzerRun(ANALYZER, VERSION),)
    where = str(root)

    def warn(message: str, path: str = where) -> None:
        warnings.append(AnalysisWarning(ANALYZER, path, message))

    info = _repo_info(root)
    if git_log is not None:
        info = _RepoInfo(prefix=info.prefix)  # the export is the history; root only maps paths
    elif info.problem:
        warn(info.problem)
        return Facts(root=where, warnings=tuple(warnings), analyzers=run)
    if info.shallow:
        warn("shallow clone: history is truncated (run `git fetch --unshallow` for all of it)")

    units_by_path: dict[str, list[UnitId]] = {}
    for unit in units:
        units_by_path.setdefault(info.prefix + unit.path, []).append(unit.id)
    paths = sorted(units_by_path)
    # a relative `since` ("2 weeks ago") moves with the clock: only fixed dates are cached
    cacheable = (
        cache_dir is not None and git_log is None and (since is None or _ISO_DAY.match(since))
    )
    key = _cache_key(root, units, since, bulk_threshold, churn_window) if cacheable else None
    with ResultCache(
        cache_dir / CACHE_FILE if cache_dir and key else None, table="history"
    ) as cache:
        if key is not None and key in (hit := cache.get_many([key])):
            cached = load_json_typed(hit[key], Facts)  # validated: a bad row is a miss
            if cached is not None:
                return dataclasses.replace(cached, warnings=tuple(sorted(warnings)), root=where)
        facts = _analyze(
            root, info, units_by_path, paths, since, git_log, bulk_threshold, progress, churn_window
        )
        if key is not None and not facts.warnings:
            cache.put_many([(key, encode(facts))])
            cache.prune([key])
    return dataclasses.replace(facts, warnings=tuple(sorted(warnings + list(facts.warnings))))


def _cache_key(
    root: Path, units: Sequence[Unit], since: str | None, bulk: int, window: int
) -> str | None:
    """The history's identity: HEAD, the options and the units' paths (None without a HEAD)."""
    head = _git(root, "rev-parse", "HEAD")
    if head.returncode != 0:
        return None
    paths = sorted((u.id, u.path) for u in units)
    identity = json.dumps([VERSION, head.stdout.decode().strip(), since, bulk, window, paths])
    return content_key(identity.encode("utf-8"), "history")


def _analyze(
    root: Path,
    info: _RepoInfo,
    units_by_path: dict[str, list[UnitId]],
    paths: list[str],
    since: str | None,
    git_log: Path | None,
    bulk_threshold: int,
    progress: Callable[[int], None] | None,
    churn_window: int = CHURN_WINDOW,
) -> Facts:
    """Read the log (live or exported) and count churn, authors and co-change per unit."""
    warnings: list[AnalysisWarning] = []
    where = str(root)

    def warn(message: str, path: str = where) -> None:
        warnings.append(AnalysisWarning(ANALYZER, path, message))

    acc = _Accumulator({p: i for i, p in enumerate(paths)}, bulk_threshold)
    failures: list[str] = []
    churn: _Churn | None = None
    if git_log is not None:
        acc.since = _export_since(since)
        lines: Iterable[bytes] = _checked_export(git_log)
    else:
        suffixes = sorted({Path(p).suffix for p in paths if Path(p).suffix})
        churn = _Churn.start(root, since, churn_window, suffixes)
        lines = _stream_git_log(root, since, failures)

    decoder = _Decoder()
    seen = 0
    try:
        for commit in parse_log(lines, decoder):
            acc.add(commit)
            seen += 1
            if progress is not None and seen % PROGRESS_EVERY == 0:
                progress(seen)
        if progress is not None:
            progress(seen)
        if churn is not None:
            churn.add_to(acc, failures)
    finally:
        if churn is not None:
            churn.close()

    for message in failures:
        warn(message)
    if decoder.replaced:
        warn(
            f"{decoder.replaced} log line(s) were not UTF-8 (author names or paths): "
            "bad bytes replaced with U+FFFD"
        )
    if seen == 0:
        warn(_empty_reason(git_log, since))
    change_stats, co_changes = _results(acc, paths, units_by_path)
    return Facts(
        root=where,
        change_stats=change_stats,
        co_changes=co_changes,
        warnings=tuple(sorted(warnings)),
        analyzers=(AnalyzerRun(ANALYZER, VERSION),),
    )


@dataclass
class _Churn:
    """Line counts of the newest commits, from `git log --numstat` running beside the names."""

    process: subprocess.Popen[bytes]
    output: BinaryIO
    errors: BinaryIO

    @classmethod
    def start(cls, root: Path, since: str | None, window: int, suffixes: list[str]) -> _Churn:
        args = ["git", "-C", str(root), *LOG_CONFIG, *CHURN_ARGS]
        if window > 0:
            args.append(f"--max-count={window}")
        if since:
            args.append(f"--since={since}")
        args += ["--", *(f"*{s}" for s in suffixes)]
        # the files live as long as the process: closed by add_to() or close()
        output, errors = tempfile.TemporaryFile(), tempfile.TemporaryFile()  # noqa: SIM115
        process = subprocess.Popen(args, stdout=output, stderr=errors, env=_git_env())
        return cls(process, output, errors)

    def close(self) -> None:
        """Stop git if it still runs (the names pass failed) and drop its output."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.output.close()
        self.errors.close()

    def add_to(self, acc: _Accumulator, failures: list[str]) -> None:
        """Add each window commit's lines to the units' stats (paths renamed to today's)."""
        with self.output, self.errors:
            if self.process.wait() != 0:
                self.errors.seek(0)
                reason = _first_line(self.errors.read())
                failures.append(f"git log --numstat failed ({reason}): line counts are partial")
            self.output.seek(0)
            for commit in parse_log(self.output):
                for change in commit.files:
                    index = acc.wanted.get(acc.aliases.get(change.path, change.path))
                    stats = acc.stats.get(index) if index is not None else None
                    if stats is not None:
                        stats.added += change.added
                        stats.removed += change.removed


def _checked_export(path: Path) -> Iterator[bytes]:
    if not path.is_file():
        raise InputError(f"git log export not found: {path} (make it with: {EXPORT_COMMAND})")
    return _read_export(path)


def _export_since(since: str | None) -> str | None:
    """For an export, --since must be a date (git's fuzzy dates need git itself)."""
    if since is None:
        return None
    if not _ISO_DATE.match(since):
        raise InputError(f"--since {since!r}: with a git log export, give a date as YYYY-MM-DD")
    return since[:10]


def _empty_reason(git_log: Path | None, since: str | None) -> str:
    if git_log is not None:
        return f"no commits found in {git_log.name}; make it with: {EXPORT_COMMAND}"
    if since:
        return f"no commits since {since}: history is empty"
    return "no commits found: history is empty"
