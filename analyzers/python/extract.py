"""Extracts one Python file's raw facts with tree-sitter; pure, picklable, cached per content.

The result is a dict of plain tuples (marshal-friendly) holding what the file says on its own:
imports, top-level classes and functions, uses of imported or local names, ORM declarations,
routes, URL patterns and SQL found in string literals. Cross-file resolution happens later.
Nothing here walks the whole tree in Python: import statements, name uses, `Table(` calls and
SQL strings are found by byte searches in C (`bytes.find`, `re`) and each hit is confirmed with
one `descendant_for_byte_range` lookup; classes and functions come from the top-level children.
(Measured on saleor: this is 3x quicker than tree-sitter `Query` captures for the same facts.)
"""

from __future__ import annotations

import bisect
import codecs
import functools
import re
from collections.abc import Iterable
from typing import Any

import tree_sitter_python
from tree_sitter import Language, Node, Parser

from analyzers import language
from analyzers.records import (
    BOOL,
    INT,
    STR,
    dict_of,
    fixed,
    lazy,
    optional,
    record,
    tagged,
    tuple_of,
)
from analyzers.redact import redact_text
from analyzers.sql import looks_like_sql, tables_in_sql

EXTRACT_VERSION = "6"
"""Bump when the extracted result changes shape or meaning (it salts the cache key).
6: test files give their imports only (`imports.py`); 5: route registrations, view verbs,
`__mapper_args__` hint."""

MAX_EVIDENCE = 5
_MAX_ARG_DEPTH = 4
_MAX_ARG_TEXT = 300
_MAX_TABLE_CALLS = 1_000
"""`Table(` calls looked at per file; each costs a tree lookup as deep as the call is nested."""
_MAX_CHAIN = 6
_MAX_SNIPPET = 200
_MAX_REMEMBERED_IMPORT = 1_000
"""Longer import statements are read every time, not remembered (bounds the memo's memory)."""

_LANGUAGE = Language(tree_sitter_python.language())
_PARSER: Parser | None = None
_IMPORT_TYPES = frozenset({"import_statement", "import_from_statement"})
_IMPORT_NOISE = re.compile(r"#[^\n]*|\\\r?\n|[()]")
_FROM_IMPORT = re.compile(r"from\s*(\.*)\s*([\w.]*)\s+import\b(.*)", re.S)
_NAME_AS = re.compile(r"([\w.]+)(?:\s+as\s+(\w+))?$")

_CODING = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")
_SECRET_HINT = re.compile(
    rb"://|passw|pwd|secret|token|api|private|access|credential|akia|gh[pousr]_|xox|sk_live"
)
_SQL_HINT = re.compile(rb'" *(select|insert|update|delete|with|merge|replace|create)\b')
"""A quote, blanks or "(", then an SQL keyword: searched in the source mapped by `_SQL_FOLD`."""
_SQL_FOLD = bytes(
    b + 32 if 65 <= b <= 90 else 34 if b == 39 else 32 if b in b"\t\r\n(" else b for b in range(256)
)
"""Lowercases ASCII and maps `'` to `"` and tab, CR, LF and "(" to a space, byte for byte: the
hint then starts with one literal byte, which `re` finds 4x quicker than a character class."""
_TABLE_CALL = re.compile(rb"Table[ \t]*\(")
_IDENTIFIER = re.compile(rb"[A-Za-z_][A-Za-z_0-9]*")
_MANY_NAMES = 48
_CHAIN = re.compile(rb"(?:\.[A-Za-z_]\w*)*")
_ASSIGNED_FROM = re.compile(r"\s*([A-Za-z_]\w*)\s*=\s*([A-Za-z_]\w*)")
_ORM_HINTS = (
    b"__tablename__",
    b"__abstract__",
    b"__table_args__",
    b"__mapper_args__",
    b"Field(",
    b"ForeignKey",
    b"Column(",
    b"column(",
    b"class Meta",
)
_ORM_HINT = re.compile(b"|".join(map(re.escape, _ORM_HINTS)))
"""Any of `_ORM_HINTS`: one search of a class's bytes instead of one per hint."""
_WRITE_LAST = frozenset(
    {
        "create",
        "update",
        "delete",
        "bulk_create",
        "bulk_update",
        "get_or_create",
        "update_or_create",
        "save",
        "insert",
    }
)
_WRITE_AROUND = re.compile(rb"\.(?:add|add_all|delete|merge)\($")
_WRITE_AFTER = re.compile(rb"\.\s*(?:update|delete)\s*\(")
_ROUTE_ATTRS = frozenset(
    {"route", "get", "post", "put", "patch", "delete", "head", "options", "api_route"}
)
_APP_FACTORIES = {
    "Flask": "flask",
    "Blueprint": "flask",
    "FastAPI": "fastapi",
    "APIRouter": "fastapi",
    "Namespace": "flask",
}
_APP_FACTORY_BYTES = tuple(name.encode() + b"(" for name in _APP_FACTORIES)
_URL_FUNCS = frozenset({"path", "re_path", "url"})
_VERBS = ("get", "post", "put", "patch", "delete", "head", "options")
_VERB_SET = frozenset(_VERBS)
_REGISTRATION = re.compile(rb"\(\s*[A-Za-z_][\w.]*\s*,\s*[rRuUfFbB]{0,2}[\"']/")
"""A call whose first argument is a name and whose second is a string starting with "/":
`api.add_resource(Resource, "/a", ...)` and wrappers around it."""
_MAX_REGISTRATIONS = 2_000

