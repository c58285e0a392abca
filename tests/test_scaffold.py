"""Tests for the container scaffold: every generated file is parsed and validated for real."""

from __future__ import annotations

import http.server
import json
import os
import re
import shutil
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest
import yaml

from analyzers.containers import lint_containers, parse_dockerfile
from analyzers.facts import Endpoint, Evidence, Facts, Unit, read_facts
from analyzers.java import analyze_java
from analyzers.runtime import analyze_build
from analyzers.runtime.java import java_release
from planner.config import Config
from planner.pipeline import make_plan
from planner.plan import EndpointRef, Plan, Score, Service, Step, TablePlan, Wave, read_plan
from reports.scaffold import plan_files, write_scaffold
from reports.scaffold.facade import methods_of, path_regex
from reports.scaffold.model import Runtime
from reports.scaffold.runtime import lts_for, modules, python_runtime, service_runtime
from reports.scaffold.runtime import module_dir as _module_dir
from reports.scaffold.runtime import service_module as _service_module


def detect_runtime(root: Path, framework: str) -> Runtime:
    """The Python runtime the scaffold derives from the build facts of `root`."""
    return python_runtime(analyze_build(root), framework)


def detect_service_runtime(
    root: Path, framework: str, language: str = "python", paths: tuple[str, ...] = ()
) -> Runtime:
    """A service's runtime from the build facts of `root`."""
    return service_runtime(analyze_build(root), framework, language, paths)


def module_dir(root: Path, path: str) -> str:
    return _module_dir(modules(analyze_build(root)), path)


def service_module(root: Path, paths: tuple[str, ...]) -> str:
    return _service_module(modules(analyze_build(root)), paths)


SCHEMA = Path(__file__).parent / "fixtures" / "containers" / "compose-spec" / "compose-spec.json"
ON_CI = os.environ.get("CI") == "true"


# --- a hand-built plan: orders and payments in wave 1, catalog in wave 2 ----------------------


def _endpoint(unit: str, method: str, path: str) -> Endpoint:
    return Endpoint(unit, method, path, "flask", "view", Evidence(f"{unit}.py", 1))


FACTS_ENDPOINTS = (
    _endpoint("shop.orders.views", "GET", "/orders"),
    _endpoint("shop.orders.views", "POST", "/orders"),
    _endpoint("shop.orders.views", "GET", "/orders/<int:order_id>"),
    _endpoint("shop.payments.views", "POST", "/payments/<uuid:payment_id>/refund"),
    _endpoint("shop.catalog.views", "GET", "/catalog/items/<path:slug>"),
    _endpoint("shop.catalog.views", "GET", "/api/v1/prices.json"),
    _endpoint("shop.admin.views", "GET", "/admin"),
)


def _ref(endpoint: Endpoint) -> EndpointRef:
    return EndpointRef(endpoint.method, endpoint.path, endpoint.unit)


def _service(name: str, members: tuple[str, ...], tables: tuple[str, ...]) -> Service:
    endpoints = tuple(_ref(e) for e in FACTS_ENDPOINTS if e.unit in members)
    zero = Score(0.0, ())
    return Service(name, members, tables, endpoints, 100, zero, zero)


def _table(name: str, owner: str, pattern: str = "owned") -> TablePlan:
    return TablePlan(name, owner, (owner,), (owner,), pattern, "only its owner uses it")  # type: ignore[arg-type]


def _step(order: int, wave: int, service: Service, reroute: tuple[EndpointRef, ...]) -> Step:
    return Step(
        order=order,
        wave=wave,
        service=service.name,
        reason="low risk",
        reroute=reroute,
        calls_back=(),
        tables=tuple(_table(t, service.name) for t in service.tables),
        risks=(),
        rollout="Route 5% of traffic through the facade, then 100%.",
        checks=("error rate below 1%",),
        rollback="Point the facade back at the monolith.",
    )


def make_inputs(root: Path, database: str = "postgresql://app:***@db.internal/shop") -> tuple:
    orders = _service("orders", ("shop.orders.models", "shop.orders.views"), ("orders",))
    payments = _service("payments", ("shop.payments.views",), ("payments",))
    catalog = _service("catalog", ("shop.catalog.views",), ("products",))
    moved_orders = tuple(_ref(e) for e in FACTS_ENDPOINTS[:3:2])  # GET /orders, GET /orders/<id>
    plan = Plan(
        root=str(root),
        services=(orders, payments, catalog),
        shared_kernel=(),
        excluded=(),
        tables=(),
        access=(),
        edges=(),
        waves=(Wave(1, ("orders", "payments")), Wave(2, ("catalog",))),
        steps=(
            _step(1, 1, orders, moved_orders),
            _step(2, 1, payments, payments.endpoints),
            _step(3, 2, catalog, catalog.endpoints),
        ),
        metrics={},
        warnings=(),
    )
    units = tuple(
        Unit(m, m.replace(".", "/") + ".py", "python", 10, m.rsplit(".", 1)[0])
        for s in plan.services
        for m in s.members
    )
    facts = Facts(root=str(root), units=units, endpoints=FACTS_ENDPOINTS, databases=(database,))
    return plan, with_build(facts)


def with_build(facts: Facts) -> Facts:
    """`facts` with the build facts of its root, as the analysis gives them."""
    return Facts(**{**facts.__dict__, "build": analyze_build(Path(facts.root), facts).build})


@pytest.fixture
def monolith(tmp_path: Path) -> Path:
    root = tmp_path / "monolith"
    root.mkdir()
    (root / "requirements.txt").write_text("flask==3.0.3\nSQLAlchemy==2.0.36\n")
    (root / "requirements-dev.txt").write_text("-r requirements.txt\npytest==8.3.3\n")
    return root


@pytest.fixture
def scaffold(tmp_path: Path, monolith: Path) -> Path:
    plan, facts = make_inputs(monolith)
    out = tmp_path / "out"
    write_scaffold(plan, facts, out)
    return out


# --- layout and determinism ------------------------------------------------------------------


def test_writes_every_file_deterministically(tmp_path: Path, monolith: Path) -> None:
    plan, facts = make_inputs(monolith)
    written = write_scaffold(plan, facts, tmp_path / "a")
    rel = [p.relative_to(tmp_path / "a").as_posix() for p in written]
    for svc in ("orders", "payments", "catalog"):
        for name in ("Dockerfile", ".dockerignore", "README.md", "requirements.txt"):
            assert f"{svc}/{name}" in rel
        assert f".github/workflows/{svc}.yml" in rel
    for wave in ("wave-1", "wave-2"):
        for name in (
            "compose.dev.yml",
            "compose.prod.yml",
            "nginx/facade.conf",
            ".env.dev.example",
            ".env.prod.example",
        ):
            assert f"{wave}/{name}" in rel
    assert rel == sorted(rel)
    write_scaffold(plan, facts, tmp_path / "b")
    for path in written:
        twin = tmp_path / "b" / path.relative_to(tmp_path / "a")
        assert twin.read_bytes() == path.read_bytes()


