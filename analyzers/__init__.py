"""Analyzers: read code, databases and history into facts with evidence (never running the code)."""
