"""Why the first extraction is first: plain reasons, the runner-up, how sensitive the choice is,
and which scores missing inputs leave unavailable."""

from __future__ import annotations

import re

from analyzers.facts import Facts
from planner.plan import FirstChoice, MissingInput, Score, ServiceName, score_level
from planner.risk import BENEFIT_WEIGHTS, RISK_WEIGHTS, World, benefit, risk

SENSITIVITY = 0.10
"""How much one weight is moved, up and down, to test whether the first choice holds."""
CLOSE_MARGIN = 2.0
"""A runner-up within this many points of the ordering key is a near-tie."""


FACTOR_WORDS = {
    "inbound_calls": "calls from code that stays in the monolith",
    "calls_back": "calls back into the monolith",
    "shared_tables": "tables shared with other services",
    "foreign_keys": "foreign keys across the boundary",
    "cycles": "dependency cycles",
    "shared_kernel": "use of the shared kernel",
    "size": "size",
    "churn": "churn",
    "people": "people who must coordinate",
    "missing_tests": "missing tests",
    "hotspot": "change hotspots",
    "autonomy": "autonomy",
    "endpoints": "endpoints moved behind the facade",
    "data_ownership": "tables it owns alone",
}
"""Score factors in plain words, for sentences."""


def words(name: str) -> str:
    """A factor id in plain words: `calls_back` -> `calls back into the monolith`."""
    return FACTOR_WORDS.get(name, name.replace("_", " "))


def plain(text: str) -> str:
    """Generated text as a plain clause: parenthesised asides dropped, spaces tidied."""
    previous = None
    while previous != text:
        previous, text = text, re.sub(r"\s*\([^()]*\)", "", text)
    return re.sub(r"\s+", " ", text).strip(" ;,")


def first_choice(
    world: World, benefit_weight: float, first: ServiceName, forced: bool
) -> FirstChoice | None:
    """The first move explained from the scores before any extraction, with the runner-up, the
    margin between them and the weights whose 10% change would make another service first."""
    names = sorted(world.members)
    if not names or first not in world.members:
        return None
    risks = {s: risk(world, s, frozenset()) for s in names}
    benefits = {s: benefit(world, s) for s in names}
    keys = _keys(risks, benefits, benefit_weight, {})
    ranked = sorted(names, key=lambda s: (keys[s], s))
    best = ranked[0]
    runner = next((s for s in ranked if s != first), "")
    margin = round(keys[runner] - keys[first], 1) if runner else 0.0
    flips = () if forced else _flips(risks, benefits, benefit_weight, best)
    sentences = _sentences(first, runner, margin, risks, benefits, benefit_weight, forced, best)
    return FirstChoice(
        service=first,
        sentences=sentences,
        runner_up=runner,
        margin=margin,
        close=bool(runner) and (abs(margin) < CLOSE_MARGIN or bool(flips)),
        sensitivity=_sensitivity(flips, len(names), forced),
        flips=flips,
        ranked_by=_ranked_by(world, benefits, benefit_weight),
    )


def _keys(
    risks: dict[ServiceName, Score],
    benefits: dict[ServiceName, Score],
    benefit_weight: float,
    scale: dict[str, float],
) -> dict[ServiceName, float]:
    """The ordering key `risk - w x benefit` of each service, with factor weights scaled."""
    w = benefit_weight * scale.get("benefit weight", 1.0)
    return {
        s: sum(f.points * scale.get(f"risk:{f.name}", 1.0) for f in risks[s].factors)
        - w * sum(f.points * scale.get(f"benefit:{f.name}", 1.0) for f in benefits[s].factors)
        for s in risks
    }


def _flips(
    risks: dict[ServiceName, Score],
    benefits: dict[ServiceName, Score],
    benefit_weight: float,
    best: ServiceName,
) -> tuple[str, ...]:
    """Each single weight moved up or down by `SENSITIVITY` that makes another service first."""
    weights = [f"risk:{n}" for n in RISK_WEIGHTS] + [f"benefit:{n}" for n in BENEFIT_WEIGHTS]
    flips = []
    for weight in [*weights, "benefit weight"]:
        for direction, factor in (("more", 1 + SENSITIVITY), ("less", 1 - SENSITIVITY)):
            keys = _keys(risks, benefits, benefit_weight, {weight: factor})
            winner = min(keys, key=lambda s: (keys[s], s))
            if winner != best:
                label = _weight_label(weight)
                flips.append(f"{direction} weight on {label} puts {winner} first")
    return tuple(flips)


