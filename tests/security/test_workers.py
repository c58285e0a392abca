"""Worker processes: one that dies does not abort the run, and none outlives its parent."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from analyzers import engine
from analyzers.python.extract import RESULT_SHAPE, empty_result

ROOT = Path(__file__).resolve().parents[2]


def _children(pid: int) -> set[int]:
    """The live child processes of `pid` (from /proc)."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found.update(int(p) for p in (task / "children").read_text().split())
        except OSError:
            continue
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _kill_self_on_die(data: bytes) -> dict:
    """A real extractor for this test: a file saying DIE kills the process extracting it."""
    if data.startswith(b"DIE"):
        os.kill(os.getpid(), signal.SIGKILL)
    return empty_result(data.count(b"\n"))


def _failed(message: str) -> dict:
    return empty_result(0, [message])


def test_a_file_that_kills_its_worker_is_skipped_and_the_rest_finish(tmp_path: Path) -> None:
    work = []
    for i in range(12):  # 70 kB each: one chunk per file or so, so a pool of 2 is used
        path = tmp_path / f"f{i:02}.py"
        path.write_bytes((b"DIE\n" if i == 5 else b"") + f"x = {i}\n".encode() * 12_000)
        work.append(engine.Work(path.name, str(path), path.stat().st_size))
    extractor = engine.Extractor(_kill_self_on_die, RESULT_SHAPE, "test", _failed)
    outcomes = list(
        engine.run(
            extractor, work, cache_path=tmp_path / "c.sqlite", jobs=2, budget=engine.Budget()
        )
    )
    by_file = {o.rel: o for o in outcomes}
    assert sorted(by_file) == sorted(w.rel for w in work)  # every file has its outcome
    died = by_file.pop("f05.py")
    assert (died.status, died.keep) == ("skipped", False)
    assert died.warning.startswith("the worker parsing this file died")
    # parsed, or cached by a worker whose results were lost when the pool broke
    assert {o.status for o in by_file.values()} <= {"parsed", "cached"}
    assert all(o.result["lines"] == 12_000 for o in by_file.values())


_RUN = """
import json, sys
from pathlib import Path
from analyzers.python import analyze_python_with_stats
print("started", flush=True)
facts, stats = analyze_python_with_stats(Path(sys.argv[1]), jobs=2, cache_dir=Path(sys.argv[2]))
print(json.dumps({"units": len(facts.units), "parsed": stats.parsed,
                  "warnings": [w.message for w in facts.warnings]}))
"""


def _big_tree(root: Path, files: int) -> None:
    (root / "app").mkdir(parents=True)
    (root / "app" / "__init__.py").write_text("")
    body = "".join(f"def f{j}(x):\n    return helper.g(x) + {j}\n\n" for j in range(1_500))
    for i in range(files):
        (root / "app" / f"m{i:03}.py").write_text(f"from app import helper\n\n{body}")
    (root / "app" / "helper.py").write_text("def g(x):\n    return x\n")


def _start(tree: Path, cache: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", _RUN, str(tree), str(cache)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _workers(parent: subprocess.Popen, timeout: float = 60) -> set[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and parent.poll() is None:
        found = _children(parent.pid)
        if len(found) >= 2:
            return found
        time.sleep(0.02)
    raise AssertionError("the pool's workers never showed up")


def test_a_killed_worker_does_not_abort_the_run(tmp_path: Path) -> None:
    _big_tree(tmp_path / "repo", 120)
    run = _start(tmp_path / "repo", tmp_path / "cache")
    victim = min(_workers(run))
    os.kill(victim, signal.SIGKILL)
    out, err = run.communicate(timeout=600)
    assert run.returncode == 0, err
    result = json.loads(out.splitlines()[-1])
    assert result["units"] == 122  # every module, the killed worker's files parsed again
    assert not [w for w in result["warnings"] if "died" in w]  # a second try went through


def test_workers_die_with_their_parent(tmp_path: Path) -> None:
    _big_tree(tmp_path / "repo", 160)
    run = _start(tmp_path / "repo", tmp_path / "cache")
    workers = _workers(run)
    os.kill(run.pid, signal.SIGKILL)
    run.communicate(timeout=60)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
        time.sleep(0.05)
    survivors = [pid for pid in workers if _alive(pid)]
    for pid in survivors:  # leave no orphan behind when this fails
        os.kill(pid, signal.SIGKILL)
    assert not survivors
