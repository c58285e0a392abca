"""Tests of module naming, role rules and the result cache used by the Python analyzer."""

from __future__ import annotations

from pathlib import Path

from analyzers.cache import ResultCache, content_key
from analyzers.python import analyze_python_with_stats
from analyzers.python.analyzer import CACHE_FILE
from analyzers.python.modules import module_names


def names(rels: list[str], markers: frozenset[str] = frozenset()) -> dict[str, str]:
    found, _ = module_names(rels, has_marker=lambda d: d in markers)
    return {m.rel: m.module for m in found}


def test_module_names_for_layouts() -> None:
    got = names(
        [
            "shop/__init__.py",
            "shop/orders/__init__.py",
            "shop/orders/service.py",
            "src/acme/billing/__init__.py",
            "src/acme/billing/tax.py",
            "backend/manage.py",
            "backend/settings.py",
            "tools/gen/run.py",
            "svc/pkg/__init__.py",
            "svc/pkg/mod.py",
        ],
        markers=frozenset({"svc"}),
    )
    assert got == {
        "shop/__init__.py": "shop",
        "shop/orders/__init__.py": "shop.orders",
        "shop/orders/service.py": "shop.orders.service",
        "src/acme/billing/__init__.py": "acme.billing",
        "src/acme/billing/tax.py": "acme.billing.tax",
        "backend/manage.py": "manage",
        "backend/settings.py": "settings",
        "tools/gen/run.py": "tools.gen.run",
        "svc/pkg/__init__.py": "pkg",
        "svc/pkg/mod.py": "pkg.mod",
    }


def test_module_name_clash_gets_a_path_name_and_a_warning() -> None:
    found, warnings = module_names(["a/manage.py", "a/util.py", "b/manage.py", "b/util.py"])
    modules = sorted(m.module for m in found)
    assert len(set(modules)) == 4
    assert "util" in modules and "b.util" in modules
    assert any("also used by" in message for _, message in warnings)


def test_cache_roundtrip_and_missing_keys(tmp_path: Path) -> None:
    key = content_key(b"x = 1\n", "v1")
    assert key != content_key(b"x = 1\n", "v2")
    with ResultCache(tmp_path / "c.sqlite") as cache:
        assert cache.enabled
        cache.put_many([(key, b"blob")])
    with ResultCache(tmp_path / "c.sqlite") as cache:
        assert cache.get_many([key, "missing"]) == {key: b"blob"}
    assert ResultCache(None).get_many([key]) == {}


def test_damaged_cache_file_is_ignored(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg/__init__.py").write_text("")
    (root / "pkg/a.py").write_text("import pkg.b\n")
    (root / "pkg/b.py").write_text("")
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / CACHE_FILE).write_bytes(b"this is not a sqlite database" * 100)
    facts, stats = analyze_python_with_stats(root, jobs=1, cache_dir=cache)
    assert (stats.parsed, stats.cached) == (2, 0)  # two empty files share one key
    assert {(d.source, d.target) for d in facts.dependencies} == {("pkg.a", "pkg.b")}


def test_cache_prunes_stale_entries_only_when_they_pile_up(tmp_path: Path) -> None:
    with ResultCache(tmp_path / "c.sqlite") as cache:
        cache.put_many((f"k{i}", b"v") for i in range(300))
        assert cache.prune([f"k{i}" for i in range(200)]) == 0
        assert cache.prune(["k1", "k2"]) == 298
        assert set(cache.get_many(f"k{i}" for i in range(300))) == {"k1", "k2"}


def test_whole_tree_cache_notices_a_new_project_marker(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "tools/gen").mkdir(parents=True)
    (root / "tools/gen/run.py").write_text("x = 1\n")
    cache = tmp_path / "cache"
    first, _ = analyze_python_with_stats(root, jobs=1, cache_dir=cache)
    assert [u.id for u in first.units] == ["tools.gen.run"]
    (root / "tools/pyproject.toml").write_text("[project]\nname = 'tools'\n")
    second, _ = analyze_python_with_stats(root, jobs=1, cache_dir=cache)
    assert [u.id for u in second.units] == ["gen.run"]
