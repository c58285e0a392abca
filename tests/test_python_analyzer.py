"""Tests of the Python analyzer on small trees written to disk."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from analyzers.errors import InputError
from analyzers.facts import Facts, dumps
from analyzers.python import analyze_python, analyze_python_with_stats
from analyzers.walk import classify_role


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def analyze(root: Path, **kwargs) -> Facts:
    kwargs.setdefault("jobs", 1)
    return analyze_python(root, **kwargs)


def deps(facts: Facts, kind: str | None = None) -> set[tuple[str, str]]:
    return {(d.source, d.target) for d in facts.dependencies if kind is None or d.kind == kind}


def dep(facts: Facts, source: str, target: str, kind: str):
    found = [
        d for d in facts.dependencies if (d.source, d.target, d.kind) == (source, target, kind)
    ]
    assert found, f"no {kind} edge {source} -> {target}: {deps(facts)}"
    return found[0]


def units(facts: Facts) -> dict[str, object]:
    return {u.id: u for u in facts.units}


def access(facts: Facts, via: str | None = None) -> set[tuple[str, str, str]]:
    return {(a.unit, a.table, a.mode) for a in facts.table_access if via is None or a.via == via}


SHOP = {
    "shop/__init__.py": "",
    "shop/models.py": "class Order:\n    pass\n\nclass Base:\n    pass\n",
    "shop/orders/__init__.py": "",
    "shop/orders/service.py": "def create_order():\n    return 1\n",
}


# -- errors and units ------------------------------------------------------------------------


def test_missing_root_or_file_raises_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        analyze(tmp_path / "nope")
    (tmp_path / "f.py").write_text("x = 1\n")
    with pytest.raises(InputError):
        analyze(tmp_path / "f.py")


def test_units_flat_layout_with_names_lines_and_package(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            **SHOP,
            "shop/orders/service.py": "import os\n\n\nclass A:\n    pass\n\ndef f():\n    pass\n",
        },
    )
    facts = analyze(tmp_path)
    by_id = units(facts)
    assert set(by_id) == {"shop", "shop.models", "shop.orders", "shop.orders.service"}
    service = by_id["shop.orders.service"]
    assert service.path == "shop/orders/service.py"
    assert service.lines == 5
    assert service.package == "shop.orders"
    assert service.classes == ("A",) and service.functions == ("f",)
    assert by_id["shop.orders"].is_package and not service.is_package
    assert facts.analyzers[0].name == "python" and facts.analyzers[0].version
    assert facts.root == str(tmp_path)


def test_src_layout_and_nested_project_and_namespace_package(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "src/acme/billing/__init__.py": "",
            "src/acme/billing/invoice.py": "",
            "backend/myproj/__init__.py": "",
            "backend/myproj/orders/__init__.py": "",
            "backend/myproj/orders/views.py": "from myproj.orders import helpers\n",
            "backend/myproj/orders/helpers.py": "",
            "plugins/extra/tool.py": "",
        },
    )
    facts = analyze(tmp_path)
    ids = set(units(facts))
    assert {"acme.billing", "acme.billing.invoice"} <= ids
    assert {"myproj", "myproj.orders.views", "myproj.orders.helpers"} <= ids
    assert "plugins.extra.tool" in ids
    assert ("myproj.orders.views", "myproj.orders.helpers") in deps(facts, "import")


# -- imports ---------------------------------------------------------------------------------


def test_import_forms_resolve_to_repository_modules(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            **SHOP,
            "shop/orders/repo.py": "",
            "shop/app.py": (
                "import os\n"
                "import shop.orders.service\n"
                "import shop.models as m\n"
                "from shop.orders import repo\n"
                "from shop.models import Order\n"
                "import requests\n"
                "def f():\n"
                "    from shop.orders import service\n"
                "try:\n"
                "    import shop.orders.repo as fast\n"
                "except ImportError:\n"
                "    fast = None\n"
            ),
        },
    )
    facts = analyze(tmp_path)
    imports = {t for s, t in deps(facts, "import") if s == "shop.app"}
    assert imports == {"shop.orders.service", "shop.models", "shop.orders.repo"}
    edge = dep(facts, "shop.app", "shop.orders.service", "import")
    assert edge.weight == 2.0
    assert [e.line for e in edge.evidence] == [2, 8]
    assert edge.evidence[0].snippet == "import shop.orders.service"
    assert edge.evidence[0].path == "shop/app.py"


def test_relative_imports(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            **SHOP,
            "shop/orders/__init__.py": "from . import service\n",
            "shop/orders/views.py": (
                "from . import service\n"
                "from ..models import Order\n"
                "from .service import create_order\n"
            ),
        },
    )
    facts = analyze(tmp_path)
    assert ("shop.orders", "shop.orders.service") in deps(facts, "import")
    assert ("shop.orders.views", "shop.orders.service") in deps(facts, "import")
    assert ("shop.orders.views", "shop.models") in deps(facts, "import")


# -- calls, references, inheritance ---------------------------------------------------------


def test_calls_references_and_inheritance_resolve_through_imports(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            **SHOP,
            "shop/api.py": (
                "from shop.orders import service as osvc\n"
                "import shop.orders.service\n"
                "from shop.models import Order, Base\n"
                "\n"
                "class Special(Base):\n"
                "    pass\n"
                "\n"
                "def handler():\n"
                "    osvc.create_order()\n"
                "    shop.orders.service.create_order()\n"
                "    q = Order.query\n"
                "    return Order  # Order in a comment is no use\n"
                "text = 'osvc.create_order() in a string is no call'\n"
            ),
        },
    )
    facts = analyze(tmp_path)
    call = dep(facts, "shop.api", "shop.orders.service", "call")
    assert call.weight == 2.0
    assert [e.line for e in call.evidence] == [9, 10]
    reference = dep(facts, "shop.api", "shop.models", "reference")
    assert reference.weight == 2.0
    inherit = dep(facts, "shop.api", "shop.models", "inherit")
    assert inherit.evidence[0].line == 5
    assert inherit.evidence[0].snippet == "class Special(Base):"


def test_calling_an_imported_function_is_a_call(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            **SHOP,
            "shop/cli.py": (
                "from shop.orders.service import create_order, cancel_order\ncreate_order()\n"
            ),
        },
    )
    facts = analyze(tmp_path)
    assert dep(facts, "shop.cli", "shop.orders.service", "call").weight == 1.0
    # One statement importing two names is one import.
    assert dep(facts, "shop.cli", "shop.orders.service", "import").weight == 1.0


def test_many_imported_names_take_the_single_pass_path(tmp_path: Path) -> None:
    names = [f"f{i}" for i in range(60)]
    write(
        tmp_path,
        {
            **SHOP,
            "shop/orders/service.py": "".join(f"def {n}():\n    pass\n" for n in names),
            "shop/many.py": (
                f"from shop.orders.service import {', '.join(names)}\n"
                "x9f1 = 'f1() in a string'\n"
                "f59()\n"
                "f1 .real\n"
            ),
        },
    )
    facts = analyze(tmp_path)
    assert dep(facts, "shop.many", "shop.orders.service", "call").weight == 1.0
    assert dep(facts, "shop.many", "shop.orders.service", "reference").weight == 1.0


# -- ORM -------------------------------------------------------------------------------------

SQLA_MODELS = """\
from sqlalchemy import Column, ForeignKey, Integer, String, Table, MetaData
from sqlalchemy.orm import declarative_base

