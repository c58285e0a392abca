"""The Python analyzer: discovers, parses in parallel (cached per content) and resolves modules."""

from __future__ import annotations

import copyreg
import gc
import hashlib
import io
import marshal
import multiprocessing
import os
import pickle
import sys
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from pathlib import Path

import tree_sitter_python

from analyzers.cache import Progress, ResultCache, RunStats, content_key
from analyzers.errors import InputError
from analyzers.facts import (
    AnalysisWarning,
    AnalyzerRun,
    Dependency,
    Evidence,
    Facts,
    TableAccess,
    Unit,
)
from analyzers.python.extract import EXTRACT_VERSION, FileResult, empty_result, extract
from analyzers.python.modules import module_names
from analyzers.python.resolve import FileEntry, Resolved, resolve
from analyzers.walk import SourceFile, alembic_versions_checker, classify_role, discover

ANALYZER_NAME = "python"
ANALYZER_VERSION = f"1.0+extract{EXTRACT_VERSION}"
CACHE_FILE = "python-analyzer.sqlite"
_PROJECT_MARKERS = ("pyproject.toml", "setup.cfg")
_CHUNK_BYTES = 400_000
_SERIAL_BELOW = 48
"""Fewer files to parse than this are parsed in-process: a pool would cost more than it saves."""


def analyze_python(
    root: Path,
    *,
    jobs: int | None = None,
    cache_dir: Path | None = None,
    progress: Progress | None = None,
    max_file_bytes: int = 2_000_000,
) -> Facts:
    """Units, dependencies, ORM tables, table access and endpoints of the Python code under root."""
    facts, _ = analyze_python_with_stats(
        root, jobs=jobs, cache_dir=cache_dir, progress=progress, max_file_bytes=max_file_bytes
    )
    return facts


def analyze_python_with_stats(
    root: Path,
    *,
    jobs: int | None = None,
    cache_dir: Path | None = None,
    progress: Progress | None = None,
    max_file_bytes: int = 2_000_000,
) -> tuple[Facts, RunStats]:
    """`analyze_python` plus statistics of the run (how many files were parsed or cached)."""
    with _gc_paused():
        return _analyze(root, jobs, cache_dir, progress, max_file_bytes)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: the run allocates many small acyclic objects."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _analyze(
    root: Path,
    jobs: int | None,
    cache_dir: Path | None,
    progress: Progress | None,
    max_file_bytes: int,
) -> tuple[Facts, RunStats]:
    root = Path(root)
    if not root.exists():
        raise InputError(f"{root}: no such directory")
    if not root.is_dir():
        raise InputError(f"{root}: not a directory")
    warnings: list[AnalysisWarning] = []

    def warn(rel: str, message: str) -> None:
        warnings.append(AnalysisWarning(ANALYZER_NAME, rel, message))

    files = discover(root, (".py",), warn)
    modules, clashes = module_names(
        (f.rel for f in files),
        has_marker=lambda d: any((root / d / m).is_file() for m in _PROJECT_MARKERS),
        root_name=root.name,
    )
    for rel, message in clashes:
        warn(rel, message)
    repo_tops = frozenset(m.module.partition(".")[0] for m in modules)
    salt = _salt(repo_tops)
    alembic = alembic_versions_checker(root)

    keyed: list[tuple[str, SourceFile, bytes]] = []
    skipped = 0
    for f in files:
        if f.size > max_file_bytes:
            warn(f.rel, f"file too large ({f.size} bytes > {max_file_bytes}); skipped")
            skipped += 1
            continue
        try:
            data = f.path.read_bytes()
        except OSError as exc:
            warn(f.rel, f"unreadable: {exc.strerror or exc}")
            skipped += 1
            continue
        keyed.append((content_key(data, salt), f, data))

    module_of = {m.rel: m for m in modules}
    role_of = {f.rel: classify_role(f.rel, alembic) for _, f, _ in keyed}
    layout = [
        f"{f.rel}\0{key}\0{module_of[f.rel].module}\0{module_of[f.rel].is_package}\0"
        f"{role_of[f.rel]}"
        for key, f, _ in keyed
    ]
    tree_key = _tree_key(root, salt, layout, warnings)
    cache_path = cache_dir / CACHE_FILE if cache_dir else None
    with (
        ResultCache(cache_path) as cache,
        ResultCache(cache_path, table="trees") as trees,
    ):
        slot = hashlib.sha256(str(root).encode()).hexdigest()  # one whole-tree entry per root
        whole = trees.get_many([slot]).get(slot)
        if whole is not None:
            loaded = _load_tree(whole, tree_key)
            if loaded is not None:
                if progress:
                    progress(len(keyed), len(keyed))
                facts, lines = loaded
                return facts, RunStats(len(files), 0, len(keyed), skipped, lines)
        results, unstored, parsed, cached = _file_results(
            cache, cache_path, keyed, repo_tops, jobs, progress
        )
    entries: list[FileEntry] = []
    for key, f, _ in keyed:
        mod = module_of[f.rel]
        result = results[key]
        if result.get("skipped"):
            warnings.extend(AnalysisWarning(ANALYZER_NAME, f.rel, w) for w in result["warnings"])
            continue
        entries.append(FileEntry(f.rel, mod.module, mod.is_package, role_of[f.rel], result))
    facts = _facts(root, resolve(entries), warnings)
    lines = sum(e.result["lines"] for e in entries)
    if cache_path is not None:
        _store(cache_path, unstored, (slot, tree_key, facts, lines), [k for k, _, _ in keyed])
    return facts, RunStats(len(files), parsed, cached, skipped, lines)


