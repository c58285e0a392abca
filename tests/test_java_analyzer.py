"""Tests of the Java analyzer on small Maven trees written to tmp_path."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from analyzers.errors import InputError
from analyzers.facts import Facts, dumps
from analyzers.java import analyze_java, analyze_java_with_stats
from analyzers.java.descriptors import mybatis_sql
from analyzers.java.layout import in_build_dir, java_role

MAIN = "src/main/java"


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
    return root


def java(package: str, name: str, body: str) -> tuple[str, str]:
    rel = f"{MAIN}/{package.replace('.', '/')}/{name}.java"
    return rel, f"package {package};\n{body}\n"


def analyze(
    tmp_path: Path, *sources: tuple[str, str], files: dict[str, str] | None = None
) -> Facts:
    everything: dict[str, str | bytes] = dict(sources)
    everything.update(files or {})
    return analyze_java(write(tmp_path, everything), jobs=1)


def deps(facts: Facts, kind: str) -> dict[tuple[str, str], float]:
    return {(d.source, d.target): d.weight for d in facts.dependencies if d.kind == kind}


def access(facts: Facts) -> set[tuple[str, str, str, str]]:
    return {(a.unit, a.table, a.mode, a.via) for a in facts.table_access}


def endpoints(facts: Facts) -> set[tuple[str, str, str, str]]:
    return {(e.unit, e.method, e.path, e.framework) for e in facts.endpoints}


HELPER = java(
    "com.x.util", "Helper", "public class Helper { public static int one() { return 1; } }"
)
MONEY = java("com.x.util", "Money", "public class Money { public static final int ZERO = 0; }")


# -- units ------------------------------------------------------------------------------------
def test_units_are_top_level_types_with_nested_folded(tmp_path: Path) -> None:
    facts = analyze(
        tmp_path,
        java(
            "com.x.orders",
            "OrderService",
            "public class OrderService {\n  static class Line { class Deep {} }\n"
            "  interface Listener {}\n  void place() {}\n}\n"
            "enum Status { OPEN }\nrecord Pair(int a) {}",
        ),
        java("com.x.orders", "Api", "public interface Api { void call(); }"),
    )
    units = {u.id: u for u in facts.units}
    assert set(units) == {
        "com.x.orders.OrderService",
        "com.x.orders.Status",
        "com.x.orders.Pair",
        "com.x.orders.Api",
    }
    service = units["com.x.orders.OrderService"]
    assert service.language == "java"
    assert service.package == "com.x.orders"
    assert service.path == f"{MAIN}/com/x/orders/OrderService.java"
    assert service.classes == (
        "OrderService",
        "OrderService.Line",
        "OrderService.Line.Deep",
        "OrderService.Listener",
    )
    assert service.functions == ("place",)
    assert service.role == "code"


def test_roles_from_source_sets_and_build_dirs_skipped(tmp_path: Path) -> None:
    facts = analyze(
        tmp_path,
        java("com.x", "A", "public class A {}"),
        ("src/test/java/com/x/ATest.java", "package com.x;\nclass ATest { A a; }\n"),
        ("target/generated-sources/com/x/Gen.java", "package com.x;\nclass Gen {}\n"),
        ("docs/snippets/Example.java", "package com.x;\nclass Example {}\n"),
        ("module-b/src/main/java/com/x/test/B.java", "package com.x.test;\nclass B {}\n"),
    )
    roles = {u.id: u.role for u in facts.units}
    assert roles == {"com.x.A": "code", "com.x.ATest": "test", "com.x.test.B": "code"}
    assert deps(facts, "reference") == {("com.x.ATest", "com.x.A"): 1.0}
    assert java_role("src/Foo.java") == "code"
    assert java_role("test/com/x/FooTest.java") == "test"
    assert java_role("lib/FooTest.java") == "test"
    assert in_build_dir("module/target/classes/X.java")
    assert not in_build_dir("src/main/java/com/x/out/X.java")


def test_plain_src_layout_when_no_maven(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "src/com/x/A.java": "package com.x;\npublic class A { B b; }\n",
            "src/com/x/B.java": "package com.x;\npublic class B {}\n",
        },
    )
    facts = analyze_java(tmp_path, jobs=1)
    assert {u.id for u in facts.units} == {"com.x.A", "com.x.B"}
    assert deps(facts, "reference") == {("com.x.A", "com.x.B"): 1.0}


def test_duplicate_class_warned_and_first_kept(tmp_path: Path) -> None:
    facts = analyze(
        tmp_path,
        ("a/src/main/java/com/x/A.java", "package com.x;\npublic class A {}\n"),
        ("b/src/main/java/com/x/A.java", "package com.x;\npublic class A { int x; }\n"),
    )
    assert [u.path for u in facts.units] == ["a/src/main/java/com/x/A.java"]
    assert any("also defined" in w.message for w in facts.warnings)


# -- imports ----------------------------------------------------------------------------------
def test_single_type_import(tmp_path: Path) -> None:
    facts = analyze(
        tmp_path,
        HELPER,
        java(
            "com.x.app", "Main", "import com.x.util.Helper;\nimport java.util.List;\nclass Main {}"
        ),
    )
    imports = [d for d in facts.dependencies if d.kind == "import"]
    assert [(d.source, d.target, d.weight) for d in imports] == [
        ("com.x.app.Main", "com.x.util.Helper", 1.0)
    ]
    assert imports[0].evidence[0].line == 2
    assert imports[0].evidence[0].snippet == "import com.x.util.Helper;"


def test_wildcard_import_resolves_only_referenced_classes(tmp_path: Path) -> None:
    facts = analyze(
        tmp_path,
        HELPER,
        MONEY,
        java("com.x.app", "Main", "import com.x.util.*;\nclass Main { Helper h; }"),
    )
    assert deps(facts, "import") == {("com.x.app.Main", "com.x.util.Helper"): 1.0}
    assert deps(facts, "reference") == {("com.x.app.Main", "com.x.util.Helper"): 1.0}


def test_static_imports_single_and_wildcard(tmp_path: Path) -> None:
    facts = analyze(
        tmp_path,
        HELPER,
        MONEY,
        java(
            "com.x.app",
            "Main",
            "import static com.x.util.Helper.one;\nimport static com.x.util.Money.*;\n"
            "class Main { int f() { return one() + one(); } }",
        ),
    )
    assert deps(facts, "import") == {
        ("com.x.app.Main", "com.x.util.Helper"): 1.0,
        ("com.x.app.Main", "com.x.util.Money"): 1.0,
    }
    assert deps(facts, "call") == {("com.x.app.Main", "com.x.util.Helper"): 2.0}


def test_nested_class_import_targets_its_top_level_unit(tmp_path: Path) -> None:
    facts = analyze(
        tmp_path,
        java("com.x.a", "Outer", "public class Outer { public static class Inner {} }"),
        java("com.x.b", "User", "import com.x.a.Outer.Inner;\nclass User { Inner i; }"),
    )
    assert deps(facts, "import") == {("com.x.b.User", "com.x.a.Outer"): 1.0}
    assert deps(facts, "reference") == {("com.x.b.User", "com.x.a.Outer"): 1.0}


# -- references -------------------------------------------------------------------------------
def _refs_of(tmp_path: Path, body: str) -> float:
    facts = analyze(
        tmp_path,
        java("com.x.a", "Target", "public class Target { public static int CONST = 1; }"),
        java("com.x.b", "User", "import com.x.a.Target;\n" + body),
    )
    return deps(facts, "reference").get(("com.x.b.User", "com.x.a.Target"), 0.0)


@pytest.mark.parametrize(
    ("body", "count"),
    [
        ("class User { private Target field; }", 1),
        ("class User { void m(Target p) {} }", 1),
        ("class User { Target m() { return null; } }", 1),
        ("class User { void m() { Target local = null; } }", 1),
        ("class User { java.util.List<java.util.Map<String, Target>> generic; }", 1),
        ("@Target class User {}", 1),
        ("class User { Object m() { return new Target(); } }", 1),
        ("class User { Object m(Object o) { return (Target) o; } }", 1),
        ("class User { int m() { return Target.CONST; } }", 1),
        ("class User { Object m() { return Target.class; } }", 1),
        ("class User { void m(Object o) { if (o instanceof Target) {} } }", 1),
        ("class User { Target[] arr; Target other; }", 2),
        ("class User { void m() throws Target {} }", 1),
    ],
)
def test_type_reference_kinds(tmp_path: Path, body: str, count: int) -> None:
    assert _refs_of(tmp_path, body) == count


def test_static_call_is_reference_and_call(tmp_path: Path) -> None:
    facts = analyze(
        tmp_path,
        HELPER,
        java(
            "com.x.app",
            "Main",
            "import com.x.util.Helper;\nclass Main { int f() { return Helper.one(); } }",
        ),
    )
    assert deps(facts, "call") == {("com.x.app.Main", "com.x.util.Helper"): 1.0}
    assert deps(facts, "reference") == {("com.x.app.Main", "com.x.util.Helper"): 1.0}


def test_same_package_reference_without_import(tmp_path: Path) -> None:
    facts = analyze(
        tmp_path,
        java("com.x.a", "A", "class A { B b; C c; }"),
        java("com.x.a", "B", "class B {}"),
        java("com.x.other", "C", "public class C {}"),
    )
    assert deps(facts, "reference") == {("com.x.a.A", "com.x.a.B"): 1.0}


def test_fully_qualified_reference(tmp_path: Path) -> None:
    facts = analyze(
        tmp_path,
        HELPER,
        java("com.x.app", "Main", "class Main { com.x.util.Helper h = new com.x.util.Helper(); }"),
    )
    assert deps(facts, "reference") == {("com.x.app.Main", "com.x.util.Helper"): 2.0}


def test_type_parameters_and_jdk_types_are_not_edges(tmp_path: Path) -> None:
    facts = analyze(
        tmp_path,
        java("com.x", "Box", "class Box<T> { T value; String s; <U> U get(U u) { return u; } }"),
        java("com.x", "T", "class T {}"),
    )
    assert deps(facts, "reference") == {}


# -- calls and inheritance --------------------------------------------------------------------
def test_calls_resolved_to_declared_type_of_receiver(tmp_path: Path) -> None:
    facts = analyze(
        tmp_path,
        java("com.x.repo", "Repo", "public class Repo { public void save(Object o) {} }"),
        java("com.x.repo", "Mailer", "public class Mailer { public void send() {} }"),
        java("com.x.repo", "Clock", "public class Clock { public long now() { return 0; } }"),
        java(
            "com.x.app",
            "Service",
            "import com.x.repo.*;\n"
            "class Service {\n"
            "  private Repo repo;\n"
            "  void a(Mailer mailer) { repo.save(null); this.repo.save(null); mailer.send(); }\n"
            "  void b() { Clock clock = null; clock.now(); var m2 = new Mailer(); m2.send(); }\n"
            "  void c() { unknown.save(null); repo.toString().trim(); }\n"
            "}",
        ),
    )
    calls = deps(facts, "call")
    assert calls == {
        ("com.x.app.Service", "com.x.repo.Repo"): 3.0,
        ("com.x.app.Service", "com.x.repo.Mailer"): 2.0,
        ("com.x.app.Service", "com.x.repo.Clock"): 1.0,
    }


def test_local_shadows_field_for_call_resolution(tmp_path: Path) -> None:
    facts = analyze(
        tmp_path,
        java("com.x", "A", "class A { void go() {} }"),
        java("com.x", "B", "class B { void go() {} }"),
        java(
            "com.x",
            "User",
            "class User { A x; void m() { B x = null; x.go(); } void n() { x.go(); } }",
        ),
    )
    calls = deps(facts, "call")
    assert calls == {("com.x.User", "com.x.B"): 1.0, ("com.x.User", "com.x.A"): 1.0}


def test_extends_and_implements_are_inherit(tmp_path: Path) -> None:
    facts = analyze(
        tmp_path,
        java("com.x", "Base", "public abstract class Base {}"),
        java("com.x", "Api", "public interface Api<T> {}"),
        java("com.x", "Model", "public class Model {}"),
        java("com.x", "Impl", "class Impl extends Base implements Api<Model> {}"),
        java("com.x", "SubApi", "interface SubApi extends Api<Model> {}"),
    )
    assert deps(facts, "inherit") == {
        ("com.x.Impl", "com.x.Base"): 1.0,
        ("com.x.Impl", "com.x.Api"): 1.0,
        ("com.x.SubApi", "com.x.Api"): 1.0,
    }
    assert deps(facts, "reference") == {
        ("com.x.Impl", "com.x.Model"): 1.0,
        ("com.x.SubApi", "com.x.Model"): 1.0,
    }


# -- frameworks -------------------------------------------------------------------------------
def test_spring_controller_endpoints(tmp_path: Path) -> None:
    facts = analyze(
        tmp_path,
        java(
            "com.x.web",
            "OrderController",
            '@RestController\n@RequestMapping("/api/orders")\n'
            "public class OrderController {\n"
            '  @GetMapping("/{id}") public Object get() { return null; }\n'
            "  @GetMapping public Object list() { return null; }\n"
            '  @PostMapping(path = {"/a", "/b"}) public void post() {}\n'
            '  @PutMapping("/{id}") public void put() {}\n'
            '  @DeleteMapping("/{id}") public void delete() {}\n'
            '  @PatchMapping("/{id}") public void patch() {}\n'
            '  @RequestMapping(value = "/x", method = {RequestMethod.GET, RequestMethod.HEAD})'
            " public void x() {}\n"
            '  @RequestMapping("/any") public void any() {}\n'
            "  public void helper() {}\n"
            "}",
        ),
    )
    unit = "com.x.web.OrderController"
    assert endpoints(facts) == {
        (unit, "GET", "/api/orders/{id}", "spring"),
        (unit, "GET", "/api/orders", "spring"),
        (unit, "POST", "/api/orders/a", "spring"),
        (unit, "POST", "/api/orders/b", "spring"),
        (unit, "PUT", "/api/orders/{id}", "spring"),
        (unit, "DELETE", "/api/orders/{id}", "spring"),
        (unit, "PATCH", "/api/orders/{id}", "spring"),
        (unit, "GET", "/api/orders/x", "spring"),
        (unit, "HEAD", "/api/orders/x", "spring"),
        (unit, "ANY", "/api/orders/any", "spring"),
    }
    handlers = {e.handler for e in facts.endpoints}
    assert "helper" not in handlers and "get" in handlers


def test_jaxrs_resource_endpoints(tmp_path: Path) -> None:
    facts = analyze(
        tmp_path,
        java(
            "com.x.api",
            "BillingResource",
            '@Path("/billing")\npublic class BillingResource {\n'
            "  @GET public Object all() { return null; }\n"
            '  @GET @Path("/{id}") public Object one() { return null; }\n'
            '  @POST @Path("pay") public void pay() {}\n'
            '  @Path("sub") public Object locator() { return null; }\n'
            "}",
        ),
    )
    unit = "com.x.api.BillingResource"
    assert endpoints(facts) == {
        (unit, "GET", "/billing", "jaxrs"),
        (unit, "GET", "/billing/{id}", "jaxrs"),
        (unit, "POST", "/billing/pay", "jaxrs"),
    }


def test_servlets_from_annotation_and_web_xml(tmp_path: Path) -> None:
    web_xml = (
        "<web-app>\n<servlet>\n <servlet-name>track</servlet-name>\n"
        " <servlet-class>com.x.web.TrackServlet</servlet-class>\n</servlet>\n"
        "<servlet>\n <servlet-name>ext</servlet-name>\n"
        " <servlet-class>org.lib.External</servlet-class>\n</servlet>\n"
        "<servlet-mapping>\n <servlet-name>track</servlet-name>\n"
        " <url-pattern>/track/*</url-pattern>\n</servlet-mapping>\n"
        "<servlet-mapping>\n <servlet-name>ext</servlet-name>\n"
        " <url-pattern>/ext</url-pattern>\n</servlet-mapping>\n</web-app>\n"
    )
    facts = analyze(
        tmp_path,
        java(
            "com.x.web",
            "ExportServlet",
            '@WebServlet(urlPatterns = {"/export", "/export.csv"})\n'
            "public class ExportServlet extends HttpServlet {\n"
            "  protected void doGet(Object rq, Object rs) {}\n"
            "  protected void doPost(Object rq, Object rs) {}\n}",
        ),
        java("com.x.web", "TrackServlet", "public class TrackServlet extends HttpServlet {}"),
        files={"src/main/webapp/WEB-INF/web.xml": web_xml},
    )
    assert endpoints(facts) == {
        ("com.x.web.ExportServlet", "GET", "/export", "servlet"),
        ("com.x.web.ExportServlet", "POST", "/export", "servlet"),
        ("com.x.web.ExportServlet", "GET", "/export.csv", "servlet"),
        ("com.x.web.ExportServlet", "POST", "/export.csv", "servlet"),
        ("com.x.web.TrackServlet", "ANY", "/track/*", "servlet"),
    }
    track = next(e for e in facts.endpoints if e.unit == "com.x.web.TrackServlet")
    assert track.evidence.path == "src/main/webapp/WEB-INF/web.xml"
    assert "<url-pattern>/track/*</url-pattern>" in track.evidence.snippet


ENTITIES = (
    java(
        "com.x.model",
        "Customer",
        '@Entity\n@Table(name = "customers", schema = "crm")\npublic class Customer {\n'
        '  @Id private Long id;\n  @Column(name = "mail", nullable = false) private String email;\n'
        "  @Transient private int cache;\n  private static int counter;\n"
        '  @OneToMany(mappedBy = "customer") private java.util.List<Order> orders;\n}',
    ),
    java(
        "com.x.model",
        "Order",
        "@Entity\npublic class Order {\n  @Id private Long id;\n"
        '  @ManyToOne @JoinColumn(name = "customer_id") private Customer customer;\n'
        "  @ManyToOne private Product product;\n"
        '  @ManyToMany @JoinTable(name = "order_tags",'
        ' joinColumns = @JoinColumn(name = "order_id"),'
        ' inverseJoinColumns = @JoinColumn(name = "tag_id")) private java.util.Set<Tag> tags;\n'
        '  @OneToMany @JoinColumn(name = "order_ref") private java.util.List<Note> notes;\n}',
    ),
    java(
        "com.x.model", "Product", '@Entity(name = "Item")\npublic class Product { @Id Long sku; }'
    ),
    java(
        "com.x.model",
        "Tag",
        '@javax.persistence.Entity\n@Table(name = "tags")\nclass Tag { @Id Long id; }',
    ),
    java("com.x.model", "Note", '@Entity @Table(name = "notes") class Note { @Id Long id; }'),
)


def test_jpa_entities_tables_columns_and_foreign_keys(tmp_path: Path) -> None:
    facts = analyze(tmp_path, *ENTITIES)
    models = {(m.unit, m.table, m.framework) for m in facts.orm_models}
    assert models == {
        ("com.x.model.Customer", "crm.customers", "jpa"),
        ("com.x.model.Order", "order", "jpa"),
        ("com.x.model.Product", "item", "jpa"),
        ("com.x.model.Tag", "tags", "jpa"),
        ("com.x.model.Note", "notes", "jpa"),
    }
    tables = {t.name: t for t in facts.tables}
    assert {t.source for t in facts.tables} == {"orm"}
    customers = tables["crm.customers"]
    assert [c.name for c in customers.columns] == ["id", "mail"]
    assert customers.primary_key == ("id",)
    assert not customers.columns[1].nullable
    order = tables["order"]
    fks = {(fk.columns, fk.referred_table, fk.referred_columns) for fk in order.foreign_keys}
    assert fks == {
        (("customer_id",), "crm.customers", ("id",)),
        (("product_sku",), "item", ("sku",)),
    }
    join = tables["order_tags"]
    assert {(fk.columns, fk.referred_table) for fk in join.foreign_keys} == {
        (("order_id",), "order"),
        (("tag_id",), "tags"),
    }
    notes = tables["notes"]
    assert [(fk.columns, fk.referred_table) for fk in notes.foreign_keys] == [
        (("order_ref",), "order")
    ]


def test_mapped_superclass_columns_are_inherited(tmp_path: Path) -> None:
    facts = analyze(
        tmp_path,
        java(
            "com.x.common", "Base", "@MappedSuperclass\npublic abstract class Base { @Id Long id; }"
        ),
        java(
            "com.x.model",
            "Thing",
            "import com.x.common.Base;\n@Entity class Thing extends Base { String name; }",
        ),
    )
    thing = next(t for t in facts.tables if t.name == "thing")
    assert [c.name for c in thing.columns] == ["id", "name"]
    assert thing.primary_key == ("id",)


def test_persistence_xml_lists_entities(tmp_path: Path) -> None:
    facts = analyze(
        tmp_path,
        java(
            "com.x.model",
            "Legacy",
            '@Table(name = "legacy_rows")\npublic class Legacy { Long id; }',
        ),
        java("com.x.model", "Plain", "public class Plain {}"),
        files={
            "src/main/resources/META-INF/persistence.xml": (
                '<persistence><persistence-unit name="u">\n'
                "<class>com.x.model.Legacy</class>\n</persistence-unit></persistence>\n"
            )
        },
    )
    assert {(m.unit, m.table) for m in facts.orm_models} == {("com.x.model.Legacy", "legacy_rows")}


def test_hbm_xml_maps_class_to_table(tmp_path: Path) -> None:
    facts = analyze(
        tmp_path,
        java("com.x.model", "Old", "public class Old { Long id; }"),
        files={
            "src/main/resources/Old.hbm.xml": (
                '<hibernate-mapping package="com.x.model">\n'
                '  <class name="Old" table="OLD_STUFF"/>\n</hibernate-mapping>\n'
            )
        },
    )
    assert {(m.unit, m.table) for m in facts.orm_models} == {("com.x.model.Old", "old_stuff")}


def test_spring_data_repository_reads_and_writes_entity_table(tmp_path: Path) -> None:
    facts = analyze(
        tmp_path,
        *ENTITIES,
        java(
            "com.x.repo",
            "OrderRepository",
            "import com.x.model.Order;\n"
            "public interface OrderRepository extends JpaRepository<Order, Long> {}",
        ),
        java(
            "com.x.repo",
            "TagRepo",
            "import com.x.model.Tag;\n"
            "public interface TagRepo extends CrudRepository<Tag, Long> {}",
        ),
    )
    found = access(facts)
    repo = "com.x.repo.OrderRepository"
    assert {(repo, "order", "read", "orm"), (repo, "order", "write", "orm")} <= found
    assert (repo, "order_tags", "write", "orm") in found
    assert ("com.x.repo.TagRepo", "tags", "write", "orm") in found


def test_repository_reads_tables_its_entity_relationships_reach(tmp_path: Path) -> None:
    facts = analyze(
        tmp_path,
        *ENTITIES,
        java(
            "com.x.repo",
            "OrderRepository",
            "import com.x.model.Order;\n"
            "public interface OrderRepository extends Repository<Order, Long> {}",
        ),
    )
    repo = "com.x.repo.OrderRepository"
    reads = {a.table: a for a in facts.table_access if a.unit == repo and a.mode == "read"}
    # Order's @ManyToOne, @ManyToMany (through the join table) and @OneToMany targets.
    assert {"order", "order_tags", "crm.customers", "item", "tags", "notes"} <= set(reads)
    evidence = reads["tags"].evidence[0]
    assert evidence.path.endswith("com/x/model/Order.java")
    assert "Set<Tag> tags" in evidence.snippet
    # Only reads: loading an Order does not write the tables it reaches.
    writes = {a.table for a in facts.table_access if a.unit == repo and a.mode == "write"}
    assert not writes & {"crm.customers", "item", "tags", "notes"}


def test_code_using_entities_reads_and_repository_save_writes(tmp_path: Path) -> None:
    facts = analyze(
        tmp_path,
        *ENTITIES,
        java(
            "com.x.repo",
            "OrderRepository",
            "import com.x.model.Order;\n"
            "public interface OrderRepository extends JpaRepository<Order, Long> {}",
        ),
        java(
            "com.x.app",
            "Checkout",
            "import com.x.model.*;\nimport com.x.repo.OrderRepository;\n"
            "class Checkout {\n  private OrderRepository orders;\n  private EntityManager em;\n"
            "  void a(Customer c) { em.persist(c); }\n"
            "  void b() { orders.deleteById(1L); orders.findAll(); }\n"
            "  Object c() { return em.find(Tag.class, 1L); }\n}",
        ),
    )
    found = {(t, m) for u, t, m, _ in access(facts) if u == "com.x.app.Checkout"}
    assert found == {
        ("crm.customers", "read"),
        ("crm.customers", "write"),
        ("order", "write"),
        ("order", "read"),
        ("tags", "read"),
    }
    assert not any(a.unit == "com.x.model.Order" for a in facts.table_access)


MAPPER_XML = """<?xml version="1.0" encoding="UTF-8" ?>
<!DOCTYPE mapper PUBLIC "-//mybatis.org//DTD Mapper 3.0//EN" "http://mybatis.org/dtd/mybatis-3-mapper.dtd">
<mapper namespace="com.x.dao.OrderMapper">
  <sql id="cols">o.id, o.total</sql>
  <!-- <select id="old">SELECT * FROM ghosts</select> -->
  <select id="find" resultType="map">
    SELECT <include refid="cols"/> FROM sales.orders o
    <where>
      <if test="id != null">o.id = #{id}</if>
      <if test="ids != null">AND o.id IN
        <foreach collection="ids" item="i" open="(" separator="," close=")">#{i}</foreach>
      </if>
      AND o.total &gt; ${minimum}
    </where>
  </select>
  <update id="touch">
    UPDATE sales.orders <set><if test="a">a = #{a},</if><if test="b">b = #{b},</if></set>
    WHERE id = #{id}
  </update>
  <insert id="copy">INSERT INTO archive (id) SELECT id FROM sales.orders</insert>
  <delete id="purge"><![CDATA[ DELETE FROM archive WHERE id < #{id} ]]></delete>
</mapper>
"""


def test_mybatis_mapper_statements_give_interface_table_access(tmp_path: Path) -> None:
    facts = analyze(
        tmp_path,
        java(
            "com.x.dao", "OrderMapper", "@Mapper\npublic interface OrderMapper { Object find(); }"
        ),
        files={"src/main/resources/com/x/dao/OrderMapper.xml": MAPPER_XML},
    )
    found = {(t, m, v) for u, t, m, v in access(facts) if u == "com.x.dao.OrderMapper"}
    assert found == {
        ("sales.orders", "read", "sql"),
        ("sales.orders", "write", "sql"),
        ("archive", "write", "sql"),
    }
    assert "ghosts" not in {a.table for a in facts.table_access}
    purge = next(a for a in facts.table_access if a.table == "archive")
    assert {e.path for e in purge.evidence} == {"src/main/resources/com/x/dao/OrderMapper.xml"}


def test_mybatis_dynamic_sql_is_stripped() -> None:
    sql = mybatis_sql(
        "SELECT a FROM t <where><if test='x'>a = #{x}</if><if test='y'> AND b = ${y}</if></where>"
    )
    assert sql == "SELECT a FROM t WHERE 1=1 AND a = 0 AND b = 0"
    assert "<" not in mybatis_sql("UPDATE t <set>a = #{a},</set> WHERE id = #{id}")


def test_mybatis_namespace_outside_repository_is_warned(tmp_path: Path) -> None:
    facts = analyze(
        tmp_path,
        java("com.x", "A", "class A {}"),
        files={
            "src/main/resources/M.xml": '<mapper namespace="org.elsewhere.M">'
            '<select id="a">SELECT 1 FROM t</select></mapper>'
        },
    )
    assert not facts.table_access
    assert any("org.elsewhere.M" in w.message for w in facts.warnings)


def test_jdbc_sql_in_string_literals_and_concatenation(tmp_path: Path) -> None:
    facts = analyze(
        tmp_path,
        java(
            "com.x.dao",
            "Dao",
            "class Dao {\n"
            '  static final String Q = "SELECT id FROM invoices " + "WHERE paid = ?";\n'
            "  void a(java.sql.Connection c, long id) throws Exception {\n"
            '    c.prepareStatement("UPDATE invoices SET paid = true WHERE id = " + id);\n'
            '    c.prepareStatement("delete from " + "audit_log where id = ?");\n'
            '    String notSql = "select your plan";\n'
            "  }\n}",
        ),
    )
    found = {(t, m) for u, t, m, v in access(facts) if v == "sql"}
    assert found == {("invoices", "read"), ("invoices", "write"), ("audit_log", "write")}
    write = next(a for a in facts.table_access if a.table == "invoices" and a.mode == "write")
    assert write.evidence[0].line == 5  # line 1 is the package declaration
    assert "prepareStatement" in write.evidence[0].snippet


def test_sql_in_text_block(tmp_path: Path) -> None:
    facts = analyze(
        tmp_path,
        java(
            "com.x.dao",
            "Report",
            'class Report {\n  String q = """\n      SELECT o.id FROM orders o\n'
            '      JOIN lines l ON l.order_id = o.id\n      """;\n}',
        ),
    )
    assert {(t, m) for _, t, m, _ in access(facts)} == {("orders", "read"), ("lines", "read")}


