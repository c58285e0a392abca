"""A scaffold records the plan it was made for; reports and rehearsals of another plan see it.

The what-if loop as users run it: `planner run`, then `planner plan --first X` and `planner
report` into the same OUT; the report must not link the old plan's scaffold as current.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from planner.pipeline import load_plan
from reports.scaffold.delivery import PLAN_RECORD, made_for, plan_digest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "legacy_shop"
STALE = "is from an earlier plan"


def planner(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PLANNER_DEBUG"}
    return subprocess.run(
        [sys.executable, "-m", "planner", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def ok(*args: str) -> subprocess.CompletedProcess:
    result = planner(*args)
    assert result.returncode == 0, result.stderr
    return result


def scaffold_links(html: str) -> set[str]:
    return set(re.findall(r'href="(scaffold/[^"]*)"', html))


@pytest.fixture(scope="module")
def shop_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("db") / "shop.db"
    with sqlite3.connect(path) as conn:
        conn.executescript((SAMPLE / "schema.sql").read_text(encoding="utf-8"))
    conn.close()
    return path


@pytest.fixture
def run_out(tmp_path: Path, shop_db: Path) -> Path:
    """A fresh `planner run` OUT, plan.json written with `--pretty --timings`."""
    out = tmp_path / "out"
    ok("run", str(SAMPLE), "--out", str(out), "--db", f"sqlite:///{shop_db}", "--no-git",
       "--pretty", "--timings")  # fmt: skip
    return out


def test_a_run_scaffold_records_its_plan_and_is_linked(run_out: Path) -> None:
    plan = load_plan(run_out / "plan.json")
    assert plan.timings, "the fixture's plan.json carries timings"
    # written from the plan in memory, before plan.json (pretty, with timings): the same digest
    assert made_for(run_out / "scaffold") == plan_digest(plan)
    assert plan_digest(plan).startswith("sha256:") and len(plan_digest(plan)) == 71
    first = (run_out / "report.html").read_text(encoding="utf-8")
    assert "scaffold/wave-1/" in scaffold_links(first)
    again = ok("report", str(run_out / "plan.json"))
    assert "earlier" not in again.stderr
    html = (run_out / "report.html").read_text(encoding="utf-8")
    assert scaffold_links(html) == scaffold_links(first)
    assert STALE not in html


def test_the_what_if_loop_does_not_link_the_old_scaffold(run_out: Path) -> None:
    before = json.loads((run_out / "plan.json").read_text(encoding="utf-8"))
    first = before["waves"][0]["services"][0]
    other = next(s["name"] for s in reversed(before["services"]) if s["name"] != first)
    old_facade = (run_out / "scaffold" / "wave-1" / "nginx" / "facade.conf").read_bytes()

    planned = ok("plan", str(run_out / "facts.json"), "--first", other, "--out", str(run_out))
    scaffold = run_out / "scaffold"
    regenerate = f"regenerate it with: planner scaffold {run_out / 'plan.json'} --out {scaffold}"
    assert f"note: {scaffold} {STALE}; {regenerate}\n" in planned.stderr
    after = json.loads((run_out / "plan.json").read_text(encoding="utf-8"))
    assert after["waves"][0]["services"][0] == other  # the plan did change

    reported = ok("report", str(run_out / "plan.json"))
    assert f"note: scaffold/ {STALE}, so this report does not link it; {regenerate}\n" in (
        reported.stderr
    )
    html = (run_out / "report.html").read_text(encoding="utf-8")
    assert scaffold_links(html) == set(), scaffold_links(html)
    notes = re.findall(r'<p class="note" role="note">([^<]*)</p>', html)
    assert len(notes) == 1 and STALE in notes[0] and regenerate in notes[0], notes
    markdown = (run_out / "plan.md").read_text(encoding="utf-8")
    assert "](scaffold/" not in markdown and STALE in markdown
    again = ok("report", str(run_out / "plan.json"))
    assert again.returncode == 0
    assert (run_out / "report.html").read_text(encoding="utf-8") == html  # deterministic

    rehearsed = planner("rehearse", str(run_out / "plan.json"), "--wave", "1")
    lines = rehearsed.stderr.strip().splitlines()
    assert rehearsed.returncode == 2, rehearsed.stderr
    assert len(lines) == 1 and lines[0].startswith(f"error: the scaffold {scaffold} "), lines
    assert STALE in lines[0] and regenerate in lines[0]

    ok("scaffold", str(run_out / "plan.json"), "--out", str(scaffold), "--no-check-deps")
    assert made_for(scaffold) == plan_digest(load_plan(run_out / "plan.json"))
    new_facade = (scaffold / "wave-1" / "nginx" / "facade.conf").read_bytes()
    assert new_facade != old_facade  # the old facade routed the old first service
    current = ok("report", str(run_out / "plan.json"))
    assert "earlier" not in current.stderr
    html = (run_out / "report.html").read_text(encoding="utf-8")
    assert "scaffold/wave-1/" in scaffold_links(html) and STALE not in html


def test_a_scaffold_without_record_is_not_linked(run_out: Path) -> None:
    (run_out / "scaffold" / PLAN_RECORD).unlink()
    reported = ok("report", str(run_out / "plan.json"))
    assert f"note: scaffold/ may be from an earlier plan (it has no {PLAN_RECORD})" in (
        reported.stderr
    )
    html = (run_out / "report.html").read_text(encoding="utf-8")
    assert scaffold_links(html) == set()
    rehearsed = planner("rehearse", str(run_out / "plan.json"), "--wave", "1")
    assert rehearsed.returncode == 2
    assert rehearsed.stderr.count("\n") == 1 and f"it has no {PLAN_RECORD}" in rehearsed.stderr
