"""Our rules on compose files: tags, secrets, limits, healthchecks, logs, references, dangers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import yaml

from analyzers.containers.images import BaseImage
from analyzers.containers.rules import (
    FIX_LOGS,
    FIX_SECRET,
    FIX_TAG,
    finding,
    log_env_problem,
    log_file_problem,
    secret_value_problem,
    tag_problem,
)
from analyzers.containers.yamlnodes import (
    Node,
    entry_of,
    flat_text,
    line_of,
    mapping_items,
    names_of,
    parse_yaml,
    scalar,
    value_of,
)
from analyzers.facts import (
    ContainerFinding,
)


def lint_compose(text: str, path: str) -> list[ContainerFinding]:
    """Our rules' findings in one compose file on its own."""
    root, found = parse_yaml(text, path)
    if root is not None:
        found.extend(lint_compose_group([(path, root)]))
    return found


@dataclass(frozen=True)
class _Defined:
    """What the compose files of one directory define (override files merge with the base)."""

    services: frozenset[str]
    secrets: frozenset[str]
    networks: frozenset[str]
    volumes: frozenset[str]
    complete: bool  # False when an `include`/`extends` may define more elsewhere


def lint_compose_group(files: list[tuple[str, Node]]) -> list[ContainerFinding]:
    """Findings of the compose files of one directory, cross-references checked across them."""

    def top(key: str) -> frozenset[str]:
        return frozenset(n for _, root in files for n, _ in names_of(value_of(root, key)))

    services = [
        (path, key, node)
        for path, root in files
        for key, node in mapping_items(value_of(root, "services"))
    ]
    defined = _Defined(
        top("services"),
        top("secrets"),
        top("networks") | {"default"},
        top("volumes"),
        not any(entry_of(root, "include") for _, root in files)
        and not any(entry_of(node, "extends") for _, _, node in services),
    )
    found: list[ContainerFinding] = []
    for path, key, node in services:
        found.extend(_check_service(str(key.value), line_of(key), node, path, defined))
    return found


def _check_service(
    name: str, line: int, service: Node, path: str, defined: _Defined
) -> Iterator[ContainerFinding]:
    image = entry_of(service, "image")
    if image and scalar(image[1]):
        problem = tag_problem(str(scalar(image[1])))
        if problem:
            yield finding(path, line_of(image[0]), "SP201", f"service `{name}`: {problem}", FIX_TAG)
    yield from _check_environment(name, service, path)
    if not _has_limits(service):
        yield finding(
            path,
            line,
            "SP203",
            f"service `{name}` has no CPU/memory limits",
            "set deploy.resources.limits.cpus and .memory (e.g. '0.50' and 512M)",
        )
    yield from _check_healthcheck_service(name, line, service, path)
    for key in ("command", "entrypoint"):
        entry = entry_of(service, key)
        problem = log_file_problem(flat_text(entry[1])) if entry else None
        if entry and problem:
            yield finding(path, line_of(entry[0]), "SP205", f"service `{name}` {problem}", FIX_LOGS)
    yield from _check_references(name, service, path, defined)
    yield from _check_dangers(name, service, path)


def _check_healthcheck_service(
    name: str, line: int, service: Node, path: str
) -> Iterator[ContainerFinding]:
    health = entry_of(service, "healthcheck")
    test = value_of(health[1], "test") if health else None
    disabled = health is not None and (
        scalar(value_of(health[1], "disable")) in {"true", "True"}
        or flat_text(test).strip().upper() == "NONE"
    )
    if (health is None and entry_of(service, "build") is None) or disabled:
        yield finding(
            path,
            line_of(health[0]) if health else line,
            "SP204",
            f"service `{name}` has no healthcheck",
            "add a healthcheck (test, interval, timeout, retries) that hits its health endpoint",
        )
        return
    image = scalar(value_of(service, "image"))
    if not image or entry_of(service, "build") or test is None:
        return
    words = [scalar(n) or "" for n in test.value] if isinstance(test, yaml.SequenceNode) else []
    shell = scalar(test) if isinstance(test, yaml.ScalarNode) else None
    if words[:1] == ["CMD-SHELL"]:
        shell = " ".join(words[1:])
    base = BaseImage.parse(image)
    if shell is not None and base.lacks("sh"):
        yield finding(
            path,
            line_of(test),
            "SP104",
            f"service `{name}`: the healthcheck needs a shell, which `{image}` does not have",
            'use the exec form (test: ["CMD", "/app/healthcheck"]) with a binary the image has',
        )
        return
    command = shell.split() if shell is not None else words[1:] if words[:1] == ["CMD"] else []
    binary = command[0].rsplit("/", 1)[-1] if command else ""
    if binary in {"curl", "wget"} and base.lacks(binary):
        yield finding(
            path,
            line_of(test),
            "SP104",
            f"service `{name}`: the healthcheck runs `{binary}`, which `{image}` does not ship",
            "probe with a binary the image has",
        )


