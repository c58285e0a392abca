"""Tests for the container-file linter: a passing and a failing case per rule, a fixture repo."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from analyzers.containers import (
    Finding,
    lint_compose,
    lint_containers,
    lint_dockerfile,
    parse_dockerfile,
    render_findings,
)

FIXTURE = Path(__file__).parent / "fixtures" / "containers" / "bad-repo"

GOOD_TAIL = """
RUN groupadd --gid 10001 app && useradd --uid 10001 --gid app app
USER 10001:10001
HEALTHCHECK CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health')"]
CMD ["python", "-m", "app"]
"""

# (rule, passing Dockerfile, failing Dockerfile)
DOCKERFILE_CASES = [
    ("DL001", "FROM python:3.12.7-slim-bookworm\n", "FROM python:latest\n"),
    ("DL001", "FROM python@sha256:" + "a" * 64 + "\n", "FROM python\n"),
    ("DL001", "FROM scratch\n", "FROM registry.local:5000/team/base\n"),
    (
        "DL001",
        "ARG BASE=python:3.12.7-slim\nFROM ${BASE}\n",
        "ARG BASE=python:latest\nFROM $BASE\n",
    ),
    (
        "DL001",
        "FROM python:3.12.7-slim AS build\nFROM build\n",
        "FROM python:3.12.7-slim AS build\nFROM builder\n",
    ),
    (
        "DL002",
        "FROM python:3.12.7-slim\nARG API_KEY\n",
        "FROM python:3.12.7-slim\nARG API_KEY=s3cr3t\n",
    ),
    (
        "DL002",
        "FROM python:3.12.7-slim\nENV DB_PASSWORD_FILE=/run/secrets/db\n",
        "FROM python:3.12.7-slim\nENV DB_PASSWORD=hunter2\n",
    ),
    (
        "DL002",
        "FROM python:3.12.7-slim\nENV GITHUB_TOKEN=${GITHUB_TOKEN}\n",
        "FROM python:3.12.7-slim\nENV GITHUB_TOKEN ghp_legacyform\n",
    ),
    (
        "DL002",
        "FROM python:3.12.7-slim\nENV DATABASE_URL=postgresql://app@db/app\n",
        "FROM python:3.12.7-slim\nENV DATABASE_URL=postgresql://app:pw@db/app\n",
    ),
    ("DL003", "FROM python:3.12.7-slim\nUSER 10001\n", "FROM python:3.12.7-slim\n"),
    ("DL003", "FROM python:3.12.7-slim\nUSER app:app\n", "FROM python:3.12.7-slim\nUSER 0:0\n"),
    (
        "DL003",
        "FROM python:3.12.7-slim AS base\nUSER 10001\nFROM base\n",
        "FROM python:3.12.7-slim AS base\nUSER 10001\nFROM python:3.12.7-slim\n",
    ),
    (
        "DL004",
        "FROM python:3.12.7-slim\nHEALTHCHECK CMD python -c 'print(1)'\n",
        "FROM python:3.12.7-slim\nHEALTHCHECK NONE\n",
    ),
    (
        "DL004",
        "FROM python:3.12.7-slim AS b\nHEALTHCHECK CMD true\nFROM b\n",
        "FROM python:3.12.7-slim AS b\nHEALTHCHECK CMD true\nFROM python:3.12.7-slim\n",
    ),
    (
        "DL005",
        'FROM python:3.12.7-slim\nCMD ["gunicorn", "--log-file", "-", "app:app"]\n',
        'FROM python:3.12.7-slim\nCMD ["gunicorn", "--log-file", "/var/log/app.log", "app:app"]\n',
    ),
    (
        "DL005",
        "FROM python:3.12.7-slim\nCMD python app.py 2>&1\n",
        "FROM python:3.12.7-slim\nCMD python app.py >> /var/log/app.log 2>&1\n",
    ),
    (
        "DL005",
        "FROM python:3.12.7-slim\nENV LOG_FILE=/dev/stdout\n",
        "FROM python:3.12.7-slim\nENV LOG_FILE=/app/logs/app.log\n",
    ),
    (
        "DL005",
        "FROM python:3.12.7-slim\nCMD python -c 'import logging; logging.basicConfig()'\n",
        "FROM python:3.12.7-slim\nCMD python -c 'import logging; logging.FileHandler(\"a\")'\n",
    ),
    (
        "DL006",
        "FROM python:3.12.7-slim\nADD --checksum=sha256:abc https://example.com/a.tgz /opt/\n",
        "FROM python:3.12.7-slim\nADD https://example.com/a.tgz /opt/\n",
    ),
    (
        "DL007",
        "FROM debian:12.7\nRUN apt-get update \\\n && apt-get install -y"
        " --no-install-recommends gcc \\\n && rm -rf /var/lib/apt/lists/*\n",
        "FROM debian:12.7\nRUN apt-get update \\\n && apt-get install -y gcc\n",
    ),
    (
        "DL008",
        "FROM python:3.12.7-slim\nRUN pip install --no-cache-dir flask==3.0.3\n",
        "FROM python:3.12.7-slim\nRUN python -m pip install flask==3.0.3\n",
    ),
    (
        "DL008",
        "FROM python:3.12.7-slim AS a\nENV PIP_NO_CACHE_DIR=1\nFROM a\nRUN pip install flask\n",
        "FROM python:3.12.7-slim AS a\nENV PIP_NO_CACHE_DIR=1\nFROM python:3.12.7-slim\n"
        "RUN pip install flask\n",
    ),
    (
        "DL008",
        "FROM python:3.12.7-slim\nRUN --mount=type=cache,target=/root/.cache pip install flask\n",
        "FROM python:3.12.7-slim\nRUN /opt/venv/bin/pip install -U flask\n",
    ),
    (
        "DL009",
        "FROM alpine:3.20.3\nRUN apk add --no-cache curl\n",
        "FROM alpine:3.20.3\nRUN apk update && apk add curl\n",
    ),
    (
        "DL010",
        "FROM node:20.18.0-alpine\nRUN npm ci && npm cache clean --force\n",
        "FROM node:20.18.0-alpine\nRUN npm ci --omit=dev\n",
    ),
    (
        "DL010",
        "FROM node:20.18.0-alpine\nRUN yarn install --frozen-lockfile && yarn cache clean\n",
        "FROM node:20.18.0-alpine\nRUN yarn install --frozen-lockfile\n",
    ),
]

GOOD_SERVICE = """\
    image: nginx:1.27.2-alpine
    healthcheck:
      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1/"]
    deploy:
      resources:
        limits: {cpus: "0.50", memory: 128M}
