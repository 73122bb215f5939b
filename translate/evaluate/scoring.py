"""Score paired files: corpus metrics with CIs, per document, per segment; terms, numbers, fidelity.

This is the one place that turns :class:`~translate.evaluate.inputs.FilePair` s
into an :class:`Evaluation`; ``translate score``, ``translate eval`` and the
Python API (:func:`score_files`) all go through it, and print or render that
object.  All files are read and checked before anything is scored, and every
count mismatch is reported in one error.

What is counted, so that the numbers in a report agree:

* a **unit** is a line (line level), a paragraph (plain text) or a block
  (other formats): the structure hypothesis and reference share, whose counts
  must be equal;
* a **segment** is what the metrics score: a line, or at the unit level an
  aligned group of sentences (a *bead*: one hypothesis sentence against one
  reference sentence, or 2-1, 1-2, 1-0, 0-1 where a system merged, split,
  dropped or added one).  Corpus scores, their CIs, per-document scores,
  breakdowns and the segment table are all computed from the same segments'
  statistics.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import ScoreError, TranslateError
from ..glossary import Glossary, TermScore, exact_match_accuracy, term_success_rate
from .align import METHOD, Bead, align_lengths, align_sentences
from .comet import CometResult, comet_score
from .fidelity import FidelityReport, format_fidelity
from .inputs import FilePair, LevelChoice, UnitFile, check_counts, choose_level, load_units, pair_inputs
from .limits import check_segment_words, check_total_size
from .metrics import (
    METRIC_NAMES,
    MetricSet,
    SegmentStats,
    corpus_scores,
    extract_stats,
    metric_set,
    sentence_scores,
)
from .significance import DEFAULT_BOOTSTRAP, MetricResult, confidence

#: Reference lengths (words) of the segment-length breakdown: each bucket runs up to its bound.
LENGTH_BUCKETS = (10, 20, 30, 40)


def check_bootstrap(n_bootstrap: int) -> None:
    """0 (no confidence intervals) or at least 2 resamples."""
    if n_bootstrap < 0 or n_bootstrap == 1:
        raise ScoreError(f"--bootstrap {n_bootstrap}: give 0 for no confidence intervals, or 2 or more "
                         "resamples (default 1000)")


@dataclass(slots=True)
class SegmentScore:
    """One scored segment: a line, or an aligned bead of sentences inside a unit."""

    id: str  # document:line or document#unit.bead
    document: str
    unit: int
    bead: str  # "1-1", "2-1", ...
    hypothesis: str
    reference: str  # the first reference
    chrf: float
    bleu: float  # sentence BLEU with effective order
    ter: float
    source: str | None = None
    source_is_unit: bool = False  # the source shown is the whole unit (its sentences did not line up)
    flags: tuple[str, ...] = ()  # "term", "number": its unit has a term or number miss

    @property
    def length_ratio(self) -> float | None:
        return len(self.hypothesis) / len(self.reference) if self.reference else None

    @property
    def words(self) -> int:
        """Reference length in words, for the length breakdown."""
        return len(self.reference.split())

    def as_dict(self) -> dict:
        ratio = self.length_ratio
        data = {"id": self.id, "document": self.document, "unit": self.unit, "bead": self.bead,
                "BLEU": round(self.bleu, 2), "chrF++": round(self.chrf, 2), "TER": round(self.ter, 2),
                "length_ratio": None if ratio is None else round(ratio, 3),
                "hypothesis": self.hypothesis, "reference": self.reference}
        if self.source is not None:
            data["source"] = self.source
            data["source_is_unit"] = self.source_is_unit
        if self.flags:
            data["flags"] = list(self.flags)
        return data


@dataclass
class DocumentScore:
    key: str
    hypothesis: str
    references: list[str]
    level: str  # unit name: line, paragraph or block
    units: int
    realigned_units: int
    scores: dict[str, float]
    segments: int = 0
    reason: str = ""

    def as_dict(self) -> dict:
        return {"document": self.key, "hypothesis": self.hypothesis, "references": self.references,
                "level": self.level, "level_reason": self.reason, "units": self.units,
                "segments": self.segments, "realigned_units": self.realigned_units,
                "scores": {k: round(v, 2) for k, v in self.scores.items()}}


@dataclass
class Issue:
    """A term or number of the source missing from the hypothesis, in one unit."""

    kind: str  # "term" or "number"
    document: str
    unit: int
    source: str  # the source term or quantity as written
    expected: str  # what the hypothesis should contain
    segments: list[str]  # ids of the unit's segments
    hypothesis: str  # the unit's hypothesis text

    def as_dict(self) -> dict:
        return {"kind": self.kind, "document": self.document, "unit": self.unit, "source": self.source,
                "expected": self.expected, "segments": self.segments}


@dataclass
class Breakdown:
    """Corpus scores of a subset of the segments (a length bucket)."""

    label: str
    segments: int
    scores: dict[str, float]

    def as_dict(self) -> dict:
        return {"label": self.label, "segments": self.segments,
                "scores": {k: round(v, 2) for k, v in self.scores.items()}}


@dataclass
class Evaluation:
    level: str  # what was asked: auto, line or unit
    metrics: list[MetricResult]
    documents: list[DocumentScore]
    segments: list[SegmentScore]
    segment_signatures: dict[str, str]
    terms: list[TermScore] = field(default_factory=list)
    terms_in_quantities: int = 0  # term occurrences inside numbers, dates, times, money (see term_note)
    issues: list[Issue] = field(default_factory=list)
    numbers_checked: int = 0  # units whose numbers were checked (a source was given)
    fidelity: list[FidelityReport] = field(default_factory=list)
    comet: CometResult | None = None
    notes: list[str] = field(default_factory=list)
    by_length: list[Breakdown] = field(default_factory=list)
    n_bootstrap: int = DEFAULT_BOOTSTRAP

    @property
    def units(self) -> int:
        return sum(d.units for d in self.documents)

    @property
    def realigned(self) -> int:
        """Documents in which at least one unit's sentences had to be realigned."""
        return sum(1 for d in self.documents if d.realigned_units)

    @property
    def realigned_units(self) -> int:
        return sum(d.realigned_units for d in self.documents)

    @property
    def unit_name(self) -> str:
        """What a unit is here: paragraph, block or line ("unit" for a mix of formats)."""
        levels = {d.level for d in self.documents}
        return levels.pop() if len(levels) == 1 else "unit"

    @property
    def level_summary(self) -> str:
        """The level used and why: one reason, or how many documents were scored at each level."""
        reasons = {d.reason for d in self.documents}
        if len(reasons) == 1:
            return f"{self.unit_name} level: {reasons.pop()}"
        by_level: dict[str, int] = {}
        for d in self.documents:
            by_level[d.level] = by_level.get(d.level, 0) + 1
        return "levels: " + ", ".join(f"{n} document(s) by {level}" for level, n in sorted(by_level.items()))

    def metric(self, name: str) -> MetricResult:
        return next(m for m in self.metrics if m.name == name)

    def term_note(self) -> str:
        """Why ``translate run``'s term count can be lower than this one (see the README)."""
        if not self.terms or not self.terms_in_quantities:
            return ""
        total = self.terms[0].total
        return (f"{self.terms_in_quantities} of the {total} term occurrences are inside numbers, dates, "
                f"times or money, which `translate run` localizes itself and leaves out of its own term "
                f"count ({total - self.terms_in_quantities})")

    def as_dict(self) -> dict:
        result = {
            "units": self.units, "segments_scored": len(self.segments), "level": self.unit_name,
            "mode": self.level, "level_reason": self.level_summary,
            "documents": len(self.documents), "realigned_documents": self.realigned,
            "realigned_units": self.realigned_units, "alignment": METHOD,
            "metrics": {m.name: m.as_dict() for m in self.metrics},
            "per_document": [d.as_dict() for d in self.documents],
            "by_length": [b.as_dict() for b in self.by_length],
            "segment_signatures": self.segment_signatures,
            "segments": [s.as_dict() for s in self.segments],
        }
        if self.terms:
            result["terms"] = {t.metric: t.as_dict() for t in self.terms}
            result["terms_in_quantities"] = self.terms_in_quantities
        if self.numbers_checked:
            result["numbers"] = {"units_checked": self.numbers_checked,
                                 "missing": [i.as_dict() for i in self.issues if i.kind == "number"]}
        if self.terms:
            result["term_misses"] = [i.as_dict() for i in self.issues if i.kind == "term"]
        if self.fidelity:
            blocks = sum(f.blocks for f in self.fidelity)
            preserved = sum(f.preserved for f in self.fidelity)
            result["format_fidelity"] = {
                "codes_preserved": round(100 * preserved / blocks, 2) if blocks else None,
                "shape_equal": sum(1 for f in self.fidelity if f.shape_equal),
                "documents": [f.as_dict() for f in self.fidelity]}
        if self.comet is not None:
            result["comet"] = self.comet.as_dict()
        if self.notes:
            result["notes"] = self.notes
        return result


