"""Plain-text and Markdown tables for ``translate score`` and ``translate compare``.

Kept apart from the CLI so that a Python user (or a notebook) gets the same
tables, and apart from the HTML page, which renders the same data its own way.
"""

from __future__ import annotations

from .align import METHOD
from .scoring import Evaluation
from .significance import METRIC_NAMES, Comparison


def score_lines(evaluation: Evaluation, segments: bool = False) -> list[str]:
    """What ``translate score`` prints: totals and signatures, then documents, terms, fidelity, segments."""
    lines = [f"{evaluation.units} {evaluation.unit_name}s"
             + (f" in {len(evaluation.documents)} documents" if len(evaluation.documents) > 1 else "")]
    for m in evaluation.metrics:
        lines.append(f"{m.name:7} {m.score:6.2f}  ({m.confidence()}, 95% CI)  {m.signature}")
    if evaluation.level == "unit":
        lines.append(f"{evaluation.realigned} document(s) realigned (sentences merged or split; {METHOD})")
    if len(evaluation.documents) > 1:
        lines.append("")
        lines.append(f"{'document':32} {'units':>5} {'BLEU':>7} {'chrF++':>7} {'TER':>7}")
        for d in evaluation.documents:
            note = f"  ({d.realigned_units} unit(s) realigned)" if d.realigned_units else ""
            lines.append(f"{d.key[:32]:32} {d.units:5d} {d.scores['BLEU']:7.2f} {d.scores['chrF++']:7.2f} "
                         f"{d.scores['TER']:7.2f}{note}")
    for term_score in evaluation.terms:
        lines.append(f"{term_score.metric}: {term_score.score:6.2f} "
                     f"({term_score.found}/{term_score.total})  {term_score.signature}")
        lines += [f"  {category:13} {count.found}/{count.total}"
                  for category, count in sorted(term_score.by_category.items())]
    if evaluation.fidelity:
        blocks = sum(f.blocks for f in evaluation.fidelity)
        preserved = sum(f.preserved for f in evaluation.fidelity)
        shapes = sum(1 for f in evaluation.fidelity if f.shape_equal)
        rate = 100 * preserved / blocks if blocks else 100.0
        lines.append(f"format fidelity: inline codes preserved in {preserved}/{blocks} units ({rate:.2f}%), "
                     f"tree shape equal in {shapes}/{len(evaluation.fidelity)} document(s)")
        for report in evaluation.fidelity:
            lines += [f"  {report.document}: {problem}" for problem in report.problems[:5]]
    if evaluation.comet is not None:
        lines.append(f"COMET   {100 * evaluation.comet.score:6.2f}  model:{evaluation.comet.model}")
    if segments:
        lines.append("")
        lines.append(f"{'segment':40} {'bead':>4} {'chrF++':>7} {'BLEU':>7}  hypothesis")
        for s in evaluation.segments:
            lines.append(f"{s.id[-40:]:40} {s.bead:>4} {s.chrf:7.2f} {s.bleu:7.2f}  {s.hypothesis[:60]}")
        lines.append(f"segment signatures: BLEU {evaluation.segment_signatures['BLEU']}; "
                     f"chrF++ {evaluation.segment_signatures['chrF++']}")
    return lines


def _cells(comparison: Comparison) -> list[list[str]]:
    rows = []
    for index, row in enumerate(comparison.rows):
        for name in METRIC_NAMES:
            score = row.scores[name]
            p_bs = row.p_bootstrap.get(name)
            p_ar = row.p_randomization.get(name)
            rows.append([
                row.system if name == METRIC_NAMES[0] else "",
                name,
                f"{score.score:.2f}",
                score.confidence().removeprefix("μ = "),
                "baseline" if index == 0 else f"{p_bs:.4f}",
                "" if index == 0 else f"{p_ar:.4f}" + (" (identical)" if row.identical_to_baseline else ""),
            ])
    return rows


_HEADER = ["system", "metric", "score", "μ ± 95% CI", "p (paired bs)", "p (paired ar)"]


def _footer(comparison: Comparison) -> list[str]:
    lines = [f"{comparison.units} units"
             + (f" in {comparison.documents} documents" if comparison.documents else "")
             + f"; paired bootstrap n={comparison.n_bootstrap}, approximate randomization "
               f"n={comparison.n_trials}; p < 0.05: the difference from the baseline is unlikely by chance"]
    lines += [f"{name}: {signature}" for name, signature in comparison.signatures.items()]
    return lines


def comparison_table(comparison: Comparison) -> str:
    """The comparison as an aligned terminal table."""
    rows = [_HEADER, *_cells(comparison)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(_HEADER))]
    lines = ["  ".join(cell.ljust(w) if i < 2 else cell.rjust(w) for i, (cell, w) in enumerate(zip(r, widths,
                                                                                                   strict=True)))
             .rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines + [""] + _footer(comparison))


def comparison_markdown(comparison: Comparison) -> str:
    """The comparison as a GitHub-flavoured Markdown table."""
    lines = ["| " + " | ".join(_HEADER) + " |", "|" + "|".join(["---"] * 2 + ["---:"] * 4) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in _cells(comparison)]
    return "\n".join(lines + [""] + [f"- {line}" for line in _footer(comparison)]) + "\n"
