"""Benchmark: render the report for a synthetic 3,000-module plan and time it in Chromium.

    .venv/bin/python benchmarks/bench_report.py [--modules 3000] [--services 40] [--out DIR]

Builds a deterministic Facts and Plan (services, waves, steps with reroutes and calls back,
tables with every database pattern, cross-service joins, evidence on every factor), renders
report.html, plan.md and the service map, and prints report.html's size, the render time, and
Chromium's DOMContentLoaded and load times for the page (headless, /usr/bin/chromium via
Playwright). Target (issue #6): under 5 MB and usable.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from analyzers.facts import Endpoint, Evidence, Facts, Table, Unit
from planner.plan import (
    CallBack,
    CrossJoin,
    EndpointRef,
    Factor,
    Plan,
    Score,
    Service,
    ServiceEdge,
    Step,
    StepRisk,
    TablePlan,
    TableUse,
    Wave,
)
from reports import render_reports

CHROMIUM = "/usr/bin/chromium"
PATTERNS = ("owned", "owned", "owned", "api_or_view", "api_or_view", "shared_ownership")
RISK_FACTORS = ("calls_back", "inbound_calls", "shared_tables", "foreign_keys", "size", "churn")


def _score(rng: random.Random, names: tuple[str, ...], paths: list[str]) -> Score:
    factors = []
    for name in names:
        points = round(rng.uniform(0, 15), 2)
        evidence = tuple(
            Evidence(rng.choice(paths), rng.randint(1, 400), f"call_{rng.randint(0, 999)}(x)")
            for _ in range(rng.randint(0, 30))
        )
        factors.append(Factor(name, points, 1.0, points, f"{name} explained", evidence))
    return Score(round(sum(f.points for f in factors), 2), tuple(factors))


def synthetic(modules: int, services: int, seed: int = 7) -> tuple[Facts, Plan]:
    """A deterministic plan of `modules` units in `services` services (plus a kernel)."""
    rng = random.Random(seed)
    per = modules // (services + 1)
    names = [f"svc{i:02d}" for i in range(services)]
    units: list[Unit] = []
    members: dict[str, list[str]] = {n: [] for n in names}
    kernel: list[str] = []
    for i in range(modules):
        owner = names[i // per] if i // per < services else None
        area = owner or "common"
        uid = f"app.{area}.mod{i:04d}"
        units.append(Unit(uid, f"app/{area}/mod{i:04d}.py", "python", rng.randint(20, 900), area))
        (members[owner] if owner else kernel).append(uid)
    paths = [u.path for u in units]
    tables = [f"t{i:03d}" for i in range(services * 15)]
    table_owner = {t: names[i % services] for i, t in enumerate(tables)}
    endpoints: list[Endpoint] = []
    svc_endpoints: dict[str, list[EndpointRef]] = {n: [] for n in names}
    for n in names:
        for j in range(rng.randint(10, 60)):
            unit = rng.choice(members[n])
            method = rng.choice(("GET", "POST", "PUT", "DELETE"))
            path = f"/{n}/res{j}/<int:id>"
            ev = Evidence(unit.replace(".", "/") + ".py", j + 1, f'@app.route("{path}")')
            endpoints.append(Endpoint(unit, method, path, "flask", f"h{j}", ev))
            svc_endpoints[n].append(EndpointRef(method, path, unit))
    facts = Facts(
        root="synthetic",
        units=tuple(units),
        tables=tuple(Table(t, "database") for t in tables),
        endpoints=tuple(endpoints),
    ).sorted()

    plans, access = [], []
    for t in tables:
        owner = table_owner[t]
        pattern = rng.choice(PATTERNS)
        readers = tuple(sorted(rng.sample(names, 3))) if pattern != "owned" else ()
        writers = (owner, readers[0]) if pattern == "shared_ownership" else (owner,)
        plans.append(TablePlan(t, owner, readers, tuple(sorted(set(writers))), pattern, "why"))
        access.append(TableUse(owner, t, True, True))
        access += [TableUse(r, t, True, r in writers) for r in readers if r != owner]
    waves = [Wave(w + 1, tuple(names[w * 5 : w * 5 + 5])) for w in range(services // 5)]
    wave_of = {n: w.number for w in waves for n in w.services}
    service_objs, steps = [], []
    for order, n in enumerate(names, 1):
        mine = tuple(t for t in tables if table_owner[t] == n)
        service_objs.append(
            Service(
                n,
                tuple(members[n]),
                mine,
                tuple(svc_endpoints[n]),
                sum(u.lines for u in units if u.id in set(members[n])),
                _score(rng, RISK_FACTORS, paths),
                _score(rng, ("endpoints", "autonomy", "data_ownership"), paths),
            )
        )
        calls = tuple(
            CallBack(
                rng.choice(members[n]),
                rng.choice(kernel),
                "call",
                tuple(Evidence(rng.choice(paths), k + 1, "kernel.helper()") for k in range(5)),
            )
            for _ in range(rng.randint(3, 20))
        )
        steps.append(
            Step(
                order,
                wave_of.get(n, 0),
                n,
                f"reason for {n}",
                tuple(svc_endpoints[n]),
                calls,
                tuple(p for p in plans if p.owner == n),
                (
                    StepRisk(
                        "calls_back", float(rng.randint(1, 9)), "uses of code that stays", 2, 2
                    ),
                ),
                f"blue-green: deploy {n} beside the monolith",
                (f"health: GET /health on {n} answers 200", "error rate within baseline"),
                f"point the facade's routes for {n} back at the monolith",
            )
        )
    edges = [
        ServiceEdge(a, b, round(rng.uniform(1, 10), 2), ("call", "import"))
        for a in names
        for b in rng.sample(names, 4)
        if a != b
    ]
    edges += [
        ServiceEdge(n, "shared-kernel", round(rng.uniform(10, 50), 2), ("import",)) for n in names
    ]
    joins = tuple(
        CrossJoin(
            rng.choice(members[a]),
            tuple(sorted({rng.choice(tables), rng.choice(tables)})),
            tuple(sorted({a, b})),
            Evidence(rng.choice(paths), rng.randint(1, 300), "SELECT * FROM a JOIN b"),
        )
        for a, b in (rng.sample(names, 2) for _ in range(200))
    )
    plan = Plan(
        root="synthetic",
        services=tuple(service_objs),
        shared_kernel=tuple(kernel),
        excluded=(),
        tables=tuple(plans),
        access=tuple(access),
        edges=tuple(edges),
        waves=tuple(waves),
        steps=tuple(steps),
        metrics={"overall_risk": 42.0, "modularity": 0.5, "services": float(services)},
        warnings=(),
        cross_joins=joins,
        unknown_tables=("ghost_table",),
    )
    return facts, plan


def chromium_times(report: Path) -> tuple[float, float]:
    """(DOMContentLoaded, load) in milliseconds for the report in headless Chromium."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(report.resolve().as_uri(), wait_until="load")
        timing = page.evaluate(
            "() => { const n = performance.getEntriesByType('navigation')[0];"
            " return [n.domContentLoadedEventEnd, n.loadEventEnd]; }"
        )
        browser.close()
    return float(timing[0]), float(timing[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modules", type=int, default=3000)
    parser.add_argument("--services", type=int, default=40)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="bench-report-"))
    facts, plan = synthetic(args.modules, args.services)
    start = time.perf_counter()
    render_reports(facts, plan, out, warn=print, scaffold_dir="scaffold")
    render_s = time.perf_counter() - start
    report = out / "report.html"
    size = report.stat().st_size
    dcl, load = chromium_times(report)
    print(f"modules={args.modules} services={args.services} out={out}")
    print(f"report.html: {size / 1e6:.2f} MB (target < 5 MB)")
    print(f"plan.md: {(out / 'plan.md').stat().st_size / 1e6:.2f} MB")
    print(f"render (html, md, dot, svg): {render_s:.2f} s")
    print(f"chromium: DOMContentLoaded {dcl:.0f} ms, load {load:.0f} ms")


if __name__ == "__main__":
    main()
