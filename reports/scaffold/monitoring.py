"""Monitoring per wave: alert rules from each step's go/no-go checks, dashboards, logs, SLOs."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from reports.scaffold.compose import dump_yaml
from reports.scaffold.kubernetes import metrics_service
from reports.scaffold.model import ServiceSpec, WaveSpec
from reports.scaffold.profiles import Delivery
from reports.scaffold.stages import NAMESPACE
from reports.scaffold.workflow import smoke_paths

GRAFANA_SCHEMA_VERSION = 39
# The facade's metrics are ingress-nginx's (controller >= 1.0): per Kubernetes Service and status.
REQUESTS = "nginx_ingress_controller_requests"
DURATION = "nginx_ingress_controller_request_duration_seconds_bucket"
# A service's own metrics, for steps the facade does not see (calls from the monolith).
SERVICE_REQUESTS = "http_requests_total"
SERVICE_DURATION = "http_request_duration_seconds_bucket"
# Counted by promtail from the services' JSON logs (the metrics stage below).
PERMISSION_DENIED = "promtail_custom_db_permission_denied_total"
# Published by the nightly reconciliation job (e.g. through a Pushgateway).
DIVERGENCE = "strangler_reconciliation_divergent_rows"
BASELINE = "7d"  # the monolith's baseline window
LOG_FIELDS = ("level", "service", "wave", "request_id", "method", "path", "status", "duration_ms")
LOG_LABELS = ("level", "service", "wave")  # indexed by Loki; the rest stay in the line


@dataclass(frozen=True, order=True)
class Monitor:
    """One go/no-go check of a step as a Prometheus alert (or a manual check when `expr` is "")."""

    service: str
    check: str  # the plan's check text
    kind: str  # health | error rate | latency | database | data | other
    alert: str
    expr: str
    hold: str  # how long the condition must last before the alert fires


def _number(pattern: str, text: str, default: float) -> float:
    found = re.search(pattern, text)
    return float(found[1]) if found else default


def _camel(slug: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[^a-zA-Z0-9]+", slug) if part)


def _ratio(metric: str, selector: str, window: str, errors: str) -> str:
    return (
        f"(sum(rate({metric}{{{selector},{errors}}}[{window}]))"
        f" / sum(rate({metric}{{{selector}}}[{window}])))"
    )


def _p95(metric: str, selector: str, window: str) -> str:
    return f"histogram_quantile(0.95, sum by (le) (rate({metric}{{{selector}}}[{window}])))"


def monitor(slug: str, rerouted: bool, check: str) -> Monitor:
    """The alert that measures one check of the step extracting service `slug` (whose endpoints
    the facade reroutes when `rerouted`); thresholds come from the check's own text."""
    kind = check.split(":", 1)[0].strip().lower()
    name = _camel(slug)
    svc = f'service="{slug}"'
    mono = 'service="monolith"'
    job = f'job="{slug}"'
    if kind == "health":
        minutes = _number(r"for (\d+) minutes", check, 10)
        expr = f"avg_over_time(up{{{job}}}[{minutes:g}m]) < 1"
        return Monitor(slug, check, kind, f"{name}Unhealthy", expr, "0m")
    if kind == "error rate" and rerouted:
        points = _number(r"\+ ?([\d.]+) points", check, 0.5) / 100
        errors = 'status=~"5.."'
        expr = (
            f"{_ratio(REQUESTS, svc, '5m', errors)} > {_ratio(REQUESTS, mono, BASELINE, errors)}"
            f" + {points:g}"
        )
        return Monitor(slug, check, kind, f"{name}ErrorRateAboveBaseline", expr, "10m")
    if kind == "error rate":
        limit = _number(r"below ([\d.]+)%", check, 0.5) / 100
        errors = 'status=~"5.."'
        expr = f"{_ratio(SERVICE_REQUESTS, job, '5m', errors)} > {limit:g}"
        return Monitor(slug, check, kind, f"{name}ErrorRateHigh", expr, "10m")
    if kind == "latency" and rerouted:
        factor = _number(r"([\d.]+)x", check, 1.2)
        expr = f"{_p95(DURATION, svc, '5m')} > {factor:g} * {_p95(DURATION, mono, BASELINE)}"
        return Monitor(slug, check, kind, f"{name}LatencyAboveBaseline", expr, "10m")
    if kind == "latency":
        limit = _number(r"below (\d+) ms", check, 200) / 1000
        expr = f"{_p95(SERVICE_DURATION, job, '5m')} > {limit:g}"
        return Monitor(slug, check, kind, f"{name}LatencyHigh", expr, "10m")
    if kind == "database":
        expr = f"sum(increase({PERMISSION_DENIED}{{{svc}}}[10m])) > 0"
        return Monitor(slug, check, kind, f"{name}DatabasePermissionDenied", expr, "0m")
    if kind == "data":
        expr = f"max({DIVERGENCE}{{{svc}}}) > 0"
        return Monitor(slug, check, kind, f"{name}DataDivergence", expr, "0m")
    return Monitor(slug, check, "other", "", "", "")


