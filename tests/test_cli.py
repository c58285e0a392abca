"""The `planner` command as users run it: outputs, determinism and one-line errors (exit 2)."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from planner.plan import PLAN_FORMAT_VERSION

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "legacy_shop"
OUTPUTS = ("facts.json", "plan.json", "plan.md", "report.html")


def planner(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PLANNER_DEBUG"}
    return subprocess.run(
        [sys.executable, "-m", "planner", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def shop_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("db") / "shop.db"
    with sqlite3.connect(path) as conn:
        conn.executescript((SAMPLE / "schema.sql").read_text(encoding="utf-8"))
    conn.close()
    return path


@pytest.fixture(scope="module")
def run_out(tmp_path_factory, shop_db) -> Path:
    out = tmp_path_factory.mktemp("run") / "out"
    result = planner(
        "run", str(SAMPLE), "--out", str(out), "--db", f"sqlite:///{shop_db}", "--no-git"
    )
    assert result.returncode == 0, result.stderr
    return out


def test_run_writes_every_output(run_out):
    for name in OUTPUTS:
        assert (run_out / name).stat().st_size > 0
    plan = json.loads((run_out / "plan.json").read_text())
    assert plan["format_version"] == PLAN_FORMAT_VERSION == 4
    assert any(c["chosen"] for c in plan["candidates"])
    assert len(plan["services"]) >= 5
    for service in plan["services"]:
        assert {"name", "members", "tables", "risk"} <= set(service)
        assert {"score", "factors"} <= set(service["risk"])
        assert all(m.startswith("shop.") for m in service["members"])
    assert [s for w in plan["waves"] for s in w["services"]]
    assert (run_out / "grants").is_dir() and (run_out / "scaffold").is_dir()
    facts = json.loads((run_out / "facts.json").read_text())
    assert any(t["source"] == "database" for t in facts["tables"])


def test_run_is_deterministic(run_out, shop_db):
    again = run_out.parent / "again"
    first = {name: (run_out / name).read_bytes() for name in OUTPUTS}
    # same output directory name, so the only difference could come from the tool itself
    os.rename(run_out, run_out.parent / "first")
    try:
        result = planner(
            "run",
            str(SAMPLE),
            "--out",
            str(run_out),
            "--db",
            f"sqlite:///{shop_db}",
            "--no-git",
            "--jobs",
            "1",
        )
        assert result.returncode == 0, result.stderr
        for name in OUTPUTS:
            assert (run_out / name).read_bytes() == first[name], name
    finally:
        if run_out.exists():
            os.rename(run_out, again)
        os.rename(run_out.parent / "first", run_out)


def test_stages_one_by_one_match_run(run_out, tmp_path, shop_db):
    out = tmp_path / "staged"
    assert (
        planner(
            "analyze", str(SAMPLE), "--out", str(out), "--db", f"sqlite:///{shop_db}", "--no-git"
        ).returncode
        == 0
    )
    assert planner("plan", str(out / "facts.json")).returncode == 0
    assert planner("report", str(out / "plan.json")).returncode == 0
    assert (out / "plan.json").read_bytes() == (run_out / "plan.json").read_bytes()
    assert (out / "report.html").stat().st_size > 0


def test_plan_with_report_writes_what_plan_then_report_write(run_out, tmp_path):
    """`planner plan --report` (the what-if loop in one process) writes the very files that
    `planner plan` then `planner report` write, a what-if included."""
    one, two = tmp_path / "one", tmp_path / "two"
    for out in (one, two):
        out.mkdir()
    facts = str(run_out / "facts.json")
    second = json.loads((run_out / "plan.json").read_text())["services"][1]["name"]
    assert planner("plan", facts, "--out", str(one), "--first", second, "--report").returncode == 0
    assert planner("plan", facts, "--out", str(two), "--first", second).returncode == 0
    assert planner("report", str(two / "plan.json"), "--facts", facts).returncode == 0
    names = sorted(p.name for p in (two / ".planner-outputs" / "current").rglob("*") if p.is_file())
    assert "handout.html" in names and "report.html" in names and "plan.json" in names
    for name in names:
        found = list((one / ".planner-outputs" / "current").rglob(name))
        wanted = list((two / ".planner-outputs" / "current").rglob(name))
        assert [p.read_bytes() for p in found] == [p.read_bytes() for p in wanted], name


def test_evaluate_and_diff(run_out, tmp_path):
    result = planner(
        "evaluate", str(run_out / "plan.json"), "--truth", str(SAMPLE / "reference.toml"), "--json"
    )
    assert result.returncode == 0, result.stderr
    metrics = json.loads(result.stdout)["metrics"]
    assert metrics["mojofm"] >= 85
    same = planner("diff", str(run_out / "plan.json"), str(run_out / "plan.json"))
    assert same.returncode == 0 and same.stdout == "plans are identical\n"
    forced = tmp_path / "forced"
    services = json.loads((run_out / "plan.json").read_text())["services"]
    last = services[-1]["name"]
    assert (
        planner(
            "plan", str(run_out / "facts.json"), "--out", str(forced), "--first", last
        ).returncode
        == 0
    )
    changed = planner("diff", str(run_out / "plan.json"), str(forced / "plan.json"))
    assert changed.returncode == 0
    assert f"{last}: step {len(services)} -> 1" in changed.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("analyze", "/no/such/dir"), "no such directory"),
        (("run", "README.md"), "not a directory"),
        (("analyze", ".", "--bogus"), "No such option: --bogus"),
        (("plan", "/no/facts.json"), "no such facts file"),
        (("plan", "README.md"), "not a facts file"),
        (("report", "/no/plan.json"), "no such plan file"),
        (("report", "tests"), "tests: a directory, not a plan file"),
        (("plan", "tests"), "tests: a directory, not a facts file"),
        (("analyze", "samples/legacy_shop", "--db", "nosuch://x"), "unsupported database"),
        (
            ("analyze", "samples/legacy_shop", "--db", "sqlite:////no/such/file.db"),
            "sqlite:////no/such/file.db",
        ),
        (("analyze", "samples/legacy_shop", "--config", "/no/planner.toml"), "no such config file"),
        (("evaluate", "/no/plan.json"), "no such plan file"),
        (("lint-containers", "/no/such/dir"), "no such directory"),
    ],
)
def test_user_mistakes_are_one_line_and_exit_2(args, message, tmp_path):
    result = (
        planner(*args, "--out", str(tmp_path / "o")) if args[0] == "analyze" else planner(*args)
    )
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("error: ") and message in lines[-1], result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "o" / "facts.json").exists()


def test_a_plan_without_format_or_not_json_says_why_once(tmp_path):
    """`format None` and msgspec's bare `Input data was truncated` read wrong; the path once."""
    plan = tmp_path / "plan.json"
    for text, why in (
        ('{"format": 1, "services": []}', "(no format_version, not written by this planner)"),
        ("{", "(not valid JSON: "),
    ):
        plan.write_text(text)
        result = planner("report", str(plan))
        assert result.returncode == 2, result.stderr
        line = result.stderr.strip().splitlines()[-1]
        assert why in line and line.count(str(plan)) == 1, line
        assert "Traceback" not in result.stderr


