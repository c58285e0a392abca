"""The Python analyzer: discovers, parses in parallel (cached per content) and resolves modules."""

from __future__ import annotations

import functools
import hashlib
import os
import sys
from pathlib import Path

import tree_sitter_python

from analyzers import engine
from analyzers.cache import ResultCache, RunStats, StatIndex, content_key
from analyzers.facts import AnalysisWarning, AnalyzerRun, Facts
from analyzers.language import Resolved
from analyzers.python.extract import (
    EXTRACT_VERSION,
    RESULT_SHAPE,
    FileResult,
    empty_result,
    extract,
)
from analyzers.python.imports import extract_imports
from analyzers.python.modules import module_names
from analyzers.python.resolve import FileEntry, resolve
from analyzers.records import pack_typed, unpack_typed
from analyzers.walk import alembic_versions_checker, classify_role, discover

ANALYZER_NAME = "python"
ANALYZER_VERSION = f"1.0+extract{EXTRACT_VERSION}"
CACHE_FILE = "python-analyzer.sqlite"
_MARKERS = ("pyproject.toml", "setup.cfg")
_SERIAL_BELOW = 48
"""Fewer files to parse than this are parsed in-process: a pool would cost more than it saves."""
_TREE_FORMAT = "2"
"""Bump when the whole-tree cache entry changes form."""


