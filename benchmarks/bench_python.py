"""Benchmarks the Python analyzer cold and warm on a tree, next to grimp's import graph build.

Usage: python benchmarks/bench_python.py PATH [--cache-dir D] [--jobs N]
Targets (saleor, 4,300 files, 2 cores): cold <= 2.4 s, warm < 0.8 s, peak RSS < 1 GB.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analyzers.python import analyze_python_with_stats

_GRIMP = """
import sys, time
sys.path.insert(0, sys.argv[1])
import grimp
start = time.perf_counter()
graph = grimp.build_graph(sys.argv[2], cache_dir=None)
print(time.perf_counter() - start, len(graph.modules))
"""


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _run(path: Path, cache: Path, jobs: int | None) -> tuple[float, float, object, object]:
    cpu = _cpu()
    start = time.perf_counter()
    facts, stats = analyze_python_with_stats(path, jobs=jobs, cache_dir=cache)
    return time.perf_counter() - start, _cpu() - cpu, facts, stats


def _top_package(path: Path) -> tuple[Path, str] | None:
    for base in (path, path / "src"):
        if not base.is_dir():
            continue
        packages = sorted(
            p.name
            for p in base.iterdir()
            if (p / "__init__.py").is_file() and p.name.isidentifier()
        )
        if packages:
            return base, max(packages, key=lambda n: sum(1 for _ in (base / n).rglob("*.py")))
    return None


def _grimp(path: Path) -> str:
    found = _top_package(path)
    if found is None:
        return "n/a (no importable top-level package)"
    base, package = found
    done = subprocess.run(
        [sys.executable, "-c", _GRIMP, str(base), package],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        return f"failed: {done.stderr.strip().splitlines()[-1:]}"
    seconds, modules = done.stdout.split()
    return f"{float(seconds):.2f} s ({package}, {modules} modules)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--cache-dir", type=Path, default=None)
    parser.add_argument("--jobs", type=int, default=None)
    args = parser.parse_args()
    temp = None
    cache = args.cache_dir
    if cache is None:
        temp = tempfile.mkdtemp(prefix="bench-python-")
        cache = Path(temp)
    elif cache.exists():
        shutil.rmtree(cache)
    try:
        cold, cold_cpu, facts, stats = _run(args.path, cache, args.jobs)
        warm, warm_cpu, _, warm_stats = _run(args.path, cache, args.jobs)
    finally:
        if temp:
            shutil.rmtree(temp, ignore_errors=True)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"files        {stats.files}")
    print(f"lines        {stats.lines}")
    print(f"units        {len(facts.units)}")
    print(f"edges        {len(facts.dependencies)}")
    print(f"cold s       {cold:.2f}   (cpu {cold_cpu:.2f} s, parsed {stats.parsed})")
    print(f"warm s       {warm:.2f}   (cpu {warm_cpu:.2f} s, parsed {warm_stats.parsed})")
    print(f"peak RSS MB  {own:.0f} (main) + {kids:.0f} (largest worker)")
    print(f"grimp cold   {_grimp(args.path)}")


if __name__ == "__main__":
    main()
