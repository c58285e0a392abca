"""Reflection of real SQLite files, DDL files and the code-vs-database comparison."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from analyzers.database import read_only_connection, reflect_database, tables_in_body
from analyzers.ddl import guess_dialect, split_statements, tables_from_ddl
from analyzers.errors import InputError
from analyzers.facts import (
    Column,
    Evidence,
    Facts,
    ForeignKey,
    Index,
    Table,
    dumps,
    from_jsonable,
    to_jsonable,
)
from analyzers.schema_diff import compare_schemas

SHOP_SQL = """
CREATE TABLE customers (
  id INTEGER PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  name TEXT
);
CREATE TABLE orders (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  total REAL,
  status TEXT
);
CREATE INDEX ix_orders_customer ON orders (customer_id);
CREATE TABLE order_lines (
  order_id INTEGER NOT NULL,
  sku TEXT NOT NULL,
  qty INTEGER,
  PRIMARY KEY (order_id, sku),
  FOREIGN KEY (order_id) REFERENCES orders (id)
);
CREATE VIEW big_orders AS
  SELECT o.id, c.email FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.total > 100;
"""


def make_shop(path: Path, *, analyze: bool = True) -> Path:
    connection = sqlite3.connect(path)
    connection.executescript(SHOP_SQL)
    connection.executemany(
        "INSERT INTO customers (id, email) VALUES (?, ?)", [(i, f"c{i}@x") for i in range(1, 41)]
    )
    if analyze:
        connection.execute("ANALYZE")
    connection.commit()
    connection.close()
    return path


def by_name(facts: Facts) -> dict[str, Table]:
    return {t.name: t for t in facts.tables}


# --- live reflection ------------------------------------------------------------------------------


def test_reflects_tables_keys_indexes_and_views(tmp_path: Path) -> None:
    db = make_shop(tmp_path / "shop.db")
    facts = reflect_database(f"sqlite:///{db}")
    tables = by_name(facts)
    assert sorted(tables) == ["big_orders", "customers", "order_lines", "orders"]
    orders = tables["orders"]
    assert orders.source == "database" and orders.evidence == ()
    assert orders.primary_key == ("id",)
    assert orders.columns[1] == Column("customer_id", "INTEGER", False, False)
    assert orders.foreign_keys == (ForeignKey(("customer_id",), "customers", ("id",)),)
    assert orders.indexes == (Index("ix_orders_customer", ("customer_id",), False),)
    assert tables["order_lines"].primary_key == ("order_id", "sku")
    assert tables["customers"].unique == (("email",),)
    view = tables["big_orders"]
    assert view.is_view and view.view_reads == ("customers", "orders")
    assert facts.databases == (f"sqlite:///{db}",)
    assert [a.name for a in facts.analyzers] == ["database"]
    assert facts.warnings == ()


def test_row_estimates_come_from_sqlite_stat1_only(tmp_path: Path) -> None:
    analyzed = by_name(reflect_database(f"sqlite:///{make_shop(tmp_path / 'a.db')}"))
    assert analyzed["customers"].row_estimate == 40
    assert analyzed["orders"].row_estimate is None  # empty tables get no statistics row
    plain = by_name(reflect_database(f"sqlite:///{make_shop(tmp_path / 'b.db', analyze=False)}"))
    assert plain["customers"].row_estimate is None


def test_reflection_never_modifies_the_file(tmp_path: Path) -> None:
    db = make_shop(tmp_path / "shop.db")
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    reflect_database(f"sqlite:///{db}")
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shop.db"]  # no journal, no WAL


def test_a_write_through_the_analyzer_connection_is_refused(tmp_path: Path) -> None:
    db = make_shop(tmp_path / "shop.db")
    with read_only_connection(f"sqlite:///{db}") as connection:
        assert connection.execute(text("SELECT count(*) FROM customers")).scalar() == 40
        with pytest.raises(OperationalError, match=r"readonly|read-only"):
            connection.execute(text("INSERT INTO customers (id, email) VALUES (99, 'z')"))
        with pytest.raises(OperationalError):
            connection.execute(text("DROP TABLE orders"))
    assert sqlite3.connect(db).execute("SELECT count(*) FROM customers").fetchone() == (40,)


def test_relative_urls_and_paths_with_uri_characters(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "odd dir #1"
    folder.mkdir()
    make_shop(folder / "shop 100%.db")
    monkeypatch.chdir(folder)
    assert "orders" in by_name(reflect_database("sqlite:///shop 100%.db"))
    uri_form = f"sqlite:///file:{quote(str(folder / 'shop 100%.db'))}?uri=true"
    assert len(reflect_database(uri_form).tables) == 4


def test_missing_sqlite_file_is_an_input_error_and_is_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "nope.db"
    with pytest.raises(InputError, match="no such SQLite file"):
        reflect_database(f"sqlite:///{missing}")
    assert not missing.exists()
    with pytest.raises(InputError, match="in-memory"):
        reflect_database("sqlite://")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("oracle+nothing://scott:tiger-pw@host/db", "unsupported database 'oracle'"),
        ("mysql+nosuchdriver://u:tiger-pw@host/db", "driver 'nosuchdriver' is not supported"),
        ("not a url at all", "not a database URL"),
        ("mysql+pymysql://u:tiger-pw@host", "name the database"),
    ],
)
def test_bad_urls_give_one_line_without_the_password(url: str, expected: str) -> None:
    with pytest.raises(InputError) as error:
        reflect_database(url, timeout_s=2)
    message = str(error.value)
    assert expected in message
    assert "tiger-pw" not in message and "\n" not in message
    assert message.startswith("cannot read database ")


def test_reflection_is_deterministic_and_round_trips(tmp_path: Path) -> None:
    db = make_shop(tmp_path / "shop.db")
    first, second = reflect_database(f"sqlite:///{db}"), reflect_database(f"sqlite:///{db}")
    assert dumps(first) == dumps(second)
    assert from_jsonable(Facts, to_jsonable(first)) == first


def test_tables_in_a_procedural_body() -> None:
    body = """
    BEGIN
      IF EXISTS (SELECT 1 FROM customers WHERE id = NEW.customer_id) THEN
        INSERT INTO audit_log (msg) VALUES ('order ' || NEW.id);
      END IF;
      PERFORM 1 FROM sales.lines WHERE order_id = NEW.id;
      SELECT total INTO v_total FROM orders WHERE id = NEW.id;
      FOR r IN SELECT * FROM stock LOOP UPDATE stock SET qty = 0 WHERE id = r.id; END LOOP;
      RETURN NEW;
    END
    """
    reads, writes = tables_in_body(body)
    assert {"customers", "sales.lines", "orders", "stock"} <= reads
    assert "v_total" not in reads
    assert writes == {"audit_log", "stock"}


# --- DDL files ------------------------------------------------------------------------------------

PG_DDL = """-- schema dump; a ; in a comment
CREATE TABLE IF NOT EXISTS public.customers (
  id SERIAL PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  note TEXT DEFAULT 'a;b'
);