def monitors(spec: ServiceSpec) -> tuple[Monitor, ...]:
    """Every go/no-go check of the service's step as a monitor, in the plan's order."""
    return tuple(monitor(spec.slug, bool(spec.reroute), check) for check in spec.checks)


def render_rules(wave: WaveSpec) -> str:
    """`monitoring/rules/wave-<n>.rules.yml`: one alert per measurable go/no-go check."""
    groups = []
    for spec in wave.new:
        rules = []
        for m in monitors(spec):
            if not m.expr:
                continue
            rule: dict[str, Any] = {"alert": m.alert, "expr": m.expr}
            if m.hold != "0m":
                rule["for"] = m.hold
            rule["labels"] = {
                "severity": "page",
                "service": spec.slug,
                "wave": str(wave.number),
                "check": m.kind,
            }
            rule["annotations"] = {
                "summary": f"no-go for {spec.name} (wave {wave.number}): {m.check}",
                "rollback": spec.rollback,
            }
            rules.append(rule)
        groups.append({"name": f"wave-{wave.number}-{spec.slug}-go-no-go", "rules": rules})
    header = (
        f"Alert rules of wave {wave.number}: each is one go/no-go check of the plan; any alert"
        "\nfiring means no-go (the deploy gate queries ALERTS{wave=...}). Check with:"
        f"\npromtool check rules wave-{wave.number}.rules.yml"
    )
    return dump_yaml({"groups": groups}, header)


def render_prometheus(delivery: Delivery, waves: list[WaveSpec]) -> str:
    """`monitoring/prometheus.yml`: scrape the facade, every service and promtail; load rules."""
    services = sorted({s.slug: s for w in waves for s in w.live}.values(), key=lambda s: s.slug)
    scrape: list[dict[str, Any]] = []
    if delivery.kubernetes:
        # DNS discovery (Debian's Prometheus has no kubernetes_sd): the headless `-metrics`
        # Services resolve to every pod.
        def dns(name: str, port: int) -> list[dict[str, Any]]:
            return [{"names": [f"{name}.svc.cluster.local"], "type": "A", "port": port}]

        scrape.append(
            {
                "job_name": "ingress-nginx",
                "dns_sd_configs": dns("ingress-nginx-controller-metrics.ingress-nginx", 10254),
            }
        )
        for spec in services:
            scrape.append(
                {
                    "job_name": spec.slug,
                    "dns_sd_configs": dns(
                        f"{metrics_service(spec.slug)}.{NAMESPACE}", spec.runtime.port
                    ),
                }
            )
    else:
        scrape.append({"job_name": "facade", "static_configs": [{"targets": ["facade:10254"]}]})
        for spec in services:
            target = f"{spec.slug}:{spec.runtime.port}"
            scrape.append({"job_name": spec.slug, "static_configs": [{"targets": [target]}]})
    scrape.append({"job_name": "promtail", "static_configs": [{"targets": ["promtail:9080"]}]})
    data = {
        "global": {"scrape_interval": "15s", "evaluation_interval": "15s"},
        "rule_files": [f"rules/wave-{w.number}.rules.yml" for w in waves],
        "alerting": {"alertmanagers": [{"static_configs": [{"targets": ["alertmanager:9093"]}]}]},
        "scrape_configs": scrape,
    }
    header = (
        "Prometheus for the strangler migration: the facade's request metrics (ingress-nginx"
        "\nnames; on compose run the facade behind an exporter that keeps them), each service's"
        "\n/metrics, promtail's log-derived counters, and the go/no-go alert rules of every wave."
        "\nCheck with: promtool check config prometheus.yml"
    )
    return dump_yaml(data, header)


