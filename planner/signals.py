"""Evidence beyond direct coupling: package prior, entry-point reach, data affinity, vocabulary."""

from __future__ import annotations

import hashlib
import math
import re
from collections import defaultdict
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec
import platformdirs

from analyzers.cache import APP_NAME, ResultCache
from analyzers.facts import Facts, TableName, Unit, UnitId
from planner.naming import (
    LAYER_WORDS,
    NAME_STOP,
    TECH_WORDS,
    is_business_area,
    singular,
    split_words,
    unit_areas,
    unit_nouns,
)

if TYPE_CHECKING:
    import networkx as nx

AddEdge = Callable[[UnitId, UnitId, float], None]
"""Adds weight to the affinity between two units."""

REACH_DEPTH = 3
"""How many static hops from an entry point still count as reached by it."""
VOCABULARY_NEIGHBOURS = 5
"""Each unit is tied to at most this many units with the most similar vocabulary."""
VOCABULARY_MIN_SIMILARITY = 0.2
"""Below this cosine similarity two vocabularies are unrelated."""
COMMON_SHARE = 0.5
"""A table or entry reaching more than this share of the units is plumbing, not affinity."""
_GENERIC = frozenset(
    "get set is has add remove find to string equals hash code init new create update delete "
    "save load of by on the and for with from all id name value values list map".split()
)


def package_edges(units: dict[UnitId, Unit], add: AddEdge, weight: float) -> None:
    """Units of one business area (the code's own package structure) belong together.

    Layer packages (`domain`, `web`, `mapper`) and shared-code packages carry no prior: the
    business noun is looked for below them, so `web.catalog.Item` and `model.catalog.Product`
    share the area `catalog`. The weight is spread over the area (weight/(n-1) per pair).
    """
    if weight <= 0:
        return
    members: dict[tuple[str, str], list[UnitId]] = defaultdict(list)
    for unit, area in sorted(unit_areas(units).items()):
        if is_business_area(area):
            members[(units[unit].language, area)].append(unit)
    for _, group in sorted(members.items()):
        _band(group, add, weight)


PACKAGE_BAND = 4
"""Each unit of an area is tied to this many units on either side in id order (sparse, linear)."""


def _band(group: list[UnitId], add: AddEdge, weight: float) -> None:
    """Ties a sorted group together with about `weight` per unit: a clique when small, else each
    unit to its `PACKAGE_BAND` neighbours on either side (subpackages stay next to each other)."""
    n = len(group)
    if n < 2:
        return
    span = min(PACKAGE_BAND, n - 1)
    share = weight / (2 * span) if n > 2 * span + 1 else weight / (n - 1)
    for i, a in enumerate(group):
        for b in group[i + 1 : i + 1 + span] if n > 2 * span + 1 else group[i + 1 :]:
            add(a, b, share)
        if n > 2 * span + 1:
            for b in group[: max(0, i + 1 + span - n)]:
                add(a, b, share)


MESSAGE_ENTRY = re.compile(r"[a-z0-9](Consumer|Listener|Subscriber|Job|Scheduler)$")
"""A Java class named as a message listener or a scheduled job: an entry point without a route."""


def entry_points(facts: Facts, members: set[UnitId]) -> list[UnitId]:
    """Units serving an endpoint (controllers, servlets, views), and Java message listeners and
    jobs by their name (`CargoHandledConsumer`, `ReportJob`), sorted."""
    served = {e.unit for e in facts.endpoints if e.unit in members}
    jobs = {
        u.id
        for u in facts.units
        if u.id in members
        and u.language == "java"
        and MESSAGE_ENTRY.search(u.id.rsplit(".", 1)[-1])
    }
    return sorted(served | jobs)


def reach(deps: nx.DiGraph, start: UnitId, stop: set[UnitId], depth: int) -> set[UnitId]:
    """Units reachable from `start` in at most `depth` static hops, not passing through `stop`."""
    seen = {start}
    frontier = [start]
    for _ in range(depth):
        nxt = []
        for node in frontier:
            for target in deps.successors(node):
                if target not in seen and deps.nodes[target].get("kind") == "unit":
                    seen.add(target)
                    if target not in stop:
                        nxt.append(target)
        frontier = sorted(nxt)
    return seen - {start}


