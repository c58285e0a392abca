"""Measures how long each stage of a run takes, for `--timings` and plan.json's run section."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from planner.plan import StageTiming

STAGES = (
    "files read",
    "parse",
    "resolve",
    "code",
    "database",
    "history",
    "owners",
    "build",
    "containers",
    "dead code",
    "redaction",
    "planning",
    "rendering",
    "writing",
)
"""Stages in the order a run goes through them (`code` when an analyzer gives no split)."""


@dataclass
class Clock:
    """Wall-clock seconds per stage; a stage entered twice adds up."""

    seconds: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.add(name, time.perf_counter() - start)

    def add(self, name: str, seconds: float) -> None:
        self.seconds[name] = self.seconds.get(name, 0.0) + seconds

    def timings(self) -> tuple[StageTiming, ...]:
        """The stages measured so far, in run order, rounded to milliseconds."""
        order = {name: i for i, name in enumerate(STAGES)}
        names = sorted(self.seconds, key=lambda n: (order.get(n, len(STAGES)), n))
        return tuple(StageTiming(n, round(self.seconds[n], 3)) for n in names)

    def render(self) -> str:
        """One line per stage and the total, aligned, for stderr."""
        rows = self.timings()
        total = sum(t.seconds for t in rows)
        lines = [f"  {t.stage:<11} {t.seconds:8.3f} s" for t in rows]
        return "\n".join(["timings:", *lines, f"  {'total':<11} {total:8.3f} s"])
