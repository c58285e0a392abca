"""Extracts one Java file's raw facts with tree-sitter; pure, picklable, cached per content.

The result is a dict of plain tuples (marshal-friendly) holding what the file says on its own:
package, imports, and per top-level type its nested types, annotations (with their arguments),
supertypes, type names used, method calls with the declared type of their receiver, fields,
methods and the tables of SQL found in string literals. Cross-file resolution happens later.
Nodes of interest come from one tree-sitter query (run in C); Python only looks at those.
"""

from __future__ import annotations

import bisect
import functools
import re
from typing import Any

import tree_sitter_java
from tree_sitter import Language, Node, Parser, Query, QueryCursor

from analyzers import language
from analyzers.records import BOOL, INT, STR, dict_of, fixed, lazy, record, tagged, tuple_of
from analyzers.redact import redact_text
from analyzers.sql import looks_like_sql, tables_in_sql

EXTRACT_VERSION = "4"  # 4: SQL on system catalogs is no table access
"""Bump when the extracted result changes shape or meaning (it salts the cache key)."""

_MAX_SNIPPET = 200
_MAX_ANNOTATION_DEPTH = 4
_LANGUAGE = Language(tree_sitter_java.language())
_PARSER: Parser | None = None
_QUERY: Query | None = None
_QUERY_TEXT = """
(type_identifier) @type
(scoped_type_identifier) @stype
(marker_annotation name: _ @ann)
(annotation name: _ @ann)
(method_invocation) @call
(field_access object: (identifier) @fobj)
(method_reference . (identifier) @mref)
(string_literal) @str
(local_variable_declaration) @local
(formal_parameter) @param
(spread_parameter) @param
(enhanced_for_statement) @efor
(catch_formal_parameter) @catch
(field_declaration) @field
(method_declaration) @method
(constructor_declaration) @method
(compact_constructor_declaration) @method
(type_parameter . (type_identifier) @tparam)
(ERROR) @error
"""
TYPE_DECLS = frozenset(
    {
        "class_declaration",
        "interface_declaration",
        "enum_declaration",
        "record_declaration",
        "annotation_type_declaration",
    }
)
_KIND = {
    "class_declaration": "class",
    "interface_declaration": "interface",
    "enum_declaration": "enum",
    "record_declaration": "record",
    "annotation_type_declaration": "annotation",
}
_SUPER_LISTS = frozenset({"super_interfaces", "extends_interfaces"})
_SQL_START = re.compile(
    rb"""^["]{1,3}\s*\(?\s*(select|insert|update|delete|with|merge|replace|create)\b""",
    re.IGNORECASE,
)
_SECRET_HINT = re.compile(
    r"://|passw|pwd|secret|token|api|private|access|credential|akia|gh[pousr]_|xox|sk_live"
)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "'": "'", "\\": "\\", "s": " "}

FileResult = dict[str, Any]


def _parser() -> Parser:
    global _PARSER
    if _PARSER is None:
        _PARSER = Parser(_LANGUAGE)
    return _PARSER


def _query() -> Query:
    global _QUERY
    if _QUERY is None:
        _QUERY = Query(_LANGUAGE, _QUERY_TEXT)
    return _QUERY


_VALUES = tuple_of(tagged(s=fixed(STR), e=fixed(STR), a=fixed(STR, lazy(lambda: _ANN_ARGS))))
_ANN_ARGS = tuple_of(fixed(STR, _VALUES))
_ANNOTATIONS = tuple_of(fixed(STR, _ANN_ARGS, INT))
_TYPE = record(
    {
        "name": STR,
        "kind": STR,
        "line": INT,
        "end": INT,
        "inner": tuple_of(STR),
        "annotations": _ANNOTATIONS,
        "supers": tuple_of(fixed(STR, STR, INT, tuple_of(STR))),
        "refs": tuple_of(fixed(STR, INT)),
        "calls": tuple_of(fixed(STR, STR, STR, INT, STR)),
        "methods": tuple_of(fixed(STR, INT, _ANNOTATIONS)),
        "fields": tuple_of(fixed(STR, STR, tuple_of(STR), INT, _ANNOTATIONS, BOOL)),
        "sql": tuple_of(fixed(INT, tuple_of(STR), tuple_of(STR), BOOL)),
    }
)
RESULT_SHAPE = record(
    {
        "lines": INT,
        "warnings": tuple_of(STR),
        "package": STR,
        "imports": tuple_of(fixed(BOOL, BOOL, STR, INT)),
        "types": tuple_of(_TYPE),
        "snips": dict_of(INT, STR),
    }
)
"""The shape of `extract`'s result, checked when a result is read back from the cache."""


