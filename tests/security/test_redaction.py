"""Secret shapes never reach an output: a corpus over `redact_text`, then every file of a run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from analyzers.facts import Evidence
from analyzers.redact import MASK, redact_model, redact_text, redact_url

ROOT = Path(__file__).resolve().parents[2]

# (a line as it appears in code or config, the secret it holds); the shapes follow gitleaks'
# and detect-secrets' rules: URL userinfo and query, DSNs, credential calls, headers, keys.
CORPUS = [
    ('db = connect("postgresql://shop:Pw4Url0001@db/shop")', "Pw4Url0001"),
    ('url = "jdbc:postgresql://db/shop?user=app&password=Pw4Query02"', "Pw4Query02"),
    ('url = "postgresql://db/shop?sslmode=verify-full&sslpassword=Pw4Ssl0003"', "Pw4Ssl0003"),
    ('api = "https://api.example.com/v1?access_token=Tok4Query04"', "Tok4Query04"),
    ('dsn = "host=db dbname=shop user=app password=Pw4Dsn0005"', "Pw4Dsn0005"),
    ('cs = "Server=db;Database=shop;User Id=sa;Password=Pw4Ado0006;"', "Pw4Ado0006"),
    ('cs = "Driver={ODBC};Server=db;Uid=sa;Pwd=Pw4Odbc007;"', "Pw4Odbc007"),
    ('conn = DriverManager.getConnection(url, "root", "Pw4Jdbc008");', "Pw4Jdbc008"),
    ('ds.setPassword("Pw4Setter9");', "Pw4Setter9"),
    ('props.setProperty("password", "Pw4Prop010");', "Pw4Prop010"),
    ('props.put("mail.smtp.password", "Pw4Put0011");', "Pw4Put0011"),
    ('r = requests.get(url, auth=("admin", "Pw4Tuple12"))', "Pw4Tuple12"),
    ('r = session.get(url, auth=HTTPBasicAuth("admin", "Pw4Basic13"))', "Pw4Basic13"),
    ('headers = {"Authorization": "Bearer Tok4Bearer14abc"}', "Tok4Bearer14abc"),
    ("curl -H 'Authorization: Basic YWRtaW46UHc0SGRyMTU='", "YWRtaW46UHc0SGRyMTU="),
    ('headers = {"X-Api-Key": "Key4Header16"}', "Key4Header16"),
    ('PASSWORD = "Pw4Assign17"', "Pw4Assign17"),
    ("spring.datasource.password=Pw4Props18", "Pw4Props18"),
    ("  password: Pw4Yaml0019", "Pw4Yaml0019"),
    ("nexusPassword=Pw4Gradle20", "Pw4Gradle20"),
    ("export DB_PASSWORD=Pw4Shell21", "Pw4Shell21"),
    ("<password>Pw4Maven022</password>", "Pw4Maven022"),
    ('<property name="password" value="Pw4Spring23"/>', "Pw4Spring23"),
    ('WEBHOOK_SECRET = "whsec_Pw4Webhook24abcdefgh"', "whsec_Pw4Webhook24abcdefgh"),
    ('hook = "https://hooks.slack.com/services/T0000/B0000/Xy4Slack25abc"', "Xy4Slack25abc"),
    ('aws_id = "AKIAZ4XQ7EXAMPLE2626"', "AKIAZ4XQ7EXAMPLE2626"),
    (
        'aws_secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY27"',
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY27",
    ),
    ('gh = "ghp_Abcdefghijklmnopqrstuvwxyz0123456728"', "ghp_Abcdefghijklmnopqrstuvwxyz0123456728"),
    ('slack = "xoxb-123456789012-1234567890123-Abc4Slack29"', "Abc4Slack29"),
    ('stripe = "sk_live_Abc4Stripe30abcdefghijkl"', "sk_live_Abc4Stripe30abcdefghijkl"),
    ('gkey = "AIzaSyA-Abc4Google31abcdefghijklmnopqrs"', "AIzaSyA-Abc4Google31abcdefghijklmnopqrs"),
    (
        'jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJQdzRKd3QzMiJ9.c2lnbmF0dXJlMzI"',
        "eyJzdWIiOiJQdzRKd3QzMiJ9",
    ),
    ("key = '-----BEGIN RSA PRIVATE KEY-----MIIEpAIBAAKCAQEAPw4Pem33'", "MIIEpAIBAAKCAQEAPw4Pem33"),
    (
        "INSERT INTO users (name, hash) VALUES ('admin', '$2b$12$Pw4Insert34hash')",
        "$2b$12$Pw4Insert34hash",
    ),
    ("    VALUES ('root', 'Pw4Values35')", "Pw4Values35"),
    ('client_secret: "Pw4Client36"', "Pw4Client36"),
    ("//registry.npmjs.org/:_authToken=npm_Abc4Npm37abcdefghijklmnopqrstuvwxyz1", "Abc4Npm37"),
]

ORDINARY = [
    "password_hash = hash(password)",
    'sql = "SELECT id FROM orders WHERE customer_id = %s"',
    'KEY_NAME = "SHOP_KEY"',
    'password = os.environ["DB_PASSWORD"]',
    "spring.datasource.password=${DB_PASSWORD}",
    "postgresql://reader@db/shop",
    "from shop.orders import service",
    '@app.route("/orders/<int:order_id>", methods=["GET"])',
    'connection = sqlite3.connect("shop.db")',
]


@pytest.mark.parametrize(("line", "secret"), CORPUS)
def test_every_secret_shape_is_masked(line: str, secret: str) -> None:
    redacted = redact_text(line)
    assert secret not in redacted
    assert MASK in redacted


@pytest.mark.parametrize("line", ORDINARY)
def test_ordinary_code_is_left_alone(line: str) -> None:
    assert redact_text(line) == line


def test_urls_with_unencoded_passwords_and_secret_queries() -> None:
    assert redact_url("postgresql://bob:pa ss word@db/shop") == "postgresql://bob:***@db/shop"
    shown = redact_url("postgresql://bob@db/shop?sslpassword=Kx1&password=Kx2&sslmode=require")
    assert "Kx1" not in shown and "Kx2" not in shown and "sslmode=require" in shown


def test_models_are_redacted_field_by_field() -> None:
    evidence = (Evidence("a.py", 3, CORPUS[0][0]), Evidence("b.py", 4, "plain"))
    redacted = redact_model(evidence)
    assert CORPUS[0][1] not in redacted[0].snippet
    assert redacted[1] is evidence[1]


# --- a run over a repository full of secrets -------------------------------------------------


def _repository(root: Path) -> None:
    """A small shop whose every module holds secret-shaped lines that become evidence."""
    shop = root / "shop"
    shop.mkdir(parents=True)
    (shop / "__init__.py").write_text("")
    (shop / "users.py").write_text(
        "def lookup(*args, **kwargs):\n    return args\n\n\ndef execute(sql):\n    return sql\n"
    )
    for i, (line, _) in enumerate(CORPUS):
        code = line.strip().replace("\n", " ")
        body = (
            "from shop import users\n\n\n"
            f"def work_{i}(url, session, props, ds, requests):\n"
            f"    users.lookup({code!r})\n"
            f"    users.lookup(url, {code!r}, 'x')\n"
            f"    return users.execute({code!r})\n"
        )
        if code.startswith(("INSERT", "VALUES")):
            body += f"\n\nSQL = {code!r}\n"
        (shop / f"area{i:02d}.py").write_text(body)
    java = root / "src" / "main" / "java" / "com" / "shop"
    java.mkdir(parents=True)
    lines = "\n".join(
        f'        String s{i} = "{line.replace(chr(34), chr(39))}";'
        for i, (line, _) in enumerate(CORPUS)
    )
    (java / "Db.java").write_text(
        "package com.shop;\n\nimport java.sql.DriverManager;\n\npublic class Db {\n"
        "    void open(String url) throws Exception {\n"
        '        DriverManager.getConnection(url, "root", "Pw4Jdbc008");\n'
        f"{lines}\n    }}\n}}\n"
    )
    (root / "requirements.txt").write_text(
        "--extra-index-url https://build:Pw4Index038@pypi.example.com/simple\nflask==3.0.0\n"
    )
    (root / "app.py").write_text(
        "from flask import Flask\nfrom shop import users\napp = Flask(__name__)\n\n\n"
        '@app.route("/orders")\ndef orders():\n    return users.lookup()\n'
    )


def test_no_output_of_a_run_holds_a_secret(tmp_path: Path, pg_database: str) -> None:
    repo = tmp_path / "repo"
    _repository(repo)
    out = tmp_path / "out"
    url = pg_database.replace("postgres@", "postgres:pa ss Pw4Space39@") + "?sslpassword=Pw4Ssl040"
    env = {k: v for k, v in os.environ.items() if k != "PLANNER_DEBUG"}
    result = subprocess.run(
        [sys.executable, "-m", "planner", "run", str(repo), "--out", str(out), "--db", url],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    secrets = [s for _, s in CORPUS] + ["Pw4Index038", "Pw4Space39", "pa ss", "Pw4Ssl040"]
    files = sorted(p for p in out.rglob("*") if p.is_file() and ".planner-cache" not in p.parts)
    assert {"facts.json", "plan.json", "report.html", "plan.md"} <= {p.name for p in files}
    assert any(p.name == "requirements.txt" for p in files)
    leaks = [
        (p.relative_to(out).as_posix(), s)
        for p in files
        for s in secrets
        if s.encode() in p.read_bytes()
    ]
    leaks += [("stderr", s) for s in secrets if s in result.stderr + result.stdout]
    assert leaks == []
    facts = (out / "facts.json").read_text(encoding="utf-8")
    masked = sum(1 for i in range(len(CORPUS)) if f"area{i:02d}.py" in facts)
    assert masked == len(CORPUS)  # every module's lines reached the facts, masked
    assert facts.count(MASK) >= len(CORPUS)


def test_hand_made_facts_and_plans_are_redacted_when_read(tmp_path: Path) -> None:
    """facts.json or plan.json written by an older version or by hand: redacted on reading."""
    repo = tmp_path / "repo" / "shop"
    repo.mkdir(parents=True)
    (repo / "__init__.py").write_text("")
    (repo / "a.py").write_text("from shop import b\n\n\ndef f():\n    return b.g()\n")
    (repo / "b.py").write_text('def g():\n    return "SELECT * FROM orders"\n')
    out = tmp_path / "out"
    env = {k: v for k, v in os.environ.items() if k != "PLANNER_DEBUG"}

    def planner(*args: str) -> None:
        result = subprocess.run(
            [sys.executable, "-m", "planner", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert result.returncode == 0, result.stderr

    planner("run", str(tmp_path / "repo"), "--out", str(out), "--no-git", "--pretty")
    facts = out / "facts.json"
    text = facts.read_text(encoding="utf-8")
    assert '"from shop import b"' in text  # evidence: a line of shop.a, in its group's `lines`
    facts.write_text(
        text.replace('"from shop', "\"password='Pw4HandMade41' from shop", 1), encoding="utf-8"
    )
    again = tmp_path / "again"
    planner("plan", str(facts), "--out", str(again), "--pretty")
    plan = again / "plan.json"
    assert "Pw4HandMade41" not in plan.read_text(encoding="utf-8")
    plan.write_text(
        plan.read_text(encoding="utf-8").replace(
            '"warnings": [', '"warnings": ["token = \\"Pw4HandMade42\\"", ', 1
        ),
        encoding="utf-8",
    )
    planner("report", str(plan), "--facts", str(facts), "--out", str(again))
    for path in sorted(again.rglob("*")):
        # everything `report` wrote (outputs are links into OUT's store: compare real paths)
        if path.is_file() and path.resolve() != plan.resolve():
            data = path.read_bytes()
            assert b"Pw4HandMade41" not in data and b"Pw4HandMade42" not in data, path
    assert (
        "Pw4HandMade42" not in (again / "report.html").read_text()
        and "***" in (again / "report.html").read_text()
    )


def test_only_models_found_clean_are_marked_and_skipped(tmp_path: Path) -> None:
    """The digest marker that spares a clean facts.json a second redaction walk is written for
    clean bytes only; bytes with a secret are masked every time, never marked."""
    from analyzers.facts import AnalysisWarning, Facts, encode
    from planner.pipeline import redacted as _redacted

    def facts(message: str) -> Facts:
        return Facts(root="/r", warnings=(AnalysisWarning("python", "a.py", message),))

    markers = tmp_path / "clean"
    clean = facts("nothing to hide here")
    assert _redacted(clean, encode(clean), tmp_path) is clean
    assert len(list(markers.iterdir())) == 1
    assert _redacted(clean, encode(clean), tmp_path) is clean
    dirty = facts("password='Pw4Marker77' in settings")
    for _ in range(2):
        masked = _redacted(dirty, encode(dirty), tmp_path)
        assert b"Pw4Marker77" not in encode(masked) and b"***" in encode(masked)
    assert len(list(markers.iterdir())) == 1


def test_an_unclean_model_is_walked_once_per_input(tmp_path: Path) -> None:
    """For bytes that were not clean, the strings redaction changed are kept under their digest
    and put back on the next call with the same bytes; other bytes, a planted record or one that
    does not fit are redacted afresh."""
    from analyzers.facts import AnalysisWarning, Dependency, Facts, encode
    from planner.pipeline import redacted as _redacted

    def facts(secret: str) -> Facts:
        return Facts(
            root="/r",
            dependencies=(
                Dependency("a", "b", "import", 1.0, (Evidence("a.py", 3, "import b"),)),
                Dependency(
                    "a", "c", "call", 1.0, (Evidence("a.py", 9, f"c(password='{secret}')"),)
                ),
            ),
            warnings=(AnalysisWarning("python", "a.py", "nothing to hide"),),
            databases=(f"postgresql://shop:{secret}@db/shop",),
        )

    record = tmp_path / "redacted" / "Facts"
    dirty = facts("Pw4Patch81")
    first = _redacted(dirty, encode(dirty), tmp_path)
    assert first == redact_model(dirty) and b"Pw4Patch81" not in encode(first)
    assert record.is_file() and b"Pw4Patch81" not in record.read_bytes()
    again = _redacted(dirty, encode(dirty), tmp_path)
    assert encode(again) == encode(first)
    assert again.warnings is dirty.warnings  # what had nothing to mask is the very same object
    # the record is what answers: a planted one for the same bytes is applied as it says
    from analyzers.records import pack_typed, unpack_typed

    key, patch = unpack_typed(record.read_bytes(), tuple[str, tuple])
    planted = ((("warnings", 0, "message"), "planted"), *patch)
    record.write_bytes(pack_typed((key, planted)))
    assert _redacted(dirty, encode(dirty), tmp_path).warnings[0].message == "planted"
    # ...but never for other bytes
    other = facts("Pw4Patch82")
    masked = _redacted(other, encode(other), tmp_path)
    assert masked == redact_model(other) and masked.warnings[0].message == "nothing to hide"
    # a record that does not fit the model or is not one is a miss
    for bad in (pack_typed((key, ((("no_such_field",), "x"),))), b"\x93garbage"):
        record.write_bytes(bad)
        assert encode(_redacted(dirty, encode(dirty), tmp_path)) == encode(first)
    record.write_bytes(pack_typed((key, ((("dependencies", 7, "kind"), "x"),))))
    assert encode(_redacted(dirty, encode(dirty), tmp_path)) == encode(first)


def test_a_redaction_patch_round_trips_through_dicts_and_tuples() -> None:
    """`apply_patch(model, redaction_patch(model, redact_model(model)))` is `redact_model(model)`
    for a plan too (its metrics are a dict)."""
    from analyzers.redact import apply_patch, redaction_patch
    from planner.plan import Plan

    plan = Plan(
        root="/r",
        services=(),
        shared_kernel=(),
        excluded=(),
        tables=(),
        access=(),
        edges=(),
        waves=(),
        steps=(),
        warnings=("token = 'Pw4Plan83abc'", "fine"),
        metrics={"services": 2.0},
        excluded_reasons={"a": "secret='Pw4Plan84abc'"},
    )
    clean = redact_model(plan)
    patch = redaction_patch(plan, clean)
    assert patch is not None and len(patch) == 2
    assert apply_patch(plan, patch) == clean
    assert "Pw4Plan8" not in repr(clean)


def test_files_we_write_are_read_back_without_a_walk(tmp_path: Path, monkeypatch) -> None:
    """facts.json and plan.json written from redacted models are marked clean as they are
    written, so the what-if loop's first read does not walk them; a byte changed in the file
    is a new input, redacted afresh."""
    from analyzers.facts import AnalysisWarning, Facts, encode
    from planner.pipeline import load_facts, redacted, write_model

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = tmp_path / "tree"
    root.mkdir()
    dirty = Facts(
        root=str(root), warnings=(AnalysisWarning("python", "a.py", "password='Pw4Write91'"),)
    )
    clean = redacted(dirty, encode(dirty))
    assert b"Pw4Write91" not in encode(clean)
    path = tmp_path / "facts.json"
    write_model(clean, path)
    markers = list((tmp_path / "cache").rglob("clean/*"))
    assert len(markers) == 1
    assert load_facts(path) == clean
    assert len(list((tmp_path / "cache").rglob("clean/*"))) == 1  # found, nothing new
    # a hand edit puts a secret back: other bytes, so it is masked again
    path.write_bytes(path.read_bytes().replace(b"***", b"Pw4Write92"))
    assert b"Pw4Write92" not in encode(load_facts(path))
