"""The plan model: candidate services, table ownership, risk and the extraction order."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

import msgspec

from analyzers.facts import DeadCode, Evidence, TableName, UnitId, read_versioned
from planner.access import ROLE_NAME_LIMIT as ROLE_NAME_LIMIT  # re-exported
from planner.access import role_name

# PLAN_FORMAT_VERSION log (bump on any change to what plan.json holds):
#   1: services (members, tables, endpoints, risk, benefit), shared_kernel, excluded, tables
#      (owner, pattern), access (service x table), edges, waves, steps, metrics, warnings,
#      cross_joins (SQL spanning services' tables), unknown_tables (used by code, not in schema),
#      excluded_reasons (why each excluded unit stays out of the services).
#   2: timings (seconds per stage of the run), only with `--timings`: empty by default so that
#      default output stays byte-identical across runs. Version 1 files still read.
#   3: kernel_reasons (why each shared-kernel unit is platform, not a service), candidates
#      (the granularity sweep: number of services k, its modularity, which one was chosen).
#   4: step risks structured (StepRisk: factor, points, detail, likelihood, impact, evidence)
#      instead of text; risks (the deduplicated risk register), preparation (the work due before
#      wave 1); each service's database role (Service.role). Older files read when their steps
#      hold no risk text; otherwise reading fails saying to plan again. Also dead (dead code kept
#      out of the plan), efforts + effort_formula (person-weeks per step), first_choice (why
#      first, runner-up, sensitivity), unavailable (missing inputs).
PLAN_FORMAT_VERSION = 4
READABLE_PLAN_VERSIONS = (1, 2, 3, 4)

ServiceName = str
"""A candidate service, named from its vocabulary (`orders`, `payments`)."""

DbPattern = Literal[
    "owned",  # used by its owner only: moves with it
    "api_or_view",  # others read it: read through the owner's API or a database view
    "shared_ownership",  # several services write it: keep shared under explicit ownership
    "split_table",  # several write disjoint columns: split the table
    "change_data_capture",  # others need a copy: replicate through CDC
    "unused",  # no code touches it
]


KERNEL = "shared-kernel"
"""The platform code every service uses: it is not extracted, it ships as a library."""
MONOLITH = "monolith"
"""What stays behind the facade until the last wave."""
PLATFORM = "platform"
"""The owner of plan-wide risks (the facade, observability): the team running the platform."""

RiskFactor = Literal[
    "inbound_calls",
    "calls_back",
    "shared_tables",
    "foreign_keys",
    "cycles",
    "shared_kernel",
    "size",
    "churn",
    "people",
    "missing_tests",
]
"""A risk score's factors; `planner.risk.RISK_WEIGHTS` gives each its points (same names)."""
RISK_FACTORS: tuple[RiskFactor, ...] = get_args(RiskFactor)
MigrationRisk = Literal[
    "shared_table",  # a table used across a service boundary (its database pattern applies)
    "cross_join",  # one SQL statement over tables of different services
    "cross_service_write",  # one unit of work writes tables owned by different services
    "cdc_lag",  # consumers read a CDC copy that lags its owner
    "facade",  # every request passes the facade: a single point of failure
    "observability",  # calls crossing services with no tracing or metrics found
]
RiskKind = Literal[RiskFactor, MigrationRisk]
"""What a register entry is about: a scoring factor of one service, or a migration risk."""
RISK_KINDS: tuple[RiskKind, ...] = get_args(RiskKind)

RISK_LEVELS = ((6, "high"), (3, "medium"), (1, "low"))
"""Severity cut-offs on likelihood x impact (each 1 to 3): the first level whose bound the
product reaches. The one definition; the report shows it through `risk_levels_text()`."""


# How the register rates a row (planner/register.py applies it; `risk_levels_text()` states it):
# likelihood from how many places are involved, impact from what breaks.
PLACES = (2, 6)
"""Likelihood from the places a risk involves (calling modules, calls back, SQL statements, write
sites, modules of other services using a table, endpoints): 1 for one place, 2 from 2 to 5, 3 from
6. Measured on CTFd, redash, petclinic and the samples, so that high (`RISK_LEVELS`) marks
a third of the rows or fewer."""
WRITES, READS, UPKEEP = 3, 2, 1
"""Impact: 3 when data is written across the boundary (lost or half-done updates), 2 when reads
or calls fail or go stale, 1 for work or coordination that causes no outage."""
LATER_WAVE = 1
"""Impact taken off a row whose wave comes after wave 1: wave 1 proves the facade, the clients and
the monitoring the later waves reuse, and the plan is rerun before each of them."""


