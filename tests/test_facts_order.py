"""`Facts.sorted()`: each collection distinct and in its natural order, whatever order it had."""

from __future__ import annotations

import random

from analyzers.facts import Dependency, Evidence, Facts, Unit


def test_sorted_is_the_same_for_any_order_and_drops_duplicates() -> None:
    deps = [
        Dependency(f"m{i % 7}", f"m{i % 5}", kind, 1.0, (Evidence(f"m{i % 7}.py", i, "x"),))
        for i in range(60)
        for kind in ("import", "call")
    ]
    units = [Unit(f"m{i}", f"m{i}.py", "python", i, "app") for i in range(7)]
    expected = Facts(root="/r", dependencies=tuple(sorted(set(deps))), units=tuple(units))
    assert expected.sorted() == expected  # sorted and distinct already: kept as it is
    rng = random.Random(7)
    for _ in range(5):
        shuffled = deps + deps[:9]  # duplicates too
        rng.shuffle(shuffled)
        rng.shuffle(units)
        facts = Facts(root="/r", dependencies=tuple(shuffled), units=tuple(units)).sorted()
        assert facts == expected
