"""Runs per-file extraction in worker processes: cache first, a time and size budget per file."""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analyzers.cache import Progress, ResultCache, RunStats, content_key
from analyzers.errors import InputError
from analyzers.facts import AnalysisWarning, Facts
from analyzers.records import Shape, pack, unpack

FILE_SECONDS = 5.0
"""Default CPU seconds one file may take to extract before it is skipped with a warning."""
FILE_BYTES = 2_000_000
"""Default size above which a file is skipped with a warning, unread."""
_CHUNK_BYTES = 400_000
_LIGHT_SHARE = 20
"""A light extraction costs about a twentieth of a full one per byte (saleor: test files' imports
0.15 s of CPU for 18.6 MB, the other files' full extraction 1.6 s for 9.2 MB)."""
_HARD_FACTOR = 3.0
"""A worker still busy on one file after this many budgets (stuck in C, where the soft limit
cannot interrupt) is killed by the kernel (SIGPROF); its file is then skipped with a warning."""
_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class Budget:
    """What one file may cost: CPU seconds to extract, and bytes on disk."""

    seconds: float = FILE_SECONDS
    bytes: int = FILE_BYTES


@dataclass(frozen=True, order=True)
class Work:
    """One file to extract: its relative path, absolute path, size, content key if known, and
    whether only part of its facts matter (then the extractor's `light` function reads it)."""

    rel: str
    path: str
    size: int
    key: str | None = None
    light: bool = False


@dataclass(frozen=True)
class Outcome:
    """What became of one file: its content key, its result (None if skipped), how, and why."""

    rel: str
    key: str | None
    result: Any
    status: str  # "parsed" | "cached" | "same" (as another file here) | "skipped"
    warning: str = ""
    keep: bool = True  # False: do not remember this outcome (a time-out may pass next time)


@dataclass(frozen=True)
class Extractor:
    """How to extract one kind of file: the function, its result shape and the cache salt."""

    extract: Callable[[bytes], Any]
    shape: Shape
    salt: str
    failed: Callable[[str], Any]
    """Builds the result of a file whose extraction raised (one warning, nothing else)."""
    light: Callable[[bytes], Any] | None = None
    """A cheaper extraction for files of which only part of the facts matter (`Work.light`),
    with the same result shape; its results are cached under their own salt."""

    def salt_for(self, light: bool) -> str:
        """The salt of the content keys of files extracted the light way or the full way."""
        return f"{self.salt}|light" if light and self.light is not None else self.salt


@dataclass(frozen=True)
class Request:
    """One analyzer run: the tree, how many parsers, the cache, progress and each file's budget."""

    root: Path
    jobs: int | None
    cache_dir: Path | None
    progress: Progress | None
    budget: Budget


@dataclass(frozen=True)
class Entry:
    """A language analyzer's entry point: checks the root, sets the budget, closes the caches."""

    analyze: Callable[[Request], tuple[Facts, RunStats]]
    pause_gc: bool = False
    """Pause the cyclic garbage collector during the run (many small acyclic objects)."""

    def __call__(self, root: Path, **options: Any) -> Facts:
        """The facts of the analyzer's files under root (options: those of `with_stats`)."""
        return self.with_stats(root, **options)[0]

    def with_stats(
        self,
        root: Path,
        *,
        jobs: int | None = None,
        cache_dir: Path | None = None,
        progress: Progress | None = None,
        max_file_bytes: int = FILE_BYTES,
        file_seconds: float = FILE_SECONDS,
    ) -> tuple[Facts, RunStats]:
        """The facts plus statistics of the run (how many files were parsed or cached).

        Each file gets `file_seconds` of CPU and `max_file_bytes` on disk; past either it is
        skipped with a warning and the run goes on.
        """
        root = Path(root)
        if not root.exists():
            raise InputError(f"{root}: no such directory")
        if not root.is_dir():
            raise InputError(f"{root}: not a directory")
        budget = Budget(file_seconds, max_file_bytes)
        enabled = gc.isenabled()
        if self.pause_gc:
            gc.disable()
        try:
            return self.analyze(Request(root, jobs, cache_dir, progress, budget))
        finally:
            close_caches()
            if enabled:
                gc.enable()


class Warnings(list[AnalysisWarning]):
    """The warnings of one analyzer's run; `warnings(rel, message)` adds one."""

    def __init__(self, analyzer: str) -> None:
        super().__init__()
        self.analyzer = analyzer

    def __call__(self, rel: str, message: str) -> None:
        self.append(AnalysisWarning(self.analyzer, rel, message))

    def each(self, rel: str, messages: Iterable[str]) -> None:
        """Add one warning per message, all about `rel`."""
        self.extend(AnalysisWarning(self.analyzer, rel, m) for m in messages)


class FileTimeout(BaseException):
    """A file used up its time budget (a BaseException, so extractors cannot swallow it)."""


def counting(progress: Progress | None, total: int) -> Callable[[int], None]:
    """A `run` progress callback adding up files done and reporting (done, total) to `progress`;
    reports (0, total) at once."""
    done = 0
    if progress:
        progress(done, total)

    def step(count: int) -> None:
        nonlocal done
        done += count
        if progress:
            progress(done, total)

    return step