FileResult = dict[str, Any]

_ARG = tagged(
    s=fixed(STR),
    n=fixed(STR),
    b=fixed(STR),
    o=fixed(STR),
    c=fixed(STR, tuple_of(lazy(lambda: _ARG))),
    l=fixed(tuple_of(lazy(lambda: _ARG))),
)
_KEYWORDS = dict_of(STR, _ARG)
_BODY = record(
    {
        "attrs": _KEYWORDS,
        "meta": _KEYWORDS,
        "fields": tuple_of(fixed(STR, STR, tuple_of(_ARG), _KEYWORDS, INT)),
    }
)
RESULT_SHAPE = record(
    {
        "lines": INT,
        "warnings": tuple_of(STR),
        "imports": tuple_of(
            tagged(**{"import": fixed(INT, STR, STR), "from": fixed(INT, INT, STR, STR, STR)})
        ),
        "classes": tuple_of(fixed(STR, INT, tuple_of(STR), optional(_BODY))),
        "functions": tuple_of(STR),
        "uses": tuple_of(fixed(STR, STR, STR, STR, INT, tuple_of(INT), STR)),
        "tables": tuple_of(
            fixed(STR, STR, STR, tuple_of(fixed(STR, STR, tuple_of(_ARG), _KEYWORDS)), INT)
        ),
        "sql": tuple_of(fixed(INT, tuple_of(STR), tuple_of(STR))),
        "routes": tuple_of(fixed(STR, STR, STR, STR, INT)),
        "urls": tuple_of(fixed(STR, STR, INT)),
        "snips": dict_of(INT, STR),
        "registrations": tuple_of(fixed(STR, STR, STR, tuple_of(STR), tuple_of(STR), INT)),
        "verbs": tuple_of(fixed(STR, tuple_of(STR))),
    },
    {"skipped": BOOL},
)
"""The shape of `extract`'s result, checked when a result is read back from the cache."""


def _parser() -> Parser:
    global _PARSER
    if _PARSER is None:
        _PARSER = Parser(_LANGUAGE)
    return _PARSER


_EMPTY = {
    "imports": (),
    "classes": (),
    "functions": (),
    "uses": (),
    "tables": (),
    "sql": (),
    "routes": (),
    "urls": (),
    "snips": {},
    "registrations": (),
    "verbs": (),
}
empty_result = functools.partial(language.empty_result, _EMPTY)
"""`empty_result(lines, warnings)`: a result for a file that yielded nothing but warnings."""


def encoding_cookie(data: bytes) -> str | None:
    """The encoding a PEP 263 cookie in the first two lines declares, if any."""
    for line in data.removeprefix(codecs.BOM_UTF8).split(b"\n", 2)[:2]:
        match = _CODING.match(line)
        if match:
            return match.group(1).decode("ascii", "replace")
    return None


def extract(data: bytes, repo_tops: frozenset[str]) -> FileResult:
    """Everything one file says on its own. `repo_tops`: the repository's top-level names."""
    if b"\0" in data:
        return {**empty_result(0, ["binary file (NUL byte); skipped"]), "skipped": True}
    src, warning = language.decode_source(data, encoding_cookie(data))
    warnings = [warning] if warning else []
    tree = _parser().parse(src)
    root = tree.root_node
    if root.has_error:
        warnings.append(f"syntax error near line {_first_error_line(root)}; kept what parsed")
    return _Extractor(src, root, repo_tops, warnings).run()


def _first_error_line(root: Node) -> int:
    """The 1-based line where the first syntax error starts (iterative descent)."""
    node = root
    for _ in range(10_000):
        if node.is_missing:
            break
        nxt = None
        for child in node.children:
            if child.has_error or child.is_missing:
                nxt = child
                break
            if node.type == "ERROR" and not _is_whole_statement(child):
                return child.start_point[0] + 1
        if nxt is None:
            break
        node = nxt
    return node.start_point[0] + 1


def _is_whole_statement(node: Node) -> bool:
    kind = node.type
    return kind == "comment" or kind.endswith(("_statement", "definition"))


def _text(node: Node | None) -> str:
    text = node.text if node is not None else None  # `text` copies the bytes: read it once
    return "" if text is None else text.decode("utf-8", "replace")


def string_value(node: Node) -> str | None:
    """The value of a plain or implicitly concatenated string literal; holes become `{...}`."""
    if node.type == "concatenated_string":
        parts = [string_value(c) for c in node.named_children if c.type == "string"]
        return "".join(p for p in parts if p is not None)
    if node.type != "string":
        return None
    out = []
    for child in node.children:
        if child.type == "string_content":
            out.append(_text(child))
        elif child.type == "interpolation":
            out.append("{" + _text(child)[1:-1] + "}")
    return "".join(out)


