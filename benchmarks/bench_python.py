"""Benchmarks the Python analyzer cold and warm on a tree, side by side with grimp's import graph.

Usage: python benchmarks/bench_python.py PATH [--cache-dir D] [--jobs N] [--runs R]

Each of R rounds runs, one after the other: grimp's cold build of the tree's main package (in a
fresh process), the analyzer cold (empty cache) and warm (the same again). The best of the
rounds is printed for each (a shared machine is noisy: compare figures of one run only), with
the targets of issue 16 (saleor, 2 cores): cold <= 3x grimp cold, warm <= grimp cold.
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


def _grimp_seconds(path: Path) -> tuple[float | None, str]:
    found = _top_package(path)
    if found is None:
        return None, "no importable top-level package"
    base, package = found
    done = subprocess.run(
        [sys.executable, "-c", _GRIMP, str(base), package],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        return None, f"failed: {done.stderr.strip().splitlines()[-1:]}"
    seconds, modules = done.stdout.split()
    return float(seconds), f"{package}, {modules} modules"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--cache-dir", type=Path, default=None)
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--runs", type=int, default=3, help="rounds; the best of each is shown")
    args = parser.parse_args()
    temp = tempfile.mkdtemp(prefix="bench-python-")
    colds, warms, grimps = [], [], []
    grimp_what = ""
    try:
        for round_ in range(args.runs):
            cache = (args.cache_dir or Path(temp)) / f"round-{round_}"
            if cache.exists():
                shutil.rmtree(cache)
            seconds, grimp_what = _grimp_seconds(args.path)
            if seconds is not None:
                grimps.append(seconds)
            cold, cold_cpu, facts, stats = _run(args.path, cache, args.jobs)
            warm, warm_cpu, _, warm_stats = _run(args.path, cache, args.jobs)
            colds.append((cold, cold_cpu))
            warms.append((warm, warm_cpu))
            print(
                f"round {round_ + 1}: grimp {seconds or float('nan'):.2f} s, "
                f"cold {cold:.2f} s, warm {warm:.2f} s",
                file=sys.stderr,
            )
    finally:
        shutil.rmtree(temp, ignore_errors=True)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    cold, cold_cpu = min(colds)
    warm, warm_cpu = min(warms)
    grimp = min(grimps) if grimps else None
    print(f"files        {stats.files}")
    print(f"lines        {stats.lines}")
    print(f"units        {len(facts.units)}")
    print(f"edges        {len(facts.dependencies)}")
    print(f"rounds       {args.runs} (best of each shown)")
    print(f"grimp cold   {f'{grimp:.2f} s' if grimp else 'n/a'} ({grimp_what})")
    print(f"cold s       {cold:.2f}   (cpu {cold_cpu:.2f} s, parsed {stats.parsed})", end="")
    print(f"   {cold / grimp:.1f}x grimp (target <= 3x)" if grimp else "")
    print(f"warm s       {warm:.2f}   (cpu {warm_cpu:.2f} s, parsed {warm_stats.parsed})", end="")
    print(f"   {warm / grimp:.1f}x grimp (target <= 1x)" if grimp else "")
    print(f"peak RSS MB  {own:.0f} (main) + {kids:.0f} (largest worker)")


if __name__ == "__main__":
    main()
