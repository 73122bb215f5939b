"""``translate qa`` and ``run --qa-report``: pairing, reports, the gibberish loop, the cut sentences."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from translate.cli import main
from translate.engines import create_engine
from translate.formats import get_format
from translate.qa import check_files, pair_documents, write_qa_report
from translate.segment import segment_document

ARTICLE_ID = """\
Banjir Rendam Bekasi

Banjir setinggi 2,5 meter merendam tujuh kelurahan di Kota Bekasi pada Senin pagi. Sebanyak 1.250 warga \
telah dievakuasi ke tempat yang lebih aman.

Wali Kota Bekasi meninjau lokasi banjir pada pukul 14.00 WIB dan meminta warga tetap tenang.
"""
ARTICLE_EN = """\
Floods Submerge Bekasi

Floods up to 2.5 meters deep submerged seven urban villages in Bekasi City on Monday morning. As many as \
1,250 residents have been evacuated to safer places.

The Mayor of Bekasi inspected the flooded area at 2 p.m. WIB and asked residents to stay calm.
"""
GIBBERISH = """\
Floods Submerge Bekasi

Sever Sever Sever Sever Sever Sever Sever Sever Sever Sever Sever Sever Sever Sever Sever Sever. As many as \
1,250 residents have been evacuated to safer places.

