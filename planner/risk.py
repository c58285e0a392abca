"""Scores each service's extraction risk (0-100) and benefit as sums of named, explained factors."""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from analyzers.facts import Dependency, Evidence, Facts, TableName, UnitId
from planner.graph import DependencyEdge
from planner.plan import (
    KERNEL,
    Factor,
    RiskFactor,
    Score,
    ServiceName,
    TablePlan,
    agree,
    endpoint_keys,
    plural,
)

# Points each risk factor can contribute; they add up to 100 so a score reads as a percentage.
# Keyed by the plan model's `RiskFactor` names (a test checks both name the same factors).
RISK_WEIGHTS: dict[RiskFactor, float] = {
    "inbound_calls": 20.0,
    "calls_back": 15.0,
    "shared_tables": 20.0,
    "foreign_keys": 10.0,
    "cycles": 10.0,
    "shared_kernel": 5.0,
    "size": 5.0,
    "churn": 5.0,
    "people": 5.0,
    "missing_tests": 5.0,
}
BENEFIT_WEIGHTS = {
    "hotspot": 35.0,
    "autonomy": 30.0,
    "endpoints": 20.0,
    "data_ownership": 15.0,
}
MAX_EVIDENCE = 5


@dataclass(frozen=True)
class World:
    """What scoring needs to know about the codebase, computed once."""

    facts: Facts
    service_of: dict[UnitId, ServiceName]
    members: dict[ServiceName, tuple[UnitId, ...]]
    tables: dict[TableName, TablePlan]
    lines: dict[UnitId, int]
    tested: frozenset[UnitId]
    has_history: bool
    first_evidence: dict[tuple[UnitId, UnitId], Evidence]
    # per service, its dependency edges (source, target, weight) between movable units, in the
    # graph's order: scores read these instead of walking every edge of the graph each time
    incident: dict[ServiceName, tuple[tuple[UnitId, UnitId, float], ...]] = field(
        default_factory=dict
    )
    # the (source's, target's) services of every dependency between two of them, both ways apart
    coupled: frozenset[tuple[ServiceName, ServiceName]] = frozenset()
    # scores and their parts already computed, by what they depend on: simulating the order asks
    # for each service's risk after every move, and most of it does not change with the moves
    memo: dict[tuple, Any] = field(default_factory=dict, compare=False, repr=False)


def make_world(
    facts: Facts,
    dependencies: tuple[DependencyEdge, ...],
    members: dict[ServiceName, tuple[UnitId, ...]],
    service_of: dict[UnitId, ServiceName],
    tables: tuple[TablePlan, ...],
) -> World:
    """Precompute the lookups every score uses; `dependencies` are the weighted ones between the
    units that may move (`planner.graph.unit_dependencies`)."""
    roles = {u.id: u.role for u in facts.units}
    tested = frozenset(
        d.target
        for d in facts.dependencies
        if roles.get(d.source) == "test" and roles.get(d.target) == "code"
    )
    incident: dict[ServiceName, list[tuple[UnitId, UnitId, float]]] = defaultdict(list)
    coupled = set()
    for a, b, weight, _ in dependencies:
        sa, sb = service_of.get(a), service_of.get(b)
        if sa is None or sb is None:
            continue
        incident[sa].append((a, b, weight))
        if sb != sa:
            incident[sb].append((a, b, weight))
            coupled.add((sa, sb))
    return World(
        incident={s: tuple(edges) for s, edges in incident.items()},
        coupled=frozenset(coupled),
        facts=facts,
        service_of=service_of,
        members=members,
        tables={t.table: t for t in tables},
        lines={u.id: u.lines for u in facts.units},
        tested=tested,
        has_history=bool(facts.change_stats),
        first_evidence={
            (d.source, d.target): d.evidence[0] for d in reversed(facts.dependencies) if d.evidence
        },
    )


def _ratio(part: float, whole: float) -> float:
    return 0.0 if whole <= 0 else min(1.0, part / whole)


def _factor(
    name: str,
    weights: Mapping[str, float],
    value: float,
    why: str,
    evidence: list[Evidence] | tuple[Evidence, ...] = (),
) -> Factor:
    value = round(min(1.0, max(0.0, value)), 4)
    weight = weights[name]
    first = tuple(heapq.nsmallest(MAX_EVIDENCE, evidence))  # sorted(evidence)[:MAX_EVIDENCE]
    return Factor(name, round(weight * value, 2), weight, value, why, first)


