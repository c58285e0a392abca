"""View objects for the scaffold: what each extracted service and each wave needs, built once."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import PurePosixPath

from analyzers.facts import Facts, Table, Unit, UnitId
from planner.plan import EndpointRef, Plan, ServiceName, TablePlan, role_name
from planner.slugs import slug

# Pinned versions of everything the scaffold pulls in (never `latest`; bump them deliberately).
# Python images per minor release (2024-10 patch releases); the default is the newest release
# whose wheels old pins most often still have, and the one the rehearsal runs here.
PYTHON_IMAGES = {
    "3.9": "python:3.9.20-slim-bookworm",
    "3.10": "python:3.10.15-slim-bookworm",
    "3.11": "python:3.11.10-slim-bookworm",
    "3.12": "python:3.12.7-slim-bookworm",
    "3.13": "python:3.13.0-slim-bookworm",
}
DEFAULT_PYTHON = "3.11"
PYTHON_IMAGE = PYTHON_IMAGES[DEFAULT_PYTHON]
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
HOST_PORT_BASE = 8000  # the development compose publishes service n on 127.0.0.1:8000+n
JAVA_PORT = 8080  # Spring Boot's default `server.port`
JAVA_MONOLITH_PORT = 8080
DEFAULT_JAVA = 17

# Java images per LTS release. The Temurin Ubuntu images install curl (and wget), so the
# HEALTHCHECK uses curl; the maven and gradle images build on them. JRE, JDK and gradle tags
# name Ubuntu 22.04 (jammy) explicitly.
# Temurin 2024-10 CPU releases, Maven 3.9.9, Gradle 8.10.2.
JRE_IMAGES = {
    8: "eclipse-temurin:8u432-b06-jre-jammy",
    11: "eclipse-temurin:11.0.25_9-jre-jammy",
    17: "eclipse-temurin:17.0.13_11-jre-jammy",
    21: "eclipse-temurin:21.0.5_11-jre-jammy",
}
JDK_IMAGES = {
    8: "eclipse-temurin:8u432-b06-jdk-jammy",
    11: "eclipse-temurin:11.0.25_9-jdk-jammy",
    17: "eclipse-temurin:17.0.13_11-jdk-jammy",
    21: "eclipse-temurin:21.0.5_11-jdk-jammy",
}
MAVEN_IMAGES = {v: f"maven:3.9.9-eclipse-temurin-{v}" for v in (8, 11, 17, 21)}
GRADLE_IMAGES = {v: f"gradle:8.10.2-jdk{v}-jammy" for v in (8, 11, 17, 21)}


WEB_FRAMEWORKS = frozenset({"flask", "fastapi", "django", "spring", "jaxrs", "servlet"})


@dataclass(frozen=True)
class JavaBuild:
    """How a Java service builds: tool, module, Java release, wrapper, packaging."""

    tool: str  # maven | gradle
    module: str  # the module directory in the monolith ("" for the root project)
    version: int  # the LTS release the images target (8, 11, 17, 21)
    declared: str  # where the release came from, for the README
    wrapper: bool  # mvnw / gradlew copied and used
    spring_boot: bool
    packaging: str  # jar | war
    dsl: str  # xml | groovy | kotlin
    build_files: tuple[str, ...]  # copied files the dependency layer needs, in COPY order
    parents: bool  # parent POMs copied under parent-poms/
    siblings: tuple[str, ...]  # other modules of the monolith this one depends on


@dataclass(frozen=True)
class Runtime:
    """How a service builds and runs, detected from the monolith (Python or Java)."""

    manager: str  # requirements | poetry | pipenv | pyproject | none | maven | gradle
    copied: tuple[tuple[str, str | bytes], ...]  # (file name in the service dir, content)
    source: str  # the monolith file(s) the dependencies come from, for the README
    framework: str  # flask | fastapi | django | spring-boot | spring | jaxrs | servlet | unknown
    asgi: bool
    language: str = "python"  # python | java
    port: int = SERVICE_PORT  # the port the service listens on inside its container
    workdir: str = "/app"  # where its source lives in the development container
    java: JavaBuild | None = None
    python: str = DEFAULT_PYTHON  # the base image's Python (major.minor)
    python_source: str = ""  # where that version came from
    notes: tuple[str, ...] = ()  # what the scaffold changed or checked, for the README

    @property
    def image(self) -> str:
        """The Python base image."""
        return PYTHON_IMAGES.get(self.python, PYTHON_IMAGE)


@dataclass(frozen=True)
class Monolith:
    """The monolith as a container: runtime, port, health path and the names its code reads."""

    language: str
    runtime: Runtime
    port: int
    port_source: str
    health: str  # "" when the code serves no health route
    health_source: str
    database_env: str  # the variable its code reads the database URL from
    database_source: str
    entrypoint: str  # `shop.app:app` (Python), "" when unknown
    entrypoint_source: str
    secrets: tuple[tuple[str, str], ...] = ()  # (variable, where) of secrets it reads


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
    role: str = ""  # its database role, from the plan
    sources: tuple[str, ...] = ()  # monolith files its copy step takes (members, kernel)
    database_env: str = ""  # the variable the moved code reads its database URL from
    database_source: str = ""
    borrowed: tuple[str, ...] = ()  # units of other services its code needs: temporary copies


@dataclass(frozen=True)
class WaveSpec:
    """One wave: its new services and every service live once it is done (for the facade)."""

    number: int
    new: tuple[ServiceSpec, ...]
    live: tuple[ServiceSpec, ...]
    database: str  # postgres | mariadb | external
    monolith: str = "python"  # the monolith's main language: its port and health probe
    app: Monolith | None = None  # the monolith as a container
    tables: tuple[Table, ...] = ()  # the schema the development database is seeded with


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
    for item in facts.build:  # no live database analyzed: the driver the build pulls in
        if item.kind not in ("requirement", "dependency"):
            continue
        name = item.value.lower()
        if name.startswith(("psycopg", "asyncpg", "pg8000", "postgresql")):
            return "postgres"
        if name.startswith(("pymysql", "mysqlclient", "mysql-connector", "mariadb")):
            return "mariadb"
    return "external"


def build_specs(
    plan: Plan, facts: Facts, runtimes: dict[str, Runtime], app: Monolith | None = None
) -> list[WaveSpec]:
    """Every wave with its services, in wave order; services keep the plan's step order."""
    paths = {u.id: u.path for u in facts.units}
    by_id = {u.id: u for u in facts.units}
    kernel = set(plan.shared_kernel)
    imports = _imports(facts)
    # The monolith's app module registers every route of the monolith: a service never takes
    # it (its generated entry point stands in for it).
    entry = {f.value.partition(":")[0] for f in facts.build if f.kind == "entrypoint"}
    specs: dict[ServiceName, ServiceSpec] = {}
    for step in sorted(plan.steps, key=lambda s: (s.wave, s.order, s.service)):
        if step.service in specs:
            continue
        service = plan.service(step.service)
        runtime = runtimes[service.name]
        env, env_source = _database_env(facts, runtime, app)
        closure = import_closure(facts, (*service.members, *plan.shared_kernel), imports, entry)
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
            runtime=runtime,
            role=role_name(service.name),
            sources=source_files(facts, closure, by_id),
            borrowed=tuple(sorted(set(closure) - set(service.members) - kernel)),
            database_env=env,
            database_source=env_source,
        )
    kind = database_kind(facts)
    main = monolith_language(facts)
    numbers = sorted({s.wave for s in specs.values()} | {w.number for w in plan.waves})
    waves: list[WaveSpec] = []
    for number in numbers:
        new = tuple(s for s in specs.values() if s.wave == number)
        live = tuple(s for s in specs.values() if s.wave <= number)
        if new:
            waves.append(WaveSpec(number, new, live, kind, main, app, facts.tables))
    return waves


