"""The Typer app and how commands talk to the user: one stderr console, progress bars."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from analyzers.redact import redact_text
from planner import __version__
from planner.pipeline import Feedback, Update


def _tidy(param: Any) -> Any:
    """One help style: flags show no value type (`--pretty`, not `--pretty <bool>`), arguments
    are named in capitals like the PATH, FACTS and PLAN the help texts refer to."""
    if isinstance(param, TyperOption) and param.is_flag and param.metavar is None:
        param.metavar = ""
    elif isinstance(param, TyperArgument) and param.metavar is None and param.name:
        param.metavar = param.name.upper()
    return param


class _Tidy:
    """Applies `_tidy` to a command's parameters and its --help option."""

    params: list[Any]

    def tidy(self) -> None:
        for param in self.params:
            _tidy(param)

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        return option if option is None else _tidy(option)


class _Command(_Tidy, TyperCommand):
    """A command in the tidy help style."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tidy()


class _Group(_Tidy, TyperGroup):
    """The command group (`planner --help`) in the tidy help style."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tidy()


class _Typer(typer.Typer):
    """Typer whose commands use the tidy help style unless they name their own class."""

    def command(self, *args: Any, cls: type[TyperCommand] | None = None, **kwargs: Any) -> Any:
        return super().command(*args, cls=cls or _Command, **kwargs)


app = _Typer(
    cls=_Group,
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
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
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
