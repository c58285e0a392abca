"""Times what users wait for: `planner run` cold and warm, the what-if loop, and the scaling.

Usage: python benchmarks/bench_run.py PATH [--runs N] [--scales 1,2,4] [--no-grimp]
                                             [--baseline SRC]

On the tree at PATH (an export without `.git`, so history is left out), each in a fresh
process, best of `--runs` (the machine may be shared: say so with the numbers):

* grimp's import graph of PATH's top-level packages (cold, no cache), as the yardstick;
* `planner run PATH` cold (empty output and cache) and warm (again, same output and cache),
  with the stage timings of the best run (`--timings`) and its peak memory;
* the what-if loop, in rounds of `planner plan` from the warm run's facts.json then `planner
  report`, as a user edits planner.toml between them: as it is, `wave_size` changed, the
  runner-up pinned first with `--first`; and, reported apart, a `[weights]` edit (the
  clustering runs again: a miss of the design cache); each round also as one process,
  `planner plan --report` (the loop in one step);
* facts.json's size, and the time to write it (`in_file_form` + `encode`) and read it back
  (`read_facts`), in-process, best of 5, in a fresh process per planner version;
* `planner analyze` cold on 1x, 2x, 4x... copies of the tree (`--scales`; each copy's source
  files differ by a comment), with the time per copy: it must stay flat (linear growth).

The runs and the loop work on a copy of the tree (PATH is never written, not even its files'
metadata): the loop writes the copy's own planner.toml, as a user would (starting from PATH's,
if any).

Every planner process runs with its modules' bytecode compiled beforehand (`with_bytecode`), as
an installed planner does, whatever `PYTHONDONTWRITEBYTECODE` says.

Peak memory is the largest resident set of the planner process or of any of its workers
(`wait4`'s `ru_maxrss`). Each cold run gets an empty user cache folder (`XDG_CACHE_HOME`); the
warm run and the what-if loop share it.

`--baseline SRC`: a source tree of another planner version (e.g. `git archive main`), run by the
same Python with `PYTHONPATH=SRC`; its run, what-if loop, facts size and peak memory are measured
in the same run, interleaved with ours, and printed beside them (before/after).
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
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import tomli_w

ROOT = Path(__file__).resolve().parents[1]
PLANNER = [sys.executable, "-P", "-m", "planner"]
"""`-P`: the planner comes from `PYTHONPATH` or the installed package, never from the cwd."""


@dataclass(frozen=True)
class Measure:
    """One timed process: wall seconds, peak RSS in MiB, its stderr and CPU seconds (user +
    system, its waited-for workers included): on a shared machine, CPU time is the steadier."""

    seconds: float
    peak_mib: float
    stderr: str
    cpu: float = 0.0


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
    cpu = usage.ru_utime + usage.ru_stime
    return Measure(seconds, usage.ru_maxrss / 1024, stderr, cpu)


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
    other files are copied as they are (not hard links: see `tree_copy`)."""
    for i in range(n):

        def copy(source: str, destination: str, i: int = i) -> None:
            mark = MARKS.get(Path(source).suffix)
            if mark is None:
                shutil.copy2(source, destination)
            else:
                data = Path(source).read_bytes()
                Path(destination).write_bytes(data + b"\n" + mark.format(i).encode())

        shutil.copytree(tree, target / f"copy{i}", copy_function=copy, symlinks=True)
    return target


@dataclass(frozen=True)
class Round:
    """One round of the what-if loop: the change made, then `planner plan` and `planner report`;
    `recluster`: a change of the clustering's settings (the design cache misses)."""

    change: str
    plan: Measure
    report: Measure
    recluster: bool = False
    together: Measure | None = None
    """The same round in one process, `planner plan --report` (None: a version without it)."""

    @property
    def seconds(self) -> float:
        return self.plan.seconds + self.report.seconds

    @property
    def cpu(self) -> float:
        return self.plan.cpu + self.report.cpu


