"""facts.json and plan.json: compact and byte-identical by default, --pretty for people, timings."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from analyzers.facts import (
    FORMAT_VERSION,
    Dependency,
    Evidence,
    Facts,
    Ownership,
    Table,
    TableAccess,
    Unit,
    encode,
    in_file_form,
    read_facts,
    write_json,
)
from planner.plan import read_plan

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "legacy_shop"
JAVA = ROOT / "samples" / "legacy_java"


def planner(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PLANNER_DEBUG"}
    return subprocess.run(
        [sys.executable, "-m", "planner", *args], capture_output=True, text=True, env=env,
        timeout=600, cwd=ROOT,
    )  # fmt: skip


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("json")
    outs = {name: base / name for name in ("first", "second", "pretty", "timed")}
    flags = {"first": [], "second": [], "pretty": ["--pretty"], "timed": ["--timings"]}
    for name, out in outs.items():
        result = planner("run", str(SAMPLE), "--out", str(out), "--no-git", *flags[name])
        assert result.returncode == 0, result.stderr
        (out / "stderr.txt").write_text(result.stderr)
    return outs


@pytest.fixture(scope="module")
def java_facts(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("java")
    result = planner("analyze", str(JAVA), "--out", str(out), "--no-git")
    assert result.returncode == 0, result.stderr
    return out / "facts.json"


def test_default_outputs_are_compact_and_byte_identical_across_runs(runs):
    for name in ("facts.json", "plan.json"):
        first = (runs["first"] / name).read_bytes()
        assert first == (runs["second"] / name).read_bytes(), name
        assert first.count(b"\n") == 1 and first.endswith(b"}\n"), "one line, final newline"
    assert json.loads((runs["first"] / "plan.json").read_bytes())["timings"] == []
    assert "timings:" not in (runs["first"] / "stderr.txt").read_text()


def test_pretty_holds_the_same_content_and_both_forms_read_alike(runs):
    for name, read in (("facts.json", read_facts), ("plan.json", read_plan)):
        pretty = (runs["pretty"] / name).read_bytes()
        assert pretty.startswith(b'{\n  "')
        compact = (runs["first"] / name).read_bytes()
        assert json.loads(pretty) == json.loads(compact)
        model = read(runs["pretty"] / name)
        assert model == read(runs["first"] / name)
        written = in_file_form(model) if name == "facts.json" else model
        assert encode(written) == compact, "reading and writing again changes nothing"


def test_facts_file_form_refers_to_strings_and_lines_and_reads_back_equal(runs, java_facts):
    for path in (runs["first"] / "facts.json", java_facts):
        written = path.read_bytes()
        data = json.loads(written)
        assert data["format_version"] == FORMAT_VERSION == 4
        strings = data["strings"]
        assert len(strings) == len(set(strings)), "each string once"
        path_of = {u["id"]: u["path"] for u in data["units"]}
        cited = 0
        for source, lines, rows in data["dependencies"]:
            assert strings[source] in path_of and lines == sorted(lines)
            for target, kind, weight, evidence in rows:
                assert strings[target] in path_of and isinstance(weight, float)
                assert kind in ("import", "call", "inherit", "reference")
                assert all(isinstance(e, int) for e in evidence), "the unit's own file: a line"
                assert {e for e in evidence} <= {line for line, _ in lines}
                cited += len(evidence)
        assert cited
        for unit, _lines, rows in data["table_access"]:  # evidence elsewhere names its file
            for *_, evidence in rows:
                paths = {strings[e[0]] for e in evidence if isinstance(e, list)}
                assert path_of[strings[unit]] not in paths, "own paths never written"
        facts = read_facts(path)
        assert all(e.path == path_of[d.source] for d in facts.dependencies for e in d.evidence)
        assert facts.dependencies
        assert encode(in_file_form(facts)) == written, "read, written again: the same bytes"
        assert read_facts(path, encode(in_file_form(facts))) == facts


def test_facts_of_older_versions_and_the_object_form_read_into_the_same_facts(runs, tmp_path):
    facts = read_facts(runs["first"] / "facts.json")
    assert facts.table_access and facts.ownership
    path_of = {u.id: u.path for u in facts.units}
    objects = json.loads(encode(facts))  # every field an object, every evidence path written
    assert "strings" not in objects and objects["format_version"] == 4
    old = tmp_path / "facts.json"
    for version in (1, 2, 3, 4):
        data = json.loads(json.dumps(objects))
        data["format_version"] = version
        if version in (2, 3):  # an evidence path equal to its unit's own file: left empty
            for row in data["dependencies"] + data["table_access"]:
                unit = row.get("source", row.get("unit"))
                for e in row["evidence"]:
                    e["path"] = "" if e["path"] == path_of[unit] else e["path"]
        old.write_bytes(json.dumps(data).encode())
        again = read_facts(old)
        assert again.format_version == version
        assert dataclasses.replace(again, format_version=FORMAT_VERSION) == facts, version


def _hand_made() -> Facts:
    unit = Unit("a", "a.py", "python", 9, "")
    other = Unit("b", "pkg/b.py", "python", 3, "pkg")
    seen = Evidence("a.py", 2, "import b")
    return Facts(
        root="/r",
        units=(unit, other),
        dependencies=(
            Dependency("a", "b", "import", 1.0, (seen, Evidence("a.py", 2, "other text"))),
            Dependency("b", "a", "call", 2.5, (Evidence("gen/x.py", 7, "a.f()"),)),
            Dependency("a", "b", "call", 3.0, (seen, Evidence("", 4, "no path"))),
            Dependency("gone", "b", "reference", 1.0, (Evidence("gone.py", 1, "b"),)),
            Dependency("a", "zz", "inherit"),
        ),
        table_access=(TableAccess("a", "orders", "write", "sql", (Evidence("a.py", 5, "x"),)),),
        ownership=(
            Ownership("a", ("t1",), ("@t1",), (Evidence("CODEOWNERS", 1, "* @t1"),)),
            Ownership("b", ("t2",), (), ()),
            Ownership("c", ("t1",), ("@t1",), (Evidence("CODEOWNERS", 1, "* @t1"),)),
        ),
        tables=(Table("orders", "ddl"),),
    )


def test_hand_made_facts_round_trip_exactly_whatever_their_order_and_evidence(tmp_path):
    facts = _hand_made()
    path = tmp_path / "facts.json"
    write_json(in_file_form(facts), path)
    assert read_facts(path) == facts
    write_json(in_file_form(facts), tmp_path / "pretty.json", pretty=True)
    assert read_facts(tmp_path / "pretty.json") == facts
    data = json.loads(path.read_bytes())
    groups = data["dependencies"]
    assert [data["strings"][g[0]] for g in groups] == ["a", "b", "a", "gone", "a"], "runs"
    assert groups[0][1] == [[2, "import b"]] and groups[0][2][0][3][0] == 2
    assert len(data["ownership"]) == 3
    empty = dataclasses.replace(facts, dependencies=(), table_access=(), ownership=())
    write_json(in_file_form(empty), path)
    assert json.loads(path.read_bytes())["strings"] == [] and read_facts(path) == empty


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (lambda d: d["dependencies"][0].__setitem__(0, 99), "index past the end of `strings`"),
        (lambda d: d["dependencies"][0][1].clear(), "evidence line 2 is not in the unit's"),
        (lambda d: d["ownership"][0][3].__setitem__(0, -1), "Expected `int` >= 0"),
        (
            lambda d: d["dependencies"][0][2][0].__setitem__(1, "calls"),
            "Invalid enum value 'calls'",
        ),
    ],
)
def test_a_broken_file_form_is_a_value_error_saying_where(tmp_path, change, why):
    data = json.loads(encode(in_file_form(_hand_made())))
    change(data)
    path = tmp_path / "facts.json"
    path.write_bytes(json.dumps(data).encode())
    with pytest.raises(ValueError, match=re.escape(why)):
        read_facts(path)
    if "strings" in why:
        result = planner("plan", str(path), "--out", str(tmp_path / "o"))
        assert result.returncode == 2 and "not a facts file this planner can read" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


def test_plan_reads_pretty_facts(runs, tmp_path):
    result = planner("plan", str(runs["pretty"] / "facts.json"), "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "plan.json").read_bytes() == (runs["first"] / "plan.json").read_bytes()


def test_timings_are_printed_kept_in_the_plan_and_shown_in_the_report(runs):
    stderr = (runs["timed"] / "stderr.txt").read_text()
    assert "timings:" in stderr
    stages = [t["stage"] for t in json.loads((runs["timed"] / "plan.json").read_bytes())["timings"]]
    for stage in ("code", "planning", "scaffold", "diagram", "handout", "report", "rendering"):
        assert stage in stages and f"  {stage} " in stderr
    assert "Timings: " in (runs["timed"] / "report.html").read_text(encoding="utf-8")
    assert "Timings: " not in (runs["first"] / "report.html").read_text(encoding="utf-8")


def test_a_file_that_is_not_a_facts_file_is_one_line_exit_2(tmp_path):
    for text in ("[]", '{"format_version": 1, "units": 3}', "not json"):
        path = tmp_path / "facts.json"
        path.write_text(text)
        result = planner("plan", str(path), "--out", str(tmp_path / "o"))
        assert result.returncode == 2, (text, result.stderr)
        assert "not a facts file this planner can read" in result.stderr