empty_result = functools.partial(
    language.empty_result, {"package": "", "imports": (), "types": (), "snips": {}}
)
"""`empty_result(lines, warnings)`: a result for a file that yielded nothing but warnings."""


def extract(data: bytes) -> FileResult:
    """Everything one Java file says on its own."""
    if b"\0" in data[:8192]:
        return empty_result(0, ["binary file (NUL byte); skipped"])
    src, warning = language.decode_source(data, latin1=True)
    warnings = [warning] if warning else []
    tree = _parser().parse(src)
    return _Extractor(src, tree.root_node, warnings).run()


def _text(node: Node | None) -> str:
    if node is None or node.text is None:
        return ""
    return node.text.decode("utf-8", "replace")


def type_name(node: Node | None) -> str:
    """The class a type node names, without generics or array brackets (`List<X>[]` -> `List`)."""
    while node is not None and node.type in ("generic_type", "array_type", "annotated_type"):
        if node.type == "annotated_type":
            node = node.children[-1]
        else:
            node = node.child_by_field_name("element") or node.child(0)
    if node is None or node.type not in ("type_identifier", "scoped_type_identifier"):
        return ""
    return "".join(_text(node).split())


def type_arguments(node: Node | None) -> tuple[str, ...]:
    """The class names given as type arguments (`Map<K, List<V>>` -> `K`, `List`)."""
    if node is None or node.type != "generic_type":
        return ()
    for child in node.children:
        if child.type == "type_arguments":
            return tuple(n for n in (type_name(c) for c in child.named_children) if n)
    return ()


def _unescape(body: str) -> str:
    if "\\" not in body:
        return body
    out = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            out.append(_ESCAPES.get(body[i + 1], body[i + 1]))
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def literal_value(node: Node) -> str:
    """The value of a string literal or text block (common escapes decoded)."""
    raw = _text(node)
    if raw.startswith('"""'):
        body = raw[3:-3] if raw.endswith('"""') and len(raw) >= 6 else raw[3:]
        lines = body.split("\n")
        if lines and not lines[0].strip():
            lines = lines[1:]
        indent = min((len(x) - len(x.lstrip()) for x in lines if x.strip()), default=0)
        body = "\n".join(x[indent:] for x in lines)
        return _unescape(body)
    body = raw[1:-1] if len(raw) >= 2 and raw.endswith('"') else raw[1:]
    return _unescape(body)


def _concat_root(node: Node, memo: dict[tuple[int, int, int], Node] | None = None) -> Node:
    """The outermost `+` expression (through parentheses) that a literal is part of.

    `Node.parent` costs as much as the node is deep, so with `memo` (shared by the literals of one
    file) each enclosing node is climbed through once: 4,000 concatenated literals then take
    milliseconds instead of minutes.
    """
    top = node
    parent = node.parent
    path: list[tuple[int, int, int]] = []
    while parent is not None and (
        (
            parent.type == "binary_expression"
            and _text(parent.child_by_field_name("operator")) == "+"
        )
        or parent.type == "parenthesized_expression"
    ):
        key = (parent.start_byte, parent.end_byte, parent.kind_id)
        if memo is not None and key in memo:
            top = memo[key]
            break
        path.append(key)
        top = parent
        parent = parent.parent
    if memo is not None:
        for key in path:
            memo[key] = top
    return top


def concat_text(node: Node) -> str:
    """A `+` concatenation as text: literals by value, anything else as the placeholder `0`."""
    parts: list[str] = []
    stack = [node]
    while stack:
        current = stack.pop()
        kind = current.type
        if kind == "string_literal":
            parts.append(literal_value(current))
        elif kind == "binary_expression" and _text(current.child_by_field_name("operator")) == "+":
            stack.append(current.child_by_field_name("right"))
            stack.append(current.child_by_field_name("left"))
        elif kind == "parenthesized_expression" and current.named_child_count == 1:
            stack.append(current.named_children[0])
        else:
            parts.append(" 0 ")
    return "".join(parts)


