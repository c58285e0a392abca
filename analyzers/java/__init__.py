"""Java analyzer: classes, imports, type references, calls, JPA/Spring/MyBatis facts, with tree-sitter."""
