"""Names Python files as dotted modules: flat, src/ and nested layouts, namespace packages."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

MARKER_FILES = ("setup.py", "manage.py")
"""Python files whose directory is a source root (sys.path entry) of a nested project."""
SRC_DIRS = frozenset({"src"})


@dataclass(frozen=True, order=True)
class ModuleFile:
    """A file and the module it defines."""

    rel: str
    module: str
    is_package: bool


def module_names(
    rels: Iterable[str],
    has_marker: Callable[[str], bool] = lambda _dir: False,
    root_name: str = "",
) -> tuple[list[ModuleFile], list[tuple[str, str]]]:
    """Module names for `.py` files (relative posix paths) and warnings for name clashes.

    A source root is the repository root, a `src/` directory without `__init__.py`, or a
    directory holding `setup.py`/`manage.py` (or, per `has_marker`, `pyproject.toml`,
    `setup.cfg`). Under a root, a chain of regular packages (directories with `__init__.py`)
    whose top sits in a plain directory makes that directory an implicit root (`backend/myproj`
    -> `myproj`), except under `src/`, where plain directories are namespace packages.
    Directories without `__init__.py` above a module are namespace packages.
    """
    rel_list = sorted(set(rels))
    split = [r.rsplit("/", 1) if "/" in r else ["", r] for r in rel_list]
    init_dirs = {d for d, name in split if name == "__init__.py" and d}
    if "__init__.py" in rel_list:
        init_dirs.add(".")
    marker_dirs = {d for d, name in split if name in MARKER_FILES}
    memo: dict[str, bool] = {}

    def is_root(dir_rel: str) -> bool:
        if dir_rel not in memo:
            name = dir_rel.rpartition("/")[2]
            memo[dir_rel] = dir_rel not in init_dirs and (
                name in SRC_DIRS or dir_rel in marker_dirs or has_marker(dir_rel)
            )
        return memo[dir_rel]

    out: list[ModuleFile] = []
    warnings: list[tuple[str, str]] = []
    taken: dict[str, str] = {}
    for rel, (directory, filename) in zip(rel_list, split, strict=True):
        dirs = directory.split("/") if directory else []
        stem = filename.rpartition(".")[0] or filename
        is_package = stem == "__init__"
        parts = _module_parts(dirs, is_root, init_dirs)
        if root_name and "." in init_dirs and parts == dirs:
            parts = [root_name, *parts]
        name_parts = parts if is_package else [*parts, stem]
        module = ".".join(name_parts) or (root_name or "__init__")
        if module in taken:
            fallback = ".".join([*dirs, *([] if is_package else [stem])]) or module
            warnings.append((rel, f"module name {module!r} also used by {taken[module]}"))
            module = fallback if fallback not in taken else f"{fallback}@{rel}"
        taken[module] = rel
        out.append(ModuleFile(rel, module, is_package))
    return out, warnings


def _module_parts(
    dirs: list[str], is_root: Callable[[str], bool], init_dirs: set[str]
) -> list[str]:
    root_index = 0
    under_src = False
    for i in range(len(dirs), 0, -1):
        if is_root("/".join(dirs[:i])):
            root_index = i
            under_src = dirs[i - 1] in SRC_DIRS
            break
    chain_start = len(dirs)
    while chain_start > root_index and "/".join(dirs[:chain_start]) in init_dirs:
        chain_start -= 1
    if chain_start < len(dirs) and chain_start > root_index and not under_src:
        return dirs[chain_start:]
    return dirs[root_index:]
