"""Tests of the history analyzer on real git repositories made with scripted commits."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from analyzers.errors import InputError
from analyzers.facts import (
    ChangeStats,
    CoChange,
    Facts,
    Unit,
    dumps,
    from_jsonable,
    to_jsonable,
)
from analyzers.history import (
    EXPORT_COMMAND,
    VERSION,
    FileChange,
    analyze_history,
    parse_log,
    parse_numstat,
    split_rename,
)
from analyzers.owners import analyze_owners

GIT_CONFIG = ("-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main")
GIT_CONFIG += ("-c", "user.name=Tester", "-c", "user.email=tester@example.com")
ALICE = ("Alice Doe", "Alice@Example.com")
BOB = ("Bob Roe", "bob@example.com")
CAROL = ("Carol", "carol@example.com")


def _env(author: tuple[str, str], date: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1")
    env.update(GIT_AUTHOR_EMAIL=author[1], GIT_COMMITTER_NAME="CI", GIT_COMMITTER_EMAIL="ci@x.org")
    env.update(GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
    env["GIT_AUTHOR_NAME"] = author[0]
    return env


def git(repo: Path, *args: str, author=ALICE, date="2023-01-01T12:00:00+00:00") -> str:
    done = subprocess.run(
        ["git", *GIT_CONFIG, *args],
        cwd=repo,
        env=_env(author, date),
        capture_output=True,
        check=True,
    )
    return done.stdout.decode("utf-8", errors="replace").strip()


def commit(repo: Path, files: dict[str, str | None], *, author=ALICE, day="2023-01-01") -> None:
    """Write (or delete, for None) files and commit them all."""
    for name, text in files.items():
        path = repo / name
        if text is None:
            path.unlink()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", f"change on {day}", author=author, date=f"{day}T12:00:00+00:00")


def lines(count: int, tag: str = "x") -> str:
    return "".join(f"{tag} = {i}\n" for i in range(count))


def units_for(*paths: str) -> list[Unit]:
    return [
        Unit(
            id=p.removesuffix(".py").replace("/", "."),
            path=p,
            language="python",
            lines=1,
            package="",
        )
        for p in paths
    ]


def stats_of(facts: Facts) -> dict[str, ChangeStats]:
    return {s.unit: s for s in facts.change_stats}


def pairs_of(facts: Facts) -> dict[tuple[str, str], CoChange]:
    return {(c.unit_a, c.unit_b): c for c in facts.co_changes}


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small history: authors, dates, a rename, a merge and a bulk reformat."""
    repo = tmp_path_factory.mktemp("shop")
    git(repo, "init", "-q")
    base = {f"shop/{n}.py": lines(20, n) for n in ("orders", "billing", "users", "util", "cli")}
    commit(repo, base, day="2023-01-01")
    commit(
        repo,
        {"shop/orders.py": lines(25, "o"), "shop/billing.py": lines(22, "b")},
        author=BOB,
        day="2023-02-01",
    )
    commit(
        repo,
        {"shop/orders.py": lines(26, "p"), "shop/billing.py": lines(23, "c")},
        day="2023-03-01",
    )
    git(repo, "mv", "shop/users.py", "shop/accounts.py")
    commit(repo, {"shop/accounts.py": lines(21, "users")}, author=CAROL, day="2023-04-01")
    commit(
        repo,
        {"shop/accounts.py": lines(24, "users"), "shop/orders.py": lines(27, "p")},
        author=BOB,
        day="2023-05-01",
    )
    # A branch and a merge: the merge commit itself must not count anywhere.
    git(repo, "checkout", "-q", "-b", "feature")
    commit(repo, {"shop/util.py": lines(30, "u")}, author=CAROL, day="2023-06-01")
    git(repo, "checkout", "-q", "main")
    commit(repo, {"shop/cli.py": lines(30, "c")}, author=BOB, day="2023-06-02")
    git(
        repo,
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "merge feature",
        "feature",
        date="2023-06-03T12:00:00+00:00",
    )
    # A bulk reformat of every file: counts for churn, not for co-change (threshold 3 in tests).
    bulk = {
        f"shop/{n}.py": lines(31, n.upper())
        for n in ("orders", "billing", "accounts", "util", "cli")
    }
    commit(repo, bulk, author=CAROL, day="2023-07-01")
    commit(repo, {"README.md": "shop\n"}, day="2023-08-01")
    return repo


