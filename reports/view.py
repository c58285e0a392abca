"""View objects for the reports: everything a template shows, computed and sorted in Python."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import PurePath, PurePosixPath
from urllib.parse import quote

from analyzers.facts import DeadCode, Evidence, Facts, Unit
from planner.access import privileges, role_name
from planner.plan import (
    ENDPOINT_RULE,
    KERNEL,
    MONOLITH,
    SCORE_LEVELS,
    CrossJoin,
    EndpointRef,
    Factor,
    Plan,
    PrepItem,
    RiskEntry,
    Score,
    Service,
    ServiceName,
    Step,
    StepRisk,
    TablePlan,
    agree,
    endpoint_keys,
    plural,
    risk_levels_text,
    score_level,
    score_levels_text,
)
from planner.slugs import slug
from reports.grants import grant_scripts
from reports.lint import FindingView, finding_views
from reports.scaffold.delivery import DeliverySummary
from reports.scaffold.model import FACADE_IMAGE, JRE_IMAGES, PYTHON_IMAGE
from reports.scaffold.monitoring import monitor

MAX_EVIDENCE = 25
"""Evidence items shown per factor or call; the rest are counted, so huge plans stay small."""
KERNEL_EXAMPLES = 3
"""Units named per shared-kernel reason; the rest are counted."""

PATTERN_LABELS = {
    "owned": "Owned: moves with the service",
    "api_or_view": "Read by others: expose through the owner's API or a view",
    "shared_ownership": "Written by several: keep shared under explicit ownership",
    "split_table": "Written by several on disjoint columns: split the table",
    "change_data_capture": "Others need a copy: replicate through change data capture",
    "unused": "Not used by any code",
}
PATTERN_MITIGATION = {
    "api_or_view": "Readers switch to the owner's API or a read-only database view; revoke their "
    "direct grants once the switch is verified.",
    "shared_ownership": "Name one owner that alone changes the schema; other writers go through "
    "narrow, least-privilege roles; plan a later split or CDC.",
    "split_table": "Split the columns each service writes into its own table; backfill and "
    "dual-write until readers move over.",
    "change_data_capture": "Replicate changes from the owner through CDC; consumers read their "
    "copy and tolerate replication lag.",
}
LEVELS = SCORE_LEVELS  # the cut-offs live in the plan model, stated once
RISK_LABELS = {
    "shared_table": "Table shared across services",
    "cross_join": "SQL join across services",
    "cross_service_write": "Unit of work writing several services' tables",
    "cdc_lag": "CDC copy lags its owner",
    "facade": "Facade: single point of failure",
    "observability": "No tracing or metrics",
}
"""Register labels of the migration risks; a scoring factor's label is its humanized name."""
TOP_RISKS = 8
"""Risks the workshop answer lists; the register below has all of them."""
PATTERN_ORDER = (
    "owned",
    "api_or_view",
    "shared_ownership",
    "split_table",
    "change_data_capture",
    "unused",
)
PATTERN_ADVICE = {
    "owned": "Moves with its service: only that service's role is granted on it.",
    "unused": "No code touches it: leave it in place, confirm with its owner, then archive it.",
}
CHECKLIST = (
    (
        "Using the :latest tag in production",
        "Pin an explicit version tag (v1.2.3 or the git sha)",
        f"Base images are pinned ({PYTHON_IMAGE}; Java on {JRE_IMAGES[17]} and the other "
        f"LTS releases; facade {FACADE_IMAGE}); production compose "
        "files require each service's version tag and CI tags images by commit sha.",
    ),
    (
        "Hard-coding secrets into the image",
        "Use environment variables or a secret manager",
        "Nothing secret is baked in: database URLs arrive as compose secrets under /run/secrets, "
        ".env.*.example files hold placeholders only, and .dockerignore keeps secrets out of "
        "the build context.",
    ),
    (
        "Keeping logs inside the container",
        "Write to stdout/stderr and collect them outside",
        "Services log to stdout/stderr (PYTHONUNBUFFERED=1); compose rotates them with the "
        "json-file driver instead of writing files in the container.",
    ),
    (
        "Deploying without a health check",
        "Implement a proper health-check endpoint",
        "Every Dockerfile has a HEALTHCHECK on GET /health and every compose service a "
        "healthcheck; each step's first go/no-go check is that endpoint answering 200.",
    ),
    (
        "Running without resource limits",
        "Set CPU and memory limits",
        "Production compose files set CPU and memory limits (0.5 CPU, 512M per replica), "
        "two replicas, a restart policy and a read-only root file system.",
    ),
)
"""The lecture's five common container mistakes, its fix, and where the scaffold applies it."""


# --- small value objects ----------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceView:
    """One piece of evidence: `path:line` and the line's text."""

    location: str
    snippet: str


@dataclass(frozen=True)
class FactorView:
    """A row of a score breakdown."""

    name: str
    label: str
    points: str
    weight: str
    value: str
    explanation: str
    bar: int
    evidence: tuple[EvidenceView, ...]
    more_evidence: int


@dataclass(frozen=True)
class ScoreView:
    """A 0-100 score with its level and factor breakdown."""

    score: str
    sort_key: str
    level: str
    bar: int
    factors: tuple[FactorView, ...]


@dataclass(frozen=True)
class EndpointView:
    """An HTTP route: method, path and the unit serving it."""

    method: str
    path: str
    unit: str


@dataclass(frozen=True)
class MemberView:
    """A unit moving with a service."""

    unit: str
    path: str
    lines: str


@dataclass(frozen=True)
class ServiceView:
    """A service card."""

    name: str
    anchor: str
    wave: int
    wave_label: str
    wave_class: str
    order: str
    lines: str
    headline: str
    member_count: int
    members: tuple[MemberView, ...]
    endpoints: tuple[EndpointView, ...]
    tables_owned: tuple[str, ...]
    tables_used: tuple[str, ...]
    risk: ScoreView
    benefit: ScoreView
    search: str
    role: str
    dockerfile_href: str


