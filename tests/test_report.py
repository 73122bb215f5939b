"""The HTML reports as files: self-contained, escaped, under their own CSP, never overwritten by surprise."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path

import pytest
from report_fixtures import INJECTED, compare_argv, score_argv

from translate.cli import main


def _hash(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def test_score_html_is_self_contained_escaped_and_under_its_own_policy(tmp_path: Path) -> None:
    html = tmp_path / "report.html"
    assert main(score_argv(tmp_path / "in", html)) == 0
    page = html.read_text(encoding="utf-8")
    # Exactly two script elements: the JSON data block and the browser; the article's <script> is data.
    assert page.count("<script") == 2 and INJECTED not in page
    data = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', page, re.S)
    assert data is not None and "\\u003cscript\\u003e" in data.group(1)
    segments = json.loads(data.group(1))["segments"]
    assert any(INJECTED in s["hyp"] for s in segments)  # the text itself is kept, as text
    # The policy names the page's own style and script by hash, allows no network and no other code.
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1)
    style = re.search(r"<style>(.*?)</style>", page, re.S).group(1)
    script = re.search(r"<script>(.*?)</script>", page, re.S).group(1)
    assert f"style-src '{_hash(style)}'" in policy and f"script-src '{_hash(script)}'" in policy
    assert "default-src 'none'" in policy and "img-src data:" in policy
    assert not re.search(r"\son[a-z]+=", re.sub(r"<script.*?</script>", "", page, flags=re.S))
    assert not re.search(r'(?:src|href)="(?!data:|#)', page)  # nothing loaded from anywhere


def test_report_counts_units_and_segments_and_names_documents_as_score_does(tmp_path: Path,
                                                                            capsys: pytest.CaptureFixture[str]
                                                                            ) -> None:
    html = tmp_path / "report.html"
    assert main([*score_argv(tmp_path / "in", html), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    page = html.read_text(encoding="utf-8")
    units, segments = data["units"], data["segments_scored"]
    assert units == 6 and segments == len(data["segments"]) and data["realigned_units"] >= 1
    assert f"{units} units in 2 documents; {segments} segments scored" in page
    assert {d["document"] for d in data["per_document"]} == {"banjir.txt", "pasar.md"}
    assert "<td>banjir.txt</td>" in page and "<td>pasar.md</td>" in page
    assert "TER ↓" in page and "lower is better" in page
    assert "Term misses" in page and "Jawa Barat" in page and "2,5 meter" in page


def test_html_targets_are_not_overwritten_without_overwrite(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    html = tmp_path / "report.html"
    html.write_text("keep me", encoding="utf-8")
    argv = score_argv(tmp_path / "in", html)
    assert main(argv) == 3
    assert "output exists" in capsys.readouterr().err and html.read_text(encoding="utf-8") == "keep me"
    assert main([*argv, "--overwrite"]) == 0 and "<!DOCTYPE html>" in html.read_text(encoding="utf-8")


def test_eval_refuses_an_existing_report_before_translating(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.id.txt").write_text("Presiden tiba di Bogor.\n", encoding="utf-8")
    (corpus / "a.en.txt").write_text("The President arrived in Bogor.\n", encoding="utf-8")
    out = tmp_path / "report"
    out.mkdir()
    (out / "report.html").write_text("an earlier report", encoding="utf-8")
    argv = ["eval", str(corpus), "--engine", "copy", "--out", str(out), "--bootstrap", "0", "-q"]
    assert main(argv) == 3
    error = capsys.readouterr().err
    assert "a report exists" in error and "--overwrite" in error
    assert not (out / "hypotheses").exists() and (out / "report.html").read_text() == "an earlier report"
    assert main([*argv, "--overwrite"]) == 0
    assert (out / "report.json").is_file() and "<!DOCTYPE html>" in (out / "report.html").read_text()


def test_compare_html_shows_every_system_with_its_tests(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                                        ) -> None:
    html = tmp_path / "compare.html"
    assert main(compare_argv(tmp_path / "in", html)) == 0
    capsys.readouterr()
    page = html.read_text(encoding="utf-8")
    assert "base.txt" in page and "better_script_.txt" in page and "baseline" in page
    assert "p bs" in page and "p ar" in page and "lower is better" in page
    assert "<script" not in page and "script-src 'none'" in page
    assert page.count("data:image/png;base64,") == 1
