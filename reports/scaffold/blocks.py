"""YAML whose multi-line strings (shell scripts) are literal blocks, for CI files people read."""

from __future__ import annotations

from typing import Any

import yaml

from reports.scaffold.compose import _Dumper


class _BlockDumper(_Dumper):
    """Like the compose dumper, with `|` blocks for strings that span lines."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BlockDumper.add_representer(str, _text)


def dump_blocks(data: dict[str, Any], header: str) -> str:
    """YAML text with a comment header; deterministic; scripts as literal blocks."""
    body = yaml.dump(
        data, Dumper=_BlockDumper, sort_keys=False, default_flow_style=False, width=4096
    )
    comment = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines())
    return comment + body
