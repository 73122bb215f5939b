"""Resume that notices changes: --skip-existing keeps only outputs made from the same source and settings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from folders import article_folder

from translate.cli import main
from translate.engines import create_engine
from translate.manifest import (
    EDITED,
    MANIFEST_NAME,
    NOT_RECORDED,
    SETTINGS_CHANGED,
    SOURCE_CHANGED,
    OutputRecord,
    append_record,
    read_records,
)
from translate.pipeline import run


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    texts = {"a": "Harga beras naik.", "b": "Banjir di Bekasi.", "c": "Warga tenang."}
    return article_folder(tmp_path / "in", texts)


def cli_run(folder: Path, out: Path, engine: str, *extra: str) -> int:
    return main(["run", str(folder), "-o", str(out), "--engine", engine, "--no-glossary", "-q", *extra])


def test_every_written_output_is_recorded_beside_it(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    report = run([folder], create_engine("pseudo"), out)
    records = read_records(out)
    assert sorted(records) == ["a.en.txt", "b.en.txt", "c.en.txt"]
    import hashlib

    record = records["a.en.txt"]
    assert record.source_sha256 == hashlib.sha256((folder / "a.id.txt").read_bytes()).hexdigest()
    assert record.output_sha256 == hashlib.sha256((out / "a.en.txt").read_bytes()).hexdigest()
    assert record.signature == report.signature and record.source == str(folder / "a.id.txt")
    # one JSON line per output, never anything inside the document
    lines = (out / MANIFEST_NAME).read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3 and all(json.loads(line)["output"] for line in lines)
    assert MANIFEST_NAME.encode() not in (out / "a.en.txt").read_bytes()


def test_a_corrected_source_is_translated_again(folder: Path, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert cli_run(folder, out, "pseudo") == 0
    before = {p.name: p.read_bytes() for p in out.glob("*.en.txt")}
    (folder / "b.id.txt").write_text("Banjir besar di Bekasi.\n", encoding="utf-8")  # corrected
    capsys.readouterr()
    assert cli_run(folder, out, "pseudo", "--skip-existing") == 0
    err = capsys.readouterr().err
    assert "translated 1 existing output(s) again (--skip-existing): 1 source changed" in err
    assert "kept 2 existing output(s) (--skip-existing): 2 unchanged" in err
    assert "béšåŕ" in (out / "b.en.txt").read_text(encoding="utf-8")  # "besar", pseudo-translated
    assert (out / "a.en.txt").read_bytes() == before["a.en.txt"]
    assert read_records(out)["b.en.txt"].source_sha256 != read_records(out)["a.en.txt"].source_sha256


def pseudo_then_resume(folder: Path, out: Path, engine: str, capsys: pytest.CaptureFixture[str]) -> str:
    """A pseudo run, then ``engine`` with --skip-existing: the second run's stderr."""
    assert cli_run(folder, out, "pseudo") == 0
    capsys.readouterr()
    assert cli_run(folder, out, engine, "--skip-existing") == 0
    return capsys.readouterr().err


def test_a_pseudo_output_is_not_kept_as_a_translation(folder: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    err = pseudo_then_resume(folder, out, "copy", capsys)
    assert "translated 3 existing output(s) again (--skip-existing): 3 settings changed" in err
    for name in "abc":  # copy writes the source: the pseudo-translations are gone
        assert (out / f"{name}.en.txt").read_bytes() == (folder / f"{name}.id.txt").read_bytes()


def test_unchanged_outputs_are_kept_and_nothing_is_said_about_work_not_done(
        folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = pseudo_then_resume(folder, tmp_path / "out", "pseudo", capsys)
    assert "kept 3 existing output(s) (--skip-existing): 3 unchanged" in err
    assert "qa:" not in err and "translating" not in err and "again" not in err


def test_outputs_no_run_recorded_or_edited_since_are_kept_with_a_warning(
        folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Replacing a reference translation or a post-edit would lose someone's work."""
    out = tmp_path / "out"
    assert cli_run(folder, out, "pseudo") == 0
    (out / "a.en.txt").write_text("Rice prices rose (post-edited).\n", encoding="utf-8")
    (folder / "a.id.txt").write_text("Harga beras naik tajam.\n", encoding="utf-8")  # and its source changed
    (out / "c.en.txt").unlink()
    (out / "c.en.txt").write_text("A reference written by hand.\n", encoding="utf-8")
    lines = (out / MANIFEST_NAME).read_text(encoding="utf-8").splitlines()
    (out / MANIFEST_NAME).write_text("\n".join(x for x in lines if '"c.en.txt"' not in x) + "\n", "utf-8")
    capsys.readouterr()
    report = run([folder], create_engine("pseudo"), out, skip_existing=True)
    assert report.resume[out / "a.en.txt"].reason == EDITED
    assert report.resume[out / "a.en.txt"].detail == "its source changed too"
    assert report.resume[out / "c.en.txt"].reason == NOT_RECORDED
    assert (out / "a.en.txt").read_text(encoding="utf-8") == "Rice prices rose (post-edited).\n"
    assert (out / "c.en.txt").read_text(encoding="utf-8") == "A reference written by hand.\n"
    assert cli_run(folder, out, "pseudo", "--skip-existing") == 0
    err = capsys.readouterr().err
    assert "warning: kept 1 output(s) that no run recorded" in err and "c.en.txt" in err
    assert "warning: kept 1 output(s) changed since they were written" in err


def test_reasons_follow_the_latest_record_and_survive_a_torn_line(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    target = out / "x.en.txt"
    append_record(target, OutputRecord.now(target, Path("x.id.txt"), "s1", "o1", "sig1"))
    append_record(target, OutputRecord.now(target, Path("x.id.txt"), "s2", "o2", "sig2"))
    with (out / MANIFEST_NAME).open("a", encoding="utf-8") as handle:
        handle.write('{"output": "x.en.txt", "sour')  # a crash while appending
    record = read_records(out)["x.en.txt"]
    assert (record.source_sha256, record.output_sha256, record.signature) == ("s2", "o2", "sig2")
    from translate.manifest import resume_decision

    assert resume_decision(record, "o2", "s2", "sig2").keep
    assert resume_decision(record, "o2", "s3", "sig2").reason == SOURCE_CHANGED
    assert resume_decision(record, "o2", "s2", "sig3").reason == SETTINGS_CHANGED
    assert resume_decision(record, "o9", "s2", "sig2").reason == EDITED
    assert resume_decision(None, "o2", "s2", "sig2").reason == NOT_RECORDED


def test_the_manifest_is_never_taken_for_an_input(folder: Path, tmp_path: Path) -> None:
    assert run([folder], create_engine("pseudo")).results  # outputs (and the manifest) beside the inputs
    assert (folder / MANIFEST_NAME).is_file()
    report = run([folder], create_engine("pseudo"), skip_existing=True)
    assert not report.results and len(report.existing) == 3
