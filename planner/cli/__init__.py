"""The `planner` command: Typer commands only; the work is done by the use cases of
planner.pipeline (and planner.demo), which the commands call."""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
from typing import NoReturn

import typer

try:  # typer >= 0.26 vendors click; older releases use click itself
    from typer._click import exceptions as cli_errors
except ImportError:  # pragma: no cover
    from click import exceptions as cli_errors

from analyzers.errors import InputError
from planner.cli import commands as commands  # registers the commands on `app`
from planner.cli.app import app, err, shown
from planner.demo import samples as _samples  # where `planner demo` finds its samples

GC_THRESHOLDS = (100_000, 50, 100)
"""The cycle collector's thresholds for a command. A command holds a large model for its whole
life (saleor's facts and plans: millions of objects) while it allocates many more; with Python's
defaults (700, 10, 10) the collector scans that model again and again (0.3-0.5 s of a `planner
report` on saleor, in 3 full collections). Young garbage is still collected every 100,000
allocations; the older generations hardly ever, as a command is short-lived and exits without
freeing its objects (`_exit_now`)."""


def main() -> None:
    """Entry point: user mistakes print one line and exit 2; bugs say how to get the traceback."""
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        code = app(standalone_mode=False)
    except cli_errors.NoArgsIsHelpError as error:
        typer.echo(error.ctx.get_help() if error.ctx else error.format_message())
        sys.exit(0)
    except cli_errors.UsageError as error:
        where = f" (see '{error.ctx.command_path} --help')" if error.ctx else ""
        err.print(shown(f"error: {error.format_message()}{where}"), markup=False)
        sys.exit(2)
    except cli_errors.ClickException as error:
        err.print(shown(f"error: {error.format_message()}"), markup=False)
        sys.exit(error.exit_code)
    except InputError as error:
        err.print(shown(f"error: {error}"), markup=False)
        sys.exit(2)
    except (KeyboardInterrupt, typer.Abort):
        err.print("interrupted", markup=False)
        sys.exit(130)
    except Exception as error:
        if os.environ.get("PLANNER_DEBUG"):
            raise
        err.print(
            shown(
                f"internal error: {type(error).__name__}: {error} (set PLANNER_DEBUG=1 for the "
                "traceback and please report it)"
            ),
            markup=False,
        )
        sys.exit(1)
    _exit_now(code if isinstance(code, int) else 0)


def _exit_now(code: int) -> NoReturn:
    """Exit without freeing a large run's objects one by one (over a second on a big tree),
    once everything is written and flushed; the usual exit while a worker process is left."""
    sys.stdout.flush()
    sys.stderr.flush()
    if multiprocessing.active_children():
        sys.exit(code)
    os._exit(code)


__all__ = ["_samples", "app", "main"]
