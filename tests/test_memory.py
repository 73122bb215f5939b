"""The translation memory: keys independent of documents, exact reuse without the engine,
post-edits reused by later runs, concurrent writers, TMX in and out."""

from __future__ import annotations

import multiprocessing
import shutil
from pathlib import Path

import polib
import pytest

from translate.document import CodeKind, InlineCode
from translate.engines import create_engine
from translate.exchange.export import export_files
from translate.exchange.importer import import_file
from translate.exchange.tmx import read_tmx, write_tmx
from translate.localize import Localizer
from translate.memory import DictMemory, MemoryEntry, normalise
from translate.memory_store import SQLiteMemory
from translate.pipeline import run

ROOT = Path(__file__).resolve().parent.parent


class Counting:
    """Wraps an engine and counts the segments it is asked to translate."""

    def __init__(self, engine) -> None:
        self.engine, self.calls = engine, 0
        self.name, self.keeps_codes = engine.name, engine.keeps_codes
        self.translates, self.localizes = engine.translates, engine.localizes
        self.chunk_size = engine.chunk_size

    def load(self) -> None:
        self.engine.load()

    def signature(self) -> str:
        return self.engine.signature()

    def translate(self, texts, align=None, constraints=None):
        self.calls += len(texts)
        return self.engine.translate(texts, align=align, constraints=constraints)


@pytest.fixture
def tiny(tiny_model_dir: Path) -> Counting:
    return Counting(create_engine("marian", model=str(tiny_model_dir), beam=1, max_length=12))


def _codes(*pairs: tuple[str, CodeKind, str, str | None]) -> dict[str, InlineCode]:
    return {char: InlineCode(char, kind, data, pair, "x") for char, kind, data, pair in pairs}


def test_key_ignores_which_characters_and_markup_a_block_allocated() -> None:
    here = _codes(("\ue000", CodeKind.OPEN, "**", "\ue001"), ("\ue001", CodeKind.CLOSE, "**", "\ue000"))
    there = _codes(("\ue003", CodeKind.OPEN, "<b>", "\ue004"), ("\ue004", CodeKind.CLOSE, "</b>", "\ue003"))
    a = normalise("Harga \ue000naik\ue001 tajam.", here)
    b = normalise("Harga \ue003naik\ue004 tajam.", there)
    assert a.key("id", "en-US") == b.key("id", "en-US")
    lone = _codes(("\ue000", CodeKind.ISOLATED, "<br>", None), ("\ue001", CodeKind.ISOLATED, "<br>", None))
    assert normalise("Harga \ue000naik\ue001 tajam.", lone).key("id", "en-US") != a.key("id", "en-US")


def test_quantities_are_keyed_as_written() -> None:
    codes = {"\ue000": InlineCode("\ue000", CodeKind.ISOLATED, "2.5 meters", None, "quantity")}
    norm = normalise("Banjir setinggi \ue000.", codes, {"\ue000": "2,5 meter"})
    assert norm.source == "Banjir setinggi 2,5 meter." and norm.chars == []


def test_exact_match_skips_the_engine_on_a_second_run(tmp_path: Path, tiny: Counting) -> None:
    for name in ("banjir-bekasi.id.txt", "kereta-cepat.id.md"):
        shutil.copy(ROOT / "corpora" / name, tmp_path / name)
    memory = SQLiteMemory(tmp_path / "tm.sqlite")
    run([tmp_path], tiny, tmp_path / "first", localizer=Localizer(), memory=memory)
    first_calls = tiny.calls
    assert first_calls > 20 and memory.hits == 0
    tiny.calls = 0
    second = SQLiteMemory(tmp_path / "tm.sqlite")
    run([tmp_path], tiny, tmp_path / "second", localizer=Localizer(), memory=second)
    assert tiny.calls == 0
    assert second.hits >= first_calls
    for output in (tmp_path / "first").glob("*.en.*"):
        assert output.read_bytes() == (tmp_path / "second" / output.name).read_bytes()


def test_export_reuses_exact_matches_without_the_engine_and_says_so(tmp_path: Path, tiny: Counting) -> None:
    """Issue 15: export, like run, takes an exact match from the memory instead of calling the engine,
    marks those units as coming from the memory, and writes the same targets."""
    shutil.copy(ROOT / "corpora" / "banjir-bekasi.id.txt", tmp_path / "a.id.txt")
    memory = SQLiteMemory(tmp_path / "tm.sqlite")
    first = export_files([tmp_path / "a.id.txt"], tiny, "po", tmp_path / "one", localizer=Localizer(),
                         memory=memory).results[0]
    assert tiny.calls > 20 and first.from_memory == 0
    tiny.calls = 0
    second = export_files([tmp_path / "a.id.txt"], tiny, "po", tmp_path / "two", localizer=Localizer(),
                          memory=SQLiteMemory(tmp_path / "tm.sqlite")).results[0]
    assert tiny.calls == 0 and second.from_memory == second.units == first.units
    targets = [[(e.msgctxt, e.msgstr) for e in polib.pofile(str(r.output))] for r in (first, second)]
    assert targets[0] == targets[1]


