"""Reads what the rehearsal runs from a generated scaffold: Dockerfiles, compose, facade, seed."""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import yaml

from analyzers.errors import InputError
from planner.plan import Plan
from reports.scaffold.delivery import stale_scaffold

MONOLITH = "monolith"
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)")


@dataclass(frozen=True)
class Image:
    """What a Dockerfile's default target needs: base image, installs, port and command."""

    base: str  # FROM of the final stage's chain root (python:3.12.7-slim-bookworm)
    builder: str  # FROM of the first stage (the build image: maven:..., python:...)
    installs: tuple[tuple[str, ...], ...]  # `pip install` argument lists of the builder stages
    builds: tuple[tuple[str, ...], ...]  # other RUN commands of the builder stages (mvn ...)
    port: int  # EXPOSE of the final stage
    command: tuple[str, ...]  # CMD of the final stage (exec form)
    health: str = ""  # the path its HEALTHCHECK probes ("" without one)


@dataclass(frozen=True)
class Unit:
    """One process of the wave: the monolith or an extracted service."""

    name: str  # compose service name (monolith, catalog)
    folder: Path  # its scaffold folder (Dockerfile, requirements, entry point)
    image: Image
    environment: tuple[tuple[str, str], ...]  # compose `environment`, uninterpolated
    secrets: tuple[tuple[str, str], ...]  # (secret name, the .env variable it comes from)


@dataclass(frozen=True)
class Wave:
    """The scaffold of one wave, as files on disk."""

    number: int
    folder: Path
    units: tuple[Unit, ...]  # the monolith first, then the services in compose order
    env: tuple[tuple[str, str], ...]  # .env.dev.example
    facade: Path
    schema: Path | None
    grants: tuple[tuple[str, Path], ...]  # (service, its PostgreSQL grant script)


def _logical_lines(text: str) -> list[str]:
    lines: list[str] = []
    current = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not current and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        lines.append(current + line)
        current = ""
    return lines


def read_dockerfile(path: Path) -> Image:
    """The default target of a generated Dockerfile (its last stage) and the stages it copies."""
    if not path.is_file():
        raise InputError(f"the scaffold has no {path}; regenerate it with `planner scaffold`")
    stages: dict[str, list[str]] = {}
    bases: dict[str, str] = {}
    order: list[str] = []
    for line in _logical_lines(path.read_text(encoding="utf-8")):
        word, _, rest = line.partition(" ")
        if word.upper() == "FROM":
            parts = rest.split()
            name = parts[2] if len(parts) >= 3 and parts[1].upper() == "AS" else str(len(order))
            bases[name] = parts[0]
            order.append(name)
            stages[name] = []
        elif order:
            stages[order[-1]].append(line)
    if not order:
        raise InputError(f"{path} has no FROM line")
    final = order[-1]
    chain = [final]
    for line in stages[final]:
        found = re.match(r"COPY\s+--from=(\S+)", line, re.I)
        if found and found[1] in stages:
            chain.append(found[1])
    builders: list[str] = []
    for name in chain:  # each copied stage and the stages it builds on
        while name in stages and name not in builders:
            builders.append(name)
            name = bases[name]
    installs: list[tuple[str, ...]] = []
    builds: list[tuple[str, ...]] = []
    for name in reversed(builders):
        for line in stages[name]:
            if not line.upper().startswith("RUN "):
                continue
            for command in re.split(r"\s*&&\s*", line[4:]):
                words = tuple(shlex.split(command))
                mounts = dict(_mount(w) for w in words if w.startswith("--mount="))
                words = tuple(mounts.get(w, w) for w in words if not w.startswith("--mount="))
                if "pip" in " ".join(words[:2]) and "install" in words:
                    installs.append(words[words.index("install") + 1 :])
                elif words and words[0] in ("mvn", "./mvnw", "gradle", "./gradlew"):
                    builds.append(words)
    port, command, health = 0, (), ""
    for line in stages[final]:
        word, _, rest = line.partition(" ")
        probed = re.search(r"https?://(?:127\.0\.0\.1|localhost):\d+(/[^'\" ]*)", rest)
        if word.upper() == "HEALTHCHECK" and probed:
            health = probed[1]
        if word.upper() == "EXPOSE":
            port = int(rest.split()[0].split("/")[0])
        elif word.upper() == "CMD":
            command = (
                tuple(json.loads(rest))
                if rest.lstrip().startswith("[")
                else tuple(shlex.split(rest))
            )
    root = final
    while root in bases and bases[root] in stages:
        root = bases[root]
    if not command:
        raise InputError(f"{path}: its final stage has no CMD to start it with")
    return Image(
        bases[root], bases[order[0]], tuple(installs), tuple(builds), port, command, health
    )


