"""Compares the tables the code declares (ORM, DDL) with the tables a live database has."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from analyzers.facts import AnalysisWarning, Table

ANALYZER = "schema_diff"


def compare_schemas(
    declared: Sequence[Table], live: Sequence[Table]
) -> tuple[AnalysisWarning, ...]:
    """Warnings for tables (and columns) declared in code but missing live, and the reverse.

    Names compare case-insensitively. When either side is empty there is nothing to compare and no
    warning is given: call it once both a declaration and a live database were read.
    """
    if not declared or not live:
        return ()
    code = _by_name(t for t in declared if t.source != "database")
    database = _by_name(live)
    warnings = []
    for key in sorted(code.keys() - database.keys()):
        tables = code[key]
        warnings.append(
            AnalysisWarning(
                ANALYZER,
                _where(tables),
                f"{_kind(tables[0])} {tables[0].name} is declared in code "
                f"({_sources(tables)}) but missing in the live database",
            )
        )
    for key in sorted(database.keys() - code.keys()):
        table = database[key][0]
        warnings.append(
            AnalysisWarning(
                ANALYZER,
                "",
                f"{_kind(table)} {table.name} exists in the live database "
                "but is not declared in code",
            )
        )
    for key in sorted(code.keys() & database.keys()):
        warnings += _column_differences(code[key], database[key][0])
    return tuple(sorted(warnings))


def _by_name(tables: Iterable[Table]) -> dict[str, list[Table]]:
    grouped: dict[str, list[Table]] = {}
    for table in tables:
        grouped.setdefault(table.name.lower(), []).append(table)
    return {key: sorted(group) for key, group in grouped.items()}


def _kind(table: Table) -> str:
    return "view" if table.is_view else "table"


def _sources(tables: list[Table]) -> str:
    return ", ".join(sorted({t.source for t in tables}))


def _where(tables: list[Table]) -> str:
    evidence = sorted(e for t in tables for e in t.evidence)
    return f"{evidence[0].path}:{evidence[0].line}" if evidence else ""


def _column_differences(declared: list[Table], live: Table) -> list[AnalysisWarning]:
    """Columns that differ, for declarations that list their columns (an ORM may list none)."""
    live_columns = {c.name.lower(): c.name for c in live.columns}
    warnings = []
    for table in declared:
        if not table.columns or not live_columns:
            continue
        declared_columns = {c.name.lower(): c.name for c in table.columns}
        where = _where([table])
        for key in sorted(declared_columns.keys() - live_columns.keys()):
            warnings.append(
                AnalysisWarning(
                    ANALYZER,
                    where,
                    f"column {live.name}.{declared_columns[key]} is declared in code "
                    f"({table.source}) but missing in the live database",
                )
            )
        for key in sorted(live_columns.keys() - declared_columns.keys()):
            warnings.append(
                AnalysisWarning(
                    ANALYZER,
                    where,
                    f"column {live.name}.{live_columns[key]} exists in the live database "
                    f"but is not declared in code ({table.source})",
                )
            )
    return warnings
