"""Renders the plan as GitHub-flavoured Markdown for pull requests and wikis."""

from __future__ import annotations

import re

from planner.plan import agree, plural
from reports.view import (
    DeliveryView,
    ReportView,
    ScoreView,
    ServiceView,
    StepView,
    WorkshopView,
)

_SPECIAL = re.compile(r"([\\`*_\[\]|#~])")
DETAILS = "plan-details.md"
"""The long lists plan.md links to (per-service scores and endpoints, table ownership, calls)."""


def text(value: str) -> str:
    """Plain text safe anywhere in Markdown: specials backslash-escaped, HTML neutralised."""
    flat = " ".join(value.split())
    flat = flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _SPECIAL.sub(r"\\\1", flat)


def code(value: str, *, cell: bool = False) -> str:
    """`value` as an inline code span (longer fence when it holds backticks); `cell` escapes `|`."""
    flat = " ".join(value.split())
    if not flat:
        return ""
    longest = max((len(run) for run in re.findall(r"`+", flat)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") or longest else ""
    body = flat.replace("|", "\\|") if cell else flat
    return f"{fence}{pad}{body}{pad}{fence}"


def table(headers: list[str], rows: list[list[str]], *, right: frozenset[int] = frozenset()) -> str:
    """A GFM table; cells must already be escaped with `text` or `code(cell=True)`."""
    align = ["---:" if i in right else "---" for i in range(len(headers))]
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _codes(values: tuple[str, ...] | list[str]) -> str:
    return ", ".join(code(v) for v in values) if values else "none"


def _summary(view: ReportView, svg: bool) -> list[str]:
    s = view.summary
    out = [f"# {text(view.title)}", ""]
    for m in view.unavailable:
        out += [f"**No {text(m.input)}**: unavailable: {text(m.scores)}. {text(m.note)}", ""]
    fc = view.first_choice
    if s.first_service and fc is not None:
        out.append(
            f"**Extract first: {code(s.first_service)}** (risk {s.first_risk}, "
            f"benefit {s.first_benefit}). " + text(" ".join(fc.sentences))
        )
        out.append("")
        if fc.effort:
            out += [f"Cost: {text(fc.effort)} (see Effort).", ""]
        near = "**Near-tie.** " if fc.close else ""
        out += [near + text(f"{fc.sensitivity} {fc.ranked_by}"), ""]
    elif s.first_service:
        out.append(
            f"**Extract first: {code(s.first_service)}** (risk {s.first_risk}, "
            f"benefit {s.first_benefit}). {text(s.first_reason)}".rstrip()
        )
        out.append("")
    if view.score_levels:
        out += [f"Score levels: {text(view.score_levels)}.", ""]
    out.append(table([text(x.label) for x in s.stats], [[text(x.value) for x in s.stats]]))
    out.append("")
    out.append(" · ".join(f"{text(x.label)}: {text(x.hint)}" for x in s.stats))
    out.append("")
    out += _granularity(view) + _kernel_reasons(view)
    if svg:
        out.append("![Service dependency map](services.svg)")
        out.append("")
        out.append("Source of the map: [services.dot](services.dot).")
    else:
        out.append(
            "Dependency map: [services.dot](services.dot) (render it with `dot -Tsvg`; "
            "graphviz was not installed when this file was written)."
        )
    out.append("")
    return out


def _granularity(view: ReportView) -> list[str]:
    g = view.granularity
    if g is None:
        return []
    line = f"**Granularity:** {g.chosen} chosen (modularity {g.chosen_score}; {g.tried})"
    if g.runner_up_k:
        line += f"; runner-up: {g.runner_up} at modularity {g.runner_up_score} ({text(g.gap)})"
    return [line + ".", ""]


def _kernel_reasons(view: ReportView) -> list[str]:
    if not view.kernel_reasons:
        return []
    out = ["**Platform code (shared kernel), by reason:**", ""]
    for r in view.kernel_reasons:
        more = f" and {r.more} more" if r.more else ""
        out.append(f"- {r.count} · {text(r.reason)}: {_codes(r.units)}{more}")
    return [*out, ""]


def _waves(view: ReportView) -> list[str]:
    out = ["## Waves", ""]
    for w in view.waves:
        chips = ", ".join(f"{code(s.name)} (risk {s.risk}, {s.level})" for s in w.services)
        out.append(f"- **{text(w.label)}**: {chips}")
    out.append("")
    if view.scaffold_note:
        out += [f"> {text(view.scaffold_note)}", ""]
    return out


def _link(label: str, href: str) -> str:
    """A relative Markdown link (hrefs come from `scaffold_base`: quoted, no spaces or parens)."""
    return f"[{text(label)}]({href})"


def _q_strangler(view: ReportView, ws: WorkshopView) -> list[str]:
    out = ["### 1. How does the strangler fig apply here?", ""]
    line = "A routing facade (nginx) goes in front of the monolith and first forwards everything."
    if ws.first_wave:
        names = ", ".join(code(s.name) for s in ws.first_services)
        line += (
            f" In wave {ws.first_wave} it reroutes **{len(ws.first_reroutes)} of "
            f"{plural(ws.endpoints_total, 'endpoint')}** to {names}; the other "
            f"{ws.endpoints_after_first} {agree(ws.endpoints_after_first, 'stays', 'stay')} on "
            f"the monolith until their wave, and {ws.endpoints_at_end} "
            f"{agree(ws.endpoints_at_end, 'stays', 'stay')} after the last wave "
            f"({ws.endpoint_rule})."
        )
    out += [line, ""]
    if ws.first_reroutes:
        out += [f"The endpoints of each service are listed in [{DETAILS}]({DETAILS}).", ""]
    if ws.first_calls_back:
        out += [
            f"Wave {ws.first_wave} keeps {plural(ws.first_calls_back, 'call')} back into the "
            "monolith, each behind an anti-corruption layer with a circuit breaker.",
            "",
        ]
    if ws.kernel:
        users = ", ".join(f"{text(k.service)} ({k.weight})" for k in ws.kernel_users[:5])
        out += [
            f"Shared kernel ({_codes(ws.kernel)}): not a service; publish it as a versioned "
            "library each service pins" + (f". Heaviest users: {users}." if users else "."),
            "",
        ]
    return out


def _q_database(view: ReportView, ws: WorkshopView) -> list[str]:
    out = ["### 2. Database connection strategy (keep the existing database)", ""]
    out += [
        "Each service connects to the legacy database through its own least-privilege role: "
        "SELECT where it reads, SELECT/INSERT/UPDATE/DELETE where it writes, nothing else.",
        "",
    ]
    rows = [
        [
            text(g.service),
            code(g.role, cell=True),
            str(len(g.reads)),
            str(len(g.writes)),
            f"{code(g.postgresql_file, cell=True)}, {code(g.mysql_file, cell=True)}",
        ]
        for g in ws.grants
    ]
    if rows:
        out += [table(["Service", "Role", "Reads", "Writes", "GRANT scripts"], rows), ""]
    for g in ws.patterns:
        out.append(f"- {code(g.pattern)} ({len(g.tables)}): {_codes(g.tables)}. {text(g.advice)}")
    m = view.matrix
    joins = len(m.cross_joins)
    out.append(
        f"- Cross-service joins ({joins}): "
        + (
            "each must become an API call or a view; see Cross-service joins below."
            if joins
            else "none."
        )
    )
    out.append(f"- Tables the schema lacks ({len(m.unknown)}): {_codes(m.unknown)}.")
    out.append(f"- Tables no code touches ({len(m.unused)}): {_codes(m.unused)}.")
    return [*out, ""]


def _q_plan(ws: WorkshopView) -> list[str]:
    out = ["### 3. Step-by-step migration plan", ""]
    if ws.preparation:
        out.append("0. Before wave 1:")
        out += [
            f"   - {text(p.text)}"
            + (f" Needed by step {p.step}." if p.step else "")
            + (f" Tables: {_codes(p.tables)}." if p.tables else "")
            for p in ws.preparation
        ]
    else:
        out.append(
            "0. Before wave 1: run the monolith as a pinned container behind the facade (all "
            f"routes to it) and create the {plural(len(ws.grants), 'service role')}."
        )
    for w in ws.plan_waves:
        steps = "; ".join(
            f"step {st.order} extracts {code(st.service)} ({text(st.moves)}, "
            f"{plural(st.reroutes, 'endpoint')} rerouted)"
            for st in w.steps
        )
        link = f" Scaffold: {_link(w.scaffold_href, w.scaffold_href)}." if w.scaffold_href else ""
        out.append(
            f"{w.number}. **{text(w.label)}**: {steps}. Afterwards "
            f"{plural(w.endpoints_left, 'endpoint')} {agree(w.endpoints_left, 'stays', 'stay')} "
            f"on the monolith.{link}"
        )
    out += ["", "Rollout, go/no-go checks and rollback of each step are under Steps below.", ""]
    return out


def _q_risks(view: ReportView, ws: WorkshopView) -> list[str]:
    counts = ", ".join(f"{n} {sev}" for sev, n in ws.risk_counts if n) or "none"
    out = ["### 4. Risks and responses", "", f"Risk register: {counts}. The most severe:", ""]
    out += [
        f"- **{r.id}** ({r.severity}, {text(r.service)}): **{text(r.kind)}**: {text(r.risk)} "
        f"→ {text(r.mitigation)}"
        for r in ws.top_risks
    ]
    out += ["", "**Container checklist** (the five common mistakes):", ""]
    out += [f"- [x] {text(c.mistake)}: {text(c.scaffold)}" for c in ws.checklist]
    return [*out, ""]


def _workshop(view: ReportView) -> list[str]:
    ws = view.workshop
    out = [
        "## Workshop: the four questions",
        "",
        "Legacy monolith modernisation; constraints: keep the existing database, migrate "
        "gradually; task: in which order to containerise? Answered from this plan:",
        "",
    ]
    return out + _q_strangler(view, ws) + _q_database(view, ws) + _q_plan(ws) + _q_risks(view, ws)


def _score(label: str, score: ScoreView) -> list[str]:
    rows = [
        [text(f.name), f.points, f"{f.value} × {f.weight}", text(f.explanation)]
        for f in score.factors
    ]
    if not rows:
        return [f"{label}: no factor contributed.", ""]
    return [table([label, "Points", "Value × weight", "Why"], rows, right=frozenset({1})), ""]


def _service(s: ServiceView) -> list[str]:
    title = f"### {text(s.name)}"
    out = [title, ""]
    out.append(
        f"{text(s.wave_label)}{f', step {s.order}' if s.order else ''} · "
        f"{plural(s.member_count, 'module')} · {plural(int(s.lines), 'line')} · "
        f"risk **{s.risk.score}** ({s.risk.level}) · "
        f"benefit **{s.benefit.score}**"
    )
    out.append("")
    out += _score("Risk factor", s.risk)
    out += _score("Benefit factor", s.benefit)
    out.append(f"Tables owned: {_codes(s.tables_owned)}. Also uses: {_codes(s.tables_used)}.")
    out.append("")
    role = f"Database role: {code(s.role)} (`grants/` scripts)."
    if s.dockerfile_href:
        role += f" Container: {_link(s.dockerfile_href, s.dockerfile_href)}."
    out += [role, ""]
    if s.endpoints:
        rows = [
            [code(e.method, cell=True), code(e.path, cell=True), code(e.unit, cell=True)]
            for e in s.endpoints
        ]
        out += [table(["Method", "Path", "Unit"], rows), ""]
    out.append(f"<details><summary>Members ({s.member_count})</summary>")
    out.append("")
    out += [f"- {code(m.unit)}" for m in s.members]
    out += ["", "</details>", ""]
    return out


def _services_brief(view: ReportView) -> list[str]:
    out = ["## Services", ""]
    rows = [
        [
            text(s.name),
            text(s.wave_label),
            s.order or "",
            f"{s.risk.score} ({s.risk.level})",
            s.benefit.score,
            str(s.member_count),
            str(len(s.endpoints)),
            str(len(s.tables_owned)),
        ]
        for s in view.services
    ]
    headers = ["Service", "Wave", "Step", "Risk", "Benefit", "Modules", "Endpoints", "Tables"]
    if rows:
        out += [table(headers, rows, right=frozenset({2, 4, 5, 6, 7})), ""]
    out += [
        f"Scores with their factors, endpoints, members and table ownership: [{DETAILS}]"
        f"({DETAILS}).",
        "",
    ]
    return out


def _tables(view: ReportView) -> list[str]:
    out = ["## Table ownership", ""]
    rows = []
    for r in view.matrix.rows:
        users = [
            f"{text(name)} {cell.text}"
            for name, cell in zip(view.matrix.services, r.cells, strict=True)
            if cell.text.strip("·")
        ]
        rows.append(
            [
                code(r.table, cell=True),
                text(r.owner) or "none",
                ", ".join(users),
                code(r.pattern, cell=True),
                text(r.reason),
            ]
        )
    if rows:
        out.append(table(["Table", "Owner", "Used by (R/W)", "Pattern", "Reason"], rows))
    else:
        out.append("No tables.")
    out.append("")
    m = view.matrix
    out += [
        f"Not in the schema ({len(m.unknown)}): {_codes(m.unknown)}. "
        f"No code touches ({len(m.unused)}): {_codes(m.unused)}.",
        "",
    ]
    if m.cross_joins:
        out += [f"### Cross-service joins ({len(m.cross_joins)})", ""]
        join_rows = [
            [
                code(j.unit, cell=True),
                ", ".join(code(t, cell=True) for t in j.tables),
                text(", ".join(j.services)),
                code(j.location, cell=True),
                text(j.advice),
            ]
            for j in m.cross_joins
        ]
        out += [table(["Statement in", "Tables", "Services", "Evidence", "Must become"], join_rows)]
        out.append("")
    return out


def _delivery(d: DeliveryView) -> list[str]:
    out = [f"## Delivery path: {text(d.profile)} profile", "", f"{text(d.profile_reason)}.", ""]
    out += [
        f"- CI: **{text(d.ci)}** ({text(d.ci_reason)})",
        f"- Registry: **{text(d.registry)}** ({text(d.registry_reason)})",
        f"- Target: **{text(d.target)}**",
        "",
        "**Governance of every wave**",
        "",
    ]
    out += [f"{n}. {text(g)}" for n, g in enumerate(d.governance, start=1)]
    out += ["", "**Artifacts per wave**", ""]
    for w in d.waves:
        out.append(
            f"- {text(w.label)}: " + ", ".join(_link(label, href) for label, href in w.links)
        )
    return [*out, ""]


def _step(st: StepView, delivery: DeliveryView | None = None) -> list[str]:
    out = [f"### Step {st.order}: extract {code(st.service)} (wave {st.wave})", ""]
    if st.scaffold_href:
        links = [_link(st.scaffold_href, st.scaffold_href)]
        if st.dockerfile_href:
            links.append(_link(st.dockerfile_href, st.dockerfile_href))
        out += [f"Scaffold: {', '.join(links)}", ""]
    if st.reason:
        out += [text(st.reason), ""]
    out += [
        f"The facade reroutes {plural(len(st.reroute), 'endpoint')}; "
        f"{plural(len(st.calls_back), 'call')} back into the monolith go through an "
        f"anti-corruption layer; {plural(len(st.tables), 'table')} change hands "
        f"(lists in [{DETAILS}]({DETAILS})).",
        "",
    ]
    if st.risks:
        out += ["**Risks**", ""] + [f"- {text(r)}" for r in st.risks] + [""]
    out += [f"**Rollout:** {text(st.rollout)}", ""]
    if st.checks:
        out += ["**Go/no-go checks**", ""] + [f"- [ ] {text(c)}" for c in st.checks] + [""]
    if delivery is not None:
        out += ["**Monitoring of the checks**", ""]
        out += [f"- {text(m.check)}: {text(m.measured)}" for m in delivery.monitors[st.order]]
        out.append("")
    out += [f"**Rollback:** {text(st.rollback)}", ""]
    return out


def _risks(view: ReportView) -> list[str]:
    out = ["## Risk register", ""]
    if not view.risks:
        return [*out, "No risks recorded.", ""]
    out += [f"One row per risk, most severe first. {text(view.risk_levels)}", ""]
    rows = [
        [
            r.id,
            f"{r.severity} ({r.score})",
            text(r.service) + (f", wave {r.wave}" if r.wave else ""),
            r.step,
            f"**{text(r.kind)}**: {text(r.risk)}",
            text(r.mitigation),
        ]
        for r in view.risks
    ]
    out += [table(["ID", "Severity", "Owner, wave", "Step", "Risk", "Response"], rows), ""]
    return out


def _effort_and_dead(view: ReportView) -> list[str]:
    out: list[str] = []
    if view.efforts:
        out += ["## Effort", "", text(view.effort_formula) + ".", ""]
        rows = [
            [str(e.order), code(e.service, cell=True), text(e.weeks), text(e.basis)]
            for e in view.efforts
        ]
        out += [table(["Step", "Service", "Person-weeks", "How"], rows), ""]
    if view.dead:
        out += [
            f"## Dead code ({len(view.dead)})",
            "",
            "Kept out of the services, the table ownership and the scores (deprecated "
            "functions are listed for clean-up; their modules still move).",
            "",
        ]
        rows = [
            [
                text(d.kind),
                code(d.name, cell=True),
                text(d.detail),
                code(d.where, cell=True),
            ]
            for d in view.dead
        ]
        out += [table(["Kind", "Name", "Why", "Where"], rows), ""]
    return out


def _warnings(view: ReportView) -> list[str]:
    out = [f"## Warnings ({len(view.warnings)})", ""]
    if not view.warnings:
        return [*out, "None.", ""]
    rows = [[text(w.source), code(w.where, cell=True), text(w.message)] for w in view.warnings]
    return [*out, table(["Source", "Where", "Message"], rows), ""]


def _calls_back(view: ReportView) -> list[str]:
    out = ["## Calls back into the monolith, per step", ""]
    for st in view.steps:
        if st.calls_back:
            out += [f"### Step {st.order}: {text(st.service)}", ""]
            out += [
                f"- {code(c.source)} → {code(c.target)} ({text(c.kind)})" for c in st.calls_back
            ]
            out.append("")
    return out if len(out) > 2 else []


def render_details(view: ReportView) -> str:
    """plan-details.md: per service its scores, endpoints and members; table ownership; calls."""
    out = [f"# {text(view.title)}: details", "", "The long lists behind [plan.md](plan.md).", ""]
    out += ["## Services", ""]
    for s in view.services:
        out += _service(s)
    out += _tables(view) + _calls_back(view)
    return _visible("\n".join(out).rstrip("\n")) + "\n"


def render_markdown(view: ReportView, *, svg: bool) -> str:
    """plan.md: summary, waves, the workshop, services in brief, steps, risks, warnings; the long
    lists go to plan-details.md (`render_details`)."""
    out = _summary(view, svg) + _waves(view) + _workshop(view) + _services_brief(view)
    if view.delivery is not None:
        out += _delivery(view.delivery)
    out += ["## Steps", ""]
    for st in view.steps:
        out += _step(st, view.delivery)
    out += _risks(view) + _effort_and_dead(view) + _warnings(view)
    return _visible("\n".join(out).rstrip("\n")) + "\n"


def _visible(document: str) -> str:
    """The document with control characters (ANSI escapes from file names...) shown escaped."""
    if all(line.isprintable() for line in document.split("\n")):  # at C speed: the usual case
        return document
    return "".join(c if c.isprintable() or c == "\n" else repr(c)[1:-1] for c in document)