SHOP_UNITS = units_for(
    "shop/orders.py", "shop/billing.py", "shop/accounts.py", "shop/util.py", "shop/cli.py"
)


def test_churn_authors_and_dates(shop: Path) -> None:
    facts = analyze_history(shop, SHOP_UNITS, bulk_threshold=3)
    stats = stats_of(facts)
    orders = stats["shop.orders"]
    assert orders.commits == 5  # create, 2 edits, edit with accounts, bulk (merge not counted)
    assert orders.first_change == "2023-01-01"
    assert orders.last_change == "2023-07-01"
    assert orders.authors == (
        "Alice Doe <alice@example.com>",
        "Bob Roe <bob@example.com>",
        "Carol <carol@example.com>",
    )
    assert orders.lines_added == 20 + 25 + 26 + 1 + 31
    assert stats["shop.util"].commits == 3
    assert facts.warnings == ()
    assert [(run.name, run.version) for run in facts.analyzers] == [("history", VERSION)]
    assert from_jsonable(Facts, to_jsonable(facts)) == facts


def test_rename_history_is_followed(shop: Path) -> None:
    accounts = stats_of(analyze_history(shop, SHOP_UNITS, bulk_threshold=3))["shop.accounts"]
    # users.py created 2023-01-01, renamed 2023-04-01, edited 05-01, reformatted 07-01
    assert accounts.commits == 4
    assert accounts.first_change == "2023-01-01"
    assert "Alice Doe <alice@example.com>" in accounts.authors


def test_co_change_ignores_bulk_and_merge(shop: Path) -> None:
    facts = analyze_history(shop, SHOP_UNITS, bulk_threshold=3)
    pairs = pairs_of(facts)
    # orders+billing: commits of 02-01 and 03-01 (the creation has 5 files: bulk at threshold 3)
    assert pairs[("shop.billing", "shop.orders")].support == 2
    # non-bulk commits: orders 3 (02-01, 03-01, 05-01), billing 2 -> 2 / 2
    assert pairs[("shop.billing", "shop.orders")].confidence == 1.0
    assert ("shop.cli", "shop.util") not in pairs  # only together in bulk commits
    assert list(pairs) == [("shop.billing", "shop.orders")]  # support >= 2 only

    loose = pairs_of(analyze_history(shop, SHOP_UNITS, bulk_threshold=50))
    assert loose[("shop.billing", "shop.orders")].support == 4
    assert loose[("shop.billing", "shop.orders")].confidence == 1.0  # 4 / min(5, 4)
    assert loose[("shop.cli", "shop.util")].support == 2


def test_since_window(shop: Path) -> None:
    stats = stats_of(analyze_history(shop, SHOP_UNITS, since="2023-04-15", bulk_threshold=3))
    assert stats["shop.orders"].commits == 2
    assert stats["shop.orders"].first_change == "2023-05-01"
    assert "shop.billing" in stats and stats["shop.billing"].commits == 1


def test_export_file_equals_live(shop: Path, tmp_path: Path) -> None:
    export = tmp_path / "history.log"
    subprocess.run(EXPORT_COMMAND, shell=True, cwd=shop, check=True, env=_env(ALICE, "2023-01-01"))
    shutil.move(shop / "history.log", export)
    live = analyze_history(shop, SHOP_UNITS, bulk_threshold=3)
    saved = analyze_history(tmp_path, SHOP_UNITS, git_log=export, bulk_threshold=3)
    assert saved.change_stats == live.change_stats
    assert saved.co_changes == live.co_changes
    assert saved.warnings == ()
    window = analyze_history(tmp_path, SHOP_UNITS, git_log=export, since="2023-04-15")
    assert stats_of(window)["shop.orders"].commits == 2
    with pytest.raises(InputError):
        analyze_history(tmp_path, SHOP_UNITS, git_log=export, since="2 weeks ago")
    with pytest.raises(InputError, match="not found"):
        analyze_history(tmp_path, SHOP_UNITS, git_log=tmp_path / "missing.log")


