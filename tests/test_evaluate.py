"""Decomposition metrics on cases computed by hand (see docs/metrics.md)."""

from __future__ import annotations

import pytest

from analyzers.errors import InputError
from analyzers.facts import Facts, TableAccess
from planner.evaluate import (
    adjusted_rand,
    inter_call_percentage,
    interface_number,
    mojo_moves_joins,
    mojofm,
    non_extreme_distribution,
    ownership_purity,
    read_truth,
    structural_modularity,
    turbo_mq,
)

B = {"a": "B1", "b": "B1", "c": "B2", "d": "B2", "e": "B2"}


def test_mojo_two_clusters_one_misplaced():
    a = {"a": "A1", "b": "A1", "c": "A1", "d": "A2", "e": "A2"}
    # A1 tags B1 (2 of 3): one move; A2 tags B2; groups 2, clusters 2: no join. mno = 1.
    assert mojo_moves_joins(a, B) == 1
    # max mno(any A, B) = n - g = 5 - 2 = 3, so MoJoFM = (1 - 1/3) x 100
    assert mojofm(a, B) == pytest.approx(66.67)


def test_mojo_everything_in_one_cluster():
    a = dict.fromkeys(B, "all")
    # moves = 5 - 3 (B2 wins); one cluster, one group: no join. mno = 2 -> (1 - 2/3) x 100
    assert mojo_moves_joins(a, B) == 2
    assert mojofm(a, B) == pytest.approx(33.33)


def test_mojo_needs_a_join_and_the_matching_breaks_ties():
    a = {"a": "X", "b": "Y", "c": "Z", "d": "Z", "e": "Z"}
    # X and Y both tag B1: one join; no moves. mno = 1.
    assert mojo_moves_joins(a, B) == 1
    tie = {"a": "P", "c": "P", "b": "Q", "d": "Q", "e": "R"}
    # P and Q each tie B1/B2 (a move each), R tags B2; the matching finds 2 groups for 3: 1 join.
    assert mojo_moves_joins(tie, B) == 3


def test_identical_partitions_score_perfectly_whatever_the_names():
    renamed = {u: c.lower() for u, c in B.items()}
    assert mojofm(renamed, B) == 100.0
    assert adjusted_rand(renamed, B) == 1.0


def test_only_common_units_are_compared():
    a = {"a": "A1", "b": "A1", "c": "A2", "d": "A2", "e": "A2", "zzz": "A3"}
    assert mojofm(a, B) == 100.0


def test_adjusted_rand_by_hand():
    a = {1: "x", 2: "x", 3: "y", 4: "y"}
    b = {1: "x", 2: "y", 3: "x", 4: "y"}
    # index 0, expected 2*2/6, max 2: (0 - 2/3) / (2 - 2/3) = -0.5
    assert adjusted_rand(a, b) == pytest.approx(-0.5)


PART = {"a": "1", "b": "1", "c": "2", "d": "2"}
EDGES = [("a", "b", 3.0), ("c", "d", 1.0), ("b", "c", 1.0)]


def test_structural_modularity_by_hand():
    # cohesion (1/4 + 1/4) / 2 = 0.25; coupling 1 / (2*2*2) = 0.125 over 1 pair
    assert structural_modularity(PART, EDGES) == pytest.approx(0.125)


def test_icp_ifn_by_hand():
    assert inter_call_percentage(PART, EDGES) == pytest.approx(1 / 5)
    # only c (in 2) is used from another cluster: (0 + 1) / 2
    assert interface_number(PART, EDGES) == pytest.approx(0.5)


def test_ned_by_hand():
    assert non_extreme_distribution(PART) == 1.0
    six_two = {**{f"u{i}": "big" for i in range(6)}, "x": "s", "y": "s"}
    assert non_extreme_distribution(six_two) == pytest.approx(0.25)


def test_turbo_mq_by_hand():
    # CF1 = 2*3 / (2*3 + 1) = 6/7, CF2 = 2*1 / (2*1 + 1) = 2/3
    assert turbo_mq(PART, EDGES) == pytest.approx(6 / 7 + 2 / 3, abs=1e-4)


def test_ownership_purity_by_hand():
    facts = Facts(
        root="",
        table_access=(
            TableAccess("a", "t1", "read", "sql"),
            TableAccess("b", "t1", "write", "sql"),
            TableAccess("c", "t1", "read", "sql"),
            TableAccess("d", "t2", "write", "sql"),
        ),
    )
    assert ownership_purity(PART, facts, {"t1": "1", "t2": "2"}) == pytest.approx(0.75)


def test_truth_file_errors(tmp_path):
    bad = tmp_path / "truth.toml"
    bad.write_text('[services]\na = ["x"]\nb = ["x"]\n')
    with pytest.raises(InputError, match="both"):
        read_truth(bad)
    bad.write_text("nope = 1\n")
    with pytest.raises(InputError, match=r"\[services\]"):
        read_truth(bad)
    good = tmp_path / "good.toml"
    good.write_text('[services]\norders = ["shop.orders", "shop.orders.service"]\n')
    assert read_truth(good) == {"shop.orders": "orders", "shop.orders.service": "orders"}