def risk_level(likelihood: int, impact: int) -> str:
    """`high`, `medium` or `low` for a likelihood and an impact of 1 (low) to 3 (high)."""
    product = likelihood * impact
    return next((name for bound, name in RISK_LEVELS if product >= bound), RISK_LEVELS[-1][1])


def risk_levels_text() -> str:
    """The cut-offs in one sentence, as the report states them."""
    (high, _), (medium, _), _ = RISK_LEVELS
    return (
        f"Severity is likelihood x impact, each 1 (low) to 3 (high): high from {high}, "
        f"medium from {medium} to {high - 1}, low below {medium}. Likelihood counts the places "
        f"involved (modules, statements, endpoints): 1 for one, 2 from {PLACES[0]}, 3 from "
        f"{PLACES[1]}. Impact is {WRITES} when data is written across the boundary, {READS} when "
        f"reads or calls fail, {UPKEEP} for work without an outage; lowered by {LATER_WAVE} after "
        "wave 1."
    )


def plural(count: int, noun: str, nouns: str = "") -> str:
    """A counted noun, the one plural rule of every text we print: `1 table`, `2 tables`,
    `1 entry`/`2 entries` (pass the irregular plural)."""
    return f"{count} {noun if count == 1 else nouns or noun + 's'}"


def agree(count: int, one: str, many: str) -> str:
    """The verb (or pronoun) agreeing with `count`: `agree(1, "is", "are")` -> `is`."""
    return one if count == 1 else many


ENDPOINT_RULE = "an endpoint is one HTTP method and path: handlers of the same route count once"
"""What every endpoint count in the plan and its reports counts, in words."""


def endpoint_keys(endpoints: Iterable[Any]) -> frozenset[tuple[str, str]]:
    """The endpoints counted: (METHOD, path) of each route (a facts `Endpoint` or an
    `EndpointRef`), deduplicated; the one definition behind every endpoint total."""
    return frozenset((e.method.upper(), e.path) for e in endpoints)


@dataclass(frozen=True, order=True)
class Factor:
    """One named, normalised part of a score: raw value, weight, points and why."""

    name: str
    points: float
    weight: float
    value: float
    explanation: str
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class Score:
    """A 0-100 score that is exactly the sum of its factors' points."""

    score: float
    factors: tuple[Factor, ...]


@dataclass(frozen=True, order=True)
class Candidate:
    """One granularity tried: k services and their weighted modularity; `chosen` is the plan's."""

    k: int
    score: float
    chosen: bool = False


@dataclass(frozen=True, order=True)
class EndpointRef:
    """An HTTP route the facade reroutes: method, path and the unit serving it."""

    method: str
    path: str
    unit: UnitId


@dataclass(frozen=True)
class Service:
    """A candidate service: the units that move together and the data they own."""

    name: ServiceName
    members: tuple[UnitId, ...]
    tables: tuple[TableName, ...]
    endpoints: tuple[EndpointRef, ...]
    lines: int
    risk: Score
    benefit: Score
    role: str = ""  # its database role (`role_name`); filled in when not given

    def __post_init__(self) -> None:
        if not self.role:
            object.__setattr__(self, "role", role_name(self.name))


@dataclass(frozen=True, order=True)
class TablePlan:
    """Who owns a table, who else reads or writes it, and the database pattern that applies."""

    table: TableName
    owner: ServiceName | None
    readers: tuple[ServiceName, ...]
    writers: tuple[ServiceName, ...]
    pattern: DbPattern
    reason: str


@dataclass(frozen=True, order=True)
class TableUse:
    """One cell of the service x table matrix: whether a service's code reads or writes a table."""

    service: ServiceName
    table: TableName
    reads: bool
    writes: bool


@dataclass(frozen=True, order=True)
class ServiceEdge:
    """Weighted coupling between two services (or a service and what remains of the monolith)."""

    source: ServiceName
    target: ServiceName
    weight: float
    kinds: tuple[str, ...]


