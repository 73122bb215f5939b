"""The evaluation report: ``report.json`` and a self-contained ``report.html``.

The HTML page has no external files: figures are PNGs embedded as base64
``data:`` URIs and the style is inline, so the page can be mailed, attached to
an issue or opened offline and still shows everything.
"""

from __future__ import annotations

import base64
import json
from html import escape
from pathlib import Path

from ..textio import write_atomic
from . import plots
from .comet import ENABLE_HINT
from .scoring import Evaluation

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 70em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
code, .sig { font-family: ui-monospace, monospace; font-size: 0.8em; color: #555; }
figure { display: inline-block; margin: 0.5em; }
details { margin: 1em 0; }
"""


def figures(evaluation: Evaluation) -> dict[str, tuple[str, bytes]]:
    """name -> (caption, PNG) for every figure the data allows."""
    result = {}
    if evaluation.segments:
        result["segments"] = ("Per-segment score distribution",
                              plots.segment_distribution(evaluation.segments))
        result["length"] = ("Hypothesis/reference length ratio", plots.length_ratio(evaluation.segments))
    if evaluation.documents:
        result["documents"] = ("Per-document scores", plots.document_bars(evaluation.documents))
    if evaluation.terms and any(t.by_category for t in evaluation.terms):
        result["terms"] = ("Term success by category", plots.term_categories(evaluation.terms))
    return result


def _img(caption: str, png: bytes) -> str:
    data = base64.b64encode(png).decode("ascii")
    return (f'<figure><img src="data:image/png;base64,{data}" alt="{escape(caption)}">'
            f"<figcaption>{escape(caption)}</figcaption></figure>")


def _table(header: list[str], rows: list[list[object]]) -> str:
    def cell(value: object) -> str:
        if isinstance(value, float):
            return f'<td class="n">{value:.2f}</td>'
        if isinstance(value, int):
            return f'<td class="n">{value}</td>'
        return f"<td>{escape(str(value))}</td>"

    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(cell(v) for v in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_html(evaluation: Evaluation, title: str, run_info: dict[str, str] | None = None) -> str:
    """The whole report page as one string."""
    parts = [f"<h1>{escape(title)}</h1>"]
    if run_info:
        parts.append(_table(["", ""], [[k, v] for k, v in run_info.items()]))
    parts.append(f"<p>{evaluation.units} units in {len(evaluation.documents)} document(s); "
                 f"{evaluation.realigned} document(s) realigned.</p>")
    parts.append("<h2>Corpus scores</h2>")
    parts.append(_table(["metric", "score", "bootstrap mean", "95% CI ±", "signature"],
                        [[m.name, m.score, "" if m.mean is None else m.mean, "" if m.ci is None else m.ci,
                          m.signature] for m in evaluation.metrics]))
    if evaluation.comet is not None:
        parts.append(f"<p>COMET {100 * evaluation.comet.score:.2f} ({escape(evaluation.comet.model)})</p>")
    else:
        parts.append(f"<p class='sig'>{escape(ENABLE_HINT)}</p>")
    images = figures(evaluation)
    parts.append("<h2>Figures</h2>")
    parts.append("".join(_img(caption, png) for caption, png in images.values()))
    parts.append("<h2>Documents</h2>")
    parts.append(_table(["document", "units", "realigned units", "BLEU", "chrF++", "TER"],
                        [[d.key, d.units, d.realigned_units, d.scores["BLEU"], d.scores["chrF++"],
                          d.scores["TER"]] for d in evaluation.documents]))
    if evaluation.terms:
        parts.append("<h2>Terminology</h2>")
        rows = []
        for t in evaluation.terms:
            rows.append([t.metric, "all", t.found, t.total, t.score])
            rows += [["", c, n.found, n.total, 100 * n.rate] for c, n in sorted(t.by_category.items())]
        parts.append(_table(["metric", "category", "found", "total", "%"], rows))
        parts.append("".join(f"<p class='sig'>{escape(t.signature)}</p>" for t in evaluation.terms))
    if evaluation.fidelity:
        parts.append("<h2>Format fidelity</h2>")
        parts.append(_table(["document", "units", "codes preserved", "%", "shape equal", "shape", "problems"],
                            [[f.document, f.blocks, f.preserved, f.rate, "yes" if f.shape_equal else "no",
                              f.shape, "; ".join(f.problems[:5])] for f in evaluation.fidelity]))
    parts.append(f"<details><summary>Per-segment table ({len(evaluation.segments)} segments)</summary>")
    parts.append(_table(["segment", "bead", "chrF++", "BLEU", "hypothesis", "reference"],
                        [[s.id, s.bead, s.chrf, s.bleu, s.hypothesis, s.reference]
                         for s in evaluation.segments]))
    parts.append("<p class='sig'>" + escape("; ".join(f"{k}: {v}" for k, v in
                                                       evaluation.segment_signatures.items())) + "</p>")
    parts.append("</details>")
    body = "\n".join(parts)
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f"<style>{_STYLE}</style></head><body>\n{body}\n</body></html>\n")


def write_report(evaluation: Evaluation, outdir: str | Path, title: str = "Translation evaluation",
                 run_info: dict[str, str] | None = None) -> tuple[Path, Path]:
    """Write ``report.json`` and ``report.html`` into ``outdir``; return both paths."""
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    data = {"title": title, **({"run": run_info} if run_info else {}), **evaluation.as_dict()}
    if evaluation.comet is None:
        data["comet"] = {"available": False, "note": ENABLE_HINT}
    json_path, html_path = out / "report.json", out / "report.html"
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    write_atomic(json_path, text.encode("utf-8"), overwrite=True)
    write_atomic(html_path, render_html(evaluation, title, run_info).encode("utf-8"), overwrite=True)
    return json_path, html_path
