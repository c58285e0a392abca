"""Clusters units into candidate services, finds the shared kernel, gives every table an owner."""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

import networkx as nx

from analyzers.facts import Facts, TableName, Unit, UnitId
from planner.config import Config
from planner.graph import LAYER_WORDS, CodeGraph
from planner.plan import DbPattern, ServiceName, TablePlan

KERNEL = "shared-kernel"
"""The pseudo-service of utilities used everywhere: a library to split or duplicate."""
MONOLITH = "monolith"
"""What remains of the monolith at a given step of the extraction."""
KERNEL_AREAS = frozenset(
    "core common shared utils util utilities lib libs helpers base framework platform "
    "foundation infra kernel toolkit tools".split()
)
"""Package names that announce shared code: their widely used modules are kernel at a lower bar."""


@dataclass(frozen=True)
class Decomposition:
    """Units grouped into named candidate services, plus the shared kernel and what was left out."""

    services: dict[ServiceName, tuple[UnitId, ...]]
    kernel: tuple[UnitId, ...]
    excluded: tuple[UnitId, ...]
    kernel_reasons: dict[UnitId, str]
    excluded_reasons: dict[UnitId, str]

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
    sizes = Counter(a for a in areas.values() if a)
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


def unit_areas(units: dict[UnitId, Unit]) -> dict[UnitId, str]:
    """Each unit's business area below the common root of the tree.

    The area is the first package (for Python, also the module) below the root that names a
    capability, not a layer or a word a quarter of the tree shares: `shop.orders.service` ->
    `orders`, `saleor.graphql.giftcard.mutations` -> `giftcard`, `com.acme.shop.web.catalog.Item`
    -> `catalog`. Where none does, a shared-code package on the way (`core`, `utils`), else the
    first component below the root (`api`). Modules directly in the root package (`shop.utils`)
    and the root itself have area ''.
    """
    depth = _root_depth(list(units))
    words = {u: _path_words(u, info, depth) for u, info in units.items()}
    spread = Counter(w for ws in words.values() for w in set(ws))
    common = {w for w, n in spread.items() if n > 0.25 * len(units)} if len(units) >= 20 else set()
    areas = {}
    for unit_id, unit in units.items():
        parts = unit_id.split(".")[depth:]
        if not parts or (len(parts) == 1 and not unit.is_package and depth):
            areas[unit_id] = ""
            continue
        capability = next(
            (
                w
                for w in words[unit_id]
                if w.lower() not in LAYER_WORDS and w not in common and not w.startswith("_")
            ),
            "",
        )
        shared = next((p for p in parts if p.lower() in KERNEL_AREAS), parts[0])
        areas[unit_id] = capability or shared
    return areas


def _path_words(unit_id: UnitId, unit: Unit, depth: int) -> list[str]:
    """The id's components below the root; a Java class's own name is not a capability."""
    parts = unit_id.split(".")[depth:]
    return parts if unit.language == "python" else parts[:-1]


def _root_depth(ids: list[UnitId]) -> int:
    """How many leading components most ids share (0 for a flat tree)."""
    depth = 0
    while len(ids) > 1:
        prefixes = Counter(".".join(u.split(".")[: depth + 1]) for u in ids if u.count(".") > depth)
        if not prefixes or max(prefixes.values()) < 0.8 * len(ids):
            break
        depth += 1
    return depth


MAX_RESOLUTION_STEPS = 6
"""How often the resolution is raised to reach `services.min` before settling for fewer."""
CDC_READERS = 3
"""From this many other reading services on, a table's changes are published (CDC), not queried."""


def cluster(graph: CodeGraph, units: tuple[UnitId, ...], config: Config) -> list[set[UnitId]]:
    """Seeded Louvain communities of `units`, small ones folded in, merged to fit the range."""
    sub = graph.affinity.subgraph(units).copy()
    if sub.number_of_nodes() == 0:
        return []
    smallest = 3 if len(units) >= 30 else 1
    resolution = config.resolution
    for _ in range(MAX_RESOLUTION_STEPS):
        communities = [
            set(c)
            for c in nx.community.louvain_communities(
                sub, weight="weight", resolution=resolution, seed=config.seed
            )
        ]
        communities = _fold_small(sub, communities, smallest)
        if len(communities) >= min(config.min_services, len(units)):
            break
        resolution *= 1.5  # too few services: ask for smaller communities
    while len(communities) > config.max_services:
        communities = _merge_weakest(sub, communities)
    return sorted(communities, key=lambda c: (-len(c), min(c)))


def _links(graph: nx.Graph, a: set[UnitId], b: set[UnitId]) -> float:
    return sum(d["weight"] for x in a for y, d in graph[x].items() if y in b)


def _fold_small(
    graph: nx.Graph, communities: list[set[UnitId]], smallest: int
) -> list[set[UnitId]]:
    """Fold communities under `smallest` units into the community they are most coupled with."""
    big = sorted((c for c in communities if len(c) >= smallest), key=min)
    small = sorted((c for c in communities if len(c) < smallest), key=lambda c: (len(c), min(c)))
    for group in small:
        best = max(big, key=lambda c: _links(graph, group, c), default=None)
        if best is not None and _links(graph, group, best) > 0:
            best |= group
        else:
            big.append(group)
    return big


def _merge_weakest(graph: nx.Graph, communities: list[set[UnitId]]) -> list[set[UnitId]]:
    """Merge the smallest community into the one it is most coupled with."""
    ordered = sorted(communities, key=lambda c: (len(c), min(c)))
    small, rest = ordered[0], ordered[1:]
    best = max(sorted(rest, key=lambda c: (len(c), min(c))), key=lambda c: _links(graph, small, c))
    best |= small
    return rest


