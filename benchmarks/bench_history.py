"""Times the history analyzer on a real repository and reports its peak memory.

Usage: python benchmarks/bench_history.py REPO [--since DATE] [--bulk-threshold N]

Units are every tracked `.py` file of REPO. Peak RSS is reported for this process (the parser)
and for its children (`git log`, which does the rename detection), from `getrusage`.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path

from analyzers.facts import Unit
from analyzers.history import analyze_history


def python_units(repo: Path) -> list[Unit]:
    """One Unit per tracked .py file (id from the path; no file is read)."""
    listed = subprocess.run(
        ["git", "-C", str(repo), "ls-files", "-z", "--", "*.py"],
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8", errors="replace")
    units = []
    for path in sorted(p for p in listed.split("\0") if p):
        module = path.removesuffix(".py").replace("/", ".")
        package = module.rsplit(".", 1)[0] if "." in module else ""
        units.append(Unit(id=module, path=path, language="python", lines=0, package=package))
    return units


def peak_mib(who: int) -> float:
    """Peak resident set size in MiB (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(who).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo", type=Path)
    parser.add_argument("--since", default=None)
    parser.add_argument("--bulk-threshold", type=int, default=50)
    args = parser.parse_args(argv)

    units = python_units(args.repo)
    commits = [0]
    start = time.perf_counter()
    facts = analyze_history(
        args.repo,
        units,
        since=args.since,
        bulk_threshold=args.bulk_threshold,
        progress=lambda n: commits.__setitem__(0, n),
    )
    elapsed = time.perf_counter() - start

    print(f"repository        {args.repo}")
    print(f"units (.py files) {len(units)}")
    print(f"commits read      {commits[0]}")
    print(f"units with stats  {len(facts.change_stats)}")
    print(f"co-change pairs   {len(facts.co_changes)} (support >= 2)")
    print(f"time              {elapsed:.1f} s")
    print(f"peak RSS python   {peak_mib(resource.RUSAGE_SELF):.0f} MiB")
    print(f"peak RSS git      {peak_mib(resource.RUSAGE_CHILDREN):.0f} MiB")
    for warning in facts.warnings:
        print(f"warning           {warning.message}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
