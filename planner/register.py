"""The risk register and the work due before wave 1, derived from the plan and its facts."""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict

from analyzers.facts import Evidence, Facts, TableAccess, TableName, UnitId
from planner.access import role_name
from planner.decompose import possessive
from planner.plan import (
    KERNEL,
    LATER_WAVE,
    MONOLITH,
    PLACES,
    PLATFORM,
    READS,
    UPKEEP,
    WRITES,
    CrossJoin,
    Plan,
    PrepItem,
    RiskEntry,
    RiskFactor,
    RiskKind,
    Score,
    ServiceName,
    Step,
    StepRisk,
    TablePlan,
    agree,
    endpoint_keys,
    plural,
)

STEP_RISKS = 3
"""Factors named per step: the largest ones with points."""
NOT_IN_REGISTER: frozenset[RiskFactor] = frozenset({"shared_tables", "foreign_keys", "size"})
"""Factors the register does not repeat per service: shared tables get one row per table, the
foreign keys crossing services one row for the plan (each key counts for both its services),
and size is the work's amount (the effort estimate), not a risk of its own."""
MAX_EVIDENCE = 3
"""Evidence items kept per register entry."""

FACTOR_IMPACT: dict[RiskFactor, int] = {
    "inbound_calls": READS,  # callers left in the monolith fail with the remote call (WRITES
    # in the register when the service writes tables: a failed call can lose an update)
    "calls_back": READS,  # the service depends on the monolith staying up and unchanged
    "shared_tables": WRITES,  # data written by several services: corruption or lost updates
    "foreign_keys": UPKEEP,  # checked while the database is shared; only a later split loses them
    "cycles": READS,  # the services cannot be released or rolled back independently
    "shared_kernel": UPKEEP,  # a library to version, not a runtime failure
    "size": UPKEEP,  # more to move, more to test: the effort estimate
    "churn": READS,  # two copies drift while both are maintained
    "people": UPKEEP,  # coordination cost, not an outage
    "missing_tests": READS,  # regressions found in production
}
"""How much each factor hurts when it bites (step risks; the register takes `LATER_WAVE` off
after wave 1); a step's likelihood comes from the factor's value, the register's from places."""

RESPONSES: dict[RiskKind, str] = {
    "calls_back": "Wrap each call into the monolith in an anti-corruption layer with timeouts and "
    "a circuit breaker; remove it as the targets are extracted.",
    "inbound_calls": "Monolith callers switch to the service's API through a client with timeouts "
    "and retries; keep the in-process path behind a flag until the cut-over is verified.",
    "shared_kernel": "Consume the shared kernel as a pinned, versioned library; change it only "
    "through reviewed releases.",
    "shared_tables": "Apply each table's database pattern (readers through the owner's API or a "
    "view, one owner for writes) and connect through the least-privilege role.",
    "foreign_keys": "Keep the foreign keys while the database is shared; validate references "
    "through the owner's API before they are dropped when the data splits.",
    "cycles": "Break the cycle before the move (an interface or an event so dependencies point one "
    "way); until then release the services of the cycle together.",
    "size": "Move it in slices behind the facade, endpoint by endpoint, with a canary.",
    "missing_tests": "Write characterisation tests around the rerouted endpoints before the "
    "cut-over and run them against both monolith and service.",
    "churn": "Coordinate or freeze changes to this code during the move so the copies do not "
    "drift; keep the dual-maintenance window short.",
    "people": "Name one owning team before the move; the other contributors review its API.",
    "shared_table": "Reconcile it nightly until it is split; revoke direct grants once readers "
    "use the owner.",
    "cross_join": "Join in code; compare with the old statement's results before the cut-over.",
    "cross_service_write": "Keep these writes in one service until they can be split; then make "
    "the unit of work a saga: a local transaction per owner, a compensating action for each, "
    "idempotent handlers and an outbox so no step is lost.",
    "cdc_lag": "Start CDC (e.g. Debezium) before the consumers move; alert on replication lag; "
    "consumers read the copy only where seconds of staleness are acceptable.",
    "facade": "Run at least two facade replicas behind health checks, reload routes without "
    "restart, set timeouts per route, and keep a runbook to route around the facade.",
    "observability": "Before wave 1: a request id passed on by the facade, traces "
    "(OpenTelemetry) and per-route rate, error and duration metrics in the monolith and every "
    "service, to compare each cut-over with the monolith's baseline.",
}
"""One concrete response per kind of risk; a test checks every kind has one."""