def annotation_args(node: Node, depth: int = 0) -> tuple:
    """((key, values), ...) of an annotation; a lone value is keyed `value`.

    Each value is ("s", text) for a string (literal or concatenation of literals), ("e", text)
    for another expression and ("a", name, args) for a nested annotation.
    """
    args = node.child_by_field_name("arguments")
    if args is None:
        return ()
    out = []
    for child in args.named_children:
        if child.type == "element_value_pair":
            key = _text(child.child_by_field_name("key"))
            value = child.child_by_field_name("value")
        else:
            key, value = "value", child
        if value is not None:
            out.append((key, _values(value, depth)))
    return tuple(out)


def _values(node: Node, depth: int) -> tuple:
    kind = node.type
    if kind == "element_value_array_initializer":
        return tuple(v for child in node.named_children for v in _values(child, depth))
    if kind in ("annotation", "marker_annotation"):
        if depth >= _MAX_ANNOTATION_DEPTH:
            return ()
        name = _text(node.child_by_field_name("name"))
        return (("a", name, annotation_args(node, depth + 1) if kind == "annotation" else ()),)
    if kind == "string_literal":
        return (("s", literal_value(node)),)
    if kind == "binary_expression" and "0" not in (text := concat_text(node)).split():
        return (("s", text),)
    return (("e", "".join(_text(node).split())),)


def _innermost(starts: list[int], spans: list[tuple[int, int, Any]], pos: int) -> Any:
    """The payload of the innermost span holding `pos` (spans sorted by start, properly nested)."""
    i = bisect.bisect_right(starts, pos) - 1
    while i >= 0:
        start, end, payload = spans[i]
        if start <= pos < end:
            return payload
        i -= 1
    return None


class _Type:
    """What is collected for one top-level type while the file is read."""

    def __init__(self, node: Node) -> None:
        self.node = node
        self.name = _text(node.child_by_field_name("name"))
        self.fields: dict[str, str] = {}
        self.refs: list[tuple[str, int]] = []
        self.calls: list[tuple[str, str, str, int, str]] = []
        self.sql: list[tuple[int, tuple[str, ...], tuple[str, ...], bool]] = []


