"""Draws the service dependency map as graphviz DOT and renders it to a sanitised SVG."""

from __future__ import annotations

import itertools
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from planner.plan import Plan, ServiceName

MONOLITH = "monolith"
"""The edge target naming what remains of the monolith."""
KERNEL = "shared-kernel"
"""The edge target the planner uses for the shared kernel (planner.decompose.KERNEL)."""
KERNEL_NAMES = frozenset({"shared_kernel", "shared-kernel", "kernel", "shared"})
"""Edge targets that mean the shared kernel."""

WAVE_COLOURS = (
    ("#dbeafe", "#1d4ed8"),
    ("#dcfce7", "#15803d"),
    ("#fef3c7", "#b45309"),
    ("#fce7f3", "#be185d"),
    ("#e0e7ff", "#4338ca"),
    ("#ccfbf1", "#0f766e"),
    ("#ffedd5", "#c2410c"),
    ("#f3e8ff", "#7e22ce"),
)
"""(fill, stroke) per wave, cycling; the HTML legend uses the same table."""

DOT_TIMEOUT_S = 60.0
_FONT = "Helvetica"


def wave_colour(wave: int) -> tuple[str, str]:
    """The (fill, stroke) colours of a wave number (1-based)."""
    return WAVE_COLOURS[(max(wave, 1) - 1) % len(WAVE_COLOURS)]


def dot_string(text: str) -> str:
    """`text` as a quoted DOT string for a plain (never HTML-like) label."""
    escaped = (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("&", "&amp;")
        .replace("\r\n", "\n")
        .replace("\r", "\n")
        .replace("\n", "\\n")
    )
    return f'"{escaped}"'


@dataclass(frozen=True, order=True)
class _Node:
    id: str
    label: str
    attrs: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ServiceMap:
    """The DOT text of the service map and the display name behind each synthetic node id."""

    dot: str
    names: dict[str, str]


