"""Post-editing effort (``translate score --post-edited PE MT``): sacrebleu's HTER, unchanged segments."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sacrebleu.metrics import TER

from translate.cli import main
from translate.errors import ScoreError
from translate.evaluate.post_edit import post_edit_effort

# Machine translation and its post-edit, with the edits TER counts (post-edit words in brackets).
MACHINE = [
    "The president visited the city of Bandung on Monday.",  # 3 deletions (the city of) / 6
    "Prices of rice rose by five percent last week.",  # 1 shift (rice), 1 deletion (of) / 8
    "The minister said the program will continue.",  # unchanged / 7
    "Flooding hit three villages in the district.",  # 2 substitutions / 7
    "the police arrested two men.",  # case only: TER 0 (case-insensitive), but changed / 5
]
POST_EDITED = [
    "The president visited Bandung on Monday.",
    "Rice prices rose by five percent last week.",
    "The minister said the program will continue.",
    "Floods hit three villages in the regency.",
    "The police arrested two men.",
]
EDITS, WORDS = [3, 2, 0, 2, 0], [6, 8, 7, 7, 5]


def _write(path: Path, lines: list[str], sep: str = "\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(sep.join(lines) + "\n", encoding="utf-8")
    return path


def test_hter_is_sacrebleu_ter_against_the_post_edit_and_unchanged_are_counted(tmp_path: Path) -> None:
    machine = _write(tmp_path / "mt.txt", MACHINE)
    post_edited = _write(tmp_path / "pe.txt", POST_EDITED)
    effort = post_edit_effort(machine, post_edited, n_bootstrap=0)
    sacrebleu_ter = TER().corpus_score(MACHINE, [POST_EDITED])
    assert effort.hter.score == pytest.approx(sacrebleu_ter.score)
    assert effort.hter.score == pytest.approx(100 * sum(EDITS) / sum(WORDS))  # the edits counted by hand
    assert effort.hter.signature.startswith("nrefs:1|case:lc|tok:tercom|norm:no|punct:yes|asian:no|version:")
    by_hand = [round(100 * e / w, 2) for e, w in zip(EDITS, WORDS, strict=True)]
    assert [round(s.ter, 2) for s in effort.segments] == by_hand
    # Only the third segment was kept; the last has HTER 0 but its case was fixed.
    assert (effort.unchanged, len(effort.segments)) == (1, 5)
    assert effort.unchanged_share == pytest.approx(20.0)
    document = effort.documents[0]
    assert (document.segments, document.unchanged) == (5, 1)
    assert document.hter == pytest.approx(sacrebleu_ter.score)


def test_blank_lines_count_as_neither_changed_nor_unchanged(tmp_path: Path) -> None:
    machine = _write(tmp_path / "mt.txt", [MACHINE[0], "", MACHINE[2]])
    post_edited = _write(tmp_path / "pe.txt", [POST_EDITED[0], "", POST_EDITED[2]])
    effort = post_edit_effort(machine, post_edited, level="line", n_bootstrap=0)
    assert (effort.unchanged, len(effort.segments), effort.documents[0].segments) == (1, 2, 2)


def test_folders_are_paired_by_name_with_per_document_hter(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    mt, pe = tmp_path / "mt", tmp_path / "pe"
    _write(mt / "harga.en.txt", MACHINE)
    _write(pe / "harga.txt", POST_EDITED)
    # A document: the post-editor merged the first paragraph's two sentences into one.
    merged = ["Floods in Bogor", "Heavy rain caused floods in five villages. The residents were evacuated "
              "to the mosque.", "The regent said aid will arrive tomorrow."]
    merged_pe = ["Floods in Bogor", "Heavy rain flooded five villages and residents were evacuated to a "
                 "mosque.", "The regent said aid would arrive tomorrow."]
    _write(mt / "banjir.en.md", ["# " + merged[0], *merged[1:]], "\n\n")
    _write(pe / "banjir.en.md", ["# " + merged_pe[0], *merged_pe[1:]], "\n\n")
    assert main(["score", "--post-edited", str(pe), str(mt), "--json", "--bootstrap", "0",
                 "--html", str(tmp_path / "effort.html")]) == 0
    data = json.loads(capsys.readouterr().out)
    documents = {d["document"]: d for d in data["per_document"]}
    assert set(documents) == {"harga.txt", "banjir.md"}
    assert documents["harga.txt"]["HTER"] == round(TER().corpus_score(MACHINE, [POST_EDITED]).score, 2)
    assert (documents["harga.txt"]["segments"], documents["harga.txt"]["unchanged"]) == (5, 1)
    # banjir.md: the heading kept; two MT sentences against one post-edited sentence; one word changed.
    assert documents["banjir.md"]["HTER"] == round(TER().corpus_score(merged, [merged_pe]).score, 2)
    assert (documents["banjir.md"]["segments"], documents["banjir.md"]["unchanged"]) == (3, 1)
    assert data["realigned_units"] == 1
    assert (data["segments"], data["unchanged"]) == (8, 2)
    everything = TER().corpus_score(merged + MACHINE, [merged_pe + POST_EDITED])
    assert data["HTER"]["score"] == round(everything.score, 2)
    kept = [s["id"] for s in data["per_segment"] if s["unchanged"]]
    assert kept == ["banjir.md#0.0", "harga.txt:3"]
    page = (tmp_path / "effort.html").read_text(encoding="utf-8")
    assert "HTER" in page and "nrefs:1|case:lc|tok:tercom" in page
    assert "<del>will</del>" in page and "<ins>would</ins>" in page  # the post-editor's word, marked


def test_table_output_and_options_that_do_not_apply(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    machine = _write(tmp_path / "mt.txt", MACHINE)
    post_edited = _write(tmp_path / "pe.txt", POST_EDITED)
    assert main(["score", "--post-edited", str(post_edited), str(machine), "--bootstrap", "0",
                 "--segments"]) == 0
    out = capsys.readouterr().out
    assert "HTER     21.21" in out and "unchanged segments: 1/5 (20.00%)" in out
    assert "mt.txt:3" in out and "segment signature: TER nrefs:1" in out
    assert main(["score", "--post-edited", str(post_edited), str(machine), str(post_edited)]) == 7
    assert "REF cannot be added" in capsys.readouterr().err


def test_html_escapes_the_texts(tmp_path: Path) -> None:
    from translate.evaluate.html_report import render_post_edit, word_diff

    assert word_diff("a <b> c", "a <i> c") == ("a <del>&lt;b&gt;</del> c", "a <ins>&lt;i&gt;</ins> c")
    machine = _write(tmp_path / "mt.txt", ["<script>alert(1)</script> stays text"])
    post_edited = _write(tmp_path / "pe.txt", ["<script>alert(2)</script> stays text"])
    page = render_post_edit(post_edit_effort(machine, post_edited, n_bootstrap=0), "t")
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)" in page


def test_count_mismatch_names_both_files(tmp_path: Path) -> None:
    machine = _write(tmp_path / "mt.md", ["# One", "Two."], "\n\n")
    post_edited = _write(tmp_path / "pe.md", ["# One"], "\n\n")
    with pytest.raises(ScoreError, match="mt.md has 2 blocks but .*pe.md has 1"):
        post_edit_effort(machine, post_edited, n_bootstrap=0)
