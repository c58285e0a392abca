"""The Java analyzer: discovers, parses in parallel (cached per content) and resolves classes."""

from __future__ import annotations

import importlib.metadata
import marshal
import multiprocessing
import os
import re
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from analyzers.cache import Progress, ResultCache, RunStats, content_key
from analyzers.errors import InputError
from analyzers.facts import AnalysisWarning, AnalyzerRun, Facts
from analyzers.java.descriptors import MARKERS, read_descriptor
from analyzers.java.extract import EXTRACT_VERSION, FileResult, empty_result, extract
from analyzers.java.layout import has_maven_layout, in_build_dir, in_source_root, java_role
from analyzers.java.resolve import DescriptorEntry, FileEntry, resolve
from analyzers.redact import redact_text
from analyzers.walk import SourceFile, discover

ANALYZER_NAME = "java"
ANALYZER_VERSION = f"1.0+extract{EXTRACT_VERSION}"
CACHE_FILE = "java-analyzer.sqlite"
_CHUNK_BYTES = 400_000
_SERIAL_BELOW = 48
"""Fewer files to parse than this are parsed in-process: a pool would cost more than it saves."""
_MAX_SNIPPET = 200
_SECRET_HINT = re.compile(r"://|passw|pwd|secret|token|key|credential", re.IGNORECASE)


def analyze_java(
    root: Path,
    *,
    jobs: int | None = None,
    cache_dir: Path | None = None,
    progress: Progress | None = None,
    max_file_bytes: int = 2_000_000,
) -> Facts:
    """Classes, dependencies, JPA tables, table access and endpoints of the Java code under root."""
    facts, _ = analyze_java_with_stats(
        root, jobs=jobs, cache_dir=cache_dir, progress=progress, max_file_bytes=max_file_bytes
    )
    return facts


def analyze_java_with_stats(
    root: Path,
    *,
    jobs: int | None = None,
    cache_dir: Path | None = None,
    progress: Progress | None = None,
    max_file_bytes: int = 2_000_000,
) -> tuple[Facts, RunStats]:
    """`analyze_java` plus statistics of the run (how many files were parsed or cached)."""
    root = Path(root)
    if not root.exists():
        raise InputError(f"{root}: no such directory")
    if not root.is_dir():
        raise InputError(f"{root}: not a directory")
    warnings: list[AnalysisWarning] = []

    def warn(rel: str, message: str) -> None:
        warnings.append(AnalysisWarning(ANALYZER_NAME, rel, message))

    found = [f for f in discover(root, (".java", ".xml"), warn) if not in_build_dir(f.rel)]
    java = [f for f in found if f.rel.endswith(".java")]
    maven = has_maven_layout([f.rel for f in java])
    java = [f for f in java if in_source_root(f.rel, maven)]
    descriptors = _descriptors([f for f in found if f.rel.endswith(".xml")], max_file_bytes, warn)

    salt = _salt()
    keyed: list[tuple[str, SourceFile]] = []
    data_of: dict[str, bytes] = {}
    skipped = 0
    for f in java:
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
        key = content_key(data, salt)
        keyed.append((key, f))
        data_of[key] = data

    total = len(keyed)
    blobs: dict[str, bytes] = {}
    with ResultCache(cache_dir / CACHE_FILE if cache_dir else None) as cache:
        blobs.update(cache.get_many(k for k, _ in keyed))
        cached = sum(1 for k, _ in keyed if k in blobs)
        done = cached
        if progress:
            progress(done, total)
        todo = {k: data for k, data in data_of.items() if k not in blobs}
        fresh: list[tuple[str, bytes]] = []
        for batch in _parse_all(todo, jobs):
            fresh.extend(batch)
            done += len(batch)
            if progress:
                progress(done, total)
        blobs.update(fresh)
        cache.put_many(fresh)

    entries = [FileEntry(f.rel, java_role(f.rel), _load(blobs[key])) for key, f in keyed]
    resolved = resolve(entries, descriptors)
    facts = Facts(
        root=str(root),
        units=tuple(resolved.units),
        dependencies=tuple(resolved.dependencies),
        tables=tuple(resolved.tables),
        orm_models=tuple(resolved.orm_models),
        table_access=tuple(resolved.table_access),
        endpoints=tuple(resolved.endpoints),
        warnings=tuple(warnings + resolved.warnings),
        analyzers=(AnalyzerRun(ANALYZER_NAME, ANALYZER_VERSION),),
    ).sorted()
    stats = RunStats(
        files=len(java),
        parsed=len(todo),
        cached=cached,
        skipped=skipped,
        lines=sum(e.result["lines"] for e in entries),
    )
    return facts, stats


def _descriptors(
    files: list[SourceFile], max_file_bytes: int, warn: Callable[[str, str], None]
) -> list[DescriptorEntry]:
    """The XML descriptors (MyBatis, web.xml, persistence.xml, ...) outside test resources."""
    out = []
    for f in files:
        if f.size > max_file_bytes or java_role(f.rel) == "test":
            continue
        try:
            data = f.path.read_bytes()
        except OSError as exc:
            warn(f.rel, f"unreadable: {exc.strerror or exc}")
            continue
        if not any(marker in data for marker in MARKERS) or b"\0" in data[:8192]:
            continue
        text = data.decode("utf-8", "replace")
        try:
            descriptor = read_descriptor(text)
        except RecursionError:
            warn(f.rel, "descriptor too deeply nested; skipped")
            continue
        lines = text.split("\n")
        used = {s.line for s in descriptor.statements}
        used.update(line for _, _, line in descriptor.servlets)
        used.update(line for _, _, line in descriptor.entities)
        snips = {line: _snippet(lines[line - 1]) for line in used if 0 < line <= len(lines)}
        out.append(DescriptorEntry(f.rel, descriptor, snips))
    return out


def _snippet(line: str) -> str:
    text = line.strip()
    if _SECRET_HINT.search(text):
        text = redact_text(text)
    return text[:_MAX_SNIPPET]


def _salt() -> str:
    try:
        grammar = importlib.metadata.version("tree-sitter-java")
    except importlib.metadata.PackageNotFoundError:
        grammar = ""
    return f"{ANALYZER_VERSION}|{grammar}"


def _load(blob: bytes) -> FileResult:
    try:
        return marshal.loads(blob)
    except (ValueError, EOFError, TypeError):
        return empty_result(0, ["cached result unreadable; re-run with a fresh cache"])


def _extract_one(data: bytes) -> bytes:
    try:
        result = extract(data)
    except (RecursionError, MemoryError, ValueError, UnicodeError, RuntimeError) as exc:
        result = empty_result(0, [f"could not analyze: {type(exc).__name__}: {exc}"])
    return marshal.dumps(result)


def _extract_chunk(items: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    return [(key, _extract_one(data)) for key, data in items]


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


def _parse_all(todo: dict[str, bytes], jobs: int | None) -> Iterator[list[tuple[str, bytes]]]:
    cores = os.cpu_count() or 1
    workers = max(1, min(jobs if jobs and jobs > 0 else cores, cores, len(todo)))  # -j 200: capped
    if workers == 1 or (jobs is None and len(todo) < _SERIAL_BELOW):
        for chunk in _chunks(todo, 1):
            yield _extract_chunk(chunk)
        return
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [pool.submit(_extract_chunk, c) for c in _chunks(todo, workers)]
        for future in as_completed(futures):
            yield future.result()