@dataclass(frozen=True)
class WaveItem:
    """A service chip on the wave timeline."""

    name: str
    anchor: str
    risk: str
    level: str


@dataclass(frozen=True)
class WaveView:
    """A column of the wave timeline."""

    number: int
    label: str
    css: str
    services: tuple[WaveItem, ...]
    scaffold_href: str


@dataclass(frozen=True)
class MatrixCell:
    """One service x table cell: R, W, RW or empty, with the owner marked."""

    text: str
    css: str
    title: str


@dataclass(frozen=True)
class MatrixRow:
    """A table's row of the matrix."""

    table: str
    owner: str
    pattern: str
    pattern_label: str
    pattern_css: str
    reason: str
    cells: tuple[MatrixCell, ...]
    search: str
    flag: str
    flag_label: str


@dataclass(frozen=True)
class CrossJoinView:
    """One SQL statement spanning tables of different services, and what it must become."""

    unit: str
    service: str
    tables: tuple[str, ...]
    services: tuple[str, ...]
    location: str
    snippet: str
    foreign: tuple[str, ...]
    before_wave: int
    advice: str
    search: str


@dataclass(frozen=True)
class MatrixView:
    """The service x table matrix."""

    services: tuple[str, ...]
    rows: tuple[MatrixRow, ...]
    shared_count: int
    unused: tuple[str, ...]
    unknown: tuple[str, ...]
    cross_joins: tuple[CrossJoinView, ...]


@dataclass(frozen=True)
class CallBackView:
    """A call from an extracted service back into the monolith."""

    source: str
    target: str
    kind: str
    evidence: tuple[EvidenceView, ...]
    more_evidence: int


@dataclass(frozen=True)
class StepTableView:
    """A table decision inside a step."""

    table: str
    owner: str
    pattern: str
    pattern_css: str
    reason: str


@dataclass(frozen=True)
class StepView:
    """One extraction step."""

    order: int
    anchor: str
    wave: int
    wave_class: str
    service: str
    service_anchor: str
    reason: str
    reroute: tuple[EndpointView, ...]
    calls_back: tuple[CallBackView, ...]
    tables: tuple[StepTableView, ...]
    risks: tuple[str, ...]
    rollout: str
    checks: tuple[str, ...]
    rollback: str
    scaffold_href: str
    dockerfile_href: str


@dataclass(frozen=True)
class RiskItem:
    """A row of the risk register."""

    id: str
    severity: str
    severity_rank: int
    service: str
    step: str
    step_anchor: str
    risk: str
    mitigation: str
    kind: str = ""  # what the risk is about, in words
    subject: str = ""  # the table, statement or service
    wave: str = ""  # "1"; "" for none
    likelihood: int = 0
    impact: int = 0
    score: str = ""  # "likelihood 2 x impact 3 = 6"
    evidence: tuple[str, ...] = ()  # "path:line"


@dataclass(frozen=True)
class PrepView:
    """One piece of work due before wave 1, linked to the step and tables that need it."""

    text: str
    step: str
    step_anchor: str
    tables: tuple[str, ...]
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class WarningView:
    """A warning from the analyzers or the planner."""

    source: str
    where: str
    message: str


@dataclass(frozen=True)
class EdgeView:
    """A weighted coupling between two services (or the monolith)."""

    source: str
    target: str
    weight: str
    kinds: str


@dataclass(frozen=True)
class Stat:
    """A headline number of the summary."""

    label: str
    value: str
    hint: str
    css: str


@dataclass(frozen=True)
class SummaryView:
    """The top of the report: what to do first and the headline numbers."""

    root: str
    first_service: str
    first_anchor: str
    first_reason: str
    first_risk: str
    first_benefit: str
    stats: tuple[Stat, ...]
    overall_level: str
    metrics: tuple[tuple[str, str], ...]
    databases: tuple[str, ...]


@dataclass(frozen=True)
class GranularityView:
    """The granularity sweep: the chosen number of services beside the best one not chosen."""

    chosen_k: int
    chosen: str  # "4 services"
    chosen_score: str
    tried: str  # "3 numbers of services tried"
    runner_up_k: int = 0  # 0: no runner-up (a single candidate)
    runner_up: str = ""
    runner_up_score: str = ""
    gap: str = ""  # "0.012 lower, 2.9%": how close the runner-up comes to the chosen


@dataclass(frozen=True)
class KernelReasonView:
    """One reason units are platform code, not a service's: how many, and the first few."""

    reason: str
    count: int
    units: tuple[str, ...]
    more: int


@dataclass(frozen=True)
class GrantView:
    """One service's least-privilege database role and its scripts in both dialects."""

    service: str
    anchor: str
    wave_label: str
    role: str
    reads: tuple[str, ...]
    writes: tuple[str, ...]
    postgresql: str
    mysql: str
    postgresql_file: str
    mysql_file: str
    search: str


@dataclass(frozen=True)
class PatternGroup:
    """The tables that follow one database pattern."""

    pattern: str
    label: str
    css: str
    tables: tuple[str, ...]
    advice: str


@dataclass(frozen=True)
class StepBrief:
    """One step as the workshop's migration plan shows it."""

    order: int
    anchor: str
    service: str
    service_anchor: str
    moves: str
    reroutes: int
    rollout: str
    checks: tuple[str, ...]
    rollback: str
    dockerfile_href: str


@dataclass(frozen=True)
class WavePlan:
    """A wave of the step-by-step plan: its steps and what stays in the monolith after it."""

    number: int
    label: str
    css: str
    steps: tuple[StepBrief, ...]
    endpoints_left: int
    scaffold_href: str