def test_generated_files_have_zero_lint_findings(scaffold: Path) -> None:
    assert lint_containers(scaffold) == ()
    assert len(list(scaffold.rglob("Dockerfile"))) == 4  # three services and the monolith


# --- Dockerfile ------------------------------------------------------------------------------


def test_dockerfile_follows_the_practices(scaffold: Path) -> None:
    text = (scaffold / "orders" / "Dockerfile").read_text()
    instructions = parse_dockerfile(text)
    froms = [i.args for i in instructions if i.keyword == "FROM"]
    assert froms[0] == "python:3.11.10-slim-bookworm AS base"  # no version declared: default
    assert [f.split()[-1] for f in froms] == ["base", "builder", "development", "production"]
    final = text[text.index("AS production") :]
    assert "USER 10001:10001" in final
    assert "HEALTHCHECK" in final and "urllib.request.urlopen" in final and "/health" in final
    assert "curl" not in text
    assert "PYTHONUNBUFFERED=1" in text
    assert "COPY --from=builder /opt/venv /opt/venv" in final
    assert all("--no-cache-dir" in i.args for i in instructions if "pip install" in i.args)
    assert "--reload" in text[text.index("AS development") : text.index("AS production")]
    assert '"--access-logfile", "-"' in text
    envs = " ".join(i.args for i in instructions if i.keyword in {"ENV", "ARG"})
    assert not re.search(r"PASSWORD|SECRET|TOKEN", envs)


def test_readme_lists_members_tables_endpoints(scaffold: Path) -> None:
    text = (scaffold / "orders" / "README.md").read_text()
    assert "`shop.orders.models` (shop/orders/models.py)" in text
    assert "`orders`: owned" in text
    assert "`GET /orders/<int:order_id>`" in text
    assert "`POST /orders`" in text.split("Other endpoints")[1]


def test_requirements_copied_from_the_monolith(scaffold: Path) -> None:
    assert "flask==3.0.3" in (scaffold / "orders" / "requirements.txt").read_text()
    dev = (scaffold / "orders" / "requirements-dev.txt").read_text()
    assert "pytest==8.3.3" in dev and "-r requirements.txt" not in dev


@pytest.mark.parametrize(
    ("files", "manager", "copied"),
    [
        ({"requirements.txt": "flask==3.0.3\n"}, "requirements", "requirements.txt"),
        ({"requirements-prod.txt": "flask==3.0.3\n"}, "requirements", "requirements.txt"),
        (
            {"pyproject.toml": '[tool.poetry]\nname="x"\n', "poetry.lock": "# lock\n"},
            "poetry",
            "poetry.lock",
        ),
        ({"Pipfile": "[packages]\nflask='*'\n"}, "pipenv", "Pipfile"),
        (
            {"pyproject.toml": '[project]\nname="x"\ndependencies=["flask==3.0.3"]\n'},
            "pyproject",
            "requirements.txt",
        ),
        ({}, "none", "requirements.txt"),
        ({"pyproject.toml": "not [valid toml"}, "none", "requirements.txt"),
    ],
)
def test_detects_the_dependency_manager(
    tmp_path: Path, files: dict[str, str], manager: str, copied: str
) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    runtime = detect_runtime(tmp_path, "flask")
    assert runtime.manager == manager
    names = [name for name, _ in runtime.copied]
    assert copied in names and "requirements-dev.txt" in names
    if manager == "pyproject":
        assert "flask==3.0.3" in dict(runtime.copied)["requirements.txt"]


@pytest.mark.parametrize("manager_file", ["poetry", "pipenv"])
def test_poetry_and_pipenv_dockerfiles_lint_clean(tmp_path: Path, manager_file: str) -> None:
    root = tmp_path / "mono"
    root.mkdir()
    if manager_file == "poetry":
        (root / "pyproject.toml").write_text('[tool.poetry]\nname = "shop"\n')
    else:
        (root / "Pipfile").write_text("[packages]\n")
    plan, facts = make_inputs(root)
    out = tmp_path / "out"
    write_scaffold(plan, facts, out)
    text = (out / "orders" / "Dockerfile").read_text()
    assert ("poetry export" if manager_file == "poetry" else "pipenv requirements") in text
    assert lint_containers(out) == ()


def test_fastapi_services_get_uvicorn(tmp_path: Path, monolith: Path) -> None:
    plan, facts = make_inputs(monolith)
    fastapi = tuple(
        Endpoint(e.unit, e.method, e.path, "fastapi", e.handler, e.evidence)
        for e in facts.endpoints
    )
    files = plan_files(plan, Facts(**{**facts.__dict__, "endpoints": fastapi}))
    assert '"uvicorn", "main:app"' in files["orders/Dockerfile"]
    assert "gunicorn" not in files["orders/Dockerfile"]


# --- compose ---------------------------------------------------------------------------------


def _interpolate(text: str, env: dict[str, str]) -> str:
    """Compose-style `${VAR}`, `${VAR:-default}` and `${VAR:?message}` substitution."""

    def sub(match: re.Match[str]) -> str:
        name, op, arg = match[1], match[2] or "", match[3] or ""
        if name in env and env[name] != "":
            return env[name]
        if op.endswith("?"):
            raise AssertionError(f"required variable {name} is not in the .env example")
        return arg if op.endswith("-") else ""

    return re.sub(r"\$\{(\w+)(:?[-?])?([^}]*)\}", sub, text)


def _env_file(path: Path) -> dict[str, str]:
    pairs = [ln.split("=", 1) for ln in path.read_text().splitlines() if ln and ln[0] != "#"]
    return {k: v for k, v in pairs}


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft7Validator:
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


@pytest.mark.parametrize("wave", ["wave-1", "wave-2"])
@pytest.mark.parametrize("env", ["dev", "prod"])
def test_compose_files_match_the_compose_spec(
    scaffold: Path, validator: jsonschema.Draft7Validator, wave: str, env: str
) -> None:
    text = (scaffold / wave / f"compose.{env}.yml").read_text()
    raw = yaml.safe_load(text)
    errors = sorted(validator.iter_errors(raw), key=str)
    assert not errors, [e.message for e in errors]
    variables = _env_file(scaffold / wave / f".env.{env}.example")
    interpolated = yaml.safe_load(_interpolate(text, variables))
    errors = sorted(validator.iter_errors(interpolated), key=str)
    assert not errors, [e.message for e in errors]