CREATE TABLE orders (
  id BIGSERIAL,
  customer_id INT NOT NULL REFERENCES customers(id),
  "Status" VARCHAR(20),
  CONSTRAINT pk_orders PRIMARY KEY (id)
);
CREATE FUNCTION touch() RETURNS trigger AS $$ BEGIN NEW.x := 1; RETURN NEW; END $$ LANGUAGE plpgsql;
CREATE TABLE sales.lines (id int, order_id bigint, sku text, UNIQUE (order_id, sku));
ALTER TABLE ONLY sales.lines
  ADD CONSTRAINT fk_lines FOREIGN KEY (order_id) REFERENCES orders(id);
CREATE INDEX ix_lines_order ON sales.lines (order_id);
CREATE VIEW big AS SELECT o.id FROM orders o JOIN customers c ON c.id = o.customer_id;
INSERT INTO customers VALUES (1, 'a@x', 'x;y');
"""


def test_ddl_file_tables_keys_views_and_evidence(tmp_path: Path) -> None:
    schema = tmp_path / "schema.sql"
    schema.write_text(PG_DDL)
    facts = tables_from_ddl(schema, root=tmp_path)
    tables = by_name(facts)
    assert sorted(tables) == ["big", "customers", "orders", "sales.lines"]
    assert all(t.source == "ddl" for t in facts.tables)
    assert tables["customers"].evidence[0].path == "schema.sql"
    assert tables["customers"].evidence[0].line == 2
    assert tables["orders"].evidence[0].line == 8
    assert tables["big"].evidence[0].line == 19
    assert tables["customers"].primary_key == ("id",)
    assert tables["customers"].unique == (("email",),)
    assert tables["orders"].primary_key == ("id",)
    assert [c.name for c in tables["orders"].columns] == ["id", "customer_id", "Status"]
    assert tables["orders"].foreign_keys == (ForeignKey(("customer_id",), "customers", ("id",)),)
    lines = tables["sales.lines"]
    assert lines.foreign_keys == (ForeignKey(("order_id",), "orders", ("id",)),)
    assert lines.unique == (("order_id", "sku"),)
    assert lines.indexes == (Index("ix_lines_order", ("order_id",)),)
    assert tables["big"].is_view and tables["big"].view_reads == ("customers", "orders")
    assert facts.warnings == ()
    assert [a.name for a in facts.analyzers] == ["ddl"]


def test_ddl_directory_applies_migrations_in_order(tmp_path: Path) -> None:
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "001_init.sql").write_text(
        "CREATE TABLE `customers` (`id` int unsigned NOT NULL AUTO_INCREMENT, PRIMARY KEY (`id`))"
        " ENGINE=InnoDB;\nCREATE TABLE temp_import (x int);\n"
    )
    (migrations / "002_orders.sql").write_text(
        "CREATE TABLE orders (id int PRIMARY KEY, customer_id int);\n"
        "ALTER TABLE orders ADD CONSTRAINT fk_c\n"
        "  FOREIGN KEY (customer_id) REFERENCES customers(id);\n"
        "ALTER TABLE orders ADD COLUMN total decimal(10,2);\n"
        "DROP TABLE temp_import;\n"
    )
    (migrations / "notes.txt").write_text("CREATE TABLE ignored (x int);")
    facts = tables_from_ddl(migrations)
    tables = by_name(facts)
    assert sorted(tables) == ["customers", "orders"]
    assert [c.name for c in tables["orders"].columns] == ["id", "customer_id", "total"]
    assert tables["orders"].foreign_keys == (ForeignKey(("customer_id",), "customers", ("id",)),)
    assert tables["customers"].evidence == (
        Evidence(
            f"{migrations.as_posix()}/001_init.sql",
            1,
            "CREATE TABLE `customers` (`id` int unsigned NOT NULL AUTO_INCREMENT, PRIMARY KEY"
            " (`id`)) ENGINE=InnoDB",
        ),
    )


def test_ddl_survives_unparsable_statements_and_binary_files(tmp_path: Path) -> None:
    (tmp_path / "a.sql").write_text(
        "CREATE TABLE good (id int);\nCREATE TABLE weird ( id int ) WITH SOMETHING ((( ;\n"
    )
    (tmp_path / "b.sql").write_bytes(b"\x00\x01binary")
    facts = tables_from_ddl(tmp_path, root=tmp_path)
    assert sorted(by_name(facts)) == ["good", "weird"]
    messages = {(w.path, w.message) for w in facts.warnings}
    assert ("b.sql", "binary file, skipped") in messages
    assert any(path == "a.sql:2" and "weird" in message for path, message in messages)


def test_missing_ddl_path_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such DDL"):
        tables_from_ddl(tmp_path / "missing.sql")


def test_dialect_guess_and_statement_lines() -> None:
    assert guess_dialect("CREATE TABLE `a` (id int) ENGINE=InnoDB") == "mysql"
    assert guess_dialect("CREATE TABLE a (id SERIAL, j JSONB)") == "postgres"
    assert guess_dialect("CREATE TABLE a (id INTEGER PRIMARY KEY AUTOINCREMENT)") == "sqlite"
    assert guess_dialect("CREATE TABLE a (id int)") is None
    script = "-- c;\nSELECT 1;\n\n/* x; */ SELECT ';'; SELECT $$;$$"
    assert list(split_statements(script)) == [
        (2, "SELECT 1"),
        (4, "SELECT ';'"),
        (4, "SELECT $$;$$"),
    ]


# --- code vs live database ------------------------------------------------------------------------


def test_compare_schemas_reports_both_directions_case_insensitively(tmp_path: Path) -> None:
    live = reflect_database(f"sqlite:///{make_shop(tmp_path / 'shop.db')}").tables
    ddl = tmp_path / "schema.sql"
    ddl.write_text(
        "CREATE TABLE CUSTOMERS (id int PRIMARY KEY, email text, name text);\n"
        "CREATE TABLE Orders (id int, customer_id int, total real, status text, legacy_flag int);\n"
        "CREATE TABLE coupons (code text PRIMARY KEY);\n"
    )
    declared = tables_from_ddl(ddl, root=tmp_path).tables
    orm = (Table("order_lines", "orm", evidence=(Evidence("shop/models.py", 12),)),)
    warnings = compare_schemas((*declared, *orm), live)
    messages = [(w.path, w.message) for w in warnings]
    assert messages == sorted(messages)
    assert (
        "schema.sql:3",
        "table coupons is declared in code (ddl) but missing in the live database",
    ) in messages
    assert (
        "",
        "view big_orders exists in the live database but is not declared in code",
    ) in messages
    assert (
        "schema.sql:2",
        "column orders.legacy_flag is declared in code (ddl) but missing in the live database",
    ) in messages
    assert not any("customers" in m.lower() or "order_lines" in m for _, m in messages)
    assert len(warnings) == 3
    assert {w.analyzer for w in warnings} == {"schema_diff"}
    assert compare_schemas((), live) == ()
