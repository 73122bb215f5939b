"""Confidence intervals and paired significance tests over per-segment statistics, as sacrebleu runs them.

sacrebleu's CLI (``--confidence``, ``--paired-bs``, ``--paired-ar``) draws
every resample at once: a (resamples × segments) index matrix, then
``stats[idxs]``, a (resamples × segments × statistics) copy — 10 GB for
100,000 segments.  Here the same draws are taken from the same generator
(``numpy.random.default_rng(SACREBLEU_SEED)``, 12345 unless set), in chunks of
rows, and each resample's statistics are summed as a count-weighted matrix
product; the estimator (sorted resample scores, the 2.5% and 97.5% order
statistics, their half distance) and the p-values are sacrebleu's.  So the
numbers are the ones ``sacrebleu --confidence`` / ``--paired-bs`` /
``--paired-ar`` print, in memory that does not grow with the resample count.

One correction: for a system whose output is *identical* to the baseline's,
sacrebleu counts resamples with a difference strictly greater than the
observed one (zero), finds none and reports p = 1/(n+1), i.e. "significant"
(inherited from MultEval, jhclark/multeval#3 and #5).  Zero observed
difference cannot be evidence of a difference, so such a system gets p = 1.
The same strict count makes approximate randomization anti-conservative for
systems that differ in very few segments (most shuffles *tie* the observed
difference); the paired bootstrap does not have this problem, so read both.
"""

from __future__ import annotations

import os
import statistics
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from .metrics import METRIC_NAMES, MetricSet, SegmentStats, score_from

DEFAULT_BOOTSTRAP = 1000
DEFAULT_TRIALS = 10000
#: Index cells drawn per chunk (int64): 4M cells = 32 MB, whatever the corpus size.
_CHUNK_CELLS = 4_000_000


def sacrebleu_seed() -> str:
    """The seed sacrebleu's resampling uses (its ``SACREBLEU_SEED``, 12345 unless set), as it prints it."""
    return os.environ.get("SACREBLEU_SEED", "12345").lower()


def _rng(seed: str) -> np.random.Generator:
    return np.random.default_rng(None if seed == "none" else int(seed))


@dataclass
class MetricResult:
    """One corpus-level score with its bootstrap estimate of the mean and the 95% CI half-width."""

    name: str
    score: float
    mean: float | None
    ci: float | None
    signature: str

    def as_dict(self) -> dict:
        return {"score": round(self.score, 2), "mean": _round(self.mean), "ci95": _round(self.ci),
                "signature": self.signature}

    def interval_text(self) -> str:
        return f"μ = {self.mean:.2f} ± {self.ci:.2f}" if self.mean is not None and self.ci is not None else ""


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 2)