_OBSERVABILITY = re.compile(
    r"(trac(e|ing)|telemetry|opentelemetry|metrics?|monitor(ing)?|prometheus|micrometer|"
    r"statsd|sentry|instrument(ation)?)",
    re.IGNORECASE,
)


def likelihood(value: float) -> int:
    """1 to 3 from a factor's normalised value (0 to 1): thirds."""
    return 3 if value >= 2 / 3 else 2 if value >= 1 / 3 else 1


def breadth(places: int) -> int:
    """Likelihood 1 to 3 from a count of places, by `PLACES`."""
    few, many = PLACES
    return 3 if places >= many else 2 if places >= few else 1


def _impact(base: int, wave: int) -> int:
    """`base` (`WRITES`, `READS` or `UPKEEP`), one lower after wave 1 (never below 1)."""
    return max(1, base - LATER_WAVE) if wave > 1 else base


def step_risks(score: Score) -> tuple[StepRisk, ...]:
    """The largest factors with points of a service's risk, as structured step risks."""
    factors = sorted((f for f in score.factors if f.points > 0), key=lambda f: (-f.points, f.name))
    return tuple(
        StepRisk(
            factor=f.name,  # type: ignore[arg-type]  # risk scores are made of RiskFactor names
            points=f.points,
            detail=f.explanation,
            likelihood=likelihood(f.value),
            impact=FACTOR_IMPACT[f.name],  # type: ignore[index]
            evidence=f.evidence[:MAX_EVIDENCE],
        )
        for f in factors[:STEP_RISKS]
    )


class _Where:
    """Which service each unit belongs to and when each service leaves."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.service_of = {m: s.name for s in plan.services for m in s.members}
        self.kernel = set(plan.shared_kernel)

    def unit_service(self, unit: UnitId) -> ServiceName:
        if unit in self.service_of:
            return self.service_of[unit]
        return KERNEL if unit in self.kernel else MONOLITH

    def first(self, services: set[ServiceName]) -> tuple[int, int]:
        """(wave, step) of the first of `services` to leave; (0, 0) when none leaves."""
        step = self.plan.first_step(services)
        return (step.wave, step.order) if step else (0, 0)


def _table_wave(where: _Where, table: TablePlan) -> tuple[int, int]:
    return where.first({table.owner or "", *table.readers, *table.writers} - {""})


def with_register(plan: Plan, facts: Facts) -> Plan:
    """`plan` with its risk register and its before-wave-1 work filled in."""
    where = _Where(plan)
    risks = _register(plan, facts, where)
    ranked = sorted(
        set(risks),
        key=lambda r: (-r.likelihood * r.impact, r.wave or 10**6, r.step, r.service, r.kind, r),
    )
    return dataclasses.replace(plan, risks=tuple(ranked), preparation=_preparation(plan, where))


class _Places:
    """The places each step's factor rows involve, counted from the facts."""

    def __init__(self, plan: Plan, facts: Facts, where: _Where) -> None:
        tests = {u.id for u in facts.units if u.role == "test"}
        self.where = where
        self.tests = tests
        deps = {(d.source, d.target) for d in facts.dependencies if d.source != d.target}
        self.uses: dict[UnitId, set[UnitId]] = defaultdict(set)  # unit -> the units it uses
        self.used_by: dict[UnitId, set[UnitId]] = defaultdict(set)
        for a, b in deps:
            self.uses[a].add(b)
            self.used_by[b].add(a)
        self.tested = {b for a, b in deps if a in tests}
        self.writers = {a.unit for a in facts.table_access if a.mode == "write"} - tests
        self.order = {s.service: s.order for s in plan.steps}
        self.members: dict[ServiceName, set[UnitId]] = defaultdict(set)
        for unit, service in where.service_of.items():
            self.members[service].add(unit)

    def count(self, step: Step, factor: RiskFactor, fallback: int) -> int:
        """How many places `factor` of `step` involves; `fallback` for history factors."""
        mine = self.members[step.service]
        gone = {s for s, order in self.order.items() if order < step.order}
        other = self.where.unit_service
        if factor == "inbound_calls":  # modules that stay and call the service
            return len(
                {
                    a
                    for b in mine
                    for a in self.used_by.get(b, ())
                    if a not in mine and a not in self.tests and other(a) not in gone
                }
            )
        if factor == "shared_kernel":
            return len({b for a in mine for b in self.uses.get(a, ()) if other(b) == KERNEL})
        if factor == "missing_tests":
            return len(mine - self.tested)
        if factor == "cycles":  # couplings, both ways, with services it forms a cycle with
            out = {(a, b) for a in mine for b in self.uses.get(a, ()) if b not in mine}
            into = {(a, b) for b in mine for a in self.used_by.get(b, ()) if a not in mine}
            partners = ({other(b) for _, b in out} & {other(a) for a, _ in into}) - gone
            partners -= {KERNEL, MONOLITH, step.service}
            return sum(1 for a, b in out | into if other(b) in partners or other(a) in partners)
        return fallback

    def writes(self, step: Step) -> bool:
        """Whether the service's code writes tables."""
        return any(self.where.service_of.get(u) == step.service for u in self.writers)