def test_another_engine_signature_is_translated_again(tmp_path: Path, tiny: Counting) -> None:
    shutil.copy(ROOT / "corpora" / "banjir-bekasi.id.txt", tmp_path / "a.id.txt")
    memory = SQLiteMemory(tmp_path / "tm.sqlite")
    run([tmp_path / "a.id.txt"], tiny, tmp_path / "one", localizer=Localizer(), memory=memory)
    tiny.calls = 0
    tiny.engine.beam = 2  # another setting: the stored MT is not this engine's output
    tiny.signature = lambda: tiny.engine.signature() + "|beam=2"
    run([tmp_path / "a.id.txt"], tiny, tmp_path / "two", localizer=Localizer(), memory=memory)
    assert tiny.calls > 0


def test_post_edit_is_reused_by_the_next_run(tmp_path: Path, tiny: Counting) -> None:
    """Never fix the same sentence twice: an imported post-edit wins over the engine."""
    shutil.copy(ROOT / "corpora" / "banjir-bekasi.id.txt", tmp_path / "banjir-bekasi.id.txt")
    memory = SQLiteMemory(tmp_path / "tm.sqlite")
    report = export_files(
        [tmp_path / "banjir-bekasi.id.txt"], tiny, "po", localizer=Localizer(), memory=memory
    )
    exported = report.results[0].output
    po = polib.pofile(str(exported), wrapwidth=0)
    edited = {
        "1.0": "Floods 2.5 Meters Deep Swamp Bekasi, 1,250 Residents Flee",
        "2.1": "Heavy rain upstream since Sunday night made the Bekasi River overflow before dawn.",
    }
    for entry in po:
        if entry.msgctxt in edited:
            entry.msgstr = edited[entry.msgctxt]
    po.save(str(exported))
    result = import_file(exported, memory=memory)
    assert result.stored == 2 and result.counts["edited"] == 2
    # a second article repeats both sentences: the run reuses the post-edits, with the numbers as codes
    (tmp_path / "lagi.id.txt").write_text(
        "Banjir Setinggi 2,5 Meter Rendam Bekasi, 1.250 Warga Mengungsi\n\n"
        "Hujan deras yang mengguyur kawasan hulu sejak Minggu malam membuat "
        "Kali Bekasi meluap menjelang subuh.\n",
        encoding="utf-8",
    )
    tiny.calls = 0
    report = run([tmp_path / "lagi.id.txt"], tiny, tmp_path / "out", localizer=Localizer(), memory=memory)
    assert tiny.calls == 0
    # the translator wrote "2.5 Meters": used as written, and QA says it is not the rendering "2.5 meters"
    numbers = [issue for issue in report.qa if issue.check == "numbers"]
    assert [(issue.code, issue.expected) for issue in numbers] == [("number-missing", "2.5 meters")]
    assert (tmp_path / "out" / "lagi.en.txt").read_text(encoding="utf-8") == "\n\n".join(
        edited.values()
    ) + "\n"


def test_machine_translation_with_other_renderings_is_not_reused(tmp_path: Path, tiny: Counting) -> None:
    (tmp_path / "a.id.txt").write_text("Harga tiket naik menjadi Rp 50.000 per orang.\n", encoding="utf-8")
    memory = SQLiteMemory(tmp_path / "tm.sqlite")
    run([tmp_path / "a.id.txt"], tiny, tmp_path / "code", localizer=Localizer(), memory=memory)
    tiny.calls = 0
    run(
        [tmp_path / "a.id.txt"],
        tiny,
        tmp_path / "symbol",
        localizer=Localizer(currency_style="symbol"),
        memory=memory,
    )
    assert tiny.calls == 1  # "IDR 50,000" is not "Rp50,000": translated again, not reused half right
    assert "Rp50,000" in (tmp_path / "symbol" / "a.en.txt").read_text(encoding="utf-8")


