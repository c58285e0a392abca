"""Tests for the reports: structure, escaping, self-containment, missing graphviz, determinism."""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from analyzers.cache import ResultCache
from analyzers.facts import (
    AnalysisWarning,
    AnalyzerRun,
    Evidence,
    Facts,
    Table,
    Unit,
)
from planner.plan import (
    CallBack,
    Candidate,
    CrossJoin,
    EndpointRef,
    Factor,
    Plan,
    Score,
    Service,
    ServiceEdge,
    Step,
    StepRisk,
    TablePlan,
    TableUse,
    Wave,
)
from planner.register import with_register
from reports import render_reports
from reports.diagrams import (
    dot_string,
    dot_version,
    draw,
    run_dot,
    sanitise_svg,
    services_dot,
    svg_key,
)
from reports.markdown import code, text
from reports.view import build_view

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
CI = os.environ.get("CI") == "true"

HOSTILE = {
    "orders": "orders</title><script>window.__pwned=1</script>",
    "payments": 'pay"ments\\" -> x [label="<b>',
    "catalog": "<img src=x onerror=window.__pwned=2>",
    "shipping": "ship`ping` | [x](javascript:window.__pwned=3)",
    "unit": "<script>alert(1)</script>",
    "table": '`orders|items` <svg onload="window.__pwned=4">',
    "path": '/orders/<id>"><script>window.__pwned=5</script>',
    "snippet": "</code></details><script>window.__pwned=6</script> & 'quote\"",
    "reason": "<iframe src=http://evil.example/></iframe> --> <!-- ]]>",
    "ghost": "wish<script>window.__pwned=7</script>lists",
}


def _ev(path: str, line: int, snippet: str) -> Evidence:
    return Evidence(path, line, snippet)


def _score(total: float, parts: list[tuple[str, float, str, tuple[Evidence, ...]]]) -> Score:
    return Score(
        score=total,
        factors=tuple(
            Factor(name, points, 1.5, round(points / 1.5, 3), why, ev)
            for name, points, why, ev in parts
        ),
    )


