"""Redacts secrets (URL passwords, credentials, keys, tokens) from everything we write or print."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import importlib.metadata
import operator
import re
from pathlib import Path
from typing import Any, TypeVar

MASK = "***"
T = TypeVar("T")

_KEYWORD = (
    r"passw(?:or)?d|passwd|pwd|passphrase|secret|token|api[_\-]?key|apikey|private[_\-]?key"
    r"|access[_\-]?key|signing[_\-]?key|auth[_\-]?key|credentials?"
)
_URL_PASSWORD = re.compile(
    r"(?P<head>[a-zA-Z][a-zA-Z0-9+.\-]*://[^:/@\s]*:)(?P<secret>[^@\s]*)(?P<tail>@)"
)
_WHOLE_URL_PASSWORD = re.compile(
    r"^(?P<head>\s*[a-zA-Z][a-zA-Z0-9+.\-]*://[^:/@]*:)(?P<secret>.*)(?P<tail>@[^@]*)$", re.DOTALL
)
"""A URL on its own: the password runs to the last `@` (an unencoded one may hold spaces)."""
_QUERY_SECRET = re.compile(
    r"(?P<head>[?&;](?:[\w.\-]*(?:" + _KEYWORD + r")[\w.\-]*|sslkey|key|auth|sig|signature)=)"
    r"(?P<secret>[^&;#\s'\"<>]+)",
    re.IGNORECASE,
)
"""`?password=...`, `&sslpassword=...`, `&access_token=...` in URLs."""
_DSN_SECRET = re.compile(
    r"(?P<head>(?<![\w.\-])(?:password|passwd|pwd|sslpassword|passphrase|secret)=)"
    r"(?P<secret>(?!['\"])[^;&\s'\",)<>\[\]]+)",
    re.IGNORECASE,
)
"""Connection strings: libpq `password=...`, ADO.NET/JDBC `;Password=...;`, `pwd=...`."""
_ASSIGNED_SECRET = re.compile(
    r"(?P<head>\b[\w.\-]*(?:" + _KEYWORD + r")[\w.\-]*['\"]?\s*(?:=|:|=>|,)\s*[rbuf]{0,2}"
    r"(?P<q>['\"]))(?P<secret>[^'\"\n]+)(?P=q)",
    re.IGNORECASE,
)
"""`password="..."`, `"api_key": "..."`, `setProperty("password", "...")`."""
_SECRET_ASSIGNMENT = re.compile(
    r"^(?P<lhs>\s*[\w.\[\]'\"]*(?:" + _KEYWORD + r")[\w.\[\]'\"]*\s*(?::[^=]*)?=(?!=))(?P<rhs>.*)$",
    re.IGNORECASE,
)
_BARE_SECRET = re.compile(
    r"^(?P<head>\s*(?:export\s+)?[\w.\-]*(?:" + _KEYWORD + r")[\w.\-]*\s*[=:]\s*)"
    r"(?P<secret>[^\s'\"#;(){}\[\]]+)\s*$",
    re.IGNORECASE,
)
"""A whole `key=value` / `key: value` line with an unquoted value (properties, YAML, .env)."""
_QUOTED_PAIR = re.compile(
    r"(?P<head>['\"]\s*(?:export\s+)?[\w.\-]*(?:" + _KEYWORD + r")[\w.\-]*\s*[=:]\s*)"
    r"(?P<secret>[^\s'\"]+)(?=\s*['\"])",
    re.IGNORECASE,
)
"""The same pair inside a string literal: `"db.password=..."`."""
_XML_SECRET = re.compile(
    r"(?P<head><(?P<tag>[\w.\-:]*(?:" + _KEYWORD + r")[\w.\-]*)(?:\s[^>]*)?>)(?P<secret>[^<]+)"
    r"(?=</(?P=tag)>)",
    re.IGNORECASE,
)
"""`<password>...</password>` in Maven settings, pom.xml, Spring XML."""
_XML_PROPERTY = re.compile(
    r"(?P<head>name\s*=\s*['\"][\w.\-]*(?:" + _KEYWORD + r")[\w.\-]*['\"]\s+value\s*=\s*"
    r"(?P<q>['\"]))(?P<secret>[^'\"]+)(?P=q)",
    re.IGNORECASE,
)
_CREDENTIAL_CALL = re.compile(
    r"(?P<head>(?:\b(?:getConnection|connect|login|authenticate|HTTPBasicAuth|HTTPDigestAuth"
    r"|BasicAuth|basic_auth|setCredentials|UsernamePasswordCredentials"
    r"|UsernamePasswordAuthenticationToken|PasswordAuthentication)\s*\(|\bauth\s*=\s*\())"
    r"(?P<args>[^()\n]*)",
)
"""Calls and tuples taking credentials positionally: `getConnection(url, "root", "pw")`,
`auth=("admin", "pw")`; every string literal after the first argument is masked."""
_SET_SECRET = re.compile(
    r"(?P<head>\bset\w*(?:" + _KEYWORD + r")\w*\s*\(\s*(?P<q>['\"]))(?P<secret>[^'\"\n]+)(?P=q)",
    re.IGNORECASE,
)
"""`setPassword("...")`, `setApiKey("...")`."""
_AUTH_HEADER = re.compile(
    r"(?P<head>\b(?:Bearer|Basic|Digest|Token|Bot)\s+)"
    r"(?!(?-i:[a-z]+)(?![A-Za-z0-9._~+/=\-]))(?P<secret>[A-Za-z0-9._~+/=\-]{8,})",
    re.IGNORECASE,
)
"""`Authorization: Bearer <token>`; a lower-case word after it is prose (`token required`)."""
_HEADER_SECRET = re.compile(
    r"(?P<head>\b(?:X-Api-Key|X-Auth-Token|Api-Key|Private-Token)['\"]?\s*[:=,]\s*['\"]?)"
    r"(?P<secret>[^\s'\"]{6,})",
    re.IGNORECASE,
)
_PRIVATE_KEY = re.compile(
    r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----.*?(?:-----END [A-Z0-9 ]*-----|$)",
    re.DOTALL,
)
_VALUES = re.compile(r"(?<![.\w])(?<!\.\s)VALUES\s*\(.*", re.IGNORECASE | re.DOTALL)
"""SQL `INSERT ... VALUES ('a', 'b')` (or a `VALUES (...)` line of one); not a method call such
as Django's `.values("pk")` or a dict's `.values()`."""
_STRING = re.compile(r"""(?P<q>['"])(?P<body>[^'"\n]*)(?P=q)""")
_ENV_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
_PLACEHOLDER = re.compile(r"^(?:\{\{?[^}]*\}\}?|\$\{[^}]*\}|\$\w+|%\(?\w+\)?s?|<[^>]*>|\*+)$")
_EXTRA_TOKENS = (
    r"\bAIza[0-9A-Za-z_\-]{35}\b",  # Google API key
    r"\bgithub_pat_[A-Za-z0-9_]{22,}",  # GitHub fine-grained token
    r"\bgh[pousr]_[A-Za-z0-9]{30,}",
    r"\bxox[abposr]-[A-Za-z0-9\-]{10,}",  # Slack tokens of any shape
    r"\b[rs]k_(?:live|test)_[A-Za-z0-9]{16,}",  # Stripe
    r"\bwhsec_[A-Za-z0-9+/=]{16,}",  # webhook signing secrets
    r"\bnpm_[A-Za-z0-9]{36}\b",
    r"\bpypi-[A-Za-z0-9_\-]{50,}",
    r"\bASIA[0-9A-Z]{16}\b|\bAKIA[0-9A-Z]{16}\b",
    r"https://hooks\.slack\.com/services/[A-Za-z0-9_/]+",
    r"https://discord(?:app)?\.com/api/webhooks/[0-9]+/[A-Za-z0-9_\-]+",
)


_MAYBE_SECRET = re.compile(
    r"pass|pwd|secret|token|key|auth|credential|://|begin|values|connect|login|bearer|basic"
    r"|digest|bot|sig|akia|asia|abia|acca|a3t|akc|ap[0-9a-f]|aws|clou|gh[pousr]_|github_pat"
    r"|gl[a-z]{1,5}-|gr1348941|eyj|-us\d|t3blbkfj|pypi-|sg\.|sq0csp|k_live|k_test|whsec|npm_"
    r"|xox|aiza|\d{8,10}:|(?:ac|sk)[a-z0-9]{32}|[mno][\w-]{23,25}\.",
    re.IGNORECASE,
)
"""Cheap first look: every pattern below needs one of these; text without any is left as is."""
_MAYBE_SECRET_LOWER = re.compile(_MAYBE_SECRET.pattern)
"""The same look on lowered ASCII text (its letters are all lowercase): about 3x faster."""


def _maybe_secret(text: str) -> bool:
    if text.isascii():
        return _MAYBE_SECRET_LOWER.search(text.lower()) is not None
    return _MAYBE_SECRET.search(text) is not None


@functools.cache
def _library_patterns() -> tuple[re.Pattern[str], ...]:
    """Token shapes from detect-secrets' regex detectors (not its public-IP one), and ours;
    detect-secrets is loaded on the first string that may hold a secret, not by every command."""
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
    from detect_secrets.plugins.base import RegexBasedDetector
    from detect_secrets.plugins.ip_public import IPPublicDetector
    from detect_secrets.plugins.private_key import PrivateKeyDetector

    skip = (IPPublicDetector, PrivateKeyDetector)
    found = [
        pattern
        for cls in sorted(get_mapping_from_secret_type_to_class().values(), key=str)
        if issubclass(cls, RegexBasedDetector) and not issubclass(cls, skip)
        for pattern in cls.denylist
    ]
    return (*found, *(re.compile(p) for p in _EXTRA_TOKENS))


def redact_url(url: str) -> str:
    """A database URL with its password and secret query parameters replaced by `***`."""
    masked = _WHOLE_URL_PASSWORD.sub(lambda m: m["head"] + MASK + m["tail"], url)
    if masked == url:
        masked = _URL_PASSWORD.sub(lambda m: m["head"] + MASK + m["tail"], url)
    return _QUERY_SECRET.sub(lambda m: m["head"] + MASK, masked)


@functools.lru_cache(maxsize=200_000)
def redact_text(text: str) -> str:
    """Text (a code snippet, a message, a file) with every secret shape we know masked."""
    if len(text) < 6 or not _maybe_secret(text):
        return text
    text = _PRIVATE_KEY.sub(MASK, text)
    text = _URL_PASSWORD.sub(lambda m: m["head"] + MASK + m["tail"], text)
    text = _QUERY_SECRET.sub(lambda m: m["head"] + MASK, text)
    text = _ASSIGNED_SECRET.sub(_keep_placeholder, text)
    text = _XML_SECRET.sub(_keep_placeholder, text)
    text = _XML_PROPERTY.sub(_keep_placeholder, text)
    text = _SET_SECRET.sub(_keep_placeholder, text)
    text = _CREDENTIAL_CALL.sub(_mask_call, text)
    text = _AUTH_HEADER.sub(lambda m: m["head"] + MASK, text)
    text = _HEADER_SECRET.sub(lambda m: m["head"] + MASK, text)
    text = _DSN_SECRET.sub(_keep_placeholder, text)
    text = _QUOTED_PAIR.sub(_keep_placeholder, text)
    text = "\n".join(_redact_line(line) for line in text.split("\n"))
    text = _VALUES.sub(lambda m: _STRING.sub(_mask_string, m[0]), text)
    for pattern in _library_patterns():
        text = pattern.sub(_mask_token, text)
    return text


@functools.cache
def redaction_rules() -> str:
    """A fingerprint of the redaction rules (this module and detect-secrets' version): what was
    found clean under one fingerprint is clean under the same one."""
    source = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
    return f"{source}+detect-secrets-{importlib.metadata.version('detect-secrets')}"


def redact_model(model: T) -> T:
    """A copy of a frozen dataclass tree (facts, a plan) with every string passed through
    `redact_text`: the one redaction step before anything is written or rendered."""
    return _redact_value(model)


def _redact_value(value: Any) -> Any:
    if type(value) is str:
        masked = redact_text(value)  # cached: an equal string seen before comes back, not `value`
        return value if masked == value else masked
    if isinstance(value, tuple):
        items = tuple(map(_redact_value, value))
        return value if all(map(operator.is_, items, value)) else items
    names = _field_names(type(value))
    if names:
        changes = {}
        for name in names:
            old = getattr(value, name)
            new = _redact_value(old)
            if new is not old:
                changes[name] = new
        return dataclasses.replace(value, **changes) if changes else value
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        items = {_redact_value(k): _redact_value(v) for k, v in value.items()}
        same = items.keys() == value.keys() and all(items[k] is v for k, v in value.items())
        return value if same else items
    return value


Step = int | str
"""One step down a model: a tuple's index, a dataclass field's name or a dict's key."""
Patch = tuple[tuple[tuple[Step, ...], str], ...]
"""The strings redaction changed in a model: where each one is and what it became."""


def redaction_patch(model: T, clean: T) -> Patch | None:
    """The strings `clean` (`redact_model(model)`) changed in `model`, found by walking only the
    branches that changed; None when it changed something a patch cannot say (a dict's key)."""
    found: list[tuple[tuple[Step, ...], str]] = []
    return tuple(found) if _diff(model, clean, (), found) else None


def _diff(old: Any, new: Any, path: tuple[Step, ...], found: list) -> bool:
    if new is old:
        return True
    if isinstance(old, str) and type(new) is str:
        found.append((path, new))
        return True
    if isinstance(old, tuple) and isinstance(new, tuple) and len(old) == len(new):
        return all(
            _diff(a, b, (*path, i), found) for i, (a, b) in enumerate(zip(old, new, strict=True))
        )
    names = _field_names(type(old))
    if names and type(new) is type(old):
        return all(_diff(getattr(old, n), getattr(new, n), (*path, n), found) for n in names)
    if isinstance(old, dict) and isinstance(new, dict) and list(old) == list(new):
        return all(
            isinstance(k, Step) and _diff(v, new[k], (*path, k), found) for k, v in old.items()
        )
    return False


def apply_patch(model: T, patch: Patch) -> T | None:
    """`model` with the strings `patch` names replaced (what `redact_model` made of it when
    the patch was taken), or None when the patch does not fit `model`."""
    trie: dict = {}
    for path, text in patch:
        if not path:
            return None
        node = trie
        for step in path[:-1]:
            node = node.setdefault(step, {})
            if not isinstance(node, dict):
                return None
        node[path[-1]] = _Leaf(text)
    try:
        return _apply(model, trie)
    except (LookupError, TypeError, ValueError, AttributeError):
        return None


@dataclasses.dataclass(frozen=True)
class _Leaf:
    text: str


def _apply(value: Any, changes: dict | _Leaf) -> Any:
    if isinstance(changes, _Leaf):
        if not isinstance(value, str):
            raise TypeError("a patch replaces strings only")
        return changes.text
    if isinstance(value, tuple):
        items = list(value)
        for step, sub in changes.items():
            if type(step) is not int:
                raise TypeError("a tuple is indexed by numbers")
            items[step] = _apply(value[step], sub)
        return tuple(items)
    if _field_names(type(value)):
        names = _field_names(type(value))
        if not all(step in names for step in changes):
            raise TypeError("no such field")
        new = {step: _apply(getattr(value, step), sub) for step, sub in changes.items()}
        return dataclasses.replace(value, **new)
    if isinstance(value, dict):
        out = dict(value)
        for step, sub in changes.items():
            out[step] = _apply(value[step], sub)
        return out
    raise TypeError("a patch goes down tuples, dataclasses and dicts only")


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    """The field names of a dataclass type (none for any other type), looked up once per type."""
    return tuple(f.name for f in dataclasses.fields(cls)) if dataclasses.is_dataclass(cls) else ()


def _keep_placeholder(m: re.Match[str]) -> str:
    """Mask a matched secret unless it is a placeholder or an environment variable's name."""
    secret = m["secret"].strip()
    if not secret or _PLACEHOLDER.match(secret) or _ENV_NAME.match(secret):
        return m[0]
    quote = m.groupdict().get("q") or ""
    return m["head"] + MASK + quote if quote and m[0].endswith(quote) else m["head"] + MASK


def _mask_call(m: re.Match[str]) -> str:
    """Every string literal after the first argument of a credential call."""
    args = m["args"]
    literals = list(_STRING.finditer(args))
    first_comma = args.find(",")
    if first_comma < 0:
        return m[0]
    out, last = [], 0
    for literal in literals:
        if literal.start() > first_comma and literal["body"]:
            out += [args[last : literal.start()], literal["q"] + MASK + literal["q"]]
            last = literal.end()
    return m["head"] + "".join(out) + args[last:]


def _mask_string(m: re.Match[str]) -> str:
    return m[0] if not m["body"] else m["q"] + MASK + m["q"]


def _mask_token(m: re.Match[str]) -> str:
    """Mask a token match, keeping the separators some patterns include around it."""
    text = m[0]
    lead = text[0] if text[:1] in (" ", "=", ":", '"', "'", "\t") else ""
    trail = text[-1] if len(text) > 1 and text[-1:] in (" ", '"', "'", "\t") else ""
    return lead + MASK + trail


def _redact_line(line: str) -> str:
    """`API_KEY = os.environ.get("PAY_KEY", "a-default")`: mask literals that are not env names;
    `db.password=hunter2`: mask an unquoted value of a whole key=value line."""
    bare = _BARE_SECRET.match(line)
    if bare:
        return _keep_placeholder(bare)
    match = _SECRET_ASSIGNMENT.match(line)
    if not match:
        return line

    def mask(m: re.Match) -> str:
        body = m["body"]
        keep = not body or body == MASK or _ENV_NAME.match(body) or _PLACEHOLDER.match(body)
        return m[0] if keep else m["q"] + MASK + m["q"]

    return match["lhs"] + _STRING.sub(mask, match["rhs"])
