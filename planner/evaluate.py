"""Decomposition quality metrics: MoJoFM, ARI, SM, ICP, IFN, NED, TurboMQ, table-ownership purity.

Each formula is written out in docs/metrics.md and unit-tested on cases computed by hand.
References come as TOML (`[services]`, unit ids) or as RSF (`contain SERVICE Class`, the format of
the ASE'24 benchmark, scored exactly as its score.py and MoJo jar score a tool).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from math import comb
from pathlib import Path

import networkx as nx

from analyzers.errors import InputError
from analyzers.facts import Facts, UnitId
from planner.config import read_text, read_toml
from planner.decompose import KERNEL
from planner.plan import Plan

Partition = Mapping[UnitId, str]
"""Each unit's cluster (service) name."""
Edge = tuple[UnitId, UnitId, float]
"""A directed, weighted dependency between two units."""


def mojo_moves_joins(a: Partition, b: Partition) -> int:
    """mno(A, B): the fewest Move and Join operations turning A into B (Wen & Tzerpos, optimal)."""
    common = sorted(set(a) & set(b))
    clusters_a = sorted({a[u] for u in common})
    tags: dict[str, Counter[str]] = {c: Counter() for c in clusters_a}
    for unit in common:
        tags[a[unit]][b[unit]] += 1
    moves = 0
    graph = nx.Graph()
    for cluster in clusters_a:
        best = max(tags[cluster].values())
        moves += sum(tags[cluster].values()) - best
        graph.add_node(("A", cluster))
        for target, count in sorted(tags[cluster].items()):
            if count == best:
                graph.add_edge(("A", cluster), ("B", target))
    left = {n for n in graph if n[0] == "A"}
    groups = len(nx.bipartite.hopcroft_karp_matching(graph, top_nodes=left)) // 2
    return moves + len(clusters_a) - groups


def max_moves_joins(objects: int, sizes: Iterable[int]) -> int:
    """max over all A' of mno(A', B) = n - g, g the groups B's sorted cluster sizes can fill."""
    groups = 0
    for size in sorted(sizes):
        if groups < size:
            groups += 1
    return objects - groups


def mojofm(a: Partition, b: Partition) -> float:
    """MoJoFM(A, B) = (1 - mno(A, B) / max over all A' of mno(A', B)) x 100, on common units."""
    common = set(a) & set(b)
    if len(common) <= 1:
        return 100.0
    worst = max_moves_joins(len(common), Counter(b[u] for u in common).values())
    if worst == 0:
        return 100.0
    return round((1 - mojo_moves_joins(a, b) / worst) * 100, 2)


def adjusted_rand(a: Partition, b: Partition) -> float:
    """Adjusted Rand index over the common units (1 = identical, about 0 = chance)."""
    common = sorted(set(a) & set(b))
    n = len(common)
    if n < 2:
        return 1.0
    pairs = Counter((a[u], b[u]) for u in common)
    index = sum(comb(c, 2) for c in pairs.values())
    sum_a = sum(comb(c, 2) for c in Counter(a[u] for u in common).values())
    sum_b = sum(comb(c, 2) for c in Counter(b[u] for u in common).values())
    expected = sum_a * sum_b / comb(n, 2)
    maximum = (sum_a + sum_b) / 2
    if maximum == expected:
        return 1.0
    return round((index - expected) / (maximum - expected), 4)


def _intra_inter(partition: Partition, edges: Iterable[Edge]):
    intra: Counter[str] = Counter()
    inter: Counter[tuple[str, str]] = Counter()
    for src, dst, w in edges:
        if src in partition and dst in partition and src != dst:
            ca, cb = partition[src], partition[dst]
            if ca == cb:
                intra[ca] += w
            else:
                inter[(ca, cb)] += w
    return intra, inter


def structural_modularity(partition: Partition, edges: Iterable[Edge]) -> float:
    """SM = mean_i(mu_i / m_i^2) - mean_{i<j}(sigma_ij / (2 m_i m_j)); edges counted unweighted."""
    unique = {(s, d, 1.0) for s, d, _ in edges}
    intra, inter = _intra_inter(partition, unique)
    sizes = Counter(partition.values())
    names = sorted(sizes)
    k = len(names)
    if k == 0:
        return 0.0
    cohesion = sum(intra[c] / sizes[c] ** 2 for c in names) / k
    if k == 1:
        return round(cohesion, 4)
    coupling = 0.0
    for i, ci in enumerate(names):
        for cj in names[i + 1 :]:
            sigma = inter[(ci, cj)] + inter[(cj, ci)]
            coupling += sigma / (2 * sizes[ci] * sizes[cj])
    return round(cohesion - coupling / (k * (k - 1) / 2), 4)


def inter_call_percentage(partition: Partition, calls: Iterable[Edge]) -> float:
    """ICP = weight of calls crossing clusters / weight of all calls between clustered units."""
    intra, inter = _intra_inter(partition, calls)
    total = sum(intra.values()) + sum(inter.values())
    return round(sum(inter.values()) / total, 4) if total else 0.0


