"""Reads `planner.toml`: weights, pins, exclusions, database constraint, service count, teams."""

from __future__ import annotations

import datetime as dt
import fnmatch
import math
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Literal

from analyzers.errors import InputError

Constraint = Literal["keep-shared", "split"]
CONFIG_FILE = "planner.toml"


@dataclass(frozen=True)
class Weights:
    """How much each kind of coupling pulls two units into the same service."""

    import_: float = 1.0
    call: float = 1.0
    inherit: float = 2.0
    reference: float = 0.5
    co_change: float = 2.0
    shared_table: float = 1.5
    naming: float = 1.0
    package: float = 10.0
    entry_reach: float = 2.0
    data_affinity: float = 2.0
    vocabulary: float = 3.0


@dataclass(frozen=True)
class Config:
    """Every planner setting, each with a default (see docs/configuration.md)."""

    weights: Weights = field(default_factory=Weights)
    pins: dict[str, tuple[str, ...]] = field(default_factory=dict)
    exclude: tuple[str, ...] = ()
    constraint: Constraint = "keep-shared"
    min_services: int = 2
    max_services: int = 15
    seed: int = 42
    resolution: float = 1.0
    shared_kernel_fan_in: float = 0.5
    wave_size: int = 3
    benefit_weight: float = 0.2
    teams: dict[str, str] = field(default_factory=dict)
    bulk_threshold: int = 50
    since: str | None = None
    churn_window: int = 1000  # newest commits whose lines are counted (0: all history)

    def pinned_service(self, unit_id: str, path: str) -> str | None:
        """The service a unit is pinned to by a glob on its path or dotted id, if any."""
        for service, patterns in sorted(self.pins.items()):
            if any(_matches(unit_id, path, p) for p in patterns):
                return service
        return None

    def is_excluded(self, unit_id: str, path: str) -> bool:
        """True when a unit matches one of the exclusion globs."""
        return any(_matches(unit_id, path, p) for p in self.exclude)


def _matches(unit_id: str, path: str, pattern: str) -> bool:
    if "/" in pattern or pattern.endswith(".py"):
        return fnmatch.fnmatchcase(path, pattern) or fnmatch.fnmatchcase(
            path, pattern.removesuffix("/**") + "/__init__.py"
        )
    return fnmatch.fnmatchcase(unit_id, pattern)


def load_config(path: Path | None) -> Config:
    """The configuration in `path` (a planner.toml), or the defaults when `path` is None."""
    if path is None:
        return Config()
    return parse_config(read_toml(path), str(path))


def read_text(path: Path) -> str:
    """A file the user named, as text, or one clear InputError (missing, unreadable, not UTF-8)."""
    try:
        return path.read_bytes().decode("utf-8")
    except OSError as error:
        raise InputError(f"cannot read {path}: {error.strerror}") from None
    except UnicodeDecodeError as error:
        raise InputError(f"{path}: not UTF-8 text (byte {error.start}); save it as UTF-8") from None


def read_toml(path: Path) -> dict:
    """A TOML file the user named, or one clear InputError (as `read_text`, or not valid TOML)."""
    try:
        return tomllib.loads(read_text(path))
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"{path}: not valid TOML: {error}") from None


def find_config(root: Path) -> Path | None:
    """`planner.toml` at the root of the analyzed tree, if there is one."""
    candidate = root / CONFIG_FILE
    return candidate if candidate.is_file() else None


