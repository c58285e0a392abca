"""Checks the user's paths before any long work: the source tree and the output folder."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from analyzers.errors import InputError


def source_dir(path: Path) -> Path:
    """The tree to analyze, resolved; a missing, non-directory or empty one is refused."""
    if not path.exists():
        raise InputError(f"{path}: no such directory")
    if not path.is_dir():
        raise InputError(f"{path}: not a directory")
    try:
        with os.scandir(path) as entries:
            empty = next(entries, None) is None
    except OSError as error:
        raise InputError(f"{path}: cannot read the directory: {error.strerror}") from None
    if empty:
        raise InputError(f"{path}: empty directory, nothing to analyze")
    return path.resolve()


def output_dir(out: Path) -> Path:
    """The output folder, created if needed and proved writable by writing a probe file in it,
    so an unwritable `--out` fails at once and not after the whole analysis."""
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: exists and is not a directory")
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out, prefix=".planner-probe-"):
            pass
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise InputError(f"{out}: cannot write the output folder: {reason}") from None
    return out