class _Extractor:
    def __init__(self, src: bytes, root: Node, warnings: list[str]) -> None:
        self.src = src
        self.root = root
        self.warnings = warnings
        self._lines: list[bytes] | None = None
        self.snips: dict[int, str] = {}

    def line_text(self, line: int) -> str:
        if self._lines is None:
            self._lines = self.src.split(b"\n")
        if 1 <= line <= len(self._lines):
            return self._lines[line - 1].decode("utf-8", "replace")
        return ""

    def snip(self, line: int) -> int:
        """Remember the redacted snippet of a 1-based line; returns the line."""
        if line not in self.snips:
            text = self.line_text(line).strip()
            if _SECRET_HINT.search(text.lower()):
                text = redact_text(text)
            self.snips[line] = text[:_MAX_SNIPPET]
        return line

    # -- main ------------------------------------------------------------------------------
    def run(self) -> FileResult:
        root = self.root
        lines = self.src.count(b"\n") + (0 if self.src.endswith(b"\n") or not self.src else 1)
        package = ""
        imports = []
        tops: list[_Type] = []
        for child in root.named_children:
            if child.type == "package_declaration":
                for sub in child.named_children:
                    if sub.type in ("scoped_identifier", "identifier"):
                        package = "".join(_text(sub).split())
            elif child.type == "import_declaration":
                imports.append(self.import_entry(child))
            elif child.type in TYPE_DECLS and child.child_by_field_name("name") is not None:
                tops.append(_Type(child))
        captures = QueryCursor(_query()).captures(root)
        if root.has_error:
            errors = captures.get("error", [])
            line = min((n.start_point[0] + 1 for n in errors), default=None)
            if line is None:
                line = self.first_missing_line()
            self.warnings.append(f"syntax error near line {line}; kept what parsed")
        self.collect(tops, captures)
        return {
            "lines": lines,
            "warnings": tuple(self.warnings),
            "package": package,
            "imports": tuple(imports),
            "types": tuple(self.type_result(t) for t in tops),
            "snips": self.snips,
        }

    def first_missing_line(self) -> int:
        cursor = self.root.walk()
        for _ in range(200_000):
            node = cursor.node
            if node is not None and node.is_missing:
                return node.start_point[0] + 1
            if node is not None and node.has_error and cursor.goto_first_child():
                continue
            while not cursor.goto_next_sibling():
                if not cursor.goto_parent():
                    return 1
        return 1

    def import_entry(self, node: Node) -> tuple[bool, bool, str, int]:
        static = any(c.type == "static" for c in node.children)
        wildcard = any(c.type == "asterisk" for c in node.children)
        name = ""
        for sub in node.named_children:
            if sub.type in ("scoped_identifier", "identifier"):
                name = "".join(_text(sub).split())
        return static, wildcard, name, self.snip(node.start_point[0] + 1)

    # -- per top-level type ----------------------------------------------------------------
    def collect(self, tops: list[_Type], captures: dict[str, list[Node]]) -> None:
        if not tops:
            return
        top_starts = [t.node.start_byte for t in tops]
        top_spans = [(t.node.start_byte, t.node.end_byte, t) for t in tops]

        def top_of(node: Node) -> _Type | None:
            return _innermost(top_starts, top_spans, node.start_byte)

        spans = {n.start_byte: n.end_byte for n in captures.get("method", [])}
        methods: list[tuple[int, int, Any]] = [(s, e, {}) for s, e in sorted(spans.items())]
        method_starts = [m[0] for m in methods]

        def scope_of(node: Node) -> dict[str, str] | None:
            return _innermost(method_starts, methods, node.start_byte)

        tparams = {_text(n) for n in captures.get("tparam", [])}
        for kind in ("field", "local", "param", "efor", "catch"):
            for node in captures.get(kind, []):
                top = top_of(node)
                if top is None:
                    continue
                scope = scope_of(node) if kind != "field" else None
                target = scope if scope is not None else top.fields
                for name, declared in _declared(node, kind):
                    target.setdefault(name, declared)

        def var_type(node: Node, name: str) -> str | None:
            scope = scope_of(node)
            if scope is not None and name in scope:
                return scope[name]
            top = top_of(node)
            return top.fields.get(name) if top is not None else None

        for node in captures.get("type", []):
            top = top_of(node)
            parent = node.parent
            if top is None or parent is None:
                continue
            if parent.type in ("scoped_type_identifier", "type_parameter"):
                continue
            name = _text(node)
            if name in tparams or name == "var" or _is_super(node):
                continue
            top.refs.append((name, self.snip(node.start_point[0] + 1)))
        for node in captures.get("stype", []):
            top = top_of(node)
            parent = node.parent
            if top is None or (parent is not None and parent.type == "scoped_type_identifier"):
                continue
            if _is_super(node):
                continue
            top.refs.append(("".join(_text(node).split()), self.snip(node.start_point[0] + 1)))
        for node in captures.get("ann", []):
            top = top_of(node)
            if top is not None:
                top.refs.append(("".join(_text(node).split()), self.snip(node.start_point[0] + 1)))
        for kind in ("fobj", "mref"):
            for node in captures.get(kind, []):
                name = _text(node)
                top = top_of(node)
                if top is None or not name[:1].isupper() or var_type(node, name) is not None:
                    continue
                parent = node.parent
                if kind == "fobj" and parent is not None and _is_call_object(parent):
                    continue
                top.refs.append((name, self.snip(node.start_point[0] + 1)))
        for node in captures.get("call", []):
            top = top_of(node)
            if top is not None:
                self.call(top, node, var_type)
        seen_sql: set[int] = set()
        roots: dict[tuple[int, int, int], Node] = {}
        for node in captures.get("str", []):
            if not _SQL_START.match(node.text or b""):
                continue
            top = top_of(node)
            if top is None:
                continue
            expr = _concat_root(node, roots)
            if expr.start_byte in seen_sql:
                continue
            seen_sql.add(expr.start_byte)
            text = concat_text(expr).strip()
            if not looks_like_sql(text):
                continue
            found = tables_in_sql(text)
            if found is None:
                continue
            line = self.snip(node.start_point[0] + 1)
            reads, writes = tuple(sorted(found.reads)), tuple(sorted(found.writes))
            top.sql.append((line, reads, writes, _is_jpql(expr)))

    def call(self, top: _Type, node: Node, var_type: Any) -> None:
        obj = node.child_by_field_name("object")
        method = _text(node.child_by_field_name("name"))
        line = node.start_point[0] + 1
        arg_type = self.arg_type(node, var_type)
        if obj is None:
            top.calls.append(("u", "", method, self.snip(line), arg_type))
            return
        if obj.type == "identifier":
            name = _text(obj)
            declared = var_type(obj, name)
            if declared is not None:
                if declared:
                    top.calls.append(("v", declared, method, self.snip(line), arg_type))
            elif name[:1].isupper():
                top.calls.append(("s", name, method, self.snip(line), arg_type))
                top.refs.append((name, self.snip(line)))
            return
        if obj.type == "field_access":
            inner = obj.child_by_field_name("object")
            field = _text(obj.child_by_field_name("field"))
            if inner is not None and inner.type == "this":
                declared = top.fields.get(field)
                if declared:
                    top.calls.append(("v", declared, method, self.snip(line), arg_type))
                return
            dotted = "".join(_text(obj).split())
            parts = dotted.split(".")
            if (
                all(p.isidentifier() for p in parts)
                and parts[-1][:1].isupper()
                and var_type(obj, parts[0]) is None
            ):
                top.calls.append(("s", dotted, method, self.snip(line), arg_type))
                top.refs.append((dotted, self.snip(line)))

    def arg_type(self, node: Node, var_type: Any) -> str:
        """The declared type of a call's first argument, when it is plain to see."""
        args = node.child_by_field_name("arguments")
        if args is None or args.named_child_count == 0:
            return ""
        first = args.named_children[0]
        if first.type == "identifier":
            return var_type(first, _text(first)) or ""
        if first.type in ("object_creation_expression", "class_literal"):
            return type_name(first.child_by_field_name("type") or first.named_children[0])
        if first.type == "cast_expression":
            return type_name(first.child_by_field_name("type"))
        return ""

    def type_result(self, t: _Type) -> dict[str, Any]:
        node = t.node
        return {
            "name": t.name,
            "kind": _KIND[node.type],
            "line": self.snip(node.start_point[0] + 1),
            "end": node.end_point[0] + 1,
            "inner": tuple(_nested(node)),
            "annotations": self.annotations(node),
            "supers": tuple(self.supers(node)),
            "refs": tuple(t.refs),
            "calls": tuple(t.calls),
            "methods": tuple(self.methods(node)),
            "fields": tuple(self.fields(node)),
            "sql": tuple(t.sql),
        }

    def annotations(self, node: Node) -> tuple:
        out = []
        for child in node.children:
            if child.type != "modifiers":
                continue
            for ann in child.named_children:
                if ann.type not in ("annotation", "marker_annotation"):
                    continue
                name = "".join(_text(ann.child_by_field_name("name")).split())
                args = annotation_args(ann) if ann.type == "annotation" else ()
                out.append((name, args, self.snip(ann.start_point[0] + 1)))
        return tuple(out)

    def supers(self, node: Node) -> list[tuple[str, str, int, tuple[str, ...]]]:
        """(clause, type name, line, type arguments) of a type's direct supertypes."""
        out = []
        for child in node.children:
            if child.type == "superclass":
                subs = child.named_children
            elif child.type in _SUPER_LISTS:
                subs = [
                    s
                    for lst in child.named_children
                    if lst.type == "type_list"
                    for s in lst.named_children
                ]
            else:
                continue
            for sub in subs:
                name = type_name(sub)
                if name:
                    line = self.snip(sub.start_point[0] + 1)
                    out.append((child.type, name, line, type_arguments(sub)))
        return out

    def members(self, node: Node) -> list[Node]:
        body = node.child_by_field_name("body")
        if body is None:
            return []
        out = []
        for child in body.named_children:
            if child.type == "enum_body_declarations":
                out.extend(child.named_children)
            else:
                out.append(child)
        return out

    def methods(self, node: Node) -> list[tuple[str, int, tuple]]:
        out = []
        for member in self.members(node):
            if member.type in ("method_declaration", "constructor_declaration"):
                name = _text(member.child_by_field_name("name"))
                out.append((name, self.snip(member.start_point[0] + 1), self.annotations(member)))
        return out

    def fields(self, node: Node) -> list[tuple]:
        out = []
        for member in self.members(node):
            if member.type != "field_declaration":
                continue
            declared = member.child_by_field_name("type")
            modifiers = next((c for c in member.children if c.type == "modifiers"), None)
            is_static = modifiers is not None and any(
                c.type == "static" for c in modifiers.children
            )
            annotations = self.annotations(member)
            for decl in member.children_by_field_name("declarator"):
                name = _text(decl.child_by_field_name("name"))
                out.append(
                    (
                        name,
                        type_name(declared),
                        type_arguments(declared),
                        self.snip(decl.start_point[0] + 1),
                        annotations,
                        is_static,
                    )
                )
        return out


