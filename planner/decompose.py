"""Clusters units into candidate services, finds the shared kernel, gives every table an owner."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from random import Random
from typing import TYPE_CHECKING

from analyzers.facts import Facts, TableName, Unit, UnitId
from planner.config import Config
from planner.graph import CodeGraph
from planner.kernel import platform_roles
from planner.naming import (
    KERNEL_AREAS,
    LAYER_WORDS,
    is_business_area,
    name_services,
    slug,
    unit_areas,
)
from planner.plan import KERNEL, Candidate, DbPattern, ServiceName, TablePlan

if TYPE_CHECKING:
    import networkx as nx
    import numpy as np

# networkx and numpy are imported where they are used: a plan whose decomposition comes from the
# cache (planner.design) only needs `assign_tables`, and the what-if loop starts faster without.


@dataclass(frozen=True)
class Decomposition:
    """Units grouped into named candidate services, plus the shared kernel and what was left out."""

    services: dict[ServiceName, tuple[UnitId, ...]]
    kernel: tuple[UnitId, ...]
    excluded: tuple[UnitId, ...]
    kernel_reasons: dict[UnitId, str]
    excluded_reasons: dict[UnitId, str]
    candidates: tuple[Candidate, ...] = ()

    def service_of(self) -> dict[UnitId, ServiceName]:
        """Each unit's service (the kernel's units map to KERNEL)."""
        owner = {u: KERNEL for u in self.kernel}
        for name, members in self.services.items():
            owner.update(dict.fromkeys(members, name))
        return owner


def candidate_units(facts: Facts, config: Config) -> tuple[tuple[UnitId, ...], tuple[UnitId, ...]]:
    """Units that may move (production code not excluded) and those left out, both sorted."""
    keep, left_out = [], []
    for unit in facts.units:
        if unit.role == "code" and not config.is_excluded(unit.id, unit.path):
            keep.append(unit.id)
        else:
            left_out.append(unit.id)
    return tuple(sorted(keep)), tuple(sorted(left_out))


def find_kernel(units: dict[UnitId, Unit], graph: CodeGraph, config: Config) -> dict[UnitId, str]:
    """Utilities used from most business areas (fan-in) and roots wiring most of them (fan-out).

    Areas count when they hold at least three units, so one-module areas do not dilute the bar.
    A module of a business area needs three quarters of the areas; shared code (the root, layer
    and `core`/`utils`-like packages) needs `shared_kernel_fan_in` of them.
    """
    areas = unit_areas(units)
    sizes = Counter(a for a in areas.values() if is_business_area(a))
    big = {a for a, n in sizes.items() if n >= 3}
    if len(big) < 3:
        big = set(sizes)
    if len(big) < 3:
        return {}
    # a Django-style project package (settings, wsgi) is framework glue, shared by every app
    project = {areas[u] for u in units if u.rsplit(".", 1)[-1] in ("settings", "wsgi", "asgi")}
    threshold = max(3, config.shared_kernel_fan_in * len(big))
    in_area_threshold = max(threshold, 0.75 * len(big))
    reasons: dict[UnitId, str] = {}
    for unit in sorted(units):
        if config.pinned_service(unit, units[unit].path):
            continue
        area = areas[unit]
        users = {areas[s] for s in graph.deps.predecessors(unit) if s in areas} & big - {area}
        used = {areas[t] for t in graph.deps.successors(unit) if t in areas} & big - {area}
        shared = not area or area in KERNEL_AREAS or area in LAYER_WORDS or area in project
        if len(users) >= (threshold if shared else in_area_threshold):
            reasons[unit] = f"used from {len(users)} of {len(big)} areas"
        elif not area and len(used) >= threshold:
            reasons[unit] = f"top-level module wiring {len(used)} of {len(big)} areas"
        elif not area and units[unit].is_package:
            reasons[unit] = "root package"
    return reasons


CDC_READERS = 3
"""From this many other reading services on, a table's changes are published (CDC), not queried."""


