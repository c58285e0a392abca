"""The rehearsal's requests through the facade and its report (JSON and a short table)."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass

from planner.rehearsal.facade import UPSTREAM_HEADER

GATEWAY_ERRORS = frozenset({502, 503, 504})  # 503 may be the app's own (a failing health)
_PARAM = re.compile(r"<[^>]*>|\{[^}]*\}|\(\?P<[^>]+>[^)]*\)")


@dataclass(frozen=True)
class Probe:
    """One endpoint sent through the facade: who should answer, who did, and the verdict."""

    method: str
    path: str
    url: str
    expected: str
    actual: str
    status: int
    ok: bool
    note: str = ""


@dataclass(frozen=True)
class Check:
    """One other fact the rehearsal checked (health, roles, grants, the interpreter used)."""

    name: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class Report:
    """Everything the rehearsal of one wave found."""

    wave: int
    probes: tuple[Probe, ...]
    checks: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        """Every endpoint served by the right upstream and every check passed."""
        return all(p.ok for p in self.probes) and all(c.ok for c in self.checks)


def concrete(path: str) -> str:
    """A request path for a route pattern: parameters become `1`, servlet wildcards a word."""
    if path.startswith("*."):
        return "/rehearsal" + path[1:]
    path = path.lstrip("^").rstrip("$")
    path = path[:-2] + "/rehearsal" if path.endswith("/*") else path
    path = _PARAM.sub("1", path)
    return path if path.startswith("/") else "/" + path


def first_method(method: str) -> str:
    """The method to send for an endpoint's method field (`ANY` and `*`: GET)."""
    words = [m for m in re.split(r"[\s,|/]+", method.upper()) if m]
    return next((m for m in words if m not in ("ANY", "*", "ALL")), "GET")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def send(base: str, method: str, path: str) -> tuple[int, str]:
    """(status, upstream address) of one request through the facade."""
    body = b"{}" if method in ("POST", "PUT", "PATCH") else None
    request = urllib.request.Request(base + path, data=body, method=method)
    if body is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with _OPENER.open(request, timeout=60) as response:
            return int(response.status), response.headers.get(UPSTREAM_HEADER, "")
    except urllib.error.HTTPError as exc:
        return int(exc.code), exc.headers.get(UPSTREAM_HEADER, "") if exc.headers else ""


def verdict(expected: str, actual: str, status: int) -> tuple[bool, str]:
    """Whether a probe passed, and why not."""
    if not actual:
        return False, "the facade answered itself (no upstream)"
    if actual != expected:
        return False, f"served by {actual}, expected {expected}"
    if status in GATEWAY_ERRORS and status != 503:
        return False, f"gateway error {status}"
    if status >= 500:  # the app's own error: routed right, its log says why (the checks
        return True, "app error"  # count permission-denied errors there)
    return True, ""


def to_json(report: Report) -> str:
    """The report as indented, key-sorted JSON."""
    data = {
        "wave": report.wave,
        "ok": report.ok,
        "probes": [asdict(p) for p in report.probes],
        "checks": [asdict(c) for c in report.checks],
    }
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def to_text(report: Report) -> str:
    """A short table: endpoint, expected upstream, actual, status; then the other checks."""
    rows = [("endpoint", "expected", "actual", "status")]
    rows += [
        (
            f"{p.method} {p.path}",
            p.expected,
            p.actual or "-",
            f"{p.status} {('ok ' if p.ok else 'FAIL ') + p.note}".strip(),
        )
        for p in report.probes
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = ["  ".join(r[i].ljust(widths[i]) for i in range(3)) + "  " + r[3] for r in rows]
    lines += [f"{'ok  ' if c.ok else 'FAIL'} {c.name}: {c.detail}" for c in report.checks]
    passed = sum(p.ok for p in report.probes)
    errors = sum(p.ok and p.status >= 500 for p in report.probes)
    lines.append(
        f"wave {report.wave}: {passed}/{len(report.probes)} endpoints routed to the right "
        f"upstream ({errors} answered with an app error), "
        f"{sum(c.ok for c in report.checks)}/{len(report.checks)} checks passed: "
        + ("PASS" if report.ok else "FAIL")
    )
    return "\n".join(lines) + "\n"
