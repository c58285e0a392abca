"""The use cases the CLI calls (analyze, plan, render, run) and the planning stages in order:
facts + config -> graph -> services -> scores -> plan.

The parsers, database reflection, planning stages and renderers are imported where they are
used: `planner plan` and `planner report` (the what-if loop) start faster without SQLAlchemy,
sqlglot, tree-sitter and, for `report`, networkx.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from analyzers.errors import InputError
from analyzers.facts import (
    Evidence,
    Facts,
    _no_gc,
    encode,
    in_file_form,
    merge_facts,
    read_facts,
    write_json,
)
from analyzers.redact import redact_model, redact_url, redaction_rules
from planner.checks import output_dir
from planner.config import Config, find_config, load_config
from planner.outputs import check_writable, read_manifest, staging
from planner.plan import (
    CrossJoin,
    EndpointRef,
    Plan,
    Service,
    ServiceEdge,
    ServiceName,
    TableUse,
    plural,
    read_plan,
)
from planner.timings import Clock

if TYPE_CHECKING:
    from planner.design import Design
    from planner.graph import DependencyEdge

# What each command writes into OUT; a run replaces all of it, other commands only their part.
FACTS_FILES = ("facts.json",)
PLAN_FILES = ("plan.json",)
REPORT_FILES = (
    "report.html",
    "handout.html",
    "plan.md",
    "plan-details.md",
    "services.dot",
    "services.svg",
    "grants",
)
SCAFFOLD = "scaffold"
SCAFFOLD_FALLBACK = "planner-scaffold"  # when OUT already holds a `scaffold/` of the user's own

Update = Callable[..., None]
"""A progress callback: `update(done, total=None)`."""


def _quiet(message: str) -> None:
    """Say nothing."""


@contextlib.contextmanager
def _no_progress(label: str) -> Iterator[Update]:
    yield lambda done, total=None: None


@dataclass(frozen=True)
class Feedback:
    """How a use case talks to the user: `info` lines and `progress(label)` bars."""

    info: Callable[[str], None] = _quiet
    progress: Callable[[str], AbstractContextManager[Update]] = _no_progress


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


def analyze(
    root: Path,
    config: Config,
    sources: Sources,
    clock: Clock | None = None,
    feedback: Feedback = Feedback(),
) -> Facts:
    """Every analyzer over the tree and the sources, the schema differences merged in; nothing is
    written here."""
    from analyzers.cache import default_cache_dir
    from analyzers.containers import container_facts
    from analyzers.deadcode import find_dead_code
    from analyzers.history import analyze_history
    from analyzers.java import analyze_java
    from analyzers.owners import analyze_owners
    from analyzers.python import analyze_python
    from analyzers.runtime import analyze_build

    clock = clock or Clock()
    info, progress = feedback.info, feedback.progress
    live: list[Facts] = []
    for url in sources.dbs:
        from analyzers.database import reflect_database  # SQLAlchemy: only with a database

        info(f"reading database {redact_url(url)}")
        with clock.stage("database"):
            live.append(reflect_database(url))
    declared = []
    for path in sources.schemas:
        from analyzers.ddl import tables_from_ddl  # sqlglot: only with a DDL file

        with clock.stage("database"):
            declared.append(tables_from_ddl(path, root=root))
    cache_dir = sources.cache_dir or default_cache_dir(root)
    info(f"reading the code under {root}")
    with progress("parsing Python") as update, clock.stage("code"):
        python = analyze_python(root, jobs=sources.jobs, cache_dir=cache_dir, progress=update)
    with progress("parsing Java") as update, clock.stage("code"):
        java = analyze_java(root, jobs=sources.jobs, cache_dir=cache_dir, progress=update)
    units = python.units + java.units
    history = Facts(root=str(root))
    if sources.git_log is not None or sources.git:
        if sources.git_log is not None and not sources.git_log.is_file():
            raise InputError(f"{sources.git_log}: no such git log export")
        info("reading the history" + (f" in {sources.git_log}" if sources.git_log else ""))
        with progress("reading git history (commits)") as update, clock.stage("history"):
            history = analyze_history(
                root,
                units,
                since=sources.since or config.since,
                git_log=sources.git_log,
                bulk_threshold=config.bulk_threshold,
                churn_window=config.churn_window,
                progress=update,
                cache_dir=cache_dir,
            )
    with clock.stage("owners"):
        owners = analyze_owners(
            root, units, team_map=config.teams, change_stats=history.change_stats
        )
    with clock.stage("build"):  # runtime and build facts for the scaffold
        build = analyze_build(root, python, java, cache_dir=cache_dir)
    with clock.stage("containers"):  # Dockerfiles, compose files, CI workflows
        containers = container_facts(root, cache_dir=cache_dir)
    schema = tuple(t for part in (*declared, *live) for t in part.tables)
    with clock.stage("dead code"):
        orm = python.orm_models + java.orm_models
        dead = find_dead_code(root, units, orm, schema, cache_dir=cache_dir)
    facts = merge_facts(
        str(root), [python, java, history, owners, *declared, *live, build, containers, dead]
    )
    if not facts.units and not facts.tables:
        raise InputError(f"{root}: no Python or Java source file and no table: nothing to plan")
    if live:
        facts = _with_schema_diff(facts)
    with clock.stage("redaction"):
        return redacted(facts, encode(facts), cache_dir)  # a warm run's: walked last time


def _with_schema_diff(facts: Facts) -> Facts:
    """`facts` plus a warning per difference between the tables the code declares and the live
    database's."""
    from analyzers.schema_diff import compare_schemas

    in_code = [t for t in facts.tables if t.source != "database"]
    in_db = [t for t in facts.tables if t.source == "database"]
    diff = compare_schemas(in_code, in_db)
    return merge_facts(facts.root, [facts, Facts(root=facts.root, warnings=diff)])


