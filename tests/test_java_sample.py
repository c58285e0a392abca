"""The Java analyzer and planner on samples/legacy_java: classes, endpoints, tables, MoJoFM."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from analyzers.facts import Facts
from analyzers.java import analyze_java
from planner import evaluate
from planner.config import Config
from planner.pipeline import make_plan

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "legacy_java"
REFERENCE = SAMPLE / "reference.toml"


@pytest.fixture(scope="module")
def facts() -> Facts:
    return analyze_java(SAMPLE, jobs=1)


def test_every_reference_class_is_a_code_unit(facts: Facts) -> None:
    truth = tomllib.loads(REFERENCE.read_text(encoding="utf-8"))["services"]
    listed = {unit for units in truth.values() for unit in units}
    code = {u.id for u in facts.units if u.role == "code"}
    assert len(code) >= 30
    assert code == listed
    assert set(truth) == {
        "shared_kernel",
        "catalog",
        "customers",
        "orders",
        "billing",
        "shipping",
        "reporting",
    }
    tests = {u.id for u in facts.units if u.role == "test"}
    assert tests == {
        "com.legacyshop.catalog.PriceCalculatorTest",
        "com.legacyshop.orders.OrderServiceTest",
        "com.legacyshop.shipping.ShippingServiceTest",
    }
    assert not [w for w in facts.warnings if "syntax error" in w.message]


def test_sample_endpoints(facts: Facts) -> None:
    found = {(e.framework, e.method, e.path) for e in facts.endpoints}
    assert {
        ("spring", "GET", "/api/products/{id}"),
        ("spring", "POST", "/api/orders/{id}/place"),
        ("spring", "GET", "/admin/reports/sales"),
        ("jaxrs", "POST", "/billing/invoices/{id}/pay"),
        ("servlet", "GET", "/track/*"),
        ("servlet", "GET", "/export/sales.csv"),
    } <= found
    assert {e.framework for e in facts.endpoints} == {"spring", "jaxrs", "servlet"}
    assert len(facts.endpoints) >= 20


def test_sample_entity_tables(facts: Facts) -> None:
    models = {m.unit.rpartition(".")[2]: m.table for m in facts.orm_models}
    assert models == {
        "Product": "products",
        "Category": "categories",
        "Customer": "customers",
        "Address": "addresses",
        "Order": "orders",
        "OrderLine": "order_lines",
        "Invoice": "invoices",
        "Payment": "payments",
        "Shipment": "shipments",
    }
    tables = {t.name: t for t in facts.tables}
    assert "product_categories" in tables
    lines_fks = {fk.referred_table for fk in tables["order_lines"].foreign_keys}
    assert lines_fks == {"orders", "products"}
    assert tables["orders"].primary_key == ("id",)  # from the @MappedSuperclass BaseEntity


def test_sample_mapper_and_jdbc_tables(facts: Facts) -> None:
    def of(unit: str) -> set[tuple[str, str]]:
        return {
            (a.table, a.mode)
            for a in facts.table_access
            if a.unit == f"com.legacyshop.{unit}" and a.via == "sql"
        }

    assert of("orders.OrderMapper") == {
        ("orders", "read"),
        ("orders", "write"),
        ("order_lines", "write"),
        ("products", "read"),
    }
    assert of("shipping.ShippingRateDao") == {
        ("shipping_rates", "read"),
        ("shipping_rates", "write"),
    }
    assert {
        ("orders", "read"),
        ("order_lines", "read"),
        ("products", "read"),
        ("sales_daily", "write"),
    } <= of("reporting.SalesReportDao")
    assert of("common.AuditLogger") == {("audit_log", "write")}


def test_sample_repository_and_service_access(facts: Facts) -> None:
    modes = {
        (a.unit.rpartition(".")[2], a.table, a.mode) for a in facts.table_access if a.via == "orm"
    }
    assert ("OrderRepository", "orders", "write") in modes
    assert ("CatalogService", "products", "write") in modes  # products.save(...)
    assert ("ShippingService", "orders", "read") in modes  # uses the Order entity


def test_plan_matches_reference_decomposition(facts: Facts) -> None:
    plan = make_plan(facts, Config())
    truth = evaluate.read_truth(REFERENCE)
    score = evaluate.mojofm(evaluate.plan_partition(plan), truth)
    assert score >= 85, f"MoJoFM {score} < 85"
