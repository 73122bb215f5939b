"""Score paired files: corpus metrics with confidence intervals, per document, per segment, terms, fidelity.

This is the one place that turns :class:`~translate.evaluate.inputs.FilePair` s
into an :class:`Evaluation`; ``translate score`` and ``translate eval`` both
print or render that object.  All files are read and checked before anything
is scored, and every count mismatch is reported in one error.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import ScoreError, TranslateError
from ..glossary import Glossary, TermScore, exact_match_accuracy, term_success_rate
from .align import METHOD, align_sentences
from .comet import CometResult, comet_score
from .fidelity import FidelityReport, format_fidelity
from .inputs import FilePair, UnitFile, check_counts, load_units
from .significance import DEFAULT_BOOTSTRAP, MetricResult, corpus_scores, make_metrics


@dataclass
class SegmentScore:
    """One aligned bead: hypothesis sentence(s) against reference sentence(s)."""

    id: str  # document#unit.bead
    bead: str  # "1-1", "2-1", ...
    hypothesis: str
    reference: str
    chrf: float
    bleu: float  # sentence BLEU with effective order

    @property
    def length_ratio(self) -> float | None:
        return len(self.hypothesis) / len(self.reference) if self.reference else None

    def as_dict(self) -> dict:
        ratio = self.length_ratio
        return {"id": self.id, "bead": self.bead, "chrF++": round(self.chrf, 2), "BLEU": round(self.bleu, 2),
                "length_ratio": None if ratio is None else round(ratio, 3),
                "hypothesis": self.hypothesis, "reference": self.reference}


@dataclass
class DocumentScore:
    key: str
    hypothesis: str
    references: list[str]
    level: str
    units: int
    realigned_units: int
    scores: dict[str, float]

    def as_dict(self) -> dict:
        return {"document": self.key, "hypothesis": self.hypothesis, "references": self.references,
                "level": self.level, "units": self.units, "realigned_units": self.realigned_units,
                "scores": {k: round(v, 2) for k, v in self.scores.items()}}


@dataclass
class Evaluation:
    level: str
    metrics: list[MetricResult]
    documents: list[DocumentScore]
    segments: list[SegmentScore]
    segment_signatures: dict[str, str]
    terms: list[TermScore] = field(default_factory=list)
    fidelity: list[FidelityReport] = field(default_factory=list)
    comet: CometResult | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def units(self) -> int:
        return sum(d.units for d in self.documents)

    @property
    def realigned(self) -> int:
        """Documents in which at least one unit's sentences had to be realigned."""
        return sum(1 for d in self.documents if d.realigned_units)

    @property
    def unit_name(self) -> str:
        """What a unit is here: paragraph, block or line ("unit" for a mix of formats)."""
        levels = {d.level for d in self.documents}
        return levels.pop() if len(levels) == 1 else "unit"

    def metric(self, name: str) -> MetricResult:
        return next(m for m in self.metrics if m.name == name)

    def as_dict(self) -> dict:
        result = {
            "units": self.units, "level": self.unit_name, "mode": self.level,
            "documents": len(self.documents),
            "realigned_documents": self.realigned, "alignment": METHOD,
            "metrics": {m.name: m.as_dict() for m in self.metrics},
            "per_document": [d.as_dict() for d in self.documents],
            "segment_signatures": self.segment_signatures,
            "segments": [s.as_dict() for s in self.segments],
        }
        if self.terms:
            result["terms"] = {t.metric: t.as_dict() for t in self.terms}
        if self.fidelity:
            blocks = sum(f.blocks for f in self.fidelity)
            preserved = sum(f.preserved for f in self.fidelity)
            result["format_fidelity"] = {
                "codes_preserved": round(100 * preserved / blocks, 2) if blocks else 100.0,
                "shape_equal": sum(1 for f in self.fidelity if f.shape_equal),
                "documents": [f.as_dict() for f in self.fidelity]}
        if self.comet is not None:
            result["comet"] = self.comet.as_dict()
        if self.notes:
            result["notes"] = self.notes
        return result


@dataclass
class _Loaded:
    pair: FilePair
    hypothesis: UnitFile
    references: list[UnitFile]
    source: UnitFile | None


