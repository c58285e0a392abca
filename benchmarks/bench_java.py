"""Times the Java analyzer cold (empty cache) and warm (cached) on a tree and reports peak memory.

Usage: python benchmarks/bench_java.py PATH [--jobs N] [--plan]

Prints files, classes, dependency edges by kind, tables, endpoints, cold and warm seconds, and
peak RSS of this process and of the worker processes (from `getrusage`). With `--plan` it also
runs the planner with default settings and prints the services of the first wave.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from analyzers.java import analyze_java_with_stats


def peak_mib(who: int) -> float:
    """Peak resident set size in MiB (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(who).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--plan", action="store_true", help="also plan and print the first wave")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as cache:
        start = time.perf_counter()
        facts, cold = analyze_java_with_stats(args.path, jobs=args.jobs, cache_dir=Path(cache))
        cold_s = time.perf_counter() - start
        start = time.perf_counter()
        _, warm = analyze_java_with_stats(args.path, jobs=args.jobs, cache_dir=Path(cache))
        warm_s = time.perf_counter() - start
    kinds = Counter(d.kind for d in facts.dependencies)
    roles = Counter(u.role for u in facts.units)
    print(f"files          {cold.files} ({cold.lines} lines, {cold.skipped} skipped)")
    print(f"classes        {len(facts.units)} {dict(sorted(roles.items()))}")
    print(f"edges          {len(facts.dependencies)} {dict(sorted(kinds.items()))}")
    print(f"tables         {len(facts.tables)} (orm models {len(facts.orm_models)})")
    print(f"table access   {len(facts.table_access)}")
    print(f"endpoints      {len(facts.endpoints)}")
    print(f"warnings       {len(facts.warnings)}")
    print(f"cold           {cold_s:.2f} s (parsed {cold.parsed})")
    print(f"warm           {warm_s:.2f} s (cached {warm.cached})")
    print(
        f"peak RSS       self {peak_mib(resource.RUSAGE_SELF):.0f} MiB, "
        f"workers {peak_mib(resource.RUSAGE_CHILDREN):.0f} MiB"
    )
    if args.plan:
        from planner.config import Config
        from planner.pipeline import make_plan

        start = time.perf_counter()
        plan = make_plan(facts, Config())
        print(
            f"plan           {time.perf_counter() - start:.2f} s, {len(plan.services)} services, "
            f"kernel {len(plan.shared_kernel)}"
        )
        if plan.waves:
            print(f"first wave     {plan.waves[0]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
