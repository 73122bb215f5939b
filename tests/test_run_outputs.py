"""Outputs other accounts can read, the standard streams, and messages only about work that happened."""

from __future__ import annotations

import io
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from translate import textio
from translate.cli import main
from translate.engines.simple import pseudo_translate


@pytest.fixture
def umask() -> Iterator[callable]:
    """Set the process umask for a test, restoring it after."""
    previous = os.umask(0o022)
    os.umask(previous)
    yield os.umask
    os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize(("mask", "expected"), [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_new_files_get_the_permissions_the_umask_gives(tmp_path: Path, umask, mask: int,
                                                       expected: int) -> None:
    umask(mask)
    target = tmp_path / "a.en.txt"
    textio.write_atomic(target, b"Prices rose.\n")
    assert mode(target) == expected


def test_a_replaced_output_keeps_its_mode(tmp_path: Path, umask) -> None:
    umask(0o022)
    target = tmp_path / "a.en.txt"
    target.write_bytes(b"old")
    target.chmod(0o640)  # the owner chose: group may read, others not
    textio.write_atomic(target, b"new", overwrite=True)
    assert target.read_bytes() == b"new" and mode(target) == 0o640


def test_a_run_and_its_reports_are_readable_by_other_accounts(tmp_path: Path, umask) -> None:
    umask(0o022)
    source = tmp_path / "a.id.md"
    source.write_text("# Banjir\n\nHarga beras naik di Jakarta.\n", encoding="utf-8")
    out = tmp_path / "out"
    reports = [tmp_path / "qa.html", tmp_path / "qa.jsonl", tmp_path / "terms.tsv", tmp_path / "log.jsonl"]
    assert main(["run", str(source), "-o", str(out), "--engine", "pseudo", "-q",
                 "--qa-report", str(reports[0]), "--terms-report", str(reports[2]),
                 "--log", str(reports[3])]) == 0
    assert main(["qa", str(source), str(out / "a.en.md"), "-o", str(reports[1]), "-q"]) in (0, 1)
    for path in [out / "a.en.md", out / ".translate-manifest.jsonl", *reports]:
        assert mode(path) == 0o644, path


def test_an_evaluation_report_is_readable_by_other_accounts(tmp_path: Path, umask) -> None:
    umask(0o022)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.id.txt").write_text("Harga beras naik.\n", encoding="utf-8")
    (corpus / "a.en.txt").write_text("Rice prices rose.\n", encoding="utf-8")
    assert main(["eval", str(corpus), "--out", str(tmp_path / "report"), "--engine", "copy",
                 "--bootstrap", "0", "--no-glossary", "-q"]) == 0
    files = [p for p in (tmp_path / "report").rglob("*") if p.is_file()]
    assert files and all(mode(p) == 0o644 for p in files), [(p.name, oct(mode(p))) for p in files]


# --------------------------------------------------------------------------- standard streams


class Stdin:
    """A standard input holding ``data`` that records how much was asked of it."""

    def __init__(self, data: bytes) -> None:
        self.buffer = io.BytesIO(data)
        self.asked: list[int] = []
        read = self.buffer.read

        def counting(size: int = -1) -> bytes:
            self.asked.append(size)
            return read(size)

        self.buffer.read = counting  # type: ignore[method-assign]


def test_standard_input_to_standard_output(monkeypatch: pytest.MonkeyPatch,
                                           capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    stdin = Stdin(b"Harga naik.\n\nBanjir surut.\n")
    monkeypatch.setattr(sys, "stdin", stdin)
    assert main(["run", "-", "--format", "text", "--engine", "pseudo", "--no-glossary"]) == 0
    out, err = capsysbinary.readouterr()
    expected = f"{pseudo_translate('Harga naik.')}\n\n{pseudo_translate('Banjir surut.')}\n"
    assert out.decode("utf-8") == expected
    assert b"<stdin> -> <stdout>" in err and b"wrote 1 file(s)" in err  # messages on stderr only
    assert stdin.asked == [textio.MAX_INPUT_BYTES + 1]  # never more than the limit + 1 byte


def test_one_file_to_standard_output(tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    source = tmp_path / "a.id.md"
    source.write_text("# Judul\n\nIsi *berita*.\n", encoding="utf-8")
    assert main(["run", str(source), "-o", "-", "--engine", "copy", "-q"]) == 0
    out, _ = capsysbinary.readouterr()
    assert out == source.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.id.md"]  # nothing written beside it


def test_standard_input_over_the_limit_is_refused(monkeypatch: pytest.MonkeyPatch,
                                                  capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    monkeypatch.setattr(textio, "MAX_INPUT_BYTES", 10)
    monkeypatch.setattr(sys, "stdin", Stdin(b"Harga beras naik lagi.\n"))
    assert main(["run", "-", "--format", "text", "--engine", "pseudo"]) == 2
    out, err = capsysbinary.readouterr()
    assert out == b"" and b"standard input is over the 10-byte limit" in err


@pytest.mark.parametrize(("args", "message"), [
    (["-"], "has no file name to tell its format by"),
    (["-", "--format", "text", "-o", "outdir"], "goes to standard output"),
    (["-", "other.id.txt", "--format", "text"], "translated on its own"),
    (["FOLDER", "-o", "-"], "writes one document to standard output"),
])
def test_what_the_standard_streams_cannot_do_is_refused_before_work(
        args: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = [str(tmp_path) if a == "FOLDER" else a for a in args]
    assert main(["run", *args, "--engine", "pseudo"]) == 2
    err = capsys.readouterr().err
    assert message in err and "glossary" not in err  # before anything else is loaded


def test_a_file_named_dash_is_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("-").write_text("Harga naik.\n", encoding="utf-8")
    assert main(["run", "./-", "--format", "text", "--engine", "copy", "-q"]) == 0
    assert Path("-.en").read_text(encoding="utf-8") == "Harga naik.\n"


# --------------------------------------------------------------------------- messages


def test_a_run_that_did_no_work_says_nothing_about_it(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "a.id.txt"
    source.write_text("Harga naik.\n", encoding="utf-8")
    (tmp_path / "a.en.txt").write_text("exists", encoding="utf-8")
    assert main(["run", str(source), "--engine", "pseudo"]) == 3
    err = capsys.readouterr().err
    assert "output exists" in err
    for line in err.splitlines():  # no QA, terms, memory or progress line for work that did not happen
        assert not line.startswith(("qa:", "terms:", "tm:", "translating", "progress:")), line
    assert "wrote 0 file(s); 1 of 1 file(s) failed" in err