@dataclass(frozen=True)
class RunMeasures:
    """One planner version's run cold and warm, what-if rounds (plan + report) and facts.json."""

    cold: Measure
    warm: Measure
    rounds: tuple[Round, ...]
    facts_mb: float
    facts_write: float = 0.0
    facts_read: float = 0.0

    @property
    def what_if(self) -> float:
        """The slowest round that changes only the order (no clustering expected)."""
        return max(r.seconds for r in self.rounds if not r.recluster)

    @property
    def what_if_together(self) -> float:
        """The slowest round without clustering as one `planner plan --report` (0: not run)."""
        return max(
            (r.together.seconds for r in self.rounds if r.together and not r.recluster), default=0.0
        )

    @property
    def what_if_recluster(self) -> float:
        """The slowest round that changes the clustering's settings."""
        return max((r.seconds for r in self.rounds if r.recluster), default=0.0)

    @property
    def plan(self) -> Measure:
        return self.rounds[0].plan


RACY_SECONDS = 2.0
"""A file changed this close before a run is hashed again by the next one (`analyzers.cache`'s
racy-index rule): a fresh copy waits this long so the warm run is a warm run."""


def tree_copy(tree: Path, target: Path) -> Path:
    """A copy of `tree` (a copy, not hard links: a link would change the ctime of PATH's files
    and so the stamps other runs on PATH hold), ready for a cold run."""
    shutil.copytree(tree, target, symlinks=True)
    time.sleep(RACY_SECONDS)
    return target


def edit_config(tree: Path, original: dict, **sections: dict) -> None:
    """Write `tree`'s planner.toml: `original` with `sections`' keys set (a user's edit)."""
    data = {name: dict(value) for name, value in original.items()}
    for name, values in sections.items():
        data.setdefault(name, {}).update(values)
    (tree / "planner.toml").write_text(tomli_w.dumps(data), encoding="utf-8")


def what_if_round(
    change: str,
    facts: Path,
    out: Path,
    env: dict[str, str],
    *extra: str,
    recluster: bool = False,
    together_env: dict[str, str] | None = None,
) -> Round:
    """`planner plan` (with `extra` options) from `facts` into `out`, then `planner report`;
    then the same in one process, `planner plan --report`, into `out`-together with its own
    user cache `together_env` (so it finds only what its own earlier rounds left, as a user's
    loop would: no diagram or clustering the two commands just cached), when the version has
    it."""
    plan = timed([*PLANNER, "plan", str(facts), "--out", str(out), "--timings", *extra], env)
    report = timed(
        [*PLANNER, "report", str(out / "plan.json"), "--facts", str(facts),
         "--out", str(out), "--timings"],
        env,
    )  # fmt: skip
    together = None
    if together_env is not None and has_plan_report(together_env):
        both = out.with_name(f"{out.name}-together")
        both.mkdir(exist_ok=True)
        command = [*PLANNER, "plan", str(facts), "--out", str(both), "--report", "--timings"]
        together = timed([*command, *extra], together_env)
    return Round(change, plan, report, recluster, together)


def has_plan_report(env: dict[str, str]) -> bool:
    """Whether the planner version of `env` has `planner plan --report`."""
    shown = subprocess.run(
        [*PLANNER, "plan", "--help"], env=env, capture_output=True, text=True, check=False
    )
    return "--report" in shown.stdout


def runner_up(plan_json: Path) -> str | None:
    """The plan's runner-up for the first move (plan.json's `first_choice`), if any."""
    choice = json.loads(plan_json.read_text(encoding="utf-8")).get("first_choice") or {}
    return choice.get("runner_up") or None


def measure_runs(tree: Path, work: Path, env: dict[str, str]) -> RunMeasures:
    """`planner run` cold (empty output and user cache) then warm, then the what-if rounds, on a
    copy of `tree` whose planner.toml the rounds edit."""
    work.mkdir(parents=True)
    env = {**env, "XDG_CACHE_HOME": str(work / "cache")}
    own = tree / "planner.toml"
    original = tomllib.loads(own.read_text(encoding="utf-8")) if own.is_file() else {}
    copy = tree_copy(tree, work / tree.name)
    if original:
        edit_config(copy, original)
    out = work / "out"
    run = [*PLANNER, "run", str(copy), "--out", str(out), "--no-git", "--timings"]
    cold = timed(run, env)
    warm = timed(run, env)
    facts = out / "facts.json"
    what_if = work / "what-if"
    one = {**env, "XDG_CACHE_HOME": str(shutil.copytree(work / "cache", work / "cache-one"))}
    rounds = [what_if_round("as it is", facts, what_if, env, together_env=one)]
    wave_size = original.get("planner", {}).get("wave_size", 3)
    edit_config(copy, original, planner={"wave_size": 1 if wave_size == 2 else 2})
    rounds.append(what_if_round("wave_size edited", facts, what_if, env, together_env=one))
    second = runner_up(what_if / "plan.json")
    if second is not None:
        rounds.append(
            what_if_round(
                f"--first {second}", facts, what_if, env, "--first", second, together_env=one
            )
        )
    call = original.get("weights", {}).get("call", 1.0)
    edit_config(copy, original, weights={"call": call * 1.5})
    rounds.append(
        what_if_round("[weights] edited", facts, what_if, env, recluster=True, together_env=one)
    )
    write, read = facts_io(facts, env)
    return RunMeasures(cold, warm, tuple(rounds), facts.stat().st_size / 1e6, write, read)


