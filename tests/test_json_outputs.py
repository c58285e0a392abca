"""facts.json and plan.json: compact and byte-identical by default, --pretty for people, timings."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from analyzers.facts import FORMAT_VERSION, encode, in_file_form, read_facts
from planner.plan import read_plan

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "legacy_shop"


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


def test_facts_leave_out_evidence_paths_of_the_unit_s_own_file_and_read_them_back(runs, tmp_path):
    data = json.loads((runs["first"] / "facts.json").read_bytes())
    assert data["format_version"] == FORMAT_VERSION == 3
    path_of = {u["id"]: u["path"] for u in data["units"]}
    records = [(d["source"], d["evidence"]) for d in data["dependencies"]]
    records += [(a["unit"], a["evidence"]) for a in data["table_access"]]
    evidence = [(unit, e) for unit, items in records for e in items]
    assert evidence and all(e["path"] != path_of[unit] for unit, e in evidence)
    emptied = [(unit, e) for unit, e in evidence if not e["path"]]
    assert emptied, "the sample's evidence is mostly in the unit's own file"
    facts = read_facts(runs["first"] / "facts.json")
    restored = [(d.source, e) for d in facts.dependencies for e in d.evidence] + [
        (a.unit, e) for a in facts.table_access for e in a.evidence
    ]
    assert all(e.path for _, e in restored)
    assert sum(e.path == path_of[unit] for unit, e in restored) == len(emptied)
    # A version 1 file (every path written out) reads into the same facts.
    old = {**data, "format_version": 1}
    for unit, items in records:
        for e in items:
            e["path"] = e["path"] or path_of[unit]
    (tmp_path / "facts.json").write_bytes(json.dumps(old).encode())
    again = read_facts(tmp_path / "facts.json")
    assert dataclasses.replace(again, format_version=FORMAT_VERSION) == facts


def test_plan_reads_pretty_facts(runs, tmp_path):
    result = planner("plan", str(runs["pretty"] / "facts.json"), "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "plan.json").read_bytes() == (runs["first"] / "plan.json").read_bytes()


def test_timings_are_printed_kept_in_the_plan_and_shown_in_the_report(runs):
    stderr = (runs["timed"] / "stderr.txt").read_text()
    assert "timings:" in stderr
    stages = [t["stage"] for t in json.loads((runs["timed"] / "plan.json").read_bytes())["timings"]]
    for stage in ("code", "planning", "rendering"):
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
