"""The service's HTTP API, through an HTTP client against the app (Starlette's TestClient on httpx)."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient
from service_support import ARTICLE, docx_article, make_service

from translate.engines import create_engine
from translate.glossary import load_glossary
from translate.localize import Localizer
from translate.pipeline import translate_text
from translate.service.app import Limits, clean_filename, create_app
from translate.service.store import CONFIRMED, EDITED, FAILED, TRANSLATED


@pytest.fixture
def service(tmp_path):
    return make_service(tmp_path, limits=Limits(upload_bytes=100_000, segments=40, text_chars=2000))


@pytest.fixture
def client(service):
    with TestClient(create_app(service)) as test_client:
        yield test_client


def auth(service, name: str = "desk") -> dict[str, str]:
    return {"Authorization": f"Bearer {service.store.create_token(name)}"}


def upload(client, headers, name="berita.id.txt", data: bytes | None = None, content_type="text/plain"):
    data = ARTICLE.encode() if data is None else data
    return client.post("/api/jobs", files={"file": (name, data, content_type)}, headers=headers)


def translated(client, service, headers, **kwargs) -> dict:
    response = upload(client, headers, **kwargs)
    assert response.status_code == 201, response.text
    service.runner.wait(60)
    job = client.get(f"/api/jobs/{response.json()['id']}", headers=headers).json()
    assert job["state"] == TRANSLATED, job
    return job


# ---------------------------------------------------------------- tokens and access


def test_health_needs_no_token_and_every_api_route_does(client, service):
    assert client.get("/health").json()["status"] == "ok"
    routes = [(method, route.path) for route in client.app.routes if route.path.startswith("/api/")
              for method in getattr(route, "methods", ()) if method != "HEAD"]
    assert len(routes) >= 15
    for method, path in routes:
        url = re.sub(r"\{[^}]+\}", "0", path)
        response = client.request(method, url)
        assert response.status_code == 401, (method, path, response.status_code)
        assert response.headers["www-authenticate"].startswith("Bearer")
        wrong = client.request(method, url, headers={"Authorization": "Bearer tt_not-a-token"})
        assert wrong.status_code == 401, (method, path)


def test_a_revoked_token_is_refused(client, service):
    headers = auth(service)
    assert client.get("/api/jobs", headers=headers).status_code == 200
    assert service.store.revoke_token("desk")
    assert client.get("/api/jobs", headers=headers).status_code == 401


def test_tokens_are_stored_hashed(service):
    secret = service.store.create_token("desk")
    raw = service.store.path.read_bytes() + (service.store.path.parent / "service.sqlite3-wal").read_bytes()
    assert secret.encode() not in raw
    assert service.store.token_for(secret).name == "desk"


def test_a_token_sees_only_its_jobs_unless_shared(client, service):
    owner, other = auth(service, "owner"), auth(service, "other")
    job = translated(client, service, owner)
    url = f"/api/jobs/{job['id']}"
    assert client.get(url, headers=other).status_code == 404
    assert client.get(f"{url}/segments", headers=other).status_code == 404
    assert client.get(f"{url}/document", headers=other).status_code == 404
    assert client.put(f"{url}/segments/0", json={"target": "x"}, headers=other).status_code == 404
    assert client.get("/api/jobs", headers=other).json() == []
    assert client.post(f"{url}/shares", json={"token_name": "nobody"}, headers=owner).status_code == 404
    assert client.post(f"{url}/shares", json={"token_name": "other"}, headers=owner).status_code == 204
    assert client.get(url, headers=other).json()["owned"] is False
    edit = client.put(f"{url}/segments/0", json={"target": "Edited by other."}, headers=other)
    assert edit.status_code == 200
    assert client.post(f"{url}/shares", json={"token_name": "owner"}, headers=other).status_code == 403
    assert client.delete(f"{url}/shares/other", headers=owner).status_code == 204
    assert client.get(url, headers=other).status_code == 404


# ---------------------------------------------------------------- jobs


def test_upload_translates_like_the_pipeline_and_downloads_in_its_format(client, service, tmp_path):
    headers = auth(service)
    job = translated(client, service, headers)
    assert job["done"] == job["total"] == 3
    response = client.get(f"/api/jobs/{job['id']}/document", headers=headers)
    assert response.headers["content-type"].startswith("text/plain")
    assert 'filename="berita.en.txt"' in response.headers["content-disposition"]
    expected = translate_text(ARTICLE, create_engine("pseudo"), "text",
                              glossary=load_glossary(tmp_path / "glossary.tsv"), localizer=Localizer("en_US"))
    assert response.content.decode() == expected


def test_segments_carry_terms_quantities_and_checks(client, service):
    headers = auth(service)
    job = translated(client, service, headers)
    segments = client.get(f"/api/jobs/{job['id']}/segments", headers=headers).json()
    first, second = segments[0], segments[1]
    assert first["terms"][0]["source_term"] == "Menteri Luar Negeri"
    assert first["terms"][0]["targets"] == ["Foreign Minister"]
    assert first["source"][first["terms"][0]["start"]:first["terms"][0]["end"]] == "Menteri Luar Negeri"
    assert [(q["source"], q["english"]) for q in second["quantities"]] == [("2,5 persen", "2.5%")]
    char = second["quantities"][0]["char"]
    assert second["codes"][char]["label"] == "2.5%" and char in second["mt"]
    for segment in segments:
        assert segment["target"] == segment["mt"] and segment["state"] == "translated"
        assert segment["confidence"] is None and segment["tm"] == []
    # every translate.qa check ran: the glossary check found the term missing, nothing else is wrong
    assert [(i["check"], i["code"], i["segment"]) for s in segments for i in s["qa"]] == \
        [("glossary", "term-missing", "berita.id.txt#0.0")]
    # pseudo output lacks the glossary's English, so the term audit flags the segment for checking
    assert first["terms_found"][0]["found"] is False and first["needs_check"] is True
    flagged = client.get(f"/api/jobs/{job['id']}/segments?needs_check=true", headers=headers).json()
    assert [s["n"] for s in flagged] == [0]
    assert client.get(f"/api/jobs/{job['id']}/terms", headers=headers).json()[0]["source_term"] == \
        "Menteri Luar Negeri"


def test_edit_confirm_and_download_keep_the_edit(client, service):
    headers = auth(service)
    job = translated(client, service, headers)
    url = f"/api/jobs/{job['id']}/segments"
    response = client.put(f"{url}/0", json={"target": "The Foreign Minister spoke in Jakarta.", "version": 0},
                          headers=headers)
    assert response.status_code == 200, response.text
    edited = response.json()
    assert edited["state"] == EDITED and edited["version"] == 1
    assert edited["terms_found"][0]["found"] is True and edited["needs_check"] is False
    assert client.post(f"{url}/0/confirm", headers=headers).json()["state"] == CONFIRMED
    assert client.get(f"/api/jobs/{job['id']}", headers=headers).json()["confirmed"] == 1
    document = client.get(f"/api/jobs/{job['id']}/document", headers=headers).text
    assert document.startswith("The Foreign Minister spoke in Jakarta.\n\n")
    history = service.store.edits(job["id"])
    assert [(e["n"], e["state"]) for e in history] == [(0, EDITED), (0, CONFIRMED)]


def test_a_stale_version_is_a_conflict(client, service):
    headers = auth(service)
    job = translated(client, service, headers)
    url = f"/api/jobs/{job['id']}/segments/2"
    assert client.put(url, json={"target": "First.", "version": 0}, headers=headers).status_code == 200
    response = client.put(url, json={"target": "Second.", "version": 0}, headers=headers)
    assert response.status_code == 409
    assert client.get(url, headers=headers).json()["target"] == "First."


def test_a_target_with_wrong_tags_is_a_422_listing_the_problem(client, service):
    headers = auth(service)
    job = translated(client, service, headers, name="a.md", data=b"Presiden **Joko _Widodo_** tiba.\n",
                     content_type="text/markdown")
    segment = client.get(f"/api/jobs/{job['id']}/segments/0", headers=headers).json()
    chars = [c for c in segment["source"] if "\ue000" <= c <= "\uf8ff"]
    bold_open, italic_open, italic_close, bold_close = chars
    url = f"/api/jobs/{job['id']}/segments/0"
    # the checks translate.targets makes of every merged target (apply_targets), plus a person's text's
    cases = {
        f"President {bold_open}Joko Widodo arrived.": "code '_' appears 0 time(s), expected 1",
        f"President {bold_open}{bold_open}Joko {italic_open}Widodo{italic_close}{bold_close} arrived.":
            "code '**' appears 2 time(s), expected 1",
        f"President {bold_open}Joko {italic_open}Widodo{bold_close}{italic_close} arrived.":
            "code '**' closes inside '_': spans must nest",
        f"President {bold_close}Joko {italic_open}Widodo{italic_close}{bold_open} arrived.":
            "closes before its open code",
        f"President {bold_open}Joko {italic_open}Widodo{italic_close}{bold_close} \ue0ff arrived.":
            "code U+E0FF is not in this segment's source",
        f"President {bold_open}Joko {italic_open}Widodo{italic_close}{bold_close}\narrived.":
            "a line break is not allowed",
        "": "the target is empty",
    }
    for target, problem in cases.items():
        response = client.put(url, json={"target": target}, headers=headers)
        assert response.status_code == 422, target
        detail = response.json()["detail"]
        assert any(problem in p for p in detail["problems"]), (target, detail)
        assert detail["message"].startswith("segment 0 (a.md#0.0): ")
    good = f"President {bold_open}Joko {italic_open}Widodo{italic_close}{bold_close} arrived."
    assert client.put(url, json={"target": good}, headers=headers).status_code == 200
    markdown = client.get(f"/api/jobs/{job['id']}/document", headers=headers).text
    assert markdown == "President **Joko _Widodo_** arrived.\n"


def test_progress_by_server_sent_events(client, service):
    headers = auth(service)
    job = upload(client, headers).json()
    with client.stream("GET", f"/api/jobs/{job['id']}/events", headers=headers) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        events = []
        name = None
        for line in response.iter_lines():
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                events.append((name, json.loads(line[6:])))
    assert events[-1][0] == "end"
    assert events[-1][1]["done"] == events[-1][1]["total"] == 3 and events[-1][1]["state"] == TRANSLATED


def test_docx_round_trip_keeps_formatting(client, service):
    import io

    import docx

    headers = auth(service)
    job = translated(client, service, headers, name="berita.docx", data=docx_article(),
                     content_type="application/octet-stream")
    assert job["format"] == "docx"
    response = client.get(f"/api/jobs/{job['id']}/document", headers=headers)
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    paragraph = docx.Document(io.BytesIO(response.content)).paragraphs[0]
    assert [run.text for run in paragraph.runs if run.bold] == ["Ĵöķö Ŵîðöðö"]


def test_content_type_decides_when_the_name_has_no_extension(client, service):
    headers = auth(service)
    response = upload(client, headers, name="artikel", data=b"<p>Harga <b>naik</b>.</p>",
                      content_type="text/html")
    assert response.status_code == 201 and response.json()["format"] == "html"


def test_bad_uploads_get_one_line_errors(client, service):
    headers = auth(service)
    unknown = upload(client, headers, name="a.pdf", data=b"%PDF", content_type="application/pdf")
    assert unknown.status_code == 415 and "a.pdf" in unknown.json()["detail"]
    broken = upload(client, headers, name="a.docx", data=b"not a zip",
                    content_type="application/octet-stream")
    assert broken.status_code == 422 and broken.json()["detail"].startswith("a.docx")
    big = upload(client, headers, data=b"a" * 150_000)
    assert big.status_code == 413
    many = upload(client, headers, data="\n\n".join(f"Kalimat nomor {i}." for i in range(41)).encode())
    assert many.status_code == 413 and "41 segments" in many.json()["detail"]
    assert client.get("/api/jobs", headers=headers).json() == []


def test_a_client_path_is_only_a_display_name(client, service, tmp_path):
    headers = auth(service)
    job = translated(client, service, headers, name="../../evil.id.txt")
    assert job["name"] == "evil.id.txt"
    assert clean_filename("C:\\x\\..\\bel\x07l.docx", None) == "bell.docx"
    assert clean_filename("", "text/markdown") == "document.md"
    assert sorted(p.name for p in (tmp_path / "data").iterdir())[0] == "service.sqlite3"
    assert not (tmp_path.parent / "evil.id.txt").exists()


def test_translate_now_for_short_texts(client, service, tmp_path):
    headers = auth(service)
    response = client.post("/api/translate", json={"text": "Harga naik 2,5 persen."}, headers=headers)
    assert response.status_code == 200
    expected = translate_text("Harga naik 2,5 persen.", create_engine("pseudo"),
                              glossary=load_glossary(tmp_path / "glossary.tsv"), localizer=Localizer("en_US"))
    assert response.json()["translation"] == expected
    too_long = client.post("/api/translate", json={"text": "a" * 2001}, headers=headers)
    assert too_long.status_code == 413


def test_openapi_schema_is_served_to_token_holders(client, service):
    assert client.get("/api/openapi.json").status_code == 401
    schema = client.get("/api/openapi.json", headers=auth(service)).json()
    assert "/api/jobs/{job_id}/segments/{n}" in schema["paths"]
    assert "HTTPBearer" in schema["components"]["securitySchemes"]


def test_security_headers_and_no_cors(client, service):
    for path in ("/", "/static/main.js", "/health", "/api/jobs", "/nowhere"):
        response = client.get(path)
        assert "script-src 'self'" in response.headers["content-security-policy"], path
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
    preflight = client.options("/api/jobs", headers={"Origin": "https://cms.example",
                                                     "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in preflight.headers
    assert client.get("/static/main.js").headers["content-type"].startswith("text/javascript")


def test_the_editor_page_has_no_inline_script_or_handler(client):
    page = client.get("/").text
    scripts = re.findall(r"<script\b[^>]*>", page)
    assert scripts and all('src="/static/' in tag for tag in scripts)
    assert not re.search(r"\son\w+\s*=", page)
    for name in ("main.js", "api.js", "coded.js"):
        source = client.get(f"/static/{name}").text
        assert "innerHTML" not in source and "insertAdjacentHTML" not in source and "outerHTML" not in source


# ---------------------------------------------------------------- jobs that fail or are cut short


def test_a_job_whose_document_fails_is_marked_failed_with_a_reason(client, service):
    headers = auth(service)
    token = service.store.token_for(headers["Authorization"][7:])
    job_id = service.store.create_job(token.id, "rusak.docx", "docx", b"PK not really", "sig", [])
    service.runner.submit(job_id)
    service.runner.wait(30)
    job = client.get(f"/api/jobs/{job_id}", headers=headers).json()
    assert job["state"] == FAILED and job["error"].startswith("rusak.docx")
    assert client.get(f"/api/jobs/{job_id}/document", headers=headers).status_code == 409


def test_machine_output_never_replaces_a_saved_edit(service):
    from translate.service.store import MACHINE, MachineResult

    token = service.store.token_for(service.store.create_token("desk"))
    info = {"block": 0, "source": "Satu.", "codes": {}, "quantities": [], "terms": []}
    job_id = service.store.create_job(token.id, "a.txt", "text", b"Satu.\n", "sig", [(0, "a.txt#0.0", info)])
    service.store.save_edit(job_id, 0, token.id, "One (by a person).", EDITED, [], [])
    service.store.save_machine(job_id, [MachineResult(0, "[Šåţû.]", MACHINE, [], [])])
    segment = service.store.segment(job_id, 0)
    assert (segment["target"], segment["state"], segment["mt"]) == ("One (by a person).", EDITED, "[Šåţû.]")


def test_an_unfinished_job_resumes_at_start_and_keeps_what_was_done(tmp_path):
    from translate.service.store import MACHINE, TRANSLATING, MachineResult

    first = make_service(tmp_path)
    token = first.store.create_token("desk")
    owner = first.store.token_for(token)
    prepared = first.workbench.prepare("a.txt", "text", ARTICLE.encode())
    infos = first.workbench.describe(prepared)
    rows = [(i.n, i.sid, {"block": i.block, "source": i.source, "codes": i.codes, "quantities": i.quantities,
                          "terms": i.terms}) for i in infos]
    job_id = first.store.create_job(owner.id, "a.txt", "text", ARTICLE.encode(), "sig", rows)
    first.store.save_machine(job_id, [MachineResult(0, "Kept from before the restart.", MACHINE, [], [])])
    first.store.save_edit(job_id, 0, owner.id, "An edit before the restart.", EDITED, [], [])
    first.store.set_state(job_id, TRANSLATING)
    first.store.close()

    second = make_service(tmp_path)
    with TestClient(create_app(second)) as client:
        second.runner.wait(60)
        headers = {"Authorization": f"Bearer {token}"}
        job = client.get(f"/api/jobs/{job_id}", headers=headers).json()
        segments = client.get(f"/api/jobs/{job_id}/segments", headers=headers).json()
    assert job["state"] == TRANSLATED and job["done"] == 3
    assert segments[0]["mt"] == "Kept from before the restart."
    assert segments[0]["target"] == "An edit before the restart."
    assert segments[1]["mt"].startswith("[") and segments[2]["mt"].startswith("[")


def test_a_real_model_translates_a_job(tmp_path, tiny_model_dir):
    service = make_service(tmp_path, engine="ct2", model=str(tiny_model_dir), max_length=16, beam=1)
    with TestClient(create_app(service)) as client:
        headers = auth(service)
        job = translated(client, service, headers, name="a.md", data=b"Presiden **Joko Widodo** tiba.\n",
                         content_type="text/markdown")
        segment = client.get(f"/api/jobs/{job['id']}/segments/0", headers=headers).json()
    assert "engine=ct2" in job["signature"]
    assert segment["mt"] and segment["mt"] != segment["source"]
    assert all(segment["mt"].count(c) == 1 for c in segment["codes"])


def test_an_edit_must_keep_its_blocks_spans_nested_with_the_other_sentences(client, service):
    headers = auth(service)
    job = translated(client, service, headers, name="a.md", data=b"**_Dia berkata. Lalu_** pergi.\n",
                     content_type="text/markdown")
    url = f"/api/jobs/{job['id']}/segments"
    source = client.get(f"{url}/0", headers=headers).json()["source"]
    bold, italic = source[0], source[1]  # both spans close in the next sentence
    swapped = client.put(f"{url}/0", json={"target": f"{italic}{bold}He said."}, headers=headers)
    assert swapped.status_code == 422
    assert "spans must nest" in swapped.json()["detail"]["problems"][0]
    nested = client.put(f"{url}/0", json={"target": f"{bold}{italic}He said."}, headers=headers)
    assert nested.status_code == 200
    assert client.get(f"/api/jobs/{job['id']}/document", headers=headers).text.startswith("**_He said. ")


def test_findings_of_every_qa_check_mark_a_segment_for_checking(client, service):
    headers = auth(service)
    job = translated(client, service, headers)
    url = f"/api/jobs/{job['id']}/segments"
    left = client.put(f"{url}/2", json={"target": "Warga diminta tetap tenang."}, headers=headers).json()
    assert [(i["check"], i["severity"]) for i in left["qa"]] == [("untranslated", "error")]
    assert left["needs_check"] is True
    flagged = client.get(f"{url}?needs_check=true", headers=headers).json()
    assert [s["n"] for s in flagged] == [0, 2]  # the missing glossary term, the Indonesian left
    report = client.get(f"/api/jobs/{job['id']}/qa", headers=headers).json()
    assert {(i["segment"], i["check"]) for i in report} == {("berita.id.txt#0.0", "glossary"),
                                                            ("berita.id.txt#1.1", "untranslated")}
    fixed = client.put(f"{url}/2", json={"target": "Residents were asked to stay calm."}, headers=headers)
    assert fixed.json()["qa"] == [] and fixed.json()["needs_check"] is False
