"""`planner rehearse`: runs one wave of the generated scaffold for real, without Docker.

A scratch PostgreSQL database loaded with the scaffold's seed schema and grant scripts, each unit
(the monolith and the wave's services) installed into its own virtualenv from its Dockerfile and
started as a process with the compose file's environment, real nginx with the generated facade in
front; then every endpoint of the plan goes through the facade. Everything started or created is
removed again, on success, failure or Ctrl-C.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from filelock import FileLock

from analyzers.errors import InputError
from analyzers.facts import Facts, read_facts
from planner.plan import Plan, read_plan, role_name
from planner.rehearsal import database as db
from planner.rehearsal import facade, processes
from planner.rehearsal.report import Check, Probe, Report, concrete, first_method, send, verdict
from planner.rehearsal.scaffold import (
    MONOLITH,
    Unit,
    Wave,
    check_made_for,
    interpolate,
    read_wave,
)

__all__ = ["Report", "rehearse"]

SCAFFOLD_NAMES = ("scaffold", "planner-scaffold")
START_TIMEOUT = 90.0
_IGNORED = shutil.ignore_patterns(
    ".git", "__pycache__", "*.pyc", ".venv", "venv", "target", "build"
)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "service"


def _inputs(plan_path: Path, wave: int, scaffold: Path | None) -> tuple[Plan, Facts, Wave]:
    if not plan_path.is_file():
        raise InputError(f"no plan at {plan_path}")
    try:
        plan = read_plan(plan_path)
        facts = read_facts(plan_path.parent / "facts.json")
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read the plan or its facts.json: {exc}") from exc
    numbers = sorted(w.number for w in plan.waves)
    if wave not in numbers:
        span = f"{numbers[0]}..{numbers[-1]}" if numbers else "none"
        raise InputError(f"wave {wave} is out of range: the plan has waves {span}")
    if scaffold is None:
        scaffold = next(
            (plan_path.parent / n for n in SCAFFOLD_NAMES if (plan_path.parent / n).is_dir()), None
        )
    if scaffold is None or not scaffold.is_dir():
        raise InputError(
            f"no scaffold beside {plan_path} (run `planner scaffold {plan_path} "
            f"--out {plan_path.parent / 'scaffold'}` or pass --scaffold DIR)"
        )
    check_made_for(scaffold, plan, plan_path)
    return plan, facts, read_wave(scaffold, wave)


def _is_db_url(value: str) -> bool:
    return bool(re.match(r"(jdbc:)?postgres(ql)?(\+\w+)?://", value))


def _url_user(value: str) -> str:
    parts = urlsplit(value.removeprefix("jdbc:"))
    query = dict(parse_qsl(parts.query))
    return parts.username or query.get("user", "")


def _local_url(value: str, srv: db.Server, database: str, password: str) -> str:
    """A generated database URL pointing at the scratch database, same scheme and user."""
    jdbc = value.startswith("jdbc:")
    parts = urlsplit(value.removeprefix("jdbc:"))
    query = dict(parse_qsl(parts.query))
    if jdbc:
        query.update({"user": _url_user(value), "password": password})
        return "jdbc:" + urlunsplit(
            (parts.scheme, f"{srv.host}:{srv.port}", f"/{database}", urlencode(query), "")
        )
    netloc = f"{parts.username}:{password}@{srv.host}:{srv.port}"
    return urlunsplit((parts.scheme, netloc, f"/{database}", parts.query, ""))


@contextlib.contextmanager
def _interrupts() -> Iterator[None]:
    """SIGTERM behaves like Ctrl-C while the rehearsal runs, so its cleanup always happens."""

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def _scratch() -> Iterator[Path]:
    """The rehearsal's temporary folder, removed afterwards; a removal that meets files still
    being let go by a step killed a moment ago (a loaded machine) is tried again for up to 10 s
    rather than failing the cleanup."""
    work = Path(tempfile.mkdtemp(prefix="planner-rehearsal-"))
    try:
        yield work
    finally:
        for _ in range(50):
            try:
                shutil.rmtree(work)
                break
            except FileNotFoundError:
                break
            except OSError:
                time.sleep(0.2)
        else:
            shutil.rmtree(work, ignore_errors=True)


def rehearse(
    plan_path: Path,
    wave: int,
    *,
    admin_url: str = db.DEFAULT_ADMIN_URL,
    scaffold: Path | None = None,
    schema: Path | None = None,
    logs: Path | None = None,
    say: Callable[[str], None] = print,
) -> Report:
    """Rehearse wave `wave` of the plan at `plan_path` with its generated scaffold; each
    process's output is kept under `logs` when given."""
    plan, facts, spec = _inputs(plan_path, wave, scaffold)
    source = Path(facts.root)
    if not source.is_dir():
        raise InputError(f"the monolith's checkout {source} (facts.root) is not here")
    schema = schema or spec.schema
    if schema is None or not schema.is_file():
        raise InputError(
            f"no schema to load: {spec.folder}/db/01-schema.sql is missing (pass --schema FILE)"
        )
    nginx = facade.nginx_binary()
    srv = db.server(admin_url)
    lock = FileLock(Path(tempfile.gettempdir()) / f"planner-rehearsal-{srv.host}-{srv.port}.lock")
    with _interrupts(), lock, contextlib.ExitStack() as stack:
        work = stack.enter_context(_scratch())
        if logs is not None:  # the processes write their logs there directly
            shutil.rmtree(logs, ignore_errors=True)
            logs.mkdir(parents=True)
            (work / "logs").symlink_to(logs.resolve(), target_is_directory=True)
        return _run(plan, spec, source, schema, nginx, srv, work, stack, say)


