"""Renders container findings (facts) as text, JSON, or rows for the HTML report."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from analyzers.facts import ContainerFinding, Facts, dumps, to_jsonable


@dataclass(frozen=True)
class FindingView:
    """One container finding as the HTML report shows it."""

    where: str
    rule: str
    tool: str
    severity: str
    level: str  # the report's colour class: high (error), medium (warning), low (info, style)
    message: str
    fix: str


LEVELS = {"error": "high", "warning": "medium"}


def finding_views(findings: Iterable[ContainerFinding]) -> tuple[FindingView, ...]:
    """The report's rows, sorted by file and line."""
    return tuple(
        FindingView(
            f"{f.evidence.path}:{f.evidence.line}",
            f.rule,
            f.tool,
            f.severity,
            LEVELS.get(f.severity, "low"),
            f.message,
            f.fix,
        )
        for f in sorted(set(findings))
    )


def render_findings(findings: Iterable[ContainerFinding], as_json: bool) -> str:
    """Findings as text (`path:line: RULE severity: message (fix: ...)`) or as a JSON list."""
    ordered = sorted(set(findings))
    if as_json:
        return dumps(to_jsonable(ordered))
    return "".join(
        f"{f.evidence.path}:{f.evidence.line}: {f.rule} {f.severity}: {f.message}"
        + (f" (fix: {f.fix})" if f.fix else "")
        + "\n"
        for f in ordered
    )


def render_summary(facts: Facts) -> str:
    """The lines `lint-containers` prints on stderr: warnings, then the count and tools used."""
    lines = [f"warning: {w.path + ': ' if w.path else ''}{w.message}" for w in facts.warnings]
    tools = "".join(f"; {a.name} {a.version}" for a in facts.analyzers)
    return "\n".join([*lines, f"{len(facts.container_findings)} finding(s){tools}"])
