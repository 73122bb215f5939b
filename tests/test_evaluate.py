"""Evaluation suite: scores equal sacrebleu's CLI, realignment, fidelity, pairing, reports."""

from __future__ import annotations

import json
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from translate.cli import main
from translate.evaluate.align import align_lengths, align_sentences
from translate.evaluate.corpus import build_ntrex, find_corpus_pairs
from translate.evaluate.fidelity import format_fidelity
from translate.evaluate.inputs import load_units, pair_inputs
from translate.evaluate.scoring import evaluate_pairs
from translate.pipeline import load_document

HYP_LINES = [
    "The president arrived in Jakarta on Monday morning.",
    "Heavy rain caused floods in several villages.",
    "Rice prices rose by 2.5 percent last week.",
    "The governor opened a bridge in Medan.",
]
REF_LINES = [
    "The President arrived in Jakarta on Monday.",
    "Heavy rain caused flooding in several villages in Bogor.",
    "Rice prices rose 2.5 percent in markets last week.",
    "The Governor of North Sumatra opened a new bridge in Medan.",
]


def _sacrebleu_cli(ref: Path, hyp: Path, *extra: str) -> list[float]:
    done = subprocess.run(
        [sys.executable, "-m", "sacrebleu", str(ref), "-i", str(hyp), "-m", "bleu", "chrf", "ter",
         "--chrf-word-order", "2", "-b", "-w", "2", "-f", "text", *extra],
        capture_output=True, text=True, check=True,
    )
    return [float(x) for x in done.stdout.split()]


