"""Runs `planner run` on each app of a corpus at its pinned commit and scores the plan it makes.

Usage (from the repository root; see docs/benchmark-decomposition.md):

    .venv/bin/python benchmarks/decomposition/run.py --mirror-root /work/.mirror
    .venv/bin/python benchmarks/decomposition/run.py --app spring-petclinic --ablate all
    .venv/bin/python benchmarks/decomposition/run.py --set services.max=8 --json
    .venv/bin/python benchmarks/decomposition/run.py --mirror-root /work/.mirror --ablate all \
        --skip-ablation nova-placement --doc docs/benchmark-decomposition.md

Each app is a local tree (`path`) or a git repository (`repo` at `commit`), taken from
`--source NAME=PATH` (a git dir or a checkout) or from `--mirror-root` (`OWNER+NAME/repo`, as the
`fetch` tool lays mirrors out), and checked out into a temporary directory. The table gives our
score by `planner evaluate`'s code and, for the ASE'24 apps, by the study's own score.py; the
adjusted Rand index; the best published number; the package baseline (each unit in the cluster of
its own package) and the "every unit alone" baseline, both scored the same way; the run time; and
the plan's service names. Real extractions (`score = "extraction"`) report the F1 of the service
that best matches the reference service instead of MoJoFM.

`--doc FILE` rewrites the block between `BLOCK_BEGIN` and `BLOCK_END` in FILE with the tables,
the date, the commit and the exact command; `--from-json` renders that block (or the tables)
from earlier `--json` outputs instead of running again.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import tomli_w

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from analyzers.errors import InputError  # noqa: E402
from analyzers.facts import Facts, UnitId, read_facts  # noqa: E402
from planner.config import CONFIG_FILE, Weights  # noqa: E402
from planner.evaluate import (  # noqa: E402
    Clusters,
    RsfTruth,
    adjusted_rand,
    best_match,
    evaluate,
    load_truth,
    mojofm,
    plan_clusters,
    rsf_scores,
)
from planner.plan import Plan, read_plan  # noqa: E402

Truth = dict[UnitId, str] | RsfTruth

CORPUS = Path(__file__).resolve().parent / "corpus.toml"
BLOCK_BEGIN = "<!-- benchmark:begin (written by benchmarks/decomposition/run.py --doc) -->"
BLOCK_END = "<!-- benchmark:end -->"
"""The markers of the generated results block in the benchmark's document."""
SHARED = "../shared/"
"""Corpus paths under this prefix live in the shared folder beside the checkout (or above it)."""


@dataclass(frozen=True)
class App:
    """One benchmark app: where its code is, its reference, and the best published number."""

    name: str
    truth: Path
    score: str = "mojofm"
    repo: str = ""
    commit: str = ""
    path: Path | None = None
    history: str = ""
    schema: tuple[str, ...] = ()
    best: float | None = None
    best_tool: str = ""


@dataclass(frozen=True)
class Row:
    """One app's scores: ours, score.py's, and the baselines, on one metric (MoJoFM or F1)."""

    app: str
    metric: str
    ours: float
    score_py: float | None
    ari: float | None
    best: float | None
    best_tool: str
    package: float
    alone: float
    services: tuple[str, ...]
    seconds: float
    detail: str = ""
    history: str = ""


@dataclass(frozen=True)
class Ablation:
    """One app's score with one signal weight set to 0, and its change from the full run."""

    app: str
    signal: str
    metric: str
    ours: float
    delta: float
    seconds: float


def weight_names() -> list[str]:
    """The `[weights]` keys of planner.toml, read from the planner's own defaults."""
    return [f.name.rstrip("_") for f in fields(Weights)]


def resolve(path: str, root: Path = ROOT) -> Path:
    """A corpus path: relative to the repository root; `../shared/...` in the nearest shared dir."""
    if not path.startswith(SHARED):
        return (root / path).resolve()
    rest = path.removeprefix(SHARED)
    for base in (root, *root.parents):
        candidate = base.parent / "shared" / rest
        if candidate.exists():
            return candidate
    raise InputError(f"{path}: no shared/ folder beside {root} or above it (CI copies it there)")