def plan(
    facts: Facts,
    settings: Config,
    first: ServiceName | None = None,
    clock: Clock | None = None,
    feedback: Feedback = Feedback(),
) -> Plan:
    """The plan for `facts`, every string redacted."""
    return plans(facts, settings, first, clock, feedback, alternative=False).plan


@dataclass(frozen=True)
class Plans:
    """A plan and its what-if: the same design with the runner-up extracted first (None: no
    runner-up, or not asked for)."""

    plan: Plan
    alternative: Plan | None


def plans(
    facts: Facts,
    settings: Config,
    first: ServiceName | None = None,
    clock: Clock | None = None,
    feedback: Feedback = Feedback(),
    *,
    alternative: bool = True,
) -> Plans:
    """The plan for `facts` and (`alternative`) its what-if, both ordered from one design (kept
    in the user cache), every string redacted; the ordered plans are kept in the user cache as
    well, so a warm run or a repeated what-if orders nothing."""
    from planner.plancache import cached_plans

    feedback.info(f"planning services and extraction order for {plural(len(facts.units), 'unit')}")
    with (clock or Clock()).stage("planning"), _no_gc():  # no full collection over the facts
        ordered = cached_plans(
            facts,
            settings,
            first,
            alternative,
            lambda: _ordered(facts, settings, first, alternative),
        )
        return Plans(*ordered)


def _ordered(
    facts: Facts, settings: Config, first: ServiceName | None, alternative: bool
) -> tuple[Plan, Plan | None]:
    """The plan and (`alternative`) its what-if, ordered from the cached design and redacted."""
    from planner.design import cached_design

    design = cached_design(facts, settings)
    result = _clean(order_plan(design, settings, first=first))
    return result, _alternative(design, result, settings) if alternative else None


