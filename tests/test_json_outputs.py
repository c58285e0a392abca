"""facts.json and plan.json: compact and byte-identical by default, --pretty for people, timings."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from analyzers.facts import encode, read_facts
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
        assert encode(model) == compact, "reading and writing again changes nothing"


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
