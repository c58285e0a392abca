"""Tests for the Kubernetes target: overlays rendered, validated with kubernetes-validate and
checkov, compared with `kubectl kustomize`."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from delivery_support import (
    KUBERNETES_VERSION,
    ON_CI,
    SAMPLES,
    checkov,
    demo,
    identity,
    kubernetes_validate,
    kustomize,
    run,
    scaffold,
)

from reports.scaffold import plan_files
from reports.scaffold.kubernetes import CANARY_WEIGHT
from reports.scaffold.probes import HEALTH_PATH
from reports.scaffold.profiles import choose_delivery

# checkov's kubernetes checks we do not pass, each with the reason (nothing else may fail).
CHECKOV_SKIPS = {
    "CKV_K8S_43": (
        "images are deployed by git-sha or semver tag; the pipeline signs the pushed digest and"
        " verifies the signature (cosign) before every deploy, so the tag cannot be swapped"
    ),
}


@pytest.fixture(scope="module", params=SAMPLES)
def enterprise(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    plan, facts = demo(request.param)
    delivery = choose_delivery(facts, "enterprise")
    return scaffold(plan, facts, tmp_path_factory.mktemp(f"k8s-{request.param}"), delivery)


def _overlays(out: Path) -> list[Path]:
    folders = sorted((out / "kubernetes" / "waves").iterdir())
    folders += sorted((out / "kubernetes" / "gateway" / "waves").iterdir())
    assert folders
    return folders


@pytest.fixture(scope="module")
def rendered(enterprise: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Each overlay rendered (PyYAML merge) into one multi-document file."""
    target = tmp_path_factory.mktemp("rendered")
    files = []
    for folder in _overlays(enterprise):
        kind = "gateway" if "gateway" in folder.parts else "ingress"
        path = target / f"wave-{folder.name}-{kind}.yaml"
        path.write_text(yaml.safe_dump_all(kustomize(folder), sort_keys=True), encoding="utf-8")
        files.append(path)
    return files


def _documents(path: Path) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]