# --------------------------------------------------------------------------- reading


@dataclass
class _Loaded:
    pair: FilePair
    choice: LevelChoice
    hypothesis: UnitFile
    references: list[UnitFile]
    source: UnitFile | None
    beads: list[Bead] | None = None  # realigned lines: the units above are these beads' lines joined

    @property
    def items(self) -> int:
        """The units that paired tests resample: reference lines when lines were realigned."""
        if self.beads is None:
            return len(self.references[0].units)
        return sum(len(bead.ref) for bead in self.beads)


def _realigned_lines(pair: FilePair, choice: LevelChoice) -> _Loaded:
    """Line files whose counts differ: hypothesis lines aligned with reference lines by length.

    The references (and the source) are parallel to each other line by line;
    each bead's lines, joined, become one unit of every file.
    """
    hyp = load_units(pair.hypothesis, "line")
    refs = [load_units(r, "line") for r in pair.references]
    for ref in refs[1:]:
        check_counts(ref, refs[0])
    src = load_units(pair.source, "line") if pair.source is not None else None
    if src is not None:
        check_counts(src, refs[0])
    beads = align_lengths([len(x) for x in hyp.units], [len(x) for x in refs[0].units])

    def joined(file: UnitFile, hyp_side: bool) -> UnitFile:
        lines = [" ".join(file.units[k] for k in (b.hyp if hyp_side else b.ref)) for b in beads]
        return UnitFile(file.path, "line", lines)

    return _Loaded(pair, choice, joined(hyp, True), [joined(r, False) for r in refs],
                   joined(src, False) if src is not None else None, beads)


