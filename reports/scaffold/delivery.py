"""The files of a chosen delivery path (CI, registry, Kubernetes, monitoring) and their index."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from analyzers.facts import Facts, encode
from planner.plan import Plan
from reports.scaffold.profiles import Delivery

if TYPE_CHECKING:
    from reports.scaffold.model import WaveSpec

# The renderers of the delivery files are imported where they are used: reading a scaffold's
# records (`planner plan`, `planner report`) does not load them (nor YAML).

MANIFEST = "delivery.json"
MANIFEST_VERSION = 1  # 1: profile, ci, registry, reasons, governance, artifacts per wave
PLAN_RECORD = "scaffold.json"  # every scaffold's: the plan it was made for
PLAN_RECORD_VERSION = 1  # 1: plan (the plan's digest, see `plan_digest`)


def ci_files(delivery: Delivery, number: int, slugs: list[str]) -> list[str]:
    """The CI files that build and deploy a wave's services."""
    if delivery.ci == "gitlab":
        return [".gitlab-ci.yml"]
    if delivery.ci == "jenkins":
        return [f"{slug}/Jenkinsfile" for slug in slugs]
    return [f".github/workflows/{slug}.yml" for slug in slugs]


def wave_artifacts(delivery: Delivery, number: int, slugs: list[str]) -> list[str]:
    """Every file of the chosen path that belongs to wave `number`, in reading order."""
    files = [*ci_files(delivery, number, slugs), f"wave-{number}/go-no-go.sh"]
    if delivery.kubernetes:
        files += [f"kubernetes/waves/{number}/", f"kubernetes/gateway/waves/{number}/"]
    else:
        files += [f"wave-{number}/compose.prod.yml"]
    if delivery.monitoring:
        files += [
            f"monitoring/rules/wave-{number}.rules.yml",
            f"monitoring/grafana/wave-{number}.json",
            f"monitoring/slo/wave-{number}.md",
        ]
    return files


def delivery_files(delivery: Delivery, waves: list[WaveSpec], facts: Facts) -> dict[str, str]:
    """Every file the delivery path adds to (or replaces in) the scaffold."""
    from reports.scaffold.github import render_github_workflow
    from reports.scaffold.gitlab import render_gitlab_ci
    from reports.scaffold.jenkins import render_jenkinsfile
    from reports.scaffold.kubernetes import kubernetes_files
    from reports.scaffold.monitoring import (
        render_dashboard,
        render_gate,
        render_prometheus,
        render_promtail,
        render_rules,
        render_slo,
    )

    files: dict[str, str] = {}
    for wave in waves:
        for spec in wave.new:
            if delivery.ci == "github":
                files[f".github/workflows/{spec.slug}.yml"] = render_github_workflow(
                    delivery, spec, wave
                )
            elif delivery.ci == "jenkins":
                files[f"{spec.slug}/Jenkinsfile"] = render_jenkinsfile(delivery, spec, wave)
        files[f"wave-{wave.number}/go-no-go.sh"] = render_gate(delivery, wave)
        if delivery.monitoring:
            files[f"monitoring/rules/wave-{wave.number}.rules.yml"] = render_rules(wave)
            files[f"monitoring/grafana/wave-{wave.number}.json"] = render_dashboard(wave)
            files[f"monitoring/slo/wave-{wave.number}.md"] = render_slo(wave)
    if delivery.ci == "gitlab":
        files[".gitlab-ci.yml"] = render_gitlab_ci(delivery, waves)
    if delivery.monitoring:
        files["monitoring/prometheus.yml"] = render_prometheus(delivery, waves)
        files["monitoring/promtail.yml"] = render_promtail(waves)
    if delivery.kubernetes:
        files.update(kubernetes_files(delivery, waves, facts))
    files[MANIFEST] = render_manifest(delivery, waves)
    return files


def render_manifest(delivery: Delivery, waves: list[WaveSpec]) -> str:
    """`delivery.json`: the path chosen and why, and each wave's artifacts (for the report)."""
    from reports.scaffold.kubernetes import KUBERNETES_VERSION
    from reports.scaffold.registry import registry_for

    registry = registry_for(delivery.registry, delivery.ci)
    data = {
        "format_version": MANIFEST_VERSION,
        "profile": delivery.profile.name,
        "profile_reason": delivery.profile_reason,
        "ci": delivery.ci,
        "ci_reason": delivery.ci_reason,
        "registry": delivery.registry,
        "registry_title": registry.title,
        "registry_reason": delivery.registry_reason,
        "target": f"kubernetes {KUBERNETES_VERSION}" if delivery.kubernetes else "compose",
        "monitoring": delivery.monitoring,
        "governance": list(delivery.profile.governance),
        "waves": {
            str(w.number): wave_artifacts(delivery, w.number, [s.slug for s in w.new])
            for w in waves
        },
    }
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


@dataclass(frozen=True)
class DeliverySummary:
    """What `delivery.json` records: the chosen path and each wave's artifacts."""

    profile: str
    profile_reason: str
    ci: str
    ci_reason: str
    registry: str
    registry_title: str
    registry_reason: str
    target: str
    monitoring: bool
    governance: tuple[str, ...]
    waves: tuple[tuple[int, tuple[str, ...]], ...]


def read_manifest(text: str) -> DeliverySummary:
    """Parse `delivery.json` (format version 1)."""
    data = json.loads(text)
    if data.get("format_version") != MANIFEST_VERSION:
        raise ValueError(f"unsupported delivery.json format {data.get('format_version')!r}")
    waves = tuple(sorted((int(number), tuple(files)) for number, files in data["waves"].items()))
    return DeliverySummary(
        profile=data["profile"],
        profile_reason=data["profile_reason"],
        ci=data["ci"],
        ci_reason=data["ci_reason"],
        registry=data["registry"],
        registry_title=data["registry_title"],
        registry_reason=data["registry_reason"],
        target=data["target"],
        monitoring=bool(data["monitoring"]),
        governance=tuple(data["governance"]),
        waves=waves,
    )


def plan_digest(plan: Plan) -> str:
    """Which plan this is, as `sha256:<hex>` of its compact JSON without timings: the same for
    plan.json written with or without `--pretty` or `--timings`."""
    data = encode(dataclasses.replace(plan, timings=()))
    return f"sha256:{hashlib.sha256(data).hexdigest()}"


def render_plan_record(plan: Plan) -> str:
    """`scaffold.json`: the digest of the plan the scaffold was made for."""
    data = {"format_version": PLAN_RECORD_VERSION, "plan": plan_digest(plan)}
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def made_for(scaffold: Path) -> str | None:
    """The digest of the plan the scaffold at `scaffold` was made for, or None when it records
    none (made before planner recorded it, or not by planner)."""
    try:
        data = json.loads((scaffold / PLAN_RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format_version") != PLAN_RECORD_VERSION:
        return None
    digest = data.get("plan")
    return digest if isinstance(digest, str) else None


def stale_scaffold(scaffold: Path, plan: Plan) -> str | None:
    """Why the scaffold at `scaffold` is not `plan`'s (a phrase), or None when it is."""
    recorded = made_for(scaffold)
    if recorded is None:
        return f"may be from an earlier plan (it has no {PLAN_RECORD})"
    if recorded != plan_digest(plan):
        return "is from an earlier plan"
    return None
