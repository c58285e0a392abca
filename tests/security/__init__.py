"""Security tests: hostile code, caches, databases and user mistakes."""
