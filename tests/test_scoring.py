"""The scoring stack: level choice, bounds, bootstrap options, sacrebleu equality, realignment."""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

import pytest
from sample_text import WORDS, corpus, corrupt

from translate.cli import main
from translate.errors import ScoreError
from translate.evaluate import score_files
from translate.evaluate.align import PRIORS, align_lengths
from translate.evaluate.inputs import choose_level
from translate.evaluate.metrics import extract_stats, metric_set, sentence_scores
from translate.evaluate.significance import compare_stats, confidence

SENTENCES = [
    "The president arrived in Jakarta on Monday morning.",
    "Heavy rain caused floods in several villages near Bogor.",
    "Rice prices rose by 2.5 percent in traditional markets last week.",
    "The governor opened a new bridge in Medan on Friday.",
    "Police closed the toll road for three hours after the accident.",
    "The minister said exports of palm oil would rise next year.",
]
def _score_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    assert main(["score", *argv, "--json", "--bootstrap", "0"]) == 0
    return json.loads(capsys.readouterr().out)


def _write(path: Path, lines: list[str], sep: str = "\n") -> Path:
    path.write_text(sep.join(lines) + "\n", encoding="utf-8")
    return path


# --------------------------------------------------------------------------- levels


def test_auto_level_reads_line_files_by_line_and_documents_by_unit(tmp_path: Path) -> None:
    ref = _write(tmp_path / "ref.txt", SENTENCES)
    hyp = _write(tmp_path / "hyp.txt", corrupt(SENTENCES, 0.2, 1))
    assert choose_level([hyp, ref]).level == "line"
    # A file whose extension names no format is plain text, as for sacrebleu (newstest2019.en).
    assert choose_level([_write(tmp_path / "hyp.en", SENTENCES), ref]).level == "line"
    # Paragraphs at the same places in every file: documents.
    paragraphs = [_write(tmp_path / f"p{k}.txt", SENTENCES, "\n\n") for k in range(2)]
    assert choose_level(paragraphs).level == "unit"
    # Markdown is always a document.
    assert (
        choose_level([_write(tmp_path / "a.md", SENTENCES), _write(tmp_path / "b.md", SENTENCES)]).level
        == "unit"
    )
    # Different line counts without paragraphs: lines realigned; with a reference in paragraphs: documents.
    merged = _write(tmp_path / "merged.txt", [SENTENCES[0] + " " + SENTENCES[1], *SENTENCES[2:]])
    choice = choose_level([merged, ref])
    assert (choice.level, choice.realign) == ("line", True) and "6" in choice.reason and "5" in choice.reason
    assert choose_level([merged, paragraphs[0]]).level == "unit"
    # An empty hypothesis line (a blank the reference lacks) is an empty segment, not a paragraph break.
    blank = _write(tmp_path / "blank.txt", ["", *SENTENCES[1:]])
    assert choose_level([blank, ref]).level == "line"


def test_merged_line_is_realigned_and_named_by_its_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ref = _write(tmp_path / "ref.txt", SENTENCES)
    hyp = _write(tmp_path / "hyp.txt", [SENTENCES[0], SENTENCES[1] + " " + SENTENCES[2], *SENTENCES[3:]])
    evaluation = score_files(hyp, ref, n_bootstrap=0)
    assert [s.bead for s in evaluation.segments] == ["1-1", "1-2", "1-1", "1-1", "1-1"]
    merged = evaluation.segments[1]
    assert merged.id == "hyp.txt:2" and merged.reference == SENTENCES[1] + " " + SENTENCES[2]
    assert evaluation.metric("BLEU").score == pytest.approx(100.0) and evaluation.realigned_units == 1
    assert main(["score", str(hyp), str(ref), "--bootstrap", "0"]) == 0
    out = capsys.readouterr().out
    assert "line counts differ (5 vs 6): lines realigned" in out and "1 line realigned" in out


# --------------------------------------------------------------------------- sacrebleu equality