@dataclass(frozen=True, order=True)
class CallBack:
    """A call from an extracted service into code that stays: it needs an anti-corruption layer."""

    source: UnitId
    target: UnitId
    kind: str
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True, order=True)
class CrossJoin:
    """One SQL statement reading or writing tables owned by different services."""

    unit: UnitId
    tables: tuple[TableName, ...]
    services: tuple[ServiceName, ...]
    evidence: Evidence


@dataclass(frozen=True, order=True)
class StepRisk:
    """One scoring factor behind a step's risk: which, its points, what it found, how likely it
    bites and how much it hurts (1 to 3 each, see `RISK_LEVELS`)."""

    factor: RiskFactor
    points: float
    detail: str
    likelihood: int
    impact: int
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True, order=True)
class RiskEntry:
    """One row of the risk register: a real risk once, its owner and wave, severity and
    response. `subject`: the table, statement or service it is about."""

    kind: RiskKind
    subject: str
    service: ServiceName
    wave: int
    step: int  # the step it belongs to; 0: before wave 1 or plan-wide
    likelihood: int
    impact: int
    detail: str
    response: str
    evidence: tuple[Evidence, ...] = ()

    @property
    def severity(self) -> str:
        """`high`, `medium` or `low` by `RISK_LEVELS`."""
        return risk_level(self.likelihood, self.impact)


PrepKind = Literal["container", "roles", "cross_join", "cdc", "observability"]


@dataclass(frozen=True)
class PrepItem:
    """Work due before wave 1, with the step, table and evidence it comes from."""

    kind: PrepKind
    text: str
    step: int = 0
    service: ServiceName = ""
    tables: tuple[TableName, ...] = ()
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class Step:
    """One extraction: what moves, what the facade reroutes, what the data does, how to undo it."""

    order: int
    wave: int
    service: ServiceName
    reason: str
    reroute: tuple[EndpointRef, ...]
    calls_back: tuple[CallBack, ...]
    tables: tuple[TablePlan, ...]
    risks: tuple[StepRisk, ...]
    rollout: str
    checks: tuple[str, ...]
    rollback: str


@dataclass(frozen=True, order=True)
class StageTiming:
    """Wall-clock seconds one stage of a run took (files read, parse, planning, rendering...)."""

    stage: str
    seconds: float


@dataclass(frozen=True)
class Wave:
    """Services extracted together; a wave starts once the previous one is live."""

    number: int
    services: tuple[ServiceName, ...]


SCORE_LEVELS: tuple[tuple[float, str], ...] = ((67.0, "high"), (34.0, "medium"), (0.0, "low"))
"""The one place for the cut-offs of a 0-100 service score (risk or benefit): a score at or above
a bound has that level, the first bound met counting."""


def score_level(score: float) -> str:
    """`low`, `medium` or `high` for a 0-100 service score, by `SCORE_LEVELS`."""
    return next((name for bound, name in SCORE_LEVELS if score >= bound), SCORE_LEVELS[-1][1])


def score_levels_text() -> str:
    """The cut-offs in words: `low below 34, medium from 34 to below 67, high from 67`."""
    bounds = sorted(SCORE_LEVELS)
    parts = []
    for i, (bound, name) in enumerate(bounds):
        upper = bounds[i + 1][0] if i + 1 < len(bounds) else None
        if bound <= 0 and upper is not None:
            parts.append(f"{name} below {upper:g}")
        elif upper is not None:
            parts.append(f"{name} from {bound:g} to below {upper:g}")
        else:
            parts.append(f"{name} from {bound:g}")
    return ", ".join(parts) + " (scores run from 0 to 100)"


@dataclass(frozen=True)
class Effort:
    """What one step costs: its size, the work items that drive the cost, and a person-weeks
    range; `basis` shows the formula with this service's numbers."""

    service: ServiceName
    lines: int
    endpoints: int
    tables: int
    calls_back: int
    untested_lines: int
    low_weeks: float
    high_weeks: float
    basis: str
    read_tables: int = 0  # tables it only reads from another owner (`tables`: owned or written)


@dataclass(frozen=True)
class FirstChoice:
    """Why the first extraction is first, in plain sentences, and how firm that choice is."""

    service: ServiceName
    sentences: tuple[str, ...]
    runner_up: ServiceName = ""  # "": a single service
    margin: float = 0.0  # the runner-up's ordering key minus the first's (risk - w x benefit)
    close: bool = False  # a near-tie: the margin is small or a 10% weight change flips it
    sensitivity: str = ""
    flips: tuple[str, ...] = ()  # "more weight on calls back: payments first"
    ranked_by: str = ""