def _database_env(facts: Facts, runtime: Runtime, app: Monolith | None) -> tuple[str, str]:
    """The variable the moved code reads its database URL from (the monolith's, for Python)."""
    if runtime.java is not None:
        if runtime.java.spring_boot:
            return "SPRING_DATASOURCE_URL", "Spring Boot `spring.datasource.url`"
        return "", ""
    if app is not None and app.language == "python" and app.database_env:
        return app.database_env, app.database_source
    return "", ""


_CODE_EDGES = frozenset({"import", "inherit", "reference", "call"})


def _imports(facts: Facts) -> dict[str, set[str]]:
    """Each unit's code dependencies (imports, calls, references, inheritance), by unit id."""
    roles = {u.id: u.role for u in facts.units}
    out: dict[str, set[str]] = {}
    for dep in facts.dependencies:
        if dep.kind in _CODE_EDGES and roles.get(dep.target) not in (None, "test", "migration"):
            out.setdefault(dep.source, set()).add(dep.target)
    return out


def import_closure(
    facts: Facts,
    start: tuple[str, ...],
    imports: dict[str, set[str]] | None = None,
    skip: set[str] | frozenset[str] = frozenset(),
) -> tuple[str, ...]:
    """`start` and every unit they need transitively (vendored code and the monolith modules
    they still call back included), never the units in `skip`: what the service must hold to
    import and compile."""
    edges = _imports(facts) if imports is None else imports
    seen = set(start) - set(skip)
    todo = list(seen)  # the order of the walk does not change the set it reaches
    while todo:
        for target in edges.get(todo.pop(), ()):
            if target not in seen and target not in skip:
                seen.add(target)
                todo.append(target)
    return tuple(sorted(seen))