The Mayor of Bekasi inspected the flooded area at 2 p.m. WIB and asked residents to stay calm.
"""


def _pair(tmp_path: Path, target: str, name: str = "banjir") -> tuple[Path, Path]:
    source = tmp_path / f"{name}.id.txt"
    translation = tmp_path / f"{name}.en.txt"
    source.write_text(ARTICLE_ID, encoding="utf-8")
    translation.write_text(target, encoding="utf-8")
    return source, translation


def _qa(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[dict], str]:
    code = main(["qa", *args, "--json", "--no-glossary"])
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines()], err


def test_a_good_translation_is_quiet_and_the_gibberish_loop_is_caught(tmp_path: Path, capsys) -> None:
    source, good = _pair(tmp_path, ARTICLE_EN)
    code, rows, err = _qa(capsys, str(source), str(good))
    assert code == 0 and rows == [] and "qa: 0 finding(s)" in err
    good.write_text(GIBBERISH, encoding="utf-8")
    code, rows, err = _qa(capsys, str(source), str(good))
    flagged = {(row["segment"], row["check"]) for row in rows}
    assert (f"{source}#1.0", "repetition") in flagged  # "Sever Sever Sever..."
    assert (f"{source}#1.0", "numbers") in flagged  # the 2.5 meters went with the sentence
    assert {row["segment"] for row in rows} == {f"{source}#1.0"}
    loop = next(row for row in rows if row["check"] == "repetition")
    assert loop["severity"] == "error" and "Sever Sever Sever" in loop["target"] and loop["target_span"]


def test_blocks_split_differently_are_aligned_and_checked_as_blocks(tmp_path: Path, capsys) -> None:
    """The translator split a paragraph in two and merged two sentences: pairing stays right."""
    split = ARTICLE_EN.replace("morning. As many", "morning.\n\nAs many")
    merged = split.replace("2 p.m. WIB and", "2 p.m. WIB, and")
    source, target = _pair(tmp_path, merged)
    fmt = get_format("text")
    units = pair_documents(segment_document(fmt.read(source.read_bytes(), str(source))),
                           segment_document(fmt.read(target.read_bytes(), str(target))))
    assert [(u.id, u.level) for u in units] == [
        (f"{source}#0.0", "segment"), (f"{source}#1", "block"), (f"{source}#2.0", "segment")]
    assert "1,250 residents" in units[1].target_plain.text  # both target paragraphs in one unit
    assert _qa(capsys, str(source), str(target))[1] == []


def test_folders_pair_by_name_and_a_readme_is_not_a_translation(tmp_path: Path, capsys) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "out").mkdir()
    _pair(tmp_path / "src", ARTICLE_EN, "a")
    (tmp_path / "src" / "a.en.txt").unlink()
    (tmp_path / "src" / "b.id.txt").write_text(ARTICLE_ID, encoding="utf-8")
    (tmp_path / "out" / "a.en.txt").write_text(ARTICLE_EN, encoding="utf-8")
    (tmp_path / "out" / "b.en.txt").write_text(GIBBERISH, encoding="utf-8")
    (tmp_path / "out" / "README.md").write_text("# Notes\n\nNot a translation.\n", encoding="utf-8")
    result = check_files(tmp_path / "src", tmp_path / "out")
    assert [Path(d.name).name for d in result.documents] == ["a.id.txt", "b.id.txt"] and not result.errors
    assert not result.documents[0].issues and result.documents[1].issues
    (tmp_path / "out" / "c.en.txt").write_text(ARTICLE_EN, encoding="utf-8")
    assert main(["qa", str(tmp_path / "src"), str(tmp_path / "out")]) == 2
    assert "c.en.txt (no source c.txt" in capsys.readouterr().err


def test_one_folder_holding_sources_and_translations(tmp_path: Path, capsys) -> None:
    """``translate qa corpora corpora``: each X.en.EXT against its X.id.EXT."""
    _pair(tmp_path, ARTICLE_EN, "a")
    _pair(tmp_path, GIBBERISH, "b")
    (tmp_path / "README.md").write_text("# Corpus\n\nNotes.\n", encoding="utf-8")
    result = check_files(tmp_path, tmp_path)
    assert [(Path(d.name).name, Path(d.target).name) for d in result.documents] == [
        ("a.id.txt", "a.en.txt"), ("b.id.txt", "b.en.txt")]
    assert not result.documents[0].issues and result.documents[1].issues


def test_one_bad_file_is_its_own_error_and_the_rest_is_checked(tmp_path: Path, capsys) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "out").mkdir()
    (tmp_path / "src" / "a.id.txt").write_text(ARTICLE_ID, encoding="utf-8")
    (tmp_path / "out" / "a.en.txt").write_text(GIBBERISH, encoding="utf-8")
    (tmp_path / "src" / "b.id.txt").write_bytes(b"\xff\xfe\x00bad")
    (tmp_path / "out" / "b.en.txt").write_text(ARTICLE_EN, encoding="utf-8")
    code, rows, err = _qa(capsys, str(tmp_path / "src"), str(tmp_path / "out"))
    assert code != 0 and rows and "b.id.txt" in err and "Traceback" not in err


def test_checks_and_skip_options(tmp_path: Path, capsys) -> None:
    source, target = _pair(tmp_path, GIBBERISH)
    _, rows, _ = _qa(capsys, str(source), str(target), "--checks", "repetition")
    assert {row["check"] for row in rows} == {"repetition"}
    _, rows, _ = _qa(capsys, str(source), str(target), "--skip", "numbers")
    assert {row["check"] for row in rows} == {"repetition"}
    assert _qa(capsys, str(source), str(target), "--skip", "repetition,numbers")[1] == []
    assert main(["qa", str(source), str(target), "--checks", "spelling"]) == 2
    assert "unknown QA check(s): spelling" in capsys.readouterr().err


def test_reports_by_extension(tmp_path: Path, capsys) -> None:
    source, target = _pair(tmp_path, GIBBERISH)
    outputs = [tmp_path / "qa.html", tmp_path / "qa.jsonl", tmp_path / "qa.txt"]
    args = ["qa", str(source), str(target), "--no-glossary"]
    for path in outputs:
        args += ["-o", str(path)]
    assert main(args) == 0
    table = capsys.readouterr().out
    assert "repetition" in table and "SEVERITY" in table and "Sever Sever" in table
    assert (tmp_path / "qa.txt").read_text(encoding="utf-8").strip() == table.strip()
    rows = [json.loads(line) for line in (tmp_path / "qa.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {"segment", "check", "severity", "message", "source", "target"} <= set(rows[0])
    page = (tmp_path / "qa.html").read_text(encoding="utf-8")
    assert '<mark class="error"' in page and "Sever Sever" in page


def test_html_page_escapes_document_text(tmp_path: Path) -> None:
    source, target = _pair(tmp_path, GIBBERISH.replace("Floods Submerge", "<script>alert(1)</script> Floods"))
    result = check_files(source, target)
    page_path = tmp_path / "qa.html"
    write_qa_report(page_path, [i for d in result.documents for i in d.issues], result.documents)
    page = page_path.read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script" not in page.lower()
    assert not re.search(r"<[^>]+\son\w+\s*=", page)  # no inline event handlers
    assert "Content-Security-Policy" in page


def test_copy_engine_against_itself_gives_only_untranslated(tmp_path: Path, capsys) -> None:
    source, _ = _pair(tmp_path, ARTICLE_EN)
    code, rows, _ = _qa(capsys, str(source), str(source))
    assert code == 0 and rows and {row["check"] for row in rows} == {"untranslated"}
    assert main(["run", str(source), "--engine", "copy", "-o", str(tmp_path / "copy"), "-q", "--no-glossary",
                 "--qa-report", str(tmp_path / "copy.jsonl")]) == 0
    rows = [json.loads(line) for line in (tmp_path / "copy.jsonl").read_text(encoding="utf-8").splitlines()]
    assert rows and {row["check"] for row in rows} == {"untranslated"}
    assert "qa: " in capsys.readouterr().err


def test_max_length_4_is_flagged_as_cut(tmp_path: Path, tiny_model_dir: Path, capsys) -> None:
    """Localized numbers are re-inserted whatever the model does: the cut sentences are still flagged."""
    source, _ = _pair(tmp_path, ARTICLE_EN)
    report = tmp_path / "qa.jsonl"
    assert main(["run", str(source), "--engine", "marian", "--model", str(tiny_model_dir), "--beam", "1",
                 "--max-length", "4", "--no-glossary", "-o", str(tmp_path / "out"), "-q",
                 "--qa-report", str(report), "--qa-checks", "truncated,length"]) == 0
    rows = [json.loads(line) for line in report.read_text(encoding="utf-8").splitlines()]
    document = segment_document(get_format("text").read(source.read_bytes(), str(source)))
    sentences = [str(s.id) for s in document.segments() if s.source.endswith(".")]
    assert len(sentences) == 3
    flagged = {row["segment"] for row in rows if row["code"] in ("truncated", "too-short")}
    assert set(sentences) <= flagged
    # the engine says it stopped at the limit: every segment is "truncated", the headline
    # without a period too (nothing in its text shows the cut)
    cut = {row["segment"] for row in rows if row["code"] == "truncated"}
    assert cut == {str(s.id) for s in document.segments()} and f"{source}#0.0" in cut
    assert "qa: " in capsys.readouterr().err


def test_run_writes_the_html_page(tmp_path: Path, tiny_model_dir: Path) -> None:
    source, _ = _pair(tmp_path, ARTICLE_EN)
    engine = create_engine("marian", model=str(tiny_model_dir), beam=1, max_length=4)
    from translate.localize import Localizer
    from translate.pipeline import run

    report = run([source], engine, tmp_path / "out", localizer=Localizer())
    assert report.qa_documents and report.qa_documents[0].units
    write_qa_report(tmp_path / "qa.html", report.qa, report.qa_documents)
    text = re.sub(r"<[^>]+>", "", (tmp_path / "qa.html").read_text(encoding="utf-8"))
    assert "Banjir setinggi 2,5 meter merendam" in text  # the source shows the Indonesian, not "2.5 m"
    assert "2.5 m" in text  # the translation shows the rendered quantity


@pytest.mark.parametrize("engine", ["marian", "ct2"])
def test_a_model_writing_gibberish_is_flagged_on_every_segment(tmp_path: Path, tiny_model_dir: Path,
                                                               engine: str, capsys) -> None:
    """The random test model loops on a few pieces until the limit: every segment has an error."""
    if engine == "ct2":
        pytest.importorskip("ctranslate2")
    source, _ = _pair(tmp_path, ARTICLE_EN)
    report = tmp_path / "qa.jsonl"
    assert main(["run", str(source), "--engine", engine, "--model", str(tiny_model_dir), "--max-length", "24",
                 "--no-glossary", "-o", str(tmp_path / "out"), "--qa-report", str(report)]) == 0
    rows = [json.loads(line) for line in report.read_text(encoding="utf-8").splitlines()]
    document = segment_document(get_format("text").read(source.read_bytes(), str(source)))
    errors = {row["segment"] for row in rows if row["severity"] == "error"}
    assert errors == {str(s.id) for s in document.segments()}
    assert {"repetition", "truncated"} <= {row["check"] for row in rows}
    assert f"qa: {len(rows)} finding(s)" in capsys.readouterr().err


SURE_ARTICLE = """\
Warga diminta tetap tenang.