def _run(
    plan: Plan,
    spec: Wave,
    source: Path,
    schema: Path,
    nginx: str,
    srv: db.Server,
    work: Path,
    stack: contextlib.ExitStack,
    say: Callable[[str], None],
) -> Report:
    run = uuid.uuid4().hex[:10]
    name = f"rehearsal_{run}"
    checks: list[Check] = []
    services = {_slug(s.name): s.name for s in plan.services}
    say(f"scratch database {name} on {srv.host}:{srv.port}")
    created: list[str] = []  # roles: dropped after the database (they hold grants in it)
    stack.callback(lambda: [db.drop_role(srv, r) for r in created])
    db.create_database(srv, name)
    stack.callback(db.drop_database, srv, name)
    db.load_schema(srv, name, schema)
    say(f"loaded {schema}")

    env = dict(spec.env)
    passwords: dict[str, str] = {}
    for key, value in env.items():
        if _is_db_url(value):
            user = _url_user(value)
            password = passwords.setdefault(user, db.new_password())
            env[key] = _local_url(value, srv, name, password)
    admin = urlsplit(srv.admin_url).username or "postgres"
    roles: dict[str, str] = {}  # unit -> role its URL names
    for unit in spec.units:
        user = next(
            (_url_user(v) for k, v in spec.env if _is_db_url(v) and k in _env_refs(unit)), ""
        )
        roles[unit.name] = user
    for role in sorted({r for r in roles.values() if r} - {admin}):
        db.claim_role(srv, role)
    for service, script in spec.grants:
        wanted = role_name(services.get(service, service))
        db.claim_role(srv, wanted)
        created.append(wanted)
        db.apply_grants(srv, name, script, passwords.setdefault(wanted, db.new_password()))
        db.mark_role(srv, wanted, run)
        used = roles.get(service, "")
        checks.append(
            Check(
                f"{service} role",
                used == wanted,
                f"grants create {wanted}; its database URL logs in as {used or '?'}",
            )
        )
    say(f"applied {len(spec.grants)} grant script(s)")
    monolith_role = roles.get(MONOLITH, "")
    if monolith_role and monolith_role != admin and monolith_role not in created:
        created.append(monolith_role)
        db.create_owner_role(srv, name, monolith_role, passwords[monolith_role])
        db.mark_role(srv, monolith_role, run)

    available = processes.pythons()
    ports = {u.name: processes.free_port() for u in spec.units}
    running: dict[str, processes.Running] = {}
    for unit in spec.units:
        running[unit.name] = _start(
            unit, source, work, env, ports[unit.name], available, checks, stack, say
        )
    for unit in spec.units:
        health = unit.image.health or "/health"
        status = processes.wait_http(running[unit.name], health, START_TIMEOUT)
        checks.append(
            Check(
                f"{unit.name} {health}",
                status == 200,
                f"answered {status} on 127.0.0.1:{ports[unit.name]}",
            )
        )
    say("monolith and services answer: " + ", ".join(f"{n} :{p}" for n, p in ports.items()))

    listen = processes.free_port()
    prefix = work / "nginx"
    conf = facade.write_config(
        prefix, facade.rewrite(spec.facade.read_text(encoding="utf-8"), ports, listen)
    )
    facade.check_config(nginx, prefix, conf)
    with processes.starting():  # no interrupt between the start and its cleanup's record
        proxy = processes.start(
            "nginx",
            facade.command(nginx, prefix, conf),
            prefix,
            dict(os.environ),
            listen,
            prefix / "logs" / "nginx.out",
        )
        stack.callback(processes.stop, proxy)
    processes.wait_http(proxy, "/healthz", 20)
    say(f"nginx with the facade on 127.0.0.1:{listen}")

    probes = _probe_all(plan, spec, f"http://127.0.0.1:{listen}", ports, say)
    checks += _privileges(plan, spec, srv, name, services, passwords)
    for unit in spec.units[1:]:
        log = running[unit.name].log.read_text(encoding="utf-8", errors="replace")
        denied = len(re.findall(r"permission denied for", log))
        checks.append(
            Check(
                f"{unit.name} log",
                not denied,
                f"{denied} permission-denied error(s) from PostgreSQL",
            )
        )
    return Report(spec.number, tuple(probes), tuple(checks))