def test_database_password_never_printed(tmp_path):
    url = "postgresql+psycopg://planner:hunter2secret@127.0.0.1:1/shop"
    result = planner("analyze", str(SAMPLE), "--db", url, "--out", str(tmp_path / "o"))
    assert result.returncode == 2
    assert "hunter2secret" not in result.stderr + result.stdout
    assert "planner:***@127.0.0.1" in result.stderr


def test_bad_config_is_a_user_error(tmp_path):
    config = tmp_path / "planner.toml"
    config.write_text("[weights]\nimports = 3\n")
    result = planner("plan", str(tmp_path / "facts.json"), "--config", str(config))
    assert result.returncode == 2


def test_version_and_help_on_every_command():
    result = planner("--version")
    assert result.returncode == 0 and result.stdout.startswith("planner ")
    for command in (
        "analyze",
        "plan",
        "report",
        "run",
        "demo",
        "evaluate",
        "diff",
        "scaffold",
        "lint-containers",
    ):
        help_result = planner(command, "--help")
        assert help_result.returncode == 0, command
        assert "Usage" in help_result.stdout


def test_help_shows_no_type_on_flags_and_names_arguments_alike():
    commands = ("", "analyze", "plan", "report", "run", "demo", "diff", "scaffold", "rehearse")
    for command in commands:
        shown = planner(*filter(None, [command]), "--help").stdout
        assert "<bool>" not in shown and "<list[" not in shown, command
        usage = re.search(r"Usage: .*", shown)
        assert usage and not re.search(r"\{[a-z]", usage.group()), usage
    assert "Indent plan.json for" in planner("plan", "--help").stdout
    assert "facts.json" not in planner("plan", "--help").stdout.split("--pretty")[1].split("\n")[0]
    assert "Indent facts.json for" in planner("analyze", "--help").stdout


def test_demo_uses_code_database_and_history_and_is_repeatable(tmp_path):
    out = tmp_path / "demo"
    result = planner("demo", "--out", str(out))
    assert result.returncode == 0, result.stderr
    for name in OUTPUTS:
        assert (out / name).stat().st_size > 0
    facts = json.loads((out / "facts.json").read_text())
    plan = json.loads((out / "plan.json").read_text())
    assert facts["change_stats"] and facts["co_changes"] and facts["ownership"]
    assert any(t["source"] == "database" for t in facts["tables"])
    services = plan["services"]
    assert len(services) >= 5
    sample_modules = {u["id"] for u in facts["units"] if u["role"] == "code"}
    assert all(set(s["members"]) <= sample_modules for s in services)
    churn = {f["name"]: f for s in services for f in s["risk"]["factors"] if f["name"] == "churn"}
    assert churn and all("no git history" not in f["explanation"] for f in churn.values())
    first = {name: (out / name).read_bytes() for name in OUTPUTS}
    again = planner("demo", "--out", str(out))
    assert again.returncode == 0, again.stderr
    for name in OUTPUTS:
        assert (out / name).read_bytes() == first[name], name


