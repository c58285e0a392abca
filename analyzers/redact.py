"""Redacts passwords in URLs and secrets in code snippets before anything is printed or written."""

from __future__ import annotations

import re

MASK = "***"

_URL_PASSWORD = re.compile(
    r"(?P<head>[a-zA-Z][a-zA-Z0-9+.\-]*://[^:/@\s]*:)(?P<secret>[^@\s]*)(?P<tail>@)"
)
_ASSIGNED_SECRET = re.compile(
    r"""(?P<head>\b[\w.\-]*(?:passw(?:or)?d|passwd|pwd|secret|token|api[_\-]?key|apikey|private[_\-]?key|access[_\-]?key|credentials?)[\w.\-]*['"]?\s*(?:=|:|=>)\s*[rbuf]{0,2}(?P<q>['"]))(?P<secret>[^'"\n]+)(?P=q)""",
    re.IGNORECASE,
)
_SECRET_ASSIGNMENT = re.compile(
    r"""^(?P<lhs>\s*[\w.\[\]'"]*(?:passw(?:or)?d|passwd|pwd|secret|token|api[_\-]?key|apikey|private[_\-]?key|access[_\-]?key|credentials?)[\w.\[\]'"]*\s*(?::[^=]*)?=(?!=))(?P<rhs>.*)$""",
    re.IGNORECASE,
)
_STRING = re.compile(r"""(?P<q>['"])(?P<body>[^'"\n]*)(?P=q)""")
_ENV_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
_KNOWN_TOKENS = re.compile(
    r"\b(?:AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{36,}|xox[abpr]-[A-Za-z0-9\-]{10,}|sk_live_[A-Za-z0-9]{16,})\b"
)


def redact_url(url: str) -> str:
    """A database URL with its password replaced by `***`."""
    return _URL_PASSWORD.sub(lambda m: m["head"] + MASK + m["tail"], url)


def redact_text(text: str) -> str:
    """A code snippet with URL passwords, assigned secrets and well-known token shapes masked."""
    text = redact_url(text)
    text = _ASSIGNED_SECRET.sub(lambda m: m["head"] + MASK + m["q"], text)
    text = "\n".join(_redact_assignment(line) for line in text.split("\n"))
    return _KNOWN_TOKENS.sub(MASK, text)


def _redact_assignment(line: str) -> str:
    """`API_KEY = os.environ.get("PAY_KEY", "a-default")`: mask literals that are not env names."""
    match = _SECRET_ASSIGNMENT.match(line)
    if not match:
        return line

    def mask(m: re.Match) -> str:
        body = m["body"]
        keep = not body or body == MASK or _ENV_NAME.match(body)
        return m[0] if keep else m["q"] + MASK + m["q"]

    return match["lhs"] + _STRING.sub(mask, match["rhs"])