def decompose(facts: Facts, graph: CodeGraph, config: Config) -> Decomposition:
    """Candidate services from the graph, honouring pins and exclusions, named by vocabulary."""
    units = {u.id: u for u in facts.units}
    movable, excluded = candidate_units(facts, config)
    kernel_reasons = find_kernel({u: units[u] for u in movable}, graph, config)
    areas = unit_areas({u: units[u] for u in movable})
    depth = _root_depth(list(movable))
    pinned: dict[ServiceName, set[UnitId]] = defaultdict(set)
    free = []
    left_out: dict[UnitId, str] = {}
    for unit in movable:
        service = config.pinned_service(unit, units[unit].path)
        if service:
            pinned[_slug(service)].add(unit)
        elif unit in kernel_reasons:
            continue
        elif _entry_point(unit, units[unit], areas, graph):
            left_out[unit] = "entry-point script: stays with the monolith's deployment"
        else:
            free.append(unit)
    free_set = set(free)
    for unit in free:
        if not any(n in free_set for n in graph.affinity.neighbors(unit)):
            left_out[unit] = "no coupling with other movable code: stays in the monolith"
    communities = cluster(graph, tuple(u for u in free if u not in left_out), config)
    communities = _fold_plumbing(graph.affinity, communities, facts, left_out)
    named: dict[ServiceName, set[UnitId]] = {name: set(m) for name, m in pinned.items()}
    vocabulary = _vocabulary(communities, facts)
    for community, words in zip(communities, vocabulary, strict=True):
        name = _unique(_service_name(community, words, areas, depth), named)
        named[name] = community
    return Decomposition(
        services={n: tuple(sorted(m)) for n, m in sorted(named.items())},
        kernel=tuple(sorted(kernel_reasons)),
        excluded=tuple(sorted(set(excluded) | set(left_out))),
        kernel_reasons=kernel_reasons,
        excluded_reasons={**_role_reasons(facts, excluded), **left_out},
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


def _fold_plumbing(
    graph: nx.Graph, communities: list[set[UnitId]], facts: Facts, left_out: dict[UnitId, str]
) -> list[set[UnitId]]:
    """Communities serving no endpoint and touching no table are plumbing, not services.

    Each joins the service it is most coupled with; with no coupling it stays in the monolith
    (recorded in `left_out`).
    """
    active = {e.unit for e in facts.endpoints} | {a.unit for a in facts.table_access}
    services = [c for c in communities if c & active]
    if not services:
        return communities
    for plumbing in sorted((c for c in communities if not c & active), key=min):
        best = max(sorted(services, key=min), key=lambda c: _links(graph, plumbing, c))
        if _links(graph, plumbing, best) > 0:
            best |= plumbing
        else:
            left_out.update(
                dict.fromkeys(
                    plumbing,
                    "no endpoint, no table and no coupling to a service: stays in the monolith",
                )
            )
    return services


def _entry_point(unit: UnitId, info: Unit, areas: dict[UnitId, str], graph: CodeGraph) -> bool:
    """A top-level module outside the root package that nothing imports (serve.py, wsgi.py)."""
    top_level = "." not in unit and not info.is_package
    has_root = any("." in u for u in areas)
    return top_level and has_root and graph.deps.in_degree(unit) == 0


def _tokens(name: str) -> list[str]:
    return [t for t in re.split(r"[^a-z0-9]+", name.lower()) if len(t) > 2 and t not in LAYER_WORDS]


def _vocabulary(communities: list[set[UnitId]], facts: Facts) -> list[Counter[str]]:
    """Per community, its distinctive words (tf-idf) from module and table names."""
    tables: dict[UnitId, list[str]] = defaultdict(list)
    for access in facts.table_access:
        tables[access.unit].append(access.table)
    raw = []
    for community in communities:
        words: Counter[str] = Counter()
        for unit in community:
            parts = unit.split(".")[1:] or unit.split(".")
            words.update(dict.fromkeys(_tokens(".".join(parts)), 2))
            for table in set(tables[unit]):
                words.update(_tokens(table))
        raw.append(words)
    spread = Counter(w for words in raw for w in words)
    total = len(raw)
    return [
        Counter({w: n * math.log(1 + total / spread[w]) for w, n in words.items()}) for words in raw
    ]


def _service_name(
    members: set[UnitId], words: Counter[str], areas: dict[UnitId, str], depth: int
) -> ServiceName:
    """The business area most members share, else the layer most share, else their top word."""
    counts = Counter(areas[u] for u in members if areas.get(u))
    if counts:
        area, n = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
        if n * 10 >= 3 * len(members):
            return _slug(area)
    firsts = Counter(u.split(".")[depth] for u in members if u.count(".") > depth)
    if firsts:
        first, n = max(firsts.items(), key=lambda kv: (kv[1], kv[0]))
        if n * 2 >= len(members):
            return _slug(first)
    if words:
        return _slug(max(words.items(), key=lambda kv: (kv[1], kv[0]))[0])
    return _slug(min(members).split(".")[-1])


def _slug(name: str) -> ServiceName:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug or "service"


def _unique(name: ServiceName, taken: dict[ServiceName, set[UnitId]]) -> ServiceName:
    if name not in taken and name not in (KERNEL, MONOLITH):
        return name
    n = 2
    while f"{name}-{n}" in taken:
        n += 1
    return f"{name}-{n}"


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
