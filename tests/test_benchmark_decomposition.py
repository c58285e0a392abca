"""The decomposition benchmark's runner, offline: a small git repo made here, and references."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import tomllib
from dataclasses import fields
from pathlib import Path

import pytest

from analyzers.errors import InputError
from planner.config import Weights

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location(
    "bench_run", ROOT / "benchmarks" / "decomposition" / "run.py"
)
bench = sys.modules.setdefault("bench_run", importlib.util.module_from_spec(_spec))
_spec.loader.exec_module(bench)

RUNNER = (sys.executable, str(ROOT / "benchmarks" / "decomposition" / "run.py"))
MODULES = {
    "shopapp/__init__.py": "",
    "shopapp/orders/__init__.py": "",
    "shopapp/orders/order_model.py": "class Order:\n    pass\n\n\nclass OrderLine:\n    pass\n",
    "shopapp/orders/ordering.py": (
        "from shopapp.orders.order_model import Order, OrderLine\n\n\n"
        "def place():\n    return Order(), OrderLine()\n"
    ),
    "shopapp/orders/order_views.py": (
        "from shopapp.orders.ordering import place\n\n\ndef post():\n    return place()\n"
    ),
    "shopapp/billing/__init__.py": "",
    "shopapp/billing/invoice_model.py": "class Invoice:\n    pass\n",
    "shopapp/billing/invoicing.py": (
        "from shopapp.billing.invoice_model import Invoice\n\n\ndef bill():\n    return Invoice()\n"
    ),
    "shopapp/billing/billing_views.py": (
        "from shopapp.billing.invoicing import bill\n\n\ndef post():\n    return bill()\n"
    ),
}


def _git(repo: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Path, Path]:
    """A two-package git repo (the pinned commit, then one removing billing) and its corpus."""
    base = tmp_path_factory.mktemp("bench")
    repo = base / "shopapp-repo"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "config", "user.email", "dev@example.com")
    _git(repo, "config", "user.name", "Dev")
    for name, text in MODULES.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text, encoding="utf-8")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "first")
    pinned = _git(repo, "rev-parse", "HEAD")
    _git(repo, "rm", "-q", "-r", "shopapp/billing")
    _git(repo, "commit", "-q", "-m", "after the pin: billing is gone")
    orders = ["shopapp.orders", "shopapp.orders.order_model", "shopapp.orders.ordering"]
    orders.append("shopapp.orders.order_views")
    billing = ["shopapp.billing", "shopapp.billing.invoice_model", "shopapp.billing.invoicing"]
    billing.append("shopapp.billing.billing_views")
    (base / "truth.toml").write_text(
        f"[services]\norders = {json.dumps(orders)}\nbilling = {json.dumps(billing)}\n"
    )
    (base / "extract.toml").write_text(f"[services]\nbilling = {json.dumps(billing)}\n")
    rsf = [f"contain orders {u.rsplit('.', 1)[-1]}" for u in orders[1:]]
    rsf += [f"contain billing {u.rsplit('.', 1)[-1]}" for u in billing[1:]]
    (base / "truth.rsf").write_text("\n".join(rsf) + "\n")
    (base / "corpus.toml").write_text(
        f"""
[[app]]
name = "shop-toml"
repo = "example/shopapp"
commit = "{pinned}"
truth = "{base / "truth.toml"}"
best = 50.0
best_tool = "someone"

[[app]]
name = "shop-rsf"
repo = "example/shopapp"
commit = "{pinned}"
truth = "{base / "truth.rsf"}"