def render(
    facts: Facts,
    plan: Plan,
    out: Path,
    scaffold_dir: str | None = None,
    scaffold_root: Path | None = None,
    feedback: Feedback = Feedback(),
    settings: Config | None = None,
    scaffold_note: str = "",
    clock: Clock | None = None,
    alternative: Plan | None = None,
) -> list[Path]:
    """Render the reports (grant scripts included) into `out` (a staging area); the scaffold (its
    delivery manifest) is `scaffold_dir` under `scaffold_root` (default: `out`); `scaffold_note`
    says why a scaffold is not linked; `clock` times the reports' parts. The handout's what-if
    is `alternative` when given (see `plans`), else `alternative_plan` (timed as its own stage)."""
    from reports import render_reports
    from reports.scaffold.delivery import MANIFEST
    from reports.scaffold.delivery import read_manifest as read_delivery

    feedback.info("rendering reports")
    manifest = (scaffold_root or out) / scaffold_dir / MANIFEST if scaffold_dir else None
    delivery = (
        read_delivery(manifest.read_text(encoding="utf-8"))
        if manifest is not None and manifest.is_file()
        else None
    )
    clock = clock or Clock()
    if alternative is None:
        with clock.stage("what-if plan"):
            alternative = alternative_plan(facts, plan, settings)  # the handout's "what if"
    written = render_reports(
        facts,
        plan,
        out,
        warn=lambda m: feedback.info(f"warning: {m}"),
        scaffold_dir=scaffold_dir,
        delivery=delivery,
        alternative=alternative,
        scaffold_note=scaffold_note,
        clock=clock,
    )
    return written


def alternative_plan(facts: Facts, plan: Plan, settings: Config | None = None) -> Plan | None:
    """The plan with its runner-up extracted first (as `planner plan --first`), or None; the
    settings default to the codebase's own planner.toml, so only the first service differs. The
    design comes from the cache `planner plan` filled: no clustering again."""
    from planner.design import cached_design

    if plan.second_choice() is None:
        return None
    if settings is None:
        root = Path(facts.root) if facts.root else None
        settings = load_config(find_config(root) if root is not None and root.is_dir() else None)
    with _no_gc():
        return _alternative(cached_design(facts, settings), plan, settings)


def _alternative(design: Design, plan: Plan, settings: Config) -> Plan | None:
    """`plan`'s runner-up extracted first in `design`, or None (no runner-up, or not one of the
    design's services: the plan was made under other settings)."""
    name = plan.second_choice()
    if name is None or name not in design.decomposition.services:
        return None
    return _clean(order_plan(design, settings, first=name))


def _clean(plan: Plan) -> Plan:
    """`plan` with every string redacted; a plan found clean before (the what-if loop makes the
    same plans again) is not walked again (`redacted`)."""
    return redacted(plan, encode(plan))


def run(
    root: Path,
    settings: Config,
    out: Path,
    sources: Sources,
    first: ServiceName | None = None,
    *,
    pretty: bool = False,
    timings: bool = False,
    clock: Clock | None = None,
    feedback: Feedback = Feedback(),
) -> Plan:
    """Analyze and plan, then stage facts, plan, scaffold and reports and publish them at once.

    Nothing in OUT changes until the end, when the new outputs replace the previous ones in one
    rename (see planner/outputs.py); a name in OUT that planner did not write is never touched.
    """
    from reports.scaffold import write_scaffold

    scaffold_name = _scaffold_name(out, feedback)
    out = out_dir(out, FACTS_FILES + PLAN_FILES + REPORT_FILES + (scaffold_name,))
    clock = clock or Clock()
    facts = analyze(root, settings, sources, clock, feedback)
    both = plans(facts, settings, first, clock, feedback)
    result = both.plan
    with staging(out) as area:
        with clock.stage("rendering"):
            with clock.stage("scaffold"):
                write_scaffold(result, facts, area.path / scaffold_name)
            staged = with_timings(result, clock, timings)
            render(
                facts,
                staged,
                area.path,
                scaffold_name,
                feedback=feedback,
                settings=settings,
                clock=clock,
                alternative=both.alternative,
            )
        final = with_timings(result, clock, timings)  # up to rendering: written next
        with clock.stage("writing"):
            write_model(facts, area.path / "facts.json", pretty=pretty)
            write_model(final, area.path / "plan.json", pretty=pretty)
            area.commit()
    return result


def publish(
    out: Path,
    names: tuple[str, ...],
    clock: Clock,
    write: Callable[[Path], object],
    stage: str = "writing",
) -> None:
    """Stage what `write(folder)` writes (timed as `stage`), then publish it as OUT's `names` in
    one rename, keeping OUT's other outputs."""
    with staging(out) as area:
        with clock.stage(stage):
            write(area.path)
        with clock.stage("writing"):
            area.commit(others(out, names))


