"""Localization in the pipeline: protected spans through the tiny model, the number QA, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from translate.cli import main
from translate.document import Document, is_code_char
from translate.engines import create_engine
from translate.formats import get_format
from translate.localize import CODE_NAME, Localizer, protect_document
from translate.pipeline import run, translate_documents, translate_text
from translate.qa import (
    NUMBER_CHANGED,
    NUMBER_MISSING,
    check_documents,
    check_numbers,
    flagged_segments,
    select_checks,
)
from translate.segment import segment_document

ARTICLE = """\
Harga beras naik 2,5 persen menjadi Rp 12.500 per kilogram pada Sabtu, 31 Oktober 2020.

Rapat dimulai pukul 14.00 WIB dan dihadiri 1.250 warga.

Pemerintah menyiapkan anggaran Rp 2,5 triliun untuk 5 juta keluarga.

Jembatan sepanjang 12,5 km itu dibangun pada tahun 1990-an.
"""
#: What each quantity of ARTICLE becomes in en_US (the code style).
RENDERED = ["2.5%", "IDR 12,500", "Saturday, October 31, 2020", "2:00 PM WIB", "1,250",
            "2.5 trillion rupiah", "5 million", "12.5 km", "the 1990s"]


NUMBERS = select_checks(["numbers"])  # the tiny model writes nonsense: only the number check is about us


def _document(text: str, fmt: str = "text") -> Document:
    return segment_document(get_format(fmt).read(text.encode("utf-8"), "berita.id.txt"))


class SpyEngine:
    """Wraps an engine and records what the model was given."""

    def __init__(self, engine) -> None:
        self.engine, self.inputs = engine, []
        self.name, self.keeps_codes, self.chunk_size = engine.name, engine.keeps_codes, engine.chunk_size
        self.translates, self.localizes, self.load = engine.translates, engine.localizes, engine.load

    def signature(self) -> str:
        return self.engine.signature()

    def translate(self, texts, align=None, constraints=None):
        self.inputs += texts
        return self.engine.translate(texts, align=align, constraints=constraints)


@pytest.fixture(scope="module")
def marian(tiny_model_dir: Path):
    return create_engine("marian", model=str(tiny_model_dir), beam=1, max_length=16)


def test_tiny_model_keeps_every_protected_span_exactly_once(marian) -> None:
    document = _document(ARTICLE)
    protections = protect_document(document, Localizer("en_US"))
    assert [p.rendered for p in protections] == RENDERED
    spy = SpyEngine(marian)
    translate_documents([document], spy)
    # the model never saw a digit: every quantity went round it as a code
    assert spy.inputs and not any(c.isdigit() for text in spy.inputs for c in text)
    targets = {str(s.id): s.target for s in document.segments()}
    for protection in protections:
        assert targets[protection.segment].count(protection.char) == 1, protection
    output = get_format("text").write(document).decode("utf-8")
    for rendered in RENDERED:
        assert rendered in output, rendered
    for distinctive in RENDERED[:4] + RENDERED[5:6]:
        assert output.count(distinctive) == 1, distinctive
    assert check_documents([document], protections, checks=NUMBERS) == []


def test_no_localize_leaves_numbers_to_the_model(marian) -> None:
    spy = SpyEngine(marian)
    translate_text("Harga beras naik 2,5 persen pada 31 Oktober 2020.\n", spy)
    assert any("2,5 persen" in text and "31 Oktober 2020" in text for text in spy.inputs)
    spy_on = SpyEngine(marian)
    translate_text("Harga beras naik 2,5 persen pada 31 Oktober 2020.\n", spy_on, localizer=Localizer())
    assert spy_on.inputs and not any("2,5" in text or "2020" in text for text in spy_on.inputs)


def test_qa_flags_a_segment_whose_number_went_missing(marian) -> None:
    document = _document(ARTICLE)
    protections = protect_document(document, Localizer("en_GB"))
    translate_documents([document], marian)
    assert check_documents([document], protections, checks=NUMBERS) == []
    # a post-edit (or an engine) drops the 2.5 trillion from the third paragraph
    victim = next(p for p in protections if p.rendered == "2.5 trillion rupiah")
    segment = next(s for s in document.segments() if str(s.id) == victim.segment)
    segment.target = segment.target.replace(victim.char, "")
    issues = check_documents([document], protections, checks=NUMBERS)
    assert [(i.segment, i.check, i.code, i.expected) for i in issues] == [
        (victim.segment, "numbers", NUMBER_MISSING, "2.5 trillion rupiah")]
    assert "Rp 2,5 triliun" in issues[0].source  # the source excerpt shows what was written
    assert flagged_segments(issues) == [victim.segment]


@pytest.mark.parametrize(("source", "target", "missing"), [
    ("Harga naik 2,5 persen.", "Prices rose 2.5 percent.", []),
    ("Harga naik 2,5 persen.", "Prices rose 2,5 percent.", ["2,5 persen"]),  # not converted: 25 to a reader
    ("Harga naik 2,5 persen.", "Prices rose.", ["2,5 persen"]),
    ("Sebanyak 1.250 warga hadir.", "As many as 1,250 residents attended.", []),
    ("Sebanyak 1.250 warga hadir.", "As many as 1.250 residents attended.", ["1.250"]),
    ("Rapat pukul 14.00 WIB.", "The meeting at 2 pm WIB.", []),
    ("Rapat pukul 14.00 WIB.", "The meeting at 14:00 WIB.", []),
    ("Rapat pukul 14.30 WIB.", "The meeting at 2 pm WIB.", ["14.30 WIB"]),
    ("Anggaran Rp 2,5 triliun.", "A budget of 2.5 trillion rupiah.", []),
    ("Anggaran Rp 2,5 triliun.", "A budget of Rp2,500,000,000,000.", []),
    ("Pada 31 Oktober 2020 hujan.", "On October 31, 2020 it rained.", []),
    ("Pada 31 Oktober 2020 hujan.", "On October 2020 it rained.", ["31 Oktober 2020"]),
    ("Ada 5 orang dan 5 anak.", "There were 5 people and children.", ["5"]),  # each occurrence counts
])
def test_number_check_without_protection(source: str, target: str, missing: list[str]) -> None:
    assert [issue.source for issue in check_numbers(source, target, segment="s")] == missing


def test_cache_shares_a_translation_between_different_numbers(tmp_path: Path, marian) -> None:
    # within a document: documents are translated each on its own (19.4), so a resumed run matches
    (tmp_path / "a.id.txt").write_text("Harga beras naik 2,5 persen di Jakarta.\n\n"
                                       "Harga beras naik 7 persen di Jakarta.\n", encoding="utf-8")
    spy = SpyEngine(marian)
    report = run([tmp_path], spy, tmp_path / "out", localizer=Localizer("en_GB"))
    assert len(spy.inputs) == 1  # same sentence once the numbers are codes: translated once
    a, b = (tmp_path / "out" / "a.en.txt").read_text(encoding="utf-8").split("\n\n")
    assert "2.5%" in a and "7%" not in a and "7%" in b and "2.5%" not in b
    # the tiny model never ends a sentence: its engine reports every output cut at max_length
    assert {i.check for i in report.qa} == {"truncated"} and report.signature.endswith("|localize=en_GB,code")


def test_copy_engine_never_localizes(tmp_path: Path) -> None:
    source = tmp_path / "berita.id.txt"
    source.write_bytes(ARTICLE.encode("utf-8"))
    report = run([source], create_engine("copy"), tmp_path / "out", localizer=Localizer())
    assert (tmp_path / "out" / "berita.en.txt").read_bytes() == source.read_bytes()
    assert "localize" not in report.signature
    assert report.qa and {i.check for i in report.qa} == {"untranslated"}  # the output is the source


def test_pseudo_engine_shows_rendered_quantities_in_markdown() -> None:
    text = "Harga naik **2,5 persen** pada 31/10/2020, menjadi Rp 12.500.\n"
    out = translate_text(text, create_engine("pseudo"), fmt="markdown", localizer=Localizer("en_GB"))
    assert "**2.5%**" in out and "31 October 2020" in out and "IDR 12,500" in out
    assert "2,5 persen" not in out and "31/10" not in out


def test_protected_codes_join_the_block_table() -> None:
    document = _document("Harga naik 2,5 persen di https://contoh.id hari ini.\n")
    before = dict(document.blocks[0].codes)
    protections = protect_document(document, Localizer())
    codes = document.blocks[0].codes
    assert len(protections) == 1 and protections[0].char not in before
    assert all(codes[c] == code for c, code in before.items())  # the URL's code is untouched
    assert codes[protections[0].char].name == CODE_NAME and codes[protections[0].char].data == "2.5%"
    segment = next(document.segments())
    assert sum(1 for c in segment.source if is_code_char(c)) == len(before) + 1


def test_cli_locale_qa_report_and_no_localize(tmp_path: Path, tiny_model_dir: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "berita.id.txt"
    source.write_text(ARTICLE, encoding="utf-8")
    common = ["run", str(source), "--model", str(tiny_model_dir), "--engine", "marian", "--beam", "1",
              "--max-length", "12", "--no-glossary", "--overwrite", "--qa-checks", "numbers"]
    assert main([*common, "-o", str(tmp_path / "gb"), "--locale", "en_GB", "--currency-style", "symbol",
                 "--qa-report", str(tmp_path / "qa-gb.jsonl")]) == 0
    output = (tmp_path / "gb" / "berita.en.txt").read_text(encoding="utf-8")
    assert "Saturday, 31 October 2020" in output and "Rp2.5 trillion" in output and "14:00 WIB" in output
    assert "qa: 0 finding(s) in 0 segment(s)" in capsys.readouterr().err
    assert (tmp_path / "qa-gb.jsonl").read_text(encoding="utf-8") == ""
    # without localization a random model loses the numbers, and the QA says where
    assert main([*common, "-o", str(tmp_path / "raw"), "--no-localize",
                 "--qa-report", str(tmp_path / "qa-raw.jsonl")]) == 0
    rows = [json.loads(line) for line in (tmp_path / "qa-raw.jsonl").read_text(encoding="utf-8").splitlines()]
    flagged = len({row["segment"] for row in rows})
    assert rows and all(row["code"] in (NUMBER_MISSING, NUMBER_CHANGED) for row in rows)
    assert f"qa: {len(rows)} finding(s) in {flagged} segment(s)" in capsys.readouterr().err
    assert main([*common, "-o", str(tmp_path / "bad"), "--locale", "xx_QQ"]) != 0