def test_the_schema_rejects_a_broken_compose_file(validator: jsonschema.Draft7Validator) -> None:
    bad = {"services": {"a": {"image": "x:1", "deploy": {"replicas": "many"}, "bogus": 1}}}
    assert list(validator.iter_errors(bad))


def test_prod_compose_pins_limits_and_secrets(scaffold: Path) -> None:
    data = yaml.safe_load((scaffold / "wave-2" / "compose.prod.yml").read_text())
    services = data["services"]
    assert set(services) == {"facade", "monolith", "orders", "payments", "catalog"}
    for name, service in services.items():
        assert service["deploy"]["resources"]["limits"]["memory"], name
        assert service["deploy"]["resources"]["limits"]["cpus"], name
        assert service["healthcheck"]["test"][0] == "CMD", name
        assert service["restart"] == "unless-stopped", name
        assert "latest" not in service["image"], name
    orders = services["orders"]
    assert orders["image"] == (
        "${REGISTRY:?set REGISTRY}/orders:${ORDERS_VERSION:?set ORDERS_VERSION to a tag or git sha}"
    )
    assert orders["deploy"]["replicas"] == 2
    assert orders["read_only"] is True and orders["tmpfs"] == ["/tmp"]
    assert orders["secrets"] == ["orders_database_url"]
    assert orders["environment"]["DATABASE_URL_FILE"] == "/run/secrets/orders_database_url"
    assert data["secrets"]["orders_database_url"] == {"environment": "ORDERS_DATABASE_URL"}
    assert services["facade"]["depends_on"]["catalog"] == {"condition": "service_healthy"}


def test_dev_compose_builds_the_development_target(scaffold: Path) -> None:
    data = yaml.safe_load((scaffold / "wave-1" / "compose.dev.yml").read_text())
    services = data["services"]
    assert set(services) == {"facade", "monolith", "orders", "payments", "db"}
    assert services["orders"]["build"] == {"context": "../orders", "target": "development"}
    assert "../orders:/app" in services["orders"]["volumes"]
    assert services["db"]["image"] == "postgres:16.4-bookworm"
    assert services["db"]["environment"]["POSTGRES_PASSWORD_FILE"] == "/run/secrets/db_password"
    assert (scaffold / "wave-1" / "../orders/Dockerfile").resolve().is_file()


def test_external_database_when_not_postgres_or_mysql(tmp_path: Path, monolith: Path) -> None:
    plan, facts = make_inputs(monolith, database="sqlite:///shop.db")
    files = plan_files(plan, facts)
    services = yaml.safe_load(files["wave-1/compose.dev.yml"])["services"]
    assert "db" not in services and "depends_on" not in services["orders"]
    assert "<host>" in files["wave-1/.env.dev.example"]


def test_env_examples_hold_placeholders_only(scaffold: Path) -> None:
    for path in scaffold.rglob(".env.*.example"):
        for key, value in _env_file(path).items():
            if re.search(r"PASSWORD|DATABASE_URL", key):
                assert "change-me" in value, (path, key)
            assert not re.search(r"://[^:/]+:(?!change-me@)[^@]+@", value), (path, key)
    for path in scaffold.rglob("compose.*.yml"):
        assert "change-me" not in path.read_text()


# --- nginx facade ----------------------------------------------------------------------------

REGEX_CASES = [
    ("/orders/<int:order_id>", "^/orders/[0-9]+/?$", ["/orders/12", "/orders/12/"], ["/orders/x"]),
    ("/orders", "^/orders/?$", ["/orders", "/orders/"], ["/orders/1", "/ordersx"]),
    ("/items/<path:slug>", "^/items/.+/?$", ["/items/a/b"], ["/items/"]),
    ("/u/<name>", "^/u/[^/]+/?$", ["/u/bob"], ["/u/bob/x"]),
    ("/p/{item_id}", "^/p/[^/]+/?$", ["/p/7"], ["/p/"]),
    ("/f/{rest:path}", "^/f/.+/?$", ["/f/a/b"], ["/f/"]),
    (
        "/api/v1/prices.json",
        "^/api/v1/prices\\.json/?$",
        ["/api/v1/prices.json"],
        ["/api/v1/pricesXjson"],
    ),
    ("^orders/(?P<pk>[0-9]+)/$", "^/orders/(?P<pk>[0-9]+)/?$", ["/orders/3/"], ["/orders/a/"]),
    ("/", "^/$", ["/"], ["/x"]),
    ("/track/*", "^/track(/.*)?$", ["/track", "/track/1/x"], ["/tracking"]),
    ("*.do", "^/.*\\.do$", ["/a/b.do"], ["/a/bdo", "/a.do/x"]),
    ("/*", "^/.*$", ["/", "/a/b"], []),
]


@pytest.mark.parametrize(("route", "regex", "matching", "other"), REGEX_CASES)
def test_route_patterns_become_location_regexes(
    route: str, regex: str, matching: list[str], other: list[str]
) -> None:
    assert path_regex(route) == regex
    assert all(re.match(regex, p) for p in matching)
    assert not any(re.match(regex, p) for p in other)


def test_methods() -> None:
    assert methods_of("GET") == {"GET", "HEAD"}
    assert methods_of("GET, POST") == {"GET", "HEAD", "POST"}
    assert "DELETE" in methods_of("ANY")


def test_facade_routes_only_what_moved_so_far(scaffold: Path) -> None:
    wave1 = (scaffold / "wave-1" / "nginx" / "facade.conf").read_text()
    wave2 = (scaffold / "wave-2" / "nginx" / "facade.conf").read_text()
    assert "catalog" not in wave1 and "$upstream_catalog" in wave2
    assert 'location ~ "^/orders/[0-9]+/?$" {\n        proxy_pass $upstream_orders;' in wave1
    # POST /orders stays in the monolith: /orders is routed by method.
    assert '"^(GET|HEAD)$") { set $target $upstream_orders; }' in wave1
    assert "location / {\n        proxy_pass $upstream_monolith;" in wave1


def _nginx() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else "")
    if not found:
        if ON_CI:
            pytest.fail("nginx is not installed (apt-get install -y nginx)")
        pytest.skip("nginx is not installed (apt-get install -y nginx)")
    return found


