"""Database access per service: its role name and the tables it may read and write."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from analyzers.errors import InputError
from analyzers.facts import TableName, has_control_chars

if TYPE_CHECKING:  # the plan model imports `role_name` from here; no import back at run time
    from planner.plan import Plan

ROLE_NAME_LIMIT = 32
"""Longest database role name: MySQL's user name limit (PostgreSQL allows 63)."""


def role_name(service: str) -> str:
    """The database role of a service, unique by construction: `svc_<service>` when that is
    already lower case letters, digits and `_` within `ROLE_NAME_LIMIT`; otherwise the name
    folded to those characters, cut, and suffixed with a hash of the exact service name.

    The one owner of this rule: the plan stores it as `Service.role`; the grant scripts, the
    report, the rollout checks and the scaffold read it from there.
    """
    plain = "svc_" + service
    if re.fullmatch(r"svc_[a-z0-9_]+", plain) and len(plain) <= ROLE_NAME_LIMIT:
        return plain
    digest = hashlib.sha256(service.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    folded = re.sub(r"[^a-z0-9_]", "_", service.lower())
    return f"svc_{folded}"[: ROLE_NAME_LIMIT - len(digest) - 1] + "_" + digest


@dataclass(frozen=True)
class Privileges:
    """What one service may do: the tables it only reads and the tables it writes (sorted)."""

    role: str
    reads: tuple[TableName, ...]
    writes: tuple[TableName, ...]
    refused: int = 0  # table names left out because they hold control characters


def privileges(plan: Plan, service: str) -> Privileges:
    """The tables `service` reads and writes, from the plan's service x table matrix; a table
    both read and written counts as written. The one computation the grant scripts and the
    report share."""
    if service not in {s.name for s in plan.services} | {u.service for u in plan.access}:
        known = ", ".join(sorted(s.name for s in plan.services)) or "none"
        raise InputError(f"no service {service!r} in the plan (services: {known})")
    uses = [u for u in plan.access if u.service == service]
    refused = {u.table for u in uses if has_control_chars(u.table)}
    writes = {u.table for u in uses if u.writes} - refused
    reads = {u.table for u in uses if u.reads} - writes - refused
    return Privileges(role_name(service), tuple(sorted(reads)), tuple(sorted(writes)), len(refused))
