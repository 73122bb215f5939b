"""Plain-text and Markdown tables for ``translate score`` and ``translate compare``.

Kept apart from the CLI so that a Python user (or a notebook) gets the same
tables, and apart from the HTML page, which renders the same data its own way.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..glossary import TermScore
from .align import METHOD
from .metrics import HIGHER_IS_BETTER, METRIC_NAMES
from .post_edit import PostEditEffort, is_unchanged
from .scoring import Evaluation
from .significance import Comparison

#: Term and number misses printed before "and N more".
SHOWN_ISSUES = 10


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def counts_line(evaluation: Evaluation) -> str:
    """Units, segments and documents, in words: ``3 paragraphs in 1 document; 5 segments scored``."""
    line = plural(evaluation.units, evaluation.unit_name)
    if len(evaluation.documents) > 1:
        line += f" in {plural(len(evaluation.documents), 'document')}"
    segments = len(evaluation.segments)
    if evaluation.unit_name != "line" or segments != evaluation.units:
        line += (f"; {plural(segments, 'segment')} scored "
                 f"(sentences aligned inside each {evaluation.unit_name})")
    return line


def term_line(term_score: TermScore) -> str:
    """``term_success_rate: 92.00 (23/25)``, or ``n/a`` when no glossary term occurs in the source."""
    if not term_score.total:
        return f"{term_score.metric}: n/a (no glossary term in the source)  {term_score.signature}"
    return (f"{term_score.metric}: {term_score.score:6.2f} ({term_score.found}/{term_score.total})  "
            f"{term_score.signature}")


def evaluation_lines(evaluation: Evaluation, segments: bool = False) -> list[str]:
    """What ``translate score`` prints: level, totals and signatures, documents, terms, numbers, fidelity."""
    lines = [evaluation.level_summary, counts_line(evaluation)]
    for m in evaluation.metrics:
        notes = [x for x in (m.interval_text() + (", 95% CI" if m.interval_text() else ""),
                             "" if HIGHER_IS_BETTER[m.name] else "lower is better") if x]
        note = f"  ({'; '.join(notes)})" if notes else ""
        lines.append(f"{m.name:7} {m.score:6.2f}{note}  {m.signature}")
    if evaluation.realigned_units:
        lines.append(f"{plural(evaluation.realigned_units, evaluation.unit_name)} realigned in "
                     f"{plural(evaluation.realigned, 'document')} (sentences merged or split; {METHOD})")
    if len(evaluation.documents) > 1:
        lines.append("")
        lines.append(f"{'document':32} {'units':>6} {'segments':>8} {'BLEU':>7} {'chrF++':>7} {'TER':>7}")
        for d in evaluation.documents:
            note = f"  ({d.realigned_units} realigned)" if d.realigned_units else ""
            scores = " ".join(f"{d.scores[n]:7.2f}" if n in d.scores else f"{'n/a':>7}" for n in METRIC_NAMES)
            lines.append(f"{d.key[-32:]:32} {d.units:6d} {d.segments:8d} {scores}{note}")
    for term_score in evaluation.terms:
        lines.append(term_line(term_score))
        lines += [f"  {category:13} {count.found}/{count.total}"
                  for category, count in sorted(term_score.by_category.items())]
    if evaluation.term_note():
        lines.append(f"  ({evaluation.term_note()})")
    lines += _issue_lines(evaluation)
    if evaluation.fidelity:
        blocks = sum(f.blocks for f in evaluation.fidelity)
        preserved = sum(f.preserved for f in evaluation.fidelity)
        shapes = sum(1 for f in evaluation.fidelity if f.shape_equal)
        rate = f"{100 * preserved / blocks:.2f}%" if blocks else "n/a"
        lines.append(f"format fidelity: inline codes preserved in {preserved}/{blocks} units ({rate}), "
                     f"tree shape equal in {shapes}/{len(evaluation.fidelity)} document(s)")
        for report in evaluation.fidelity:
            lines += [f"  {report.document}: {problem}" for problem in report.problems[:5]]
    if evaluation.comet is not None:
        lines.append(f"COMET   {100 * evaluation.comet.score:6.2f}  model:{evaluation.comet.model}")
    return lines + _closing_lines(
        evaluation, segments, f"{'bead':>4} {'chrF++':>7} {'BLEU':>7} {'TER':>7}  hypothesis",
        ((s.id, f"{s.bead:>4} {s.chrf:7.2f} {s.bleu:7.2f} {s.ter:7.2f}  {s.hypothesis[:60]}")
         for s in evaluation.segments),
        "segment signatures: " + "; ".join(f"{k} {v}" for k, v in evaluation.segment_signatures.items()))


def _closing_lines(evaluation: Evaluation, segments: bool, header: str, rows: Iterable[tuple[str, str]],
                   signature: str) -> list[str]:
    """Notes, then (``--segments``) a blank line, the header, one row per segment id and the signatures."""
    lines = [f"note: {note}" for note in evaluation.notes]
    if segments:
        lines += ["", f"{'segment':40} {header}", *(f"{sid[-40:]:40} {row}" for sid, row in rows), signature]
    return lines


def _share(part: int, total: int) -> str:
    return f"{part:,}/{total:,} ({100 * part / total:.2f}%)" if total else "n/a (no segment with text)"


def post_edit_lines(effort: PostEditEffort, segments: bool = False) -> list[str]:
    """What ``translate score --post-edited`` prints: HTER, unchanged segments, per document and segment."""
    evaluation, hter = effort.evaluation, effort.hter
    interval = hter.interval_text()
    note = f"  ({interval}, 95% CI; lower is less editing)" if interval else "  (lower is less editing)"
    total = len(effort.segments)
    lines = [evaluation.level_summary, counts_line(evaluation),
             f"HTER    {hter.score:6.2f}{note}  {hter.signature}",
             f"unchanged segments: {_share(effort.unchanged, total)}"]
    if evaluation.realigned_units:
        lines.append(f"{plural(evaluation.realigned_units, evaluation.unit_name)} realigned in "
                     f"{plural(evaluation.realigned, 'document')} (the post-editor merged or split "
                     f"sentences; {METHOD})")
    if len(effort.documents) > 1:
        lines.append("")
        lines.append(f"{'document':32} {'segments':>8} {'unchanged':>9} {'%':>7} {'HTER':>7}")
        for d in effort.documents:
            share = f"{d.unchanged_share:7.2f}" if d.unchanged_share is not None else f"{'n/a':>7}"
            hter_cell = f"{d.hter:7.2f}" if d.hter is not None else f"{'n/a':>7}"
            lines.append(f"{d.key[-32:]:32} {d.segments:8d} {d.unchanged:9d} {share} {hter_cell}")
    return lines + _closing_lines(
        evaluation, segments, f"{'HTER':>7} {'kept':>4}  machine translation",
        ((s.id, f"{s.ter:7.2f} {'yes' if is_unchanged(s) else '':>4}  {s.hypothesis[:60]}")
         for s in effort.segments),
        f"segment signature: TER {effort.segment_signature}")


def _issue_lines(evaluation: Evaluation) -> list[str]:
    """Numbers checked and missing; the first term and number misses with their segments."""
    lines = []
    numbers = [i for i in evaluation.issues if i.kind == "number"]
    if evaluation.numbers_checked:
        units = len({(i.document, i.unit) for i in numbers})
        lines.append(f"numbers: {plural(len(numbers), 'source number')} missing from the hypothesis in "
                     f"{units} of {plural(evaluation.numbers_checked, evaluation.unit_name)}")
    for issue in evaluation.issues[:SHOWN_ISSUES]:
        where = issue.segments[0] if len(issue.segments) == 1 else f"{issue.document} unit {issue.unit}"
        lines.append(f"  {issue.kind} missing in {where}: {issue.source!r} (expected {issue.expected!r})")
    if len(evaluation.issues) > SHOWN_ISSUES:
        lines.append(f"  ... and {len(evaluation.issues) - SHOWN_ISSUES} more "
                     "(--json or --html lists them all)")
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
                name + ("" if HIGHER_IS_BETTER[name] else " (lower is better)"),
                f"{score.score:.2f}",
                score.interval_text().removeprefix("μ = ") or "n/a",
                "baseline" if index == 0 else ("n/a" if p_bs is None else f"{p_bs:.4f}"),
                "" if index == 0 else ("n/a" if p_ar is None else f"{p_ar:.4f}")
                + (" (identical)" if row.identical_to_baseline else ""),
            ])
    return rows


_HEADER = ["system", "metric", "score", "μ ± 95% CI", "p (paired bs)", "p (paired ar)"]


def comparison_footer(comparison: Comparison) -> list[str]:
    tests = []
    if comparison.n_bootstrap:
        tests.append(f"paired bootstrap n={comparison.n_bootstrap}")
    if comparison.n_trials:
        tests.append(f"approximate randomization n={comparison.n_trials}")
    lines = [plural(comparison.units, comparison.unit_name)
             + (f" in {plural(comparison.documents, 'document')}" if comparison.documents else "")
             + f"; {', '.join(tests)}; p < 0.05: the difference from the baseline is unlikely by chance"]
    lines += [f"level: {reason}" for reason in comparison.level_notes]
    lines += [f"{name}: {signature}" for name, signature in comparison.signatures.items()]
    return lines


def comparison_table(comparison: Comparison) -> str:
    """The comparison as an aligned terminal table."""
    rows = [_HEADER, *_cells(comparison)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(_HEADER))]
    lines = ["  ".join(cell.ljust(w) if i < 2 else cell.rjust(w)
                       for i, (cell, w) in enumerate(zip(r, widths, strict=True))).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines + [""] + comparison_footer(comparison))


def comparison_markdown(comparison: Comparison) -> str:
    """The comparison as a GitHub-flavoured Markdown table."""
    lines = ["| " + " | ".join(_HEADER) + " |", "|" + "|".join(["---"] * 2 + ["---:"] * 4) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in _cells(comparison)]
    return "\n".join(lines + [""] + [f"- {line}" for line in comparison_footer(comparison)]) + "\n"
