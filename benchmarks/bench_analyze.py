"""Benchmarks the analyze stage of `planner run` (analyzers, merge, redaction), cold and warm.

Usage: python benchmarks/bench_analyze.py PATH [--runs R] [--no-git]

Each round runs `planner.pipeline.analyze` in a fresh process (the analyzers' imports count,
as in a CLI run; `planner.pipeline` and what it imports, loaded before, do not): once with an
empty cache folder (cold), then R times with the same folder (warm). Printed: the seconds per
stage (`--timings`' names), what no stage times (imports, merging), the wall and CPU seconds of
the whole stage; the warm figures are the best of the R runs (a shared machine is noisy).
Target (issue 16, saleor, 2 cores): warm <= 0.5 s.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_WARM = 0.5

_ONE = """
import json, sys, time
from pathlib import Path
from planner import pipeline
from planner.config import load_config
from planner.timings import Clock
clock = Clock()
start, cpu = time.perf_counter(), time.process_time()
sources = pipeline.Sources(git=sys.argv[3] == "git", cache_dir=Path(sys.argv[2]))
pipeline.analyze(Path(sys.argv[1]), load_config(None), sources, clock)
wall, cpu = time.perf_counter() - start, time.process_time() - cpu
print(json.dumps({"stages": clock.seconds, "wall": wall, "cpu": cpu}))
"""


def _once(path: Path, cache: Path, git: bool) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", _ONE, str(path), str(cache), "git" if git else "-"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _show(label: str, run: dict) -> None:
    stages = run["stages"]
    untimed = run["wall"] - sum(stages.values())
    parts = "  ".join(f"{name} {seconds:.3f}" for name, seconds in stages.items())
    total = f"wall {run['wall']:.3f} s  cpu {run['cpu']:.3f} s"
    print(f"{label:5} {total}  |  {parts}  untimed {untimed:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-git", action="store_true", help="leave the history out")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-analyze-") as folder:
        cache = Path(folder)
        _show("cold", _once(args.path, cache, not args.no_git))
        warm = [_once(args.path, cache, not args.no_git) for _ in range(args.runs)]
    best = min(warm, key=lambda r: r["wall"])
    _show("warm", best)
    verdict = "ok" if best["wall"] <= TARGET_WARM else "over"
    print(f"warm target <= {TARGET_WARM} s: {verdict} (best of {args.runs})")


if __name__ == "__main__":
    main()
