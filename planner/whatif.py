"""What if another service went first: the plan re-made with the runner-up forced first."""

from __future__ import annotations

from pathlib import Path

from analyzers.facts import Facts
from analyzers.redact import redact_model
from planner.config import Config, find_config, load_config
from planner.pipeline import make_plan
from planner.plan import Plan, ServiceName


def runner_up(plan: Plan) -> ServiceName | None:
    """The service that would go first if the chosen one did not (the plan's runner-up)."""
    choice = getattr(plan, "first_choice", None)
    name = getattr(choice, "runner_up", "") if choice is not None else ""
    if name:
        return name
    steps = sorted(plan.steps, key=lambda s: s.order)
    first = steps[0].service if steps else None
    return next((s.service for s in steps if s.service != first), None)


def runner_up_plan(facts: Facts, plan: Plan, config: Config | None = None) -> Plan | None:
    """The plan with its runner-up extracted first (as `planner plan --first`), or None.

    `config` defaults to the codebase's own planner.toml (found from `facts.root`), so the
    alternative differs from `plan` only in which service goes first.
    """
    name = runner_up(plan)
    if name is None:
        return None
    if config is None:
        root = Path(facts.root) if facts.root else None
        config = load_config(find_config(root) if root is not None and root.is_dir() else None)
    return redact_model(make_plan(facts, config, first=name))