def _arg(node: Node, depth: int = 0) -> tuple:
    """A compact description of an argument: ("s", value) | ("n", dotted) | ("c", f, args) | ...

    Nested calls and lists are described `_MAX_ARG_DEPTH` levels deep; deeper ones, and any
    expression longer than `_MAX_ARG_TEXT` bytes, become ("o", ""): a hostile file of
    40,000 nested calls then costs linear time, not quadratic.
    """
    kind = node.type
    if kind in ("string", "concatenated_string"):
        return ("s", string_value(node) or "")
    if kind in ("identifier", "attribute"):
        return ("n", _text(node))
    if depth >= _MAX_ARG_DEPTH:
        return ("o", "")
    if kind == "call":
        func = _text(node.child_by_field_name("function"))
        args = node.child_by_field_name("arguments")
        inner = ()
        if args is not None and args.type == "argument_list":
            inner = tuple(
                _arg(a, depth + 1) for a in args.named_children[:4] if a.type != "keyword_argument"
            )
        return ("c", func, inner)
    if kind in ("true", "false", "none"):
        return ("b", kind)
    if kind in ("list", "tuple"):
        return ("l", tuple(_arg(c, depth + 1) for c in node.named_children[:32]))
    if node.end_byte - node.start_byte > _MAX_ARG_TEXT:
        return ("o", "")
    return ("o", _text(node))


def _call_args(call: Node) -> tuple[tuple, dict[str, tuple]]:
    args = call.child_by_field_name("arguments")
    positional: list[tuple] = []
    keywords: dict[str, tuple] = {}
    if args is None or args.type != "argument_list":
        return (), {}
    for child in args.named_children:
        if child.type == "keyword_argument":
            name = _text(child.child_by_field_name("name"))
            value = child.child_by_field_name("value")
            if value is not None:
                keywords[name] = _arg(value)
        elif child.type != "comment":
            positional.append(_arg(child))
    return tuple(positional), keywords