@dataclass(frozen=True)
class KernelUse:
    """How strongly a service leans on the shared kernel."""

    service: str
    weight: str


@dataclass(frozen=True)
class ChecklistItem:
    """One of the lecture's five common container mistakes and how the scaffold avoids it."""

    mistake: str
    remedy: str
    scaffold: str


@dataclass(frozen=True)
class WorkshopView:
    """Answers to the four workshop questions, computed from this plan."""

    first_wave: int
    first_services: tuple[WaveItem, ...]
    first_reroutes: tuple[EndpointView, ...]
    first_calls_back: int
    endpoints_total: int
    endpoints_after_first: int
    endpoints_at_end: int
    endpoints_moving: int
    kernel: tuple[str, ...]
    kernel_users: tuple[KernelUse, ...]
    grants: tuple[GrantView, ...]
    patterns: tuple[PatternGroup, ...]
    plan_waves: tuple[WavePlan, ...]
    risk_counts: tuple[tuple[str, int], ...]
    top_risks: tuple[RiskItem, ...]
    more_risks: int
    checklist: tuple[ChecklistItem, ...]
    preparation: tuple[PrepView, ...] = ()
    endpoint_rule: str = ENDPOINT_RULE  # what an endpoint count counts, in words


@dataclass(frozen=True)
class MonitorView:
    """A go/no-go check beside the alert (or gate) that measures it."""

    check: str
    measured: str  # the alert name, or how it is checked without one


@dataclass(frozen=True)
class DeliveryWave:
    """A wave's artifacts on the chosen delivery path, as (label, relative href)."""

    number: int
    label: str
    links: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class DeliveryView:
    """The delivery path the scaffold was written for: profile, CI, registry, target, why."""

    profile: str
    profile_reason: str
    ci: str
    ci_reason: str
    registry: str
    registry_reason: str
    target: str
    governance: tuple[str, ...]
    waves: tuple[DeliveryWave, ...]
    monitors: dict[int, tuple[MonitorView, ...]]  # by step order


@dataclass(frozen=True)
class FirstChoiceView:
    """Why the first service goes first, in plain sentences, with the runner-up and how firm."""

    service: str
    anchor: str
    sentences: tuple[str, ...]
    runner_up: str
    runner_up_anchor: str
    margin: str  # "2.6"
    close: bool
    sensitivity: str
    ranked_by: str
    effort: str  # "5.5 to 11.5 person-weeks", "" when unknown


@dataclass(frozen=True)
class EffortView:
    """One step's cost: the range, what drives it and the formula with its numbers."""

    order: int
    service: str
    anchor: str
    weeks: str  # "5.5 to 11.5"
    lines: int
    endpoints: int
    tables: int
    read_tables: int
    calls_back: int
    untested_lines: int
    basis: str


@dataclass(frozen=True)
class MissingInputView:
    """An input the run lacked and the scores it leaves unavailable."""

    input: str
    scores: str  # "risk: churn, risk: people, benefit: hotspot"
    note: str


@dataclass(frozen=True)
class DeadView:
    """Dead code kept out of the plan: what, why, and where it was seen."""

    kind: str
    name: str
    reason: str  # "dropped" (by a migration) | "deprecated" (marked in the code)
    detail: str
    where: str  # "path:line"


@dataclass(frozen=True)
class ReportView:
    """Everything the HTML and Markdown reports show."""

    title: str
    summary: SummaryView
    waves: tuple[WaveView, ...]
    services: tuple[ServiceView, ...]
    edges: tuple[EdgeView, ...]
    shared_kernel: tuple[str, ...]
    excluded: tuple[tuple[str, str], ...]
    matrix: MatrixView
    steps: tuple[StepView, ...]
    risks: tuple[RiskItem, ...]
    warnings: tuple[WarningView, ...]
    analyzers: tuple[str, ...]
    format_version: int
    workshop: WorkshopView
    scaffold_dir: str
    delivery: DeliveryView | None = None
    timings: tuple[str, ...] = ()  # "stage 1.234 s", only when the run was asked for timings
    granularity: GranularityView | None = None  # None: the plan records no sweep (format < 3)
    kernel_reasons: tuple[KernelReasonView, ...] = ()
    risk_levels: str = ""  # the severity cut-offs of the register, in one sentence
    container_findings: tuple[FindingView, ...] = ()  # container files of the analyzed repo
    first_choice: FirstChoiceView | None = None  # None: no step, or a plan of format < 4
    efforts: tuple[EffortView, ...] = ()
    effort_formula: str = ""
    score_levels: str = ""  # the low/medium/high cut-offs of service scores, in words
    unavailable: tuple[MissingInputView, ...] = ()  # shown at the top when not empty
    dead: tuple[DeadView, ...] = ()
    scaffold_note: str = ""  # why OUT's scaffold is not linked (made for another plan), in a line


# --- helpers ----------------------------------------------------------------------------------


