"""The one slug rule: service names, file and image names, HTML ids."""

from __future__ import annotations

import re


def slug(text: str, empty: str = "service", limit: int | None = None) -> str:
    """Lower-case letters, digits and single dashes (at most `limit` characters); `empty` when
    nothing is left."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:limit] or empty