Base = declarative_base()
metadata = MetaData()

class Customer(Base):
    __tablename__ = "customers"
    id = Column(Integer, primary_key=True)
    email = Column(String(200), nullable=False)

class Order(Base):
    __tablename__ = "orders"
    __table_args__ = {"schema": "sales"}
    id = Column(Integer, primary_key=True)
    customer_id = Column(Integer, ForeignKey("customers.id"))

order_lines = Table(
    "order_lines",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("order_id", Integer, ForeignKey("sales.orders.id")),
)
"""


def test_single_table_inheritance_subclass_uses_touch_the_base_table(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/models.py": (
                "from app.db import db\n"
                "class FieldEntries(db.Model):\n"
                "    __tablename__ = 'field_entries'\n"
                "    id = db.Column(db.Integer, primary_key=True)\n"
                "    type = db.Column(db.String(80))\n"
                "    __mapper_args__ = {'polymorphic_on': type}\n"
                "class UserFieldEntries(FieldEntries):\n"
                "    __mapper_args__ = {'polymorphic_identity': 'user'}\n"
                "class AdminEntries(UserFieldEntries):\n"
                "    level = db.Column(db.Integer)\n"
                "class DynamicFieldEntry(FieldEntries):\n"
                "    id = db.Column(db.Integer, db.ForeignKey('field_entries.id'),\n"
                "        primary_key=True)\n"
                "    decay = db.Column(db.Integer)\n"
                "class Mixin:\n"
                "    pass\n"
            ),
            "app/db.py": "db = None\n",
            "app/auth.py": (
                "from app.models import AdminEntries, Mixin, UserFieldEntries\n"
                "def register(db):\n"
                "    db.session.add(UserFieldEntries(value=1))\n"
                "def levels():\n"
                "    return AdminEntries.query.all(), Mixin()\n"
            ),
        },
    )
    facts = analyze(tmp_path)
    found = access(facts)
    assert ("app.auth", "field_entries", "write") in found
    assert ("app.auth", "field_entries", "read") in found
    models = {(m.class_name, m.table) for m in facts.orm_models}
    assert ("UserFieldEntries", "field_entries") in models
    assert ("AdminEntries", "field_entries") in models
    # Its own primary key: joined-table inheritance, Flask-SQLAlchemy's table name.
    assert ("DynamicFieldEntry", "dynamic_field_entry") in models
    assert not any(m.class_name == "Mixin" for m in facts.orm_models)
    table = next(t for t in facts.tables if t.name == "field_entries")
    assert {"id", "type", "level"} <= {c.name for c in table.columns}
    assert "decay" not in {c.name for c in table.columns}
    read = next(a for a in facts.table_access if a.unit == "app.auth" and a.mode == "read")
    assert read.evidence[0].snippet == "return AdminEntries.query.all(), Mixin()"


def test_tables_reached_only_through_relationships_are_read_by_the_model_users(
    tmp_path: Path,
) -> None:
    write(
        tmp_path,
        {
            "clinic/__init__.py": "",
            "clinic/models.py": (
                "from sqlalchemy import Column, ForeignKey, Integer, Table\n"
                "from sqlalchemy.orm import relationship\n"
                "from clinic.base import Base\n"
                "vet_specialties = Table('vet_specialties', Base.metadata,\n"
                "    Column('vet_id', ForeignKey('vets.id')))\n"
                "class Specialty(Base):\n"
                "    __tablename__ = 'specialties'\n"
                "    id = Column(Integer, primary_key=True)\n"
                "class Pet(Base):\n"
                "    __tablename__ = 'pets'\n"
                "    id = Column(Integer, primary_key=True)\n"
                "class Vet(Base):\n"
                "    __tablename__ = 'vets'\n"
                "    id = Column(Integer, primary_key=True)\n"
                "    specialties = relationship('Specialty', secondary=vet_specialties)\n"
                "    pets = relationship(Pet)\n"
            ),
            "clinic/base.py": "Base = object\n",
            "clinic/vets.py": (
                "from clinic.models import Vet\n"
                "def all_vets(session):\n"
                "    return session.query(Vet).all()\n"
            ),
            "clinic/pets.py": (
                "from clinic.models import Pet\n"
                "def pets(session):\n"
                "    return session.query(Pet).all()\n"
            ),
        },
    )
    facts = analyze(tmp_path)
    found = access(facts, via="orm")
    assert ("clinic.vets", "specialties", "read") in found
    assert ("clinic.vets", "vet_specialties", "read") in found
    # `pets` is touched by code of its own: reaching it through Vet adds nothing.
    assert ("clinic.vets", "pets", "read") not in found
    assert not any(t == "specialties" and m == "write" for _u, t, m in found)
    reached = next(a for a in facts.table_access if a.table == "specialties")
    assert reached.evidence[0].snippet == "return session.query(Vet).all()"


def test_sqlalchemy_tablename_schema_columns_and_table_call(tmp_path: Path) -> None:
    write(tmp_path, {"shop/__init__.py": "", "shop/models.py": SQLA_MODELS})
    facts = analyze(tmp_path)
    tables = {t.name: t for t in facts.tables}
    assert set(tables) == {"customers", "sales.orders", "order_lines"}
    assert all(t.source == "orm" for t in tables.values())
    customers = tables["customers"]
    assert [c.name for c in customers.columns] == ["id", "email"]
    assert customers.primary_key == ("id",)
    assert not customers.columns[1].nullable
    orders = tables["sales.orders"]
    assert orders.foreign_keys[0].referred_table == "customers"
    assert orders.foreign_keys[0].columns == ("customer_id",)
    lines = tables["order_lines"]
    assert [c.name for c in lines.columns] == ["id", "order_id"]
    assert lines.foreign_keys[0].referred_table == "sales.orders"
    assert lines.evidence[0].line == 18
    models = {(m.class_name, m.table, m.framework) for m in facts.orm_models}
    assert models == {
        ("Customer", "customers", "sqlalchemy"),
        ("Order", "sales.orders", "sqlalchemy"),
    }


DJANGO_MODELS = """\
from django.db import models
from shop.common.models import TimeStamped