def _analyze(run: engine.Request) -> tuple[Facts, RunStats]:
    root, jobs, cache_dir, progress, budget = (
        run.root, run.jobs, run.cache_dir, run.progress, run.budget
    )  # fmt: skip
    started = StatIndex.now()
    warnings = engine.Warnings(ANALYZER_NAME)
    files = discover(root, (".py",), warnings)
    base = os.fspath(root)
    modules, clashes = module_names(
        (f.rel for f in files),
        has_marker=lambda d: any(os.path.isfile(os.path.join(base, d, m)) for m in _MARKERS),
        root_name=root.name,
    )
    for rel, message in clashes:
        warnings(rel, message)
    repo_tops = frozenset(m.module.partition(".")[0] for m in modules)
    salt = _salt(repo_tops)
    alembic = alembic_versions_checker(root)
    module_of = {m.rel: m for m in modules}
    role_of = {f.rel: classify_role(f.rel, alembic) for f in files}
    # The planner uses a test file only for what it imports: read just that (`imports.py`).
    light = {f.rel: role_of[f.rel] == "test" for f in files}
    indexed = {f.rel: _index_name(f.rel, light[f.rel]) for f in files}
    extractor = engine.Extractor(
        functools.partial(extract, repo_tops=repo_tops),
        RESULT_SHAPE,
        salt,
        _failed,
        functools.partial(extract_imports, repo_tops=repo_tops),
    )
    layout_of = {
        f.rel: f"{module_of[f.rel].module}\0{module_of[f.rel].is_package}\0{role_of[f.rel]}"
        for f in files
    }
    cache_path = cache_dir / CACHE_FILE if cache_dir else None
    slot = hashlib.sha256(str(root).encode("utf-8", "surrogateescape")).hexdigest()
    total = len(files)

    with ResultCache(cache_path, table="files") as table, ResultCache(cache_path, "trees") as trees:
        if table.problem:
            warnings(".", table.problem)
        index = StatIndex.load(table, slot, salt)
        stamps = {f.rel: f.stamp for f in files}
        keys: dict[str, str | None] = {}
        unknown = []
        for f in files:
            if f.size <= budget.bytes:
                keys[f.rel] = index.key(indexed[f.rel], stamps[f.rel])
                if keys[f.rel] is None:
                    unknown.append(f)
        if index.loaded and len(unknown) <= max(64, total // 20):
            # Nearly all files unchanged since the last run: hash the few others here, then the
            # whole-tree entry may answer without parsing or loading a single per-file result.
            for f in unknown:
                data = _read(f.path)
                file_salt = extractor.salt_for(light[f.rel])
                keys[f.rel] = content_key(data, file_salt) if data is not None else None
            tree_key = _tree_key(root, salt, budget, files, keys, layout_of, warnings)
            loaded = _load_tree(trees.get_many([slot]).get(slot), tree_key)
            if loaded is not None:
                if progress:
                    progress(total, total)
                facts, lines = loaded
                skipped = sum(1 for f in files if f.size > budget.bytes)
                index.update(
                    started, {indexed[f.rel]: (stamps[f.rel], keys[f.rel]) for f in unknown}
                )
                if unknown:
                    index.store(table)
                return facts, RunStats(total, 0, total - skipped, skipped, lines)
        base_warnings = list(warnings)
        work = [engine.Work(f.rel, f.path, f.size, keys.get(f.rel), light[f.rel]) for f in files]
        outcomes = {
            o.rel: o
            for o in engine.run(
                extractor,
                work,
                cache_path=cache_path,
                jobs=jobs,
                budget=budget,
                progress=engine.counting(progress, total),
                serial_below=_SERIAL_BELOW,
            )
        }
        entries: list[FileEntry] = []
        lines = 0
        for f in files:
            outcome = outcomes[f.rel]
            if outcome.warning:
                warnings(f.rel, outcome.warning)
            result = outcome.result
            if result is None:
                continue
            if result.get("skipped"):
                warnings.each(f.rel, result["warnings"])
                continue
            mod = module_of[f.rel]
            entries.append(FileEntry(f.rel, mod.module, mod.is_package, role_of[f.rel], result))
            lines += result["lines"]
        facts = _facts(root, resolve(entries), warnings)
        if cache_path is not None:
            kept = [o for o in outcomes.values() if o.keep]
            index.update(started, {indexed[o.rel]: (stamps[o.rel], o.key) for o in kept})
            index.store(table, keep=list(indexed.values()))
            if len(kept) == len(outcomes):
                keys = {o.rel: o.key for o in kept}
                tree_key = _tree_key(root, salt, budget, files, keys, layout_of, base_warnings)
                trees.put_many([(slot, pack_typed((_TREE_FORMAT, tree_key, facts, lines)))])
    parsed = sum(1 for o in outcomes.values() if o.status == "parsed")
    cached = sum(1 for o in outcomes.values() if o.status == "cached")
    if cache_path is not None and parsed:
        with ResultCache(cache_path, create=False) as results:
            results.prune(o.key for o in outcomes.values() if o.key)
    skipped = sum(1 for o in outcomes.values() if o.status == "skipped")
    return facts, RunStats(total, parsed, cached, skipped, lines)


def _index_name(rel: str, light: bool) -> str:
    """A file's name in the stat index: a test file's own (its key is of the light extraction),
    so a file whose role changed while its bytes did not is never taken for the other kind."""
    return f"{rel}\0light" if light else rel


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return None


def _failed(message: str) -> FileResult:
    return empty_result(0, [message])


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


def _tree_key(
    root: Path,
    salt: str,
    budget: engine.Budget,
    files: list,
    keys: dict[str, str | None],
    layout_of: dict[str, str],
    warnings: list[AnalysisWarning],
) -> str:
    """One key for the whole tree: each file's path, content key, module and role; warnings."""
    digest = hashlib.sha256(f"{salt}\0{root}\0{budget.bytes}\0".encode("utf-8", "surrogateescape"))
    digest.update(
        "\n".join(f"{f.rel}\0{keys.get(f.rel)}\0{layout_of[f.rel]}" for f in files).encode(
            "utf-8", "surrogateescape"
        )
    )
    for w in warnings:
        digest.update(f"\n{w.path}\0{w.message}".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def _load_tree(blob: object, tree_key: str) -> tuple[Facts, int] | None:
    """The facts and line count of the whole-tree entry if it is valid and for this tree."""
    entry = unpack_typed(blob, tuple[str, str, Facts, int])
    if entry is None or entry[0] != _TREE_FORMAT or entry[1] != tree_key:
        return None
    return entry[2], entry[3]


def _salt(repo_tops: frozenset[str]) -> str:
    tops = hashlib.sha256("\n".join(sorted(repo_tops)).encode("utf-8")).hexdigest()[:16]
    grammar = getattr(tree_sitter_python, "__version__", "")
    return f"{ANALYZER_VERSION}|{grammar}|py{sys.version_info[0]}.{sys.version_info[1]}|{tops}"


analyze_python = engine.Entry(_analyze, pause_gc=True)
"""Units, dependencies, ORM tables, table access and endpoints of the Python code under root:
`analyze_python(root, jobs=, cache_dir=, progress=, max_file_bytes=, file_seconds=)`."""
analyze_python_with_stats = analyze_python.with_stats
"""`analyze_python` plus statistics of the run (how many files were parsed or cached)."""
