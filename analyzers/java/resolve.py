"""Resolves per-file Java facts across the repository: names, dependencies, JPA, Spring, MyBatis.

JPA naming strategy (pinned): a table is `@Table(name=..., schema=...)`, else the entity name
(`@Entity(name=...)`), else the simple class name, as JPA's default physical naming does; all
lowercased, as `analyzers.sql` lowercases the names it reads from SQL. A column is
`@Column(name=...)` / `@JoinColumn(name=...)`, else the field name (`<field>_<referenced key>` for
a relationship). A default join table is `<owner table>_<target table>`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
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
from analyzers.java.descriptors import Descriptor
from analyzers.java.extract import FileResult
from analyzers.language import Resolved

MAX_EVIDENCE = 5
ANALYZER = "java"
_SPRING_DATA = frozenset(
    {
        "Repository",
        "CrudRepository",
        "ListCrudRepository",
        "PagingAndSortingRepository",
        "ListPagingAndSortingRepository",
        "JpaRepository",
        "JpaRepositoryImplementation",
        "ReactiveCrudRepository",
        "RevisionRepository",
    }
)
_REPO_WRITES = frozenset(
    {
        "save",
        "saveAll",
        "saveAndFlush",
        "saveAllAndFlush",
        "delete",
        "deleteAll",
        "deleteById",
        "deleteAllById",
        "deleteInBatch",
        "deleteAllInBatch",
        "deleteAllByIdInBatch",
    }
)
_PERSISTENCE_APIS = frozenset(
    {"EntityManager", "Session", "StatelessSession", "HibernateTemplate", "HibernateOperations"}
)
_EM_WRITES = frozenset(
    {"persist", "merge", "remove", "save", "update", "saveOrUpdate", "delete", "insert", "upsert"}
)
_EM_READS = frozenset({"find", "getReference", "get", "load", "byId", "createQuery"})
_SPRING_CONTROLLERS = frozenset({"RestController", "Controller"})
_SPRING_MAPPINGS = {
    "GetMapping": "GET",
    "PostMapping": "POST",
    "PutMapping": "PUT",
    "DeleteMapping": "DELETE",
    "PatchMapping": "PATCH",
    "RequestMapping": "",
}
_JAXRS_METHODS = frozenset({"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"})
_SERVLET_METHODS = {
    "doGet": "GET",
    "doPost": "POST",
    "doPut": "PUT",
    "doDelete": "DELETE",
    "doPatch": "PATCH",
    "doHead": "HEAD",
    "doOptions": "OPTIONS",
}
_TO_ONE = frozenset({"ManyToOne", "OneToOne"})
_TO_MANY = frozenset({"OneToMany", "ManyToMany"})
_NOT_COLUMNS = frozenset({"Transient", "OneToMany", "ManyToMany", "Embedded", "ElementCollection"})


@dataclass(frozen=True)
class FileEntry:
    """One analyzed Java file: where it is, its role and its raw facts."""

    rel: str
    role: UnitRole
    result: FileResult


@dataclass(frozen=True)
class DescriptorEntry:
    """One XML descriptor: where it is and what it declares."""

    rel: str
    descriptor: Descriptor
    snips: dict[int, str]


@dataclass
class _Class:
    """A top-level type of the repository and the context to resolve the names it uses."""

    fqn: str
    entry: FileEntry
    info: dict[str, Any]
    package: str
    imports: dict[str, tuple[str, int]] = field(default_factory=dict)
    wildcards: list[tuple[str, int]] = field(default_factory=list)
    static_members: dict[str, str] = field(default_factory=dict)
    nested: frozenset[str] = frozenset()

    @property
    def annotations(self) -> dict[str, tuple]:
        return {
            name.rpartition(".")[2]: (args, line) for name, args, line in self.info["annotations"]
        }


@dataclass
class _Entity:
    fqn: str
    table: str
    line: int
    entity_name: str
    pk: str | None = None


class _Acc:
    """Aggregates weights and evidence (path, line) per key."""

    __slots__ = ("evidence", "weight")

    def __init__(self) -> None:
        self.weight = 0
        self.evidence: set[tuple[str, int]] = set()

    def add(self, count: int, rel: str, lines: Iterable[int]) -> None:
        self.weight += count
        self.evidence.update((rel, line) for line in lines)


def resolve(entries: list[FileEntry], descriptors: list[DescriptorEntry]) -> Resolved:
    """Everything the Java analyzer reports, resolved across files."""
    return _Resolver(entries, descriptors).run()


def _ann_values(args: tuple, *keys: str) -> list[tuple]:
    return [v for key, values in args if key in keys for v in values]


def _ann_strings(args: tuple, *keys: str) -> list[str]:
    """String values of some annotation keys; other expressions as `{expression}`."""
    out = []
    for value in _ann_values(args, *keys):
        if value[0] == "s":
            out.append(value[1])
        elif value[0] == "e":
            out.append("{" + value[1] + "}")
    return out


def _ann_string(args: tuple, *keys: str) -> str:
    values = [v[1] for v in _ann_values(args, *keys) if v[0] == "s"]
    return values[0] if values else ""


def _join_path(prefix: str, path: str) -> str:
    parts = [p.strip("/") for p in (prefix, path) if p and p.strip("/")]
    return "/" + "/".join(parts)


class _Resolver:
    def __init__(self, entries: list[FileEntry], descriptors: list[DescriptorEntry]) -> None:
        self.descriptors = descriptors
        self.warnings: list[AnalysisWarning] = []
        self.classes: dict[str, _Class] = {}
        self.qualified: dict[str, str] = {}
        self.snips: dict[str, dict[int, str]] = {}
        self.deps: dict[tuple[str, str, str], _Acc] = {}
        self.access: dict[tuple[str, str, str, str], _Acc] = {}
        self.entities: dict[str, _Entity] = {}
        self.repo_entity: dict[str, str] = {}
        self.related: dict[str, list[tuple[str, str, int]]] = {}
        self.tables: dict[str, dict[str, Any]] = {}
        self._memo: dict[tuple[str, str], str | None] = {}
        self._wild: dict[tuple[str, str], int] = {}
        order = {"code": 0, "script": 1, "vendored": 2, "migration": 3, "test": 4}
        for entry in sorted(entries, key=lambda e: (order.get(e.role, 5), e.rel)):
            self.snips[entry.rel] = entry.result["snips"]
            for w in entry.result["warnings"]:
                self.warn(entry.rel, w)
            self.add_file(entry)
        for d in descriptors:
            self.snips[d.rel] = d.snips
            for w in d.descriptor.warnings:
                self.warn(d.rel, w)

    def warn(self, rel: str, message: str) -> None:
        self.warnings.append(AnalysisWarning(ANALYZER, rel, message))

    def add_file(self, entry: FileEntry) -> None:
        package = entry.result["package"]
        for info in entry.result["types"]:
            fqn = f"{package}.{info['name']}" if package else info["name"]
            if fqn in self.classes:
                other = self.classes[fqn].entry.rel
                where = "earlier in this file" if other == entry.rel else f"in {other}"
                self.warn(entry.rel, f"class {fqn} is also defined {where}; this copy ignored")
                continue
            cls = _Class(fqn, entry, info, package)
            cls.nested = frozenset(n.partition(".")[0] for n in info["inner"])
            self.classes[fqn] = cls
            self.qualified[fqn] = fqn
            for inner in info["inner"]:
                self.qualified.setdefault(f"{fqn}.{inner}", fqn)
        for cls in [c for c in self.classes.values() if c.entry is entry]:
            for static, wildcard, name, line in entry.result["imports"]:
                if static and not wildcard:
                    owner, _, member = name.rpartition(".")
                    cls.static_members.setdefault(member, owner)
                    cls.imports.setdefault("\0" + name, (owner, line))
                elif wildcard:
                    cls.wildcards.append((name, line))
                else:
                    cls.imports.setdefault(name.rpartition(".")[2], (name, line))

    # -- names -----------------------------------------------------------------------------
    def lookup(self, qualified: str) -> str | None:
        """The repository unit a qualified name (class, nested class or member) falls in."""
        probe = qualified.replace("$", ".")
        while probe:
            unit = self.qualified.get(probe)
            if unit is not None:
                return unit
            probe = probe.rpartition(".")[0]
        return None

    def resolve_name(self, cls: _Class, text: str) -> tuple[str | None, int | None]:
        """(unit, line of the wildcard import that found it or None) for a type name as written."""
        key = (cls.fqn, text)
        if key in self._memo:
            return self._memo[key], self._wild_line(cls, text)
        found = self._resolve(cls, text)
        self._memo[key] = found
        return found, self._wild_line(cls, text)

    def _wild_line(self, cls: _Class, text: str) -> int | None:
        return self._wild.get((cls.fqn, text))

    def _resolve(self, cls: _Class, text: str) -> str | None:
        first, _, rest = text.partition(".")
        if first == cls.info["name"] or first in cls.nested:
            return cls.fqn
        imported = cls.imports.get(first)
        if imported is not None:
            return self.lookup(imported[0] + ("." + rest if rest else ""))
        local = f"{cls.package}.{first}" if cls.package else first
        if local in self.qualified:
            return self.qualified[local]
        for prefix, line in cls.wildcards:
            candidate = f"{prefix}.{first}"
            if candidate in self.qualified:
                self._wild[(cls.fqn, text)] = line
                return self.qualified[candidate]
        if rest and first[:1].islower():
            return self.lookup(text)
        return None

    # -- accumulation ----------------------------------------------------------------------
    def add_dep(self, src: _Class, tgt: str | None, kind: str, count: int, lines: Iterable[int]):
        if tgt is None or tgt == src.fqn:
            return
        acc = self.deps.get((src.fqn, tgt, kind))
        if acc is None:
            acc = self.deps[(src.fqn, tgt, kind)] = _Acc()
        acc.add(count, src.entry.rel, lines)

    def add_access(
        self, unit: str, table: str, mode: str, via: str, rel: str, lines: Iterable[int]
    ):
        acc = self.access.get((unit, table, mode, via))
        if acc is None:
            acc = self.access[(unit, table, mode, via)] = _Acc()
        acc.add(1, rel, lines)

    def evidence(self, pairs: set[tuple[str, int]]) -> tuple[Evidence, ...]:
        chosen = sorted(pairs)[:MAX_EVIDENCE]
        return tuple(
            Evidence(rel, line, self.snips.get(rel, {}).get(line, "")) for rel, line in chosen
        )

    # -- phases ----------------------------------------------------------------------------
    def run(self) -> Resolved:
        for cls in self.classes.values():
            self.dependencies_of(cls)
        self.find_entities()
        self.spring_data()
        for cls in self.classes.values():
            self.entity_access(cls)
            for line, reads, writes, jpql in cls.info["sql"]:
                for mode, names in (("read", reads), ("write", writes)):
                    for name in names:
                        table = self.jpql_table(name) if jpql else self.sql_table(name)
                        if table is not None:
                            self.add_access(cls.fqn, table, mode, "sql", cls.entry.rel, (line,))
        self.mybatis()
        return Resolved(
            units=[self.unit(c) for c in self.classes.values()],
            dependencies=[
                Dependency(src, tgt, kind, float(acc.weight), self.evidence(acc.evidence))  # type: ignore[arg-type]
                for (src, tgt, kind), acc in self.deps.items()
            ],
            tables=self.table_facts(),
            orm_models=[
                OrmModel(
                    e.fqn,
                    e.fqn.rpartition(".")[2],
                    e.table,
                    "jpa",
                    self.evidence({(self.classes[e.fqn].entry.rel, e.line)})[0],
                )
                for e in self.entities.values()
            ],
            table_access=[
                TableAccess(unit, table, mode, via, self.evidence(acc.evidence))  # type: ignore[arg-type]
                for (unit, table, mode, via), acc in self.access.items()
            ],
            endpoints=self.endpoints(),
            warnings=self.warnings,
        )

    def unit(self, cls: _Class) -> Unit:
        info = cls.info
        types = cls.entry.result["types"]
        lines = cls.entry.result["lines"] if len(types) == 1 else info["end"] - info["line"] + 1
        return Unit(
            id=cls.fqn,
            path=cls.entry.rel,
            language="java",
            lines=lines,
            package=cls.package,
            role=cls.entry.role,
            classes=(info["name"], *(f"{info['name']}.{n}" for n in info["inner"])),
            functions=tuple(dict.fromkeys(m[0] for m in info["methods"])),
        )

    def dependencies_of(self, cls: _Class) -> None:
        info = cls.info
        for key, (name, line) in cls.imports.items():
            target = self.lookup(name)
            if target is not None and (not key.startswith("\0") or target in self.classes):
                self.add_dep(cls, target, "import", 1, (line,))
        for prefix, line in cls.wildcards:
            if prefix in self.qualified:  # `import a.b.Outer.*` or `import static a.b.Util.*`
                self.add_dep(cls, self.qualified[prefix], "import", 1, (line,))
        for text, line in info["refs"]:
            target, wild_line = self.resolve_name(cls, text)
            self.add_dep(cls, target, "reference", 1, (line,))
            if wild_line is not None and target is not None and target != cls.fqn:
                key = (cls.fqn, target, "import")
                if key not in self.deps:
                    self.add_dep(cls, target, "import", 1, (wild_line,))
        for _clause, text, line, _args in info["supers"]:
            target, _ = self.resolve_name(cls, text)
            self.add_dep(cls, target, "inherit", 1, (line,))
        for form, text, method, line, _arg in info["calls"]:
            if form == "u":
                owner = cls.static_members.get(method)
                target = self.lookup(owner) if owner else None
            else:
                target, _ = self.resolve_name(cls, text)
            self.add_dep(cls, target, "call", 1, (line,))

    # -- JPA -------------------------------------------------------------------------------
    def find_entities(self) -> None:
        listed: dict[str, tuple[str, str, int]] = {}
        for d in self.descriptors:
            for name, table, line in d.descriptor.entities:
                unit = self.lookup(name)
                if unit is not None and unit == name.replace("$", "."):
                    listed.setdefault(unit, (table, d.rel, line))
        for cls in self.classes.values():
            anns = cls.annotations
            if "Entity" not in anns and cls.fqn not in listed:
                continue
            entity_args, line = anns.get("Entity", ((), cls.info["line"]))
            table_args = anns.get("Table", ((), 0))[0]
            entity_name = _ann_string(entity_args, "name") or cls.info["name"]
            name = _ann_string(table_args, "name") or listed.get(cls.fqn, ("",))[0] or entity_name
            schema = _ann_string(table_args, "schema")
            table = (f"{schema}.{name}" if schema and "." not in name else name).lower()
            if "Table" in anns:
                line = anns["Table"][1]
            self.entities[cls.fqn] = _Entity(cls.fqn, table, line, entity_name.lower())
        for entity in self.entities.values():
            cls = self.classes[entity.fqn]
            info = self.table_info(entity.table, cls.entry.rel, entity.line)
            for fld in self.entity_fields(cls):
                self.column(entity, cls, info, fld)
            self.relations(entity, cls)

    def relations(self, entity: _Entity, cls: _Class) -> None:
        """(table, path, line) of the entities an entity's own relationship fields reach."""
        found: set[tuple[str, str, int]] = set()
        for _name, type_text, args, line, anns, is_static in cls.info["fields"]:
            names = {a[0].rpartition(".")[2] for a in anns}
            if is_static or not names & (_TO_ONE | _TO_MANY):
                continue
            target = self.target_entity(cls, type_text, args)
            if target is not None and target.table != entity.table:
                found.add((target.table, cls.entry.rel, line))
        if found:
            self.related[entity.fqn] = sorted(found)

    def read_related(self, unit: str, entity: str) -> None:
        """Loading an entity reads the tables its relationships reach (evidence: the field)."""
        for table, rel, line in self.related.get(entity, ()):
            self.add_access(unit, table, "read", "orm", rel, (line,))

    def table_info(self, name: str, rel: str, line: int) -> dict[str, Any]:
        info = self.tables.setdefault(name, {"columns": {}, "fks": {}, "evidence": set()})
        info["evidence"].add((rel, line))
        return info

    def entity_fields(self, cls: _Class) -> list[tuple]:
        """Fields of an entity and of its `@MappedSuperclass` ancestors in the repository."""
        out = list(cls.info["fields"])
        seen = {cls.fqn}
        current = cls
        for _ in range(8):
            parent = next(
                (
                    self.resolve_name(current, text)[0]
                    for clause, text, _line, _args in current.info["supers"]
                    if clause == "superclass"
                ),
                None,
            )
            if parent is None or parent in seen or parent not in self.classes:
                break
            seen.add(parent)
            current = self.classes[parent]
            if "MappedSuperclass" not in current.annotations:
                break
            out = list(current.info["fields"]) + out
        return out

    def target_entity(self, cls: _Class, type_text: str, args: tuple[str, ...]) -> _Entity | None:
        for text in (*args[::-1], type_text):
            unit, _ = self.resolve_name(cls, text)
            if unit in self.entities:
                return self.entities[unit]
        return None

    def pk_of(self, entity: _Entity) -> str:
        """The first `@Id` column of an entity (or of its mapped superclasses), else `id`."""
        if entity.pk is None:
            entity.pk = "id"
            for fld in self.entity_fields(self.classes[entity.fqn]):
                anns = {a[0].rpartition(".")[2]: a[1] for a in fld[4]}
                if "Id" in anns or "EmbeddedId" in anns:
                    entity.pk = _ann_string(anns.get("Column", ()), "name") or fld[0]
                    break
        return entity.pk

    def column(self, entity: _Entity, cls: _Class, info: dict[str, Any], fld: tuple) -> None:
        name, type_text, args, _line, annotations, is_static = fld
        anns = {a[0].rpartition(".")[2]: a[1] for a in annotations}
        if is_static:
            return
        if "JoinTable" in anns or (
            "ManyToMany" in anns and not _ann_string(anns["ManyToMany"], "mappedBy")
        ):
            self.join_table(entity, cls, anns, type_text, args)
            return
        if (
            "OneToMany" in anns
            and "JoinColumn" in anns
            and not _ann_string(anns["OneToMany"], "mappedBy")
        ):
            target = self.target_entity(cls, type_text, args)
            column = _ann_string(anns["JoinColumn"], "name") or f"{entity.table}_id"
            if target is not None:
                other = self.tables.setdefault(
                    target.table, {"columns": {}, "fks": {}, "evidence": set()}
                )
                fk = ForeignKey((column,), entity.table, (self.pk_of(entity),))
                other["fks"][fk.columns] = fk
            return
        if anns.keys() & _NOT_COLUMNS:
            return
        if anns.keys() & _TO_ONE:
            relation = next(anns[k] for k in ("ManyToOne", "OneToOne") if k in anns)
            if _ann_string(relation, "mappedBy"):
                return
            target = self.target_entity(cls, type_text, args)
            join = anns.get("JoinColumn", ())
            referenced = _ann_string(join, "referencedColumnName")
            if target is not None:
                referenced = referenced or self.pk_of(target)
            column = _ann_string(join, "name") or f"{name}_{referenced or 'id'}"
            info["columns"].setdefault(column, Column(column, type_text, True, "Id" in anns))
            if target is not None:
                fk = ForeignKey((column,), target.table, (referenced,))
                info["fks"][fk.columns] = fk
            return
        column = _ann_string(anns.get("Column", ()), "name") or name
        primary = "Id" in anns or "EmbeddedId" in anns
        nullable = not primary and _ann_values(anns.get("Column", ()), "nullable") != [
            ("e", "false")
        ]
        info["columns"].setdefault(column, Column(column, type_text, nullable, primary))

    def join_table(
        self, entity: _Entity, cls: _Class, anns: dict, type_text: str, args: tuple
    ) -> None:
        target = self.target_entity(cls, type_text, args)
        join = anns.get("JoinTable", ())
        name = _ann_string(join, "name")
        if not name and target is None:
            return
        schema = _ann_string(join, "schema")
        name = name or f"{entity.table}_{target.table if target else 'x'}"
        name = (f"{schema}.{name}" if schema else name).lower()
        info = self.table_info(name, cls.entry.rel, entity.line)

        def columns(key: str, default: str) -> list[str]:
            nested = [v for v in _ann_values(join, key) if v[0] == "a"]
            found = [_ann_string(v[2], "name") for v in nested]
            return [c for c in found if c] or [default]

        own = columns("joinColumns", f"{entity.table.rpartition('.')[2]}_id")
        for column in own:
            info["columns"].setdefault(column, Column(column))
        info["fks"][tuple(own)] = ForeignKey(tuple(own), entity.table, (self.pk_of(entity),))
        if target is not None:
            inverse = columns("inverseJoinColumns", f"{target.table.rpartition('.')[2]}_id")
            for column in inverse:
                info["columns"].setdefault(column, Column(column))
            info["fks"][tuple(inverse)] = ForeignKey(
                tuple(inverse), target.table, (self.pk_of(target),)
            )
        info.setdefault("owners", set()).add(entity.fqn)

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
                    evidence=self.evidence(info["evidence"]),
                )
            )
        return out

    def jpql_table(self, name: str) -> str | None:
        """The table of an entity named in JPQL; path expressions (`p.categories`) are dropped."""
        if "." in name:
            return None
        for entity in self.entities.values():
            if entity.entity_name == name:
                return entity.table
        return name if name in self.tables else None

    def sql_table(self, name: str) -> str | None:
        """A table named in a query string that was not recognised as JPQL where it was built.

        Queries assembled in a StringBuilder are JPQL as often as SQL: an entity's name maps to
        its table, and a path through a short alias (`u.merchantStore`) is a join path, not a
        schema-qualified table.
        """
        for entity in self.entities.values():
            if entity.entity_name.lower() == name and entity.table != name:
                return entity.table
        schema, dot, _ = name.partition(".")
        if dot and len(schema) <= 2 and name not in self.tables:
            return None
        return name

    def join_tables_of(self, entity: str) -> list[str]:
        return sorted(n for n, info in self.tables.items() if entity in info.get("owners", ()))

    # -- access ----------------------------------------------------------------------------
    def spring_data(self) -> None:
        for cls in self.classes.values():
            for _clause, text, line, args in cls.info["supers"]:
                if text.rpartition(".")[2] not in _SPRING_DATA or not args:
                    continue
                entity_unit, _ = self.resolve_name(cls, args[0])
                if entity_unit not in self.entities:
                    continue
                self.repo_entity[cls.fqn] = entity_unit
                table = self.entities[entity_unit].table
                for tbl in (table, *self.join_tables_of(entity_unit)):
                    for mode in ("read", "write"):
                        self.add_access(cls.fqn, tbl, mode, "orm", cls.entry.rel, (line,))
                self.read_related(cls.fqn, entity_unit)

    def entity_access(self, cls: _Class) -> None:
        rel = cls.entry.rel
        is_entity = cls.fqn in self.entities
        if not is_entity:
            for text, line in cls.info["refs"]:
                target, _ = self.resolve_name(cls, text)
                if target in self.entities and target != cls.fqn:
                    self.add_access(
                        cls.fqn, self.entities[target].table, "read", "orm", rel, (line,)
                    )
        for form, text, method, line, arg in cls.info["calls"]:
            if form == "u":
                continue
            target, _ = self.resolve_name(cls, text)
            if target in self.repo_entity and target != cls.fqn:
                table = self.entities[self.repo_entity[target]].table
                mode = "write" if method in _REPO_WRITES else "read"
                self.add_access(cls.fqn, table, mode, "orm", rel, (line,))
            elif target is None and text.rpartition(".")[2] in _PERSISTENCE_APIS and arg:
                entity, _ = self.resolve_name(cls, arg)
                if entity not in self.entities:
                    continue
                if method in _EM_WRITES:
                    self.add_access(
                        cls.fqn, self.entities[entity].table, "write", "orm", rel, (line,)
                    )
                elif method in _EM_READS:
                    self.add_access(
                        cls.fqn, self.entities[entity].table, "read", "orm", rel, (line,)
                    )
                    self.read_related(cls.fqn, entity)

    def mybatis(self) -> None:
        for d in self.descriptors:
            desc = d.descriptor
            if not desc.namespace or not desc.statements:
                continue
            unit = self.lookup(desc.namespace)
            if unit is None or unit != desc.namespace.replace("$", "."):
                self.warn(
                    d.rel, f"MyBatis namespace {desc.namespace} is not a class of the repository"
                )
                continue
            for st in desc.statements:
                for table in st.reads:
                    self.add_access(unit, table, "read", "sql", d.rel, (st.line,))
                for table in st.writes:
                    self.add_access(unit, table, "write", "sql", d.rel, (st.line,))

    # -- endpoints -------------------------------------------------------------------------
    def endpoints(self) -> list[Endpoint]:
        out: list[Endpoint] = []
        for cls in self.classes.values():
            if cls.entry.role != "code" and cls.entry.role != "script":
                continue
            anns = cls.annotations
            if anns.keys() & _SPRING_CONTROLLERS or "RequestMapping" in anns:
                out.extend(self.spring(cls, anns))
            if "Path" in anns or any(
                "Path" in {a[0].rpartition(".")[2] for a in m[2]} for m in cls.info["methods"]
            ):
                out.extend(self.jaxrs(cls, anns))
            if "WebServlet" in anns:
                args, line = anns["WebServlet"]
                for url in _ann_strings(args, "value", "urlPatterns"):
                    out.extend(self.servlet(cls, url, cls.entry.rel, line))
        for d in self.descriptors:
            for class_name, url, line in d.descriptor.servlets:
                unit = self.lookup(class_name)
                if unit is not None and unit == class_name.replace("$", "."):
                    out.extend(self.servlet(self.classes[unit], url, d.rel, line))
        return out

    def endpoint(
        self, cls: _Class, method: str, path: str, framework: str, handler: str, rel: str, line: int
    ):
        evidence = self.evidence({(rel, line)})[0]
        return Endpoint(cls.fqn, method, path, framework, handler, evidence)

    def spring(self, cls: _Class, anns: dict[str, tuple]) -> list[Endpoint]:
        prefixes = (
            _ann_strings(anns["RequestMapping"][0], "value", "path")
            if "RequestMapping" in anns
            else []
        )
        out = []
        for name, _line, anns_of in cls.info["methods"]:
            for ann_name, args, ann_line in anns_of:
                short = ann_name.rpartition(".")[2]
                if short not in _SPRING_MAPPINGS:
                    continue
                verbs = (
                    [_SPRING_MAPPINGS[short]]
                    if _SPRING_MAPPINGS[short]
                    else [
                        v[1].rpartition(".")[2].upper()
                        for v in _ann_values(args, "method")
                        if v[0] == "e"
                    ]
                    or ["ANY"]
                )
                paths = _ann_strings(args, "value", "path") or [""]
                for prefix in prefixes or [""]:
                    for path in paths:
                        for verb in verbs:
                            out.append(
                                self.endpoint(
                                    cls,
                                    verb,
                                    _join_path(prefix, path),
                                    "spring",
                                    name,
                                    cls.entry.rel,
                                    ann_line,
                                )
                            )
        return out

    def jaxrs(self, cls: _Class, anns: dict[str, tuple]) -> list[Endpoint]:
        prefix = _ann_string(anns["Path"][0], "value") if "Path" in anns else ""
        out = []
        for name, line, anns_of in cls.info["methods"]:
            shorts = {a[0].rpartition(".")[2]: a for a in anns_of}
            verbs = sorted(shorts.keys() & _JAXRS_METHODS)
            if not verbs:
                continue
            path = _ann_string(shorts["Path"][1], "value") if "Path" in shorts else ""
            for verb in verbs:
                out.append(
                    self.endpoint(
                        cls, verb, _join_path(prefix, path), "jaxrs", name, cls.entry.rel, line
                    )
                )
        return out

    def servlet(self, cls: _Class, url: str, rel: str, line: int) -> list[Endpoint]:
        handlers = [
            (m[0], _SERVLET_METHODS[m[0]]) for m in cls.info["methods"] if m[0] in _SERVLET_METHODS
        ]
        path = url if url.startswith("/") else "/" + url
        if not handlers:
            return [self.endpoint(cls, "ANY", path, "servlet", "service", rel, line)]
        return [
            self.endpoint(cls, verb, path, "servlet", name, rel, line)
            for name, verb in dict(handlers).items()
        ]
