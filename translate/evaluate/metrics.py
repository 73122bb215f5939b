"""BLEU, chrF++ and TER through sacrebleu, on the text of our Document model.

Hypothesis and reference are read with the same format readers as the
pipeline, so markup never leaks into scores.  The scoring unit is the block
(paragraph, heading, list item, table cell): the pipeline keeps blocks one to
one, while a system may legitimately merge or split sentences inside them.
sacrebleu's Python API silently scores only the shorter of two lists, so the
counts are checked here first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..document import Document, strip_codes
from ..errors import ScoreError

_SPACE = re.compile(r"\s+")


def block_texts(document: Document) -> list[str]:
    """One line of plain text per block: codes removed, whitespace collapsed."""
    return [_SPACE.sub(" ", strip_codes(block.source)).strip() for block in document.blocks]


@dataclass
class MetricScore:
    name: str
    score: float
    signature: str
    text: str  # sacrebleu's formatted score line


@dataclass
class ScoreReport:
    units: int
    level: str
    metrics: list[MetricScore]

    def as_dict(self) -> dict:
        return {
            "units": self.units,
            "level": self.level,
            "metrics": {m.name: {"score": round(m.score, 2), "signature": m.signature} for m in self.metrics},
        }


def score_lines(hypotheses: list[str], references: list[str], level: str = "block",
                hyp_name: str = "hypothesis", ref_name: str = "reference") -> ScoreReport:
    from sacrebleu.metrics import BLEU, CHRF, TER

    if len(hypotheses) != len(references):
        raise ScoreError(
            f"{hyp_name} has {len(hypotheses)} {level}s but {ref_name} has {len(references)}",
            hint="score files with the same structure (one translated block per source block)",
        )
    if not hypotheses:
        raise ScoreError(f"nothing to score: {hyp_name} and {ref_name} are empty")
    metrics = []
    for name, metric in (("BLEU", BLEU()), ("chrF++", CHRF(word_order=2)), ("TER", TER())):
        result = metric.corpus_score(hypotheses, [references])
        metrics.append(MetricScore(name, result.score, str(metric.get_signature()), str(result)))
    return ScoreReport(len(hypotheses), level, metrics)


def score_documents(hypothesis: Document, reference: Document) -> ScoreReport:
    return score_lines(block_texts(hypothesis), block_texts(reference), "block",
                       hypothesis.name, reference.name)


def score_terms(source: str | Path, hypothesis: str | Path, glossaries: list[str],
                fmt: str = "auto") -> list:
    """Term success rate (WMT25) and exact-match accuracy (WMT21) of a translated document."""
    from ..glossary import exact_match_accuracy, load_glossary, term_success_rate
    from ..pipeline import load_document

    glossary = load_glossary(glossaries)
    src, hyp = load_document(source, fmt), load_document(hypothesis, fmt)
    sources, hypotheses = block_texts(src), block_texts(hyp)
    if len(sources) != len(hypotheses):
        raise ScoreError(f"{hyp.name} has {len(hypotheses)} blocks but {src.name} has {len(sources)}",
                         hint="give the source this file was translated from")
    return [term_success_rate(sources, hypotheses, glossary),
            exact_match_accuracy(sources, hypotheses, glossary)]


def score_files(hypothesis: str | Path, reference: str | Path, fmt: str = "auto") -> ScoreReport:
    from ..pipeline import load_document

    return score_documents(load_document(hypothesis, fmt), load_document(reference, fmt))