def _declared(node: Node, kind: str) -> list[tuple[str, str]]:
    """(variable name, declared type name) pairs of a declaration node."""
    if kind in ("field", "local"):
        declared = node.child_by_field_name("type")
        name = type_name(declared)
        out = []
        for decl in node.children_by_field_name("declarator"):
            var = _text(decl.child_by_field_name("name"))
            value = decl.child_by_field_name("value")
            this = name
            if (not name or name == "var") and value is not None:
                this = (
                    type_name(value.child_by_field_name("type"))
                    if value.type == "object_creation_expression"
                    else ""
                )
            out.append((var, "" if this == "var" else this))
        return out
    if kind == "catch":
        catch_type = next((c for c in node.named_children if c.type == "catch_type"), None)
        declared = (
            catch_type.named_children[0] if catch_type and catch_type.named_children else None
        )
        name_node = node.child_by_field_name("name")
        return [(_text(name_node), type_name(declared))] if name_node else []
    declared = node.child_by_field_name("type")
    name_node = node.child_by_field_name("name")
    if name_node is None and kind == "param":
        decl = next((c for c in node.named_children if c.type == "variable_declarator"), None)
        name_node = decl.child_by_field_name("name") if decl else None
    if name_node is None:
        return []
    return [(_text(name_node), type_name(declared))]