def _our_scores(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    assert main(["score", *argv, "--json", "--bootstrap", "50"]) == 0
    return json.loads(capsys.readouterr().out)


def test_line_files_score_by_line_without_a_flag_and_equal_sacrebleu_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # sacrebleu's input: plain text, one segment per line, same count. No --level flag.
    hyp, ref = tmp_path / "hyp.txt", tmp_path / "ref.txt"
    hyp.write_text("\n".join(HYP_LINES) + "\n", encoding="utf-8")
    ref.write_text("\n".join(REF_LINES) + "\n", encoding="utf-8")
    data = _our_scores(capsys, str(hyp), str(ref))
    ours = data["metrics"]
    bleu, chrf, ter = _sacrebleu_cli(ref, hyp)
    assert (ours["BLEU"]["score"], ours["chrF++"]["score"], ours["TER"]["score"]) == (bleu, chrf, ter)
    assert data["level"] == "line" and data["units"] == data["segments_scored"] == 4
    assert "same number of lines" in data["level_reason"]
    assert 0 < bleu < 100 and ours["BLEU"]["ci95"] > 0
    # The printed text says which level and why, and its signatures are sacrebleu's --confidence ones.
    assert main(["score", str(hyp), str(ref), "--bootstrap", "50"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("line level: plain text with the same number of lines (4)")
    assert "nrefs:1|bs:50|seed:12345|case:mixed|eff:no|tok:13a|smooth:exp|version:" in out


def test_document_scores_equal_sacrebleu_cli_on_the_same_segments(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Markdown: markup must not reach the metric; the segments (sentences of each block) are what
    # sacrebleu would score as lines.
    hyp, ref = tmp_path / "a.en.md", tmp_path / "b.en.md"
    hyp.write_text(
        "# Floods **hit** Bekasi\n\n" + " ".join(HYP_LINES[:2]) + "\n\n- [Jakarta](https://x.id) news\n",
        encoding="utf-8",
    )
    ref.write_text(
        "# Flooding in Bekasi\n\n" + " ".join(REF_LINES[:2]) + "\n\n- [Jakarta](https://x.id) report\n",
        encoding="utf-8",
    )
    ours = _our_scores(capsys, str(hyp), str(ref))
    assert ours["units"] == 3 and ours["level"] == "block" and ours["segments_scored"] == 4
    plain_hyp, plain_ref = tmp_path / "h.txt", tmp_path / "r.txt"
    plain_hyp.write_text("\n".join(s["hypothesis"] for s in ours["segments"]) + "\n", encoding="utf-8")
    plain_ref.write_text("\n".join(s["reference"] for s in ours["segments"]) + "\n", encoding="utf-8")
    assert "**" not in plain_hyp.read_text(encoding="utf-8") and "https" not in plain_hyp.read_text("utf-8")
    bleu, chrf, ter = _sacrebleu_cli(plain_ref, plain_hyp)
    metrics = ours["metrics"]
    assert (metrics["BLEU"]["score"], metrics["chrF++"]["score"], metrics["TER"]["score"]) == (
        bleu, chrf, ter)


def test_line_count_mismatch_is_an_error_naming_both_counts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hyp, ref = tmp_path / "hyp.txt", tmp_path / "ref.txt"
    hyp.write_text("\n".join(HYP_LINES[:3]) + "\n", encoding="utf-8")
    ref.write_text("\n".join(REF_LINES[:2]) + "\n", encoding="utf-8")
    assert main(["score", str(hyp), str(ref), "--level", "line"]) == 7
    captured = capsys.readouterr()
    error = captured.err.strip()
    assert len(error.splitlines()) == 1 and "Traceback" not in captured.err
    assert "3 lines" in error and "has 2" in error and str(hyp) in error and str(ref) in error
    assert "--level auto" in error  # says how to have them realigned instead


def test_gale_church_beads() -> None:
    ref = ["The quake struck at dawn.", "Residents ran outside.", "No tsunami was expected."]
    merged = ["The quake struck at dawn and residents ran outside.", "No tsunami was expected."]
    assert [b.kind for b in align_sentences(merged, ref)] == ["1-2", "1-1"]
    split = ["The quake struck at dawn.", "Residents ran", "outside in panic.", "No tsunami was expected."]
    assert [b.kind for b in align_sentences(split, ref)] == ["1-1", "2-1", "1-1"]
    # Nothing on one side: every bead is 0-1; beads always cover both sides in order.
    assert [b.kind for b in align_lengths([], [10, 20])] == ["0-1", "0-1"]
    beads = align_lengths([20, 25, 7, 40], [20, 60, 25, 45])
    assert [i for b in beads for i in b.hyp] == [0, 1, 2, 3] and [i for b in beads for i in b.ref] == [
        0,
        1,
        2,
        3,
    ]


def test_document_with_merged_sentences_is_realigned(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ref = tmp_path / "ref.en.txt"
    hyp = tmp_path / "hyp.en.txt"
    ref.write_text(
        "Quake in Palu\n\nThe quake struck at dawn. Residents ran outside. No tsunami was expected.\n",
        encoding="utf-8",
    )
    hyp.write_text(
        "Quake in Palu\n\nThe quake struck at dawn and residents ran outside. No tsunami was expected.\n",
        encoding="utf-8",
    )
    evaluation = evaluate_pairs(pair_inputs(hyp, [ref]), n_bootstrap=20)
    assert evaluation.realigned == 1 and evaluation.documents[0].realigned_units == 1
    assert [s.bead for s in evaluation.segments] == ["1-1", "1-2", "1-1"]
    merged = evaluation.segments[1]
    assert merged.reference == "The quake struck at dawn. Residents ran outside."
    assert merged.chrf > 60  # aligned text is compared with its own reference, not the next sentence
    assert main(["score", str(hyp), str(ref), "--segments"]) == 0
    out = capsys.readouterr().out
    assert "1 paragraph realigned in 1 document" in out and " 1-2 " in out
    assert "2 paragraphs; 3 segments scored" in out


def test_format_fidelity_sees_a_lost_link_and_a_changed_shape(tmp_path: Path) -> None:
    src = tmp_path / "a.id.md"
    src.write_text("# Judul\n\nIa **tiba** di [Jakarta](https://x.id).\n\n- satu\n", encoding="utf-8")
    good = tmp_path / "good.en.md"
    good.write_text("# Title\n\nShe **arrived** in [Jakarta](https://x.id).\n\n- one\n", encoding="utf-8")
    bad = tmp_path / "bad.en.md"
    bad.write_text("# Title\n\nShe **arrived** in Jakarta.\n\none\n", encoding="utf-8")
    kept = format_fidelity(load_document(src), load_document(good))
    assert (kept.blocks, kept.preserved, kept.shape_equal) == (3, 3, True)
    lost = format_fidelity(load_document(src), load_document(bad))
    assert lost.preserved == 2 and not lost.shape_equal
    assert any("link" in p and "https://x.id" in p for p in lost.problems)
    escaped = tmp_path / "escaped.en.md"  # an escaped character the writer added is not lost markup
    escaped.write_text("# Title\n\nShe **arrived** in [Jakarta](https://x.id) \\& Bogor.\n\n- one\n",
                       encoding="utf-8")
    assert format_fidelity(load_document(src), load_document(escaped)).preserved == 3


def test_folders_pair_by_name_and_unpaired_files_are_named(tmp_path: Path) -> None:
    hyp_dir, ref_dir = tmp_path / "hyp", tmp_path / "ref"
    hyp_dir.mkdir()
    ref_dir.mkdir()
    (hyp_dir / "a.en.txt").write_text("One.\n", encoding="utf-8")
    (ref_dir / "a.en.txt").write_text("One.\n", encoding="utf-8")
    (ref_dir / "a.id.txt").write_text("Satu.\n", encoding="utf-8")
    assert [(p.hypothesis.name, [r.name for r in p.references]) for p in pair_inputs(hyp_dir, [ref_dir])] == [
        ("a.en.txt", ["a.en.txt"])
    ]
    (hyp_dir / "b.en.txt").write_text("Two.\n", encoding="utf-8")
    from translate.errors import ScoreError

    with pytest.raises(ScoreError, match=r"1 unpaired file.*b\.en\.txt"):
        pair_inputs(hyp_dir, [ref_dir])


class _Images(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.images: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "img":
            self.images.append(dict(attrs).get("src") or "")


def _corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "berita.id.md").write_text(
        "# Banjir di Bekasi\n\nHujan deras menyebabkan **banjir** di Bekasi. Warga diminta tetap tenang.\n\n"
        "- Presiden tiba di [Jakarta](https://example.com/jakarta).\n",
        encoding="utf-8",
    )
    (corpus / "berita.en.md").write_text(
        "# Floods in Bekasi\n\n"
        "Heavy rain caused **flooding** in Bekasi. Residents were asked to stay calm.\n\n"
        "- The President arrived in [Jakarta](https://example.com/jakarta).\n",
        encoding="utf-8",
    )
    (corpus / "gempa.id.txt").write_text(
        "Gempa di Palu.\n\nHarga beras naik di pasar Jakarta.\n", encoding="utf-8"
    )
    (corpus / "gempa.en.txt").write_text(
        "Earthquake in Palu.\n\nRice prices rose in Jakarta markets.\n", encoding="utf-8"
    )
    return corpus


def test_eval_writes_json_and_a_self_contained_html_report(
    tmp_path: Path, tiny_model_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = _corpus(tmp_path)
    glossary = tmp_path / "terms.tsv"
    glossary.write_text(
        "source\ttarget\tcategory\nJakarta\tJakarta\tplace\nPresiden\tPresident\ttitle\n", encoding="utf-8"
    )
    out = tmp_path / "report"
    assert (
        main(
            [
                "eval",
                str(corpus),
                "--model",
                str(tiny_model_dir),
                "--max-length",
                "8",
                "--beam",
                "1",
                "--no-curated-glossary",
                "--glossary",
                str(glossary),
                "--bootstrap",
                "50",
                "--out",
                str(out),
                "-q",
            ]
        )
        == 0
    )
    captured = capsys.readouterr()
    assert "BLEU" in captured.out and "term_success_rate" in captured.out
    comet_lines = [line for line in captured.err.splitlines() if "COMET" in line]
    assert (
        len(comet_lines) == 1
        and "pip install '.[comet]'" in comet_lines[0]
        and "--comet-model" in comet_lines[0]
    )

    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["units"] == 5 and report["documents"] == 2
    # Documents are named as `translate score` names them: the path without its language tag.
    assert {d["document"] for d in report["per_document"]} == {"berita.md", "gempa.txt"}
    assert report["terms"]["term_success_rate"]["total"] == 3
    assert report["format_fidelity"]["documents"][0]["blocks"] == 3
    assert set(report["metrics"]) == {"BLEU", "chrF++", "TER"} and report["comet"]["available"] is False
    assert (out / "hypotheses" / "berita.en.md").is_file()

    page = (out / "report.html").read_text(encoding="utf-8")
    parser = _Images()
    parser.feed(page)
    assert parser.tags[0] == "html" and "table" in parser.tags
    assert len(parser.images) == 5  # segments, length buckets, documents, length ratio, terms
    assert all(src.startswith("data:image/png;base64,iVBOR") for src in parser.images)  # PNG signature
    assert "http" not in "".join(parser.images) and " src=\"http" not in page and "<link" not in page
    assert "Content-Security-Policy" in page and "default-src 'none'" in page

    hyp_dir = out / "hypotheses"
    assert main(["score", str(hyp_dir), str(corpus), "--json", "--bootstrap", "0"]) == 0
    scored = json.loads(capsys.readouterr().out)
    assert {d["document"] for d in scored["per_document"]} == {"berita.md", "gempa.txt"}


def test_build_ntrex_makes_one_article_per_document(tmp_path: Path) -> None:
    ntrex = tmp_path / "ntrex"
    ntrex.mkdir()
    (ntrex / "document_ids.txt").write_text("d1\nd1\nd2\n", encoding="utf-8")
    (ntrex / "ntrex128.ind.txt").write_text("Judul satu\nKalimat satu.\nJudul dua\n", encoding="utf-8")
    (ntrex / "ntrex128.eng.txt").write_text("Title one\nSentence one.\nTitle two\n", encoding="utf-8")
    folder = build_ntrex(ntrex, tmp_path / "work")
    pairs = find_corpus_pairs(folder)
    assert [p.source.name for p in pairs] == ["d1.id.txt", "d2.id.txt"]
    assert load_units(pairs[0].reference).units == ["Title one", "Sentence one."]
    assert [p.source.name for p in find_corpus_pairs(build_ntrex(ntrex, tmp_path / "w2", max_docs=1))] == [
        "d1.id.txt"
    ]


def test_comet_model_without_the_package_says_how_to_enable_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("sacrebleu")
    from translate.evaluate.comet import comet_available

    if comet_available():
        pytest.skip("unbabel-comet is installed here")
    hyp = tmp_path / "h.txt"
    hyp.write_text("One.\n", encoding="utf-8")
    assert main(["score", str(hyp), str(hyp), "--source", str(hyp), "--comet-model", str(tmp_path)]) == 7
    assert "pip install '.[comet]'" in capsys.readouterr().err


def test_escaped_markdown_scores_as_the_characters_a_reader_sees() -> None:
    from translate.evaluate.units import unit_sentences, unit_texts

    escaped = load_document("hyp.md", "markdown", b"Prices rose \\[10%\\] in *Bekasi* &amp; Bogor.\n")
    bare = load_document("ref.md", "markdown", b"Prices rose [10%] in Bekasi & Bogor.\n")
    assert unit_texts(escaped) == unit_texts(bare) == ("block", ["Prices rose [10%] in Bekasi & Bogor."])
    assert unit_sentences(escaped) == [["Prices rose [10%] in Bekasi & Bogor."]]
