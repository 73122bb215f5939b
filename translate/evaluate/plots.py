"""The report's figures, as PNG bytes, drawn with matplotlib's Agg renderer.

Figures are built with :class:`matplotlib.figure.Figure` directly (not
``pyplot``): no global backend switch, no window, no state shared between
calls, so a report can be drawn from a server or a test.  Saving as PNG goes
through the Agg canvas.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from ..glossary import TermScore
from .scoring import DocumentScore, SegmentScore

_SIZE = (7.0, 3.6)
_DPI = 100


def _figure():
    from matplotlib.figure import Figure

    return Figure(figsize=_SIZE, dpi=_DPI, layout="constrained")


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def segment_distribution(segments: Sequence[SegmentScore]) -> bytes:
    """How many segments score how well: a histogram of segment chrF++ and BLEU."""
    figure = _figure()
    axes = figure.add_subplot()
    bins = [i * 5 for i in range(21)]
    axes.hist([s.chrf for s in segments], bins=bins, alpha=0.6, label="chrF++")
    axes.hist([s.bleu for s in segments], bins=bins, alpha=0.6, label="BLEU (effective order)")
    axes.set(xlabel="segment score", ylabel="segments", xlim=(0, 100),
             title=f"Per-segment scores ({len(segments)} segments)")
    axes.legend()
    return _png(figure)


def document_bars(documents: Sequence[DocumentScore]) -> bytes:
    """BLEU, chrF++ and TER per document, side by side."""
    figure = _figure()
    axes = figure.add_subplot()
    names = [d.key for d in documents]
    width = 0.27
    for offset, metric in enumerate(("BLEU", "chrF++", "TER")):
        xs = [i + (offset - 1) * width for i in range(len(names))]
        axes.bar(xs, [d.scores[metric] for d in documents], width, label=metric)
    axes.set_xticks(range(len(names)), names, rotation=30 if len(names) > 3 else 0, ha="right", fontsize=8)
    axes.set(ylabel="score", title="Per-document scores")
    axes.legend()
    return _png(figure)


def length_ratio(segments: Sequence[SegmentScore]) -> bytes:
    """Hypothesis/reference length (characters) per segment: too short or too long output shows here."""
    figure = _figure()
    axes = figure.add_subplot()
    ratios = [min(r, 3.0) for r in (s.length_ratio for s in segments) if r is not None]
    axes.hist(ratios, bins=30, range=(0, 3), color="tab:purple")
    axes.axvline(1.0, color="black", linestyle="--", linewidth=1)
    axes.set(xlabel="hypothesis / reference length (characters; capped at 3)", ylabel="segments",
             title="Length ratio")
    return _png(figure)


def term_categories(terms: Sequence[TermScore]) -> bytes:
    """Term success rate and exact-match accuracy by glossary category, with found/total counts."""
    figure = _figure()
    axes = figure.add_subplot()
    categories = sorted({c for t in terms for c in t.by_category})
    width = 0.8 / max(len(terms), 1)
    for offset, term_score in enumerate(terms):
        xs = [i + (offset - (len(terms) - 1) / 2) * width for i in range(len(categories))]
        counts = [term_score.by_category.get(c) for c in categories]
        bars = axes.bar(xs, [100 * c.rate if c else 0 for c in counts], width, label=term_score.metric)
        axes.bar_label(bars, [f"{c.found}/{c.total}" if c else "" for c in counts], fontsize=7)
    axes.set_xticks(range(len(categories)), categories)
    axes.set(ylabel="%", ylim=(0, 110), title="Terms by category")
    axes.legend(fontsize=8)
    return _png(figure)