def interface_number(partition: Partition, edges: Iterable[Edge]) -> float:
    """IFN = mean over clusters of how many of their units are used from other clusters."""
    interfaces: dict[str, set[UnitId]] = defaultdict(set)
    for src, dst, _ in edges:
        if src in partition and dst in partition and partition[src] != partition[dst]:
            interfaces[partition[dst]].add(dst)
    clusters = set(partition.values())
    return round(sum(len(interfaces[c]) for c in clusters) / len(clusters), 4) if clusters else 0.0


def non_extreme_distribution(partition: Partition, low: int = 5, high: int = 20) -> float:
    """NED = 1 - (units in clusters of size low..high) / all units; 0 is best, 1 all extreme."""
    sizes = Counter(partition.values())
    total = sum(sizes.values())
    ok = sum(n for n in sizes.values() if low <= n <= high)
    return round(1 - ok / total, 4) if total else 0.0


def turbo_mq(partition: Partition, edges: Iterable[Edge]) -> float:
    """Bunch TurboMQ = sum_i CF_i, CF_i = 2 mu_i / (2 mu_i + sum_j (eps_ij + eps_ji)) or 0."""
    intra, inter = _intra_inter(partition, edges)
    total = 0.0
    for cluster in sorted(set(partition.values())):
        mu = intra[cluster]
        if mu == 0:
            continue
        crossing = sum(w for (x, y), w in inter.items() if cluster in (x, y))
        total += 2 * mu / (2 * mu + crossing)
    return round(total, 4)


def ownership_purity(partition: Partition, facts: Facts, owners: Mapping[str, str | None]) -> float:
    """Share of table accesses (by clustered units) that come from the table's owning cluster."""
    total = owned = 0
    for access in facts.table_access:
        cluster = partition.get(access.unit)
        if cluster is None or access.table not in owners:
            continue
        total += 1
        owned += owners[access.table] == cluster
    return round(owned / total, 4) if total else 1.0


def plan_partition(plan: Plan) -> dict[UnitId, str]:
    """Each unit of the plan's services and shared kernel mapped to its cluster."""
    partition = dict.fromkeys(plan.shared_kernel, KERNEL)
    for service in plan.services:
        partition.update(dict.fromkeys(service.members, service.name))
    return partition


def read_truth(path: Path) -> dict[UnitId, str]:
    """A reference decomposition: `[services]` mapping each service to its list of unit ids."""
    data = read_toml(path)
    services = data.get("services")
    if not isinstance(services, dict) or not services:
        raise InputError(f"{path}: needs a [services] table mapping service -> [unit ids]")
    truth: dict[UnitId, str] = {}
    for name, units in sorted(services.items()):
        if not isinstance(units, list) or not all(isinstance(u, str) for u in units):
            raise InputError(f"{path}: services.{name} must be a list of unit ids")
        for unit in units:
            if unit in truth:
                raise InputError(f"{path}: {unit} is in both {truth[unit]} and {name}")
            truth[unit] = name
    return truth


UNOBSERVED = "unobserved"
"""The one cluster where RSF scoring puts the reference classes a decomposition leaves out."""


@dataclass(frozen=True)
class RsfTruth:
    """An RSF reference: its `contain SERVICE Class` lines in file order (a class may repeat)."""

    contains: tuple[tuple[str, str], ...]

    @property
    def classes(self) -> tuple[str, ...]:
        """Each class once, in the order of its first line."""
        return tuple(dict.fromkeys(name for _, name in self.contains))


def read_rsf(path: Path) -> RsfTruth:
    """An RSF reference (`contain SERVICE Class` per line; blank and `#` lines ignored)."""
    contains = []
    for number, line in enumerate(read_text(path).splitlines(), 1):
        parts = line.split()
        if not parts or parts[0].startswith("#"):
            continue
        if len(parts) != 3 or parts[0].lower() != "contain":
            raise InputError(f"{path}:{number}: expected `contain SERVICE Class`, got {line!r}")
        contains.append((parts[1].strip('"'), parts[2]))
    if not contains:
        raise InputError(f"{path}: no `contain SERVICE Class` line")
    return RsfTruth(tuple(contains))


def load_truth(path: Path) -> dict[UnitId, str] | RsfTruth:
    """A reference in either format: `.rsf` as RSF, anything else as TOML."""
    return read_rsf(path) if path.suffix.lower() == ".rsf" else read_truth(path)


Clusters = Sequence[tuple[str, Sequence[UnitId]]]
"""A decomposition as ordered (cluster name, unit ids) pairs; order decides ties by simple name."""


def simple_name(unit: UnitId) -> str:
    """The last dotted part of a unit id, which RSF references use (`a.b.Owner` -> `Owner`)."""
    return unit.rsplit(".", 1)[-1]


