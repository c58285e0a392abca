"""What if another service went first: which service that is (the pipeline re-plans with it)."""

from __future__ import annotations

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
