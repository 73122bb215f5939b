"""One file's failure is that file's error: crashes, full disks, odd paths and odd names never end a run."""

from __future__ import annotations

import errno
import os
import re
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from folders import article_folder

from translate import pipeline
from translate.cli import main
from translate.engines import create_engine
from translate.engines.base import Translation
from translate.errors import InternalError, OutputError
from translate.formats.text import TextFormat
from translate.localize import Localizer
from translate.manifest import MANIFEST_NAME
from translate.pipeline import run


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Three short articles: the middle one is the one that breaks."""
    texts = {"a": "Harga naik.", "b": "Bom meledak di pasar.", "c": "Warga tenang."}
    return article_folder(tmp_path / "in", texts)


@pytest.fixture(autouse=True)
def _no_hang() -> Iterator[None]:
    """A read that never ends (a FIFO, /dev/zero) fails the test instead of hanging the suite."""
    def timeout(*_: object) -> None:
        raise TimeoutError("the run hung")

    previous = signal.signal(signal.SIGALRM, timeout)
    signal.alarm(60)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def written(folder: Path) -> list[str]:
    """Every file in ``folder`` but the manifest of what made the outputs (temporary files too)."""
    return sorted(p.name for p in folder.iterdir() if p.name != MANIFEST_NAME)


def assert_internal_error(error: object, name: str, stage: str, kind: str) -> None:
    assert isinstance(error, InternalError)
    assert name in str(error) and f"internal error while {stage}: {kind}" in str(error)
    log = Path(re.search(r"traceback in (\S+);", str(error)).group(1))
    assert "Traceback" in log.read_text(encoding="utf-8") and name in log.read_text(encoding="utf-8")


def test_a_reader_crash_is_that_files_error(folder: Path, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    original = TextFormat.read

    def crashing(self: TextFormat, data: bytes, name: str):
        if "b.id" in name:
            raise AttributeError("'NoneType' object has no attribute 'start'")  # a lexer bug
        return original(self, data, name)

    monkeypatch.setattr(TextFormat, "read", crashing)
    report = run([folder], create_engine("copy"), tmp_path / "out")
    assert written(tmp_path / "out") == ["a.en.txt", "c.en.txt"]
    [failure] = report.failures
    assert_internal_error(failure.error, "b.id.txt", "reading", "AttributeError")


class ExplodingEngine:
    """Pseudo-translates, but raises on one word: a model bug on one input."""

    name = "exploding"
    keeps_codes = True
    translates = False
    localizes = True
    chunk_size = 64

    def load(self) -> None:
        """Nothing to load."""

    def signature(self) -> str:
        return "engine=exploding"

    def translate(self, texts: list[str], align=None, constraints=None) -> list[Translation]:
        if any("meledak" in text for text in texts):
            raise RuntimeError("CUDA error: device-side assert triggered")
        return create_engine("pseudo").translate(texts)


def test_a_translation_failure_loses_only_the_failing_document(folder: Path, tmp_path: Path) -> None:
    report = run([folder], ExplodingEngine(), tmp_path / "out")
    assert written(tmp_path / "out") == ["a.en.txt", "c.en.txt"]
    assert "[" in (tmp_path / "out" / "a.en.txt").read_text(encoding="utf-8")
    [failure] = report.failures
    assert_internal_error(failure.error, "b.id.txt", "translating", "RuntimeError: CUDA error")


def test_localizer_and_writer_crashes_are_file_errors(folder: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    protect = pipeline.protect_document

    def crashing_protect(document, localizer):
        if "a.id" in document.name:
            raise KeyError("month")
        return protect(document, localizer)

    write = TextFormat.write

    def crashing_write(self: TextFormat, document):
        if "c.id" in document.name:
            raise TypeError("expected str")
        return write(self, document)

    monkeypatch.setattr(pipeline, "protect_document", crashing_protect)
    monkeypatch.setattr(TextFormat, "write", crashing_write)
    report = run([folder], create_engine("pseudo"), tmp_path / "out", localizer=Localizer())
    assert written(tmp_path / "out") == ["b.en.txt"]
    errors = {f.job.source.name: f.error for f in report.failures}
    assert_internal_error(errors["a.id.txt"], "a.id.txt", "localizing", "KeyError")
    assert_internal_error(errors["c.id.txt"], "c.id.txt", "writing", "TypeError")


def test_cli_reports_internal_errors_in_one_line_and_goes_on(folder: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    original = TextFormat.read

    def crashing(self: TextFormat, data: bytes, name: str):
        return 1 / 0 if "b.id" in name else original(self, data, name)

    monkeypatch.setattr(TextFormat, "read", crashing)
    assert main(["run", str(folder), "-o", str(tmp_path / "out"), "--engine", "copy", "-q"]) == 70
    err = capsys.readouterr().err
    assert "Traceback" not in err and "1 of 3 file(s) failed" in err
    [line] = [line for line in err.splitlines() if line.startswith("error:")]
    assert "b.id.txt" in line and "internal error while reading: ZeroDivisionError" in line
    assert "please report it" in line
    assert written(tmp_path / "out") == ["a.en.txt", "c.en.txt"]


# --------------------------------------------------------------------------- no text


def test_markup_without_text_says_the_output_is_a_copy(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "kode.id.md"
    source.write_text("```\nprint(1)\n```\n\n[ref]: https://contoh.id\n", encoding="utf-8")
    empty = tmp_path / "kosong.id.txt"
    empty.write_bytes(b"")
    assert main(["run", str(source), str(empty), "--engine", "pseudo", "--no-glossary"]) == 0
    err = capsys.readouterr().err
    assert f"warning: {source}: no translatable text: output is a copy of the input" in err
    assert f"warning: {empty}: empty input: wrote an empty output" in err
    assert (tmp_path / "kode.en.md").read_bytes() == source.read_bytes()


# --------------------------------------------------------------------------- writing


def test_a_full_disk_is_that_files_error_and_leaves_no_temporary_file(
        folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    fsync = os.fsync

    def full_once(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 1:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        fsync(fd)

    monkeypatch.setattr(os, "fsync", full_once)
    out = tmp_path / "out"
    report = run([folder], create_engine("copy"), out)
    assert written(out) == ["b.en.txt", "c.en.txt"]  # no .part file left behind
    [failure] = report.failures
    assert isinstance(failure.error, OutputError)
    assert "No space left on device" in str(failure.error) and "a.en.txt" in str(failure.error)
    assert "--skip-existing" in str(failure.error)


def test_an_output_path_that_is_a_folder_is_that_files_error(folder: Path, tmp_path: Path) -> None:
    (folder / "b.en.txt").mkdir()
    for overwrite in (False, True):
        report = run([folder], create_engine("copy"), overwrite=overwrite)
        [failure] = report.failures
        assert "b.en.txt: the output path is a folder" in str(failure.error)
        assert (folder / "a.en.txt").is_file() and (folder / "c.en.txt").is_file()


# --------------------------------------------------------------------------- what is read


@pytest.mark.parametrize(("make", "kind"), [
    (lambda p: os.mkfifo(p), "a FIFO (named pipe)"),
    (lambda p: p.symlink_to("/dev/zero"), "a character device"),
    (lambda p: p.symlink_to("/dev/urandom"), "a character device"),
])
def test_only_regular_files_are_read(tmp_path: Path, make, kind: str,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    special = tmp_path / "x.id.txt"
    make(special)
    assert main(["run", str(special), "--engine", "copy", "--format", "text", "-q"]) == 2
    err = capsys.readouterr().err
    assert f"error: {special}: is {kind}, not a regular file" in err
    assert not (tmp_path / "x.en.txt").exists()


def test_the_size_limit_holds_for_a_file_whose_size_says_nothing(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """19.5: the limit is counted in bytes read, not taken from stat() (a /proc file says 0 bytes)."""
    from translate import textio

    status = Path("/proc/self/status")
    if not status.is_file() or status.stat().st_size:
        pytest.skip("no /proc file that reports 0 bytes here")
    monkeypatch.setattr(textio, "MAX_INPUT_BYTES", 10)
    source = tmp_path / "status.id.txt"
    source.symlink_to(status)
    assert main(["run", str(source), "--engine", "copy", "-q"]) == 2
    err = capsys.readouterr().err
    assert f"error: {source}: file grew while it was read, past the 10-byte limit" in err
    assert not (tmp_path / "status.en.txt").exists()


# --------------------------------------------------------------------------- names and -o


def test_a_name_with_a_line_break_cannot_forge_output_lines(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a\nerror: FAKE.id.txt").write_bytes(b"\xff rusak\n")
    (folder / "b\nerror: FAKE2.id.txt").write_text("Harga naik.\n", encoding="utf-8")
    assert main(["run", str(folder), "--engine", "copy"]) == 2
    err = capsys.readouterr().err
    assert not [line for line in err.splitlines() if line.startswith("error: FAKE")], err
    assert "a\\nerror: FAKE.id.txt" in err and "b\\nerror: FAKE2.en.txt" in err


def test_a_zip_member_name_cannot_forge_lines_either() -> None:
    from translate.errors import InputError

    error = InputError("missing from the zip", path="a.docx", where="member x\nerror: FAKE")
    assert "\n" not in str(error) and "'member x\\nerror: FAKE'" in str(error)


def test_output_folder_equal_to_the_input_folder_writes_beside_the_inputs(
        folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(folder), "-o", str(folder), "--engine", "copy", "-q"]) == 0
    assert written(folder) == ["a.en.txt", "a.id.txt", "b.en.txt", "b.id.txt", "c.en.txt", "c.id.txt"]
    assert "wrote 3 file(s)" in capsys.readouterr().err


def test_no_input_files_says_what_was_looked_for(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.en.txt").write_text("Prices rose.\n", encoding="utf-8")
    assert main(["run", str(tmp_path), "--engine", "copy"]) == 2
    err = capsys.readouterr().err
    assert f"error: no input files found in {tmp_path}" in err and "tagged .en." in err and ".txt" in err


@pytest.mark.parametrize(("make", "message"), [
    (lambda p: p.write_text("x"), "the output folder is a file"),
    (lambda p: p.symlink_to(p.parent / "tidak-ada"), "the output folder is a symbolic link to nothing"),
    (lambda p: p.symlink_to(p), "the output folder is a symbolic link loop"),
])
def test_an_output_folder_that_cannot_be_one_is_one_clear_error(folder: Path, tmp_path: Path, make,
                                                                 message: str,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "keluar"
    make(out)
    assert main(["run", str(folder), "-o", str(out), "--engine", "copy"]) == 3
    [line] = [line for line in capsys.readouterr().err.splitlines() if not line.startswith("note:")]
    assert line.startswith(f"error: {out}: {message} (")
    assert not (tmp_path / "in" / "a.en.txt").exists()


def test_a_file_in_the_way_of_a_mirrored_folder_is_named(tmp_path: Path, folder: Path) -> None:
    (folder / "sub").mkdir()
    (folder / "sub" / "d.id.txt").write_text("Satu.\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "sub").write_text("bukan folder")
    report = run([folder], create_engine("copy"), out)
    [failure] = report.failures
    assert f"cannot write here: {out / 'sub'} is a file, not a folder" in str(failure.error)
    assert written(out) == ["a.en.txt", "b.en.txt", "c.en.txt", "sub"]


def test_a_killed_runs_temporary_files_are_removed_and_nothing_else(tmp_path: Path) -> None:
    """A SIGKILLed run leaves ``.NAME.XXXXXXXX.part`` beside its output; the next run removes those of its
    own outputs written before it started, never another run's work in progress or other files."""
    import time

    from translate.textio import remove_stale_temporaries

    now = time.time()
    left = tmp_path / ".a.en.txt.0123abcd.part"  # an earlier run's, killed
    fresh = tmp_path / ".a.en.txt.89abcdef.part"  # a run writing now
    other = tmp_path / ".b.en.txt.0123abcd.part"  # not an output of this run
    mine = tmp_path / ".a.en.txt.notes.part"  # not a temporary file's name
    for path in (left, fresh, other, mine):
        path.write_bytes(b"half")
        os.utime(path, (now - 100, now - 100))
    os.utime(fresh, (now + 100, now + 100))
    assert remove_stale_temporaries([tmp_path / "a.en.txt", tmp_path / "new" / "c.en.txt"], before=now) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in (fresh, other, mine))