def rsf_partition(clusters: Clusters, truth: RsfTruth) -> dict[str, str]:
    """Each reference class's cluster, matched by simple name (first cluster wins) or unobserved."""
    where: dict[str, str] = {}
    for name, units in clusters:
        for unit in units:
            where.setdefault(simple_name(unit), name)
    return {name: where.get(name, UNOBSERVED) for name in truth.classes}


def rsf_mojofm(a: Partition, truth: RsfTruth) -> float:
    """MoJoFM as the ASE'24 MoJo jar computes it against an RSF reference with repeated classes.

    A class listed in several services counts in the size of each (which only raises the maximum
    distance) and is tagged with the last service listing it; the result is rounded half-even to
    two decimals, as the jar's `Math.rint` does.
    """
    reference = {name: service for service, name in truth.contains}
    sizes = Counter(service for service, _ in truth.contains)
    common = {unit: cluster for unit, cluster in a.items() if unit in reference}
    worst = max_moves_joins(len(common), sizes.values())
    if worst <= 0:
        return 100.0
    return round((1 - mojo_moves_joins(common, reference) / worst) * 10000) / 100


def rsf_scores(clusters: Clusters, truth: RsfTruth) -> tuple[float, float, int]:
    """MoJoFM, adjusted Rand and classes matched of a decomposition, scored as score.py does."""
    partition = rsf_partition(clusters, truth)
    reference = {name: service for service, name in truth.contains}
    matched = sum(cluster != UNOBSERVED for cluster in partition.values())
    return rsf_mojofm(partition, truth), adjusted_rand(partition, reference), matched


def plan_clusters(plan: Plan) -> list[tuple[str, tuple[UnitId, ...]]]:
    """The plan's services in plan order, as score.py reads plan.json (the kernel is left out)."""
    return [(service.name, service.members) for service in plan.services]


@dataclass(frozen=True, order=True)
class Extraction:
    """How well one service of a plan matches one reference service (a real extraction)."""

    reference: str
    service: str
    precision: float
    recall: float
    f1: float


def best_match(partition: Partition, reference: str, units: Iterable[UnitId]) -> Extraction:
    """The plan cluster that best matches a reference service's units, by F1 (then by name)."""
    wanted = set(units)
    sizes = Counter(partition.values())
    hits = Counter(partition[u] for u in wanted if u in partition)
    best = Extraction(reference, "", 0.0, 0.0, 0.0)
    for cluster in sorted(hits):
        precision = hits[cluster] / sizes[cluster]
        recall = hits[cluster] / len(wanted)
        f1 = 2 * precision * recall / (precision + recall)
        if f1 > best.f1:
            best = Extraction(reference, cluster, round(precision, 4), round(recall, 4), f1)
    return Extraction(best.reference, best.service, best.precision, best.recall, round(best.f1, 4))


@dataclass(frozen=True)
class Evaluation:
    """Every metric of one plan, with the reference ones when a truth file was given."""

    metrics: dict[str, float]
    units_compared: int


def evaluate(
    plan: Plan, facts: Facts, truth: Mapping[UnitId, str] | RsfTruth | None = None
) -> Evaluation:
    """All metrics of `plan` over `facts`'s static dependencies (and against `truth` if given).

    Raises InputError when a reference names no unit of the plan: a score would mean nothing.
    """
    partition = plan_partition(plan)
    edges = [(d.source, d.target, d.weight) for d in facts.dependencies if d.kind != "co_change"]
    calls = [(d.source, d.target, d.weight) for d in facts.dependencies if d.kind == "call"]
    services_only = {u: s for u, s in partition.items() if s != KERNEL}
    metrics = {
        "sm": structural_modularity(services_only, edges),
        "icp": inter_call_percentage(services_only, calls),
        "ifn": interface_number(services_only, edges),
        "ned": non_extreme_distribution(services_only),
        "turbo_mq": turbo_mq(services_only, edges),
        "ownership_purity": ownership_purity(
            services_only, facts, {t.table: t.owner for t in plan.tables}
        ),
    }
    compared = 0
    if isinstance(truth, RsfTruth):
        mojo, rand, compared = rsf_scores(plan_clusters(plan), truth)
        metrics["mojofm"], metrics["adjusted_rand"] = mojo, rand
    elif truth is not None:
        compared = len(set(partition) & set(truth))
        if not compared:
            example = ", ".join(sorted(truth)[:3])
            raise InputError(
                f"the reference decomposition names none of the plan's units (e.g. {example}); "
                "use unit ids as in plan.json (dotted modules or classes)"
            )
        metrics["mojofm"] = mojofm(partition, truth)
        metrics["adjusted_rand"] = adjusted_rand(partition, truth)
    if truth is not None and compared == 0:
        raise InputError("the reference names no unit of the plan: nothing to compare")
    return Evaluation(dict(sorted(metrics.items())), compared)
