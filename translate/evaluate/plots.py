"""The report's figures, as PNG bytes, drawn with matplotlib's Agg renderer.

Each metric gets its own axes: BLEU and chrF++ run 0–100 (higher is better)
while TER runs from 0 upwards with no ceiling (lower is better), so on one
axis TER's bars flatten the others.  Figures are built with
:class:`matplotlib.figure.Figure` directly (not ``pyplot``): no global backend
switch, no window, no state shared between calls, so a report can be drawn
from a server or a test.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np

from ..glossary import TermScore
from .metrics import HIGHER_IS_BETTER, METRIC_NAMES
from .scoring import Breakdown, DocumentScore, SegmentScore
from .significance import Comparison

_WIDTH = 11.0  # inches; 1,100 px at 100 dpi, shown at most as wide as the page
_DPI = 100
#: Documents named on the per-document figure; past this, a sorted strip without names.
MAX_NAMED_DOCUMENTS = 30
_COLOURS = {"BLEU": "tab:blue", "chrF++": "tab:green", "TER": "tab:red"}


def _figure(height: float = 3.2):
    from matplotlib.figure import Figure

    return Figure(figsize=(_WIDTH, height), dpi=_DPI, layout="constrained")


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def _label(text: str) -> str:
    """Text as matplotlib shows it literally (a ``$`` would start mathtext)."""
    return text.replace("$", r"\$")


def metric_title(name: str) -> str:
    return name if HIGHER_IS_BETTER[name] else f"{name} (lower is better)"


def segment_distribution(segments: Sequence[SegmentScore]) -> bytes:
    """How many segments score how well, one histogram per metric."""
    figure = _figure()
    values = {"BLEU": [s.bleu for s in segments], "chrF++": [s.chrf for s in segments],
              "TER": [min(s.ter, 100.0) for s in segments]}
    for axes, name in zip(figure.subplots(1, 3), METRIC_NAMES, strict=True):
        axes.hist(values[name], bins=20, range=(0, 100), color=_COLOURS[name])
        axes.set(title=metric_title(name), ylabel="segments", xlim=(0, 100),
                 xlabel="segment score" + (" (over 100 counted as 100)" if name == "TER" else ""))
    figure.suptitle(f"Per-segment scores ({len(segments):,} segments; BLEU: sentence BLEU, effective order)")
    return _png(figure)


def by_length(breakdowns: Sequence[Breakdown]) -> bytes:
    """Corpus scores of the segments of each reference-length bucket, one panel per metric."""
    figure = _figure()
    labels = [f"{b.label}\n({b.segments:,})" for b in breakdowns]
    for axes, name in zip(figure.subplots(1, 3), METRIC_NAMES, strict=True):
        axes.bar(range(len(breakdowns)), [b.scores[name] for b in breakdowns], color=_COLOURS[name])
        axes.set_xticks(range(len(breakdowns)), labels, fontsize=8)
        axes.set(title=metric_title(name), xlabel="reference length in words (segments)")
    figure.suptitle("Scores by segment length")
    return _png(figure)


def by_document(documents: Sequence[DocumentScore]) -> bytes:
    """Each document's scores, one panel per metric: named bars, or a sorted strip for many documents."""
    scored = [d for d in documents if d.scores]
    named = len(scored) <= MAX_NAMED_DOCUMENTS
    figure = _figure(max(3.2, 0.22 * len(scored) + 1.2) if named else 3.2)
    for axes, name in zip(figure.subplots(1, 3, sharey=named), METRIC_NAMES, strict=True):
        values = [d.scores[name] for d in scored]
        if named:
            axes.barh(range(len(scored)), values, color=_COLOURS[name])
            axes.set_yticks(range(len(scored)), [_label(d.key[-28:]) for d in scored], fontsize=8)
            axes.invert_yaxis()
            axes.set(title=metric_title(name), xlabel="score")
        else:
            axes.plot(sorted(values, reverse=not HIGHER_IS_BETTER[name]), ".", color=_COLOURS[name])
            axes.set(title=metric_title(name), xlabel="documents, worst to best", ylabel="score")
    figure.suptitle(f"Scores by document ({len(scored):,} documents)")
    return _png(figure)


def ratio_histogram(segments: Sequence[SegmentScore]) -> bytes:
    """Hypothesis/reference length (characters) per segment: too short or too long output shows here."""
    figure = _figure(2.8)
    axes = figure.add_subplot()
    ratios = [min(r, 3.0) for r in (s.length_ratio for s in segments) if r is not None]
    axes.hist(ratios, bins=30, range=(0, 3), color="tab:purple")
    axes.axvline(1.0, color="black", linestyle="--", linewidth=1)
    axes.set(xlabel="hypothesis / reference length (characters; capped at 3)", ylabel="segments",
             title="Length ratio")
    return _png(figure)


def term_categories(terms: Sequence[TermScore]) -> bytes:
    """Term success rate and exact-match accuracy by glossary category, with found/total counts."""
    figure = _figure(3.0)
    axes = figure.add_subplot()
    categories = sorted({c for t in terms for c in t.by_category})
    width = 0.8 / max(len(terms), 1)
    for offset, term_score in enumerate(terms):
        xs = [i + (offset - (len(terms) - 1) / 2) * width for i in range(len(categories))]
        counts = [term_score.by_category.get(c) for c in categories]
        bars = axes.bar(xs, [100 * c.rate if c else 0 for c in counts], width, label=term_score.metric)
        axes.bar_label(bars, [f"{c.found}/{c.total}" if c else "" for c in counts], fontsize=7)
    axes.set_xticks(range(len(categories)), [_label(c) for c in categories])
    axes.set(ylabel="%", ylim=(0, 110), title="Terms by category")
    axes.legend(fontsize=8)
    return _png(figure)


def systems(comparison: Comparison) -> bytes:
    """Each system's score with its 95% CI, one panel per metric; the baseline first."""
    figure = _figure(max(2.6, 0.35 * len(comparison.rows) + 1.4))
    names = [_label(row.system[-28:]) for row in comparison.rows]
    for axes, name in zip(figure.subplots(1, 3, sharey=True), METRIC_NAMES, strict=True):
        scores = np.array([row.scores[name].score for row in comparison.rows])
        cis = [row.scores[name].ci for row in comparison.rows]
        errors = None if any(c is None for c in cis) else np.array(cis, dtype=float)
        axes.barh(range(len(names)), scores, xerr=errors, color=_COLOURS[name], capsize=3)
        axes.set_yticks(range(len(names)), names, fontsize=8)
        axes.invert_yaxis()
        axes.set(title=metric_title(name), xlabel="score" + (" ± 95% CI" if errors is not None else ""))
    figure.suptitle("Systems (baseline first)")
    return _png(figure)
