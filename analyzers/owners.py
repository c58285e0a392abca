"""Reads CODEOWNERS (GitHub and GitLab syntax) and a team map: the owning teams of each unit."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from analyzers.facts import (
    AnalysisWarning,
    AnalyzerRun,
    ChangeStats,
    Evidence,
    Facts,
    Ownership,
    Unit,
)
from analyzers.redact import redact_text
from analyzers.walk import inside

VERSION = "1"
ANALYZER = "owners"

CODEOWNERS_LOCATIONS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS")
"""Where CODEOWNERS is looked for, in this order; the first one found is used."""

DEFAULT_SECTION = ""
_SECTION = re.compile(r"^\^?\[(?P<name>[^\]]+)\](?:\[(?P<approvals>\d+)\])?(?:\s+(?P<owners>.*))?$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


# --- the rules -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """One CODEOWNERS line: its pattern compiled, its owners, its section and where it is."""

    pattern: str
    regex: re.Pattern[str]
    owners: tuple[str, ...]
    section: str
    line: int
    text: str

    def matches(self, path: str) -> bool:
        return self.regex.fullmatch(path) is not None


@dataclass(frozen=True)
class CodeOwners:
    """A parsed CODEOWNERS file: its rules in file order, and what could not be read."""

    path: str
    rules: tuple[Rule, ...]
    problems: tuple[tuple[int, str], ...] = ()

    def match(self, path: str) -> tuple[Rule, ...]:
        """The winning rule of each section for a path (last match wins within a section)."""
        winners: dict[str, Rule] = {}
        for rule in self.rules:
            if rule.matches(path):
                winners[rule.section] = rule
        return tuple(winners[name] for name in sorted(winners))


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """A gitignore-style CODEOWNERS pattern as a regex matched against a whole file path.

    A leading `/`, or a `/` inside the pattern, anchors it at the root; otherwise it matches at any
    depth. A trailing `/` matches everything under a directory. `*` and `?` stay within one path
    segment; `**/` spans directories, `/**` everything below. A pattern whose last segment has no
    wildcard also matches everything below a directory of that name; one ending in a wildcard
    (`docs/*`) matches files only, not deeper ones, as GitHub documents.
    """
    directory = pattern.endswith("/")
    body = pattern.strip("/")
    anchored = pattern.startswith("/") or "/" in body
    if body.startswith("**/"):
        anchored, body = False, body[3:]
    last = body.rsplit("/", 1)[-1]
    regex = ("" if anchored else "(?:.*/)?") + _translate(body)
    if directory:
        regex += "/.*"
    elif body.endswith("/**"):
        pass
    elif not any(char in last for char in "*?"):
        regex += "(?:/.*)?"
    return re.compile(regex, re.DOTALL)


def _translate(body: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(body):
        if body.startswith("/**/", i):
            out.append("/(?:.*/)?")
            i += 4
        elif body.startswith("/**", i) and i + 3 == len(body):
            out.append("/.*")
            i += 3
        elif body.startswith("**", i):
            out.append(".*" if i == 0 and body == "**" else "[^/]*")
            i += 2
        elif body[i] == "*":
            out.append("[^/]*")
            i += 1
        elif body[i] == "?":
            out.append("[^/]")
            i += 1
        elif body[i] == "\\" and i + 1 < len(body):
            out.append(re.escape(body[i + 1]))
            i += 2
        else:
            out.append(re.escape(body[i]))
            i += 1
    return "".join(out)


def parse_codeowners(text: str, path: str = "CODEOWNERS") -> CodeOwners:
    """Rules from CODEOWNERS text: GitHub lines, plus GitLab `[Section]`, `^[Optional]`,
    `[Section][2]` headers with default owners (section names compared case-insensitively)."""
    rules: list[Rule] = []
    problems: list[tuple[int, str]] = []
    section, defaults = DEFAULT_SECTION, ()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        header = _SECTION.match(line)
        if header:
            section = header["name"].strip().casefold()
            defaults = tuple(_tokens(_strip_comment(header["owners"] or "")))
            continue
        tokens = _tokens(_strip_comment(line))
        if not tokens:
            continue
        pattern, owners = tokens[0], tuple(tokens[1:]) or defaults
        if pattern.startswith("!"):
            problems.append((number, f"negation is not supported in CODEOWNERS: {pattern}"))
            continue
        rules.append(
            Rule(pattern, compile_pattern(pattern), owners, section, number, redact_text(line))
        )
    return CodeOwners(path, tuple(rules), tuple(problems))


def _strip_comment(line: str) -> str:
    """The line without a trailing `# comment` (an escaped `\\#` stays part of the pattern)."""
    match = re.search(r"(?:^|(?<=\s))#", line)
    return line[: match.start()] if match else line


def _tokens(line: str) -> list[str]:
    """Whitespace-separated tokens; `\\ ` keeps a space inside a pattern."""
    tokens: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(line):
        char = line[i]
        if char == "\\" and i + 1 < len(line):
            current.append(line[i : i + 2] if line[i + 1] not in " #" else line[i + 1])
            i += 2
            continue
        if char.isspace():
            if current:
                tokens.append("".join(current))
                current = []
        else:
            current.append(char)
        i += 1
    if current:
        tokens.append("".join(current))
    return tokens


# --- teams --------------------------------------------------------------------------------------


def is_team(owner: str) -> bool:
    """`@org/team` (GitHub) or `@group/subgroup` (GitLab) is a team; `@user` or an email is not."""
    return owner.startswith("@") and "/" in owner


@dataclass(frozen=True)
class TeamMap:
    """Looks up a person's team by name, `@handle`, handle or email, case-insensitively."""

    teams: Mapping[str, str]

    @classmethod
    def of(cls, team_map: Mapping[str, str] | None) -> TeamMap:
        return cls({_key(k): v for k, v in sorted((team_map or {}).items())})

    def team_of(self, *names: str) -> str | None:
        for name in names:
            team = self.teams.get(_key(name))
            if team is not None:
                return team
        return None

    def owner_team(self, owner: str) -> str | None:
        """The team of a CODEOWNERS owner: a mapped name, else a team owner's slug
        (`@acme/payments` -> `payments`, the name a team map would use)."""
        mapped = self.team_of(owner, owner.lstrip("@"))
        if mapped is None and is_team(owner):
            return owner.rsplit("/", 1)[1]
        return mapped

    def author_team(self, author: str) -> str | None:
        """The team of a history author shown as `Name <email>`: by email first, then name."""
        name, email = split_author(author)
        return self.team_of(*(n for n in (email, name) if n))


