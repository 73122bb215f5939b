"""The QA page in a real browser: Debian's headless Chromium driven by Playwright.

Skipped only when Chromium or Playwright is missing *and* ``TRANSLATE_REQUIRE_BROWSER``
is unset (CI sets it, so a missing browser fails there instead of passing quietly).
"""

from __future__ import annotations

from pathlib import Path

from translate.qa import QAUnit, run_checks, write_qa_report
from translate.qa.runner import QADocument


def _page(tmp_path: Path) -> Path:
    long_url = "https://example.org/" + "berita" * 80  # no hyphen, no break opportunity
    units = [
        QAUnit("berita.id.txt#0.0", "Banjir merendam Bekasi <script>alert(1)</script>.",
               "Sever Sever Sever Sever Sever Sever Sever Sever <script>alert(1)</script>."),
        QAUnit("berita.id.txt#1.0", f"Baca selengkapnya di {long_url} hari ini.",
               f"Read more at {long_url} today."),
        QAUnit("berita.id.txt#2.0", "Sebanyak 1.250 warga mengungsi.", "Many residents fled."),
    ]
    issues = run_checks(units)
    document = QADocument("berita.id.txt", "berita.en.txt", units, issues)
    path = tmp_path / "qa.html"
    write_qa_report(path, issues, [document])
    return path


def test_qa_page_renders_in_chromium(browser, tmp_path: Path) -> None:
    path = _page(tmp_path)
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    try:
        errors: list[str] = []
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(path.as_uri())
        page.wait_for_load_state("load")
        assert errors == [] and dialogs == []  # the quoted <script> stayed text
        loop = page.locator("mark.error", has_text="Sever Sever Sever")
        assert loop.count() == 1 and loop.first.is_visible()
        assert "repetition" in (loop.first.get_attribute("title") or "")
        assert page.locator("mark.error", has_text="1.250").count() == 1  # the number that went missing
        assert page.locator("td.text", has_text="<script>alert(1)</script>").count() == 2
        assert page.locator("script").count() == 0
        assert page.locator("tr.error").count() == 2 and page.locator("nav.flagged a").count() == 2
        width = page.evaluate("() => [document.documentElement.scrollWidth, "
                              "document.documentElement.clientWidth]")
        assert width[0] <= width[1] <= 1280, width  # no sideways overflow, even with a 500-character URL
    finally:
        page.close()