[[app]]
name = "shop-extract"
repo = "example/shopapp"
commit = "{pinned}"
truth = "{base / "extract.toml"}"
score = "extraction"
"""
    )
    return base / "corpus.toml", repo


def _run(corpus: tuple[Path, Path], *args: str) -> subprocess.CompletedProcess:
    path, repo = corpus
    sources = [f"--source={n}={repo}" for n in ("shop-toml", "shop-rsf", "shop-extract")]
    return subprocess.run(
        [*RUNNER, "--corpus", str(path), *sources, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )


def test_weight_names_follow_the_planner_config():
    assert bench.weight_names() == [f.name.rstrip("_") for f in fields(Weights)]
    assert "import" in bench.weight_names()


def test_config_overrides_and_ablation(tmp_path):
    (tmp_path / "planner.toml").write_text("[services]\nmin = 2\n[weights]\ncall = 3\n")
    data = bench.config_for(tmp_path, None, ["services.max=4", "planner.seed=7"], "call")
    assert data == {
        "services": {"min": 2, "max": 4},
        "weights": {"call": 0},
        "planner": {"seed": 7},
    }
    with pytest.raises(InputError, match=r"section\.key=value"):
        bench.config_for(tmp_path, None, ["max=4"], None)


def test_the_shipped_corpus_reads_and_names_real_references():
    apps = bench.load_corpus(bench.CORPUS)
    names = [a.name for a in apps]
    assert {"spring-petclinic", "jpetstore", "partsunlimited", "demo"} <= set(names)
    assert {"nova-cinder", "legacy_shop", "legacy_java"} <= set(names)
    for app in apps:
        assert app.truth.is_file(), app.truth
        assert (len(app.commit) == 40) == bool(app.repo), app.name
    cinder = tomllib.loads((ROOT / "benchmarks" / "decomposition" / "cinder.toml").read_text())
    assert "nova.volume.manager" in cinder["services"]["cinder"]


def test_table_on_a_local_repo_at_its_pinned_commit(corpus):
    result = _run(corpus, "--json")
    assert result.returncode == 0, result.stderr
    rows = {r["app"]: r for r in json.loads(result.stdout)["rows"]}
    assert set(rows) == {"shop-toml", "shop-rsf", "shop-extract"}
    toml, rsf, extract = rows["shop-toml"], rows["shop-rsf"], rows["shop-extract"]
    # The reference is the package structure, so the package baseline is perfect; every module
    # alone is the worst MoJoFM can be for two groups.
    assert toml["package"] == 100.0 and rsf["package"] == 100.0
    assert toml["alone"] == 0.0 and rsf["alone"] == 0.0
    assert toml["metric"] == "MoJoFM" and extract["metric"] == "F1"
    assert 0 <= toml["ours"] <= 100 and 0 <= extract["ours"] <= 1
    assert rsf["score_py"] is None  # score.py only knows the ASE'24 apps
    assert extract["package"] == 1.0 and "billing ~" in extract["detail"]
    assert toml["services"] and toml["best"] == 50.0
    assert {r["history"] for r in rows.values()} == {"ok"}  # a whole repository, co-change read
    assert "billing" in toml["services"]  # checked out at the pin, before billing was removed


def test_markdown_table_and_ablation_rows(corpus):
    args = ("--app", "shop-toml", "--ablate", "import", "--set", "services.max=3", "--repeat", "2")
    result = _run(corpus, *args)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("| app | metric | ours | score.py | ARI | best published")
    assert lines[2].startswith("| shop-toml | MoJoFM |") and "50 (someone)" in lines[2]
    assert any(line.startswith("| shop-toml | import | MoJoFM |") for line in lines)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--ablate", "no_such_signal"), "unknown weight"),
        (("--app", "nope"), "no app named nope"),
        (("--repeat", "0"), "at least 1"),
    ],
)
def test_user_mistakes_exit_2(corpus, args, message):
    result = _run(corpus, *args)
    assert result.returncode == 2 and message in result.stderr


def test_a_missing_tree_says_how_to_fetch_it(tmp_path):
    corpus = tmp_path / "corpus.toml"
    corpus.write_text(
        '[[app]]\nname = "x"\nrepo = "o/x"\ncommit = "' + "0" * 40 + f'"\ntruth = "{corpus}"\n'
    )
    result = subprocess.run(
        [*RUNNER, "--corpus", str(corpus), "--mirror-root", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2 and "fetch github:o/x" in result.stderr


def test_doc_block_is_rewritten_from_a_run_and_again_from_its_json(corpus, tmp_path):
    intro = f"# Bench\n\nThe block ends at `{bench.BLOCK_END}`.\n\n"  # not the block's end
    original = f"{intro}{bench.BLOCK_BEGIN}\nold table\n{bench.BLOCK_END}\n\nafter\n"
    doc = tmp_path / "doc.md"
    doc.write_text(original, encoding="utf-8")
    args = ("--app", "shop-toml", "--app", "shop-extract", "--ablate", "import")
    args += ("--skip-ablation", "shop-extract", "--json", "--doc", str(doc))
    result = _run(corpus, *args)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert [a["app"] for a in data["ablations"]] == ["shop-toml"]  # shop-extract skipped
    text = doc.read_text(encoding="utf-8")
    assert text.startswith(f"{intro}{bench.BLOCK_BEGIN}\nMeasured on ")
    assert text.endswith(f"{bench.BLOCK_END}\n\nafter\n") and "old table" not in text
    assert "--skip-ablation shop-extract --json --doc" in text
    assert data["run"]["commands"][0] in text
    assert "\n| shop-toml | MoJoFM |" in text and "\n| shop-extract | F1 |" in text
    assert "\n| shop-toml | import | MoJoFM |" in text
    saved = tmp_path / "run.json"
    saved.write_text(result.stdout, encoding="utf-8")
    again = tmp_path / "again.md"
    again.write_text(original, encoding="utf-8")
    result = subprocess.run(
        [*RUNNER, "--from-json", str(saved), "--doc", str(again)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert again.read_text(encoding="utf-8") == text
    assert result.stdout.startswith("| app | metric | ours |")


def test_doc_without_the_block_is_refused(tmp_path):
    doc = tmp_path / "doc.md"
    doc.write_text("# no block\n", encoding="utf-8")
    saved = tmp_path / "run.json"
    saved.write_text('{"rows": [], "ablations": []}', encoding="utf-8")
    result = subprocess.run(
        [*RUNNER, "--from-json", str(saved), "--doc", str(doc)], capture_output=True, text=True
    )
    assert result.returncode == 2 and "no <!-- benchmark:begin" in result.stderr
    assert doc.read_text(encoding="utf-8") == "# no block\n"
