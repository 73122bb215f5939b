"""The service's translation memory is the CLI's: exact reuse, post-edits, fuzzy matches, across threads."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rapidfuzz import fuzz
from service_support import GLOSSARY, make_service

from translate.cli import main
from translate.memory import MemoryEntry, MemoryKey
from translate.memory_store import SQLiteMemory
from translate.service.app import create_app
from translate.service.store import CONFIRMED, COPIED, MACHINE, TRANSLATED
from translate.service.tm import ThreadedMemory

ARTICLE = "Harga beras naik 2,5 persen pekan lalu.\n\nWarga diminta tetap tenang.\n"
#: The tiny model's options, as the service gets them and as `translate run` is given them.
ENGINE = {"beam": 1, "max_length": 12}


def engine_args(model: Path, glossary: Path) -> list[str]:
    return ["--engine", "marian", "--model", str(model), "--beam", "1", "--max-length", "12",
            "--no-curated-glossary", "--glossary", str(glossary), "-q"]


@pytest.fixture
def tiny_service(tmp_path, tiny_model_dir):
    return make_service(tmp_path, engine="marian", model=str(tiny_model_dir), **ENGINE)


def counting(monkeypatch, service) -> list[int]:
    """Counts the texts the service's engine is asked to translate."""
    engine = service.workbench.engine
    calls: list[int] = []
    translate = engine.translate

    def counted(texts, *args, **kwargs):
        calls.append(len(texts))
        return translate(texts, *args, **kwargs)

    monkeypatch.setattr(engine, "translate", counted)
    return calls


def headers_for(service, name: str = "desk") -> dict[str, str]:
    return {"Authorization": f"Bearer {service.store.create_token(name)}"}


def translated_job(client, service, headers, text: str = ARTICLE, name: str = "berita.id.txt") -> str:
    response = client.post("/api/jobs", files={"file": (name, text.encode(), "text/plain")}, headers=headers)
    assert response.status_code == 201, response.text
    service.runner.wait(120)
    job = client.get(f"/api/jobs/{response.json()['id']}", headers=headers).json()
    assert job["state"] == TRANSLATED, job
    return job["id"]


def segments_of(client, headers, job: str) -> list[dict]:
    return client.get(f"/api/jobs/{job}/segments", headers=headers).json()


def test_a_second_job_reuses_the_memory_without_the_engine(tiny_service, monkeypatch):
    calls = counting(monkeypatch, tiny_service)
    with TestClient(create_app(tiny_service)) as client:
        headers = headers_for(tiny_service)
        first = segments_of(client, headers, translated_job(client, tiny_service, headers))
        assert sum(calls) == 2
        again = translated_job(client, tiny_service, headers, name="lagi.id.txt")
        second = segments_of(client, headers, again)
    assert sum(calls) == 2  # both sentences came from the memory
    assert [s["mt"] for s in second] == [s["mt"] for s in first]
    assert (tiny_service.store.path.parent / "memory.sqlite").exists()


def test_a_memory_made_by_translate_run_is_reused(tmp_path, tiny_model_dir, monkeypatch):
    glossary = tmp_path / "glossary.tsv"
    glossary.write_text(GLOSSARY, encoding="utf-8")
    article = tmp_path / "berita.id.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    tm = tmp_path / "shared.sqlite"
    assert main(["run", str(article), *engine_args(tiny_model_dir, glossary), "--tm", str(tm)]) == 0
    written = (tmp_path / "berita.en.txt").read_text(encoding="utf-8")
    (tmp_path / "serve").mkdir()
    service = make_service(tmp_path / "serve", engine="marian", model=str(tiny_model_dir), tm=tm, **ENGINE)
    calls = counting(monkeypatch, service)
    with TestClient(create_app(service)) as client:
        headers = headers_for(service)
        job = translated_job(client, service, headers)
        document = client.get(f"/api/jobs/{job}/document", headers=headers).text
    assert calls == [] and document == written


def test_a_confirmed_segment_is_reused_by_translate_run_on_the_same_memory(tmp_path, tiny_model_dir):
    tm = tmp_path / "shared.sqlite"
    service = make_service(tmp_path, engine="marian", model=str(tiny_model_dir), tm=tm, **ENGINE)
    with TestClient(create_app(service)) as client:
        headers = headers_for(service)
        job = translated_job(client, service, headers)
        second = segments_of(client, headers, job)[0]
        char = second["quantities"][0]["char"]
        fixed = f"Rice prices rose {char} last week."
        response = client.put(f"/api/jobs/{job}/segments/0", json={"target": fixed, "confirmed": True},
                              headers=headers)
        assert response.status_code == 200 and response.json()["state"] == CONFIRMED
    assert SQLiteMemory(tm).stats().by_origin["post-edit"] == 1
    article = tmp_path / "lain.id.txt"
    article.write_text("Harga beras naik 2,5 persen pekan lalu.\n", encoding="utf-8")
    assert main(["run", str(article), *engine_args(tiny_model_dir, tmp_path / "glossary.tsv"),
                 "--tm", str(tm)]) == 0
    assert (tmp_path / "lain.en.txt").read_text(encoding="utf-8") == "Rice prices rose 2.5% last week.\n"