def render_promtail(waves: list[WaveSpec]) -> str:
    """`monitoring/promtail.yml`: ship JSON logs to Loki, index a few fields, count DB denials."""
    services = sorted({s.slug for w in waves for s in w.live})
    selector = (
        '{service=~"' + "|".join(services) + '"}'
        ' |~ "(?i)permission denied|access denied|insufficient privilege"'
    )
    counter = {
        "type": "Counter",
        "description": "log lines reporting a database permission error",
        "config": {"match_all": True, "action": "inc"},
    }
    pipeline = [
        {"docker": {}},
        {"json": {"expressions": {field: field for field in (*LOG_FIELDS, "message")}}},
        {"labels": {label: None for label in LOG_LABELS}},
        {
            "match": {
                "selector": selector,
                "stages": [{"metrics": {"db_permission_denied_total": counter}}],
            }
        },
    ]
    data = {
        "server": {"http_listen_port": 9080, "grpc_listen_port": 0},
        "positions": {"filename": "/tmp/positions.yaml"},
        "clients": [{"url": "http://loki:3100/loki/api/v1/push"}],
        "scrape_configs": [
            {
                "job_name": "containers",
                "docker_sd_configs": [{"host": "unix:///var/run/docker.sock"}],
                "relabel_configs": [
                    {
                        "source_labels": [
                            "__meta_docker_container_label_com_docker_compose_service"
                        ],
                        "target_label": "service",
                    }
                ],
                "pipeline_stages": pipeline,
            }
        ],
    }
    header = (
        "Promtail: every container logs one JSON object per line to stdout with the fields"
        f"\n{', '.join(LOG_FIELDS)}; Loki indexes {', '.join(LOG_LABELS)} as labels (ELK: map"
        "\nthe same fields as keywords). Database permission errors become a counter for"
        "\nthe go/no-go alert rules."
    )
    return dump_yaml(data, header)


def _panel(panel_id: int, title: str, exprs: list[tuple[str, str]], x: int, y: int) -> dict:
    return {
        "id": panel_id,
        "type": "timeseries",
        "title": title,
        "datasource": {"type": "prometheus", "uid": "${datasource}"},
        "gridPos": {"h": 8, "w": 12, "x": x, "y": y},
        "targets": [
            {
                "refId": chr(ord("A") + index),
                "datasource": {"type": "prometheus", "uid": "${datasource}"},
                "expr": expr,
                "legendFormat": legend,
            }
            for index, (expr, legend) in enumerate(exprs)
        ],
        "fieldConfig": {"defaults": {}, "overrides": []},
        "options": {},
    }


def dashboard_exprs(wave: WaveSpec) -> list[tuple[str, list[tuple[str, str]]]]:
    """The dashboard's panels as (title, [(PromQL, legend)]), for the renderer and the tests."""
    names = ["monolith", *(s.slug for s in wave.live)]
    selector = 'service=~"' + "|".join(names) + '"'
    return [
        (
            "Facade traffic split (requests/s by backend)",
            [(f"sum by (service) (rate({REQUESTS}{{{selector}}}[5m]))", "{{service}}")],
        ),
        (
            "Errors (5xx ratio by backend)",
            [
                (
                    f'sum by (service) (rate({REQUESTS}{{{selector},status=~"5.."}}[5m]))'
                    f" / sum by (service) (rate({REQUESTS}{{{selector}}}[5m]))",
                    "{{service}}",
                )
            ],
        ),
        (
            "Latency (p95 by backend, seconds)",
            [
                (
                    "histogram_quantile(0.95, sum by (service, le)"
                    f" (rate({DURATION}{{{selector}}}[5m])))",
                    "{{service}}",
                )
            ],
        ),
        (
            "Saturation (CPU cores and memory by service)",
            [
                (
                    "sum by (container) (rate(container_cpu_usage_seconds_total"
                    f'{{namespace="{NAMESPACE}"}}[5m]))',
                    "cpu {{container}}",
                ),
                (
                    "sum by (container) (container_memory_working_set_bytes"
                    f'{{namespace="{NAMESPACE}"}}) / 1e9',
                    "memory GB {{container}}",
                ),
            ],
        ),
    ]