def run(
    extractor: Extractor,
    work: list[Work],
    *,
    cache_path: Path | None,
    jobs: int | None,
    budget: Budget,
    progress: Callable[[int], None] | None = None,
    serial_below: int = 48,
) -> Iterator[Outcome]:
    """Outcomes of every file of `work` (in no particular order), parsed in parallel.

    Workers read and hash the files themselves (overlapping I/O with parsing), look their
    results up in the cache, extract what is missing under `budget` and store it. A worker that
    dies (killed, out of memory, stuck past the hard limit) does not stop the run: the files
    left are retried one by one in a fresh worker, and a file that kills its worker again is
    skipped with a warning.
    """
    if not work:
        return
    cores = os.cpu_count() or 1
    workers = max(1, min(jobs if jobs and jobs > 0 else cores, cores, len(work)))  # -j 200: capped
    chunks = _chunks(work, workers)
    serial = workers == 1 or len(chunks) == 1 or (jobs is None and len(work) < serial_below)
    if serial or "fork" not in multiprocessing.get_all_start_methods():
        yield from _in_process(extractor, chunks, cache_path, budget, progress)
        return
    left: dict[str, Work] = {w.rel: w for w in work}
    try:
        with _pool(min(workers, len(chunks)), extractor) as pool:
            futures = [pool.submit(_work_in_worker, chunk, cache_path, budget) for chunk in chunks]
            for future in as_completed(futures):
                done = future.result()
                for outcome in done:
                    left.pop(outcome.rel, None)
                if progress:
                    progress(len(done))
                yield from done
    except BrokenProcessPool:
        pass
    except OSError:  # no worker could be started (fork refused): finish in this process
        chunks = _chunks(sorted(left.values()), 1)
        yield from _in_process(extractor, chunks, cache_path, budget, progress)
        return
    if left:
        yield from _retry_one_by_one(extractor, sorted(left.values()), cache_path, budget, progress)


def _in_process(
    extractor: Extractor,
    chunks: list[list[Work]],
    cache_path: Path | None,
    budget: Budget,
    progress: Callable[[int], None] | None,
) -> Iterator[Outcome]:
    for chunk in chunks:
        done = _work_chunk(extractor, chunk, cache_path, budget)
        if progress:
            progress(len(done))
        yield from done


def _retry_one_by_one(
    extractor: Extractor,
    work: list[Work],
    cache_path: Path | None,
    budget: Budget,
    progress: Callable[[int], None] | None,
) -> Iterator[Outcome]:
    """After a worker died: each file in its own task, so the one that kills a worker is known."""
    queue = list(reversed(work))
    fruitless = 0  # pools in a row that broke before finishing a file
    while queue:
        if fruitless == 3:  # workers cannot be kept alive at all: give the rest up, with warnings
            while queue:
                yield _died(queue.pop())
                if progress:
                    progress(1)
            return
        fruitless += 1
        try:
            with _pool(1, extractor) as pool:
                while queue:
                    item = queue[-1]
                    future: Future = pool.submit(_work_in_worker, [item], cache_path, budget)
                    try:
                        done = future.result()
                    except BrokenProcessPool:
                        queue.pop()
                        fruitless = 0
                        done = [_died(item)]
                        if progress:
                            progress(1)
                        yield from done
                        break  # this pool is broken: start another for the rest
                    queue.pop()
                    fruitless = 0
                    if progress:
                        progress(1)
                    yield from done
        except (BrokenProcessPool, OSError):
            continue


def _died(item: Work) -> Outcome:
    return Outcome(
        item.rel,
        None,
        None,
        "skipped",
        "the worker parsing this file died (killed, out of memory or stuck past its time "
        "budget); skipped",
        keep=False,
    )


@contextmanager
def _pool(workers: int, extractor: Extractor) -> Iterator[ProcessPoolExecutor]:
    """A pool of forked workers that know `extractor` (forked, so it is never pickled)."""
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_worker_init,
        initargs=(os.getpid(), extractor),
    )
    try:
        yield pool
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


_IN_WORKER = False
_EXTRACTOR: list[Extractor] = []
"""The worker's extractor, given by the pool initializer."""


def _worker_init(parent: int, extractor: Extractor) -> None:
    """Die with the parent (Linux: PR_SET_PDEATHSIG), leave Ctrl-C to it, arm the hard limit."""
    global _IN_WORKER
    _IN_WORKER = True
    _EXTRACTOR[:] = [extractor]
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGPROF, signal.SIG_DFL)  # the hard limit kills this worker


def _work_in_worker(chunk: list[Work], cache_path: Path | None, budget: Budget) -> list[Outcome]:
    return _work_chunk(_EXTRACTOR[0], chunk, cache_path, budget)


def _work_chunk(
    extractor: Extractor, chunk: list[Work], cache_path: Path | None, budget: Budget
) -> list[Outcome]:
    """Read, hash, look up, extract (within budget) and store the files of one chunk."""
    enabled = gc.isenabled()
    gc.disable()  # many small acyclic objects
    try:
        return _work_files(extractor, chunk, cache_path, budget)
    finally:
        if enabled:
            gc.enable()


