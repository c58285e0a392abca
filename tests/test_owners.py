"""Tests of the ownership analyzer: CODEOWNERS syntax (GitHub and GitLab) and the team map."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from analyzers.facts import ChangeStats, Evidence, Ownership, Unit
from analyzers.owners import (
    TeamMap,
    analyze_owners,
    compile_pattern,
    parse_codeowners,
    split_author,
)

# (pattern, path, matches): GitHub's documented examples and gitignore anchoring rules.
PATTERNS = [
    ("*", "a.py", True),
    ("*", "deep/down/a.py", True),
    ("*.js", "src/app.js", True),
    ("*.js", "src/app.jsx", False),
    ("/docs/", "docs/index.md", True),
    ("/docs/", "docs/a/b.md", True),
    ("/docs/", "src/docs/index.md", False),
    ("/docs/", "docs", False),
    ("docs/", "src/docs/index.md", True),
    ("apps/", "x/y/apps/main.py", True),
    ("docs/*", "docs/getting-started.md", True),
    ("docs/*", "docs/build-app/troubleshooting.md", False),
    ("docs/*", "src/docs/a.md", False),
    ("/build/logs/", "build/logs/x/y.log", True),
    ("/build/logs/", "a/build/logs/y.log", False),
    ("**/logs", "build/logs/a.log", True),
    ("**/logs", "logs/a.log", True),
    ("**/logs", "deeply/nested/logs/a.log", True),
    ("/apps/github", "apps/github/x.py", True),
    ("/apps/github", "apps/githubber/x.py", False),
    ("apps/github", "x/apps/github/x.py", False),
    ("src/**/test_*.py", "src/test_a.py", True),
    ("src/**/test_*.py", "src/a/b/test_a.py", True),
    ("src/**/test_*.py", "lib/src/test_a.py", False),
    ("/src/**", "src/a/b.py", True),
    ("/src/**", "srcx/a.py", False),
    ("shop", "shop/orders.py", True),
    ("shop", "x/shop/orders.py", True),
    ("orders.py", "shop/orders.py", True),
    ("/orders.py", "shop/orders.py", False),
    ("file?.py", "file1.py", True),
    ("file?.py", "file10.py", False),
    ("a+b[1].py", "a+b[1].py", True),
]


@pytest.mark.parametrize(("pattern", "path", "matches"), PATTERNS)
def test_pattern(pattern: str, path: str, matches: bool) -> None:
    assert (compile_pattern(pattern).fullmatch(path) is not None) is matches


GITHUB = """\
# Lines starting with '#' are comments.
*       @acme/platform
*.py    @alice   # inline comment
/shop/billing/   @acme/payments bob@example.com
shop/orders.py   @carol @acme/orders
\\#notes.md @dave
docs\\ and\\ more/ @erin
/vendor/
"""

GITLAB = """\
* @default
[Database] @acme/db
*.sql
/migrations/ @dba