def _chunks(n_rows: int, n_segments: int, multiple: int = 1) -> Iterator[int]:
    """Row counts per chunk: about :data:`_CHUNK_CELLS` cells each, a multiple of ``multiple``."""
    rows = max(multiple, (_CHUNK_CELLS // max(n_segments, 1)) // multiple * multiple)
    done = 0
    while done < n_rows:
        yield min(rows, n_rows - done)
        done += rows


def bootstrap_scores(metrics: MetricSet, systems: list[SegmentStats], n_samples: int,
                     seed: str | None = None) -> list[dict[str, np.ndarray]]:
    """Each system's score on each of ``n_samples`` resamples (the same resamples for every system).

    The index draws are sacrebleu's: ``rng.choice(n, size=(n_samples, n))``,
    taken in chunks of rows (the generator yields the same numbers either way).
    """
    n = len(systems[0])
    rng = _rng(sacrebleu_seed() if seed is None else seed)
    scores: list[dict[str, list[float]]] = [{name: [] for name in METRIC_NAMES} for _ in systems]
    for rows in _chunks(n_samples, n):
        indices = rng.choice(n, size=(rows, n), replace=True)
        weights = np.stack([np.bincount(row, minlength=n) for row in indices]).astype(np.float64)
        for system, out in zip(systems, scores, strict=True):
            for name in METRIC_NAMES:
                for total in weights @ system.arrays[name]:
                    out[name].append(score_from(metrics, name, total))
    return [{name: np.array(values) for name, values in out.items()} for out in scores]


def estimate_ci(scores: np.ndarray) -> tuple[float, float]:
    """Mean and 95% CI half-width of resample scores (sacrebleu's ``Score.estimate_ci``)."""
    ordered = sorted(float(x) for x in scores)
    lower = len(ordered) // 40
    upper = len(ordered) - lower - 1
    return statistics.mean(ordered), 0.5 * (ordered[upper] - ordered[lower])


def confidence(metrics: MetricSet, stats: SegmentStats,
               n_bootstrap: int = DEFAULT_BOOTSTRAP) -> list[MetricResult]:
    """BLEU, chrF++ and TER with bootstrap 95% CIs (``sacrebleu --confidence``); no CIs when n < 2."""
    totals = stats.totals()
    seed = sacrebleu_seed()
    signatures = metrics.signatures(n_bootstrap, seed)
    resampled = bootstrap_scores(metrics, [stats], n_bootstrap, seed)[0] if n_bootstrap > 1 else None
    results = []
    for name in METRIC_NAMES:
        mean = ci = None
        if resampled is not None:
            mean, ci = estimate_ci(resampled[name])
        score = score_from(metrics, name, totals[name])
        results.append(MetricResult(name, score, mean, ci, signatures[name]))
    return results


def _p_value(sample_stats: np.ndarray, observed: float) -> float:
    """sacrebleu's ``_compute_p_value``: resamples strictly beyond the observed difference, plus one."""
    return (int(np.sum(sample_stats > observed)) + 1) / (len(sample_stats) + 1)


def randomization_p_values(metrics: MetricSet, baseline: SegmentStats, system: SegmentStats,
                           n_trials: int, seed: str | None = None) -> dict[str, float]:
    """Paired approximate randomization (sacrebleu's ``_paired_ar_test``), two-sided.

    Each trial swaps a random half of the segments between the two systems.
    The swap masks are sacrebleu's (``rng.integers(2, size=(trials, n), dtype=bool)``);
    numpy draws booleans 32 to a word, so chunks of a multiple of 32 rows give
    the same masks as one draw.
    """
    n = len(baseline)
    seed = sacrebleu_seed() if seed is None else seed
    rng = np.random.default_rng(None if seed in ("none", "0") else int(seed))
    differences: dict[str, list[float]] = {name: [] for name in METRIC_NAMES}
    for rows in _chunks(n_trials, n, multiple=32):
        keep = rng.integers(2, size=(rows, n), dtype=bool)
        for name in METRIC_NAMES:
            a, b = baseline.arrays[name], system.arrays[name]
            mask = keep.astype(np.float64)
            shuffled_a = mask @ a + (1 - mask) @ b
            shuffled_b = (1 - mask) @ a + mask @ b
            differences[name] += [abs(score_from(metrics, name, x) - score_from(metrics, name, y))
                                  for x, y in zip(shuffled_a, shuffled_b, strict=True)]
    base_totals, sys_totals = baseline.totals(), system.totals()
    result = {}
    for name in METRIC_NAMES:
        observed = abs(score_from(metrics, name, base_totals[name])
                       - score_from(metrics, name, sys_totals[name]))
        result[name] = _p_value(np.array(differences[name]), observed)
    return result


@dataclass
class SystemRow:
    """One system's line of the comparison table."""

    system: str
    scores: dict[str, MetricResult]
    p_bootstrap: dict[str, float] = field(default_factory=dict)
    p_randomization: dict[str, float] = field(default_factory=dict)
    identical_to_baseline: bool = False


@dataclass
class Comparison:
    """Every system against the baseline (the first), by paired bootstrap and approximate randomization."""

    units: int
    n_bootstrap: int
    n_trials: int
    rows: list[SystemRow]
    signatures: dict[str, str]
    documents: int = 0
    unit_name: str = "unit"
    level_notes: list[str] = field(default_factory=list)

    @property
    def baseline(self) -> str:
        return self.rows[0].system

    def as_dict(self) -> dict:
        return {
            "units": self.units, "unit": self.unit_name, "documents": self.documents,
            "baseline": self.baseline,
            "n_bootstrap": self.n_bootstrap, "n_trials": self.n_trials, "seed": sacrebleu_seed(),
            "signatures": self.signatures, "levels": self.level_notes,
            "systems": [
                {"system": row.system, "identical_to_baseline": row.identical_to_baseline,
                 "metrics": {name: {**score.as_dict(),
                                    "p_bootstrap": _p(row.p_bootstrap.get(name)),
                                    "p_randomization": _p(row.p_randomization.get(name))}
                             for name, score in row.scores.items()}}
                for row in self.rows
            ],
        }


def _p(value: float | None) -> float | None:
    return None if value is None else round(float(value), 4)


def compare_stats(metrics: MetricSet, named: list[tuple[str, SegmentStats]], identical: list[bool],
                  n_bootstrap: int = DEFAULT_BOOTSTRAP, n_trials: int = DEFAULT_TRIALS) -> Comparison:
    """Paired bootstrap resampling (``--paired-bs``) and approximate randomization (``--paired-ar``).

    ``named`` are the systems' statistics over the same items (the first is the
    baseline); ``identical[k]`` says system k's text equals the baseline's.
    μ ± CI come from the bootstrap (as sacrebleu prints them); p-values from
    both tests, two-sided.  ``n_bootstrap`` or ``n_trials`` 0 leaves that test out.
    """
    if len(named) < 2:
        raise ValueError("compare needs a baseline and at least one system")
    seed = sacrebleu_seed()
    signatures: dict[str, list[str]] = {name: [] for name in METRIC_NAMES}
    if n_bootstrap:
        for name, text in metrics.signatures(n_bootstrap, seed).items():
            signatures[name].append(text)
    if n_trials:
        for name, text in metrics.signatures(0).items():
            signatures[name].append(_with_ar(text, n_trials, seed))
    resampled = bootstrap_scores(metrics, [s for _, s in named], n_bootstrap, seed) if n_bootstrap else None
    base_totals = named[0][1].totals()
    rows = []
    for index, (system, stats) in enumerate(named):
        same = index > 0 and identical[index]
        totals = stats.totals()
        row = SystemRow(system, {}, identical_to_baseline=same)
        for name in METRIC_NAMES:
            score = score_from(metrics, name, totals[name])
            mean = ci = None
            if resampled is not None:
                mean, ci = estimate_ci(resampled[index][name])
            row.scores[name] = MetricResult(name, score, mean, ci, " ; ".join(signatures[name]))
            if index > 0 and resampled is not None:
                observed = abs(score_from(metrics, name, base_totals[name]) - score)
                diffs = np.abs(resampled[index][name] - resampled[0][name])
                row.p_bootstrap[name] = 1.0 if same else _p_value(diffs - diffs.mean(), observed)
        if index > 0 and n_trials:
            p_values = randomization_p_values(metrics, named[0][1], stats, n_trials, seed)
            row.p_randomization = {name: 1.0 if same else p for name, p in p_values.items()}
        rows.append(row)
    return Comparison(len(named[0][1]), n_bootstrap, n_trials, rows,
                      {name: " ; ".join(texts) for name, texts in signatures.items()})


def _with_ar(signature: str, n_trials: int, seed: str) -> str:
    """sacrebleu's signature of an AR test: ``ar:N`` and ``seed:S`` after ``nrefs``."""
    head, _, rest = signature.partition("|")
    return f"{head}|ar:{n_trials}|seed:{seed}|{rest}"
