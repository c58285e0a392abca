"""Renders the self-contained HTML report from the view model with autoescaped Jinja2 templates."""

from __future__ import annotations

import base64
import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from reports.diagrams import WAVE_COLOURS
from reports.firstscreen import FirstScreen
from reports.view import ReportView

TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class MapView:
    """The service map: a sanitised inline SVG, or the DOT text and a note when dot is missing."""

    svg: Markup | None
    dot: str
    note: str
    monolith_edges: int = 0


@functools.cache
def environment() -> Environment:
    """The Jinja2 environment of the reports: autoescaping on, undefined names are errors. One
    per process, so each template is compiled once however many reports are rendered."""
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def page_script() -> tuple[Markup, str]:
    """The page's one inline script and its CSP source (`'sha256-...'`): nothing else may run."""
    script = (TEMPLATES / "report.js").read_text(encoding="utf-8")
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    return Markup(script), f"sha256-{digest}"


def render_html(
    view: ReportView,
    diagram: MapView,
    start: FirstScreen | None = None,
    *,
    handout: bool = False,
) -> str:
    """The report page; `diagram.svg` must come from `reports.diagrams.sanitise_svg`.

    `start` is the first screen (what moves first, why, cost, this week); `handout` links the
    two-page handout written beside the report.
    """
    script, script_hash = page_script()
    template = environment().get_template("report.html.j2")
    return template.render(
        view=view,
        diagram=diagram,
        palette=WAVE_COLOURS,
        script=script,
        script_hash=script_hash,
        start=start,
        handout=handout,
    )
