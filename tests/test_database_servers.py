"""Reflection of real PostgreSQL and MariaDB databases, read-only, with clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import MARIADB_HOST, MARIADB_PORT, PG_HOST, PG_PORT, unique_name
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from analyzers.database import read_only_connection, reflect_database
from analyzers.errors import InputError
from analyzers.facts import Facts, ForeignKey, Index, Routine, Table, dumps

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "legacy_shop"

PG_SCHEMA = """
CREATE TABLE customers (id serial PRIMARY KEY, email text NOT NULL UNIQUE);
CREATE SCHEMA sales;
CREATE TABLE sales.orders (
  id bigserial PRIMARY KEY,
  customer_id int NOT NULL REFERENCES customers (id),
  total numeric(10, 2)
);
CREATE INDEX ix_orders_customer ON sales.orders (customer_id);
CREATE TABLE sales.lines (
  id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  order_id bigint REFERENCES sales.orders (id),
  sku text,
  UNIQUE (order_id, sku)
);
CREATE TABLE audit_log (id serial PRIMARY KEY, msg text);
CREATE VIEW big_orders AS
  SELECT o.id, c.email FROM sales.orders o JOIN customers c ON c.id = o.customer_id
  WHERE o.total > 100;
CREATE MATERIALIZED VIEW sales.totals AS
  SELECT customer_id, sum(total) AS total FROM sales.orders GROUP BY customer_id;
CREATE FUNCTION log_order() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM customers WHERE id = NEW.customer_id) THEN
    INSERT INTO audit_log (msg) VALUES ('order ' || NEW.id);
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER trg_order AFTER INSERT OR UPDATE ON sales.orders
  FOR EACH ROW EXECUTE FUNCTION log_order();
INSERT INTO customers (email) SELECT 'c' || g || '@x' FROM generate_series(1, 300) g;
ANALYZE;
"""


def load(url: str, script: str) -> None:
    """Run a schema script with a normal (writable) admin connection."""
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql(script)
    engine.dispose()


def by_name(facts: Facts) -> dict[str, Table]:
    return {t.name: t for t in facts.tables}


# --- PostgreSQL -----------------------------------------------------------------------------------


def test_postgresql_reflection(pg_database: str) -> None:
    load(pg_database, PG_SCHEMA)
    facts = reflect_database(pg_database)
    tables = by_name(facts)
    assert sorted(tables) == [
        "audit_log",
        "big_orders",
        "customers",
        "sales.lines",
        "sales.orders",
        "sales.totals",
    ]
    orders = tables["sales.orders"]
    assert orders.primary_key == ("id",)
    assert orders.foreign_keys == (ForeignKey(("customer_id",), "customers", ("id",)),)
    assert Index("ix_orders_customer", ("customer_id",), False) in orders.indexes
    assert [(c.name, c.type, c.nullable) for c in orders.columns] == [
        ("id", "BIGINT", False),
        ("customer_id", "INTEGER", False),
        ("total", "NUMERIC(10, 2)", True),
    ]
    lines = tables["sales.lines"]
    assert lines.foreign_keys == (ForeignKey(("order_id",), "sales.orders", ("id",)),)
    assert lines.unique == (("order_id", "sku"),)
    assert tables["customers"].row_estimate == 300
    assert tables["big_orders"].is_view
    assert tables["big_orders"].view_reads == ("customers", "sales.orders")
    assert tables["sales.totals"].is_view and tables["sales.totals"].view_reads == ("sales.orders",)
    assert (
        Routine(
            name="trg_order on sales.orders",
            kind="trigger",
            reads=("customers",),
            writes=("audit_log",),
            table="sales.orders",
            function="log_order()",
            events=("INSERT", "UPDATE"),
        )
        in facts.routines
    )
    function = next(r for r in facts.routines if r.name == "log_order()")
    assert function.kind == "function" and function.writes == ("audit_log",)
    assert facts.databases == (pg_database,)
    assert [w.message.split(":")[0] for w in facts.warnings] == [
        "connected as superuser 'postgres'"  # the test servers are used as their superuser
    ]
    assert dumps(facts) == dumps(reflect_database(pg_database))


def test_postgresql_session_is_read_only_with_a_statement_timeout(pg_database: str) -> None:
    load(pg_database, PG_SCHEMA)
    with read_only_connection(pg_database, timeout_s=7) as connection:
        assert connection.execute(text("SHOW default_transaction_read_only")).scalar() == "on"
        assert connection.execute(text("SHOW transaction_read_only")).scalar() == "on"
        assert connection.execute(text("SHOW statement_timeout")).scalar() == "7s"
        assert connection.execute(text("SHOW search_path")).scalar() == "pg_catalog,pg_temp"
        with pytest.raises(DBAPIError, match="read-only transaction"):
            connection.execute(text("INSERT INTO public.customers (email) VALUES ('intruder@x')"))
        connection.rollback()
        with pytest.raises(DBAPIError, match="read-only transaction"):
            connection.execute(text("CREATE TABLE intruder (id int)"))
    with create_engine(pg_database).connect() as admin:
        assert admin.execute(text("SELECT count(*) FROM customers")).scalar() == 300


def test_postgresql_errors_are_one_line_without_password(pg_database: str) -> None:
    database = make_url(pg_database).database
    pg = "postgresql+psycopg://{user}:pw-s3cret@{host}/{database}"
    here = f"{PG_HOST}:{PG_PORT}"
    cases = {
        pg.format(user="postgres", host=f"{PG_HOST}:1", database=database): "host and port",
        pg.format(user=unique_name("nobody"), host=here, database=database): "user name",
        pg.format(user="postgres", host=here, database="no_such_db_x"): "database name",
        pg.format(user="postgres", host="no-such-host.invalid", database="db"): "host and port",
    }
    for url, advice in cases.items():
        with pytest.raises(InputError) as error:
            reflect_database(url, timeout_s=3)
        message = str(error.value)
        assert advice in message, message
        assert "pw-s3cret" not in message and "\n" not in message
        assert message.startswith("cannot read database postgresql+psycopg://")
        assert ":***@" in message


def test_postgresql_permission_denied(pg_roles: list[str], pg_database: str) -> None:
    role = unique_name("sp_nobody")
    pg_roles.append(role)
    database = make_url(pg_database).database
    load(
        pg_database,
        f'CREATE ROLE "{role}" LOGIN; REVOKE CONNECT ON DATABASE "{database}" FROM PUBLIC;',
    )
    url = f"postgresql+psycopg://{role}:pw-s3cret@{PG_HOST}:{PG_PORT}/{database}"
    with pytest.raises(InputError, match=r"permission denied.*connect as a user") as error:
        reflect_database(url)
    assert "pw-s3cret" not in str(error.value)


def test_postgresql_sample_schema_matches_the_sqlite_one(pg_database: str) -> None:
    pg_schema = SAMPLE / "schema.postgresql.sql"
    sqlite_schema = SAMPLE / "schema.sql"
    if not pg_schema.exists() or not sqlite_schema.exists():
        pytest.fail("samples/legacy_shop/schema.sql and schema.postgresql.sql must both exist")
    load(pg_database, pg_schema.read_text(encoding="utf-8"))
    live = by_name(reflect_database(pg_database))
    from analyzers.ddl import tables_from_ddl

    declared = by_name(tables_from_ddl(sqlite_schema, dialect="sqlite"))
    assert sorted(live) == sorted(declared)
    for name, table in declared.items():
        assert live[name].is_view == table.is_view, name
        if table.is_view:
            assert live[name].view_reads == table.view_reads, name
            continue
        assert [c.name for c in live[name].columns] == [c.name for c in table.columns], name
        assert live[name].primary_key == table.primary_key, name
        assert {(f.columns, f.referred_table) for f in live[name].foreign_keys} == {
            (f.columns, f.referred_table) for f in table.foreign_keys
        }, name
        assert live[name].unique == table.unique, name
        assert {i.name for i in live[name].indexes} >= {i.name for i in table.indexes}, name


# --- MariaDB / MySQL ------------------------------------------------------------------------------

MARIADB_SCHEMA = """
CREATE TABLE customers (id int AUTO_INCREMENT PRIMARY KEY, email varchar(200) NOT NULL UNIQUE);
CREATE TABLE Orders (
  id int AUTO_INCREMENT PRIMARY KEY,
  customer_id int NOT NULL,
  total decimal(10, 2),
  INDEX ix_orders_customer (customer_id),
  CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id)
) ENGINE=InnoDB;
CREATE VIEW big_orders AS
  SELECT o.id, c.email FROM Orders o JOIN customers c ON c.id = o.customer_id WHERE o.total > 100;