RESOLUTIONS = (1.0, 2.5)
"""Louvain resolutions swept for the number of services, times `planner.resolution`: each run
costs about as much as the rest of the planning, its hierarchy levels come free. 1.5 was swept
too until perf16: without it saleor and both samples plan the same, the ASE'24 apps score the
same (PartsUnlimited 58.33 -> 60.42 MoJoFM), a third less Louvain."""


def cluster(
    graph: CodeGraph, units: tuple[UnitId, ...], config: Config
) -> tuple[list[set[UnitId]], tuple[Candidate, ...]]:
    """Seeded Louvain communities of `units`, the granularity chosen by a quality sweep.

    Each level of the Louvain hierarchy at each resolution of `RESOLUTIONS` gives a partition
    (small communities folded in, merged down to `services.max`); each distinct number of
    services k is scored by weighted modularity (resolution 1) and the best k within
    `services.min/max` wins (ties: fewer services). When every level gives the same k, the
    partition merged down by one service is scored too. All candidates are returned, best
    first, so the runner-up can be shown.
    """
    sub = induced(graph.affinity, units)
    if sub.number_of_nodes() == 0:
        return [], ()
    weighted = _weighted_copy(sub)
    table = EdgeTable.of(weighted)  # the same edges in the same order as `sub`'s
    smallest = 3 if len(units) >= 30 else 1
    low = min(config.min_services, len(units))
    best: dict[int, tuple[float, list[set[UnitId]]]] = {}
    levels = (
        level
        for step in RESOLUTIONS
        for level in louvain_levels(weighted, table, step * config.resolution, config.seed)
    )
    for communities in levels:
        communities = _fold_small(table, communities, smallest)
        communities = _merge_to(table, communities, config.max_services)
        k = len(communities)
        score = table.modularity(communities)
        if k not in best or score > best[k][0] + 1e-12:
            best[k] = (score, communities)
    if len(best) == 1:  # every level agrees: the next coarser partition is the runner-up
        ((k, (_, communities)),) = best.items()
        if k > 1:
            coarser = _merge_to(table, communities, k - 1)
            best[k - 1] = (table.modularity(coarser), coarser)
    ranked = sorted(
        best.items(), key=lambda kv: (not low <= kv[0] <= config.max_services, -kv[1][0], kv[0])
    )
    candidates = tuple(
        Candidate(k=k, score=round(score, 4), chosen=i == 0)
        for i, (k, (score, _)) in enumerate(ranked)
    )
    communities = ranked[0][1][1]
    return sorted(communities, key=lambda c: (-len(c), min(c))), candidates


def _weighted_copy(graph: nx.Graph) -> nx.Graph:
    """The graph Louvain works on: the same nodes and edges, with only their weights."""
    import networkx as nx

    weighted = nx.Graph()
    weighted.add_nodes_from(graph)
    weighted.add_weighted_edges_from(graph.edges(data="weight", default=1))
    return weighted


def louvain_levels(
    weighted: nx.Graph, table: EdgeTable, resolution: float, seed: int, threshold: float = 1e-7
) -> Iterator[list[set[UnitId]]]:
    """networkx's `louvain_partitions` step for step (same seeded levels), on a graph from
    `_weighted_copy` (`table` holds its edges), with the modularity between levels computed on
    arrays: networkx's own modularity cost as much as the Louvain moves."""
    import networkx as nx

    # the two steps of networkx's Louvain (networkx >= 3.2 has both)
    from networkx.algorithms.community.louvain import _gen_graph, _one_level

    partition: list[set[UnitId]] = [{u} for u in weighted]
    if nx.is_empty(weighted):
        yield partition
        return
    random = Random(seed)  # what networkx's `py_random_state` makes of an int seed
    graph, edges = weighted, table
    mod = edges.modularity(partition, resolution)
    m = graph.size(weight="weight")
    partition, inner, improvement = _one_level(graph, m, partition, resolution, False, random)
    improvement = True
    while improvement:
        yield [set(c) for c in partition]
        new_mod = edges.modularity(inner, resolution)
        if new_mod - mod <= threshold:
            return
        mod = new_mod
        graph = _gen_graph(graph, inner)
        edges = EdgeTable.of(graph)
        partition, inner, improvement = _one_level(graph, m, partition, resolution, False, random)


