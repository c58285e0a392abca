"""Lints a repository's Dockerfiles and compose files against container good practice.

Rules (one `Finding` per issue, pointing at the line where the instruction or key starts):

Dockerfiles
  DL001  FROM an image with the `latest` tag or no tag (`FROM scratch`, FROM an earlier stage,
         digests and unresolvable `${VAR}` images are accepted).
  DL002  a secret-looking ENV/ARG (PASSWORD, SECRET, TOKEN, API_KEY, ...; or a URL with a
         password) with a literal value. `*_FILE` names and `$VAR` values are accepted.
  DL003  the final stage runs as root: no USER, or USER root/0 (inherited through stages).
  DL004  the final stage has no HEALTHCHECK (or `HEALTHCHECK NONE`), inherited through stages.
  DL005  logs written to a file inside the container (CMD/ENTRYPOINT/ENV: `--log-file PATH`,
         `> /var/log/...`, `LOG_FILE=/...`, `logging.FileHandler`).
  DL006  ADD of a remote URL without `--checksum`.
  DL007  `apt-get install` without `rm -rf /var/lib/apt/lists/*` in the same RUN.
  DL008  `pip install` without `--no-cache-dir` (or PIP_NO_CACHE_DIR set).
  DL009  `apk add` without `--no-cache`.
  DL010  `npm install`/`npm ci`/`yarn install` without a cache clean in the same RUN.
  A RUN with a BuildKit cache mount (`--mount=type=cache`) keeps caches out of the layer and
  passes DL007-DL010.

Compose files
  DC000  the file is not valid YAML or not a mapping.
  DC001  an image with the `latest` tag, a `${VAR:-latest}` default, or no tag. Images whose
         last path segment is an unresolved variable (`${MONOLITH_IMAGE}`) are accepted.
  DC002  a secret-looking `environment` entry with a literal value (or a literal default).
  DC003  a service without CPU/memory limits (`deploy.resources.limits` or `mem_limit`/`cpus`).
  DC004  a service run from an image with no healthcheck (or `disable: true` / `NONE`).
         Services with `build:` are not flagged: their Dockerfile is linted for DL004 instead,
         and a compose healthcheck on them is welcome but not required.
  DC005  logs written to a file inside the container (environment or command, as DL005).
"""

from __future__ import annotations

import json
import os
import re
import shlex
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml

from analyzers.redact import redact_url
from analyzers.walk import SKIP_DIRS, inside


@dataclass(frozen=True, order=True)
class Finding:
    """One problem in one container file: where, which rule, what is wrong, what to do."""

    path: str
    line: int
    rule: str
    message: str
    fix: str


def lint_containers(root: Path) -> tuple[Finding, ...]:
    """Every finding in the Dockerfiles and compose files under `root`, sorted."""
    findings: list[Finding] = []
    for path in _container_files(root):
        rel = path.relative_to(root).as_posix()
        text = path.read_text(encoding="utf-8", errors="replace")
        if _is_dockerfile(path.name):
            findings.extend(lint_dockerfile(text, rel))
        else:
            findings.extend(lint_compose(text, rel))
    return tuple(sorted(set(findings)))


def render_findings(findings: tuple[Finding, ...] | list[Finding], as_json: bool) -> str:
    """Findings as text (`path:line: RULE message (fix: ...)`, one a line) or as a JSON list."""
    ordered = sorted(findings)
    if as_json:
        return json.dumps([asdict(f) for f in ordered], indent=2, ensure_ascii=False) + "\n"
    return "".join(f"{f.path}:{f.line}: {f.rule} {f.message} (fix: {f.fix})\n" for f in ordered)


# --- finding files ---------------------------------------------------------------------------


def _is_dockerfile(name: str) -> bool:
    lower = name.lower()
    return lower.startswith("dockerfile") or lower.endswith(".dockerfile")


def _is_compose(name: str) -> bool:
    lower = name.lower()
    return lower.endswith((".yml", ".yaml")) and lower.startswith(("docker-compose", "compose"))


def _regular_inside(root: Path, path: Path) -> bool:
    return path.is_file() and inside(root, path)


