"""Times what users wait for: `planner run` cold and warm, the what-if loop, and the scaling.

Usage: python benchmarks/bench_run.py PATH [--runs N] [--scales 1,2,4] [--no-grimp]

On the tree at PATH (an export without `.git`, so history is left out), each in a fresh
process, best of `--runs` (the machine may be shared: say so with the numbers):

* grimp's import graph of PATH's top-level packages (cold, no cache), as the yardstick;
* `planner run PATH` cold (empty output and cache) and warm (again, same output and cache),
  with the stage timings of the best run (`--timings`) and its peak memory;
* the what-if loop: `planner plan` from the warm run's facts.json, then `planner report`;
* facts.json's size;
* `planner analyze` cold on 1x, 2x, 4x... copies of the tree (`--scales`; each copy's source
  files differ by a comment), with the time per copy: it must stay flat (linear growth).

Peak memory is the largest resident set of the planner process or of any of its workers
(`wait4`'s `ru_maxrss`).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

PLANNER = [sys.executable, "-m", "planner"]


@dataclass(frozen=True)
class Measure:
    """One timed process: wall seconds, peak RSS in MiB, and its stderr."""

    seconds: float
    peak_mib: float
    stderr: str


def timed(command: list[str], env: dict[str, str] | None = None) -> Measure:
    """Run `command`, wait for it with `wait4` to read its peak memory; fail loudly."""
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        stderr = errors.read().decode("utf-8", errors="replace")
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}): {stderr[-800:]}")
    return Measure(seconds, usage.ru_maxrss / 1024, stderr)


def best(measures: list[Measure]) -> Measure:
    return min(measures, key=lambda m: m.seconds)


def grimp_seconds(tree: Path, runs: int) -> tuple[float, list[str]]:
    """grimp's cold import graph of the tree's top-level packages (best of `runs`)."""
    packages = sorted(p.name for p in tree.iterdir() if (p / "__init__.py").is_file())
    code = (
        "import sys, time, grimp; t = time.perf_counter(); "
        f"grimp.build_graph(*{packages!r}, cache_dir=None); print(time.perf_counter() - t)"
    )
    env = {**os.environ, "PYTHONPATH": str(tree)}
    times = []
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        times.append(float(done.stdout.strip()))
    return min(times), packages


def timings_of(stderr: str) -> str:
    lines = stderr.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("timings:")), None)
    return "\n".join(lines[start + 1 :]) if start is not None else "  (none printed)"


MARKS = {".py": "# copy {}\n", ".java": "// copy {}\n"}


def copies(tree: Path, target: Path, n: int) -> Path:
    """`n` copies of `tree` side by side under `target`; each source file ends with a comment
    naming its copy, so no copy's content is another's (a cache keyed by content cannot hit);
    other files are hard links."""
    for i in range(n):

        def copy(source: str, destination: str, i: int = i) -> None:
            mark = MARKS.get(Path(source).suffix)
            if mark is None:
                os.link(source, destination)
            else:
                data = Path(source).read_bytes()
                Path(destination).write_bytes(data + b"\n" + mark.format(i).encode())

        shutil.copytree(tree, target / f"copy{i}", copy_function=copy, symlinks=True)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--scales", default="1,2,4", help="copies of the tree to analyze cold")
    parser.add_argument("--no-grimp", action="store_true")
    args = parser.parse_args(argv)
    tree = args.path.resolve()
    scales = [int(s) for s in args.scales.split(",") if s]

    with tempfile.TemporaryDirectory(prefix="bench-run-") as tmp:
        work = Path(tmp)
        print(f"tree              {tree}")
        print(f"runs              best of {args.runs} (load average now {os.getloadavg()[0]:.1f})")
        if not args.no_grimp:
            seconds, packages = grimp_seconds(tree, args.runs)
            print(f"grimp cold        {seconds:6.2f} s  (import graph of {', '.join(packages)})")

        colds, warms = [], []
        for i in range(args.runs):
            out = work / f"cold{i}"
            run = [*PLANNER, "run", str(tree), "--out", str(out), "--no-git", "--timings"]
            colds.append(timed(run))
            warms.append(timed(run))
        cold, warm = best(colds), best(warms)
        print(f"run cold          {cold.seconds:6.2f} s  peak {cold.peak_mib:.0f} MiB")
        print(timings_of(cold.stderr))
        print(f"run warm          {warm.seconds:6.2f} s  peak {warm.peak_mib:.0f} MiB")
        print(timings_of(warm.stderr))
        facts = work / "cold0" / "facts.json"
        print(f"facts.json        {facts.stat().st_size / 1e6:6.1f} MB")

        loops = []
        for i in range(args.runs):
            what_if = work / f"what-if{i}"
            plan = timed([*PLANNER, "plan", str(facts), "--out", str(what_if), "--timings"])
            report = timed(
                [*PLANNER, "report", str(what_if / "plan.json"), "--facts", str(facts),
                 "--out", str(what_if), "--timings"]
            )  # fmt: skip
            loops.append((plan.seconds + report.seconds, plan, report))
        total, plan, report = min(loops, key=lambda x: x[0])
        peak = max(plan.peak_mib, report.peak_mib)
        print(
            f"what-if loop      {total:6.2f} s  (plan {plan.seconds:.2f} s, "
            f"report {report.seconds:.2f} s; peak {peak:.0f} MiB)"
        )

        rows = []
        for n in scales:
            scaled = copies(tree, work / f"scaled{n}", n)
            measures = [
                timed(
                    [*PLANNER, "analyze", str(scaled), "--out", str(work / f"a{n}-{i}"), "--no-git"]
                )
                for i in range(args.runs)
            ]
            rows.append((n, best(measures)))
            shutil.rmtree(scaled)
        base = rows[0][1].seconds / rows[0][0] if rows else 0.0
        for n, measure in rows:
            per_copy = measure.seconds / n
            print(
                f"analyze cold {n}x   {measure.seconds:6.2f} s  {per_copy:.2f} s per copy "
                f"({per_copy / base:.2f} of 1x)  peak {measure.peak_mib:.0f} MiB"
            )
        summary = {
            "run_cold_s": round(cold.seconds, 2),
            "run_warm_s": round(warm.seconds, 2),
            "what_if_s": round(total, 2),
            "facts_mb": round(facts.stat().st_size / 1e6, 1),
            "scaling": {str(n): round(m.seconds, 2) for n, m in rows},
        }
        print(json.dumps(summary, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
