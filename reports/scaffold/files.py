"""Every scaffold file of a plan (the layout is in the package's docstring), written under OUT."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from pathlib import Path

from analyzers.facts import Facts, UnitId
from analyzers.redact import redact_text
from analyzers.walk import is_secret_file
from planner.plan import Plan, ServiceName
from reports.grants import grant_script
from reports.scaffold.compose import render_compose_dev, render_compose_prod, render_env_example
from reports.scaffold.delivery import PLAN_RECORD, delivery_files, render_plan_record
from reports.scaffold.entry import (
    COPY_SCRIPT,
    app_users,
    entry_module,
    render_copy_script,
    render_entry,
)
from reports.scaffold.facade import render_facade
from reports.scaffold.model import (
    Runtime,
    WaveSpec,
    build_specs,
    frameworks,
    languages,
    member_paths,
    monolith_language,
)
from reports.scaffold.monolith import monolith_files
from reports.scaffold.profiles import Delivery
from reports.scaffold.resolve import Resolution, Resolver, apply_resolution
from reports.scaffold.runtime import monolith, requirement_lines, service_runtime
from reports.scaffold.schema import render_grants_runner, render_schema
from reports.scaffold.service import dockerignore, render_dockerfile, render_readme
from reports.scaffold.workflow import render_workflow

__all__ = ["plan_files", "write_scaffold"]

EXECUTABLES = frozenset({"mvnw", "gradlew"})


def plan_files(
    plan: Plan,
    facts: Facts,
    delivery: Delivery | None = None,
    resolver: Resolver | None = None,
) -> dict[str, str | bytes]:
    """Every scaffold file as relative path -> content, without touching the output directory.
    With a `delivery` path (see `profiles.py`), its CI, registry, Kubernetes and monitoring
    files too; without one, GitHub Actions as always. With a `resolver` (`pip_resolver()`),
    Python requirements are checked against the base image and fixed when a pin cannot
    install; without one, the READMEs say they were not checked."""
    language = languages(plan, facts)
    paths = member_paths(plan, facts)
    runtimes: dict[str, Runtime] = {
        name: service_runtime(facts, framework, language[name], paths[name])
        for name, framework in frameworks(plan, facts).items()
    }
    app = monolith(facts, monolith_language(facts))
    lines = requirement_lines(facts)
    check = resolver or _unchecked
    runtimes = {name: apply_resolution(r, lines, check) for name, r in runtimes.items()}
    app = dataclasses.replace(app, runtime=apply_resolution(app.runtime, lines, check))
    files: dict[str, str | bytes] = {}
    waves = build_specs(plan, facts, runtimes, app)
    users = app_users(facts)

    @functools.cache  # a service's role script is in the seed of its wave and every later one
    def role_script(service: ServiceName) -> str:
        return grant_script(plan, service, "postgresql")

    for wave in waves:
        files.update(_wave_files(wave, facts, role_script, users))
    if waves:
        files.update(monolith_files(app))
    if delivery is not None and waves:
        if delivery.ci != "github":
            files = {k: v for k, v in files.items() if not k.startswith(".github/workflows/")}
        files.update(delivery_files(delivery, waves, facts))
    files[PLAN_RECORD] = render_plan_record(plan)
    return dict(sorted(files.items()))


def _wave_files(
    wave: WaveSpec,
    facts: Facts,
    role_script: Callable[[ServiceName], str],
    users: frozenset[UnitId],
) -> dict[str, str | bytes]:
    files: dict[str, str | bytes] = {}
    for spec in wave.new:
        base = spec.slug
        files[f"{base}/Dockerfile"] = render_dockerfile(spec)
        files[f"{base}/.dockerignore"] = dockerignore(spec.runtime)
        files[f"{base}/README.md"] = render_readme(spec)
        files[f"{base}/{COPY_SCRIPT}"] = render_copy_script(spec)
        if spec.runtime.language == "python" and spec.runtime.framework != "django":
            files[f"{base}/{entry_module(spec)}.py"] = render_entry(spec, facts, users)
        for name, text in spec.runtime.copied:  # the monolith's own files: secrets masked
            filename = name.rpartition("/")[2]
            if filename != "gradle.properties" and is_secret_file(filename):
                continue  # credential files are never copied (gradle.properties comes filtered)
            files[f"{base}/{name}"] = redact_text(text) if isinstance(text, str) else text
        files[f".github/workflows/{base}.yml"] = render_workflow(spec, wave)
    folder = f"wave-{wave.number}"
    files[f"{folder}/compose.dev.yml"] = render_compose_dev(wave)
    files[f"{folder}/compose.prod.yml"] = render_compose_prod(wave)
    files[f"{folder}/nginx/facade.conf"] = render_facade(wave, facts)
    files[f"{folder}/.env.dev.example"] = render_env_example(wave, "dev")
    files[f"{folder}/.env.prod.example"] = render_env_example(wave, "prod")
    if wave.database != "external":
        files[f"{folder}/db/01-schema.sql"] = render_schema(wave.tables, wave.database)
    if wave.database == "postgres":
        names = [f"{s.slug}.sql" for s in wave.live]
        for spec, name in zip(wave.live, names, strict=True):
            files[f"{folder}/db/grants/{name}"] = role_script(spec.name)
        files[f"{folder}/db/02-grants.sh"] = render_grants_runner(names)
    return files


def _unchecked(lines: tuple[str, ...], python: str) -> Resolution:
    note = (
        "requirements not checked against the base image (no check asked for):"
        " `planner scaffold` checks them with pip's resolver"
    )
    return Resolution(lines, python, False, (note,))


def write_scaffold(
    plan: Plan,
    facts: Facts,
    out: Path,
    delivery: Delivery | None = None,
    resolver: Resolver | None = None,
) -> list[Path]:
    """Write the scaffold under `out` and return the paths written, sorted."""
    written: list[Path] = []
    for relative, content in plan_files(plan, facts, delivery, resolver).items():
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        if path.name in EXECUTABLES or path.suffix == ".sh":
            path.chmod(0o755)
        written.append(path)
    return sorted(written)