def _container_files(root: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if (_is_dockerfile(name) or _is_compose(name)) and _regular_inside(root, path):
                yield path


# --- shared checks ---------------------------------------------------------------------------

_SECRET_NAME = re.compile(
    r"(PASSW(OR)?D|PASSWD|PWD|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?)",
    re.IGNORECASE,
)
_ONLY_VARIABLE = re.compile(r"^\$(\w+|\{\w+(:?[?][^}]*)?\})$")
_VAR_DEFAULT = re.compile(r"\$\{\w+:?-([^}]*)\}")


def _secret_value_problem(name: str, value: str | None) -> str | None:
    """Why `name=value` bakes in a secret, or None when it does not."""
    if value is None:
        return None
    value = value.strip().strip("\"'")
    if redact_url(value) != value:
        return f"`{name}` holds a URL with a literal password"
    upper = name.upper()
    if not _SECRET_NAME.search(upper) or upper.endswith(("_FILE", "_PATH", "_DIR")):
        return None
    if not value or _ONLY_VARIABLE.match(value):
        return None
    defaults = _VAR_DEFAULT.findall(value)
    if value.startswith("${") and defaults and not any(defaults):
        return None
    if value.startswith("${") and defaults:
        return f"`{name}` falls back to a literal default secret"
    return f"`{name}` is set to a literal secret"


_LOG_FILE_FLAG = re.compile(
    r"--(?:log-file|logfile|access-logfile|error-logfile|log-path)(?:=|\s+)['\"]?([^\s'\"]+)"
)
_LOG_REDIRECT = re.compile(r"(?:>>?|\btee(?:\s+-a)?)\s*(/var/log/\S+|\S+\.log)\b")
_LOG_ENV = re.compile(r"^(LOG_?FILE|LOG_?PATH|LOGFILE|LOG_?FILENAME)$", re.IGNORECASE)
_STD_STREAMS = ("-", "/dev/stdout", "/dev/stderr", "/proc/self/fd/1", "/proc/self/fd/2")


def _log_file_problem(command: str) -> str | None:
    """Why a command writes logs to a file inside the container, or None."""
    for match in _LOG_FILE_FLAG.finditer(command):
        if match[1] not in _STD_STREAMS:
            return f"writes logs to the file `{match[1]}` inside the container"
    match = _LOG_REDIRECT.search(command)
    if match:
        return f"redirects output to the file `{match[1]}` inside the container"
    if re.search(r"\b(?:Rotating|TimedRotating|Watched)?FileHandler\b", command):
        return "configures a logging FileHandler inside the container"
    return None


def _log_env_problem(name: str, value: str | None) -> str | None:
    if value is None or not _LOG_ENV.match(name):
        return None
    value = value.strip().strip("\"'")
    if value.startswith("/") and value not in _STD_STREAMS:
        return f"`{name}` points logs at the file `{value}` inside the container"
    return None


def _tag_problem(image: str) -> str | None:
    """Why an image reference is not pinned, or None when it is (or cannot be told)."""
    if "@sha256:" in image or "@sha512:" in image:
        return None
    last = image.rsplit("/", 1)[-1]
    default = _VAR_DEFAULT.search(last)
    if default and default[1] == "latest":
        return f"image `{image}` falls back to the `latest` tag"
    if "$" in last.split(":", 1)[0]:
        return None
    if ":" not in last:
        return f"image `{image}` has no tag, so it means `latest`"
    if last.split(":", 1)[1] == "latest":
        return f"image `{image}` uses the `latest` tag"
    return None


FIX_TAG = "pin an exact version (e.g. python:3.12.7-slim-bookworm) or a digest, never latest"
FIX_SECRET = (
    "pass secrets at run time (compose `secrets:`, an orchestrator secret, or an env var "
    "injected by the deployment); never bake them into the image or the file"
)
FIX_LOGS = "log to stdout/stderr (e.g. `--log-file -`) and let the runtime collect the logs"


# --- Dockerfiles -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Instruction:
    """One Dockerfile instruction with its continuation lines joined."""

    line: int
    keyword: str
    args: str


def parse_dockerfile(text: str) -> list[Instruction]:
    """Instructions with the line they start on; continuations, comments and heredocs handled."""
    lines = text.splitlines()
    escape = "\\"
    for raw in lines:
        directive = re.match(r"^#\s*escape\s*=\s*(\S)\s*$", raw, re.IGNORECASE)
        if directive:
            escape = directive[1]
            break
        if not raw.startswith("#"):
            break
    out: list[Instruction] = []
    i = 0
    while i < len(lines):
        start, current = i, lines[i].strip()
        i += 1
        if not current or current.startswith("#"):
            continue
        parts: list[str] = []
        while current.endswith(escape) and i <= len(lines):
            parts.append(current[: -len(escape)])
            while i < len(lines) and (not lines[i].strip() or lines[i].lstrip().startswith("#")):
                i += 1
            if i >= len(lines):
                current = ""
                break
            current = lines[i].strip()
            i += 1
        parts.append(current)
        joined = " ".join(p.strip() for p in parts if p.strip())
        keyword, _, args = joined.partition(" ")
        heredoc = re.search(r"<<-?\s*['\"]?([A-Za-z_]\w*)['\"]?", args)
        if heredoc and keyword.upper() in {"RUN", "COPY", "ADD"}:
            body: list[str] = []
            while i < len(lines) and lines[i].strip() != heredoc[1]:
                body.append(lines[i])
                i += 1
            i += 1
            args = args + "\n" + "\n".join(body)
        out.append(Instruction(start + 1, keyword.upper(), args.strip()))
    return out


@dataclass
class _Stage:
    line: int
    name: str
    parent: str
    user: str | None = None
    healthcheck: bool | None = None
    instructions: list[Instruction] = field(default_factory=list)


def _split_stages(instructions: list[Instruction]) -> tuple[dict[str, str], list[_Stage]]:
    global_args: dict[str, str] = {}
    stages: list[_Stage] = []
    for ins in instructions:
        if ins.keyword == "FROM":
            words = [w for w in ins.args.split() if not w.startswith("--")]
            image = words[0] if words else ""
            name = words[2] if len(words) >= 3 and words[1].lower() == "as" else ""
            stages.append(_Stage(ins.line, name.lower(), image))
        elif stages:
            stages[-1].instructions.append(ins)
        elif ins.keyword == "ARG":
            key, _, value = ins.args.partition("=")
            global_args[key.strip()] = value.strip().strip("\"'")
    return global_args, stages


def _resolve_args(image: str, args: dict[str, str]) -> str:
    def sub(match: re.Match[str]) -> str:
        name = match[1] or match[2]
        return args.get(name) or match[0]

    return re.sub(r"\$\{(\w+)[^}]*\}|\$(\w+)", sub, image)


def _env_pairs(args: str) -> list[tuple[str, str | None]]:
    """KEY=value pairs of an ENV/ARG line (also the legacy `ENV KEY value` form)."""
    try:
        words = shlex.split(args, posix=True)
    except ValueError:
        words = args.split()
    if not words:
        return []
    if "=" not in words[0]:
        return [(words[0], " ".join(words[1:]) if len(words) > 1 else None)]
    pairs: list[tuple[str, str | None]] = []
    for word in words:
        key, sep, value = word.partition("=")
        pairs.append((key, value if sep else None))
    return pairs


def _exec_form_text(args: str) -> str:
    """A CMD/ENTRYPOINT argument as one command line (JSON exec form joined by spaces)."""
    if args.startswith("["):
        try:
            return " ".join(str(a) for a in json.loads(args))
        except (ValueError, TypeError):
            return args
    return args


def lint_dockerfile(text: str, path: str) -> list[Finding]:
    """The findings of one Dockerfile."""
    instructions = parse_dockerfile(text)
    global_args, stages = _split_stages(instructions)
    found: list[Finding] = []
    for ins in instructions:
        if ins.keyword in {"ENV", "ARG"}:
            found.extend(_check_env(ins, path))
        elif ins.keyword in {"CMD", "ENTRYPOINT"}:
            problem = _log_file_problem(_exec_form_text(ins.args))
            if problem:
                found.append(Finding(path, ins.line, "DL005", problem, FIX_LOGS))
        elif ins.keyword == "ADD":
            found.extend(_check_add(ins, path))
    names: set[str] = set()
    pip_env: dict[str, bool] = {}
    for stage in stages:
        image = _resolve_args(stage.parent, global_args)
        if image.lower() != "scratch" and image.lower() not in names:
            problem = _tag_problem(image)
            if problem:
                found.append(Finding(path, stage.line, "DL001", problem, FIX_TAG))
        if stage.name:
            names.add(stage.name)
        inherited = pip_env.get(stage.parent.lower(), False)
        stage_findings, pip_env[stage.name] = _check_stage(stage, path, inherited)
        found.extend(stage_findings)
    if stages:
        found.extend(_check_final_stage(stages, path))
    return found


def _check_env(ins: Instruction, path: str) -> Iterator[Finding]:
    for key, value in _env_pairs(ins.args):
        secret = _secret_value_problem(key, value)
        if secret:
            yield Finding(path, ins.line, "DL002", f"{ins.keyword} {secret}", FIX_SECRET)
        log = _log_env_problem(key, value) if ins.keyword == "ENV" else None
        if log:
            yield Finding(path, ins.line, "DL005", log, FIX_LOGS)


def _check_add(ins: Instruction, path: str) -> Iterator[Finding]:
    words = ins.args.split()
    if any(w.startswith("--checksum=") for w in words):
        return
    for word in words:
        if re.match(r"^(https?|ftp)://|^git@", word):
            yield Finding(
                path,
                ins.line,
                "DL006",
                f"ADD downloads the remote URL `{redact_url(word)}` unverified",
                "download with RUN curl/wget and verify a checksum, or use ADD --checksum=sha256:…",
            )
            return


_CACHE_MOUNT = re.compile(r"--mount=[^\s]*type=cache")


def _check_stage(stage: _Stage, path: str, pip_env: bool) -> tuple[list[Finding], bool]:
    """Package-cache findings of a stage's RUNs, and whether PIP_NO_CACHE_DIR is set at its end."""
    found: list[Finding] = []
    for ins in stage.instructions:
        if ins.keyword == "ENV" and any(k == "PIP_NO_CACHE_DIR" for k, _ in _env_pairs(ins.args)):
            pip_env = True
        if ins.keyword == "RUN" and not _CACHE_MOUNT.search(ins.args):
            found.extend(_check_run(ins, path, pip_env))
    return found, pip_env


def _check_run(ins: Instruction, path: str, pip_env: bool) -> Iterator[Finding]:
    cmd = ins.args
    if re.search(r"\bapt(?:-get)?\s+(?:[-\w=]+\s+)*install\b", cmd) and not re.search(
        r"rm\s+-[rf]{2}\s+/var/lib/apt/lists", cmd
    ):
        yield Finding(
            path,
            ins.line,
            "DL007",
            "apt-get install leaves the apt package lists in the layer",
            "end the same RUN with `&& rm -rf /var/lib/apt/lists/*` (and use "
            "--no-install-recommends)",
        )
    if (
        re.search(r"\bpip3?\s+(?:[-\w=]+\s+)*install\b", cmd)
        and "--no-cache-dir" not in cmd
        and not pip_env
    ):
        yield Finding(
            path,
            ins.line,
            "DL008",
            "pip install keeps its download cache in the layer",
            "add --no-cache-dir (or set ENV PIP_NO_CACHE_DIR=1)",
        )
    if re.search(r"\bapk\s+(?:[-\w=]+\s+)*add\b", cmd) and not (
        "--no-cache" in cmd or re.search(r"rm\s+-[rf]+\s+/var/cache/apk", cmd)
    ):
        yield Finding(
            path,
            ins.line,
            "DL009",
            "apk add keeps the package index in the layer",
            "use `apk add --no-cache`",
        )
    npm = re.search(r"\b(npm\s+(?:install|ci|i)|yarn\s+install)\b", cmd)
    if npm and not re.search(r"\b(npm|yarn)\s+cache\s+clean", cmd):
        yield Finding(
            path,
            ins.line,
            "DL010",
            f"`{npm[1]}` leaves its package cache in the layer",
            "run `npm cache clean --force` (or `yarn cache clean`) in the same RUN, or use a "
            "BuildKit cache mount",
        )


def _check_final_stage(stages: list[_Stage], path: str) -> Iterator[Finding]:
    final = stages[-1]
    user, healthcheck = _inherited(stages, len(stages) - 1)
    if user is None or user.split(":", 1)[0].strip() in {"root", "0"}:
        yield Finding(
            path,
            final.line,
            "DL003",
            "the final stage runs as root" + (" (USER root)" if user else " (no USER instruction)"),
            "create a user with a fixed UID (e.g. 10001) and switch to it with USER 10001",
        )
    if not healthcheck:
        yield Finding(
            path,
            final.line,
            "DL004",
            "the final stage has no HEALTHCHECK",
            'add HEALTHCHECK CMD ["python", "-c", "...urlopen(\'http://127.0.0.1:PORT/health\')"] '
            "(or curl/wget where the image has them)",
        )


def _inherited(stages: list[_Stage], index: int) -> tuple[str | None, bool]:
    """The USER and whether a HEALTHCHECK applies at the end of stage `index`."""
    stage = stages[index]
    user: str | None = None
    healthcheck = False
    earlier = {s.name: i for i, s in enumerate(stages[:index]) if s.name}
    parent = stage.parent.lower()
    if parent in earlier:
        user, healthcheck = _inherited(stages, earlier[parent])
    elif re.search(r"[:-]nonroot\b", parent):
        user = "nonroot"
    for ins in stage.instructions:
        if ins.keyword == "USER":
            user = ins.args.split()[0] if ins.args.split() else None
        elif ins.keyword == "HEALTHCHECK":
            healthcheck = ins.args.strip().upper() != "NONE"
    return user, healthcheck


# --- compose files ---------------------------------------------------------------------------

_Node = yaml.Node


def _mapping_items(node: _Node | None) -> list[tuple[_Node, _Node]]:
    """Key/value node pairs of a mapping, with `<<` merge keys flattened (own keys win)."""
    if not isinstance(node, yaml.MappingNode):
        return []
    own: list[tuple[_Node, _Node]] = []
    merged: list[tuple[_Node, _Node]] = []
    for key, value in node.value:
        if isinstance(key, yaml.ScalarNode) and key.value == "<<":
            sources = value.value if isinstance(value, yaml.SequenceNode) else [value]
            for source in sources:
                merged.extend(_mapping_items(source))
        else:
            own.append((key, value))
    names = {k.value for k, _ in own}
    return own + [(k, v) for k, v in merged if k.value not in names]


def _get(node: _Node | None, key: str) -> tuple[_Node, _Node] | None:
    return next(((k, v) for k, v in _mapping_items(node) if k.value == key), None)


def _scalar(node: _Node | None) -> str | None:
    return node.value if isinstance(node, yaml.ScalarNode) else None


def _line(node: _Node) -> int:
    return node.start_mark.line + 1


def _flat_text(node: _Node | None) -> str:
    if isinstance(node, yaml.ScalarNode):
        return str(node.value)
    if isinstance(node, yaml.SequenceNode):
        return " ".join(_flat_text(n) for n in node.value)
    return ""


def lint_compose(text: str, path: str) -> list[Finding]:
    """The findings of one compose file."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        problem = getattr(exc, "problem", None) or "unreadable"
        return [Finding(path, line, "DC000", f"not valid YAML: {problem}", "fix the YAML syntax")]
    if root is None:
        return []
    if not isinstance(root, yaml.MappingNode):
        return [Finding(path, 1, "DC000", "not a compose mapping", "use a top-level mapping")]
    services = _get(root, "services")
    found: list[Finding] = []
    for key, service in _mapping_items(services[1] if services else None):
        found.extend(_check_service(key.value, _line(key), service, path))
    return found


def _check_service(name: str, line: int, service: _Node, path: str) -> Iterator[Finding]:
    image = _get(service, "image")
    if image and _scalar(image[1]):
        problem = _tag_problem(str(_scalar(image[1])))
        if problem:
            yield Finding(path, _line(image[0]), "DC001", f"service `{name}`: {problem}", FIX_TAG)
    yield from _check_environment(name, service, path)
    if not _has_limits(service):
        yield Finding(
            path,
            line,
            "DC003",
            f"service `{name}` has no CPU/memory limits",
            "set deploy.resources.limits.cpus and .memory (e.g. '0.50' and 512M)",
        )
    health = _get(service, "healthcheck")
    disabled = health is not None and (
        _scalar((_get(health[1], "disable") or (None, None))[1]) in {"true", "True"}
        or _flat_text((_get(health[1], "test") or (None, None))[1]).strip().upper() == "NONE"
    )
    if (health is None and _get(service, "build") is None) or disabled:
        yield Finding(
            path,
            _line(health[0]) if health else line,
            "DC004",
            f"service `{name}` has no healthcheck",
            "add a healthcheck (test, interval, timeout, retries) that hits its health endpoint",
        )
    for key in ("command", "entrypoint"):
        entry = _get(service, key)
        problem = _log_file_problem(_flat_text(entry[1])) if entry else None
        if entry and problem:
            yield Finding(path, _line(entry[0]), "DC005", f"service `{name}` {problem}", FIX_LOGS)


def _environment(service: _Node) -> Iterator[tuple[int, str, str | None]]:
    entry = _get(service, "environment")
    if entry is None:
        return
    node = entry[1]
    if isinstance(node, yaml.SequenceNode):
        for item in node.value:
            key, sep, value = str(_scalar(item) or "").partition("=")
            yield _line(item), key, value if sep else None
    for key, value in _mapping_items(node):
        yield _line(key), str(key.value), _scalar(value) if _scalar(value) != "" else None


def _check_environment(name: str, service: _Node, path: str) -> Iterator[Finding]:
    for line, key, value in _environment(service):
        secret = _secret_value_problem(key, value)
        if secret:
            yield Finding(path, line, "DC002", f"service `{name}`: {secret}", FIX_SECRET)
        log = _log_env_problem(key, value)
        if log:
            yield Finding(path, line, "DC005", f"service `{name}`: {log}", FIX_LOGS)


def _has_limits(service: _Node) -> bool:
    if _get(service, "mem_limit") or _get(service, "cpus"):
        return True
    deploy = _get(service, "deploy")
    resources = _get(deploy[1], "resources") if deploy else None
    limits = _get(resources[1], "limits") if resources else None
    return bool(limits and (_get(limits[1], "memory") or _get(limits[1], "cpus")))
