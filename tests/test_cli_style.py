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


def test_exit_codes_in_help_match_the_errors(capsys: pytest.CaptureFixture[str]) -> None:
    """The documented table is the one the errors carry (README and --help say the same)."""
    import re

    from translate import errors
    from translate.cli import EXIT_CODES

    documented = {int(m.group(1)) for m in re.finditer(r"^  (\d+) ", EXIT_CODES, re.M)}
    raised = {cls.exit_code for cls in vars(errors).values()
              if isinstance(cls, type) and issubclass(cls, errors.TranslateError)}
    assert raised <= documented and {0, 130} <= documented
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    for code in documented:
        assert re.search(rf"^\| {code} \|", readme, re.M), f"exit code {code} missing from the README"
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    assert "exit codes:" in capsys.readouterr().out