def fmt(value: float) -> str:
    """A number with at most one decimal, no trailing zero (`12`, `3.5`)."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def humanize(name: str) -> str:
    """A factor id as words: `shared_tables_written` -> `Shared tables written`."""
    words = name.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:]


def level(score: float) -> str:
    """`low`, `medium` or `high` for a 0-100 score."""
    return score_level(score)


def _clamp(value: float) -> int:
    return max(0, min(100, round(value)))


def _evidence(items: tuple[Evidence, ...]) -> tuple[tuple[EvidenceView, ...], int]:
    ordered = sorted(set(items))
    shown = tuple(
        EvidenceView(f"{e.path}:{e.line}" if e.line else e.path, e.snippet.strip())
        for e in ordered[:MAX_EVIDENCE]
    )
    return shown, max(0, len(ordered) - MAX_EVIDENCE)


def _factor(factor: Factor, top: float) -> FactorView:
    shown, more = _evidence(factor.evidence)
    return FactorView(
        name=factor.name,
        label=humanize(factor.name),
        points=fmt(factor.points),
        weight=f"{factor.weight:g}",
        value=f"{factor.value:g}",
        explanation=factor.explanation,
        bar=_clamp(100 * factor.points / top) if top > 0 else 0,
        evidence=shown,
        more_evidence=more,
    )


def score_view(score: Score) -> ScoreView:
    """A score with its factors, biggest contribution first."""
    factors = sorted(score.factors, key=lambda f: (-f.points, f.name))
    top = max((f.points for f in factors), default=0.0)
    return ScoreView(
        score=fmt(score.score),
        sort_key=f"{score.score:08.2f}",
        level=level(score.score),
        bar=_clamp(score.score),
        factors=tuple(_factor(f, top) for f in factors),
    )


def _endpoint(ref: EndpointRef) -> EndpointView:
    return EndpointView(ref.method.upper(), ref.path, ref.unit)


def _anchors(names: list[str], prefix: str) -> dict[str, str]:
    return {name: f"{prefix}-{i + 1}-{slug(name, 'x', 40)}" for i, name in enumerate(names)}


def _wave_label(wave: int) -> str:
    return f"Wave {wave}" if wave else "Not scheduled"


def _wave_css(wave: int, palette: int) -> str:
    return f"wave-{(wave - 1) % palette + 1}" if wave else "wave-0"


def scaffold_base(scaffold_dir: str | None) -> str | None:
    """`scaffold_dir` as a URL-quoted relative link prefix ending in `/`, or None when unset.

    Raises ValueError for an absolute path, a `..` part or a URL: links must stay beside the report.
    """
    if scaffold_dir is None or not scaffold_dir.strip():
        return None
    path = PurePosixPath(scaffold_dir.strip().replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or ":" in scaffold_dir:
        raise ValueError(f"scaffold_dir must be a relative path under the output: {scaffold_dir!r}")
    parts = [quote(part, safe="") for part in path.parts if part not in {"", "."}]
    return "".join(f"{part}/" for part in parts) or "./"


def _has_word(text: str) -> bool:
    return re.search(r"\w", text) is not None


# --- building ---------------------------------------------------------------------------------


class _Index:
    """Lookups over the plan and facts shared by the builders."""

    def __init__(self, facts: Facts, plan: Plan, palette: int, scaffold: str | None) -> None:
        self.facts = facts
        self.plan = plan
        self.palette = palette
        self.scaffold = scaffold
        self.unit_service = {m: s.name for s in plan.services for m in s.members}
        self.owner = {t.table: t.owner for t in plan.tables if t.owner}
        self.units: dict[str, Unit] = {u.id: u for u in facts.units}
        self.wave = {name: w.number for w in plan.waves for name in w.services}
        self.step = {s.service: s for s in plan.steps}
        self.services = sorted(
            plan.services,
            key=lambda s: (self.wave.get(s.name) or 10**6, self._order(s.name), s.name),
        )
        self.anchor = _anchors([s.name for s in self.services], "svc")
        steps = sorted(plan.steps, key=lambda s: (s.order, s.service))
        self.step_anchor = {s.order: f"step-{s.order}" for s in steps}
        self.steps = steps

    def _order(self, name: ServiceName) -> int:
        step = next((s for s in self.plan.steps if s.service == name), None)
        return step.order if step else 10**6

    def wave_of(self, name: ServiceName) -> int:
        return self.wave.get(name, 0)

    def css(self, name: ServiceName) -> str:
        return _wave_css(self.wave_of(name), self.palette)

    def wave_href(self, wave: int) -> str:
        """The wave's scaffold folder, when a scaffold is linked and the wave extracts something."""
        if self.scaffold is None or wave not in {s.wave for s in self.steps}:
            return ""
        return f"{self.scaffold}wave-{wave}/"

    def dockerfile_href(self, name: ServiceName) -> str:
        """The service's Dockerfile in the scaffold, when linked and the service is extracted."""
        if self.scaffold is None or name not in self.step:
            return ""
        return f"{self.scaffold}{quote(slug(name), safe='')}/Dockerfile"


def _service(index: _Index, service: Service) -> ServiceView:
    wave = index.wave_of(service.name)
    step = index.step.get(service.name)
    members = tuple(
        MemberView(
            unit=m,
            path=index.units[m].path if m in index.units else "",
            lines=str(index.units[m].lines) if m in index.units else "",
        )
        for m in sorted(set(service.members))
    )
    owned = tuple(sorted({t.table for t in index.plan.tables if t.owner == service.name}))
    used = tuple(
        sorted({u.table for u in index.plan.access if u.service == service.name} - set(owned))
    )
    endpoints = tuple(_endpoint(e) for e in sorted(set(service.endpoints)))
    return ServiceView(
        name=service.name,
        anchor=index.anchor[service.name],
        wave=wave,
        wave_label=_wave_label(wave),
        wave_class=index.css(service.name),
        order=str(step.order) if step else "",
        lines=str(service.lines),
        headline=" · ".join(
            [
                plural(len(members), "module"),
                plural(service.lines, "line"),
                plural(len(endpoints), "endpoint"),
                plural(len(set(service.tables) | set(owned)), "table") + " owned",
            ]
        ),
        member_count=len(members),
        members=members,
        endpoints=endpoints,
        tables_owned=tuple(sorted(set(service.tables) | set(owned))),
        tables_used=used,
        risk=score_view(service.risk),
        benefit=score_view(service.benefit),
        search=" ".join([service.name, *service.members, *service.tables]).lower(),
        role=service.role,
        dockerfile_href=index.dockerfile_href(service.name),
    )


