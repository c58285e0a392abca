"""Java analyzer: classes, imports, references, calls, JPA/Spring/MyBatis facts (tree-sitter)."""

from analyzers.java.analyzer import (
    ANALYZER_VERSION,
    RunStats,
    analyze_java,
    analyze_java_with_stats,
)

__all__ = ["ANALYZER_VERSION", "RunStats", "analyze_java", "analyze_java_with_stats"]
