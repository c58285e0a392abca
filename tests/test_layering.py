"""The layering of DESIGN.md: analyzers import no planner or reports; reports import only models."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# What reports may import from the other layers: the data models and the user-error type, plus
# the two shared safety helpers: the one redaction step (`analyzers.redact`) and the one
# path-safety check (`analyzers.walk`), used where the scaffold copies the monolith's files.
REPORTS_MAY_IMPORT = {
    "analyzers.facts",
    "analyzers.errors",
    "analyzers.redact",
    "analyzers.walk",
    "planner.plan",
    "planner",
}


_CHECK = """
import json, sys
import grimp
graph = grimp.build_graph("analyzers", "planner", "reports", cache_dir=None)
allowed = set(json.loads(sys.argv[1]))
problems = []
for module in sorted(graph.modules):
    layer = module.split(".")[0]
    for imported in sorted(graph.find_modules_directly_imported_by(module)):
        top = imported.split(".")[0]
        if layer == "analyzers" and top in ("planner", "reports"):
            problems.append(f"{module} -> {imported}")
        if layer == "reports" and top in ("analyzers", "planner") and imported not in allowed:
            problems.append(f"{module} -> {imported}")
print(json.dumps(problems))
"""


def layering_violations(root: Path) -> list[str]:
    """Imports that break the layering in the tree at `root` (a dir holding the three packages).

    grimp runs in a fresh interpreter rooted at `root`, so already imported packages don't mask it.
    """
    result = subprocess.run(
        [sys.executable, "-P", "-c", _CHECK, json.dumps(sorted(REPORTS_MAY_IMPORT))],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_our_tree_respects_the_layering():
    assert layering_violations(ROOT) == []


def test_import_linter_contracts_pass():
    result = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports"))],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" in result.stdout.lower() or "kept" in result.stdout.lower()


def test_a_violation_is_caught(tmp_path):
    for package in ("analyzers", "planner", "reports"):
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / "planner" / "graph.py").write_text("X = 1\n")
    (tmp_path / "planner" / "plan.py").write_text("Y = 2\n")
    (tmp_path / "reports" / "html.py").write_text(
        textwrap.dedent("""
            from planner.plan import Y
            from planner.graph import X
        """)
    )
    (tmp_path / "analyzers" / "python.py").write_text("import reports.html\n")
    assert layering_violations(tmp_path) == [
        "analyzers.python -> reports.html",
        "reports.html -> planner.graph",
    ]