def _waves(index: _Index) -> tuple[WaveView, ...]:
    numbers = sorted({index.wave_of(s.name) for s in index.services}, key=lambda n: n or 10**6)
    return tuple(
        WaveView(
            number=n,
            label=_wave_label(n),
            css=_wave_css(n, index.palette),
            services=tuple(
                WaveItem(
                    s.name,
                    index.anchor[s.name],
                    fmt(s.risk.score),
                    level(s.risk.score),
                )
                for s in index.services
                if index.wave_of(s.name) == n
            ),
            scaffold_href=index.wave_href(n),
        )
        for n in numbers
    )


FLAG_LABELS = {
    "unknown": "Not in the schema: code touches it but the database has no such table",
    "unused": "No code touches it",
}


def _matrix(index: _Index) -> MatrixView:
    plan = index.plan
    names = tuple(s.name for s in index.services)
    uses = {(u.service, u.table): u for u in plan.access}
    table_plans = {t.table: t for t in plan.tables}
    unknown = set(plan.unknown_tables)
    used = {u.table for u in plan.access if u.reads or u.writes}
    tables = sorted(set(table_plans) | {u.table for u in plan.access} | unknown)
    rows = []
    for table in tables:
        tp = table_plans.get(table)
        owner = tp.owner if tp and tp.owner else ""
        cells = []
        for name in names:
            use = uses.get((name, table))
            text = ("R" if use and use.reads else "") + ("W" if use and use.writes else "")
            is_owner = name == owner
            css = " ".join(c for c in ("use" if text else "", "owner" if is_owner else "") if c)
            title = f"{name} {'owns' if is_owner else 'uses'} {table}" if text or is_owner else ""
            cells.append(MatrixCell(text=text or ("·" if is_owner else ""), css=css, title=title))
        pattern = tp.pattern if tp else ("unused" if table not in used else "")
        flag = "unknown" if table in unknown else ""
        if not flag and (pattern == "unused" or table not in used):
            flag = "unused"
        rows.append(
            MatrixRow(
                table=table,
                owner=owner,
                pattern=pattern or "unknown",
                pattern_label=PATTERN_LABELS.get(pattern, FLAG_LABELS["unknown"]),
                pattern_css=f"pat-{pattern}" if pattern in PATTERN_LABELS else "pat-other",
                reason=tp.reason if tp else "",
                cells=tuple(cells),
                search=" ".join([table, owner, pattern, flag]).lower(),
                flag=flag,
                flag_label=FLAG_LABELS.get(flag, ""),
            )
        )
    shared = sum(1 for r in rows if r.pattern not in {"owned", "unused", "unknown"})
    return MatrixView(
        services=names,
        rows=tuple(rows),
        shared_count=shared,
        unused=tuple(r.table for r in rows if r.flag == "unused"),
        unknown=tuple(r.table for r in rows if r.flag == "unknown"),
        cross_joins=tuple(_cross_join(index, j) for j in sorted(set(plan.cross_joins))),
    )


def _cross_join(index: _Index, join: CrossJoin) -> CrossJoinView:
    """A join across services, with the tables its unit must stop reading directly."""
    unit_service = index.unit_service.get(join.unit)
    if unit_service is None:
        unit_service = "shared kernel" if join.unit in index.plan.shared_kernel else MONOLITH
    tables = tuple(sorted(set(join.tables)))
    foreign = tuple(t for t in tables if index.owner.get(t, unit_service) != unit_service)
    services = tuple(sorted(set(join.services)))
    first = index.plan.first_step({*services, unit_service})
    before = first.wave if first else 0
    owners = sorted({index.owner[t] for t in foreign if t in index.owner})
    if foreign:
        advice = (
            f"Read {', '.join(foreign)} through the API of {', '.join(owners) or 'its owner'} "
            f"or a read-only view granted to {role_name(unit_service)}"
        )
    else:
        advice = "Split the statement so each service reads only its own tables"
    if before:
        advice += f"; due before wave {before}, when the first service involved leaves."
    else:
        advice += "."
    location = f"{join.evidence.path}:{join.evidence.line}" if join.evidence.line else ""
    snippet = join.evidence.snippet.strip()
    return CrossJoinView(
        unit=join.unit,
        service=unit_service,
        tables=tables,
        services=services,
        location=location or join.evidence.path,
        snippet=snippet if _has_word(snippet) else "",
        foreign=foreign,
        before_wave=before,
        advice=advice,
        search=" ".join([join.unit, *tables, *services]).lower(),
    )


def _step_table(tp: TablePlan) -> StepTableView:
    return StepTableView(
        table=tp.table,
        owner=tp.owner or "",
        pattern=tp.pattern,
        pattern_css=f"pat-{tp.pattern}" if tp.pattern in PATTERN_LABELS else "pat-other",
        reason=tp.reason,
    )


def _step(index: _Index, step: Step) -> StepView:
    calls = []
    for call in sorted(set(step.calls_back)):
        shown, more = _evidence(call.evidence)
        calls.append(CallBackView(call.source, call.target, call.kind, shown, more))
    wave = step.wave or index.wave_of(step.service)
    return StepView(
        order=step.order,
        anchor=index.step_anchor[step.order],
        wave=wave,
        wave_class=_wave_css(wave, index.palette),
        service=step.service,
        service_anchor=index.anchor.get(step.service, ""),
        reason=step.reason,
        reroute=tuple(_endpoint(e) for e in sorted(set(step.reroute))),
        calls_back=tuple(calls),
        tables=tuple(_step_table(t) for t in sorted(set(step.tables))),
        risks=tuple(_step_risk(r) for r in step.risks),
        rollout=step.rollout,
        checks=step.checks,
        rollback=step.rollback,
        scaffold_href=index.wave_href(wave),
        dockerfile_href=index.dockerfile_href(step.service),
    )


_RANK = {"high": 0, "medium": 1, "low": 2}