def test_root_in_subdirectory(shop: Path) -> None:
    units = units_for("orders.py", "accounts.py")
    stats = stats_of(analyze_history(shop / "shop", units))
    assert stats["orders"].commits == 5
    assert stats["accounts"].first_change == "2023-01-01"


def test_progress_reports_commits_read(shop: Path) -> None:
    seen: list[int] = []
    analyze_history(shop, SHOP_UNITS, progress=seen.append)
    assert seen[-1] == 10  # 9 commits and the merge


def test_shallow_clone_warns_and_goes_on(shop: Path, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", shop.as_uri(), str(clone))
    facts = analyze_history(clone, SHOP_UNITS)
    assert any("shallow" in w.message for w in facts.warnings)
    assert stats_of(facts)["shop.orders"].commits == 1  # the shallow tip shows every file as added


def test_empty_repository(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    facts = analyze_history(tmp_path, units_for("a.py"))
    assert facts.change_stats == () and facts.co_changes == ()
    assert [w.analyzer for w in facts.warnings] == ["history"]
    assert "no commits" in facts.warnings[0].message


def test_not_a_git_repository(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1\n")
    facts = analyze_history(tmp_path, units_for("a.py"))
    assert facts.change_stats == ()
    assert "not a git repository" in facts.warnings[0].message
    assert facts.analyzers[0].name == "history"


def test_git_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "no-bin"))
    facts = analyze_history(tmp_path, units_for("a.py"))
    assert "git is not installed" in facts.warnings[0].message


def test_since_with_no_commits_warns(shop: Path) -> None:
    facts = analyze_history(shop, SHOP_UNITS, since="2030-01-01")
    assert facts.change_stats == ()
    assert "no commits since 2030-01-01" in facts.warnings[0].message


def _raw_commit(repo: Path, author: bytes, parent: str) -> None:
    """A commit whose author name holds raw Latin-1 bytes (`git commit` would convert them)."""
    tree = git(repo, "write-tree")
    body = (
        f"tree {tree}\nparent {parent}\n".encode()
        + b"author Jos\xe9 Latin <jose@x.org> 1672617600 +0000\n"
        + b"committer CI <ci@x.org> 1672617600 +0000\n\nlatin-1 author\n"
    )
    done = subprocess.run(
        ["git", "hash-object", "-w", "-t", "commit", "--stdin"],
        cwd=repo,
        input=body,
        capture_output=True,
        check=True,
    )
    git(repo, "update-ref", "refs/heads/main", done.stdout.decode().strip())


def test_non_utf8_author_name(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    commit(tmp_path, {"a.py": "x = 1\n", "b.py": "y = 1\n"}, author=BOB)
    (tmp_path / "a.py").write_text("x = 2\n")
    (tmp_path / "b.py").write_text("y = 2\n")
    git(tmp_path, "add", "-A")
    _raw_commit(tmp_path, b"Jos\xe9 Latin", git(tmp_path, "rev-parse", "HEAD"))
    assert (
        b"\xe9"
        in subprocess.run(
            ["git", "log", "-1", "--format=%aN"], cwd=tmp_path, capture_output=True, check=True
        ).stdout
    )
    facts = analyze_history(tmp_path, units_for("a.py", "b.py"))
    stats = stats_of(facts)["a"]
    assert stats.commits == 2
    assert stats.authors == ("Bob Roe <bob@example.com>", "Jos\ufffd Latin <jose@x.org>")
    assert stats.last_change == "2023-01-02"
    assert len([w for w in facts.warnings if "not UTF-8" in w.message]) == 1
    assert pairs_of(facts)[("a", "b")].support == 2


def test_merge_with_numstat_in_export_is_ignored(tmp_path: Path) -> None:
    """An export made with `-m` lists a merge's files: they must not count."""
    text = (
        "\x1ec2\x1fm1\x1fBob\x1fbob@x.org\x1f2023-01-03T00:00:00+00:00\x1f2023-01-03T00:00:00+00:00\n"
        "\n1\t1\ta.py\n"
        "\x1em1\x1fp1 p2\x1fBob\x1fbob@x.org\x1f2023-01-02T00:00:00+00:00\x1f\n"
        "\n5\t5\ta.py\n5\t5\tb.py\n"
        "\x1ep1\x1f\x1fAnn\x1fann@x.org\x1f2023-01-01T00:00:00+00:00\x1f\n"
        "\n2\t0\ta.py\n-\t-\tb.py\n"
    )
    export = tmp_path / "h.log"
    export.write_text(text)
    facts = analyze_history(tmp_path, units_for("a.py", "b.py"), git_log=export)
    stats = stats_of(facts)
    assert (stats["a"].commits, stats["a"].lines_added) == (2, 3)
    assert (stats["b"].commits, stats["b"].lines_added) == (1, 0)  # binary counts 0 lines
    assert facts.co_changes == ()


def test_unreadable_export_warns(tmp_path: Path) -> None:
    export = tmp_path / "h.log"
    export.write_text("commit 123\nAuthor: someone\n")
    facts = analyze_history(tmp_path, units_for("a.py"), git_log=export)
    assert facts.change_stats == ()
    assert "no commits found in h.log" in facts.warnings[0].message


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("a.py", (None, "a.py")),
        ("old.py => new.py", ("old.py", "new.py")),
        ("shop/{users => accounts}.py", ("shop/users.py", "shop/accounts.py")),
        ("src/{a => b}/f.py", ("src/a/f.py", "src/b/f.py")),
        ("src/{ => sub}/f.py", ("src/f.py", "src/sub/f.py")),
        ("{old => new}/f.py", ("old/f.py", "new/f.py")),
        ("{lib => }/f.py", ("lib/f.py", "f.py")),
        ('"caf\\303\\251.py"', (None, "café.py")),
        ('"tab\\there.py" => b.py', ("tab\there.py", "b.py")),
    ],
)
def test_split_rename(spec: str, expected: tuple[str | None, str]) -> None:
    assert split_rename(spec) == expected