def test_fuzzy_matches_are_offered_in_the_segments_own_tags(tiny_service):
    with TestClient(create_app(tiny_service)) as client:
        headers = headers_for(tiny_service)
        first = translated_job(client, tiny_service, headers,
                               "Presiden **Joko Widodo** tiba di Jakarta pagi ini.\n", name="a.md")
        segment = segments_of(client, headers, first)[0]
        bold_open, bold_close = [c for c in segment["source"] if c in segment["codes"]]
        confirmed = f"President {bold_open}Joko Widodo{bold_close} arrived in Jakarta this morning."
        assert client.put(f"/api/jobs/{first}/segments/0", json={"target": confirmed, "confirmed": True},
                          headers=headers).status_code == 200
        # another article: a similar sentence whose tags are other characters (a link comes first)
        second = translated_job(client, tiny_service, headers,
                                "Kabar [baru](https://x.id) datang. Presiden **Joko Widodo** tiba di "
                                "Jakarta sore ini.\n", name="b.md")
        similar = segments_of(client, headers, second)[1]
    own_open, own_close = [c for c in similar["source"] if c in similar["codes"]]
    assert own_open != bold_open
    expected = fuzz.ratio("Presiden Joko Widodo tiba di Jakarta sore ini.",
                          "Presiden Joko Widodo tiba di Jakarta pagi ini.")
    assert 75 <= expected < 100 and [m["score"] for m in similar["tm"]] == [round(expected, 1)]
    match = similar["tm"][0]
    assert match["target"] == f"President {own_open}Joko Widodo{own_close} arrived in Jakarta this morning."
    assert match["source"] == "Presiden Joko Widodo tiba di Jakarta pagi ini."
    assert match["origin"] == "post-edit"


def test_an_approved_exact_match_stored_later_is_offered_at_100(tiny_service):
    with TestClient(create_app(tiny_service)) as client:
        headers = headers_for(tiny_service)
        first = translated_job(client, tiny_service, headers)
        second = translated_job(client, tiny_service, headers, name="lagi.id.txt")
        source = segments_of(client, headers, first)[1]
        confirmed = {"target": "Residents were asked to stay calm.", "confirmed": True}
        assert client.put(f"/api/jobs/{first}/segments/1", json=confirmed, headers=headers).status_code == 200
        offered = segments_of(client, headers, second)[1]["tm"]
        own = segments_of(client, headers, first)[1]["tm"]
    assert source["tm"] == []
    assert offered == [{"target": "Residents were asked to stay calm.", "score": 100.0,
                        "source": "Warga diminta tetap tenang.", "origin": "post-edit"}]
    assert own == []  # the segment's own target is not offered to it


def test_pseudo_output_is_not_a_translation_so_there_is_no_memory(tmp_path):
    service = make_service(tmp_path)
    assert service.workbench.memory is None
    with TestClient(create_app(service)) as client:
        headers = headers_for(service)
        job = translated_job(client, service, headers)
        assert client.post(f"/api/jobs/{job}/segments/0/confirm", headers=headers).status_code == 200
    assert not (tmp_path / "data" / "memory.sqlite").exists()


def test_copied_comes_from_the_pipelines_segment_state(tmp_path):
    # the copy engine's output equals its source everywhere: only segments without words are "copied"
    service = make_service(tmp_path, engine="copy")
    with TestClient(create_app(service)) as client:
        headers = headers_for(service)
        job = translated_job(client, service, headers, "Tahun ini ramai.\n\n2020\n")
        states = [(s["target"] == s["source"], s["state"]) for s in segments_of(client, headers, job)]
    assert states == [(True, MACHINE), (True, COPIED)]


def test_fuzzy_matches_stored_by_another_thread_are_seen(tmp_path):
    memory = ThreadedMemory(tmp_path / "tm.sqlite")

    def entry(source: str, target: str) -> MemoryEntry:
        return MemoryEntry(MemoryKey("id", "en-US", source, ""), target, [], "a.txt", "post-edit", True)

    def in_thread(work):
        result = []
        thread = threading.Thread(target=lambda: result.append(work()))
        thread.start()
        thread.join()
        return result[0]

    query = MemoryKey("id", "en-US", "Harga beras naik pekan lalu.", "")
    in_thread(lambda: memory.store([entry("Harga beras naik pekan ini.", "Rice rose this week.")]))
    assert [e.target for _, e in memory.fuzzy(query)] == ["Rice rose this week."]
    in_thread(lambda: memory.store([entry("Harga beras turun pekan lalu.", "Rice fell last week.")]))
    assert sorted(e.target for _, e in memory.fuzzy(query)) == ["Rice fell last week.",
                                                                "Rice rose this week."]
    memory.close()