class Customer(TimeStamped):
    email = models.CharField(max_length=200)


class Order(TimeStamped):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE)
    tags = models.ManyToManyField("Tag")

    class Meta:
        db_table = "shop_orders"


class Tag(models.Model):
    name = models.CharField(max_length=20, null=True)
"""


def test_django_models_db_table_default_name_and_abstract_base(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "shop/__init__.py": "",
            "shop/common/__init__.py": "",
            "shop/common/models.py": (
                "from django.db import models\n"
                "class TimeStamped(models.Model):\n"
                "    created = models.DateTimeField()\n"
                "    class Meta:\n"
                "        abstract = True\n"
            ),
            "shop/sales/__init__.py": "",
            "shop/sales/models.py": DJANGO_MODELS,
        },
    )
    facts = analyze(tmp_path)
    models = {(m.class_name, m.table, m.framework) for m in facts.orm_models}
    assert models == {
        ("Customer", "sales_customer", "django"),
        ("Order", "shop_orders", "django"),
        ("Tag", "sales_tag", "django"),
    }
    tables = {t.name: t for t in facts.tables}
    assert "common_timestamped" not in tables
    customer_columns = [c.name for c in tables["sales_customer"].columns]
    assert customer_columns == ["id", "created", "email"]
    orders = tables["shop_orders"]
    assert [(fk.columns, fk.referred_table) for fk in orders.foreign_keys] == [
        (("customer_id",), "sales_customer")
    ]
    join = tables["shop_orders_tags"]
    assert {fk.referred_table for fk in join.foreign_keys} == {"shop_orders", "sales_tag"}


def test_orm_reads_and_writes(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "shop/__init__.py": "",
            "shop/models.py": SQLA_MODELS,
            "shop/reader.py": (
                "from shop.models import Customer\n"
                "def find(session, cid):\n"
                "    return session.query(Customer).get(cid)\n"
            ),
            "shop/writer.py": (
                "from shop.models import Order, Customer\n"
                "from shop import models\n"
                "def place(session):\n"
                "    session.add(Order(customer_id=1))\n"
                "def purge(session):\n"
                "    session.query(Customer).filter_by(id=1).delete()\n"
                "def rows():\n"
                "    return models.order_lines.select()\n"
            ),
            "shop/django_views.py": (
                "from shop.models import Customer\n"
                "def signup():\n"
                "    c = Customer(email='x')\n"
                "    c.save()\n"
                "    Customer.objects.update_or_create(email='y')\n"
                "    return Customer.objects.filter(email='z')\n"
            ),
        },
    )
    facts = analyze(tmp_path)
    orm = access(facts, "orm")
    assert ("shop.reader", "customers", "read") in orm
    assert ("shop.reader", "customers", "write") not in orm
    assert ("shop.writer", "sales.orders", "write") in orm
    assert ("shop.writer", "customers", "write") in orm
    assert ("shop.writer", "order_lines", "read") in orm
    assert ("shop.django_views", "customers", "write") in orm
    assert ("shop.django_views", "customers", "read") in orm
    writes = [
        a
        for a in facts.table_access
        if (a.unit, a.table, a.mode) == ("shop.django_views", "customers", "write")
    ]
    assert [e.line for e in writes[0].evidence] == [3, 4, 5]
    assert not any(a.unit == "shop.models" for a in facts.table_access)


# -- SQL in strings --------------------------------------------------------------------------


def test_sql_in_string_literals(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "reports.py": (
                "def totals(db, since):\n"
                "    db.execute(\n"
                '        "SELECT o.id, c.email FROM orders o "\n'
                '        "JOIN customers c ON c.id = o.customer_id WHERE o.day > %s", (since,)\n'
                "    )\n"
                "def audit(db, table):\n"
                '    db.execute("""\n'
                "        INSERT INTO audit_log (what) VALUES (:what)\n"
                '    """, {"what": 1})\n'
                '    db.execute(f"UPDATE {table} SET x = ? WHERE id = ?")\n'
                '    db.execute(f"DELETE FROM stock WHERE sku = {sku}")\n'
                '    return "select the best option"\n'
            ),
        },
    )
    facts = analyze(tmp_path)
    sql = access(facts, "sql")
    assert ("reports", "orders", "read") in sql
    assert ("reports", "customers", "read") in sql
    assert ("reports", "audit_log", "write") in sql
    assert ("reports", "stock", "write") in sql
    order_access = next(a for a in facts.table_access if a.table == "orders")
    assert order_access.evidence[0].line == 3
    insert = next(a for a in facts.table_access if a.table == "audit_log")
    assert insert.evidence[0].line == 7