def test_parse_numstat() -> None:
    assert parse_numstat("3\t1\ta.py") == FileChange(3, 1, "a.py")
    assert parse_numstat("-\t-\timg.png") == FileChange(0, 0, "img.png")
    assert parse_numstat("0\t0\tx/{a => b}.py") == FileChange(0, 0, "x/b.py", "x/a.py")
    assert parse_numstat("not a numstat line") is None
    assert parse_numstat("x\t1\ta.py") is None


def test_rename_chain_maps_to_current_path(tmp_path: Path) -> None:
    log = [
        "\x1e3\x1f2\x1fA\x1fa@x\x1f2023-03-01\x1f",
        "1\t0\tc.py",
        "\x1e2\x1f1\x1fA\x1fa@x\x1f2023-02-01\x1f",
        "0\t0\t{b => c}.py",
        "\x1e1\x1f0\x1fA\x1fa@x\x1f2023-01-15\x1f",
        "0\t0\ta.py => b.py",
        "\x1e0\x1f\x1fA\x1fa@x\x1f2023-01-01\x1f",
        "9\t0\ta.py",
    ]
    commits = list(parse_log(log))
    assert [c.sha for c in commits] == ["3", "2", "1", "0"]
    path = tmp_path / "chain.log"
    path.write_text("\n".join(log) + "\n")
    stats = stats_of(analyze_history(tmp_path, units_for("c.py"), git_log=path))["c"]
    assert (stats.commits, stats.lines_added, stats.first_change) == (4, 10, "2023-01-01")


SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "legacy_shop"