def _score(factors: list[Factor]) -> Score:
    return Score(round(sum(f.points for f in factors), 1), tuple(factors))


def risk(world: World, service: ServiceName, extracted: frozenset[ServiceName]) -> Score:
    """Risk of extracting `service` now, when the services in `extracted` have already left."""
    key = ("risk", service, extracted)
    if key not in world.memo:
        world.memo[key] = _risk(world, service, extracted)
    return world.memo[key]


_Edge = tuple[UnitId, UnitId, float, ServiceName, Evidence | None]
"""A dependency across a service's border: its two units, weight, the other side's service and
its evidence."""


@dataclass(frozen=True)
class _Fixed:
    """The parts of a service's risk that do not change as other services leave."""

    mine: frozenset[UnitId]
    internal: float  # the weight of its dependencies inside
    # its dependencies from units outside (inbound) and to units of other services (outbound,
    # the kernel's apart), each with the other unit's service and the evidence, in graph order
    inbound: tuple[_Edge, ...]
    outbound: tuple[_Edge, ...]
    shared_kernel: Factor
    data: tuple[Factor, ...]
    calls_to: frozenset[ServiceName]  # services it uses
    called_by: frozenset[ServiceName]  # services using it
    size: Factor
    history: tuple[Factor, ...]
    missing_tests: Factor


def _fixed(world: World, service: ServiceName) -> _Fixed:
    """The fixed parts of `service`'s risk, computed once per world."""
    key = ("fixed", service)
    if key in world.memo:
        return world.memo[key]
    mine = set(world.members[service])
    edges = _incident(world, service)
    internal = kernel = 0.0
    inbound, outbound, kernel_targets = [], [], set()
    for a, b, weight in edges:
        a_in, b_in = a in mine, b in mine
        if a_in and b_in:
            internal += weight
        elif b_in:
            inbound.append((a, b, weight, world.service_of[a], world.first_evidence.get((a, b))))
        elif world.service_of[b] == KERNEL:
            kernel += weight
            kernel_targets.add(b)
        else:
            outbound.append((a, b, weight, world.service_of[b], world.first_evidence.get((a, b))))
    all_lines = _total_lines(world)
    my_lines = sum(world.lines.get(u, 0) for u in mine)
    untested = sorted(u for u in mine if u not in world.tested)
    fixed = _Fixed(
        mine=frozenset(mine),
        internal=internal,
        inbound=tuple(inbound),
        outbound=tuple(outbound),
        shared_kernel=_factor(
            "shared_kernel",
            RISK_WEIGHTS,
            _ratio(kernel, kernel + internal),
            f"uses {plural(len(kernel_targets), 'shared-kernel module')}"
            + (f" ({', '.join(sorted(kernel_targets)[:4])})" if kernel_targets else "")
            + ": ship them as a versioned library or duplicate them",
        ),
        data=tuple(_data_factors(world, service)),
        calls_to=frozenset(world.service_of[b] for a, b, _ in edges if a in mine and b not in mine),
        called_by=frozenset(
            world.service_of[a] for a, b, _ in edges if b in mine and a not in mine
        ),
        size=_factor(
            "size",
            RISK_WEIGHTS,
            _ratio(my_lines, 0.25 * all_lines),
            f"{my_lines} of {all_lines} lines of movable code",
        ),
        history=tuple(_history_factors(world, mine)),
        missing_tests=_factor(
            "missing_tests",
            RISK_WEIGHTS,
            _ratio(len(untested), len(mine)),
            f"{len(untested)} of {plural(len(mine), 'module')} "
            f"{agree(len(untested), 'has', 'have')} no test importing them",
        ),
    )
    world.memo[key] = fixed
    return fixed


def _total_lines(world: World) -> int:
    """The lines of all movable code (units with a service or in the kernel)."""
    if ("lines",) not in world.memo:
        world.memo[("lines",)] = sum(world.lines.get(u, 0) for u in world.service_of)
    return world.memo[("lines",)]


def _staying(
    edges: tuple[_Edge, ...], extracted: frozenset[ServiceName]
) -> tuple[float, int, list[Evidence]]:
    """The weight, number and evidence of the `edges` whose other side stays in the monolith."""
    weight, pairs, found = 0.0, 0, []
    for _, _, edge_weight, other, evidence in edges:
        if other not in extracted:
            weight += edge_weight
            pairs += 1
            if evidence is not None:
                found.append(evidence)
    return weight, pairs, found