def _file_results(
    cache: ResultCache,
    cache_path: Path | None,
    keyed: list[tuple[str, SourceFile, bytes]],
    repo_tops: frozenset[str],
    jobs: int | None,
    progress: Progress | None,
) -> tuple[dict[str, FileResult], list[tuple[str, bytes]], int, int]:
    """Each file's extracted result by content key (cached or parsed now), the fresh blobs
    (marshalled) not stored yet, how many files were parsed and how many came from the cache."""
    total = len(keyed)
    blobs = cache.get_many(k for k, _, _ in keyed)
    cached = sum(1 for k, _, _ in keyed if k in blobs)
    results = {key: _load(blob) for key, blob in blobs.items()}
    done = cached
    if progress:
        progress(done, total)
    todo = {k: data for k, _, data in keyed if k not in blobs}
    files_per_key = Counter(k for k, _, _ in keyed if k in todo)
    unstored: list[tuple[str, bytes]] = []
    store = cache_path if cache.enabled else None
    for batch, stored in _parse_all(todo, repo_tops, jobs, store):
        if not stored:
            unstored.extend(batch)
        for key, blob in batch:  # while the workers go on parsing
            results[key] = _load(blob)
        done += sum(files_per_key[key] for key, _ in batch)
        if progress:
            progress(done, total)
    return results, unstored, len(todo), cached


def _store(
    cache_path: Path,
    unstored: list[tuple[str, bytes]],
    tree: tuple[str, str, Facts, int],
    keep: list[str],
) -> None:
    """Store the results the workers did not, the whole-tree entry, and prune the cache."""
    slot, tree_key, facts, lines = tree
    with (
        ResultCache(cache_path, create=False) as cache,
        ResultCache(cache_path, table="trees", create=False) as trees,
    ):
        cache.put_many(unstored)
        trees.put_many([(slot, _dump_tree(tree_key, facts, lines))])
        cache.prune(keep)


def _facts(root: Path, resolved: Resolved, warnings: list[AnalysisWarning]) -> Facts:
    # Every collection comes out in `Facts.sorted()` order: the big ones are unique per key and
    # sorted by that key (cheap), the small ones through `sorted(set(...))` like `Facts.sorted`.
    return Facts(
        root=str(root),
        units=tuple(sorted(resolved.units, key=lambda u: u.id)),
        dependencies=tuple(resolved.dependencies),
        tables=tuple(sorted(resolved.tables, key=lambda t: t.name)),
        orm_models=tuple(sorted(set(resolved.orm_models))),
        table_access=tuple(resolved.table_access),
        endpoints=tuple(sorted(set(resolved.endpoints))),
        warnings=tuple(sorted(set(warnings + resolved.warnings))),
        analyzers=(AnalyzerRun(ANALYZER_NAME, ANALYZER_VERSION),),
    )


def _tree_key(root: Path, salt: str, layout: list[str], warnings: list[AnalysisWarning]) -> str:
    """One key for the whole tree: each file's path, content key, module and role; warnings."""
    digest = hashlib.sha256(f"{salt}\0{root}\0".encode())
    digest.update("\n".join(layout).encode())
    for w in warnings:
        digest.update(f"\n{w.path}\0{w.message}".encode())
    return digest.hexdigest()


class _FactsPickler(pickle.Pickler):
    """Pickles the many small frozen dataclasses as (class, __dict__): quicker both ways."""

    dispatch_table = copyreg.dispatch_table.copy()
    for _cls in (Evidence, Dependency, Unit, TableAccess):
        dispatch_table[_cls] = lambda obj: (copyreg.__newobj__, (type(obj),), obj.__dict__)