def test_jpql_entity_names_map_to_tables(tmp_path: Path) -> None:
    facts = analyze(
        tmp_path,
        *ENTITIES,
        java(
            "com.x.repo",
            "Finder",
            "interface Finder {\n"
            '  @Query("select o from Order o join o.tags t where t.id = ?1") Object a();\n'
            '  @Query(value = "SELECT * FROM raw_table", nativeQuery = true) Object b();\n}',
        ),
    )
    found = {(t, m) for u, t, m, v in access(facts) if u == "com.x.repo.Finder" and v == "sql"}
    assert found == {("order", "read"), ("raw_table", "read")}


def test_jpql_built_in_a_string_builder_maps_entities_and_drops_join_paths(tmp_path: Path) -> None:
    facts = analyze(
        tmp_path,
        *ENTITIES,
        java(
            "com.x.repo",
            "CustomerDao",
            "class CustomerDao {\n  Object q(StringBuilder b) {\n"
            '    b.append("select distinct c from Customer c join c.orders o where o.id = 1");\n'
            '    b.append("select count(*) from legacy_table");\n    return b;\n  }\n}',
        ),
    )
    found = {(t, m) for u, t, m, v in access(facts) if u == "com.x.repo.CustomerDao" and v == "sql"}
    assert found == {("crm.customers", "read"), ("legacy_table", "read")}