def load_pair(pair: FilePair, choice: LevelChoice, fmt: str = "auto") -> _Loaded:
    """Read one pair's files at the chosen level and check their unit counts."""
    if choice.realign:
        return _realigned_lines(pair, choice)
    hyp = load_units(pair.hypothesis, choice.level, fmt)
    refs = [load_units(r, choice.level, fmt) for r in pair.references]
    for ref in refs:
        check_counts(hyp, ref)
    src = None
    if pair.source is not None:
        src = load_units(pair.source, choice.level, fmt)
        check_counts(hyp, src)
    return _Loaded(pair, choice, hyp, refs, src)


def pair_files(pair: FilePair) -> list[Path]:
    return [pair.hypothesis, *pair.references, *([pair.source] if pair.source else [])]


def report_problems(problems: list[TranslateError], total: int, what: str) -> None:
    """One error for all problems: the problem itself when there is one, else a count and the first five."""
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise ScoreError(f"{len(problems)} of {total} {what} cannot be scored: "
                         + "; ".join(str(p) for p in problems[:5]))


def _load(pairs: list[FilePair], level: str, fmt: str) -> list[_Loaded]:
    """Read every file at its level and check every count; all problems are reported together."""
    loaded, problems = [], []
    for pair in pairs:
        try:
            loaded.append(load_pair(pair, choose_level(pair_files(pair), level, fmt), fmt))
        except TranslateError as error:
            problems.append(error)
    report_problems(problems, len(pairs), "file pairs")
    return loaded


