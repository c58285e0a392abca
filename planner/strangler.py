"""Orders the extraction by simulation and groups it into strangler-fig waves with their steps."""

from __future__ import annotations

from dataclasses import dataclass

from analyzers.errors import InputError
from planner.access import role_name
from planner.decompose import possessive
from planner.plan import (
    CallBack,
    EndpointRef,
    Score,
    ServiceName,
    Step,
    TablePlan,
    Wave,
    plural,
)
from planner.register import step_risks
from planner.risk import World, benefit, calls_into, risk

CANARY_RISK = 40.0
"""From this risk on, a service with endpoints goes live by canary rather than blue-green."""


@dataclass(frozen=True)
class Move:
    """One simulated extraction: the service, its risk at that moment and why it was picked."""

    service: ServiceName
    risk: Score
    benefit: Score
    reason: str


def simulate(world: World, benefit_weight: float, first: ServiceName | None = None) -> list[Move]:
    """Extract one service at a time, rescoring what remains after each move.

    The next move has the lowest `risk - benefit_weight x benefit`. Risk dominates by default:
    early moves teach the team the pattern, so they should be the safe ones.
    """
    remaining = sorted(world.members)
    if first is not None and first not in world.members:
        raise InputError(f"--first {first}: no such service; services: {', '.join(remaining)}")
    benefits = {s: benefit(world, s) for s in remaining}
    extracted: frozenset[ServiceName] = frozenset()
    moves: list[Move] = []
    while remaining:
        risks = {s: risk(world, s, extracted) for s in remaining}
        if first is not None and not moves:
            pick = first
            reason = "forced first by --first"
        else:
            pick = min(
                remaining, key=lambda s: (risks[s].score - benefit_weight * benefits[s].score, s)
            )
            reason = _why(pick, risks, benefits, len(remaining))
        moves.append(Move(pick, risks[pick], benefits[pick], reason))
        remaining.remove(pick)
        extracted |= {pick}
    return moves


def _why(
    pick: ServiceName,
    risks: dict[ServiceName, Score],
    benefits: dict[ServiceName, Score],
    count: int,
) -> str:
    if count == 1:
        return f"last service left; risk {risks[pick].score:g} once everything else has moved"
    rank = sorted(risks, key=lambda s: (risks[s].score, s)).index(pick) + 1
    top_benefit = max(benefits[pick].factors, key=lambda f: (f.points, f.name))
    top_risk = max(risks[pick].factors, key=lambda f: (f.points, f.name))
    return (
        f"best risk/benefit of the {count} services left: risk {risks[pick].score:g} "
        f"(rank {rank} of {count}; largest factor {top_risk.name}: {top_risk.explanation}), "
        f"benefit {benefits[pick].score:g} (mostly {top_benefit.name}: {top_benefit.explanation})"
    )


def group_waves(world: World, moves: list[Move], wave_size: int) -> tuple[Wave, ...]:
    """Consecutive moves share a wave while independent of each other and the wave has room."""
    waves: list[list[ServiceName]] = []
    for move in moves:
        current = waves[-1] if waves else None
        if (
            current
            and len(current) < wave_size
            and not any(_coupled(world, move.service, other) for other in current)
        ):
            current.append(move.service)
        else:
            waves.append([move.service])
    return tuple(Wave(i + 1, tuple(names)) for i, names in enumerate(waves))


def _coupled(world: World, a: ServiceName, b: ServiceName) -> bool:
    return (a, b) in world.coupled or (b, a) in world.coupled


def build_steps(world: World, moves: list[Move], waves: tuple[Wave, ...]) -> tuple[Step, ...]:
    """Each move as a step: reroutes, calls back, data patterns, rollout, checks, rollback."""
    wave_of = {s: w.number for w in waves for s in w.services}
    steps = []
    extracted: frozenset[ServiceName] = frozenset()
    for order, move in enumerate(moves, start=1):
        name = move.service
        mine = set(world.members[name])
        reroute = tuple(
            sorted(
                {
                    EndpointRef(e.method, e.path, e.unit)
                    for e in world.facts.endpoints
                    if e.unit in mine
                }
            )
        )
        calls_back = tuple(
            CallBack(
                src,
                dst,
                "+".join(sorted({d.kind for d in deps})),
                tuple(sorted(ev for d in deps for ev in d.evidence))[:3],
            )
            for (src, dst), deps in sorted(calls_into(world, name, extracted).items())
        )
        tables = tuple(
            sorted(
                t
                for t in world.tables.values()
                if t.owner == name or name in t.readers or name in t.writers
            )
        )
        steps.append(
            Step(
                order=order,
                wave=wave_of[name],
                service=name,
                reason=move.reason,
                reroute=reroute,
                calls_back=calls_back,
                tables=tables,
                risks=step_risks(move.risk),
                rollout=_rollout(name, move.risk, reroute),
                checks=_checks(name, reroute, tables),
                rollback=_rollback(name, reroute, tables),
            )
        )
        extracted |= {name}
    return tuple(steps)


def _rollout(name: ServiceName, score: Score, reroute: tuple[EndpointRef, ...]) -> str:
    if not reroute:
        return (
            f"blue-green: run {name} beside the monolith, switch in-process callers to it behind "
            "a feature flag, keep the old code path warm until the next wave"
        )
    if score.score >= CANARY_RISK:
        return (
            f"canary: the facade sends 5%, then 25%, then 100% of the "
            f"{plural(len(reroute), 'rerouted endpoint')} to {name}, one business day per stage, "
            "comparing against the monolith"
        )
    return (
        f"blue-green: deploy {name} (green) beside the monolith (blue), flip the facade's "
        f"{plural(len(reroute), 'route')} at once, keep blue running for a day"
    )


def _checks(
    name: ServiceName, reroute: tuple[EndpointRef, ...], tables: tuple[TablePlan, ...]
) -> tuple[str, ...]:
    checks = [
        f"health: GET /health on {name} answers 200 on every replica for 10 minutes",
        "error rate: 5xx on rerouted endpoints at most the monolith's baseline + 0.5 points",
        "latency: p95 of rerouted endpoints at most 1.2x the monolith's baseline",
        f"database: no permission-denied errors for role {role_name(name)} in the logs",
    ]
    if not reroute:
        checks[1] = "error rate: failed calls from the monolith to the service below 0.5%"
        checks[2] = "latency: p95 of calls from the monolith to the service below 200 ms"
    shared = sorted(t.table for t in tables if t.pattern in ("shared_ownership", "split_table"))
    if shared:
        checks.append(f"data: nightly reconciliation of {', '.join(shared)} finds no divergence")
    return tuple(checks)


def _rollback(
    name: ServiceName, reroute: tuple[EndpointRef, ...], tables: tuple[TablePlan, ...]
) -> str:
    route = (
        "point the facade's routes for "
        + ", ".join(f"{e.method} {e.path}" for e in reroute[:4])
        + (" ..." if len(reroute) > 4 else "")
        + " back to the monolith (a config reload, no deploy)"
        if reroute
        else "switch the feature flag back to the in-process code path"
    )
    data = (
        "the data stays in the shared database, so nothing moves back"
        if all(t.pattern != "split_table" for t in tables)
        else "replay the service's writes to the split tables into the monolith's tables first"
    )
    keep = f"keep the monolith's copy of {possessive(name)} code until the next wave is live"
    return f"{route}; {data}; {keep}"
