"""One design, many orders: the cached design gives the very plans computed without it, keyed by
exactly what the clustering reads, bounded, and a bad record is a miss."""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

import pytest

from analyzers.cache import ResultCache
from analyzers.facts import AnalysisWarning, Facts, dumps
from analyzers.records import pack_typed
from analyzers.redact import redact_model
from planner.config import Config, Weights
from planner.design import KEEP, cached_design, design_key, make_design
from planner.graph import build_graph, live_facts, unit_dependencies
from planner.pipeline import Sources, alternative_plan, analyze, make_plan, order_plan, plan, plans

SHOP = Path(__file__).resolve().parent.parent / "samples" / "legacy_shop"

CLUSTERING = {
    "weights",
    "pins",
    "exclude",
    "min_services",
    "max_services",
    "seed",
    "resolution",
    "shared_kernel_fan_in",
}
"""The settings the clustering reads: part of the design's cache key."""
ORDERING = {"constraint", "wave_size", "benefit_weight", "teams"}
"""Settings read after the clustering (table patterns and the order): not part of the key."""
ANALYSIS = {"bulk_threshold", "since", "churn_window"}
"""Settings of `planner analyze` only."""


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Facts:
    """The shop sample's facts, with its schema and without history."""
    cache = tmp_path_factory.mktemp("cache")
    sources = Sources(schemas=(SHOP / "schema.sql",), git=False, jobs=1, cache_dir=cache)
    return analyze(SHOP, Config(), sources)


def _rows(path: Path) -> list[str]:
    with sqlite3.connect(path) as db:
        return sorted(key for (key,) in db.execute("SELECT key FROM designs"))


def test_every_setting_is_either_in_the_key_or_not_read_by_the_clustering() -> None:
    names = {f.name for f in dataclasses.fields(Config)}
    assert names == CLUSTERING | ORDERING | ANALYSIS, "classify the new setting here and in the key"


def test_plans_from_the_cached_design_are_byte_identical(tmp_path: Path, shop: Facts) -> None:
    path = tmp_path / "planner.sqlite"
    config = Config()
    fresh = make_plan(shop, config)
    runner = fresh.second_choice()
    assert runner is not None
    forced = make_plan(shop, config, first=runner)
    for _ in range(2):  # a miss, then a hit
        design = cached_design(shop, config, path)
        assert dumps(order_plan(design, config)) == dumps(fresh)
        assert dumps(order_plan(design, config, first=runner)) == dumps(forced)
    assert len(_rows(path)) == 2  # the design and the list of the latest


def test_ordering_settings_reuse_the_design_and_clustering_settings_do_not(
    tmp_path: Path, shop: Facts
) -> None:
    path = tmp_path / "planner.sqlite"
    base = Config()
    key = design_key(shop, base)
    ordering = [
        dataclasses.replace(base, wave_size=1),
        dataclasses.replace(base, benefit_weight=0.9),
        dataclasses.replace(base, teams={"shop/billing/**": "billing team"}),
        dataclasses.replace(base, constraint="split"),
        dataclasses.replace(base, bulk_threshold=3, churn_window=10, since="2020-01-01"),
    ]
    for config in ordering:
        assert design_key(shop, config) == key
        assert dumps(order_plan(cached_design(shop, config, path), config)) == dumps(
            make_plan(shop, config)
        )
    assert len(_rows(path)) == 2  # one clustering for all of them
    clustering = [
        dataclasses.replace(base, weights=Weights(call=3.0)),
        dataclasses.replace(base, pins={"billing": ("shop.payments.*",)}),
        dataclasses.replace(base, exclude=("shop/reporting/**",)),
        dataclasses.replace(base, min_services=3),
        dataclasses.replace(base, max_services=3),
        dataclasses.replace(base, seed=7),
        dataclasses.replace(base, resolution=2.0),
        dataclasses.replace(base, shared_kernel_fan_in=0.9),
    ]
    keys = {design_key(shop, config) for config in clustering}
    assert key not in keys and len(keys) == len(clustering)
    for config in clustering[:2]:  # clustered again, and right
        assert dumps(order_plan(cached_design(shop, config, path), config)) == dumps(
            make_plan(shop, config)
        )
    assert len(_rows(path)) == 4