# -- endpoints ---------------------------------------------------------------------------------


def test_flask_routes_and_blueprint_prefix(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "web/__init__.py": "",
            "web/app.py": (
                "from flask import Flask\n"
                "app = Flask(__name__)\n"
                "@app.route('/health')\n"
                "def health():\n"
                "    return 'ok'\n"
            ),
            "web/orders.py": (
                "from flask import Blueprint\n"
                "bp = Blueprint('orders', __name__, url_prefix='/orders')\n"
                "@bp.route('/<int:oid>', methods=['GET', 'DELETE'])\n"
                "def one(oid):\n"
                "    pass\n"
                "@bp.post('/')\n"
                "def create():\n"
                "    pass\n"
            ),
        },
    )
    facts = analyze(tmp_path)
    got = {(e.unit, e.method, e.path, e.handler, e.framework) for e in facts.endpoints}
    assert got == {
        ("web.app", "GET", "/health", "health", "flask"),
        ("web.orders", "GET", "/orders/<int:oid>", "one", "flask"),
        ("web.orders", "DELETE", "/orders/<int:oid>", "one", "flask"),
        ("web.orders", "POST", "/orders/", "create", "flask"),
    }


def test_flask_views_registered_by_calls_belong_to_the_defining_unit(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "web/__init__.py": "",
            "web/base.py": (
                "from flask_restful import Resource\n"
                "class BaseResource(Resource):\n"
                "    def options(self):\n"
                "        pass\n"
            ),
            "web/alerts.py": (
                "from web.base import BaseResource\n"
                "class AlertResource(BaseResource):\n"
                "    def get(self, alert_id):\n"
                "        pass\n"
                "    @staticmethod\n"
                "    def delete(alert_id):\n"
                "        pass\n"
                "class NotAView:\n"
                "    def get(self):\n"
                "        pass\n"
            ),
            "web/pages.py": (
                "from flask.views import MethodView\n"
                "class PageView(MethodView):\n"
                "    def post(self):\n"
                "        pass\n"
                "def about():\n"
                "    pass\n"
            ),
            "web/api.py": (
                "from flask import Blueprint\n"
                "from flask_restful import Api\n"
                "from web import pages\n"
                "from web.alerts import AlertResource, NotAView\n"
                "from web.pages import about\n"
                "class ApiExt(Api):\n"
                "    def add_org_resource(self, resource, *urls, **kwargs):\n"
                "        return self.add_resource(resource, *urls, **kwargs)\n"
                "api = ApiExt()\n"
                "api.add_org_resource(\n"
                "    AlertResource, '/api/alerts/<alert_id>', '/api/a/<alert_id>', endpoint='a'\n"
                ")\n"
                "api.add_resource(NotAView, '/not')\n"
                "bp = Blueprint('pages', __name__, url_prefix='/pages')\n"
                "bp.add_url_rule('/p', view_func=pages.PageView.as_view('page'))\n"
                "def create_app(app):\n"
                "    app.add_url_rule('/about', 'about', about, methods=['GET', 'HEAD'])\n"
            ),
        },
    )
    facts = analyze(tmp_path)
    got = {(e.unit, e.method, e.path, e.handler, e.framework) for e in facts.endpoints}
    assert got == {
        ("web.alerts", "GET", "/api/alerts/<alert_id>", "AlertResource", "flask"),
        ("web.alerts", "DELETE", "/api/alerts/<alert_id>", "AlertResource", "flask"),
        ("web.alerts", "OPTIONS", "/api/alerts/<alert_id>", "AlertResource", "flask"),
        ("web.alerts", "GET", "/api/a/<alert_id>", "AlertResource", "flask"),
        ("web.alerts", "DELETE", "/api/a/<alert_id>", "AlertResource", "flask"),
        ("web.alerts", "OPTIONS", "/api/a/<alert_id>", "AlertResource", "flask"),
        ("web.pages", "POST", "/pages/p", "PageView", "flask"),
        ("web.pages", "GET", "/about", "about", "flask"),
        ("web.pages", "HEAD", "/about", "about", "flask"),
    }
    alert = next(e for e in facts.endpoints if e.handler == "AlertResource")
    assert (alert.evidence.path, alert.evidence.line) == ("web/api.py", 10)
    assert alert.evidence.snippet == "api.add_org_resource("