Hujan turun di Bekasi.

Presiden tiba di Moskwa pada hari Senin.

Banjir merendam tujuh kelurahan.

Wali Kota meninjau lokasi.

Sekolah diliburkan.
"""


@pytest.mark.parametrize("engine", ["marian", "ct2"])
def test_a_glossary_term_the_model_did_not_want_is_flagged_as_low_confidence(
        tmp_path: Path, tiny_model_dir: Path, engine: str) -> None:
    """A model sure of one piece ("Se Se Se", log-probability near 0) forced to write "Moscow":
    that segment's engine score falls far below the document's, the only confidence finding."""
    if engine == "ct2":
        pytest.importorskip("ctranslate2")
    from transformers import MarianMTModel, MarianTokenizer

    model_dir = tmp_path / "sure"
    shutil.copytree(tiny_model_dir, model_dir)
    model = MarianMTModel.from_pretrained(str(tiny_model_dir))
    piece = MarianTokenizer.from_pretrained(str(tiny_model_dir)).convert_tokens_to_ids("▁Se")
    assert piece != model.config.pad_token_id and piece > 2  # a real piece, not <unk>
    model.final_logits_bias[0, piece] = 8.0
    model.save_pretrained(str(model_dir))
    glossary = tmp_path / "house.tsv"
    glossary.write_text("source\ttarget\talternatives\tcategory\tcase_sensitive\tnote\n"
                        "Moskwa\tMoscow\t\tplace\tno\t\n", encoding="utf-8")
    source = tmp_path / "sure.id.txt"
    source.write_text(SURE_ARTICLE, encoding="utf-8")
    report = tmp_path / "qa.jsonl"
    assert main(["run", str(source), "--engine", engine, "--model", str(model_dir), "--max-length", "12",
                 "--no-curated-glossary", "--glossary", str(glossary), "-o", str(tmp_path / "out"), "-q",
                 "--qa-report", str(report)]) == 0
    rows = [json.loads(line) for line in report.read_text(encoding="utf-8").splitlines()]
    [low] = [row for row in rows if row["check"] == "confidence"]
    assert low["segment"] == f"{source}#2.0" and "Moscow" in low["target"]
    assert low["severity"] == "warning" and "median is 9" in low["message"]  # the others: ~94%
