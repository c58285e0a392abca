"""Tests for the runtime and build facts (analyzers.runtime) and the scaffold reading only them."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from analyzers.facts import BuildFact, Facts, Unit, dumps, loads, read_facts
from analyzers.java import analyze_java
from analyzers.python import analyze_python
from analyzers.runtime import analyze_build
from planner.config import Config
from planner.pipeline import make_plan
from planner.plan import role_name
from reports.scaffold import plan_files, write_scaffold
from reports.scaffold.resolve import Resolution, resolve
from reports.scaffold.runtime import database_env, monolith, python_version

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
SHOP = SAMPLES / "legacy_shop"
JAVA = SAMPLES / "legacy_java"


def _facts(root: Path) -> Facts:
    python = analyze_python(root, jobs=1)
    java = analyze_java(root, jobs=1)
    build = analyze_build(root, python, java)
    return Facts(
        root=str(root),
        units=python.units + java.units,
        dependencies=python.dependencies + java.dependencies,
        endpoints=python.endpoints + java.endpoints,
        orm_models=python.orm_models + java.orm_models,
        table_access=python.table_access + java.table_access,
        tables=python.tables + java.tables,
        build=build.build,
    ).sorted()


def _one(facts: Facts, kind: str, value: str | None = None) -> BuildFact:
    found = [f for f in facts.build if f.kind == kind and (value is None or f.value == value)]
    assert found, (kind, value)
    return found[0]


@pytest.fixture(scope="module")
def shop() -> Facts:
    return _facts(SHOP)


@pytest.fixture(scope="module")
def java() -> Facts:
    return _facts(JAVA)


# --- the samples -------------------------------------------------------------------------------


def test_shop_facts_carry_evidence(shop: Facts) -> None:
    port = _one(shop, "port")
    assert port.value == "5000" and (port.evidence[0].path, port.evidence[0].line) == (
        "shop/app.py",
        82,
    )
    assert _one(shop, "entrypoint").value == "shop.app:app"
    assert _one(shop, "health").value == "/health"
    env = _one(shop, "env", "SHOP_DATABASE_URL")
    assert env.purpose == "database" and env.evidence[0].path == "shop/config.py"
    assert env.evidence[0].line == 11
    assert _one(shop, "env", "SHOP_PAYFAST_KEY").purpose == "secret"
    assert _one(shop, "build_system").value == "requirements"
    assert _one(shop, "framework").value == "flask"
    pin = _one(shop, "requirement", "psycopg2-binary==2.8.6")
    assert (pin.evidence[0].path, pin.evidence[0].line) == ("requirements.txt", 5)
    assert database_env(shop) == ("SHOP_DATABASE_URL", "shop/config.py:11")  # not the replica
    assert not any(f.kind == "java_version" for f in shop.build)


def test_java_facts_carry_evidence(java: Facts) -> None:
    release = _one(java, "java_version")
    assert release.value == "17" and release.evidence[0].line == 15
    assert _one(java, "packaging").value == "war"
    assert _one(java, "framework").value == "spring-boot"
    assert _one(java, "build_system").value == "maven"
    assert _one(java, "env", "SPRING_DATASOURCE_URL").purpose == "database"
    assert "<artifactId>legacyshop</artifactId>" in _one(java, "file", "pom.xml").text


def test_build_facts_survive_the_json_round_trip(shop: Facts, tmp_path: Path) -> None:
    path = tmp_path / "facts.json"
    path.write_text(dumps(shop))
    again = read_facts(path)
    assert again.build == shop.build
    assert loads(path.read_text())["build"][0]["kind"]


def test_facts_are_deterministic() -> None:
    assert dumps(_facts(SHOP)) == dumps(_facts(SHOP))


# --- small repositories ------------------------------------------------------------------------


PROJECT = '[project]\nname = "x"\n'


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


@pytest.mark.parametrize(
    ("files", "expected", "source"),
    [
        ({".python-version": "3.10.4\n"}, "3.10", ".python-version:1"),
        ({"runtime.txt": "python-3.9.18\n"}, "3.9", "runtime.txt:1"),
        ({"pyproject.toml": '[project]\nname = "x"\nrequires-python = ">=3.12"\n'}, "3.13", ""),
        (
            {"pyproject.toml": '[project]\nname = "x"\nrequires-python = ">=3.9,<3.12"\n'},
            "3.11",
            "",
        ),
        ({"Dockerfile": "FROM python:3.12-slim\n"}, "3.12", "Dockerfile:1"),
        ({"Pipfile": '[requires]\npython_version = "3.10"\n'}, "3.10", "Pipfile:2"),
        ({}, "3.11", "default"),
    ],
)
def test_python_version_from_each_declaration(
    tmp_path: Path, files: dict[str, str], expected: str, source: str
) -> None:
    facts = analyze_build(_write(tmp_path, files))
    version, where = python_version(facts)
    assert version == expected and where.startswith(source)


def test_env_reads_and_port_in_a_small_repo(tmp_path: Path) -> None:
    root = _write(
        tmp_path / "repo",
        {
            "app/settings.py": (
                "import os\n"
                'DB = os.getenv("APP_DB_URL")\n'
                'SECRET = os.environ["APP_SECRET_KEY"]\n'
                'PORT = int(os.environ.get("PORT", "8000"))\n'
            ),
            "app/main.py": "from fastapi import FastAPI\napp = FastAPI()\n",
            "Procfile": "web: gunicorn app.main:app --bind 0.0.0.0:9000\n",
        },
    )
    units = (
        Unit("app.settings", "app/settings.py", "python", 4, "app"),
        Unit("app.main", "app/main.py", "python", 2, "app"),
    )
    facts = analyze_build(root, Facts(root=str(root), units=units))
    for _ in range(2):  # the per-file cache written, then read: the same facts
        cached = analyze_build(root, Facts(root=str(root), units=units), cache_dir=tmp_path / "c")
        assert cached == facts
    purposes = {f.value: f.purpose for f in facts.build if f.kind == "env"}
    assert purposes == {"APP_DB_URL": "database", "APP_SECRET_KEY": "secret", "PORT": "port"}
    assert {f.value for f in facts.build if f.kind == "port"} == {"9000"}
    assert [f.value for f in facts.build if f.kind == "entrypoint"] == ["app.main:app"]
    assert _one(facts, "env", "APP_DB_URL").evidence[0].line == 2


def test_spring_placeholders_and_port(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "pom.xml": (
                '<project xmlns="http://maven.apache.org/POM/4.0.0"><artifactId>a</artifactId>'
                "<properties><maven.compiler.release>21</maven.compiler.release></properties>"
                "<build><plugins><plugin><artifactId>spring-boot-maven-plugin</artifactId>"
                "</plugin></plugins></build></project>"
            ),
            "src/main/resources/application.properties": (
                "spring.datasource.url=${APP_JDBC_URL}\n"
                "spring.datasource.password=${APP_DB_PASSWORD:}\n"
                "server.port=${SERVER_PORT:9090}\n"
            ),
        },
    )
    facts = analyze_build(root)
    assert _one(facts, "env", "APP_JDBC_URL").purpose == "database"
    assert _one(facts, "env", "APP_DB_PASSWORD").purpose == "secret"
    assert _one(facts, "port").value == "9090"
    assert _one(facts, "config_key", "spring.datasource.url").evidence[0].line == 1
    assert _one(facts, "java_version").value == "21"
    assert _one(facts, "plugin").value == "spring-boot-maven-plugin"


def test_symlink_outside_the_root_is_not_read(tmp_path: Path) -> None:
    outside = _write(tmp_path / "outside", {"requirements.txt": "secret-package==1.0\n"})
    root = tmp_path / "repo"
    root.mkdir()
    (root / "requirements.txt").symlink_to(outside / "requirements.txt")
    facts = analyze_build(root)
    assert not any(f.kind in ("file", "requirement") for f in facts.build)


# --- the scaffold reads facts only ----------------------------------------------------------------


def test_scaffold_works_with_the_checkout_elsewhere(shop: Facts, tmp_path: Path) -> None:
    copy = tmp_path / "shop"
    shutil.copytree(SHOP, copy)
    facts = _facts(copy)
    plan = make_plan(facts, Config())
    before = plan_files(plan, facts)
    shutil.rmtree(copy)  # the checkout is gone: the facts carry what the scaffold needs
    after = plan_files(plan, facts)
    assert before == after
    assert "Flask==2.0.3" in str(after["catalog/requirements.txt"])
    app = monolith(facts, "python")
    assert (app.port, app.health, app.database_env) == (5000, "/health", "SHOP_DATABASE_URL")
    compose = str(after["wave-1/compose.dev.yml"])
    assert "SHOP_DATABASE_URL: ${MONOLITH_DATABASE_URL" in compose
    assert "http://127.0.0.1:5000/health" in compose
    assert '"http://monolith:5000";' in str(after["wave-1/nginx/facade.conf"])
    env = str(after["wave-1/.env.dev.example"])
    for name in ("catalog", "shipping"):
        assert f"://{role_name(name)}:" in env
        assert f"'{role_name(name)}'" in str(after[f"wave-1/db/grants/{name}.sql"])
    assert 'os.environ["SHOP_DATABASE_URL"]' in str(after["catalog/wsgi.py"])
    assert 'CREATE TABLE IF NOT EXISTS "products"' in str(after["wave-1/db/01-schema.sql"])


def test_reports_scaffold_never_reads_the_disk() -> None:
    source = Path(__file__).resolve().parent.parent / "reports" / "scaffold"
    forbidden = re.compile(r"os\.walk|read_(?:text_)?inside|(?<![\w.])open\(|\.glob\(|\.read_bytes")
    for path in sorted(source.glob("*.py")):
        assert not forbidden.search(path.read_text()), path.name


# --- pip's resolver -------------------------------------------------------------------------------


def test_resolver_fixes_pins_without_wheels_on_a_fake_index() -> None:
    calls: list[tuple[tuple[str, ...], str]] = []

    def run(lines: tuple[str, ...], python: str) -> tuple[bool, str]:
        calls.append((lines, python))
        if "psycopg2-binary==2.8.6" in lines:
            return False, (
                "ERROR: Could not find a version that satisfies the requirement"
                " psycopg2-binary==2.8.6 (from versions: 2.9.5, 2.9.6, 2.9.10)\n"
            )
        return True, ""

    result = resolve(("flask==3.0.3", "psycopg2-binary==2.8.6"), "3.11", run)
    assert result.requirements == ("flask==3.0.3", "psycopg2-binary==2.9.5")
    assert result.checked and "lowest release" in result.notes[1]
    offline = resolve(("x==1",), "3.11", lambda *_: (False, "NewConnectionError: refused"))
    assert not offline.checked and "not checked" in offline.notes[0]
    assert offline == Resolution(("x==1",), "3.11", False, offline.notes)


def test_real_pip_fixes_the_shop_sample(shop: Facts) -> None:
    """A real pip run against the configured index (PyPI): the 2019 pins of the sample have
    no wheel for Python 3.11, the smallest releases that have one are picked."""
    lines = tuple(f.value for f in shop.build if f.kind == "requirement")
    result = resolve(lines, "3.11")
    assert result.checked, result.notes
    fixed = dict(line.split("==") for line in result.requirements)
    assert fixed["Flask"] == "2.0.3"
    assert fixed["psycopg2-binary"] != "2.8.6" and fixed["SQLAlchemy"] != "1.3.24"
    again = resolve(result.requirements, "3.11")
    assert again.requirements == result.requirements and again.checked


def test_copy_sources_script_takes_the_import_closure(shop: Facts, tmp_path: Path) -> None:
    """The generated copy step, run for real with sh: every module the moved code imports
    is copied (vendored code, called-back modules), never the monolith's app module."""
    plan = make_plan(shop, Config())
    out = tmp_path / "scaffold"
    write_scaffold(plan, shop, out)
    for name in ("catalog", "shipping"):
        script = out / name / "copy-sources.sh"
        done = subprocess.run(
            ["sh", str(script), str(SHOP)], capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr
        copied = {p.relative_to(out / name).as_posix() for p in (out / name).rglob("*.py")}
        assert "shop/vendor/simplejson_compat.py" in copied and "shop/app.py" not in copied
        assert f"shop/{name}/views.py" in copied
        for path in sorted((out / name).rglob("*.py")):
            compile(path.read_text(), str(path), "exec")  # the generated entry point too
    shipping = (out / "shipping" / "README.md").read_text()
    assert "## Temporary copies" in shipping and "`shop.customers." in shipping