@dataclass
class _Row:
    """A segment before scoring: where it is and its texts."""

    id: str
    document: str
    unit: int
    bead: str
    hypothesis: str
    references: list[str]
    source: str | None = None
    source_is_unit: bool = False
    item: int = -1  # the unit paired tests resample (the unit itself, or a realigned line's reference line)


def _line_rows(item: _Loaded) -> list[_Row]:
    key, src = item.pair.key, item.source
    if item.beads is None:
        return [_Row(f"{key}:{i + 1}", key, i, "1-1", h, [r.units[i] for r in item.references],
                     src.units[i] if src else None, item=i)
                for i, h in enumerate(item.hypothesis.units)]
    rows, last_ref = [], 0
    for i, (bead, h) in enumerate(zip(item.beads, item.hypothesis.units, strict=True)):
        if bead.hyp:
            first, last = bead.hyp[0] + 1, bead.hyp[-1] + 1
            lines = str(first) if first == last else f"{first}-{last}"
        else:
            lines = f"(none; reference line {bead.ref[0] + 1})"
        last_ref = bead.ref[0] if bead.ref else last_ref
        rows.append(_Row(f"{key}:{lines}", key, i, bead.kind, h, [r.units[i] for r in item.references],
                         src.units[i] if src else None, item=last_ref))
    return rows


def _unit_rows(item: _Loaded) -> tuple[list[_Row], int]:
    """Segments of every unit (beads after realignment), and how many units were realigned."""
    key, hyp, refs, src = item.pair.key, item.hypothesis, item.references, item.source
    rows: list[_Row] = []
    realigned = 0
    for unit, h_sents in enumerate(hyp.sentences or []):
        r_sents = [r.sentences[unit] for r in refs]  # type: ignore[index]
        s_sents = src.sentences[unit] if src is not None and src.sentences is not None else None
        if len(refs) == 1:
            beads = align_sentences(h_sents, r_sents[0])
            groups = [(b.kind, b.hyp, [" ".join(r_sents[0][k] for k in b.ref)]) for b in beads]
        elif all(len(r) == len(h_sents) for r in r_sents):
            groups = [("1-1", (k,), [r[k] for r in r_sents]) for k in range(len(h_sents))]
        else:  # several references split differently: the unit is one segment
            kind = f"{len(h_sents)}-{len(r_sents[0])}"
            groups = [(kind, tuple(range(len(h_sents))), [r.units[unit] for r in refs])]
        if any(kind != "1-1" for kind, _, _ in groups):
            realigned += 1
        for index, (kind, hyp_ids, ref_texts) in enumerate(groups):
            source, whole = None, False
            if src is not None:
                if s_sents is not None and len(s_sents) == len(h_sents) and hyp_ids:
                    source = " ".join(s_sents[k] for k in hyp_ids)
                else:
                    source, whole = src.units[unit], True
            rows.append(_Row(f"{key}#{unit}.{index}", key, unit, kind, " ".join(h_sents[k] for k in hyp_ids),
                             ref_texts, source, whole, item=unit))
    return rows, realigned


def segment_rows(item: _Loaded) -> tuple[list[_Row], int]:
    """A document's segments (lines, or beads of realigned sentences), bounds checked; its realigned units."""
    if item.choice.level == "line":
        rows = _line_rows(item)
        realigned = sum(1 for row in rows if row.bead != "1-1")
    else:
        rows, realigned = _unit_rows(item)
    _check_rows(item, rows)
    return rows, realigned


def _check_rows(item: _Loaded, rows: list[_Row]) -> None:
    """Every segment within the TER bound; the message names the file and the line or segment."""
    line_level = item.choice.level == "line"
    for row in rows:
        place = f"line {row.id.rpartition(':')[2]}" if line_level else f"segment {row.id}"
        check_segment_words(row.hypothesis, f"{item.pair.hypothesis} {place}")
        for path, text in zip(item.pair.references, row.references, strict=True):
            check_segment_words(text, f"{path} {place}")


