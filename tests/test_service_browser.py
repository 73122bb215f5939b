"""The editor in a real browser: Playwright driving Debian's headless Chromium against the live service.

Skipped only when /usr/bin/chromium is missing and TRANSLATE_REQUIRE_BROWSER is unset (CI sets it).
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from service_support import ARTICLE, docx_article, live_server, make_service

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("TRANSLATE_REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing and TRANSLATE_REQUIRE_BROWSER is set: "
                        "apt-get install -y chromium")
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def served(tmp_path):
    service = make_service(tmp_path)
    secret = service.store.create_token("translator")
    with live_server(service) as base:
        yield service, base, secret


@pytest.fixture
def page(browser, served):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, errors


def sign_in(page, base: str, secret: str) -> None:
    page.goto(base + "/")
    page.fill("#token", secret)
    page.click("#login-form button")
    page.wait_for_selector("#documents:not([hidden])")


def upload(page, name: str, data: bytes, mime: str) -> None:
    page.set_input_files("#file", files=[{"name": name, "mimeType": mime, "buffer": data}])
    page.click("#upload-form button")
    page.wait_for_selector("#editor:not([hidden])")
    page.wait_for_function("() => document.querySelector('#counts').textContent.startsWith('translated')")


def test_edit_move_a_tag_confirm_and_download_a_docx(page, served, tmp_path):
    import docx

    service, base, secret = served
    sign_in(page, base, secret)
    upload(page, "berita.id.docx", docx_article(), DOCX)
    # segment 2: a new translation typed over the machine output
    plain = page.locator('.row[data-n="1"] .target')
    plain.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("Rice prices rose last week.")
    # segment 1: the bold's closing tag moved one word to the right, from the keyboard
    page.locator('.row[data-n="0"] .target .chip.close').click()
    page.keyboard.press("Alt+ArrowRight")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector('.row[data-n="0"][data-state="confirmed"]')
    # Ctrl+Enter went on to the next open segment: confirm it too
    assert page.evaluate("document.activeElement.closest('.row').dataset.n") == "1"
    page.keyboard.press("Control+Enter")
    page.wait_for_selector('.row[data-n="1"][data-state="confirmed"]')
    with page.expect_download() as download:
        page.click("#download")
    assert download.value.suggested_filename == "berita.en.docx"
    saved = tmp_path / "downloaded.docx"
    download.value.save_as(saved)
    paragraphs = docx.Document(io.BytesIO(saved.read_bytes())).paragraphs
    assert paragraphs[1].text == "Rice prices rose last week."
    assert [run.text for run in paragraphs[0].runs if run.bold] == ["Ĵöķö Ŵîðöðö méñĝûñĵûñĝî"]
    assert paragraphs[0].text.startswith("[Pŕéšîðéñ Ĵöķö Ŵîðöðö méñĝûñĵûñĝî Ĵåķåŕţå")
    job = service.store.jobs(1)[0]
    assert job.confirmed == 2


def test_an_article_with_markup_in_its_text_stays_inert(page, served):
    _service, base, secret = served
    sign_in(page, base, secret)
    article = b'Warga tulis <script>window.__xss = 1</script> dan <img src=x onerror="window.__xss = 2">.'
    upload(page, '<img src=x onerror=window.__xss=3>.txt', article, "text/plain")
    source = page.locator('.row[data-n="0"] .source').text_content()
    # (the digits are localized quantities, shown with their English beside them)
    assert "tulis <script>window.__xss = " in source and 'dan <img src=x onerror="window.__xss = ' in source
    upload_html = b'<p>Harga <img src="x" onerror="window.__xss = 4"> naik <b>tajam</b>.</p>'
    page.goto(base + "/#/")
    page.wait_for_selector("#documents:not([hidden])")
    page.wait_for_selector("#doc-table tbody tr")
    assert '<img src=x onerror=window.__xss=3>.txt' in page.locator("#doc-table").text_content()
    upload(page, "harga.html", upload_html, "text/html")
    # the editor may still show the first article's rows (no chips) for a moment: wait for the new ones
    page.wait_for_selector('.row[data-n="0"] .source .chip')
    chips = page.locator('.row[data-n="0"] .source .chip').all_text_contents()
    assert chips == ["<img/>", "<b>", "</b>"]
    page.wait_for_timeout(300)
    assert page.evaluate("window.__xss") is None
    assert page.locator("#grid img, #grid script, #doc-table img").count() == 0


def test_no_token_no_data(page, served):
    _service, base, _secret = served
    page.goto(base + "/")
    page.wait_for_selector("#login:not([hidden])")
    assert page.request.get(base + "/api/jobs").status == 401
    page.fill("#token", "tt_wrong")
    page.click("#login-form button")
    page.wait_for_selector("#login:not([hidden])")
    assert "refused" in page.locator("#login-error").text_content()


def test_filter_shows_what_needs_checking_and_keys_move_between_segments(page, served):
    _service, base, secret = served
    sign_in(page, base, secret)
    upload(page, "berita.id.md", ARTICLE.encode(), "text/markdown")
    # the glossary term and the localized quantity are marked with their English
    assert page.locator('.row[data-n="0"] mark.term .need').text_content() == "Foreign Minister"
    assert page.locator('.row[data-n="1"] mark.quantity .need').text_content() == "2.5%"
    # pseudo output lacks "Foreign Minister": that segment needs checking, the others not
    page.check("#filter-check")
    assert page.locator(".row:not([hidden])").evaluate_all("rows => rows.map(r => r.dataset.n)") == ["0"]
    page.uncheck("#filter-check")
    page.locator('.row[data-n="0"] .target').click()
    page.keyboard.press("Control+ArrowDown")
    assert page.evaluate("document.activeElement.closest('.row').dataset.n") == "1"
    page.keyboard.press("Control+ArrowUp")
    assert page.evaluate("document.activeElement.closest('.row').dataset.n") == "0"
    # fixing the term clears the flag once autosaved
    page.keyboard.press("Control+A")
    page.keyboard.type("The Foreign Minister spoke in Jakarta.")
    page.wait_for_selector('.row[data-n="0"][data-state="edited"]:not(.needs-check)')


def test_a_deleted_tag_is_offered_back_and_never_saved_missing(page, served):
    service, base, secret = served
    sign_in(page, base, secret)
    upload(page, "a.md", b"Presiden **Joko Widodo** tiba.\n", "text/markdown")
    page.locator('.row[data-n="0"] .target').click(position={"x": 4, "y": 6})  # on text, not on a tag
    page.keyboard.press("Control+A")
    page.keyboard.type("President Joko Widodo arrived.")
    page.wait_for_selector('.row[data-n="0"] .note.missing .chip')
    page.wait_for_selector('.row[data-n="0"] .note.error')  # the autosave was refused (422)
    assert service.store.segment(service.store.jobs(1)[0].id, 0)["state"] == "translated"
    for _ in range(2):
        page.locator('.row[data-n="0"] .note.missing .chip').first.dispatch_event("mousedown")
    page.wait_for_selector('.row[data-n="0"][data-state="edited"]')
    saved = service.store.segment(service.store.jobs(1)[0].id, 0)["target"]
    assert sorted(c for c in saved if "\ue000" <= c <= "\uf8ff") == ["\ue000", "\ue001"]
