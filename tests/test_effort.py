"""What a step costs, why the first service is first, how firm that is, and missing inputs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from analyzers.facts import Facts, merge_facts
from analyzers.java import analyze_java
from analyzers.python import analyze_python
from planner.choice import _flips, first_choice, plain
from planner.config import Config
from planner.effort import (
    BASE_WEEKS,
    CALL_BACK_WEEKS,
    EFFORT_FORMULA,
    ENDPOINT_WEEKS,
    LINES_PER_WEEK,
    READ_TABLE_WEEKS,
    TABLE_WEEKS,
    UNTESTED_LINES_PER_WEEK,
    estimate,
)
from planner.pipeline import make_plan
from planner.plan import (
    SCORE_LEVELS,
    CallBack,
    EndpointRef,
    Factor,
    Plan,
    Score,
    Step,
    TablePlan,
    score_level,
    score_levels_text,
)
from reports.markdown import render_markdown
from reports.view import build_view, level

JAVA = Path(__file__).resolve().parent.parent / "samples" / "legacy_java"


@pytest.fixture(scope="module")
def java() -> tuple[Facts, Plan]:
    """The Java sample with no git history and no database: both inputs missing."""
    root = JAVA
    facts = merge_facts(str(root), [analyze_python(root, jobs=1), analyze_java(root, jobs=1)])
    return facts, make_plan(facts, Config())


def _step(name: str = "billing") -> Step:
    tables = (
        TablePlan("invoices", name, (), (name,), "owned", ""),
        TablePlan("payments", "other", (name,), ("other", name), "shared_ownership", ""),
        TablePlan("customers", "other", (name,), ("other",), "api_or_view", ""),
    )
    return Step(
        order=1,
        wave=1,
        service=name,
        reason="",
        reroute=(EndpointRef("GET", "/a", "x"), EndpointRef("POST", "/b", "x")),
        calls_back=(CallBack("x", "m.one", "call"), CallBack("y", "m.one", "call")),
        tables=tables,
        risks=(),
        rollout="",
        checks=(),
        rollback="",
    )


def test_effort_follows_its_formula() -> None:
    effort = estimate(_step(), lines=3000, untested_lines=1000)
    assert (effort.endpoints, effort.tables, effort.read_tables, effort.calls_back) == (2, 2, 1, 1)
    weeks = (
        BASE_WEEKS
        + 3000 / LINES_PER_WEEK
        + 2 * ENDPOINT_WEEKS
        + 2 * TABLE_WEEKS
        + 1 * READ_TABLE_WEEKS
        + 1 * CALL_BACK_WEEKS
        + 1000 / UNTESTED_LINES_PER_WEEK
    )
    assert weeks == pytest.approx(6.75)
    assert (effort.low_weeks, effort.high_weeks) == (5.0, 10.5)  # 0.75x down, 1.5x up, half weeks
    assert effort.basis.endswith("= 6.8 person-weeks")
    assert "2 endpoints" in effort.basis and "1 call back" in effort.basis
    for constant in ("lines moved / 1,000", "0.25 per endpoint", "half weeks"):
        assert constant in EFFORT_FORMULA


def test_every_step_has_an_effort_and_the_report_shows_the_formula(java) -> None:
    facts, plan = java
    assert [e.service for e in plan.efforts] == [s.service for s in plan.steps]
    for effort, service in zip(plan.efforts, plan.services, strict=True):
        assert effort.lines == service.lines
        assert 0.5 <= effort.low_weeks < effort.high_weeks
    assert plan.effort_formula == EFFORT_FORMULA
    md = render_markdown(build_view(facts, plan), svg=False)
    assert "## Effort" in md and "person-weeks = 1 for the facade route" in md


def test_score_levels_are_stated_once() -> None:
    assert level(33.9) == score_level(33.9) == "low"
    assert level(34) == "medium" and level(66.9) == "medium" and level(67) == "high"
    assert score_levels_text().startswith("low below 34, medium from 34 to below 67, high from 67")
    assert [b for b, _ in SCORE_LEVELS] == sorted((b for b, _ in SCORE_LEVELS), reverse=True)


def test_first_choice_is_plain_sentences_with_runner_up(java) -> None:
    _, plan = java
    choice = plan.first_choice
    assert choice is not None
    assert choice.service == plan.steps[0].service
    assert choice.runner_up and choice.runner_up != choice.service
    assert choice.margin >= 0
    for sentence in choice.sentences:
        assert "(" not in sentence and ")" not in sentence
        assert not re.search(
            r"\b(?:calls_back|inbound_calls|shared_tables|missing_tests)\b", sentence
        )
        assert sentence.endswith(".")
    assert any(choice.runner_up in s and "runner-up" in s for s in choice.sentences)
    assert choice.sensitivity


def test_forced_first_says_so_and_names_the_scores_choice(java) -> None:
    facts, plan = java
    other = plan.steps[1].service
    forced = make_plan(facts, Config(), first=other)
    assert forced.first_choice is not None
    assert forced.first_choice.service == other
    assert "--first" in forced.first_choice.sentences[0]
    assert plan.steps[0].service in forced.first_choice.sentences[1]
    # the weights did not choose it: "The choice holds" would contradict the sentence above
    assert forced.first_choice.sensitivity.startswith("The run chose it with --first")
    runner = next(s for s in forced.first_choice.sentences if "runner-up" in s)
    assert "points ahead on risk minus" in runner, runner
    from reports.firstscreen import first_screen

    screen = first_screen(forced, build_view(facts, forced))
    assert screen is not None
    said = str(screen)
    assert "Behind on the scores by" in said and "A clear lead" not in said, said


def _score(**points: float) -> Score:
    factors = tuple(Factor(n, p, 10.0, p / 10, "why") for n, p in sorted(points.items()))
    return Score(round(sum(points.values()), 1), factors)


def test_sensitivity_reruns_the_ordering_with_each_weight_moved() -> None:
    """A first 0.5 points ahead flips when one of the factors that separate them moves 10%."""
    risks = {"a": _score(calls_back=10.0), "b": _score(size=10.5)}
    benefits = {"a": _score(endpoints=0.0), "b": _score(endpoints=0.0)}
    flips = _flips(risks, benefits, 0.2, "a")
    assert any(f.startswith("more weight on calls back into the monolith") for f in flips)
    assert any(f.startswith("less weight on size") for f in flips)
    assert all(f.endswith("puts b first") for f in flips)
    far = {"a": _score(calls_back=1.0), "b": _score(size=30.0)}
    assert _flips(far, benefits, 0.2, "a") == ()


def test_plain_drops_nested_parentheses() -> None:
    assert plain("risk 3 (rank 1 of 8; factor (x)), benefit 4 (mostly y)") == "risk 3, benefit 4"


def test_missing_history_and_database_are_named_at_the_top(java) -> None:
    facts, plan = java
    missing = {m.input: m for m in plan.unavailable}
    assert set(missing) >= {"git history", "database schema"}
    assert "benefit: hotspot" in missing["git history"].scores
    assert plan.first_choice is not None
    assert "no git history" in plan.first_choice.ranked_by
    md = render_markdown(build_view(facts, plan), svg=False)
    top = md.split("**Extract first", 1)[0]
    assert "**No git history**" in top and "**No database schema**" in top


def test_ranked_by_risk_alone_when_every_benefit_is_zero(java) -> None:
    facts, plan = java
    graph_world = _world(facts)
    choice = first_choice(graph_world, 0.0, plan.steps[0].service, False)
    assert choice is not None and choice.ranked_by.startswith("Services are ranked by risk alone")


def _world(facts: Facts):
    from planner.design import make_design

    return make_design(facts, Config()).world


def test_inputs_panel_names_only_the_analyzers_that_found_code(java) -> None:
    facts, plan = java
    assert {a.name for a in facts.analyzers} >= {"python", "java"}
    shown = build_view(facts, plan).analyzers
    assert any(a.startswith("java ") for a in shown)
    assert not any(a.startswith("python ") for a in shown)