@dataclass(frozen=True, order=True)
class MissingInput:
    """An input the run did not have, the scores it leaves unavailable, and how to supply it."""

    input: str
    scores: tuple[str, ...]
    note: str


@dataclass(frozen=True)
class Plan:
    """The whole decomposition and strangler-fig extraction plan for one codebase."""

    root: str
    services: tuple[Service, ...]
    shared_kernel: tuple[UnitId, ...]
    excluded: tuple[UnitId, ...]
    tables: tuple[TablePlan, ...]
    access: tuple[TableUse, ...]
    edges: tuple[ServiceEdge, ...]
    waves: tuple[Wave, ...]
    steps: tuple[Step, ...]
    metrics: dict[str, float]
    warnings: tuple[str, ...]
    format_version: int = PLAN_FORMAT_VERSION
    cross_joins: tuple[CrossJoin, ...] = ()
    unknown_tables: tuple[TableName, ...] = ()
    excluded_reasons: dict[UnitId, str] = field(default_factory=dict)
    timings: tuple[StageTiming, ...] = ()
    kernel_reasons: dict[UnitId, str] = field(default_factory=dict)
    candidates: tuple[Candidate, ...] = ()
    risks: tuple[RiskEntry, ...] = ()
    preparation: tuple[PrepItem, ...] = ()
    dead: tuple[DeadCode, ...] = ()
    efforts: tuple[Effort, ...] = ()
    effort_formula: str = ""
    first_choice: FirstChoice | None = None
    unavailable: tuple[MissingInput, ...] = ()

    def runner_up(self) -> Candidate | None:
        """The best granularity not chosen, for the architect to weigh against the plan's."""
        return next((c for c in self.candidates if not c.chosen), None)

    def second_choice(self) -> ServiceName | None:
        """The service that would go first if the chosen one did not: the first choice's
        runner-up, else (a plan older than format 4) the service of the second step."""
        if self.first_choice is not None and self.first_choice.runner_up:
            return self.first_choice.runner_up
        steps = sorted(self.steps, key=_step_key)
        return steps[1].service if len(steps) > 1 else None

    def first_step(self, services: set[ServiceName]) -> Step | None:
        """The step that extracts the first of `services` to leave (None: none leaves): work
        that involves them is due before its wave."""
        return min((s for s in self.steps if s.service in services), key=_step_key, default=None)

    def service(self, name: ServiceName) -> Service:
        """The service called `name`."""
        return next(s for s in self.services if s.name == name)


def _step_key(step: Step) -> tuple[int, int]:
    return (step.wave, step.order)


def read_plan(path: Path, data: bytes | None = None) -> Plan:
    """Load plan.json (compact or pretty), refusing a format this version does not know, values
    of the wrong type, service names that are not safe as file names, and waves or steps naming
    unknown services (ValueError); `data`: the file's bytes, already read."""
    try:
        plan = read_versioned(path, Plan, READABLE_PLAN_VERSIONS, "plan", data)
    except msgspec.ValidationError as error:
        if "risks" in str(error) and "`str`" in str(error):
            raise ValueError(
                f"{path}: written by an older planner (step risks as text, format 3 or earlier); "
                "run `planner plan` again to rebuild it"
            ) from None
        raise
    check_names(plan)
    return dataclasses.replace(plan, format_version=PLAN_FORMAT_VERSION)


def check_names(plan: Plan) -> None:
    """Refuse (ValueError) a plan read back whose service names are not safe as file names or
    whose waves or steps name unknown services."""
    names = {s.name for s in plan.services}
    for name in sorted(names):
        if not is_safe_name(name):
            raise ValueError(f"service name {name!r} is not a plain name")
    named = {s for w in plan.waves for s in w.services} | {s.service for s in plan.steps}
    unknown = sorted(named - names)
    if unknown:
        raise ValueError(f"waves or steps name unknown service(s): {', '.join(map(repr, unknown))}")


def is_safe_name(name: str) -> bool:
    """True for a service name usable as a file or folder name: no path separator, no control
    character, not `.` or `..`, not empty."""
    return (
        bool(name.strip())
        and name not in (".", "..")
        and not any(c in name for c in "/\\")
        and name.isprintable()
    )
