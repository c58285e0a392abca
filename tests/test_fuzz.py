"""Fuzzing the analyzers with mutated real files: no exception, only warnings (about a minute)."""

from __future__ import annotations

import os
import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analyzers.java import analyze_java
from analyzers.java.descriptors import RECORD_SHAPE, descriptor_record
from analyzers.java.extract import RESULT_SHAPE as JAVA_SHAPE
from analyzers.java.extract import extract as extract_java
from analyzers.python import analyze_python
from analyzers.python.extract import RESULT_SHAPE as PYTHON_SHAPE
from analyzers.python.extract import extract as extract_python
from analyzers.records import pack, unpack
from analyzers.sql import looks_like_sql, tables_in_sql

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"


def _seeds(suffix: str) -> list[bytes]:
    return [p.read_bytes() for p in sorted(SAMPLES.rglob(f"*{suffix}"))]


SEEDS = {kind: _seeds(kind) for kind in (".py", ".java", ".xml")}
SQL_SEEDS = [
    s.strip()
    for p in sorted(SAMPLES.rglob("*.sql"))
    for s in p.read_text(encoding="utf-8").split(";")
    if s.strip()
]
TOKENS = [
    b"(", b")", b"[", b"{", b"}", b'"', b"'", b'"""', b"\\", b"\n", b"\r", b"\t", b"\x00", b"\xff",
    b"\xef\xbb\xbf", b"# -*- coding: latin-1 -*-\n", b"Table(", b"import ", b"from . import x\n",
    b"class A(Base):\n", b"__tablename__ = ", b"@app.route(", b"<select id='a'>", b"</select>",
    b"<!--", b"-->", b"<![CDATA[", b"]]>", b" + ", b"List<", b"@Entity", b"@Table(name=",
    b'"select * from t where a = ?"', b"insert into ", b"${x}", b"#{y}", b"\\u0000", b"/*", b"*/",
]  # fmt: skip

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "1200"))
"""Examples per test: the whole file runs in about a minute; `bench_fuzz.py` runs many more."""
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=os.environ.get("FUZZ_SEED") is None,  # CI: the same inputs on every run
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@st.composite
def mutants(draw: st.DrawFn, kind: str) -> bytes:
    """A real file of `kind` with a few random edits: insertions, deletions, repeats, tokens."""
    data = bytearray(draw(st.sampled_from(SEEDS[kind])))
    for _ in range(draw(st.integers(1, 8))):
        op = draw(st.sampled_from(["insert", "delete", "repeat", "token", "truncate", "nest"]))
        at = draw(st.integers(0, len(data)))
        if op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif op == "delete":
            del data[at : at + draw(st.integers(1, 200))]
        elif op == "repeat":
            piece = bytes(data[at : at + draw(st.integers(1, 80))])
            data[at:at] = piece * draw(st.integers(1, 50))
        elif op == "token":
            data[at:at] = draw(st.sampled_from(TOKENS)) * draw(st.integers(1, 3))
        elif op == "truncate":
            del data[at:]
        else:
            data[at:at] = draw(st.sampled_from(TOKENS)) * draw(st.integers(50, 2_000))
    return bytes(data)


def _round_trips(result: object, shape: object) -> None:
    """What was extracted is plain data that the cache reads back unchanged."""
    assert unpack(pack(result), shape) == result


@FUZZ
@given(mutants(".py"))
def test_python_extraction_survives_mutants(data: bytes) -> None:
    _round_trips(extract_python(data, frozenset({"shop", "app"})), PYTHON_SHAPE)


@FUZZ
@given(mutants(".java"))
def test_java_extraction_survives_mutants(data: bytes) -> None:
    _round_trips(extract_java(data), JAVA_SHAPE)


@FUZZ
@given(mutants(".xml"))
def test_xml_descriptors_survive_mutants(data: bytes) -> None:
    _round_trips(descriptor_record(data), RECORD_SHAPE)


@FUZZ
@given(st.sampled_from(SQL_SEEDS), st.lists(st.sampled_from(TOKENS), max_size=6), st.randoms())
def test_sql_reading_survives_mutants(sql: str, tokens: list[bytes], rng: object) -> None:
    words = re.split(r"(\s+)", sql)
    for token in tokens:
        words.insert(rng.randrange(len(words) + 1), token.decode("latin-1"))  # type: ignore[attr-defined]
    text = "".join(words)
    found = tables_in_sql(text) if looks_like_sql(text) else None
    assert found is None or all(isinstance(t, str) for t in found.reads | found.writes)


@settings(FUZZ, max_examples=max(3, EXAMPLES // 40))
@given(st.lists(mutants(".py"), min_size=3, max_size=12), st.lists(mutants(".java"), max_size=8))
def test_whole_analyzers_survive_a_tree_of_mutants(
    tmp_path_factory: object, python: list[bytes], java: list[bytes]
) -> None:
    root = tmp_path_factory.mktemp("fuzz")  # type: ignore[attr-defined]
    (root / "app").mkdir()
    (root / "app" / "__init__.py").write_bytes(b"")
    for i, data in enumerate(python):
        (root / "app" / f"m{i}.py").write_bytes(data)
    for i, data in enumerate(java):
        (root / f"C{i}.java").write_bytes(data)
    facts = analyze_python(root, jobs=1)
    assert {f"app.m{i}" for i in range(len(python))} <= {u.id for u in facts.units} | {
        w.path.removesuffix(".py").replace("/", ".") for w in facts.warnings
    }
    analyze_java(root, jobs=1)