@pytest.fixture(scope="module")
def sample_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The legacy_shop sample replayed as a git repository by its own build_history.py."""
    dest = tmp_path_factory.mktemp("sample") / "shopco"
    script = SAMPLE / "build_history.py"
    assert script.is_file(), f"the sample's history builder is missing: {script}"
    subprocess.run([sys.executable, str(script), str(dest)], check=True, capture_output=True)
    return dest


def _tracked_units(repo: Path) -> list[Unit]:
    files = git(repo, "ls-files", "--", "*.py").split()
    return units_for(*files)


def test_sample_history(sample_repo: Path) -> None:
    units = _tracked_units(sample_repo)
    seen: list[int] = []
    facts = analyze_history(sample_repo, units, progress=seen.append)
    assert facts.warnings == ()
    assert seen[-1] == int(git(sample_repo, "rev-list", "--count", "HEAD"))
    stats = stats_of(facts)
    names = {author.split(" <")[0] for s in facts.change_stats for author in s.authors}
    assert names == {
        "Marta Kowalski", "Dave Okafor", "Lars Eriksen", "Sofia Alvarez",
        "Tom Becker", "Priya Raman", "Chen Wei",
    }  # fmt: skip
    mailer = stats["shop.notifications.mailer"]  # shop/notifications/smtp.py until 2020
    assert mailer.first_change == "2016-04-01"
    assert "Marta Kowalski <marta.kowalski@shopco.example.com>" in mailer.authors
    refunds = stats["shop.payments.refunds"]  # written on a branch, merged with --no-ff
    # two commits on the branch and the 2020 black reformat (bulk: counts for churn); no merge
    assert (refunds.first_change, refunds.commits) == ("2018-04-09", 3)
    pairs = pairs_of(facts)
    assert pairs[("shop.notifications.mailer", "shop.notifications.service")].support >= 2
    assert pairs[("shop.orders.cart", "shop.orders.views")].support >= 2
    # The black reformat (60 files) is bulk: the pairs it alone would make are not there.
    loose = pairs_of(analyze_history(sample_repo, units, bulk_threshold=1000))
    assert ("shop.__init__", "shop.app") in loose
    assert ("shop.__init__", "shop.app") not in pairs
    assert len(loose) > len(pairs)


def test_sample_ownership(sample_repo: Path) -> None:
    units = _tracked_units(sample_repo)
    history = analyze_history(sample_repo, units)
    teams = tomllib.loads((SAMPLE / "planner.toml").read_text())["teams"]
    facts = analyze_owners(sample_repo, units, team_map=teams, change_stats=history.change_stats)
    owned = {o.unit: o.teams for o in facts.ownership}
    assert owned["shop.orders.service"] == ("checkout",)
    assert owned["shop.models"] == ("checkout", "platform")
    assert owned["shop.notifications.mailer"] == ("growth",)
    assert facts.warnings == ()


def test_cache_serves_unchanged_history_and_misses_after_a_commit(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    commit(repo, {"a.py": lines(3), "b.py": lines(2)}, day="2023-01-01")
    commit(repo, {"a.py": lines(5), "b.py": lines(4)}, day="2023-01-02")
    units = units_for("a.py", "b.py")
    cache = tmp_path / "cache"
    calls: list[int] = []
    first = analyze_history(repo, units, cache_dir=cache, progress=calls.append)
    assert calls  # read from git
    calls.clear()
    again = analyze_history(repo, units, cache_dir=cache, progress=calls.append)
    assert calls == []  # served from the cache, git log not read
    assert dumps(again) == dumps(first)
    assert stats_of(again)["a"].commits == 2
    commit(repo, {"a.py": lines(7)}, day="2023-01-03")
    after = analyze_history(repo, units, cache_dir=cache, progress=calls.append)
    assert calls  # a new HEAD misses
    assert stats_of(after)["a"].commits == 3
    calls.clear()
    for _ in range(2):  # a relative window moves with the clock: never cached
        analyze_history(repo, units, cache_dir=cache, since="1000 years ago", progress=calls.append)
    assert len(calls) == 2


def test_line_counts_come_from_the_newest_commits_only(shop: Path) -> None:
    """Commits, authors and dates cover all history; lines only the `churn_window` newest."""
    whole = stats_of(analyze_history(shop, SHOP_UNITS, bulk_threshold=3, churn_window=0))
    recent = stats_of(analyze_history(shop, SHOP_UNITS, bulk_threshold=3, churn_window=2))
    # the two newest commits: README (not a unit) and the bulk reformat (31 lines each)
    assert recent["shop.orders"].lines_added == 31
    assert whole["shop.orders"].lines_added == 20 + 25 + 26 + 1 + 31
    for unit, stats in whole.items():
        assert (recent[unit].commits, recent[unit].authors) == (stats.commits, stats.authors)
        assert recent[unit].first_change == stats.first_change