"""

# (rule, passing compose, failing compose)
COMPOSE_CASES = [
    (
        "DC000",
        "services: {}\n",
        "services:\n  a: [unclosed\n",
    ),
    (
        "DC001",
        "services:\n  web:\n    image: nginx:1.27.2-alpine\n",
        "services:\n  web:\n    image: nginx\n",
    ),
    (
        "DC001",
        "services:\n  web:\n    image: ${REGISTRY}/web:${VERSION:?set VERSION}\n",
        "services:\n  web:\n    image: ${REGISTRY}/web:${VERSION:-latest}\n",
    ),
    (
        "DC001",
        "services:\n  web:\n    image: ${MONOLITH_IMAGE:?set it}\n",
        "services:\n  web:\n    image: registry.local:5000/web:latest\n",
    ),
    (
        "DC002",
        "services:\n  db:\n    environment:\n      POSTGRES_PASSWORD_FILE: /run/secrets/pw\n",
        "services:\n  db:\n    environment:\n      POSTGRES_PASSWORD: example\n",
    ),
    (
        "DC002",
        "services:\n  db:\n    environment:\n      - API_TOKEN=${API_TOKEN:?set it}\n",
        "services:\n  db:\n    environment:\n      - API_TOKEN=abc\n",
    ),
    (
        "DC002",
        "services:\n  db:\n    environment:\n      SECRET_KEY: ${SECRET_KEY}\n",
        "services:\n  db:\n    environment:\n      SECRET_KEY: ${SECRET_KEY:-dev-secret}\n",
    ),
    (
        "DC003",
        "services:\n  a:\n    image: x:1.0\n    mem_limit: 256m\n",
        "services:\n  a:\n    image: x:1.0\n    deploy:\n      replicas: 2\n",
    ),
    (
        "DC003",
        "x-limits: &limits\n  deploy:\n    resources:\n      limits: {memory: 256M}\n"
        "services:\n  a:\n    <<: *limits\n    image: x:1.0\n",
        "services:\n  a:\n    image: x:1.0\n",
    ),
    (
        "DC004",
        "services:\n  a:\n    build: .\n",
        "services:\n  a:\n    image: x:1.0\n",
    ),
    (
        "DC004",
        "services:\n  a:\n    image: x:1.0\n    healthcheck:\n      test: [CMD, true]\n",
        "services:\n  a:\n    image: x:1.0\n    healthcheck:\n      disable: true\n",
    ),
    (
        "DC005",
        "services:\n  a:\n    command: gunicorn --access-logfile - app:app\n",
        "services:\n  a:\n    command: [gunicorn, --access-logfile, /srv/access.log, app:app]\n",
    ),
    (
        "DC005",
        "services:\n  a:\n    environment:\n      LOG_LEVEL: info\n",
        "services:\n  a:\n    environment:\n      LOG_FILE: /var/log/a.log\n",
    ),
]


def _rules(findings: list[Finding]) -> set[str]:
    return {f.rule for f in findings}


@pytest.mark.parametrize(("rule", "good", "bad"), DOCKERFILE_CASES)
def test_dockerfile_rule(rule: str, good: str, bad: str) -> None:
    # The good tail adds a USER and a HEALTHCHECK: leave out the one the rule is about.
    drop = {"DL003": "USER", "DL004": "HEALTHCHECK"}.get(rule, "-")
    tail = "".join(line for line in GOOD_TAIL.splitlines(True) if not line.startswith(drop))
    assert rule not in _rules(lint_dockerfile(good + tail, "Dockerfile"))
    assert rule in _rules(lint_dockerfile(bad + tail, "Dockerfile"))


@pytest.mark.parametrize(("rule", "good", "bad"), COMPOSE_CASES)
def test_compose_rule(rule: str, good: str, bad: str) -> None:
    assert rule not in _rules(lint_compose(good, "compose.yml"))
    assert rule in _rules(lint_compose(bad, "compose.yml"))


def test_a_clean_compose_service_has_no_findings() -> None:
    assert lint_compose("services:\n  facade:\n" + GOOD_SERVICE, "compose.yml") == []


def test_continuations_report_the_instruction_start_line() -> None:
    text = (
        "FROM python:3.12.7-slim\n"
        "RUN apt-get update \\\n"
        "    # a comment inside the continuation\n"
        "\n"
        "    && apt-get install -y gcc\n"
        "ENV A=1 \\\n"
        "    API_KEY=literal\n"
    )
    instructions = parse_dockerfile(text)
    assert [(i.line, i.keyword) for i in instructions] == [(1, "FROM"), (2, "RUN"), (6, "ENV")]
    assert "apt-get install -y gcc" in instructions[1].args
    lines = {(f.rule, f.line) for f in lint_dockerfile(text, "Dockerfile")}
    assert ("DL007", 2) in lines
    assert ("DL002", 6) in lines


def test_escape_directive_and_heredoc() -> None:
    text = (
        "# escape=`\n"
        "FROM python:3.12.7-slim\n"
        "RUN pip install `\n"
        "    --no-cache-dir flask\n"
        "RUN <<EOF\n"
        "apt-get install -y gcc\n"
        "EOF\n"
        "USER 1000\n"
    )
    instructions = parse_dockerfile(text)
    assert [(i.line, i.keyword) for i in instructions] == [
        (2, "FROM"),
        (3, "RUN"),
        (5, "RUN"),
        (8, "USER"),
    ]
    rules = {(f.rule, f.line) for f in lint_dockerfile(text, "Dockerfile")}
    assert ("DL008", 3) not in rules
    assert ("DL007", 5) in rules


def test_secret_values_never_appear_in_messages() -> None:
    findings = lint_dockerfile("FROM a:1\nENV DB_PASSWORD=hunter2\n", "Dockerfile")
    findings += lint_compose("services:\n  a:\n    environment: [TOKEN=abc123]\n", "c.yml")
    text = render_findings(findings, as_json=False)
    assert "DL002" in text and "DC002" in text
    assert "hunter2" not in text and "abc123" not in text


EXPECTED_FIXTURE = {
    ("Dockerfile", 2, "DL001"),
    ("Dockerfile", 3, "DL002"),
    ("Dockerfile", 4, "DL007"),
    ("Dockerfile", 6, "DL008"),
    ("Dockerfile", 8, "DL003"),
    ("Dockerfile", 8, "DL004"),
    ("Dockerfile", 9, "DL002"),
    ("Dockerfile", 9, "DL005"),
    ("Dockerfile", 11, "DL006"),
    ("Dockerfile", 12, "DL005"),
    ("compose.override.yaml", 3, "DC000"),
    ("docker-compose.yml", 2, "DC003"),
    ("docker-compose.yml", 4, "DC003"),
    ("docker-compose.yml", 4, "DC004"),
    ("docker-compose.yml", 5, "DC001"),
    ("docker-compose.yml", 6, "DC004"),
    ("docker-compose.yml", 7, "DC001"),
    ("docker-compose.yml", 9, "DC002"),
    ("docker-compose.yml", 10, "DC005"),
    ("docker-compose.yml", 11, "DC005"),
    ("web/web.dockerfile", 1, "DL001"),
    ("web/web.dockerfile", 1, "DL003"),
    ("web/web.dockerfile", 1, "DL004"),
    ("web/web.dockerfile", 2, "DL009"),
    ("web/web.dockerfile", 3, "DL010"),
}

ALL_RULES = {f"DL{n:03d}" for n in range(1, 11)} | {f"DC{n:03d}" for n in range(6)}


def test_every_rule_fires_on_the_fixture_repo() -> None:
    findings = lint_containers(FIXTURE)
    assert {(f.path, f.line, f.rule) for f in findings} == EXPECTED_FIXTURE
    assert {f.rule for f in findings} == ALL_RULES
    assert list(findings) == sorted(findings)
    assert all(f.message and f.fix for f in findings)
    assert not any("node_modules" in f.path for f in findings)


def test_render_text_and_json(tmp_path: Path) -> None:
    findings = lint_containers(FIXTURE)
    text = render_findings(findings, as_json=False)
    lines = text.splitlines()
    assert len(lines) == len(findings)
    assert lines[0].startswith("Dockerfile:2: DL001 ") and lines[0].endswith(")")
    assert "(fix: " in lines[0]
    data = json.loads(render_findings(findings, as_json=True))
    assert [Finding(**d) for d in data] == list(findings)
    assert render_findings((), as_json=True).strip() == "[]"
    assert render_findings((), as_json=False) == ""


def test_skips_vendored_dirs_and_survives_odd_files(tmp_path: Path) -> None:
    shutil.copytree(FIXTURE, tmp_path / "repo")
    repo = tmp_path / "repo"
    for skipped in (".git", ".venv", "node_modules"):
        (repo / skipped).mkdir(exist_ok=True)
        (repo / skipped / "Dockerfile").write_text("FROM x:latest\n")
    (repo / "Dockerfile.bin").write_bytes(b"\xff\xfe\x00FROM \x00")
    (repo / "compose.empty.yml").write_text("")
    (repo / "compose.list.yml").write_text("- a\n- b\n")
    findings = lint_containers(repo)
    paths = {f.path for f in findings}
    assert not any(p.startswith((".git/", ".venv/", "node_modules/")) for p in paths)
    assert ("compose.list.yml", 1, "DC000") in {(f.path, f.line, f.rule) for f in findings}
    assert "compose.empty.yml" not in paths
    assert lint_containers(tmp_path / "empty-dir-does-not-exist") == ()