def source_files(
    facts: Facts, units: tuple[str, ...], by_id: dict[UnitId, Unit] | None = None
) -> tuple[str, ...]:
    """The monolith files a service's copy step takes: its units' files (members and the shared
    kernel) and the `__init__.py` of every Python package above them, sorted. `by_id` is the
    facts' units by id when the caller has it (one index for every service)."""
    by_id = {u.id: u for u in facts.units} if by_id is None else by_id
    files: set[str] = set()
    above: set[str] = set()  # packages looked at, each with every package above it
    for unit_id in units:
        unit = by_id.get(unit_id)
        if unit is None or not unit.path:
            continue
        files.add(unit.path)
        if unit.language == "python":
            name = unit_id
            while "." in name:
                name = name.rpartition(".")[0]
                if name in above:
                    break
                above.add(name)
                package = by_id.get(name)
                if package is not None and package.is_package and package.path:
                    files.add(package.path)
    return tuple(sorted(files))


def _language_counts(units: list[Unit]) -> Counter[str]:
    return Counter(u.language for u in units if u.role == "code") or Counter(
        u.language for u in units
    )


def monolith_language(facts: Facts) -> str:
    """The language most of the monolith's code units are written in (python on a tie)."""
    counts = _language_counts(list(facts.units))
    return "java" if counts["java"] > counts["python"] else "python"


def languages(plan: Plan, facts: Facts) -> dict[ServiceName, str]:
    """Each service's language: java when at least half its member units are Java."""
    by_id = {u.id: u for u in facts.units}
    result: dict[ServiceName, str] = {}
    for service in plan.services:
        counts = _language_counts([by_id[m] for m in service.members if m in by_id])
        java = counts["java"] > 0 and counts["java"] >= counts["python"]
        result[service.name] = "java" if java else "python"
    return result


def member_paths(plan: Plan, facts: Facts) -> dict[ServiceName, tuple[str, ...]]:
    """The source paths of each service's member units, sorted."""
    paths = {u.id: u.path for u in facts.units}
    return {
        s.name: tuple(sorted(paths[m] for m in s.members if paths.get(m))) for s in plan.services
    }


def frameworks(plan: Plan, facts: Facts) -> dict[ServiceName, str]:
    """The web framework of each service, from the endpoints its members serve."""
    by_unit: dict[str, set[str]] = {}
    for endpoint in facts.endpoints:
        by_unit.setdefault(endpoint.unit, set()).add(endpoint.framework.lower())
    result: dict[ServiceName, str] = {}
    for service in plan.services:
        found = set().union(*(by_unit.get(m, set()) for m in service.members))
        found |= set().union(*(by_unit.get(e.unit, set()) for e in service.endpoints))
        known = sorted(found & WEB_FRAMEWORKS)
        result[service.name] = known[0] if known else "unknown"
    return result


def member_dirs(spec: ServiceSpec) -> tuple[str, ...]:
    """The top-level source paths the service's members live under, for the README."""
    return tuple(sorted({str(PurePosixPath(p).parent) for _, p in spec.members if p}))


def app_user(home: bool = False) -> str:
    """The Dockerfile step that creates the unprivileged `app` account (uid/gid APP_UID)."""
    account = "--create-home --home-dir /home/app" if home else "--no-create-home"
    return (
        f"RUN groupadd --system --gid {APP_UID} app \\\n"
        f"    && useradd --system --uid {APP_UID} --gid app {account}"
        " --shell /usr/sbin/nologin app"
    )


def python_base(image: str) -> str:
    """The `base` stage of a Python Dockerfile: the image, a venv on the PATH, /app."""
    return f"""\
FROM {image} AS base
ENV PYTHONUNBUFFERED=1 \\
    PYTHONDONTWRITEBYTECODE=1 \\
    PIP_DISABLE_PIP_VERSION_CHECK=1 \\
    VIRTUAL_ENV=/opt/venv \\
    PATH=/opt/venv/bin:$PATH
WORKDIR /app"""
