"""Test files are read for their imports only: the byte-search reader, its fallbacks, the facts."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from analyzers.facts import dumps
from analyzers.python import analyze_python, analyze_python_with_stats
from analyzers.python.extract import extract
from analyzers.python.imports import extract_imports, imports_of

TOPS = frozenset({"shop"})

MANY_FORMS = """\
'''Tests of orders.'''
from __future__ import annotations

import os, sys as system
import shop.orders.service
from shop import models as m, orders
from . import helpers
from .. import conftest
from .fixtures import *
from shop.orders.service import (  # the service (see (a) below)
    create_order,  # a comment with import in it
    cancel_order as cancel,
)
# import shop.commented_out
try:
    import shop.optional
except ImportError:
    importlib = None


class TestOrders:
    def test_create(self):
        from shop.payments import gateway
        import shop.shipping.rates as rates

        assert gateway and rates
"""


def test_the_reader_finds_what_the_full_extraction_finds() -> None:
    for text in (MANY_FORMS, MANY_FORMS.replace("\n", "\r\n"), "", "x = 1\n"):
        data = text.encode()
        full = extract(data, TOPS)
        light = extract_imports(data, TOPS)
        assert light["imports"] == full["imports"]
        assert light["lines"] == full["lines"]
        assert {line: light["snips"][line] for line in {e[1] for e in light["imports"]}} == {
            line: full["snips"][line] for line in {e[1] for e in full["imports"]}
        }
    result = extract_imports(MANY_FORMS.encode(), TOPS)
    assert ("from", 23, 0, "shop.payments", "gateway", "") in result["imports"]  # in a method
    assert not any("commented_out" in str(e) for e in result["imports"])
    # Imports only: the class, its method and the uses are not read.
    assert result["classes"] == () and result["functions"] == () and result["uses"] == ()


@pytest.mark.parametrize(
    "text",
    [
        "import os; import shop.a\n",  # two statements on a line
        "if True: import shop.a\n",  # after a colon
        "from shop \\\n    import a\n",  # backslash continuation
        "import shop.a, \\\n    shop.b\n",
        "from shop import (a,\n    b\n",  # never closed
        "from shop import (a) + 1\n",  # code after the parenthesis
        '"""We import the world."""\nimport shop.a\n',  # prose in a string
        "# -*- coding: latin-1 -*-\nimport shop.a\nname = 'caf\xe9'\n",
        "import shop.a\nname = '\udcff'\n",  # bytes that are not UTF-8
        "import shop.a\n\0",
    ],
)
def test_anything_unusual_gets_the_full_extraction(text: str) -> None:
    data = text.encode("latin-1" if "coding" in text else "utf-8", "surrogateescape")
    if "coding" not in text and "\udcff" not in text and "\0" not in text:
        assert imports_of(data) is None
    assert extract_imports(data, TOPS) == extract(data, TOPS)


def test_an_import_line_inside_a_string_counts_as_an_import() -> None:
    """Known and accepted: it can only add a tested unit, never hide one."""
    data = b'EXAMPLE = """\nimport shop.orders\n"""\n'
    assert extract_imports(data, TOPS)["imports"] == (("import", 2, "shop.orders", ""),)
    assert extract(data, TOPS)["imports"] == ()


SHOP = {
    "shop/__init__.py": "",
    "shop/models.py": (
        "from django.db import models\n\n"
        "class Order(models.Model):\n    total = models.IntegerField()\n"
    ),
    "shop/service.py": (
        "from shop.models import Order\n\ndef place():\n    return Order.objects.create(total=1)\n"
    ),
}
TEST_FILE = """\
from shop.models import Order
from shop import service


class Helper:
    pass


def test_place():
    import shop.other
    service.place()
    Order.objects.create(total=2)
    assert Order.objects.filter(total=2).exists()
