"""translate export / import / tm, and run --tm, through the command line."""

from __future__ import annotations

import shutil
from pathlib import Path

import polib
import pytest
from lxml import etree

from translate.cli import main

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _no_user_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never touch the real user data folder."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("TRANSLATE_TM", raising=False)


def _article(tmp_path: Path, name: str = "kereta-cepat.id.md") -> Path:
    shutil.copy(ROOT / "corpora" / name, tmp_path / name)
    return tmp_path / name


def test_export_edit_import_via_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    article = _article(tmp_path)
    assert main(["export", str(article), "--engine", "pseudo", "--to", "po", "-o", str(tmp_path / "out"),
                 "-q"]) == 0
    err = capsys.readouterr().err
    assert "no translation memory with engine 'pseudo'" in err
    exported = tmp_path / "out" / "kereta-cepat.id.md.po"
    po = polib.pofile(str(exported), wrapwidth=0)
    next(e for e in po if e.msgctxt == "4.0").msgstr = "New Schedule and Fares"
    po.save(str(exported))
    tm = tmp_path / "tm.sqlite"
    assert main(["import", str(exported), "--tm", str(tm)]) == 0
    err = capsys.readouterr().err
    assert "1 edited" in err and "1 post-edit(s) stored" in err
    assert "## New Schedule and Fares" in (tmp_path / "kereta-cepat.en.md").read_text(encoding="utf-8")
    assert main(["tm", "stats", "--tm", str(tm)]) == 0
    out = capsys.readouterr().out
    assert "entries: 1 (1 approved)" in out and "post-edit" in out and "id->en-US" in out
    assert main(["tm", "export", str(tmp_path / "m.tmx"), "--tm", str(tm)]) == 0
    assert main(["tm", "import", str(tmp_path / "m.tmx"), "--tm", str(tmp_path / "other.sqlite")]) == 0
    assert "imported 1 unit(s)" in capsys.readouterr().err


def test_import_stores_post_edits_in_the_user_data_folder_unless_told_otherwise(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 15: the memory's default home is the user's data folder (platformdirs: $XDG_DATA_HOME
    on Linux); $TRANSLATE_TM moves it."""
    article = _article(tmp_path)
    assert main(["export", str(article), "--engine", "pseudo", "--to", "po", "-q"]) == 0
    exported = tmp_path / "kereta-cepat.id.md.po"
    po = polib.pofile(str(exported), wrapwidth=0)
    next(e for e in po if e.msgctxt == "4.0").msgstr = "New Schedule and Fares"
    po.save(str(exported))
    assert main(["import", str(exported)]) == 0
    default = tmp_path / "xdg" / "translate-id-en" / "memory.sqlite"
    err = capsys.readouterr().err
    assert "1 post-edit(s) stored" in err and f"tm: {default}\n" in err and default.is_file()
    assert main(["tm", "stats"]) == 0
    assert "entries: 1 (1 approved)" in capsys.readouterr().out
    elsewhere = tmp_path / "bureau.sqlite"
    monkeypatch.setenv("TRANSLATE_TM", str(elsewhere))
    assert main(["import", str(exported), "--overwrite"]) == 0
    assert f"tm: {elsewhere}\n" in capsys.readouterr().err and elsewhere.is_file()


def test_import_problems_are_listed_and_nothing_is_written(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    article = _article(tmp_path)
    assert main(["export", str(article), "--engine", "pseudo", "-q"]) == 0
    exported = tmp_path / "kereta-cepat.id.md.xlf"
    text = exported.read_text(encoding="utf-8").replace('<trans-unit id="3.0"', '<trans-unit id="77.1"')
    exported.write_text(text, encoding="utf-8")
    assert main(["import", str(exported), "--no-tm"]) == 6
    err = capsys.readouterr().err
    assert "2 problem(s); nothing was written" in err
    assert f"  {exported}:line " in err and "unit 77.1: unknown unit id" in err
    assert f"  {exported}:unit 3.0: missing from the file" in err
    assert not (tmp_path / "kereta-cepat.en.md").exists()


def test_run_uses_no_memory_unless_asked(tmp_path: Path, tiny_model_dir: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    article = _article(tmp_path, "banjir-bekasi.id.txt")
    engine = ["--engine", "marian", "--model", str(tiny_model_dir), "--beam", "1", "--max-length", "8", "-q",
              "--overwrite"]
    assert main(["run", str(article), *engine]) == 0
    assert "tm:" not in capsys.readouterr().err and not (tmp_path / "xdg").exists()
    tm = tmp_path / "tm.sqlite"
    assert main(["run", str(article), *engine, "--tm", str(tm)]) == 0
    assert f"tm: {tm}: 0 segment(s) reused" in capsys.readouterr().err
    assert main(["run", str(article), *engine, "--tm", str(tm)]) == 0
    assert f"tm: {tm}: 31 segment(s) reused" in capsys.readouterr().err


def test_export_mt_as_match_then_import_counts_units_left_alone(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    article = _article(tmp_path)
    assert main(["export", str(article), "--engine", "pseudo", "--mt-as", "match", "--no-tm", "-q"]) == 0
    exported = tmp_path / "kereta-cepat.id.md.xlf"
    ns = "{urn:oasis:names:tc:xliff:document:1.2}"
    units = list(etree.parse(str(exported)).iter(f"{ns}trans-unit"))
    offered = [u for u in units if u.find(f"{ns}alt-trans[@origin='machine-translation']") is not None]
    assert len(offered) > 10 and all(u.find(f"{ns}target") is None for u in offered)
    assert '<note from="translate:mt_as">match</note>' in exported.read_text(encoding="utf-8")
    capsys.readouterr()
    assert main(["import", str(exported), "--no-tm"]) == 0
    err = capsys.readouterr().err
    assert f"0 edited, 0 confirmed, {len(offered)} untouched and 0 empty" in err