def _register(plan: Plan, facts: Facts, where: _Where) -> list[RiskEntry]:
    risks: list[RiskEntry] = []
    places = _Places(plan, facts, where)
    for step in plan.steps:
        for r in step.risks:
            if r.factor in NOT_IN_REGISTER or r.factor == "calls_back":
                continue  # calls back: one entry from the step's calls below
            base = FACTOR_IMPACT[r.factor]
            if r.factor == "inbound_calls" and places.writes(step):
                base = WRITES
            seen = places.count(step, r.factor, -1)
            risks.append(
                RiskEntry(
                    r.factor,
                    step.service,
                    step.service,
                    step.wave,
                    step.order,
                    r.likelihood if seen < 0 else breadth(seen),
                    _impact(base, step.wave),
                    r.detail,
                    RESPONSES[r.factor],
                    r.evidence,
                )
            )
        if step.calls_back:
            targets = sorted({c.target for c in step.calls_back})
            risks.append(
                RiskEntry(
                    "calls_back",
                    step.service,
                    step.service,
                    step.wave,
                    step.order,
                    breadth(len(set(step.calls_back))),
                    _impact(FACTOR_IMPACT["calls_back"], step.wave),
                    f"{plural(len(step.calls_back), 'call')} back into "
                    f"{plural(len(targets), 'module')} staying in the monolith "
                    f"({', '.join(targets[:3])}"
                    + (", ..." if len(targets) > 3 else "")
                    + "): each becomes a remote call that can fail or slow down",
                    RESPONSES["calls_back"],
                    tuple(sorted(e for c in step.calls_back for e in c.evidence))[:MAX_EVIDENCE],
                )
            )
    risks += _table_risks(plan, facts, where)
    risks += _join_risks(plan, where)
    risks += _write_risks(plan, facts, where)
    risks += _foreign_key_risks(plan, facts, where)
    risks += _platform_risks(plan, facts)
    return risks


def _foreign_key_risks(plan: Plan, facts: Facts, where: _Where) -> list[RiskEntry]:
    """The foreign keys between tables of different owners, once for the whole plan."""
    owner = {t.table: t.owner for t in plan.tables if t.owner}
    crossing = sorted(
        {
            (table.name, fk.referred_table)
            for table in facts.tables
            for fk in table.foreign_keys
            if table.name in owner
            and fk.referred_table in owner
            and owner[table.name] != owner[fk.referred_table]
        }
    )
    if not crossing:
        return []
    wave, step = where.first({owner[t] for pair in crossing for t in pair})
    examples = ", ".join(f"{a} to {b}" for a, b in crossing[:4])
    return [
        RiskEntry(
            "foreign_keys",
            "foreign keys",
            PLATFORM,
            wave,
            step,
            breadth(len(crossing)),
            UPKEEP,
            f"{plural(len(crossing), 'foreign key')} {agree(len(crossing), 'joins', 'join')} "
            "tables of different services "
            f"({examples}{', ...' if len(crossing) > 4 else ''}): the shared database still "
            "enforces them, a split one will not",
            RESPONSES["foreign_keys"],
        )
    ]


def _access_evidence(
    accesses: list[TableAccess], units: set[UnitId] | None = None
) -> tuple[Evidence, ...]:
    """The first evidence of `accesses` (of one table) by `units` (None: by any unit)."""
    found = sorted(e for a in accesses if units is None or a.unit in units for e in a.evidence)
    return tuple(dict.fromkeys(found))[:MAX_EVIDENCE]


