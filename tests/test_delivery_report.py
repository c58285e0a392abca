"""Tests for the report's delivery section: chosen profile, per-wave artifacts, monitored checks."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from delivery_support import SAMPLES, demo, demo_dir
from markupsafe import escape
from typer.testing import CliRunner

from planner.cli import app
from reports.scaffold.model import slug
from reports.scaffold.monitoring import monitor
from reports.scaffold.profiles import PROFILES


def _report(sample: str, profile: str, out: Path) -> tuple[str, str]:
    folder = demo_dir(sample)
    plan = str(folder / "plan.json")
    runner = CliRunner()
    result = runner.invoke(
        app, ["scaffold", plan, "--out", str(out / "scaffold"), "--profile", profile]
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        app, ["report", plan, "--facts", str(folder / "facts.json"), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    return (
        (out / "report.html").read_text(encoding="utf-8"),
        (out / "plan.md").read_text(encoding="utf-8"),
    )


@pytest.mark.parametrize("sample", SAMPLES)
@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_report_shows_profile_artifacts_and_monitored_checks(
    sample: str, profile: str, tmp_path: Path
) -> None:
    page, markdown = _report(sample, profile, tmp_path)
    chosen = PROFILES[profile]
    for text in (page, markdown):
        assert f"Delivery path: {profile} profile" in text
        assert "Artifacts per wave" in text
    for governance in chosen.governance:
        assert str(escape(governance)) in page
    links = re.findall(r'<a class="scaffold-link" href="([^"]+)">', page)
    assert links
    for href in links:
        assert (tmp_path / unquote(href)).exists(), f"dangling link {href}"
    plan, _ = demo(sample)
    for step in plan.steps:
        for check in step.checks:
            found = monitor(slug(step.service), bool(step.reroute), check)
            if chosen.monitoring:
                assert f"alert {found.alert}" in markdown, check
            else:
                assert f"wave-{step.wave}/go-no-go.sh" in markdown


def test_no_delivery_section_without_a_delivery_path(tmp_path: Path) -> None:
    folder = demo_dir("shop")
    plan = str(folder / "plan.json")
    runner = CliRunner()
    assert (
        runner.invoke(app, ["scaffold", plan, "--out", str(tmp_path / "scaffold")]).exit_code == 0
    )
    result = runner.invoke(app, ["report", plan, "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "Delivery path" not in (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Monitoring of the checks" not in (tmp_path / "plan.md").read_text(encoding="utf-8")
