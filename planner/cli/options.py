"""The command-line options, each defined once, and the decorator that adds the source options."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from analyzers.errors import InputError
from analyzers.history import EXPORT_COMMAND
from planner.checks import source_dir
from planner.config import Config, find_config, load_config
from planner.pipeline import Sources

BesideOption = Annotated[
    Path | None,
    typer.Option("--out", "-o", help="Output dir (default: the input file's dir)."),
]
PathArgument = Annotated[Path, typer.Argument(help="The monolith's source tree.")]
OutOption = Annotated[Path, typer.Option("--out", "-o", help="Output directory.")]
DbOption = Annotated[
    list[str] | None,
    typer.Option(
        "--db",
        metavar="<url>",
        help="SQLAlchemy URL of the live database (repeatable); read-only.",
    ),
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
SinceOption = Annotated[
    str | None,
    typer.Option(
        "--since", metavar="<date>", help="Only history after this date (as git reads it)."
    ),
]
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
    typer.Option(
        "--schema",
        metavar="<path>",
        help="DDL file, or directory of .sql files, to read (repeatable).",
    ),
]
FirstOption = Annotated[
    str | None,
    typer.Option(
        "--first", metavar="<service>", help="Force this service to be extracted first (what-if)."
    ),
]
PrettyOption = Annotated[
    bool, typer.Option("--pretty", help="Indent facts.json and plan.json for people to read.")
]
PrettyFactsOption = Annotated[
    bool, typer.Option("--pretty", help="Indent facts.json for people to read.")
]
PrettyPlanOption = Annotated[
    bool, typer.Option("--pretty", help="Indent plan.json for people to read.")
]
ReportOption = Annotated[
    bool,
    typer.Option(
        "--report",
        help="Also render the reports from the new plan, in the same step (the what-if loop).",
    ),
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

# What a command reading a source tree takes besides its own options, in the order --help lists
# them, with their defaults: `analyze` and `run` take them all through `tree_options`.
_TREE_OPTIONS: tuple[tuple[str, Any, Any], ...] = (
    ("out", OutOption, Path("planner-out")),
    ("config", ConfigOption, None),
    ("db", DbOption, None),
    ("git", GitOption, True),
    ("git_log", GitLogOption, None),
    ("since", SinceOption, None),
    ("jobs", JobsOption, None),
    ("cache_dir", CacheOption, None),
    ("schema", SchemaOption, None),
)


def tree_options(command: Callable[..., None]) -> Callable[..., None]:
    """Give `command` the PATH argument and the options of a command that reads a source tree
    (--out, --config, --db, --git, --git-log, --since, --jobs, --cache-dir, --schema); it gets
    them as `root` (checked), `settings` (its planner.toml read), `out` and `sources`."""
    own = inspect.signature(command, eval_str=True)
    kept = [
        p.replace(kind=inspect.Parameter.KEYWORD_ONLY)
        for p in own.parameters.values()
        if p.name not in ("root", "settings", "out", "sources")
    ]
    path = inspect.Parameter("path", inspect.Parameter.KEYWORD_ONLY, annotation=PathArgument)
    added = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=kind, default=default)
        for name, kind, default in _TREE_OPTIONS
    ]

    @functools.wraps(command)
    def wrapper(**values: Any) -> None:
        given = {name: values.pop(name) for name, _, _ in _TREE_OPTIONS}
        root = source_dir(values.pop("path"))
        sources = Sources(
            dbs=tuple(given["db"] or ()),
            schemas=tuple(given["schema"] or ()),
            git=given["git"],
            git_log=given["git_log"],
            since=given["since"],
            jobs=given["jobs"],
            cache_dir=given["cache_dir"],
        )
        settings = config_for(root, given["config"])
        command(root=root, settings=settings, out=given["out"], sources=sources, **values)

    parameters = [path, *added[:2], *kept, *added[2:]]
    wrapper.__signature__ = own.replace(parameters=parameters)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in parameters}
    return wrapper


def config_for(root: Path | None, config: Path | None) -> Config:
    """The settings: the --config file, else PATH/planner.toml if there is one, else defaults."""
    if config is not None and not config.is_file():
        raise InputError(f"{config}: no such config file")
    return load_config(config or (find_config(root) if root else None))
