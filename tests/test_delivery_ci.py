"""Tests for the CI delivery paths (GitHub Actions, GitLab CI, Jenkins), validated by real tools."""

from __future__ import annotations

import http.server
import json
import re
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
import yaml
from delivery_support import (
    SAMPLES,
    check_jsonschema,
    demo,
    demo_dir,
    groovy_lint,
    run,
    scaffold,
)
from typer.testing import CliRunner

from analyzers.containers import lint_containers
from analyzers.facts import AnalysisWarning, Facts
from planner.cli import app
from reports.scaffold import plan_files
from reports.scaffold.profiles import CI_SYSTEMS, PROFILE_NAMES, REGISTRIES, choose_delivery
from reports.scaffold.registry import registry_for

CASES = [(sample, profile) for sample in SAMPLES for profile in PROFILE_NAMES]


@pytest.fixture(scope="module", params=CASES, ids=[f"{s}-{p}" for s, p in CASES])
def profiled(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """(delivery, scaffold dir) of one sample under one profile."""
    sample, profile = request.param
    plan, facts = demo(sample)
    delivery = choose_delivery(facts, profile)
    out = tmp_path_factory.mktemp(f"{sample}-{profile}")
    return delivery, scaffold(plan, facts, out, delivery)


def _strings(data: Any) -> Iterator[str]:
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield str(key)
            yield from _strings(value)
    elif isinstance(data, list):
        for value in data:
            yield from _strings(value)


def _text(path: Path) -> str:
    """A CI file's strings (YAML parsed, so quoting does not matter), or the Jenkinsfile."""
    if path.name == "Jenkinsfile":
        return path.read_text(encoding="utf-8")
    return "\n".join(_strings(yaml.safe_load(path.read_text(encoding="utf-8"))))


# --- every profile of both samples: each CI file passes its validator ------------------------


def test_ci_files_pass_their_validators(profiled) -> None:
    delivery, out = profiled
    workflows = sorted(out.glob(".github/workflows/*.yml"))
    gitlab = out / ".gitlab-ci.yml"
    jenkinsfiles = sorted(out.glob("*/Jenkinsfile"))
    expected = {"github": bool(workflows), "gitlab": gitlab.exists(), "jenkins": bool(jenkinsfiles)}
    assert [ci for ci, present in expected.items() if present] == [delivery.ci]
    if workflows:
        run(
            [
                check_jsonschema(),
                "--builtin-schema",
                "vendor.github-workflows",
                *map(str, workflows),
            ]
        )
    if gitlab.exists():
        run([check_jsonschema(), "--builtin-schema", "vendor.gitlab-ci", str(gitlab)])
    if jenkinsfiles:
        # Errors fail (parse errors, unknown steps); style warnings (line length of the shell
        # lines, repeated literals) are reported by the tool but do not fail the build.
        run([groovy_lint(), "--failon", "error", "--output", "txt", *map(str, jenkinsfiles)])


def test_generated_files_have_zero_lint_findings(profiled) -> None:
    _, out = profiled
    assert lint_containers(out) == ()


def test_gate_scripts_are_valid_shell(profiled) -> None:
    _, out = profiled
    scripts = sorted(out.glob("wave-*/go-no-go.sh"))
    assert scripts
    for script in scripts:
        run(["sh", "-n", str(script)])
        assert script.stat().st_mode & 0o111, f"{script} is not executable"


def test_manifest_records_the_choice(profiled) -> None:
    delivery, out = profiled
    data = json.loads((out / "delivery.json").read_text(encoding="utf-8"))
    assert (data["profile"], data["ci"], data["registry"]) == (
        delivery.profile.name,
        delivery.ci,
        delivery.registry,
    )
    assert data["governance"] == list(delivery.profile.governance)
    for number, files in data["waves"].items():
        for name in files:
            assert (out / name).exists(), f"wave {number} links {name}, which was not written"


def _ci_names(out: Path) -> list[str]:
    data = json.loads((out / "delivery.json").read_text(encoding="utf-8"))
    return sorted({f for files in data["waves"].values() for f in files if _is_ci(f)})


def _is_ci(name: str) -> bool:
    return name.startswith(".github/") or name == ".gitlab-ci.yml" or name.endswith("Jenkinsfile")


def test_ci_builds_scans_tests_pushes_and_gates(profiled) -> None:
    delivery, out = profiled
    names = _ci_names(out)
    assert names
    for name in names:
        text = _text(out / name)
        assert "HIGH,CRITICAL" in text, f"{name}: no Trivy gate on HIGH/CRITICAL"
        assert "MONOLITH_IMAGE" in text, f"{name}: no integration test against the monolith"
        assert 'docker push "$IMAGE:$TAG"' in text and '"$IMAGE:$SEMVER"' in text, name
        assert ":latest" not in text, name
        assert "go-no-go.sh" in text, f"{name}: deploy not gated on the go/no-go checks"
        if delivery.profile.signed:
            assert "cosign" in text and "verify --key" in text, name
        if delivery.profile.approval:
            assert "audit.jsonl" in text, name


# --- the deploy gates of each CI system -------------------------------------------------------


def test_gitlab_stages_needs_and_approvals() -> None:
    plan, facts = demo("shop")
    delivery = choose_delivery(facts, "enterprise", ci="gitlab")
    data = yaml.safe_load(plan_files(plan, facts, delivery)[".gitlab-ci.yml"])
    assert data["stages"] == ["build", "scan", "test", "push", "deploy"]
    slug = next(k.split(":")[0] for k in data if k.endswith(":build"))
    assert data[f"{slug}:push"]["needs"] == [f"{slug}:build", f"{slug}:scan", f"{slug}:test"]
    assert data[f"{slug}:deploy-staging"]["needs"] == [f"{slug}:verify"]
    assert data[f"{slug}:deploy-production"]["needs"] == [f"{slug}:go-no-go-staging"]
    production = data[f"{slug}:deploy-production"]
    assert production["rules"][0]["when"] == "manual" and production["allow_failure"] is False
    assert production["environment"]["name"] == "production"
    # Secrets are never values in the file: only the job token and protected variables.
    for job in (v for k, v in data.items() if ":" in k):
        assert not set(job.get("variables", {})) & {"HARBOR_ROBOT_TOKEN", "COSIGN_PRIVATE_KEY"}


def test_github_deploys_are_environments_after_the_build() -> None:
    plan, facts = demo("shop")
    delivery = choose_delivery(facts, "mid-size", ci="github")
    files = plan_files(plan, facts, delivery)
    name = next(k for k in files if k.startswith(".github/workflows/"))
    data = yaml.safe_load(files[name])
    jobs = data["jobs"]
    assert jobs["deploy-staging"]["needs"] == "build-scan-test-push"
    assert jobs["deploy-production"]["needs"] == "deploy-staging"
    assert jobs["deploy-production"]["environment"] == "production"
    assert "go-no-go.sh" in jobs["deploy-production"]["steps"][-1]["run"]


def test_jenkins_asks_release_managers_before_production() -> None:
    plan, facts = demo("java")
    delivery = choose_delivery(facts, "enterprise")
    files = plan_files(plan, facts, delivery)
    text = next(v for k, v in files.items() if k.endswith("/Jenkinsfile"))
    assert isinstance(text, str)
    approve = text.index("submitter: 'release-managers'")
    assert text.index("Deploy to staging") < approve < text.index("Deploy to production")
    assert "credentials('" in text and "withCredentials([" in text


# --- --ci and --registry from the command line ------------------------------------------------


@pytest.mark.parametrize("registry", REGISTRIES)
@pytest.mark.parametrize("ci", CI_SYSTEMS)
def test_ci_and_registry_options_reach_every_file(ci: str, registry: str, tmp_path: Path) -> None:
    folder = demo_dir("shop")
    out = tmp_path / "scaffold"
    # enterprise: every kind of file (CI, Kubernetes manifests) is written
    arguments = ["scaffold", str(folder / "plan.json"), "--out", str(out)]
    arguments += ["--profile", "enterprise", "--ci", ci, "--registry", registry]
    result = CliRunner().invoke(app, arguments)
    assert result.exit_code == 0, result.output
    data = json.loads((out / "delivery.json").read_text(encoding="utf-8"))
    assert (data["ci"], data["registry"]) == (ci, registry)
    expected = registry_for(registry, ci)
    names = _ci_names(out)
    assert names, "no CI file listed"
    others = [registry_for(r, ci).login[0] for r in REGISTRIES if r != registry]
    tokens = re.findall(r"[A-Z_][A-Z0-9_]+|[a-z][a-z0-9.-]*\.[a-z]+", expected.prefix)
    assert tokens
    for name in names:
        text = _text(out / name)
        assert expected.login[0] in text, f"{name} does not log in to {registry}"
        for image in _images(out / name):
            assert all(token in image for token in tokens), f"{name} pushes {image}"
        for login in others:
            assert login not in text, f"{name} logs in to another registry: {login}"
    assert not list(out.glob(".github/workflows/*")) or ci == "github"
    assert (out / ".gitlab-ci.yml").exists() == (ci == "gitlab")
    assert bool(list(out.glob("*/Jenkinsfile"))) == (ci == "jenkins")
    deployments = sorted(out.glob("kubernetes/services/*/deployment.yaml"))
    assert deployments
    for path in deployments:
        image = yaml.safe_load(path.read_text(encoding="utf-8"))["spec"]["template"]["spec"][
            "containers"
        ][0]["image"]
        assert image.startswith(expected.example + "/"), f"{path}: {image}"


def _images(path: Path) -> list[str]:
    """The image name each CI file pushes (its IMAGE setting)."""
    if path.name == "Jenkinsfile":
        images = re.findall(r'^ +IMAGE = "([^"]+)"', path.read_text(encoding="utf-8"), re.M)
    else:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        images = [data.get("env", {}).get("IMAGE", "")]
        images += [
            job["variables"]["IMAGE"]
            for job in data.values()
            if isinstance(job, dict) and "IMAGE" in job.get("variables", {})
        ]
        images = [i for i in images if i]
    assert images, f"{path}: no IMAGE setting"
    return images


# --- which CI the legacy repository uses ------------------------------------------------------


def test_ci_is_detected_from_the_facts() -> None:
    def facts_with(*paths: str) -> Facts:
        return Facts(root="/x", warnings=tuple(AnalysisWarning("files", p, "seen") for p in paths))

    gitlab = choose_delivery(facts_with(".gitlab-ci.yml"))
    assert gitlab.ci == "gitlab" and ".gitlab-ci.yml" in gitlab.ci_reason
    jenkins = choose_delivery(facts_with("ci/Jenkinsfile"), profile="mid-size")
    assert jenkins.ci == "jenkins"
    explicit = choose_delivery(facts_with("Jenkinsfile"), ci="github")
    assert explicit.ci == "github" and explicit.ci_reason == "--ci github"
    none = choose_delivery(facts_with())
    assert none.ci == "github" and "defaulting to github" in none.ci_reason
    both = choose_delivery(facts_with("Jenkinsfile", ".github/workflows/ci.yml"))
    assert both.ci == "github" and "several CI systems" in both.ci_reason


# --- the default scaffold is unchanged; a delivery path only adds ------------------------------


@pytest.mark.parametrize("profile", PROFILE_NAMES)
def test_a_delivery_path_only_adds_files(profile: str) -> None:
    plan, facts = demo("shop")
    default = plan_files(plan, facts)
    delivery = choose_delivery(facts, profile)
    chosen = plan_files(plan, facts, delivery)
    for name, content in default.items():
        if name.startswith(".github/workflows/"):
            assert (name in chosen) == (delivery.ci == "github")
            continue
        assert chosen[name] == content, f"{name} changed"


# --- the go/no-go gate against real HTTP servers ----------------------------------------------


class _Handler(http.server.BaseHTTPRequestHandler):
    statuses: ClassVar[dict[str, int]] = {}
    body = b""

    def do_GET(self) -> None:
        status = self.statuses.get(self.path.split("?")[0], 200)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[tuple[str, type[_Handler]]]:
    handler = type("Handler", (_Handler,), {"statuses": {}, "body": b"{}"})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", handler
    httpd.shutdown()


def _gate(tmp_path: Path) -> tuple[Path, list[str]]:
    plan, facts = demo("shop")
    delivery = choose_delivery(facts, "mid-size")
    files = plan_files(plan, facts, delivery)
    script = tmp_path / "go-no-go.sh"
    script.write_text(str(files["wave-1/go-no-go.sh"]), encoding="utf-8")
    lines = str(files["wave-1/go-no-go.sh"]).splitlines()
    probes = [line for line in lines if line.startswith('code=$(status "$facade/')]
    paths = [line.split("$facade")[1].split('"')[0] for line in probes]
    return script, [p for p in paths if p != "/healthz"]


def test_gate_says_go_when_facade_and_alerts_are_fine(tmp_path: Path, server) -> None:
    url, handler = server
    script, _ = _gate(tmp_path)
    handler.body = b'{"status":"success","data":{"resultType":"vector","result":[]}}'
    result = subprocess.run(
        ["sh", str(script), url],
        env={"PATH": "/usr/bin:/bin", "PROMETHEUS_URL": url},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "go: wave 1" in result.stdout


def test_gate_says_no_go_on_a_5xx_route(tmp_path: Path, server) -> None:
    url, handler = server
    script, paths = _gate(tmp_path)
    assert paths, "wave 1 reroutes parameterless GET routes to probe"
    handler.statuses[paths[0]] = 502
    result = subprocess.run(
        ["sh", str(script), url],
        env={"PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1 and f"no-go: {paths[0]} answers 502" in result.stdout


def test_gate_says_no_go_while_an_alert_fires(tmp_path: Path, server) -> None:
    url, handler = server
    script, _ = _gate(tmp_path)
    handler.body = (
        b'{"status":"success","data":{"resultType":"vector","result":[{"metric":'
        b'{"alertname":"CatalogErrorRateAboveBaseline","wave":"1"},"value":[1,"1"]}]}}'
    )
    result = subprocess.run(
        ["sh", str(script), url],
        env={"PATH": "/usr/bin:/bin", "PROMETHEUS_URL": url},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1 and "alerts are firing" in result.stdout