def test_flask_restx_namespace_routes_on_resource_classes(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "api/__init__.py": "",
            "api/users.py": (
                "from flask_restx import Namespace, Resource\n"
                "users = Namespace('users', description='Users')\n"
                "admin = Namespace('admin', path='/staff')\n"
                "@users.route('')\n"
                "class UserList(Resource):\n"
                "    def get(self):\n"
                "        pass\n"
                "    def post(self):\n"
                "        pass\n"
                "@admin.route('/<int:uid>', methods=['PATCH'])\n"
                "class Staff(Resource):\n"
                "    def get(self, uid):\n"
                "        pass\n"
            ),
        },
    )
    facts = analyze(tmp_path)
    got = {(e.unit, e.method, e.path, e.handler) for e in facts.endpoints}
    assert got == {
        ("api.users", "GET", "/users", "UserList"),
        ("api.users", "POST", "/users", "UserList"),
        ("api.users", "PATCH", "/staff/<int:uid>", "Staff"),
    }
    assert {e.evidence.line for e in facts.endpoints} == {4, 10}


def test_fastapi_router_prefix(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "api.py": (
                "from fastapi import APIRouter, FastAPI\n"
                "app = FastAPI()\n"
                "router = APIRouter(prefix='/items')\n"
                "@router.get('/{item_id}')\n"
                "async def read_item(item_id: int):\n"
                "    return {}\n"
                "@app.put('/ping')\n"
                "def ping():\n"
                "    pass\n"
            ),
        },
    )
    facts = analyze(tmp_path)
    got = {(e.method, e.path, e.handler, e.framework) for e in facts.endpoints}
    assert got == {
        ("GET", "/items/{item_id}", "read_item", "fastapi"),
        ("PUT", "/ping", "ping", "fastapi"),
    }
    assert facts.endpoints[0].evidence.line in (4, 7)


