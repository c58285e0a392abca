"""Draws the service dependency map as graphviz DOT (the `graphviz` package) and renders it to a
sanitised SVG."""

from __future__ import annotations

import hashlib
import itertools
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import graphviz
import platformdirs

from analyzers.cache import APP_NAME, ResultCache
from planner.plan import Plan, ServiceName, plural

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


def _label(*lines: str) -> graphviz.quoting.NoHtml:
    """A plain (never HTML-like) multi-line label: backslashes and entities literal."""
    return graphviz.nohtml(
        "\\n".join(graphviz.escape(line.replace("&", "&amp;")) for line in lines)
    )


@dataclass(frozen=True)
class ServiceMap:
    """The DOT text of the service map and the display name behind each synthetic node id."""

    dot: str
    names: dict[str, str]
    monolith_edges: int = 0


def _fmt(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _wave_of(plan: Plan) -> dict[ServiceName, int]:
    waves = {name: wave.number for wave in plan.waves for name in wave.services}
    return {s.name: waves.get(s.name, 0) for s in plan.services}


def _service_label(plan: Plan, name: ServiceName) -> graphviz.quoting.NoHtml:
    service = plan.service(name)
    return _label(
        service.name,
        f"{plural(len(service.members), 'module')} · {plural(service.lines, 'line')}",
        f"risk {_fmt(service.risk.score)} · benefit {_fmt(service.benefit.score)}",
    )


def monolith_couplings(plan: Plan) -> dict[ServiceName, int]:
    """Per service, its calls back into code no service takes (what remains of the monolith)."""
    moving = {m for s in plan.services for m in s.members} | set(plan.shared_kernel)
    counts: dict[ServiceName, int] = {}
    for step in plan.steps:
        stays = sum(1 for c in step.calls_back if c.target not in moving)
        if stays:
            counts[step.service] = counts.get(step.service, 0) + stays
    return counts


def services_dot(plan: Plan) -> ServiceMap:
    """The service map: one row per wave, top to bottom, the monolith remainder at the bottom.

    An arrow A -> B means code in A depends on B (calls, imports or reads it); its label is the
    coupling weight. The shared kernel, a library every service uses, is a node counting its
    users instead of drawn edges.
    """
    waves = _wave_of(plan)
    services = sorted(plan.services, key=lambda s: (waves[s.name] or 10**6, s.name))
    ids: dict[str, str] = {s.name: f"s{i}" for i, s in enumerate(services)}
    names: dict[str, str] = {ids[s.name]: s.name for s in services}

    graph = graphviz.Digraph("services")
    graph.attr(
        "graph", rankdir="TB", newrank="true", fontname=_FONT, fontsize="13", nodesep="0.35",
        ranksep="0.55", pad="0.2", bgcolor="transparent",
    )  # fmt: skip
    graph.attr(
        "node", fontname=_FONT, fontsize="12", shape="box", style="rounded,filled",
        penwidth="1.4", margin="0.14,0.06",
    )  # fmt: skip
    graph.attr(
        "edge", fontname=_FONT, fontsize="11", color="#64748b", fontcolor="#334155",
        arrowsize="0.7",
    )  # fmt: skip

    by_wave: dict[int, list[str]] = {}
    for service in services:
        by_wave.setdefault(waves[service.name], []).append(service.name)
    order = sorted(by_wave, key=lambda w: w or 10**6)
    row = {ids[n]: i for i, w in enumerate(order) for n in by_wave[w]}
    for wave in order:
        fill, stroke = wave_colour(wave)
        with graph.subgraph(name=f"cluster_w{wave}") as cluster:
            cluster.attr(
                "graph", label=_label(f"Wave {wave}" if wave else "Not scheduled"),
                style="rounded,dashed", color=stroke, fontcolor=stroke, labeljust="l",
                rank="same",
            )  # fmt: skip
            for name in by_wave[wave]:
                cluster.node(
                    ids[name], label=_service_label(plan, name), fillcolor=fill, color=stroke
                )

    stays = monolith_couplings(plan)
    monolith_label = ("monolith (what remains)",)
    graph.node("m", label=_label(*monolith_label), shape="box3d", style="filled",
               fillcolor="#e5e7eb", color="#6b7280")  # fmt: skip
    names["m"] = " ".join(monolith_label)
    kernel = bool(plan.shared_kernel)
    if kernel:
        users = {e.source for e in plan.edges if e.target in KERNEL_NAMES} - KERNEL_NAMES
        label = [f"shared kernel (library) · {plural(len(plan.shared_kernel), 'module')}"]
        if users:
            label.append(f"used by {plural(len(users), 'service')}: edges not drawn")
        graph.node("k", label=_label(*label), shape="component", style="filled",
                   fillcolor="#f5f5f4", color="#6b7280")  # fmt: skip
        names["k"] = " ".join(label)
    with graph.subgraph() as bottom:
        bottom.attr(rank="same")
        bottom.node("m")
        if kernel:
            bottom.node("k")

    # Waves read top to bottom: invisible edges order the rows; an edge pointing back to an
    # earlier wave (or within one) does not constrain the layout.
    firsts = [ids[by_wave[w][0]] for w in order] + ["m"]
    for a, b in itertools.pairwise(firsts):
        graph.edge(a, b, style="invis", weight="10")
    node = {**ids, MONOLITH: "m"}
    edges = sorted(
        (node[e.source], node[e.target], e.weight)
        for e in plan.edges
        if e.source in node and e.target in node and e.source != e.target
    )
    row["m"] = len(order)
    max_weight = max((w for _, _, w in edges), default=1.0) or 1.0
    for source, target, weight in edges:
        attrs = {"label": _fmt(weight), "penwidth": f"{0.8 + 3.2 * weight / max_weight:.2f}"}
        if row[source] >= row[target]:
            attrs["constraint"] = "false"
        graph.edge(source, target, **attrs)
    for service, count in sorted(stays.items()):
        if (ids[service], "m") in {e[:2] for e in edges}:
            continue
        graph.edge(
            ids[service], "m", label=_label(plural(count, "call")), style="dashed",
            color="#475569",
        )  # fmt: skip
    drawn = {e for e in edges if "m" in e[:2]}
    return ServiceMap(dot=graph.source, names=names, monolith_edges=len(stays) + len(drawn))


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


SVG_SALT = "dot-svg-1"
"""Part of the cache key of `draw`: change it when the way dot is called changes."""


def svg_cache_path() -> Path:
    """The drawn service maps, in the user's cache folder (never in the analyzed tree)."""
    return platformdirs.user_cache_path(APP_NAME, appauthor=False) / "diagrams.sqlite"


def dot_version(executable: str) -> str:
    """What `dot -V` says (graphviz writes it on stderr); "" when it cannot say."""
    try:
        done = subprocess.run(
            [executable, "-V"], capture_output=True, timeout=DOT_TIMEOUT_S, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    said = (done.stderr + done.stdout).decode("utf-8", "replace").strip()
    return said if done.returncode == 0 else ""


def svg_key(dot_text: str, version: str) -> str:
    """The cache key of dot's SVG for `dot_text`: its digest under dot's `version`."""
    digest = hashlib.sha256("\0".join((SVG_SALT, version)).encode("utf-8"))
    digest.update(b"\0" + dot_text.encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def draw(dot_text: str, executable: str, names: dict[str, str], cache: Path | None = None) -> str:
    """The sanitised SVG of `dot_text`: graphviz's output is kept in the cache file `cache`
    (default: the user's) under the digest of the DOT text and dot's version, so an unchanged
    map is not laid out again. What the cache holds is sanitised like dot's own output, and a
    record that does not decode or sanitise is a miss. Raises as `run_dot` and `sanitise_svg`."""
    version = dot_version(executable)
    if not version:  # an unknown dot: nothing to key its output by
        return sanitise_svg(run_dot(dot_text, executable), names)
    key = svg_key(dot_text, version)
    with ResultCache(cache or svg_cache_path(), "svg") as store:
        blob = store.get_many([key]).get(key)
        if blob is not None:
            try:
                return sanitise_svg(blob.decode("utf-8"), names)
            except (ValueError, ET.ParseError):  # UnicodeDecodeError is a ValueError
                pass  # not an SVG of ours: draw it again
        svg = run_dot(dot_text, executable)
        clean = sanitise_svg(svg, names)
        store.put_many([(key, svg.encode("utf-8"))])
        store.prune([key])
    return clean


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


def label_svg(inline_svg: str, caption_id: str) -> str:
    """The sanitised SVG named by the element `caption_id` (an image with an accessible name)."""
    return inline_svg.replace("<svg", f'<svg role="img" aria-labelledby="{caption_id}"', 1)


def svg_document(inline_svg: str) -> str:
    """A standalone .svg file from a sanitised inline SVG."""
    body = inline_svg.replace("<svg", f'<svg xmlns="{SVG_NS}"', 1)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'
