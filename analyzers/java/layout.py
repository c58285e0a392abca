"""Java source layout: Maven/Gradle source sets, build directories to skip, and file roles."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from analyzers.facts import UnitRole
from analyzers.walk import BUILD_DIRS, VENDORED_DIRS, classify_role

_SOURCE_SET = re.compile(r"(?:^|/)src/([^/]+)/java/")
_TEST_SET = re.compile(r"test|^it$", re.IGNORECASE)
_TEST_FILE = re.compile(r"^(?:.*Tests?|Test.*|.*IT|.*TestCase)\.java$")


def in_build_dir(rel: str) -> bool:
    """True when a path lies under a build output directory (`target/`, `.gradle/`, `out/`)."""
    dirs = PurePosixPath(rel).parts[:-1]
    if "src" in dirs:
        dirs = dirs[: dirs.index("src")]
    return any(part in BUILD_DIRS for part in dirs)


def has_maven_layout(rels: list[str]) -> bool:
    """True when any Java file sits under a `src/<set>/java/` source root."""
    return any(_SOURCE_SET.search(rel) for rel in rels)


def in_source_root(rel: str, maven: bool) -> bool:
    """Whether a Java file belongs to the analyzed sources.

    With a Maven/Gradle layout only `*/src/<set>/java/` counts (so archetype templates, samples
    in docs and the like are left out); without one every Java file does.
    """
    return not maven or _SOURCE_SET.search(rel) is not None


def java_role(rel: str) -> UnitRole:
    """The role of a Java file: its source set decides (`src/test/java` is test), else the path."""
    parts = PurePosixPath(rel).parts
    if any(d in VENDORED_DIRS for d in parts[:-1]):
        return "vendored"
    match = _SOURCE_SET.search(rel)
    if match:
        source_set = match.group(1)
        if source_set == "main":
            return "code"
        return "test" if _TEST_SET.search(source_set) else "script"
    role = classify_role(rel)
    if role == "code" and _TEST_FILE.match(parts[-1]):
        return "test"
    return role