def _work_files(
    extractor: Extractor, chunk: list[Work], cache_path: Path | None, budget: Budget
) -> list[Outcome]:
    outcomes: list[Outcome] = []
    todo: list[tuple[Work, str, bytes | None]] = []
    for item in chunk:
        if item.size > budget.bytes:
            outcomes.append(
                Outcome(
                    item.rel,
                    None,
                    None,
                    "skipped",
                    f"file too large ({item.size} bytes > {budget.bytes}); skipped",
                )
            )
            continue
        data = None
        key = item.key
        if key is None:
            data = _read(item, outcomes, budget.bytes)
            if data is None:
                continue
            key = content_key(data, extractor.salt_for(item.light))
        todo.append((item, key, data))
    cache = _worker_cache(cache_path)
    blobs = cache.get_many(k for _, k, _ in todo) if cache is not None else {}
    fresh: list[tuple[str, bytes]] = []
    made: dict[str, Any] = {}
    for item, key, data in todo:
        cached = unpack(blobs.get(key), extractor.shape) if key in blobs else None
        if cached is not None:
            outcomes.append(Outcome(item.rel, key, cached, "cached"))
            continue
        if key in made:  # same bytes as a file just extracted (empty `__init__.py` files)
            outcomes.append(Outcome(item.rel, key, made[key], "same"))
            continue
        if data is None:  # the index knew the key but the cache lost the result: read again
            data = _read(item, outcomes, budget.bytes)
            if data is None:
                continue
            key = content_key(data, extractor.salt_for(item.light))
        extract = extractor.light if item.light and extractor.light else extractor.extract
        try:
            result = _within(budget.seconds, extract, data)
        except FileTimeout:
            outcomes.append(
                Outcome(
                    item.rel,
                    key,
                    None,
                    "skipped",
                    f"took over {budget.seconds:g} s of CPU to analyze; skipped",
                    keep=False,
                )
            )
            continue
        except Exception as exc:  # one odd file must never cost the whole run
            result = extractor.failed(f"could not analyze: {type(exc).__name__}: {exc}")
        fresh.append((key, pack(result)))
        made[key] = result
        outcomes.append(Outcome(item.rel, key, result, "parsed"))
    if cache is not None and fresh:
        cache.put_many(fresh)
    return outcomes


def _read(item: Work, outcomes: list[Outcome], limit: int) -> bytes | None:
    """The file's bytes, or None (and a skipped outcome) if unreadable or grown past `limit`."""
    try:
        with open(item.path, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        warning = f"unreadable: {exc.strerror or exc}"
        outcomes.append(Outcome(item.rel, None, None, "skipped", warning, keep=False))
        return None
    if len(data) > limit:
        warning = f"file too large (over {limit} bytes); skipped"
        outcomes.append(Outcome(item.rel, None, None, "skipped", warning, keep=False))
        return None
    return data


_CACHES: dict[str, ResultCache] = {}
"""Each process's own connection to each result cache (SQLite connections are not shared)."""


def _worker_cache(cache_path: Path | None) -> ResultCache | None:
    if cache_path is None:
        return None
    name = f"{os.getpid()}:{cache_path}"
    if name not in _CACHES:
        _CACHES[name] = ResultCache(cache_path, create=False)
    return _CACHES[name]


def close_caches() -> None:
    """Close this process's cache connections (the analyzers call it when a run ends)."""
    for cache in _CACHES.values():
        cache.close()
    _CACHES.clear()


def _raise_timeout(signum: int, frame: object) -> None:
    raise FileTimeout


def _within(seconds: float, fn: Callable[[bytes], Any], data: bytes) -> Any:
    """fn(data), raising FileTimeout after `seconds` of CPU time (in the main thread only)."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        return fn(data)
    previous = signal.signal(signal.SIGVTALRM, _raise_timeout)
    try:
        signal.setitimer(signal.ITIMER_VIRTUAL, seconds)
        if _IN_WORKER:
            signal.setitimer(signal.ITIMER_PROF, seconds * _HARD_FACTOR + 1.0)
        return fn(data)
    finally:
        signal.setitimer(signal.ITIMER_VIRTUAL, 0)
        if _IN_WORKER:
            signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGVTALRM, previous)


def _chunks(work: list[Work], workers: int) -> list[list[Work]]:
    """Chunks of similar cost (bytes, a light file's a share of them), costliest files first,
    so workers finish together."""
    items = sorted(work, key=lambda w: (-_cost(w), w.rel))
    total = sum(_cost(w) for w in work)
    target = max(64_000, min(_CHUNK_BYTES, total // (workers * 8) + 1))
    chunks: list[list[Work]] = []
    current: list[Work] = []
    size = 0
    for item in items:
        current.append(item)
        size += _cost(item)
        if size >= target:
            chunks.append(current)
            current, size = [], 0
    if current:
        chunks.append(current)
    return chunks


def _cost(item: Work) -> int:
    """What extracting a file costs, in bytes of a full extraction."""
    return item.size // _LIGHT_SHARE if item.light else item.size