class _Extractor:
    """One pass over one parsed file."""

    def __init__(self, src: bytes, root: Node, repo_tops: frozenset[str], warnings: list[str]):
        self.src = src
        self.root = root
        self.repo_tops = repo_tops
        self.warnings = warnings
        self._lines: list[bytes] | None = None
        self._wanted: set[int] = set()
        self.import_spans: list[tuple[int, int]] = []
        self.class_ranges: list[tuple[int, int, str]] = []
        self.base_starts: set[int] = set()
        self.verbs: list[tuple[str, tuple[str, ...]]] = []
        self.registrations: list[tuple] = []
        self.app_vars: dict[str, tuple[str, str]] = {}

    # -- helpers ---------------------------------------------------------------------------
    def line_text(self, line: int) -> str:
        if self._lines is None:
            self._lines = self.src.split(b"\n")
        if 1 <= line <= len(self._lines):
            return self._lines[line - 1].decode("utf-8", "replace")
        return ""

    def snip(self, line: int) -> int:
        """Remember to keep the redacted snippet of a 1-based line; returns the line."""
        self._wanted.add(line)
        return line

    def snippets(self) -> dict[int, str]:
        """The redacted snippet of every line remembered by `snip`, by line."""
        if self._lines is None:
            self._lines = self.src.split(b"\n")
        return snippets(self._lines, self._wanted)

    # -- main ------------------------------------------------------------------------------
    def run(self) -> FileResult:
        imports = self.imports()
        classes, functions, routes, urls = self.top_level(imports)
        tables = self.table_calls()
        uses = self.uses(imports, classes, tables)
        sql = self.sql_strings()
        self.registered_views()
        return {
            "lines": self.non_blank_lines(),
            "warnings": tuple(self.warnings),
            "imports": tuple(imports),
            "classes": tuple(classes),
            "functions": tuple(functions),
            "uses": uses,
            "tables": tuple(tables),
            "sql": tuple(sql),
            "routes": tuple(routes),
            "urls": tuple(urls),
            "snips": self.snippets(),
            "registrations": tuple(self.registrations),
            "verbs": tuple(self.verbs),
        }

    def non_blank_lines(self) -> int:
        if self._lines is None:
            self._lines = self.src.split(b"\n")
        return non_blank(self._lines)

    # -- imports ---------------------------------------------------------------------------
    def imports(self) -> list[tuple]:
        """("import", line, dotted, alias) and ("from", line, level, module, name, alias)."""
        nodes: list[Node] = []
        src, root = self.src, self.root
        pos = src.find(b"import")
        while pos >= 0:
            keyword = root.descendant_for_byte_range(pos, pos + 6)
            node = keyword.parent if keyword is not None and keyword.type == "import" else None
            if node is not None and node.type in _IMPORT_TYPES:
                nodes.append(node)
            pos = src.find(b"import", pos + 6)
        out: list[tuple] = []
        spans = self.import_spans
        for node in nodes:
            line = self.snip(node.start_point[0] + 1)
            parsed = None
            if not node.has_error:
                # No name in a clean import statement is a use (see `uses`).
                spans.append((node.start_byte, node.end_byte))
                parsed = import_from_text(_text(node), line)
            if parsed is not None:
                out.extend(parsed)
                continue
            if node.type == "import_statement":
                for child in node.named_children:
                    if child.type == "dotted_name":
                        out.append(("import", line, _text(child), ""))
                    elif child.type == "aliased_import":
                        name = _text(child.child_by_field_name("name"))
                        alias = _text(child.child_by_field_name("alias"))
                        out.append(("import", line, name, alias))
                continue
            module_node = node.child_by_field_name("module_name")
            level, module = 0, ""
            if module_node is not None and module_node.type == "relative_import":
                for part in module_node.children:
                    if part.type == "import_prefix":
                        level = _text(part).count(".")
                    elif part.type == "dotted_name":
                        module = _text(part)
            else:
                module = _text(module_node)
            for child in node.named_children:
                if child.start_byte <= (module_node.end_byte if module_node else 0):
                    continue
                if child.type == "dotted_name":
                    out.append(("from", line, level, module, _text(child), ""))
                elif child.type == "aliased_import":
                    name = _text(child.child_by_field_name("name"))
                    alias = _text(child.child_by_field_name("alias"))
                    out.append(("from", line, level, module, name, alias))
                elif child.type == "wildcard_import":
                    out.append(("from", line, level, module, "*", ""))
        return out

    # -- top level -------------------------------------------------------------------------
    def top_level(self, imports: list[tuple]) -> tuple[list, list, list, list]:
        classes: list[tuple] = []
        functions: list[str] = []
        decorated: list[tuple[Node, Node]] = []
        app_vars: dict[str, tuple[str, str]] = {}
        url_lists: list[Node] = []
        src = self.src
        assignments = b"urlpatterns" in src or any(f in src for f in _APP_FACTORY_BYTES)
        for node in self.root.named_children:
            definition = node
            if node.type == "decorated_definition":
                definition = node.child_by_field_name("definition") or node
            if definition.type == "class_definition":
                classes.append(self.class_info(definition, node))
                if node is not definition:
                    decorated.append((node, definition))
            elif definition.type == "function_definition":
                functions.append(_text(definition.child_by_field_name("name")))
                if node is not definition:
                    decorated.append((node, definition))
            elif assignments and node.type == "expression_statement":
                stmt = node.named_child(0)
                if stmt is not None and stmt.type in ("assignment", "augmented_assignment"):
                    self.top_assignment(stmt, app_vars, url_lists)
        frameworks = {
            top
            for entry in (imports if decorated else ())  # only decorators make routes
            for top in [(entry[2] if entry[0] == "import" else entry[3]).split(".")[0]]
            if top in ("flask", "fastapi") or top.startswith("flask_")
        }
        self.app_vars = app_vars
        routes = self.routes(decorated, app_vars, frameworks)
        urls = self.urlpatterns(url_lists)
        return classes, functions, routes, urls

    def top_assignment(
        self, stmt: Node, app_vars: dict[str, tuple[str, str]], url_lists: list[Node]
    ) -> None:
        left = stmt.child_by_field_name("left")
        right = stmt.child_by_field_name("right")
        if left is None or right is None or left.type != "identifier":
            return
        name = _text(left)
        if name == "urlpatterns":
            url_lists.append(right)
        elif right.type == "call":
            func = _text(right.child_by_field_name("function")).rsplit(".", 1)[-1]
            if func in _APP_FACTORIES:
                positional, keywords = _call_args(right)
                prefix = keywords.get("url_prefix") or keywords.get("prefix") or ("", "")
                if func == "Namespace":
                    # Flask-RESTX: served under `path=`, else under "/" + its name.
                    named = positional[0] if positional and positional[0][0] == "s" else None
                    default = ("s", "/" + named[1].strip("/")) if named else ("", "")
                    prefix = keywords.get("path") or default
                app_vars[name] = (
                    _APP_FACTORIES[func],
                    prefix[1] if prefix[0] == "s" else "",
                )

    def class_info(self, node: Node, outer: Node) -> tuple:
        """(name, line, bases, body) where body is a dict of ORM hints or None."""
        name = _text(node.child_by_field_name("name"))
        line = self.snip(node.start_point[0] + 1)
        bases: list[str] = []
        superclasses = node.child_by_field_name("superclasses")
        if superclasses is not None:
            for base in superclasses.named_children:
                if base.type in ("identifier", "attribute"):
                    bases.append(_text(base))
                    self.base_starts.add(base.start_byte)
                elif base.type == "subscript":
                    value = base.child_by_field_name("value")
                    if value is not None:
                        bases.append(_text(value))
                        self.base_starts.add(value.start_byte)
        self.class_ranges.append((outer.start_byte, outer.end_byte, name))
        if bases:
            self.class_verbs(name, node)
        body = None
        start, end = node.start_byte, node.end_byte
        if bases and _ORM_HINT.search(self.src, start, end) is not None:
            body = self.class_body(node)
        return (name, line, tuple(bases), body)

    def class_verbs(self, name: str, node: Node) -> None:
        """Remember the HTTP verbs a class defines as methods (`get`, `post`...)."""
        body = node.child_by_field_name("body")
        found: set[str] = set()
        for stmt in body.named_children if body is not None else ():
            if stmt.type == "decorated_definition":
                stmt = stmt.child_by_field_name("definition") or stmt
            if stmt.type == "function_definition":
                method = _text(stmt.child_by_field_name("name"))
                if method in _VERB_SET:
                    found.add(method.upper())
        if found:
            self.verbs.append((name, tuple(v.upper() for v in _VERBS if v.upper() in found)))

    # -- route registrations without decorators --------------------------------------------
    def registered_views(self) -> None:
        """`api.add_resource(View, "/a", "/b")` (and wrappers) and `x.add_url_rule(...)` calls.

        Kept as ("call" | "rule", view expression, object, paths, methods, line); whether the
        view is a Flask view class is decided later, across files.
        """
        src, descendant = self.src, self.root.descendant_for_byte_range
        seen: set[int] = set()
        for count, match in enumerate(_REGISTRATION.finditer(src)):
            if count == _MAX_REGISTRATIONS:
                break
            paren = descendant(match.start(), match.start() + 1)
            args = paren.parent if paren is not None else None
            call = args.parent if args is not None and args.type == "argument_list" else None
            if call is None or call.type != "call" or call.start_byte in seen:
                continue
            seen.add(call.start_byte)
            positional, _keywords = _call_args(call)
            if not positional or positional[0][0] != "n":
                continue
            paths = []
            for arg in positional[1:]:
                if arg[0] != "s" or not arg[1].startswith("/"):
                    break
                paths.append(arg[1])
            if paths:
                line = self.snip(call.start_point[0] + 1)
                entry = ("call", positional[0][1], "", tuple(paths), (), line)
                self.registrations.append(entry)
        pos = src.find(b"add_url_rule")
        while pos >= 0 and len(self.registrations) < _MAX_REGISTRATIONS:
            self.url_rule(pos)
            pos = src.find(b"add_url_rule", pos + 12)

    def url_rule(self, pos: int) -> None:
        """`app.add_url_rule("/p", "endpoint", view_func=V.as_view("v"), methods=[...])`."""
        ident = self.root.descendant_for_byte_range(pos, pos + 12)
        func = ident.parent if ident is not None and ident.type == "identifier" else None
        call = func.parent if func is not None and func.type == "attribute" else None
        if call is None or call.type != "call" or call.child_by_field_name("function") != func:
            return
        positional, keywords = _call_args(call)
        rule = positional[0] if positional else keywords.get("rule")
        view = keywords.get("view_func") or (positional[2] if len(positional) > 2 else None)
        if not rule or rule[0] != "s" or view is None:
            return
        if view[0] == "c" and view[1].endswith(".as_view"):
            target = view[1][: -len(".as_view")]
        elif view[0] == "n":
            target = view[1]
        else:
            return
        obj = _text(func.child_by_field_name("object"))
        prefix = self.app_vars.get(obj, ("", ""))[1]
        line = self.snip(call.start_point[0] + 1)
        methods = _strings(keywords.get("methods"))
        path = join_url(prefix, rule[1])
        self.registrations.append(("rule", target, obj, (path,), methods, line))

    def class_body(self, node: Node) -> dict:
        body = node.child_by_field_name("body")
        info: dict[str, Any] = {"attrs": {}, "meta": {}, "fields": []}
        if body is None:
            return info
        for stmt in body.named_children:
            if (
                stmt.type == "class_definition"
                and _text(stmt.child_by_field_name("name")) == "Meta"
            ):
                inner = stmt.child_by_field_name("body")
                for sub in inner.named_children if inner is not None else ():
                    assign = _assignment(sub)
                    if assign is not None:
                        info["meta"][assign[0]] = _arg(assign[1])
                continue
            assign = _assignment(stmt)
            if assign is None:
                continue
            attr, value = assign
            if attr.startswith("__"):
                info["attrs"][attr] = _arg(value)
            elif value.type == "call":
                positional, keywords = _call_args(value)
                func = _text(value.child_by_field_name("function"))
                line = self.snip(stmt.start_point[0] + 1)
                info["fields"].append((attr, func, positional, keywords, line))
        info["fields"] = tuple(info["fields"])
        return info

    # -- routes ----------------------------------------------------------------------------
    def routes(
        self,
        decorated: list[tuple[Node, Node]],
        app_vars: dict[str, tuple[str, str]],
        frameworks: set[str],
    ) -> list[tuple]:
        """(framework, method, path, handler, line) for Flask and FastAPI decorators."""
        out: list[tuple] = []
        for outer, definition in decorated:
            handler = _text(definition.child_by_field_name("name"))
            is_class = definition.type == "class_definition"
            for deco in outer.named_children:
                if deco.type != "decorator":
                    continue
                call = deco.named_child(0)
                if call is None or call.type != "call":
                    continue
                func = call.child_by_field_name("function")
                if func is None or func.type != "attribute":
                    continue
                attr = _text(func.child_by_field_name("attribute"))
                obj = _text(func.child_by_field_name("object"))
                if attr not in _ROUTE_ATTRS:
                    continue
                framework, prefix = app_vars.get(obj, ("", ""))
                if not framework:
                    if "fastapi" in frameworks and attr != "route":
                        framework = "fastapi"
                    elif frameworks - {"fastapi"} or (attr == "route" and frameworks):
                        framework = "flask"
                    else:
                        continue
                positional, keywords = _call_args(call)
                rule = positional[0] if positional else keywords.get("rule", keywords.get("path"))
                if not rule or rule[0] != "s":
                    continue
                if is_class:
                    # A Flask-RESTX `@ns.route("/x")` class: its methods give the verbs.
                    if attr == "route" and framework == "flask":
                        line = self.snip(deco.start_point[0] + 1)
                        path = join_url(prefix, rule[1])
                        listed = _strings(keywords.get("methods"))
                        self.registrations.append(("route", handler, "", (path,), listed, line))
                    continue
                methods = [attr.upper()]
                if attr in ("route", "api_route"):
                    listed = keywords.get("methods")
                    methods = ["GET"]
                    if listed and listed[0] == "l":
                        methods = [m[1].upper() for m in listed[1] if m[0] == "s"] or ["GET"]
                line = self.snip(deco.start_point[0] + 1)
                for method in methods:
                    out.append((framework, method, join_url(prefix, rule[1]), handler, line))
        return out

    def urlpatterns(self, lists: list[Node]) -> list[tuple]:
        """(pattern, view expression, line) for Django `path`/`re_path`/`url` entries."""
        out: list[tuple] = []
        stack = list(reversed(lists))
        budget = 100_000
        while stack and budget > 0:
            budget -= 1
            node = stack.pop()
            if node.type == "call":
                func = _text(node.child_by_field_name("function")).rsplit(".", 1)[-1]
                args = node.child_by_field_name("arguments")
                items = [a for a in args.named_children] if args is not None else []
                if func in _URL_FUNCS:
                    positional = [a for a in items if a.type != "keyword_argument"]
                    if len(positional) >= 2:
                        pattern = string_value(positional[0])
                        view = _view_expression(positional[1])
                        if pattern is not None and view:
                            out.append((pattern, view, self.snip(node.start_point[0] + 1)))
                    continue
                if func == "include":
                    continue
                stack.extend(reversed(items))
            elif node.type in ("list", "tuple", "parenthesized_expression", "binary_operator"):
                stack.extend(reversed(node.named_children))
        return out

    # -- Table("name", metadata, Column(...)) -------------------------------------------------
    def table_calls(self) -> list[tuple]:
        """(var, name, schema, columns, line) where columns are (attr, func, args, kwargs)."""
        out: list[tuple] = []
        for count, match in enumerate(_TABLE_CALL.finditer(self.src)):
            if count == _MAX_TABLE_CALLS:
                self.warnings.append(f"over {_MAX_TABLE_CALLS} `Table(` calls; the rest ignored")
                break
            if match.start() and self.src[match.start() - 1 : match.start()] in _WORD_BYTES:
                continue
            ident = self.root.descendant_for_byte_range(match.start(), match.start() + 5)
            if ident is None or ident.type != "identifier":
                continue
            call = ident.parent
            if call is not None and call.type == "attribute":
                call = call.parent
            if call is None or call.type != "call":
                continue
            positional, keywords = _call_args(call)
            if not positional or positional[0][0] != "s":
                continue
            schema = keywords.get("schema", ("", ""))
            var = ""
            parent = call.parent
            if parent is not None and parent.type == "assignment":
                left = parent.child_by_field_name("left")
                if left is not None and left.type == "identifier":
                    var = _text(left)
            line = self.snip(call.start_point[0] + 1)
            full_columns = self.table_columns(call)
            schema_name = schema[1] if schema[0] == "s" else ""
            out.append((var, positional[0][1], schema_name, full_columns, line))
        return out

    def table_columns(self, call: Node) -> tuple:
        args = call.child_by_field_name("arguments")
        cols: list[tuple] = []
        for child in args.named_children if args is not None else ():
            if child.type == "call" and _is_column(_text(child.child_by_field_name("function"))):
                positional, keywords = _call_args(child)
                func = _text(child.child_by_field_name("function"))
                cols.append(("", func, positional, keywords))
        return tuple(cols)

    # -- uses of imported and local names ------------------------------------------------------
    def uses(self, imports: list[tuple], classes: list[tuple], tables: list[tuple]) -> tuple:
        """(name, chain, kind, mode, count, lines, enclosing class) aggregated per key."""
        names: set[str] = set()
        for entry in imports:
            if entry[0] == "import":
                dotted, alias = entry[2], entry[3]
                if dotted.split(".")[0] in self.repo_tops:
                    names.add(alias or dotted.split(".")[0])
            else:
                level, module, name, alias = entry[2], entry[3], entry[4], entry[5]
                if name != "*" and (level > 0 or module.split(".")[0] in self.repo_tops):
                    names.add(alias or name)
        # Local classes matter only as ORM models, and models always carry an ORM hint.
        names.update(c[0] for c in classes if c[0] and c[3] is not None)
        names.update(t[0] for t in tables if t[0])
        names.discard("")
        if not names:
            return ()
        self.class_ranges.sort()
        class_starts = [r[0] for r in self.class_ranges]
        class_ranges = self.class_ranges
        base_starts = self.base_starts
        spans = self.import_spans
        span_count = len(spans)
        span = 0
        agg: dict[tuple, list] = {}
        src = self.src
        descendant = self.root.descendant_for_byte_range
        chain_match = _CHAIN.match
        bisect_right = bisect.bisect_right
        want = self._wanted.add
        for start, name in self.occurrences(names):
            # Inside a clean import statement an identifier is always part of a dotted name or
            # an alias, never a use: skip those without asking the tree.
            while span < span_count and spans[span][1] <= start:
                span += 1
            if span < span_count and spans[span][0] <= start:
                continue
            name_end = start + len(name)
            node = descendant(start, name_end)
            if node is None or node.type != "identifier":
                continue
            parent = node.parent
            parent_type = parent.type if parent is not None else ""
            if parent_type in _IMPORT_PARENTS:
                continue
            defining = _DEFINING_PARENTS.get(parent_type)
            if defining is not None:
                field = parent.child_by_field_name(defining)  # type: ignore[union-attr]
                if field is not None and field.start_byte == start:
                    continue
            if src.startswith(b".", name_end):
                end = chain_match(src, name_end).end()
                chain = src[name_end + 1 : end].decode() if end > name_end else ""
                if chain.count(".") >= _MAX_CHAIN:
                    chain = ".".join(chain.split(".")[:_MAX_CHAIN])
            else:
                end, chain = name_end, ""
            after = src[end : end + 2]
            is_call = after[:1] == b"(" or after == b" ("
            if start in base_starts:
                kind, mode = "inherit", "read"
            else:
                kind = "call" if is_call else "reference"
                mode = self.mode(chain, is_call, start, end)
            enclosing = ""
            if class_starts:
                pos = bisect_right(class_starts, start) - 1
                if pos >= 0 and class_ranges[pos][1] > start:
                    enclosing = class_ranges[pos][2]
            key = (name, chain, kind, mode, enclosing)
            entry = agg.get(key)
            if entry is None:
                line = node.start_point[0] + 1
                want(line)
                agg[key] = [1, [line]]
            else:
                entry[0] += 1
                lines = entry[1]
                if len(lines) < MAX_EVIDENCE:
                    line = node.start_point[0] + 1
                    if lines[-1] != line:
                        want(line)
                        lines.append(line)
        self.instance_writes(agg, names)
        return tuple(
            (k[0].decode(), k[1], k[2], k[3], v[0], tuple(v[1]), k[4])
            for k, v in sorted(agg.items())
        )

    def occurrences(self, names: set[str]) -> list[tuple[int, bytes]]:
        """(offset, name) of each whole-word occurrence not preceded by a dot, in order."""
        src = self.src
        found: list[tuple[int, bytes]] = []
        if len(names) > _MANY_NAMES:
            # One pass over all identifiers beats one scan per name when names are many.
            wanted = {n.encode() for n in names}
            for match in _IDENTIFIER.finditer(src):
                name = match.group()
                start = match.start()
                before = src[start - 1 : start]
                if name in wanted and not (before in _WORD_BYTES or before == b"."):
                    found.append((start, name))
            return found
        for text in names:
            name = text.encode()
            size = len(name)
            pos = src.find(name)
            while pos >= 0:
                before = src[pos - 1 : pos] if pos else b" "
                after = src[pos + size : pos + size + 1]
                if not (before.isalnum() or before in _WORD_OR_DOT) and not (
                    after.isalnum() or after == b"_"
                ):
                    found.append((pos, name))
                pos = src.find(name, pos + size)
        found.sort()
        return found

    def mode(self, chain: str, is_call: bool, start: int, end: int) -> str:
        """Whether a use of a (possible) model writes: constructor, create/save/delete..."""
        if is_call and (not chain or chain.rpartition(".")[2] in _WRITE_LAST):
            return "write"
        src = self.src
        # The text before the use on its line, right-stripped, ends with "(" when the use is
        # an argument: find its last non-blank byte without slicing the line.
        last = start - 1
        while last >= 0 and src[last] in _BLANK_BYTES:
            last -= 1
        in_call = last >= 0 and src[last] == _OPEN_PAREN
        if in_call:
            before = src[src.rfind(b"\n", 0, last) + 1 : last + 1]
            if _WRITE_AROUND.search(before):
                return "write"
            if before.endswith(b".query("):
                in_call = False  # checked below like a query chain
                chain_is_query = True
            else:
                chain_is_query = False
        else:
            chain_is_query = False
        if chain_is_query or "query" in chain or "objects" in chain:
            line_end = src.find(b"\n", end)
            if _WRITE_AFTER.search(src, end, line_end if line_end >= 0 else len(src)):
                return "write"
        return "read"

    def instance_writes(self, agg: dict, names: set[str]) -> None:
        """`x = Model(...)` / `x = Model.objects.get(...)` then `x.save()` -> write of Model."""
        src = self.src
        if b".save(" not in src and b".delete(" not in src:
            return
        assigned: dict[str, bytes] = {}
        for (name, chain, kind, _mode, _enc), entry in agg.items():
            if kind != "call" or not name[:1].isupper() or chain.startswith("objects.filter"):
                continue
            text = name.decode()
            for line in entry[1]:
                match = _ASSIGNED_FROM.match(self.line_text(line))
                if match and match.group(2) == text and match.group(1) not in names:
                    assigned.setdefault(match.group(1), name)
        for var, model in sorted(assigned.items())[:_MANY_NAMES]:
            for method in (b".save(", b".delete("):
                needle = var.encode() + method
                pos = src.find(needle)
                while pos >= 0:
                    node = self.root.descendant_for_byte_range(pos, pos + len(var))
                    before = src[pos - 1 : pos] if pos else b" "
                    if node is not None and node.type == "identifier" and before not in _WORD_BYTES:
                        line = node.start_point[0] + 1
                        entry = agg.setdefault((model, "", "access", "write", ""), [0, []])
                        entry[0] += 1
                        if len(entry[1]) < MAX_EVIDENCE and line not in entry[1]:
                            entry[1].append(self.snip(line))
                    pos = src.find(needle, pos + len(needle))

    # -- SQL in string literals ------------------------------------------------------------
    def sql_strings(self) -> list[tuple]:
        """(line, reads, writes) for string literals that parse as SQL."""
        out: list[tuple] = []
        seen: set[int] = set()
        for match in _SQL_HINT.finditer(self.src.translate(_SQL_FOLD)):
            pos = match.start(1)
            node = self.root.descendant_for_byte_range(pos, pos + 1)
            if node is None or node.type != "string_content":
                continue
            string = node.parent
            if string is None or string.type != "string":
                continue
            if string.parent is not None and string.parent.type == "concatenated_string":
                string = string.parent
            if string.start_byte in seen:
                continue
            seen.add(string.start_byte)
            text = string_value(string) or ""
            if not looks_like_sql(text):
                continue
            found = tables_in_sql(text.replace("\\n", "\n").replace("\\t", " "))
            if found is None:
                continue
            line = self.snip(string.start_point[0] + 1)
            out.append((line, tuple(sorted(found.reads)), tuple(sorted(found.writes))))
        return out


