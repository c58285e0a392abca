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
    "what-if plan",
    "scaffold",
    "diagram",
    "handout",
    "report",
    "rendering",
    "writing",
)
"""Stages in the order a run goes through them (`code` when an analyzer gives no split; the
rendering's parts: the handout's what-if plan, the scaffold, the service map, the handout and
the report pages, and `rendering` for the rest)."""


@dataclass
class Clock:
    """Wall-clock seconds per stage; a stage entered twice adds up. A stage entered inside another
    is not counted in the outer one as well, so the stages add up to the whole run."""

    seconds: dict[str, float] = field(default_factory=dict)
    _inner: list[float] = field(default_factory=list, init=False, repr=False)
    """Per open stage, innermost last: the seconds its own inner stages took so far."""

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        self._inner.append(0.0)
        try:
            yield
        finally:
            elapsed = time.perf_counter() - start
            self.add(name, elapsed - self._inner.pop())
            if self._inner:
                self._inner[-1] += elapsed

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
        width = max([11, *(len(t.stage) for t in rows)])
        lines = [f"  {t.stage:<{width}} {t.seconds:8.3f} s" for t in rows]
        return "\n".join(["timings:", *lines, f"  {'total':<{width}} {total:8.3f} s"])
