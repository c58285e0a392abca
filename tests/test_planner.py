"""The planner on small hand-made facts: services, kernel, table patterns, scores, order."""

from __future__ import annotations

import dataclasses

import pytest

from analyzers.errors import InputError
from analyzers.facts import (
    Dependency,
    Endpoint,
    Evidence,
    Facts,
    ForeignKey,
    Table,
    TableAccess,
    Unit,
    dumps,
)
from planner.config import Config, parse_config
from planner.decompose import KERNEL
from planner.pipeline import make_plan

DOMAINS = ("billing", "catalog", "orders", "shipping")


def _unit(uid: str, role: str = "code", lines: int = 50) -> Unit:
    path = uid.replace(".", "/") + ".py"
    return Unit(uid, path, "python", lines, uid.rpartition(".")[0], role)


def _dep(a: str, b: str, kind: str = "call", n: int = 3) -> Dependency:
    return Dependency(a, b, kind, float(n), (Evidence(a.replace(".", "/") + ".py", 1, f"use {b}"),))


def shop_facts() -> Facts:
    """Four domains of three modules, a utils module used by all, tables with a shared one."""
    units = [_unit("app.utils"), _unit("app.tests.test_orders", role="test")]
    deps = []
    access = []
    endpoints = []
    for d in DOMAINS:
        mods = [f"app.{d}.views", f"app.{d}.service", f"app.{d}.repo"]
        units += [_unit(m) for m in mods]
        deps += [
            _dep(mods[0], mods[1], n=5),
            _dep(mods[1], mods[2], n=5),
            _dep(mods[0], mods[2], "import"),
        ]
        deps.append(_dep(mods[1], "app.utils", "call", 2))
        access.append(TableAccess(mods[2], d, "write", "sql", (Evidence(mods[2], 3, "INSERT"),)))
        access.append(TableAccess(mods[2], d, "read", "sql"))
        endpoints.append(
            Endpoint(mods[0], "GET", f"/{d}", "flask", "index", Evidence(mods[0], 2, "@app.route"))
        )
    deps.append(_dep("app.orders.service", "app.billing.service", "call", 1))
    deps.append(_dep("app.shipping.service", "app.orders.service", "call", 1))
    deps.append(_dep("app.tests.test_orders", "app.orders.service", "import", 1))
    access.append(TableAccess("app.shipping.repo", "orders", "read", "sql"))
    access.append(TableAccess("app.billing.repo", "orders", "write", "sql"))
    tables = [Table(d, "database") for d in DOMAINS]
    tables.append(
        Table("shipping", "database", foreign_keys=(ForeignKey(("order_id",), "orders", ("id",)),))
    )
    tables.append(Table("legacy_fax_queue", "database"))
    return Facts(
        root="/x",
        units=tuple(units),
        dependencies=tuple(deps),
        tables=tuple(set(tables)),
        table_access=tuple(access),
        endpoints=tuple(endpoints),
    ).sorted()


def test_services_follow_the_domains_and_utils_is_the_shared_kernel():
    plan = make_plan(shop_facts(), Config())
    members = {s.name: set(s.members) for s in plan.services}
    assert set(members) == set(DOMAINS)
    for d in DOMAINS:
        assert members[d] == {f"app.{d}.views", f"app.{d}.service", f"app.{d}.repo"}
    assert plan.shared_kernel == ("app.utils",)
    assert "app.tests.test_orders" in plan.excluded


def test_every_table_has_an_owner_and_a_pattern():
    plan = make_plan(shop_facts(), Config())
    by_table = {t.table: t for t in plan.tables}
    assert by_table["catalog"].pattern == "owned" and by_table["catalog"].owner == "catalog"
    assert by_table["orders"].owner == "orders"
    assert by_table["orders"].pattern == "shared_ownership"
    assert "billing" in by_table["orders"].reason
    assert by_table["legacy_fax_queue"].pattern == "unused"
    split = make_plan(shop_facts(), dataclasses.replace(Config(), constraint="split"))
    assert {t.table: t.pattern for t in split.tables}["orders"] == "split_table"


def test_scores_are_the_sum_of_their_factors():
    plan = make_plan(shop_facts(), Config())
    for service in plan.services:
        for score in (service.risk, service.benefit):
            assert 0 <= score.score <= 100
            assert score.score == pytest.approx(sum(f.points for f in score.factors), abs=0.11)
            assert all(f.explanation for f in score.factors)
    orders = plan.service("orders")
    names = {f.name: f for f in orders.risk.factors}
    assert names["shared_tables"].points > 0
    assert names["missing_tests"].value < 1.0  # a test imports orders.service