def _fmt(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _wave_of(plan: Plan) -> dict[ServiceName, int]:
    waves = {name: wave.number for wave in plan.waves for name in wave.services}
    return {s.name: waves.get(s.name, 0) for s in plan.services}


def _attrs(pairs: tuple[tuple[str, str], ...]) -> str:
    return ", ".join(f"{k}={v}" for k, v in pairs)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _wave_cluster(plan: Plan, wave: int, node_ids: list[str], names: dict[str, str]) -> list[str]:
    fill, stroke = wave_colour(wave)
    title = f"Wave {wave}" if wave else "Not scheduled"
    lines = [
        f"  subgraph cluster_w{wave} {{",
        f'    graph [label={dot_string(title)}, style="rounded,dashed", color="{stroke}", '
        f'fontcolor="{stroke}", labeljust=l];',
        f"    {{ rank=same; {'; '.join(node_ids)}; }}",
    ]
    for node_id in node_ids:
        service = plan.service(names[node_id])
        label = (
            f"{service.name}\n{_plural(len(service.members), 'module')} · "
            f"{_plural(service.lines, 'line')}\n"
            f"risk {_fmt(service.risk.score)} · benefit {_fmt(service.benefit.score)}"
        )
        lines.append(
            f'    {node_id} [label={dot_string(label)}, fillcolor="{fill}", color="{stroke}"];'
        )
    lines.append("  }")
    return lines


def services_dot(plan: Plan) -> ServiceMap:
    """The service map: services clustered by wave, the monolith remainder, the shared kernel."""
    waves = _wave_of(plan)
    services = sorted(plan.services, key=lambda s: (waves[s.name] or 10**6, s.name))
    ids: dict[str, str] = {s.name: f"s{i}" for i, s in enumerate(services)}
    names: dict[str, str] = {ids[s.name]: s.name for s in services}
    extra: dict[str, _Node] = {}

    def node_for(name: str) -> str:
        if name in ids:
            return ids[name]
        if name in KERNEL_NAMES and plan.shared_kernel:
            name = KERNEL
        if name == MONOLITH:
            key, label, shape, fill = "m", "monolith\n(what remains)", "box3d", "#e5e7eb"
        elif name in KERNEL_NAMES and plan.shared_kernel:
            users = {e.source for e in plan.edges if e.target in KERNEL_NAMES} - KERNEL_NAMES
            label = f"shared kernel (library)\n{_plural(len(plan.shared_kernel), 'module')}"
            if users:
                label += f" · used by {_plural(len(users), 'service')}"
            key, shape, fill = "k", "component", "#f5f5f4"
        else:
            key = f"x{len(extra)}"
            label, shape, fill = name, "box", "#ffffff"
        if name not in extra:
            attrs = (
                ("label", dot_string(label)),
                ("shape", shape),
                ("style", '"filled"'),
                ("fillcolor", dot_string(fill)),
                ("color", '"#6b7280"'),
            )
            extra[name] = _Node(key, label, attrs)
            names[key] = label.replace("\n", " ")
        return extra[name].id

    node_for(MONOLITH)
    if plan.shared_kernel:
        node_for(KERNEL)
    kernel_id = extra[KERNEL].id if KERNEL in extra else None
    edges = sorted(
        (node_for(e.source), node_for(e.target), e.weight, e.source, e.target)
        for e in sorted(plan.edges)
        if e.source != e.target
    )
    # Every service leans on the shared kernel, a library: its edges would hide the couplings
    # between services, so the kernel's node counts its users instead (the report lists them).
    max_weight = max((e[2] for e in edges if kernel_id not in e[:2]), default=1.0) or 1.0

    lines = [
        "digraph services {",
        f'  graph [rankdir=LR, newrank=true, fontname="{_FONT}", fontsize=12, nodesep=0.5, '
        'ranksep=1.0, pad=0.2, bgcolor="transparent"];',
        f'  node [fontname="{_FONT}", fontsize=11, shape=box, style="rounded,filled", '
        'penwidth=1.4, margin="0.18,0.08"];',
        f'  edge [fontname="{_FONT}", fontsize=9, color="#64748b", fontcolor="#334155", '
        "arrowsize=0.7];",
    ]
    by_wave: dict[int, list[str]] = {}
    for service in services:
        by_wave.setdefault(waves[service.name], []).append(service.name)
    order = sorted(by_wave, key=lambda w: w or 10**6)
    column = {ids[n]: i for i, w in enumerate(order) for n in by_wave[w]}
    for wave in order:
        lines += _wave_cluster(plan, wave, [ids[n] for n in by_wave[wave]], names)
    for node in sorted(extra.values()):
        lines.append(f"  {node.id} [{_attrs(node.attrs)}];")
    lines.append(f"  {{ rank=same; {'; '.join(sorted(n.id for n in extra.values()))}; }}")
    # Waves read left to right: invisible edges order the columns; an edge pointing back to an
    # earlier wave (or within one) does not constrain the layout.
    firsts = [ids[by_wave[w][0]] for w in order] + [extra[MONOLITH].id]
    for a, b in itertools.pairwise(firsts):
        lines.append(f"  {a} -> {b} [style=invis, weight=10];")
    for source, target, weight, _, _ in edges:
        if kernel_id in (source, target):
            continue  # counted in the kernel's label: a library every service uses
        width = 0.8 + 3.2 * weight / max_weight
        forward = column.get(source, len(order)) < column.get(target, len(order))
        lines.append(
            f"  {source} -> {target} [label={dot_string(_fmt(weight))}, penwidth={width:.2f}"
            + ("" if forward else ", constraint=false")
            + "];"
        )
    lines.append("}")
    return ServiceMap(dot="\n".join(lines) + "\n", names=names)


def find_dot() -> str | None:
    """The graphviz `dot` executable on PATH, or None."""
    return shutil.which("dot")


def run_dot(dot_text: str, executable: str, *, timeout: float = DOT_TIMEOUT_S) -> str:
    """Graphviz's SVG for `dot_text` (raises `RuntimeError` when dot fails or times out)."""
    try:
        done = subprocess.run(
            [executable, "-Tsvg"],
            input=dot_text.encode("utf-8"),
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RuntimeError(f"graphviz dot failed: {exc}") from exc
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RuntimeError(f"graphviz dot failed: {message[0] if message else done.returncode}")
    return done.stdout.decode("utf-8")


# --- SVG sanitising: parse graphviz's output and re-serialise an allow-listed subset ----------

_ELEMENTS = frozenset(
    {"svg", "g", "title", "path", "polygon", "polyline", "ellipse", "circle", "rect", "line"}
    | {"text", "tspan", "defs"}
)
_ATTRIBUTES = frozenset(
    {"class", "viewBox", "width", "height", "transform", "points", "d", "x", "y", "dx", "dy"}
    | {"cx", "cy", "r", "rx", "ry", "x1", "y1", "x2", "y2", "fill", "stroke", "stroke-width"}
    | {"stroke-dasharray", "stroke-opacity", "fill-opacity", "opacity", "font-family"}
    | {"font-size", "font-weight", "font-style", "text-anchor", "text-decoration"}
)
SVG_NS = "http://www.w3.org/2000/svg"


def _escape(text: str) -> str:
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
    )


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _title(text: str, names: dict[str, str]) -> str:
    if "->" in text:
        source, _, target = text.partition("->")
        return f"{names.get(source, source)} → {names.get(target, target)}"
    return names.get(text, text)


def _serialise(element: ET.Element, names: dict[str, str], out: list[str]) -> None:
    tag = _local(element.tag)
    if tag not in _ELEMENTS:
        return
    attrs = []
    for key, value in element.attrib.items():
        name = _local(key)
        if name in _ATTRIBUTES:
            attrs.append(f' {name}="{_escape(value)}"')
    out.append(f"<{tag}{''.join(attrs)}>")
    text = element.text or ""
    if tag == "title":
        text = _title(text, names)
    out.append(_escape(text))
    for child in element:
        _serialise(child, names, out)
        out.append(_escape(child.tail or "") if tag in {"text", "tspan"} else "\n")
    out.append(f"</{tag}>")


def sanitise_svg(svg: str, names: dict[str, str] | None = None) -> str:
    """Graphviz SVG reduced to drawing elements and attributes, every text re-escaped.

    The prologue, doctype, comments, links, scripts and event attributes are dropped, so the
    result can be inlined into HTML whatever the labels contain. Synthetic node ids in `<title>`
    are replaced with the display `names` they stand for.
    """
    root = ET.fromstring(svg.encode("utf-8"))
    if _local(root.tag) != "svg":
        raise ValueError("not an SVG document")
    out: list[str] = []
    _serialise(root, names or {}, out)
    return "".join(out)


def svg_document(inline_svg: str) -> str:
    """A standalone .svg file from a sanitised inline SVG."""
    body = inline_svg.replace("<svg", f'<svg xmlns="{SVG_NS}"', 1)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'