def partition_quality(graph: nx.Graph, communities: list[set[UnitId]]) -> float:
    """Weighted modularity (resolution 1) of a partition of the subgraph its communities cover;
    0 without edges."""
    return EdgeTable.of(graph, set().union(*communities)).modularity(communities)


def induced(graph: nx.Graph, units: tuple[UnitId, ...]) -> nx.Graph:
    """`graph.subgraph(units).copy()` without the filtered views' cost, nodes and neighbours in
    `graph`'s order (seeded Louvain's result depends on both). networkx's view takes them from
    a set when `units` are under half of them (an order that changes with `PYTHONHASHSEED`)."""
    import networkx as nx

    keep = set(graph.nbunch_iter(units))

    def shown(atlas: Mapping[UnitId, object]) -> list[UnitId]:
        return [n for n in atlas if n in keep]

    adjacency = graph.adj
    sub = nx.Graph()
    sub.graph.update(graph.graph)
    nodes = shown(graph.nodes)
    sub.add_nodes_from((n, graph.nodes[n]) for n in nodes)
    sub.add_edges_from((u, v, adjacency[u][v]) for u in nodes for v in shown(adjacency[u]))
    return sub


@dataclass(frozen=True)
class EdgeTable:
    """A weighted undirected graph as arrays, for scoring many partitions of the same nodes."""

    index: dict[UnitId, int]
    first: np.ndarray
    second: np.ndarray
    weight: np.ndarray
    strength: np.ndarray

    @classmethod
    def of(cls, graph: nx.Graph, within: set[UnitId] | None = None) -> EdgeTable:
        """The edges of `graph` (`within` those nodes) in its own edge order (sums follow it)."""
        import numpy as np

        nodes = graph if within is None else (u for u in graph if u in within)
        index = {u: i for i, u in enumerate(nodes)}
        edges = [
            (index[a], index[b], w)
            for a, b, w in graph.edges(data="weight", default=1.0)
            if within is None or (a in index and b in index)
        ]
        first = np.fromiter((e[0] for e in edges), dtype=np.int64, count=len(edges))
        second = np.fromiter((e[1] for e in edges), dtype=np.int64, count=len(edges))
        weight = np.fromiter((e[2] for e in edges), dtype=np.float64, count=len(edges))
        strength = np.bincount(first, weight, len(index)) + np.bincount(second, weight, len(index))
        return cls(index, first, second, weight, strength)

    def labels(self, communities: list[set[UnitId]]) -> np.ndarray:
        """Each node's community number; every node must be in exactly one community."""
        import numpy as np

        label = np.full(len(self.index), -1, dtype=np.int64)
        for i, community in enumerate(communities):
            label[[self.index[u] for u in community]] = i
        if len(label) and label.min() < 0:
            raise ValueError("communities do not cover the graph")
        return label

    def modularity(self, communities: list[set[UnitId]], resolution: float = 1.0) -> float:
        """Weighted modularity (networkx's definition); 0 without edges."""
        import numpy as np

        total = float(self.weight.sum())
        if not len(self.weight) or total == 0:
            return 0.0
        label = self.labels(communities)
        inside = float(self.weight[label[self.first] == label[self.second]].sum())
        degrees = np.bincount(label, self.strength, len(communities))
        return inside / total - resolution * float(((degrees / (2 * total)) ** 2).sum())

    def links(self, communities: list[set[UnitId]]) -> list[dict[int, float]]:
        """Coupling between communities (sum of edge weights, in edge order)."""
        import numpy as np

        label = self.labels(communities)
        i, j = label[self.first], label[self.second]
        cross = i != j
        low, high = np.minimum(i, j)[cross], np.maximum(i, j)[cross]
        key = low * len(communities) + high
        pairs, where = np.unique(key, return_inverse=True)
        sums = np.bincount(where, self.weight[cross], len(pairs))
        links: list[dict[int, float]] = [defaultdict(float) for _ in communities]
        for pair, total in zip(pairs.tolist(), sums.tolist(), strict=True):
            a, b = divmod(pair, len(communities))
            links[a][b] = total
            links[b][a] = total
        return links


