"""Compares two plans: which services changed, moved in the order, or got riskier (data only;
reports/diff.py renders it)."""

from __future__ import annotations

from dataclasses import dataclass

from planner.plan import Plan, ServiceName


@dataclass(frozen=True, order=True)
class ServiceChange:
    """One service of plan A matched to its closest service of plan B (by shared members)."""

    a: ServiceName | None
    b: ServiceName | None
    overlap: float
    step_a: int | None
    step_b: int | None
    risk_a: float | None
    risk_b: float | None
    moved_in: tuple[str, ...] = ()
    moved_out: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlanDiff:
    """Everything that differs between two plans, service by service."""

    changes: tuple[ServiceChange, ...]
    waves_a: int
    waves_b: int

    @property
    def identical(self) -> bool:
        """True when both plans have the same services, members, order and risk."""
        return self.waves_a == self.waves_b and all(
            c.a == c.b
            and not c.moved_in
            and not c.moved_out
            and c.step_a == c.step_b
            and c.risk_a == c.risk_b
            for c in self.changes
        )


def diff_plans(a: Plan, b: Plan) -> PlanDiff:
    """Match services by Jaccard overlap of members (greedy, best first); list the differences."""
    step_a = {s.service: s.order for s in a.steps}
    step_b = {s.service: s.order for s in b.steps}
    members_a = {s.name: set(s.members) for s in a.services}
    members_b = {s.name: set(s.members) for s in b.services}
    pairs = sorted(
        (
            (_jaccard(ma, mb), na, nb)
            for na, ma in members_a.items()
            for nb, mb in members_b.items()
        ),
        key=lambda t: (-t[0], t[1], t[2]),
    )
    matched: dict[ServiceName, ServiceName] = {}
    for overlap, na, nb in pairs:
        if overlap > 0 and na not in matched and nb not in matched.values():
            matched[na] = nb
    risk_a = {s.name: s.risk.score for s in a.services}
    risk_b = {s.name: s.risk.score for s in b.services}
    changes = []
    for na, nb in sorted(matched.items()):
        changes.append(
            ServiceChange(
                na,
                nb,
                round(_jaccard(members_a[na], members_b[nb]), 4),
                step_a[na],
                step_b[nb],
                risk_a[na],
                risk_b[nb],
                tuple(sorted(members_b[nb] - members_a[na])),
                tuple(sorted(members_a[na] - members_b[nb])),
            )
        )
    for na in sorted(set(members_a) - set(matched)):
        changes.append(ServiceChange(na, None, 0.0, step_a[na], None, risk_a[na], None))
    for nb in sorted(set(members_b) - set(matched.values())):
        changes.append(ServiceChange(None, nb, 0.0, None, step_b[nb], None, risk_b[nb]))
    return PlanDiff(tuple(changes), len(a.waves), len(b.waves))


def _jaccard(x: set, y: set) -> float:
    return len(x & y) / len(x | y) if x | y else 1.0