def test_snippets_are_redacted(tmp_path: Path) -> None:
    facts = analyze(
        tmp_path,
        java("com.x", "Cfg", "public class Cfg {}"),
        java("com.x", "Use", 'class Use { Cfg c; String password = "hunter2"; Cfg d; }'),
    )
    dep = next(d for d in facts.dependencies if d.kind == "reference")
    assert "hunter2" not in dumps(facts)
    assert dep.evidence[0].snippet.endswith("Cfg d; }") and "***" in dep.evidence[0].snippet


# -- robustness -------------------------------------------------------------------------------
def test_broken_file_keeps_partial_tree_and_warns(tmp_path: Path) -> None:
    facts = analyze(
        tmp_path,
        java("com.x", "Good", "public class Good {}"),
        java(
            "com.x",
            "Broken",
            "public class Broken {\n  Good g;\n  void m( { int = ; }\n"
            "  Good other() { return null; }\n",
        ),
    )
    assert "com.x.Broken" in {u.id for u in facts.units}
    assert deps(facts, "reference").get(("com.x.Broken", "com.x.Good"), 0) >= 1
    warning = next(w for w in facts.warnings if w.path.endswith("Broken.java"))
    assert warning.analyzer == "java" and "syntax error near line" in warning.message


LATIN = "package com.x;\n// caf\xe9\nclass Latin { Good g; }\n".encode("latin-1")


