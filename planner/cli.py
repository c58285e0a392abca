"""The `planner` command: the composition root that wires analyzers, planner and reports."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import multiprocessing
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

try:  # typer >= 0.26 vendors click; older releases use click itself
    from typer._click import exceptions as cli_errors
except ImportError:  # pragma: no cover
    from click import exceptions as cli_errors

from analyzers.errors import InputError
from analyzers.facts import Facts, dumps, encode, in_file_form, merge_facts, read_facts, write_json
from analyzers.history import EXPORT_COMMAND, analyze_history
from analyzers.owners import analyze_owners
from analyzers.redact import redact_model, redact_text, redact_url, redaction_rules
from planner import __version__
from planner.checks import output_dir, source_dir
from planner.config import Config, find_config, load_config
from planner.outputs import Staging, check_writable, read_manifest, staging
from planner.plan import Plan, read_plan
from planner.timings import Clock
from reports.scaffold.profiles import CI_SYSTEMS, PROFILE_NAMES, REGISTRIES

# The parsers, database reflection, planning stages and renderers are imported where they are
# used: `planner plan` and `planner report` (the what-if loop) start faster without SQLAlchemy,
# sqlglot, tree-sitter and, for `report`, networkx.

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Plan how to take a legacy monolith apart, piece by piece, into containers.",
)
err = Console(stderr=True, highlight=False, soft_wrap=True)
SAMPLE_DIRS = (
    Path(__file__).resolve().parent / "samples",  # an installed wheel carries them here
    Path(__file__).resolve().parents[1] / "samples",  # a source checkout
)


def _samples() -> Path:
    """Where the bundled samples are: inside the installed package, else in the checkout."""
    return next((d for d in SAMPLE_DIRS if d.is_dir()), SAMPLE_DIRS[-1])


DbOption = Annotated[
    list[str] | None,
    typer.Option("--db", help="SQLAlchemy URL of the live database (repeatable); read-only."),
]
ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", help="planner.toml (default: PATH/planner.toml if present)."),
]
OutOption = Annotated[Path, typer.Option("--out", "-o", help="Output directory.")]
GitOption = Annotated[
    bool,
    typer.Option("--git/--no-git", help="Read the git history of PATH (when it is a repository)."),
]
GitLogOption = Annotated[
    Path | None,
    typer.Option(
        "--git-log",
        help=f"A saved `git log` export to read instead; make it with: {EXPORT_COMMAND}",
    ),
]
SinceOption = Annotated[str | None, typer.Option("--since", help="Only history after this date.")]
JobsOption = Annotated[int | None, typer.Option("--jobs", "-j", min=1, help="Parallel parsers.")]
CacheOption = Annotated[
    Path | None,
    typer.Option(
        "--cache-dir",
        help="Parse and history cache (default: the user cache folder, never the analyzed tree).",
    ),
]
SchemaOption = Annotated[
    list[Path] | None,
    typer.Option("--schema", help="DDL file, or directory of .sql files, to read (repeatable)."),
]
FirstOption = Annotated[
    str | None, typer.Option("--first", help="Force this service to be extracted first (what-if).")
]
PrettyOption = Annotated[
    bool, typer.Option("--pretty", help="Indent facts.json and plan.json for people to read.")
]
TimingsOption = Annotated[
    bool,
    typer.Option(
        "--timings", help="Print seconds per stage and keep them in plan.json and the report."
    ),
]

# What each command writes into OUT; a run replaces all of it, other commands only their part.
FACTS_FILES = ("facts.json",)
PLAN_FILES = ("plan.json",)
REPORT_FILES = ("report.html", "plan.md", "services.dot", "services.svg", "grants")
SCAFFOLD = "scaffold"
SCAFFOLD_FALLBACK = "planner-scaffold"  # when OUT already holds a `scaffold/` of the user's own


def _version(value: bool) -> None:
    if value:
        typer.echo(f"planner {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Plan how to take a legacy monolith apart, piece by piece, into containers."""


def _info(message: str) -> None:
    err.print(_shown(message), markup=False)


def _shown(message: str) -> str:
    """A message as printed: secrets masked, control characters (ANSI escapes) made visible."""
    return _visible(redact_text(message))