def _step_risk(risk: StepRisk) -> str:
    return f"{humanize(risk.factor)} ({risk.points:g} pts): {risk.detail}"


def _location(evidence) -> str:
    return f"{evidence.path}:{evidence.line}" if evidence.line else evidence.path


def _risks(index: _Index) -> tuple[RiskItem, ...]:
    """The plan's register, numbered in its order (most severe first)."""
    return tuple(_risk(index, i + 1, r) for i, r in enumerate(index.plan.risks))


def _risk(index: _Index, number: int, risk: RiskEntry) -> RiskItem:
    step = next((s for s in index.steps if s.order == risk.step), None) if risk.step else None
    return RiskItem(
        id=f"R{number}",
        severity=risk.severity,
        severity_rank=_RANK[risk.severity],
        service=risk.service,
        step=str(step.order) if step else "",
        step_anchor=index.step_anchor[step.order] if step else "",
        risk=risk.detail,
        mitigation=risk.response,
        kind=RISK_LABELS.get(risk.kind) or humanize(risk.kind),
        subject=risk.subject,
        wave=str(risk.wave) if risk.wave else "",
        likelihood=risk.likelihood,
        impact=risk.impact,
        score=f"{risk.likelihood} x {risk.impact} = {risk.likelihood * risk.impact}",
        evidence=tuple(_location(e) for e in risk.evidence),
    )


def _preparation(index: _Index) -> tuple[PrepView, ...]:
    return tuple(_prep(index, p) for p in index.plan.preparation)


def _prep(index: _Index, item: PrepItem) -> PrepView:
    anchor = index.step_anchor.get(item.step, "") if item.step else ""
    return PrepView(
        text=item.text,
        step=str(item.step) if anchor else "",
        step_anchor=anchor,
        tables=item.tables,
        evidence=tuple(_location(e) for e in item.evidence),
    )


def _warnings(facts: Facts, plan: Plan) -> tuple[WarningView, ...]:
    found = [WarningView("planner", "", w) for w in sorted(set(plan.warnings))]
    found += [WarningView(w.analyzer, w.path, w.message) for w in sorted(set(facts.warnings))]
    return tuple(found)


def _overall(plan: Plan) -> float:
    """The planner's overall risk (`metrics["overall_risk"]`), else a line-weighted mean."""
    if "overall_risk" in plan.metrics:
        return plan.metrics["overall_risk"]
    total = sum(max(s.lines, 1) for s in plan.services)
    if not total:
        return 0.0
    return sum(s.risk.score * max(s.lines, 1) for s in plan.services) / total


def _summary(index: _Index, warnings: int) -> SummaryView:
    plan = index.plan
    first = index.steps[0] if index.steps else None
    first_name = first.service if first else (index.services[0].name if index.services else "")
    first_service = next((s for s in plan.services if s.name == first_name), None)
    overall = _overall(plan)
    modules = len({m for s in plan.services for m in s.members})
    tables = len({t.table for t in plan.tables} | {u.table for u in plan.access})
    shared = sum(1 for t in plan.tables if t.pattern not in {"owned", "unused"})
    table_hint = f"{shared} shared"
    if plan.unknown_tables:
        table_hint += f" · {len(set(plan.unknown_tables))} not in the schema"
    stats = (
        Stat(
            "Services",
            str(len(plan.services)),
            f"{plural(modules, 'module')} {agree(modules, 'moves', 'move')}",
            "",
        ),
        Stat("Waves", str(len(plan.waves)), plural(len(plan.steps), "step"), ""),
        Stat("Overall risk", fmt(overall), f"{level(overall)} (0-100)", level(overall)),
        Stat("Tables", str(tables), table_hint, "high" if shared else ""),
        Stat(
            "Warnings",
            str(len(plan.warnings) + len(index.facts.warnings)),
            "see Warnings",
            "medium" if warnings else "",
        ),
    )
    return SummaryView(
        root=plan.root,
        first_service=first_name,
        first_anchor=index.anchor.get(first_name, ""),
        first_reason=first.reason if first else "",
        first_risk=fmt(first_service.risk.score) if first_service else "",
        first_benefit=fmt(first_service.benefit.score) if first_service else "",
        stats=stats,
        overall_level=level(overall),
        metrics=tuple((k, f"{v:.3g}") for k, v in sorted(plan.metrics.items())),
        databases=tuple(sorted(set(index.facts.databases))),
    )


def _granularity(plan: Plan) -> GranularityView | None:
    """The chosen k and its modularity, and the runner-up with how close it comes."""
    chosen = next((c for c in plan.candidates if c.chosen), None)
    if chosen is None:
        return None
    tried = f"{plural(len(plan.candidates), 'number')} of services tried"
    if len(plan.services) != chosen.k:  # clustered groups serving no endpoint or table fold in
        tried += (
            f"; {plural(len(plan.services), 'service')} in the plan once groups with no endpoint"
            " and no table are folded into others"
        )
    view = GranularityView(chosen.k, plural(chosen.k, "service"), f"{chosen.score:.3f}", tried)
    runner = plan.runner_up()
    if runner is None:
        return view
    diff = chosen.score - runner.score
    if abs(diff) < 0.0005:
        gap = "the same score"
    else:
        share = f", {abs(diff) / abs(chosen.score):.1%}" if chosen.score else ""
        gap = f"{abs(diff):.3f} {'lower' if diff > 0 else 'higher'}{share}"
        if diff < 0:  # the sweep prefers any k within services.min/max to a better one outside
            gap += "; outside services.min/max"
    return dataclasses.replace(
        view,
        runner_up_k=runner.k,
        runner_up=plural(runner.k, "service"),
        runner_up_score=f"{runner.score:.3f}",
        gap=gap,
    )