def report_scaffold_dir(target: Path) -> str | None:
    """The scaffold folder in OUT the report links to: ours, else one `planner scaffold` wrote."""
    owned = read_manifest(target).names
    found = next((n for n in (SCAFFOLD, SCAFFOLD_FALLBACK) if n in owned), None)
    if found is None and (target / SCAFFOLD).is_dir():  # from `planner scaffold`
        return SCAFFOLD
    return found


def report_scaffold(target: Path, plan: Plan, plan_file: Path) -> tuple[str | None, str]:
    """The scaffold folder in OUT the report links to, when it was made for `plan` (read from
    `plan_file`); else None and one line saying why it is not linked and how to regenerate it."""
    found = report_scaffold_dir(target)
    why = _stale(target, found, plan)
    if found is None or not why:
        return found, ""
    fix = f"planner scaffold {plan_file} --out {target / found}"
    return None, f"{found}/ {why}, so this report does not link it; regenerate it with: {fix}"


def scaffold_left_behind(target: Path, plan: Plan) -> str:
    """After `planner plan` into OUT: one line when OUT's scaffold is not the new plan's."""
    found = report_scaffold_dir(target)
    why = _stale(target, found, plan)
    if found is None or not why:
        return ""
    fix = f"planner scaffold {target / 'plan.json'} --out {target / found}"
    return f"note: {target / found} {why}; regenerate it with: {fix}"


def _stale(target: Path, found: str | None, plan: Plan) -> str:
    """Why OUT's scaffold `found` is not `plan`'s, or "" (also when there is none)."""
    from reports.scaffold.delivery import stale_scaffold

    return (stale_scaffold(target / found, plan) or "") if found is not None else ""


def _scaffold_name(out: Path, feedback: Feedback) -> str:
    """`scaffold`, unless OUT holds a `scaffold/` planner did not write: then another name."""
    manifest = read_manifest(out).names
    if SCAFFOLD in manifest or not os.path.lexists(out / SCAFFOLD):
        return SCAFFOLD
    feedback.info(
        f"note: {out / SCAFFOLD} is not ours; the scaffold goes to {out / SCAFFOLD_FALLBACK}"
    )
    return SCAFFOLD_FALLBACK


def out_dir(out: Path, names: tuple[str, ...] = ()) -> Path:
    """OUT, checked before any long work: a writable directory (or absent, then created) with no
    name we may not write."""
    check_writable(out, names)
    return output_dir(out)


def others(out: Path, names: tuple[str, ...]) -> tuple[str, ...]:
    """What a partial command keeps of OUT's previous outputs: every name it does not write."""
    return tuple(n for n in read_manifest(out).names if n not in names)


def with_timings(plan: Plan, clock: Clock, wanted: bool) -> Plan:
    """`plan` with the seconds per stage so far, when they are wanted."""
    return dataclasses.replace(plan, timings=clock.timings()) if wanted else plan


def load_facts(path: Path) -> Facts:
    """A facts file, every string redacted; a missing or unreadable one is a user error."""
    if path.is_dir():
        raise InputError(f"{path}: a directory, not a facts file")
    if not path.is_file():
        raise InputError(f"{path}: no such facts file (run `planner analyze` first)")
    try:
        data = path.read_bytes()
        return redacted(read_facts(path, data), data)  # a hand-made or older file as well
    except (ValueError, KeyError, TypeError, RecursionError) as error:
        why = str(error).removeprefix(f"{path}: ")
        raise InputError(f"{path}: not a facts file this planner can read ({why})") from None


def load_plan(path: Path) -> Plan:
    """A plan file, every string redacted; a missing or unreadable one is a user error."""
    if path.is_dir():
        raise InputError(f"{path}: a directory, not a plan file")
    if not path.is_file():
        raise InputError(f"{path}: no such plan file (run `planner plan` first)")
    try:
        data = path.read_bytes()
        return redacted(read_plan(path, data), data)
    except (ValueError, KeyError, TypeError, RecursionError) as error:
        why = str(error).removeprefix(f"{path}: ")
        raise InputError(f"{path}: not a plan file this planner can read ({why})") from None


Model = TypeVar("Model", Facts, Plan)