def _mount(word: str) -> tuple[str, str]:
    """(target, source) of a `--mount=type=bind,source=...,target=...` RUN flag: the rehearsal
    reads the source where the image reads the target (sources are relative to the folder)."""
    fields = dict(part.partition("=")[::2] for part in word.removeprefix("--mount=").split(","))
    return fields.get("target", fields.get("dst", "")), fields.get("source", fields.get("src", ""))


def read_env(path: Path) -> tuple[tuple[str, str], ...]:
    """KEY=VALUE lines of an .env example, in file order."""
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            pairs.append((key.strip(), value.strip()))
    return tuple(pairs)


def interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's `${VAR}`, `${VAR:-default}`, `${VAR:?message}` against `env`."""

    def one(match: re.Match[str]) -> str:
        name = match[1] or match[4]
        if name in env and (env[name] or not (match[2] or "").startswith(":")):
            return env[name]
        if match[2] and match[2].endswith("-"):
            return match[3] or ""
        if match[2] and match[2].endswith("?"):
            raise InputError(f"the rehearsal has no value for ${{{name}}}: {match[3]}")
        return ""

    return _VAR.sub(one, value)


def check_made_for(scaffold: Path, plan: Plan, plan_path: Path) -> None:
    """Refuse (one line) a scaffold that does not record `plan` as the plan it was made for."""
    why = stale_scaffold(scaffold, plan)
    if why is not None:
        raise InputError(
            f"the scaffold {scaffold} {why}; regenerate it with: "
            f"planner scaffold {plan_path} --out {scaffold}"
        )


def read_wave(scaffold: Path, number: int) -> Wave:
    """Everything the rehearsal needs from `scaffold/wave-<number>` and the folders it names."""
    folder = scaffold / f"wave-{number}"
    compose_file = folder / "compose.dev.yml"
    if not compose_file.is_file():
        raise InputError(
            f"the scaffold has no {compose_file}; regenerate it with `planner scaffold`"
        )
    compose = yaml.safe_load(compose_file.read_text(encoding="utf-8")) or {}
    declared = compose.get("secrets") or {}
    units: list[Unit] = []
    for name, body in (compose.get("services") or {}).items():
        if name in ("facade", "db") or not isinstance(body, dict):
            continue
        if name == MONOLITH:
            path = scaffold / MONOLITH
        else:
            build = body.get("build") or {}
            context = build.get("context") if isinstance(build, dict) else build
            if not context:
                continue
            path = (folder / context).resolve()
        environment = body.get("environment") or {}
        if isinstance(environment, list):
            environment = dict(item.partition("=")[::2] for item in environment)
        secrets = tuple(
            (s, str((declared.get(s) or {}).get("environment", "")))
            for s in body.get("secrets", [])
        )
        image = read_dockerfile(path / "Dockerfile")
        unit = Unit(name, path, image, tuple((k, str(v)) for k, v in environment.items()), secrets)
        units.append(unit)
    units.sort(key=lambda u: u.name != MONOLITH)
    if not units or units[0].name != MONOLITH:
        raise InputError(f"{compose_file} has no `monolith` service to rehearse")
    env_file = folder / ".env.dev.example"
    grants_dir = folder / "db" / "grants"
    grants = tuple(
        (u.name, grants_dir / f"{u.name}.sql")
        for u in units[1:]
        if (grants_dir / f"{u.name}.sql").is_file()
    )
    schema = folder / "db" / "01-schema.sql"
    return Wave(
        number,
        folder,
        tuple(units),
        read_env(env_file) if env_file.is_file() else (),
        folder / "nginx" / "facade.conf",
        schema if schema.is_file() else None,
        grants,
    )