[Docs][2] @acme/docs
docs/
^[Optional]
*.md @writer
[DATABASE]
schema.sql @schema-owner
"""

# (codeowners text, path, expected owners: the union of the winning rule of each section)
OWNERS = [
    (GITHUB, "README.txt", ["@acme/platform"]),
    (GITHUB, "shop/x.py", ["@alice"]),  # last match wins
    (GITHUB, "shop/billing/api.py", ["@acme/payments", "bob@example.com"]),
    (GITHUB, "x/shop/billing/api.py", ["@alice"]),  # the anchor holds
    (GITHUB, "shop/orders.py", ["@acme/orders", "@carol"]),
    (GITHUB, "#notes.md", ["@dave"]),
    (GITHUB, "docs and more/a.txt", ["@erin"]),
    (GITHUB, "vendor/lib.py", []),  # a match without owners: nobody
    (GITLAB, "app.py", ["@default"]),
    (GITLAB, "schema.sql", ["@default", "@schema-owner"]),
    (GITLAB, "other.sql", ["@acme/db", "@default"]),  # section default owners
    (GITLAB, "migrations/1.sql", ["@dba", "@default"]),  # last match in the section
    (GITLAB, "docs/a.md", ["@acme/docs", "@default", "@writer"]),
    (GITLAB, "docs/a.txt", ["@acme/docs", "@default"]),
]


@pytest.mark.parametrize(("text", "path", "owners"), OWNERS)
def test_codeowners_owners(text: str, path: str, owners: list[str]) -> None:
    rules = parse_codeowners(text).match(path)
    assert sorted({owner for rule in rules for owner in rule.owners}) == owners


def test_sections_are_case_insensitive_and_keep_line_numbers() -> None:
    parsed = parse_codeowners(GITLAB)
    assert sorted({rule.section for rule in parsed.rules}) == ["", "database", "docs", "optional"]
    winners = parsed.match("schema.sql")
    assert [(rule.section, rule.line, rule.text) for rule in winners] == [
        ("", 1, "* @default"),
        ("database", 11, "schema.sql @schema-owner"),
    ]


def test_negation_is_reported_not_applied() -> None:
    parsed = parse_codeowners("* @a\n!secret.py @b\n")
    assert parsed.problems == ((2, "negation is not supported in CODEOWNERS: !secret.py"),)
    assert [rule.owners for rule in parsed.match("secret.py")] == [("@a",)]


def test_team_map_lookups() -> None:
    teams = TeamMap.of({"alice": "payments", "Bob@Example.com": "orders", "@acme/db": "data"})
    assert teams.owner_team("@alice") == "payments"
    assert teams.owner_team("bob@example.com") == "orders"
    assert teams.owner_team("@acme/db") == "data"  # a team renamed by the map
    assert teams.owner_team("@acme/platform") == "platform"  # a team's slug
    assert teams.owner_team("@group/sub/backend") == "backend"
    assert teams.owner_team("@zed") is None  # an individual without a team
    assert teams.author_team("Robert <bob@example.com>") == "orders"  # email first
    assert teams.author_team("Alice <a@x.org>") == "payments"  # then name
    assert split_author("Name Here <n@x.org>") == ("Name Here", "n@x.org")
    assert split_author("n@x.org") == ("", "n@x.org")


def unit(path: str) -> Unit:
    return Unit(
        id=path.removesuffix(".py").replace("/", "."),
        path=path,
        language="python",
        lines=1,
        package="",
    )


def stats(unit_id: str, *authors: str) -> ChangeStats:
    return ChangeStats(unit_id, 1, 1, 0, tuple(sorted(authors)), "2023-01-01", "2023-01-01")


def test_analyze_owners_from_codeowners_and_authors(tmp_path: Path) -> None:
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github" / "CODEOWNERS").write_text(
        "/shop/billing/ @acme/payments @alice\n/shop/orders.py @bob\n/vendor/\n"
    )
    (tmp_path / "CODEOWNERS").write_text("* @ignored\n")  # .github/ comes first
    units = [unit(p) for p in ("shop/billing/api.py", "shop/orders.py", "shop/users.py", "x.py")]
    change = [
        stats("shop.users", "Carol <carol@x.org>", "Dan <dan@x.org>", "Eve <eve@x.org>"),
        stats("shop.orders", "Carol <carol@x.org>"),
    ]
    facts = analyze_owners(
        tmp_path,
        units,
        team_map={"alice": "payments", "carol@x.org": "accounts", "Dan": "platform"},
        change_stats=change,
    )
    assert facts.ownership == (
        Ownership(
            "shop.billing.api",
            ("payments",),  # the @acme/payments slug and @alice's mapped team agree
            ("@acme/payments", "@alice"),
            (Evidence(".github/CODEOWNERS", 1, "/shop/billing/ @acme/payments @alice"),),
        ),
        Ownership(  # a rule without a mapped owner: owners but no teams; authors are not used
            "shop.orders",
            (),
            ("@bob",),
            (Evidence(".github/CODEOWNERS", 2, "/shop/orders.py @bob"),),
        ),
        Ownership(
            "shop.users",
            ("accounts", "platform"),
            ("Carol <carol@x.org>", "Dan <dan@x.org>"),
            (
                Evidence(
                    "shop/users.py",
                    0,
                    "team map from authors: Carol <carol@x.org> -> accounts; "
                    "Dan <dan@x.org> -> platform",
                ),
            ),
        ),
    )
    assert facts.warnings == ()
    assert facts.analyzers[0].name == "owners"


def test_no_codeowners_and_no_team_map(tmp_path: Path) -> None:
    facts = analyze_owners(tmp_path, [unit("a.py")], change_stats=[stats("a", "Al <al@x.org>")])
    assert facts.ownership == ()
    assert facts.warnings == ()


def test_root_below_git_top_uses_top_codeowners(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "CODEOWNERS").write_text("/services/shop/ @acme/shop\n")
    root = tmp_path / "services" / "shop"
    root.mkdir(parents=True)
    facts = analyze_owners(root, [unit("orders.py")])
    assert [(o.unit, o.teams) for o in facts.ownership] == [("orders", ("shop",))]
    assert facts.ownership[0].evidence[0].line == 1


def test_gitlab_file_and_bad_bytes(tmp_path: Path) -> None:
    (tmp_path / ".gitlab").mkdir()
    (tmp_path / ".gitlab" / "CODEOWNERS").write_bytes(
        b"[Core] @acme/core\nshop/\n# caf\xe9\n!x.py @a\n"
    )
    facts = analyze_owners(tmp_path, [unit("shop/a.py")])
    assert facts.ownership[0].teams == ("core",)
    assert [w.path for w in facts.warnings] == [".gitlab/CODEOWNERS", ".gitlab/CODEOWNERS:4"]
    assert "not UTF-8" in facts.warnings[0].message
