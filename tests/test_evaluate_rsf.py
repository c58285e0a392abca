"""RSF references: parsing, MoJoFM by hand, and agreement with the ASE'24 score.py run for real."""

from __future__ import annotations

import importlib.util
import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from analyzers.errors import InputError
from planner.evaluate import (
    UNOBSERVED,
    RsfTruth,
    load_truth,
    read_rsf,
    rsf_mojofm,
    rsf_partition,
    rsf_scores,
)

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location(
    "bench_run", ROOT / "benchmarks" / "decomposition" / "run.py"
)
bench = sys.modules.setdefault("bench_run", importlib.util.module_from_spec(_spec))
_spec.loader.exec_module(bench)
PLANNER = (sys.executable, "-m", "planner")
APPS = ("spring-petclinic", "jpetstore", "partsunlimited", "demo")


@pytest.fixture(scope="module")
def ase24() -> Path:
    """The shared ASE'24 folder (score.py, MoJo jar, ground truths); a failure if it is missing."""
    try:
        folder = bench.resolve("../shared/benchmarks/ase24")
    except InputError as error:
        pytest.fail(f"the ASE'24 benchmark is required: {error}")
    for name in ("score.py", "MoJo-1.0-SNAPSHOT.jar", *(f"{a}.gt.rsf" for a in APPS)):
        assert (folder / name).is_file(), f"missing {folder / name}"
    return folder


def _score_py(folder: Path, app: str, plan: Path) -> float:
    result = subprocess.run(
        [sys.executable, str(folder / "score.py"), app, str(plan)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "class MoJoFM" in result.stdout, result.stdout + result.stderr
    return float(result.stdout.split()[-1])


def test_rsf_lines_repeats_comments_and_quotes(tmp_path):
    path = tmp_path / "x.rsf"
    path.write_text('# ref\ncontain a Foo\n\nCONTAIN "b" Foo\ncontain b Bar\n', encoding="utf-8")
    truth = load_truth(path)
    assert truth == RsfTruth((("a", "Foo"), ("b", "Foo"), ("b", "Bar")))
    assert truth.classes == ("Foo", "Bar")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe contain a b", "not UTF-8"),
        (b"", "no `contain"),
        (b"# only a comment\n\n", "no `contain"),
        (b"contain a\n", ":1: expected"),
        (b"contain a Foo\nlink a b c d\n", ":2: expected"),
    ],
)
def test_bad_rsf_is_one_input_error(tmp_path, content, message):
    path = tmp_path / "bad.rsf"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        read_rsf(path)