def sample_inputs(*, hostile: bool = False) -> tuple[Facts, Plan]:
    """A small but complete Facts and Plan: 4 services, 3 waves, shared tables, calls back."""
    h = HOSTILE if hostile else {}
    orders = h.get("orders", "orders")
    payments = h.get("payments", "payments")
    catalog = h.get("catalog", "catalog")
    shipping = h.get("shipping", "shipping")
    odd_unit = h.get("unit", "shop.orders.legacy")
    odd_table = h.get("table", "order_items")
    odd_path = h.get("path", "/orders/<int:id>")
    snippet = h.get("snippet", "cursor.execute('SELECT * FROM order_items')")
    reason = h.get("reason", "Lowest risk with the most independent endpoints.")
    ghost = h.get("ghost", "wishlists")

    units = (
        Unit("shop.catalog.views", "shop/catalog/views.py", "python", 120, "shop.catalog"),
        Unit("shop.orders.service", "shop/orders/service.py", "python", 340, "shop.orders"),
        Unit(odd_unit, "shop/orders/legacy.py", "python", 80, "shop.orders"),
        Unit("shop.payments.gateway", "shop/payments/gateway.py", "python", 210, "shop.payments"),
        Unit("shop.shipping.rates", "shop/shipping/rates.py", "python", 95, "shop.shipping"),
        Unit("shop.utils", "shop/utils.py", "python", 400, "shop"),
    )
    facts = Facts(
        root="samples/legacy_shop",
        units=units,
        tables=tuple(
            Table(name, "database")
            for name in ("customers", "gift_cards", odd_table, "orders", "payments", "products")
        ),
        warnings=(
            AnalysisWarning("python", "shop/broken.py", "syntax error at line 3: " + snippet),
        ),
        analyzers=(AnalyzerRun("python", "1"), AnalyzerRun("database", "1")),
        databases=("sqlite:///samples/legacy_shop/shop.db",),
    ).sorted()

    ev_sql = (_ev("shop/orders/service.py", 42, snippet), _ev("shop/orders/service.py", 7, ""))
    services = (
        Service(
            name=catalog,
            members=("shop.catalog.views",),
            tables=("products",),
            endpoints=(EndpointRef("GET", "/products", "shop.catalog.views"),),
            lines=120,
            risk=_score(
                18.5,
                [
                    ("inbound_calls", 10.5, "2 modules of the monolith call it", ()),
                    ("size", 8.0, "120 lines", ()),
                ],
            ),
            benefit=_score(40.0, [("independent_endpoints", 40.0, "1 endpoint moves", ())]),
        ),
        Service(
            name=orders,
            members=("shop.orders.service", odd_unit),
            tables=("orders", odd_table),
            endpoints=(
                EndpointRef("POST", "/orders", "shop.orders.service"),
                EndpointRef("GET", odd_path, odd_unit),
            ),
            lines=420,
            risk=_score(
                71.3,
                [
                    (
                        "shared_tables_written",
                        40.0,
                        "order_items is written by " + payments,
                        ev_sql,
                    ),
                    ("calls_back", 21.3, "3 calls into shop.utils " + reason, ev_sql[:1]),
                    ("churn", 10.0, "changed in 48 commits", ()),
                ],
            ),
            benefit=_score(66.0, [("churn", 36.0, "hot spot", ()), ("teams", 30.0, "2 teams", ())]),
        ),
        Service(
            name=payments,
            members=("shop.payments.gateway",),
            tables=("payments",),
            endpoints=(EndpointRef("POST", "/pay", "shop.payments.gateway"),),
            lines=210,
            risk=_score(45.0, [("foreign_keys", 45.0, "payments.order_id -> orders", ())]),
            benefit=_score(50.0, [("isolation", 50.0, "PCI scope shrinks", ())]),
        ),
        Service(
            name=shipping,
            members=("shop.shipping.rates",),
            tables=(),
            endpoints=(),
            lines=95,
            risk=_score(5.0, [("size", 5.0, "small", ())]),
            benefit=_score(10.0, [("size", 10.0, "small", ())]),
        ),
    )
    tables = (
        TablePlan("customers", None, (orders,), (), "api_or_view", "read only; stays in monolith"),
        TablePlan(odd_table, orders, (payments,), (orders, payments), "shared_ownership", reason),
        TablePlan(
            "orders",
            orders,
            (payments, catalog),
            (orders,),
            "api_or_view",
            "payments and catalog read it",
        ),
        TablePlan("payments", payments, (), (payments,), "owned", "only payments uses it"),
        TablePlan("products", catalog, (), (catalog,), "owned", "only catalog uses it"),
        TablePlan("gift_cards", None, (), (), "unused", "no code reads or writes it"),
    )
    access = (
        TableUse(orders, "customers", True, False),
        TableUse(orders, odd_table, True, True),
        TableUse(orders, "orders", True, True),
        TableUse(payments, odd_table, True, True),
        TableUse(payments, "orders", True, False),
        TableUse(payments, "payments", True, True),
        TableUse(catalog, "orders", True, False),
        TableUse(catalog, "products", True, True),
    )
    edges = (
        ServiceEdge(orders, payments, 6.5, ("call", "writes")),
        ServiceEdge(payments, orders, 2.0, ("reads",)),
        ServiceEdge(orders, "monolith", 9.0, ("call", "import")),
        ServiceEdge(catalog, "monolith", 1.0, ("import",)),
        ServiceEdge(shipping, "shared-kernel", 3.0, ("import",)),
    )
    waves = (Wave(1, (catalog, shipping)), Wave(2, (payments,)), Wave(3, (orders,)))
    steps = (
        Step(
            1,
            1,
            catalog,
            reason,
            (EndpointRef("GET", "/products", "shop.catalog.views"),),
            (),
            tables[4:5],
            (StepRisk("size", 8.0, "Cache warm-up after cut-over", 1, 2),),
            "Route 10% of GET /products to the new service, then 100%.",
            ("p95 latency within 10% of the monolith", "error rate below 0.1%"),
            "Point the facade back at the monolith.",
        ),
        Step(
            2,
            1,
            shipping,
            "No data of its own; calls only the shared kernel.",
            (),
            (),
            (),
            (),
            "Deploy beside the monolith; switch the rate calculation.",
            ("rates match for 1,000 recorded orders",),
            "Switch the flag off.",
        ),
        Step(
            3,
            2,
            payments,
            "PCI scope.",
            (EndpointRef("POST", "/pay", "shop.payments.gateway"),),
            (CallBack("shop.payments.gateway", "shop.utils", "call", ev_sql),),
            tables[1:4],
            (
                StepRisk(
                    "missing_tests", 5.0, "Writes " + odd_table + " together with orders", 3, 2
                ),
            ),
            "Dual-run in shadow mode for a week.",
            ("refund totals reconcile",),
            "Replay the payment log into the monolith.",
        ),
        Step(
            4,
            3,
            orders,
            "Last: most coupled.",
            (
                EndpointRef("POST", "/orders", "shop.orders.service"),
                EndpointRef("GET", odd_path, odd_unit),
            ),
            (CallBack(odd_unit, "shop.utils", "call " + h.get("unit", ""), ev_sql),),
            tables[:3],
            (),
            "Strangle endpoint by endpoint.",
            (),
            "Route back through the facade.",
        ),
    )
    plan = Plan(
        root="samples/legacy_shop",
        services=services,
        shared_kernel=("shop.utils",),
        excluded=("tests.test_orders",),
        tables=tables,
        access=access,
        edges=edges,
        waves=waves,
        steps=steps,
        metrics={"modularity": 0.4213, "mojofm": 87.5, "overall_risk": 41.25, "services": 4.0},
        warnings=("No tests found for " + shipping,),
        cross_joins=(
            CrossJoin(
                "shop.orders.service",
                ("orders", "payments"),
                (orders, payments),
                _ev("shop/orders/service.py", 88, snippet),
            ),
        ),
        unknown_tables=(ghost,),
        kernel_reasons={"shop.utils": "used from 3 of 4 areas"},
        candidates=(Candidate(4, 0.4213, True), Candidate(3, 0.4105), Candidate(6, 0.3871)),
    )
    return facts, with_register(plan, facts)