def test_the_key_follows_the_facts_the_clustering_reads(shop: Facts) -> None:
    key = design_key(shop, Config())
    warned = dataclasses.replace(shop, warnings=(AnalysisWarning("python", "x.py", "unreadable"),))
    assert design_key(warned, Config()) == key  # not read by the clustering
    assert design_key(dataclasses.replace(shop, units=shop.units[1:]), Config()) != key
    fewer = dataclasses.replace(shop, dependencies=shop.dependencies[1:])
    assert design_key(fewer, Config()) != key


def test_a_bad_record_is_a_miss(tmp_path: Path, shop: Facts) -> None:
    path = tmp_path / "planner.sqlite"
    config = Config()
    fresh = dumps(make_plan(shop, config))
    cached_design(shop, config, path)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE designs SET value = ?", (b"\x93\x01\x02\x03",))
    assert dumps(order_plan(cached_design(shop, config, path), config)) == fresh
    # well-formed, but naming a unit the facts do not have: never trusted
    decomposition = make_design(shop, config).decomposition
    foreign = dataclasses.replace(decomposition, kernel=("no.such.unit",))
    with ResultCache(path, "designs") as cache:
        cache.put_many([(design_key(shop, config), pack_typed((foreign, 0.5)))])
    assert dumps(order_plan(cached_design(shop, config, path), config)) == fresh
    # or a service name that is no safe folder name
    first = next(iter(decomposition.services))
    services = {("../" + name if name == first else name): members
                for name, members in decomposition.services.items()}  # fmt: skip
    unsafe = dataclasses.replace(decomposition, services=services)
    with ResultCache(path, "designs") as cache:
        cache.put_many([(design_key(shop, config), pack_typed((unsafe, 0.5)))])
    assert dumps(order_plan(cached_design(shop, config, path), config)) == fresh


def test_only_the_latest_designs_are_kept(tmp_path: Path, shop: Facts) -> None:
    path = tmp_path / "planner.sqlite"
    configs = [dataclasses.replace(Config(), seed=seed) for seed in range(KEEP + 3)]
    for config in configs:
        cached_design(shop, config, path)
    latest = {design_key(shop, config) for config in configs[-KEEP:]}
    assert set(_rows(path)) == latest | {"recent"}


def test_plan_and_its_alternative_come_from_one_design(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shop: Facts
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    config = Config()
    both = plans(shop, config)
    assert dumps(both.plan) == dumps(redact_model(make_plan(shop, config)))
    assert dumps(plan(shop, config)) == dumps(both.plan)
    runner = both.plan.second_choice()
    assert both.alternative is not None and runner is not None
    assert min(both.alternative.steps, key=lambda s: s.order).service == runner
    assert dumps(both.alternative) == dumps(redact_model(make_plan(shop, config, first=runner)))
    assert dumps(alternative_plan(shop, both.plan, config)) == dumps(both.alternative)
    assert plans(shop, config, alternative=False).alternative is None
    # no runner-up, or one that is no service of this design (other settings): no alternative
    alone = dataclasses.replace(both.plan, first_choice=None, steps=both.plan.steps[:1])
    assert alternative_plan(shop, alone, config) is None
    assert both.plan.first_choice is not None
    elsewhere = dataclasses.replace(both.plan.first_choice, runner_up="no-such-service")
    other = dataclasses.replace(both.plan, first_choice=elsewhere)
    assert alternative_plan(shop, other, config) is None


def test_unit_dependencies_are_the_graphs_edges_in_its_order(shop: Facts) -> None:
    live = live_facts(shop)
    movable = tuple(sorted(u.id for u in live.units if u.role == "code"))
    weights = Weights()
    graph = build_graph(live, movable, weights)
    expected = [
        (a, b, data["weight"], data["kinds"])
        for a, b, data in graph.deps.edges(data=True)
        if graph.deps.nodes[b]["kind"] == "unit"
    ]
    assert expected and list(unit_dependencies(live, movable, weights)) == expected
