"""Which strings count as SQL, and which tables a statement reads and writes."""

from __future__ import annotations

import pytest

from analyzers.sql import looks_like_sql, tables_in_sql


@pytest.mark.parametrize(
    ("text", "reads", "writes"),
    [
        (
            "SELECT o.id FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id = %s",
            {"orders", "customers"},
            set(),
        ),
        ("select a.id from accounts a where a.id = :id", {"accounts"}, set()),
        (
            "INSERT INTO payments (order_id, amount) SELECT id, total FROM orders WHERE id = ?",
            {"orders"},
            {"payments"},
        ),
        ("UPDATE stock_items SET qty = qty - 1 WHERE sku = %(sku)s", set(), {"stock_items"}),
        ("DELETE FROM cart_items WHERE cart_id = {cart_id}", set(), {"cart_items"}),
        (
            "WITH t AS (SELECT * FROM sales.orders) SELECT * FROM t JOIN products p ON 1 = 1",
            {"sales.orders", "products"},
            set(),
        ),
        (
            "  (SELECT id FROM refunds) UNION (SELECT id FROM payments)",
            {"refunds", "payments"},
            set(),
        ),
    ],
)
def test_statements_are_read(text, reads, writes):
    assert looks_like_sql(text)
    found = tables_in_sql(text)
    assert found is not None
    assert set(found.reads) == reads
    assert set(found.writes) == writes


@pytest.mark.parametrize(
    "text",
    [
        "Delete a file from server",
        "Select a country from the list",
        "Update your profile to continue",
        "select",
        "Selected items",
        "update the docs",
        "deleted",
        "SELECT 1",
    ],
)
def test_prose_and_tableless_strings_are_not_sql(text):
    assert not looks_like_sql(text)


def test_system_catalogs_are_no_tables_of_the_app():
    """redash's query runners read `information_schema.columns`, `pg_class`, `dual`,
    `system.columns` of the databases they inspect: services were built around them."""
    for text in (
        "SELECT table_name FROM information_schema.columns WHERE table_schema = 'x'",
        "SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace",
        "SELECT 1 FROM DUAL",
        "SELECT name FROM system.columns",
    ):
        assert tables_in_sql(text) is None, text
    mixed = tables_in_sql("SELECT o.id FROM orders o JOIN pg_class c ON c.relname = o.kind")
    assert mixed is not None and mixed.reads == frozenset({"orders"})
