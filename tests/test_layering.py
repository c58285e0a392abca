"""The layering of docs/architecture.md, as import-linter checks it: the contracts hold on our
tree, the two lists of planner rows agree, and a forbidden import or an unplaced module breaks
them (run on a copy of the tree)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    """`lint-imports` over the tree at `root`, importing the packages found there."""
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=root,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        timeout=300,
    )


def contracts() -> dict[str, dict]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return {c["id"]: c for c in data["tool"]["importlinter"]["contracts"]}


def test_the_contracts_hold_on_our_tree():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout


def test_the_planner_rows_are_the_same_in_both_contracts():
    every = contracts()
    across = [
        " | ".join(part.strip().replace("planner.", "") for part in row.split("|"))
        for row in every["layers"]["layers"]
        if row.startswith(("planner.", "(planner."))
    ]
    assert across == every["planner-rows"]["layers"]
    assert every["planner-rows"]["exhaustive"] is True


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    """A copy of our three packages and pyproject.toml, to break on purpose."""
    for name in ("analyzers", "planner", "reports"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    return tmp_path


def test_reports_running_a_planning_stage_breaks_the_layers(tree: Path):
    with (tree / "reports" / "diff.py").open("a", encoding="utf-8") as handle:
        handle.write("\nimport planner.graph  # noqa\n")
    with (tree / "analyzers" / "walk.py").open("a", encoding="utf-8") as handle:
        handle.write("\nimport planner.plan  # noqa\n")
    result = lint_imports(tree)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "reports.diff -> planner.graph" in result.stdout
    assert "analyzers.walk -> planner.plan" in result.stdout


def test_a_planner_module_without_a_row_breaks_the_exhaustive_contract(tree: Path):
    (tree / "planner" / "shortcut.py").write_text('"""A module nobody placed."""\n')
    result = lint_imports(tree)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Every planner module has its row in the layers BROKEN" in result.stdout
    assert "planner.shortcut" in result.stdout