def _visible(text: str) -> str:
    """Text for the terminal: control characters (ANSI escapes from file names) made visible."""
    return "".join(c if c.isprintable() or c == "\n" else repr(c)[1:-1] for c in text)


@contextmanager
def _progress(label: str) -> Iterator:
    """A progress bar on stderr fed by `update(done, total=None)`; silent when not a terminal."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    ) as progress:
        task = progress.add_task(label, total=None)

        def update(done: int, total: int | None = None) -> None:
            progress.update(task, completed=done, total=total)

        yield update


def _existing_dir(path: Path) -> Path:
    if not path.exists():
        raise InputError(f"{path}: no such directory")
    if not path.is_dir():
        raise InputError(f"{path}: not a directory")
    return path.resolve()


def _config(root: Path | None, config: Path | None) -> Config:
    if config is not None and not config.is_file():
        raise InputError(f"{config}: no such config file")
    return load_config(config or (find_config(root) if root else None))


@dataclass(frozen=True)
class Sources:
    """Where the facts come from, besides the code: databases, DDL files, history."""

    dbs: tuple[str, ...] = ()
    schemas: tuple[Path, ...] = ()
    git: bool = True
    git_log: Path | None = None
    since: str | None = None
    jobs: int | None = None
    cache_dir: Path | None = None


def _analyze(
    root: Path, config: Config, sources: Sources, out: Path, clock: Clock | None = None
) -> Facts:
    """Every analyzer over the tree and the sources; nothing is written here."""
    from analyzers.build import analyze_build
    from analyzers.cache import default_cache_dir
    from analyzers.database import reflect_database
    from analyzers.ddl import tables_from_ddl
    from analyzers.java import analyze_java
    from analyzers.python import analyze_python
    from analyzers.schema_diff import compare_schemas

    clock = clock or Clock()
    live: list[Facts] = []
    for url in sources.dbs:
        _info(f"reading database {redact_url(url)}")
        with clock.stage("database"):
            live.append(reflect_database(url))
    declared = []
    for path in sources.schemas:
        with clock.stage("database"):
            declared.append(tables_from_ddl(path, root=root))
    cache_dir = sources.cache_dir or default_cache_dir(root)
    _info(f"reading the code under {root}")
    with _progress("parsing Python") as progress, clock.stage("code"):
        python = analyze_python(root, jobs=sources.jobs, cache_dir=cache_dir, progress=progress)
    with _progress("parsing Java") as progress, clock.stage("code"):
        java = analyze_java(root, jobs=sources.jobs, cache_dir=cache_dir, progress=progress)
    units = python.units + java.units
    history = Facts(root=str(root))
    if sources.git_log is not None or sources.git:
        if sources.git_log is not None and not sources.git_log.is_file():
            raise InputError(f"{sources.git_log}: no such git log export")
        _info("reading the history" + (f" in {sources.git_log}" if sources.git_log else ""))
        with _progress("reading git history (commits)") as progress, clock.stage("history"):
            history = analyze_history(
                root,
                units,
                since=sources.since or config.since,
                git_log=sources.git_log,
                bulk_threshold=config.bulk_threshold,
                churn_window=config.churn_window,
                progress=progress,
                cache_dir=cache_dir,
            )
    with clock.stage("owners"):
        owners = analyze_owners(
            root, units, team_map=config.teams, change_stats=history.change_stats
        )
    build = analyze_build(root, python, java)  # runtime and build facts (scaffold14)
    facts = merge_facts(str(root), [python, java, history, owners, *declared, *live, build])
    if not facts.units and not facts.tables:
        raise InputError(f"{root}: no Python or Java source file and no table: nothing to plan")
    if live:
        in_code = [t for t in facts.tables if t.source != "database"]
        in_db = [t for t in facts.tables if t.source == "database"]
        diff = compare_schemas(in_code, in_db)
        facts = merge_facts(str(root), [facts, Facts(root=str(root), warnings=diff)])
    return _redacted(facts, encode(facts), cache_dir)  # a warm run's: found clean last time


def _plan(facts: Facts, settings: Config, first: str | None, clock: Clock | None = None) -> Plan:
    from planner.pipeline import make_plan

    _info(f"planning services and extraction order for {len(facts.units)} units")
    with (clock or Clock()).stage("planning"):
        return redact_model(make_plan(facts, settings, first=first))


def _report(
    facts: Facts,
    plan: Plan,
    out: Path,
    scaffold_dir: str | None = None,
    scaffold_root: Path | None = None,
) -> list[Path]:
    """Render the reports and grant scripts into `out`; the scaffold (its delivery manifest) is
    `scaffold_dir` under `scaffold_root` (default: `out`)."""
    from reports import render_reports
    from reports.scaffold.delivery import MANIFEST
    from reports.scaffold.delivery import read_manifest as read_delivery

    _info("rendering reports")
    manifest = (scaffold_root or out) / scaffold_dir / MANIFEST if scaffold_dir else None
    delivery = (
        read_delivery(manifest.read_text(encoding="utf-8"))
        if manifest is not None and manifest.is_file()
        else None
    )
    written = render_reports(
        facts,
        plan,
        out,
        warn=lambda m: _info(f"warning: {m}"),
        scaffold_dir=scaffold_dir,
        delivery=delivery,
    )
    return written + _write_grants(plan, out / "grants")


def _scaffold_name(out: Path) -> str:
    """`scaffold`, unless OUT holds a `scaffold/` planner did not write: then another name."""
    manifest = read_manifest(out).names
    if SCAFFOLD in manifest or not os.path.lexists(out / SCAFFOLD):
        return SCAFFOLD
    _info(f"note: {out / SCAFFOLD} is not ours; the scaffold goes to {out / SCAFFOLD_FALLBACK}")
    return SCAFFOLD_FALLBACK


def _commit(area: Staging, clock: Clock, keep: tuple[str, ...] = ()) -> None:
    """Publish the staged outputs (one rename), keeping `keep` from the previous ones."""
    with clock.stage("writing"):
        area.commit(keep)


def _with_timings(plan: Plan, clock: Clock, wanted: bool) -> Plan:
    return dataclasses.replace(plan, timings=clock.timings()) if wanted else plan


def _print_timings(clock: Clock, wanted: bool) -> None:
    if wanted:
        _info(clock.render())


def _write_grants(plan: Plan, out: Path) -> list[Path]:
    """Per service, the least-privilege role script for the shared database, in both dialects."""
    from reports.grants import grant_file, grant_script

    out.mkdir(parents=True, exist_ok=True)
    written = []
    for service in plan.services:
        for dialect in ("postgresql", "mysql"):
            path = out / grant_file(service.name, dialect)
            path.write_text(grant_script(plan, service.name, dialect), encoding="utf-8")
            written.append(path)
    return written


def _out_dir(out: Path, names: tuple[str, ...] = ()) -> Path:
    """OUT, checked before any long work: a writable directory (or absent, then created) with no
    name we may not write."""
    check_writable(out, names)
    return output_dir(out)


def _others(out: Path, names: tuple[str, ...]) -> tuple[str, ...]:
    """What a partial command keeps of OUT's previous outputs: every name it does not write."""
    return tuple(n for n in read_manifest(out).names if n not in names)


