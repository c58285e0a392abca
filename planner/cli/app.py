"""The Typer app and how commands talk to the user: one stderr console, progress bars."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from analyzers.redact import redact_text
from planner import __version__
from planner.pipeline import Feedback, Update

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Plan how to take a legacy monolith apart, piece by piece, into containers.",
)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"planner {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Plan how to take a legacy monolith apart, piece by piece, into containers."""


def info(message: str) -> None:
    """One line on stderr, secrets masked."""
    err.print(shown(message), markup=False)


def shown(message: str) -> str:
    """A message as printed: secrets masked, control characters (ANSI escapes) made visible."""
    return visible(redact_text(message))


def visible(text: str) -> str:
    """Text for the terminal: control characters (ANSI escapes from file names) made visible."""
    return "".join(c if c.isprintable() or c == "\n" else repr(c)[1:-1] for c in text)


@contextmanager
def progress(label: str) -> Iterator[Update]:
    """A progress bar on stderr fed by `update(done, total=None)`; silent when not a terminal."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    ) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int | None = None) -> None:
            bar.update(task, completed=done, total=total)

        yield update


FEEDBACK = Feedback(info=info, progress=progress)
"""What the use cases print through: the console above."""
