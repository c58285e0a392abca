"""Renders a wave's compose files (development and production-like) and `.env` examples."""

from __future__ import annotations

from typing import Any

import yaml

from reports.scaffold.java_service import scratch_dirs
from reports.scaffold.model import (
    FACADE_IMAGE,
    FACADE_PORT,
    HOST_PORT_BASE,
    MARIADB_IMAGE,
    POSTGRES_IMAGE,
    ServiceSpec,
    WaveSpec,
)
from reports.scaffold.probes import monolith_probe, service_probe


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # libyaml when built with it
    """Block-style YAML without anchors, keys in insertion order."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump_yaml(data: dict[str, Any], header: str) -> str:
    """YAML text with a comment header; deterministic."""
    body = yaml.dump(data, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=4096)
    comment = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines())
    return comment + body


def _logging() -> dict[str, Any]:
    # Logs stay on stdout/stderr; the json-file driver rotates them so a disk never fills up.
    return {"driver": "json-file", "options": {"max-size": "10m", "max-file": "3"}}


def _limits(cpus: str, memory: str) -> dict[str, Any]:
    return {"resources": {"limits": {"cpus": cpus, "memory": memory}}}


def _healthcheck(test: list[str], start: str = "20s") -> dict[str, Any]:
    return {
        "test": ["CMD", *test],
        "interval": "30s",
        "timeout": "5s",
        "retries": 3,
        "start_period": start,
    }


def _required(name: str, hint: str) -> str:
    return "${" + name + ":?" + hint + "}"


def _secret_name(spec: ServiceSpec) -> str:
    return f"{spec.slug.replace('-', '_')}_database_url"


def _facade(wave: WaveSpec, published: str) -> dict[str, Any]:
    return {
        "image": FACADE_IMAGE,
        "ports": [published],
        "volumes": ["./nginx/facade.conf:/etc/nginx/conf.d/default.conf:ro"],
        "read_only": True,
        "tmpfs": ["/tmp"],
        "depends_on": {
            name: {"condition": "service_healthy"}
            for name in ["monolith", *(s.slug for s in wave.live)]
        },
        "healthcheck": _healthcheck(
            ["wget", "-q", "-O", "/dev/null", f"http://127.0.0.1:{FACADE_PORT}/healthz"], "5s"
        ),
        "restart": "unless-stopped",
        "deploy": _limits("0.50", "128M"),
        "logging": _logging(),
    }


def _monolith(wave: WaveSpec, database: bool) -> dict[str, Any]:
    app = wave.app
    variable = app.database_env if app is not None else "DATABASE_URL"
    service: dict[str, Any] = {
        "image": _required("MONOLITH_IMAGE", "set MONOLITH_IMAGE to the monolith's pinned image"),
        # The variable the legacy code reads its URL from (see monolith/README.md); move it to
        # a secret file when you can.
        "environment": {
            variable: _required("MONOLITH_DATABASE_URL", "set MONOLITH_DATABASE_URL"),
        },
        "healthcheck": _healthcheck(monolith_health(wave), "30s"),
        "restart": "unless-stopped",
        "deploy": _limits("1.00", "1G"),
        "logging": _logging(),
    }
    if database:
        service["depends_on"] = {"db": {"condition": "service_healthy"}}
    return service


def monolith_health(wave: WaveSpec) -> list[str]:
    """The monolith's probe: its real health route, else any HTTP answer on its real port."""
    app = wave.app
    if app is None:
        return monolith_probe(wave.monolith, "/")
    return monolith_probe(app.language, app.health or "/", app.port, strict=bool(app.health))