def _render(tmp_path: Path, *, hostile: bool = False, **kw) -> tuple[list[Path], list[str]]:
    facts, plan = sample_inputs(hostile=hostile)
    warnings: list[str] = []
    paths = render_reports(facts, plan, tmp_path, warn=warnings.append, **kw)
    return paths, warnings


def _need_dot() -> None:
    if shutil.which("dot") is None:
        if CI:
            pytest.fail("graphviz dot is not installed (CI=true)")
        pytest.skip("graphviz dot is not installed: apt-get install graphviz")


@pytest.fixture
def no_dot_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """PATH with nothing on it, so `dot` cannot be found."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))


# --- structure --------------------------------------------------------------------------------


def test_writes_the_four_files_and_the_grant_scripts_sorted(tmp_path: Path) -> None:
    _need_dot()
    paths, warnings = _render(tmp_path / "out")
    names = [p.relative_to(tmp_path / "out").as_posix() for p in paths]
    grants = [n for n in names if n.startswith("grants/")]
    assert [n for n in names if n not in grants] == [
        "handout.html",
        "plan-details.md",
        "plan.md",
        "report.html",
        "services.dot",
        "services.svg",
    ]
    assert len(grants) == 2 * len(sample_inputs()[1].services)
    assert paths == sorted(paths)
    assert warnings == []
    assert all(p.stat().st_size > 0 for p in paths)


def test_html_has_every_section_and_numbers_from_the_plan(tmp_path: Path) -> None:
    _need_dot()
    _render(tmp_path)
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    for section in ("summary", "map", "waves", "services", "data", "steps", "risks", "warnings"):
        assert f'<section id="{section}"' in html
    assert "What moves first, and why" in html and 'href="#svc-1-catalog"' in html
    assert "Runner-up" in html and 'href="#svc-2-shipping"' in html
    assert "What to do this week" in html and "svc_catalog" in html
    assert "71.3" in html  # orders' risk, one decimal
    assert "shared_tables_written" in html and "order_items is written by payments" in html
    assert "<summary>Evidence (2)</summary>" in html
    assert "shop/orders/service.py:42" in html
    assert "PCI scope shrinks" in html  # a benefit factor's explanation
    assert html.count('class="card service ') == 4
    assert html.count('<li class="wave ') == 3
    # the matrix: owner marked, R/W cells, pattern and reason of a shared table
    assert '<td class="cell use owner" title="orders owns order_items">RW</td>' in html
    assert '<span class="pattern pat-shared_ownership"' in html
    assert "Lowest risk with the most independent endpoints." in html  # the step's reason
    # steps: reroutes, calls back, rollout, checks, rollback
    assert "Route 10% of GET /products to the new service, then 100%." in html
    assert "<li>p95 latency within 10% of the monolith</li>" in html
    assert "Replay the payment log into the monolith." in html
    assert "<code>shop.payments.gateway</code> → <code>shop.utils</code>" in html
    # risk register and warnings, from plan and facts
    assert re.search(r"<td>R1</td>\s*<td data-sort=\"0\"><span class=\"pill level-high\">", html)
    assert "No tests found for shipping" in html and "shop/broken.py" in html
    assert '<h2 id="warnings-h">Warnings (2)</h2>' in html
    # the map: inline svg with service names, no prologue
    assert "<svg" in html and "<?xml" not in html and "<!DOCTYPE svg" not in html
    assert ">catalog</text>" in html and "monolith" in html and "shared kernel" in html


def test_dot_clusters_waves_and_weights_edges() -> None:
    _, plan = sample_inputs()
    smap = services_dot(plan)
    dot = smap.dot
    assert dot.count("subgraph cluster_w") == 3
    assert 'label="Wave 1"' in dot and 'label="Wave 3"' in dot
    assert re.search(r"s\d -> m \[label=9 penwidth=4\.00\]", dot)
    assert "rankdir=TB" in dot  # waves read top to bottom
    assert smap.monolith_edges == 2  # catalog calls back into code no service takes; orders
    assert "shape=box3d" in dot and "shape=component" in dot
    assert smap.names["m"].startswith("monolith")
    assert sorted(smap.names.values()) == sorted(
        [
            "catalog",
            "shipping",
            "payments",
            "orders",
            "monolith (what remains)",
            "shared kernel (library) · 1 module used by 1 service: edges not drawn",
        ]
    )


def test_plan_md_summary_waves_services_tables_steps(tmp_path: Path) -> None:
    _need_dot()
    _render(tmp_path)
    md = (tmp_path / "plan.md").read_text(encoding="utf-8")
    assert md.startswith("# Strangler plan: legacy\\_shop\n")
    assert "**Extract first: `catalog`** (risk 18.5, benefit 40)" in md
    assert "![Service dependency map](services.svg)" in md
    assert "- **Wave 1**: `catalog` (risk 18.5, low), `shipping` (risk 5, low)" in md
    assert "### Step 3: extract `payments` (wave 2)" in md
    assert "- [ ] refund totals reconcile" in md
    assert "| orders | Wave 3 | 4 | 71.3 (high) |" in md  # services in brief
    assert "[plan-details.md](plan-details.md)" in md
    # the long lists live in plan-details.md, each once
    details = (tmp_path / "plan-details.md").read_text(encoding="utf-8")
    assert "### orders\n" in details
    assert "| Risk factor | Points | Value × weight | Why |" in details
    assert "## Table ownership" in details and "## Table ownership" not in md
    assert "| `order_items` | orders | payments RW, orders RW | `shared_ownership` |" in details
    assert "| GET | `/orders/<int:id>` |" not in details  # method is code too
    assert "| `GET` | `/orders/<int:id>` | `shop.orders.legacy` |" in details
    assert "/orders/<int:id>" not in md
    assert details.count("`/orders/<int:id>`") == 1


def test_markdown_escaping_helpers() -> None:
    assert text("a|b `c` <d> *e* _f_ [g](h) & #") == (
        "a\\|b \\`c\\` &lt;d&gt; \\*e\\* \\_f\\_ \\[g\\](h) &amp; \\#"
    )
    assert text("two\nlines") == "two lines"
    assert code("a|b", cell=True) == "`a\\|b`"
    assert code("x`y") == "`` x`y ``"
    assert code("") == ""


# --- escaping and safety ----------------------------------------------------------------------


def test_hostile_names_render_as_text_everywhere(tmp_path: Path) -> None:
    _need_dot()
    _render(tmp_path, hostile=True)
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert html.count("<script") == 1  # only the page's own script
    assert html.count("</script>") == 1
    assert 'href="javascript' not in html and "javascript:window" in html  # text, not a link
    for tag in ("<img", "<iframe", "<svg onload", "<b>", "<!--"):
        assert tag not in html.replace("&lt;", "#"), tag
    assert "onerror=" in html  # present, but only as escaped text
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html
    assert "orders&lt;/title&gt;&lt;script&gt;" in html  # in the svg and the cards
    assert "pay&#34;ments\\&#34; -&gt; x" in html or "pay&quot;ments\\&quot; -&gt; x" in html
    # the svg stays well-formed XML whatever the labels
    svg = (tmp_path / "services.svg").read_text(encoding="utf-8")
    root = ET.fromstring(svg.encode("utf-8"))
    labels = "".join(root.itertext())
    assert HOSTILE["orders"] in labels and HOSTILE["catalog"] in labels
    assert not any(el.tag.endswith(("script", "a", "foreignObject")) for el in root.iter())
    md = (tmp_path / "plan.md").read_text(encoding="utf-8")
    prose = re.sub(r"(`+).+?\1", "", md)  # code spans show their text literally
    assert "<script" not in prose and "<img" not in prose and "<svg" not in prose
    assert "extract `` ship`ping` | [x](javascript:window.__pwned=3) `` (wave 1)" in md
    details = (tmp_path / "plan-details.md").read_text(encoding="utf-8")
    assert "| `` `orders\\|items` <svg" in details  # a table cell: pipe escaped inside the span
    for doc in (details, (tmp_path / "handout.html").read_text(encoding="utf-8")):
        prose = re.sub(r"(`+).+?\1", "", doc)
        assert "<script" not in prose.replace("&lt;", "#") and "<img" not in prose
    assert "\\[x\\](javascript:" in md


def test_dot_string_escapes_quotes_backslashes_and_newlines() -> None:
    assert dot_string('a"b\\c\nd&e') == '"a\\"b\\\\c\\nd&amp;e"'


def test_sanitise_svg_drops_scripts_links_handlers_and_comments() -> None:
    svg = (
        '<?xml version="1.0"?><!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x.dtd">'
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'width="10pt" onload="evil()"><!-- c --><script>evil()</script>'
        '<g id="n" class="node" onclick="evil()"><title>s0</title>'
        '<a xlink:href="javascript:evil()"><text x="1">hi</text></a>'
        '<text x="2" style="x">&lt;b&gt;</text><foreignObject><div>x</div></foreignObject></g>'
        "</svg>"
    )
    clean = sanitise_svg(svg, {"s0": "<orders>"})
    assert clean == (
        '<svg width="10pt">\n<g class="node"><title>&lt;orders&gt;</title>\n\n'
        '<text x="2">&lt;b&gt;</text>\n\n</g>\n</svg>'
    )


def test_a_drawn_map_is_kept_and_a_cached_one_is_sanitised_like_dot_output(
    tmp_path: Path,
) -> None:
    _need_dot()
    dot = str(shutil.which("dot"))
    _, plan = sample_inputs()
    service_map = services_dot(plan)
    cache = tmp_path / "diagrams.sqlite"
    drawn = draw(service_map.dot, dot, service_map.names, cache)
    assert drawn == sanitise_svg(run_dot(service_map.dot, dot), service_map.names)
    key = svg_key(service_map.dot, dot_version(dot))
    with ResultCache(cache, "svg") as store:
        assert store.get_many([key]) == {key: run_dot(service_map.dot, dot).encode()}
        # what the cache holds is not trusted: a record with a script is used, sanitised
        planted = (
            '<svg xmlns="http://www.w3.org/2000/svg"><script>evil()</script><title>s0</title></svg>'
        )
        store.put_many([(key, planted.encode())])
    assert draw(service_map.dot, dot, service_map.names, cache) == (
        f"<svg>\n<title>{service_map.names['s0']}</title>\n</svg>"
    )
    for broken in (b"\xff\xfe not utf-8", b"<svg><g>", b"<html></html>"):  # a miss: drawn again
        with ResultCache(cache, "svg") as store:
            store.put_many([(key, broken)])
        assert draw(service_map.dot, dot, service_map.names, cache) == drawn
    other = service_map.dot.replace("Wave 1", "Wave one")  # another map: another key
    assert svg_key(other, dot_version(dot)) != key
    assert svg_key(service_map.dot, "dot - graphviz version 99") != key


def test_html_is_self_contained(tmp_path: Path) -> None:
    _need_dot()
    _render(tmp_path, hostile=True)
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    lowered = html.lower()
    for ref in (
        'src="http',
        "src='http",
        'href="http',
        "href='http",
        "url(http",
        "url(",
        "@import",
        "<link",
        "<iframe",
        'xmlns="http',
        "//cdn",
        "<img",
    ):
        assert ref not in lowered, ref
    assert set(re.findall(r'(?:src|href)="([^"#][^"]*)"', html)) == {"handout.html"}
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    handout = (tmp_path / "handout.html").read_text(encoding="utf-8")
    assert re.findall(r'(?:src|href)="([^"#][^"]*)"', handout) == []
    assert "<script" not in handout and "default-src 'none'" in handout


def test_csp_hash_matches_the_inline_script(tmp_path: Path) -> None:
    import base64
    import hashlib

    _render(tmp_path)
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    script = re.search(r"<script>(.*?)</script>", html, re.S)
    assert script
    digest = base64.b64encode(hashlib.sha256(script.group(1).encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in html


# --- graphviz missing -------------------------------------------------------------------------


def test_without_dot_the_html_shows_dot_text_and_warns_once(
    tmp_path: Path, no_dot_path: None
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "services.svg").write_text("stale", encoding="utf-8")
    paths, warnings = _render(out)
    assert [p.name for p in paths if p.parent == out] == [
        "handout.html",
        "plan-details.md",
        "plan.md",
        "report.html",
        "services.dot",
    ]
    assert not (out / "services.svg").exists()
    assert len(warnings) == 1 and "\n" not in warnings[0] and "dot" in warnings[0]
    html = (out / "report.html").read_text(encoding="utf-8")
    assert '<pre class="dot">digraph services {' in html
    assert "Graphviz&#39;s dot is not on PATH" in html
    assert "<svg" not in html
    md = (out / "plan.md").read_text(encoding="utf-8")
    assert "services.svg" not in md and "[services.dot](services.dot)" in md


def test_without_dot_hostile_dot_text_is_escaped(tmp_path: Path, no_dot_path: None) -> None:
    _render(tmp_path, hostile=True)
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert html.count("<script") == 1
    assert 'label="orders&lt;/title&gt;&lt;script&gt;window.__pwned=1' in html.replace("&#34;", '"')


# --- determinism and golden files -------------------------------------------------------------


def test_two_renders_are_byte_identical(tmp_path: Path) -> None:
    _need_dot()
    a, _ = _render(tmp_path / "a")
    b, _ = _render(tmp_path / "b")
    assert [p.name for p in a] == [p.name for p in b]
    for pa, pb in zip(a, b, strict=True):
        assert pa.read_bytes() == pb.read_bytes(), pa.name


def test_input_order_does_not_change_output(tmp_path: Path, no_dot_path: None) -> None:
    facts, plan = sample_inputs()
    shuffled = dataclasses.replace(
        plan,
        services=plan.services[::-1],
        tables=plan.tables[::-1],
        access=plan.access[::-1],
        edges=plan.edges[::-1],
        steps=plan.steps[::-1],
    )
    render_reports(facts, plan, tmp_path / "a", warn=lambda _: None)
    render_reports(facts, shuffled, tmp_path / "b", warn=lambda _: None)
    for name in ("report.html", "plan.md", "services.dot"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


@pytest.mark.parametrize("name", ["report.html", "plan.md", "services.dot"])
def test_golden(tmp_path: Path, no_dot_path: None, name: str) -> None:
    """Compare with tests/golden/ (rendered without dot: independent of the graphviz version).

    Update with: UPDATE_GOLDEN=1 .venv/bin/pytest -q tests/test_reports.py -k golden
    """
    _render(tmp_path)
    actual = (tmp_path / name).read_text(encoding="utf-8")
    golden = GOLDEN / name
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        golden.write_text(actual, encoding="utf-8", newline="\n")
    assert golden.exists(), f"missing {golden}: run with UPDATE_GOLDEN=1"
    assert actual == golden.read_text(encoding="utf-8")


# --- workshop, grants, scaffold links, data flags ---------------------------------------------


def _section(html: str, name: str) -> str:
    start = html.index(f'<section id="{name}"')
    return html[start : html.index("</section>", start)]


def test_workshop_answers_the_four_questions_from_the_plan(
    tmp_path: Path, no_dot_path: None
) -> None:
    _render(tmp_path)
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    workshop = _section(html, "workshop")
    for qid in ("q-strangler", "q-database", "q-plan", "q-risks"):
        assert f'id="{qid}"' in workshop
    # (a) the first wave's services and the endpoints the facade reroutes, and what stays
    assert (
        '<a href="#svc-1-catalog">catalog</a>, <a href="#svc-2-shipping">shipping</a>' in workshop
    )
    assert "<strong>1 of 4 endpoints</strong>" in workshop
    assert "the other <strong>3</strong> stay on the monolith" in workshop
    get = '<td><span class="method">GET</span></td><td><code>/products</code></td>'
    assert get not in workshop and html.count(get) == 2  # the service card and its step
    assert "<code>shop.utils</code>" in workshop and "versioned library" in workshop
    # (b) patterns, cross joins, unknown and unused tables
    assert '<span class="pattern pat-shared_ownership"' in workshop
    assert "1 SQL statement joins tables of different services" in workshop
    assert "<code>wishlists</code>" in workshop and "<code>gift_cards</code>" in workshop
    # (c) per wave: steps, rollout, checks, rollback, endpoints left
    assert "afterwards 3 endpoints stay on the monolith" in workshop
    assert "Route 10% of GET /products to the new service, then 100%." in workshop
    assert "<li>rates match for 1,000 recorded orders</li>" in workshop
    assert "Replay the payment log into the monolith." in workshop
    # (d) the risk register's most severe entries and the container checklist
    assert '<tr data-find><td>R1</td><td><span class="pill level-high">' in workshop
    assert "<strong>Facade: single point of failure</strong>" in workshop
    for mistake in ("latest", "secrets", "logs", "health check", "resource limits"):
        assert mistake in workshop.lower(), mistake
    assert "python:3.11" in workshop and "HEALTHCHECK on GET /health" in workshop


def test_grant_scripts_for_every_service_in_both_dialects(
    tmp_path: Path, no_dot_path: None
) -> None:
    from markupsafe import escape

    from reports.grants import grant_script

    facts, plan = sample_inputs()
    render_reports(facts, plan, tmp_path, warn=lambda _: None)
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert html.count('<details class="grant"') == len(plan.services)
    for service in plan.services:
        for dialect in ("postgresql", "mysql"):
            script = grant_script(plan, service.name, dialect)
            assert f'<pre class="sql">{escape(script)}</pre>' in html, (service.name, dialect)
            assert f"<code>grants/{service.name}.{dialect}.sql</code>" in html
    assert 'href="#grant-svc-3-payments"' in html and 'id="grant-svc-3-payments"' in html
    md = (tmp_path / "plan.md").read_text(encoding="utf-8")
    assert "## Workshop: the four questions" in md
    assert "`grants/payments.postgresql.sql`, `grants/payments.mysql.sql`" in md
    assert "reroutes **1 of 4 endpoints** to `catalog`, `shipping`" in md


def test_scaffold_links_only_when_asked(tmp_path: Path, no_dot_path: None) -> None:
    _render(tmp_path / "plain")
    plain = (tmp_path / "plain" / "report.html").read_text(encoding="utf-8")
    assert "scaffold/" not in plain and "Dockerfile</a>" not in plain
    assert "scaffold/" not in (tmp_path / "plain" / "plan.md").read_text(encoding="utf-8")

    _render(tmp_path / "linked", scaffold_dir="scaffold")
    html = (tmp_path / "linked" / "report.html").read_text(encoding="utf-8")
    links = set(re.findall(r'href="([^"#][^"]*)"', html))
    assert links == {
        "handout.html",
        "scaffold/",
        *(f"scaffold/wave-{n}/" for n in (1, 2, 3)),
        *(f"scaffold/{s}/Dockerfile" for s in ("catalog", "shipping", "payments", "orders")),
    }
    waves = _section(html, "waves")
    assert '<a class="scaffold-link" href="scaffold/wave-2/"' in waves
    card = html[html.index('id="svc-3-payments"') :]
    assert 'href="scaffold/payments/Dockerfile"' in card[: card.index("</header>")]
    md = (tmp_path / "linked" / "plan.md").read_text(encoding="utf-8")
    assert "[scaffold/wave-1/](scaffold/wave-1/)" in md
    assert "[scaffold/orders/Dockerfile](scaffold/orders/Dockerfile)" in md


def test_hostile_scaffold_links_stay_relative(tmp_path: Path, no_dot_path: None) -> None:
    _render(tmp_path, hostile=True, scaffold_dir="out dir/scaffold")
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    links = [x for x in re.findall(r'href="([^"#][^"]*)"', html) if x != "handout.html"]
    assert links and all(link.startswith("out%20dir/scaffold/") for link in links)
    assert "out%20dir/scaffold/orders-title-script-window-pwned-1-script/Dockerfile" in links
    for bad in ("../scaffold", "/abs/scaffold", "http://evil.example/x", "a/../../b"):
        with pytest.raises(ValueError):
            _render(tmp_path / "bad", scaffold_dir=bad)


def test_matrix_flags_unused_and_unknown_tables_and_lists_cross_joins(
    tmp_path: Path, no_dot_path: None
) -> None:
    _render(tmp_path)
    data = _section((tmp_path / "report.html").read_text(encoding="utf-8"), "data")
    assert re.search(
        r'class="flag-unknown">\s*<th scope="row"><code>wishlists</code> '
        r'<span class="flag flag-unknown"',
        data,
    )
    assert re.search(
        r'class="flag-unused">\s*<th scope="row"><code>gift_cards</code> '
        r'<span class="flag flag-unused"',
        data,
    )
    assert "<strong>Not in the schema (1)</strong>" in data
    assert "<strong>No code touches (1)</strong>" in data
    joins = data[data.index('id="cross-joins"') :]
    assert '<code>shop.orders.service</code> <span class="muted small">(orders)</span>' in joins
    assert '<code class="loc">shop/orders/service.py:88</code>' in joins
    assert '<code class="foreign" title="owned by another service">payments</code>' in joins
    assert "Read payments through the API of payments" in joins and "before wave 2" in joins
    md = (tmp_path / "plan-details.md").read_text(encoding="utf-8")
    assert "### Cross-service joins (1)" in md and "`shop/orders/service.py:88`" in md


def test_overall_risk_comes_from_the_plan_metrics(tmp_path: Path, no_dot_path: None) -> None:
    _render(tmp_path)
    summary = _section((tmp_path / "report.html").read_text(encoding="utf-8"), "summary")
    assert re.search(
        r'<div class="stat-value">41.2</div>\s*<div class="stat-label">Overall risk', summary
    )


# --- granularity and platform code ------------------------------------------------------------


def test_report_shows_the_chosen_granularity_and_the_runner_up(
    tmp_path: Path, no_dot_path: None
) -> None:
    _render(tmp_path)
    line = (
        "4 services chosen (modularity 0.421; 3 numbers of services tried); "
        "runner-up: 3 services at modularity 0.410 (0.011 lower, 2.6%)."
    )
    summary = _section((tmp_path / "report.html").read_text(encoding="utf-8"), "summary")
    assert f"<strong>Granularity.</strong> {line}" in summary
    md = (tmp_path / "plan.md").read_text(encoding="utf-8")
    assert f"**Granularity:** {line}\n" in md


def test_granularity_says_when_the_plan_keeps_fewer_services_than_chosen() -> None:
    """CTFd: '10 services chosen' above a plan of 9 (a group with no endpoint or table folded)."""
    facts, plan = sample_inputs()
    folded = dataclasses.replace(plan, candidates=(Candidate(5, 0.4, True), Candidate(4, 0.3)))
    view = build_view(facts, folded).granularity
    assert view is not None and view.chosen == "5 services"
    assert view.tried.endswith(
        "; 4 services in the plan once groups with no endpoint and no table are folded into others"
    )
    same = build_view(facts, plan).granularity
    assert same is not None and same.tried == "3 numbers of services tried"


def test_granularity_runner_up_outside_the_range_a_tie_and_no_sweep() -> None:
    facts, plan = sample_inputs()
    outside = dataclasses.replace(
        plan, candidates=(Candidate(4, 0.4, True), Candidate(9, 0.5), Candidate(3, 0.3))
    )
    view = build_view(facts, outside).granularity
    assert view is not None and (view.runner_up, view.runner_up_score) == ("9 services", "0.500")
    assert view.gap == "0.100 higher, 25.0%; outside services.min/max"
    tie = dataclasses.replace(plan, candidates=(Candidate(1, 0.0, True), Candidate(2, 0.0)))
    view = build_view(facts, tie).granularity
    assert view is not None and (view.chosen, view.gap) == ("1 service", "the same score")
    alone = dataclasses.replace(plan, candidates=(Candidate(2, 0.2, True),))
    view = build_view(facts, alone).granularity
    assert view is not None and view.runner_up_k == 0
    assert view.tried.startswith("1 number of services tried; 4 services in the plan")
    assert build_view(facts, dataclasses.replace(plan, candidates=())).granularity is None


def test_kernel_units_are_counted_by_reason_with_the_first_few_named(
    tmp_path: Path, no_dot_path: None
) -> None:
    facts, plan = sample_inputs()
    kernel = ("shop.a", "shop.b", "shop.base", "shop.c", "shop.d", "shop.e", "shop.conf")
    reasons = {u: "used from 3 of 4 areas" for u in ("shop.e", "shop.d", "shop.c", "shop.b")}
    reasons["shop.base"] = "base class of 2 units across 2 business nouns"
    reasons["shop.conf"] = "configuration: platform"
    plan = dataclasses.replace(plan, shared_kernel=kernel[::-1], kernel_reasons=reasons)
    groups = [(r.reason, r.count, r.units, r.more) for r in build_view(facts, plan).kernel_reasons]
    assert groups == [
        ("used from 3 of 4 areas", 4, ("shop.b", "shop.c", "shop.d"), 1),
        ("base class of 2 units across 2 business nouns", 1, ("shop.base",), 0),
        ("configuration: platform", 1, ("shop.conf",), 0),
        ("no reason recorded", 1, ("shop.a",), 0),
    ]
    render_reports(facts, plan, tmp_path, warn=lambda _: None)
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert (
        "<li>4 · used from 3 of 4 areas: <code>shop.b</code>, <code>shop.c</code>, "
        "<code>shop.d</code> and 1 more</li>"
    ) in html
    md = (tmp_path / "plan.md").read_text(encoding="utf-8")
    assert "- 4 · used from 3 of 4 areas: `shop.b`, `shop.c`, `shop.d` and 1 more\n" in md
    assert "- 1 · configuration: platform: `shop.conf`\n" in md


# --- first screen, handout and what if (issue 15) ----------------------------------------------


def test_first_screen_and_handout_answer_in_plain_sentences(
    tmp_path: Path, no_dot_path: None
) -> None:
    facts, plan = sample_inputs()
    assert plan.second_choice() == "shipping"
    # the alternative: shipping first, catalog second (as `planner plan --first shipping`)
    swapped = {"catalog": 2, "shipping": 1}
    alternative = dataclasses.replace(
        plan,
        steps=tuple(
            dataclasses.replace(s, order=swapped.get(s.service, s.order)) for s in plan.steps
        ),
    )
    render_reports(facts, plan, tmp_path, warn=lambda _: None, alternative=alternative)
    summary = _section((tmp_path / "report.html").read_text(encoding="utf-8"), "summary")
    assert "Of the 4 candidate services, catalog has the best balance" in summary
    assert "keeps using the existing database through its own role svc_catalog" in summary
    assert "A near tie" in summary or "leads clearly" in summary
    assert 'href="handout.html"' in summary
    handout = (tmp_path / "handout.html").read_text(encoding="utf-8")
    assert "What if shipping went first?" in handout
    assert "catalog: step 1 -&gt; 2" in handout and "shipping: step 2 -&gt; 1" in handout
    for question in ("1. How does", "2. How do services", "3. In which order", "4. What are"):
        assert question in handout
    for term in ("ACL", "CDC", "Shared kernel", "Canary", "Strangler facade", "Saga"):
        assert f"<dt>{term}" in handout
    assert "Database per service" in handout and "Discussion prompts" in handout