def _kernel_reasons(plan: Plan) -> tuple[KernelReasonView, ...]:
    """Shared-kernel units counted by reason (most common first; units with none recorded,
    as in plans before format 3, last among equals), with the first few named."""
    by_reason: dict[str, list[str]] = {}
    for unit in sorted(set(plan.shared_kernel)):
        by_reason.setdefault(plan.kernel_reasons.get(unit, ""), []).append(unit)
    groups = sorted(by_reason.items(), key=lambda kv: (-len(kv[1]), not kv[0], kv[0]))
    return tuple(
        KernelReasonView(
            reason or "no reason recorded",
            len(units),
            tuple(units[:KERNEL_EXAMPLES]),
            max(0, len(units) - KERNEL_EXAMPLES),
        )
        for reason, units in groups
    )


def _edges(index: _Index) -> tuple[EdgeView, ...]:
    return tuple(
        EdgeView(e.source, e.target, fmt(e.weight), ", ".join(sorted(set(e.kinds))))
        for e in sorted(index.plan.edges, key=lambda e: (-e.weight, e.source, e.target))
    )


# --- the workshop answers -------------------------------------------------------------------


def _endpoint_keys(refs: list[EndpointRef] | tuple[EndpointRef, ...]) -> set[tuple[str, str]]:
    return set(endpoint_keys(refs))


def _grant(index: _Index, service: ServiceView) -> GrantView:
    name = service.name
    wanted = privileges(index.plan, name)
    postgresql, mysql = grant_scripts(index.plan, name)
    return GrantView(
        service=name,
        anchor=f"grant-{service.anchor}",
        wave_label=service.wave_label,
        role=service.role,
        reads=wanted.reads,
        writes=wanted.writes,
        postgresql=postgresql.text,
        mysql=mysql.text,
        postgresql_file=postgresql.path,
        mysql_file=mysql.path,
        search=" ".join([name, service.role, *wanted.reads, *wanted.writes]).lower(),
    )


def _patterns(matrix: MatrixView) -> tuple[PatternGroup, ...]:
    groups = []
    known = [r for r in matrix.rows if r.flag != "unknown"]
    for pattern in PATTERN_ORDER:
        tables = tuple(r.table for r in known if r.pattern == pattern)
        if tables:
            groups.append(
                PatternGroup(
                    pattern=pattern,
                    label=PATTERN_LABELS[pattern],
                    css=f"pat-{pattern}",
                    tables=tables,
                    advice=PATTERN_ADVICE.get(pattern) or PATTERN_MITIGATION.get(pattern, ""),
                )
            )
    return tuple(groups)


def _wave_plans(
    index: _Index, services: dict[str, ServiceView], total: set[tuple[str, str]]
) -> tuple[WavePlan, ...]:
    plans = []
    left = set(total)
    for number in sorted({s.wave for s in index.steps if s.wave}):
        briefs = []
        for step in (s for s in index.steps if s.wave == number):
            left -= _endpoint_keys(step.reroute)
            card = services.get(step.service)
            moves = (
                f"{plural(card.member_count, 'module')}, {plural(int(card.lines), 'line')}, "
                f"{plural(len(card.tables_owned), 'table')} owned"
                if card
                else ""
            )
            briefs.append(
                StepBrief(
                    order=step.order,
                    anchor=index.step_anchor[step.order],
                    service=step.service,
                    service_anchor=index.anchor.get(step.service, ""),
                    moves=moves,
                    reroutes=len(_endpoint_keys(step.reroute)),
                    rollout=step.rollout,
                    checks=step.checks,
                    rollback=step.rollback,
                    dockerfile_href=index.dockerfile_href(step.service),
                )
            )
        plans.append(
            WavePlan(
                number=number,
                label=_wave_label(number),
                css=_wave_css(number, index.palette),
                steps=tuple(briefs),
                endpoints_left=len(left),
                scaffold_href=index.wave_href(number),
            )
        )
    return tuple(plans)


def _workshop(
    index: _Index,
    waves: tuple[WaveView, ...],
    services: tuple[ServiceView, ...],
    matrix: MatrixView,
    risks: tuple[RiskItem, ...],
) -> WorkshopView:
    plan = index.plan
    first = next((w for w in waves if w.number), None)
    first_steps = [s for s in index.steps if first and s.wave == first.number]
    reroutes = sorted({e for s in first_steps for e in s.reroute})
    total = set(endpoint_keys(index.facts.endpoints))
    total |= {k for s in plan.services for k in _endpoint_keys(s.endpoints)}
    total |= {k for s in plan.steps for k in _endpoint_keys(s.reroute)}
    moving = {k for s in plan.steps for k in _endpoint_keys(s.reroute)}
    kernel_users = sorted(
        (e for e in plan.edges if e.target == KERNEL and e.source != KERNEL),
        key=lambda e: (-e.weight, e.source),
    )
    counts = tuple(
        (severity, sum(1 for r in risks if r.severity == severity))
        for severity in ("high", "medium", "low")
    )
    return WorkshopView(
        first_wave=first.number if first else 0,
        first_services=first.services if first else (),
        first_reroutes=tuple(_endpoint(e) for e in reroutes),
        first_calls_back=sum(len(set(s.calls_back)) for s in first_steps),
        endpoints_total=len(total),
        endpoints_after_first=len(total - _endpoint_keys(reroutes)),
        endpoints_at_end=len(total - moving),
        endpoints_moving=len(moving),
        kernel=tuple(sorted(set(plan.shared_kernel))),
        kernel_users=tuple(KernelUse(e.source, fmt(e.weight)) for e in kernel_users),
        grants=tuple(_grant(index, s) for s in services),
        patterns=_patterns(matrix),
        plan_waves=_wave_plans(index, {s.name: s for s in services}, total),
        risk_counts=counts,
        top_risks=risks[:TOP_RISKS],
        more_risks=max(0, len(risks) - TOP_RISKS),
        checklist=tuple(ChecklistItem(*item) for item in CHECKLIST),
        preparation=_preparation(index),
    )


