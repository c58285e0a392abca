"""View objects for the scaffold: what each extracted service and each wave needs, built once."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from analyzers.facts import Facts
from planner.plan import EndpointRef, Plan, ServiceName, TablePlan

# Pinned versions of everything the scaffold pulls in (never `latest`; bump them deliberately).
PYTHON_IMAGE = "python:3.12.7-slim-bookworm"
FACADE_IMAGE = "nginxinc/nginx-unprivileged:1.27.2-alpine"
POSTGRES_IMAGE = "postgres:16.4-bookworm"
MARIADB_IMAGE = "mariadb:11.4.3"
GUNICORN = "gunicorn==23.0.0"
UVICORN = "uvicorn==0.32.0"
POETRY = "poetry==1.8.4"
PIPENV = "pipenv==2024.4.0"
PYTEST = "pytest==8.3.3"
APP_UID = 10001
SERVICE_PORT = 8000
MONOLITH_PORT = 8000
FACADE_PORT = 8080


@dataclass(frozen=True)
class Runtime:
    """How a Python service installs its dependencies, detected from the monolith's root."""

    manager: str  # requirements | poetry | pipenv | pyproject | none
    copied: tuple[tuple[str, str], ...]  # (file name in the service dir, text)
    source: str  # the monolith file(s) the dependencies come from, for the README
    framework: str  # flask | fastapi | django | unknown
    asgi: bool


@dataclass(frozen=True)
class ServiceSpec:
    """One extracted service as the scaffold renders it."""

    name: ServiceName
    slug: str  # file, image and compose service name
    env: str  # prefix of its environment variables (ORDERS)
    wave: int
    members: tuple[tuple[str, str], ...]  # (unit id, path)
    tables: tuple[TablePlan, ...]
    endpoints: tuple[EndpointRef, ...]
    reroute: tuple[EndpointRef, ...]
    rollout: str
    checks: tuple[str, ...]
    rollback: str
    runtime: Runtime


@dataclass(frozen=True)
class WaveSpec:
    """One wave: its new services and every service live once it is done (for the facade)."""

    number: int
    new: tuple[ServiceSpec, ...]
    live: tuple[ServiceSpec, ...]
    database: str  # postgres | mariadb | external


def slug(name: str) -> str:
    """A service name as a lowercase file, image and compose name."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "service"


def env_prefix(name: str) -> str:
    """A service name as an environment-variable prefix."""
    return re.sub(r"[^A-Z0-9]+", "_", name.upper()).strip("_") or "SERVICE"


def database_kind(facts: Facts) -> str:
    """Which database image the development compose runs, from the analyzed database URLs."""
    for url in facts.databases:
        scheme = url.split(":", 1)[0].lower()
        if scheme.startswith(("postgres", "postgresql")):
            return "postgres"
        if scheme.startswith(("mysql", "mariadb")):
            return "mariadb"
    return "external"


def build_specs(plan: Plan, facts: Facts, runtimes: dict[str, Runtime]) -> list[WaveSpec]:
    """Every wave with its services, in wave order; services keep the plan's step order."""
    paths = {u.id: u.path for u in facts.units}
    specs: dict[ServiceName, ServiceSpec] = {}
    for step in sorted(plan.steps, key=lambda s: (s.wave, s.order, s.service)):
        if step.service in specs:
            continue
        service = plan.service(step.service)
        specs[step.service] = ServiceSpec(
            name=service.name,
            slug=slug(service.name),
            env=env_prefix(service.name),
            wave=step.wave,
            members=tuple(sorted((m, paths.get(m, "")) for m in service.members)),
            tables=tuple(sorted(step.tables)),
            endpoints=tuple(sorted(service.endpoints)),
            reroute=tuple(sorted(step.reroute)),
            rollout=step.rollout,
            checks=step.checks,
            rollback=step.rollback,
            runtime=runtimes[service.name],
        )
    kind = database_kind(facts)
    numbers = sorted({s.wave for s in specs.values()} | {w.number for w in plan.waves})
    waves: list[WaveSpec] = []
    for number in numbers:
        new = tuple(s for s in specs.values() if s.wave == number)
        live = tuple(s for s in specs.values() if s.wave <= number)
        if new:
            waves.append(WaveSpec(number, new, live, kind))
    return waves


def frameworks(plan: Plan, facts: Facts) -> dict[ServiceName, str]:
    """The web framework of each service, from the endpoints its members serve."""
    by_unit: dict[str, set[str]] = {}
    for endpoint in facts.endpoints:
        by_unit.setdefault(endpoint.unit, set()).add(endpoint.framework.lower())
    result: dict[ServiceName, str] = {}
    for service in plan.services:
        found = set().union(*(by_unit.get(m, set()) for m in service.members))
        found |= set().union(*(by_unit.get(e.unit, set()) for e in service.endpoints))
        known = sorted(f for f in found if f in {"flask", "fastapi", "django"})
        result[service.name] = known[0] if known else "unknown"
    return result


def member_dirs(spec: ServiceSpec) -> tuple[str, ...]:
    """The top-level source paths the service's members live under, for the README."""
    return tuple(sorted({str(PurePosixPath(p).parent) for _, p in spec.members if p}))