# --------------------------------------------------------------------------- scoring


def evaluate_pairs(pairs: list[FilePair], level: str = "auto", fmt: str = "auto",
                   glossary: Glossary | None = None, n_bootstrap: int = DEFAULT_BOOTSTRAP,
                   comet_model: str | None = None) -> Evaluation:
    """Score every pair; terms, numbers, fidelity and COMET where a source (and glossary, model) is given."""
    check_bootstrap(n_bootstrap)
    check_total_size(p for pair in pairs for p in pair_files(pair))
    loaded = _load(pairs, level, fmt)
    rows: list[_Row] = []
    spans: list[tuple[int, int, int]] = []  # per document: first row, end row, realigned units
    for item in loaded:
        doc_rows, realigned = segment_rows(item)
        spans.append((len(rows), len(rows) + len(doc_rows), realigned))
        rows += doc_rows
    if not any(r.hypothesis.strip() or any(x.strip() for x in r.references) for r in rows):
        names = " and ".join(dict.fromkeys(str(p) for pair in pairs
                                           for p in [pair.hypothesis, *pair.references]))
        raise ScoreError(f"nothing to score: {names} contain no text")
    metrics = metric_set()
    n_refs = len(loaded[0].references)
    if any(len(item.references) != n_refs for item in loaded):
        raise ScoreError("every document needs the same number of references")
    stats, notes = extract_stats(metrics, [r.hypothesis for r in rows],
                                 [[r.references[k] for r in rows] for k in range(n_refs)])
    sentence = sentence_scores(metrics, stats)
    segments = [SegmentScore(r.id, r.document, r.unit, r.bead, r.hypothesis, r.references[0],
                             float(sentence["chrF++"][i]), float(sentence["BLEU"][i]),
                             float(sentence["TER"][i]), r.source, r.source_is_unit)
                for i, r in enumerate(rows)]
    documents = []
    for item, (start, end, realigned) in zip(loaded, spans, strict=True):
        documents.append(DocumentScore(
            item.pair.key, str(item.pair.hypothesis), [str(r) for r in item.pair.references],
            item.hypothesis.level, len(item.hypothesis.units), realigned,
            corpus_scores(metrics, stats.rows(slice(start, end))) if end > start else {},
            end - start, item.choice.reason))
    evaluation = Evaluation(level, confidence(metrics, stats, n_bootstrap), documents, segments,
                            metrics.sentence_signatures(), notes=notes, n_bootstrap=n_bootstrap)
    evaluation.by_length = length_breakdown(metrics, stats, segments)
    _add_source_checks(evaluation, loaded, glossary)
    if comet_model:
        _add_comet(evaluation, loaded, comet_model)
    return evaluation


def length_breakdown(metrics: MetricSet, stats: SegmentStats, segments: Sequence[SegmentScore],
                     bounds: Sequence[int] = LENGTH_BUCKETS) -> list[Breakdown]:
    """Corpus scores of the segments by reference length in words (1-10, 11-20, ..., over the last bound)."""
    words = np.array([s.words for s in segments])
    edges = [0, *bounds]
    labels = [f"{lo + 1}-{hi}" for lo, hi in zip(edges, edges[1:], strict=False)] + [f"> {bounds[-1]}"]
    bucket = np.searchsorted(np.array(bounds), words, side="left")  # words <= bound → that bucket
    result = []
    empty = words == 0
    if empty.any():
        result.append(Breakdown("empty reference", int(empty.sum()),
                                corpus_scores(metrics, stats.rows(np.flatnonzero(empty)))))
    for index, label in enumerate(labels):
        chosen = np.flatnonzero((bucket == index) & ~empty)
        if len(chosen):
            result.append(Breakdown(label, len(chosen), corpus_scores(metrics, stats.rows(chosen))))
    return result