_WORD_BYTES = frozenset(
    bytes([c]) for c in b"_0123456789" + bytes(range(65, 91)) + bytes(range(97, 123))
)
_WORD_OR_DOT = frozenset({b"_", b"."})
_BLANK_BYTES = frozenset(b" \t\r\x0b\x0c")
"""What `bytes.rstrip()` strips, but the newline, which ends the search for a line's end."""
_OPEN_PAREN = ord("(")
_IMPORT_PARENTS = frozenset({"dotted_name", "aliased_import"})
_DEFINING_PARENTS = {
    "class_definition": "name",
    "function_definition": "name",
    "keyword_argument": "name",
    "assignment": "left",
}


def snippets(lines: list[bytes], wanted: Iterable[int]) -> dict[int, str]:
    """The redacted snippet (stripped, cut short) of each `wanted` 1-based line, by line."""
    count = len(lines)
    search = _SECRET_HINT.search
    out: dict[int, str] = {}
    for line in sorted(wanted):
        raw = lines[line - 1].strip() if 1 <= line <= count else b""
        text = raw.decode("utf-8", "replace")
        if search(raw.lower()):
            text = redact_text(text)
        out[line] = text[:_MAX_SNIPPET]
    return out


def non_blank(lines: list[bytes]) -> int:
    """How many of `lines` hold more than blanks."""
    return sum(map(bool, map(bytes.strip, lines)))


