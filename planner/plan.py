"""The plan model: candidate services, table ownership, risk and the extraction order."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from analyzers.facts import Evidence, TableName, UnitId, from_jsonable

# PLAN_FORMAT_VERSION log (bump on any change to what plan.json holds):
#   1: services (members, tables, endpoints, risk, benefit), shared_kernel, excluded, tables
#      (owner, pattern), access (service x table), edges, waves, steps, metrics, warnings,
#      cross_joins (SQL spanning services' tables), unknown_tables (used by code, not in schema),
#      excluded_reasons (why each excluded unit stays out of the services).
#   2: kernel_reasons (why each shared-kernel unit is platform, not a service), candidates
#      (the granularity sweep: number of services k, its modularity, which one was chosen).
PLAN_FORMAT_VERSION = 2

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


@dataclass(frozen=True)
class Wave:
    """Services extracted together; a wave starts once the previous one is live."""

    number: int
    services: tuple[ServiceName, ...]


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
    kernel_reasons: dict[UnitId, str] = field(default_factory=dict)
    candidates: tuple[Candidate, ...] = ()

    def runner_up(self) -> Candidate | None:
        """The best granularity not chosen, for the architect to weigh against the plan's."""
        return next((c for c in self.candidates if not c.chosen), None)

    def service(self, name: ServiceName) -> Service:
        """The service called `name`."""
        return next(s for s in self.services if s.name == name)


def read_plan(path: Path) -> Plan:
    """Load plan.json, refusing a format this version does not know."""
    data = json.loads(path.read_text(encoding="utf-8"))
    version = data.get("format_version")
    if version != PLAN_FORMAT_VERSION:
        raise ValueError(
            f"{path}: plan format {version!r}, this planner reads {PLAN_FORMAT_VERSION}"
        )
    return from_jsonable(Plan, data)
