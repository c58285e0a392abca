"""The plan model: candidate services, table ownership, risk and the extraction order."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from analyzers.facts import DeadCode, Evidence, TableName, UnitId, read_versioned

# PLAN_FORMAT_VERSION log (bump on any change to what plan.json holds):
#   1: services (members, tables, endpoints, risk, benefit), shared_kernel, excluded, tables
#      (owner, pattern), access (service x table), edges, waves, steps, metrics, warnings,
#      cross_joins (SQL spanning services' tables), unknown_tables (used by code, not in schema),
#      excluded_reasons (why each excluded unit stays out of the services).
#   2: timings (seconds per stage of the run), only with `--timings`: empty by default so that
#      default output stays byte-identical across runs. Version 1 files still read.
#   3: kernel_reasons (why each shared-kernel unit is platform, not a service), candidates
#      (the granularity sweep: number of services k, its modularity, which one was chosen).
#   4: dead (dead code kept out of the plan), efforts + effort_formula (person-weeks per step),
#      first_choice (why first, runner-up, sensitivity), unavailable (missing inputs).
PLAN_FORMAT_VERSION = 4
READABLE_PLAN_VERSIONS = (1, 2, 3, 4)

ServiceName = str
"""A candidate service, named from its vocabulary (`orders`, `payments`)."""

ROLE_NAME_LIMIT = 32
"""Longest database role name: MySQL's user name limit (PostgreSQL allows 63)."""


def role_name(service: ServiceName) -> str:
    """The database role of a service, unique by construction: `svc_<service>` when that is
    already lower case letters, digits and `_` within `ROLE_NAME_LIMIT`; otherwise the name
    folded to those characters, cut, and suffixed with a hash of the exact service name.

    The one owner of this rule: the grant scripts, the report and the rollout checks import it.
    """
    plain = "svc_" + service
    if re.fullmatch(r"svc_[a-z0-9_]+", plain) and len(plain) <= ROLE_NAME_LIMIT:
        return plain
    digest = hashlib.sha256(service.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    folded = re.sub(r"[^a-z0-9_]", "_", service.lower())
    return f"svc_{folded}"[: ROLE_NAME_LIMIT - len(digest) - 1] + "_" + digest


DbPattern = Literal[
    "owned",  # used by its owner only: moves with it
    "api_or_view",  # others read it: read through the owner's API or a database view
    "shared_ownership",  # several services write it: keep shared under explicit ownership
    "split_table",  # several write disjoint columns: split the table
    "change_data_capture",  # others need a copy: replicate through CDC
    "unused",  # no code touches it
]


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
    risks: tuple[str, ...]
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
    dead: tuple[DeadCode, ...] = ()
    efforts: tuple[Effort, ...] = ()
    effort_formula: str = ""
    first_choice: FirstChoice | None = None
    unavailable: tuple[MissingInput, ...] = ()

    def runner_up(self) -> Candidate | None:
        """The best granularity not chosen, for the architect to weigh against the plan's."""
        return next((c for c in self.candidates if not c.chosen), None)

    def service(self, name: ServiceName) -> Service:
        """The service called `name`."""
        return next(s for s in self.services if s.name == name)


def read_plan(path: Path, data: bytes | None = None) -> Plan:
    """Load plan.json (compact or pretty), refusing a format this version does not know, values
    of the wrong type, service names that are not safe as file names, and waves or steps naming
    unknown services (ValueError); `data`: the file's bytes, already read."""
    plan = read_versioned(path, Plan, READABLE_PLAN_VERSIONS, "plan", data)
    names = {s.name for s in plan.services}
    for name in sorted(names):
        if not is_safe_name(name):
            raise ValueError(f"service name {name!r} is not a plain name")
    named = {s for w in plan.waves for s in w.services} | {s.service for s in plan.steps}
    unknown = sorted(named - names)
    if unknown:
        raise ValueError(f"waves or steps name unknown service(s): {', '.join(map(repr, unknown))}")
    return dataclasses.replace(plan, format_version=PLAN_FORMAT_VERSION)


def is_safe_name(name: str) -> bool:
    """True for a service name usable as a file or folder name: no path separator, no control
    character, not `.` or `..`, not empty."""
    return (
        bool(name.strip())
        and name not in (".", "..")
        and not any(c in name for c in "/\\")
        and name.isprintable()
    )
