"""Shell lines every CI system runs alike: scan, push, sign, deploy and the go/no-go gate."""

from __future__ import annotations

from reports.scaffold.model import ServiceSpec, WaveSpec
from reports.scaffold.profiles import Delivery

# Pinned tool images (never `latest`; bump them deliberately).
TRIVY_IMAGE = "aquasec/trivy:0.57.1"
DOCKER_IMAGE = "docker:27.3.1"
DIND_IMAGE = "docker:27.3.1-dind"
KUBECTL_IMAGE = "bitnami/kubectl:1.31.2"
COSIGN_IMAGE = "gcr.io/projectsigstore/cosign:v2.4.1"
NAMESPACE = "strangler"
SEVERITY = "HIGH,CRITICAL"


def trivy_args(target: str) -> str:
    """Trivy's arguments: fail on fixable HIGH or CRITICAL vulnerabilities of `target`."""
    return (
        f"--exit-code 1 --severity {SEVERITY} --ignore-unfixed --no-progress"
        f" --vuln-type os,library {target}"
    )


def push_lines() -> list[str]:
    """Push by git sha, and by semver on a release tag; never `latest`."""
    return [
        'docker push "$IMAGE:$TAG"',
        'if [ -n "${SEMVER:-}" ]; then',
        '  docker tag "$IMAGE:$TAG" "$IMAGE:$SEMVER"',
        '  docker push "$IMAGE:$SEMVER"',
        "fi",
    ]


def sign_lines() -> list[str]:
    """Sign the pushed digest with cosign (key from the CI's secret store)."""
    return [
        "DIGEST=$(docker inspect --format '{{index .RepoDigests 0}}' \"$IMAGE:$TAG\")",
        "docker run --rm -e COSIGN_PRIVATE_KEY -e COSIGN_PASSWORD"
        f' -v "$HOME/.docker:/root/.docker:ro" {COSIGN_IMAGE}'
        ' sign --yes --key env://COSIGN_PRIVATE_KEY "$DIGEST"',
    ]


def verify_lines() -> list[str]:
    """Verify the image's signature before deploying it."""
    return [
        "docker run --rm -e COSIGN_PUBLIC_KEY"
        f' -v "$HOME/.docker:/root/.docker:ro" {COSIGN_IMAGE}'
        ' verify --key env://COSIGN_PUBLIC_KEY "$IMAGE:$TAG"',
    ]


def deploy_lines(delivery: Delivery, spec: ServiceSpec, wave: WaveSpec) -> list[str]:
    """Deploy the wave with this service at `$TAG` to the environment the CI job targets."""
    if delivery.kubernetes:
        kubectl = f'kubectl --context "$KUBE_CONTEXT" --namespace {NAMESPACE}'
        # The overlay pins every live service's released version; this one gets the new tag.
        return [
            f"kubectl kustomize kubernetes/waves/{wave.number}"
            f' | sed "s|image: .*/{spec.slug}:.*|image: $IMAGE:$TAG|"'
            ' | kubectl --context "$KUBE_CONTEXT" apply -f -',
            f"{kubectl} rollout status deployment/{spec.slug} --timeout 10m",
        ]
    return [
        f"cd wave-{wave.number}",
        'export REGISTRY="${IMAGE%/*}"',
        f'export {spec.env}_VERSION="$TAG"',
        'DOCKER_HOST="ssh://$DEPLOY_HOST" docker compose -f compose.prod.yml'
        " --project-name strangler up --detach --wait --wait-timeout 300",
    ]


def gate_lines(wave: WaveSpec) -> list[str]:
    """The wave's go/no-go gate against the environment just deployed."""
    return [f'sh wave-{wave.number}/go-no-go.sh "$FACADE_URL"']


def audit_lines(spec: ServiceSpec, wave: WaveSpec) -> list[str]:
    """One JSON line for the audit log: what was deployed, where, by which pipeline."""
    return [
        'printf \'{"service":"%s","wave":%s,"image":"%s","environment":"%s",'
        f'"pipeline":"%s"}}\\n\' {spec.slug} {wave.number}'
        ' "$IMAGE:$TAG" "$DEPLOY_ENVIRONMENT" "$PIPELINE_URL" | tee -a audit.jsonl',
    ]


def stack_settings(spec: ServiceSpec, wave: WaveSpec) -> tuple[list[str], list[str]]:
    """The names the wave's compose.prod.yml needs besides REGISTRY and this service's version:
    (plain settings, secrets)."""
    plain = ["MONOLITH_IMAGE"]
    plain += [f"{other.env}_VERSION" for other in wave.live if other.slug != spec.slug]
    secrets = ["MONOLITH_DATABASE_URL", *(f"{other.env}_DATABASE_URL" for other in wave.live)]
    return plain, secrets


def ssh_setup_lines(key_file: str) -> list[str]:
    """Make the deploy host's key (a file the CI provides) and known hosts usable by docker."""
    return [
        'mkdir -p "$HOME/.ssh" && chmod 700 "$HOME/.ssh"',
        f'cp "{key_file}" "$HOME/.ssh/id_ed25519" && chmod 600 "$HOME/.ssh/id_ed25519"',
        'printf \'%s\\n\' "$DEPLOY_KNOWN_HOSTS" > "$HOME/.ssh/known_hosts"',
    ]


def monolith_image_line() -> str:
    """The integration test runs against the monolith's current image: fail early without it."""
    return ': "${MONOLITH_IMAGE:?set MONOLITH_IMAGE to the monolith\'s current image}"'
