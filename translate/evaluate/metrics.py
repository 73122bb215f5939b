"""BLEU, chrF++ and TER through sacrebleu, on the text of our Document model.

Hypothesis and reference are read with the same format readers as the
pipeline, so markup never leaks into scores.  The scoring unit is the block
(paragraph, heading, list item, table cell): the pipeline keeps blocks one to
one, while a system may legitimately merge or split sentences inside them.
sacrebleu's Python API silently scores only the shorter of two lists, so the
counts are checked here first.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

from ..document import Block, Document, strip_codes
from ..errors import ScoreError

_SPACE = re.compile(r"\s+")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def unit_texts(document: Document) -> tuple[str, list[str]]:
    """The scoring units of a document, one line of plain text each, and their name.

    Markdown blocks are fixed by the syntax, so they are the units.  In plain
    text, whether a line is a block of its own depends on its punctuation, which
    a translation may change; paragraphs (separated by blank lines) do not move,
    so they are the units there.
    """
    if document.format == "text":
        groups = paragraphs(document)
        level = "paragraph"
    else:
        groups = [[block] for block in document.blocks]
        level = "block"
    texts = [" ".join(visible_text(block.source, block) for block in group) for group in groups]
    return level, [_SPACE.sub(" ", text).strip() for text in texts]


def _lf(text: str) -> str:
    """CRLF and CR line endings as LF, so one pattern finds blank lines in any file."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def unit_groups(document: Document) -> list[list[Block]]:
    """The blocks of each scoring unit of :func:`unit_texts`, in the same order."""
    return paragraphs(document) if document.format == "text" else [[block] for block in document.blocks]


def visible_text(coded: str, block: Block) -> str:
    """The text a reader sees: markup codes dropped, escapes and entities as their character.

    A Markdown writer escapes a ``[`` or ``*`` the model wrote (``\\[``); the reader
    sees ``[``, and so should the metrics (a reference may write it bare).
    """
    def shown(char: str) -> str:
        code = block.codes.get(char)
        if code is None:
            return char
        if code.name == "escape" and len(code.data) == 2 and code.data[0] == "\\":
            return code.data[1]
        if code.name == "entity":
            return html.unescape(code.data)
        return ""

    return "".join(shown(c) for c in coded) if block.codes else strip_codes(coded)


def unit_sentences(document: Document) -> list[list[str]]:
    """The sentences (segments) of each scoring unit, as plain text; empty ones left out."""
    units = []
    for group in unit_groups(document):
        texts = (_SPACE.sub(" ", visible_text(s.source, block)).strip()
                 for block in group for s in block.segments)
        units.append([text for text in texts if text])
    return units


def paragraphs(document: Document) -> list[list[Block]]:
    """Blocks grouped by the blank lines between them."""
    groups: list[list[Block]] = []
    start_new = True
    for part in document.parts:
        if isinstance(part, str):
            start_new = start_new or _BLANK_LINE.search(_lf(part)) is not None
        elif start_new or not groups:
            groups.append([part])
            start_new = False
        else:
            groups[-1].append(part)
    return groups


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
    level, hypotheses = unit_texts(hypothesis)
    _, references = unit_texts(reference)
    return score_lines(hypotheses, references, level, hypothesis.name, reference.name)


def score_terms(source: str | Path, hypothesis: str | Path, glossaries: list[str],
                fmt: str = "auto") -> list:
    """Term success rate (WMT25) and exact-match accuracy (WMT21) of a translated document."""
    from ..glossary import exact_match_accuracy, load_glossary, term_success_rate
    from ..pipeline import load_document

    glossary = load_glossary(glossaries)
    src, hyp = load_document(source, fmt), load_document(hypothesis, fmt)
    level, sources = unit_texts(src)
    _, hypotheses = unit_texts(hyp)
    if len(sources) != len(hypotheses):
        raise ScoreError(f"{hyp.name} has {len(hypotheses)} {level}s but {src.name} has {len(sources)}",
                         hint="give the source this file was translated from")
    return [term_success_rate(sources, hypotheses, glossary),
            exact_match_accuracy(sources, hypotheses, glossary)]


def score_files(hypothesis: str | Path, reference: str | Path, fmt: str = "auto") -> ScoreReport:
    from ..pipeline import load_document

    return score_documents(load_document(hypothesis, fmt), load_document(reference, fmt))
