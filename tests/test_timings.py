"""The stage clock behind `--timings`: stages add up, a stage inside another is counted once."""

from __future__ import annotations

import time

from planner.timings import Clock


def test_a_stage_entered_twice_adds_up() -> None:
    clock = Clock()
    for _ in range(2):
        with clock.stage("report"):
            time.sleep(0.01)
    assert clock.seconds["report"] >= 0.02


def test_a_stage_inside_another_is_counted_in_the_inner_one_only() -> None:
    clock = Clock()
    start = time.perf_counter()
    with clock.stage("rendering"):
        with clock.stage("scaffold"):
            time.sleep(0.02)
        with clock.stage("report"), clock.stage("diagram"):
            time.sleep(0.01)
        during = dict(clock.seconds)  # what a plan written mid-run shows: closed stages only
    elapsed = time.perf_counter() - start
    assert set(during) == {"scaffold", "report", "diagram"}
    assert during["diagram"] >= 0.01 and clock.seconds["scaffold"] >= 0.02
    assert min(clock.seconds.values()) >= 0
    assert sum(clock.seconds.values()) <= elapsed  # the stages add up to the run, not more


def test_the_stages_are_listed_in_run_order_and_aligned() -> None:
    clock = Clock({"report": 0.5, "planning": 1.0, "what-if plan": 0.25, "custom": 0.125})
    assert [t.stage for t in clock.timings()] == ["planning", "what-if plan", "report", "custom"]
    assert clock.render().splitlines() == [
        "timings:",
        "  planning        1.000 s",
        "  what-if plan    0.250 s",
        "  report          0.500 s",
        "  custom          0.125 s",
        "  total           1.875 s",
    ]
