"""The Java analyzer: discovers, parses in parallel (cached per content) and resolves classes."""

from __future__ import annotations

import hashlib
import importlib.metadata
from pathlib import Path

from analyzers import engine
from analyzers.cache import Progress, ResultCache, RunStats, StatIndex
from analyzers.facts import AnalyzerRun, Facts
from analyzers.java.descriptors import RECORD_SHAPE, descriptor_record, from_record
from analyzers.java.extract import (
    EXTRACT_VERSION,
    RESULT_SHAPE,
    FileResult,
    empty_result,
    extract,
)
from analyzers.java.layout import has_maven_layout, in_build_dir, in_source_root, java_role
from analyzers.java.resolve import DescriptorEntry, FileEntry, resolve
from analyzers.walk import SourceFile, discover

ANALYZER_NAME = "java"
ANALYZER_VERSION = f"1.0+extract{EXTRACT_VERSION}"
DESCRIPTOR_VERSION = "2"
"""Bump when `descriptor_record` changes shape or meaning (it salts the cache key)."""
CACHE_FILE = "java-analyzer.sqlite"
_SERIAL_BELOW = 48
"""Fewer files to parse than this are parsed in-process: a pool would cost more than it saves."""


def _analyze(run: engine.Request) -> tuple[Facts, RunStats]:
    """Java files and XML descriptors are parsed in the worker pool and cached alike."""
    root, jobs, cache_dir, budget = run.root, run.jobs, run.cache_dir, run.budget
    started = StatIndex.now()
    warnings = engine.Warnings(ANALYZER_NAME)
    found = [f for f in discover(root, (".java", ".xml"), warnings) if not in_build_dir(f.rel)]
    java = [f for f in found if f.rel.endswith(".java")]
    maven = has_maven_layout([f.rel for f in java])
    java = [f for f in java if in_source_root(f.rel, maven)]
    xml = [f for f in found if f.rel.endswith(".xml") and java_role(f.rel) != "test"]

    salt, xml_salt = _salt(), f"descriptor{DESCRIPTOR_VERSION}"
    cache_path = cache_dir / CACHE_FILE if cache_dir else None
    slot = hashlib.sha256(str(root).encode("utf-8", "surrogateescape")).hexdigest()
    with ResultCache(cache_path, table="files") as table:
        if table.problem:
            warnings(".", table.problem)
        index = StatIndex.load(table, slot, f"{salt}|{xml_salt}")
        stamps = {f.rel: f.stamp for f in java + xml}
        xml_outcomes = _run(
            engine.Extractor(descriptor_record, RECORD_SHAPE, xml_salt, _failed_descriptor),
            xml,
            index,
            stamps,
            cache_path,
            jobs,
            budget,
            None,
        )
        java_outcomes = _run(
            engine.Extractor(extract, RESULT_SHAPE, salt, _failed),
            java,
            index,
            stamps,
            cache_path,
            jobs,
            budget,
            run.progress,
        )
        if cache_path is not None:
            outcomes = [o for o in xml_outcomes + java_outcomes if o.keep]
            index.update(started, {o.rel: (stamps[o.rel], o.key) for o in outcomes})
            index.store(table, keep=stamps)

    descriptors = []
    for outcome in xml_outcomes:
        if outcome.status == "skipped" and outcome.warning.startswith("file too large"):
            continue  # a large XML file is data, not a descriptor: no warning, as before
        if outcome.warning:
            warnings(outcome.rel, outcome.warning)
        record = outcome.result
        if record is None:
            continue
        if not record["relevant"]:
            warnings.each(outcome.rel, record["warnings"])
            continue
        descriptors.append(DescriptorEntry(outcome.rel, from_record(record), record["snips"]))
    descriptors.sort(key=lambda d: d.rel)

    entries = []
    for outcome in java_outcomes:
        if outcome.warning:
            warnings(outcome.rel, outcome.warning)
        if outcome.result is not None:
            entries.append(FileEntry(outcome.rel, java_role(outcome.rel), outcome.result))
    entries.sort(key=lambda e: e.rel)
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
        parsed=sum(1 for o in java_outcomes if o.status == "parsed"),
        cached=sum(1 for o in java_outcomes if o.status == "cached"),
        skipped=sum(1 for o in java_outcomes if o.status == "skipped"),
        lines=sum(e.result["lines"] for e in entries),
    )
    return facts, stats


def _run(
    extractor: engine.Extractor,
    files: list[SourceFile],
    index: StatIndex,
    stamps: dict,
    cache_path: Path | None,
    jobs: int | None,
    budget: engine.Budget,
    progress: Progress | None,
) -> list[engine.Outcome]:
    """The outcome of each file (sorted by path), parsed or taken from the cache."""
    work = [engine.Work(f.rel, f.path, f.size, index.key(f.rel, stamps[f.rel])) for f in files]
    outcomes = engine.run(
        extractor,
        work,
        cache_path=cache_path,
        jobs=jobs,
        budget=budget,
        progress=engine.counting(progress, len(files)),
        serial_below=_SERIAL_BELOW,
    )
    return sorted(outcomes, key=lambda o: o.rel)


def _failed(message: str) -> FileResult:
    return empty_result(0, [message])


def _failed_descriptor(message: str) -> dict:
    record = descriptor_record(b"")
    return {**record, "warnings": (message,)}


def _salt() -> str:
    try:
        grammar = importlib.metadata.version("tree-sitter-java")
    except importlib.metadata.PackageNotFoundError:
        grammar = ""
    return f"{ANALYZER_VERSION}|{grammar}"


analyze_java = engine.Entry(_analyze)
"""Classes, dependencies, JPA tables, table access and endpoints of the Java code under root:
`analyze_java(root, jobs=, cache_dir=, progress=, max_file_bytes=, file_seconds=)`."""
analyze_java_with_stats = analyze_java.with_stats
"""`analyze_java` plus statistics of the run (how many files were parsed or cached)."""