def _summary(out: Path, plan: Plan | None = None) -> None:
    if plan is not None:
        first = plan.waves[0].services if plan.waves else ()
        _info(
            f"{len(plan.services)} services in {len(plan.waves)} waves; first wave: "
            f"{', '.join(first) or '-'}"
        )
    _info(f"wrote {out}")


@app.command()
def analyze(
    path: Annotated[Path, typer.Argument(help="The monolith's source tree.")],
    out: OutOption = Path("planner-out"),
    db: DbOption = None,
    git: GitOption = True,
    git_log: GitLogOption = None,
    since: SinceOption = None,
    config: ConfigOption = None,
    jobs: JobsOption = None,
    cache_dir: CacheOption = None,
    schema: SchemaOption = None,
    pretty: PrettyOption = False,
    timings: TimingsOption = False,
) -> None:
    """Read code, databases and history into OUT/facts.json."""
    root = source_dir(path)
    settings = _config(root, config)
    out = _out_dir(out, FACTS_FILES)
    sources = Sources(tuple(db or ()), tuple(schema or ()), git, git_log, since, jobs, cache_dir)
    clock = Clock()
    facts = _analyze(root, settings, sources, out, clock)
    with staging(out) as area:
        with clock.stage("writing"):
            write_json(in_file_form(facts), area.path / "facts.json", pretty=pretty)
        _commit(area, clock, _others(out, FACTS_FILES))
    _info(
        f"{len(facts.units)} units, {len(facts.dependencies)} dependencies, {len(facts.tables)} "
        f"tables, {len(facts.endpoints)} endpoints, {len(facts.warnings)} warnings"
    )
    _print_timings(clock, timings)
    _summary(out / "facts.json")


