"""XLIFF and PO through the API: export a job, edit it as a CAT tool would, import it back (or get a 422)."""

from __future__ import annotations

import copy

import polib
import pytest
from fastapi.testclient import TestClient
from lxml import etree
from service_support import make_service

from translate.memory_store import SQLiteMemory
from translate.service.app import create_app
from translate.service.store import CONFIRMED, EDITED, MACHINE, TRANSLATED

ARTICLE = "Presiden **Joko Widodo** tiba.\n\nHarga beras naik 2,5 persen pekan lalu.\n"
NS = {"x": "urn:oasis:names:tc:xliff:document:1.2"}


@pytest.fixture
def service(tmp_path):
    return make_service(tmp_path)


@pytest.fixture
def client(service):
    with TestClient(create_app(service)) as test_client:
        yield test_client


@pytest.fixture
def headers(service) -> dict[str, str]:
    return {"Authorization": f"Bearer {service.store.create_token('desk')}"}


def job_of(client, service, headers, text: str = ARTICLE, name: str = "a.md") -> str:
    files = {"file": (name, text.encode(), "text/markdown")}
    response = client.post("/api/jobs", files=files, headers=headers)
    assert response.status_code == 201, response.text
    service.runner.wait(120)
    assert client.get(f"/api/jobs/{response.json()['id']}", headers=headers).json()["state"] == TRANSLATED
    return response.json()["id"]


def exported(client, headers, job: str, kind: str = "xliff") -> bytes:
    response = client.get(f"/api/jobs/{job}/xliff", params={"format": kind}, headers=headers)
    assert response.status_code == 200, response.text
    return response.content


def edit_unit(xml: bytes, unit: str, text: str, tail: str = "", state: str | None = None,
              keep_tag: bool = True) -> bytes:
    """The XLIFF 1.2 with unit ``unit``'s target rewritten: ``text``, the source's tag (if any), ``tail``."""
    root = etree.fromstring(xml)
    trans_unit = root.find(f".//x:trans-unit[@id='{unit}']", NS)
    source, target = trans_unit.find("x:source", NS), trans_unit.find("x:target", NS)
    for child in list(target):
        target.remove(child)
    target.text = text
    tag = source.find("x:g", NS)
    if tag is not None and keep_tag:
        moved = copy.deepcopy(tag)
        moved.tail = tail
        target.append(moved)
    if state:
        target.set("state", state)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def imported(client, headers, job: str, data: bytes, **params):
    return client.put(f"/api/jobs/{job}/xliff", content=data, params=params, headers=headers)


def test_xliff_export_edit_import(client, service, headers):
    job = job_of(client, service, headers)
    xliff = exported(client, headers, job)
    assert b'<trans-unit id="0.0"' in xliff and b"<g id=\"1\"" in xliff
    edited = edit_unit(xliff, "0.0", "President ", " arrived.", state="translated")
    edited = edit_unit(edited, "1.0", "Rice prices rose 2.5% last week.")
    response = imported(client, headers, job, edited)
    assert response.status_code == 200, response.text
    assert response.json() == {"updated": 2, "confirmed": 1, "skipped": []}
    segments = client.get(f"/api/jobs/{job}/segments", headers=headers).json()
    assert [s["state"] for s in segments] == [CONFIRMED, EDITED]
    document = client.get(f"/api/jobs/{job}/document", headers=headers).text
    assert document == "President **Joko Widodo** arrived.\n\nRice prices rose 2.5% last week.\n"
    assert [(e["n"], e["state"]) for e in service.store.edits(job)] == [(0, CONFIRMED), (1, EDITED)]
    # exported again, the confirmed unit is marked as a person's translation
    again = exported(client, headers, job)
    assert b'state="translated" state-qualifier="exact-match"' in again
    assert imported(client, headers, job, again).json() == {"updated": 0, "confirmed": 0, "skipped": []}


