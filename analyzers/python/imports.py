"""Reads a test file's import statements with byte searches, without parsing the file.

The planner uses a test file only for its role and what it imports (the code units it tests),
so a test file's result holds its imports, their snippets and its line count, nothing else: no
classes, functions, uses, tables, SQL or routes. Finding the statements by a byte search costs
a thirtieth of a tree-sitter parse (saleor's 1,725 test files: 0.07 s of CPU against 2.4 s).

What this reader gives up, knowingly:
- It checks no syntax: a broken test file gets no "syntax error" warning.
- A line inside a triple-quoted string that reads like an import statement counts as one. Such
  a false import can only add a tested unit, never hide one.
Whatever it is not sure of sends the whole file to the full `extract`: the word `import` outside
a statement's start and not in a comment line (`x = 1; import y`, `if x: import y`, prose in a
string), a backslash continuation, `;`, an unclosed parenthesis, an encoding cookie, bytes that
are not UTF-8, a NUL byte.
"""

from __future__ import annotations

import re

from analyzers import language
from analyzers.python.extract import (
    FileResult,
    empty_result,
    encoding_cookie,
    extract,
    import_from_text,
    non_blank,
    snippets,
)

_WORD = frozenset(b"_0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_FROM_HEAD = re.compile(rb"[ \t]*from\b[\w. \t]*")
"""What may stand before `import` on its line in a `from` statement (checked with fullmatch)."""
_BLANKS = b" \t"
_BACKSLASH = ord("\\")


def extract_imports(data: bytes, repo_tops: frozenset[str]) -> FileResult:
    """A test file's imports (as `extract` gives them), their snippets and its non-blank line
    count; the full `extract` of the file when anything in it is unusual (see the module)."""
    if b"\0" in data or encoding_cookie(data) is not None:
        return extract(data, repo_tops)
    src, warning = language.decode_source(data)
    found = None if warning else imports_of(src)
    if found is None:
        return extract(data, repo_tops)
    lines = src.split(b"\n")
    return {
        **empty_result(non_blank(lines)),
        "imports": tuple(found),
        "snips": snippets(lines, {entry[1] for entry in found}),
    }


def imports_of(src: bytes) -> list[tuple] | None:
    """The entries of every import statement of `src` in order, or None when one use of the
    word `import` is not a statement this reader is sure of."""
    out: list[tuple] = []
    size = len(src)
    line, counted = 1, 0
    pos = src.find(b"import")
    while pos >= 0:
        after = pos + 6
        if (pos and src[pos - 1] in _WORD) or (after < size and src[after] in _WORD):
            pos = src.find(b"import", after)  # part of a longer name: `importlib`, `ImportError`
            continue
        start = src.rfind(b"\n", 0, pos) + 1
        head = src[start:pos]
        indent = len(head) - len(head.lstrip(_BLANKS))
        if head[indent : indent + 1] == b"#":  # a comment line: on to the next line
            line_end = src.find(b"\n", after)
            pos = src.find(b"import", line_end) if line_end >= 0 else -1
            continue
        if indent < len(head) and _FROM_HEAD.fullmatch(head) is None:
            return None
        if _continues(src, start):
            return None
        end = _statement_end(src, pos, size)
        if end is None:
            return None
        line += src.count(b"\n", counted, start)
        counted = start
        text = src[start + indent : end].decode("utf-8", "replace")
        entries = import_from_text(text, line)
        if entries is None:
            return None
        if not (entries and entries[0][0] == "from" and entries[0][2:4] == (0, "__future__")):
            out.extend(entries)  # the tree calls `from __future__ import x` no import either
        pos = src.find(b"import", end)
    return out


def _continues(src: bytes, start: int) -> bool:
    """Whether the line before offset `start` ends with a backslash (continued onto this one)."""
    end = start - 1  # the newline ending the line before
    if end > 0 and src[end - 1] == 13:  # CR LF
        end -= 1
    return end > 0 and src[end - 1] == _BACKSLASH


def _statement_end(src: bytes, pos: int, size: int) -> int | None:
    """Where the import statement whose keyword is at `pos` ends: its line's end, or just past
    its closing parenthesis; None for a backslash continuation or a parenthesis left open or
    followed by more code. (An import's names hold no strings: `#` always starts a comment.)"""
    cursor = pos
    opened = False
    while True:
        line_end = src.find(b"\n", cursor)
        if line_end < 0:
            line_end = size
        code = src[cursor:line_end].partition(b"#")[0]
        if not opened:
            opened = b"(" in code
            if not opened:
                return None if code.rstrip().endswith(b"\\") else line_end
        close = code.find(b")")
        if close >= 0:
            close += cursor
            if src[close + 1 : line_end].partition(b"#")[0].strip():
                return None
            return close + 1
        if line_end == size:
            return None
        cursor = line_end + 1