def entry_reach_edges(
    facts: Facts, deps: nx.DiGraph, members: set[UnitId], add: AddEdge, weight: float
) -> dict[UnitId, frozenset[UnitId]]:
    """Units reached from the same entry points through static calls belong together.

    Each entry point (endpoint unit) is tied to every unit it reaches within `REACH_DEPTH` hops,
    weight/sqrt(reached); units reached from more than half the entry points are shared plumbing
    and get no tie. Returns the entry points reaching each unit.
    """
    entries = entry_points(facts, members)
    reached_by: dict[UnitId, set[UnitId]] = defaultdict(set)
    reached: dict[UnitId, set[UnitId]] = {}
    stop = set(entries)
    for entry in entries:
        reached[entry] = reach(deps, entry, stop, REACH_DEPTH) & members
        for unit in reached[entry]:
            reached_by[unit].add(entry)
    if weight > 0 and len(entries) >= 2:
        limit = max(2, COMMON_SHARE * len(entries))
        for entry in entries:
            targets = sorted(u for u in reached[entry] if len(reached_by[u]) <= limit)
            if not targets:
                continue
            share = weight / math.sqrt(len(targets))
            for unit in targets:
                add(entry, unit, share / len(reached_by[unit]))
        units = {u.id: u for u in facts.units if u.id in members}
        tables = unit_tables(facts, members)
        for entry in entries:
            resource = _resource(facts, entry, reached[entry], units, tables)
            for unit in sorted(resource):
                add(entry, unit, weight)
    return {u: frozenset(e) for u, e in reached_by.items()}


def _resource(
    facts: Facts,
    entry: UnitId,
    reached: set[UnitId],
    units: dict[UnitId, Unit],
    tables: dict[UnitId, set[TableName]],
) -> set[UnitId]:
    """The reached units named by the resource an entry point's routes serve.

    In `/owners/{id}/pets/{petId}/visits/new` the resource is the last literal segment that
    names something the entry point reaches (`visits`: the `Visit` entity, the `visits` table);
    the units whose own name or table speaks of it are the resource's.
    """
    nouns = {u: set(unit_nouns(units[u], NAME_STOP)) for u in reached if u in units}
    for unit in nouns:
        for table in tables.get(unit, ()):
            nouns[unit].update(singular(w) for w in split_words(table.rsplit(".", 1)[-1]))
    found: set[UnitId] = set()
    for endpoint in facts.endpoints:
        if endpoint.unit != entry:
            continue
        literals = [
            s.split(".")[0]
            for s in endpoint.path.strip("/").split("/")
            if s and not s.startswith(("{", "<", ":", "*"))
        ]
        for segment in reversed(literals):
            words = {singular(w) for w in split_words(segment)}
            named = {u for u, ws in nouns.items() if ws & words}
            if named:
                found |= named
                break
    return found


def data_affinity_edges(
    facts: Facts, deps: nx.DiGraph, members: set[UnitId], add: AddEdge, weight: float
) -> None:
    """Units touching the same tables, directly or through the units they use, belong together.

    A unit's data footprint is the tables it reads, writes or maps (counted twice) plus those of the
    units it depends on directly (a controller through its repository). Footprints are compared
    by TF-IDF cosine, so a table every unit touches says little; each unit is tied to its
    `VOCABULARY_NEIGHBOURS` most similar footprints above `VOCABULARY_MIN_SIMILARITY`.
    """
    if weight <= 0:
        return
    own = unit_tables(facts, members)
    if not own:
        return
    footprint: dict[UnitId, list[TableName]] = {}
    for unit in sorted(members):
        tables = sorted(own.get(unit, ())) * 2
        for target in sorted(deps.successors(unit)):
            tables += sorted(own.get(target, ()))
        if tables:
            footprint[unit] = tables
    _similar_pairs(footprint, add, weight, lambda a, b: True)


def unit_tables(facts: Facts, members: set[UnitId]) -> dict[UnitId, set[TableName]]:
    """The tables each unit reads, writes or maps (an ORM entity maps its table)."""
    own: dict[UnitId, set[TableName]] = defaultdict(set)
    for access in facts.table_access:
        if access.unit in members:
            own[access.unit].add(access.table)
    for model in facts.orm_models:
        if model.unit in members:
            own[model.unit].add(model.table)
    return own


def _similar_pairs(
    docs: dict[UnitId, list[str]],
    add: AddEdge,
    weight: float,
    comparable: Callable[[UnitId, UnitId], bool],
) -> None:
    """Ties each unit to its most similar units by TF-IDF cosine of their word lists."""
    ids = sorted(u for u, words in docs.items() if words)
    if len(ids) < 2:
        return
    for i, j, similarity in nearest_words(ids, docs):
        a, b = ids[i], ids[j]
        if comparable(a, b):
            add(a, b, weight * similarity / 2)