def test_django_urlpatterns_resolve_views(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "shop/__init__.py": "",
            "shop/views.py": "def order_list(request):\n    pass\nclass OrderView:\n    pass\n",
            "shop/urls.py": (
                "from django.urls import path, re_path, include\n"
                "from django.conf.urls import url\n"
                "from . import views\n"
                "from .views import OrderView\n"
                "def local(request):\n"
                "    pass\n"
                "urlpatterns = [\n"
                "    path('orders/', views.order_list, name='orders'),\n"
                "    re_path(r'^orders/(?P<pk>\\d+)/$', OrderView.as_view()),\n"
                "    url(r'^local/$', local),\n"
                "    path('api/', include('shop.api.urls')),\n"
                "]\n"
            ),
        },
    )
    facts = analyze(tmp_path)
    got = {(e.unit, e.method, e.path, e.handler, e.framework) for e in facts.endpoints}
    assert got == {
        ("shop.views", "ANY", "orders/", "order_list", "django"),
        ("shop.views", "ANY", "^orders/(?P<pk>\\d+)/$", "OrderView", "django"),
        ("shop.urls", "ANY", "^local/$", "local", "django"),
    }


# -- roles and discovery ---------------------------------------------------------------------


def test_roles(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "shop/__init__.py": "",
            "shop/core.py": "",
            "shop/migrations/0001_initial.py": "",
            "alembic/versions/abc_add.py": "",
            "db/versions/def_add.py": "",
            "db/env.py": "",
            "db/script.py.mako": "",
            "tests/test_core.py": "",
            "shop/core_test.py": "",
            "shop/conftest.py": "",
            "vendor/lib.py": "",
            "shop/_vendor/six.py": "",
            "scripts/load.py": "",
            "manage.py": "",
            "setup.py": "",
        },
    )
    facts = analyze(tmp_path)
    roles = {u.path: u.role for u in facts.units}
    assert roles["shop/core.py"] == "code"
    assert roles["shop/migrations/0001_initial.py"] == "migration"
    assert roles["alembic/versions/abc_add.py"] == "migration"
    assert roles["db/versions/def_add.py"] == "migration"
    assert roles["tests/test_core.py"] == "test"
    assert roles["shop/core_test.py"] == "test"
    assert roles["shop/conftest.py"] == "test"
    assert roles["vendor/lib.py"] == "vendored"
    assert roles["shop/_vendor/six.py"] == "vendored"
    assert roles["scripts/load.py"] == "script"
    assert roles["manage.py"] == "script"
    assert roles["setup.py"] == "script"
    assert classify_role("site-packages/x/y.py") == "vendored"
    assert classify_role("pkg/checks_tests.py") == "test"


