"""Opens the HTML report in real headless Chromium: no errors, no network, hostile input inert."""

from __future__ import annotations

import itertools
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from delivery_support import demo_dir
from test_reports import sample_inputs

from reports import render_reports

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
AXE = Path(__file__).parent.parent / ".venv" / "node" / "node_modules" / "axe-core" / "axe.min.js"
"""axe-core, installed by scripts/setup.sh --dev for the tests only: injected, never shipped."""
WIDTHS = (360, 800, 1400)
A4_MARGINS = {"top": "10mm", "bottom": "10mm", "left": "10mm", "right": "10mm"}
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def _missing(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        _missing(f"{CHROMIUM} not found: apt-get install chromium")
    if shutil.which("dot") is None:
        _missing("graphviz dot is not installed: apt-get install graphviz")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


class PageRun:
    """A page opened on a report, with what it logged and requested."""

    def __init__(self, browser, report: Path, *, width: int = 1280) -> None:
        self.context = browser.new_context(viewport={"width": width, "height": 900})
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on(
            "console",
            lambda m: self.errors.append(m.text) if m.type in {"error", "warning"} else None,
        )
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.url = report.resolve().as_uri()
        self.page.goto(self.url, wait_until="load")

    def close(self) -> None:
        self.context.close()


def _render(tmp_path: Path, *, hostile: bool, scaffold_dir: str | None = None) -> Path:
    facts, plan = sample_inputs(hostile=hostile)
    render_reports(facts, plan, tmp_path, warn=lambda _: None, scaffold_dir=scaffold_dir)
    return tmp_path / "report.html"


def test_report_loads_cleanly_offline_and_is_interactive(browser, tmp_path: Path) -> None:
    run = PageRun(browser, _render(tmp_path, hostile=False))
    page = run.page
    try:
        assert run.errors == []
        assert run.requests == [run.url]
        sections = ("#summary", "#map", "#waves", "#workshop", "#services", "#data", "#steps")
        for section in (*sections, "#risks", "#cross-joins"):
            assert page.locator(section).is_visible(), section
        assert page.locator("#map svg .node").count() >= 5
        assert page.locator("#service-list > article").count() == 4
        # the filter box appears with JS and hides non-matching cards
        box = page.locator('input[data-filter="#service-list"]')
        assert box.is_visible()
        box.fill("shipping.rates")
        assert page.locator("#service-list > article:visible").count() == 1
        box.fill("")
        # sorting the risk register by severity descending puts low first
        header = page.locator("table.register thead th").nth(1)
        header.click()
        header.click()
        assert header.get_attribute("aria-sort") == "descending"
        first = page.locator("table.register tbody tr").first.locator("td").nth(1)
        assert first.inner_text().strip().lower() in {"medium", "low"}
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
        page.emulate_media(media="print")
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(ARTIFACTS / "report-print.png"), full_page=False)
        assert run.errors == [] and run.requests == [run.url]
    finally:
        run.close()


def test_hostile_input_executes_nothing_and_shows_as_text(browser, tmp_path: Path) -> None:
    run = PageRun(browser, _render(tmp_path, hostile=True))
    page = run.page
    try:
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert page.evaluate("document.querySelectorAll('script').length") == 1
        assert page.evaluate("document.querySelectorAll('img, iframe').length") == 0
        assert page.evaluate("document.querySelectorAll('svg [onload], [onerror]').length") == 0
        body = page.locator("body").inner_text()
        assert "orders</title><script>window.__pwned=1</script>" in body
        assert "<img src=x onerror=window.__pwned=2>" in body
        assert run.requests == [run.url]
        assert run.errors == []
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "report-hostile.png"), full_page=False)
    finally:
        run.close()


def test_report_reads_with_javascript_off(browser, tmp_path: Path) -> None:
    report = _render(tmp_path, hostile=False)
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(report.resolve().as_uri())
        assert page.locator("#service-list > article").count() == 4
        assert page.locator("#service-list > article").first.is_visible()
        assert not page.locator('input[data-filter="#service-list"]').is_visible()
        assert page.locator("#map svg").is_visible()
        assert not page.locator("#find").is_visible()
        assert page.locator("#q-database").is_visible() and page.locator("#q-plan").is_visible()
        assert page.locator("#workshop details.grant").count() == 4
    finally:
        context.close()


