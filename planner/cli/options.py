"""The command-line options, each defined once, and the decorator that adds the source options."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from analyzers.history import EXPORT_COMMAND
from planner.pipeline import Sources

PathArgument = Annotated[Path, typer.Argument(help="The monolith's source tree.")]
OutOption = Annotated[Path, typer.Option("--out", "-o", help="Output directory.")]
DbOption = Annotated[
    list[str] | None,
    typer.Option("--db", help="SQLAlchemy URL of the live database (repeatable); read-only."),
]
ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", help="planner.toml (default: PATH/planner.toml if present)."),
]
GitOption = Annotated[
    bool,
    typer.Option("--git/--no-git", help="Read the git history of PATH (when it is a repository)."),
]
GitLogOption = Annotated[
    Path | None,
    typer.Option(
        "--git-log",
        help=f"A saved `git log` export to read instead; make it with: {EXPORT_COMMAND}",
    ),
]
SinceOption = Annotated[str | None, typer.Option("--since", help="Only history after this date.")]
JobsOption = Annotated[int | None, typer.Option("--jobs", "-j", min=1, help="Parallel parsers.")]
CacheOption = Annotated[
    Path | None,
    typer.Option(
        "--cache-dir",
        help="Parse and history cache (default: the user cache folder, never the analyzed tree).",
    ),
]
SchemaOption = Annotated[
    list[Path] | None,
    typer.Option("--schema", help="DDL file, or directory of .sql files, to read (repeatable)."),
]
FirstOption = Annotated[
    str | None, typer.Option("--first", help="Force this service to be extracted first (what-if).")
]
PrettyOption = Annotated[
    bool, typer.Option("--pretty", help="Indent facts.json and plan.json for people to read.")
]
TimingsOption = Annotated[
    bool,
    typer.Option(
        "--timings", help="Print seconds per stage and keep them in plan.json and the report."
    ),
]
FactsOption = Annotated[
    Path | None, typer.Option("--facts", help="facts.json (default: beside PLAN).")
]
PlanArgument = Annotated[Path, typer.Argument(metavar="PLAN", help="plan.json from `plan`.")]

# The options that say where the facts come from, in the order --help lists them, with their
# defaults: `analyze` and `run` take them all through `source_options`.
_SOURCE_OPTIONS: tuple[tuple[str, Any, Any], ...] = (
    ("db", DbOption, None),
    ("git", GitOption, True),
    ("git_log", GitLogOption, None),
    ("since", SinceOption, None),
    ("jobs", JobsOption, None),
    ("cache_dir", CacheOption, None),
    ("schema", SchemaOption, None),
)


def source_options(command: Callable[..., None]) -> Callable[..., None]:
    """Give `command` the source options (--db, --git, --git-log, --since, --jobs, --cache-dir,
    --schema) and hand their values to it as one `sources: Sources` argument."""
    own = inspect.signature(command, eval_str=True)
    kept = [p for p in own.parameters.values() if p.name != "sources"]
    added = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=kind, default=default)
        for name, kind, default in _SOURCE_OPTIONS
    ]

    @functools.wraps(command)
    def wrapper(**values: Any) -> None:
        given = {name: values.pop(name) for name, _, _ in _SOURCE_OPTIONS}
        sources = Sources(
            dbs=tuple(given["db"] or ()),
            schemas=tuple(given["schema"] or ()),
            git=given["git"],
            git_log=given["git_log"],
            since=given["since"],
            jobs=given["jobs"],
            cache_dir=given["cache_dir"],
        )
        command(**values, sources=sources)

    parameters = [*kept, *added]
    wrapper.__signature__ = own.replace(parameters=parameters)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in parameters}
    return wrapper
