"""Our rules on CI workflows (GitHub Actions, GitLab CI, Jenkinsfile): pushes of `:latest`."""

from __future__ import annotations

import re
from collections.abc import Iterator

import yaml

from analyzers.containers.rules import file_kind, finding
from analyzers.containers.yamlnodes import Node, mapping_items, parse_yaml, scalar, value_of
from analyzers.facts import (
    ContainerFinding,
)

_LATEST_REF = re.compile(r"[\w.${}/:-]*[\w}]:latest\b")
_PUSH_COMMAND = re.compile(
    r"\b(docker|podman|buildah|nerdctl|crane|skopeo)\b.*\b(push|copy)\b|--push\b"
)
_PUSH_LATEST_CALL = re.compile(r"\.push\(\s*['\"]latest['\"]\s*\)")
_LATEST_FLAVOR = re.compile(r"\btype=raw,\s*value=latest\b|^\s*latest=true\b")
FIX_CI_LATEST = "push immutable tags only (the commit SHA or a release version), never :latest"


def lint_ci(text: str, path: str) -> list[ContainerFinding]:
    """Our rules' findings in one CI file: `:latest` pushes (and YAML problems for YAML files)."""
    found: list[ContainerFinding] = []
    if file_kind(path) in {"github", "gitlab"}:
        root, found = parse_yaml(text, path)
        if root is not None and file_kind(path) == "github":
            found.extend(_github_push_latest(root, text, path))
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith(("#", "//")):
            continue
        pushes = _PUSH_COMMAND.search(line) and _LATEST_REF.search(line)
        if pushes or _PUSH_LATEST_CALL.search(line):
            found.append(
                finding(
                    path,
                    number,
                    "SP301",
                    "the CI job pushes an image tagged `latest`",
                    FIX_CI_LATEST,
                )
            )
    return found


def _github_push_latest(root: Node, text: str, path: str) -> Iterator[ContainerFinding]:
    """`docker/build-push-action` steps with `push: true` and a `:latest` tag, and
    `docker/metadata-action` tags that add `latest`."""
    lines = text.splitlines()
    for _, job in mapping_items(value_of(root, "jobs")):
        steps = value_of(job, "steps")
        for step in steps.value if isinstance(steps, yaml.SequenceNode) else []:
            uses = scalar(value_of(step, "uses")) or ""
            params = value_of(step, "with")
            tags = value_of(params, "tags")
            if tags is None:
                continue
            push = (scalar(value_of(params, "push")) or "").strip()
            pushing = uses.startswith("docker/build-push-action") and push not in {"", "false"}
            meta = uses.startswith("docker/metadata-action")
            for number in _text_lines(tags):
                line = lines[number - 1] if 0 < number <= len(lines) else ""
                if (pushing and _LATEST_REF.search(line)) or (meta and _LATEST_FLAVOR.search(line)):
                    yield finding(
                        path,
                        number,
                        "SP301",
                        "the CI job pushes an image tagged `latest`",
                        FIX_CI_LATEST,
                    )


def _text_lines(node: Node) -> range:
    """The 1-based file lines a YAML node's text spans (a block scalar starts below its `|`)."""
    start = node.start_mark.line + 1
    end = node.end_mark.line + (1 if node.end_mark.column else 0)
    if isinstance(node, yaml.ScalarNode) and node.style in {"|", ">"}:
        start += 1
    return range(start, max(start, end) + 1)
