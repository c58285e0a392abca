"""Renders a plan into report.html, handout.html, plan.md (+ plan-details.md), the service map
(services.dot, services.svg) and the grant scripts: `render_reports` (in reports/render.py).

`render_reports` is imported on first use, so a command that needs only one of the reports'
modules (the scaffold profiles for the CLI's choices, a scaffold's plan record) does not load
every renderer, Jinja2 and SQLAlchemy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reports.render import render_reports

__all__ = ["render_reports"]


def __getattr__(name: str) -> object:
    if name == "render_reports":
        from reports.render import render_reports

        return render_reports
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
