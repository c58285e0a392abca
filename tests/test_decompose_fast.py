"""The fast paths of the decomposition give networkx's own results, and the TF-IDF cache holds."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import networkx as nx
import pytest

from planner.decompose import (
    EdgeTable,
    _weighted_copy,
    induced,
    louvain_levels,
    partition_quality,
)
from planner.signals import _nearest_words, nearest_words, signals_cache_path


def weighted_graph(seed: int = 7) -> nx.Graph:
    """Les Misérables' co-appearance graph, string nodes, one self-loop and a few fractions."""
    rng = random.Random(seed)
    graph = nx.Graph()
    for a, b, w in nx.les_miserables_graph().edges(data="weight"):
        graph.add_edge(a, b, weight=w * rng.choice((1.0, 0.5, 0.1, 2.5)))
    graph.add_edge("Valjean", "Valjean", weight=3.0)
    return graph


def test_modularity_matches_networkx() -> None:
    graph = weighted_graph()
    for seed in (1, 2, 3):
        communities = nx.community.louvain_communities(graph, weight="weight", seed=seed)
        for resolution in (1.0, 2.5):
            ours = EdgeTable.of(graph).modularity(communities, resolution)
            theirs = nx.community.modularity(
                graph, communities, weight="weight", resolution=resolution
            )
            assert ours == pytest.approx(theirs, abs=1e-12)
    # on a part of the graph: the subgraph its communities cover
    part = [{"Valjean", "Javert", "Fantine"}, {"Cosette", "Marius", "Gavroche"}]
    sub = graph.subgraph(set().union(*part))
    assert partition_quality(graph, part) == pytest.approx(
        nx.community.modularity(sub, part, weight="weight"), abs=1e-12
    )
    assert partition_quality(nx.empty_graph(["a", "b"]), [{"a"}, {"b"}]) == 0.0


def test_louvain_levels_are_networkx_levels() -> None:
    graph = weighted_graph()
    weighted = _weighted_copy(graph)
    for seed in (0, 42):
        for resolution in (1.0, 1.5, 2.5):
            ours = list(louvain_levels(weighted, EdgeTable.of(weighted), resolution, seed))
            theirs = list(
                nx.community.louvain_partitions(
                    graph, weight="weight", resolution=resolution, seed=seed
                )
            )
            assert ours == theirs
            assert len(ours) >= 1


def test_induced_is_subgraph_copy_in_the_same_order() -> None:
    graph = weighted_graph()
    nodes = list(graph)
    for units in (tuple(nodes[::-2]), tuple(nodes[:60])):
        ours, theirs = induced(graph, units), graph.subgraph(units).copy()
        assert list(ours) == list(theirs)
        assert [list(ours.adj[u]) for u in ours] == [list(theirs.adj[u]) for u in theirs]
        assert list(ours.edges(data="weight")) == list(theirs.edges(data="weight"))
    # few units: still the graph's order (networkx's view would follow a set's)
    few = induced(graph, ("Valjean", "Myriel", "Napoleon", "Cosette"))
    assert list(few) == ["Napoleon", "Myriel", "Valjean", "Cosette"]
    assert list(few.adj["Valjean"]) == [v for v in graph.adj["Valjean"] if v in few]
    assert few.number_of_edges() == graph.subgraph(few).number_of_edges()


def test_links_sum_each_pair_in_edge_order() -> None:
    graph = weighted_graph()
    communities = [set(c) for c in nx.community.louvain_communities(graph, seed=3)]
    index = {u: i for i, c in enumerate(communities) for u in c}
    expected: list[dict[int, float]] = [{} for _ in communities]
    for a, b, w in graph.edges(data="weight"):
        i, j = index[a], index[b]
        if i != j:
            expected[i][j] = expected[i].get(j, 0.0) + w
            expected[j][i] = expected[j].get(i, 0.0) + w
    assert [dict(x) for x in EdgeTable.of(graph).links(communities)] == expected
    with pytest.raises(ValueError):
        EdgeTable.of(graph).links(communities[1:])


def test_nearest_words_cached_in_user_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    ids = ["shop.orders", "shop.order_lines", "shop.billing", "shop.invoices", "shop.users"]
    docs = {
        "shop.orders": ["order", "order", "line", "cart"],
        "shop.order_lines": ["order", "line", "quantity"],
        "shop.billing": ["invoice", "payment", "bill"],
        "shop.invoices": ["invoice", "bill", "total"],
        "shop.users": ["user", "login", "password"],
    }
    fresh = _nearest_words(ids, docs)
    assert (0, 1, fresh[0][2]) in fresh and fresh[0][2] > 0.2
    assert all(i != j for i, j, _ in fresh)
    first = nearest_words(ids, docs)
    path = signals_cache_path()
    assert path.is_relative_to(tmp_path)
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT key, value FROM nearest_words").fetchall()
    assert len(rows) == 1
    assert nearest_words(ids, docs) == first == fresh
    # a broken entry is recomputed, never trusted
    with sqlite3.connect(path) as db:
        db.execute("UPDATE nearest_words SET value = ?", (b"\x93\x01\x02\x03",))
    assert nearest_words(ids, docs) == fresh
    # other words, another entry
    docs2 = {**docs, "shop.users": ["user", "order", "account"]}
    assert nearest_words(ids, docs2) == _nearest_words(ids, docs2)
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM nearest_words").fetchone() == (2,)