def test_skipped_dirs_and_symlink_loop(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/core.py": "",
            ".venv/lib/x.py": "",
            "node_modules/y.py": "",
            "build/z.py": "",
            "app/__pycache__/core.py": "",
        },
    )
    os.symlink(tmp_path, tmp_path / "app" / "loop", target_is_directory=True)
    os.symlink(tmp_path / "app" / "core.py", tmp_path / "app" / "alias.py")
    facts = analyze(tmp_path)
    assert set(units(facts)) == {"app", "app.core"}


# -- robustness ------------------------------------------------------------------------------


def test_python2_file(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "legacy/__init__.py": "",
            "legacy/util.py": "def helper():\n    pass\n",
            "legacy/old.py": (
                "import util\n"
                "from legacy import util as u2\n"
                "print 'hello'\n"
                "try:\n"
                "    u2.helper()\n"
                "except ValueError, e:\n"
                "    print e\n"
                "class Old(object):\n"
                "    pass\n"
            ),
        },
    )
    facts = analyze(tmp_path)
    assert ("legacy.old", "legacy.util") in deps(facts, "import")
    assert ("legacy.old", "legacy.util") in deps(facts, "call")
    assert units(facts)["legacy.old"].classes == ("Old",)
    assert not [w for w in facts.warnings if w.path == "legacy/old.py"]


def test_python312_syntax(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/base.py": "class Box:\n    pass\n",
            "pkg/new.py": (
                "from pkg.base import Box\n"
                "type Alias = list[int]\n"
                "def first[T](items: list[T]) -> T:\n"
                "    return items[0]\n"
                "class Holder[T](Box):\n"
                "    pass\n"
                "match first([1]):\n"
                "    case 1:\n"
                "        pass\n"
            ),
        },
    )
    facts = analyze(tmp_path)
    new = units(facts)["pkg.new"]
    assert new.classes == ("Holder",) and new.functions == ("first",)
    assert ("pkg.new", "pkg.base") in deps(facts, "inherit")
    assert not facts.warnings


def test_syntax_error_keeps_what_parsed(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "",
            "pkg/broken.py": "import pkg.a\n\ndef good():\n    pass\n\ndef bad(:\n    return (\n",
        },
    )
    facts = analyze(tmp_path)
    assert ("pkg.broken", "pkg.a") in deps(facts, "import")
    assert "good" in units(facts)["pkg.broken"].functions
    messages = [w.message for w in facts.warnings if w.path == "pkg/broken.py"]
    assert len(messages) == 1
    assert messages[0].startswith("syntax error near line 6")
    assert messages[0].endswith("kept what parsed")


LATIN = "# -*- coding: latin-1 -*-\nname = 'caf\xe9'\nimport pkg.other\n"


def test_binary_bad_encoding_huge_and_cookie(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/blob.py": b"\x00\x01\x02binary",
            "pkg/latin.py": LATIN.encode("latin-1"),
            "pkg/bad.py": b"x = '\xff\xfe'\nimport pkg.other\n",
            "pkg/other.py": "",
            "pkg/huge.py": "x = 1\n" * 1000,
        },
    )
    facts = analyze(tmp_path, max_file_bytes=5000)
    warnings = {w.path: w.message for w in facts.warnings}
    assert "binary" in warnings["pkg/blob.py"]
    assert "pkg/latin.py" not in warnings
    assert "not valid UTF-8 near line 1" in warnings["pkg/bad.py"]
    assert "too large" in warnings["pkg/huge.py"]
    assert ("pkg.latin", "pkg.other") in deps(facts, "import")
    assert ("pkg.bad", "pkg.other") in deps(facts, "import")
    assert "pkg.huge" not in units(facts)
    assert "pkg.blob" not in units(facts)