def _delivery(index: _Index, summary: DeliverySummary) -> DeliveryView:
    base = index.scaffold or "./"
    waves = tuple(
        DeliveryWave(
            number,
            f"Wave {number}",
            tuple((name, base + quote(name, safe="/")) for name in files),
        )
        for number, files in summary.waves
    )
    monitors: dict[int, tuple[MonitorView, ...]] = {}
    for step in index.steps:
        views = []
        for check in step.checks:
            found = monitor(slug(step.service), bool(step.reroute), check)
            if summary.monitoring and found.alert:
                measured = f"alert {found.alert} (monitoring/rules/wave-{step.wave}.rules.yml)"
            elif summary.monitoring:
                measured = "by hand (no metric measures it)"
            else:
                measured = f"by hand, after wave-{step.wave}/go-no-go.sh (no monitoring in profile)"
            views.append(MonitorView(check, measured))
        monitors[step.order] = tuple(views)
    return DeliveryView(
        profile=summary.profile,
        profile_reason=summary.profile_reason,
        ci=summary.ci,
        ci_reason=summary.ci_reason,
        registry=summary.registry_title,
        registry_reason=summary.registry_reason,
        target=summary.target,
        governance=summary.governance,
        waves=waves,
        monitors=monitors,
    )


def build_view(
    facts: Facts,
    plan: Plan,
    palette: int = 8,
    *,
    scaffold_dir: str | None = None,
    delivery: DeliverySummary | None = None,
    scaffold_note: str = "",
) -> ReportView:
    """The report's view model; waves cycle through `palette` colour classes (`wave-1`...).

    With `scaffold_dir` (relative to the report) waves and services link to their scaffold files;
    with `delivery` (the scaffold's delivery.json) the chosen delivery path and the alert that
    measures each go/no-go check are shown; `scaffold_note` says why a scaffold is not linked.
    """
    index = _Index(facts, plan, max(palette, 1), scaffold_base(scaffold_dir))
    warnings = _warnings(facts, plan)
    waves = _waves(index)
    services = tuple(_service(index, s) for s in index.services)
    matrix = _matrix(index)
    risks = _risks(index)
    return ReportView(
        title=f"Strangler plan: {PurePath(plan.root).name or plan.root}",
        summary=_summary(index, len(warnings)),
        waves=waves,
        services=services,
        edges=_edges(index),
        shared_kernel=tuple(sorted(set(plan.shared_kernel))),
        excluded=tuple((u, plan.excluded_reasons.get(u, "")) for u in sorted(set(plan.excluded))),
        matrix=matrix,
        steps=tuple(_step(index, s) for s in index.steps),
        risks=risks,
        warnings=warnings,
        analyzers=_ran(facts),
        format_version=plan.format_version,
        workshop=_workshop(index, waves, services, matrix, risks),
        scaffold_dir=index.scaffold or "",
        delivery=_delivery(index, delivery) if delivery else None,
        timings=tuple(f"{t.stage} {t.seconds:.3f} s" for t in plan.timings),
        granularity=_granularity(plan),
        kernel_reasons=_kernel_reasons(plan),
        risk_levels=risk_levels_text(),
        container_findings=finding_views(facts.container_findings),
        first_choice=_first_choice(index),
        efforts=_efforts(index),
        effort_formula=plan.effort_formula,
        score_levels=score_levels_text(),
        unavailable=tuple(
            MissingInputView(m.input, ", ".join(m.scores), m.note) for m in plan.unavailable
        ),
        dead=tuple(_dead(d) for d in plan.dead),
        scaffold_note=scaffold_note,
    )


def _ran(facts: Facts) -> tuple[str, ...]:
    """The analyzers that contributed: a language's analyzer only when it found a unit."""
    languages = {u.language for u in facts.units}
    return tuple(
        f"{a.name} {a.version}"
        for a in sorted(set(facts.analyzers))
        if a.name not in ("python", "java") or a.name in languages
    )


def _weeks(low: float, high: float) -> str:
    return f"{fmt(low)} to {fmt(high)}"


def _first_choice(index: _Index) -> FirstChoiceView | None:
    choice = index.plan.first_choice
    if choice is None:
        return None
    effort = next((e for e in index.plan.efforts if e.service == choice.service), None)
    return FirstChoiceView(
        service=choice.service,
        anchor=index.anchor.get(choice.service, ""),
        sentences=choice.sentences,
        runner_up=choice.runner_up,
        runner_up_anchor=index.anchor.get(choice.runner_up, ""),
        margin=fmt(abs(choice.margin)),
        close=choice.close,
        sensitivity=choice.sensitivity,
        ranked_by=choice.ranked_by,
        effort=f"{_weeks(effort.low_weeks, effort.high_weeks)} person-weeks" if effort else "",
    )


def _efforts(index: _Index) -> tuple[EffortView, ...]:
    order = {s.service: s.order for s in index.plan.steps}
    return tuple(
        EffortView(
            order=order.get(e.service, 0),
            service=e.service,
            anchor=index.anchor.get(e.service, ""),
            weeks=_weeks(e.low_weeks, e.high_weeks),
            lines=e.lines,
            endpoints=e.endpoints,
            tables=e.tables,
            read_tables=e.read_tables,
            calls_back=e.calls_back,
            untested_lines=e.untested_lines,
            basis=e.basis,
        )
        for e in index.plan.efforts
    )


def _dead(item: DeadCode) -> DeadView:
    first = item.evidence[0] if item.evidence else None
    return DeadView(
        kind=item.kind,
        name=item.name,
        reason="dropped" if item.reason == "dropped" else "deprecated",
        detail=item.detail,
        where=f"{first.path}:{first.line}" if first else "",
    )
