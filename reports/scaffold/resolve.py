"""Checks that a service's requirements install on its base image, with pip's own resolver.

`pip install --dry-run --only-binary=:all: --python-version X --platform manylinux...` asks the
configured package index whether every pin has a wheel for the image's Python and platform
(slim images have no compiler or `pg_config`). When a pin has none, the smallest fix is the
lowest newer release that has one; when that does not resolve either, an older Python image
whose wheels the pins have. No index reachable: the check is reported as not done.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from reports.scaffold.model import PYTHON_IMAGES, Runtime

PLATFORMS = ("manylinux2014_x86_64", "manylinux_2_17_x86_64", "manylinux_2_28_x86_64")
_NO_MATCH = re.compile(
    r"Could not find a version that satisfies the requirement (\S+?)(==[^\s(]+)?"
    r" \(from versions: ([^)]*)\)"
)
_OFFLINE = re.compile(
    r"NewConnectionError|Max retries exceeded|Network is unreachable|Temporary failure in name"
    r"|ConnectTimeout|ProxyError|Could not fetch URL|No route to host",
)


@dataclass(frozen=True)
class Resolution:
    """The outcome of the check: the requirement lines to use, the Python, what was done."""

    requirements: tuple[str, ...]
    python: str
    checked: bool
    notes: tuple[str, ...]


Resolver = Callable[[tuple[str, ...], str], Resolution]


def pip_dry_run(lines: tuple[str, ...], python: str, timeout: float = 300) -> tuple[bool, str]:
    """(installs, pip's output) for `lines` on CPython `python`, manylinux x86-64, wheels only."""
    with tempfile.TemporaryDirectory(prefix="planner-pip-") as tmp:
        requirements = Path(tmp) / "requirements.txt"
        requirements.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
        command = [
            sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed",
            "--only-binary=:all:", "--python-version", python, "--implementation", "cp",
            *(a for p in PLATFORMS for a in ("--platform", p)),
            "--target", str(Path(tmp) / "target"), "--no-input", "--quiet",
            "--disable-pip-version-check", "-r", str(requirements),
        ]  # fmt: skip
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=timeout, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            return False, f"pip could not run: {error}"
    return done.returncode == 0, done.stdout + done.stderr


def _smallest_newer(pinned: str, available: str) -> str | None:
    """The lowest final release in pip's "from versions" list newer than `pinned`."""
    from packaging.version import InvalidVersion, Version

    try:
        floor = Version(pinned)
    except InvalidVersion:
        return None
    newer = []
    for text in (v.strip() for v in available.split(",")):
        try:
            version = Version(text)
        except InvalidVersion:
            continue
        if version > floor and not version.is_prerelease:
            newer.append(version)
    return str(min(newer)) if newer else None


def resolve(
    lines: tuple[str, ...], python: str, run: Callable[..., tuple[bool, str]] = pip_dry_run
) -> Resolution:
    """Check `lines` on `python`, fixing pins without a wheel; else try older Pythons."""
    current = list(lines)
    notes: list[str] = []
    for _ in range(len(lines) + 1):
        ok, output = run(tuple(current), python)
        if ok:
            verdict = (
                f"checked with pip's resolver: every requirement has a wheel for Python {python}"
                " on manylinux x86-64 (`pip install --dry-run --only-binary=:all:`)"
            )
            return Resolution(tuple(current), python, True, (verdict, *notes))
        if _OFFLINE.search(output):
            return Resolution(
                lines,
                python,
                False,
                ("not checked: no package index was reachable; run `planner scaffold` again"
                 " with network access, or `pip install --dry-run` in the image",),
            )  # fmt: skip
        match = _NO_MATCH.search(output)
        fixed = _smallest_newer(match[2][2:], match[3]) if match and match[2] else None
        if match is None or fixed is None:
            break
        name = match[1]
        index = next(
            (i for i, line in enumerate(current) if line.lower().startswith(name.lower() + "==")),
            None,
        )
        if index is None:
            break
        notes.append(
            f"`{current[index]}` has no wheel for Python {python}: pinned to `{name}=={fixed}`,"
            " the lowest release that has one (read its changelog before wave 1)"
        )
        current[index] = f"{name}=={fixed}"
    for older in sorted(PYTHON_IMAGES, key=lambda v: tuple(map(int, v.split("."))), reverse=True):
        if tuple(map(int, older.split("."))) >= tuple(map(int, python.split("."))):
            continue
        ok, _ = run(lines, older)
        if ok:
            note = (
                f"the pins do not install on Python {python} and no newer wheel fixes them:"
                f" the base image is Python {older}, where they all have wheels"
            )
            return Resolution(lines, older, True, (note,))
    reason = (output.strip().splitlines() or ["pip failed"])[-1][:300]
    return Resolution(
        lines,
        python,
        True,
        (f"pip's resolver could not install these requirements on Python {python}: {reason}."
         " Fix the pins before building",),
    )  # fmt: skip


@functools.lru_cache(maxsize=32)
def _cached(lines: tuple[str, ...], python: str) -> Resolution:
    return resolve(lines, python)


def pip_resolver() -> Resolver:
    """The resolver `planner scaffold` uses: real pip, one run per distinct requirement set."""
    return _cached


def apply_resolution(runtime: Runtime, lines: tuple[str, ...], resolver: Resolver) -> Runtime:
    """`runtime` with its requirements.txt, Python and notes as the resolver's check gives them
    (unchanged for poetry/pipenv, whose lock files pip cannot check here: noted)."""
    if runtime.language != "python":
        return runtime
    if runtime.manager not in ("requirements", "pyproject") or not lines:
        note = f"requirements not checked with pip ({runtime.manager}): check them in the image"
        return dataclasses.replace(runtime, notes=(*runtime.notes, note))
    result = resolver(lines, runtime.python)
    copied = []
    for name, text in runtime.copied:
        if name == "requirements.txt" and isinstance(text, str):
            text = _rewrite(text, dict(zip(lines, result.requirements, strict=True)))
        copied.append((name, text))
    source = runtime.python_source
    if result.python != runtime.python:
        source = "older image: the pins have no wheels for " + runtime.python
    return dataclasses.replace(
        runtime,
        copied=tuple(copied),
        python=result.python,
        python_source=source,
        notes=(*runtime.notes, *result.notes),
    )


def _rewrite(text: str, changes: dict[str, str]) -> str:
    out = []
    for line in text.splitlines():
        key = line.split(" #", 1)[0].strip()
        if key in changes and changes[key] != key:
            line = f"{changes[key]}  # was {key}: no wheel for the base image's Python"
        out.append(line)
    return "\n".join(out) + ("\n" if text.endswith("\n") else "")


__all__ = ["Resolution", "Resolver", "apply_resolution", "pip_resolver", "resolve"]
