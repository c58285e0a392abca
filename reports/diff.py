"""The differences between two plans as plain text, one line per service."""

from __future__ import annotations

from planner.diff import PlanDiff


def render_diff(diff: PlanDiff) -> str:
    """The diff as plain text lines, one per service, most important first."""
    if diff.identical:
        return "plans are identical\n"
    lines = [f"waves: {diff.waves_a} -> {diff.waves_b}"]
    for c in sorted(
        diff.changes, key=lambda c: (c.step_a or 999, c.step_b or 999, c.a or "", c.b or "")
    ):
        if c.a is None:
            lines.append(f"+ {c.b}: new service, step {c.step_b}, risk {c.risk_b:g}")
            continue
        if c.b is None:
            lines.append(f"- {c.a}: gone (was step {c.step_a}, risk {c.risk_a:g})")
            continue
        name = c.a if c.a == c.b else f"{c.a} -> {c.b}"
        parts = []
        if c.step_a != c.step_b:
            parts.append(f"step {c.step_a} -> {c.step_b}")
        if c.risk_a != c.risk_b:
            parts.append(f"risk {c.risk_a:g} -> {c.risk_b:g}")
        if c.moved_in:
            parts.append(f"gains {', '.join(c.moved_in)}")
        if c.moved_out:
            parts.append(f"loses {', '.join(c.moved_out)}")
        lines.append(
            f"{'~' if parts or c.a != c.b else '='} {name}: {'; '.join(parts) or 'unchanged'}"
        )
    return "\n".join(lines) + "\n"