def _dump_tree(tree_key: str, facts: Facts, lines: int) -> bytes:
    buffer = io.BytesIO()
    buffer.write(tree_key.encode("ascii") + b"\n")
    _FactsPickler(buffer, pickle.HIGHEST_PROTOCOL).dump((facts, lines))
    return buffer.getvalue()


def _load_tree(blob: bytes, tree_key: str) -> tuple[Facts, int] | None:
    head, _, body = blob.partition(b"\n")
    if head != tree_key.encode("ascii"):
        return None
    try:
        facts, lines = pickle.loads(body)
    except Exception:  # a stale or damaged cache entry only costs a re-run
        return None
    return (facts, lines) if isinstance(facts, Facts) else None


def _salt(repo_tops: frozenset[str]) -> str:
    tops = hashlib.sha256("\n".join(sorted(repo_tops)).encode("utf-8")).hexdigest()[:16]
    grammar = getattr(tree_sitter_python, "__version__", "")
    return f"{ANALYZER_VERSION}|{grammar}|py{sys.version_info[0]}.{sys.version_info[1]}|{tops}"


def _load(blob: bytes) -> FileResult:
    try:
        return marshal.loads(blob)
    except (ValueError, EOFError, TypeError):
        return empty_result(0, ["cached result unreadable; re-run with a fresh cache"])


def _extract_one(data: bytes, repo_tops: frozenset[str]) -> bytes:
    try:
        result = extract(data, repo_tops)
    except Exception as exc:  # one odd file must never cost the whole run
        result = empty_result(0, [f"could not analyze: {type(exc).__name__}: {exc}"])
    return marshal.dumps(result)


def _extract_chunk(
    items: list[tuple[str, bytes]], repo_tops: frozenset[str]
) -> list[tuple[str, bytes]]:
    with _gc_paused():
        return [(key, _extract_one(data, repo_tops)) for key, data in items]


_FORKED_TODO: dict[str, bytes] = {}
"""The files to parse, set before the pool forks: workers read them from their copy of memory
instead of receiving them pickled through a pipe."""
_WORKER_CACHE: list[ResultCache] = []
"""A worker's own connection to the result cache (opened on its first chunk)."""


def _extract_forked(
    keys: list[str], repo_tops: frozenset[str], cache_path: Path | None
) -> tuple[list[tuple[str, bytes]], bool]:
    """Extract the files of `keys` and store their results (if `cache_path`) here, in parallel."""
    out = _extract_chunk([(key, _FORKED_TODO[key]) for key in keys], repo_tops)
    if cache_path is None:
        return out, False
    if not _WORKER_CACHE:
        _WORKER_CACHE.append(ResultCache(cache_path, create=False))
    _WORKER_CACHE[0].put_many(out)
    return out, True


def _chunks(todo: dict[str, bytes], workers: int) -> list[list[tuple[str, bytes]]]:
    """Chunks of similar byte size, largest files first, so workers finish together."""
    items = sorted(todo.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    total = sum(len(d) for d in todo.values())
    target = max(64_000, min(_CHUNK_BYTES, total // (workers * 8) + 1))
    chunks: list[list[tuple[str, bytes]]] = []
    current: list[tuple[str, bytes]] = []
    size = 0
    for key, data in items:
        current.append((key, data))
        size += len(data)
        if size >= target:
            chunks.append(current)
            current, size = [], 0
    if current:
        chunks.append(current)
    return chunks


def _parse_all(
    todo: dict[str, bytes], repo_tops: frozenset[str], jobs: int | None, cache_path: Path | None
) -> Iterator[tuple[list[tuple[str, bytes]], bool]]:
    """Batches of (key, marshalled result), each with whether it is already in the cache."""
    cores = os.cpu_count() or 1
    workers = max(1, min(jobs if jobs and jobs > 0 else cores, cores, len(todo)))  # -j 200: capped
    if workers == 1 or (jobs is None and len(todo) < _SERIAL_BELOW):
        for chunk in _chunks(todo, 1):
            yield _extract_chunk(chunk, repo_tops), False
        return
    methods = multiprocessing.get_all_start_methods()
    forked = "fork" in methods
    context = multiprocessing.get_context("fork" if forked else None)
    chunks = _chunks(todo, workers)
    _FORKED_TODO.update(todo if forked else {})
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            futures = {
                (
                    pool.submit(_extract_forked, [k for k, _ in c], repo_tops, cache_path)
                    if forked
                    else pool.submit(_extract_chunk, c, repo_tops)
                ): c
                for c in chunks
            }
            for future in as_completed(futures):
                try:
                    done = future.result()
                except BrokenProcessPool:
                    # A worker died (killed, out of memory): finish its chunk in this process.
                    yield _extract_chunk(futures[future], repo_tops), False
                    continue
                yield done if forked else (done, False)
    finally:
        _FORKED_TODO.clear()
