"""Hardening tests: hostile code, databases and user mistakes."""
