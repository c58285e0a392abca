"""Outputs are written like a database: parallel runs, kills and the user's own files are safe."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from planner.outputs import MANIFEST, STORE, Staging, read_manifest, staging

ROUNDS = 40
CORE = ("facts.json", "plan.json", "plan.md", "report.html", "services.dot", "grants", "scaffold")


def _tree(root: Path, domains: tuple[str, ...]) -> Path:
    """A small Python monolith: one package per domain, each calling the next one."""
    (root / "shop").mkdir(parents=True)
    (root / "shop" / "__init__.py").write_text("")
    for i, name in enumerate(domains):
        package = root / "shop" / name
        package.mkdir()
        (package / "__init__.py").write_text("")
        nxt = domains[(i + 1) % len(domains)]
        (package / "service.py").write_text(
            f"from shop.{nxt} import service as other\n\n\n"
            f"def {name}_total(order_id):\n"
            f"    return other.{nxt}_total(order_id) if order_id else 0\n"
        )
    return root


def _command(tree: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "planner", "run", str(tree), "--out", str(out), "--no-git"]


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "PLANNER_DEBUG"}


def _planner(tree: Path, out: Path, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        _command(tree, out), capture_output=True, text=True, timeout=600, env=_env(), cwd=cwd
    )


def _consistent(out: Path) -> str:
    """Check OUT holds one complete run's outputs; return the analyzed root they belong to."""
    names = read_manifest(out).names
    assert set(CORE) <= set(names), names
    for name in names:
        assert (out / name).exists(), f"{name} listed in the manifest but missing"
    facts = json.loads((out / "facts.json").read_bytes())
    plan = json.loads((out / "plan.json").read_bytes())
    root = facts["root"]
    assert plan["root"] == root, "facts.json and plan.json come from different runs"
    services = {s["name"] for s in plan["services"]}
    members = {m for s in plan["services"] for m in s["members"]}
    assert members <= {u["id"] for u in facts["units"]}
    assert Path(root).name in (out / "report.html").read_text(encoding="utf-8")
    assert {p.name for p in (out / "scaffold").iterdir() if not p.name.startswith(".")} >= services
    grants = {p.name.split(".")[0] for p in (out / "grants").iterdir()}
    assert grants == services, "grant scripts of another run"
    return root


def _tidy(out: Path) -> None:
    """Nothing of ours is left over: one generation, no staging area, no temporary link."""
    store = sorted(p.name.split("-")[0] for p in (out / STORE).iterdir())
    assert store == ["current", "gen", "lock"], store
    assert not [p for p in out.iterdir() if p.name.endswith((".tmp", ".link"))]


def test_two_runs_in_parallel_on_one_out_always_both_succeed(tmp_path):
    tree = _tree(tmp_path / "shop_tree", ("orders", "billing", "stock"))
    out = tmp_path / "out"
    failures = []
    with ThreadPoolExecutor(max_workers=2) as pool:
        for _ in range(ROUNDS):
            results = list(pool.map(lambda _: _planner(tree, out), range(2)))
            failures += [r.stderr for r in results if r.returncode != 0]
            assert _consistent(out) == str(tree.resolve())
            _tidy(out)
    assert failures == [], f"{len(failures)} of {2 * ROUNDS} runs failed: {failures[:2]}"


def test_a_kill_midway_leaves_the_previous_or_the_new_output_never_a_mix(tmp_path):
    trees = (
        _tree(tmp_path / "before", ("orders", "billing")),
        _tree(tmp_path / "after", ("orders", "billing", "stock", "shipping")),
    )
    out = tmp_path / "out"
    assert _planner(trees[0], out).returncode == 0
    start = time.monotonic()
    assert _planner(trees[1], out).returncode == 0
    duration = time.monotonic() - start
    seen = set()
    kills = 16
    for i in range(kills):
        before = _consistent(out)
        tree = trees[i % 2]
        process = subprocess.Popen(
            _command(tree, out), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env()
        )
        time.sleep(duration * (i + 1) / (kills + 1))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        after = _consistent(out)
        assert after in (before, str(tree.resolve()))
        seen.add((after == before, process.returncode))
    assert (True, -signal.SIGKILL) in seen, "no kill landed before the outputs were published"
    # the next run cleans up whatever the killed ones left in the store
    assert _planner(trees[0], out).returncode == 0
    assert _consistent(out) == str(trees[0].resolve())
    _tidy(out)


def test_run_into_the_project_itself_keeps_the_users_own_scaffold_package(tmp_path):
    tree = _tree(tmp_path / "project", ("orders", "billing"))
    own = tree / "scaffold"
    own.mkdir()
    (own / "__init__.py").write_text('"""The project\'s own scaffolding helpers."""\n')
    (own / "make.py").write_text("def make():\n    return 1\n")
    before = {p.name: p.read_bytes() for p in own.iterdir()}
    for _ in range(2):
        result = _planner(Path("."), Path("."), cwd=tree)
        assert result.returncode == 0, result.stderr
        assert not own.is_symlink()
        assert {p.name: p.read_bytes() for p in own.iterdir()} == before
    names = read_manifest(tree).names
    assert "scaffold" not in names and "planner-scaffold" in names
    assert list((tree / "planner-scaffold").glob("*/Dockerfile"))
    assert "planner-scaffold/" in (tree / "report.html").read_text(encoding="utf-8")
    assert "note:" in result.stderr and "not ours" in result.stderr


def test_a_file_planner_did_not_write_is_refused_before_any_work(tmp_path):
    tree = _tree(tmp_path / "project", ("orders", "billing"))
    out = tmp_path / "out"
    out.mkdir()
    (out / "plan.md").write_text("my own notes\n")
    result = _planner(tree, out)
    assert result.returncode == 2
    assert "plan.md: exists and was not written by planner" in result.stderr
    assert (out / "plan.md").read_text() == "my own notes\n"
    assert not (out / MANIFEST).exists() and not (out / "facts.json").exists()


def test_a_failed_run_publishes_nothing_and_leaves_no_staging(tmp_path):
    out = tmp_path / "out"
    with staging(out) as area:
        (area.path / "facts.json").write_text("{}")
        area.commit()
    with pytest.raises(RuntimeError), staging(out) as area:
        (area.path / "facts.json").write_text('{"new": true}')
        raise RuntimeError("the run failed")
    assert (out / "facts.json").read_text() == "{}"
    assert [p.name for p in (out / STORE).iterdir() if p.name.startswith("tmp-")] == []


def test_a_partial_command_keeps_the_other_outputs_and_drops_what_it_no_longer_writes(tmp_path):
    out = tmp_path / "out"
    with staging(out) as area:
        for name in ("facts.json", "plan.json", "services.svg"):
            (area.path / name).write_text(name)
        area.commit()
    with staging(out) as area:
        (area.path / "plan.json").write_text("new plan")
        area.commit(keep=("facts.json",))
    assert read_manifest(out).names == ("facts.json", "plan.json")
    assert (out / "facts.json").read_text() == "facts.json"
    assert (out / "plan.json").read_text() == "new plan"
    assert not os.path.lexists(out / "services.svg")


def test_staging_of_a_dead_process_is_collected(tmp_path):
    out = tmp_path / "out"
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        text=True,
        capture_output=True,
        check=True,
    )
    stale = out / STORE / f"tmp-{dead.stdout.strip()}-left"
    stale.mkdir(parents=True)
    with staging(out) as area:
        (area.path / "plan.json").write_text("{}")
        assert isinstance(area, Staging)
        area.commit()
    assert not stale.exists()
