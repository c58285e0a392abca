"""Finds platform code that no business service should own: bootstrap, config, glue, bases."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from analyzers.facts import Facts, Unit, UnitId
from planner.naming import NAME_STOP, TECH_WORDS, is_business_area, unit_areas, unit_nouns

TEST_DIR = re.compile(
    r"^(tests?|testing|testutils?|testkit)$|test[-_]?(support|helpers?|fixtures?|data)"
    r"|(^|[-_])(tests?|testing)([-_]|$)",
    re.IGNORECASE,
)
"""A directory of test support, wherever it sits (`bdd_test/`, `load-testing/`, `testutils/`)."""
TEST_CLASS = re.compile(r"(Tests?|TestCase|IT|Steps|StepDefs?)$")
"""A class named as a test or a test-step definition."""
CONFIG_NAME = re.compile(r"(Configuration|Config|Configurer|Properties|Settings)$")
"""A Java class holding configuration."""
GLUE_NAME = re.compile(
    r"(Filter|Formatter|Interceptor|ExceptionHandler|ControllerAdvice|Advice|Initializer"
    r"|RuntimeHints|(App|Application|Context|Session|Servlet|Web|Startup|Request)[A-Za-z]*Listener"
    r"|Converter|Cache[A-Za-z]*)$"
)
"""A Java class plugging into the framework rather than holding business logic. A listener of
the application's or a request's lifecycle is glue; other listeners are message entry points."""
PY_CONFIG = frozenset("settings config conf configuration".split())
PY_BOOTSTRAP = frozenset("wsgi asgi manage".split())
PY_FACTORIES = frozenset(
    "create_app make_app app_factory get_application get_asgi_application".split()
)
PY_GLUE = frozenset("middleware context_processors".split())


@dataclass(frozen=True)
class PlatformRole:
    """Why a unit is no business service's: test support stays out, the rest is shared kernel."""

    kind: Literal["test", "kernel"]
    reason: str


def platform_roles(units: dict[UnitId, Unit], facts: Facts) -> dict[UnitId, PlatformRole]:
    """Why each platform unit stays out of the business services (bootstrap, configuration,
    framework glue, base classes shared by several business nouns, test support).

    A base class whose heirs all sit in its own business area (not a technology package like
    `actions` or `mapper`) is that subsystem's own abstraction (a volume package's driver
    interface), not shared code: it stays with them.
    Read from the facts, not the weighted graph: a weight of 0 never hides a base class."""
    serving = {e.unit for e in facts.endpoints}
    reasons: dict[UnitId, PlatformRole] = {}
    for unit_id in sorted(units):
        reason = _own_reason(units[unit_id], unit_id in serving)
        if reason:
            kind = "test" if reason.startswith("test support") else "kernel"
            reasons[unit_id] = PlatformRole(kind, reason)
    heirs_of: dict[UnitId, set[UnitId]] = {}
    for dep in facts.dependencies:
        if dep.kind == "inherit" and dep.source in units and dep.source != dep.target:
            heirs_of.setdefault(dep.target, set()).add(dep.source)
    areas = unit_areas(units)
    for unit_id in sorted(units):
        if unit_id in reasons or unit_id in serving:
            continue
        heirs = sorted(heirs_of.get(unit_id, ()))
        area = areas.get(unit_id, "")
        own_area = is_business_area(area) and area.lower() not in TECH_WORDS
        if own_area and all(areas.get(h) == area for h in heirs):
            continue
        nouns = {(unit_nouns(units[h], NAME_STOP) or [""])[0] for h in heirs}
        leaf = unit_id.rsplit(".", 1)[-1]
        if len(heirs) >= 2 and (len(nouns) >= 2 or leaf.startswith(("Base", "Abstract"))):
            reasons[unit_id] = PlatformRole(
                "kernel",
                f"base class of {len(heirs)} units across {len(nouns)} business nouns",
            )
    return reasons


def _own_reason(unit: Unit, serves: bool) -> str:
    """The platform role a unit's own path and name announce, or ''."""
    directories = unit.path.replace("\\", "/").split("/")[:-1]
    if any(TEST_DIR.search(d) for d in directories):
        return "test support (in a test directory): stays with the tests"
    leaf = unit.id.rsplit(".", 1)[-1]
    if unit.language == "java":
        if TEST_CLASS.search(leaf):
            return "test support (named as a test): stays with the tests"
        if "main" in unit.functions and not serves:
            return "bootstrap (main): platform, stays with the monolith's deployment"
        if CONFIG_NAME.search(leaf):
            return "configuration: platform"
        if GLUE_NAME.search(leaf) and not serves:
            return "framework glue (filters, formatters, listeners, caches): platform"
        return ""
    if leaf in PY_BOOTSTRAP or PY_FACTORIES & set(unit.functions):
        return "bootstrap (WSGI/ASGI application factory): platform"
    if leaf in PY_CONFIG and not serves:
        return "configuration: platform"
    if leaf in PY_GLUE:
        return "framework glue (middleware): platform"
    return ""