def _links(graph: nx.Graph, a: set[UnitId], b: set[UnitId]) -> float:
    return sum(d["weight"] for x in a for y, d in graph[x].items() if y in b)


def _absorb(
    communities: list[set[UnitId]], links: list[dict[int, float]], src: int, dst: int
) -> None:
    """Merges community `src` into `dst`, keeping the coupling table right."""
    communities[dst] |= communities[src]
    for other, weight in links[src].items():
        links[other].pop(src, None)
        if other != dst:
            links[dst][other] += weight
            links[other][dst] += weight
    links[dst].pop(src, None)
    links[src] = defaultdict(float)


def _fold_small(
    table: EdgeTable, communities: list[set[UnitId]], smallest: int
) -> list[set[UnitId]]:
    """Fold communities under `smallest` units into the community they are most coupled with."""
    communities = [set(c) for c in communities]
    links = table.links(communities)
    ids = range(len(communities))
    big = sorted(
        (i for i in ids if len(communities[i]) >= smallest), key=lambda i: min(communities[i])
    )
    small = sorted(
        (i for i in ids if len(communities[i]) < smallest),
        key=lambda i: (len(communities[i]), min(communities[i])),
    )
    for group in small:
        best = max(big, key=lambda c: links[group].get(c, 0.0), default=None)
        if best is not None and links[group].get(best, 0.0) > 0:
            _absorb(communities, links, group, best)
        else:
            big.append(group)
    return [communities[i] for i in big]


def _merge_to(table: EdgeTable, communities: list[set[UnitId]], most: int) -> list[set[UnitId]]:
    """Merge the smallest community into the one it is most coupled with until `most` remain."""
    communities = [set(c) for c in communities]
    links = table.links(communities)
    alive = set(range(len(communities)))
    while len(alive) > most:
        ordered = sorted(alive, key=lambda i: (len(communities[i]), min(communities[i])))
        small, rest = ordered[0], ordered[1:]
        best = max(rest, key=lambda c: links[small].get(c, 0.0))
        _absorb(communities, links, small, best)
        alive.discard(small)
    return [communities[i] for i in sorted(alive)]


def decompose(facts: Facts, graph: CodeGraph, config: Config) -> Decomposition:
    """Candidate services from the graph, honouring pins and exclusions, named by business noun.

    Platform code (bootstrap, configuration, framework glue, shared base classes) joins the
    shared kernel and test support stays out, each with its reason, before clustering.
    """
    units = {u.id: u for u in facts.units}
    movable, excluded = candidate_units(facts, config)
    kernel_reasons = find_kernel({u: units[u] for u in movable}, graph, config)
    left_out: dict[UnitId, str] = {}
    for unit, role in platform_roles({u: units[u] for u in movable}, facts).items():
        if config.pinned_service(unit, units[unit].path):
            continue
        if role.kind == "test":
            left_out[unit] = role.reason
        else:
            kernel_reasons.setdefault(unit, role.reason)
    areas = unit_areas({u: units[u] for u in movable})
    pinned: dict[ServiceName, set[UnitId]] = defaultdict(set)
    free = []
    for unit in movable:
        service = config.pinned_service(unit, units[unit].path)
        if service:
            pinned[slug(service)].add(unit)
        elif unit in kernel_reasons or unit in left_out:
            continue
        elif _entry_point(unit, units[unit], areas, graph):
            left_out[unit] = "entry-point script: stays with the monolith's deployment"
        else:
            free.append(unit)
    kernel_reasons = {u: r for u, r in kernel_reasons.items() if u not in left_out}
    free_set = set(free)
    for unit in free:
        if not any(n in free_set for n in graph.affinity.neighbors(unit)):
            left_out[unit] = "no coupling with other movable code: stays in the monolith"
    communities, candidates = cluster(graph, tuple(u for u in free if u not in left_out), config)
    communities = _fold_plumbing(graph, communities, facts, areas, left_out)
    named: dict[ServiceName, set[UnitId]] = {name: set(m) for name, m in pinned.items()}
    for community, name in zip(
        communities, name_services(communities, facts, areas, named), strict=True
    ):
        named[name] = community
    return Decomposition(
        services={n: tuple(sorted(m)) for n, m in sorted(named.items())},
        kernel=tuple(sorted(kernel_reasons)),
        excluded=tuple(sorted(set(excluded) | set(left_out))),
        kernel_reasons=dict(sorted(kernel_reasons.items())),
        excluded_reasons={**_role_reasons(facts, excluded), **left_out},
        candidates=candidates,
    )