def _check_references(
    name: str, service: Node, path: str, defined: _Defined
) -> Iterator[ContainerFinding]:
    if not defined.complete:
        return
    checks = (
        ("depends_on", defined.services, "SP207", "depends on the undefined service"),
        ("secrets", defined.secrets, "SP208", "uses the undefined secret"),
        ("networks", defined.networks, "SP209", "joins the undefined network"),
    )
    for key, known, rule, what in checks:
        section = "services" if key == "depends_on" else key
        for ref, node in names_of(value_of(service, key)):
            if ref not in known and "$" not in ref:
                yield finding(
                    path,
                    line_of(node),
                    rule,
                    f"service `{name}` {what} `{ref}`",
                    f"define `{ref}` under the top-level `{section}` or fix the name",
                )
    for source, node in _volume_sources(service):
        named = source and not source.startswith(("/", ".", "~", "$"))
        if named and source not in defined.volumes:
            yield finding(
                path,
                line_of(node),
                "SP210",
                f"service `{name}` mounts the undefined named volume `{source}`",
                f"define `{source}` under the top-level `volumes` (or use a ./path bind mount)",
            )


def _volume_sources(service: Node) -> Iterator[tuple[str, Node]]:
    volumes = value_of(service, "volumes")
    for item in volumes.value if isinstance(volumes, yaml.SequenceNode) else []:
        short = scalar(item)
        if short is not None:
            if ":" in short:
                yield short.split(":", 1)[0], item
        elif scalar(value_of(item, "type")) in {None, "volume"}:
            yield scalar(value_of(item, "source")) or "", item


def _check_dangers(name: str, service: Node, path: str) -> Iterator[ContainerFinding]:
    privileged = entry_of(service, "privileged")
    if privileged and scalar(privileged[1]) in {"true", "True", "yes"}:
        yield finding(
            path,
            line_of(privileged[0]),
            "SP211",
            f"service `{name}` runs privileged (full access to the host)",
            "remove `privileged: true`; add only the capabilities it needs with cap_add",
        )
    volumes = value_of(service, "volumes")
    for item in volumes.value if isinstance(volumes, yaml.SequenceNode) else []:
        text = scalar(item) or scalar(value_of(item, "source")) or ""
        if "docker.sock" in text:
            yield finding(
                path,
                line_of(item),
                "SP212",
                f"service `{name}` mounts the Docker socket (root on the host)",
                "do not mount docker.sock; use a socket proxy with a read-only allow-list",
            )
    for cap, node in names_of(value_of(service, "cap_add")):
        if cap.upper().removeprefix("CAP_") in {"SYS_ADMIN", "ALL"}:
            yield finding(
                path,
                line_of(node),
                "SP213",
                f"service `{name}` adds the capability {cap.upper()} (nearly root on the host)",
                "drop it; add only the narrow capability the service needs",
            )
    container_name = entry_of(service, "container_name")
    replicas = scalar(value_of(value_of(service, "deploy"), "replicas")) or scalar(
        value_of(service, "scale")
    )
    if container_name and replicas and replicas.isdigit() and int(replicas) > 1:
        yield finding(
            path,
            line_of(container_name[0]),
            "SP214",
            f"service `{name}` has a fixed container_name but {replicas} replicas",
            "remove container_name (names must be unique) or run one replica",
        )
    depends = value_of(service, "depends_on")
    for ref, node in names_of(depends):
        condition = (
            scalar(value_of(value_of(depends, ref), "condition"))
            if isinstance(depends, yaml.MappingNode)
            else None
        )
        if condition not in {"service_healthy", "service_completed_successfully"}:
            yield finding(
                path,
                line_of(node),
                "SP215",
                f"service `{name}` starts when `{ref}` has started, not when it is healthy",
                f"use the long form: depends_on: {{{ref}: {{condition: service_healthy}}}}",
            )


def _environment(service: Node) -> Iterator[tuple[int, str, str | None]]:
    node = value_of(service, "environment")
    if isinstance(node, yaml.SequenceNode):
        for item in node.value:
            key, sep, value = str(scalar(item) or "").partition("=")
            yield line_of(item), key, value if sep else None
    for key, value in mapping_items(node):
        yield line_of(key), str(key.value), scalar(value) if scalar(value) != "" else None


def _check_environment(name: str, service: Node, path: str) -> Iterator[ContainerFinding]:
    for line, key, value in _environment(service):
        secret = secret_value_problem(key, value)
        if secret:
            yield finding(path, line, "SP202", f"service `{name}`: {secret}", FIX_SECRET)
        log = log_env_problem(key, value)
        if log:
            yield finding(path, line, "SP205", f"service `{name}`: {log}", FIX_LOGS)


def _has_limits(service: Node) -> bool:
    if entry_of(service, "mem_limit") or entry_of(service, "cpus"):
        return True
    limits = value_of(value_of(value_of(service, "deploy"), "resources"), "limits")
    return bool(limits and (entry_of(limits, "memory") or entry_of(limits, "cpus")))