def test_order_is_simulated_and_steps_are_complete():
    plan = make_plan(shop_facts(), Config())
    assert [s.service for s in plan.steps] == [s.name for s in plan.services]
    assert sorted(s.service for s in plan.steps) == sorted(DOMAINS)
    # catalog touches nothing else: it is the cheapest first move
    assert plan.steps[0].service == "catalog"
    for step in plan.steps:
        assert step.reroute and step.rollout and step.rollback and step.checks
    order = {s.service: s.order for s in plan.steps}
    shipping = next(s for s in plan.steps if s.service == "shipping")
    # calls into the shared kernel are library calls, not calls needing an anti-corruption layer
    assert all(c.target != "app.utils" for s in plan.steps for c in s.calls_back)
    if order["shipping"] < order["orders"]:
        assert [c.target for c in shipping.calls_back] == ["app.orders.service"]
    else:
        assert shipping.calls_back == ()
    assert [w.number for w in plan.waves] == list(range(1, len(plan.waves) + 1))
    assert sum(len(w.services) for w in plan.waves) == len(DOMAINS)


def test_first_forces_the_opening_move_and_unknown_first_is_a_user_error():
    plan = make_plan(shop_facts(), Config(), first="orders")
    assert plan.steps[0].service == "orders"
    assert plan.steps[0].reason == "forced first by --first"
    with pytest.raises(InputError, match="no such service"):
        make_plan(shop_facts(), Config(), first="nope")


def test_pins_and_exclusions_from_config():
    config = parse_config(
        {
            "pins": {"money": ["app.billing.*", "app/orders/repo.py"]},
            "exclude": {"paths": ["app/shipping/**"]},
        }
    )
    plan = make_plan(shop_facts(), config)
    money = plan.service("money")
    assert set(money.members) == {
        "app.billing.views",
        "app.billing.service",
        "app.billing.repo",
        "app.orders.repo",
    }
    assert "app.shipping.views" in plan.excluded
    assert all("shipping" not in s.name for s in plan.services)


def test_bad_config_is_a_user_error():
    with pytest.raises(InputError, match="unknown weight"):
        parse_config({"weights": {"imports": 2}})
    with pytest.raises(InputError, match="constraint"):
        parse_config({"database": {"constraint": "yolo"}})
    with pytest.raises(InputError, match=r"unknown key\(s\) in \[planner\]: sede"):
        parse_config({"planner": {"sede": 1}})
    with pytest.raises(InputError, match="must be a number"):
        parse_config({"planner": {"benefit_weight": "high"}})


def test_plans_are_deterministic():
    assert dumps(make_plan(shop_facts(), Config())) == dumps(make_plan(shop_facts(), Config()))


def test_kernel_service_name_is_reserved():
    plan = make_plan(shop_facts(), Config())
    assert KERNEL not in {s.name for s in plan.services}


def test_widely_read_tables_are_replicated_and_min_services_is_honoured():
    facts = shop_facts()
    readers = [
        TableAccess(f"app.{d}.repo", "catalog", "read", "sql") for d in DOMAINS if d != "catalog"
    ]
    facts = dataclasses.replace(facts, table_access=facts.table_access + tuple(readers)).sorted()
    plan = make_plan(facts, Config())
    catalog = {t.table: t for t in plan.tables}["catalog"]
    assert catalog.pattern == "change_data_capture"
    assert "change data capture" in catalog.reason
    many = make_plan(shop_facts(), dataclasses.replace(Config(), min_services=4, max_services=4))
    assert len(many.services) == 4
    few = make_plan(shop_facts(), dataclasses.replace(Config(), min_services=1, max_services=2))
    assert len(few.services) == 2


def test_every_excluded_unit_says_why():
    facts = shop_facts()
    config = parse_config({"exclude": {"paths": ["app/shipping/views.py"]}})
    plan = make_plan(facts, config)
    assert set(plan.excluded_reasons) == set(plan.excluded)
    assert plan.excluded_reasons["app.tests.test_orders"].startswith("test code")
    assert plan.excluded_reasons["app.shipping.views"] == "excluded by planner.toml"