def test_po_export_edit_import(client, service, headers):
    job = job_of(client, service, headers)
    po = polib.pofile(exported(client, headers, job, "po").decode("utf-8"))
    entry = po.find("1.0", by="msgctxt")
    entry.msgstr = "Rice prices rose 2.5% last week."
    entry.flags.remove("fuzzy")  # a PO translator's "done"
    response = imported(client, headers, job, str(po).encode("utf-8"))
    assert response.status_code == 200, response.text
    segments = client.get(f"/api/jobs/{job}/segments", headers=headers).json()
    assert [s["state"] for s in segments] == [MACHINE, CONFIRMED]
    assert segments[1]["target"] == f"Rice prices rose {segments[1]['quantities'][0]['char']} last week."


def test_xliff2_export(client, service, headers):
    job = job_of(client, service, headers)
    xliff2 = exported(client, headers, job, "xliff2")
    assert b"urn:oasis:names:tc:xliff:document:2." in xliff2 and b'<unit id="0.0"' in xliff2
    assert imported(client, headers, job, xliff2).json()["updated"] == 0


def test_a_bad_import_is_a_422_listing_unit_ids_and_lines(client, service, headers):
    job = job_of(client, service, headers)
    xliff = exported(client, headers, job)
    broken = edit_unit(xliff, "0.0", "President Joko Widodo arrived.", keep_tag=False)
    broken = broken.replace(b'<trans-unit id="1.0"', b'<trans-unit id="7.3"')
    before = client.get(f"/api/jobs/{job}/segments", headers=headers).json()
    response = imported(client, headers, job, broken)
    assert response.status_code == 422
    problems = response.json()["detail"]["problems"]
    assert any(p.startswith("line ") and "unit 0.0: tag 1 ('**…**') is missing from the target" in p
               for p in problems), problems
    assert any("unit 7.3: unknown unit id" in p for p in problems)
    assert any("unit 1.0: missing from the file" in p for p in problems)
    assert client.get(f"/api/jobs/{job}/segments", headers=headers).json() == before


def test_an_import_that_rewrites_a_quantity_or_comes_from_another_job_is_refused(client, service, headers):
    job = job_of(client, service, headers)
    xliff = exported(client, headers, job)
    rewritten = edit_unit(xliff, "1.0", "Rice prices rose 2.5 percent last week.")
    response = imported(client, headers, job, rewritten)
    assert response.status_code == 422
    assert "unit 1.0: write each quantity as exported ('2.5%')" in response.json()["detail"]["problems"][0]
    other = job_of(client, service, headers, "Presiden **Joko Widodo** pergi.\n", name="b.md")
    response = imported(client, headers, other, xliff)
    assert response.status_code == 422
    assert "exported from another document" in response.json()["detail"]["message"]


def test_an_accepted_unit_edited_in_the_editor_since_the_export_keeps_the_edit(client, service, headers):
    job = job_of(client, service, headers)
    xliff = exported(client, headers, job)
    segment = client.get(f"/api/jobs/{job}/segments/1", headers=headers).json()
    char = segment["quantities"][0]["char"]
    assert client.put(f"/api/jobs/{job}/segments/1", json={"target": f"Rice rose {char}."},
                      headers=headers).status_code == 200
    accepted = xliff.replace(b'state="needs-review-translation"', b'state="final"')
    response = imported(client, headers, job, accepted)
    assert response.json() == {"updated": 1, "confirmed": 1, "skipped": ["1.0"]}
    assert client.get(f"/api/jobs/{job}/segments/1", headers=headers).json()["target"] == f"Rice rose {char}."


def test_units_accepted_in_a_cat_tool_go_into_the_memory(tmp_path, tiny_model_dir):
    service = make_service(tmp_path, engine="marian", model=str(tiny_model_dir), beam=1, max_length=12)
    with TestClient(create_app(service)) as client:
        headers = {"Authorization": f"Bearer {service.store.create_token('desk')}"}
        job = job_of(client, service, headers)
        xliff = exported(client, headers, job)
        edited = edit_unit(xliff, "0.0", "President ", " arrived.", state="signed-off")
        assert imported(client, headers, job, edited).json()["confirmed"] == 1
    memory = SQLiteMemory(tmp_path / "data" / "memory.sqlite")
    assert [e.target for e in memory.entries() if e.origin == "post-edit"] == \
        ["President \ue000Joko Widodo\ue001 arrived."]
