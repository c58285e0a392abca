"""The commands: each reads its options, calls a use case of planner.pipeline and prints."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from analyzers.errors import InputError
from analyzers.facts import dumps
from planner import pipeline
from planner.cli.app import FEEDBACK, app, info, visible
from planner.cli.options import (
    BesideOption,
    ConfigOption,
    FactsOption,
    FirstOption,
    JobsOption,
    OutOption,
    PlanArgument,
    PrettyFactsOption,
    PrettyOption,
    PrettyPlanOption,
    ReportOption,
    TimingsOption,
    config_for,
    tree_options,
)
from planner.config import Config, find_config, load_config
from planner.demo import SAMPLES, prepare_demo
from planner.pipeline import FACTS_FILES, PLAN_FILES, REPORT_FILES, Sources
from planner.plan import Plan, plural
from planner.timings import Clock
from reports.scaffold.profiles import CI_SYSTEMS, PROFILE_NAMES, REGISTRIES

# Only what every command needs is imported here; the analyzers, planning stages and renderers
# come in through planner.pipeline when a command uses them (see its docstring).


def _existing_dir(path: Path) -> Path:
    if not path.exists():
        raise InputError(f"{path}: no such directory")
    if not path.is_dir():
        raise InputError(f"{path}: not a directory")
    return path.resolve()


def _print_timings(clock: Clock, wanted: bool) -> None:
    if wanted:
        info(clock.render())


def _summary(out: Path, plan: Plan | None = None) -> None:
    if plan is not None:
        first = plan.waves[0].services if plan.waves else ()
        info(
            f"{plural(len(plan.services), 'service')} in {plural(len(plan.waves), 'wave')}; "
            "first wave: "
            f"{', '.join(first) or '-'}"
        )
    info(f"wrote {out}")


@app.command()
@tree_options
def analyze(
    root: Path,
    settings: Config,
    out: Path,
    sources: Sources,
    pretty: PrettyFactsOption = False,
    timings: TimingsOption = False,
) -> None:
    """Read code, databases and history into OUT/facts.json."""
    out = pipeline.out_dir(out, FACTS_FILES)
    clock = Clock()
    facts = pipeline.analyze(root, settings, sources, clock, FEEDBACK)
    pipeline.publish(
        out,
        FACTS_FILES,
        clock,
        lambda folder: pipeline.write_model(facts, folder / "facts.json", pretty=pretty),
    )
    info(
        f"{plural(len(facts.units), 'unit')}, "
        f"{plural(len(facts.dependencies), 'dependency', 'dependencies')}, "
        f"{plural(len(facts.tables), 'table')}, {plural(len(facts.endpoints), 'endpoint')}, "
        f"{plural(len(facts.warnings), 'warning')}"
    )
    _print_timings(clock, timings)
    _summary(out / "facts.json")


@app.command()
def plan(
    facts_file: Annotated[Path, typer.Argument(metavar="FACTS", help="facts.json from `analyze`.")],
    out: BesideOption = None,
    config: ConfigOption = None,
    first: FirstOption = None,
    pretty: PrettyPlanOption = False,
    report: ReportOption = False,
    timings: TimingsOption = False,
) -> None:
    """Cluster services, score them and order the extraction into OUT/plan.json (with
    `--report`, also render the reports as `planner report` does)."""
    names = PLAN_FILES + (REPORT_FILES if report else ())
    target = pipeline.out_dir(out or facts_file.parent, names)
    clock = Clock()
    with clock.stage("files read"):
        facts = pipeline.load_facts(facts_file)
    settings = config_for(Path(facts.root) if facts.root else None, config)
    both = pipeline.plans(facts, settings, first, clock, FEEDBACK, alternative=report)
    result = pipeline.with_timings(both.plan, clock, timings)
    scaffold_dir, note = (  # the scaffold the reports link, when they are rendered
        pipeline.report_scaffold(target, result, target / "plan.json") if report else (None, "")
    )

    def write(folder: Path) -> None:
        pipeline.write_model(result, folder / "plan.json", pretty=pretty)
        if report:
            pipeline.render(
                facts, result, folder, scaffold_dir, target, FEEDBACK, settings, note, clock,
                alternative=both.alternative,
            )  # fmt: skip

    pipeline.publish(target, names, clock, write, stage="rendering" if report else "writing")
    if report:
        if note:
            info(f"note: {note}")
    elif left := pipeline.scaffold_left_behind(target, result):
        info(left)
    _print_timings(clock, timings)
    _summary(target / ("report.html" if report else "plan.json"), result)


@app.command()
def report(
    plan_file: PlanArgument,
    facts_file: FactsOption = None,
    out: BesideOption = None,
    timings: TimingsOption = False,
) -> None:
    """Render report.html, plan.md and the diagrams from a plan."""
    target = pipeline.out_dir(out or plan_file.parent, REPORT_FILES)
    clock = Clock()
    with clock.stage("files read"):
        result = pipeline.load_plan(plan_file)
        facts = pipeline.load_facts(facts_file or plan_file.parent / "facts.json")
    scaffold_dir, note = pipeline.report_scaffold(target, result, plan_file)
    if note:
        info(f"note: {note}")
    pipeline.publish(
        target,
        REPORT_FILES,
        clock,
        lambda folder: pipeline.render(
            facts, result, folder, scaffold_dir, target, FEEDBACK, scaffold_note=note, clock=clock
        ),
        stage="rendering",
    )
    _print_timings(clock, timings)
    _summary(target / "report.html", result)


@app.command()
@tree_options
def run(
    root: Path,
    settings: Config,
    out: Path,
    sources: Sources,
    first: FirstOption = None,
    pretty: PrettyOption = False,
    timings: TimingsOption = False,
) -> None:
    """Analyze, plan and report in one go: facts.json, plan.json, plan.md, report.html."""
    _run(root, settings, out, sources, first, pretty=pretty, timings=timings)


def _run(
    root: Path,
    settings: Config,
    out: Path,
    sources: Sources,
    first: str | None,
    *,
    pretty: bool,
    timings: bool,
) -> None:
    clock = Clock()
    result = pipeline.run(
        root, settings, out, sources, first, pretty=pretty, timings=timings, clock=clock,
        feedback=FEEDBACK,
    )  # fmt: skip
    _print_timings(clock, timings)
    _summary(out, result)


DemoSample = StrEnum("DemoSample", {name: name for name in SAMPLES})


@app.command()
def demo(
    out: OutOption = Path("planner-demo"),
    jobs: JobsOption = None,
    sample: Annotated[
        DemoSample, typer.Option("--sample", help="shop: the Python shop; java: the Java one.")
    ] = DemoSample.shop,
    db: Annotated[
        list[str] | None,
        typer.Option(
            "--db",
            metavar="<url>",
            help="Read this database instead of building SQLite (repeatable; e.g. PostgreSQL "
            "loaded with samples/legacy_shop/schema.postgresql.sql).",
        ),
    ] = None,
    pretty: PrettyOption = False,
    timings: TimingsOption = False,
) -> None:
    """Run everything on a bundled legacy monolith, with its database (and git history)."""
    out = pipeline.out_dir(out)
    ready = prepare_demo(sample.value, out, tuple(db or ()), info)
    settings = load_config(find_config(ready.root))
    sources = Sources(dbs=ready.dbs, git=ready.git, jobs=jobs)
    _run(ready.root, settings, out, sources, None, pretty=pretty, timings=timings)


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
    facts_file: FactsOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the metrics as JSON.")] = False,
) -> None:
    """Score a plan: MoJoFM and ARI against a reference, SM, ICP, IFN, NED, TurboMQ, purity."""
    from planner.evaluate import evaluate as evaluate_plan
    from planner.evaluate import load_truth

    result = pipeline.load_plan(plan_file)
    facts = pipeline.load_facts(facts_file or plan_file.parent / "facts.json")
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
    from planner.diff import diff_plans
    from reports.diff import render_diff

    result = diff_plans(pipeline.load_plan(plan_a), pipeline.load_plan(plan_b))
    typer.echo(visible(dumps(result) if as_json else render_diff(result)), nl=False)


CiSystem = StrEnum("CiSystem", {name: name for name in CI_SYSTEMS})
RegistryName = StrEnum("RegistryName", {name: name for name in REGISTRIES})
ProfileName = StrEnum("ProfileName", {name: name for name in PROFILE_NAMES})


@app.command()
def scaffold(
    plan_file: PlanArgument,
    out: OutOption = Path("scaffold"),
    facts_file: FactsOption = None,
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

    result = pipeline.load_plan(plan_file)
    facts = pipeline.load_facts(facts_file or plan_file.parent / "facts.json")
    out = pipeline.out_dir(out)
    delivery = None
    if ci or registry or profile:
        delivery = choose_delivery(
            facts, profile and profile.value, ci and ci.value, registry and registry.value
        )
        info(f"delivery: {delivery.profile.name} profile; ci {delivery.ci} ({delivery.ci_reason})")
    resolver = pip_resolver() if check_deps else None  # pip's check of the requirements
    written = write_scaffold(result, facts, out, delivery, resolver)
    info(
        f"wrote {plural(len(written), 'file')} for "
        f"{plural(len(result.services), 'service')} in {out}"
    )


@app.command("lint-containers")
def lint_containers_command(
    path: Annotated[Path, typer.Argument(help="Repository to check.")] = Path("."),
    as_json: Annotated[bool, typer.Option("--json", help="Print the findings as JSON.")] = False,
) -> None:
    """Check Dockerfiles (with hadolint), compose files and CI workflows; exit 1 on findings."""
    from analyzers.containers import container_facts
    from analyzers.redact import redact_model
    from reports.lint import render_findings, render_summary

    facts = redact_model(container_facts(_existing_dir(path)))
    typer.echo(visible(render_findings(facts.container_findings, as_json)), nl=False)
    info(render_summary(facts))
    if facts.container_findings:
        raise typer.Exit(1)


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

    raise typer.Exit(command(plan_file, wave, out, db_admin_url, scaffold, schema, say=info))
