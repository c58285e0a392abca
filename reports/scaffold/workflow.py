"""Renders a service's CI workflow: build, Trivy scan, integration test, push by version tag."""

from __future__ import annotations

from typing import Any

from reports.scaffold.compose import dump_yaml
from reports.scaffold.model import FACADE_PORT, ServiceSpec, WaveSpec

# Actions pinned to released versions (never a branch or `latest`); bump them deliberately.
CHECKOUT = "actions/checkout@v4.2.2"
LOGIN = "docker/login-action@v3.3.0"
TRIVY = "aquasecurity/trivy-action@0.28.0"
RUNNER = "ubuntu-24.04"


def smoke_paths(wave: WaveSpec, spec: ServiceSpec) -> list[str]:
    """Parameterless GET routes of the service, probed through the facade."""
    return sorted(
        {
            e.path
            for e in spec.reroute
            if e.method.upper() in {"GET", "ANY", "*"} and "<" not in e.path and "{" not in e.path
        }
    )


def compose_command(spec: ServiceSpec) -> str:
    """The compose command the integration test runs in the wave's folder."""
    return f"docker compose -f compose.prod.yml --project-name ci-{spec.slug}"


def integration_lines(spec: ServiceSpec, wave: WaveSpec, host: str = "127.0.0.1") -> list[str]:
    """Shell lines of the integration test: the wave's stack up, then probes through the facade
    (published on `host`: a docker-in-docker service answers on its own host name)."""
    compose = compose_command(spec)
    test_lines = [
        f"{compose} up --detach --wait --wait-timeout 180",
        "curl --fail --silent --show-error --retry 5 --retry-all-errors"
        f" http://{host}:{FACADE_PORT}/healthz",
    ]
    for path in smoke_paths(wave, spec):
        test_lines += [
            "code=$(curl --silent --output /dev/null --write-out '%{http_code}'"
            f' "http://{host}:{FACADE_PORT}{path}")',
            f'test "$code" -lt 500 || {{ echo "{path} answered $code"; exit 1; }}',
        ]
    return test_lines


MONOLITH_CHECKOUT = "monolith-src"


def _build_and_scan(wave: WaveSpec) -> list[dict[str, Any]]:
    """Every new service of the wave built at this commit (sources copied from the monolith
    first), then each image scanned: the integration test needs them all, pushes none."""
    steps: list[dict[str, Any]] = []
    for peer in wave.new:
        steps.append(
            {
                "name": f"Build {peer.slug} at this commit (its sources copied from the monolith)",
                "env": {"TAG": "${{ steps.version.outputs.sha }}"},
                "run": "\n".join(
                    [
                        f'./{peer.slug}/copy-sources.sh "$GITHUB_WORKSPACE/{MONOLITH_CHECKOUT}"',
                        "docker build --target production"
                        f' --tag "${{{{ vars.REGISTRY }}}}/{peer.slug}:$TAG" {peer.slug}',
                    ]
                ),
            }
        )
    for peer in wave.new:
        steps.append(
            {
                "name": f"Scan {peer.slug} (fail on HIGH or CRITICAL vulnerabilities)",
                "uses": TRIVY,
                "with": {
                    "image-ref": "${{ vars.REGISTRY }}/"
                    + peer.slug
                    + ":${{ steps.version.outputs.sha }}",
                    "severity": "HIGH,CRITICAL",
                    "exit-code": "1",
                    "ignore-unfixed": True,
                    "vuln-type": "os,library",
                    "format": "table",
                },
            }
        )
    return steps


def render_workflow(spec: ServiceSpec, wave: WaveSpec) -> str:
    """`.github/workflows/<service>.yml` for a repository laid out like the scaffold."""
    data, header = workflow_data(spec, wave)
    return dump_yaml(data, header)