def _wrapper(prefix: Path, conf: Path) -> Path:
    for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / name).mkdir(parents=True, exist_ok=True)
    main = prefix / "nginx.conf"
    main.write_text(
        "worker_processes 1;\n"
        f"pid {prefix}/nginx.pid;\n"
        "error_log stderr warn;\n"
        "events { worker_connections 64; }\n"
        "http {\n"
        f"    client_body_temp_path {prefix}/client_body;\n"
        f"    proxy_temp_path {prefix}/proxy;\n"
        f"    fastcgi_temp_path {prefix}/fastcgi;\n"
        f"    uwsgi_temp_path {prefix}/uwsgi;\n"
        f"    scgi_temp_path {prefix}/scgi;\n"
        f"    include {conf};\n"
        "}\n"
    )
    return main


@pytest.mark.parametrize("wave", ["wave-1", "wave-2"])
def test_facade_passes_nginx_t(scaffold: Path, tmp_path: Path, wave: str) -> None:
    nginx = _nginx()
    prefix = tmp_path / "nginx"
    main = _wrapper(prefix, scaffold / wave / "nginx" / "facade.conf")
    result = subprocess.run(
        [nginx, "-t", "-p", str(prefix), "-c", str(main)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr
    broken = tmp_path / "broken.conf"
    broken.write_text((scaffold / wave / "nginx" / "facade.conf").read_text().replace(";", "", 1))
    bad = subprocess.run(
        [nginx, "-t", "-p", str(prefix), "-c", str(_wrapper(prefix, broken))],
        capture_output=True,
        text=True,
    )
    assert bad.returncode != 0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def backends() -> Iterator[dict[str, int]]:
    """Tiny HTTP servers answering `<name> <method> <path>`, one per upstream."""
    servers = {}
    for name in ("monolith", "orders", "payments", "catalog"):

        class Handler(http.server.BaseHTTPRequestHandler):
            label = name

            def _answer(self) -> None:
                body = f"{self.label} {self.command} {self.path}".encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_DELETE = _answer

            def log_message(self, *args: object) -> None:
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers[name] = server
    yield {name: s.server_address[1] for name, s in servers.items()}
    for server in servers.values():
        server.shutdown()
        server.server_close()


def _request(port: int, method: str, path: str) -> str:
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method)
    with urllib.request.urlopen(req, timeout=5) as resp:
        return resp.read().decode()


def test_facade_really_routes_requests(
    scaffold: Path, tmp_path: Path, backends: dict[str, int]
) -> None:
    nginx = _nginx()
    conf = (scaffold / "wave-2" / "nginx" / "facade.conf").read_text()
    for name, port in backends.items():
        conf = re.sub(rf"http://{name}:\d+", f"http://127.0.0.1:{port}", conf)
    listen = _free_port()
    conf = conf.replace("listen 8080;", f"listen 127.0.0.1:{listen};")
    conf_path = tmp_path / "facade.conf"
    conf_path.write_text(conf)
    prefix = tmp_path / "nginx"
    main = _wrapper(prefix, conf_path)
    proc = subprocess.Popen(
        [nginx, "-p", str(prefix), "-c", str(main), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                assert _request(listen, "GET", "/healthz") == "ok\n"
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.05)
        cases = {
            ("GET", "/orders"): "orders",
            ("POST", "/orders"): "monolith",
            ("GET", "/orders/42"): "orders",
            ("GET", "/orders/abc"): "monolith",
            (
                "POST",
                "/payments/" + "0" * 8 + "-0000-0000-0000-" + "0" * 12 + "/refund",
            ): "payments",
            ("GET", "/catalog/items/a/b"): "catalog",
            ("GET", "/api/v1/prices.json"): "catalog",
            ("GET", "/admin"): "monolith",
            ("DELETE", "/orders/42"): "orders",
        }
        for (method, path), expected in cases.items():
            assert _request(listen, method, path) == f"{expected} {method} {path}", (method, path)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


# --- CI workflow -----------------------------------------------------------------------------


def test_workflow_builds_scans_tests_and_pushes_versions(scaffold: Path) -> None:
    text = (scaffold / ".github" / "workflows" / "orders.yml").read_text()
    data = yaml.safe_load(text)
    job = data["jobs"]["build-scan-test-push"]
    assert not job["runs-on"].endswith("latest")
    steps = job["steps"]
    for step in steps:
        if "uses" in step:
            _action, _, version = step["uses"].partition("@")
            assert re.fullmatch(r"v?\d+\.\d+\.\d+", version), step["uses"]
    names = [s.get("name", s.get("uses", "")) for s in steps]
    order = [
        next(i for i, n in enumerate(names) if word in n)
        for word in ("Build", "Scan", "Integration", "Push")
    ]
    assert order == sorted(order)
    trivy = next(s for s in steps if "trivy" in s.get("uses", ""))
    assert trivy["with"]["exit-code"] == "1" and trivy["with"]["severity"] == "HIGH,CRITICAL"
    integration = steps[order[2]]
    assert integration["working-directory"] == "wave-1"
    assert "compose.prod.yml" in integration["run"] and "/healthz" in integration["run"]
    assert '"http://127.0.0.1:8080/orders"' in integration["run"]
    # Both new services of wave 1 are built, scanned and tested at this commit: nothing waits
    # for the other's push (a wave of two or more bootstraps).
    assert integration["env"]["ORDERS_VERSION"] == "${{ steps.version.outputs.sha }}"
    assert integration["env"]["PAYMENTS_VERSION"] == "${{ steps.version.outputs.sha }}"
    builds = [s["run"] for s in steps if s.get("name", "").startswith("Build ")]
    assert len(builds) == 2 and all("copy-sources.sh" in run for run in builds)
    assert sum("Scan " in n for n in names) == 2
    wave2 = yaml.safe_load((scaffold / ".github" / "workflows" / "catalog.yml").read_text())
    env2 = next(
        s
        for s in wave2["jobs"]["build-scan-test-push"]["steps"]
        if "Integration" in s.get("name", "")
    )["env"]
    assert env2["ORDERS_VERSION"] == "${{ vars.ORDERS_VERSION }}"  # released in wave 1
    push = steps[order[3]]
    assert push["if"] == "github.event_name == 'push'"
    assert '"$IMAGE:$TAG"' in push["run"] and '"$IMAGE:$SEMVER"' in push["run"]
    assert "latest" not in json.dumps(data)
    assert data["on"]["push"]["tags"] == ["orders-v*"]


# --- the real demo plan ----------------------------------------------------------------------


def test_scaffold_of_the_demo_plan(tmp_path: Path, validator: jsonschema.Draft7Validator) -> None:
    planner = Path(__file__).resolve().parents[1] / ".venv" / "bin" / "planner"
    command = [str(planner) if planner.exists() else "planner", "demo", "--out", str(tmp_path)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    plan_path = tmp_path / "plan.json"
    if result.returncode != 0 or not plan_path.exists():
        message = f"`planner demo` did not write plan.json: {result.stderr.strip()[-300:]}"
        if ON_CI:
            pytest.fail(message)
        pytest.skip(message)
    plan = read_plan(plan_path)
    facts = read_facts(tmp_path / "facts.json")
    out = tmp_path / "scaffold"
    written = write_scaffold(plan, facts, out)
    assert written, "the demo plan extracts at least one service"
    assert lint_containers(out) == ()
    for path in out.rglob("compose.*.yml"):
        assert not list(validator.iter_errors(yaml.safe_load(path.read_text()))), path


# --- Java services ---------------------------------------------------------------------------

JAVA_SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "legacy_java"
BOOT_PARENT = (
    "<parent><groupId>org.springframework.boot</groupId>"
    "<artifactId>spring-boot-starter-parent</artifactId><version>3.3.5</version></parent>"
)
WRAPPER_JAR = bytes(range(256)) * 4  # binary content: must be copied byte for byte


def _pom(artifact: str, body: str = "", parent: str = BOOT_PARENT) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<project xmlns="http://maven.apache.org/POM/4.0.0">\n'
        f"  <modelVersion>4.0.0</modelVersion>{parent}\n"
        f"  <groupId>com.shop</groupId><artifactId>{artifact}</artifactId>\n"
        f"  <version>1.0.0</version>{body}\n</project>\n"
    )


def _write(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    return root


def _java_endpoint(unit: str, method: str, path: str) -> Endpoint:
    return Endpoint(unit, method, path, "spring", "handle", Evidence("X.java", 1))


def java_inputs(root: Path, module: str = "", others: tuple[str, ...] = ()) -> tuple[Plan, Facts]:
    """A two-wave plan over Java classes living under `module` (plus `others` paths)."""
    src = f"{module}/src/main/java/com/shop" if module else "src/main/java/com/shop"
    classes = {
        "orders": ("com.shop.orders.OrderController", "com.shop.orders.OrderService"),
        "billing": ("com.shop.billing.InvoiceResource",),
    }
    endpoints = (
        _java_endpoint("com.shop.orders.OrderController", "GET", "/api/orders/{id}"),
        _java_endpoint("com.shop.orders.OrderController", "POST", "/api/orders"),
        _java_endpoint("com.shop.billing.InvoiceResource", "GET", "/billing/invoices"),
        Endpoint(
            "com.shop.billing.InvoiceResource",
            "ANY",
            "/export/*",
            "servlet",
            "service",
            Evidence("X.java", 1),
        ),
    )
    units = [
        Unit(c, f"{src}/{c.split('.')[2]}/{c.rsplit('.', 1)[1]}.java", "java", 40, "com.shop")
        for members in classes.values()
        for c in members
    ]
    extra = tuple(f"other{i}" for i in range(len(others)))
    units += [Unit(unit, path, "java", 5, "x") for unit, path in zip(extra, others, strict=True)]
    zero = Score(0.0, ())
    orders, billing = (
        Service(
            name,
            members + (extra if name == "orders" else ()),
            (name,),
            tuple(_ref(e) for e in endpoints if e.unit in members),
            100,
            zero,
            zero,
        )
        for name, members in classes.items()
    )
    plan = Plan(
        root=str(root),
        services=(orders, billing),
        shared_kernel=(),
        excluded=(),
        tables=(),
        access=(),
        edges=(),
        waves=(Wave(1, ("orders",)), Wave(2, ("billing",))),
        steps=(_step(1, 1, orders, orders.endpoints), _step(2, 2, billing, billing.endpoints)),
        metrics={},
        warnings=(),
    )
    facts = Facts(
        root=str(root),
        units=tuple(units),
        endpoints=endpoints,
        databases=("postgresql://app:***@db/shop",),
    )
    return plan, with_build(facts)


def _froms(text: str) -> list[str]:
    return [i.args for i in parse_dockerfile(text) if i.keyword == "FROM"]


def _scaffold_java(tmp_path: Path, root: Path, module: str = "", others=()) -> Path:
    plan, facts = java_inputs(root, module, others)
    out = tmp_path / "out"
    write_scaffold(plan, facts, out)
    return out


MAVEN_SINGLE = {
    "pom.xml": _pom(
        "shop",
        "<properties><maven.compiler.release>21</maven.compiler.release></properties>",
    ),
    "src/main/resources/application.properties": "spring.application.name=shop\nserver.port=8081\n",
}
MAVEN_MULTI = {
    "pom.xml": _pom(
        "shop-parent",
        "<packaging>pom</packaging><modules><module>sm-core</module><module>sm-shop</module>"
        "</modules><properties><java.version>11</java.version></properties>",
    ),
    "sm-core/pom.xml": _pom(
        "sm-core",
        parent="<parent><groupId>com.shop</groupId><artifactId>shop-parent</artifactId>"
        "<version>1.0.0</version></parent>",
    ),
    "sm-shop/pom.xml": _pom(
        "sm-shop",
        "<packaging>war</packaging><dependencies><dependency><groupId>com.shop</groupId>"
        "<artifactId>sm-core</artifactId><version>1.0.0</version></dependency></dependencies>",
        parent="<parent><groupId>com.shop</groupId><artifactId>shop-parent</artifactId>"
        "<version>1.0.0</version></parent>",
    ),
}
GRADLE_GROOVY = {
    "settings.gradle": "rootProject.name = 'shop'\n",
    "build.gradle": (
        "plugins {\n  id 'java'\n  id 'org.springframework.boot' version '3.3.5'\n}\n"
        "java {\n  sourceCompatibility = JavaVersion.VERSION_1_8\n}\n"
        "repositories { mavenCentral() }\n"
    ),
    "gradle.properties": "org.gradle.jvmargs=-Xmx1g\n",
    "src/main/resources/application.yml": "server:\n  port: ${PORT:9090}\n",
}
GRADLE_KOTLIN = {
    "settings.gradle.kts": 'rootProject.name = "shop"\ninclude("app", "lib")\n',
    "build.gradle.kts": "plugins { java }\nallprojects { repositories { mavenCentral() } }\n",
    "app/build.gradle.kts": (
        'plugins {\n  war\n  id("war")\n}\n'
        "java {\n  toolchain {\n    languageVersion.set(JavaLanguageVersion.of(21))\n  }\n}\n"
        'dependencies {\n  implementation(project(":lib"))\n  implementation(libs.guava)\n}\n'
    ),
    "lib/build.gradle.kts": "plugins { java }\n",
    "gradle/libs.versions.toml": '[libraries]\nguava = "com.google.guava:guava:33.3.1-jre"\n',
}
MAVEN_WRAPPER = {
    **MAVEN_SINGLE,
    "mvnw": "#!/bin/sh\n# Apache Maven Wrapper\nexec java -jar .mvn/wrapper/x.jar\n",
    ".mvn/wrapper/maven-wrapper.properties": "distributionUrl=https://repo.maven.apache.org/"
    "maven2/org/apache/maven/apache-maven/3.9.9/apache-maven-3.9.9-bin.zip\n",
    ".mvn/wrapper/maven-wrapper.jar": WRAPPER_JAR,
}
GRADLE_WRAPPER = {
    **GRADLE_GROOVY,
    "gradlew": "#!/bin/sh\n# Gradle start up script\nexec java -jar gradle/wrapper/x.jar\n",
    "gradle/wrapper/gradle-wrapper.properties": "distributionUrl=https\\://services.gradle.org/"
    "distributions/gradle-8.10.2-bin.zip\n",
    "gradle/wrapper/gradle-wrapper.jar": WRAPPER_JAR,
}

JAVA_LAYOUTS = {
    "maven-single": (MAVEN_SINGLE, ""),
    "maven-multi": (MAVEN_MULTI, "sm-shop"),
    "gradle-groovy": (GRADLE_GROOVY, ""),
    "gradle-kotlin": (GRADLE_KOTLIN, "app"),
    "maven-wrapper": (MAVEN_WRAPPER, ""),
    "gradle-wrapper": (GRADLE_WRAPPER, ""),
}


@pytest.fixture(params=sorted(JAVA_LAYOUTS))
def java_scaffold(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, Path]:
    files, module = JAVA_LAYOUTS[request.param]
    root = _write(tmp_path / "mono", files)
    return request.param, _scaffold_java(tmp_path, root, module)


def test_every_java_layout_lints_clean(java_scaffold: tuple[str, Path]) -> None:
    _name, out = java_scaffold
    assert lint_containers(out) == ()
    for service in ("orders", "billing"):
        text = (out / service / "Dockerfile").read_text()
        froms = _froms(text)
        assert [f.split()[-1] for f in froms] == [
            "dependencies",
            "builder",
            "development",
            "production",
        ]
        assert all("latest" not in f and re.search(r":\d", f.split()[0]) for f in froms[::3])
        production = text[text.index("AS production") :]
        assert "USER 10001:10001" in production and "-XX:MaxRAMPercentage=75" in production
        assert "HEALTHCHECK" in production and '"curl", "--fail"' in production
        assert '"java", "-jar", "/app/app.' in production
        envs = " ".join(i.args for i in parse_dockerfile(text) if i.keyword in {"ENV", "ARG"})
        assert not re.search(r"PASSWORD|SECRET|TOKEN|DATABASE_URL=", envs)
        ignore = (out / service / ".dockerignore").read_text().splitlines()
        assert {"target/", "build/", ".gradle/"} <= set(ignore)


def _dependency_layer_first(text: str) -> None:
    """Build files are copied and dependencies fetched before any source is copied."""
    builder = text[: text.index("AS development")]
    prefetch = re.search(r"dependency:go-offline|dependencies > /dev/null", builder)
    assert prefetch, builder
    assert builder.index("COPY --chown=10001:10001 src ./src") > prefetch.start()


def test_maven_single_module(tmp_path: Path) -> None:
    root = _write(tmp_path / "mono", MAVEN_SINGLE)
    runtime = detect_service_runtime(root, "spring", "java", ("src/main/java/com/shop/A.java",))
    assert runtime.manager == "maven" and runtime.java is not None
    assert (runtime.java.module, runtime.java.version, runtime.java.wrapper) == ("", 21, False)
    assert runtime.java.spring_boot and runtime.java.packaging == "jar"
    assert runtime.port == 8081 and runtime.workdir == "/workspace/app"
    out = _scaffold_java(tmp_path, root)
    text = (out / "orders" / "Dockerfile").read_text()
    assert _froms(text)[0] == "maven:3.9.9-eclipse-temurin-21 AS dependencies"
    assert _froms(text)[-1] == "eclipse-temurin:21.0.5_11-jre-jammy AS production"
    assert "COPY --chown=10001:10001 pom.xml ./" in text
    assert "RUN mvn -B -q dependency:go-offline" in text
    assert '"mvn", "-B", "spring-boot:run"' in text
    assert "http://127.0.0.1:8081/health" in text and "EXPOSE 8081" in text
    _dependency_layer_first(text)
    pom = (out / "orders" / "pom.xml").read_text()
    assert pom.startswith(MAVEN_SINGLE["pom.xml"].rpartition("</project>")[0])
    assert "spring-boot-starter-actuator" in pom and "spring-boot-maven-plugin" in pom
    assert "MANAGEMENT_ENDPOINTS_WEB_BASE_PATH=/" in text  # actuator health at /health
    assert not (out / "orders" / "requirements.txt").exists()


def test_maven_multi_module_uses_the_services_module(tmp_path: Path) -> None:
    root = _write(tmp_path / "mono", MAVEN_MULTI)
    other = ("sm-core/src/main/java/com/shop/core/Util.java",)
    runtime = detect_service_runtime(
        root,
        "spring",
        "java",
        ("sm-shop/src/main/java/com/shop/A.java", "sm-shop/src/main/java/com/shop/B.java", *other),
    )
    assert runtime.java is not None and runtime.java.module == "sm-shop"
    assert runtime.java.version == 11 and "java.version" in runtime.java.declared
    assert runtime.java.parents and runtime.java.siblings == ("sm-core",)
    assert runtime.java.packaging == "war" and runtime.workdir == "/workspace/sm-shop"
    out = _scaffold_java(tmp_path, root, "sm-shop", other)
    text = (out / "orders" / "Dockerfile").read_text()
    assert _froms(text)[0] == "maven:3.9.9-eclipse-temurin-11 AS dependencies"
    assert "WORKDIR /workspace/sm-shop" in text
    parents = text.index("COPY --chown=10001:10001 parent-poms/ /workspace/")
    assert parents < text.index("COPY --chown=10001:10001 pom.xml ./")
    assert "-name '*.war'" in text and "/app/app.war" in text
    pom = (out / "orders" / "pom.xml").read_text()
    assert pom.startswith(MAVEN_MULTI["sm-shop/pom.xml"].partition("</dependencies>")[0])
    assert "spring-boot-starter-actuator" in pom
    assert (out / "orders" / "parent-poms" / "pom.xml").read_text() == MAVEN_MULTI["pom.xml"]
    readme = (out / "orders" / "README.md").read_text()
    assert "module `sm-shop`" in readme and "`sm-core`" in readme
    assert "(they live under sm-core/src/main/java, sm-shop/src/main/java)" in readme
    dev = yaml.safe_load((out / "wave-1" / "compose.dev.yml").read_text())["services"]["orders"]
    assert dev["volumes"] == ["../orders:/workspace/sm-shop", "/workspace/sm-shop/target"]


def test_module_is_where_most_members_live(tmp_path: Path) -> None:
    root = _write(tmp_path / "mono", MAVEN_MULTI)
    paths = (
        "sm-shop/src/main/java/a/A.java",
        "sm-shop/src/main/java/a/B.java",
        "sm-core/src/main/java/a/C.java",
    )
    assert service_module(root, paths) == "sm-shop"
    assert module_dir(root, "sm-core/src/main/java/a/C.java") == "sm-core"
    assert module_dir(root, "nowhere/src/main/java/a/C.java") == ""
    bare = tmp_path / "bare"
    bare.mkdir()
    assert module_dir(bare, "svc/src/main/java/a/C.java") == "svc"


def test_gradle_groovy(tmp_path: Path) -> None:
    root = _write(tmp_path / "mono", GRADLE_GROOVY)
    runtime = detect_service_runtime(root, "spring", "java", ("src/main/java/com/shop/A.java",))
    assert runtime.manager == "gradle" and runtime.java is not None
    assert runtime.java.dsl == "groovy" and runtime.java.version == 8
    assert runtime.port == 9090
    out = _scaffold_java(tmp_path, root)
    text = (out / "orders" / "Dockerfile").read_text()
    assert _froms(text)[0] == "gradle:8.10.2-jdk8-jammy AS dependencies"
    assert _froms(text)[-1] == "eclipse-temurin:8u432-b06-jre-jammy AS production"
    # Java 8 has no JDK_JAVA_OPTIONS: the flags go through JAVA_TOOL_OPTIONS.
    assert 'ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75' in text
    assert "COPY --chown=10001:10001 settings.gradle build.gradle gradle.properties ./" in text
    assert "RUN gradle --no-daemon --quiet dependencies > /dev/null" in text
    assert '"gradle", "--no-daemon", "bootRun"' in text
    assert "GRADLE_USER_HOME=/home/app/.gradle" in text
    _dependency_layer_first(text)
    for name in ("settings.gradle", "build.gradle"):
        assert (out / "orders" / name).read_text() == GRADLE_GROOVY[name]
    properties = (out / "orders" / "gradle.properties").read_text()
    assert properties.startswith("# From the monolith's gradle.properties, credentials left out")
    assert properties.endswith(GRADLE_GROOVY["gradle.properties"])


def test_gradle_kotlin_dsl_subproject(tmp_path: Path) -> None:
    root = _write(tmp_path / "mono", GRADLE_KOTLIN)
    out = _scaffold_java(tmp_path, root, "app")
    text = (out / "orders" / "Dockerfile").read_text()
    assert _froms(text)[0] == "gradle:8.10.2-jdk21-jammy AS dependencies"
    assert "WORKDIR /workspace/app" in text
    assert "COPY --chown=10001:10001 settings.gradle.kts build.gradle.kts ./" in text
    assert "COPY --chown=10001:10001 gradle/ gradle/" in text
    assert "-name '*.war'" in text
    # Not Spring Boot: development packages and runs the artifact.
    dev = text[text.index("AS development") : text.index("AS production")]
    assert '"sh", "-c"' in dev and "assemble -x test" in dev
    build = (out / "orders" / "build.gradle.kts").read_text()
    assert build == GRADLE_KOTLIN["app/build.gradle.kts"]
    settings = (out / "orders" / "settings.gradle.kts").read_text()
    assert 'rootProject.name = "app"' in settings and "include" not in settings
    catalog = (out / "orders" / "gradle" / "libs.versions.toml").read_text()
    assert catalog == GRADLE_KOTLIN["gradle/libs.versions.toml"]
    readme = (out / "orders" / "README.md").read_text()
    assert "`lib`" in readme and "settings.gradle" in readme


@pytest.mark.parametrize(
    ("files", "script", "support", "builder"),
    [
        (MAVEN_WRAPPER, "mvnw", ".mvn/wrapper/maven-wrapper.jar", "21.0.5_11-jdk-jammy"),
        (GRADLE_WRAPPER, "gradlew", "gradle/wrapper/gradle-wrapper.jar", "8u432-b06-jdk-jammy"),
    ],
)
def test_wrapper_is_noted_and_the_pinned_tool_image_used(
    tmp_path: Path, files: dict, script: str, support: str, builder: str
) -> None:
    root = _write(tmp_path / "mono", files)
    out = _scaffold_java(tmp_path, root)
    text = (out / "orders" / "Dockerfile").read_text()
    assert _froms(text)[0] in (
        "maven:3.9.9-eclipse-temurin-21 AS dependencies",
        "gradle:8.10.2-jdk8-jammy AS dependencies",
    )
    assert f"./{script}" not in text and not (out / "orders" / support).exists()
    assert f"builds with `{script}`" in (out / "orders" / "README.md").read_text()


@pytest.mark.parametrize(
    ("value", "release"),
    [("1.8", 8), ("17", 17), ("VERSION_1_8", 8), ("JavaVersion.VERSION_21", 21), ("x", None)],
)
def test_java_release(value: str, release: int | None) -> None:
    assert java_release(value) == release


def test_java_version_defaults_and_rounds_up_to_an_lts(tmp_path: Path) -> None:
    root = _write(tmp_path / "a", {"pom.xml": _pom("a")})
    runtime = detect_service_runtime(root, "spring", "java", ("src/main/java/A.java",))
    assert runtime.java is not None and runtime.java.version == 17
    assert runtime.java.declared.startswith("default")
    props = "<properties><maven.compiler.source>16</maven.compiler.source></properties>"
    root = _write(tmp_path / "b", {"pom.xml": _pom("b", props)})
    runtime = detect_service_runtime(root, "spring", "java", ("src/main/java/A.java",))
    assert runtime.java is not None and runtime.java.version == 17
    assert (lts_for(11), lts_for(22)) == (11, 21)
    empty = tmp_path / "c"
    empty.mkdir()
    runtime = detect_service_runtime(empty, "spring", "java", ("src/main/java/A.java",))
    assert runtime.manager == "maven" and "skeleton" in runtime.source
    assert "<maven.compiler.release>17" in dict(runtime.copied)["pom.xml"]


@pytest.mark.parametrize("wave", ["wave-1", "wave-2"])
@pytest.mark.parametrize("env", ["dev", "prod"])
def test_java_compose_files_match_the_compose_spec(
    tmp_path: Path, validator: jsonschema.Draft7Validator, wave: str, env: str
) -> None:
    out = _scaffold_java(tmp_path, _write(tmp_path / "mono", MAVEN_SINGLE))
    text = (out / wave / f"compose.{env}.yml").read_text()
    assert not list(validator.iter_errors(yaml.safe_load(text)))
    variables = _env_file(out / wave / f".env.{env}.example")
    interpolated = yaml.safe_load(_interpolate(text, variables))
    assert not list(validator.iter_errors(interpolated))


def test_java_compose_ports_probes_and_secrets(tmp_path: Path) -> None:
    out = _scaffold_java(tmp_path, _write(tmp_path / "mono", MAVEN_SINGLE))
    prod = yaml.safe_load((out / "wave-2" / "compose.prod.yml").read_text())["services"]
    orders = prod["orders"]
    assert orders["healthcheck"]["test"][:3] == ["CMD", "curl", "--fail"]
    assert orders["healthcheck"]["test"][-1] == "http://127.0.0.1:8081/health"
    assert orders["deploy"]["resources"]["limits"]["memory"] == "768M"
    assert orders["environment"]["SPRING_CONFIG_IMPORT"] == "optional:configtree:/run/secrets/"
    # `$$` survives compose interpolation as a literal Spring placeholder.
    assert orders["environment"]["SPRING_DATASOURCE_URL"] == "$${orders_database_url}"
    monolith = prod["monolith"]["healthcheck"]["test"]
    # The monolith's own server.port (application.properties), not a guess.
    assert monolith[1] == "curl" and monolith[-1].startswith("http://127.0.0.1:8081")
    dev = yaml.safe_load((out / "wave-1" / "compose.dev.yml").read_text())["services"]
    assert dev["orders"]["ports"] == ["127.0.0.1:8001:8081"]
    example = (out / "wave-1" / ".env.dev.example").read_text()
    assert (
        "ORDERS_DATABASE_URL=jdbc:postgresql://db:5432/legacy?user=svc_orders&password=change-me"
        in example
    )


@pytest.mark.parametrize("wave", ["wave-1", "wave-2"])
def test_java_facade_passes_nginx_t(tmp_path: Path, wave: str) -> None:
    out = _scaffold_java(tmp_path, _write(tmp_path / "mono", MAVEN_SINGLE))
    conf = (out / wave / "nginx" / "facade.conf").read_text()
    assert 'set $upstream_orders "http://orders:8081";' in conf
    assert 'set $upstream_monolith "http://monolith:8081";' in conf  # its server.port
    if wave == "wave-2":
        assert 'location ~ "^/export(/.*)?$"' in conf
    nginx = _nginx()
    prefix = tmp_path / "nginx"
    main = _wrapper(prefix, out / wave / "nginx" / "facade.conf")
    result = subprocess.run(
        [nginx, "-t", "-p", str(prefix), "-c", str(main)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_mixed_repo_gives_each_service_its_own_runtime(tmp_path: Path, monolith: Path) -> None:
    _write(monolith, MAVEN_SINGLE)
    plan, facts = make_inputs(monolith)
    java_units = tuple(
        Unit(u.id, f"src/main/java/{u.id.replace('.', '/')}.java", "java", 10, u.package)
        if u.id.startswith("shop.catalog")
        else u
        for u in facts.units
    )
    facts = with_build(Facts(**{**facts.__dict__, "units": java_units}))
    out = tmp_path / "out"
    write_scaffold(plan, facts, out)
    assert _froms((out / "catalog" / "Dockerfile").read_text())[0].startswith("maven:3.9.9")
    assert _froms((out / "orders" / "Dockerfile").read_text())[0].startswith("python:3.11.10")
    assert (out / "catalog" / "pom.xml").exists() and (out / "orders" / "requirements.txt").exists()
    assert lint_containers(out) == ()
    conf = (out / "wave-2" / "nginx" / "facade.conf").read_text()
    assert '"http://catalog:8081"' in conf and '"http://orders:8000"' in conf
    assert '"http://monolith:8000"' in conf  # the monolith is still mostly Python


def test_scaffold_of_the_java_sample(tmp_path: Path, validator: jsonschema.Draft7Validator) -> None:
    facts = with_build(analyze_java(JAVA_SAMPLE, jobs=1))
    plan = make_plan(facts, Config())
    out = tmp_path / "scaffold"
    write_scaffold(plan, facts, out)
    dockerfiles = sorted(p for p in out.glob("*/Dockerfile") if p.parent.name != "monolith")
    assert len(dockerfiles) == len(plan.steps) >= 3
    for path in dockerfiles:
        text = path.read_text()
        assert _froms(text)[0] == "maven:3.9.9-eclipse-temurin-17 AS dependencies"
        assert _froms(text)[-1] == "eclipse-temurin:17.0.13_11-jre-jammy AS production"
        pom = (path.parent / "pom.xml").read_text()
        assert "spring-boot-starter-actuator" in pom and "spring-boot-maven-plugin" in pom
        assert "/app/app.war" in text  # the sample packages a war
    assert lint_containers(out) == ()
    for path in out.rglob("compose.*.yml"):
        assert not list(validator.iter_errors(yaml.safe_load(path.read_text()))), path
    nginx = _nginx()
    for conf in sorted(out.glob("wave-*/nginx/facade.conf")):
        prefix = tmp_path / conf.parts[-3]
        result = subprocess.run(
            [nginx, "-t", "-p", str(prefix), "-c", str(_wrapper(prefix, conf))],
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, (conf, result.stderr)
    assert "(/.*)?$" in "".join(c.read_text() for c in out.glob("wave-*/nginx/facade.conf"))
