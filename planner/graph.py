"""Builds the one weighted dependency graph of units, tables and endpoints from the facts."""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from analyzers.deadcode import dead_table_names
from analyzers.facts import Facts, TableName, UnitId
from planner.config import Weights
from planner.naming import LAYER_WORDS, root_depth
from planner.signals import (
    data_affinity_edges,
    entry_reach_edges,
    package_edges,
    vocabulary_edges,
)

if TYPE_CHECKING:
    import networkx as nx


@dataclass(frozen=True)
class CodeGraph:
    """The directed dependency graph (units and tables) and its undirected affinity view."""

    deps: nx.DiGraph
    affinity: nx.Graph
    units: tuple[UnitId, ...]


def dependency_weight(kind: str, weights: Weights) -> float:
    """The configured weight of one dependency kind."""
    return {
        "import": weights.import_,
        "call": weights.call,
        "inherit": weights.inherit,
        "reference": weights.reference,
    }.get(kind, 0.0)


DependencyEdge = tuple[UnitId, UnitId, float, dict[str, float]]
"""A weighted static dependency between two units: source, target, weight, and the count of
each kind (import, call, ...) it sums."""


def _dependencies(
    facts: Facts, members: set[UnitId], weights: Weights
) -> dict[tuple[UnitId, UnitId], tuple[list[float], dict[str, float]]]:
    """The weighted dependencies between `members`, in the order the facts first name them."""
    kind_weight: dict[str, float] = {}  # `dependency_weight` of each kind seen
    found: dict[tuple[UnitId, UnitId], tuple[list[float], dict[str, float]]] = {}
    for dep in facts.dependencies:
        if dep.source in members and dep.target in members and dep.source != dep.target:
            if dep.kind not in kind_weight:
                kind_weight[dep.kind] = dependency_weight(dep.kind, weights)
            w = kind_weight[dep.kind] * _dampen(dep.weight)
            if w <= 0:
                continue
            key = (dep.source, dep.target)
            edge = found.get(key)
            if edge is None:
                found[key] = ([w], {dep.kind: dep.weight})
            else:
                edge[0][0] += w
                edge[1][dep.kind] = edge[1].get(dep.kind, 0) + dep.weight
    return found


def unit_dependencies(
    facts: Facts, units: tuple[UnitId, ...], weights: Weights
) -> tuple[DependencyEdge, ...]:
    """The weighted dependencies between `units` in `build_graph`'s order of its `deps` edges
    (sources sorted, each one's targets as the facts first name them), without building it:
    what scores and service edges read, so a cached decomposition needs no graph."""
    found = _dependencies(facts, set(units), weights)
    return tuple((a, b, w[0], kinds) for (a, b), (w, kinds) in sorted(found.items(), key=_source))


def _source(item: tuple[tuple[UnitId, UnitId], object]) -> UnitId:
    return item[0][0]


def build_graph(facts: Facts, units: tuple[UnitId, ...], weights: Weights) -> CodeGraph:
    """One weighted graph over `units`: static coupling, shared tables, co-change, naming and the
    signals of `planner.signals` (package, entry reach, data affinity, vocabulary)."""
    import networkx as nx  # not needed when the decomposition comes from the cache

    members = set(units)
    deps = nx.DiGraph()
    deps.add_nodes_from(sorted(units), kind="unit")
    deps.add_edges_from(
        (a, b, {"weight": w[0], "kinds": kinds})
        for (a, b), (w, kinds) in _dependencies(facts, members, weights).items()
    )
    for access in facts.table_access:
        if access.unit in members:
            node = f"table:{access.table}"
            deps.add_node(node, kind="table")
            data = deps.get_edge_data(access.unit, node)
            modes = {access.mode} if data is None else data["modes"] | {access.mode}
            deps.add_edge(access.unit, node, weight=1.0, modes=modes)

    affinity = nx.Graph()
    affinity.add_nodes_from(sorted(units))

    def add(a: UnitId, b: UnitId, w: float) -> None:
        if a == b or w <= 0:
            return
        if affinity.has_edge(a, b):
            affinity[a][b]["weight"] += w
        else:
            affinity.add_edge(a, b, weight=w)

    for a, b, data in sorted(deps.edges(data=True)):
        if b in members:
            add(a, b, data["weight"])
    for _, users in sorted(table_users(facts, members).items()):
        if len(users) < 2:
            continue
        share = weights.shared_table / (len(users) - 1)
        ordered = sorted(users)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1 :]:
                add(a, b, share)
    for change in facts.co_changes:
        if change.unit_a in members and change.unit_b in members:
            add(change.unit_a, change.unit_b, weights.co_change * change.confidence)
    if weights.naming > 0:
        for unit in sorted(units):
            parent = unit.rpartition(".")[0]
            if parent in members:
                add(unit, parent, weights.naming)
        for group in _namesakes(units):
            for i, a in enumerate(group):
                for b in group[i + 1 :]:
                    add(a, b, weights.naming)
    infos = {u.id: u for u in facts.units if u.id in members}
    package_edges(infos, add, weights.package)
    entry_reach_edges(facts, deps, members, add, weights.entry_reach)
    data_affinity_edges(facts, deps, members, add, weights.data_affinity)
    vocabulary_edges(infos, root_depth(sorted(infos)), add, weights.vocabulary)
    return CodeGraph(deps=deps, affinity=affinity, units=tuple(sorted(units)))


