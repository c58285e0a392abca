"""Ordered plans kept in the cache: a hit orders nothing and gives the very plans ordered without
it, the key follows every fact, setting and our code, a bad record is a miss, the size bounded."""

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
from planner.design import DESIGN_CODE
from planner.pipeline import Sources, analyze, make_plan, plans
from planner.plan import Plan
from planner.plancache import KEEP, Ordered, cached_plans, code, plans_key

SHOP = Path(__file__).resolve().parent.parent / "samples" / "legacy_shop"
PLANNER = Path(__file__).resolve().parent.parent / "planner"

CHANGED = {
    "weights": Weights(call=3.0),
    "pins": {"billing": ("shop.payments.*",)},
    "exclude": ("shop/reporting/**",),
    "constraint": "split",
    "min_services": 3,
    "max_services": 3,
    "seed": 7,
    "resolution": 2.0,
    "shared_kernel_fan_in": 0.9,
    "wave_size": 1,
    "benefit_weight": 0.9,
    "teams": {"shop/billing/**": "billing team"},
    "bulk_threshold": 3,
    "since": "2020-01-01",
    "churn_window": 10,
}
"""Another value for every setting: each is part of the key."""


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Facts:
    """The shop sample's facts, with its schema and without history."""
    cache = tmp_path_factory.mktemp("cache")
    sources = Sources(schemas=(SHOP / "schema.sql",), git=False, jobs=1, cache_dir=cache)
    return analyze(SHOP, Config(), sources)


@pytest.fixture()
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A user cache folder of the test's own; the planner's cache file in it."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "strangler-planner" / "signals.sqlite"


def _rows(path: Path) -> list[str]:
    with sqlite3.connect(path) as db:
        return sorted(key for (key,) in db.execute("SELECT key FROM plans"))


def _expected(facts: Facts, config: Config, first: str | None = None) -> tuple[str, str]:
    """The plan and its what-if ordered without any cache, as JSON."""
    plan = redact_model(make_plan(facts, config, first=first))
    runner = plan.second_choice()
    assert runner is not None
    return dumps(plan), dumps(redact_model(make_plan(facts, config, first=runner)))


def _unordered() -> Ordered:
    raise AssertionError("a hit orders nothing")


def test_a_hit_orders_nothing_and_gives_the_same_plans(cache_home: Path, shop: Facts) -> None:
    config = Config()
    expected = _expected(shop, config)
    for _ in range(2):  # a miss, then a hit
        both = plans(shop, config)
        assert (dumps(both.plan), dumps(both.alternative)) == expected
    assert len(_rows(cache_home)) == 2  # the plans and the list of the latest
    found = cached_plans(shop, config, None, True, _unordered)
    assert (dumps(found[0]), dumps(found[1])) == expected
    alone = plans(shop, config, alternative=False)  # its own record: no what-if in it
    assert alone.alternative is None and dumps(alone.plan) == expected[0]
    assert len(_rows(cache_home)) == 3


def test_an_ordering_setting_or_another_first_service_is_a_miss(
    cache_home: Path, shop: Facts
) -> None:
    config = Config()
    base = plans(shop, config)
    smaller = dataclasses.replace(config, wave_size=1)
    assert (dumps(plans(shop, smaller).plan), dumps(plans(shop, smaller).alternative)) == (
        _expected(shop, smaller)
    )
    runner = base.plan.second_choice()
    assert runner is not None
    forced = plans(shop, config, first=runner)
    assert dumps(forced.plan) == dumps(base.alternative)
    assert dumps(forced.plan) == _expected(shop, config, first=runner)[0]
    assert dumps(plans(shop, config).plan) == dumps(base.plan)  # the first one is still there
    assert len(_rows(cache_home)) == 4


def test_the_key_follows_every_fact_setting_and_choice(shop: Facts) -> None:
    assert set(CHANGED) == {f.name for f in dataclasses.fields(Config)}, "give the new setting"
    config = Config()
    key = plans_key(shop, config, None, True)
    assert plans_key(shop, Config(), None, True) == key
    others = [
        plans_key(shop, dataclasses.replace(config, **{name: value}), None, True)
        for name, value in CHANGED.items()
    ]
    warned = dataclasses.replace(shop, warnings=(AnalysisWarning("python", "x.py", "unreadable"),))
    others += [
        plans_key(shop, config, "billing", True),
        plans_key(shop, config, None, False),
        plans_key(warned, config, None, True),  # not read by the clustering, but by the plan
        plans_key(dataclasses.replace(shop, units=shop.units[1:]), config, None, True),
    ]
    assert key not in others and len(set(others)) == len(others)


def test_the_key_follows_all_of_our_planning_code() -> None:
    files = set(code())
    assert set(PLANNER.glob("*.py")) <= files
    for module in DESIGN_CODE:  # the design's code is the plans' too
        assert Path(__import__(module, fromlist=["_"]).__file__ or "") in files
    assert {p.name for p in files} >= {"strangler.py", "risk.py", "effort.py", "deadcode.py"}


def test_a_bad_record_is_a_miss(tmp_path: Path, cache_home: Path, shop: Facts) -> None:
    path = tmp_path / "planner.sqlite"
    config = Config()
    expected = _expected(shop, config)
    key = plans_key(shop, config, None, True)
    both = plans(shop, config)
    order = lambda: (both.plan, both.alternative)  # noqa: E731

    def found(record: bytes) -> tuple[str, str]:
        with ResultCache(path, "plans") as cache:
            cache.put_many([(key, record)])
        plan, other = cached_plans(shop, config, None, True, order, path)
        return dumps(plan), dumps(other)

    assert found(b"\x93\x01\x02\x03") == expected
    first = both.plan.services[0].name
    unsafe = _renamed(both.plan, first, "../" + first)  # no safe folder name
    assert found(pack_typed((unsafe, both.alternative))) == expected
    nobody = dataclasses.replace(both.plan.waves[0], services=("nobody",))
    stray = dataclasses.replace(both.plan, waves=(*both.plan.waves, nobody))  # unknown service
    assert found(pack_typed((stray, both.alternative))) == expected
    old = dataclasses.replace(both.plan, format_version=both.plan.format_version - 1)
    assert found(pack_typed((old, both.alternative))) == expected
    with ResultCache(path, "plans") as cache:  # a what-if where none was asked for
        cache.put_many([(plans_key(shop, config, None, False), pack_typed(order()))])
    assert cached_plans(shop, config, None, False, lambda: (both.plan, None), path)[1] is None
    # a good record is trusted: the list of the latest and this record
    assert dumps(cached_plans(shop, config, None, True, _unordered, path)[0]) == expected[0]


def _renamed(plan: Plan, name: str, new: str) -> Plan:
    services = tuple(
        dataclasses.replace(s, name=new) if s.name == name else s for s in plan.services
    )
    return dataclasses.replace(plan, services=services)


def test_only_the_latest_plans_are_kept(tmp_path: Path, cache_home: Path, shop: Facts) -> None:
    path = tmp_path / "planner.sqlite"
    both = plans(shop, Config())
    configs = [dataclasses.replace(Config(), wave_size=size) for size in range(1, KEEP + 4)]
    for config in configs:
        cached_plans(shop, config, None, True, lambda: (both.plan, both.alternative), path)
    latest = {plans_key(shop, config, None, True) for config in configs[-KEEP:]}
    with sqlite3.connect(path) as db:
        keys = {key for (key,) in db.execute("SELECT key FROM plans")}
    assert keys == latest | {"recent"}