def test_sentence_scores_ci_and_paired_tests_equal_sacrebleu() -> None:
    from sacrebleu.metrics import BLEU, CHRF, TER
    from sacrebleu.significance import PairedTest

    refs = corpus(120, 7)
    a, b = corrupt(refs, 0.5, 1), corrupt(refs, 0.3, 2)
    a[3], refs[5] = "", ""  # empty segments on either side
    metrics = metric_set()
    stats_a, _ = extract_stats(metrics, a, [refs])
    stats_b, _ = extract_stats(metrics, b, [refs])
    sentence = sentence_scores(metrics, stats_a)
    scorers = {"BLEU": BLEU(effective_order=True), "chrF++": CHRF(word_order=2), "TER": TER()}
    for name, scorer in scorers.items():
        assert list(sentence[name]) == [
            scorer.sentence_score(h, [r]).score for h, r in zip(a, refs, strict=True)
        ]
    for ours, theirs in zip(
        confidence(metrics, stats_a, 200), (BLEU(), CHRF(word_order=2), TER()), strict=True
    ):
        expected = theirs.corpus_score(a, [refs], n_bootstrap=200)
        assert ours.score == expected.score
        assert ours.mean == pytest.approx(expected._mean, abs=1e-4)
        assert ours.ci == pytest.approx(expected._ci, abs=1e-4)
        assert ours.signature == str(theirs.get_signature())
    comparison = compare_stats(metrics, [("a", stats_a), ("b", stats_b)], [False, False], 200, 320)
    for test, n in (("bs", 200), ("ar", 320)):
        _, table = PairedTest(
            [("a", a), ("b", b)],
            {"BLEU": BLEU(), "chrF++": CHRF(word_order=2), "TER": TER()},
            [refs],
            test_type=test,
            n_samples=n,
        )()
        for ours_name, their_name in zip(("BLEU", "chrF++", "TER"), ("BLEU", "chrF2++", "TER"), strict=True):
            row = comparison.rows[1]
            got = row.p_bootstrap[ours_name] if test == "bs" else row.p_randomization[ours_name]
            assert got == pytest.approx(table[their_name][1].p_value)


# --------------------------------------------------------------------------- realignment


def _reference_alignment(hyp: list[int], ref: list[int]) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """The whole-table dynamic programme (NLTK's, with math.erfc), to check the banded one against."""

    def cost(h: int, r: int) -> float:
        mean = (h + r) / 2
        if mean == 0:
            return 0.0
        z = abs(r - h) / math.sqrt(mean * 6.8)
        return -math.log(max(math.erfc(z / math.sqrt(2)), 1e-300))

    n, m = len(hyp), len(ref)
    best = {(0, 0): (0.0, None)}
    for i in range(n + 1):
        for j in range(m + 1):
            options = [
                (
                    best[(i - di, j - dj)][0]
                    - math.log(p)
                    + cost(sum(hyp[i - di : i]), sum(ref[j - dj : j])),
                    (di, dj),
                )
                for (di, dj), p in PRIORS.items()
                if (i - di, j - dj) in best and (i, j) != (0, 0)
            ]
            if options:
                best[(i, j)] = min(options)
    path, i, j = [], n, m
    while i or j:
        di, dj = best[(i, j)][1]
        path.append((tuple(range(i - di, i)), tuple(range(j - dj, j))))
        i, j = i - di, j - dj
    return path[::-1]


def test_banded_alignment_equals_the_whole_table_and_widens_its_band(monkeypatch: pytest.MonkeyPatch) -> None:
    from translate.evaluate import align

    rng = random.Random(5)
    for _ in range(60):
        hyp = [rng.randint(5, 200) for _ in range(rng.randint(1, 12))]
        ref = [rng.randint(5, 200) for _ in range(rng.randint(1, 12))]
        assert [(b.hyp, b.ref) for b in align_lengths(hyp, ref)] == _reference_alignment(hyp, ref)
    # With a first band one sentence wide, any path off the diagonal touches its edge: the band has to
    # widen (several times) before the search finds the whole table's answer.
    monkeypatch.setattr(align, "INITIAL_BAND", 1)
    widths = []
    banded = align._banded
    monkeypatch.setattr(align, "_banded", lambda h, r, width: widths.append(width) or banded(h, r, width))
    for _ in range(10):
        ref = [rng.randint(20, 200) for _ in range(rng.randint(30, 60))]
        hyp = [rng.randint(20, 200) for _ in range(rng.randint(30, 60))]
        assert [(b.hyp, b.ref) for b in align.align_lengths(hyp, ref)] == _reference_alignment(hyp, ref)
    assert max(widths) > 3  # the first band is 3 wide (1 plus room for uneven counts): it widened


