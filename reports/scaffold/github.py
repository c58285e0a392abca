"""Renders a service's GitHub Actions workflow on a chosen delivery path: registry, deploys."""

from __future__ import annotations

import re
from typing import Any

from reports.scaffold.blocks import dump_blocks
from reports.scaffold.model import ServiceSpec, WaveSpec
from reports.scaffold.profiles import Delivery
from reports.scaffold.registry import registry_for
from reports.scaffold.stages import (
    audit_lines,
    deploy_lines,
    gate_lines,
    sign_lines,
    ssh_setup_lines,
    stack_settings,
    verify_lines,
)
from reports.scaffold.workflow import CHECKOUT, RUNNER, workflow_data

UPLOAD = "actions/upload-artifact@v4.4.3"
JOB = "build-scan-test-push"


def _vars(shell: str) -> str:
    """A shell expression of settings as a workflow expression: $X -> ${{ vars.X }}."""
    return re.sub(r"\$([A-Z_][A-Z0-9_]*)", r"${{ vars.\1 }}", shell)


def _env(variables: tuple[str, ...], secrets: tuple[str, ...]) -> dict[str, str]:
    env = {name: "${{ vars." + name + " }}" for name in variables}
    env.update({name: "${{ secrets." + name + " }}" for name in secrets})
    return env


def render_github_workflow(delivery: Delivery, spec: ServiceSpec, wave: WaveSpec) -> str:
    """`.github/workflows/<service>.yml` with the delivery's registry, signing and deploys."""
    registry = registry_for(delivery.registry, "github")
    data, header = workflow_data(spec, wave)
    prefix = _vars(registry.prefix)
    data["env"] = {"IMAGE": f"{prefix}/{spec.slug}"}
    if delivery.registry == "ghcr":
        data["permissions"] = {"contents": "read", "packages": "write"}
    job = data["jobs"][JOB]
    job["outputs"] = {"tag": "${{ steps.version.outputs.sha }}"}
    login = {
        "name": f"Log in to {registry.title}",
        "env": _env(registry.variables, registry.secrets),
        "run": "\n".join(registry.login),
    }
    steps: list[dict[str, Any]] = []
    for step in job["steps"]:
        if step.get("name") == "Log in to the registry":
            step = login
        elif step.get("name", "").startswith("Integration test"):
            step["env"]["REGISTRY"] = prefix
        elif step.get("name", "").startswith("Push") and delivery.profile.signed:
            step = {
                **step,
                "env": {
                    **step["env"],
                    **_env((), ("COSIGN_PRIVATE_KEY", "COSIGN_PASSWORD")),
                },
                "run": step["run"] + "\n" + "\n".join(sign_lines()),
            }
        steps.append(step)
    job["steps"] = steps
    plain, secrets = stack_settings(spec, wave)
    environments = (["staging"] if delivery.profile.staging else []) + ["production"]
    previous = JOB
    for environment in environments:
        setup = (
            [
                'printf \'%s\' "$KUBECONFIG_DATA" > "$RUNNER_TEMP/kubeconfig"',
                'export KUBECONFIG="$RUNNER_TEMP/kubeconfig"',
            ]
            if delivery.kubernetes
            else [
                'printf \'%s\\n\' "$DEPLOY_SSH_KEY" > "$RUNNER_TEMP/deploy_key"',
                *ssh_setup_lines("$RUNNER_TEMP/deploy_key"),
            ]
        )
        lines = [*setup, *deploy_lines(delivery, spec, wave)]
        if not delivery.kubernetes:
            lines.append('cd "$GITHUB_WORKSPACE"')
        lines += gate_lines(wave)
        if delivery.profile.approval:
            lines += audit_lines(spec, wave)
        env = {
            "TAG": "${{ needs." + JOB + ".outputs.tag }}",
            "DEPLOY_ENVIRONMENT": environment,
            "PIPELINE_URL": "${{ github.server_url }}/${{ github.repository }}"
            "/actions/runs/${{ github.run_id }}",
            "FACADE_URL": "${{ vars.FACADE_URL }}",
            "PROMETHEUS_URL": "${{ vars.PROMETHEUS_URL }}",
        }
        if delivery.kubernetes:
            env.update(_env(("KUBE_CONTEXT",), ("KUBECONFIG_DATA",)))
        else:
            env.update(_env(("DEPLOY_HOST", "DEPLOY_KNOWN_HOSTS", *plain), ("DEPLOY_SSH_KEY",)))
            env.update(_env((), tuple(secrets)))
        deploy_steps: list[dict[str, Any]] = [{"uses": CHECKOUT}]
        if delivery.profile.signed:
            deploy_steps.append(
                {
                    "name": "Verify the image signature",
                    "env": {
                        **_env(registry.variables, registry.secrets),
                        **_env((), ("COSIGN_PUBLIC_KEY",)),
                    },
                    "run": "\n".join([*registry.login, *verify_lines()]),
                }
            )
        deploy_steps.append(
            {
                "name": f"Deploy wave {wave.number} and run its go/no-go gate",
                "run": "\n".join(lines),
            }
        )
        if delivery.profile.approval:
            deploy_steps.append(
                {
                    "name": "Keep the audit record",
                    "uses": UPLOAD,
                    "with": {
                        "name": f"audit-{spec.slug}-{environment}",
                        "path": "audit.jsonl",
                        "retention-days": 90,
                    },
                }
            )
        data["jobs"][f"deploy-{environment}"] = {
            "needs": previous,
            "if": "github.event_name == 'push'",
            "runs-on": RUNNER,
            "timeout-minutes": 30,
            "environment": environment,
            "concurrency": {"group": f"{environment}-wave-{wave.number}"},
            "env": env,
            "steps": deploy_steps,
        }
        previous = f"deploy-{environment}"
    header = (
        f"CI/CD for service `{spec.name}` (wave {wave.number}, {delivery.profile.name} profile,"
        f" registry: {registry.title}): build -> Trivy scan (HIGH/CRITICAL fail) ->"
        "\nintegration test against the monolith's current image -> push tagged with the git"
        f" sha (and the\nsemver of a `{spec.slug}-vX.Y.Z` tag; never latest) -> deploy to "
        + " -> ".join(environments)
        + ", each gated on the wave's go/no-go script."
        "\nRepository variables: "
        + ", ".join([*registry.variables, *plain])
        + "; secrets: "
        + ", ".join([*registry.secrets, *secrets])
        + ".\nEnvironment-scoped (staging, production): FACADE_URL, PROMETHEUS_URL, "
        + (
            "KUBE_CONTEXT, secret KUBECONFIG_DATA"
            if delivery.kubernetes
            else "DEPLOY_HOST, DEPLOY_KNOWN_HOSTS, secret DEPLOY_SSH_KEY"
        )
        + "."
        + (
            "\nProtect the production environment with required reviewers (not the author)."
            if delivery.profile.approval
            else ""
        )
    )
    return dump_blocks(data, header)
