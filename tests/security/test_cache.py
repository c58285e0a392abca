"""A planted parse cache runs nothing, breaks nothing and is never read from the analyzed tree."""

from __future__ import annotations

import os
import pickle
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from analyzers.cache import default_cache_dir
from analyzers.java import analyze_java_with_stats
from analyzers.java.analyzer import CACHE_FILE as JAVA_CACHE
from analyzers.python import analyze_python_with_stats
from analyzers.python.analyzer import CACHE_FILE as PYTHON_CACHE
from analyzers.python.extract import RESULT_SHAPE
from analyzers.records import INT, STR, fixed, pack, tuple_of, unpack

ROOT = Path(__file__).resolve().parents[2]
SHOP = ROOT / "samples" / "legacy_shop"
JAVA = ROOT / "samples" / "legacy_java"


class _Payload:
    """Unpickling this runs a shell command that creates `marker` (it must never happen)."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple:
        return (os.system, (f"touch {self.marker}",))


def _hostile_values(marker: Path) -> list[bytes]:
    """Blobs a planted cache could hold: pickles that run code, marshal, wrong shapes, junk."""
    import marshal

    evil = pickle.dumps(_Payload(marker), protocol=pickle.HIGHEST_PROTOCOL)
    return [
        evil,
        b"0" * 64 + b"\n" + evil,  # the old whole-tree layout: key line, then a pickle
        marshal.dumps({"lines": "many"}),
        pack({"lines": 1, "warnings": ["x"]}),  # a record missing fields
        pack({"lines": 1, "imports": [["import", "x"]]}),
        pack([[[[[[[[[[[[[[[["deep"]]]]]]]]]]]]]]]]),
        b"\xc1\xff\x00",  # not MessagePack
    ]


def _plant(cache_file: Path, marker: Path) -> int:
    """Replace every row of every table of `cache_file` with hostile values; rows replaced."""
    values = _hostile_values(marker)
    replaced = 0
    with sqlite3.connect(cache_file) as db:
        tables = [
            name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")
        ]
        for table in tables:
            keys = [key for (key,) in db.execute(f"SELECT key FROM {table}")]
            for i, key in enumerate(keys):
                db.execute(
                    f"UPDATE {table} SET value = ? WHERE key = ?", (values[i % len(values)], key)
                )
                replaced += 1
    db.close()
    return replaced


def test_planted_rows_in_the_python_cache_run_nothing(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    marker = tmp_path / "pwned"
    clean, first = analyze_python_with_stats(SHOP, jobs=1, cache_dir=cache)
    assert first.parsed > 0
    assert _plant(cache / PYTHON_CACHE, marker) > first.parsed  # per-file rows, tree, index
    again, stats = analyze_python_with_stats(SHOP, jobs=2, cache_dir=cache)
    assert not marker.exists()
    assert again == clean
    assert stats.cached == 0 and stats.parsed == first.parsed  # every bad row was a miss
    third, stats = analyze_python_with_stats(SHOP, jobs=1, cache_dir=cache)
    assert third == clean and stats.parsed == 0  # and the cache healed


def test_planted_rows_in_the_java_cache_run_nothing(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    marker = tmp_path / "pwned"
    clean, first = analyze_java_with_stats(JAVA, jobs=1, cache_dir=cache)
    assert first.parsed > 0
    assert _plant(cache / JAVA_CACHE, marker) > first.parsed
    again, stats = analyze_java_with_stats(JAVA, jobs=2, cache_dir=cache)
    assert not marker.exists()
    assert again == clean
    assert stats.cached == 0


_TRIGGER = """
    CREATE TABLE results (key TEXT PRIMARY KEY, value BLOB) WITHOUT ROWID;
    CREATE TEMP TABLE IF NOT EXISTS unused (x);
    CREATE TRIGGER spy AFTER INSERT ON results BEGIN
        UPDATE results SET value = x'80' WHERE key = new.key;
    END;