def _risk(world: World, service: ServiceName, extracted: frozenset[ServiceName]) -> Score:
    fixed = _fixed(world, service)
    internal = fixed.internal
    inbound, inbound_pairs, inbound_evidence = _staying(fixed.inbound, extracted)  # calls it
    outbound, outbound_pairs, outbound_evidence = _staying(fixed.outbound, extracted)  # it calls
    factors = [
        _factor(
            "inbound_calls",
            RISK_WEIGHTS,
            _ratio(inbound, inbound + internal),
            f"{plural(inbound_pairs, 'use')} from code that stays in the monolith "
            f"({inbound:.1f} against {internal:.1f} inside): each becomes a remote call",
            inbound_evidence,
        ),
        _factor(
            "calls_back",
            RISK_WEIGHTS,
            _ratio(outbound, outbound + internal),
            f"{plural(outbound_pairs, 'use')} of code that stays ({outbound:.1f} against "
            f"{internal:.1f} inside): each needs an anti-corruption layer and a circuit breaker",
            outbound_evidence,
        ),
        fixed.shared_kernel,
    ]
    factors += fixed.data
    factors.append(_cycle_factor(world, service, extracted))
    factors.append(fixed.size)
    factors += fixed.history
    factors.append(fixed.missing_tests)
    return _score(factors)


def _incident(world: World, service: ServiceName) -> tuple[tuple[UnitId, UnitId, float], ...]:
    """The service's edges between movable units (those with a service), in the graph's order."""
    return world.incident.get(service, ())


def _data_factors(world: World, service: ServiceName) -> list[Factor]:
    used = {a.table for a in world.facts.table_access if world.service_of.get(a.unit) == service}
    shared_w = sorted(
        t
        for t in used
        if t in world.tables and world.tables[t].pattern in ("shared_ownership", "split_table")
    )
    shared_r = sorted(
        t
        for t in used
        if t in world.tables and world.tables[t].pattern in ("api_or_view", "change_data_capture")
    )
    value = _ratio(len(shared_w) + 0.5 * len(shared_r), len(used))
    why = (
        f"{len(shared_w)} of {plural(len(used), 'table')} it uses "
        f"{agree(len(shared_w), 'is', 'are')} written by several services"
        + (f" ({', '.join(shared_w[:5])})" if shared_w else "")
        + f"; {len(shared_r)} {agree(len(shared_r), 'is', 'are')} read across a boundary"
    )
    owned = {t for t, p in world.tables.items() if p.owner == service}
    crossing = touching = 0
    examples = []
    for table in world.facts.tables:
        for fk in table.foreign_keys:
            a_mine, b_mine = table.name in owned, fk.referred_table in owned
            if a_mine or b_mine:
                touching += 1
                if a_mine != b_mine:
                    crossing += 1
                    examples.append(f"{table.name}->{fk.referred_table}")
    examples = sorted(set(examples))
    fk_why = (
        f"{crossing} of {plural(touching, 'foreign key')} on its tables "
        f"{agree(crossing, 'crosses', 'cross')} the service boundary"
    ) + (f" ({', '.join(examples[:4])})" if examples else "")
    return [
        _factor("shared_tables", RISK_WEIGHTS, value, why),
        _factor("foreign_keys", RISK_WEIGHTS, _ratio(crossing, touching), fk_why),
    ]


def _cycle_factor(world: World, service: ServiceName, extracted: frozenset[ServiceName]) -> Factor:
    """Whether the service sits in a dependency cycle with what remains (cannot leave cleanly)."""
    fixed = _fixed(world, service)
    both = sorted((fixed.calls_to & fixed.called_by) - extracted - {KERNEL})
    return _factor(
        "cycles",
        RISK_WEIGHTS,
        _ratio(len(both), 2),
        f"mutual dependencies with {', '.join(both)}" if both else "no dependency cycle",
    )


def _history_factors(world: World, mine: set[UnitId]) -> list[Factor]:
    if not world.has_history:
        return [
            _factor("churn", RISK_WEIGHTS, 0.0, "no git history analysed"),
            _factor("people", RISK_WEIGHTS, 0.0, "no git history analysed"),
        ]
    stats = {c.unit: c for c in world.facts.change_stats}
    churn = {u: s.lines_added + s.lines_removed for u, s in stats.items() if u in world.service_of}
    total = sum(churn.values())
    mine_churn = sum(churn.get(u, 0) for u in mine)
    authors = sorted({a for u in mine if u in stats for a in stats[u].authors})
    teams = sorted({t for o in world.facts.ownership if o.unit in mine for t in o.teams})
    return [
        _factor(
            "churn",
            RISK_WEIGHTS,
            _ratio(mine_churn, 0.5 * total),
            f"{mine_churn} of {total} changed lines in history: moving code that changes often",
        ),
        _factor(
            "people",
            RISK_WEIGHTS,
            _ratio(len(authors) + 2 * max(len(teams) - 1, 0), 10),
            f"{plural(len(authors), 'author')}, {plural(len(teams), 'team')}"
            + (f" ({', '.join(teams)})" if teams else "")
            + " must coordinate",
        ),
    ]


