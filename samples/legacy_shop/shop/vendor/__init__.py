"""Vendored third-party code. Do not edit, upgrade instead (ha)."""