def workflow_data(spec: ServiceSpec, wave: WaveSpec) -> tuple[dict[str, Any], str]:
    """The workflow as data plus its comment header (the delivery paths extend it)."""
    wave_dir = f"wave-{wave.number}"
    compose = compose_command(spec)
    env: dict[str, str] = {
        "REGISTRY": "${{ vars.REGISTRY }}",
        "MONOLITH_IMAGE": "${{ vars.MONOLITH_IMAGE }}",
        "MONOLITH_DATABASE_URL": "${{ secrets.MONOLITH_DATABASE_URL }}",
    }
    peers = {p.slug for p in wave.new}
    for other in wave.live:
        # The wave's new services are built here at this commit (none is pushed before the
        # wave's test passes, so none is pulled); earlier waves' run their released versions.
        version = (
            "${{ steps.version.outputs.sha }}"
            if other.slug in peers
            else "${{ vars." + other.env + "_VERSION }}"
        )
        env[f"{other.env}_VERSION"] = version
        env[f"{other.env}_DATABASE_URL"] = "${{ secrets." + other.env + "_DATABASE_URL }}"
    test_script = "\n".join(integration_lines(spec, wave))
    steps: list[dict[str, Any]] = [
        {"uses": CHECKOUT},
        {
            "name": "Check out the monolith (the services' sources are copied from it)",
            "uses": CHECKOUT,
            "with": {
                "repository": "${{ vars.MONOLITH_REPOSITORY }}",
                "ref": "${{ vars.MONOLITH_REF }}",
                "path": MONOLITH_CHECKOUT,
            },
        },
        {
            "name": "Version tags (git sha, and semver on a release tag)",
            "id": "version",
            "run": "\n".join(
                [
                    'echo "sha=${GITHUB_SHA::12}" >> "$GITHUB_OUTPUT"',
                    f'if [[ "$GITHUB_REF" == refs/tags/{spec.slug}-v* ]]; then',
                    f'  echo "semver=${{GITHUB_REF#refs/tags/{spec.slug}-v}}" >> "$GITHUB_OUTPUT"',
                    "fi",
                ]
            ),
        },
        {
            "name": "Log in to the registry",
            "uses": LOGIN,
            "with": {
                "registry": "${{ vars.REGISTRY_HOST }}",
                "username": "${{ secrets.REGISTRY_USERNAME }}",
                "password": "${{ secrets.REGISTRY_PASSWORD }}",
            },
        },
        *_build_and_scan(wave),
        {
            "name": "Integration test through the strangler facade",
            "working-directory": wave_dir,
            "env": env,
            "run": test_script,
        },
        {
            "name": "Service logs",
            "if": "failure()",
            "working-directory": wave_dir,
            "env": env,
            "run": f"{compose} logs --no-color",
        },
        {
            "name": "Stop the stack",
            "if": "always()",
            "working-directory": wave_dir,
            "env": env,
            "run": f"{compose} down --volumes",
        },
        {
            "name": "Push the version tags (git sha, and semver on a release)",
            "if": "github.event_name == 'push'",
            "env": {
                "TAG": "${{ steps.version.outputs.sha }}",
                "SEMVER": "${{ steps.version.outputs.semver }}",
            },
            "run": "\n".join(
                [
                    'docker push "$IMAGE:$TAG"',
                    'if [ -n "$SEMVER" ]; then',
                    '  docker tag "$IMAGE:$TAG" "$IMAGE:$SEMVER"',
                    '  docker push "$IMAGE:$SEMVER"',
                    "fi",
                ]
            ),
        },
    ]
    paths = [f"{p.slug}/**" for p in wave.new]
    paths += [f"{wave_dir}/**", f".github/workflows/{spec.slug}.yml"]
    data: dict[str, Any] = {
        "name": spec.slug,
        "on": {
            "push": {"branches": ["main"], "tags": [f"{spec.slug}-v*"], "paths": paths},
            "pull_request": {"paths": paths},
        },
        "permissions": {"contents": "read"},
        "concurrency": {"group": f"{spec.slug}-${{{{ github.ref }}}}", "cancel-in-progress": True},
        "env": {"IMAGE": "${{ vars.REGISTRY }}/" + spec.slug},
        "jobs": {
            "build-scan-test-push": {
                "runs-on": RUNNER,
                "timeout-minutes": 30,
                "steps": steps,
            }
        },
    }
    header = (
        f"CI for service `{spec.name}` (wave {wave.number}): build every new service of the"
        "\nwave at this commit -> Trivy scan -> integration test through the facade -> push this"
        "\nservice's image tagged with the git sha (and the semver of a"
        f"\n`{spec.slug}-vX.Y.Z` tag). Never pushes `latest`. Needs vars REGISTRY, REGISTRY_HOST,"
        "\nMONOLITH_IMAGE, MONOLITH_REPOSITORY, MONOLITH_REF, <SERVICE>_VERSION of the services of"
        "\nearlier waves, and secrets"
        "\nREGISTRY_USERNAME, REGISTRY_PASSWORD, *_DATABASE_URL."
    )
    return data, header
