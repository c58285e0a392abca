"""Renders a service's declarative `Jenkinsfile`: build, scan, test, push, gated deploys."""

from __future__ import annotations

import re

from reports.scaffold.model import ServiceSpec, WaveSpec
from reports.scaffold.profiles import Delivery
from reports.scaffold.registry import Registry, registry_for
from reports.scaffold.stages import (
    TRIVY_IMAGE,
    audit_lines,
    deploy_lines,
    gate_lines,
    monolith_image_line,
    push_lines,
    sign_lines,
    stack_settings,
    trivy_args,
    verify_lines,
)
from reports.scaffold.workflow import compose_command, integration_lines

INDENT = "    "


def credential_id(name: str) -> str:
    """A secret's Jenkins credential id: MONOLITH_DATABASE_URL -> monolith-database-url."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _groovy(text: str) -> str:
    """Text inside a Groovy ''' string (no interpolation; backslashes and quotes escaped)."""
    return text.replace("\\", "\\\\").replace("'''", "\\'\\'\\'")


def _quoted(text: str) -> str:
    """Text inside a Groovy '...' string."""
    return text.replace("\\", "\\\\").replace("'", "\\'")


def _interpolated(shell: str) -> str:
    """A shell expression of environment variables as a Groovy GString: $X -> ${env.X}."""
    return re.sub(r"\$([A-Z_][A-Z0-9_]*)", r"${env.\1}", shell)


def _sh(lines: list[str], depth: int) -> list[str]:
    pad = INDENT * depth
    body = [f"{pad}{INDENT}{_groovy(line)}" for line in ["set -eu", *lines]]
    return [f"{pad}sh '''", *body, f"{pad}'''"]


def _registry_credentials(registry: Registry) -> str:
    """`withCredentials` bindings for the registry's secret pair (by credential id)."""
    if not registry.secrets:
        return ""
    user, password = registry.secrets
    return (
        f"usernamePassword(credentialsId: '{credential_id(registry.name + '-registry')}',"
        f" usernameVariable: '{user}', passwordVariable: '{password}')"
    )


def _with(bindings: list[str], body: list[str], depth: int) -> list[str]:
    if not bindings:
        return body
    pad = INDENT * depth
    inner = [INDENT + line for line in body]
    return [f"{pad}withCredentials([{', '.join(bindings)}]) {{", *inner, f"{pad}}}"]


def _stage(name: str, body: list[str], when: list[str] | None = None, extra=()) -> list[str]:
    out = [f"{INDENT * 2}stage('{_quoted(name)}') {{"]
    if when:
        out += [f"{INDENT * 3}when {{", *(f"{INDENT * 4}{w}" for w in when), f"{INDENT * 3}}}"]
    out += list(extra)
    out += [f"{INDENT * 3}steps {{", *body, f"{INDENT * 3}}}", f"{INDENT * 2}}}"]
    return out


