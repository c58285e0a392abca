"""Resolves per-file Python facts across the repository: imports, uses, ORM tables, routes."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from analyzers.facts import (
    AnalysisWarning,
    Column,
    Dependency,
    Endpoint,
    Evidence,
    ForeignKey,
    OrmModel,
    Table,
    TableAccess,
    Unit,
    UnitRole,
)
from analyzers.language import Resolved
from analyzers.python.extract import MAX_EVIDENCE, FileResult

_DJANGO_MODEL = frozenset({"django.db.models.Model", "django.db.models.base.Model"})
_SCHEMA_IN_ARGS = re.compile(r"""['"]schema['"]\s*:\s*['"]([^'"]+)['"]""")
_MAX_DEPTH = 8
_VIEW_BASES = frozenset({"Resource", "MethodView", "View"})
"""Flask view base classes (`flask.views`, `flask_restful`, `flask_restx`...) by last name."""
_VERB_ORDER = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


@dataclass(frozen=True)
class FileEntry:
    """One analyzed file: where it is, the module it defines, its role and its raw facts."""

    rel: str
    module: str
    is_package: bool
    role: UnitRole
    result: FileResult


@dataclass
class _Model:
    module: str
    name: str
    table: str
    framework: str
    line: int


class _Acc:
    """Aggregates weights and evidence lines per key (ordered by key only)."""

    __slots__ = ("lines", "weight")

    def __init__(self) -> None:
        self.weight = 0
        self.lines: list[int] = []

    def add(self, count: int, lines: Iterable[int]) -> None:
        self.weight += count
        self.lines.extend(lines)


def resolve(entries: list[FileEntry]) -> Resolved:
    """Everything the Python analyzer reports, resolved across files."""
    return _Resolver(entries).run()


class _Resolver:
    def __init__(self, entries: list[FileEntry]) -> None:
        self.entries = entries
        self.by_module = {e.module: e for e in entries}
        self.bindings: dict[str, dict[str, str]] = {e.module: {} for e in entries}
        self.classes: dict[tuple[str, str], tuple] = {}
        for e in entries:
            for cls in e.result["classes"]:
                self.classes.setdefault((e.module, cls[0]), cls)
        self._longest: dict[str, str | None] = {}
        self._split: dict[str, tuple[str | None, str]] = {}
        self.deps: dict[tuple[str, str, str], _Acc] = {}
        self.access: dict[tuple[str, str, str, str], _Acc] = {}
        self.models: dict[tuple[str, str], _Model] = {}
        self.model_syms: dict[tuple[str, str], str] = {}
        self._sym_memo: dict[tuple[str, str], str | None] = {}
        self.tables: dict[str, dict[str, Any]] = {}
        self._evidence: dict[str, dict[int, Evidence]] = {}
        self.verbs = {(e.module, n): v for e in entries for n, v in e.result["verbs"]}
        self._views: dict[tuple[str, str], bool] = {}
        self.related: dict[str, set[str]] = {}

    # -- lookups ---------------------------------------------------------------------------
    def longest(self, dotted: str) -> str | None:
        """The longest prefix of `dotted` that is a module of the repository."""
        found = self._longest.get(dotted, False)
        if found is not False:
            return found  # type: ignore[return-value]
        probe = dotted
        result = None
        while probe:
            if probe in self.by_module:
                result = probe
                break
            probe = probe.rpartition(".")[0]
        self._longest[dotted] = result
        return result

    def split_symbol(self, dotted: str) -> tuple[str | None, str]:
        """(module, first symbol after it) for a dotted path."""
        found = self._split.get(dotted)
        if found is None:
            module = self.longest(dotted)
            if module is None:
                found = (None, "")
            else:
                found = (module, dotted[len(module) + 1 :].partition(".")[0])
            self._split[dotted] = found
        return found

    def abs_name(self, module: str, dotted: str) -> str:
        """A dotted expression of `module` as an absolute dotted path (through its imports)."""
        first, _, rest = dotted.partition(".")
        bound = self.bindings[module].get(first)
        if bound is not None:
            return bound + ("." + rest if rest else "")
        if (module, first) in self.classes:
            return module + "." + dotted
        return dotted

    def find_class(self, module: str, symbol: str) -> tuple[str, str] | None:
        """The (module, class) a symbol names, following re-exports."""
        for _ in range(_MAX_DEPTH):
            if (module, symbol) in self.classes:
                return module, symbol
            bound = self.bindings.get(module, {}).get(symbol)
            if bound is None:
                return None
            target, sym = self.split_symbol(bound)
            if target is None or not sym:
                return None
            module, symbol = target, sym
        return None

    def model_table(self, module: str, symbol: str) -> str | None:
        """The table behind a model class or `Table()` variable, following re-exports."""
        key = (module, symbol)
        if key in self._sym_memo:
            return self._sym_memo[key]
        result = None
        mod, sym = module, symbol
        for _ in range(_MAX_DEPTH):
            if (mod, sym) in self.model_syms:
                result = self.model_syms[(mod, sym)]
                break
            bound = self.bindings.get(mod, {}).get(sym)
            if bound is None:
                break
            target, nxt = self.split_symbol(bound)
            if target is None or not nxt:
                break
            mod, sym = target, nxt
        self._sym_memo[key] = result
        return result

    def add_dep(self, src: str, tgt: str, kind: str, count: int, lines: Iterable[int]) -> None:
        if src == tgt:
            return
        acc = self.deps.get((src, tgt, kind))
        if acc is None:
            acc = self.deps[(src, tgt, kind)] = _Acc()
        acc.add(count, lines)

    def add_access(self, unit: str, table: str, mode: str, via: str, lines: Iterable[int]) -> None:
        acc = self.access.get((unit, table, mode, via))
        if acc is None:
            acc = self.access[(unit, table, mode, via)] = _Acc()
        acc.add(1, lines)

    # -- phases ----------------------------------------------------------------------------
    def run(self) -> Resolved:
        for entry in self.entries:
            self.imports(entry)
        self.orm()
        for entry in self.entries:
            self.uses(entry)
            for line, reads, writes in entry.result["sql"]:
                for table in reads:
                    self.add_access(entry.module, table, "read", "sql", (line,))
                for table in writes:
                    self.add_access(entry.module, table, "write", "sql", (line,))
        self.reached_only()
        return Resolved(
            units=[self.unit(e) for e in self.entries],
            dependencies=self.dependencies(),
            tables=self.table_facts(),
            orm_models=self.orm_models(),
            table_access=self.access_facts(),
            endpoints=self.endpoints(),
            warnings=[
                AnalysisWarning("python", e.rel, w)
                for e in self.entries
                for w in e.result["warnings"]
            ],
        )

    def reached_only(self) -> None:
        """A table no code touches but a relationship of a used model reaches (its target or
        `secondary` table) is read by the units using that model (evidence: their uses)."""
        touched = {key[1] for key in self.access}
        for (unit, table, _mode, via), acc in sorted(self.access.items()):
            reached = self.related.get(table, set()) - touched if via == "orm" else ()
            for other in sorted(reached):
                self.add_access(unit, other, "read", "orm", acc.lines[:MAX_EVIDENCE])

    def unit(self, e: FileEntry) -> Unit:
        package = e.module.rpartition(".")[0]
        return Unit(
            id=e.module,
            path=e.rel,
            language="python",
            lines=e.result["lines"],
            package=package,
            role=e.role,
            is_package=e.is_package,
            classes=tuple(dict.fromkeys(c[0] for c in e.result["classes"])),
            functions=tuple(dict.fromkeys(e.result["functions"])),
        )

    def relative_base(self, e: FileEntry, level: int) -> str | None:
        parts = e.module.split(".")
        if not e.is_package:
            parts = parts[:-1]
        if level - 1 > len(parts):
            return None
        return ".".join(parts[: len(parts) - (level - 1)])

    def imports(self, e: FileEntry) -> None:
        module = e.module
        bindings = self.bindings[module]
        package = module if e.is_package else module.rpartition(".")[0]
        longest, by_module, deps = self.longest, self.by_module, self.deps
        seen: set[tuple[str, int]] = set()  # one import per statement and target
        bases: dict[tuple[int, str], str | None] = {}  # the names of one statement share it
        for entry in e.result["imports"]:
            if entry[0] == "import":
                _, line, dotted, alias = entry
                first = dotted.partition(".")[0]
                target = longest(dotted)
                bound = dotted if alias else first
                if target is None and package:
                    # Python 2 implicit relative import of a sibling module.
                    candidate = longest(package + "." + dotted)
                    if candidate is not None and candidate != package:
                        target = candidate
                        bound = package + "." + (dotted if alias else first)
                bindings[alias or first] = bound
            else:
                _, line, level, mod, name, alias = entry
                if (level, mod) in bases:
                    base = bases[(level, mod)]
                else:
                    base = bases[(level, mod)] = self.from_base(e, package, level, mod)
                if base is None:
                    continue
                if name == "*":
                    target = longest(base)
                else:
                    full = base + "." + name if base else name
                    bindings[alias or name] = full
                    target = full if full in by_module else longest(base)
            if target is not None and target != module and (target, line) not in seen:
                seen.add((target, line))
                acc = deps.get((module, target, "import"))
                if acc is None:
                    acc = deps[(module, target, "import")] = _Acc()
                acc.weight += 1
                acc.lines.append(line)

    def from_base(self, e: FileEntry, package: str, level: int, mod: str) -> str | None:
        """The absolute module a `from` statement of `e` names (None: above the top)."""
        if level:
            base = self.relative_base(e, level)
            if base is None:
                return None
            return f"{base}.{mod}" if base and mod else base or mod
        if self.longest(mod) is None and package:
            candidate = package + "." + mod
            if self.longest(candidate) not in (None, package):
                return candidate
        return mod

    def uses(self, e: FileEntry) -> None:
        module = e.module
        bindings = self.bindings[module]
        split_symbol = self.split_symbol
        deps = self.deps
        for name, chain, kind, mode, count, lines, enclosing in e.result["uses"]:
            bound = bindings.get(name)
            if bound is None:
                target, symbol = module, name
            else:
                target, symbol = split_symbol(bound + "." + chain if chain else bound)
                if target is None:
                    continue
                if kind != "access" and target != module:
                    acc = deps.get((module, target, kind))
                    if acc is None:
                        acc = deps[(module, target, kind)] = _Acc()
                    acc.weight += count
                    acc.lines.extend(lines)
            if kind == "inherit" or not symbol:
                continue
            table = self.model_table(target, symbol)
            if table is None:
                continue
            if enclosing and (module, enclosing) in self.models:
                continue
            self.add_access(module, table, mode, "orm", lines)

    # -- ORM -------------------------------------------------------------------------------
    def orm(self) -> None:
        django_memo: dict[tuple[str, str], bool] = {}
        for (module, name), cls in self.classes.items():
            body = cls[3]
            attrs = body["attrs"] if body else {}
            tablename = attrs.get("__tablename__")
            if tablename and tablename[0] == "s" and tablename[1]:
                if attrs.get("__abstract__", ("", ""))[1] == "true":
                    continue
                schema = _schema(attrs.get("__table_args__"))
                table = _qualify(schema, tablename[1])
                self.add_model(module, name, table, "sqlalchemy", cls[1])
                continue
            if cls[2] and self.is_django(module, name, django_memo, 0):
                meta = body["meta"] if body else {}
                if meta.get("abstract", ("", ""))[1] == "true":
                    continue
                db_table = meta.get("db_table")
                if db_table and db_table[0] == "s" and db_table[1]:
                    table = db_table[1].lower()
                else:
                    table = f"{self.app_label(module, name)}_{name.lower()}".lstrip("_")
                self.add_model(module, name, table, "django", cls[1])
        self.single_table_subclasses()
        for entry in self.entries:
            for var, name, schema, columns, line in entry.result["tables"]:
                table = _qualify(schema, name)
                self.declare_table(table, entry, line)
                info = self.tables[table]
                for col in columns:
                    self.sa_column(entry.module, info, col[0], col[1], col[2], col[3])
                if var:
                    self.model_syms.setdefault((entry.module, var), table)
        for model in sorted(self.models.values(), key=lambda m: (m.module, m.name)):
            if model.framework == "sqlalchemy":
                self.sa_columns(model)
                self.sa_relationships(model)
            else:
                self.django_columns(model)

    def sa_relationships(self, model: _Model) -> None:
        """Tables a model's `relationship(Target, secondary=...)` fields load with it."""
        body = self.classes[(model.module, model.name)][3]
        for _attr, func, positional, keywords, _line in body["fields"] if body else ():
            if func.rpartition(".")[2] != "relationship":
                continue
            found = {
                self.sa_table_of(model.module, arg)
                for arg in (positional[0] if positional else None, keywords.get("secondary"))
            }
            found -= {None, model.table}
            if found:
                self.related.setdefault(model.table, set()).update(found)  # type: ignore[arg-type]

    def sa_table_of(self, module: str, arg: tuple | None) -> str | None:
        """The table a relationship argument names: a class, a `Table` variable, or a string
        holding a class name or a table name."""
        if arg is None or arg[0] not in ("n", "s") or not arg[1]:
            return None
        if arg[0] == "n" and (module, arg[1]) in self.model_syms:
            return self.model_syms[(module, arg[1])]
        if arg[0] == "n":
            target, symbol = self.split_symbol(self.abs_name(module, arg[1]))
            return self.model_table(target, symbol) if target and symbol else None
        name = arg[1].rpartition(".")[2]
        local = self.model_syms.get((module, name))
        if local is not None:
            return local
        named = sorted(m.table for m in self.models.values() if m.name == name)
        if named:
            return named[0]
        return name.lower() if name.lower() in self.tables else None

    def single_table_subclasses(self) -> None:
        """A class deriving from a SQLAlchemy model without a table of its own maps to the
        model's table (single-table inheritance): uses of the subclass touch that table. One
        declaring its own primary key is joined-table inheritance: Flask-SQLAlchemy names its
        table after the class (`DynamicChallenge` -> `dynamic_challenge`)."""
        for _ in range(_MAX_DEPTH):
            found: list[tuple[str, str, str, int]] = []
            for (module, name), cls in self.classes.items():
                if (module, name) in self.models or not cls[2]:
                    continue
                attrs = cls[3]["attrs"] if cls[3] else {}
                if "__tablename__" in attrs or "__table__" in attrs:
                    continue
                if attrs.get("__abstract__", ("", ""))[1] == "true":
                    continue
                for base in cls[2]:
                    target, symbol = self.split_symbol(self.abs_name(module, base))
                    parent = self.find_class(target, symbol) if target and symbol else None
                    model = self.models.get(parent) if parent else None
                    if model is not None and model.framework == "sqlalchemy":
                        own = _has_primary_key(cls[3])
                        table = _snake(name) if own else model.table
                        found.append((module, name, table, cls[1]))
                        break
            if not found:
                return
            for module, name, table, line in found:
                self.add_model(module, name, table, "sqlalchemy", line)

    def add_model(self, module: str, name: str, table: str, framework: str, line: int) -> None:
        self.models[(module, name)] = _Model(module, name, table, framework, line)
        self.model_syms[(module, name)] = table
        self.declare_table(table, self.by_module[module], line)

    def declare_table(self, table: str, entry: FileEntry, line: int) -> None:
        info = self.tables.setdefault(table, {"columns": {}, "fks": {}, "evidence": set()})
        info["evidence"].add((entry.rel, line, entry.result["snips"].get(line, "")))

    def is_django(self, module: str, name: str, memo: dict, depth: int) -> bool:
        key = (module, name)
        if key in memo:
            return memo[key]
        memo[key] = False
        result = False
        if depth < _MAX_DEPTH:
            for base in self.classes[key][2]:
                absolute = self.abs_name(module, base)
                if absolute in _DJANGO_MODEL:
                    result = True
                    break
                target, symbol = self.split_symbol(absolute)
                found = self.find_class(target, symbol) if target and symbol else None
                if found and self.is_django(found[0], found[1], memo, depth + 1):
                    result = True
                    break
        memo[key] = result
        return result

    def app_label(self, module: str, name: str) -> str:
        body = self.classes[(module, name)][3]
        label = (body["meta"] if body else {}).get("app_label")
        if label and label[0] == "s":
            return label[1].lower()
        parts = module.split(".")
        if "models" in parts:
            index = len(parts) - 1 - parts[::-1].index("models")
            return parts[index - 1].lower() if index > 0 else ""
        entry = self.by_module[module]
        package = parts if entry.is_package else parts[:-1]
        return package[-1].lower() if package else ""

    def model_for_arg(self, module: str, arg: tuple, own: _Model) -> _Model | None:
        """The model a ForeignKey argument names (class, `"self"`, `"Name"`, `"app.Name"`)."""
        if arg[0] == "n":
            target, symbol = self.split_symbol(self.abs_name(module, arg[1]))
            found = self.find_class(target, symbol) if target and symbol else None
            return self.models.get(found) if found else None
        if arg[0] != "s":
            return None
        ref = arg[1]
        if ref == "self":
            return own
        label, _, cls = ref.rpartition(".")
        candidates = [m for m in self.models.values() if m.name == cls and m.framework == "django"]
        if label:
            candidates = [
                m for m in candidates if self.app_label(m.module, m.name) == label.lower()
            ] or candidates
        else:
            same_app = self.app_label(own.module, own.name)
            candidates = [
                m for m in candidates if self.app_label(m.module, m.name) == same_app
            ] or candidates
        candidates.sort(key=lambda m: (m.module, m.name))
        return candidates[0] if candidates else None

    def django_fields(self, module: str, name: str, depth: int = 0) -> list[tuple]:
        """Fields of a Django model including those of in-repo abstract bases."""
        cls = self.classes[(module, name)]
        fields: list[tuple] = []
        if depth < _MAX_DEPTH:
            for base in cls[2]:
                target, symbol = self.split_symbol(self.abs_name(module, base))
                found = self.find_class(target, symbol) if target and symbol else None
                if found and found not in self.models:
                    fields.extend(self.django_fields(found[0], found[1], depth + 1))
        body = cls[3]
        fields.extend((module, f) for f in (body["fields"] if body else ()))
        return fields

    def django_columns(self, model: _Model) -> None:
        info = self.tables[model.table]
        for module, (attr, func, positional, keywords, _line) in self.django_fields(
            model.module, model.name
        ):
            kind = func.rpartition(".")[2]
            column = _kw_str(keywords, "db_column") or attr
            if kind in ("ForeignKey", "OneToOneField"):
                target_arg = positional[0] if positional else keywords.get("to")
                target = self.model_for_arg(module, target_arg, model) if target_arg else None
                column = _kw_str(keywords, "db_column") or attr + "_id"
                _add_column(info, column, kind, _kw_true(keywords, "null"), False)
                if target is not None:
                    to_field = _kw_str(keywords, "to_field") or "id"
                    info["fks"][(column,)] = ForeignKey((column,), target.table, (to_field,))
            elif kind == "ManyToManyField":
                target_arg = positional[0] if positional else keywords.get("to")
                target = self.model_for_arg(module, target_arg, model) if target_arg else None
                if target is not None and "through" not in keywords:
                    self.m2m_table(model, attr, target)
            elif kind.endswith("Field"):
                _add_column(
                    info,
                    column,
                    kind,
                    _kw_true(keywords, "null"),
                    _kw_true(keywords, "primary_key"),
                )
        if not any(c.primary_key for c in info["columns"].values()):
            info["columns"] = {"id": Column("id", "AutoField", False, True), **info["columns"]}

    def m2m_table(self, model: _Model, attr: str, target: _Model) -> None:
        table = f"{model.table}_{attr}".lower()
        own = model.name.lower()
        other = target.name.lower()
        if own == other:
            own, other = "from_" + own, "to_" + other
        self.declare_table(table, self.by_module[model.module], model.line)
        info = self.tables[table]
        _add_column(info, "id", "AutoField", False, True)
        _add_column(info, own + "_id", "ForeignKey", False, False)
        _add_column(info, other + "_id", "ForeignKey", False, False)
        info["fks"][(own + "_id",)] = ForeignKey((own + "_id",), model.table, ("id",))
        info["fks"][(other + "_id",)] = ForeignKey((other + "_id",), target.table, ("id",))

    def sa_columns(self, model: _Model) -> None:
        info = self.tables[model.table]
        body = self.classes[(model.module, model.name)][3]
        for attr, func, positional, keywords, _line in body["fields"] if body else ():
            if func.rpartition(".")[2] in ("Column", "mapped_column"):
                self.sa_column(model.module, info, attr, func, positional, keywords)

    def sa_column(
        self, module: str, info: dict, attr: str, func: str, positional: tuple, keywords: dict
    ) -> None:
        args = list(positional)
        name = attr
        if args and args[0][0] == "s":
            name = args.pop(0)[1]
        name = _kw_str(keywords, "name") or name
        if not name:
            return
        col_type = ""
        for arg in args:
            if arg[0] == "n" and not col_type:
                col_type = arg[1].rpartition(".")[2]
            elif arg[0] == "c" and arg[1].rpartition(".")[2] == "ForeignKey":
                fk = self.sa_foreign_key(module, arg[2][0] if arg[2] else None)
                if fk is not None:
                    info["fks"][(name,)] = ForeignKey((name,), fk[0], (fk[1],))
            elif arg[0] == "c" and not col_type:
                col_type = arg[1].rpartition(".")[2]
        primary = _kw_true(keywords, "primary_key")
        nullable = not primary and keywords.get("nullable", ("b", "true"))[1] != "false"
        _add_column(info, name, col_type, nullable, primary)

    def sa_foreign_key(self, module: str, arg: tuple | None) -> tuple[str, str] | None:
        if arg is None:
            return None
        if arg[0] == "s" and "." in arg[1]:
            table, _, column = arg[1].rpartition(".")
            return table.lower(), column
        if arg[0] == "n" and "." in arg[1]:
            cls, _, column = arg[1].rpartition(".")
            target, symbol = self.split_symbol(self.abs_name(module, cls))
            table = self.model_table(target, symbol) if target and symbol else None
            return (table, column) if table else None
        return None

    # -- output ----------------------------------------------------------------------------
    def evidence(self, module: str, lines: list[int]) -> tuple[Evidence, ...]:
        memo = self._evidence.get(module)
        if memo is None:
            memo = self._evidence[module] = {}
        out = []
        for line in sorted(set(lines))[:MAX_EVIDENCE] if len(lines) > 1 else lines:
            found = memo.get(line)
            if found is None:
                entry = self.by_module[module]
                snippet = entry.result["snips"].get(line, "")
                found = memo[line] = Evidence(entry.rel, line, snippet)
            out.append(found)
        return tuple(out)

    def dependencies(self) -> list[Dependency]:
        # Emitted in key order so the final sort of the facts has (almost) nothing to do.
        return [
            Dependency(src, tgt, kind, float(acc.weight), self.evidence(src, acc.lines))  # type: ignore[arg-type]
            for (src, tgt, kind), acc in sorted(self.deps.items())
        ]

    def access_facts(self) -> list[TableAccess]:
        return [
            TableAccess(unit, table, mode, via, self.evidence(unit, acc.lines))  # type: ignore[arg-type]
            for (unit, table, mode, via), acc in sorted(self.access.items())
        ]

    def table_facts(self) -> list[Table]:
        out = []
        for name, info in self.tables.items():
            columns = tuple(info["columns"].values())
            out.append(
                Table(
                    name=name,
                    source="orm",
                    columns=columns,
                    primary_key=tuple(c.name for c in columns if c.primary_key),
                    foreign_keys=tuple(sorted(info["fks"].values())),
                    evidence=tuple(Evidence(*ev) for ev in sorted(info["evidence"])),
                )
            )
        return out

    def orm_models(self) -> list[OrmModel]:
        out = []
        for model in self.models.values():
            entry = self.by_module[model.module]
            evidence = Evidence(entry.rel, model.line, entry.result["snips"].get(model.line, ""))
            out.append(OrmModel(model.module, model.name, model.table, model.framework, evidence))
        return out

    def endpoints(self) -> list[Endpoint]:
        out = []
        for entry in self.entries:
            snips = entry.result["snips"]
            for framework, method, path, handler, line in entry.result["routes"]:
                evidence = Evidence(entry.rel, line, snips.get(line, ""))
                out.append(Endpoint(entry.module, method, path, framework, handler, evidence))
            out.extend(self.registered(entry))
            if not entry.result["urls"] or not self.imports_django(entry):
                continue
            for pattern, view, line in entry.result["urls"]:
                unit = entry.module
                first = view.partition(".")[0]
                if first in self.bindings[entry.module]:
                    target, _ = self.split_symbol(self.abs_name(entry.module, view))
                    unit = target or unit
                evidence = Evidence(entry.rel, line, snips.get(line, ""))
                handler = view.rpartition(".")[2]
                out.append(Endpoint(unit, "ANY", pattern, "django", handler, evidence))
        return out

    def registered(self, entry: FileEntry) -> list[Endpoint]:
        """Endpoints of views registered by a call, served by the unit defining the view."""
        out = []
        module, snips = entry.module, entry.result["snips"]
        for kind, target, _obj, paths, methods, line in entry.result["registrations"]:
            found = self.class_of(module, target)
            if found is not None:
                if kind == "call" and not self.is_view(found):
                    continue
                unit, handler = found
                verbs = methods or self.view_verbs(found) or ("ANY",)
            elif kind == "rule":
                unit, handler = self.function_of(module, target)
                verbs = methods or ("GET",)
            else:
                continue
            evidence = Evidence(entry.rel, line, snips.get(line, ""))
            for path in paths:
                for verb in verbs:
                    out.append(Endpoint(unit, verb, path, "flask", handler, evidence))
        return out

    def class_of(self, module: str, dotted: str) -> tuple[str, str] | None:
        """The (module, class) a dotted expression of `module` names, through imports."""
        target, symbol = self.split_symbol(self.abs_name(module, dotted))
        return self.find_class(target, symbol) if target and symbol else None

    def function_of(self, module: str, dotted: str) -> tuple[str, str]:
        """(unit, function) of a view function: the module defining it when it is imported."""
        target, symbol = self.split_symbol(self.abs_name(module, dotted))
        name = dotted.rpartition(".")[2]
        if target and symbol and symbol in self.by_module[target].result["functions"]:
            return target, symbol
        return module, name

    def is_view(self, cls: tuple[str, str], depth: int = 0) -> bool:
        """Whether a class derives from a Flask view class (`Resource`, `MethodView`, `View`)."""
        known = self._views.get(cls)
        if known is not None:
            return known
        self._views[cls] = False
        result = False
        for base in self.classes[cls][2] if depth < _MAX_DEPTH else ():
            absolute = self.abs_name(cls[0], base)
            head, _, last = absolute.rpartition(".")
            if head.startswith("flask") and last in _VIEW_BASES:
                result = True
                break
            parent = self.class_of(cls[0], base)
            if parent is not None and self.is_view(parent, depth + 1):
                result = True
                break
        self._views[cls] = result
        return result

    def view_verbs(self, cls: tuple[str, str], depth: int = 0) -> tuple[str, ...]:
        """HTTP verbs a view class serves: its `get`/`post`... methods and its bases' ones."""
        found = set(self.verbs.get(cls, ()))
        for base in self.classes[cls][2] if depth < _MAX_DEPTH else ():
            parent = self.class_of(cls[0], base)
            if parent is not None and parent != cls:
                found.update(self.view_verbs(parent, depth + 1))
        return tuple(v for v in _VERB_ORDER if v in found)

    def imports_django(self, entry: FileEntry) -> bool:
        for imp in entry.result["imports"]:
            module = imp[2] if imp[0] == "import" else imp[3]
            if module.partition(".")[0] == "django":
                return True
        return False


def _has_primary_key(body: dict | None) -> bool:
    return any(
        func.rpartition(".")[2] in ("Column", "mapped_column") and _kw_true(keywords, "primary_key")
        for _attr, func, _positional, keywords, _line in (body["fields"] if body else ())
    )


_CAMEL = re.compile(r"((?<=[a-z0-9])[A-Z]|(?!^)[A-Z](?=[a-z]))")


def _snake(name: str) -> str:
    """Flask-SQLAlchemy's default table name of a model class."""
    return _CAMEL.sub(r"_\1", name).lower().lstrip("_")


def _qualify(schema: str, name: str) -> str:
    return (f"{schema}.{name}" if schema else name).lower()


def _schema(arg: tuple | None) -> str:
    if not arg:
        return ""
    match = _SCHEMA_IN_ARGS.search(repr(arg))
    return match.group(1) if match else ""


def _kw_str(keywords: dict, name: str) -> str:
    value = keywords.get(name)
    return value[1] if value and value[0] == "s" else ""


def _kw_true(keywords: dict, name: str) -> bool:
    value = keywords.get(name)
    return bool(value) and value[0] == "b" and value[1] == "true"


def _add_column(info: dict, name: str, col_type: str, nullable: bool, primary: bool) -> None:
    info["columns"].setdefault(name, Column(name, col_type, nullable, primary))
