"""The workshop handout: the plan on a page, the four questions answered, what if, a glossary."""

from __future__ import annotations

from dataclasses import dataclass

from planner.diff import diff_plans
from planner.plan import Plan, plural
from reports.diff import render_diff
from reports.firstscreen import FirstScreen
from reports.view import ReportView

GLOSSARY = (
    (
        "Strangler facade",
        "A router in front of the monolith (here nginx) that sends each route "
        "either to the monolith or to an extracted service; moving a route is one config change.",
    ),
    (
        "ACL (anti-corruption layer)",
        "A narrow client through which a new service calls the "
        "monolith, translating its model so the old design does not leak into the new service.",
    ),
    (
        "CDC (change data capture)",
        "Streaming the rows a database changes (from its log) to "
        "another store, so two copies stay in step while ownership moves.",
    ),
    (
        "Shared kernel",
        "Code every service needs (utilities, base types): published as a "
        "versioned library each service pins, not extracted as a service.",
    ),
    (
        "Canary",
        "Sending a small share of real traffic to the new service first and widening it "
        "only while the go/no-go checks stay green.",
    ),
    (
        "Saga",
        "A business transaction split into local steps per service, each with a "
        "compensating step, replacing a database transaction that spanned services.",
    ),
)
"""Terms the report and the workshop use, in plain words."""

ALTERNATIVES = (
    (
        "Shared database, one role per service",
        "Nothing to copy; works from day one; roles stop silent coupling.",
        "Schema changes still need every user's agreement; load is shared.",
        "owned",
    ),
    (
        "Read-only view or API of the owner",
        "Readers stop depending on the owner's tables; the "
        "owner may change its schema behind the view.",
        "One more contract to version; an API call is slower than a join.",
        "api_or_view",
    ),
    (
        "CDC to a copy",
        "The reader gets its own copy, decoupled in time and load.",
        "Eventual consistency and replication lag to watch; more moving parts.",
        "change_data_capture",
    ),
    (
        "Database per service",
        "Full independence of schema, scaling and release.",
        "Data migration, distributed transactions (sagas) and reporting joins to rebuild.",
        "",
    ),
)
"""(approach, gains, costs, pattern the plan uses it for) of the ways to share the database."""


@dataclass(frozen=True)
class Alternative:
    """One way to share the legacy database, and how many tables this plan uses it for."""

    approach: str
    gains: str
    costs: str
    tables: int


@dataclass(frozen=True)
class HandoutWave:
    """One row of the plan on a page."""

    number: int
    services: str
    endpoints_left: int


@dataclass(frozen=True)
class HandoutView:
    """Everything the two-page handout shows."""

    title: str
    start: FirstScreen
    waves: tuple[HandoutWave, ...]
    answers: tuple[tuple[str, str], ...]
    whatif_first: str
    whatif: tuple[str, ...]
    alternatives: tuple[Alternative, ...]
    prompts: tuple[str, ...]
    glossary: tuple[tuple[str, str], ...]


def _answers(view: ReportView, start: FirstScreen) -> tuple[tuple[str, str], ...]:
    ws = view.workshop
    q1 = (
        f"A routing facade goes in front of the monolith. In wave {ws.first_wave} it reroutes "
        f"{len(ws.first_reroutes)} of {plural(ws.endpoints_total, 'endpoint')} to "
        f"{', '.join(s.name for s in ws.first_services)}; calls back into the monolith go "
        "through an anti-corruption layer. Undoing a move is one route change."
        if ws.first_wave
        else "No wave is scheduled, so the facade reroutes nothing yet."
    )
    counts = ", ".join(f"{len(g.tables)} {g.pattern}" for g in ws.patterns) or "no tables"
    joins = len(view.matrix.cross_joins)
    q2 = (
        f"Keep the existing database; each service gets its own least-privilege role "
        f"({plural(len(ws.grants), 'role')}). Tables by pattern: {counts}. "
        + (
            f"{plural(joins, 'cross-service join')} must become an API call or a view first."
            if joins
            else "No SQL statement joins tables of different services."
        )
    )
    q3 = (
        f"Containerise the monolith behind the facade and create the roles; then "
        f"{plural(len(view.waves), 'wave')}; each step moves one service with a rollout, "
        "go/no-go checks and a rollback (the waves above)."
    )
    severe = " ".join(f"{r.risk} → {r.mitigation}" for r in ws.top_risks[:2])
    counts4 = ", ".join(f"{n} {sev}" for sev, n in ws.risk_counts if n) or "none"
    q4 = f"Risk register: {counts4}. The most severe: {severe or 'none'}."
    return (
        ("1. How does the strangler fig apply here?", q1),
        ("2. How do services connect to the database?", q2),
        ("3. In which order, step by step?", q3),
        ("4. What are the risks, and the responses?", q4),
    )


def _prompts(view: ReportView, start: FirstScreen) -> tuple[str, ...]:
    out = [f"Do we agree {start.first} goes first? {start.closeness}"]
    if view.matrix.cross_joins:
        out.append(
            f"Which of the {plural(len(view.matrix.cross_joins), 'cross-service join')} can "
            "become a view, and which need an API call?"
        )
    if view.shared_kernel:
        out.append(
            f"Who releases the shared kernel ({plural(len(view.shared_kernel), 'module')}), "
            "and how often?"
        )
    out.append("Which go/no-go check would make us roll step 1 back, and who decides?")
    out.append("Where would a transaction span two services after a wave, and is a saga worth it?")
    return tuple(out)


def build_handout(
    view: ReportView, start: FirstScreen, plan: Plan, alternative: Plan | None
) -> HandoutView:
    """The handout's content; `alternative` is the plan with the runner-up first (or None)."""
    ws = view.workshop
    waves = tuple(
        HandoutWave(
            w.number,
            ", ".join(st.service for st in w.steps),
            w.endpoints_left,
        )
        for w in ws.plan_waves
    )
    counts = {g.pattern: len(g.tables) for g in ws.patterns}
    alternatives = tuple(
        Alternative(a, g, c, counts.get(p, 0) if p else 0) for a, g, c, p in ALTERNATIVES
    )
    whatif: tuple[str, ...] = ()
    first = ""
    if alternative is not None and alternative.steps:
        first = min(alternative.steps, key=lambda s: s.order).service
        whatif = tuple(render_diff(diff_plans(plan, alternative)).splitlines())
    return HandoutView(
        title=view.title,
        start=start,
        waves=waves,
        answers=_answers(view, start),
        whatif_first=first,
        whatif=whatif,
        alternatives=alternatives,
        prompts=_prompts(view, start),
        glossary=GLOSSARY,
    )
