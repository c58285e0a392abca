"""Our container rules (`SP...`), their severities, and the checks several file kinds share."""

from __future__ import annotations

import re

from analyzers.facts import (
    ContainerFinding,
    Evidence,
    Severity,
)
from analyzers.redact import redact_url

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


def finding(path: str, line: int, rule: str, message: str, fix: str) -> ContainerFinding:
    """One of our findings; no snippet: a line of these files may hold a secret redaction misses."""
    return ContainerFinding(Evidence(path, line), rule, SEVERITY[rule], message, fix)


_SECRET_NAME = re.compile(
    r"(PASSW(OR)?D|PASSWD|PWD|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?)",
    re.IGNORECASE,
)
_ONLY_VARIABLE = re.compile(r"^\$(\w+|\{\w+(:?[?][^}]*)?\})$")
_VAR_DEFAULT = re.compile(r"\$\{\w+:?-([^}]*)\}")
_FLAG_VALUES = {"true", "false", "yes", "no", "on", "off", "0", "1"}


def url_password_problem(name: str, value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip().strip("\"'")
    if redact_url(value) != value:
        return f"`{name}` holds a URL with a literal password"
    return None


def secret_value_problem(name: str, value: str | None) -> str | None:
    """Why `name=value` holds a literal secret, or None when it does not."""
    url = url_password_problem(name, value)
    if url or value is None:
        return url
    value = value.strip().strip("\"'")
    upper = name.upper()
    if not _SECRET_NAME.search(upper) or upper.endswith(("_FILE", "_PATH", "_DIR")):
        return None
    if not value or _ONLY_VARIABLE.match(value) or value.lower() in _FLAG_VALUES:
        return None  # a flag such as MYSQL_ALLOW_EMPTY_PASSWORD=true holds no secret
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


def log_file_problem(command: str) -> str | None:
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


def log_env_problem(name: str, value: str | None) -> str | None:
    if value is None or not _LOG_ENV.match(name):
        return None
    value = value.strip().strip("\"'")
    if value.startswith("/") and value not in _STD_STREAMS:
        return f"`{name}` points logs at the file `{value}` inside the container"
    return None


def tag_problem(image: str) -> str | None:
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


_NOT_DOCKERFILES = (".dockerignore", ".md", ".rst", ".txt", ".j2", ".jinja", ".jinja2", ".tpl")
_NOT_DOCKERFILES += (".tmpl", ".template", ".erb", ".orig", ".bak", ".swp")
"""`Dockerfile.dockerignore` (Docker's per-Dockerfile ignore file), notes and templates."""


def file_kind(rel: str) -> str | None:
    """`dockerfile`, `compose`, `github`, `gitlab`, `jenkins`, or None for other files."""
    name = rel.rsplit("/", 1)[-1]
    lower = name.lower()
    if (lower.startswith("dockerfile") or lower.endswith(".dockerfile")) and not lower.endswith(
        _NOT_DOCKERFILES
    ):
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