INSERT INTO customers (email) VALUES ('a@x'), ('b@x'), ('c@x');
ANALYZE TABLE customers;
"""


def load_mariadb(url: str, script: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        for statement in filter(str.strip, script.split(";")):
            connection.exec_driver_sql(statement)
    engine.dispose()


def test_mariadb_reflection(mariadb_database: str) -> None:
    load_mariadb(mariadb_database, MARIADB_SCHEMA)
    facts = reflect_database(mariadb_database)
    tables = by_name(facts)
    assert sorted(tables) == ["Orders", "big_orders", "customers"]
    orders = tables["Orders"]
    assert orders.primary_key == ("id",)
    assert orders.foreign_keys == (ForeignKey(("customer_id",), "customers", ("id",)),)
    assert Index("ix_orders_customer", ("customer_id",), False) in orders.indexes
    assert tables["customers"].unique == (("email",),)
    assert tables["customers"].row_estimate == 3
    assert tables["big_orders"].is_view
    assert tables["big_orders"].view_reads == ("Orders", "customers")
    assert facts.databases == (mariadb_database,)
    assert facts.warnings == ()
    assert facts.routines == ()


def test_mariadb_session_is_read_only_with_a_statement_timeout(mariadb_database: str) -> None:
    load_mariadb(mariadb_database, MARIADB_SCHEMA)
    with read_only_connection(mariadb_database, timeout_s=9) as connection:
        assert connection.execute(text("SELECT @@session.tx_read_only")).scalar() == 1
        limit = connection.execute(text("SELECT @@session.max_statement_time")).scalar()
        assert float(limit) == 9.0
        with pytest.raises(DBAPIError, match="READ ONLY"):
            connection.execute(text("INSERT INTO customers (email) VALUES ('intruder@x')"))
    with create_engine(mariadb_database).connect() as admin:
        assert admin.execute(text("SELECT count(*) FROM customers")).scalar() == 3


def test_mariadb_errors_are_one_line_without_password(mariadb_database: str) -> None:
    database = make_url(mariadb_database).database
    cases = {
        f"mysql+pymysql://root:pw-s3cret@{MARIADB_HOST}:{MARIADB_PORT}/{database}": (
            "check the user name and password"
        ),
        f"mysql+pymysql://root:pw-s3cret@{MARIADB_HOST}:1/{database}": "check the host and port",
        f"mariadb://root@{MARIADB_HOST}:{MARIADB_PORT}/no_such_db_x": "check the database name",
    }
    for url, advice in cases.items():
        with pytest.raises(InputError) as error:
            reflect_database(url, timeout_s=3)
        message = str(error.value)
        assert advice in message, message
        assert "pw-s3cret" not in message and "\n" not in message
