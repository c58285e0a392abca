"""The ordered plans of a design (a plan and its what-if), kept in the user cache.

A warm run or a repeated what-if asks for the very plans it asked for last time: they are kept
under the digest of everything they are made of (every fact, every setting, the forced first
service, our planning code and the libraries' versions), so a hit orders nothing at all.
"""

from __future__ import annotations

import hashlib
import platform
from collections.abc import Callable
from pathlib import Path

from analyzers.cache import ResultCache, source_salt
from analyzers.facts import Facts, encode
from analyzers.records import pack_typed, unpack_typed
from analyzers.redact import redaction_rules
from planner.config import Config
from planner.design import DESIGN_CODE, RECENT, libraries, module_file, remember
from planner.plan import PLAN_FORMAT_VERSION, Plan, ServiceName, check_names
from planner.signals import signals_cache_path

Ordered = tuple[Plan, Plan | None]
"""A plan and its what-if (None: no runner-up, or not asked for), both redacted."""

PLANS_SALT = "plans-1"
"""Part of the cache key: change it when the cached record's meaning changes."""

PLANS_CODE = ("analyzers.deadcode", "analyzers.facts")
"""Our modules outside planner/ the ordering runs (every planner/*.py counts as well, and the
redaction rules: `redaction_rules`): their source is part of the cache key."""

KEEP = 4
"""Ordered plans kept in the cache: the latest ones used (a few MB each on a large codebase)."""


def cached_plans(
    facts: Facts,
    config: Config,
    first: ServiceName | None,
    alternative: bool,
    order: Callable[[], Ordered],
    path: Path | None = None,
) -> Ordered:
    """`order()`, kept in the cache file `path` (default: the planner's in the user cache folder)
    under `plans_key`; a record that does not decode to plans of safe service names is a miss."""
    key = plans_key(facts, config, first, alternative)
    with ResultCache(path or signals_cache_path(), "plans") as cache:
        found = cache.get_many([key, RECENT])
        record = unpack_typed(found.get(key), Ordered)
        if record is None or not _fits(record, alternative):
            record = order()
            cache.put_many([(key, pack_typed(record))])
        remember(cache, key, found, KEEP)
    return record


def plans_key(facts: Facts, config: Config, first: ServiceName | None, alternative: bool) -> str:
    """The digest of exactly what the ordered plans depend on: all of the facts and all of the
    settings (a superset of `design_key`'s), the service forced first, whether the what-if is
    wanted, our code, the redaction rules and the libraries' versions."""
    digest = hashlib.sha256(PLANS_SALT.encode())
    digest.update(f"\0{libraries()} python {platform.python_version()}".encode())
    digest.update(b"\0" + redaction_rules().encode())
    digest.update(b"\0" + source_salt(*map(str, code())).encode())
    digest.update(b"\0" + encode((config, first, alternative)))
    digest.update(b"\0" + encode(facts))
    return digest.hexdigest()


def code() -> list[Path]:
    """The source files of the planning: every module of planner/ (its subpackages are the CLI
    and the rehearsal, which plan nothing) and our other modules of `PLANS_CODE` and
    `DESIGN_CODE`."""
    others = sorted(m for m in {*PLANS_CODE, *DESIGN_CODE} if not m.startswith("planner."))
    return sorted(Path(__file__).parent.glob("*.py")) + [Path(module_file(m)) for m in others]


def _fits(record: Ordered, alternative: bool) -> bool:
    """Whether a cached record is plans this planner writes: today's format, service names safe
    as file names (the scaffold makes folders of them), waves and steps naming known services,
    and a what-if only when one was asked for."""
    plans = [p for p in record if p is not None]
    if not alternative and record[1] is not None:
        return False
    try:
        for plan in plans:
            check_names(plan)
    except ValueError:
        return False
    return all(p.format_version == PLAN_FORMAT_VERSION for p in plans)