def test_schema_files_without_a_database(tmp_path):
    out = tmp_path / "ddl"
    result = planner(
        "analyze",
        str(SAMPLE),
        "--schema",
        str(SAMPLE / "schema.sql"),
        "--no-git",
        "--out",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    tables = json.loads((out / "facts.json").read_text())["tables"]
    ddl = {t["name"] for t in tables if t["source"] == "ddl"}
    assert {"orders", "customers", "gift_cards", "v_order_summary"} <= ddl
    assert planner("plan", str(out / "facts.json")).returncode == 0
    plan = json.loads((out / "plan.json").read_text())
    assert plan["unknown_tables"] == []  # wishlists: dropped by migration 0003, dead code
    assert ("table", "wishlists") in {(d["kind"], d["name"]) for d in plan["dead"]}
    missing = planner("analyze", str(SAMPLE), "--schema", "/no/schema.sql", "--out", str(out / "x"))
    assert missing.returncode == 2 and "no such DDL file" in missing.stderr


def test_java_demo_matches_its_reference(tmp_path):
    out = tmp_path / "java"
    result = planner("demo", "--sample", "java", "--out", str(out))
    assert result.returncode == 0, result.stderr
    facts = json.loads((out / "facts.json").read_text())
    assert {u["language"] for u in facts["units"]} == {"java"}
    assert any(t["source"] == "database" for t in facts["tables"])
    score = planner(
        "evaluate",
        str(out / "plan.json"),
        "--truth",
        str(ROOT / "samples" / "legacy_java" / "reference.toml"),
        "--json",
    )
    assert json.loads(score.stdout)["metrics"]["mojofm"] >= 85
    dockerfiles = list((out / "scaffold").glob("*/Dockerfile"))
    assert dockerfiles and all("eclipse-temurin" in d.read_text() for d in dockerfiles)


def test_demo_reads_every_database_given(tmp_path):
    """`demo --db` is repeatable like `analyze --db`: each database is read, none is built."""
    schema = ROOT / "samples" / "legacy_java" / "src" / "main" / "resources" / "schema.sql"
    urls = []
    for name, script in (
        ("main.db", schema.read_text(encoding="utf-8")),
        ("audit.db", "CREATE TABLE audit_trail (id INTEGER PRIMARY KEY, note TEXT);"),
    ):
        with sqlite3.connect(tmp_path / name) as conn:
            conn.executescript(script)
        conn.close()
        urls += ["--db", f"sqlite:///{tmp_path / name}"]
    out = tmp_path / "java"
    result = planner("demo", "--sample", "java", "--out", str(out), *urls)
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("reading database sqlite:///") == 2
    assert not (out / "legacy_java.db").exists()
    facts = json.loads((out / "facts.json").read_text())
    live = {t["name"] for t in facts["tables"] if t["source"] == "database"}
    assert "audit_trail" in live and len(live) > 1
    assert facts["databases"] == sorted(u for u in urls if u != "--db")


def test_demo_on_the_postgresql_copy_of_the_shop_database(tmp_path, pg_database):
    import psycopg

    plain = pg_database.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute((SAMPLE / "schema.postgresql.sql").read_text(encoding="utf-8"))
    out = tmp_path / "pg"
    result = planner("demo", "--out", str(out), "--db", pg_database)
    assert result.returncode == 0, result.stderr
    assert "reading database postgresql+psycopg://postgres@" in result.stderr
    assert not (out / "legacy_shop.db").exists()
    facts = json.loads((out / "facts.json").read_text())
    live = {t["name"] for t in facts["tables"] if t["source"] == "database"}
    assert {"orders", "customers", "v_order_summary"} <= live
    assert facts["databases"] == [pg_database]
    assert len(json.loads((out / "plan.json").read_text())["services"]) >= 5


def test_the_command_starts_without_the_renderers_and_the_planning_stages():
    """Every command, `--help` included, pays for what `planner.cli` imports: the renderers
    (Jinja2, SQLAlchemy for the grants, YAML) and the planning stages (networkx) come in only
    with the command that uses them."""
    heavy = ("jinja2", "sqlalchemy", "yaml", "networkx", "reports.render", "reports.view")
    heavy += ("reports.scaffold.files", "reports.scaffold.delivery", "planner.decompose")
    code = f"import sys, planner.cli; print([m for m in {heavy!r} if m in sys.modules])"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
