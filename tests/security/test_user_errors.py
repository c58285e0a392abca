"""User mistakes: one line on stderr, exit code 2, before any long work; never outside OUT."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from planner.cli import main
from planner.config import load_config
from reports.grants import grant_file

ROOT = Path(__file__).resolve().parents[2]


def planner(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PLANNER_DEBUG"}
    return subprocess.run(
        [sys.executable, "-m", "planner", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def quick(*args: str) -> subprocess.CompletedProcess[str]:
    """`planner ARGS` run in this process (the same `main`, without a new interpreter)."""
    out, err = io.StringIO(), io.StringIO()
    argv = sys.argv
    sys.argv = ["planner", *args]
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            main()
        code = 0
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    finally:
        sys.argv = argv
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())


def one_line_exit_2(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    """Exit 2 with the error on one line, last (progress lines may come before it)."""
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, result.stderr
    assert [line for line in lines if line.startswith("error: ")] == lines[-1:], result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    for needle in needles:
        assert needle in lines[-1], lines[-1]


def small_repo(root: Path) -> Path:
    shop = root / "shop"
    shop.mkdir(parents=True)
    (shop / "__init__.py").write_text("")
    (shop / "orders.py").write_text(
        "from shop import billing\n\n\ndef order(db):\n"
        '    db.execute("INSERT INTO orders (id) VALUES (1)")\n    return billing.bill(db)\n'
    )
    (shop / "billing.py").write_text(
        'def bill(db):\n    return db.execute("SELECT * FROM invoices")\n'
    )
    return root


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("user-errors")
    out = base / "out"
    result = planner("run", str(small_repo(base / "repo")), "--out", str(out), "--no-git")
    assert result.returncode == 0, result.stderr
    return out


# --- the output folder and the source tree ------------------------------------------------------


@pytest.mark.parametrize("where", ["file/out", "/proc/planner-out"])
def test_unwritable_out_fails_before_the_analysis(tmp_path: Path, where: str) -> None:
    repo = small_repo(tmp_path / "repo")
    (tmp_path / "file").write_text("a file, not a folder")
    out = where if where.startswith("/") else str(tmp_path / where)
    result = planner("run", str(repo), "--out", out, "--no-git")
    one_line_exit_2(result, "cannot write the output folder")
    assert len(result.stderr.strip().splitlines()) == 1  # refused before any analysis


def test_empty_directory_is_refused(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    one_line_exit_2(
        quick("analyze", str(tmp_path / "empty"), "--out", str(tmp_path / "o")), "empty directory"
    )
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "README.md").write_text("no code here\n")
    result = planner("run", str(tmp_path / "docs"), "--out", str(tmp_path / "o"), "--no-git")
    one_line_exit_2(result, "nothing to plan")


# --- configuration files ------------------------------------------------------------------------

BAD_CONFIGS = {
    "since-integer": ("[history]\nsince = 20210101\n", "history.since"),
    "seed-inf": ("[planner]\nseed = inf\n", "planner.seed"),
    "seed-fraction": ("[planner]\nseed = 1.5\n", "planner.seed"),
    "weight-nan": ("[weights]\ncall = nan\n", "weights.call"),
    "weight-inf": ("[weights]\nimport = inf\n", "weights.import"),
    "weight-negative": ("[weights]\nco_change = -2.0\n", "weights.co_change"),
    "wave-size-zero": ("[planner]\nwave_size = 0\n", "planner.wave_size"),
}


@pytest.mark.parametrize("name", sorted(BAD_CONFIGS))
def test_bad_config_values(outputs: Path, tmp_path: Path, name: str) -> None:
    text, needle = BAD_CONFIGS[name]
    config = tmp_path / "planner.toml"
    config.write_text(text)
    result = quick(
        "plan", str(outputs / "facts.json"), "--config", str(config), "--out", str(tmp_path / "o")
    )
    one_line_exit_2(result, needle)


def test_a_toml_date_for_since_is_taken_as_a_date(tmp_path: Path) -> None:
    config = tmp_path / "planner.toml"
    config.write_text("[history]\nsince = 2021-01-31\n")
    assert load_config(config).since == "2021-01-31"


def test_non_utf8_config_and_truth_files(outputs: Path, tmp_path: Path) -> None:
    config = tmp_path / "planner.toml"
    config.write_bytes(b"[planner]\n# caf\xe9\nseed = 1\n")
    result = quick(
        "plan", str(outputs / "facts.json"), "--config", str(config), "--out", str(tmp_path / "o")
    )
    one_line_exit_2(result, "not UTF-8")
    truth = tmp_path / "truth.toml"
    truth.write_bytes(b'[services]\norders = ["shop.orders"]\n# \xff\n')
    one_line_exit_2(
        quick("evaluate", str(outputs / "plan.json"), "--truth", str(truth)), "not UTF-8"
    )


# --- facts.json and plan.json -------------------------------------------------------------------

BAD_JSON = {
    "list": "[]",
    "null": "null",
    "number": "3",
    "units-not-a-list": '{"format_version": 1, "root": "", "units": 5}',
    "root-not-text": '{"format_version": 1, "root": 3}',
    "unit-mistyped": '{"format_version": 1, "root": "", "units": [{"id": 1, "path": "a.py",'
    ' "language": "python", "lines": "ten", "package": ""}]}',
    "bad-literal": '{"format_version": 1, "root": "", "units": [{"id": "a", "path": "a.py",'
    ' "language": "cobol", "lines": 1, "package": ""}]}',
    "deep": "[" * 100_000 + "]" * 100_000,
}


@pytest.mark.parametrize("name", sorted(BAD_JSON))
def test_facts_that_are_not_facts(tmp_path: Path, name: str) -> None:
    facts = tmp_path / "facts.json"
    facts.write_text(BAD_JSON[name])
    one_line_exit_2(quick("plan", str(facts)), "not a facts file")


@pytest.mark.parametrize("name", sorted(BAD_JSON))
def test_plans_that_are_not_plans(outputs: Path, tmp_path: Path, name: str) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(
        BAD_JSON[name].replace('"format_version": 1, "root": ""', '"format_version": 1')
    )
    result = quick(
        "report", str(plan), "--facts", str(outputs / "facts.json"), "--out", str(tmp_path / "o")
    )
    one_line_exit_2(result, "not a plan file")


def _edited_plan(outputs: Path, tmp_path: Path, edit) -> Path:
    data = json.loads((outputs / "plan.json").read_text())
    edit(data)
    path = tmp_path / "edited" / "plan.json"
    path.parent.mkdir()
    path.write_text(json.dumps(data))
    return path


def test_a_step_naming_an_unknown_service(outputs: Path, tmp_path: Path) -> None:
    def edit(data: dict) -> None:
        data["steps"][0]["service"] = "ghost"

    plan = _edited_plan(outputs, tmp_path, edit)
    result = quick("report", str(plan), "--facts", str(outputs / "facts.json"))
    one_line_exit_2(result, "unknown service", "ghost")


@pytest.mark.parametrize("hostile", ["../../../escaped", "a/b", "..", "x\x1b[2J"])
def test_a_service_name_cannot_write_outside_out(
    outputs: Path, tmp_path: Path, hostile: str
) -> None:
    def edit(data: dict) -> None:
        old = data["services"][0]["name"]

        def rename(value: object) -> object:  # values only: a name like `order` is also a key
            if isinstance(value, dict):
                return {k: rename(v) for k, v in value.items()}
            if isinstance(value, list):
                return [rename(v) for v in value]
            return hostile if value == old else value

        renamed = rename(data)
        data.clear()
        data.update(renamed)

    plan = _edited_plan(outputs, tmp_path, edit)
    out = tmp_path / "a" / "b" / "c" / "out"
    before = sorted(p for p in tmp_path.rglob("*"))
    for command in (["report", str(plan)], ["scaffold", str(plan)]):
        result = quick(*command, "--facts", str(outputs / "facts.json"), "--out", str(out))
        one_line_exit_2(result, "not a plain name")
    created = sorted(set(tmp_path.rglob("*")) - set(before))
    assert all(out in p.parents or p == out or p in out.parents for p in created), created
    assert "/" not in grant_file(hostile, "postgresql") and ".." not in grant_file(hostile, "mysql")


def test_control_characters_in_file_names_never_reach_plan_md_or_the_terminal(
    tmp_path: Path,
) -> None:
    repo = small_repo(tmp_path / "repo")
    evil = repo / "shop" / "\x1b[2J\x1b[31mred"
    evil.mkdir()
    (evil / "__init__.py").write_text("")
    (evil / "orders.py").write_text("from shop import billing\nbilling.bill(None)\n")
    out = tmp_path / "out"
    result = planner("run", str(repo), "--out", str(out), "--no-git", "-j", "200")
    assert result.returncode == 0, result.stderr
    assert "\x1b" in json.loads((out / "facts.json").read_text())["units"][0]["path"] or any(
        "\x1b" in u["path"] for u in json.loads((out / "facts.json").read_text())["units"]
    )  # the name did reach the facts ...
    assert b"\x1b" not in (out / "plan.md").read_bytes()  # ... but not the Markdown
    assert "\x1b" not in result.stderr + result.stdout


def test_a_truth_matching_no_unit_is_refused(outputs: Path, tmp_path: Path) -> None:
    truth = tmp_path / "truth.toml"
    truth.write_text('[services]\norders = ["com.other.Orders"]\n')
    result = quick("evaluate", str(outputs / "plan.json"), "--truth", str(truth))
    one_line_exit_2(result, "names none of the plan's units")
    assert "mojofm" not in result.stdout
