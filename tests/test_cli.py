"""The command line end to end: runs on the corpora, error paths, output rules."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from translate import textio
from translate.cli import main
from translate.formats import get_format

CORPORA = Path(__file__).resolve().parent.parent / "corpora"
SOURCES = sorted(p for p in CORPORA.iterdir() if ".id." in p.name)


def test_corpora_have_sources() -> None:
    assert len(SOURCES) >= 3


def test_copy_run_reproduces_every_corpus_file(tmp_path: Path) -> None:
    assert main(["run", str(CORPORA), "-o", str(tmp_path), "--engine", "copy", "-q"]) == 0
    for source in SOURCES:
        output = tmp_path / source.name.replace(".id.", ".en.")
        assert output.read_bytes() == source.read_bytes(), source.name
    # the corpus's English README is not a source: only .id. files are taken from a tagged folder
    expected = sorted(s.name.replace(".id.", ".en.") for s in SOURCES)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".translate-manifest.jsonl", *expected]


def assert_same_structure(source: Path, output: Path) -> None:
    """Same paragraphs, line-ending style, and (Markdown) the same block kinds and skeleton."""
    before, after = source.read_bytes(), output.read_bytes()
    assert after != before, source.name
    if source.suffix == ".docx":  # a zip: compare paragraphs, runs, links, fields and untouched parts
        from translate.formats.docx import structure

        assert structure(after) == structure(before), source.name
        return
    paragraphs = re.compile(rb"(?:\r?\n[ \t]*){2,}")
    assert len(paragraphs.split(before.strip())) == len(paragraphs.split(after.strip())), source.name
    assert (b"\r\n" in before) == (b"\r\n" in after)  # CRLF files stay CRLF ...
    bare_lf = before.count(b"\n") - before.count(b"\r\n")
    assert (bare_lf == 0) == (after.count(b"\n") - after.count(b"\r\n") == 0)  # ... and LF files LF
    if source.suffix == ".md":
        fmt = get_format("markdown")
        doc_before, doc_after = fmt.read(before, "a"), fmt.read(after, "b")
        assert [b.kind for b in doc_before.blocks] == [b.kind for b in doc_after.blocks]
        skeleton = [p for p in doc_before.parts if isinstance(p, str)]
        assert skeleton == [p for p in doc_after.parts if isinstance(p, str)]


def test_pseudo_run_changes_text_but_keeps_structure(tmp_path: Path) -> None:
    assert main(["run", *map(str, SOURCES), "-o", str(tmp_path), "--engine", "pseudo", "-q"]) == 0
    for source in SOURCES:
        assert_same_structure(source, tmp_path / source.name.replace(".id.", ".en."))


def test_marian_run_on_corpora_with_tiny_model(tmp_path: Path, tiny_model_dir: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["run", str(CORPORA), "-o", str(tmp_path / "out"), "--model", str(tiny_model_dir),
                 "--engine", "marian", "--beam", "2", "--max-length", "12", "-q"])
    assert code == 0
    err = capsys.readouterr().err
    assert "engine=marian" in err and str(tiny_model_dir) in err
    for source in SOURCES:
        assert_same_structure(source, tmp_path / "out" / source.name.replace(".id.", ".en."))


def test_output_beside_input_is_renamed(tmp_path: Path) -> None:
    src = tmp_path / "berita.id.md"
    src.write_text("# Judul\n\nIsi berita.\n", encoding="utf-8")
    assert main(["run", str(src), "--engine", "copy", "-q"]) == 0
    assert (tmp_path / "berita.en.md").read_bytes() == src.read_bytes()


def test_existing_output_is_not_overwritten(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "a.id.txt"
    src.write_text("Halo.\n", encoding="utf-8")
    out = tmp_path / "a.en.txt"
    out.write_text("keep me", encoding="utf-8")
    assert main(["run", str(src), "--engine", "pseudo", "-q"]) != 0
    assert out.read_text(encoding="utf-8") == "keep me"
    assert "--overwrite" in capsys.readouterr().err
    assert main(["run", str(src), "--engine", "pseudo", "-q", "--overwrite"]) == 0
    assert out.read_text(encoding="utf-8") != "keep me"


def test_skip_existing_resumes_a_folder_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("a", "b", "c"):
        (folder / f"{name}.id.txt").write_text(f"Berita {name} hari ini.\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "b.en.txt").write_text("done before the crash", encoding="utf-8")
    assert main(["run", str(folder), "-o", str(out), "--engine", "pseudo", "-q", "--skip-existing"]) == 0
    err = capsys.readouterr().err
    assert "kept 1 existing output(s)" in err and "wrote 2 file(s)" in err and "error" not in err
    assert (out / "b.en.txt").read_text(encoding="utf-8") == "done before the crash"
    assert (out / "a.en.txt").exists() and (out / "c.en.txt").exists()
    # everything there: nothing to do, still a success
    assert main(["run", str(folder), "-o", str(out), "--engine", "pseudo", "-q", "--skip-existing"]) == 0
    assert "kept 3 existing output(s)" in capsys.readouterr().err


def _one_error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, err
    return errors[0]


def test_non_utf8_reports_byte_offset(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "latin.id.txt"
    src.write_bytes(b"Baris satu.\nCaf\xe9 dua.\n")
    assert main(["run", str(src), "--engine", "copy"]) == 2
    line = _one_error(capsys)
    assert str(src) in line and "byte offset 15" in line and "line 2" in line
    assert not (tmp_path / "latin.en.txt").exists()


def test_bom_is_accepted_and_kept(tmp_path: Path) -> None:
    src = tmp_path / "bom.id.txt"
    src.write_bytes(b"\xef\xbb\xbfHalo dunia.\n")
    assert main(["run", str(src), "--engine", "copy", "-q"]) == 0
    assert (tmp_path / "bom.en.txt").read_bytes() == src.read_bytes()


def test_empty_file_writes_empty_output_and_warns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "kosong.id.txt"
    src.write_bytes(b"")
    assert main(["run", str(src), "--engine", "copy"]) == 0
    assert (tmp_path / "kosong.en.txt").read_bytes() == b""
    assert "warning:" in capsys.readouterr().err


def test_binary_file_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "gambar.id.txt"
    src.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert main(["run", str(src), "--engine", "copy"]) == 2
    assert "binary" in _one_error(capsys)


def test_file_over_size_limit_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(textio, "MAX_INPUT_BYTES", 10)
    src = tmp_path / "besar.id.txt"
    src.write_text("Kalimat yang terlalu panjang.\n", encoding="utf-8")
    assert main(["run", str(src), "--engine", "copy"]) == 2
    assert "limit" in _one_error(capsys)


def test_unknown_extension(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "data.id.xyz"
    src.write_text("Halo.", encoding="utf-8")
    assert main(["run", str(src), "--engine", "copy"]) == 2
    line = _one_error(capsys)
    assert ".xyz" in line and "--format" in line


def test_missing_and_unreadable_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(tmp_path / "tidak-ada.id.txt"), "--engine", "copy"]) == 2
    assert "no such file" in _one_error(capsys)
    src = tmp_path / "rahasia.id.txt"
    src.write_text("Halo.", encoding="utf-8")

    def denied(path: Path) -> int:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(textio, "_open_input", denied)  # chmod does not stop root
    assert main(["run", str(src), "--engine", "copy", "--no-glossary"]) == 2
    assert "permission denied" in _one_error(capsys)


def test_folder_run_carries_on_and_lists_failures(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.id.txt").write_text("Satu.\n", encoding="utf-8")
    (folder / "sub" / "b.id.md").write_text("# Dua\n", encoding="utf-8")
    (folder / "rusak.id.txt").write_bytes(b"\xff\xfe")
    (folder / "catatan.id.pdf").write_bytes(b"%PDF")
    assert main(["run", str(folder), "-o", str(tmp_path / "out"), "--engine", "copy"]) == 2
    err = capsys.readouterr().err
    assert (tmp_path / "out" / "a.en.txt").read_text(encoding="utf-8") == "Satu.\n"
    assert (tmp_path / "out" / "sub" / "b.en.md").read_text(encoding="utf-8") == "# Dua\n"
    assert not (tmp_path / "out" / "rusak.en.txt").exists()
    assert "1 of 3 file(s) failed" in err and "rusak.id.txt" in err
    assert "skipped 1 file(s) with unknown extensions" in err


def test_missing_model_is_one_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "a.id.txt"
    src.write_text("Halo.", encoding="utf-8")
    assert main(["run", str(src), "--model", str(tmp_path / "no-model")]) == 4
    line = _one_error(capsys)
    assert "--model" in line and "HF_HUB_OFFLINE" in line
    assert not (tmp_path / "a.en.txt").exists()


def test_unknown_engine_lists_valid_ones(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "x.txt", "--engine", "nope"]) == 4
    assert "copy" in _one_error(capsys)


def test_segment_prints_ids_and_sentences(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "s.id.md"
    src.write_text("# Judul\n\nDr. Ani tiba pukul 14.00 WIB. Ia **disambut** warga.\n", encoding="utf-8")
    assert main(["segment", str(src)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        f"{src}#0.0\tJudul",
        f"{src}#1.0\tDr. Ani tiba pukul 14.00 WIB.",
        f"{src}#1.1\tIa **disambut** warga.",
    ]


def test_score_prints_three_metrics_with_signatures(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    ref = CORPORA / "banjir-bekasi.en.txt"
    hyp = tmp_path / "hyp.en.txt"
    shutil.copy(ref, hyp)
    assert main(["score", str(hyp), str(ref)]) == 0
    out = capsys.readouterr().out
    assert "BLEU    100.00" in out and "nrefs:1" in out
    assert "chrF++" in out and "nw:2" in out
    assert "TER       0.00" in out


def test_score_count_mismatch_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hyp, ref = tmp_path / "h.txt", tmp_path / "r.txt"
    hyp.write_text("Satu.\n\nDua.\n", encoding="utf-8")
    ref.write_text("One.\n", encoding="utf-8")
    assert main(["score", str(hyp), str(ref)]) == 7
    line = _one_error(capsys)
    assert "2 paragraphs" in line and "1" in line


def test_python_m_entry_point_runs() -> None:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "translate", "--version"], capture_output=True, text=True)
    assert done.returncode == 0 and "translate" in done.stdout
