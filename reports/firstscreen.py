"""The report's first screen: what moves first and why, its cost, the database, this week's work."""

from __future__ import annotations

from dataclasses import dataclass

from planner.plan import Plan, plural
from reports.view import ReportView, ServiceView

CLOSE_POINTS = 5.0
"""Risk scores closer than this (out of 100) make the runner-up a near tie."""


@dataclass(frozen=True)
class FirstScreen:
    """Plain sentences for a reader who knows nothing about the codebase or the method."""

    first: str
    first_anchor: str
    why: tuple[str, ...]
    cost: str
    database: str
    this_week: tuple[str, ...]
    runner_up: str
    runner_up_anchor: str
    closeness: str
    missing: tuple[str, ...]


def _service(view: ReportView, name: str) -> ServiceView | None:
    return next((s for s in view.services if s.name == name), None)


def _why(plan: Plan, first: ServiceView) -> tuple[str, ...]:
    if plan.first_choice is not None and plan.first_choice.sentences:
        return plan.first_choice.sentences
    out = [
        f"Of the {plural(len(plan.services), 'candidate service')}, {first.name} has the best "
        f"balance of extraction risk ({first.risk.score} out of 100, {first.risk.level}) and "
        f"benefit ({first.benefit.score} out of 100)."
    ]
    if first.risk.factors:
        top = first.risk.factors[0]
        out.append(f"Most of its risk comes from one factor: {top.label.lower()}.")
    step = next((s for s in plan.steps if s.service == first.name), None)
    if step is not None:
        calls = plural(len(step.calls_back), "place")
        out.append(
            "It makes no call back into code that stays in the monolith."
            if not step.calls_back
            else f"It still calls back into the monolith in {calls}, each behind a narrow "
            "client (an anti-corruption layer)."
        )
    return tuple(out)


def _cost(plan: Plan, first: ServiceView) -> str:
    step = next((s for s in plan.steps if s.service == first.name), None)
    sizes = (
        f"{first.lines} lines in {plural(first.member_count, 'module')}, "
        f"{plural(len(first.endpoints), 'endpoint')} to reroute, "
        f"{plural(len(first.tables_owned), 'table')} owned, "
        f"{plural(len(step.calls_back) if step else 0, 'call')} back into the monolith"
    )
    effort = next((e for e in plan.efforts if e.service == first.name), None)
    if effort is not None:
        return f"About {effort.low_weeks:g} to {effort.high_weeks:g} person-weeks: {sizes}."
    return f"{sizes[0].upper()}{sizes[1:]}."


def _database(view: ReportView, first: ServiceView, wave: int) -> str:
    owned = len(first.tables_owned)
    used = len(first.tables_used)
    joins = sum(1 for j in view.matrix.cross_joins if j.before_wave and j.before_wave <= wave)
    text = (
        f"Nothing is copied or split: {first.name} keeps using the existing database through its "
        f"own role {first.role}, which may write only the {plural(owned, 'table')} it owns"
        + (f" and read {plural(used, 'other table')}" if used else "")
        + "."
    )
    if joins:
        text += (
            f" {plural(joins, 'SQL statement')} joining tables of different services must "
            "become an API call or a read-only view before this wave."
        )
    return text


def _this_week(view: ReportView, first: ServiceView, wave: int) -> tuple[str, ...]:
    out = [
        "Run the monolith as a pinned container behind the routing facade, with every route "
        "still going to it.",
        f"Create the database role {first.role} from the grants/ scripts and point a test "
        f"instance of {first.name} at it.",
    ]
    joins = sum(1 for j in view.matrix.cross_joins if j.before_wave and j.before_wave <= wave)
    if joins:
        out.append(
            f"Start rewriting the {plural(joins, 'cross-service join')} due before wave {wave} "
            "(listed under Data)."
        )
    step = next((s for s in view.steps if s.service == first.name), None)
    if step is not None and step.checks:
        out.append(
            f"Agree the go/no-go checks of step {step.order}, starting with: {step.checks[0]}"
        )
    return tuple(out)


def _runner_up(plan: Plan, view: ReportView, first: ServiceView) -> tuple[str, str]:
    choice = plan.first_choice
    name = plan.second_choice() or ""
    other = _service(view, name) if name else None
    if other is None:
        return "", "There is no runner-up: only one service is planned."
    if choice is not None and choice.sensitivity:
        if choice.margin < 0:  # forced with --first: the runner-up scores better
            return (
                name,
                f"Behind on the scores by {abs(choice.margin):g} points: {choice.sensitivity}",
            )
        close = "a near tie" if choice.close else "a clear lead"
        return name, f"{close.capitalize()}: {choice.sensitivity}"
    gap = abs(plan.service(other.name).risk.score - plan.service(first.name).risk.score)
    verdict = (
        "A near tie: weigh both in the workshop"
        if gap < CLOSE_POINTS
        else f"{first.name} leads clearly"
    )
    return name, (
        f"{verdict} (risk {other.risk.score} against {first.risk.score}, benefit "
        f"{other.benefit.score} against {first.benefit.score}; a gap under "
        f"{CLOSE_POINTS:g} risk points counts as a near tie)."
    )


def first_screen(plan: Plan, view: ReportView) -> FirstScreen | None:
    """The first screen's sentences, or None when the plan moves nothing."""
    if not plan.steps:
        return None
    step = min(plan.steps, key=lambda s: s.order)
    first = _service(view, step.service)
    if first is None:
        return None
    runner, closeness = _runner_up(plan, view, first)
    runner_view = _service(view, runner) if runner else None
    missing = tuple(m.note for m in plan.unavailable)
    wave = step.wave
    return FirstScreen(
        first=first.name,
        first_anchor=first.anchor,
        why=_why(plan, first),
        cost=_cost(plan, first),
        database=_database(view, first, wave),
        this_week=_this_week(view, first, wave),
        runner_up=runner,
        runner_up_anchor=runner_view.anchor if runner_view else "",
        closeness=closeness,
        missing=missing,
    )