def parse_config(data: dict, origin: str = CONFIG_FILE) -> Config:
    """A Config from parsed TOML, with a clear error for unknown keys or wrong types."""
    known = {"weights", "pins", "exclude", "database", "services", "planner", "teams", "history"}
    unknown = set(data) - known
    if unknown:
        raise InputError(f"{origin}: unknown section(s) {', '.join(sorted(unknown))}")
    weight_names = {f.name.rstrip("_"): f.name for f in fields(Weights)}
    raw_weights = _table(data, "weights", origin)
    bad = set(raw_weights) - set(weight_names)
    if bad:
        raise InputError(
            f"{origin}: unknown weight(s) {', '.join(sorted(bad))}; known: "
            + ", ".join(sorted(weight_names))
        )
    weights = Weights(
        **{
            weight_names[k]: _number(v, f"weights.{k}", origin, minimum=0.0)
            for k, v in raw_weights.items()
        }
    )
    pins = {
        str(name): tuple(_strings(globs, f"pins.{name}", origin))
        for name, globs in _table(data, "pins", origin).items()
    }
    exclude = _table(data, "exclude", origin).get("paths", [])
    database = _table(data, "database", origin)
    constraint = database.get("constraint", "keep-shared")
    if constraint not in ("keep-shared", "split"):
        raise InputError(f"{origin}: database.constraint must be 'keep-shared' or 'split'")
    services = _table(data, "services", origin)
    planner = _table(data, "planner", origin)
    history = _table(data, "history", origin)
    _known_keys(_table(data, "exclude", origin), {"paths"}, "exclude", origin)
    _known_keys(database, {"constraint"}, "database", origin)
    _known_keys(services, {"min", "max"}, "services", origin)
    _known_keys(
        planner,
        {"seed", "resolution", "shared_kernel_fan_in", "wave_size", "benefit_weight"},
        "planner",
        origin,
    )
    _known_keys(history, {"bulk_threshold", "since", "churn_window"}, "history", origin)
    config = Config(
        weights=weights,
        pins=pins,
        exclude=tuple(_strings(exclude, "exclude.paths", origin)),
        constraint=constraint,
        min_services=_integer(services.get("min", 2), "services.min", origin),
        max_services=_integer(services.get("max", 15), "services.max", origin),
        seed=_integer(planner.get("seed", 42), "planner.seed", origin),
        resolution=_number(
            planner.get("resolution", 1.0), "planner.resolution", origin, minimum=0.0
        ),
        shared_kernel_fan_in=_number(
            planner.get("shared_kernel_fan_in", 0.5),
            "planner.shared_kernel_fan_in",
            origin,
            minimum=0.0,
        ),
        wave_size=_integer(planner.get("wave_size", 3), "planner.wave_size", origin, minimum=1),
        benefit_weight=_number(
            planner.get("benefit_weight", 0.2), "planner.benefit_weight", origin, minimum=0.0
        ),
        teams={str(k): str(v) for k, v in _table(data, "teams", origin).items()},
        bulk_threshold=_integer(
            history.get("bulk_threshold", 50), "history.bulk_threshold", origin, minimum=1
        ),
        since=_since(history.get("since"), origin),
        churn_window=_integer(history.get("churn_window", 1000), "history.churn_window", origin),
    )
    if not 1 <= config.min_services <= config.max_services:
        raise InputError(f"{origin}: need 1 <= services.min <= services.max")
    return config


def _known_keys(table: dict, known: set[str], section: str, origin: str) -> None:
    unknown = set(table) - known
    if unknown:
        raise InputError(
            f"{origin}: unknown key(s) in [{section}]: {', '.join(sorted(unknown))}; "
            f"known: {', '.join(sorted(known))}"
        )


def _table(data: dict, key: str, origin: str) -> dict:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise InputError(f"{origin}: [{key}] must be a table")
    return value


def _number(value: object, key: str, origin: str, minimum: float | None = None) -> float:
    """A finite number (no nan or inf), at least `minimum` when given."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(f"{origin}: {key} must be a number, not {value!r}")
    if not math.isfinite(value):
        raise InputError(f"{origin}: {key} must be a finite number, not {value!r}")
    if minimum is not None and value < minimum:
        raise InputError(f"{origin}: {key} must be at least {minimum:g}, not {value!r}")
    return float(value)


def _integer(value: object, key: str, origin: str, minimum: int = 0) -> int:
    """A whole number, at least `minimum`."""
    number = _number(value, key, origin, minimum=minimum)
    if number != int(number):
        raise InputError(f"{origin}: {key} must be a whole number, not {value!r}")
    return int(number)


def _since(value: object, origin: str) -> str | None:
    """`history.since` as text git understands: a TOML date is taken as its ISO form."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, dt.date):  # also datetime
        return value.isoformat()
    raise InputError(f"{origin}: history.since must be a date (2021-01-31), not {value!r}")


def _strings(value: object, key: str, origin: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(f"{origin}: {key} must be a list of strings")
    return value