Neighbours = list[tuple[int, int, float]]
"""(row, column, cosine) of each unit's nearest units, in the order they are found."""


def nearest_words(ids: list[UnitId], docs: dict[UnitId, list[str]]) -> Neighbours:
    """`_nearest_words`, kept in the user cache keyed by the word lists' digest: the what-if
    loop (only `planner.toml` changed) neither imports scikit-learn nor redoes the TF-IDF."""
    digest = hashlib.sha256(
        msgspec.msgpack.encode(
            [
                NEAREST_SALT,
                VOCABULARY_NEIGHBOURS,
                VOCABULARY_MIN_SIMILARITY,
                version("scikit-learn"),
                [(u, docs[u]) for u in ids],
            ]
        )
    ).hexdigest()
    with ResultCache(signals_cache_path(), "nearest_words") as cache:
        blob = cache.get_many([digest]).get(digest)
        if blob is not None:
            try:
                found = msgspec.msgpack.decode(blob, type=list[tuple[int, int, float]])
                if all(0 <= i < len(ids) and 0 <= j < len(ids) for i, j, _ in found):
                    return found
            except msgspec.DecodeError:  # malformed or of another shape
                pass
        found = _nearest_words(ids, docs)
        cache.put_many([(digest, msgspec.msgpack.encode(found))])
        cache.prune([digest])
    return found


NEAREST_SALT = "nearest-words-1"
"""Part of the cache key of `nearest_words`: change it when `_nearest_words` changes."""


def signals_cache_path() -> Path:
    """The planner's own cache file in the user's cache folder (never in the analyzed tree)."""
    return platformdirs.user_cache_path(APP_NAME, appauthor=False) / "signals.sqlite"


def _nearest_words(ids: list[UnitId], docs: dict[UnitId, list[str]]) -> Neighbours:
    """Each unit's `VOCABULARY_NEIGHBOURS` most similar units above the minimum similarity."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer  # 1.5 s to import: only here

    vectorizer = TfidfVectorizer(analyzer=lambda doc: doc, sublinear_tf=True)
    matrix = vectorizer.fit_transform([docs[u] for u in ids])
    found: Neighbours = []
    chunk = 512
    for start in range(0, len(ids), chunk):
        sims = (matrix[start : start + chunk] @ matrix.T).toarray()
        for row, similarities in enumerate(sims):
            i = start + row
            similarities[i] = 0.0
            best = np.argsort(-similarities, kind="stable")[:VOCABULARY_NEIGHBOURS]
            for j in best:
                if similarities[j] < VOCABULARY_MIN_SIMILARITY:
                    break
                found.append((i, int(j), float(similarities[j])))
    return found


def identifier_words(unit: Unit, depth: int) -> list[str]:
    """Words of a unit's identifiers: its own name (thrice), packages below the root, classes
    and functions; layer, technology and accessor words are left out."""
    parts = unit.id.split(".")
    words = split_words(parts[-1]) * 3
    for part in parts[depth:-1]:
        words += split_words(part)
    for name in (*unit.classes, *unit.functions):
        words += split_words(name)
    stop = LAYER_WORDS | TECH_WORDS | _GENERIC
    return [w for w in words if len(w) > 2 and w not in stop]


def code_base(unit: Unit) -> tuple[str, str]:
    """A unit's language and build module: the directories above its first `src/`, else the
    first directory (`svc/orders/src/main/java/...` -> `svc/orders`, `shop/orders.py` -> `shop`)."""
    parts = unit.path.replace("\\", "/").split("/")[:-1]
    module = parts[: parts.index("src")] if "src" in parts else parts[:1]
    return unit.language, "/".join(module)


def vocabulary_edges(units: dict[UnitId, Unit], depth: int, add: AddEdge, weight: float) -> None:
    """Units whose identifiers speak of the same things belong together (TF-IDF, cosine).

    Each unit is tied to its `VOCABULARY_NEIGHBOURS` most similar units above
    `VOCABULARY_MIN_SIMILARITY`, weight x similarity; only within one code base (one language,
    one build module): words alone never join separately built code.
    """
    if weight <= 0 or len(units) < 2:
        return
    docs = {u: identifier_words(units[u], depth) for u in sorted(units)}
    _similar_pairs(docs, add, weight, lambda a, b: code_base(units[a]) == code_base(units[b]))