def test_non_utf8_toml_truth_is_an_input_error(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_bytes(b"[services]\nx = ['\xff']\n")
    with pytest.raises(InputError, match="not UTF-8"):
        load_truth(path)


def test_first_cluster_wins_and_left_out_classes_are_unobserved():
    truth = RsfTruth((("s", "Foo"), ("s", "Bar"), ("t", "Baz")))
    clusters = [("one", ["x.Foo", "x.Other"]), ("two", ["y.Foo", "y.Bar"])]
    assert rsf_partition(clusters, truth) == {"Foo": "one", "Bar": "two", "Baz": UNOBSERVED}


def test_repeated_class_counts_in_each_size_and_takes_the_last_service():
    truth = RsfTruth((("s1", "a"), ("s2", "a"), ("s1", "b"), ("s2", "c"), ("s2", "d")))
    # B tags a as s2 (last line); sizes s1 = 2, s2 = 3 -> g = 2, max distance 4 - 2 = 2.
    # A1 = {a, b} ties s2 (a) and s1 (b): one move; A2 = {c, d} tags s2. The matching pairs A1-s1
    # and A2-s2, so no join: mno = 1, MoJoFM = (1 - 1/2) x 100.
    assert rsf_mojofm({"a": "A1", "b": "A1", "c": "A2", "d": "A2"}, truth) == 50.0
    # Everything together: 4 - 3 (s2) = 1 move, no join -> 50 as well; all apart: 4 - 2 = 2 joins.
    assert rsf_mojofm(dict.fromkeys("abcd", "all"), truth) == 50.0
    assert rsf_mojofm({u: u for u in "abcd"}, truth) == 0.0


def _plans(app_classes: list[tuple[str, str]], seed: int) -> list[list[tuple[str, list[str]]]]:
    """Decompositions of an app's classes: the reference itself, random ones, partial ones."""
    rng = random.Random(seed)
    names = list(dict.fromkeys(name for _, name in app_classes))
    own: dict[str, list[str]] = {}
    for service, name in app_classes:
        own.setdefault(service, []).append(f"org.example.{service}.{name}")
    plans = [list(own.items()), [("all", [f"a.{n}" for n in names])]]
    for k in (2, 3, 5, 8):
        clusters: dict[str, list[str]] = {}
        for name in names:
            if rng.random() < 0.15:
                continue  # left out: unobserved
            clusters.setdefault(f"svc{rng.randrange(k)}", []).append(f"p{rng.randrange(3)}.{name}")
        clusters.setdefault("svc-extra", []).append("q.NotInTheReference")
        twice = rng.choice(names)
        clusters.setdefault(f"svc{rng.randrange(k)}", []).append(f"dup.{twice}")
        plans.append(sorted(clusters.items()))
    return plans


@pytest.mark.parametrize("app", APPS)
def test_mojofm_agrees_with_score_py(ase24, app, tmp_path):
    truth = read_rsf(ase24 / f"{app}.gt.rsf")
    seen = set()
    for index, clusters in enumerate(_plans(list(truth.contains), seed=len(app))):
        plan = tmp_path / f"plan{index}.json"
        services = [{"name": name, "members": list(members)} for name, members in clusters]
        plan.write_text(json.dumps({"services": services}), encoding="utf-8")
        ours = rsf_scores(clusters, truth)[0]
        assert ours == pytest.approx(_score_py(ase24, app, plan), abs=0.01), (app, index)
        seen.add(ours)
    assert len(seen) >= 4  # the cases differ, so agreement is not agreement on one number


def _java_tree(root: Path, truth: RsfTruth, seed: int) -> None:
    """A small Java app whose classes carry the reference's names, in packages by first service."""
    rng = random.Random(seed)
    first: dict[str, str] = {}
    for service, name in truth.contains:
        first.setdefault(name, service)
    names = sorted(first)
    for name in names:
        package = f"org.example.{first[name].replace('-', '')}"
        used = [n for n in rng.sample(names, min(2, len(names))) if n != name]
        fields = "".join(f"    private {n} f{i};\n" for i, n in enumerate(used))
        imports = "".join(f"import org.example.{first[n].replace('-', '')}.{n};\n" for n in used)
        folder = root / "src" / "main" / "java" / package.replace(".", "/")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}.java").write_text(
            f"package {package};\n{imports}\npublic class {name} {{\n{fields}}}\n", encoding="utf-8"
        )


@pytest.mark.parametrize("app", ["spring-petclinic", "jpetstore"])
def test_planner_evaluate_agrees_with_score_py_on_a_real_plan(ase24, app, tmp_path):
    truth_file = ase24 / f"{app}.gt.rsf"
    tree = tmp_path / "app"
    _java_tree(tree, read_rsf(truth_file), seed=7)
    out = tmp_path / "out"
    run = subprocess.run(
        [*PLANNER, "run", str(tree), "--out", str(out), "--no-git"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert run.returncode == 0, run.stderr
    result = subprocess.run(
        [*PLANNER, "evaluate", str(out / "plan.json"), "--truth", str(truth_file), "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["units_compared"] > 0
    expected = _score_py(ase24, app, out / "plan.json")
    assert report["metrics"]["mojofm"] == pytest.approx(expected, abs=0.01)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe", "not UTF-8"),
        (b"", "no `contain"),
        (b"contain svc NoSuchClassAnywhere\n", "names no unit"),
    ],
)
def test_evaluate_refuses_bad_rsf_with_one_line(tmp_path, content, message):
    tree = tmp_path / "app"
    (tree / "src").mkdir(parents=True)
    (tree / "src" / "A.java").write_text("package p;\npublic class A { B b; }\n")
    (tree / "src" / "B.java").write_text("package p;\npublic class B { A a; }\n")
    out = tmp_path / "out"
    run = subprocess.run(
        [*PLANNER, "run", str(tree), "--out", str(out), "--no-git"], capture_output=True, cwd=ROOT
    )
    assert run.returncode == 0, run.stderr
    truth = tmp_path / "truth.rsf"
    truth.write_bytes(content)
    result = subprocess.run(
        [*PLANNER, "evaluate", str(out / "plan.json"), "--truth", str(truth)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