def _table_risks(plan: Plan, facts: Facts, where: _Where) -> list[RiskEntry]:
    risks = []
    accesses: dict[TableName, list[TableAccess]] = defaultdict(list)
    for access in facts.table_access:
        accesses[access.table].append(access)
    for table in sorted(set(plan.tables)):
        if table.pattern in ("owned", "unused"):
            continue
        owner = table.owner or MONOLITH
        others = sorted((set(table.readers) | set(table.writers)) - {table.owner or ""})
        wave, step = _table_wave(where, table)
        foreign = {u for u, s in where.service_of.items() if s in others}
        used = accesses.get(table.table, [])
        evidence = _access_evidence(used, foreign or None)
        sites = len(
            {a.unit for a in used if a.unit in foreign}
        )  # modules of other services using it: the places that break
        users = ", ".join(others) or "other services"
        if table.pattern == "change_data_capture":
            risks.append(
                RiskEntry(
                    "cdc_lag",
                    table.table,
                    owner,
                    wave,
                    step,
                    breadth(sites),
                    _impact(READS, wave),
                    f"{users} {agree(len(others), 'reads', 'read')} a CDC copy of {table.table} "
                    f"(owner {owner}): reads lag its writes; a stalled pipeline serves stale data",
                    RESPONSES["cdc_lag"],
                    evidence,
                )
            )
            continue
        writers = sorted(set(table.writers) - {table.owner or ""})
        readers = sorted(set(others) - set(writers))
        users = "; ".join(
            part
            for part in (
                f"{', '.join(writers)} {agree(len(writers), 'writes', 'write')} it"
                if writers
                else "",
                f"{', '.join(readers)} {agree(len(readers), 'reads', 'read')} it"
                if readers
                else "",
            )
            if part
        )
        risks.append(
            RiskEntry(
                "shared_table",
                table.table,
                owner,
                wave,
                step,
                breadth(sites),
                _impact(WRITES if writers else READS, wave),
                f"{table.table} ({table.pattern.replace('_', ' ')}), owned by {owner}: {users}",
                f"{owner} alone changes the schema of {table.table}"
                + (f"; {', '.join(writers)} write through narrow roles" if writers else "")
                + (
                    f"; {', '.join(readers)} read through {possessive(owner)} API or a view"
                    if readers
                    else ""
                )
                + ". "
                + RESPONSES["shared_table"],
                evidence,
            )
        )
    return risks


def _join_risks(plan: Plan, where: _Where) -> list[RiskEntry]:
    """One row per module holding SQL over other services' tables, all its statements in it."""
    owner = {t.table: t.owner for t in plan.tables}
    grouped: dict[UnitId, list[CrossJoin]] = defaultdict(list)
    for join in sorted(set(plan.cross_joins)):
        grouped[join.unit].append(join)
    risks = []
    for unit, joins in sorted(grouped.items()):
        service = where.unit_service(unit)
        wave, step = where.first({s for j in joins for s in j.services} | {service})
        tables = sorted({t for j in joins for t in j.tables})
        foreign = [t for t in tables if owner.get(t) not in (None, service)]
        owners = sorted({owner[t] or "" for t in foreign} - {""})
        risks.append(
            RiskEntry(
                "cross_join",
                unit,
                service,
                wave,
                step,
                breadth(len(joins)),
                _impact(READS, wave),
                f"{plural(len(joins), 'SQL statement')} in {unit} ({service}) "
                f"{agree(len(joins), 'reads', 'read')} "
                f"{', '.join(foreign) or ', '.join(tables)} of "
                f"{', '.join(owners) or 'another service'}: they break when the data splits",
                f"Read {', '.join(foreign) or 'the other tables'} through the API of "
                f"{', '.join(owners) or 'its owner'} or a read-only view granted to "
                f"{role_name(service)}. " + RESPONSES["cross_join"],
                tuple(sorted({j.evidence for j in joins}))[:MAX_EVIDENCE],
            )
        )
    return risks


def _write_risks(plan: Plan, facts: Facts, where: _Where) -> list[RiskEntry]:
    """Units writing tables of different owners: a transaction there would span services."""
    owner = {t.table: t.owner for t in plan.tables if t.owner}
    tests = {u.id for u in facts.units if u.role == "test"}  # fixtures seed every table on purpose
    writes: dict[UnitId, dict[TableName, list[Evidence]]] = defaultdict(lambda: defaultdict(list))
    for access in facts.table_access:
        if access.mode == "write" and access.table in owner and access.unit not in tests:
            writes[access.unit][access.table] += access.evidence
    risks = []
    for unit, tables in sorted(writes.items()):
        owners = sorted({owner[t] for t in tables})
        if len(owners) < 2:
            continue
        service = where.unit_service(unit)
        wave, step = where.first(set(owners) | {service})
        listed = ", ".join(f"{t} ({owner[t]})" for t in sorted(tables))
        risks.append(
            RiskEntry(
                "cross_service_write",
                unit,
                service,
                wave,
                step,
                breadth(len({e for ev in tables.values() for e in ev})),  # write sites
                _impact(WRITES, wave),
                f"{unit} writes tables of {plural(len(owners), 'service')}: {listed}; a "
                "transaction over them becomes a distributed one when they split",
                RESPONSES["cross_service_write"],
                tuple(sorted({e for ev in tables.values() for e in ev}))[:MAX_EVIDENCE],
            )
        )
    return risks


