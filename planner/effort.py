"""Estimates what each extraction step costs in person-weeks, with its formula shown."""

from __future__ import annotations

import math
from collections.abc import Callable

from planner.plan import Effort, ServiceName, Step, plural

BASE_WEEKS = 1.0
"""Fixed cost of any step: a facade route, a build, a deployment, a go-live."""
LINES_PER_WEEK = 1000
"""Lines of code moved and adapted per person-week."""
ENDPOINT_WEEKS = 0.25
"""Per endpoint the facade reroutes: the route, a contract test, a comparison in production."""
TABLE_WEEKS = 0.5
"""Per table the service owns or writes: a role, grants, a migration, a reconciliation."""
READ_TABLE_WEEKS = 0.25
"""Per table it only reads from another owner: a view or an API call instead of the query."""
CALL_BACK_WEEKS = 0.5
"""Per unit of the monolith the service still calls: an anti-corruption client with timeouts."""
UNTESTED_LINES_PER_WEEK = 2000
"""Lines without a test importing them, covered by characterisation tests per person-week."""
LOW, HIGH = 0.75, 1.5
"""The range shown: the estimate times these, as estimates run over more often than under."""

EFFORT_FORMULA = (
    f"person-weeks = {BASE_WEEKS:g} for the facade route, build and deployment"
    f" + lines moved / {LINES_PER_WEEK:,}"
    f" + {ENDPOINT_WEEKS:g} per endpoint rerouted"
    f" + {TABLE_WEEKS:g} per table owned or written"
    f" + {READ_TABLE_WEEKS:g} per table only read from another service"
    f" + {CALL_BACK_WEEKS:g} per monolith module still called back"
    f" + untested lines / {UNTESTED_LINES_PER_WEEK:,};"
    f" the range is {LOW:g} to {HIGH:g} times that, rounded to half weeks"
)


def estimate(step: Step, lines: int, untested_lines: int) -> Effort:
    """The effort of one step, from its size, reroutes, tables, calls back and untested lines."""
    endpoints = len(step.reroute)
    name = step.service
    tables = sum(1 for t in step.tables if t.owner == name or name in t.writers)
    read = len(step.tables) - tables
    targets = len({c.target for c in step.calls_back})
    parts = [
        ("the base", BASE_WEEKS),
        (f"{lines:,} lines", lines / LINES_PER_WEEK),
        (plural(endpoints, "endpoint"), endpoints * ENDPOINT_WEEKS),
        (plural(tables, "table") + " owned or written", tables * TABLE_WEEKS),
        (plural(read, "table") + " only read", read * READ_TABLE_WEEKS),
        (plural(targets, "call back", "calls back"), targets * CALL_BACK_WEEKS),
        (f"{untested_lines:,} untested lines", untested_lines / UNTESTED_LINES_PER_WEEK),
    ]
    weeks = sum(w for _, w in parts)
    shown = parts[:2] + [(label, w) for label, w in parts[2:] if w > 0]
    basis = " + ".join(f"{_number(w)} for {label}" for label, w in shown)
    return Effort(
        service=step.service,
        lines=lines,
        endpoints=endpoints,
        tables=tables,
        calls_back=targets,
        untested_lines=untested_lines,
        read_tables=read,
        low_weeks=_half_weeks(weeks * LOW, math.floor),
        high_weeks=_half_weeks(weeks * HIGH, math.ceil),
        basis=f"{basis} = {weeks:.1f} person-weeks",
    )


def estimate_all(
    steps: tuple[Step, ...],
    members: dict[ServiceName, tuple[str, ...]],
    lines: dict[str, int],
    tested: frozenset[str],
) -> tuple[Effort, ...]:
    """The effort of every step, in step order."""
    return tuple(
        estimate(
            step,
            sum(lines.get(u, 0) for u in members[step.service]),
            sum(lines.get(u, 0) for u in members[step.service] if u not in tested),
        )
        for step in steps
    )


def _half_weeks(weeks: float, rounding: Callable[[float], int]) -> float:
    """`weeks` rounded to half weeks in the given direction, at least half a week."""
    return max(0.5, rounding(weeks * 2) / 2)


def _number(value: float) -> str:
    """At most two decimals, no trailing zero: `1`, `0.25`, `1.2`."""
    return f"{value:.2f}".rstrip("0").rstrip(".")
