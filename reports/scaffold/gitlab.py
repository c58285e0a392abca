"""Renders `.gitlab-ci.yml`: build -> scan -> test -> push -> deploy for every extracted service."""

from __future__ import annotations

from typing import Any

from reports.scaffold.blocks import dump_blocks
from reports.scaffold.model import WaveSpec
from reports.scaffold.profiles import Delivery
from reports.scaffold.registry import registry_for
from reports.scaffold.stages import (
    DIND_IMAGE,
    DOCKER_IMAGE,
    KUBECTL_IMAGE,
    TRIVY_IMAGE,
    audit_lines,
    deploy_lines,
    gate_lines,
    monolith_image_line,
    push_lines,
    sign_lines,
    ssh_setup_lines,
    stack_settings,
    trivy_args,
    verify_lines,
)
from reports.scaffold.workflow import compose_command, integration_lines

STAGES = ["build", "scan", "test", "push", "deploy"]
PROTECTED = "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH || $CI_COMMIT_TAG =~ /^{slug}-v/"


def _semver(slug: str) -> str:
    return (
        f'case "${{CI_COMMIT_TAG:-}}" in {slug}-v*) SEMVER="${{CI_COMMIT_TAG#{slug}-v}}";;'
        ' *) SEMVER="";; esac'
    )


def _jobs(delivery: Delivery, wave: WaveSpec) -> dict[str, Any]:
    registry = registry_for(delivery.registry, "gitlab")
    jobs: dict[str, Any] = {}
    for spec in wave.new:
        slug = spec.slug
        changes = [f"{slug}/**/*", f"wave-{wave.number}/**/*", ".gitlab-ci.yml"]
        if delivery.kubernetes:
            changes.append("kubernetes/**/*")
        changed = [
            {"if": f"$CI_COMMIT_TAG =~ /^{slug}-v/"},
            {"changes": changes},
        ]
        protected = [{"if": PROTECTED.format(slug=slug)}]
        variables = {"IMAGE": f"{registry.prefix}/{slug}", "TAG": "$CI_COMMIT_SHORT_SHA"}
        jobs[f"{slug}:build"] = {
            "stage": "build",
            "variables": variables,
            "rules": changed,
            "script": [
                # The monolith checkout (a submodule, or cloned by a job before): its code is
                # copied into the service before the build.
                f'./{slug}/copy-sources.sh "${{MONOLITH_DIR:?set MONOLITH_DIR}}"',
                f'docker build --target production --tag "$IMAGE:$TAG" {slug}',
                'docker save "$IMAGE:$TAG" --output ' + f"{slug}.tar",
            ],
            "artifacts": {"paths": [f"{slug}.tar"], "expire_in": "1 day"},
        }
        jobs[f"{slug}:scan"] = {
            "stage": "scan",
            "image": {"name": TRIVY_IMAGE, "entrypoint": [""]},
            "services": [],
            "needs": [f"{slug}:build"],
            "rules": changed,
            "script": [f"trivy image {trivy_args(f'--input {slug}.tar')}"],
        }
        compose = compose_command(spec)
        # The wave's new services are tested together at this commit, from their build jobs'
        # images: none is pulled before the wave's test has passed and pushed it.
        jobs[f"{slug}:test"] = {
            "stage": "test",
            "needs": [f"{p.slug}:build" for p in wave.new],
            "rules": changed,
            "variables": {
                **variables,
                "REGISTRY": registry.prefix,
                **{f"{p.env}_VERSION": "$CI_COMMIT_SHORT_SHA" for p in wave.new},
            },
            "before_script": [
                "apk add --no-cache curl",
                *(f"docker load --input {p.slug}.tar" for p in wave.new),
            ],
            "script": [
                monolith_image_line(),
                f"cd wave-{wave.number}",
                *integration_lines(spec, wave, host="docker"),
            ],
            "after_script": [
                f"cd wave-{wave.number}",
                f"{compose} logs --no-color",
                f"{compose} down --volumes",
            ],
        }
        # A multi-line shell construct stays one script item (GitLab runs items one by one).
        push = [*registry.login, _semver(slug), "\n".join(push_lines())]
        if delivery.profile.signed:
            push += sign_lines()
        jobs[f"{slug}:push"] = {
            "stage": "push",
            "needs": [f"{slug}:build", f"{slug}:scan", f"{slug}:test"],
            "rules": protected,
            "variables": variables,
            "before_script": [f"docker load --input {slug}.tar"],
            "script": push,
        }
        environments = (["staging"] if delivery.profile.staging else []) + ["production"]
        previous = f"{slug}:push"
        if delivery.profile.signed:
            jobs[f"{slug}:verify"] = {
                "stage": "deploy",
                "needs": [previous],
                "rules": protected,
                "variables": variables,
                "script": [*registry.login, *verify_lines()],
            }
            previous = f"{slug}:verify"
        for environment in environments:
            name = f"{slug}:deploy-{environment}"
            manual = environment == "production" and delivery.profile.approval
            rule = {**protected[0], "when": "manual"} if manual else protected[0]
            env = {"name": environment, "deployment_tier": environment}
            job: dict[str, Any] = {
                "stage": "deploy",
                "needs": [previous],
                "rules": [rule],
                "environment": env,
                "resource_group": f"{environment}-wave-{wave.number}",
                "variables": {
                    **variables,
                    "DEPLOY_ENVIRONMENT": environment,
                    "PIPELINE_URL": "$CI_PIPELINE_URL",
                },
                "script": [
                    *deploy_lines(delivery, spec, wave),
                    *(audit_lines(spec, wave) if delivery.profile.approval else []),
                ],
            }
            if delivery.kubernetes:
                job["image"] = {"name": KUBECTL_IMAGE, "entrypoint": [""]}
                job["services"] = []
            else:
                job["before_script"] = [
                    "apk add --no-cache openssh-client",
                    *ssh_setup_lines("$DEPLOY_SSH_KEY"),
                ]
            if manual:
                job["allow_failure"] = False
            if delivery.profile.approval:
                job["artifacts"] = {"paths": ["audit.jsonl"], "expire_in": "1 year"}
            jobs[name] = job
            gate = f"{slug}:go-no-go-{environment}"
            jobs[gate] = {
                "stage": "deploy",
                "needs": [name],
                "rules": protected,
                "environment": {**env, "action": "verify"},
                "services": [],
                "script": ["apk add --no-cache curl", *gate_lines(wave)],
            }
            previous = gate
    return jobs