def test_deeply_nested_code_does_not_crash(tmp_path: Path) -> None:
    depth = 3000
    write(tmp_path, {"deep.py": "x = " + "(" * depth + "1" + ")" * depth + "\n" + "import os\n"})
    facts = analyze(tmp_path)
    assert units(facts)["deep"].lines == 2


def test_secret_in_snippet_is_redacted(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/conf.py": "",
            "pkg/app.py": 'import pkg.conf; password = "hunter2"\n',
        },
    )
    facts = analyze(tmp_path)
    snippet = dep(facts, "pkg.app", "pkg.conf", "import").evidence[0].snippet
    assert "hunter2" not in snippet
    assert "***" in snippet


_UNREADABLE_PROBE = """
import json, sys
from pathlib import Path
from analyzers.python import analyze_python
facts = analyze_python(Path(sys.argv[1]), jobs=1)
print(json.dumps([[w.path, w.message] for w in facts.warnings]))
"""


def test_unreadable_file_warns() -> None:
    # File permissions do not stop root, so as root the analysis runs as `nobody` in a subprocess,
    # with the distribution's interpreter of the same version (the venv's may sit under /root).
    repo = Path(__file__).resolve().parents[1]
    command, extra = [sys.executable], {}
    if os.geteuid() == 0:
        system = Path(f"/usr/bin/python{sys.version_info.major}.{sys.version_info.minor}")
        if not system.exists():
            if os.environ.get("CI"):
                pytest.fail(f"{system} is needed to run this test as root")
            pytest.skip(f"running as root without {system}")
        command, extra = [str(system)], {"user": 65534, "group": 65534}
    site = [p for p in sys.path if p.endswith("site-packages")]
    root = Path(tempfile.mkdtemp(prefix="planner-unreadable-"))
    try:
        root.chmod(0o755)
        write(root, {"a.py": "", "b.py": ""})
        (root / "a.py").chmod(0o644)
        (root / "b.py").chmod(0)
        result = subprocess.run(
            [*command, "-c", _UNREADABLE_PROBE, str(root)],
            capture_output=True,
            text=True,
            cwd=root,
            env={**os.environ, "PYTHONPATH": os.pathsep.join([str(repo), *site])},
            **extra,
        )
        assert result.returncode == 0, result.stderr
        warnings = json.loads(result.stdout)
        assert any(path == "b.py" and "unreadable" in message for path, message in warnings)
    finally:
        shutil.rmtree(root)


# -- cache, determinism, parallelism -------------------------------------------------------


def test_cache_reparses_only_changed_files(tmp_path: Path) -> None:
    root = write(tmp_path / "repo", {**SHOP, "shop/app.py": "import shop.models\n"})
    cache = tmp_path / "cache"
    first, stats1 = analyze_python_with_stats(root, jobs=1, cache_dir=cache)
    assert (stats1.parsed, stats1.cached) == (4, 0)  # two empty files share one content key
    second, stats2 = analyze_python_with_stats(root, jobs=1, cache_dir=cache)
    assert (stats2.parsed, stats2.cached) == (0, 5)
    assert dumps(first) == dumps(second)
    (root / "shop/app.py").write_text("import shop.orders.service\n")
    third, stats3 = analyze_python_with_stats(root, jobs=1, cache_dir=cache)
    assert (stats3.parsed, stats3.cached) == (1, 4)
    assert ("shop.app", "shop.orders.service") in deps(third, "import")


def test_deterministic_and_parallel_equals_serial(tmp_path: Path) -> None:
    files = dict(SHOP)
    for i in range(30):
        files[f"shop/m{i}.py"] = (
            f"from shop.orders import service\nfrom shop import m{(i + 1) % 30}\n"
            f"def f{i}():\n    service.create_order()\n"
            f'    return "SELECT * FROM t{i % 3}"\n'
        )
    write(tmp_path, files)
    facts = analyze_python(tmp_path, jobs=1)
    assert facts == facts.sorted()
    serial = dumps(facts)
    assert serial == dumps(analyze_python(tmp_path, jobs=1))
    assert serial == dumps(analyze_python(tmp_path, jobs=2))


def test_progress_is_reported(tmp_path: Path) -> None:
    write(tmp_path, SHOP)
    calls: list[tuple[int, int]] = []
    analyze(tmp_path, progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (4, 4)