def _weight_label(weight: str) -> str:
    if weight == "benefit weight":
        return "benefit against risk"
    side, name = weight.split(":")
    return f"{words(name)} in the {side}"


def _sensitivity(flips: tuple[str, ...], count: int, forced: bool = False) -> str:
    if count < 2:
        return "There is only one service, so there is no other choice."
    if forced:  # the weights did not make this choice: testing them says nothing about it
        return "The run chose it with --first, so the weights were not tested against it."
    if not flips:
        return (
            f"The choice holds: no single weight moved {SENSITIVITY:.0%} up or down puts "
            "another service first."
        )
    more = f"; {len(flips) - 3} more" if len(flips) > 3 else ""
    return (
        f"The choice is sensitive to moving one weight {SENSITIVITY:.0%}: "
        + "; ".join(flips[:3])
        + more
        + "."
    )


def _sentences(
    first: ServiceName,
    runner: ServiceName,
    margin: float,
    risks: dict[ServiceName, Score],
    benefits: dict[ServiceName, Score],
    benefit_weight: float,
    forced: bool,
    best: ServiceName,
) -> tuple[str, ...]:
    r, b = risks[first], benefits[first]
    count = len(risks)
    lines = []
    if forced:
        lines.append(f"{first} goes first because the run asked for it with --first.")
        if best != first:
            lines.append(f"Left to the scores, {best} would go first.")
    elif count == 1:
        lines.append(f"{first} is the only service, so it goes first.")
    else:
        lines.append(
            f"{first} goes first: of the {count} services it has the lowest risk once its "
            "benefit is counted."
        )
    lines.append(f"Its risk is {r.score:g} of 100, which is {score_level(r.score)}.")
    top_risk = _top(r)
    if top_risk is not None:
        lines.append(
            f"The largest part of that risk is {words(top_risk.name)}: "
            f"{plain(top_risk.explanation)}."
        )
    lines.append(f"Its benefit is {b.score:g} of 100, which is {score_level(b.score)}.")
    top_benefit = _top(b)
    if top_benefit is not None:
        lines.append(
            f"Most of that benefit comes from {words(top_benefit.name)}: "
            f"{plain(top_benefit.explanation)}."
        )
    if runner:
        gap = "level with it" if margin == 0 else f"{abs(margin):g} points behind"
        if margin < 0:
            gap = f"{abs(margin):g} points ahead"
        lines.append(
            f"The runner-up is {runner}, {gap} on risk minus {benefit_weight:g} times benefit."
        )
    return tuple(lines)


def _top(score: Score):
    """The factor contributing most points, if any contributes."""
    factors = [f for f in score.factors if f.points > 0]
    return max(factors, key=lambda f: (f.points, f.name)) if factors else None


def _ranked_by(world: World, benefits: dict[ServiceName, Score], benefit_weight: float) -> str:
    """What the order is ranked by, saying so when the benefit cannot help."""
    text = (
        f"Services are ranked by risk minus {benefit_weight:g} times benefit, "
        "and the scores are recomputed after each extraction."
    )
    if benefit_weight == 0 or all(s.score == 0 for s in benefits.values()):
        return "Services are ranked by risk alone: every benefit is 0, or benefit has no weight."
    if not world.has_history:
        text += " With no git history the benefit leaves out change hotspots."
    return text


def missing_inputs(facts: Facts) -> tuple[MissingInput, ...]:
    """Inputs the run did not have and the scores each leaves unavailable."""
    missing = []
    if not facts.change_stats:
        missing.append(
            MissingInput(
                "git history",
                ("risk: churn", "risk: people", "benefit: hotspot"),
                "No git history was read, so these count 0 for every service; "
                "run with --git or --git-log to include them.",
            )
        )
    if not any(t.source in ("database", "ddl") for t in facts.tables):
        missing.append(
            MissingInput(
                "database schema",
                ("risk: foreign keys", "tables not used by the code"),
                "No database or schema file was read, so tables and foreign keys come only from "
                "ORM models and SQL in the code; pass --db or a schema file to include them.",
            )
        )
    if facts.units and not any(u.role == "test" for u in facts.units):
        missing.append(
            MissingInput(
                "tests",
                ("risk: missing tests",),
                "No test file was found, so every module counts as untested.",
            )
        )
    return tuple(missing)
