"""The editor in a real browser: Playwright driving Debian's headless Chromium against the live service.

The browser is conftest.py's ``browser`` fixture: skipped only when Chromium is missing and
TRANSLATE_REQUIRE_BROWSER is unset (CI sets it).
"""

from __future__ import annotations

import io
from contextlib import contextmanager

import pytest
from service_support import ARTICLE, docx_article, live_server, make_service

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def served(tmp_path):
    service = make_service(tmp_path)
    secret = service.store.create_token("translator")
    with live_server(service) as base:
        yield service, base, secret


@contextmanager
def new_page(browser):
    """A page in a fresh context; any script error on it fails the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, errors


@pytest.fixture
def page(browser, served):
    with new_page(browser) as page:
        yield page


def sign_in(page, base: str, secret: str) -> None:
    page.goto(base + "/")
    page.fill("#token", secret)
    page.click("#login-form button")
    page.wait_for_selector("#documents:not([hidden])")


def upload(page, name: str, data: bytes, mime: str) -> str:
    """Upload a file and wait until the editor shows ITS job, translated; returns the job id.

    The editor may still hold the job opened before (a translated one), so waiting
    for a visible editor or for "translated" alone could return on that stale view.
    """
    before = page.evaluate("location.hash")
    page.set_input_files("#file", files=[{"name": name, "mimeType": mime, "buffer": data}])
    page.click("#upload-form button")
    handle = page.wait_for_function("""before => {
        const match = /^#\\/job\\/([0-9a-f]+)$/.exec(location.hash);
        const editor = document.querySelector('#editor');
        return match && location.hash !== before && !editor.hidden && editor.dataset.job === match[1]
            && document.querySelector('#grid .row') !== null
            && document.querySelector('#grid .row[data-state="new"]') === null
            && document.querySelector('#counts').textContent.startsWith('translated') && match[1];
    }""", arg=before)
    return handle.json_value()


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


def test_a_translation_memory_match_is_offered_and_used(browser, tmp_path, tiny_model_dir):
    from translate.memory import MemoryEntry, normalise

    service = make_service(tmp_path, engine="marian", model=str(tiny_model_dir), beam=1, max_length=12)
    key = normalise("Harga beras naik pekan ini.", {}).key("id", "en-US")
    entry = MemoryEntry(key, "Rice prices rose this week.", [], "lama.txt", "post-edit", True)
    service.workbench.memory.store([entry])
    secret = service.store.create_token("translator")
    with live_server(service) as base, new_page(browser) as page:
        sign_in(page, base, secret)
        upload(page, "harga.id.txt", b"Harga beras naik pekan lalu.\n", "text/plain")
        match = page.locator('.row[data-n="0"] .note.tm .tm-match')
        assert match.text_content() == "87% Rice prices rose this week."
        match.click()
        page.wait_for_selector('.row[data-n="0"][data-state="edited"]')
    segment = service.store.segment(service.store.jobs(1)[0].id, 0)
    assert (segment["target"], segment["state"]) == ("Rice prices rose this week.", "edited")


def test_machine_output_reaches_the_segment_that_has_the_caret(page, served):
    from dataclasses import asdict

    from translate.service.store import MACHINE, TRANSLATED, MachineResult

    service, base, secret = served
    data = b"Harga naik.\n\nWarga tenang.\n"
    prepared = service.workbench.prepare("a.txt", "text", data)
    rows = [(i.n, i.sid, {k: v for k, v in asdict(i).items() if k not in ("n", "sid")})
            for i in service.workbench.describe(prepared)]
    job = service.store.create_job(service.store.token_for(secret).id, "a.txt", "text", data, "sig", rows)
    sign_in(page, base, secret)
    page.goto(f"{base}/#/job/{job}")  # queued: no machine output yet, the caret in the first segment
    page.wait_for_function("() => document.activeElement.closest('.row') && "
                           "document.activeElement.closest('.row').dataset.n === '0'")
    service.store.save_machine(job, [MachineResult(0, "Prices rose.", MACHINE, [], []),
                                     MachineResult(1, "Residents are calm.", MACHINE, [], [])])
    service.store.set_state(job, TRANSLATED)
    page.wait_for_function("() => document.querySelector('.row[data-n=\"0\"] .target').textContent"
                           " === 'Prices rose.'", timeout=10_000)


def two_jobs(page, base: str, secret: str, second: bytes) -> tuple[str, str]:
    """Signed in, a one-line job uploaded, then (from the list) a second with ``second``: their ids."""
    sign_in(page, base, secret)
    first = upload(page, "satu.txt", b"Harga naik.\n", "text/plain")
    page.goto(base + "/#/")
    page.wait_for_selector("#doc-table tbody tr")
    return first, upload(page, "dua.txt", second, "text/plain")


def test_opening_another_job_never_shows_the_previous_jobs_rows(page, served):
    _service, base, secret = served
    first, second = two_jobs(page, base, secret, b"Warga tenang.\n\nHujan turun.\n")
    assert first != second and page.locator("#grid .row").count() == 2
    # going back to the first job while its details are slow to come: the second's rows are gone at once
    held = []
    page.route(f"**/api/jobs/{first}", lambda route: held.append(route))
    page.goto(f"{base}/#/job/{first}")
    page.wait_for_function("() => !document.querySelector('#editor').hidden")
    page.wait_for_timeout(100)
    assert held and page.locator("#grid .row").count() == 0
    assert page.locator("#counts").text_content() == "" and page.locator("#doc-title").text_content() == ""
    assert page.locator("#status").text_content() == ""  # not the document count of the list shown before
    held[0].continue_()
    page.wait_for_function(f"() => document.querySelector('#editor').dataset.job === '{first}'")
    assert page.locator("#grid .row").count() == 1
    assert page.locator("#doc-title").text_content() == "satu.txt"


def test_an_edit_not_yet_autosaved_is_saved_when_another_job_opens(page, served):
    """Typing, then going straight to another job (the browser's back button, a link): the edit is saved
    before the editor forgets the job, never dropped with it."""
    service, base, secret = served
    first, second = two_jobs(page, base, secret, b"Warga tenang.\n")
    target = page.locator('.row[data-n="0"] .target')
    target.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("Residents stay calm.")
    page.evaluate(f"location.hash = '#/job/{first}'")  # within the autosave delay, the caret still there
    page.wait_for_function(f"() => document.querySelector('#editor').dataset.job === '{first}'")
    assert service.store.segment(second, 0)["target"] == "Residents stay calm."
