"""Writes a plan's reports: report.html, handout.html, plan.md (+ plan-details.md), the service
map (services.dot, services.svg) and the grant scripts."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from markupsafe import Markup

from analyzers.facts import Facts
from planner.plan import Plan
from planner.timings import Clock
from reports.diagrams import (
    WAVE_COLOURS,
    draw,
    find_dot,
    label_svg,
    services_dot,
)
from reports.diagrams import svg_document as _svg_document
from reports.firstscreen import first_screen
from reports.handout import build_handout
from reports.html import MapView, environment, render_html
from reports.markdown import DETAILS, render_details, render_markdown
from reports.scaffold.delivery import DeliverySummary
from reports.view import ReportView, build_view

__all__ = ["render_reports"]

NO_DOT = (
    "Graphviz's dot is not on PATH, so the service map is shown as DOT text; "
    "install graphviz (apt-get install graphviz) to draw it"
)


def _write(path: Path, content: str) -> Path:
    """Write text atomically (a reader never sees half a file), UTF-8 with Unix newlines."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(content, encoding="utf-8", newline="\n")
    tmp.replace(path)
    return path


def render_reports(
    facts: Facts,
    plan: Plan,
    out: Path,
    *,
    warn: Callable[[str], None] = print,
    scaffold_dir: str | None = None,
    delivery: DeliverySummary | None = None,
    alternative: Plan | None = None,
    scaffold_note: str = "",
    clock: Clock | None = None,
) -> list[Path]:
    """Write report.html, plan.md, services.dot, (with graphviz) services.svg and each service's
    role scripts (grants/) into `out`.

    Returns the paths written, sorted. Without graphviz's `dot` the HTML shows the DOT text with
    a note and `warn` is called once. `scaffold_dir` is where the container scaffold lies,
    relative to `out` (e.g. "scaffold"): when given, each wave links to `scaffold_dir/wave-<n>/`
    and each extracted service to `scaffold_dir/<service>/Dockerfile` (relative links only).
    `delivery` (the scaffold's delivery.json) adds the chosen delivery path and its checks.
    `alternative` (the plan with the runner-up first, `pipeline.alternative_plan`) feeds the
    handout's "what if" section. `scaffold_note` (one line) says why OUT's scaffold is not linked.
    handout.html (two printed pages) and plan-details.md (the long lists
    plan.md links to) are written too. `clock` times the parts: report, diagram, handout.
    """
    clock = clock or Clock()
    with clock.stage("report"):
        view = build_view(
            facts,
            plan,
            palette=len(WAVE_COLOURS),
            scaffold_dir=scaffold_dir,
            delivery=delivery,
            scaffold_note=scaffold_note,
        )
    out.mkdir(parents=True, exist_ok=True)
    with clock.stage("diagram"):
        diagram, written = _service_map(plan, out, warn)
    with clock.stage("handout"):
        start = first_screen(plan, view)
        if start is not None:
            handout = build_handout(view, start, plan, alternative)
            page = environment().get_template("handout.html.j2").render(h=handout)
            written.append(_write(out / "handout.html", page))
        else:
            (out / "handout.html").unlink(missing_ok=True)
    with clock.stage("report"):
        html = render_html(view, diagram, start, handout=start is not None)
        written.append(_write(out / "report.html", html))
        markdown = render_markdown(view, svg=diagram.svg is not None)
        written.append(_write(out / "plan.md", markdown))
        written.append(_write(out / DETAILS, render_details(view)))
        written += _write_grants(view, out)
    return sorted(written)


def _service_map(plan: Plan, out: Path, warn: Callable[[str], None]) -> tuple[MapView, list[Path]]:
    """The service map for the report, and the files written: services.dot, and services.svg
    when graphviz draws it (else `warn` says why and the report shows the DOT text)."""
    service_map = services_dot(plan)
    written = [_write(out / "services.dot", service_map.dot)]
    svg: str | None = None
    note = ""
    executable = find_dot()
    if executable is None:
        note = NO_DOT
    else:
        try:
            svg = draw(service_map.dot, executable, service_map.names)
        except (RuntimeError, ValueError) as exc:
            note = f"The service map could not be drawn ({exc}); it is shown as DOT text"
    if svg is None:
        warn(f"warning: {note}")
        (out / "services.svg").unlink(missing_ok=True)
    else:
        written.append(_write(out / "services.svg", _svg_document(svg)))
    diagram = MapView(
        svg=Markup(label_svg(svg, "map-caption")) if svg else None,
        dot=service_map.dot,
        note=note,
        monolith_edges=service_map.monolith_edges,
    )
    return diagram, written


def _write_grants(view: ReportView, out: Path) -> list[Path]:
    """Each service's role scripts, exactly as the report shows them, under `grants/`."""
    written = []
    for grant in view.workshop.grants:
        for relative, text in (
            (grant.postgresql_file, grant.postgresql),
            (grant.mysql_file, grant.mysql),
        ):
            path = out / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            written.append(_write(path, text))
    return written
