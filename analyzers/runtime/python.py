"""Python runtime and build facts: version, build system, manifests, env vars, port, entry point."""

from __future__ import annotations

import functools
import re
import tomllib
from pathlib import Path

from analyzers.cache import source_salt
from analyzers.facts import BuildFact, Evidence, Unit
from analyzers.redact import redact_text, redaction_rules
from analyzers.runtime import common
from analyzers.runtime.common import MAX_FILE, env_purpose, evidence, fact, line_of, read
from analyzers.textcache import per_file

DEV_REQUIREMENTS = ("requirements-dev.txt", "dev-requirements.txt", "requirements_dev.txt")
MANIFESTS = ("pyproject.toml", "poetry.lock", "Pipfile", "Pipfile.lock")
FRAMEWORKS = {"flask": "flask", "fastapi": "fastapi", "django": "django"}

_ENV_READ = re.compile(
    r"""(?:os\.environ\.get|os\.getenv|environ\.get|getenv|os\.environ\.setdefault"""
    r"""|env\.(?:str|int|bool|url|db_url)|env|config)\(\s*['"]([A-Z][A-Z0-9_]{1,80})['"]"""
    r"""|(?:os\.)?environ\[\s*['"]([A-Z][A-Z0-9_]{1,80})['"]\s*\]"""
)
_PORT_CALL = re.compile(r"\.run\([^)\n]*\bport\s*=\s*(\d{2,5})")
_BIND = re.compile(r"(?:--bind|-b)[ =]['\"]?(?:[\w.]*):(\d{2,5})|\bEXPOSE\s+(\d{2,5})")
_APP = re.compile(r"^(\w+)\s*=\s*(Flask|FastAPI|get_wsgi_application|get_asgi_application)\(", re.M)
_FROM_PYTHON = re.compile(
    r"^\s*FROM\s+(?:docker\.io/)?(?:library/)?python:(\d+\.\d+(?:\.\d+)?)", re.M
)
_REQUIREMENT = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*(.*)$")


def requirement_name(line: str) -> str:
    """The normalised project name of a requirement line (`Flask==2.0` -> `flask`), or ""."""
    match = _REQUIREMENT.match(line.strip())
    return re.sub(r"[-_.]+", "-", match[1]).lower() if match else ""


def _requirement_files(root: Path) -> list[str]:
    try:
        found = sorted(p.name for p in root.glob("requirements*.txt"))
    except OSError:
        return []
    return found


def _toml(text: str | None) -> dict:
    if not text:
        return {}
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return {}


def python_files(root: Path) -> list[BuildFact]:
    """The dependency manifests at the root, each line of the chosen requirements file, the
    build system and the Python version the project declares."""
    out: list[BuildFact] = []
    texts: dict[str, str] = {}
    for name in [*_requirement_files(root), *MANIFESTS]:
        text = read(root, root / name)
        if text is not None:
            texts[name] = text
            out.append(fact("file", name, evidence=(evidence(name, 1, ""),), text=text))
    main = [n for n in texts if n.startswith("requirements") and n not in DEV_REQUIREMENTS]
    pyproject = _toml(texts.get("pyproject.toml"))
    tool = pyproject.get("tool", {}) if isinstance(pyproject.get("tool"), dict) else {}
    project = pyproject.get("project", {}) if isinstance(pyproject.get("project"), dict) else {}
    system, source = "", ""
    if main:
        source = "requirements.txt" if "requirements.txt" in main else main[0]
        system = "requirements"
    elif "poetry" in tool:
        system, source = "poetry", "pyproject.toml"
    elif "Pipfile" in texts:
        system, source = "pipenv", "Pipfile"
    elif isinstance(project.get("dependencies"), list) and project["dependencies"]:
        system, source = "pyproject", "pyproject.toml"
    if system:
        out.append(fact("build_system", system, evidence=(evidence(source, 1, ""),)))
    if system == "requirements":
        out += _requirement_lines(source, texts[source])
    elif system == "pyproject":
        text = texts["pyproject.toml"]
        for dep in sorted(str(d) for d in project["dependencies"]):
            line = line_of(text, dep)
            out.append(fact("requirement", dep, evidence=(evidence("pyproject.toml", line, dep),)))
    out += _python_versions(root, texts, pyproject)
    return out


def _requirement_lines(name: str, text: str) -> list[BuildFact]:
    out = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith(("#", "-")):
            continue
        out.append(fact("requirement", line, evidence=(evidence(name, number, raw.strip()),)))
    return out


