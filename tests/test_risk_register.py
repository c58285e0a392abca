"""The risk register and the before-wave-1 work: typed factors, one row per risk, derived risks."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import get_args

import pytest
from test_planner import shop_facts

from analyzers.facts import Evidence, Facts, TableAccess, Unit, dumps
from planner.access import role_name
from planner.config import Config
from planner.pipeline import make_plan
from planner.plan import (
    PLATFORM,
    RISK_FACTORS,
    RISK_KINDS,
    MigrationRisk,
    Plan,
    StepRisk,
    endpoint_keys,
    read_plan,
    risk_level,
    risk_levels_text,
)
from planner.register import (
    FACTOR_IMPACT,
    LATER_WAVE,
    NOT_IN_REGISTER,
    READS,
    RESPONSES,
    WRITES,
    breadth,
)
from planner.risk import RISK_WEIGHTS
from reports.view import RISK_LABELS, build_view

JOIN = Evidence("app/shipping/repo.py", 9, "SELECT * FROM shipping JOIN orders ON ...")


def _facts() -> Facts:
    """The planner's shop, plus one SQL statement of shipping joining the orders table."""
    facts = shop_facts()
    joins = (
        TableAccess("app.shipping.repo", "shipping", "read", "sql", (JOIN,)),
        TableAccess("app.shipping.repo", "orders", "read", "sql", (JOIN,)),
    )
    return dataclasses.replace(facts, table_access=facts.table_access + joins).sorted()


@pytest.fixture(scope="module")
def plan() -> Plan:
    return make_plan(_facts(), Config())


def test_factor_names_are_one_list_shared_by_weights_impacts_and_responses() -> None:
    # renaming a factor in one place and not the others fails here, not silently in the report
    assert set(RISK_WEIGHTS) == set(RISK_FACTORS) == set(FACTOR_IMPACT)
    assert set(RESPONSES) == set(RISK_KINDS) == set(RISK_FACTORS) | set(get_args(MigrationRisk))
    assert set(get_args(MigrationRisk)) <= set(RISK_LABELS)
    assert all(RESPONSES[k].strip() for k in RISK_KINDS)


def test_severity_cut_offs_are_defined_once_and_stated() -> None:
    assert risk_level(3, 3) == risk_level(3, 2) == risk_level(2, 3) == "high"
    assert risk_level(2, 2) == risk_level(3, 1) == "medium"
    assert risk_level(1, 2) == risk_level(1, 1) == "low"
    assert "high from 6, medium from 3 to 5, low below 3" in risk_levels_text()


def test_step_risks_are_typed_factors_with_points(plan: Plan) -> None:
    assert plan.steps
    for step in plan.steps:
        assert 0 < len(step.risks) <= 3
        for risk in step.risks:
            assert isinstance(risk, StepRisk) and risk.factor in RISK_FACTORS
            assert risk.points > 0 and 1 <= risk.likelihood <= 3
            assert risk.impact == FACTOR_IMPACT[risk.factor]
        points = [r.points for r in step.risks]
        assert points == sorted(points, reverse=True)


def test_register_holds_each_risk_once_with_owner_wave_and_response(plan: Plan) -> None:
    keys = [(r.kind, r.subject) for r in plan.risks]
    assert len(keys) == len(set(keys)), keys
    services = {s.name for s in plan.services}
    for risk in plan.risks:
        assert risk.response.strip() and risk.detail.strip()
        assert risk.severity == risk_level(risk.likelihood, risk.impact)
        assert risk.service in services | {PLATFORM, "monolith"}
        # tables get a row each, foreign keys one for the plan, size is effort
        assert risk.kind not in NOT_IN_REGISTER or risk.subject == "foreign keys"
        assert not risk.detail.startswith("0 of")
    ranks = [-r.likelihood * r.impact for r in plan.risks]
    assert ranks == sorted(ranks)
    facade = [r for r in plan.risks if r.kind == "facade"]
    assert len(facade) == 1 and facade[0].service == PLATFORM and facade[0].wave == 1
    assert "4 endpoints pass through the facade" in facade[0].detail


def test_register_derives_migration_risks_from_the_facts(plan: Plan) -> None:
    by_kind = {(r.kind, r.subject): r for r in plan.risks}
    # billing's repository writes billing and orders: a transaction over both spans services
    write = by_kind[("cross_service_write", "app.billing.repo")]
    assert "billing (billing)" in write.detail and "orders (orders)" in write.detail
    assert "saga" in write.response and write.service == "billing"
    assert write.evidence == (Evidence("app.billing.repo", 3, "INSERT"),)
    # shipping's statement joins orders: read through the owner, before its wave
    join = by_kind[("cross_join", "app.shipping.repo")]
    assert join.evidence == (JOIN,) and role_name("shipping") in join.response
    assert "through the API of orders" in join.response
    # orders is shared: one row for the table, whatever steps touch it
    tables = [r for r in plan.risks if r.kind in ("shared_table", "cdc_lag")]
    assert [r.subject for r in tables].count("orders") == 1
    keys = [r for r in plan.risks if r.kind == "foreign_keys"]
    assert len(keys) == 1 and keys[0].service == PLATFORM
    assert "1 foreign key joins tables" in keys[0].detail and "shipping to orders" in keys[0].detail
    observability = by_kind[("observability", "tracing and metrics")]
    assert observability.service == PLATFORM and observability.likelihood == 3