def render_jenkinsfile(delivery: Delivery, spec: ServiceSpec, wave: WaveSpec) -> str:
    """`<service>/Jenkinsfile` (multibranch pipeline, script path `<service>/Jenkinsfile`)."""
    registry = registry_for(delivery.registry, "jenkins")
    slug = spec.slug
    released = [
        "anyOf {",
        "    branch 'main'",
        f"    tag pattern: '{slug}-v*', comparator: 'GLOB'",
        "}",
    ]
    plain, secrets = stack_settings(spec, wave)
    stack_env = [f"{INDENT * 3}environment {{"]
    stack_env += [f'{INDENT * 4}REGISTRY = "{_interpolated(registry.prefix)}"']
    # The wave's new services are built and tested together at this commit: none is pulled.
    stack_env += [f'{INDENT * 4}{p.env}_VERSION = "${{env.TAG}}"' for p in wave.new]
    stack_env += [f"{INDENT * 4}{name} = credentials('{credential_id(name)}')" for name in secrets]
    stack_env += [f"{INDENT * 3}}}"]
    compose = compose_command(spec)
    stages: list[str] = []
    stages += _stage(
        "Build",
        _sh(
            [
                line
                for p in wave.new
                for line in (
                    f'./{p.slug}/copy-sources.sh "${{MONOLITH_DIR:?set MONOLITH_DIR}}"',
                    "docker build --target production --tag"
                    f' "{registry.prefix}/{p.slug}:$TAG" {p.slug}',
                )
            ],
            4,
        ),
    )
    stages += _stage(
        "Scan (Trivy, fail on HIGH/CRITICAL)",
        _sh(
            [
                "docker run --rm -v /var/run/docker.sock:/var/run/docker.sock"
                f" {TRIVY_IMAGE} image {trivy_args(chr(34) + '$IMAGE:$TAG' + chr(34))}"
            ],
            4,
        ),
    )
    test = [
        f"{INDENT * 4}dir('wave-{wave.number}') {{",
        *_sh([monolith_image_line(), *integration_lines(spec, wave)], 5),
    ]
    test += [f"{INDENT * 4}}}"]
    post = [
        f"{INDENT * 3}post {{",
        f"{INDENT * 4}always {{",
        f"{INDENT * 5}dir('wave-{wave.number}') {{",
        *_sh([f"{compose} logs --no-color", f"{compose} down --volumes"], 6),
        f"{INDENT * 5}}}",
        f"{INDENT * 4}}}",
        f"{INDENT * 3}}}",
    ]
    stages += _stage("Integration test against the current monolith image", test, None, stack_env)
    stages = stages[:-1] + post + stages[-1:]
    binding = [_registry_credentials(registry)] if registry.secrets else []
    push = [*registry.login, *push_lines()]
    if delivery.profile.signed:
        push += sign_lines()
        binding += [
            "string(credentialsId: 'cosign-private-key', variable: 'COSIGN_PRIVATE_KEY')",
            "string(credentialsId: 'cosign-password', variable: 'COSIGN_PASSWORD')",
        ]
    semver = (
        f'case "${{TAG_NAME:-}}" in {slug}-v*) SEMVER="${{TAG_NAME#{slug}-v}}";;'
        ' *) SEMVER="";; esac'
    )
    stages += _stage(
        "Push (git sha and semver, never latest)",
        _with(binding, _sh([semver, *push], 4 if not binding else 5), 4),
        released,
    )
    if delivery.profile.signed:
        verify = [_registry_credentials(registry)] if registry.secrets else []
        verify += ["string(credentialsId: 'cosign-public-key', variable: 'COSIGN_PUBLIC_KEY')"]
        stages += _stage(
            "Verify the signature",
            _with(verify, _sh([*registry.login, *verify_lines()], 5), 4),
            released,
        )
    environments = (["staging"] if delivery.profile.staging else []) + ["production"]
    for environment in environments:
        if environment == "production" and delivery.profile.approval:
            stages += _stage(
                "Approve production (release managers, not the author)",
                [
                    f"{INDENT * 4}input message: 'Deploy {slug} (wave {wave.number}) to"
                    " production?', submitter: 'release-managers'"
                ],
                released,
            )
        target = (
            f"file(credentialsId: 'kubeconfig-{environment}', variable: 'KUBECONFIG')"
            if delivery.kubernetes
            else f"sshUserPrivateKey(credentialsId: 'deploy-{environment}',"
            " keyFileVariable: 'SSH_KEY')"
        )
        upper = environment.upper()
        env_block = [
            f"{INDENT * 3}environment {{",
            f"{INDENT * 4}DEPLOY_ENVIRONMENT = '{environment}'",
            f'{INDENT * 4}FACADE_URL = "${{env.{upper}_FACADE_URL}}"',
            f'{INDENT * 4}PIPELINE_URL = "${{env.BUILD_URL}}"',
            (
                f'{INDENT * 4}KUBE_CONTEXT = "${{env.{upper}_KUBE_CONTEXT}}"'
                if delivery.kubernetes
                else f'{INDENT * 4}DEPLOY_HOST = "${{env.{upper}_DEPLOY_HOST}}"'
            ),
            f"{INDENT * 3}}}",
        ]
        ssh = [] if delivery.kubernetes else ['export DOCKER_SSH_KEY="$SSH_KEY"']
        lines = [*ssh, *deploy_lines(delivery, spec, wave)]
        if not delivery.kubernetes:
            lines.append('cd "$WORKSPACE"')
        lines += gate_lines(wave)
        if delivery.profile.approval:
            lines += audit_lines(spec, wave)
        stages += _stage(
            f"Deploy to {environment} (gated on the wave's go/no-go)",
            _with([target], _sh(lines, 5), 4),
            released,
            env_block,
        )
    out = [
        f"// CI/CD for service `{spec.name}` (wave {wave.number}, {delivery.profile.name} profile,"
        f" registry: {registry.title}).",
        "// Build -> Trivy scan (HIGH/CRITICAL fail) -> integration test against the monolith's",
        "// current image (MONOLITH_IMAGE) -> push tagged with the git sha (and the semver of a",
        f"// `{slug}-vX.Y.Z` tag; never latest) -> deploy, gated on the wave's go/no-go script.",
        f"// Global environment: {', '.join([*registry.variables, *plain])},",
        "// <ENV>_FACADE_URL and <ENV>_"
        + ("KUBE_CONTEXT" if delivery.kubernetes else "DEPLOY_HOST")
        + " per environment.",
        "// Credentials by id (values live in Jenkins' credential store only): "
        + ", ".join(
            sorted(
                {credential_id(s) for s in secrets}
                | ({credential_id(registry.name + "-registry")} if registry.secrets else set())
            )
        )
        + ".",
        "pipeline {",
        f"{INDENT}agent {{ label 'docker' }}",
        f"{INDENT}options {{",
        f"{INDENT * 2}timeout(time: 30, unit: 'MINUTES')",
        f"{INDENT * 2}disableConcurrentBuilds()",
        f"{INDENT * 2}buildDiscarder(logRotator(numToKeepStr: '50'))",
        f"{INDENT}}}",
        f"{INDENT}environment {{",
        f'{INDENT * 2}IMAGE = "{_interpolated(registry.prefix)}/{slug}"',
        f'{INDENT * 2}TAG = "${{env.GIT_COMMIT.take(12)}}"',
        f"{INDENT}}}",
        f"{INDENT}stages {{",
        *stages,
        f"{INDENT}}}",
        "}",
        "",
    ]
    return "\n".join(out)
