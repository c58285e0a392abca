"""Times the history analyzer on a real or generated repository and reports its peak memory.

Usage: python benchmarks/bench_history.py REPO [--since DATE] [--bulk-threshold N]
                                               [--churn-window N] [--runs N]
       python benchmarks/bench_history.py --generate 20000 [--runs N]

Units are every tracked `.py` file of REPO. Peak RSS is reported for this process (the parser)
and for its children (`git log`, which does the rename detection), from `getrusage`.
`--generate N` first builds a repository of N commits with `git fast-import` in a temporary
directory (2,000 modules in 40 packages, 25 authors, 1-6 files per commit, a rename every 400
commits, a bulk commit every 1,000), seeded, so every run measures the same history.
The time is the best of `--runs` runs (the machine may be shared).
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from analyzers.facts import Unit
from analyzers.history import CHURN_WINDOW, analyze_history


def python_units(repo: Path) -> list[Unit]:
    """One Unit per tracked .py file (id from the path; no file is read)."""
    listed = subprocess.run(
        ["git", "-C", str(repo), "ls-files", "-z", "--", "*.py"],
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8", errors="replace")
    units = []
    for path in sorted(p for p in listed.split("\0") if p):
        module = path.removesuffix(".py").replace("/", ".")
        package = module.rsplit(".", 1)[0] if "." in module else ""
        units.append(Unit(id=module, path=path, language="python", lines=0, package=package))
    return units


def peak_mib(who: int) -> float:
    """Peak resident set size in MiB (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(who).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def generate(repo: Path, commits: int, seed: int = 7) -> None:
    """A repository of `commits` commits made by `git fast-import` (deterministic for a seed)."""
    rng = random.Random(seed)
    files = [f"app/pkg{i % 40:02d}/mod{i:04d}.py" for i in range(2000)]
    versions = dict.fromkeys(files, 0)
    out: list[bytes] = []

    def blob(text: str) -> None:
        data = text.encode()
        out.append(b"data %d\n%s\n" % (len(data), data))

    for n in range(commits):
        author = f"dev{rng.randrange(25)} <dev{rng.randrange(25)}@example.com>"
        when = 1_400_000_000 + n * 3_600
        out.append(b"commit refs/heads/main\n")
        out.append(f"author {author} {when} +0000\ncommitter {author} {when} +0000\n".encode())
        blob(f"change {n}")
        if n == 0:
            touched = files
        elif n % 1000 == 0:
            touched = rng.sample(files, 80)
        else:
            touched = rng.sample(files, rng.randint(1, 6))
        if n and n % 400 == 0:
            old = rng.choice(files)
            new = old.replace(".py", f"_r{n}.py")
            out.append(f"R {old} {new}\n".encode())
            files[files.index(old)] = new
            versions[new] = versions.pop(old)
            touched = [f for f in touched if f != old]
        for path in touched:
            versions[path] += 1
            lines = "\n".join(f"x{i} = {versions[path] * i}" for i in range(40))
            out.append(f"M 644 inline {path}\n".encode())
            blob(f"{lines}\n")
        out.append(b"\n")
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    subprocess.run(
        ["git", "-C", str(repo), "fast-import", "--quiet"], input=b"".join(out), check=True
    )
    subprocess.run(["git", "-C", str(repo), "checkout", "-q", "main"], check=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo", type=Path, nargs="?")
    parser.add_argument("--generate", type=int, default=0, metavar="COMMITS")
    parser.add_argument("--since", default=None)
    parser.add_argument("--bulk-threshold", type=int, default=50)
    parser.add_argument("--churn-window", type=int, default=CHURN_WINDOW)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    if args.generate:
        with tempfile.TemporaryDirectory(prefix="bench-history-") as tmp:
            start = time.perf_counter()
            generate(Path(tmp), args.generate)
            print(
                f"generated         {args.generate} commits in {time.perf_counter() - start:.1f} s"
            )
            return measure(Path(tmp), args)
    if args.repo is None:
        parser.error("give REPO or --generate N")
    return measure(args.repo, args)


def measure(repo: Path, args: argparse.Namespace) -> int:
    units = python_units(repo)
    commits = [0]
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        facts = analyze_history(
            repo,
            units,
            since=args.since,
            bulk_threshold=args.bulk_threshold,
            churn_window=args.churn_window,
            progress=lambda n: commits.__setitem__(0, n),
        )
        times.append(time.perf_counter() - start)

    print(f"repository        {repo}")
    print(f"units (.py files) {len(units)}")
    print(f"commits read      {commits[0]} (line counts: newest {args.churn_window or 'all'})")
    print(f"units with stats  {len(facts.change_stats)}")
    print(f"co-change pairs   {len(facts.co_changes)} (support >= 2)")
    each = ", ".join(f"{t:.2f}" for t in times)
    print(f"time              {min(times):.2f} s best of {len(times)} ({each})")
    print(f"peak RSS python   {peak_mib(resource.RUSAGE_SELF):.0f} MiB")
    print(f"peak RSS git      {peak_mib(resource.RUSAGE_CHILDREN):.0f} MiB")
    for warning in facts.warnings:
        print(f"warning           {warning.message}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
