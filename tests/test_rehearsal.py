"""`planner rehearse`: a wave of the generated scaffold run for real (PostgreSQL, nginx, processes).

The samples are planned from a PostgreSQL database loaded with their schema, scaffolded, then
rehearsed: wave 1's services in their own virtualenvs, the monolith, the facade in real nginx.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import PG_HOST, PG_PORT

from analyzers.errors import InputError
from planner.rehearsal import facade, rehearse
from planner.rehearsal.processes import local_command
from planner.rehearsal.report import concrete

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
ADMIN = f"postgresql://postgres@{PG_HOST}:{PG_PORT}/postgres"


def planner(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The installed CLI, as a user runs it."""
    command = [sys.executable, "-c", "from planner.cli import main; main()", *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, check=False)


def psql(sql: str, database: str = "postgres") -> str:
    url = f"postgresql://postgres@{PG_HOST}:{PG_PORT}/{database}"
    return subprocess.run(
        ["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip


def leftovers() -> tuple[list[str], list[str]]:
    """Rehearsal databases and roles still on the server."""
    databases = psql("SELECT datname FROM pg_database WHERE datname LIKE 'rehearsal\\_%'")
    roles = psql(
        "SELECT rolname FROM pg_roles WHERE shobj_description(oid, 'pg_authid') "
        "LIKE 'strangler-planner rehearsal%'"
    )
    return databases.split(), roles.split()


def demo(sample: str, schema: Path, out: Path) -> Path:
    """`planner demo` of a sample on a PostgreSQL copy of its schema; returns plan.json."""
    name = f"sp_rehearse_{uuid.uuid4().hex[:8]}"
    psql(f'CREATE DATABASE "{name}"')
    try:
        url = f"postgresql://postgres@{PG_HOST}:{PG_PORT}/{name}"
        subprocess.run(
            ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-f", str(schema)],
            capture_output=True, check=True,
        )  # fmt: skip
        db = f"postgresql+psycopg://postgres@{PG_HOST}:{PG_PORT}/{name}"
        result = planner("demo", "--sample", sample, "--out", str(out), "--db", db)
        assert result.returncode == 0, result.stderr
    finally:
        psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    plan = out / "plan.json"
    checked = planner("scaffold", str(plan), "--out", str(out / "checked"), "--check-deps")
    assert checked.returncode == 0, checked.stderr  # pins fixed for the image's Python
    assert (out / "checked" / "wave-1").is_dir()
    return plan


@pytest.fixture(scope="module")
def shop_plan(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    shop = SAMPLES / "legacy_shop"
    yield demo("shop", shop / "schema.postgresql.sql", tmp_path_factory.mktemp("shop"))


def test_the_shop_wave_1_runs_for_real(shop_plan: Path, tmp_path: Path) -> None:
    scaffold = str(shop_plan.parent / "checked")
    result = planner(
        "rehearse", str(shop_plan), "--wave", "1", "--out", str(tmp_path), "--scaffold", scaffold
    )
    assert (tmp_path / "rehearsal-wave-1.json").is_file(), result.stderr[-3000:]
    report = json.loads((tmp_path / "rehearsal-wave-1.json").read_text(encoding="utf-8"))
    probes = report["probes"]
    served = {p["expected"] for p in probes}
    assert {"monolith", "catalog", "shipping"} <= served  # moved and staying endpoints
    wrong = [p for p in probes if not p["ok"]]
    assert not wrong, wrong
    for probe in probes:  # nginx named the process that answered: the expected one
        assert probe["actual"] == probe["expected"], probe
    checks = {c["name"]: c for c in report["checks"]}
    for name in ("monolith /health", "catalog /health", "shipping /health"):
        assert checks[name]["ok"], checks[name]
    assert checks["catalog connects as svc_catalog"]["ok"]
    assert checks["shipping connects as svc_shipping"]["ok"]
    denied = [c for n, c in checks.items() if " cannot write " in n]
    assert len(denied) == 2 and all("permission denied" in c["detail"] for c in denied)
    assert all(c["ok"] for c in report["checks"]), report["checks"]
    assert result.returncode == 0, result.stderr[-2000:]
    table = (tmp_path / "rehearsal-wave-1.txt").read_text(encoding="utf-8")
    assert "GET /categories" in table and "PASS" in table.splitlines()[-1]
    assert (tmp_path / "rehearsal-wave-1-logs" / "catalog.log").is_file()
    assert leftovers() == ([], [])


def test_the_java_sample_stops_at_its_maven_build_with_one_line(tmp_path: Path) -> None:
    """No Maven repository is reachable here (Maven Central is not among the registries, and
    ~/.m2 has no Spring Boot): the rehearsal gets through the database, the schema and the
    grants, then stops at `mvn` with Maven's own reason, exit 2, and leaves nothing behind."""
    java = SAMPLES / "legacy_java"
    plan = demo("java", java / "src" / "main" / "resources" / "schema.sql", tmp_path / "java")
    scaffold = str(plan.parent / "checked")
    result = planner(
        "rehearse", str(plan), "--wave", "1", "--out", str(tmp_path), "--scaffold", scaffold
    )
    assert result.returncode == 2, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("error: ") and "mvn" in last, last
    assert "spring-boot" in last or "Could not" in last or "resolv" in last.lower(), last
    assert "applied 3 grant script(s)" in result.stderr
    assert leftovers() == ([], [])


def test_a_wave_out_of_range_is_one_line(shop_plan: Path) -> None:
    result = planner("rehearse", str(shop_plan), "--wave", "99")
    assert result.returncode == 2
    assert result.stderr.strip() == "error: wave 99 is out of range: the plan has waves 1..7"


def test_a_plan_without_scaffold_is_one_line(shop_plan: Path, tmp_path: Path) -> None:
    for name in ("plan.json", "facts.json"):
        (tmp_path / name).write_bytes((shop_plan.parent / name).read_bytes())
    result = planner("rehearse", str(tmp_path / "plan.json"), "--wave", "1")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: no scaffold beside"), lines


def test_no_postgresql_is_one_line(shop_plan: Path) -> None:
    result = planner(
        "rehearse", str(shop_plan), "--db-admin-url", "postgresql://postgres@127.0.0.1:1/postgres"
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: no PostgreSQL at 127.0.0.1:1"), lines


def test_no_nginx_is_one_line(shop_plan: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(facade, "NGINX", "/nonexistent/nginx")
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(InputError, match="needs nginx"):
        rehearse(shop_plan, 1, admin_url=ADMIN, say=lambda _: None)


def test_the_facade_is_rewritten_only_for_upstreams() -> None:
    conf = (
        "server {\n    listen 8080;\n    resolver 127.0.0.11;\n"
        '    set $upstream_monolith "http://monolith:5000";\n'
        '    set $upstream_orders "http://orders:8000";\n'
        "    location / { proxy_pass $upstream_monolith; }\n}\n"
    )
    out = facade.rewrite(conf, {"monolith": 4001, "orders": 4002}, 4000)
    assert out == conf.replace("monolith:5000", "127.0.0.1:4001").replace(
        "orders:8000", "127.0.0.1:4002"
    ).replace("listen 8080;", "listen 127.0.0.1:4000;")
    with pytest.raises(InputError, match="does not start"):
        facade.rewrite(conf, {"monolith": 4001}, 4000)


def test_commands_listen_on_the_loopback_port_given() -> None:
    gunicorn = ("gunicorn", "--bind", "0.0.0.0:8000", "wsgi:app")
    assert local_command(gunicorn, 8000, 4100) == [
        "gunicorn",
        "--bind",
        "127.0.0.1:4100",
        "wsgi:app",
    ]
    uvicorn = ("uvicorn", "main:app", "--host", "0.0.0.0", "--port", "8000")
    assert local_command(uvicorn, 8000, 4100)[2:] == ["--host", "127.0.0.1", "--port", "4100"]
    assert concrete("/orders/<int:order_id>/cancel") == "/orders/1/cancel"
    assert concrete("/api/items/{id}") == "/api/items/1"
    assert concrete("/track/*") == "/track/rehearsal"


def _commands() -> list[str]:
    """The command lines of every process on this machine."""
    found = []
    for entry in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            found.append(entry.read_bytes().replace(b"\0", b" ").decode(errors="replace"))
        except OSError:
            continue
    return found


def test_ctrl_c_cleans_up(shop_plan: Path, tmp_path: Path) -> None:
    """SIGINT once the monolith runs and a service installs: its processes, the scratch database,
    the roles and the temp folder are all gone afterwards, and the CLI exits 130."""
    temp = Path(tempfile.gettempdir())
    before = {p for p in temp.glob("planner-rehearsal-*") if p.is_dir()}
    process = subprocess.Popen(
        [sys.executable, "-c", "from planner.cli import main; main()", "rehearse",
         str(shop_plan), "--out", str(tmp_path), "--scaffold", str(shop_plan.parent / "checked")],
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert process.stderr is not None
    seen = []
    for line in process.stderr:
        seen.append(line)
        if line.startswith("installing catalog"):
            break
    assert any(x.startswith("starting monolith") for x in seen), seen
    work = {p for p in temp.glob("planner-rehearsal-*") if p.is_dir()} - before
    assert len(work) == 1
    assert any(str(next(iter(work))) in c for c in _commands())  # the monolith runs from there
    process.send_signal(2)
    rest = process.communicate(timeout=120)[1]
    assert process.returncode == 130, rest
    assert leftovers() == ([], [])
    assert not any(str(next(iter(work))) in c for c in _commands())
    assert not next(iter(work)).exists()