def render_gitlab_ci(delivery: Delivery, waves: list[WaveSpec]) -> str:
    """`.gitlab-ci.yml` for a repository laid out like the scaffold (every wave's services)."""
    registry = registry_for(delivery.registry, "gitlab")
    jobs: dict[str, Any] = {}
    settings: set[str] = set(registry.variables)
    secrets: set[str] = set(registry.secrets)
    for wave in waves:
        jobs.update(_jobs(delivery, wave))
        for spec in wave.new:
            plain, hidden = stack_settings(spec, wave)
            settings |= set(plain)
            secrets |= set(hidden)
    if delivery.profile.signed:
        secrets |= {"COSIGN_PRIVATE_KEY", "COSIGN_PASSWORD", "COSIGN_PUBLIC_KEY"}
    deploy = {"KUBE_CONTEXT"} if delivery.kubernetes else {"DEPLOY_HOST", "DEPLOY_KNOWN_HOSTS"}
    if not delivery.kubernetes:
        secrets.add("DEPLOY_SSH_KEY")
    data: dict[str, Any] = {
        "stages": STAGES,
        "workflow": {
            "rules": [
                {"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'},
                {"if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"},
                {"if": "$CI_COMMIT_TAG"},
            ]
        },
        "default": {
            "image": DOCKER_IMAGE,
            "services": [{"name": DIND_IMAGE, "alias": "docker"}],
            "interruptible": True,
            "timeout": "30 minutes",
        },
        "variables": {"DOCKER_HOST": "tcp://docker:2376", "DOCKER_TLS_CERTDIR": "/certs"},
        **jobs,
    }
    header = (
        f"GitLab CI for the extracted services ({delivery.profile.name} profile, registry:"
        f" {registry.title}).\nPer service: build -> Trivy scan (HIGH/CRITICAL fail) ->"
        " integration test against the monolith's\ncurrent image (MONOLITH_IMAGE) -> push"
        " tagged with the git sha (and the semver of a\n`<service>-vX.Y.Z` tag; never latest)"
        " -> deploy, gated on the wave's go/no-go script.\nCI/CD variables (Settings > CI/CD):"
        f" {', '.join(sorted(settings | deploy | {'FACADE_URL'}))}."
        "\nProtected and masked variables (protected branches and tags only):"
        f" {', '.join(sorted(secrets)) or 'none (the job token logs in)'}."
        "\nFACADE_URL and the deploy settings are scoped per environment"
        " (staging, production)."
        + (
            "\nProtect the production environment with required approvals (separation of duties)."
            if delivery.profile.approval
            else ""
        )
    )
    return dump_blocks(data, header)
