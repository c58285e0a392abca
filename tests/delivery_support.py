"""Helpers of the delivery tests: demo plans, scaffolds, validators, a kustomize renderer."""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from analyzers.facts import Facts, read_facts
from planner.plan import Plan, read_plan
from reports.scaffold import write_scaffold
from reports.scaffold.profiles import Delivery

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv"
ON_CI = os.environ.get("CI") == "true"
SAMPLES = ("shop", "java")
KUBERNETES_VERSION = "1.31.0"


def tool(name: str, *candidates: Path) -> str:
    """The path of a validator the project's setup installs; fails under CI when missing."""
    for candidate in candidates:
        if candidate.exists():
            return str(candidate)
    found = shutil.which(name)
    if found:
        return found
    message = f"{name} is not installed: run scripts/setup.sh --dev"
    if ON_CI:
        pytest.fail(message)
    pytest.skip(message)


def check_jsonschema() -> str:
    return tool("check-jsonschema", VENV / "bin" / "check-jsonschema")


def kubernetes_validate() -> str:
    return tool("kubernetes-validate", VENV / "bin" / "kubernetes-validate")


def checkov() -> str:
    return tool("checkov", VENV / "checkov" / "bin" / "checkov")


def groovy_lint() -> str:
    return tool("npm-groovy-lint", VENV / "node" / "node_modules" / ".bin" / "npm-groovy-lint")


def promtool() -> str:
    return tool("promtool")


def run(command: list[str], cwd: Path | None = None, timeout: int = 600) -> str:
    """Run a validator; its output on failure is the assertion message."""
    result = subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert result.returncode == 0, (
        f"{' '.join(command[:3])}... exited {result.returncode}:\n"
        f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    )
    return result.stdout


_DEMOS: dict[str, tuple[Plan, Facts]] = {}
_OUTS: dict[str, Path] = {}


def demo_dir(sample: str) -> Path:
    """Where the session's demo of `sample` wrote plan.json and facts.json."""
    demo(sample)
    return _OUTS[sample]


def demo(sample: str) -> tuple[Plan, Facts]:
    """Plan and facts of `planner demo --sample <sample>`, run once per test session (the demo
    copies the sample beside its output, where the facts' root points)."""
    if sample not in _DEMOS:
        out = Path(tempfile.mkdtemp(prefix=f"delivery-{sample}-"))
        atexit.register(shutil.rmtree, out, True)
        planner = VENV / "bin" / "planner"
        command = [str(planner) if planner.exists() else "planner", "demo", "--sample", sample]
        run([*command, "--out", str(out)])
        _OUTS[sample] = out
        _DEMOS[sample] = read_plan(out / "plan.json"), read_facts(out / "facts.json")
    return _DEMOS[sample]


def scaffold(plan: Plan, facts: Facts, out: Path, delivery: Delivery | None) -> Path:
    """The scaffold written into `out` (returned)."""
    write_scaffold(plan, facts, out, delivery)
    return out


def _containers(document: dict[str, Any]) -> list[dict[str, Any]]:
    spec = document.get("spec", {}).get("template", {}).get("spec", {})
    return spec.get("containers", []) + spec.get("initContainers", [])


def kustomize(folder: Path) -> list[dict[str, Any]]:
    """Render a kustomization the way `kustomize build` does for the fields the scaffold uses
    (resources, namespace, images); anything else fails the test."""
    data = yaml.safe_load((folder / "kustomization.yaml").read_text(encoding="utf-8"))
    unknown = set(data) - {"apiVersion", "kind", "resources", "namespace", "images"}
    assert not unknown, f"{folder}: the test renderer does not know {sorted(unknown)}"
    documents: list[dict[str, Any]] = []
    for resource in data.get("resources", []):
        path = (folder / resource).resolve()
        if path.is_dir():
            documents += kustomize(path)
        else:
            text = path.read_text(encoding="utf-8")
            documents += [d for d in yaml.safe_load_all(text) if d]
    namespace = data.get("namespace")
    for document in documents:
        if namespace and document["kind"] != "Namespace":
            document.setdefault("metadata", {})["namespace"] = namespace
        for container in _containers(document):
            name = container["image"].rpartition(":")[0]
            for image in data.get("images", []):
                if image["name"] == name:
                    container["image"] = f"{image.get('newName', name)}:{image['newTag']}"
    return documents


def identity(document: dict[str, Any]) -> tuple[str, str, str]:
    meta = document.get("metadata", {})
    return document["kind"], meta.get("namespace", ""), meta["name"]