def import_from_text(text: str, line: int) -> list[tuple] | None:
    """An import statement's entries read from its text, or None to fall back to the tree."""
    short = len(text) <= _MAX_REMEMBERED_IMPORT
    entries = _import_entries(text) if short else _import_entries.__wrapped__(text)
    if entries is None:
        return None
    return [(kind, line, *rest) for kind, rest in entries]


@functools.lru_cache(maxsize=8192)
def _import_entries(text: str) -> tuple[tuple[str, tuple], ...] | None:
    """`import_from_text` without the line, as (kind, rest): statements repeat across files
    (saleor: 15,384 statements, 5,018 texts), so each text is read once."""
    clean = _IMPORT_NOISE.sub(" ", text)
    out: list[tuple[str, tuple]] = []
    if clean.startswith("import"):
        for part in clean[6:].split(","):
            match = _NAME_AS.match(part.strip())
            if match is None:
                return None
            out.append(("import", (match[1], match[2] or "")))
        return tuple(out)
    head = _FROM_IMPORT.match(clean)
    if head is None:
        return None
    level, module = len(head[1]), head[2]
    for part in head[3].split(","):
        part = part.strip()
        if not part:
            continue
        if part == "*":
            out.append(("from", (level, module, "*", "")))
            continue
        match = _NAME_AS.match(part)
        if match is None:
            return None
        out.append(("from", (level, module, match[1], match[2] or "")))
    return tuple(out)