ROLE_REASONS = {
    "test": "test code: stays with the code it tests",
    "migration": "database migration: stays with the shared database",
    "vendored": "vendored third-party code",
    "script": "script or entry point: stays with the monolith's deployment",
}


def _role_reasons(facts: Facts, excluded: tuple[UnitId, ...]) -> dict[UnitId, str]:
    """Why each unit left out before clustering is out: its role, or planner.toml."""
    roles = {u.id: u.role for u in facts.units}
    return {u: ROLE_REASONS.get(roles.get(u, ""), "excluded by planner.toml") for u in excluded}


DATA_DEPTH = 3
"""How many static hops from a unit to a table's code still count as using that data."""


def _fold_plumbing(
    graph: CodeGraph,
    communities: list[set[UnitId]],
    facts: Facts,
    areas: dict[UnitId, str],
    left_out: dict[UnitId, str],
) -> list[set[UnitId]]:
    """Communities serving no endpoint, using no table and forming no subsystem are plumbing.

    A community uses a table when one of its units touches it or reaches, within `DATA_DEPTH`
    static hops, code that does (a manager calling a data-access API is a service). It forms a
    subsystem when most of it is one business area of the code's own packages (its API,
    manager and drivers), which stays a capability even when its data goes through a shared
    data-access layer reached dynamically. Each plumbing community joins the service it is most
    coupled with; with no coupling it stays in the monolith (recorded in `left_out`).
    """
    active = {e.unit for e in facts.endpoints} | _data_users(graph.deps, facts)
    services = [c for c in communities if c & active or _subsystem(c, areas)]
    if not services:
        return communities
    for plumbing in sorted((c for c in communities if not c & active), key=min):
        best = max(sorted(services, key=min), key=lambda c: _links(graph.affinity, plumbing, c))
        if _links(graph.affinity, plumbing, best) > 0:
            best |= plumbing
        else:
            left_out.update(
                dict.fromkeys(
                    plumbing,
                    "no endpoint, no table and no coupling to a service: stays in the monolith",
                )
            )
    return services


SUBSYSTEM_MIN = 5
"""A business area needs this many units in a community to make it a subsystem."""


def _subsystem(community: set[UnitId], areas: dict[UnitId, str]) -> bool:
    """Whether most of `community` (and at least `SUBSYSTEM_MIN` units) is one business area."""
    counts = Counter(areas.get(u, "") for u in community)
    area, n = max(sorted(counts.items()), key=lambda kv: kv[1])
    return is_business_area(area) and n >= max(SUBSYSTEM_MIN, len(community) / 2)


