"""Detects a service's runtime: Python (requirements, poetry, pipenv) or Java (Maven, Gradle)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from analyzers.walk import inside, read_text_inside
from reports.scaffold.java_runtime import detect_java_runtime
from reports.scaffold.model import PYTEST, Runtime

_MAX_COPY = 5_000_000  # bytes: a dependency manifest or lock file is far smaller
_DEV_NAMES = ("requirements-dev.txt", "dev-requirements.txt", "requirements_dev.txt")


def _read(root: Path, path: Path) -> str | None:
    """A file of the monolith, or None when missing or resolving outside `root` (symlinks)."""
    return read_text_inside(root, path, _MAX_COPY)


def _requirements_files(root: Path) -> list[Path]:
    try:
        found = sorted(root.glob("requirements*.txt"))
    except OSError:
        return []
    return [p for p in found if inside(root, p) and p.is_file()]


def _toml(root: Path) -> dict:
    text = _read(root, root / "pyproject.toml")
    if text is None:
        return {}
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return {}


def detect_service_runtime(
    root: Path, framework: str, language: str = "python", paths: tuple[str, ...] = ()
) -> Runtime:
    """The runtime of one service: Java services build with the monolith's Maven/Gradle module
    holding their classes (`paths`), Python services with its dependency manifest."""
    if language == "java":
        return detect_java_runtime(root, paths, framework)
    return detect_runtime(root, framework)


def detect_runtime(root: Path, framework: str) -> Runtime:
    """How a Python service installs what it needs, copying the monolith's manifest files."""
    asgi = framework == "fastapi"
    dev = _dev_requirements(root)
    requirements = [p for p in _requirements_files(root) if p.name not in _DEV_NAMES]
    main = root / "requirements.txt"
    if requirements:
        chosen = main if main in requirements else requirements[0]
        text = _header(chosen.name) + (_read(root, chosen) or "")
        return Runtime(
            "requirements",
            (("requirements.txt", text), ("requirements-dev.txt", dev)),
            chosen.name,
            framework,
            asgi,
        )
    pyproject = _toml(root)
    tool = pyproject.get("tool", {})
    if isinstance(tool, dict) and "poetry" in tool:
        copied = [("pyproject.toml", _read(root, root / "pyproject.toml") or "")]
        lock = _read(root, root / "poetry.lock")
        if lock is not None:
            copied.append(("poetry.lock", lock))
        copied.append(("requirements-dev.txt", dev))
        return Runtime("poetry", tuple(copied), "pyproject.toml (poetry)", framework, asgi)
    if _read(root, root / "Pipfile") is not None:
        copied = [("Pipfile", _read(root, root / "Pipfile") or "")]
        lock = _read(root, root / "Pipfile.lock")
        if lock is not None:
            copied.append(("Pipfile.lock", lock))
        copied.append(("requirements-dev.txt", dev))
        return Runtime("pipenv", tuple(copied), "Pipfile", framework, asgi)
    project = pyproject.get("project", {})
    deps = project.get("dependencies") if isinstance(project, dict) else None
    if isinstance(deps, list) and deps:
        text = _header("pyproject.toml [project.dependencies]") + "".join(
            f"{d}\n" for d in sorted(str(d) for d in deps)
        )
        return Runtime(
            "pyproject",
            (("requirements.txt", text), ("requirements-dev.txt", dev)),
            "pyproject.toml",
            framework,
            asgi,
        )
    text = (
        "# No dependency manifest was found in the monolith: list what this service imports,\n"
        "# pinned to the versions the monolith runs today (`pip freeze` in its environment).\n"
    )
    if framework in {"flask", "fastapi", "django"}:
        text += f"{framework}  # pin me: the version the monolith uses\n"
    return Runtime(
        "none",
        (("requirements.txt", text), ("requirements-dev.txt", dev)),
        "nothing found",
        framework,
        asgi,
    )


def _header(source: str) -> str:
    return (
        f"# Copied from the monolith's {source}: trim it to what this service imports.\n"
        "# Keep every line pinned (==) so builds are reproducible.\n"
    )


def _dev_requirements(root: Path) -> str:
    for name in _DEV_NAMES:
        text = _read(root, root / name)
        if text is not None:
            lines = [ln for ln in text.splitlines() if not ln.strip().startswith("-r")]
            return _header(name) + "\n".join(lines) + "\n"
    return f"# Development tools for the `development` image target only.\n{PYTEST}\n"
