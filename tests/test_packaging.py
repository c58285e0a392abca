"""The built wheel installs into a fresh virtualenv and `planner demo` runs from any directory."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOT_SOURCE = shutil.ignore_patterns(
    ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", "*.pyc", ".*_cache",
    ".planner-cache", "out", "planner-out", "planner-demo", "tests",
)  # fmt: skip


def _run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None):
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=900
    )
    assert result.returncode == 0, f"{args}: {result.stderr[-2000:]}"
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh virtualenv holding only the wheel built from this checkout (offline).

    The wheel is built without build isolation (setuptools from the dev environment) and
    installed with `--no-deps --no-index`; the dependencies come from the dev environment's
    site-packages, appended to the new environment's path (like --system-site-packages), so
    the package itself and its samples can only come from the wheel.
    """
    base = tmp_path_factory.mktemp("packaging")
    source = base / "source"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCE, symlinks=True)
    wheels = base / "wheels"
    _run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
         "--no-index", source, "-w", wheels, cwd=base)  # fmt: skip
    (wheel,) = wheels.glob("strangler_planner-*.whl")
    fresh = base / "fresh"
    venv.create(fresh, with_pip=False)
    python = fresh / "bin" / "python"
    _run(sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps",
         "--no-index", wheel, cwd=base)  # fmt: skip
    purelib = _run(
        python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=base
    ).stdout.strip()
    Path(purelib, "dev-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return fresh


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PLANNER_DEBUG")}


def test_the_package_and_its_samples_come_from_the_wheel(installed, tmp_path):
    probe = "import json, planner.cli as c; print(json.dumps([c.__file__, str(c._samples())]))"
    code, samples = json.loads(
        _run(installed / "bin" / "python", "-c", probe, cwd=tmp_path, env=_clean_env()).stdout
    )
    assert Path(code).is_relative_to(installed) and Path(samples).is_relative_to(installed)
    for sample in ("legacy_shop/build_history.py", "legacy_shop/schema.sql", "legacy_java/pom.xml"):
        assert (Path(samples) / sample).is_file(), sample


@pytest.mark.parametrize("sample", ["shop", "java"])
def test_demo_runs_from_an_empty_directory(installed, tmp_path, sample):
    package = installed / "lib"
    before = sorted(str(p) for p in package.rglob("*") if "__pycache__" not in p.parts)
    result = _run(
        installed / "bin" / "planner", "demo", "--sample", sample, "--out", "demo",
        cwd=tmp_path, env=_clean_env(),
    )  # fmt: skip
    out = tmp_path / "demo"
    for name in ("facts.json", "plan.json", "report.html", "plan.md"):
        assert (out / name).stat().st_size > 0, name
    plan = json.loads((out / "plan.json").read_bytes())
    assert plan["services"], result.stderr
    assert list((out / "scaffold").glob("*/Dockerfile"))
    after = sorted(str(p) for p in package.rglob("*") if "__pycache__" not in p.parts)
    assert after == before, "the demo wrote into the installed package"