def test_bad_encoding_binary_huge_and_symlink_loop(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            f"{MAIN}/com/x/Latin.java": LATIN,
            f"{MAIN}/com/x/Good.java": "package com.x;\nclass Good {}\n",
            f"{MAIN}/com/x/Bin.java": b"\x00\x01\x02garbage",
            f"{MAIN}/com/x/Huge.java": "package com.x;\nclass Huge {}\n" + "// pad\n" * 3000,
        },
    )
    os.symlink(tmp_path / MAIN, tmp_path / MAIN / "com" / "loop")
    facts = analyze_java(tmp_path, jobs=1, max_file_bytes=10_000)
    assert {u.id for u in facts.units} == {"com.x.Latin", "com.x.Good"}
    messages = {w.path.rpartition("/")[2]: w.message for w in facts.warnings}
    assert "Latin-1" in messages["Latin.java"]
    assert "binary" in messages["Bin.java"]
    assert "too large" in messages["Huge.java"]
    assert deps(facts, "reference") == {("com.x.Latin", "com.x.Good"): 1.0}


def test_missing_root_is_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        analyze_java(tmp_path / "nope")
    (tmp_path / "file").write_text("x")
    with pytest.raises(InputError):
        analyze_java(tmp_path / "file")


def _many(tmp_path: Path) -> Path:
    files: dict[str, str | bytes] = {}
    for i in range(60):
        pkg = f"com.x.p{i % 6}"
        rel, text = java(
            pkg,
            f"C{i}",
            f"import com.x.p{(i + 1) % 6}.C{(i + 1) % 60};\n"
            f"public class C{i} {{ C{(i + 1) % 60} next; void m() {{ next.m(); }}\n"
            f'  String q = "SELECT * FROM t{i % 4}"; }}',
        )
        files[rel] = text
    return write(tmp_path, files)


