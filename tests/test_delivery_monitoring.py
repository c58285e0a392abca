"""Tests for monitoring per wave: promtool on config and rules, Grafana models, logs, SLOs."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml
from delivery_support import SAMPLES, demo, promtool, run, scaffold

from reports.scaffold.model import slug
from reports.scaffold.monitoring import LOG_FIELDS, LOG_LABELS, monitor
from reports.scaffold.profiles import choose_delivery

CASES = [(s, p) for s in SAMPLES for p in ("mid-size", "enterprise")]


@pytest.fixture(scope="module", params=CASES, ids=[f"{s}-{p}" for s, p in CASES])
def monitored(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    sample, profile = request.param
    plan, facts = demo(sample)
    delivery = choose_delivery(facts, profile)
    return plan, scaffold(plan, facts, tmp_path_factory.mktemp(f"mon-{sample}"), delivery)


def test_promtool_checks_the_config_and_every_rule_file(monitored) -> None:
    _, out = monitored
    config = out / "monitoring" / "prometheus.yml"
    output = run([promtool(), "check", "config", str(config)])
    rules = sorted((out / "monitoring" / "rules").glob("*.rules.yml"))
    assert rules and output.count("SUCCESS") >= len(rules) + 1
    run([promtool(), "check", "rules", *map(str, rules)])


def test_every_measurable_check_is_an_alert(monitored) -> None:
    plan, out = monitored
    for step in plan.steps:
        path = out / "monitoring" / "rules" / f"wave-{step.wave}.rules.yml"
        groups = yaml.safe_load(path.read_text(encoding="utf-8"))["groups"]
        name = slug(step.service)
        group = next(g for g in groups if g["name"].endswith(f"-{name}-go-no-go"))
        summaries = [r["annotations"]["summary"] for r in group["rules"]]
        for check in step.checks:
            expected = monitor(name, bool(step.reroute), check)
            assert expected.expr, f"check without a measurement: {check}"
            assert any(s.endswith(check) for s in summaries), check
        assert all(r["labels"]["wave"] == str(step.wave) for r in group["rules"])


def test_dashboards_follow_the_grafana_json_model(monitored, tmp_path: Path) -> None:
    _, out = monitored
    dashboards = sorted((out / "monitoring" / "grafana").glob("wave-*.json"))
    assert dashboards
    uids = set()
    exprs = []
    for path in dashboards:
        model = json.loads(path.read_text(encoding="utf-8"))
        assert isinstance(model["schemaVersion"], int) and model["schemaVersion"] >= 36
        assert model["uid"] not in uids and len(model["uid"]) <= 40
        uids.add(model["uid"])
        variables = {v["name"]: v for v in model["templating"]["list"]}
        assert variables["datasource"]["type"] == "datasource"
        assert variables["datasource"]["query"] == "prometheus"
        ids = [p["id"] for p in model["panels"]]
        assert len(ids) == len(set(ids))
        titles = " ".join(p["title"] for p in model["panels"])
        for word in ("traffic split", "Errors", "Latency", "Saturation", "Go/no-go"):
            assert word.lower() in titles.lower(), word
        for panel in model["panels"]:
            assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
            assert set(panel["gridPos"]) == {"h", "w", "x", "y"}
            assert panel["gridPos"]["x"] + panel["gridPos"]["w"] <= 24
            for target in panel.get("targets", []):
                assert target["datasource"]["uid"] == "${datasource}"
                exprs.append(target["expr"])
    # Every panel query is valid PromQL: promtool parses them as recording rules.
    rules = {
        "groups": [
            {
                "name": "panels",
                "rules": [{"record": f"panel:query{i}", "expr": e} for i, e in enumerate(exprs)],
            }
        ]
    }
    path = tmp_path / "panels.yml"
    path.write_text(yaml.safe_dump(rules), encoding="utf-8")
    run([promtool(), "check", "rules", str(path)])


def test_promtool_rejects_a_broken_rule(tmp_path: Path) -> None:
    path = tmp_path / "broken.yml"
    rule = {"alert": "Broken", "expr": "sum(rate(x[5m]) >"}
    path.write_text(yaml.safe_dump({"groups": [{"name": "g", "rules": [rule]}]}), "utf-8")
    result = subprocess.run([promtool(), "check", "rules", str(path)], capture_output=True)
    assert result.returncode != 0


def test_logs_are_json_with_indexed_fields(monitored) -> None:
    _, out = monitored
    config = yaml.safe_load((out / "monitoring" / "promtail.yml").read_text(encoding="utf-8"))
    stages = config["scrape_configs"][0]["pipeline_stages"]
    expressions = next(s["json"]["expressions"] for s in stages if "json" in s)
    assert set(LOG_FIELDS) <= set(expressions)
    assert set(next(s["labels"] for s in stages if "labels" in s)) == set(LOG_LABELS)
    match = next(s["match"] for s in stages if "match" in s)
    assert "db_permission_denied_total" in match["stages"][0]["metrics"]
    for config_map in (out / "kubernetes" / "services").glob("*/configmap.yaml"):
        data = yaml.safe_load(config_map.read_text(encoding="utf-8"))["data"]
        assert data["LOG_FORMAT"] == "json"


def test_slo_files_state_sli_slo_and_mttr_per_step(monitored) -> None:
    plan, out = monitored
    for step in plan.steps:
        text = (out / "monitoring" / "slo" / f"wave-{step.wave}.md").read_text(encoding="utf-8")
        section = text.split(f"## {step.service}\n", 1)[1].split("\n## ", 1)[0]
        assert "MTTR target:" in section
        for check in step.checks:
            assert check in section


def test_thresholds_come_from_the_check_text() -> None:
    latency = monitor(
        "orders", True, "latency: p95 of rerouted endpoints at most 1.5x the baseline"
    )
    assert "> 1.5 * histogram_quantile" in latency.expr
    errors = monitor("orders", True, "error rate: 5xx at most the monolith's baseline + 2 points")
    assert errors.expr.endswith("+ 0.02")
    calls = monitor("orders", False, "latency: p95 of calls from the monolith below 300 ms")
    assert calls.expr.endswith("> 0.3") and 'job="orders"' in calls.expr
    health = monitor("orders", True, "health: GET /health answers 200 for 5 minutes")
    assert "[5m]" in health.expr
    assert monitor("orders", True, "ask the product owner").expr == ""