def test_page_wide_search_filters_sections_rows_and_cards(browser, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    run = PageRun(browser, _render(tmp_path, hostile=False, scaffold_dir="scaffold"))
    page = run.page
    try:
        find = page.locator("#find")
        assert find.is_visible()
        page.keyboard.press("/")
        assert page.evaluate("document.activeElement.id") == "find"
        find.fill("refund totals")
        expect(page.locator("#find-status")).to_contain_text("match")
        # only the payments step (its check) and the payments plan wave remain
        assert page.locator("#steps li.step:visible").count() == 1
        assert page.locator("#step-3").is_visible()
        assert page.locator("#q-plan li.plan-wave[data-find]:visible").count() == 1
        assert not page.locator("#warnings").is_visible()
        assert "match" in page.locator("#find-status").inner_text()
        # a module name opens the card's member list and hides the other cards
        find.fill("shop.shipping.rates")
        expect(page.locator("#service-list > article:not(.find-miss)")).to_have_count(1)
        card = page.locator("#service-list > article:visible")
        assert card.count() == 1 and card.locator("details.members").get_attribute("open") == ""
        # the section filter still works on top of the page-wide search
        find.fill("orders")
        expect(page.locator("#service-list > article:visible")).to_have_count(3)
        box = page.locator('input[data-filter="#matrix-body"]')
        box.fill("order_items")
        assert page.locator("#matrix-body tr:visible").count() == 1
        box.fill("")
        # Escape clears the search and shows everything again
        find.press("Escape")
        expect(page.locator("#find-status")).to_have_text("")
        assert page.locator("#service-list > article:visible").count() == 4
        assert page.locator("#warnings").is_visible()
        # scaffold links are relative and nothing was fetched
        assert page.locator('a[href="scaffold/wave-1/"]').count() >= 2
        assert page.locator('a[href="scaffold/catalog/Dockerfile"]').count() >= 2
        assert run.errors == [] and run.requests == [run.url]
        ARTIFACTS.mkdir(exist_ok=True)
        page.locator("#workshop").screenshot(path=str(ARTIFACTS / "report-workshop.png"))
    finally:
        run.close()


# --- layout, accessibility and print of the bundled samples' reports (issue 15) ---------------

# Every visible table cell, except the matrix's one-letter R/W cells, at least 120 px wide.
NARROW_CELLS = """() => Array.from(document.querySelectorAll('main td, main th'))
  .filter(c => c.getClientRects().length && !c.closest('.find-miss, details:not([open])'))
  .filter(c => !c.matches('.matrix td.cell, .matrix th.svc-col'))
  .filter(c => c.getBoundingClientRect().width < 119.5)
  .map(c => c.closest('table').className + ': ' + c.textContent.trim().slice(0, 40))"""

# The smallest rendered size (px) of the map's text.
MAP_TEXT_PX = """() => Math.min(...Array.from(document.querySelectorAll('#map svg text'))
  .map(t => parseFloat(t.getAttribute('font-size')) * t.getScreenCTM().a))"""


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


def _serious(page) -> list[str]:
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['impact']} {v['id']}: {v['nodes'][0]['target']}"
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


@pytest.mark.parametrize("sample", ["shop", "java"])
def test_sample_reports_fit_every_width_and_pass_axe(browser, sample: str) -> None:
    assert AXE.is_file(), "axe-core missing: run scripts/setup.sh --dev"
    report = demo_dir(sample) / "report.html"
    for width in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
        try:
            page = context.new_page()
            page.goto(report.resolve().as_uri(), wait_until="load")
            overflow = page.evaluate("document.documentElement.scrollWidth")
            assert overflow <= width, f"{sample} at {width}px: page is {overflow}px wide"
            assert page.evaluate(NARROW_CELLS) == [], f"{sample} at {width}px"
            if width == 1400:
                assert page.evaluate(MAP_TEXT_PX) >= 11.0
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"{sample}-{width}.png"), full_page=False)
            assert _serious(page) == [], f"{sample} at {width}px"
        finally:
            context.close()


@pytest.mark.parametrize("sample", ["shop", "java"])
def test_sample_reports_print_to_at_most_25_pages_and_the_handout_to_2(
    browser, sample: str
) -> None:
    out = demo_dir(sample)
    plan_md = (out / "plan.md").read_text(encoding="utf-8")
    assert len(plan_md) < 60_000  # fits a pull request or issue body on the common forges
    assert "[plan-details.md](plan-details.md)" in plan_md and (out / "plan-details.md").is_file()
    context = browser.new_context()
    try:
        page = context.new_page()
        for name, limit in (("report.html", 25), ("handout.html", 2)):
            page.goto((out / name).resolve().as_uri(), wait_until="load")
            pdf = page.pdf(format="A4", margin=A4_MARGINS, print_background=True)
            ARTIFACTS.mkdir(exist_ok=True)
            (ARTIFACTS / f"{sample}-{name}.pdf").write_bytes(pdf)
            assert 1 <= _pages(pdf) <= limit, (name, _pages(pdf))
        page.goto((out / "handout.html").resolve().as_uri(), wait_until="load")
        text = page.locator("body").inner_text()
        for term in ("ACL", "CDC", "Shared kernel", "Canary", "Strangler facade", "Saga"):
            assert term in text, term
        assert "What if" in text and "planner diff" in text
        assert _serious_free(browser, out / "handout.html")
    finally:
        context.close()