def _database(kind: str) -> dict[str, Any]:
    if kind == "postgres":
        return {
            "image": POSTGRES_IMAGE,
            "environment": {
                "POSTGRES_DB": "${DB_NAME:-legacy}",
                "POSTGRES_PASSWORD_FILE": "/run/secrets/db_password",
                # Dev only: the password every service role logs in with (02-grants.sh).
                "DEV_ROLE_PASSWORD": _required("DEV_ROLE_PASSWORD", "set DEV_ROLE_PASSWORD"),
            },
            "secrets": ["db_password"],
            # Seeded on first start: the schema, then each live service's role and grants.
            "volumes": [
                "db-data:/var/lib/postgresql/data",
                "./db/01-schema.sql:/docker-entrypoint-initdb.d/01-schema.sql:ro",
                "./db/02-grants.sh:/docker-entrypoint-initdb.d/02-grants.sh:ro",
                "./db/grants:/strangler/grants:ro",
            ],
            "healthcheck": _healthcheck(["pg_isready", "-U", "postgres"], "10s"),
            "restart": "unless-stopped",
            "deploy": _limits("1.00", "1G"),
            "logging": _logging(),
        }
    return {
        "image": MARIADB_IMAGE,
        "environment": {
            "MARIADB_DATABASE": "${DB_NAME:-legacy}",
            "MARIADB_ROOT_PASSWORD_FILE": "/run/secrets/db_password",
        },
        "secrets": ["db_password"],
        "volumes": [
            "db-data:/var/lib/mysql",
            "./db/01-schema.sql:/docker-entrypoint-initdb.d/01-schema.sql:ro",
        ],
        "healthcheck": _healthcheck(["healthcheck.sh", "--connect", "--innodb_initialized"], "10s"),
        "restart": "unless-stopped",
        "deploy": _limits("1.00", "1G"),
        "logging": _logging(),
    }


def _service_env(spec: ServiceSpec, level: str) -> dict[str, str]:
    env = {
        "DATABASE_URL_FILE": f"/run/secrets/{_secret_name(spec)}",
        "LOG_LEVEL": level,
        "SERVICE_NAME": spec.slug,
    }
    java = spec.runtime.java
    if java is not None and java.spring_boot:
        # Spring Boot reads each file under /run/secrets as a property named after the file
        # (configtree); `$$` keeps compose from interpolating the placeholder.
        env["SPRING_CONFIG_IMPORT"] = "optional:configtree:/run/secrets/"
        env["SPRING_DATASOURCE_URL"] = "$${" + _secret_name(spec) + "}"
        env["LOGGING_LEVEL_ROOT"] = "info"
    return env


def _memory(spec: ServiceSpec, dev: bool) -> str:
    """Memory limits: the JVM (and Maven/Gradle in development) needs more than Python."""
    if spec.runtime.language == "java":
        return "1536M" if dev else "768M"
    return "512M"


def _dev_volumes(spec: ServiceSpec) -> list[str]:
    """The source bind mount, plus volumes that keep Java build output inside the container."""
    volumes = [f"../{spec.slug}:{spec.runtime.workdir}"]
    if spec.runtime.java is not None:
        volumes += [f"{spec.runtime.workdir}/{d}" for d in scratch_dirs(spec.runtime.java)]
    return volumes


def _start_period(spec: ServiceSpec) -> str:
    return "60s" if spec.runtime.language == "java" else "20s"


def render_compose_dev(wave: WaveSpec) -> str:
    """Development: services built from the `development` target with their source bind-mounted."""
    database = wave.database != "external"
    services: dict[str, Any] = {
        "facade": _facade(wave, f"${{FACADE_PORT:-{FACADE_PORT}}}:{FACADE_PORT}"),
        "monolith": _monolith(wave, database),
    }
    for index, spec in enumerate(wave.live, start=1):
        services[spec.slug] = {
            "build": {"context": f"../{spec.slug}", "target": "development"},
            "volumes": _dev_volumes(spec),
            "ports": [f"127.0.0.1:{HOST_PORT_BASE + index}:{spec.runtime.port}"],
            "environment": _service_env(spec, "debug"),
            "secrets": [_secret_name(spec)],
            "depends_on": {"db": {"condition": "service_healthy"}} if database else {},
            "restart": "unless-stopped",
            "deploy": _limits("1.00", _memory(spec, dev=True)),
            "logging": _logging(),
        }
        if not database:
            del services[spec.slug]["depends_on"]
    secrets = {_secret_name(s): {"environment": f"{s.env}_DATABASE_URL"} for s in wave.live}
    data: dict[str, Any] = {"name": f"strangler-wave-{wave.number}-dev", "services": services}
    if database:
        services["db"] = _database(wave.database)
        secrets["db_password"] = {"environment": "DB_PASSWORD"}
        data["volumes"] = {"db-data": {}}
    data["secrets"] = secrets
    header = (
        f"Development stack after wave {wave.number}: facade + monolith + extracted services"
        + (" + a local copy of the existing database." if database else ".")
        + "\nRun: docker compose --env-file .env.dev -f compose.dev.yml up --build"
        + "\n(copy .env.dev.example to .env.dev first; never commit .env.dev)."
    )
    return dump_yaml(data, header)