def benefit(world: World, service: ServiceName) -> Score:
    """What extracting `service` gains: change hotspots, autonomy, endpoints moved, data owned."""
    key = ("benefit", service)
    if key not in world.memo:
        world.memo[key] = _benefit(world, service)
    return world.memo[key]


def _benefit(world: World, service: ServiceName) -> Score:
    mine = set(world.members[service])
    factors = []
    if world.has_history:
        stats = {c.unit: c for c in world.facts.change_stats}
        heat = {u: stats[u].commits * world.lines.get(u, 0) for u in world.service_of if u in stats}
        total = sum(heat.values())
        per_service = [sum(heat.get(u, 0) for u in m) for m in world.members.values()]
        my_heat = sum(heat.get(u, 0) for u in mine)
        top = sorted((u for u in mine if u in heat), key=lambda u: (-heat[u], u))[:3]
        factors.append(
            _factor(
                "hotspot",
                BENEFIT_WEIGHTS,
                _ratio(my_heat, max(per_service)),
                f"{_ratio(my_heat, total):.0%} of the codebase's commits x size, "
                "relative to the hottest service"
                + (f" (hottest: {', '.join(top)})" if top else ""),
            )
        )
    else:
        factors.append(_factor("hotspot", BENEFIT_WEIGHTS, 0.0, "no git history analysed"))
    internal = external = 0.0
    for a, b, weight in _incident(world, service):
        if a in mine or b in mine:
            if a in mine and b in mine:
                internal += weight
            else:
                external += weight
    factors.append(
        _factor(
            "autonomy",
            BENEFIT_WEIGHTS,
            _ratio(internal, internal + external),
            f"{internal:.1f} of {internal + external:.1f} coupling weight stays inside",
        )
    )
    total = endpoint_keys(world.facts.endpoints)
    my_endpoints = [e for e in world.facts.endpoints if e.unit in mine]
    moved = endpoint_keys(my_endpoints)
    most = max(
        len(endpoint_keys(e for e in world.facts.endpoints if e.unit in set(m)))
        for m in world.members.values()
    )
    factors.append(
        _factor(
            "endpoints",
            BENEFIT_WEIGHTS,
            _ratio(len(moved), most),
            f"{len(moved)} of {plural(len(total), 'endpoint')} "
            f"{agree(len(moved), 'moves', 'move')} behind the facade"
            " (relative to the service with most; method + path, each counted once)",
            [e.evidence for e in my_endpoints],
        )
    )
    owned = [t for t, p in world.tables.items() if p.owner == service]
    clean = [t for t in owned if world.tables[t].pattern == "owned"]
    factors.append(
        _factor(
            "data_ownership",
            BENEFIT_WEIGHTS,
            _ratio(len(clean), len(owned)),
            f"{len(clean)} of its {plural(len(owned), 'table')} "
            f"{agree(len(clean), 'moves', 'move')} with it unshared",
        )
    )
    return _score(factors)


def calls_into(world: World, service: ServiceName, extracted: frozenset[ServiceName]):
    """The dependencies from `service` into units that stay, grouped per (source, target)."""
    gone = extracted | {KERNEL}
    grouped: dict[tuple[UnitId, UnitId], list] = defaultdict(list)
    for dep in _calls_out(world).get(service, ()):
        if world.service_of[dep.target] not in gone:
            grouped[(dep.source, dep.target)].append(dep)
    return grouped


def _calls_out(world: World) -> dict[ServiceName, list[Dependency]]:
    """Per service, the dependencies (in the facts' order) from its units into units of other
    services or the kernel, once per world."""
    if ("calls out",) not in world.memo:
        found: dict[ServiceName, list[Dependency]] = defaultdict(list)
        service_of = world.service_of
        for dep in world.facts.dependencies:
            source, target = service_of.get(dep.source), service_of.get(dep.target)
            if source is not None and target is not None and source != target:
                found[source].append(dep)
        world.memo[("calls out",)] = found
    return world.memo[("calls out",)]