def _load(pairs: list[FilePair], level: str, fmt: str, need_source: bool) -> list[_Loaded]:
    """Read every file and check every count; all problems are reported together."""
    loaded, problems = [], []
    for pair in pairs:
        try:
            hyp = load_units(pair.hypothesis, level, fmt)
            refs = [load_units(r, level, fmt) for r in pair.references]
            for ref in refs:
                check_counts(hyp, ref)
            src = None
            if need_source and pair.source is not None:
                src = load_units(pair.source, level, fmt)
                check_counts(hyp, src)
            loaded.append(_Loaded(pair, hyp, refs, src))
        except TranslateError as error:
            problems.append(error)
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise ScoreError(f"{len(problems)} of {len(pairs)} file pairs cannot be scored: "
                         + "; ".join(p.message for p in problems[:5]))
    return loaded


def _beads(item: _Loaded) -> tuple[list[tuple[str, str, str, str]], int]:
    """(id, bead kind, hypothesis, reference) for every aligned bead of a document, and units realigned."""
    hyp, ref = item.hypothesis, item.references[0]
    key = item.pair.key
    if hyp.sentences is None or ref.sentences is None:
        pairs = enumerate(zip(hyp.units, ref.units, strict=True))
        return [(f"{key}#{i}", "1-1", h, r) for i, (h, r) in pairs], 0
    rows, realigned = [], 0
    for unit, (h_sents, r_sents) in enumerate(zip(hyp.sentences, ref.sentences, strict=True)):
        if len(h_sents) != len(r_sents):
            realigned += 1
        for index, bead in enumerate(align_sentences(h_sents, r_sents)):
            rows.append((f"{key}#{unit}.{index}", bead.kind, " ".join(h_sents[k] for k in bead.hyp),
                         " ".join(r_sents[k] for k in bead.ref)))
    return rows, realigned


def evaluate_pairs(pairs: list[FilePair], level: str = "unit", fmt: str = "auto",
                   glossary: Glossary | None = None, n_bootstrap: int = DEFAULT_BOOTSTRAP,
                   comet_model: str | None = None) -> Evaluation:
    """Score every pair; terms, fidelity and COMET where a source (and glossary, model) is given."""
    from sacrebleu.metrics import BLEU, CHRF

    loaded = _load(pairs, level, fmt, need_source=True)
    if not any(item.hypothesis.units for item in loaded):
        raise ScoreError("nothing to score: the hypotheses are empty")
    n_refs = len(loaded[0].references)
    hyps = [u for item in loaded for u in item.hypothesis.units]
    refs = [[u for item in loaded for u in item.references[k].units] for k in range(n_refs)]
    metrics = corpus_scores(hyps, refs, n_bootstrap)

    sentence_bleu, sentence_chrf = BLEU(effective_order=True), CHRF(word_order=2)
    documents, segments = [], []
    for item in loaded:
        scorers = make_metrics()
        doc_refs = [r.units for r in item.references]
        scores = {name: float(m.corpus_score(item.hypothesis.units, doc_refs).score)
                  for name, m in scorers.items()}
        rows, realigned = _beads(item)
        for seg_id, kind, h, r in rows:
            segments.append(SegmentScore(seg_id, kind, h, r, sentence_chrf.sentence_score(h, [r]).score,
                                         sentence_bleu.sentence_score(h, [r]).score))
        documents.append(DocumentScore(item.pair.key, str(item.pair.hypothesis),
                                       [str(r) for r in item.pair.references], item.hypothesis.level,
                                       len(item.hypothesis.units), realigned, scores))
    evaluation = Evaluation(level, metrics, documents, segments,
                            {"BLEU": str(sentence_bleu.get_signature()),
                             "chrF++": str(sentence_chrf.get_signature())})

    with_source = [item for item in loaded if item.source is not None]
    if glossary is not None and with_source:
        sources = [u for item in with_source for u in item.source.units]  # type: ignore[union-attr]
        outputs = [u for item in with_source for u in item.hypothesis.units]
        evaluation.terms = [term_success_rate(sources, outputs, glossary),
                            exact_match_accuracy(sources, outputs, glossary)]
    for item in with_source:
        src_doc, hyp_doc = item.source.document, item.hypothesis.document  # type: ignore[union-attr]
        if src_doc is not None and hyp_doc is not None:
            evaluation.fidelity.append(format_fidelity(src_doc, hyp_doc))  # type: ignore[arg-type]
    if comet_model:
        if len(with_source) != len(loaded):
            raise ScoreError("COMET needs the source of every document", hint="give --source")
        evaluation.comet = comet_score(comet_model, [u for i in loaded for u in i.source.units],  # type: ignore
                                       hyps, refs[0])
    return evaluation
