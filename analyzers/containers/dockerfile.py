"""Our rules on Dockerfiles (log files, URL passwords, users and HEALTHCHECK binaries): a parser."""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field

from analyzers.containers.images import BaseImage
from analyzers.containers.rules import (
    FIX_LOGS,
    FIX_SECRET,
    finding,
    log_env_problem,
    log_file_problem,
    url_password_problem,
)
from analyzers.facts import (
    ContainerFinding,
)


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
                secret = url_password_problem(key, value)
                if secret:
                    found.append(
                        finding(path, ins.line, "SP102", f"{ins.keyword} {secret}", FIX_SECRET)
                    )
                log = log_env_problem(key, value) if ins.keyword == "ENV" else None
                if log:
                    found.append(finding(path, ins.line, "SP101", log, FIX_LOGS))
        elif ins.keyword in {"CMD", "ENTRYPOINT"}:
            problem = log_file_problem(_command_text(ins.args))
            if problem:
                found.append(finding(path, ins.line, "SP101", problem, FIX_LOGS))
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
    yield finding(
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
        yield finding(
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
    yield finding(
        path,
        ins.line,
        "SP104",
        f"HEALTHCHECK runs `{binary}`, which `{base.ref}` does not ship and no RUN installs",
        "probe with what the image has (e.g. python -c 'import urllib.request; ...') or "
        f"install {binary} in the image",
    )
