"""Business words of units and services: areas, identifier words and service names."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from analyzers.facts import Facts, Unit, UnitId
from planner.plan import ServiceName
from planner.slugs import slug

LAYER_WORDS = frozenset(
    """
    __init__ adapters admin api app application apps backend backends base blueprints
    celery cli client clients com commands common components config constants consumers
    contrib controller controllers core dal dao data dataloaders db domain dto endpoints
    entities entity enums errors exceptions ext extensions filters fixtures forms frontend
    generated gql graphql grpc handlers helper helpers http i18n impl infrastructure init
    interfaces internal io java jobs legacy lib locale logic main management managers
    middleware migrations mixins model models modules mutations net org orm pages
    permissions ports presentation proto protos py queries query repo repositories
    repository resolvers resources rest routers routes rpc schema schemas self serializers
    server service services settings shared signals spi sql src static storage support task
    tasks templates templatetags test tests types ui urls util utils v1 v2 v3 validators
    view views web workers
    """.split()
)
"""Words that name layers or plumbing, not business capabilities."""
TECH_WORDS = frozenset(
    """
    abstract action actions adapter advice ajax aop assembler async bean beans boot bootstrap
    builder command consumer facade producer
    cache caches callback configuration configurer context converter dao daos default
    delegate dispatcher django dto dtos ejb ejb3 event events exception factory fastapi
    filter flask formatter handler hibernate hints home hql impl info initializer interceptor
    java javax jaxrs jdbc jpa jsf jsp jersey json jta listener local manager mapper mappers
    mapping mock mongo mongodb mybatis mysql object objects orm page persistence postgres
    postgresql processor properties provider proxy record remote request response result
    results rest runner runtime servlet servlets session spring springframework sqlalchemy
    specification stateless stub template tomcat util utils validator value wrapper xml
    """.split()
)
"""Technology and pattern words: never a service name, never evidence of a capability."""
KERNEL_AREAS = frozenset(
    "core common shared utils util utilities lib libs helpers base framework platform "
    "foundation infra kernel toolkit tools system config configuration support".split()
)
"""Package names that announce shared code: their widely used modules are kernel at a lower bar."""
NAME_STOP = (
    LAYER_WORDS
    | TECH_WORDS
    | frozenset(
        "get set has add is new all list find the and for with from app main test layer "
        "enum enums status type types iterative edit show".split()
    )
)
"""Words a service is never named after."""

_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")


def split_words(identifier: str) -> list[str]:
    """Lower-case words of an identifier: `MongoCatalogItemsRepository` -> mongo catalog items
    repository; `order_line` -> order line."""
    return [w.lower() for w in _CAMEL.findall(identifier)]


def singular(word: str) -> str:
    """A crude singular for English nouns in identifiers (`items` -> `item`, `cities` -> `city`)."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is", "ics")):
        return word[:-1]
    return word


def root_depth(ids: list[UnitId]) -> int:
    """How many leading components most ids share (0 for a flat tree)."""
    depth = 0
    while len(ids) > 1:
        prefixes = Counter(".".join(u.split(".")[: depth + 1]) for u in ids if u.count(".") > depth)
        if not prefixes or max(prefixes.values()) < 0.8 * len(ids):
            break
        depth += 1
    return depth


def root_words(ids: Iterable[UnitId]) -> frozenset[str]:
    """Words of the organisation's root packages (`org.springframework.samples.petclinic`).

    The components most ids share (see `root_depth`), and in a tree of several roots each first
    component a fifth of the ids share (`smpl` of `smpl.ordering`): they name the organisation
    or product, not a capability.
    """
    ids = sorted(i for i in ids if "." in i)
    depth = root_depth(ids)
    words: set[str] = set()
    for part in ids[0].split(".")[:depth] if ids else ():
        words.update(split_words(part))
    firsts = Counter(i.split(".")[0] for i in ids)
    for first, n in firsts.items():
        if n >= 0.2 * len(ids) and depth == 0:
            words.update(split_words(first))
    return frozenset(words)


def _path_words(unit_id: UnitId, unit: Unit, depth: int) -> list[str]:
    """The id's components below the root; a Java class's own name is not a capability."""
    parts = unit_id.split(".")[depth:]
    return parts if unit.language == "python" else parts[:-1]


def unit_areas(units: dict[UnitId, Unit]) -> dict[UnitId, str]:
    """Each unit's business area below the common root of the tree.

    The area is the first package (for Python, also the module) below the root that names a
    capability, not a layer or a word a quarter of the tree shares: `shop.orders.service` ->
    `orders`, `saleor.graphql.giftcard.mutations` -> `giftcard`, `com.acme.shop.web.catalog.Item`
    -> `catalog`. Where none does, a shared-code package on the way (`core`, `utils`), else the
    first component below the root (`api`). Modules directly in the root package (`shop.utils`)
    and the root itself have area ''.
    """
    depth = root_depth(list(units))
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
                if w.lower() not in LAYER_WORDS
                and w.lower() not in KERNEL_AREAS
                and w not in common
                and not w.startswith("_")
            ),
            "",
        )
        shared = next((p for p in parts if p.lower() in KERNEL_AREAS), parts[0])
        areas[unit_id] = capability or shared
    return areas