def _python_versions(root: Path, texts: dict[str, str], pyproject: dict) -> list[BuildFact]:
    out: list[BuildFact] = []
    for name in (".python-version", "runtime.txt"):
        text = read(root, root / name)
        first = (text or "").strip().splitlines()[:1]
        if first:
            value = first[0].strip().removeprefix("python-")
            if re.fullmatch(r"\d+\.\d+(\.\d+)?", value):
                out.append(fact("python_version", value, evidence=(evidence(name, 1, first[0]),)))
    project = pyproject.get("project", {})
    spec = project.get("requires-python") if isinstance(project, dict) else None
    if isinstance(spec, str) and spec.strip():
        line = line_of(texts.get("pyproject.toml", ""), "requires-python")
        out.append(
            fact("python_version", spec.strip(), evidence=(evidence("pyproject.toml", line, ""),))
        )
    poetry = (
        pyproject.get("tool", {}).get("poetry", {})
        if isinstance(pyproject.get("tool"), dict)
        else {}
    )
    deps = poetry.get("dependencies", {}) if isinstance(poetry, dict) else {}
    if isinstance(deps, dict) and isinstance(deps.get("python"), str):
        line = line_of(texts.get("pyproject.toml", ""), "python =")
        out.append(
            fact("python_version", deps["python"], evidence=(evidence("pyproject.toml", line, ""),))
        )
    pipfile = _toml(texts.get("Pipfile"))
    requires = pipfile.get("requires", {}) if isinstance(pipfile.get("requires"), dict) else {}
    for key in ("python_full_version", "python_version"):
        if isinstance(requires.get(key), str):
            line = line_of(texts["Pipfile"], key)
            out.append(
                fact("python_version", requires[key], evidence=(evidence("Pipfile", line, ""),))
            )
            break
    dockerfile = read(root, root / "Dockerfile")
    match = _FROM_PYTHON.search(dockerfile or "")
    if match and dockerfile is not None:
        line = dockerfile.count("\n", 0, match.start()) + 1
        out.append(
            fact(
                "python_version",
                match[1],
                evidence=(evidence("Dockerfile", line, match[0].strip()),),
            )
        )
    return out


CodeRead = tuple[str, str, int, str]
"""What one source file says about its runtime: kind (`env`, `port` or `app`), value (a
variable's name, a port, an application object's name), line and the line's text (redacted)."""


def python_code(root: Path, units: list[Unit], cache_dir: Path | None = None) -> list[BuildFact]:
    """What the Python code reads from the environment, the port it runs on, its app object
    (with a `cache_dir`, a file unchanged since the last run is not read again)."""
    code = [u for u in units if u.language == "python" and u.role == "code"]
    found = per_file(
        root,
        {u.path: "python" for u in code},
        _code_reads,
        tuple[CodeRead, ...],
        name="build",
        salt=_salt(),
        cache_dir=cache_dir,
        limit=MAX_FILE,
    )
    out: list[BuildFact] = []
    for unit in code:
        for kind, value, line, snippet in found.get(unit.path, ()):
            where = (evidence(unit.path, line, snippet),)
            if kind == "env":
                out.append(fact("env", value, purpose=env_purpose(value), evidence=where))
            elif kind == "port":
                out.append(fact("port", value, evidence=where))
            else:
                out.append(fact("entrypoint", f"{unit.id}:{value}", evidence=where))
    for name in ("Procfile", "Dockerfile", "gunicorn.conf.py"):
        text = read(root, root / name)
        for match in _BIND.finditer(text or ""):
            assert text is not None
            out.append(fact("port", match[1] or match[2], evidence=(_seen(name, text, match),)))
    return out


def _code_reads(_tag: str, _rel: str, text: str) -> tuple[CodeRead, ...]:
    """The environment variables one file reads, the ports it runs on and its app objects."""
    out: list[CodeRead] = []
    lines: list[str] = []

    def read(kind: str, value: str, match: re.Match[str]) -> None:
        if not lines:
            lines.extend(text.splitlines())
        line = text.count("\n", 0, match.start()) + 1
        snippet = lines[line - 1].strip() if line <= len(lines) else ""
        out.append((kind, value, line, redact_text(snippet)[:200]))

    if "environ" in text or "getenv" in text or "env(" in text or "config(" in text:
        for match in _ENV_READ.finditer(text):
            read("env", match[1] or match[2], match)
    for match in _PORT_CALL.finditer(text):
        read("port", match[1], match)
    for match in _APP.finditer(text):
        read("app", match[1], match)
    return tuple(out)


@functools.cache
def _salt() -> str:
    """The version of what `_code_reads` makes: these modules' source and the redaction rules."""
    return source_salt(__file__, common.__file__) + redaction_rules()


def _seen(path: str, text: str, match: re.Match[str]) -> Evidence:
    line = text.count("\n", 0, match.start()) + 1
    snippet = text.splitlines()[line - 1].strip() if text else ""
    return evidence(path, line, redact_text(snippet)[:200])


def python_frameworks(facts: list[BuildFact]) -> list[BuildFact]:
    """The web framework the requirements name (`Flask==2.0.3` -> flask)."""
    out = []
    for item in facts:
        if item.kind == "requirement":
            name = FRAMEWORKS.get(requirement_name(item.value))
            if name:
                out.append(fact("framework", name, evidence=item.evidence))
    return out