FACTS_IO = """
import gc, json, sys, time
from pathlib import Path
from analyzers.facts import encode, in_file_form, read_facts
path = Path(sys.argv[1]); data = path.read_bytes(); gc.collect()
def best(work):
    times = []
    for _ in range(5):
        start = time.perf_counter(); work(); times.append(time.perf_counter() - start)
    return min(times)
facts = read_facts(path, data)
assert encode(in_file_form(facts)) == data, "written again: the same bytes"
print(json.dumps([best(lambda: encode(in_file_form(facts))), best(lambda: read_facts(path, data))]))
"""


def facts_io(facts: Path, env: dict[str, str]) -> tuple[float, float]:
    """Seconds to write facts.json from the model and to read it back (best of 5 each), by the
    planner version on `env`'s `PYTHONPATH`."""
    result = subprocess.run(
        [sys.executable, "-P", "-c", FACTS_IO, str(facts)],
        env=env, capture_output=True, text=True, check=True, timeout=600,
    )  # fmt: skip
    write, read = json.loads(result.stdout)
    return write, read


def best_runs(measures: list[RunMeasures]) -> RunMeasures:
    """Each quantity's best over the runs (the machine may be shared), each round's too."""
    rounds = tuple(
        min(same, key=lambda r: r.seconds)
        for same in zip(*(m.rounds for m in measures), strict=False)
    )
    return RunMeasures(
        best([m.cold for m in measures]),
        best([m.warm for m in measures]),
        rounds,
        measures[0].facts_mb,
        min(m.facts_write for m in measures),
        min(m.facts_read for m in measures),
    )