"""


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return root


def test_a_test_file_gives_its_imports_and_nothing_else(tmp_path: Path) -> None:
    files = {**SHOP, "shop/other.py": "", "tests/test_orders.py": TEST_FILE}
    facts = analyze_python(_write(tmp_path / "with", files), jobs=1)
    unit = {u.id: u for u in facts.units}["tests.test_orders"]
    assert unit.role == "test" and unit.lines == 9
    assert (unit.classes, unit.functions) == ((), ())
    edges = {(d.target, d.kind) for d in facts.dependencies if d.source == "tests.test_orders"}
    # Every module it imports, the one imported inside the test function too; no call or
    # reference edges (the imports already name each tested unit).
    assert edges == {
        ("shop.models", "import"),
        ("shop.service", "import"),
        ("shop.other", "import"),
    }
    # Its table access is not read: the planner leaves test fixtures' access out everywhere.
    assert not [a for a in facts.table_access if a.unit == "tests.test_orders"]
    assert ("shop.service", "shop_order", "write") in {
        (a.unit, a.table, a.mode) for a in facts.table_access
    }
    # The same file as code is read in full.
    code = analyze_python(_write(tmp_path / "code", {**files, "shop/check.py": TEST_FILE}), jobs=1)
    assert ("shop.check", "shop_order", "write") in {
        (a.unit, a.table, a.mode) for a in code.table_access
    }
    assert {u.id: u for u in code.units}["shop.check"].functions == ("test_place",)
    # The other files' facts do not depend on how the test file was read.
    without = analyze_python(_write(tmp_path / "without", {**files, "tests/test_orders.py": ""}))
    assert [d for d in facts.dependencies if d.source != "tests.test_orders"] == list(
        without.dependencies
    )
    assert facts.table_access == without.table_access


def test_a_file_whose_role_changes_is_read_again_in_full(tmp_path: Path) -> None:
    """The stat index never answers a test file's light key for a file that became code."""
    root = _write(
        tmp_path / "repo",
        {**SHOP, "tests/db/__init__.py": "", "tests/db/versions/v1.py": TEST_FILE},
    )
    cache = tmp_path / "cache"
    # The index trusts a file's stamp only if the file did not change in the 2 s before the
    # run that recorded it (git's racy-index rule): let that time pass.
    time.sleep(2.1)
    first = analyze_python(root, jobs=1, cache_dir=cache)
    assert {u.id: u for u in first.units}["tests.db.versions.v1"].role == "test"
    # An Alembic environment beside `versions/` makes its files migrations; v1.py is unchanged.
    _write(root, {"tests/db/env.py": "context = None\n", "tests/db/script.py.mako": ""})
    second, stats = analyze_python_with_stats(root, jobs=1, cache_dir=cache)
    unit = {u.id: u for u in second.units}["tests.db.versions.v1"]
    assert unit.role == "migration"
    assert unit.functions == ("test_place",)
    assert stats.parsed == 2  # v1.py in full now, and env.py
    assert dumps(second) == dumps(analyze_python(root, jobs=1))


def test_a_long_comment_line_costs_linear_time() -> None:
    data = b"# " + b"import " * 300_000 + b"\nimport shop.a\n"
    started = time.process_time()
    assert imports_of(data) == [("import", 2, "shop.a", "")]
    # CPU seconds, so a busy machine does not fail the test (quadratic, it took over a minute)
    assert time.process_time() - started < 1.0


def test_a_repeated_import_statement_keeps_each_line() -> None:
    """An import statement's text is read once per process: each use still gets its own line,
    in this file and the next; a statement too long to remember is read the same way."""
    names = ", ".join(f"name_{i}" for i in range(200))  # past the memo's length bound
    text = (
        "from shop import orders\n"
        "try:\n    from shop import orders\nexcept ImportError:\n    from shop import orders\n"
        f"from shop.big import ({names})\nfrom shop.big import ({names})\n"
    )
    expected = (
        ("from", 1, 0, "shop", "orders", ""),
        ("from", 3, 0, "shop", "orders", ""),
        ("from", 5, 0, "shop", "orders", ""),
        *(("from", 6, 0, "shop.big", f"name_{i}", "") for i in range(200)),
        *(("from", 7, 0, "shop.big", f"name_{i}", "") for i in range(200)),
    )
    for _ in range(2):
        assert extract(text.encode(), TOPS)["imports"] == expected
    shifted = extract(b"\n\n" + text.encode(), TOPS)["imports"]
    assert [entry[1] for entry in shifted] == [entry[1] + 2 for entry in expected]
    assert extract_imports(text.encode(), TOPS)["imports"] == expected
