"""House style and target locale options of ``translate run``."""

from __future__ import annotations

from pathlib import Path

import pytest

from translate.cli import main


def test_non_english_locale_is_refused_before_any_work(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "a.id.txt"
    source.write_text("Harga naik 2,5 persen.\n", encoding="utf-8")
    code = main(["run", str(source), "-o", str(tmp_path / "out"), "--engine", "pseudo", "--locale", "id_ID"])
    assert code != 0
    assert "not an English locale" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_ap_style_reaches_the_output(tmp_path: Path) -> None:
    source = tmp_path / "a.id.txt"
    source.write_text("Harga naik 2,5 persen menjadi Rp 3,5 miliar pada pukul 14.00 WIB.\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(source), "-o", str(out), "--engine", "pseudo", "--style", "ap", "-q"]) == 0
    text = (out / "a.en.txt").read_text(encoding="utf-8")
    assert "2.5 percent" in text and "Rp 3.5 billion" in text and "2 p.m. WIB" in text