def dead_units(facts: Facts) -> set[UnitId]:
    """Units the code marks deprecated as a whole (a module, or a Java class)."""
    ids = {u.id for u in facts.units}
    return {d.name for d in facts.dead_code if d.kind in ("module", "class") and d.name in ids}


def live_facts(facts: Facts) -> Facts:
    """`facts` without dead code, so it joins no service, owns no table and weighs in no score:
    dead units and everything they do, tables migrations dropped (with the foreign keys that
    point at them) and the ORM models of dropped tables or marked deprecated."""
    if not facts.dead_code:
        return facts
    units = dead_units(facts)
    names = {t.name for t in facts.tables} | {a.table for a in facts.table_access}
    tables = dead_table_names(names | {m.table for m in facts.orm_models}, facts.dead_code)
    models = {tuple(d.name.rsplit(":", 1)) for d in facts.dead_code if d.kind == "model"}
    return dataclasses.replace(
        facts,
        units=tuple(u for u in facts.units if u.id not in units),
        dependencies=tuple(
            d for d in facts.dependencies if d.source not in units and d.target not in units
        ),
        tables=tuple(
            dataclasses.replace(
                t, foreign_keys=tuple(k for k in t.foreign_keys if k.referred_table not in tables)
            )
            for t in facts.tables
            if t.name not in tables
        ),
        orm_models=tuple(
            m
            for m in facts.orm_models
            if m.unit not in units
            and m.table not in tables
            and (m.unit, m.class_name) not in models
        ),
        table_access=tuple(
            a for a in facts.table_access if a.unit not in units and a.table not in tables
        ),
        endpoints=tuple(e for e in facts.endpoints if e.unit not in units),
        change_stats=tuple(c for c in facts.change_stats if c.unit not in units),
        co_changes=tuple(
            c for c in facts.co_changes if c.unit_a not in units and c.unit_b not in units
        ),
        ownership=tuple(o for o in facts.ownership if o.unit not in units),
    )


def table_users(facts: Facts, members: set[UnitId]) -> dict[TableName, set[UnitId]]:
    """For each table, the units among `members` that read or write it."""
    users: dict[TableName, set[UnitId]] = defaultdict(set)
    for access in facts.table_access:
        if access.unit in members:
            users[access.table].add(access.unit)
    return users


def _dampen(count: float) -> float:
    """Repeated uses count, with diminishing returns: 1, 1.5, 1.67, ... (1 + ln n would also do)."""
    return 2.0 - 1.0 / max(count, 1.0)


MAX_NAMESAKES = 12


def _namesakes(units: tuple[UnitId, ...]) -> list[list[UnitId]]:
    """Modules in different layers sharing a business leaf name (`api.bids`, `admin.bids`).

    In layered monoliths these are one capability's vertical slice. A name repeated across
    business packages instead (`dcim.tables`, `ipam.tables`) names a layer: no edge. Very common
    names are skipped too.
    """
    by_leaf: dict[str, list[UnitId]] = defaultdict(list)
    for unit in sorted(units):
        leaf = unit.rsplit(".", 1)[-1].lower()
        if leaf not in LAYER_WORDS and "." in unit:
            by_leaf[leaf].append(unit)
    return [
        group
        for _, group in sorted(by_leaf.items())
        if 2 <= len(group) <= MAX_NAMESAKES and 2 * sum(_in_layer(u) for u in group) >= len(group)
    ]


def _in_layer(unit: UnitId) -> bool:
    """Whether a unit's package is a layer (`api.v1`, `admin`), not a business package."""
    parents = [p for p in unit.split(".")[:-1] if not re.fullmatch(r"v\d+", p)]
    return bool(parents) and parents[-1].lower() in LAYER_WORDS