def load_corpus(path: Path, root: Path = ROOT) -> list[App]:
    """Every app of a corpus file, in file order; paths resolved against `root`."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise InputError(f"{path}: cannot read the corpus: {error}") from None
    apps = []
    for entry in data.get("app", []):
        if not entry.get("repo") and not entry.get("path"):
            raise InputError(f"{path}: app {entry.get('name')!r} needs a repo or a path")
        if entry.get("score", "mojofm") not in ("mojofm", "extraction"):
            raise InputError(f"{path}: app {entry.get('name')!r}: score is mojofm or extraction")
        if entry.get("score") == "extraction" and entry["truth"].endswith(".rsf"):
            raise InputError(f"{path}: app {entry.get('name')!r}: extraction needs a TOML truth")
        apps.append(
            App(
                name=entry["name"],
                truth=resolve(entry["truth"], root),
                score=entry.get("score", "mojofm"),
                repo=entry.get("repo", ""),
                commit=entry.get("commit", ""),
                path=resolve(entry["path"], root) if entry.get("path") else None,
                history=entry.get("history", ""),
                schema=tuple(entry.get("schema", ())),
                best=entry.get("best"),
                best_tool=entry.get("best_tool", ""),
            )
        )
    if not apps:
        raise InputError(f"{path}: no [[app]] entry")
    return apps


def _git(*args: str) -> None:
    result = subprocess.run(["git", *args], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise InputError(f"git {' '.join(args[:3])}...: {result.stderr.strip()[-300:]}")


def checkout(app: App, work: Path, mirror_root: Path | None, source: Path | None) -> Path:
    """The app's tree at its pinned commit in `work` (a fresh clone, a copy, or a built history)."""
    origin = source or app.path
    if origin is None and mirror_root is not None:
        origin = mirror_root / app.repo.replace("/", "+") / "repo"
    if origin is None or not origin.exists():
        raise InputError(
            f"{app.name}: no tree for {app.repo or app.path} (fetch github:{app.repo}, "
            "then pass --mirror-root or --source NAME=PATH)"
        )
    if app.history:
        result = subprocess.run(
            [sys.executable, str(origin / app.history), str(work)],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise InputError(f"{app.name}: {app.history} failed: {result.stderr.strip()[-300:]}")
    elif app.commit:
        _git("clone", "--quiet", "--shared", "--no-checkout", str(origin), str(work))
        _git("-C", str(work), "-c", "advice.detachedHead=false", "checkout", "-q", app.commit)
    else:
        shutil.copytree(origin, work, symlinks=True)
    return work


def _value(text: str) -> object:
    """A `--set` value as TOML reads it (number, boolean, string, array); else the plain text."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def config_for(tree: Path, base: Path | None, sets: Sequence[str], zero: str | None) -> dict:
    """planner.toml settings: the app's own (or `base`), then each `section.key=value`, then 0."""
    origin = base or tree / CONFIG_FILE
    data = tomllib.loads(origin.read_text(encoding="utf-8")) if origin.is_file() else {}
    for item in sets:
        key, sep, text = item.partition("=")
        section, dot, name = key.strip().partition(".")
        if not sep or not dot or not name:
            raise InputError(f"--set {item!r}: expected section.key=value")
        data.setdefault(section, {})[name] = _value(text.strip())
    if zero is not None:
        data.setdefault("weights", {})[zero] = 0
    return data


def run_planner(
    tree: Path, out: Path, settings: dict, app: App, cache: Path | None = None
) -> float:
    """`planner run` on `tree` with `settings` as its planner.toml; the wall time in seconds.

    Without `cache` the run is cold (its cache goes into `out`); with one, parse results and
    history read by an earlier run are reused (their keys hold the settings they depend on).
    """
    config = out.parent / f"{out.name}.planner.toml"
    config.write_text(tomli_w.dumps(settings), encoding="utf-8")
    command = [sys.executable, "-m", "planner", "run", str(tree), "--out", str(out)]
    command += ["--config", str(config)]
    if cache is not None:
        command += ["--cache-dir", str(cache)]
    for schema in app.schema:
        command += ["--schema", str(tree / schema)]
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise InputError(f"{app.name}: planner run failed: {result.stderr.strip()[-500:]}")
    return round(seconds, 1)


def score_py(truth: Path, plan_json: Path) -> float | None:
    """The ASE'24 study's own score (its score.py beside an `APP.gt.rsf`), or None elsewhere."""
    script = truth.parent / "score.py"
    if not truth.name.endswith(".gt.rsf") or not script.is_file():
        return None
    app = truth.name.removesuffix(".gt.rsf")
    result = subprocess.run(
        [sys.executable, str(script), app, str(plan_json)],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        return float(result.stdout.split()[-1])
    except (IndexError, ValueError):
        raise InputError(f"score.py on {app}: {(result.stdout + result.stderr).strip()}") from None


def baselines(plan: Plan, facts: Facts) -> tuple[Clusters, Clusters]:
    """The package baseline and the every-unit-alone one, over the units the plan places.

    A unit's package is the one it sits in; a Python package's `__init__` sits in itself.
    """
    units = [u for _, members in plan_clusters(plan) for u in members] + list(plan.shared_kernel)
    package_of = {u.id: u.id if u.is_package else u.package for u in facts.units}
    by_package: dict[str, list[UnitId]] = defaultdict(list)
    for unit in units:
        by_package[package_of.get(unit) or unit].append(unit)
    packages = [(name, tuple(members)) for name, members in sorted(by_package.items())]
    alone = [(unit, (unit,)) for unit in sorted(units)]
    return packages, alone


def score(app: App, truth: Truth, clusters: Clusters) -> tuple[float, float | None, str]:
    """One decomposition's score against the app's reference: (value, ARI, detail)."""
    if isinstance(truth, RsfTruth):
        mojo, rand, _ = rsf_scores(clusters, truth)
        return mojo, rand, ""
    partition = {unit: name for name, members in clusters for unit in members}
    if app.score == "extraction":
        matches = [
            best_match(partition, name, [u for u, s in truth.items() if s == name])
            for name in sorted(set(truth.values()))
        ]
        text = "; ".join(
            f"{m.reference} ~ {m.service or '-'} (P {m.precision:.2f}, R {m.recall:.2f})"
            for m in matches
        )
        return round(sum(m.f1 for m in matches) / len(matches), 4), None, text
    return mojofm(partition, truth), adjusted_rand(partition, truth), ""


def history_state(facts: Facts) -> str:
    """What the co-change signal stood on: `ok`, `partial` (git log failed midway) or `none`."""
    if not facts.change_stats:
        return "none"
    return "partial" if any(w.analyzer == "history" for w in facts.warnings) else "ok"


def score_run(app: App, out: Path, seconds: float) -> Row:
    """The row of one finished `planner run` in `out`: our score as `planner evaluate` gives it."""
    plan = read_plan(out / "plan.json")
    facts = read_facts(out / "facts.json")
    truth = load_truth(app.truth)
    if app.score == "extraction":
        ours, rand, detail = score(app, truth, plan_clusters(plan))
    else:
        metrics = evaluate(plan, facts, truth).metrics
        ours, rand, detail = metrics["mojofm"], metrics["adjusted_rand"], ""
    packages, alone = baselines(plan, facts)
    return Row(
        app=app.name,
        metric="F1" if app.score == "extraction" else "MoJoFM",
        ours=ours,
        score_py=score_py(app.truth, out / "plan.json"),
        ari=rand,
        best=app.best,
        best_tool=app.best_tool,
        package=score(app, truth, packages)[0],
        alone=score(app, truth, alone)[0],
        services=tuple(s.name for s in plan.services),
        seconds=seconds,
        detail=detail,
        history=history_state(facts),
    )


def _cell(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def render_rows(rows: Sequence[Row]) -> str:
    """The Markdown table of a benchmark run."""
    lines = [
        "| app | metric | ours | score.py | ARI | best published | package baseline "
        "| every unit alone | time (s) | history | services |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        best = f"{_cell(r.best)} ({r.best_tool})" if r.best is not None else "-"
        names = ", ".join(r.services) + (f"; {r.detail}" if r.detail else "")
        lines.append(
            f"| {r.app} | {r.metric} | {_cell(r.ours)} | {_cell(r.score_py)} | {_cell(r.ari)} "
            f"| {best} | {_cell(r.package)} | {_cell(r.alone)} | {r.seconds:g} | {r.history} "
            f"| {names} |"
        )
    return "\n".join(lines) + "\n"


def render_ablations(rows: Sequence[Ablation]) -> str:
    """The Markdown table of an ablation run: each signal at 0 and what that changes."""
    lines = [
        "| app | signal at 0 | metric | score | delta | time (s) |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.app} | {r.signal} | {r.metric} | {r.ours:g} | {r.delta:+g} | {r.seconds:g} |"
        )
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Run:
    """Where a set of rows came from: the commands, the planner's commit, the date (UTC)."""

    commands: tuple[str, ...]
    commit: str
    date: str


def this_run(argv: Sequence[str]) -> Run:
    """This invocation: its command line, the checkout's commit (`+changes` when the planner's
    or analyzers' code differs from it), today's date."""
    command = shlex.join([".venv/bin/python", "benchmarks/decomposition/run.py", *argv])
    commit = "unknown"
    head = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    )
    if head.returncode == 0:
        commit = head.stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--", "analyzers", "planner"],
            capture_output=True,
            text=True,
            check=False,
        )
        if dirty.stdout.strip():
            commit += "+changes"
    today = datetime.datetime.now(datetime.UTC).date().isoformat()
    return Run((command,), commit, today)


def render_block(rows: Sequence[Row], ablations: Sequence[Ablation], runs: Sequence[Run]) -> str:
    """The document's generated block: provenance, command(s), the table and the ablations."""
    dates = sorted({r.date for r in runs})
    commits = sorted({r.commit for r in runs})
    lines = [BLOCK_BEGIN]
    if runs:
        lines += [
            f"Measured on {', '.join(dates)} (UTC), planner at commit {', '.join(commits)}, with:",
            "",
            "```sh",
            *(c for r in runs for c in r.commands),
            "```",
            "",
        ]
    lines.append(render_rows(rows).rstrip("\n"))
    if ablations:
        lines += [
            "",
            "Each `[weights]` key at 0 (`--ablate all`), all else as in the table; delta = score "
            "at 0 minus the full run's (positive: the signal costs that app):",
            "",
            render_ablations(ablations).rstrip("\n"),
        ]
    return "\n".join([*lines, BLOCK_END]) + "\n"


def replace_block(doc: Path, block: str) -> None:
    """Write `block` over the one between the markers in `doc` (temp file, then rename)."""
    try:
        text = doc.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"{doc}: cannot read: {error}") from None
    start = text.find(BLOCK_BEGIN)
    end = text.find(BLOCK_END, start) if start >= 0 else -1
    if end < 0:
        raise InputError(f"{doc}: no {BLOCK_BEGIN} ... {BLOCK_END} block to replace")
    new = text[:start] + block + text[end + len(BLOCK_END) :].removeprefix("\n")
    temp = doc.with_name(f".{doc.name}.tmp")
    temp.write_text(new, encoding="utf-8")
    os.replace(temp, doc)


def load_results(paths: Sequence[Path]) -> tuple[list[Row], list[Ablation], list[Run]]:
    """Rows, ablations and runs of earlier `--json` outputs; an app's first row wins."""
    rows: dict[str, Row] = {}
    ablations: dict[tuple[str, str], Ablation] = {}
    runs: list[Run] = []
    for path in paths:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            for item in data["rows"]:
                item["services"] = tuple(item["services"])
                rows.setdefault(item["app"], Row(**item))
            for item in data["ablations"]:
                ablations.setdefault((item["app"], item["signal"]), Ablation(**item))
            if "run" in data:
                run = data["run"]
                runs.append(Run(tuple(run["commands"]), run["commit"], run["date"]))
        except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as error:
            raise InputError(f"{path}: not a run.py --json output: {error}") from None
    return list(rows.values()), list(ablations.values()), runs


@dataclass(frozen=True)
class Options:
    """What to run: sources, planner.toml overrides and ablations."""

    mirror_root: Path | None = None
    sources: dict[str, Path] | None = None
    config: Path | None = None
    sets: tuple[str, ...] = ()
    ablate: tuple[str, ...] = ()
    keep: Path | None = None
    repeat: int = 1
    skip_ablation: frozenset[str] = frozenset()


def bench_app(app: App, options: Options) -> tuple[Row, list[Ablation]]:
    """Check out one app, run the planner on it (and once per ablated signal), score each run."""
    with tempfile.TemporaryDirectory(prefix=f"bench-{app.name}-") as tmp:
        work = Path(tmp)
        source = (options.sources or {}).get(app.name)
        tree = checkout(app, work / "tree", options.mirror_root, source)
        out = (options.keep / app.name) if options.keep else work / "out"
        out.parent.mkdir(parents=True, exist_ok=True)
        settings = config_for(tree, options.config, options.sets, None)
        times, plans = [], set()
        for _ in range(options.repeat):
            if out.exists():
                shutil.rmtree(out)  # a cold run each time: no parse or history cache
            times.append(run_planner(tree, out, settings, app))
            plans.add((out / "plan.json").read_bytes())
        if len(plans) > 1:
            raise InputError(f"{app.name}: {len(plans)} different plans in {options.repeat} runs")
        row = score_run(app, out, min(times))
        ablations = []
        for signal in () if app.name in options.skip_ablation else options.ablate:
            zero_out = work / f"out-{signal}"
            settings = config_for(tree, options.config, options.sets, signal)
            seconds = run_planner(tree, zero_out, settings, app, out / ".planner-cache")
            zero = score_run(app, zero_out, seconds)
            ablations.append(
                Ablation(
                    app.name,
                    signal,
                    row.metric,
                    zero.ours,
                    round(zero.ours - row.ours, 4),
                    zero.seconds,
                )
            )
        return row, ablations


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="corpus.toml to run")
    parser.add_argument("--app", action="append", default=[], help="only this app (repeatable)")
    parser.add_argument("--mirror-root", type=Path, help="folder of OWNER+NAME/repo git mirrors")
    parser.add_argument(
        "--source", action="append", default=[], help="NAME=PATH: a git dir or tree for one app"
    )
    parser.add_argument("--config", type=Path, help="planner.toml to start from (default: app's)")
    parser.add_argument("--set", action="append", default=[], help="section.key=value override")
    parser.add_argument(
        "--ablate",
        action="append",
        default=[],
        help="weight to set to 0 in an extra run (repeatable; 'all' = every [weights] key)",
    )
    parser.add_argument("--keep", type=Path, help="keep each app's planner output here")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run the planner N times per app (cold each time); report the best time and "
        "fail if the plans differ",
    )
    parser.add_argument(
        "--skip-ablation",
        action="append",
        default=[],
        help="app whose ablation runs are skipped (repeatable; its row is still measured)",
    )
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    parser.add_argument(
        "--doc", type=Path, help="also rewrite the generated block of this Markdown file"
    )
    parser.add_argument(
        "--from-json",
        type=Path,
        action="append",
        default=[],
        help="render earlier --json outputs instead of running (repeatable)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; print its table (or JSON). Exit 2 on a usage or input error."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = _parse(argv)
    try:
        if args.from_json:
            rows, ablations, runs = load_results(args.from_json)
        else:
            rows, ablations = _measure(args)
            runs = [this_run(argv)]
        if args.doc:
            replace_block(args.doc, render_block(rows, ablations, runs))
    except InputError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.json:
        data = {
            "rows": [asdict(r) for r in rows],
            "ablations": [asdict(a) for a in ablations],
            "run": {"commands": [c for r in runs for c in r.commands], "commit": "", "date": ""},
        }
        if runs:
            data["run"]["commit"] = ", ".join(sorted({r.commit for r in runs}))
            data["run"]["date"] = ", ".join(sorted({r.date for r in runs}))
        print(json.dumps(data, indent=2, sort_keys=True))
    else:
        print(render_rows(rows), end="")
        if ablations:
            print()
            print(render_ablations(ablations), end="")
    return 0


def _measure(args: argparse.Namespace) -> tuple[list[Row], list[Ablation]]:
    """Every wanted app of the corpus run and scored, with its ablation runs."""
    apps = load_corpus(args.corpus)
    known = weight_names()
    ablate = known if "all" in args.ablate else args.ablate
    unknown = sorted(set(ablate) - set(known))
    if unknown:
        raise InputError(f"unknown weight(s) {', '.join(unknown)}; known: {', '.join(known)}")
    wanted = set(args.app)
    missing = wanted - {a.name for a in apps}
    if missing:
        raise InputError(f"no app named {', '.join(sorted(missing))} in {args.corpus}")
    sources = {}
    for item in args.source:
        name, sep, path = item.partition("=")
        if not sep:
            raise InputError(f"--source {item!r}: expected NAME=PATH")
        sources[name] = Path(path)
    if args.repeat < 1:
        raise InputError("--repeat must be at least 1")
    options = Options(
        args.mirror_root,
        sources,
        args.config,
        tuple(args.set),
        tuple(ablate),
        args.keep,
        args.repeat,
        frozenset(args.skip_ablation),
    )
    rows, ablations = [], []
    for app in apps:
        if wanted and app.name not in wanted:
            continue
        print(f"running {app.name}", file=sys.stderr, flush=True)
        row, more = bench_app(app, options)
        rows.append(row)
        ablations.extend(more)
    return rows, ablations


if __name__ == "__main__":
    sys.exit(main())
