"""Checks the ShopCo sample monolith itself: size, syntax, schema, reference and git history."""

from __future__ import annotations

import importlib.util
import os
import py_compile
import re
import shutil
import sqlite3
import subprocess
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import pytest

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "legacy_shop"
SHOP = SAMPLE / "shop"
PY2_FILES = {"shop/reporting/legacy_export.py", "shop/inventory/legacy_sync.py"}
DOMAINS = (
    "catalog",
    "inventory",
    "customers",
    "orders",
    "payments",
    "shipping",
    "notifications",
    "reporting",
)
SHARED_KERNEL = {"shop", "shop.app", "shop.config", "shop.db", "shop.models", "shop.utils"}
DROPPED_TABLE = "wishlists"
ABANDONED_TABLE = "gift_cards"
META_FILES = {"build_history.py", "README.md", "reference.toml"}
CACHE_PARTS = {"__pycache__", ".pytest_cache", ".ruff_cache"}


def _shop_files() -> list[Path]:
    return sorted(p for p in SHOP.rglob("*.py") if not CACHE_PARTS.intersection(p.parts))


def _rel(path: Path) -> str:
    return path.relative_to(SAMPLE).as_posix()


def _module_id(path: Path) -> str:
    parts = list(path.relative_to(SAMPLE).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _non_blank_lines(path: Path) -> int:
    return sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


def _schema_db(tmp_path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(tmp_path / "shop.db")
    conn.executescript((SAMPLE / "schema.sql").read_text(encoding="utf-8"))
    return conn


def _tables(conn: sqlite3.Connection, kind: str = "table") -> set[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = ?", (kind,))
    return {name for (name,) in rows if not name.startswith("sqlite_")}


def _declared_tables(path: Path) -> set[str]:
    text = path.read_text(encoding="utf-8")
    names = set(re.findall(r'__tablename__\s*=\s*"(\w+)"', text))
    return names | set(re.findall(r'\bTable\(\s*"(\w+)"', text))


# ------------------------------------------------------------------------------ code


def test_shop_has_forty_modules_and_four_thousand_lines() -> None:
    files = _shop_files()
    assert len(files) >= 40
    assert sum(_non_blank_lines(p) for p in files) >= 4000


def test_every_domain_is_a_package_with_views_and_service() -> None:
    for domain in DOMAINS:
        package = SHOP / domain
        assert (package / "__init__.py").is_file(), domain
        assert (package / "service.py").is_file(), domain
        assert (package / "views.py").is_file() or domain == "reporting", domain
        modules = list(package.glob("*.py"))
        assert len(modules) >= 5, domain
    assert (SHOP / "customers" / "models.py").is_file()


def test_python3_files_compile_and_python2_files_do_not(tmp_path: Path) -> None:
    compiled = 0
    for path in _shop_files():
        target = str(tmp_path / "out.pyc")
        if _rel(path) in PY2_FILES:
            with pytest.raises(py_compile.PyCompileError):
                py_compile.compile(str(path), cfile=target, doraise=True)
        else:
            py_compile.compile(str(path), cfile=target, doraise=True)
            compiled += 1
    assert compiled == len(_shop_files()) - len(PY2_FILES)


def test_python2_files_use_python2_syntax() -> None:
    for rel in PY2_FILES:
        text = (SAMPLE / rel).read_text(encoding="utf-8")
        assert re.search(r"^\s*print \"", text, re.MULTILINE), rel
        assert "except Exception, e:" in text, rel


def test_config_holds_secrets_to_redact() -> None:
    text = (SHOP / "config.py").read_text(encoding="utf-8")
    assert re.search(r'^SECRET_KEY = "[^"]+"$', text, re.MULTILINE)
    assert "postgresql://shop:Sup3rSecret@db/shop" in text


def test_only_the_app_has_a_health_endpoint() -> None:
    holders = [_rel(p) for p in _shop_files() if '"/health"' in p.read_text(encoding="utf-8")]
    assert holders == ["shop/app.py"]


def test_every_domain_declares_endpoints_in_both_styles() -> None:
    texts = {
        d: "".join(p.read_text(encoding="utf-8") for p in (SHOP / d).glob("*.py")) for d in DOMAINS
    }
    for domain, text in texts.items():
        assert re.search(r"@(app|bp)\.(route|get|post)\(", text), domain
    assert "@app.route(" in texts["catalog"]
    assert 'Blueprint("orders", __name__, url_prefix="/orders")' in texts["orders"]
    assert "@bp.get(" in texts["orders"] and "@bp.post(" in texts["orders"]


def test_import_cycles_are_present() -> None:
    def imports(rel: str) -> str:
        return (SAMPLE / rel).read_text(encoding="utf-8")

    assert "from shop.payments import service" in imports("shop/orders/service.py")
    assert "from shop.orders import service" in imports("shop/payments/service.py")
    assert "from shop.inventory import reservations" in imports("shop/orders/service.py")
    assert "from shop.orders import repository" in imports("shop/inventory/reservations.py")


def test_domains_call_inside_more_than_across() -> None:
    inside = across = 0
    pattern = re.compile(r"^from shop\.(\w+)(?:\.\w+)? import \(?([\w, \n]+?)\)?$", re.MULTILINE)
    for domain in DOMAINS:
        for path in (SHOP / domain).glob("*.py"):
            for target, names in pattern.findall(path.read_text(encoding="utf-8")):
                count = len([name for name in names.split(",") if name.strip()])
                if target == domain:
                    inside += count
                elif target in DOMAINS:
                    across += count
    assert across >= 10
    assert inside > 3 * across


# ------------------------------------------------------------------------------ schema


def test_schema_builds_a_database_with_foreign_keys_and_rows(tmp_path: Path) -> None:
    conn = _schema_db(tmp_path)
    tables = _tables(conn)
    assert len(tables) >= 18
    assert "v_order_summary" in _tables(conn, "view")
    assert len(_tables(conn, "index")) >= 2
    foreign_keys = {
        (table, row[2])
        for table in tables
        for row in conn.execute(f"PRAGMA foreign_key_list({table})")
    }
    assert len(foreign_keys) >= 20
    assert ("orders", "customers") in foreign_keys
    assert ("stock_movements", "orders") in foreign_keys
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    for table in tables:
        assert conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] > 0, table
    assert conn.execute("SELECT COUNT(*) FROM v_order_summary").fetchone()[0] > 0


def test_model_tables_exist_except_the_dropped_one(tmp_path: Path) -> None:
    tables = _tables(_schema_db(tmp_path))
    declared = _declared_tables(SHOP / "models.py")
    assert len(declared) >= 20
    assert declared - tables == {DROPPED_TABLE}
    assert _declared_tables(SHOP / "customers" / "models.py") <= tables
    code = "".join(p.read_text(encoding="utf-8") for p in _shop_files())
    assert f"FROM {DROPPED_TABLE}" in code


def test_abandoned_table_is_untouched_by_code(tmp_path: Path) -> None:
    assert ABANDONED_TABLE in _tables(_schema_db(tmp_path))
    for path in _shop_files():
        assert ABANDONED_TABLE not in path.read_text(encoding="utf-8"), _rel(path)


# ------------------------------------------------------------------------------ reference


def test_reference_covers_every_module_exactly_once() -> None:
    services = tomllib.loads((SAMPLE / "reference.toml").read_text(encoding="utf-8"))["services"]
    listed = [module for modules in services.values() for module in modules]
    expected = {_module_id(p) for p in _shop_files() if "vendor" not in p.parts}
    assert len(listed) == len(set(listed))
    assert set(listed) == expected
    assert set(services) == {*DOMAINS, "shared_kernel"}
    assert set(services["shared_kernel"]) == SHARED_KERNEL
    for domain in DOMAINS:
        assert all(m.startswith(f"shop.{domain}") for m in services[domain]), domain


def test_team_map_and_codeowners_agree() -> None:
    teams = tomllib.loads((SAMPLE / "planner.toml").read_text(encoding="utf-8"))["teams"]
    owners = (SAMPLE / ".github" / "CODEOWNERS").read_text(encoding="utf-8")
    assert len(teams) >= 6
    for team in set(teams.values()):
        assert f"@shop/{team}" in owners, team


# ------------------------------------------------------------------------------ history


def _load_builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_history", SAMPLE / "build_history.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while loading
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


def _require_git() -> None:
    if shutil.which("git") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("git is required on CI")
        pytest.skip("git is not installed")


def _git(repo: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    )
    return result.stdout


def _build(dest: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SAMPLE / "build_history.py"), str(dest)],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def history_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    _require_git()
    dest = tmp_path_factory.mktemp("history") / "shopco"
    result = _build(dest)
    assert result.returncode == 0, result.stderr
    return dest


def test_history_has_the_planned_commits_and_authors(history_repo: Path) -> None:
    count = int(_git(history_repo, "rev-list", "--count", "HEAD"))
    assert 60 <= count <= 120
    assert count == _load_builder().planned_commit_count()
    authors = set(_git(history_repo, "log", "--format=%an <%ae>").splitlines())
    assert len(authors) >= 6
    years = {line[:4] for line in _git(history_repo, "log", "--format=%ad", "--date=short").split()}
    assert {"2016", "2020", "2024"} <= years


def test_history_has_a_merge_a_rename_and_a_bulk_commit(history_repo: Path) -> None:
    merges = _git(history_repo, "log", "--merges", "--format=%s").splitlines()
    assert merges == ["Merge branch 'feature/refunds'"]
    renames = _git(history_repo, "log", "-M", "--diff-filter=R", "--name-status", "--format=")
    assert "shop/notifications/smtp.py\tshop/notifications/mailer.py" in renames
    stat = _git(history_repo, "log", "--format=@%s", "--name-only", "--no-merges")
    touched: dict[str, int] = {}
    subject = ""
    for line in stat.splitlines():
        if line.startswith("@"):
            subject = line[1:]
        elif line:
            touched[subject] = touched.get(subject, 0) + 1
    assert touched["Reformat with black"] > 30
    root = _git(history_repo, "rev-list", "--max-parents=0", "HEAD").strip()
    first = _git(history_repo, "show", "--name-only", "--format=", root).split()
    assert 0 < len(first) < 15


def test_history_tree_equals_the_sample(history_repo: Path) -> None:
    expected = {
        _rel(p)
        for p in SAMPLE.rglob("*")
        if p.is_file()
        and not CACHE_PARTS.intersection(p.parts)
        and _rel(p) not in META_FILES
        and not p.name.endswith((".pyc", ".db", ".sqlite", ".sqlite3"))
    }
    tracked = set(_git(history_repo, "ls-files").splitlines())
    assert tracked == expected
    on_disk = {
        p.relative_to(history_repo).as_posix()
        for p in history_repo.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(history_repo).parts
    }
    assert on_disk == expected
    for rel in sorted(expected):
        assert (history_repo / rel).read_bytes() == (SAMPLE / rel).read_bytes(), rel
    assert _git(history_repo, "status", "--porcelain") == ""


def test_history_is_deterministic(history_repo: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    assert _build(again).returncode == 0
    assert _git(again, "rev-parse", "HEAD") == _git(history_repo, "rev-parse", "HEAD")


def test_history_refuses_a_non_empty_destination(tmp_path: Path) -> None:
    _require_git()
    (tmp_path / "keep.txt").write_text("mine", encoding="utf-8")
    result = _build(tmp_path)
    assert result.returncode == 2
    assert "not empty" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]
