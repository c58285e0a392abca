"""Dead code: tables migrations drop and code marked deprecated, found and kept out of the plan."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analyzers.deadcode import find_dead_code
from analyzers.facts import Facts, Table, merge_facts, read_facts
from analyzers.java import analyze_java
from analyzers.python import analyze_python
from planner.cli import app
from planner.config import Config
from planner.pipeline import make_plan
from planner.plan import read_plan

SHOP = Path(__file__).resolve().parent.parent / "samples" / "legacy_shop"


@pytest.fixture(scope="module")
def shop_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """facts.json and plan.json of the shop sample with its schema file, through the CLI."""
    out = tmp_path_factory.mktemp("shop")
    runner = CliRunner()
    result = runner.invoke(
        app, ["analyze", str(SHOP), "--schema", str(SHOP / "schema.sql"), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["plan", str(out / "facts.json"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


def _dead(facts: Facts) -> dict[tuple[str, str], str]:
    return {(d.kind, d.name): d.reason for d in facts.dead_code}


def test_shop_dead_code_is_found_with_evidence(shop_out: Path) -> None:
    facts = read_facts(shop_out / "facts.json")
    dead = _dead(facts)
    assert dead[("table", "wishlists")] == "dropped"
    assert dead[("model", "shop.models:Wishlist")] == "dropped"
    # gift_cards is dropped only in a downgrade(): not dead
    assert not [name for _, name in dead if "gift_cards" in name]
    functions = {name for kind, name in dead if kind == "function"}
    assert functions == {
        "shop.db:get_db",
        "shop.utils:money",
        "shop.catalog.pricing:price_with_vat",
        "shop.orders.service:checkout",
        "shop.orders.totals:legacy_tax",
        "shop.notifications.service:send_sms",
        "shop.payments.gateway:paypal_express_checkout",
    }
    # the decorator factory `deprecated` warns inside its wrapper: it is not deprecated itself
    assert ("function", "shop.utils:deprecated") not in dead
    table = next(d for d in facts.dead_code if d.name == "wishlists")
    assert table.evidence[0].path == "migrations/versions/0003_drop_wishlists.py"
    assert table.evidence[0].line == 15
    assert "drop_table" in table.evidence[0].snippet
    model = next(d for d in facts.dead_code if d.kind == "model")
    assert {e.line for e in model.evidence} == {184, 185}


def test_dropped_table_is_kept_out_of_services_ownership_and_scores(shop_out: Path) -> None:
    """The issue's case: the deprecated Wishlist model whose table migration 0003 dropped was
    'owned by customers: moves with it' and counted in a foreign-key risk."""
    plan = read_plan(shop_out / "plan.json")
    assert "wishlists" not in {t.table for t in plan.tables}
    assert all("wishlists" not in s.tables for s in plan.services)
    assert "wishlists" not in {a.table for a in plan.access}
    assert "wishlists" not in plan.unknown_tables
    for service in plan.services:
        for factor in service.risk.factors + service.benefit.factors:
            assert "wishlists" not in factor.explanation
    for step in plan.steps:
        assert "wishlists" not in {t.table for t in step.tables}
        assert not any("wishlists" in r.detail for r in step.risks)
    assert {(d.kind, d.name) for d in plan.dead} >= {
        ("table", "wishlists"),
        ("model", "shop.models:Wishlist"),
    }
    # the same facts with the dead code forgotten put the table back: the filter did it
    facts = read_facts(shop_out / "facts.json")
    alive = make_plan(dataclasses.replace(facts, dead_code=()), Config())
    assert "wishlists" in {t.table for t in alive.tables}


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def _python_dead(root: Path, tables: tuple[Table, ...] = ()) -> dict[tuple[str, str], str]:
    py = analyze_python(root, jobs=1)
    found = find_dead_code(root, py.units, py.orm_models, tables)
    cache = root.parent / f"{root.name}-cache"  # outside the tree, as the default one
    for _ in range(2):  # the per-file cache written, then read: the same facts
        assert find_dead_code(root, py.units, py.orm_models, tables, cache_dir=cache) == found
    return _dead(found)


def test_migrations_alembic_flyway_liquibase_django(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/core.py": "def f():\n    return 1\n",
            "alembic/env.py": "",
            "alembic/versions/0001_a.py": (
                "from alembic import op\n\ndef upgrade():\n    op.drop_table('carts')\n"
                "    op.drop_table('tags')\n    op.execute('DROP TABLE IF EXISTS legacy_log')\n\n"
                "def downgrade():\n    op.drop_table('notes')\n"
            ),
            "alembic/versions/0002_b.py": (
                "from alembic import op\n\ndef upgrade():\n    op.create_table('tags')\n"
                "    op.rename_table('old_users', 'users')\n"
            ),
            "db/migration/V1__init.sql": "CREATE TABLE audit (id int);\nCREATE TABLE temp1 (x);\n",
            "db/migration/V2__drop.sql": "DROP TABLE audit, temp1;\n",
            "db/migration/V10__again.sql": "CREATE TABLE temp1 (x int);\n",
            "db/changelog/changes.xml": (
                '<databaseChangeLog>\n<changeSet id="1" author="a">\n'
                '  <dropTable tableName="coupons"/>\n'
                '  <rollback><createTable tableName="coupons"/></rollback>\n'
                "</changeSet>\n"
                '<changeSet id="2" author="a">\n  <createTable tableName="x"/>\n'
                '  <rollback><dropTable tableName="x"/></rollback>\n</changeSet>\n'
                "</databaseChangeLog>\n"
            ),
            "db/changelog/more.yaml": (
                "databaseChangeLog:\n  - changeSet:\n      changes:\n        - dropTable:\n"
                "            cascadeConstraints: true\n            tableName: banners\n"
            ),
            "shop/__init__.py": "",
            "shop/migrations/__init__.py": "",
            "shop/migrations/0002_remove_wish.py": (
                "from django.db import migrations\n\nclass Migration(migrations.Migration):\n"
                "    operations = [\n        migrations.DeleteModel(name='Wish'),\n    ]\n"
            ),
            "schema.sql": "DROP TABLE IF EXISTS products;\nCREATE TABLE products (id int);\n",
        },
    )
    dropped = {name for (kind, name) in _python_dead(root) if kind == "table"}
    assert dropped == {
        "carts",  # Alembic upgrade
        "legacy_log",  # raw SQL in an upgrade
        "old_users",  # renamed away
        "audit",  # Flyway V2, V10 re-creates only temp1
        "coupons",  # Liquibase XML, the create is in a rollback
        "banners",  # Liquibase YAML
        "shop_wish",  # Django DeleteModel, default table name
    }
    # `tags` was created again, `notes` dropped only in a downgrade, `x` only in a rollback,
    # and `products` in a schema file that is no migration
    dead = _python_dead(root, (Table("carts", "database"),))
    assert ("table", "carts") not in dead  # the live database still has it: not dropped there


def test_python_deprecation_marks(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/old.py": (
                '"""Deprecated: use app.new instead."""\n\nimport os\n\n\ndef f():\n    pass\n'
            ),
            "app/mixed.py": (
                "import warnings\nfrom typing_extensions import deprecated\n\n\n"
                "class Legacy:\n    def __init__(self):\n"
                "        warnings.warn('gone', DeprecationWarning)\n\n\n"
                "@deprecated('use g')\ndef old_f():\n    pass\n\n\n"
                "def doc_f():\n    '''Deprecated since 2.0.'''\n\n\n"
                "def factory(func):\n    def wrapper():\n"
                "        warnings.warn('x is deprecated', DeprecationWarning)\n"
                "        return func()\n    return wrapper\n\n\n"
                "def live():\n    '''Replaces the deprecated old_f.'''\n    # not deprecated\n"
                "    return 1\n\n\n"
                "class Box:\n    # DEPRECATED: the old box\n    size = 1\n\n"
                "    # DEPRECATED: use size\n    def width(self):\n        return self.size\n"
            ),
            "app/new.py": "def g():\n    return 2\n",
        },
    )
    dead = _python_dead(root)
    assert dead == {
        ("module", "app.old"): "deprecated",
        ("class", "app.mixed:Legacy"): "deprecated",
        ("function", "app.mixed:old_f"): "deprecated",
        ("function", "app.mixed:doc_f"): "deprecated",
        ("class", "app.mixed:Box"): "deprecated",
        ("function", "app.mixed:Box.width"): "deprecated",
    }
    # a deprecated module joins no service
    facts = merge_facts(str(root), [analyze_python(root, jobs=1)])
    py = analyze_python(root, jobs=1)
    facts = merge_facts(str(root), [py, find_dead_code(root, py.units, py.orm_models)])
    plan = make_plan(facts, Config())
    members = {m for s in plan.services for m in s.members}
    assert "app.old" not in members | set(plan.shared_kernel) | set(plan.excluded)
    assert "app.mixed" in members | set(plan.shared_kernel)


def test_java_deprecated_class_and_method(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "src/main/java/com/acme/billing/OldInvoice.java": (
                "package com.acme.billing;\n\n@Deprecated\npublic class OldInvoice {\n"
                "    public int total() { return 1; }\n}\n"
            ),
            "src/main/java/com/acme/billing/Invoice.java": (
                "package com.acme.billing;\n\npublic class Invoice {\n"
                "    /**\n     * Old total.\n     * @deprecated use {@link #sum()}\n     */\n"
                "    public int total() { return new OldInvoice().total(); }\n\n"
                "    public int sum() { return 2; }\n}\n"
            ),
            "src/main/java/com/acme/orders/Order.java": (
                "package com.acme.orders;\n\npublic class Order {\n"
                "    public int pay() { return new com.acme.billing.Invoice().sum(); }\n}\n"
            ),
        },
    )
    java = analyze_java(root, jobs=1)
    dead = _dead(find_dead_code(root, java.units, java.orm_models))
    assert dead == {
        ("class", "com.acme.billing.OldInvoice"): "deprecated",
        ("function", "com.acme.billing.Invoice:total"): "deprecated",
    }
    facts = merge_facts(str(root), [java, find_dead_code(root, java.units, java.orm_models)])
    plan = make_plan(facts, Config())
    kept = {m for s in plan.services for m in s.members} | set(plan.shared_kernel)
    assert "com.acme.billing.OldInvoice" not in kept
    assert "com.acme.billing.Invoice" in kept


def test_deprecation_detail_of_a_decorator_call() -> None:
    """redash's `@deprecated()` read `marked deprecated: ()`; a call's message is its argument."""
    from analyzers.deadcode import _said

    assert _said("@deprecated()") == "marked deprecated"
    assert _said("@deprecated('use g')") == "marked deprecated: use g"
    assert _said('@Deprecated(since = "2.0")') == 'marked deprecated: since = "2.0"'
    assert _said("# DEPRECATED: use size") == "marked deprecated: use size"
    assert _said("# Deprecated (2016) old (see X)") == "marked deprecated: (2016) old (see X)"
