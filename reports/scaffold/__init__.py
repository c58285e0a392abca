"""Writes container scaffolding for each extracted service and each strangler wave.

Layout under `out/`:

    <service>/Dockerfile, .dockerignore, README.md, requirements*.txt (or poetry/pipenv files;
              for Java: pom.xml and parent-poms/, or the Gradle build files; mvnw/gradlew)
    wave-<n>/compose.dev.yml, compose.prod.yml, nginx/facade.conf, .env.dev.example,
             .env.prod.example
    .github/workflows/<service>.yml
    with a delivery path (`--profile`, `--ci`, `--registry`): .gitlab-ci.yml or
    <service>/Jenkinsfile instead, wave-<n>/go-no-go.sh, kubernetes/ (kustomize base, services,
    an overlay per wave), monitoring/ (Prometheus, rules, Grafana, promtail, SLOs), delivery.json

Everything is deterministic (sorted, no timestamps) and passes `analyzers.containers`' linter.

`plan_files` and `write_scaffold` (in files.py) are imported on first use, so a command that
needs only one module here (the profiles' names, a scaffold's plan record) does not load every
renderer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reports.scaffold.files import plan_files, write_scaffold

__all__ = ["plan_files", "write_scaffold"]


def __getattr__(name: str) -> object:
    if name in __all__:
        from reports.scaffold import files

        return getattr(files, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