def table(rows: dict[str, RunMeasures]) -> str:
    """The before/after table, one column per planner version."""
    names = list(rows)
    lines = ["| | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]

    def line(label: str, value: Callable[[RunMeasures], str]) -> None:
        lines.append(f"| {label} | " + " | ".join(value(rows[n]) for n in names) + " |")

    def cost(x: Measure) -> str:
        return f"{x.seconds:.2f} s ({x.cpu:.2f} s CPU), {x.peak_mib:.0f} MiB"

    line("`planner run` cold", lambda m: cost(m.cold))
    line("`planner run` warm", lambda m: cost(m.warm))
    for i, first in enumerate(rows[names[-1]].rounds):

        def loop(m: RunMeasures, i: int = i) -> str:
            if i >= len(m.rounds):
                return "-"
            r = m.rounds[i]
            return (
                f"{r.seconds:.2f} s ({r.cpu:.2f} s CPU; plan {r.plan.seconds:.2f} s, "
                f"report {r.report.seconds:.2f} s)"
            )

        line(f"what-if: {first.change} (plan + report)", loop)
    line(
        "what-if peak memory",
        lambda m: f"{max(max(r.plan.peak_mib, r.report.peak_mib) for r in m.rounds):.0f} MiB",
    )
    line("facts.json", lambda m: f"{m.facts_mb:.1f} MB")
    line("facts.json write / read", lambda m: f"{m.facts_write:.2f} s / {m.facts_read:.2f} s")
    return "\n".join(lines)


def with_bytecode(source: Path, pycache: Path) -> dict[str, str]:
    """The environment that runs the planner from `source` as an installed one runs: with its
    modules' bytecode compiled once beforehand (pip compiles a wheel's modules at install; a
    checkout writes `__pycache__` on its first run), kept under `pycache`, never in `source`,
    whatever `PYTHONDONTWRITEBYTECODE` says outside."""
    env = {**os.environ, "PYTHONPATH": str(source), "PYTHONPYCACHEPREFIX": str(pycache)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    for package in ("analyzers", "planner", "reports"):
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", str(source / package)],
            env=env, check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
    return env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--scales", default="1,2,4", help="copies of the tree to analyze cold")
    parser.add_argument("--no-grimp", action="store_true")
    parser.add_argument("--baseline", type=Path, help="source tree of the planner to compare")
    args = parser.parse_args(argv)
    tree = args.path.resolve()
    scales = [int(s) for s in args.scales.split(",") if s]
    sources = {"this": ROOT}
    if args.baseline is not None:
        sources = {"baseline": args.baseline.resolve(), **sources}

    with tempfile.TemporaryDirectory(prefix="bench-run-") as tmp:
        work = Path(tmp)
        versions = {
            name: with_bytecode(src, work / f"pycache-{name}") for name, src in sources.items()
        }
        print(f"tree              {tree}")
        print(f"runs              best of {args.runs} (load average now {os.getloadavg()[0]:.1f})")
        if not args.no_grimp:
            seconds, packages = grimp_seconds(tree, args.runs)
            print(f"grimp cold        {seconds:6.2f} s  (import graph of {', '.join(packages)})")

        measured: dict[str, list[RunMeasures]] = {name: [] for name in versions}
        for i in range(args.runs):  # interleaved, so both versions see the same machine
            for name, env in versions.items():
                measured[name].append(measure_runs(tree, work / f"{name}{i}", env))
        rows = {name: best_runs(m) for name, m in measured.items()}
        this = rows["this"]
        print(f"run cold          {this.cold.seconds:6.2f} s  peak {this.cold.peak_mib:.0f} MiB")
        print(timings_of(this.cold.stderr))
        print(f"run warm          {this.warm.seconds:6.2f} s  peak {this.warm.peak_mib:.0f} MiB")
        print(timings_of(this.warm.stderr))
        print(
            f"facts.json        {this.facts_mb:6.1f} MB  write {this.facts_write:.2f} s, "
            f"read {this.facts_read:.2f} s"
        )
        for r in this.rounds:
            peak = max(r.plan.peak_mib, r.report.peak_mib)
            print(
                f"what-if {r.change:28s} {r.seconds:6.2f} s ({r.cpu:.2f} s CPU; plan "
                f"{r.plan.seconds:.2f} s, report {r.report.seconds:.2f} s; peak {peak:.0f} MiB)"
                + (f"; one step {r.together.seconds:.2f} s" if r.together else "")
            )
        print(f"what-if loop      {this.what_if:6.2f} s  (slowest round without clustering)")
        print(f"what-if recluster {this.what_if_recluster:6.2f} s  ([weights] edited)")
        print(f"what-if one step  {this.what_if_together:6.2f} s  (`planner plan --report`)")
        print(timings_of(this.plan.stderr))
        if len(rows) > 1:
            print(table(rows))

        scaling = []
        for n in scales:
            scaled = copies(tree, work / f"scaled{n}", n)
            measures = [
                timed(
                    [*PLANNER, "analyze", str(scaled), "--out", str(work / f"a{n}"), "--no-git"],
                    {**versions["this"], "XDG_CACHE_HOME": str(work / f"a{n}-{i}-cache")},
                )
                for i in range(args.runs)
            ]
            scaling.append((n, best(measures)))
            shutil.rmtree(scaled)
        base_time = scaling[0][1].seconds / scaling[0][0] if scaling else 0.0
        for n, measure in scaling:
            per_copy = measure.seconds / n
            print(
                f"analyze cold {n}x   {measure.seconds:6.2f} s  {per_copy:.2f} s per copy "
                f"({per_copy / base_time:.2f} of 1x)  peak {measure.peak_mib:.0f} MiB"
            )
        summary = {
            name: {
                "run_cold_s": round(m.cold.seconds, 2),
                "run_warm_s": round(m.warm.seconds, 2),
                "what_if_s": round(m.what_if, 2),
                "what_if_recluster_s": round(m.what_if_recluster, 2),
                "what_if_one_step_s": round(m.what_if_together, 2),
                "facts_mb": round(m.facts_mb, 1),
                "facts_write_s": round(m.facts_write, 3),
                "facts_read_s": round(m.facts_read, 3),
                "peak_mib": round(max(m.cold.peak_mib, m.warm.peak_mib), 0),
            }
            for name, m in rows.items()
        }
        summary["this"]["scaling"] = {str(n): round(m.seconds, 2) for n, m in scaling}
        print(json.dumps(summary, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