def _assignment(stmt: Node) -> tuple[str, Node] | None:
    if stmt.type != "expression_statement":
        return None
    assign = stmt.named_child(0)
    if assign is None or assign.type != "assignment":
        return None
    left = assign.child_by_field_name("left")
    right = assign.child_by_field_name("right")
    if left is None or right is None or left.type != "identifier":
        return None
    return _text(left), right


def _strings(arg: tuple | None) -> tuple[str, ...]:
    """The upper-cased strings of a list or tuple argument (`methods=["GET", "POST"]`)."""
    if not arg or arg[0] != "l":
        return ()
    return tuple(dict.fromkeys(a[1].upper() for a in arg[1] if a[0] == "s" and a[1]))


def _is_column(func: str) -> bool:
    return func.rsplit(".", 1)[-1] in ("Column", "mapped_column")


def _view_expression(node: Node) -> str:
    """The dotted name of a Django view argument (`views.x`, `V.as_view()` -> `V`), or ''."""
    if node.type in ("identifier", "attribute"):
        return _text(node)
    if node.type == "call":
        func = node.child_by_field_name("function")
        is_attr = func is not None and func.type == "attribute"
        if is_attr and _text(func.child_by_field_name("attribute")) == "as_view":
            obj = func.child_by_field_name("object")
            if obj is not None and obj.type in ("identifier", "attribute"):
                return _text(obj)
    return ""


def join_url(prefix: str, path: str) -> str:
    """A route path under a blueprint or router prefix."""
    if not prefix:
        return path or "/"
    if not path:
        return prefix
    return prefix.rstrip("/") + "/" + path.lstrip("/")
