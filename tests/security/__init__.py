"""Hardening tests: hostile code, caches, databases, outputs and user mistakes."""