def _platform_risks(plan: Plan, facts: Facts) -> list[RiskEntry]:
    if not plan.steps:
        return []
    endpoints = endpoint_keys(facts.endpoints) | {
        k for s in plan.services for k in endpoint_keys(s.endpoints)
    }
    risks = [
        RiskEntry(
            "facade",
            "facade",
            PLATFORM,
            1,
            0,
            breadth(len(endpoints)),
            3,  # every request: the largest impact there is
            f"From wave 1 {agree(len(endpoints), 'the', 'all')} "
            f"{plural(len(endpoints), 'endpoint')} "
            f"{agree(len(endpoints), 'passes', 'pass')} through the facade: if "
            "it fails or is misrouted, the monolith and every service are unreachable",
            RESPONSES["facade"],
        )
    ]
    found = sorted(u for u in facts.units if _OBSERVABILITY.search(u.id))
    crossing = sum(1 for e in plan.edges if e.source != e.target)
    detail = (
        f"{plural(crossing, 'coupling')} between services "
        f"{agree(crossing, 'becomes a remote call', 'become remote calls')}, and "
        + (
            f"the code has only {plural(len(found), 'module')} named for tracing or metrics "
            f"({', '.join(u.id for u in found[:3])})"
            if found
            else f"none of the {plural(len(facts.units), 'module')} analysed is about tracing "
            "or metrics (third-party libraries are not among the facts)"
        )
        + ": failures across services and CDC lag go unseen"
    )
    risks.append(
        RiskEntry(
            "observability",
            "tracing and metrics",
            PLATFORM,
            1,
            0,
            2 if found else 3,
            READS,
            detail,
            RESPONSES["observability"],
            tuple(dict.fromkeys(Evidence(u.path, 1) for u in found))[:MAX_EVIDENCE],
        )
    )
    return risks


def _preparation(plan: Plan, where: _Where) -> tuple[PrepItem, ...]:
    """Containerise the monolith, create the roles, rewrite the joins and start the CDC
    pipelines that wave 1 needs, each tied to its step and tables."""
    if not plan.steps:
        return ()
    items = [
        PrepItem(
            "container",
            "Run the monolith as a container from a pinned image behind the facade, every route "
            "still pointing at it; this ships alone and proves the facade.",
        ),
        PrepItem(
            "roles",
            f"Create the {plural(len(plan.services), 'service role')} "
            f"({', '.join(s.role for s in plan.services[:4])}"
            + (", ..." if len(plan.services) > 4 else "")
            + ") from the GRANT scripts in grants/.",
        ),
    ]
    if not any(_OBSERVABILITY.search(u) for s in plan.services for u in s.members):
        items.append(
            PrepItem(
                "observability",
                "Add a request id passed on by the facade, traces and per-route rate, error and "
                "duration metrics to the monolith, so wave 1 is compared against a baseline "
                "(no tracing or metrics module was found in the code).",
            )
        )
    owner = {t.table: t.owner for t in plan.tables}
    for join in sorted(set(plan.cross_joins)):
        service = where.unit_service(join.unit)
        wave, step = where.first({*join.services, service})
        if wave != 1:
            continue
        foreign = tuple(sorted(t for t in set(join.tables) if owner.get(t) not in (None, service)))
        owners = sorted({owner[t] or "" for t in foreign} - {""})
        items.append(
            PrepItem(
                "cross_join",
                f"Rewrite the SQL in {join.unit} ({join.evidence.path}:{join.evidence.line}) "
                f"to read {', '.join(foreign) or ', '.join(sorted(join.tables))} through the "
                f"API of {', '.join(owners) or 'its owner'} or a read-only view.",
                step,
                service,
                foreign or tuple(sorted(set(join.tables))),
                (join.evidence,),
            )
        )
    for table in sorted(set(plan.tables)):
        if table.pattern != "change_data_capture":
            continue
        wave, step = _table_wave(where, table)
        if wave != 1:
            continue
        readers = sorted(set(table.readers) - {table.owner or ""})
        items.append(
            PrepItem(
                "cdc",
                f"Start change data capture of {table.table} from "
                f"{table.owner or MONOLITH} to {', '.join(readers) or 'its readers'}, with its "
                "lag measured and alerted, before wave 1 relies on the copy.",
                step,
                table.owner or MONOLITH,
                (table.table,),
            )
        )
    return tuple(items)