def render_compose_prod(wave: WaveSpec) -> str:
    """Production-like: pinned images, limits, healthchecks, replicas, read-only fs, secrets."""
    services: dict[str, Any] = {
        "facade": _facade(wave, f"${{FACADE_PORT:-{FACADE_PORT}}}:{FACADE_PORT}"),
        "monolith": _monolith(wave, database=False),
    }
    for spec in wave.live:
        services[spec.slug] = {
            "image": "${REGISTRY:?set REGISTRY}/"
            + spec.slug
            + ":"
            + _required(f"{spec.env}_VERSION", f"set {spec.env}_VERSION to a tag or git sha"),
            "environment": _service_env(spec, "info"),
            "secrets": [_secret_name(spec)],
            "read_only": True,
            "tmpfs": ["/tmp"],
            "healthcheck": _healthcheck(service_probe(spec.runtime), _start_period(spec)),
            "restart": "unless-stopped",
            "deploy": {"replicas": 2, **_limits("0.50", _memory(spec, dev=False))},
            "logging": _logging(),
        }
    data = {
        "name": f"strangler-wave-{wave.number}",
        "services": services,
        "secrets": {_secret_name(s): {"environment": f"{s.env}_DATABASE_URL"} for s in wave.live},
    }
    header = (
        f"Production-like stack after wave {wave.number}; the existing database stays outside."
        "\nImages are pinned to a release tag or git sha (never latest); secrets come from the"
        "\nenvironment of the deployment (CI secret store or .env.prod, never committed)."
        "\nRun: docker compose --env-file .env.prod -f compose.prod.yml up -d --wait"
    )
    return dump_yaml(data, header)


def _url_placeholder(kind: str, user: str, host: str, jdbc: bool = False) -> str:
    if jdbc:
        where = {
            "postgres": f"postgresql://{host}:5432/legacy",
            "mariadb": f"mariadb://{host}:3306/legacy",
        }.get(kind, "<driver>://<host>:<port>/<database>")
        return f"jdbc:{where}?user={user}&password=change-me"
    if kind == "postgres":
        return f"postgresql://{user}:change-me@{host}:5432/legacy"
    if kind == "mariadb":
        return f"mysql+pymysql://{user}:change-me@{host}:3306/legacy"
    return f"<driver>://{user}:change-me@<host>:<port>/<database>"


def _monolith_url(wave: WaveSpec, host: str, dev: bool) -> str:
    """The monolith's URL: the development database's superuser in dev, its own role else."""
    user = "postgres" if dev and wave.database == "postgres" else "monolith"
    if dev and wave.database == "mariadb":
        user = "root"
    jdbc = wave.app is not None and wave.app.language == "java"
    return _url_placeholder(wave.database, user, host, jdbc)


def render_env_example(wave: WaveSpec, environment: str) -> str:
    """`.env.<environment>.example`: every variable the compose file needs, placeholders only."""
    dev = environment == "dev"
    host = "db" if dev and wave.database != "external" else "<legacy-db-host>"
    kind = wave.database
    lines = [
        f"# {environment} settings for wave {wave.number}: copy to .env.{environment},"
        " fill in, never commit.",
        "# Placeholders only: every service gets its own least-privilege database role.",
        f"FACADE_PORT={FACADE_PORT}",
        "MONOLITH_IMAGE=" + ("monolith:dev" if dev else "<registry>/<monolith>:<version>"),
        f"MONOLITH_DATABASE_URL={_monolith_url(wave, host, dev)}",
    ]
    if dev and wave.database != "external":
        lines += ["DB_NAME=legacy", "DB_PASSWORD=change-me", "DEV_ROLE_PASSWORD=change-me"]
    if not dev:
        lines.append("REGISTRY=<registry>/<team>")
    for spec in wave.live:
        if not dev:
            lines.append(f"{spec.env}_VERSION=<git-sha-or-semver>")
        role = spec.role
        jdbc = spec.runtime.language == "java"
        lines.append(f"{spec.env}_DATABASE_URL={_url_placeholder(kind, role, host, jdbc)}")
    return "\n".join(lines) + "\n"