def test_realignment_past_its_bound_is_refused_with_a_message() -> None:
    with pytest.raises(ScoreError, match=r"cannot realign 300 hypothesis sentences with 900 reference"):
        align_lengths([50] * 300, [10] * 900, max_cells=10_000)


def test_plain_text_reader_does_not_rescan_the_document_per_paragraph(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Reading used document.blocks (a scan of every part) once per paragraph: quadratic on long files.
    from translate.document import Document
    from translate.pipeline import load_document

    calls = 0
    original = Document.blocks

    def counted(self: Document) -> list:
        nonlocal calls
        calls += 1
        return original.fget(self)  # type: ignore[attr-defined]

    monkeypatch.setattr(Document, "blocks", property(counted))
    text = "\n".join(f"Line {k} ends here." for k in range(400)) + "\n"
    document = load_document("many.txt", "text", text.encode("utf-8"))
    assert len(original.fget(document)) == 400 and calls < 20  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- bounds and options


def test_a_huge_line_is_refused_before_scoring_with_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # TER is quadratic in a segment's length: a 200,000-word line would not finish.
    huge = " ".join(WORDS[k % len(WORDS)] for k in range(200_000))
    ref = _write(tmp_path / "ref.txt", ["One short line.", huge])
    hyp = _write(tmp_path / "hyp.txt", ["One short line.", huge])
    assert main(["score", str(hyp), str(ref)]) == 7
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1
    assert f"{hyp} line 2" in error and "200,000 words" in error and "1,000-word limit" in error


def test_inputs_over_the_size_bound_are_refused_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from translate.evaluate import limits

    monkeypatch.setattr(limits, "MAX_TOTAL_BYTES", 100)
    ref = _write(tmp_path / "ref.txt", SENTENCES)
    assert main(["score", str(ref), str(ref)]) == 7
    assert "over the 100-byte limit of one scoring run" in capsys.readouterr().err


def test_bootstrap_zero_means_no_confidence_intervals_and_negative_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ref = _write(tmp_path / "ref.txt", SENTENCES)
    hyp = _write(tmp_path / "hyp.txt", corrupt(SENTENCES, 0.3, 2))
    assert main(["score", str(hyp), str(ref), "--bootstrap", "0", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    bleu = data["metrics"]["BLEU"]
    assert bleu["ci95"] is None and bleu["mean"] is None and "bs:" not in bleu["signature"]
    for bad in ("-5", "1"):
        assert main(["score", str(hyp), str(ref), "--bootstrap", bad]) == 7
        error = capsys.readouterr().err
        assert f"--bootstrap {bad}" in error and "0 for no confidence intervals" in error
    assert main(["compare", "--ref", str(ref), str(hyp), str(ref), "--bootstrap", "-1"]) == 7
    assert "--bootstrap -1" in capsys.readouterr().err


def test_identical_blank_files_are_nothing_to_score_at_either_level(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blank = tmp_path / "blank.txt"
    blank.write_text("\n\n\n", encoding="utf-8")
    messages = []
    for level in ("line", "unit", "auto"):
        assert main(["score", str(blank), str(blank), "--level", level]) == 7
        messages.append(capsys.readouterr().err.strip())
    assert len(set(messages)) == 1 and "nothing to score" in messages[0] and "contain no text" in messages[0]


def test_compare_errors_name_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ref = _write(tmp_path / "ref.txt", SENTENCES)
    base = _write(tmp_path / "base.txt", SENTENCES)
    broken = tmp_path / "broken.txt"
    broken.write_bytes(b"Caf\xe9 opened.\n" * len(SENTENCES))
    assert main(["compare", "--ref", str(ref), str(base), str(broken)]) == 2
    error = capsys.readouterr().err
    assert str(broken) in error and "not valid UTF-8" in error
    # A file inside a system folder: named too (the error used to keep only its message).
    (tmp_path / "sys").mkdir()
    (tmp_path / "refs").mkdir()
    _write(tmp_path / "refs" / "a.txt", SENTENCES, "\n\n")
    (tmp_path / "sys" / "a.txt").write_bytes(b"Caf\xe9 opened.\n\n" * len(SENTENCES))
    refs, system = str(tmp_path / "refs"), str(tmp_path / "sys")
    assert main(["compare", "--ref", refs, refs, system]) == 2
    assert str(tmp_path / "sys" / "a.txt") in capsys.readouterr().err


def test_compare_realigned_lines_pairs_by_reference_line(tmp_path: Path) -> None:
    from translate.evaluate import compare_files

    refs = corpus(60, 3)
    ref = _write(tmp_path / "ref.txt", refs)
    weak = _write(tmp_path / "weak.txt", corrupt(refs, 0.6, 1))
    strong_lines = corrupt(refs, 0.1, 2)
    strong = _write(tmp_path / "strong.txt", [strong_lines[0] + " " + strong_lines[1], *strong_lines[2:]])
    comparison = compare_files([weak, strong], [ref], n_bootstrap=100, n_trials=64)
    assert comparison.units == 60 and comparison.rows[1].p_bootstrap["chrF++"] < 0.05
    assert any("realigned" in note for note in comparison.level_notes)


# --------------------------------------------------------------------------- terms and numbers


def test_terms_inside_quantities_explain_the_run_count(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # `run` localizes "pukul 14.00 WIB" itself, so its audit leaves WIB out; `score` reads the source and
    # counts it: the report says how many of its occurrences are inside quantities, and the difference
    # is exactly run's count.
    glossary = tmp_path / "g.tsv"
    glossary.write_text(
        "source\ttarget\tcategory\tcase_sensitive\nWIB\tWIB\tother\tyes\nPresiden\tPresident\ttitle\tno\n",
        encoding="utf-8",
    )
    source = _write(
        tmp_path / "berita.id.txt",
        ["Presiden tiba pukul 14.00 WIB di Bogor.", "Rapat dimulai pukul 09.30 WIB."],
        "\n\n",
    )
    assert main(["run", str(source), "--engine", "pseudo", "-q", "--glossary", str(glossary)]) == 0
    run_terms = [line for line in capsys.readouterr().err.splitlines() if line.startswith("terms:")]
    assert run_terms == ["terms: 0/1 glossary term occurrences in the output"]
    output = tmp_path / "berita.en.txt"
    data = _score_json(capsys, str(output), str(output), "--source", str(source), "--glossary", str(glossary))
    total = data["terms"]["term_success_rate"]["total"]
    assert total == 3 and data["terms_in_quantities"] == 2 and total - data["terms_in_quantities"] == 1


def test_term_and_number_misses_are_listed_with_their_segments(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    glossary = tmp_path / "g.tsv"
    glossary.write_text("source\ttarget\tcategory\nJawa Barat\tWest Java\tplace\n", encoding="utf-8")
    source = _write(tmp_path / "src.txt", ["Harga beras naik 2,5 persen di Jawa Barat.", "Hujan turun."])
    hyp = _write(tmp_path / "hyp.txt", ["Rice prices rose 2,5 percent in Jawa Barat.", "Rain fell."])
    ref = _write(tmp_path / "ref.txt", ["Rice prices rose 2.5 percent in West Java.", "Rain fell."])
    data = _score_json(capsys, str(hyp), str(ref), "--source", str(source), "--glossary", str(glossary))
    assert data["term_misses"] == [
        {
            "kind": "term",
            "document": "hyp.txt",
            "unit": 0,
            "source": "Jawa Barat",
            "expected": "West Java",
            "segments": ["hyp.txt:1"],
        }
    ]
    assert [m["source"] for m in data["numbers"]["missing"]] == ["2,5 persen"]
    assert data["segments"][0]["flags"] == ["term", "number"] and "flags" not in data["segments"][1]


def test_no_term_in_the_source_reads_n_a(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    glossary = tmp_path / "g.tsv"
    glossary.write_text("source\ttarget\tcategory\nJawa Barat\tWest Java\tplace\n", encoding="utf-8")
    source = _write(tmp_path / "src.txt", ["Hujan turun."])
    hyp = _write(tmp_path / "hyp.txt", ["Rain fell."])
    assert (
        main(
            [
                "score",
                str(hyp),
                str(hyp),
                "--source",
                str(source),
                "--glossary",
                str(glossary),
                "--bootstrap",
                "0",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "term_success_rate: n/a (no glossary term in the source)" in out and "0.00 (0/0)" not in out