def _serious_free(browser, path: Path) -> bool:
    context = browser.new_context(viewport={"width": 360, "height": 800}, bypass_csp=True)
    try:
        page = context.new_page()
        page.goto(path.resolve().as_uri(), wait_until="load")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        assert _serious(page) == []
        return True
    finally:
        context.close()


def test_map_zooms_and_pans_offline_and_is_named(browser, tmp_path: Path) -> None:
    run = PageRun(browser, _render(tmp_path, hostile=False), width=1400)
    page = run.page
    try:
        svg = page.locator("#map svg")
        assert svg.get_attribute("role") == "img"
        assert svg.get_attribute("aria-labelledby") == "map-caption"
        caption = page.locator("#map-caption").inner_text()
        assert "An arrow from A to B means code in A depends on B" in caption
        assert "into the monolith" in caption
        before = page.evaluate("document.querySelector('#map svg').viewBox.baseVal.width")
        page.get_by_role("button", name="Zoom in").click()
        zoomed = page.evaluate("document.querySelector('#map svg').viewBox.baseVal.width")
        assert zoomed < before
        x = page.evaluate("document.querySelector('#map svg').viewBox.baseVal.x")
        box = svg.bounding_box()
        page.mouse.move(box["x"] + 50, box["y"] + 50)
        page.mouse.down()
        page.mouse.move(box["x"] + 150, box["y"] + 90)
        page.mouse.up()
        assert page.evaluate("document.querySelector('#map svg').viewBox.baseVal.x") < x - 10
        page.get_by_role("button", name="Reset zoom and pan").click()
        assert page.evaluate("document.querySelector('#map svg').viewBox.baseVal.width") == before
        assert run.errors == [] and run.requests == [run.url]
    finally:
        run.close()


def _until(page, condition: str, seconds: float = 10.0) -> None:
    """Wait until `condition` holds in the page, polled from here: the report's CSP forbids the
    eval that playwright's wait_for_function polls with."""
    for _ in range(int(seconds * 5)):
        if page.evaluate(condition):
            return
        page.wait_for_timeout(200)
    assert page.evaluate(condition), condition


def test_search_marks_and_scrolls_to_hits_and_filter_matches_names(browser, tmp_path: Path) -> None:
    run = PageRun(browser, _render(tmp_path, hostile=False), width=800)
    page = run.page
    try:
        page.locator("#find").fill("refund totals")
        _until(page, "document.querySelectorAll('mark.find-hit').length > 0")
        hit = page.locator("mark.find-hit.current")
        assert hit.count() == 1 and hit.inner_text().lower() in {"refund", "totals"}
        _until(  # scrolled into view (smoothly, so it takes a moment)
            page,
            "(() => { const r = document.querySelector('mark.find-hit.current')"
            ".getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; })()",
        )
        page.locator("#find").press("Escape")
        assert page.locator("mark.find-hit").count() == 0
        # the services filter matches service and module names, not every word on the card
        box = page.locator('input[data-filter="#service-list"]')
        box.fill("catalog")
        assert page.locator("#service-list > article:visible").count() == 1
        box.fill("orders")
        assert page.locator("#service-list > article:visible").count() == 1
        assert run.errors == [] and run.requests == [run.url]
    finally:
        run.close()


def test_skip_link_headings_and_reduced_motion(browser, tmp_path: Path) -> None:
    report = _render(tmp_path, hostile=False)
    context = browser.new_context(reduced_motion="reduce")
    try:
        page = context.new_page()
        page.goto(report.resolve().as_uri(), wait_until="load")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "skip"
        assert page.evaluate("getComputedStyle(document.documentElement).scrollBehavior") == "auto"
        levels = page.evaluate(
            "Array.from(document.querySelectorAll('h1,h2,h3,h4,h5,h6')).map(h => +h.tagName[1])"
        )
        assert levels[0] == 1
        assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), levels
    finally:
        context.close()
