"""Renders the plan as GitHub-flavoured Markdown for pull requests and wikis."""

from __future__ import annotations

import re

from reports.view import ReportView, ScoreView, ServiceView, StepView

_SPECIAL = re.compile(r"([\\`*_\[\]|#~])")


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
    if s.first_service:
        out.append(
            f"**Extract first: {code(s.first_service)}** (risk {s.first_risk}, "
            f"benefit {s.first_benefit}). {text(s.first_reason)}".rstrip()
        )
        out.append("")
    out.append(table([text(x.label) for x in s.stats], [[text(x.value) for x in s.stats]]))
    out.append("")
    out.append(" · ".join(f"{text(x.label)}: {text(x.hint)}" for x in s.stats))
    out.append("")
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


def _waves(view: ReportView) -> list[str]:
    out = ["## Waves", ""]
    for w in view.waves:
        chips = ", ".join(f"{code(s.name)} (risk {s.risk}, {s.level})" for s in w.services)
        out.append(f"- **{text(w.label)}**: {chips}")
    out.append("")
    return out


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
        f"{text(s.wave_label)}{f', step {s.order}' if s.order else ''} · {s.member_count} "
        f"modules · {s.lines} lines · risk **{s.risk.score}** ({s.risk.level}) · "
        f"benefit **{s.benefit.score}**"
    )
    out.append("")
    out += _score("Risk factor", s.risk)
    out += _score("Benefit factor", s.benefit)
    out.append(f"Tables owned: {_codes(s.tables_owned)}. Also uses: {_codes(s.tables_used)}.")
    out.append("")
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
    return out


def _step(st: StepView) -> list[str]:
    out = [f"### Step {st.order}: extract {code(st.service)} (wave {st.wave})", ""]
    if st.reason:
        out += [text(st.reason), ""]
    if st.reroute:
        rows = [
            [code(e.method, cell=True), code(e.path, cell=True), code(e.unit, cell=True)]
            for e in st.reroute
        ]
        out += ["**Facade reroutes**", "", table(["Method", "Path", "Unit"], rows), ""]
    if st.calls_back:
        out += ["**Calls back into the monolith (anti-corruption layer)**", ""]
        out += [f"- {code(c.source)} → {code(c.target)} ({text(c.kind)})" for c in st.calls_back]
        out.append("")
    if st.tables:
        rows = [
            [code(t.table, cell=True), text(t.owner), code(t.pattern, cell=True), text(t.reason)]
            for t in st.tables
        ]
        out += ["**Data**", "", table(["Table", "Owner", "Pattern", "Reason"], rows), ""]
    if st.risks:
        out += ["**Risks**", ""] + [f"- {text(r)}" for r in st.risks] + [""]
    out += [f"**Rollout:** {text(st.rollout)}", ""]
    if st.checks:
        out += ["**Go/no-go checks**", ""] + [f"- [ ] {text(c)}" for c in st.checks] + [""]
    out += [f"**Rollback:** {text(st.rollback)}", ""]
    return out


def _risks(view: ReportView) -> list[str]:
    out = ["## Risk register", ""]
    if not view.risks:
        return [*out, "No risks recorded.", ""]
    rows = [
        [r.id, r.severity, text(r.service), r.step, text(r.risk), text(r.mitigation)]
        for r in view.risks
    ]
    out += [table(["ID", "Severity", "Service", "Step", "Risk", "Mitigation"], rows), ""]
    return out


def _warnings(view: ReportView) -> list[str]:
    out = [f"## Warnings ({len(view.warnings)})", ""]
    if not view.warnings:
        return [*out, "None.", ""]
    rows = [[text(w.source), code(w.where, cell=True), text(w.message)] for w in view.warnings]
    return [*out, table(["Source", "Where", "Message"], rows), ""]


def render_markdown(view: ReportView, *, svg: bool) -> str:
    """plan.md: summary, waves, a section per service, table ownership, steps, risks, warnings."""
    out = _summary(view, svg) + _waves(view) + ["## Services", ""]
    for s in view.services:
        out += _service(s)
    out += [*_tables(view), "## Steps", ""]
    for st in view.steps:
        out += _step(st)
    out += _risks(view) + _warnings(view)
    return "\n".join(out).rstrip("\n") + "\n"
