"""Paired significance tests through sacrebleu: a known gap is significant, identical systems are not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sample_text import corpus as _corpus
from sample_text import corrupt as _corrupt

from translate.cli import main
from translate.evaluate import compare_systems


def test_known_gap_is_significant_in_both_tests() -> None:
    refs = _corpus()
    weak, strong = _corrupt(refs, 0.6, 1), _corrupt(refs, 0.1, 2)
    comparison = compare_systems([("weak", weak), ("strong", strong)], [refs], n_bootstrap=200, n_trials=500)
    row = comparison.rows[1]
    for metric in ("BLEU", "chrF++", "TER"):
        assert row.p_bootstrap[metric] < 0.05 and row.p_randomization[metric] < 0.05, metric
    assert row.scores["BLEU"].score > comparison.rows[0].scores["BLEU"].score
    low, high = (
        row.scores["BLEU"].mean - row.scores["BLEU"].ci,
        row.scores["BLEU"].mean + row.scores["BLEU"].ci,
    )
    assert low <= row.scores["BLEU"].score <= high


def test_identical_systems_are_not_significant() -> None:
    refs = _corpus()
    system = _corrupt(refs, 0.3, 3)
    comparison = compare_systems([("a", system), ("b", list(system))], [refs], n_bootstrap=200, n_trials=500)
    row = comparison.rows[1]
    assert row.identical_to_baseline
    assert all(p == pytest.approx(1.0) for p in [*row.p_bootstrap.values(), *row.p_randomization.values()])


def test_systems_differing_in_one_segment_are_not_significant() -> None:
    # Not identical, so sacrebleu's own p-values are used: a one-word change is noise to the bootstrap.
    # (Its approximate randomization counts only shuffles *strictly* beyond the observed difference;
    # when all but one segment are equal, nearly every shuffle ties it and p comes out small.)
    refs = _corpus()
    system = _corrupt(refs, 0.3, 3)
    other = list(system)
    other[0] = other[0].replace(" ", " the ", 1)
    row = compare_systems([("a", system), ("b", other)], [refs], n_bootstrap=200, n_trials=500).rows[1]
    assert not row.identical_to_baseline
    assert row.p_bootstrap["chrF++"] > 0.05


def test_compare_cli_prints_table_markdown_and_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    refs = _corpus(40)
    ref, base, system = tmp_path / "ref.txt", tmp_path / "base.txt", tmp_path / "system.txt"
    ref.write_text("\n\n".join(refs) + "\n", encoding="utf-8")
    base.write_text("\n\n".join(_corrupt(refs, 0.6, 1)) + "\n", encoding="utf-8")
    system.write_text("\n\n".join(_corrupt(refs, 0.1, 2)) + "\n", encoding="utf-8")
    common = ["compare", "--ref", str(ref), str(base), str(system), "--bootstrap", "100", "--trials", "200"]
    assert main(common) == 0
    table = capsys.readouterr().out
    assert "μ ± 95% CI" in table and "p (paired bs)" in table and "baseline" in table
    assert "system.txt" in table and "40 paragraphs" in table
    assert main([*common, "--markdown"]) == 0
    markdown = capsys.readouterr().out
    assert markdown.startswith("| system | metric |") and "|---|---|---:|" in markdown
    assert main([*common, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    strong = data["systems"][1]["metrics"]["BLEU"]
    assert (
        data["baseline"] == "base.txt" and strong["p_bootstrap"] < 0.05 and strong["p_randomization"] < 0.05
    )


def test_compare_with_a_missing_paragraph_names_the_counts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ref, base, system = tmp_path / "ref.txt", tmp_path / "base.txt", tmp_path / "system.txt"
    ref.write_text("One.\n\nTwo.\n", encoding="utf-8")
    base.write_text("One.\n\nTwo.\n", encoding="utf-8")
    system.write_text("One two.\n", encoding="utf-8")
    assert main(["compare", "--ref", str(ref), str(base), str(system)]) == 7
    error = capsys.readouterr().err
    assert "1 paragraphs" in error and "has 2" in error
