"""Python analyzer: modules, imports, calls, ORM tables, SQL and routes, read with tree-sitter."""

from analyzers.python.analyzer import (
    ANALYZER_VERSION,
    RunStats,
    analyze_python,
    analyze_python_with_stats,
)

__all__ = ["ANALYZER_VERSION", "RunStats", "analyze_python", "analyze_python_with_stats"]