def is_business_area(area: str) -> bool:
    """Whether an area names a capability (not '', a layer or a shared-code package)."""
    return bool(area) and area.lower() not in LAYER_WORDS and area.lower() not in KERNEL_AREAS


def unit_nouns(unit: Unit, stop: frozenset[str]) -> list[str]:
    """The business nouns in a unit's own name (its class or module), singular, in order."""
    leaf = unit.id.rsplit(".", 1)[-1]
    return [singular(w) for w in split_words(leaf) if len(w) > 2 and w not in stop]


def service_nouns(
    members: Iterable[UnitId], facts_view: NounFacts, stop: frozenset[str]
) -> Counter[str]:
    """How strongly each business noun speaks for a group of units.

    Tables the members touch and route segments they serve count most (the data and the
    interface an architect sees), with the business package of each member, then the nouns of
    entity classes (units touching a table), then every member's own name.
    """
    counts: Counter[str] = Counter()
    for unit in members:
        info = facts_view.units.get(unit)
        if info is None:
            continue
        for table in facts_view.tables.get(unit, ()):
            for word in split_words(table.rsplit(".", 1)[-1]):
                if len(word) > 2 and word not in stop:
                    counts[singular(word)] += 2
        for segment in facts_view.routes.get(unit, ()):
            for word in split_words(segment):
                if len(word) > 2 and word not in stop:
                    counts[singular(word)] += 1
        nouns = unit_nouns(info, stop)
        weight = 3 if facts_view.tables.get(unit) else 2
        for i, noun in enumerate(nouns):
            counts[noun] += weight if i == len(nouns) - 1 else 1
        area = facts_view.areas.get(unit, "")
        if is_business_area(area):
            for word in split_words(area):
                if len(word) > 2 and word not in stop:
                    counts[singular(word)] += 2
    return counts


class NounFacts:
    """What naming reads from the facts: units, their tables, route segments and areas."""

    def __init__(self, facts: Facts, areas: dict[UnitId, str]) -> None:
        self.units = {u.id: u for u in facts.units}
        self.tables: dict[UnitId, set[str]] = {}
        for access in facts.table_access:
            self.tables.setdefault(access.unit, set()).add(access.table)
        for model in facts.orm_models:
            self.tables.setdefault(model.unit, set()).add(model.table)
        self.routes: dict[UnitId, set[str]] = {}
        for endpoint in facts.endpoints:
            segments = [
                s
                for s in endpoint.path.strip("/").split("/")
                if s and not s.startswith(("{", "<", ":")) and not s.endswith(".do")
            ]
            if segments:
                self.routes.setdefault(endpoint.unit, set()).add(segments[0])
        self.areas = areas


def name_services(
    groups: list[set[UnitId]], facts: Facts, areas: dict[UnitId, str], taken: Iterable[str]
) -> list[ServiceName]:
    """A unique business noun per group, without numbering.

    A group most of whose units share a business package no other group shares is named after
    it. Otherwise each group is named by its strongest noun that no other group speaks for more;
    larger groups choose first. A group whose nouns are all taken gets its two strongest joined
    (`order-item`).
    Layer, technology and organisation words are never used.
    """
    stop = NAME_STOP | root_words(u.id for u in facts.units if u.role == "code")
    view = NounFacts(facts, areas)
    counts = [service_nouns(sorted(g), view, stop) for g in groups]
    used = set(taken)
    names: list[ServiceName] = [""] * len(groups)
    order = sorted(range(len(groups)), key=lambda i: (-len(groups[i]), min(groups[i])))
    shared = [_shared_area(g, areas, stop) for g in groups]
    for i in order:
        ranked = [w for w, _ in sorted(counts[i].items(), key=lambda kv: (-kv[1], kv[0]))]
        area = shared[i]
        if area and shared.count(area) == 1 and slug(area) not in used:
            used.add(slug(area))
            names[i] = slug(area)
            continue
        own = [
            w
            for w in ranked
            if all(counts[i][w] >= counts[j][w] for j in range(len(groups)) if j != i)
        ]
        name = next((slug(w) for w in own + ranked if slug(w) not in used), "")
        if not name:
            pairs = (slug(f"{a}-{b}") for a in ranked for b in ranked if a != b)
            name = next((p for p in pairs if p not in used), "")
        if not name:
            base = slug(min(groups[i]).rsplit(".", 1)[-1])
            name = base if base not in used else slug(f"{base}-{min(groups[i])}")
        used.add(name)
        names[i] = name
    return names


def _shared_area(group: set[UnitId], areas: dict[UnitId, str], stop: frozenset[str]) -> str:
    """The business area (package) at least half of a group's units share, if any."""
    counts = Counter(areas.get(u, "") for u in group)
    area, n = max(sorted(counts.items()), key=lambda kv: kv[1], default=("", 0))
    if 2 * n < len(group) or not is_business_area(area) or area.lower() in stop:
        return ""
    return area