def _key(name: str) -> str:
    return name.strip().casefold()


def split_author(author: str) -> tuple[str, str]:
    """(`Name`, `email`) from `Name <email>`; a bare email or name fills one side."""
    match = re.fullmatch(r"\s*(?P<name>.*?)\s*<(?P<email>[^<>]*)>\s*", author)
    if match:
        return match["name"], match["email"]
    return ("", author.strip()) if _EMAIL.match(author.strip()) else (author.strip(), "")


# --- the analyzer --------------------------------------------------------------------------------


def find_codeowners(root: Path) -> tuple[Path, str] | None:
    """The CODEOWNERS file for root and root's path prefix inside the tree that file governs.

    Looked for in root, then in the top of the enclosing git work tree (CODEOWNERS patterns are
    relative to that top)."""
    for base in _bases(root):
        for location in CODEOWNERS_LOCATIONS:
            candidate = base / location
            if candidate.is_file() and inside(base, candidate):  # a symlink out is not read
                prefix = root.resolve().relative_to(base.resolve()).as_posix()
                return candidate, "" if prefix == "." else prefix + "/"
    return None


def _bases(root: Path) -> Iterable[Path]:
    yield root
    for parent in root.resolve().parents:
        if (parent / ".git").exists():
            yield parent
            return


def analyze_owners(
    root: Path,
    units: Sequence[Unit],
    *,
    team_map: Mapping[str, str] | None = None,
    change_stats: Sequence[ChangeStats] = (),
) -> Facts:
    """Owning teams of each unit: the winning CODEOWNERS rules (owners of every GitLab section
    combined), owners mapped to teams through team_map; an unmapped `@org/team` owner is the team
    `team` (its slug), so CODEOWNERS and the team map name teams alike.
    A unit no rule gives an owner (no match, or a match without owners) gets the teams of its
    authors (from change_stats) through team_map.
    Units with neither get no Ownership."""
    warnings: list[AnalysisWarning] = []
    teams = TeamMap.of(team_map)
    codeowners, prefix = _load(root, warnings)
    source = codeowners.path if codeowners else ""
    authors = {stats.unit: stats.authors for stats in change_stats}
    ownership: list[Ownership] = []
    for unit in units:
        rules = codeowners.match(prefix + unit.path) if codeowners else ()
        if any(rule.owners for rule in rules):
            ownership.append(_from_rules(unit, rules, source, teams))
            continue
        derived = _from_authors(unit, authors.get(unit.id, ()), teams)
        if derived is not None:
            ownership.append(derived)
    return Facts(
        root=str(root),
        ownership=tuple(sorted(ownership)),
        warnings=tuple(sorted(warnings)),
        analyzers=(AnalyzerRun(ANALYZER, VERSION),),
    )


def _load(root: Path, warnings: list[AnalysisWarning]) -> tuple[CodeOwners | None, str]:
    found = find_codeowners(root)
    if found is None:
        return None, ""
    path, prefix = found
    shown = _shown(root, path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        warnings.append(AnalysisWarning(ANALYZER, shown, f"cannot read CODEOWNERS: {exc}"))
        return None, prefix
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("utf-8", errors="replace")
        warnings.append(AnalysisWarning(ANALYZER, shown, "CODEOWNERS is not UTF-8: bad bytes"))
    parsed = parse_codeowners(text, shown)
    for line, message in parsed.problems:
        warnings.append(AnalysisWarning(ANALYZER, f"{shown}:{line}", message))
    return parsed, prefix


def _shown(root: Path, path: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _from_rules(unit: Unit, rules: Sequence[Rule], source: str, teams: TeamMap) -> Ownership:
    rules = [rule for rule in rules if rule.owners]
    owners = sorted({owner for rule in rules for owner in rule.owners})
    found = {teams.owner_team(owner) for owner in owners}
    return Ownership(
        unit=unit.id,
        teams=tuple(sorted(team for team in found if team)),
        owners=tuple(owners),
        evidence=tuple(Evidence(source, rule.line, rule.text) for rule in rules),
    )


def _from_authors(unit: Unit, authors: Sequence[str], teams: TeamMap) -> Ownership | None:
    mapped = {author: teams.author_team(author) for author in authors}
    mapped = {author: team for author, team in mapped.items() if team}
    if not mapped:
        return None
    snippet = "; ".join(f"{author} -> {team}" for author, team in sorted(mapped.items()))
    return Ownership(
        unit=unit.id,
        teams=tuple(sorted(set(mapped.values()))),
        owners=tuple(sorted(mapped)),
        evidence=(Evidence(unit.path, 0, redact_text(f"team map from authors: {snippet}")),),
    )
