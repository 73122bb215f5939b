"""Confidence intervals and paired significance tests, through sacrebleu's own significance module.

sacrebleu's :class:`~sacrebleu.significance.PairedTest` is what its CLI runs
for ``--confidence``, ``--paired-bs`` and ``--paired-ar``: it extracts each
system's sufficient statistics once and resamples those, so a thousand
resamples cost little.  Keeping to it means our numbers are the ones an
evaluator gets from ``sacrebleu`` itself (same seed, same estimator).

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
from collections.abc import Sequence
from dataclasses import dataclass, field

#: Our metric names, in report order, and sacrebleu's names for them.
METRIC_NAMES = ("BLEU", "chrF++", "TER")
DEFAULT_BOOTSTRAP = 1000
DEFAULT_TRIALS = 10000


def make_metrics() -> dict:
    """Fresh sacrebleu metric objects (they cache references, so never share them between corpora)."""
    from sacrebleu.metrics import BLEU, CHRF, TER

    return {"BLEU": BLEU(), "chrF++": CHRF(word_order=2), "TER": TER()}


def sacrebleu_seed() -> str:
    """The seed sacrebleu's resampling uses (its ``SACREBLEU_SEED``, 12345 unless set)."""
    return os.environ.get("SACREBLEU_SEED", "12345")


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

    def confidence(self) -> str:
        return f"μ = {self.mean:.2f} ± {self.ci:.2f}" if self.mean is not None and self.ci is not None else ""


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 2)


def _run(named: list[tuple[str, Sequence[str]]], references: list[list[str]], test_type: str,
         n_samples: int):
    from sacrebleu.significance import PairedTest

    metrics = make_metrics()
    test = PairedTest(named, metrics, references, test_type=test_type, n_samples=n_samples)
    signatures, table = test()
    # PairedTest keys results by sacrebleu's score names (BLEU, chrF2++, TER), in our metrics' order.
    keys = [k for k in table if k != "System"]
    sig_keys = list(signatures)
    return ({ours: table[key] for ours, key in zip(METRIC_NAMES, keys, strict=True)},
            {ours: signatures[key].format() for ours, key in zip(METRIC_NAMES, sig_keys, strict=True)})


def corpus_scores(hypotheses: list[str], references: list[list[str]],
                  n_bootstrap: int = DEFAULT_BOOTSTRAP) -> list[MetricResult]:
    """BLEU, chrF++ and TER with bootstrap 95% CIs (sacrebleu ``--confidence``).

    ``references`` is a list of reference *streams*, each parallel to ``hypotheses``.
    """
    table, signatures = _run([("system", hypotheses)], references, "bs", n_bootstrap)
    results = []
    for name in METRIC_NAMES:
        result = table[name][0]
        results.append(MetricResult(name, float(result.score), _float(result.mean), _float(result.ci),
                                    signatures[name]))
    return results


def _float(value) -> float | None:
    return None if value is None else float(value)


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

    @property
    def baseline(self) -> str:
        return self.rows[0].system

    def as_dict(self) -> dict:
        return {
            "units": self.units, "documents": self.documents, "baseline": self.baseline,
            "n_bootstrap": self.n_bootstrap, "n_trials": self.n_trials, "seed": sacrebleu_seed(),
            "signatures": self.signatures,
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


def compare_systems(named: list[tuple[str, list[str]]], references: list[list[str]],
                    n_bootstrap: int = DEFAULT_BOOTSTRAP, n_trials: int = DEFAULT_TRIALS) -> Comparison:
    """Paired bootstrap resampling (``--paired-bs``) and approximate randomization (``--paired-ar``).

    The first system is the baseline.  μ ± CI come from the bootstrap test (as
    sacrebleu prints them); p-values from both tests, two-sided.
    """
    if len(named) < 2:
        raise ValueError("compare needs a baseline and at least one system")
    bs, bs_signatures = _run(named, references, "bs", n_bootstrap)
    ar, ar_signatures = _run(named, references, "ar", n_trials)
    baseline_hyps = named[0][1]
    rows = []
    for index, (system, hyps) in enumerate(named):
        identical = index > 0 and list(hyps) == list(baseline_hyps)
        row = SystemRow(system, {}, identical_to_baseline=identical)
        for name in METRIC_NAMES:
            result = bs[name][index]
            row.scores[name] = MetricResult(name, float(result.score), _float(result.mean), _float(result.ci),
                                            bs_signatures[name])
            if index > 0:
                row.p_bootstrap[name] = 1.0 if identical else float(bs[name][index].p_value)
                row.p_randomization[name] = 1.0 if identical else float(ar[name][index].p_value)
        rows.append(row)
    signatures = {name: f"{bs_signatures[name]} ; {ar_signatures[name]}" for name in METRIC_NAMES}
    return Comparison(len(baseline_hyps), n_bootstrap, n_trials, rows, signatures)