def _data_users(deps: nx.DiGraph, facts: Facts) -> set[UnitId]:
    """Units touching a table or reaching code that does within `DATA_DEPTH` static hops."""
    users = {a.unit for a in facts.table_access} | {m.unit for m in facts.orm_models}
    frontier = sorted(u for u in users if u in deps)
    for _ in range(DATA_DEPTH):
        nxt = {
            p
            for u in frontier
            for p in deps.predecessors(u)
            if p not in users and deps.nodes[p].get("kind") == "unit"
        }
        users |= nxt
        frontier = sorted(nxt)
    return users


def _entry_point(unit: UnitId, info: Unit, areas: dict[UnitId, str], graph: CodeGraph) -> bool:
    """A top-level module outside the root package that nothing imports (serve.py, wsgi.py)."""
    top_level = "." not in unit and not info.is_package
    has_root = any("." in u for u in areas)
    return top_level and has_root and graph.deps.in_degree(unit) == 0


def assign_tables(
    facts: Facts, decomposition: Decomposition, config: Config
) -> tuple[TablePlan, ...]:
    """One owner per table (its heaviest writer, else reader) and the pattern for the others."""
    owner_of = decomposition.service_of()
    readers: dict[TableName, Counter[ServiceName]] = defaultdict(Counter)
    writers: dict[TableName, Counter[ServiceName]] = defaultdict(Counter)
    for access in facts.table_access:
        service = owner_of.get(access.unit)
        if service is None:
            continue
        (writers if access.mode == "write" else readers)[access.table][service] += 1
    known = {t.name for t in facts.tables} | set(readers) | set(writers)
    plans = []
    for table in sorted(known):
        w, r = writers[table], readers[table]
        plans.append(_table_plan(table, w, r, config))
    return tuple(plans)


def _table_plan(
    table: TableName, writers: Counter[ServiceName], readers: Counter[ServiceName], config: Config
) -> TablePlan:
    services_w = {s for s in writers if s != KERNEL}
    services_r = {s for s in readers if s != KERNEL}
    candidates = Counter({s: 3 * writers[s] + readers[s] for s in services_w | services_r})
    if not candidates:
        if writers or readers:
            return TablePlan(
                table,
                None,
                _names(readers),
                _names(writers),
                "owned",
                "used only by the shared kernel: stays with the monolith's database",
            )
        return TablePlan(table, None, (), (), "unused", "no code reads or writes it")
    owner = max(candidates.items(), key=lambda kv: (kv[1], kv[0]))[0]
    other_writers = (services_w | ({KERNEL} if writers[KERNEL] else set())) - {owner}
    other_readers = (
        (services_r | ({KERNEL} if readers[KERNEL] else set())) - {owner} - other_writers
    )
    pattern: DbPattern
    if other_writers:
        if config.constraint == "split":
            pattern = "split_table"
            reason = (
                f"also written by {', '.join(sorted(other_writers))}: split the table so each "
                "writer owns its columns, synchronise the rest"
            )
        else:
            pattern = "shared_ownership"
            reason = (
                f"also written by {', '.join(sorted(other_writers))}: keep it in the shared "
                f"database with {owner} as the named owner; others write through "
                f"{possessive(owner)} API over time (high risk until then)"
            )
    elif len(other_readers - {KERNEL}) >= CDC_READERS:
        pattern = "change_data_capture"
        reason = (
            f"read by {len(other_readers)} others ({', '.join(sorted(other_readers))}): {owner} "
            "publishes its changes (change data capture, e.g. logical replication or Debezium) "
            "into their read models instead of serving every read; a read-only view meanwhile"
        )
    elif other_readers:
        pattern = "api_or_view"
        reason = (
            f"read by {', '.join(sorted(other_readers))}: they read through "
            f"{possessive(owner)} API, or a read-only database view while they migrate"
        )
    else:
        pattern = "owned"
        reason = f"used by {owner} only: moves with it"
    return TablePlan(table, owner, _names(readers), _names(writers), pattern, reason)


def possessive(name: str) -> str:
    """`orders'` or `catalog's`."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def _names(counter: Counter[ServiceName]) -> tuple[ServiceName, ...]:
    return tuple(sorted(s for s, n in counter.items() if n))
