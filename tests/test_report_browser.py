"""Opens the HTML report in real headless Chromium: no errors, no network, hostile input inert."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_reports import sample_inputs

from reports import render_reports

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
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


def _render(tmp_path: Path, *, hostile: bool) -> Path:
    facts, plan = sample_inputs(hostile=hostile)
    render_reports(facts, plan, tmp_path, warn=lambda _: None)
    return tmp_path / "report.html"


def test_report_loads_cleanly_offline_and_is_interactive(browser, tmp_path: Path) -> None:
    run = PageRun(browser, _render(tmp_path, hostile=False))
    page = run.page
    try:
        assert run.errors == []
        assert run.requests == [run.url]
        for section in ("#summary", "#map", "#waves", "#services", "#data", "#steps", "#risks"):
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
    finally:
        context.close()