def _add_source_checks(evaluation: Evaluation, loaded: list[_Loaded], glossary: Glossary | None) -> None:
    """Terms (with a glossary), numbers and format fidelity of the documents that have a source."""
    from ..localize import find_quantities
    from ..qa import check_numbers

    with_source = [item for item in loaded if item.source is not None]
    if not with_source:
        return
    unit_segments: dict[tuple[str, int], list[SegmentScore]] = {}
    for segment in evaluation.segments:
        unit_segments.setdefault((segment.document, segment.unit), []).append(segment)
    places = [(item.pair.key, unit) for item in with_source for unit in range(len(item.hypothesis.units))]
    sources = [u for item in with_source for u in item.source.units]  # type: ignore[union-attr]
    outputs = [u for item in with_source for u in item.hypothesis.units]

    def issue(kind: str, index: int, source: str, expected: str) -> Issue:
        document, unit = places[index]
        segments = unit_segments.get((document, unit), [])
        for segment in segments:
            if kind not in segment.flags:
                segment.flags = (*segment.flags, kind)
        return Issue(kind, document, unit, source, expected, [s.id for s in segments], outputs[index])

    if glossary is not None:
        evaluation.terms = [term_success_rate(sources, outputs, glossary),
                            exact_match_accuracy(sources, outputs, glossary)]
        for miss in evaluation.terms[0].misses:
            evaluation.issues.append(issue("term", miss.segment, miss.term.source,
                                           " or ".join(miss.term.targets)))
        for text in sources:
            quantities = find_quantities(text)
            evaluation.terms_in_quantities += sum(
                1 for m in glossary.match(text)
                if any(q.start <= m.start and m.end <= q.end for q in quantities))
    evaluation.numbers_checked = len(sources)
    for index, (source, output) in enumerate(zip(sources, outputs, strict=True)):
        for problem in check_numbers(source, output):
            evaluation.issues.append(issue("number", index, problem.source, problem.expected))
    for item in with_source:
        src_doc, hyp_doc = item.source.document, item.hypothesis.document  # type: ignore[union-attr]
        if src_doc is not None and hyp_doc is not None:
            evaluation.fidelity.append(format_fidelity(src_doc, hyp_doc))  # type: ignore[arg-type]


def _add_comet(evaluation: Evaluation, loaded: list[_Loaded], model: str) -> None:
    """COMET over units (source, hypothesis, first reference)."""
    if any(item.source is None for item in loaded):
        raise ScoreError("COMET needs the source of every document", hint="give --source")
    evaluation.comet = comet_score(model, [u for i in loaded for u in i.source.units],  # type: ignore[union-attr]
                                   [u for i in loaded for u in i.hypothesis.units],
                                   [u for i in loaded for u in i.references[0].units])


def score_files(hypothesis: str | Path, references: str | Path | Sequence[str | Path],
                source: str | Path | None = None, level: str = "auto", fmt: str = "auto",
                glossary: Glossary | None = None, n_bootstrap: int = DEFAULT_BOOTSTRAP) -> Evaluation:
    """Score a hypothesis file or folder against reference(s): what ``translate score`` prints.

    ``references`` is one path or a list of them; folders are paired by name.
    """
    refs = [references] if isinstance(references, (str, Path)) else list(references)
    return evaluate_pairs(pair_inputs(hypothesis, refs, source, level), level, fmt, glossary, n_bootstrap)


def score_terms(source: str | Path, hypothesis: str | Path, glossaries: list[str],
                fmt: str = "auto", level: str = "auto") -> list[TermScore]:
    """Term success rate (WMT25) and exact-match accuracy (WMT21) of a translation, without a reference."""
    from ..glossary import load_glossary

    glossary = load_glossary(glossaries)
    choice = choose_level([Path(source), Path(hypothesis)], level, fmt)
    src, hyp = load_units(source, choice.level, fmt), load_units(hypothesis, choice.level, fmt)
    check_counts(hyp, src)
    return [term_success_rate(src.units, hyp.units, glossary),
            exact_match_accuracy(src.units, hyp.units, glossary)]


__all__ = ["METRIC_NAMES", "Breakdown", "DocumentScore", "Evaluation", "Issue", "SegmentScore",
           "check_bootstrap", "evaluate_pairs", "length_breakdown", "score_files", "score_terms"]
