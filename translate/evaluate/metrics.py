"""The metric set — BLEU, chrF++ and TER through sacrebleu — and per-segment sufficient statistics.

Every score here comes from sacrebleu's own code: its metrics extract each
segment's sufficient statistics (n-gram matches, edits, lengths), and a corpus
score, a sentence score or a bootstrap resample is the metric's formula applied
to a *sum* of those rows.  This is what sacrebleu's significance module does
too (``_extract_corpus_statistics`` / ``_compute_score_from_stats``, the
private API its CLI uses); we keep the rows in numpy arrays instead of Python
lists, so that 100,000 segments take megabytes, and extract them in chunks,
so that sacrebleu's reference cache (every reference n-gram, as Python
objects) never holds more than one chunk.

The set is built once per run (:func:`metric_set`); nothing else constructs a
metric.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: Our metric names, in report order.
METRIC_NAMES = ("BLEU", "chrF++", "TER")
#: Which way is better, for reports: lower TER is better.
HIGHER_IS_BETTER = {"BLEU": True, "chrF++": True, "TER": False}
#: Segments whose statistics are extracted at once (bounds sacrebleu's reference cache).
CHUNK_SEGMENTS = 2000
_TOKENIZED_WARNING = 100  # sacrebleu warns when this many hypotheses end in " ."


@dataclass
class MetricSet:
    """sacrebleu metric objects: ``corpus`` for corpus scores and resamples, ``sentence`` for segments.

    Sentence BLEU uses effective order (sacrebleu's ``sentence_bleu``); chrF++
    and TER are the same formula at both levels.  Sentence scores are computed
    from the same statistics rows as the corpus scores, so a segment's score
    and its part in the corpus score never disagree.
    """

    corpus: dict
    sentence: dict
    num_refs: int = 1

    def signatures(self, n_bootstrap: int = 0, seed: str | None = None) -> dict[str, str]:
        """sacrebleu's signature of each corpus metric; with ``bs:N|seed:S`` when CIs were estimated."""
        result = {}
        for name, metric in self.corpus.items():
            metric.num_refs = self.num_refs
            metric.n_bootstrap = n_bootstrap if n_bootstrap > 1 else None
            metric.seed = seed if n_bootstrap > 1 else None
            result[name] = str(metric.get_signature())
        return result

    def sentence_signatures(self) -> dict[str, str]:
        for metric in self.sentence.values():
            metric.num_refs = self.num_refs
        return {name: str(metric.get_signature()) for name, metric in self.sentence.items()}


def metric_set() -> MetricSet:
    """BLEU, chrF++ (chrF with word bigrams, ``--chrf-word-order 2``) and TER with sacrebleu's defaults.

    ``force=True`` only silences sacrebleu's per-call warning about tokenized
    input (it would repeat once per chunk); :func:`extract_stats` says it once.
    """
    from sacrebleu.metrics import BLEU, CHRF, TER

    return MetricSet(
        corpus={"BLEU": BLEU(force=True), "chrF++": CHRF(word_order=2), "TER": TER()},
        sentence={"BLEU": BLEU(force=True, effective_order=True), "chrF++": CHRF(word_order=2), "TER": TER()},
    )


@dataclass
class SegmentStats:
    """Sufficient statistics per metric: one row per segment (or per unit, when rows are summed)."""

    arrays: dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(next(iter(self.arrays.values()))) if self.arrays else 0

    def rows(self, index: np.ndarray | slice) -> SegmentStats:
        return SegmentStats({name: array[index] for name, array in self.arrays.items()})

    def totals(self) -> dict[str, np.ndarray]:
        return {name: array.sum(axis=0) for name, array in self.arrays.items()}

    def grouped(self, groups: np.ndarray, count: int) -> SegmentStats:
        """Rows summed by group id (0..count-1): segments into units, for paired tests over units."""
        summed = {}
        for name, array in self.arrays.items():
            out = np.zeros((count, array.shape[1]))
            np.add.at(out, groups, array)
            summed[name] = out
        return SegmentStats(summed)

    @staticmethod
    def concatenate(parts: Sequence[SegmentStats]) -> SegmentStats:
        parts = [p for p in parts if len(p)]
        if not parts:
            return SegmentStats({})
        return SegmentStats({name: np.concatenate([p.arrays[name] for p in parts])
                             for name in parts[0].arrays})


def extract_stats(metrics: MetricSet, hypotheses: Sequence[str],
                  references: Sequence[Sequence[str]]) -> tuple[SegmentStats, list[str]]:
    """Each segment's statistics for every metric, and notes (sacrebleu's tokenized-input warning).

    ``references`` is a list of reference *streams*, each parallel to ``hypotheses``.
    """
    n = len(hypotheses)
    metrics.num_refs = len(references)
    chunks: dict[str, list[np.ndarray]] = {name: [] for name in metrics.corpus}
    for start in range(0, n, CHUNK_SEGMENTS):
        hyps = hypotheses[start : start + CHUNK_SEGMENTS]
        refs = [stream[start : start + CHUNK_SEGMENTS] for stream in references]
        for name, metric in metrics.corpus.items():
            rows = metric._extract_corpus_statistics(hyps, refs)
            chunks[name].append(np.asarray(rows, dtype=np.float64).reshape(len(hyps), -1))
    arrays = {name: np.concatenate(parts) if parts else np.zeros((0, _width(metrics, name)))
              for name, parts in chunks.items()}
    notes = []
    tokenized = sum(1 for h in hypotheses if h.endswith(" ."))
    if tokenized >= _TOKENIZED_WARNING:
        notes.append(f"{tokenized} hypothesis segments end in a tokenized period (' .'): if the text is "
                     "tokenized, detokenize it first, or BLEU will be lower than it should be (sacrebleu)")
    return SegmentStats(arrays), notes


def _width(metrics: MetricSet, name: str) -> int:
    """The number of statistics of a metric (for empty arrays of the right shape)."""
    metric = metrics.corpus[name]
    return len(metric._extract_corpus_statistics(["x"], [["x"]])[0])


def score_from(metrics: MetricSet, name: str, totals: np.ndarray) -> float:
    """A corpus-level score from summed statistics (what ``corpus_score`` computes)."""
    return float(metrics.corpus[name]._compute_score_from_stats(totals).score)


def corpus_scores(metrics: MetricSet, stats: SegmentStats) -> dict[str, float]:
    return {name: score_from(metrics, name, total) for name, total in stats.totals().items()}


def sentence_scores(metrics: MetricSet, stats: SegmentStats) -> dict[str, np.ndarray]:
    """Each segment's own score per metric (sentence BLEU with effective order), from its row."""
    result = {}
    for name, array in stats.arrays.items():
        metric = metrics.sentence[name]
        result[name] = np.array([metric._compute_score_from_stats(row).score for row in array], dtype=float)
    return result