def redacted(model: Model, data: bytes, cache_dir: Path | None = None) -> Model:
    """`model`, encoded as or read from `data`, with every string redacted, walked once per input:
    a warm run makes the same facts and the what-if loop reads the same files each time.

    Keyed by the digest of `data` and the redaction rules, in the cache folder (default: the
    user's): bytes found clean are marked by an empty file named by the digest; for bytes that
    were not, the strings redaction changed are kept (the latest input per model type only, so
    the folder does not grow), and put back without walking the model again.
    """
    from analyzers.cache import default_cache_dir
    from analyzers.records import pack_typed, unpack_typed
    from analyzers.redact import Patch, apply_patch, redaction_patch

    key = _redaction_key(data)
    folder = cache_dir or default_cache_dir(Path(model.root))
    marker = folder / "clean" / key
    if marker.is_file():
        return model
    record = folder / "redacted" / type(model).__name__
    with contextlib.suppress(OSError):
        found = unpack_typed(record.read_bytes(), tuple[str, Patch])
        patched = apply_patch(model, found[1]) if found is not None and found[0] == key else None
        if patched is not None:
            return patched
    clean = redact_model(model)
    if clean is model:
        _mark_clean(marker)
        return clean
    patch = redaction_patch(model, clean)
    if patch is not None:
        with contextlib.suppress(OSError):
            record.parent.mkdir(parents=True, exist_ok=True)
            temporary = record.with_name(f".{record.name}.{os.getpid()}")
            try:
                temporary.write_bytes(pack_typed((key, patch)))
                os.replace(temporary, record)
            finally:
                temporary.unlink(missing_ok=True)
    return clean


def write_model(model: Facts | Plan, path: Path, *, pretty: bool = False) -> None:
    """Write a facts (in file form) or plan model we redacted as JSON at `path`, and mark its
    bytes clean for `redacted`: the what-if loop's first `planner plan` after a run reads them
    without walking them again."""
    from analyzers.cache import default_cache_dir

    form = in_file_form(model) if isinstance(model, Facts) else model
    data = write_json(form, path, pretty=pretty)
    _mark_clean(default_cache_dir(Path(model.root)) / "clean" / _redaction_key(data))


def _redaction_key(data: bytes) -> str:
    """The digest naming what `redacted` remembers of `data` under today's redaction rules."""
    digest = hashlib.sha256(data)
    digest.update(b"\0" + redaction_rules().encode("utf-8"))
    return digest.hexdigest()


def _mark_clean(marker: Path) -> None:
    """Remember that the bytes `marker` is named after need no redaction (best effort)."""
    with contextlib.suppress(OSError):
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()


def make_plan(facts: Facts, config: Config, *, first: ServiceName | None = None) -> Plan:
    """The decomposition, table ownership, scores and simulated extraction order for `facts`."""
    from planner.design import make_design

    return order_plan(make_design(facts, config), config, first=first)


