"""Fuzzes the Python, Java, XML and SQL readers with many mutated real files; prints the figures.

Usage: python benchmarks/bench_fuzz.py [--examples N] [--seed S]

Uses the mutation strategies of `tests/test_fuzz.py` (which runs a bounded version in CI), with
N examples per language (default 5,000) and a random seed. Prints the count of inputs, the
exceptions met (there must be none) and the slowest file with its time.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hypothesis import HealthCheck, given, seed, settings

from analyzers.java.descriptors import descriptor_record
from analyzers.java.extract import extract as extract_java
from analyzers.python.extract import extract as extract_python
from tests.test_fuzz import mutants

READERS: dict[str, Callable[[bytes], object]] = {
    ".py": lambda data: extract_python(data, frozenset({"shop", "app"})),
    ".java": extract_java,
    ".xml": descriptor_record,
}


class _Tally:
    """Inputs run, exceptions met and the slowest input (CPU seconds, kind, size)."""

    def __init__(self) -> None:
        self.count = 0
        self.errors: list[str] = []
        self.slowest = (0.0, "", 0)
        self.slowest_input = b""

    def run(self, kind: str, read: Callable[[bytes], object], data: bytes) -> None:
        self.count += 1
        start = time.process_time()
        try:
            read(data)
        except Exception as exc:  # counted and shown, never raised: the run goes on
            self.errors.append(f"{kind}: {type(exc).__name__}: {exc}")
        took = time.process_time() - start
        if took > self.slowest[0]:
            self.slowest = (took, kind, len(data))
            self.slowest_input = data


def _fuzz(tally: _Tally, kind: str, examples: int, rng_seed: int) -> None:
    read = READERS[kind]

    @seed(rng_seed)
    @settings(
        max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(mutants(kind))
    def run(data: bytes) -> None:
        tally.run(kind, read, data)

    run()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=5_000, help="inputs per language")
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--kinds", nargs="+", default=list(READERS), choices=list(READERS))
    parser.add_argument("--save-slowest", type=Path, help="write the slowest input there")
    args = parser.parse_args()
    tally = _Tally()
    for kind in args.kinds:
        started = time.perf_counter()
        _fuzz(tally, kind, args.examples, args.seed)
        print(f"{kind:6} {args.examples} inputs in {time.perf_counter() - started:.1f} s")
    print(f"seed         {args.seed}")
    print(f"inputs       {tally.count}")
    print(f"exceptions   {len(tally.errors)}")
    for line in tally.errors[:20]:
        print(f"  {line}")
    took, kind, size = tally.slowest
    print(f"slowest file {took:.3f} s CPU ({kind}, {size} bytes)")
    if args.save_slowest:
        args.save_slowest.write_bytes(tally.slowest_input)
    return 1 if tally.errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
