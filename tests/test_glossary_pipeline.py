"""The glossary guarantee end to end: matches → constraints → marian → audit → score."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from translate.cli import main
from translate.engines import create_engine
from translate.engines.base import TermConstraint
from translate.glossary import load_glossary, term_success_rate
from translate.pipeline import translate_text
from translate.settings import curated_glossary_dir

GLOSSARY = """source\ttarget\talternatives\tcategory\tcase_sensitive\tnote
Moskwa\tMoscow\t\tplace\tno\t
Jawa Barat\tWest Java\t\tplace\tno\t
Menteri Luar Negeri\tForeign Minister\t\ttitle\tno\t
Presiden\tPresident\t\ttitle\tno\t
Selandia Baru\tNew Zealand\t\tplace\tno\t
gencatan senjata\tceasefire\ttruce\tother\tno\t
"""

SEGMENTS = [
    "Presiden tiba di Moskwa pada hari Senin.",
    "Menteri Luar Negeri Rusia berbicara kepada wartawan.",
    "Warga Jawa Barat diminta tetap tenang.",
    "Perdana Menteri Selandia Baru tiba di Jenewa.",
    "Kedua pihak sepakat gencatan senjata di Moskwa dan di Moskwa lagi.",
    "Gubernur Jawa Barat bertemu Presiden di Jakarta.",
    "Harga beras naik di pasar Jakarta pekan lalu.",
]


@pytest.fixture(scope="module")
def glossary_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("glossary") / "news.tsv"
    path.write_text(GLOSSARY, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def engine(tiny_model_dir: Path):
    return create_engine("marian", model=str(tiny_model_dir), beam=4, max_length=24)


def _translate_all(engine, glossary) -> list[str]:
    return [translate_text(text + "\n", engine, glossary=glossary).strip() for text in SEGMENTS]


def test_term_success_is_total_with_the_glossary_and_lower_without(engine, glossary_file: Path) -> None:
    glossary = load_glossary([glossary_file])
    with_terms = term_success_rate(SEGMENTS, _translate_all(engine, glossary), glossary)
    without = term_success_rate(SEGMENTS, _translate_all(engine, None), glossary)
    assert with_terms.total == 10  # Moskwa x3 (two in one segment), Presiden x2, Jawa Barat x2 ...
    assert with_terms.rate == 1.0
    assert without.rate < 0.5


def test_terms_are_whole_words_and_keep_the_glossary_casing(engine, glossary_file: Path) -> None:
    glossary = load_glossary([glossary_file])
    for output in _translate_all(engine, glossary):
        for form in ("Moscow", "West Java", "Foreign Minister", "New Zealand", "President"):
            for m in re.finditer(re.escape(form), output, re.IGNORECASE):
                after = output[m.end() : m.end() + 1]
                assert not after.isalnum(), f"{form!r} runs into the next word in {output!r}"
                assert m.group() == form, output
        for m in re.finditer("ceasefire|truce", output, re.IGNORECASE):
            # a sentence-initial capital is allowed, nothing else changes the glossary's casing
            assert m.group().islower() or m.start() == 0, output


def test_segment_without_terms_decodes_as_the_plain_engine(engine) -> None:
    text = "Harga beras naik di pasar Jakarta pekan lalu."
    plain = engine.translate([text])[0]
    routed = engine.translate([text, "Presiden tiba di Moskwa."],
                              constraints=[[], [TermConstraint(("Moscow",), "Moskwa")]])[0]
    assert routed.tokens == plain.tokens


def test_run_writes_terms_report_and_score_confirms(tmp_path: Path, tiny_model_dir: Path, glossary_file: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "berita.id.txt"
    source.write_text("\n\n".join(SEGMENTS) + "\n", encoding="utf-8")
    report = tmp_path / "terms.jsonl"
    code = main(["run", str(source), "--model", str(tiny_model_dir), "--max-length", "24", "-q",
                 "--no-curated-glossary", "--glossary", str(glossary_file), "--terms-report", str(report)])
    assert code == 0
    err = capsys.readouterr().err
    assert "terms: 10/10" in err and "glossary=" in err
    rows = [json.loads(line) for line in report.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 10 and all(row["found"] for row in rows)
    first = rows[0]
    assert first["segment"] == f"{source}#0.0" and first["source_term"] == "Presiden"
    assert (first["source_start"], first["source_end"], first["surface"]) == (0, 8, "Presiden")
    output = (tmp_path / "berita.en.txt").read_text(encoding="utf-8").split("\n\n")[0]
    assert output[first["target_start"] : first["target_end"]] == first["target_form"] == "President"

    assert main(["score", "--glossary", str(glossary_file), "--source", str(source),
                 str(tmp_path / "berita.en.txt")]) == 0
    out = capsys.readouterr().out
    assert "term_success_rate: 100.00 (10/10)" in out


def test_terms_report_as_tsv(tmp_path: Path, glossary_file: Path) -> None:
    source = tmp_path / "a.id.txt"
    source.write_text("Presiden tiba di Moskwa.\n", encoding="utf-8")
    report = tmp_path / "terms.tsv"
    assert main(["run", str(source), "--engine", "copy", "-q", "--glossary", str(glossary_file),
                 "--terms-report", str(report)]) == 0
    lines = report.read_text(encoding="utf-8").splitlines()
    assert lines[0].split("\t")[:3] == ["segment", "source_term", "category"]
    # the copy engine does not translate: the audit says the terms are missing
    assert [line.split("\t")[-1] for line in lines[1:]] == ["False", "False"]


def test_default_glossary_folder_and_no_glossary(tmp_path: Path, glossary_file: Path,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "glossaries").mkdir()
    (tmp_path / "glossaries" / "news.tsv").write_text(GLOSSARY, encoding="utf-8")
    (tmp_path / "a.id.txt").write_text("Presiden tiba.\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["run", "a.id.txt", "--engine", "copy"]) == 0
    err = capsys.readouterr().err
    both = load_glossary([curated_glossary_dir(), tmp_path / "glossaries"])  # the house file on top
    assert f"glossary: curated + glossaries ({len(both)} terms" in err and f"glossary={both.digest()}" in err
    assert main(["run", "a.id.txt", "--engine", "copy", "--no-glossary", "--overwrite"]) == 0
    err = capsys.readouterr().err
    assert "glossary: none (--no-glossary)" in err and "glossary=none" in err


def test_curated_glossary_is_used_from_any_working_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.id.txt").write_text("Presiden tiba di Moskwa.\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # no ./glossaries/ here
    assert main(["run", "a.id.txt", "--engine", "pseudo", "--terms-report", "terms.jsonl"]) == 0
    err = capsys.readouterr().err
    curated = load_glossary(curated_glossary_dir())
    assert f"glossary: curated ({len(curated)} terms)" in err and f"glossary={curated.digest()}" in err
    rows = [json.loads(line) for line in (tmp_path / "terms.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [row["source_term"] for row in rows] == ["Presiden", "Moskwa"]


def test_broken_glossary_lists_every_problem_and_writes_nothing(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.tsv"
    broken.write_text("Moskwa\tMoscow\nJenewa\t\nMoskwa\tMoskow\nKairo\tCairo\textra\tplace\tno\tnote\tmore\n",
                      encoding="utf-8")
    source = tmp_path / "a.id.txt"
    source.write_text("Presiden tiba.\n", encoding="utf-8")
    assert main(["run", str(source), "--engine", "copy", "--glossary", str(broken)]) == 5
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert f"{broken}:2" in err and f"{broken}:3" in err and f"{broken}:4" in err
    assert not (tmp_path / "a.en.txt").exists()
    assert main(["glossary", "check", str(broken)]) == 5
    out = capsys.readouterr().out.splitlines()
    assert len([line for line in out if line.startswith(str(broken))]) >= 3