def _is_super(node: Node) -> bool:
    """True when a type node is a direct supertype (reported as inheritance, not reference)."""
    parent = node.parent
    if parent is not None and parent.type == "generic_type":
        node, parent = parent, parent.parent
    if parent is None:
        return False
    if parent.type == "superclass":
        return True
    grand = parent.parent
    return parent.type == "type_list" and grand is not None and grand.type in _SUPER_LISTS


def _is_jpql(node: Node) -> bool:
    """True when a query string is JPQL/HQL: in `@Query` (not native) or `createQuery(...)`."""
    parent = node.parent
    for _ in range(6):
        if parent is None:
            return False
        if parent.type == "annotation":
            name = _text(parent.child_by_field_name("name")).rpartition(".")[2]
            if name not in ("Query", "NamedQuery"):
                return False
            native = _text(parent.child_by_field_name("arguments")).replace(" ", "")
            return "nativeQuery=true" not in native
        if parent.type == "method_invocation":
            name = _text(parent.child_by_field_name("name"))
            return name in ("createQuery", "find") and "Native" not in name
        parent = parent.parent
    return False


def _is_call_object(node: Node) -> bool:
    parent = node.parent
    if parent is None or parent.type != "method_invocation":
        return False
    obj = parent.child_by_field_name("object")
    return obj is not None and obj.start_byte == node.start_byte and obj.end_byte == node.end_byte


def _nested(node: Node, prefix: str = "") -> list[str]:
    """Dotted names of the types nested in a type declaration (iterative, any depth)."""
    out = []
    stack = [(node, prefix)]
    while stack:
        current, path = stack.pop()
        body = current.child_by_field_name("body")
        if body is None:
            continue
        children = list(body.named_children)
        for child in body.named_children:
            if child.type == "enum_body_declarations":
                children.extend(child.named_children)
        for child in children:
            if child.type in TYPE_DECLS:
                name = _text(child.child_by_field_name("name"))
                if name:
                    dotted = f"{path}.{name}" if path else name
                    out.append(dotted)
                    stack.append((child, dotted))
    return sorted(out)