def order_plan(design: Design, config: Config, *, first: ServiceName | None = None) -> Plan:
    """The plan of `design`: scores and the simulated extraction order (`first` forced first),
    waves, steps, effort and risk register."""
    from planner.choice import first_choice, missing_inputs
    from planner.effort import EFFORT_FORMULA, estimate_all
    from planner.register import with_register
    from planner.strangler import build_steps, group_waves, simulate

    facts, decomposition, tables = design.facts, design.decomposition, design.tables
    dead, service_of, world = design.dead, design.service_of, design.world
    moves = simulate(world, config.benefit_weight, first)
    waves = group_waves(world, moves, config.wave_size)
    steps = build_steps(world, moves, waves)
    order = {m.service: i for i, m in enumerate(moves)}
    lines = {u.id: u.lines for u in facts.units}
    services = tuple(
        Service(
            name=move.service,
            members=decomposition.services[move.service],
            tables=tuple(t.table for t in tables if t.owner == move.service),
            endpoints=tuple(
                sorted(
                    EndpointRef(e.method, e.path, e.unit)
                    for e in facts.endpoints
                    if service_of.get(e.unit) == move.service
                )
            ),
            lines=sum(lines.get(u, 0) for u in decomposition.services[move.service]),
            risk=move.risk,
            benefit=move.benefit,
        )
        for move in sorted(moves, key=lambda m: order[m.service])
    )
    warnings = [
        f"shared kernel: {u} ({why})" for u, why in sorted(decomposition.kernel_reasons.items())
    ]
    schema = {t.name for t in facts.tables if t.source in ("database", "ddl")}
    unknown = tuple(sorted({a.table for a in facts.table_access} - schema)) if schema else ()
    if unknown:
        warnings.append(
            f"code touches {plural(len(unknown), 'table')} missing from the schema: "
            + ", ".join(unknown)
        )
    if not schema:
        warnings.append("no database schema was read: tables come from ORM models and SQL only")
    if not facts.change_stats:
        warnings.append("no git history was read: churn, co-change and authors are left out")
    plan = Plan(
        root=facts.root,
        services=services,
        shared_kernel=decomposition.kernel,
        excluded=decomposition.excluded,
        excluded_reasons=dict(sorted(decomposition.excluded_reasons.items())),
        kernel_reasons=dict(sorted(decomposition.kernel_reasons.items())),
        candidates=decomposition.candidates,
        tables=tables,
        access=tuple(u for u in _access(facts, service_of) if u.table not in unknown),
        edges=_service_edges(design.dependencies, service_of),
        waves=waves,
        steps=steps,
        metrics={
            **_metrics(design),
            "overall_risk": _overall_risk(services),
        },
        warnings=tuple(warnings),
        cross_joins=_cross_joins(facts, service_of, {t.table: t.owner for t in tables}),
        unknown_tables=unknown,
        dead=dead,
        efforts=estimate_all(steps, decomposition.services, lines, world.tested),
        effort_formula=EFFORT_FORMULA,
        first_choice=first_choice(world, config.benefit_weight, moves[0].service, bool(first))
        if moves
        else None,
        unavailable=missing_inputs(facts),
    )
    return with_register(plan, facts)


def _cross_joins(
    facts: Facts, service_of: dict[str, ServiceName], owners: dict[str, ServiceName | None]
) -> tuple[CrossJoin, ...]:
    """SQL statements (accesses sharing one evidence line) over tables of different owners."""
    statements: dict[tuple[str, Evidence], set[str]] = defaultdict(set)
    for access in facts.table_access:
        if access.via == "sql" and access.unit in service_of and access.evidence:
            statements[(access.unit, access.evidence[0])].add(access.table)
    joins = []
    for (unit, evidence), tables in sorted(statements.items()):
        services = {owners.get(t) for t in tables} - {None}
        if len(services) > 1:
            joins.append(CrossJoin(unit, tuple(sorted(tables)), tuple(sorted(services)), evidence))
    return tuple(joins)


def _overall_risk(services: tuple[Service, ...]) -> float:
    """The services' risk averaged by their size in lines (0 when there is no service)."""
    lines = sum(s.lines for s in services)
    return round(sum(s.risk.score * s.lines for s in services) / lines, 1) if lines else 0.0


def _access(facts: Facts, service_of: dict[str, ServiceName]) -> tuple[TableUse, ...]:
    modes: dict[tuple[ServiceName, str], set[str]] = defaultdict(set)
    for access in facts.table_access:
        service = service_of.get(access.unit)
        if service:
            modes[(service, access.table)].add(access.mode)
    return tuple(TableUse(s, t, "read" in m, "write" in m) for (s, t), m in sorted(modes.items()))


def _service_edges(
    dependencies: tuple[DependencyEdge, ...], service_of: dict[str, ServiceName]
) -> tuple[ServiceEdge, ...]:
    weight: dict[tuple[ServiceName, ServiceName], float] = defaultdict(float)
    kinds: dict[tuple[ServiceName, ServiceName], set[str]] = defaultdict(set)
    for a, b, w, counts in dependencies:
        sa, sb = service_of.get(a), service_of.get(b)
        if sa and sb and sa != sb:
            weight[(sa, sb)] += w
            kinds[(sa, sb)].update(counts)
    return tuple(
        ServiceEdge(a, b, round(w, 2), tuple(sorted(kinds[(a, b)])))
        for (a, b), w in sorted(weight.items())
    )


def _metrics(design: Design) -> dict[str, float]:
    return {
        "services": float(len(design.decomposition.services)),
        "shared_kernel_units": float(len(design.decomposition.kernel)),
        "modularity": round(design.modularity, 4),
    }
