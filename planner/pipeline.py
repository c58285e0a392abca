"""Runs the planning stages in order: facts + config -> graph -> services -> scores -> plan."""

from __future__ import annotations

from collections import defaultdict

import networkx as nx

from analyzers.facts import Evidence, Facts
from planner.config import Config
from planner.decompose import assign_tables, decompose, partition_quality
from planner.graph import build_graph
from planner.plan import (
    CrossJoin,
    EndpointRef,
    Plan,
    Service,
    ServiceEdge,
    ServiceName,
    TableUse,
)
from planner.risk import make_world
from planner.strangler import build_steps, group_waves, simulate


def make_plan(facts: Facts, config: Config, *, first: ServiceName | None = None) -> Plan:
    """The decomposition, table ownership, scores and simulated extraction order for `facts`."""
    movable = tuple(sorted(u.id for u in facts.units if u.role == "code"))
    graph = build_graph(facts, movable, config.weights)
    decomposition = decompose(facts, graph, config)
    tables = assign_tables(facts, decomposition, config)
    service_of = decomposition.service_of()
    world = make_world(facts, graph, decomposition.services, service_of, tables)
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
            f"code touches {len(unknown)} table(s) missing from the schema: " + ", ".join(unknown)
        )
    if not schema:
        warnings.append("no database schema was read: tables come from ORM models and SQL only")
    if not facts.change_stats:
        warnings.append("no git history was read: churn, co-change and authors are left out")
    return Plan(
        root=facts.root,
        services=services,
        shared_kernel=decomposition.kernel,
        excluded=decomposition.excluded,
        excluded_reasons=dict(sorted(decomposition.excluded_reasons.items())),
        kernel_reasons=dict(sorted(decomposition.kernel_reasons.items())),
        candidates=decomposition.candidates,
        tables=tables,
        access=tuple(u for u in _access(facts, service_of) if u.table not in unknown),
        edges=_service_edges(graph.deps, service_of),
        waves=waves,
        steps=steps,
        metrics={
            **_metrics(graph.affinity, decomposition.services, decomposition.kernel),
            "overall_risk": _overall_risk(services),
        },
        warnings=tuple(warnings),
        cross_joins=_cross_joins(facts, service_of, {t.table: t.owner for t in tables}),
        unknown_tables=unknown,
    )


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


def _service_edges(deps: nx.DiGraph, service_of: dict[str, ServiceName]) -> tuple[ServiceEdge, ...]:
    weight: dict[tuple[ServiceName, ServiceName], float] = defaultdict(float)
    kinds: dict[tuple[ServiceName, ServiceName], set[str]] = defaultdict(set)
    for a, b, data in deps.edges(data=True):
        sa, sb = service_of.get(a), service_of.get(b)
        if sa and sb and sa != sb:
            weight[(sa, sb)] += data["weight"]
            kinds[(sa, sb)].update(data["kinds"])
    return tuple(
        ServiceEdge(a, b, round(w, 2), tuple(sorted(kinds[(a, b)])))
        for (a, b), w in sorted(weight.items())
    )


def _metrics(
    affinity: nx.Graph, services: dict[ServiceName, tuple[str, ...]], kernel: tuple[str, ...]
) -> dict[str, float]:
    parts = [set(m) for m in services.values()] + ([set(kernel)] if kernel else [])
    modularity = partition_quality(affinity, parts) if parts else 0.0
    return {
        "services": float(len(services)),
        "shared_kernel_units": float(len(kernel)),
        "modularity": round(modularity, 4),
    }