@app.command()
def plan(
    facts_file: Annotated[Path, typer.Argument(metavar="FACTS", help="facts.json from `analyze`.")],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Output dir (default: FACTS' dir).")
    ] = None,
    config: ConfigOption = None,
    first: FirstOption = None,
    pretty: PrettyOption = False,
    timings: TimingsOption = False,
) -> None:
    """Cluster services, score them and order the extraction into OUT/plan.json."""
    target = _out_dir(out or facts_file.parent, PLAN_FILES)
    clock = Clock()
    with clock.stage("files read"):
        facts = _load_facts(facts_file)
    settings = _config(Path(facts.root) if facts.root else None, config)
    result = _with_timings(_plan(facts, settings, first, clock), clock, timings)
    with staging(target) as area:
        with clock.stage("writing"):
            write_json(result, area.path / "plan.json", pretty=pretty)
        _commit(area, clock, _others(target, PLAN_FILES))
    _print_timings(clock, timings)
    _summary(target / "plan.json", result)


@app.command()
def report(
    plan_file: Annotated[Path, typer.Argument(metavar="PLAN", help="plan.json from `plan`.")],
    facts_file: Annotated[
        Path | None, typer.Option("--facts", help="facts.json (default: beside PLAN).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Output dir (default: PLAN's dir).")
    ] = None,
    timings: TimingsOption = False,
) -> None:
    """Render report.html, plan.md and the diagrams from a plan."""
    target = _out_dir(out or plan_file.parent, REPORT_FILES)
    clock = Clock()
    with clock.stage("files read"):
        result = _load_plan(plan_file)
        facts = _load_facts(facts_file or plan_file.parent / "facts.json")
    owned = read_manifest(target).names
    scaffold_dir = next((n for n in (SCAFFOLD, SCAFFOLD_FALLBACK) if n in owned), None)
    if scaffold_dir is None and (target / SCAFFOLD).is_dir():  # from `planner scaffold`
        scaffold_dir = SCAFFOLD
    with staging(target) as area:
        with clock.stage("rendering"):
            _report(facts, result, area.path, scaffold_dir, scaffold_root=target)
        _commit(area, clock, _others(target, REPORT_FILES))
    _print_timings(clock, timings)
    _summary(target / "report.html", result)


@app.command()
def run(
    path: Annotated[Path, typer.Argument(help="The monolith's source tree.")],
    out: OutOption = Path("planner-out"),
    db: DbOption = None,
    git: GitOption = True,
    git_log: GitLogOption = None,
    since: SinceOption = None,
    config: ConfigOption = None,
    jobs: JobsOption = None,
    cache_dir: CacheOption = None,
    schema: SchemaOption = None,
    first: FirstOption = None,
    pretty: PrettyOption = False,
    timings: TimingsOption = False,
) -> None:
    """Analyze, plan and report in one go: facts.json, plan.json, plan.md, report.html."""
    root = source_dir(path)
    settings = _config(root, config)
    sources = Sources(tuple(db or ()), tuple(schema or ()), git, git_log, since, jobs, cache_dir)
    _run(root, settings, out, sources, first, pretty=pretty, timings=timings)


