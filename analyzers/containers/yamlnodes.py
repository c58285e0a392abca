"""YAML of compose and CI files as nodes with lines: parse errors, duplicate keys, helpers."""

from __future__ import annotations

from collections.abc import Iterator

import yaml

from analyzers.containers.rules import finding
from analyzers.facts import (
    ContainerFinding,
)

Node = yaml.Node


def parse_yaml(text: str, path: str) -> tuple[Node | None, list[ContainerFinding]]:
    """The YAML node tree of a compose/CI file and its SP200/SP206 findings (None: unusable)."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        problem = getattr(exc, "problem", None) or "unreadable"
        return None, [
            finding(path, line, "SP200", f"not valid YAML: {problem}", "fix the YAML syntax")
        ]
    except RecursionError:
        return None, [finding(path, 1, "SP200", "YAML nested too deeply", "flatten the file")]
    if root is None:
        return None, []
    if not isinstance(root, yaml.MappingNode):
        return None, [finding(path, 1, "SP200", "not a YAML mapping", "use a top-level mapping")]
    return root, list(_duplicate_keys(root, path))


def _duplicate_keys(root: Node, path: str) -> Iterator[ContainerFinding]:
    stack = [root]
    seen_nodes: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen_nodes:
            continue
        seen_nodes.add(id(node))
        if isinstance(node, yaml.MappingNode):
            keys: set[str] = set()
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value != "<<":
                    if key.value in keys:
                        yield finding(
                            path,
                            line_of(key),
                            "SP206",
                            f"key `{key.value}` appears twice in one mapping; the last one wins",
                            "keep one of them",
                        )
                    keys.add(key.value)
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


def mapping_items(node: Node | None) -> list[tuple[Node, Node]]:
    """Key/value node pairs of a mapping, with `<<` merge keys flattened (own keys win)."""
    if not isinstance(node, yaml.MappingNode):
        return []
    own: list[tuple[Node, Node]] = []
    merged: list[tuple[Node, Node]] = []
    for key, value in node.value:
        if isinstance(key, yaml.ScalarNode) and key.value == "<<":
            sources = value.value if isinstance(value, yaml.SequenceNode) else [value]
            for source in sources:
                merged.extend(mapping_items(source))
        else:
            own.append((key, value))
    names = {k.value for k, _ in own}
    return own + [(k, v) for k, v in merged if k.value not in names]


def entry_of(node: Node | None, key: str) -> tuple[Node, Node] | None:
    return next(((k, v) for k, v in mapping_items(node) if k.value == key), None)


def value_of(node: Node | None, key: str) -> Node | None:
    entry = entry_of(node, key)
    return entry[1] if entry else None


def scalar(node: Node | None) -> str | None:
    return node.value if isinstance(node, yaml.ScalarNode) else None


def line_of(node: Node) -> int:
    return node.start_mark.line + 1


def flat_text(node: Node | None) -> str:
    if isinstance(node, yaml.ScalarNode):
        return str(node.value)
    if isinstance(node, yaml.SequenceNode):
        return " ".join(flat_text(n) for n in node.value)
    return ""


def names_of(node: Node | None) -> list[tuple[str, Node]]:
    """The names listed by a sequence (of strings or `{source:}` mappings) or a mapping's keys."""
    if isinstance(node, yaml.SequenceNode):
        out = []
        for item in node.value:
            name = scalar(item) or scalar(value_of(item, "source"))
            if name:
                out.append((name, item))
        return out
    return [(str(k.value), k) for k, _ in mapping_items(node)]