def test_overlays_render_like_kubectl_kustomize(enterprise: Path) -> None:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        message = "kubectl is not installed: run scripts/setup.sh --dev (kubernetes-client)"
        if ON_CI:
            pytest.fail(message)
        pytest.skip(message)
    for folder in _overlays(enterprise):
        result = subprocess.run(
            [kubectl, "kustomize", str(folder)], capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stderr
        theirs = sorted((d for d in yaml.safe_load_all(result.stdout) if d), key=identity)
        ours = sorted(kustomize(folder), key=identity)
        assert json.dumps(ours, sort_keys=True) == json.dumps(theirs, sort_keys=True), folder


def test_rendered_overlays_pass_kubernetes_validate(rendered: list[Path]) -> None:
    output = run(
        [kubernetes_validate(), "--kubernetes-version", KUBERNETES_VERSION, "--strict", "--quiet"]
        + [str(p) for p in rendered]
    )
    # Only the Gateway API's HTTPRoute (a CRD) has no built-in schema; see the test below.
    for line in output.splitlines():
        assert "HTTPRoute" in line, line


def test_kubernetes_validate_rejects_a_broken_deployment(rendered: list[Path], tmp_path: Path):
    documents = _documents(rendered[0])
    deployment = next(d for d in documents if d["kind"] == "Deployment")
    deployment["spec"]["replicas"] = "two"
    broken = tmp_path / "broken.yaml"
    broken.write_text(yaml.safe_dump(deployment), encoding="utf-8")
    command = [kubernetes_validate(), "--kubernetes-version", KUBERNETES_VERSION, str(broken)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode != 0


def _checkov(folder: Path, skips: dict[str, str]) -> dict[str, Any]:
    command = [checkov(), "--directory", str(folder), "--framework", "kubernetes"]
    command += ["--output", "json", "--quiet", "--compact", "--skip-download"]
    if skips:
        command += ["--skip-check", ",".join(sorted(skips))]
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
        env={"PATH": "/usr/bin:/bin", "BC_SKIP_MAPPING": "TRUE", "HOME": str(folder)},
    )
    data = json.loads(result.stdout)
    return data[0] if isinstance(data, list) else data


def test_checkov_finds_nothing_outside_the_skip_list(rendered: list[Path]) -> None:
    report = _checkov(rendered[0].parent, CHECKOV_SKIPS)
    failed = [
        f"{c['check_id']} {c['check_name']} ({c['resource']})"
        for c in report["results"]["failed_checks"]
    ]
    assert not failed, "\n".join(failed)
    assert report["summary"]["passed"] > 100, report["summary"]


def test_checkov_would_flag_a_root_container(rendered: list[Path], tmp_path: Path) -> None:
    deployment = next(d for d in _documents(rendered[0]) if d["kind"] == "Deployment")
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    del container["securityContext"]
    del deployment["spec"]["template"]["spec"]["securityContext"]
    (tmp_path / "root.yaml").write_text(yaml.safe_dump(deployment), encoding="utf-8")
    report = _checkov(tmp_path, CHECKOV_SKIPS)
    assert {c["check_id"] for c in report["results"]["failed_checks"]} >= {"CKV_K8S_20"}


def test_deployments_follow_the_practices(rendered: list[Path]) -> None:
    documents = _documents(rendered[-1])
    deployments = [d for d in documents if d["kind"] == "Deployment"]
    assert deployments
    for deployment in deployments:
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        (container,) = pod["containers"]
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
        assert container["resources"]["limits"] and container["resources"]["requests"]
        for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
            assert container[probe]["httpGet"]["path"] == HEALTH_PATH
        assert not container["image"].endswith(":latest")
        volumes = {v["name"]: v for v in pod["volumes"]}
        assert "secretName" in volumes["database"]["secret"]
    kinds = {d["kind"] for d in documents}
    assert {"Service", "ConfigMap", "PodDisruptionBudget", "NetworkPolicy"} <= kinds
    assert "Secret" not in kinds, "secret values never go into the manifests"
    for config in (d for d in documents if d["kind"] == "ConfigMap"):
        assert not any("password" in v.lower() for v in config["data"].values())


def test_network_policies_admit_only_the_facade(rendered: list[Path]) -> None:
    for policy in (d for d in _documents(rendered[-1]) if d["kind"] == "NetworkPolicy"):
        assert policy["spec"]["policyTypes"] == ["Ingress", "Egress"]
        names = {
            s.get("namespaceSelector", {}).get("matchLabels", {}).get("kubernetes.io/metadata.name")
            for rule in policy["spec"]["ingress"]
            for s in rule["from"]
        }
        assert "ingress-nginx" in names


def test_ingress_routes_moved_paths_and_defaults_to_the_monolith(enterprise: Path) -> None:
    waves = sorted((enterprise / "kubernetes" / "waves").iterdir(), key=lambda p: int(p.name))
    before: set[str] = set()
    for folder in waves:
        (ingress,) = [d for d in kustomize(folder) if d["kind"] == "Ingress"]
        assert ingress["spec"]["defaultBackend"]["service"]["name"] == "monolith"
        paths = {p["path"] for r in ingress["spec"].get("rules", []) for p in r["http"]["paths"]}
        assert all(p.startswith("/") for p in paths)
        assert before <= paths, f"wave {folder.name} drops routes of an earlier wave"
        before = paths
    assert before, "the last wave reroutes something"


def test_http_routes_are_well_formed(enterprise: Path) -> None:
    """The nearest offline check of the Gateway API CRD (no schema for it in kubernetes-validate):
    the fields and limits the HTTPRoute v1 CRD enforces."""
    for folder in sorted((enterprise / "kubernetes" / "gateway" / "waves").iterdir()):
        (route,) = [d for d in kustomize(folder) if d["kind"] == "HTTPRoute"]
        assert route["apiVersion"] == "gateway.networking.k8s.io/v1"
        rules = route["spec"]["rules"]
        assert rules[-1]["backendRefs"] == [{"name": "monolith", "port": 80}]
        for rule in rules:
            assert 1 <= len(rule["matches"]) <= 64
            for match in rule["matches"]:
                assert match["path"]["type"] in {"Exact", "PathPrefix", "RegularExpression"}
                assert match["path"]["value"].startswith("/")
                assert len(match["path"]["value"]) <= 1024
            for ref in rule["backendRefs"]:
                assert 0 <= ref.get("weight", 1) <= 1_000_000


def test_canary_steps_get_weights(tmp_path: Path) -> None:
    plan, facts = demo("shop")
    first = min(plan.steps, key=lambda s: s.order)
    canary = dataclasses.replace(first, rollout="canary: 5%, then 25%, then 100%")
    plan = dataclasses.replace(plan, steps=tuple(canary if s is first else s for s in plan.steps))
    files = plan_files(plan, facts, choose_delivery(facts, "enterprise"))
    slug = first.service
    ingresses = list(yaml.safe_load_all(str(files[f"kubernetes/waves/{first.wave}/ingress.yaml"])))
    (weighted,) = [i for i in ingresses if i["metadata"]["name"] == f"facade-canary-{slug}"]
    annotations = weighted["metadata"]["annotations"]
    assert annotations["nginx.ingress.kubernetes.io/canary"] == "true"
    assert annotations["nginx.ingress.kubernetes.io/canary-weight"] == str(CANARY_WEIGHT)
    main = next(i for i in ingresses if i["metadata"]["name"] == "facade")
    canary_paths = {p["path"] for p in weighted["spec"]["rules"][0]["http"]["paths"]}
    for path in main["spec"]["rules"][0]["http"]["paths"]:
        if path["path"] in canary_paths:
            assert path["backend"]["service"]["name"] == "monolith"
    route = yaml.safe_load(str(files[f"kubernetes/gateway/waves/{first.wave}/httproute.yaml"]))
    weights = [
        {r["name"]: r["weight"] for r in rule["backendRefs"]}
        for rule in route["spec"]["rules"]
        if any(r["name"] == slug for r in rule["backendRefs"])
    ]
    assert weights and all(
        w == {"monolith": 100 - CANARY_WEIGHT, slug: CANARY_WEIGHT} for w in weights
    )