"""
_VIEW = "CREATE VIEW trees AS SELECT 'x' AS key, x'80' AS value;"
_COLUMNS = "CREATE TABLE files (key TEXT PRIMARY KEY, value TEXT, extra BLOB);"


@pytest.mark.parametrize(
    ("script", "warning"),
    [
        (_TRIGGER, "cache file holds a trigger 'spy' it should not; ignored for this run"),
        (_VIEW, "cache file holds a view 'trees' it should not; ignored for this run"),
        (_COLUMNS, "cache table 'files' has unexpected columns; ignored for this run"),
    ],
)
def test_a_whole_hostile_cache_database_is_left_alone(
    tmp_path: Path, script: str, warning: str
) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    with sqlite3.connect(cache / PYTHON_CACHE) as db:
        db.executescript(script)
    db.close()
    before = (cache / PYTHON_CACHE).read_bytes()
    clean, _ = analyze_python_with_stats(SHOP, jobs=1, cache_dir=None)
    facts, stats = analyze_python_with_stats(SHOP, jobs=2, cache_dir=cache)
    assert stats.parsed == stats.files - stats.skipped
    assert [w.message for w in facts.warnings if w.path == "."] == [warning]
    assert facts.units == clean.units and facts.dependencies == clean.dependencies
    assert (cache / PYTHON_CACHE).read_bytes() == before  # not written to, triggers never fired


def test_a_cache_file_that_is_not_a_database_is_a_miss(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / JAVA_CACHE).write_bytes(pickle.dumps(_Payload(tmp_path / "pwned")) * 50)
    facts, stats = analyze_java_with_stats(JAVA, jobs=1, cache_dir=cache)
    assert stats.parsed > 0 and facts.units
    assert not (tmp_path / "pwned").exists()


@pytest.mark.parametrize(
    "value",
    [
        None,
        "text",
        {"lines": 3},
        {"lines": True, "warnings": []},
        [1, 2, 3],
        {"lines": 1, "warnings": [], "imports": [["import", 1, "a"]]},
        {"lines": 1, "warnings": [], "imports": [["exec", 1, "a", ""]]},
    ],
)
def test_records_of_the_wrong_shape_are_refused(value: object) -> None:
    assert unpack(pack(value), RESULT_SHAPE) is None


def test_records_round_trip_as_tuples() -> None:
    shape = tuple_of(fixed(STR, INT))
    assert unpack(pack((("a", 1), ("b", 2))), shape) == (("a", 1), ("b", 2))
    assert unpack(pack([["a", "1"]]), shape) is None
    assert unpack(b"\x92\xa1a", shape) is None  # truncated
    assert unpack("not bytes", shape) is None


def test_the_default_cache_is_outside_the_analyzed_tree(tmp_path: Path) -> None:
    """`planner analyze` with OUT inside the tree: the repository's planted cache is not read,
    and nothing is cached inside the tree."""
    tree = tmp_path / "repo"
    tree.mkdir()
    (tree / "app.py").write_text("import os\n\n\ndef main():\n    return os.getcwd()\n")
    marker = tmp_path / "pwned"
    for folder in (tree / "out" / ".planner-cache", tree / ".planner-cache"):
        folder.mkdir(parents=True)
        for name in (PYTHON_CACHE, JAVA_CACHE):
            (folder / name).write_bytes(pickle.dumps(_Payload(marker)))
    home = tmp_path / "xdg"
    env = {**os.environ, "XDG_CACHE_HOME": str(home)}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "planner",
            "analyze",
            str(tree),
            "--out",
            str(tree / "out"),
            "--no-git",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert not marker.exists()
    expected = home / "strangler-planner" / default_cache_dir(tree).name
    assert (expected / PYTHON_CACHE).is_file()
    written = {p.relative_to(tree).as_posix() for p in tree.rglob("*") if p.is_file()}
    assert not {p for p in written if p.endswith(".sqlite") and ".planner-cache" not in p}