def _run(
    root: Path,
    settings: Config,
    out: Path,
    sources: Sources,
    first: str | None,
    *,
    pretty: bool = False,
    timings: bool = False,
) -> None:
    """Analyze and plan, then stage facts, plan, scaffold and reports and publish them at once.

    Nothing in OUT changes until the end, when the new outputs replace the previous ones in one
    rename (see planner/outputs.py); a name in OUT that planner did not write is never touched.
    """
    from reports.scaffold import write_scaffold

    scaffold_name = _scaffold_name(out)
    out = _out_dir(out, FACTS_FILES + PLAN_FILES + REPORT_FILES + (scaffold_name,))
    clock = Clock()
    facts = _analyze(root, settings, sources, out, clock)
    result = _plan(facts, settings, first, clock)
    with staging(out) as area:
        with clock.stage("rendering"):
            write_scaffold(result, facts, area.path / scaffold_name)
            _report(facts, _with_timings(result, clock, timings), area.path, scaffold_name)
        final = _with_timings(result, clock, timings)  # up to rendering: written next
        with clock.stage("writing"):
            write_json(in_file_form(facts), area.path / "facts.json", pretty=pretty)
            write_json(final, area.path / "plan.json", pretty=pretty)
        _commit(area, clock)
    _print_timings(clock, timings)
    _summary(out, result)


class DemoSample(StrEnum):
    """The bundled samples `planner demo` can run on."""

    shop = "shop"
    java = "java"


@app.command()
def demo(
    out: OutOption = Path("planner-demo"),
    jobs: JobsOption = None,
    sample: Annotated[
        DemoSample, typer.Option("--sample", help="shop: the Python shop; java: the Java one.")
    ] = DemoSample.shop,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Read this database instead of building SQLite (e.g. PostgreSQL loaded with "
            "samples/legacy_shop/schema.postgresql.sql).",
        ),
    ] = None,
    pretty: PrettyOption = False,
    timings: TimingsOption = False,
) -> None:
    """Run everything on a bundled legacy monolith, with its database (and git history)."""
    source = _samples() / ("legacy_shop" if sample is DemoSample.shop else "legacy_java")
    if not source.is_dir():
        raise InputError(f"the demo needs the sample at {source}; reinstall strangler-planner")
    out = _out_dir(out)
    out.mkdir(parents=True, exist_ok=True)
    work = out / source.name
    database = out / f"{source.name}.db"
    if work.exists():
        shutil.rmtree(work)
    if sample is DemoSample.shop:
        _info("building the sample's git history")
        _build_history(source, work)
        schema = source / "schema.sql"
    else:
        _info("copying the sample")
        shutil.copytree(source, work)
        schema = source / "src" / "main" / "resources" / "schema.sql"
    if db is None:
        _info("building its SQLite database")
        _sqlite_from(schema, database)
        db = f"sqlite:///{database}"
    settings = load_config(find_config(work))
    sources = Sources(dbs=(db,), git=sample is DemoSample.shop, jobs=jobs)
    _run(work, settings, out, sources, None, pretty=pretty, timings=timings)


