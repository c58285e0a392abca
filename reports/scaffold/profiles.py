"""Adoption profiles by company size, and the delivery choices (CI, registry, target) they imply."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from analyzers.facts import Facts

CI_SYSTEMS = ("github", "gitlab", "jenkins")
REGISTRIES = ("dockerhub", "harbor", "ecr", "ghcr", "gitlab")
PROFILE_NAMES = ("startup", "mid-size", "enterprise")
DEFAULT_PROFILE = "startup"

# What marks a repository as using a CI system: the files each one reads.
_CI_FILES = {
    "github": (".github/workflows/",),
    "gitlab": (".gitlab-ci.yml",),
    "jenkins": ("Jenkinsfile",),
}


@dataclass(frozen=True)
class Profile:
    """How a company of one size delivers: its defaults and the governance of every wave."""

    name: str
    people: str  # the lecture's head count
    ci: str
    registry: str
    kubernetes: bool  # manifests and kustomize overlays per wave
    monitoring: bool  # Prometheus rules, Grafana dashboards, log shipping per wave
    staging: bool  # deploy to staging before production
    canary: bool  # canary by weight where the step's rollout is a canary
    signed: bool  # images signed (cosign) and verified before deploy
    approval: bool  # a person approves the production deploy
    why: str
    governance: tuple[str, ...]  # the steps every wave goes through, in order


PROFILES: dict[str, Profile] = {
    "startup": Profile(
        name="startup",
        people="10-50 people",
        ci="github",
        registry="ghcr",
        kubernetes=False,
        monitoring=False,
        staging=False,
        canary=False,
        signed=False,
        approval=False,
        why=(
            "fast development with Docker Compose on one host, the CI that comes with the code "
            "host and its registry: the fewest moving parts and the lowest running cost"
        ),
        governance=(
            "CI is green: build, Trivy scan (HIGH/CRITICAL fail) and the integration test",
            "deploy the wave's compose.prod.yml on the host, then check the go/no-go list",
        ),
    ),
    "mid-size": Profile(
        name="mid-size",
        people="50-500 people",
        ci="gitlab",
        registry="ecr",
        kubernetes=False,
        monitoring=True,
        staging=True,
        canary=True,
        signed=False,
        approval=False,
        why=(
            "services split across teams: an automated CI/CD pipeline with image scans, a "
            "staging stage, canary releases and monitoring that makes every go/no-go measurable"
        ),
        governance=(
            "CI is green: build, Trivy scan (HIGH/CRITICAL fail) and the integration test",
            "deploy to staging and run the integration test there",
            "production rollout as the step says (a canary step sends a small share first);"
            " the wave's alert rules stay silent at each stage",
            "the go/no-go checks pass on the wave's Grafana dashboard",
        ),
    ),
    "enterprise": Profile(
        name="enterprise",
        people="500+ people",
        ci="jenkins",
        registry="harbor",
        kubernetes=True,
        monitoring=True,
        staging=True,
        canary=True,
        signed=True,
        approval=True,
        why=(
            "governance, security and compliance first: Kubernetes, a private registry, signed "
            "images, approvals by someone other than the author, and an audit trail of deploys"
        ),
        governance=(
            "CI is green: build, Trivy scan (HIGH/CRITICAL fail) and the integration test",
            "the image is signed (cosign) and its signature verified before any deploy",
            "deploy to staging with `kubectl apply -k`, run the integration test there",
            "a release manager who did not author the change approves production",
            "canary in production by weight; the wave's alert rules stay silent at each stage",
            "the deploy, its approver and the image digest are recorded in the audit log",
        ),
    ),
}


@dataclass(frozen=True)
class Delivery:
    """The delivery path chosen for a scaffold: profile, CI system, registry, and why."""

    profile: Profile
    ci: str
    registry: str
    ci_reason: str
    registry_reason: str
    profile_reason: str

    @property
    def kubernetes(self) -> bool:
        return self.profile.kubernetes

    @property
    def monitoring(self) -> bool:
        return self.profile.monitoring


def _facts_paths(facts: Facts) -> list[str]:
    """Every repository path the facts record (units, evidence, warnings)."""
    paths = [u.path for u in facts.units]
    paths += [e.evidence.path for e in facts.endpoints]
    paths += [w.path for w in facts.warnings]
    return sorted({p for p in paths if p})


def detect_ci(facts: Facts) -> tuple[str | None, str]:
    """The CI system the legacy repository uses, from the files its facts record, with why."""
    found: dict[str, str] = {}
    for path in _facts_paths(facts):
        posix = PurePosixPath(path).as_posix()
        for system, markers in _CI_FILES.items():
            for marker in markers:
                hit = posix.startswith(marker) or PurePosixPath(posix).name == marker
                if hit and system not in found:
                    found[system] = posix
    if len(found) == 1:
        system, path = next(iter(found.items()))
        return system, f"the legacy repository already uses it ({path})"
    if found:
        listed = ", ".join(f"{s} ({p})" for s, p in sorted(found.items()))
        return None, f"the legacy repository has several CI systems: {listed}"
    return None, "the facts record no CI files of the legacy repository"


def choose_delivery(
    facts: Facts, profile: str | None = None, ci: str | None = None, registry: str | None = None
) -> Delivery:
    """The delivery path: explicit options first, then the legacy repository's CI, then the
    profile's defaults (startup when no profile is given)."""
    chosen = PROFILES[profile or DEFAULT_PROFILE]
    profile_reason = (
        f"--profile {chosen.name} ({chosen.people}): {chosen.why}"
        if profile
        else f"no --profile given, so {DEFAULT_PROFILE} ({chosen.people}): {chosen.why}"
    )
    if ci:
        ci_reason = f"--ci {ci}"
    else:
        detected, why = detect_ci(facts)
        if detected:
            ci, ci_reason = detected, why
        elif profile:
            ci, ci_reason = chosen.ci, f"{why}; the {chosen.name} profile's default"
        else:
            ci, ci_reason = "github", f"{why}; defaulting to github"
    if registry:
        registry_reason = f"--registry {registry}"
    else:
        registry = chosen.registry
        registry_reason = f"the {chosen.name} profile's default"
    return Delivery(chosen, ci, registry, ci_reason, registry_reason, profile_reason)
