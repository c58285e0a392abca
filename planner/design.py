"""The design every extraction order of a plan shares (services, kernel, table owners), cached.

A plan and its what-if (`--first`, another wave size or benefit weight) differ only in the
order: the clustering is computed once per facts and clustering settings and kept in the user
cache folder, so the what-if loop and a warm run do no clustering at all.
"""

from __future__ import annotations

import hashlib
import importlib
from dataclasses import asdict, dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from analyzers.cache import ResultCache, source_salt
from analyzers.facts import DeadCode, Facts, UnitId, _no_gc, encode
from analyzers.records import pack_typed, unpack_typed
from planner.config import Config
from planner.decompose import Decomposition, assign_tables, decompose, partition_quality
from planner.graph import DependencyEdge, build_graph, live_facts, unit_dependencies
from planner.plan import ServiceName, TablePlan, is_safe_name
from planner.risk import World, make_world
from planner.signals import signals_cache_path


@dataclass(frozen=True)
class Design:
    """The services of a plan before any ordering: the live facts (dead code left out), the
    decomposition, table ownership, the scores' world and the partition's modularity."""

    facts: Facts
    dead: tuple[DeadCode, ...]
    decomposition: Decomposition
    tables: tuple[TablePlan, ...]
    service_of: dict[UnitId, ServiceName]
    dependencies: tuple[DependencyEdge, ...]
    world: World
    modularity: float


DESIGN_FACTS = (
    "units",
    "dependencies",
    "tables",
    "orm_models",
    "table_access",
    "endpoints",
    "co_changes",
    "dead_code",
)
"""The facts the clustering reads (through `live_facts`, `build_graph` and `decompose`)."""

DESIGN_SALT = "design-1"
"""Part of the cache key: change it when the cached record's meaning changes."""

DESIGN_CODE = (
    "analyzers.deadcode",
    "planner.config",
    "planner.decompose",
    "planner.design",
    "planner.graph",
    "planner.kernel",
    "planner.naming",
    "planner.signals",
    "planner.slugs",
)
"""The modules the cached clustering is computed by: their source is part of the cache key."""

KEEP = 8
"""Designs kept in the cache: the latest ones used."""

_Record = tuple[Decomposition, float]
RECENT = "recent"
"""The key of the list of the latest keys used, in a table of `remember`'s."""


def make_design(facts: Facts, config: Config) -> Design:
    """The design for `facts` under `config`, computed."""
    live, movable = _live(facts)
    decomposition, modularity = _cluster(live, movable, config)
    return _design(facts, live, movable, config, decomposition, modularity)


def cached_design(facts: Facts, config: Config, path: Path | None = None) -> Design:
    """`make_design`, its clustering kept in the cache file `path` (default: the planner's in the
    user cache folder) under `design_key`; a record that does not fit the facts is a miss."""
    live, movable = _live(facts)
    key = design_key(facts, config)
    with ResultCache(path or signals_cache_path(), "designs") as cache:
        found = cache.get_many([key, RECENT])
        record = unpack_typed(found.get(key), _Record)
        if record is None or not _fits(record[0], live):
            record = _cluster(live, movable, config)
            cache.put_many([(key, pack_typed(record))])
        remember(cache, key, found, KEEP)
    return _design(facts, live, movable, config, *record)


def remember(cache: ResultCache, key: str, found: dict[str, bytes], keep: int) -> None:
    """Put `key` first in the cache's list of the latest keys used (`found`: what was read with
    the key, the list among it) and forget every record past the `keep` latest."""
    before = unpack_typed(found.get(RECENT), list[str]) or []
    recent = [key, *(k for k in before if k != key)][:keep]
    if recent != before:
        cache.put_many([(RECENT, pack_typed(recent))])
        cache.prune([RECENT, *recent], slack=1.0, floor=0)  # only the latest


def design_key(facts: Facts, config: Config) -> str:
    """The digest of exactly what the clustering depends on: the facts it reads, the settings it
    reads (not the ordering's: wave size, benefit weight, teams, database constraint), the
    libraries' versions and our own code."""
    digest = hashlib.sha256(DESIGN_SALT.encode())
    digest.update(b"\0" + libraries().encode())
    digest.update(b"\0" + source_salt(*map(module_file, DESIGN_CODE)).encode())
    settings = (
        asdict(config.weights),
        sorted(config.pins.items()),
        config.exclude,
        config.min_services,
        config.max_services,
        config.seed,
        config.resolution,
        config.shared_kernel_fan_in,
    )
    digest.update(b"\0" + encode(settings))
    with _no_gc():  # encoding gives each record its __dict__: no full collection for each batch
        for name in DESIGN_FACTS:
            digest.update(b"\0" + encode(getattr(facts, name)))
    return digest.hexdigest()


def libraries() -> str:
    """The versions of the libraries the planning runs on, as one line of a cache key."""
    return " ".join(f"{name} {_version(name)}" for name in ("networkx", "numpy", "scikit-learn"))


def module_file(name: str) -> str:
    """The source file of our module `name` (imported here if it was not yet)."""
    return importlib.import_module(name).__file__ or ""


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "-"


def _live(facts: Facts) -> tuple[Facts, tuple[UnitId, ...]]:
    """The facts without dead code, and the units that may move."""
    live = live_facts(facts)  # dead code joins no service and no score
    return live, tuple(sorted(u.id for u in live.units if u.role == "code"))


def _cluster(live: Facts, movable: tuple[UnitId, ...], config: Config) -> _Record:
    """The decomposition and its modularity on the affinity graph: the costly part."""
    graph = build_graph(live, movable, config.weights)
    decomposition = decompose(live, graph, config)
    kernel = decomposition.kernel
    parts = [set(m) for m in decomposition.services.values()] + ([set(kernel)] if kernel else [])
    return decomposition, partition_quality(graph.affinity, parts) if parts else 0.0


def _fits(decomposition: Decomposition, live: Facts) -> bool:
    """Whether a cached decomposition names only units of `live`, each at most once, in
    services whose names are safe as file names (the scaffold makes folders of them)."""
    units = {u.id for u in live.units}
    named = [u for members in decomposition.services.values() for u in members]
    named += [*decomposition.kernel, *decomposition.excluded]
    safe = all(is_safe_name(name) for name in decomposition.services)
    return safe and len(set(named)) == len(named) and set(named) <= units


def _design(
    facts: Facts,
    live: Facts,
    movable: tuple[UnitId, ...],
    config: Config,
    decomposition: Decomposition,
    modularity: float,
) -> Design:
    """The design around a decomposition: table owners and the scores' world."""
    dependencies = unit_dependencies(live, movable, config.weights)
    tables = assign_tables(live, decomposition, config)
    service_of = decomposition.service_of()
    world = make_world(live, dependencies, decomposition.services, service_of, tables)
    return Design(
        facts=live,
        dead=facts.dead_code,
        decomposition=decomposition,
        tables=tables,
        service_of=service_of,
        dependencies=dependencies,
        world=world,
        modularity=modularity,
    )