def render_dashboard(wave: WaveSpec) -> str:
    """`monitoring/grafana/wave-<n>.json`: a Grafana dashboard (JSON model) of the wave."""
    panels = [
        _panel(index + 1, title, exprs, 12 * (index % 2), 8 * (index // 2))
        for index, (title, exprs) in enumerate(dashboard_exprs(wave))
    ]
    panels.append(
        {
            "id": len(panels) + 1,
            "type": "alertlist",
            "title": f"Go/no-go alerts of wave {wave.number}",
            "datasource": {"type": "prometheus", "uid": "${datasource}"},
            "gridPos": {"h": 8, "w": 24, "x": 0, "y": 8 * ((len(panels) + 1) // 2)},
            "options": {"alertInstanceLabelFilter": f'{{wave="{wave.number}"}}'},
        }
    )
    data = {
        "uid": f"strangler-wave-{wave.number}",
        "title": f"Strangler wave {wave.number}: {', '.join(s.slug for s in wave.new)}",
        "tags": ["strangler", f"wave-{wave.number}"],
        "timezone": "utc",
        "schemaVersion": GRAFANA_SCHEMA_VERSION,
        "version": 1,
        "editable": True,
        "time": {"from": "now-6h", "to": "now"},
        "refresh": "1m",
        "templating": {
            "list": [
                {
                    "name": "datasource",
                    "label": "Prometheus",
                    "type": "datasource",
                    "query": "prometheus",
                }
            ]
        },
        "annotations": {"list": []},
        "panels": panels,
    }
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def mttr(rerouted: bool, split: bool) -> str:
    """The time-to-recover target of a step, from what its rollback has to do."""
    if split:
        return "60 minutes (the service's writes to split tables are replayed first)"
    if rerouted:
        return "15 minutes (the facade's routes go back to the monolith: a config reload)"
    return "15 minutes (the feature flag goes back to the in-process code path)"


def _split(spec: ServiceSpec) -> bool:
    return any(t.pattern == "split_table" for t in spec.tables)


def render_slo(wave: WaveSpec) -> str:
    """`monitoring/slo/wave-<n>.md`: SLIs, SLOs and the MTTR target of each step of the wave."""
    out = [f"# Wave {wave.number}: service levels of each step", ""]
    for spec in wave.new:
        out += [f"## {spec.name}", ""]
        out += ["| SLI | SLO (go/no-go) | alert |", "|---|---|---|"]
        for m in monitors(spec):
            alert = f"`{m.alert}`" if m.alert else "manual check"
            out.append(f"| {m.kind} | {m.check} | {alert} |")
        out += [
            "",
            f"MTTR target: {mttr(bool(spec.reroute), _split(spec))}.",
            "",
            f"Rollback: {spec.rollback}.",
            "",
        ]
    return "\n".join(out)


def render_gate(delivery: Delivery, wave: WaveSpec) -> str:
    """`wave-<n>/go-no-go.sh`: the deploy gate every CI runs against the deployed environment."""
    paths = sorted({p for spec in wave.new for p in smoke_paths(wave, spec)})
    out = [
        "#!/bin/sh",
        f"# Go/no-go gate of wave {wave.number} ({delivery.profile.name} profile). Usage:",
        "#   go-no-go.sh FACADE_URL   (PROMETHEUS_URL set: the wave's alert rules are checked too)",
        "# The plan's checks for this wave:",
    ]
    for spec in wave.new:
        out += [f"#   {spec.slug}: {m.check}" for m in monitors(spec)]
    out += [
        "set -eu",
        'facade="${1:?usage: go-no-go.sh FACADE_URL}"',
        "status() {",
        "  if command -v curl >/dev/null 2>&1; then",
        "    curl --silent --output /dev/null --max-time 10 --write-out '%{http_code}' \"$1\"",
        "  else",
        '    wget --server-response --quiet --timeout 10 --output-document /dev/null "$1" 2>&1'
        " | awk '/HTTP\\//{code=$2} END{print code}'",
        "  fi",
        "}",
        'code=$(status "$facade/healthz")',
        '[ "$code" = 200 ] || { echo "no-go: the facade answers $code on /healthz"; exit 1; }',
    ]
    for path in paths:
        out += [
            f'code=$(status "$facade{path}")',
            f'[ "${{code:-0}}" -ge 200 ] && [ "$code" -lt 500 ]'
            f' || {{ echo "no-go: {path} answers $code"; exit 1; }}',
        ]
    query = f'ALERTS{{alertstate="firing",wave="{wave.number}"}}'
    out += [
        'if [ -n "${PROMETHEUS_URL:-}" ]; then',
        f"  answer=$(curl --silent --fail --get --data-urlencode 'query={query}'"
        ' "$PROMETHEUS_URL/api/v1/query")',
        '  case "$answer" in',
        "    *'\"result\":[]'*) ;;",
        '    *) echo "no-go: go/no-go alerts are firing: $answer"; exit 1;;',
        "  esac",
        "else",
        '  echo "PROMETHEUS_URL unset: check the wave\'s go/no-go list by hand"',
        "fi",
        f'echo "go: wave {wave.number}"',
        "",
    ]
    return "\n".join(out)
