"""Times the rendering stage and the start-up of the `planner` command, in CPU seconds.

Usage: python benchmarks/bench_render.py OUT [--runs N] [--baseline SRC]

OUT is the output folder of a `planner run` (its facts.json and plan.json are read). Each
measure runs in a fresh process (a command pays its imports and first-call costs every time),
best of `--runs`, in CPU seconds (user + system, the `dot` subprocess included): the machine
may be shared, and CPU time is the steadier.

* `import planner.cli`: what every command pays before it starts, even `planner --help`;
* the rendering stage of a run, in parts: the imports (the command's and the renderers'), the
  scaffold (`write_scaffold`) and the reports (`render_reports`, the handout's what-if plan
  computed beforehand, outside the timing), with the command's garbage collector settings;
* `planner report PLAN --facts FACTS`, the whole command (the what-if plan included).

`--baseline SRC`: a source tree of another planner version (e.g. `git archive main`), measured
the same way in the same run, interleaved with ours, and printed beside it (before/after).
Each run renders into a temporary folder; the user cache folder is the caller's (warm caches
are the case measured: run it twice).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _cpu() -> float:
    """CPU seconds used so far by this process and its waited-for children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def child(facts_file: Path, plan_file: Path) -> dict[str, float]:
    """One measure of the rendering stage, in this (fresh) process."""
    import gc

    start = _cpu()
    import planner.cli  # what a command imports first
    from planner import pipeline
    from reports import render_reports
    from reports.scaffold import write_scaffold

    seconds = {"imports": _cpu() - start}
    gc.set_threshold(*getattr(planner.cli, "GC_THRESHOLDS", gc.get_threshold()))  # as main()
    facts = pipeline.load_facts(facts_file)
    plan = pipeline.load_plan(plan_file)
    alternative = pipeline.alternative_plan(facts, plan)
    with tempfile.TemporaryDirectory() as out:
        start = _cpu()
        write_scaffold(plan, facts, Path(out) / "scaffold")
        seconds["scaffold"] = _cpu() - start
        start = _cpu()
        render_reports(
            facts, plan, Path(out), warn=lambda m: None, scaffold_dir="scaffold",
            alternative=alternative,
        )  # fmt: skip
        seconds["reports"] = _cpu() - start
    seconds["rendering"] = seconds["scaffold"] + seconds["reports"]
    return seconds


def _process_cpu(command: list[str], env: dict[str, str]) -> float:
    """CPU seconds of one process (and its children), run to the end."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, env=env, check=True, capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def measure(src: Path, out: Path) -> dict[str, float]:
    """One round of every measure for the planner in `src`."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    python = [sys.executable, "-P"]
    result = {"import planner.cli": _process_cpu([*python, "-c", "import planner.cli"], env)}
    done = subprocess.run(
        [*python, str(Path(__file__).resolve()), "--child", str(out)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    result.update({f"run: {k}": v for k, v in json.loads(done.stdout).items()})
    with tempfile.TemporaryDirectory() as target:
        command = [*python, "-m", "planner", "report", str(out / "plan.json")]
        command += ["--facts", str(out / "facts.json"), "--out", target]
        result["planner report"] = _process_cpu(command, env)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="a `planner run` output folder")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--baseline", type=Path, default=None)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    out = args.out.resolve()
    if args.child:
        print(json.dumps(child(out / "facts.json", out / "plan.json")))
        return
    versions = {"ours": ROOT} | ({"baseline": args.baseline.resolve()} if args.baseline else {})
    best: dict[str, dict[str, float]] = {name: {} for name in versions}
    for _ in range(args.runs):
        for name, src in versions.items():
            for key, value in measure(src, out).items():
                best[name][key] = min(value, best[name].get(key, float("inf")))
    print(f"CPU seconds, best of {args.runs}, fresh process each")
    header = f"{'':24}{'ours':>10}" + (f"{'baseline':>10}" if args.baseline else "")
    print(header)
    for key in best["ours"]:
        row = f"{key:24}{best['ours'][key]:10.3f}"
        if args.baseline:
            row += f"{best['baseline'][key]:10.3f}"
        print(row)


if __name__ == "__main__":
    main()
