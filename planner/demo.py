"""The demo's inputs: a bundled sample copied into OUT, its git history and its SQLite database."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from analyzers.errors import InputError

SAMPLE_DIRS = (
    Path(__file__).resolve().parent / "samples",  # an installed wheel carries them here
    Path(__file__).resolve().parents[1] / "samples",  # a source checkout
)


@dataclass(frozen=True)
class Sample:
    """A bundled sample: its folder under samples/, its schema script, whether it has history."""

    folder: str
    schema: str
    history: bool


SAMPLES = {
    "shop": Sample("legacy_shop", "schema.sql", history=True),
    "java": Sample("legacy_java", "src/main/resources/schema.sql", history=False),
}
"""The samples `planner demo --sample` can run on, by name."""


@dataclass(frozen=True)
class Demo:
    """A sample ready to analyze: its working copy, its databases and whether it has history."""

    root: Path
    dbs: tuple[str, ...]
    git: bool


def samples() -> Path:
    """Where the bundled samples are: inside the installed package, else in the checkout."""
    return next((d for d in SAMPLE_DIRS if d.is_dir()), SAMPLE_DIRS[-1])


def prepare_demo(
    name: str, out: Path, dbs: tuple[str, ...] = (), info: Callable[[str], None] = print
) -> Demo:
    """Copy sample `name` into OUT (replayed as a git repository by its scripted history when it
    has one) and build its SQLite database beside it, unless `dbs` names databases to read."""
    sample = SAMPLES[name]
    source = samples() / sample.folder
    if not source.is_dir():
        raise InputError(f"the demo needs the sample at {source}; reinstall strangler-planner")
    out.mkdir(parents=True, exist_ok=True)
    work = out / source.name
    database = out / f"{source.name}.db"
    if work.exists():
        shutil.rmtree(work)
    if sample.history:
        info("building the sample's git history")
        _build_history(source, work)
    else:
        info("copying the sample")
        shutil.copytree(source, work)
    if not dbs:
        info("building its SQLite database")
        _sqlite_from(source / sample.schema, database)
        dbs = (f"sqlite:///{database}",)
    return Demo(work, dbs, sample.history)


def _build_history(source: Path, work: Path) -> None:
    """The sample as a real git repository, replayed by its scripted history."""
    result = subprocess.run(
        [sys.executable, str(source / "build_history.py"), str(work)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise InputError(f"building the sample history failed: {result.stderr.strip()[-300:]}")


def _sqlite_from(schema: Path, database: Path) -> None:
    """A SQLite database built from a schema script, replaced atomically."""
    tmp = Path(tempfile.mkstemp(suffix=".db", dir=database.parent)[1])
    try:
        with sqlite3.connect(tmp) as conn:
            conn.executescript(schema.read_text(encoding="utf-8"))
        conn.close()
        tmp.replace(database)
    finally:
        tmp.unlink(missing_ok=True)