def _build_history(source: Path, work: Path) -> None:
    """The sample as a real git repository, replayed by its scripted history."""
    result = subprocess.run(
        [sys.executable, str(source / "build_history.py"), str(work)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise InputError(f"building the sample history failed: {result.stderr.strip()[-300:]}")


def _sqlite_from(schema: Path, database: Path) -> None:
    """A SQLite database built from a schema script, replaced atomically."""
    tmp = Path(tempfile.mkstemp(suffix=".db", dir=database.parent)[1])
    try:
        with sqlite3.connect(tmp) as conn:
            conn.executescript(schema.read_text(encoding="utf-8"))
        conn.close()
        tmp.replace(database)
    finally:
        tmp.unlink(missing_ok=True)


@app.command()
def evaluate(
    plan_file: Annotated[Path, typer.Argument(metavar="PLAN", help="plan.json to evaluate.")],
    truth: Annotated[
        Path | None,
        typer.Option(
            "--truth",
            help="Reference decomposition: [services] TOML of unit ids, or .rsf "
            "(`contain SERVICE Class` lines, scored as the ASE'24 benchmark scores).",
        ),
    ] = None,
    facts_file: Annotated[
        Path | None, typer.Option("--facts", help="facts.json (default: beside PLAN).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the metrics as JSON.")] = False,
) -> None:
    """Score a plan: MoJoFM and ARI against a reference, SM, ICP, IFN, NED, TurboMQ, purity."""
    from planner.evaluate import evaluate as evaluate_plan
    from planner.evaluate import load_truth

    result = _load_plan(plan_file)
    facts = _load_facts(facts_file or plan_file.parent / "facts.json")
    reference = load_truth(truth) if truth is not None else None
    evaluation = evaluate_plan(result, facts, reference)
    if as_json:
        typer.echo(dumps(evaluation), nl=False)
        return
    for name, value in evaluation.metrics.items():
        typer.echo(f"{name:18} {value:g}")
    if reference is not None:
        typer.echo(f"{'units compared':18} {evaluation.units_compared}")


@app.command()
def diff(
    plan_a: Annotated[Path, typer.Argument(metavar="A", help="The first plan.json.")],
    plan_b: Annotated[Path, typer.Argument(metavar="B", help="The second plan.json.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the differences as JSON.")] = False,
) -> None:
    """Compare two plans: services, order and risk."""
    from planner.diff import diff_plans, render_diff

    result = diff_plans(_load_plan(plan_a), _load_plan(plan_b))
    typer.echo(_visible(dumps(result) if as_json else render_diff(result)), nl=False)


CiSystem = StrEnum("CiSystem", {name: name for name in CI_SYSTEMS})
RegistryName = StrEnum("RegistryName", {name: name for name in REGISTRIES})
ProfileName = StrEnum("ProfileName", {name: name for name in PROFILE_NAMES})


@app.command()
def scaffold(
    plan_file: Annotated[Path, typer.Argument(metavar="PLAN", help="plan.json from `plan`.")],
    out: OutOption = Path("scaffold"),
    facts_file: Annotated[
        Path | None, typer.Option("--facts", help="facts.json (default: beside PLAN).")
    ] = None,
    ci: Annotated[
        CiSystem | None,
        typer.Option(help="CI system (default: the legacy repo's, from its facts, else github)."),
    ] = None,
    registry: Annotated[
        RegistryName | None, typer.Option(help="Container registry (default: the profile's).")
    ] = None,
    profile: Annotated[
        ProfileName | None,
        typer.Option(help="Adoption profile by company size: picks the defaults and governance."),
    ] = None,
    check_deps: Annotated[
        bool, typer.Option(help="Check Python requirements on the base image with pip.")
    ] = True,
) -> None:
    """Write container files per service and per wave (Dockerfile, compose, facade, CI).

    With --profile, --ci or --registry: that delivery path too (GitLab CI or Jenkinsfiles,
    registry logins, Kubernetes overlays, monitoring) and delivery.json for the report."""
    from reports.scaffold import write_scaffold
    from reports.scaffold.profiles import choose_delivery
    from reports.scaffold.resolve import pip_resolver

    result = _load_plan(plan_file)
    facts = _load_facts(facts_file or plan_file.parent / "facts.json")
    out = _out_dir(out)
    delivery = None
    if ci or registry or profile:
        delivery = choose_delivery(
            facts, profile and profile.value, ci and ci.value, registry and registry.value
        )
        _info(f"delivery: {delivery.profile.name} profile; ci {delivery.ci} ({delivery.ci_reason})")
    resolver = pip_resolver() if check_deps else None  # scaffold14: pip check of requirements
    written = write_scaffold(result, facts, out, delivery, resolver)
    _info(f"wrote {len(written)} files for {len(result.services)} services in {out}")


@app.command("lint-containers")
def lint_containers_command(
    path: Annotated[Path, typer.Argument(help="Repository to check.")] = Path("."),
    as_json: Annotated[bool, typer.Option("--json", help="Print the findings as JSON.")] = False,
) -> None:
    """Check existing Dockerfiles and compose files for container mistakes; exit 1 on findings."""
    from analyzers.containers import lint_containers, render_findings

    root = _existing_dir(path)
    findings = lint_containers(root)
    typer.echo(_visible(render_findings(findings, as_json)), nl=False)
    if not as_json:
        _info(f"{len(findings)} finding(s)")
    if findings:
        raise typer.Exit(1)


def _load_facts(path: Path) -> Facts:
    if not path.is_file():
        raise InputError(f"{path}: no such facts file (run `planner analyze` first)")
    try:
        data = path.read_bytes()
        return _redacted(read_facts(path, data), data)  # a hand-made or older file as well
    except (ValueError, KeyError, TypeError, RecursionError) as error:
        raise InputError(f"{path}: not a facts file this planner can read ({error})") from None


def _load_plan(path: Path) -> Plan:
    if not path.is_file():
        raise InputError(f"{path}: no such plan file (run `planner plan` first)")
    try:
        data = path.read_bytes()
        return _redacted(read_plan(path, data), data)
    except (ValueError, KeyError, TypeError, RecursionError) as error:
        raise InputError(f"{path}: not a plan file this planner can read ({error})") from None


Model = TypeVar("Model", Facts, Plan)


def _redacted(model: Model, data: bytes, cache_dir: Path | None = None) -> Model:
    """`model`, encoded as or read from `data`, with every string redacted. Bytes once found
    clean under the same redaction rules are not walked again (a warm run makes the same facts,
    the what-if loop reads them each time): an empty file named by their digest marks them, in
    the cache folder (default: the user's)."""
    from analyzers.cache import default_cache_dir

    digest = hashlib.sha256(data)
    digest.update(b"\0" + redaction_rules().encode("utf-8"))
    folder = cache_dir or default_cache_dir(Path(model.root))
    marker = folder / "clean" / digest.hexdigest()
    if marker.is_file():
        return model
    clean = redact_model(model)
    if clean is model:
        with contextlib.suppress(OSError):
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.touch()
    return clean


@app.command()
def rehearse(
    plan_file: Annotated[
        Path, typer.Argument(metavar="PLAN", help="plan.json beside its scaffold/.")
    ],
    wave: Annotated[int, typer.Option("--wave", help="The wave to rehearse.")] = 1,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Report dir (default: PLAN's).")
    ] = None,
    db_admin_url: Annotated[
        str, typer.Option(help="PostgreSQL admin URL for the scratch database.")
    ] = "postgresql://postgres@127.0.0.1:5432/postgres",
    scaffold: Annotated[
        Path | None, typer.Option(help="The scaffold (default: beside PLAN).")
    ] = None,
    schema: Annotated[
        Path | None, typer.Option(help="DDL to load (default: the scaffold's seed).")
    ] = None,
) -> None:
    """Run a wave for real without Docker: scratch PostgreSQL, venvs, processes, nginx facade."""
    from planner.rehearsal import command

    raise typer.Exit(command(plan_file, wave, out, db_admin_url, scaffold, schema, say=_info))


def main() -> None:
    """Entry point: user mistakes print one line and exit 2; bugs say how to get the traceback."""
    try:
        code = app(standalone_mode=False)
    except cli_errors.NoArgsIsHelpError as error:
        typer.echo(error.ctx.get_help() if error.ctx else error.format_message())
        sys.exit(0)
    except cli_errors.UsageError as error:
        where = f" (see '{error.ctx.command_path} --help')" if error.ctx else ""
        err.print(_shown(f"error: {error.format_message()}{where}"), markup=False)
        sys.exit(2)
    except cli_errors.ClickException as error:
        err.print(_shown(f"error: {error.format_message()}"), markup=False)
        sys.exit(error.exit_code)
    except InputError as error:
        err.print(_shown(f"error: {error}"), markup=False)
        sys.exit(2)
    except (KeyboardInterrupt, typer.Abort):
        err.print("interrupted", markup=False)
        sys.exit(130)
    except Exception as error:
        if os.environ.get("PLANNER_DEBUG"):
            raise
        err.print(
            _shown(
                f"internal error: {type(error).__name__}: {error} (set PLANNER_DEBUG=1 for the "
                "traceback and please report it)"
            ),
            markup=False,
        )
        sys.exit(1)
    _exit_now(code if isinstance(code, int) else 0)


def _exit_now(code: int) -> NoReturn:
    """Exit without freeing a large run's objects one by one (over a second on a big tree),
    once everything is written and flushed; the usual exit while a worker process is left."""
    sys.stdout.flush()
    sys.stderr.flush()
    if multiprocessing.active_children():
        sys.exit(code)
    os._exit(code)


__all__ = ["app", "main"]
