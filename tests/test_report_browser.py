"""The HTML reports in a real browser: headless Chromium driven by Playwright.

Chromium is Debian's (``/usr/bin/chromium``; Playwright's own browser
downloads are not used).  Without it, or without Playwright, these tests skip
and say why — unless ``TRANSLATE_REQUIRE_BROWSER`` is set (by ``.ci/run``),
where a missing browser is a failure.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from report_fixtures import INJECTED, compare_argv, score_argv

from translate.cli import main

WIDTH = 1280


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    html = folder / "report.html"
    assert main(score_argv(folder / "in", html)) == 0
    return html


class _Page:
    """A page at 1280 px that records every console error and uncaught exception."""

    def __init__(self, browser, path: Path) -> None:
        self.context = browser.new_context(viewport={"width": WIDTH, "height": 900}, accept_downloads=True)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type in ("error", "warning")
                     else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(path.as_uri())
        self.page.wait_for_load_state("load")

    def column(self, index: int) -> list[str]:
        return self.page.eval_on_selector_all(
            "#segments tbody tr", f"rows => rows.map(r => r.cells[{index}].textContent)")

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def page(browser, report: Path) -> Iterator[_Page]:
    opened = _Page(browser, report)
    yield opened
    opened.close()


def _overflow(page) -> list[str]:
    """Elements wider than the viewport, and whether the document scrolls sideways."""
    return page.evaluate("""() => {
        const wide = [];
        const width = document.documentElement.clientWidth;
        if (document.documentElement.scrollWidth > width) wide.push('document');
        for (const el of document.querySelectorAll('body *')) {
            const box = el.getBoundingClientRect();
            if (box.width && box.right > width + 0.5)
                wide.push(el.tagName + (el.id ? '#' + el.id : '') + ' right=' + Math.round(box.right));
        }
        return wide;
    }""")


def test_report_loads_clean_and_fits_1280_px(page: _Page) -> None:
    assert page.errors == []  # no console error, no CSP violation, no exception
    assert page.page.locator("#segments tbody tr").count() > 0
    assert _overflow(page.page) == []
    # Every figure is an embedded PNG that decoded.
    widths = page.page.eval_on_selector_all("figure img", "imgs => imgs.map(i => i.naturalWidth)")
    assert widths and all(w > 0 for w in widths)


def test_segment_table_sorts_worst_first_and_by_any_score(page: _Page) -> None:
    chrf = [float(x) for x in page.column(2)]
    assert chrf == sorted(chrf)  # worst chrF++ first by default
    page.page.click("#segments th button[data-key=ter]")
    ter = [float(x) for x in page.column(3)]
    assert ter == sorted(ter, reverse=True)  # TER: worst (highest) first
    page.page.click("#segments th button[data-key=ter]")
    assert [float(x) for x in page.column(3)] == sorted(ter)
    page.page.click("#segments th button[data-key=bleu]")
    bleu = [float(x) for x in page.column(1)]
    assert bleu == sorted(bleu)
    assert page.page.get_attribute("#segments th:nth-child(2)", "aria-sort") == "ascending"
    assert page.errors == []


def test_segment_table_filters_by_document_term_and_number_misses(page: _Page) -> None:
    total = len(page.column(0))
    page.page.select_option("#f-doc", label="pasar.md")
    ids = page.column(0)
    assert ids and all(i.startswith("#") and "pasar.md" in i for i in ids) and len(ids) < total
    page.page.select_option("#f-doc", value="")
    page.page.check("#f-term")
    flagged = page.column(0)
    assert flagged and all("term" in i for i in flagged) and len(flagged) < total
    page.page.uncheck("#f-term")
    page.page.check("#f-number")
    numbers = page.column(0)
    assert numbers and all("number" in i for i in numbers)
    assert any("2,5 meters" in text for text in page.column(7))
    page.page.uncheck("#f-number")
    page.page.fill("#f-text", "Bogor")
    assert all("Bogor" in r + h for r, h in zip(page.column(6), page.column(7), strict=True))
    assert page.errors == []


def test_word_differences_are_marked(page: _Page) -> None:
    page.page.select_option("#f-doc", label="banjir.txt")
    deleted = page.page.eval_on_selector_all("#segments tbody del", "els => els.map(e => e.textContent)")
    inserted = page.page.eval_on_selector_all("#segments tbody ins", "els => els.map(e => e.textContent)")
    assert "West" in deleted and "Jawa" in inserted


def test_csv_export_holds_the_filtered_table(page: _Page) -> None:
    page.page.select_option("#f-doc", label="banjir.txt")
    shown = page.page.locator("#segments tbody tr").count()
    with page.page.expect_download() as download:
        page.page.click("#csv")
    path = download.value.path()
    rows = list(csv.reader(io.StringIO(Path(path).read_text(encoding="utf-8-sig"))))
    assert rows[0][:6] == ["segment", "document", "bead", "BLEU", "chrF++", "TER"]
    assert len(rows) - 1 == shown and {r[1] for r in rows[1:]} == {"banjir.txt"}
    assert any(INJECTED in r[-1] for r in rows[1:])  # text exported as it is
    assert page.errors == []


def test_document_markup_stays_text(page: _Page) -> None:
    page.page.fill("#f-text", "pwned")
    cells = page.column(7)
    assert len(cells) == 1 and INJECTED in cells[0]
    assert page.page.evaluate("() => window.__pwned === undefined")
    assert page.page.locator("#segments tbody img").count() == 0


def test_compare_page_loads_clean_and_fits(browser, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    html = tmp_path / "compare.html"
    assert main(compare_argv(tmp_path / "in", html)) == 0
    capsys.readouterr()
    opened = _Page(browser, html)
    try:
        assert opened.errors == [] and _overflow(opened.page) == []
        assert opened.page.locator("table.compare tbody tr").count() == 2
    finally:
        opened.close()