def test_register_rates_places_for_likelihood_and_writes_and_wave_for_impact(plan: Plan) -> None:
    assert [breadth(n) for n in (0, 1, 2, 5, 6, 40)] == [1, 1, 2, 2, 3, 3]

    def impact(base: int, wave: int) -> int:
        return max(1, base - LATER_WAVE) if wave > 1 else base

    by_kind = {(r.kind, r.subject): r for r in plan.risks}
    write = by_kind[("cross_service_write", "app.billing.repo")]
    assert write.likelihood == 1  # one write site
    assert write.impact == impact(WRITES, write.wave)
    join = by_kind[("cross_join", "app.shipping.repo")]
    assert join.likelihood == 1 and join.impact == impact(READS, join.wave)
    for row in (r for r in plan.risks if r.kind == "shared_table"):
        written = " write it" in row.detail or " writes it" in row.detail
        assert row.impact == impact(WRITES if written else READS, row.wave), row
    assert by_kind[("facade", "facade")].impact == 3
    # high means something: not most of the register
    assert sum(r.severity == "high" for r in plan.risks) <= len(plan.risks) / 2


def test_test_fixtures_writing_many_tables_are_no_unit_of_work() -> None:
    """CTFd's tests/helpers.py seeds 20 tables: it was a high 'unit of work' risk."""
    facts = _facts()
    seed = Evidence("tests/helpers.py", 5, "INSERT")
    helper = Unit("tests.helpers", "tests/helpers.py", "python", 40, "tests", "test")
    writes = tuple(
        TableAccess("tests.helpers", t, "write", "sql", (seed,)) for t in ("billing", "orders")
    )
    facts = dataclasses.replace(
        facts, units=(*facts.units, helper), table_access=facts.table_access + writes
    ).sorted()
    risks = make_plan(facts, Config()).risks
    assert ("cross_service_write", "app.billing.repo") in {(r.kind, r.subject) for r in risks}
    assert not [r for r in risks if r.subject == "tests.helpers"]


def test_before_wave_1_lists_the_work_wave_1_needs(plan: Plan) -> None:
    kinds = [p.kind for p in plan.preparation]
    assert kinds[:2] == ["container", "roles"]
    roles = plan.preparation[1].text
    assert all(s.role in roles for s in plan.services[:4])
    wave1 = {s.service for s in plan.steps if s.wave == 1}
    joins = [p for p in plan.preparation if p.kind == "cross_join"]
    if {"shipping", "orders"} & wave1:
        assert joins and "app/shipping/repo.py:9" in joins[0].text
        assert joins[0].step in {s.order for s in plan.steps if s.wave == 1}
    else:
        assert not joins
    for item in plan.preparation:
        if item.kind == "cdc":
            table = next(t for t in plan.tables if t.table == item.tables[0])
            assert table.pattern == "change_data_capture"


def test_report_shows_the_register_and_the_preparation(plan: Plan) -> None:
    view = build_view(_facts(), plan)
    assert [r.id for r in view.risks] == [f"R{i + 1}" for i in range(len(plan.risks))]
    assert view.risk_levels == risk_levels_text()
    assert {r.kind for r in view.risks} >= {"Facade: single point of failure"}
    assert len(view.workshop.preparation) == len(plan.preparation)
    first = view.risks[0]
    assert first.score == f"{plan.risks[0].likelihood} x {plan.risks[0].impact} = " + str(
        plan.risks[0].likelihood * plan.risks[0].impact
    )


def test_each_service_carries_its_role(plan: Plan, tmp_path: Path) -> None:
    assert all(s.role == role_name(s.name) for s in plan.services)
    path = tmp_path / "plan.json"
    path.write_text(dumps(plan), encoding="utf-8")
    assert read_plan(path) == plan


def test_older_plans_read_or_fail_saying_what_to_do(plan: Plan, tmp_path: Path) -> None:
    data = json.loads(dumps(plan))
    data["format_version"] = 3
    for key in ("risks", "preparation"):
        del data[key]
    for service in data["services"]:
        del service["role"]
    path = tmp_path / "plan.json"
    # format 3 wrote step risks as text: refused with the way out
    data["steps"][0]["risks"] = ["calls_back (7 pts): 3 uses of code that stays"]
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match=r"older planner .* run `planner plan` again"):
        read_plan(path)
    # without risk text it reads, and the roles come back from the one rule
    for step in data["steps"]:
        step["risks"] = []
    path.write_text(json.dumps(data), encoding="utf-8")
    old = read_plan(path)
    assert [s.role for s in old.services] == [role_name(s.name) for s in plan.services]
    assert old.risks == ()


def test_every_endpoint_total_counts_method_and_path_once() -> None:
    facts = _facts()
    first = facts.endpoints[0]
    twins = (  # the same route again: lower-case method, a second handler in another module
        dataclasses.replace(first, method=first.method.lower()),
        dataclasses.replace(first, unit=facts.endpoints[-1].unit, handler="again"),
    )
    facts = dataclasses.replace(facts, endpoints=facts.endpoints + twins).sorted()
    plan = make_plan(facts, Config())
    total = len(endpoint_keys(facts.endpoints))
    assert total == len(facts.endpoints) - len(twins)
    view = build_view(facts, plan)
    assert view.workshop.endpoints_total == total
    assert "method and path" in view.workshop.endpoint_rule
    lines = [
        f.explanation for s in plan.services for f in s.benefit.factors if f.name == "endpoints"
    ]
    assert lines and all(f" of {total} endpoints " in line for line in lines), lines
    facade = next(r for r in plan.risks if r.kind == "facade")
    assert f"all {total} endpoints pass" in facade.detail