def test_dict_memory_is_the_default_and_keeps_approved_entries() -> None:
    memory = DictMemory()
    norm = normalise("Satu dua.", {})
    key = norm.key("id", "en")
    memory.store([MemoryEntry(key, "One two.", [], origin="post-edit", approved=True)])
    memory.store([MemoryEntry(key, "One, two.", [], origin="mt")])
    assert memory.lookup(key, "any").target == "One two."


def _write_entries(path: str, worker: int, count: int) -> None:
    memory = SQLiteMemory(path)
    for i in range(count):
        norm = normalise(f"Kalimat {worker}-{i}.", {})
        memory.store(
            [MemoryEntry(norm.key("id", "en"), f"Sentence {worker}-{i}.", [], origin="mt", signature="s")]
        )
    memory.close()


def test_two_concurrent_writers_keep_every_entry(tmp_path: Path) -> None:
    path = str(tmp_path / "tm.sqlite")
    SQLiteMemory(path).close()
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_write_entries, args=(path, w, 150)) for w in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
        assert worker.exitcode == 0
    stats = SQLiteMemory(path).stats()
    assert stats.entries == 300 and stats.by_origin == {"mt": 300}


def test_tmx_round_trip_keeps_codes_and_origin(tmp_path: Path) -> None:
    codes = _codes(
        ("\ue000", CodeKind.OPEN, "<b>", "\ue001"),
        ("\ue001", CodeKind.CLOSE, "</b>", "\ue000"),
        ("\ue002", CodeKind.ISOLATED, "<br/>", None),
        ("\ue003", CodeKind.OPEN, "<a href='x'>", None),
    )
    norm = normalise("Harga \ue000beras\ue001 naik\ue002 di \ue003pasar.", codes)
    stored = "\ue003Rice\ue002 prices \ue000rose\ue001 at the market."
    target = stored.translate({ord(c): chr(0xE000 + i) for i, c in enumerate(norm.chars)})
    entry = MemoryEntry(
        norm.key("id", "en-US"),
        target,
        norm.code_data,
        "berita.md",
        "post-edit",
        True,
        "",
        "2026-03-02T08:00:00+00:00",
    )
    data = write_tmx([entry])
    assert b'<bpt i="1" x="1">&lt;b&gt;</bpt>' in data and b'<it pos="begin" x="3">' in data
    read = read_tmx(data, "memory.tmx")
    assert not read.skipped and len(read.entries) == 1
    back = read.entries[0]
    assert (back.key, back.target, back.origin, back.document) == (
        entry.key,
        entry.target,
        "imported",
        "berita.md",
    )
    assert back.created == "2026-03-02T08:00:00+00:00"


BUREAU_TMX = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE tmx SYSTEM "tmx14.dtd">
<tmx version="1.4">
<header creationtool="Other" creationtoolversion="1" datatype="html" segtype="sentence" adminlang="en-US"
 srclang="id-ID" o-tmf="x"/>
<body>
<tu><tuv xml:lang="id-ID">
<seg>Warga diminta tetap <bpt i="1">&lt;b&gt;</bpt>tenang<ept i="1">&lt;/b&gt;</ept>.</seg></tuv>
<tuv xml:lang="EN-US">
<seg>Residents were asked to stay <bpt i="7">&lt;b&gt;</bpt>calm<ept i="7">&lt;/b&gt;</ept>.</seg></tuv></tu>
<tu><tuv xml:lang="id-ID"><seg>Satu <ph>&lt;br&gt;</ph> dua.</seg></tuv>
<tuv xml:lang="en-US"><seg>One two.</seg></tuv></tu>
<tu><tuv xml:lang="fr"><seg>Un.</seg></tuv><tuv xml:lang="en"><seg>One.</seg></tuv></tu>
</body></tmx>
"""


def test_bureau_tmx_is_imported_and_matches_our_segments(tmp_path: Path, tiny: Counting) -> None:
    read = read_tmx(BUREAU_TMX.encode(), "bureau.tmx")
    assert len(read.entries) == 1 and len(read.skipped) == 2
    assert "the target's codes are not the source's" in read.skipped[0]
    assert read.entries[0].key.target_lang == "en-US"
    memory = SQLiteMemory(tmp_path / "tm.sqlite")
    memory.store(read.entries)
    (tmp_path / "a.id.html").write_text("<p>Warga diminta tetap <b>tenang</b>.</p>\n", encoding="utf-8")
    run([tmp_path / "a.id.html"], tiny, tmp_path / "out", localizer=Localizer(), memory=memory)
    assert tiny.calls == 0
    assert "Residents were asked to stay <b>calm</b>." in (tmp_path / "out" / "a.en.html").read_text("utf-8")