def _env_refs(unit: Unit) -> set[str]:
    """The .env variables a unit's environment and secrets name."""
    names = {v for _, v in unit.secrets}
    for _, value in unit.environment:
        names |= set(re.findall(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)", value))
    return names


def _start(
    unit: Unit,
    source: Path,
    work: Path,
    env: dict[str, str],
    port: int,
    available: dict[tuple[int, int], str],
    checks: list[Check],
    stack: contextlib.ExitStack,
    say: Callable[[str], None],
) -> processes.Running:
    logs = work / "logs"
    logs.mkdir(exist_ok=True)
    log = logs.resolve() / f"{unit.name}.log"
    home = work / "units" / unit.name
    if unit.name == MONOLITH:
        shutil.copytree(source, home, ignore=_IGNORED)  # the image's build context
    else:
        shutil.copytree(unit.folder, home, ignore=_IGNORED)
        if (home / "copy-sources.sh").is_file():
            processes.run_script(
                ["sh", "copy-sources.sh", str(source)], home, log, "copy-sources.sh"
            )
    image = unit.image
    environment = {"PATH": os.environ.get("PATH", ""), "HOME": str(home), "LANG": "C.UTF-8"}
    if image.builds:
        raise InputError(
            f"{unit.name} builds with {image.builds[0][0]}: " + _java(unit, home, log, image.builds)
        )
    python = processes.interpreter(image.base, available)
    version = f"{python.version[0]}.{python.version[1]}"
    checks.append(
        Check(
            f"{unit.name} python",
            not python.note,
            python.note or f"Python {version} as in {image.base}",
        )
    )
    say(f"installing {unit.name} into a Python {version} virtualenv")
    venv = processes.make_venv(python, work / "venvs" / unit.name, image.installs, unit.folder, log)
    environment["PATH"] = f"{venv / 'bin'}:{environment['PATH']}"
    environment["VIRTUAL_ENV"] = str(venv)
    secrets = work / "secrets"
    secrets.mkdir(exist_ok=True, mode=0o700)
    values = dict(env)
    for secret, variable in unit.secrets:
        (secrets / secret).write_text(env.get(variable, ""), encoding="utf-8")
    for key, value in unit.environment:
        text = interpolate(value, values)
        for secret, _ in unit.secrets:
            text = text.replace(f"/run/secrets/{secret}", str(secrets / secret))
        environment[key] = text
    command = processes.local_command(image.command, image.port, port)
    say(f"starting {unit.name}: {' '.join(command)}")
    with processes.starting():  # no interrupt between the start and its cleanup's record
        started = processes.start(unit.name, command, home, environment, port, log)
        stack.callback(processes.stop, started)
    return started


def _java(unit: Unit, home: Path, log: Path, builds: tuple[tuple[str, ...], ...]) -> str:
    """Run a Java unit's build steps (Maven or Gradle) as its Dockerfile does; their failure is the
    rehearsal's error. Running the built artifact is not rehearsed yet."""
    for args in builds:
        processes.run_script(list(args), home, log, " ".join(args[:3]))
    return "the build passed, but starting Java units is not rehearsed yet"


def _probe_all(
    plan: Plan, spec: Wave, base: str, ports: dict[str, int], say: Callable[[str], None]
) -> list[Probe]:
    by_port = {f"127.0.0.1:{p}": n for n, p in ports.items()}
    moved: dict[tuple[str, str], str] = {}
    for step in plan.steps:
        if step.wave <= spec.number:
            for ref in step.reroute:
                moved[(ref.method, ref.path)] = _slug(step.service)
    endpoints = sorted(
        {(r.method, r.path) for s in plan.services for r in s.endpoints} | set(moved)
    )
    probes: list[Probe] = []
    for method_field, path in endpoints:
        method, url = first_method(method_field), concrete(path)
        expected = moved.get((method_field, path), MONOLITH)
        try:
            status, upstream = send(base, method, url)
        except OSError as exc:
            status, upstream = 0, ""
            note = f"no answer: {exc}"
        actual = by_port.get(upstream.split(",")[-1].strip(), upstream)
        ok, note = verdict(expected, actual, status) if status else (False, note)
        probes.append(Probe(method, path, url, expected, actual, status, ok, note))
    say(
        f"sent {len(probes)} endpoint(s) through the facade; "
        f"{sum(p.ok for p in probes)} served by the right upstream"
    )
    return probes


def _privileges(
    plan: Plan,
    spec: Wave,
    srv: db.Server,
    database: str,
    services: dict[str, str],
    passwords: dict[str, str],
) -> list[Check]:
    """Each service connected as its own role, and that role may not write outside its grants."""
    time.sleep(0.2)
    seen = {user for user, _ in db.sessions(srv, database)}
    tables = [
        r[0]
        for r in db.query(
            srv,
            database,
            "SELECT table_name FROM "
            "information_schema.tables WHERE table_schema = 'public' AND table_type = "
            "'BASE TABLE' ORDER BY 1",
        )
    ]
    checks: list[Check] = []
    for service, _ in spec.grants:
        name = services.get(service, service)
        role = role_name(name)
        checks.append(
            Check(
                f"{service} connects as {role}",
                role in seen,
                "seen in pg_stat_activity"
                if role in seen
                else f"not among {', '.join(sorted(seen)) or 'no sessions'}",
            )
        )
        writes = {u.table for u in plan.access if u.service == name and u.writes}
        other = next((t for t in tables if t not in writes), None)
        if other is None:
            continue
        error = db.try_as(
            srv, database, role, passwords.get(role, ""), f'DELETE FROM "{other}" WHERE false'
        )
        checks.append(
            Check(
                f"{service} cannot write {other}",
                "permission denied" in error,
                error or "the DELETE was allowed",
            )
        )
    return checks


def command(
    plan_path: Path,
    wave: int,
    out: Path | None = None,
    admin_url: str = db.DEFAULT_ADMIN_URL,
    scaffold: Path | None = None,
    schema: Path | None = None,
    say: Callable[[str], None] = print,
) -> int:
    """`planner rehearse`: rehearse, print the table, write `rehearsal-wave-N.json`/`.txt` and
    the processes' logs into `out` (default: PLAN's folder); 0 when everything passed, else 1."""
    from planner.rehearsal.report import to_json, to_text

    folder = out or plan_path.parent
    folder.mkdir(parents=True, exist_ok=True)
    stem = folder / f"rehearsal-wave-{wave}"
    report = rehearse(
        plan_path,
        wave,
        admin_url=admin_url,
        scaffold=scaffold,
        schema=schema,
        logs=folder / f"rehearsal-wave-{wave}-logs",
        say=say,
    )
    text = to_text(report)
    stem.with_suffix(".json").write_text(to_json(report), encoding="utf-8")
    stem.with_suffix(".txt").write_text(text, encoding="utf-8")
    say(text.rstrip("\n"))
    say(f"wrote {stem}.json, {stem}.txt")
    return 0 if report.ok else 1
