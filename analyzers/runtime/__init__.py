"""Runtime and build facts of the analyzed repository, each with its evidence (file:line).

What the scaffold needs to build and run the monolith and its extracted services without
reading the disk again: the Python version and build system, the dependency manifests, the
environment variables the code reads (database URL, port, secrets), the port it listens on, its
application object and health routes; per Java module the release, packaging, plugins and
artifacts, and the Spring configuration keys set from the environment.
"""

from __future__ import annotations

from pathlib import Path

from analyzers.facts import BuildFact, Endpoint, Facts, Unit
from analyzers.runtime.python import python_code, python_files, python_frameworks

__all__ = ["HEALTH_PATHS", "analyze_build"]

HEALTH_PATHS = frozenset(
    {"/health", "/healthz", "/health/", "/healthcheck", "/status", "/ping", "/ready", "/live"}
)


def analyze_build(root: Path, *code: Facts, cache_dir: Path | None = None) -> Facts:
    """The build facts of `root`, given the code facts (units, endpoints) already found (with a
    `cache_dir`, a source file unchanged since the last run is not read again)."""
    units: list[Unit] = [u for part in code for u in part.units]
    endpoints: list[Endpoint] = [e for part in code for e in part.endpoints]
    found: list[BuildFact] = []
    if any(u.language == "python" for u in units) or not units:
        files = python_files(root)
        found += files + python_frameworks(files) + python_code(root, units, cache_dir)
    if any(u.language == "java" for u in units) or not units:
        from analyzers.runtime.java import java_build  # XML and YAML readers: Java trees only

        found += java_build(root)
    found += [
        BuildFact("health", e.path, "", "", (e.evidence,))
        for e in endpoints
        if (e.path.rstrip("/") or "/").lower() in HEALTH_PATHS
        and e.method.upper() in ("GET", "ANY", "*")
    ]
    return Facts(root=str(root), build=tuple(found))