def test_deterministic_and_jobs_do_not_change_result(tmp_path: Path) -> None:
    root = _many(tmp_path)
    one = dumps(analyze_java(root, jobs=1))
    two = dumps(analyze_java(root, jobs=2))
    assert one == two
    assert one == dumps(analyze_java(root, jobs=1))
    facts = analyze_java(root, jobs=2)
    assert len(facts.units) == 60
    assert len(deps(facts, "call")) == 60


def test_cache_hit_on_rerun_and_miss_on_change(tmp_path: Path) -> None:
    root = _many(tmp_path / "repo")
    cache = tmp_path / "cache"
    first, stats1 = analyze_java_with_stats(root, jobs=2, cache_dir=cache)
    assert (stats1.parsed, stats1.cached) == (60, 0)
    seen: list[tuple[int, int]] = []
    second, stats2 = analyze_java_with_stats(
        root, jobs=2, cache_dir=cache, progress=lambda d, t: seen.append((d, t))
    )
    assert (stats2.parsed, stats2.cached) == (0, 60)
    assert dumps(first) == dumps(second)
    assert seen[-1] == (60, 60)
    target = root / MAIN / "com/x/p0/C0.java"
    target.write_text(target.read_text() + "\n// changed\n")
    _, stats3 = analyze_java_with_stats(root, jobs=1, cache_dir=cache)
    assert (stats3.parsed, stats3.cached) == (1, 59)
