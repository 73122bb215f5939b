"""The page a post-editor opens: source and translation side by side, the problems highlighted.

One self-contained file: the style is inline, there is no script at all (and
a Content-Security-Policy that forbids any), and every piece of document text
goes through :func:`html.escape`, so an article quoting ``<script>`` shows
those characters.  A table per document lists every unit in order; flagged
rows are tinted by their worst severity, the flagged characters are
``<mark>`` ed with the findings as a tooltip, and the findings are listed in
the last column.  Table cells wrap anywhere, so a long URL cannot push the
page sideways.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from .model import ERROR, WARNING, QAIssue, QAUnit
from .runner import QADocument, count_by_check, findings_by_segment
from .text import OBJECT

STYLE = """
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, sans-serif; margin: 0; color: #1b1b1b; background: #fafafa; }
main { max-width: 1400px; margin: 0 auto; padding: 1rem 1.5rem; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 2rem; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { border: 1px solid #ddd; padding: .35rem .5rem; text-align: left; vertical-align: top; }
table.units { table-layout: fixed; }
table.units col.id { width: 11%; } table.units col.text { width: 32%; }
table.units col.findings { width: 25%; }
td { overflow-wrap: anywhere; word-break: break-word; }
td.text { white-space: pre-wrap; }
td.id { font: 12px/1.3 ui-monospace, monospace; color: #555; }
tr.error td { background: #fff1f0; } tr.warning td { background: #fffbe6; }
mark.error { background: #ffb3ad; outline: 1px solid #d4380d; }
mark.warning { background: #ffe58f; outline: 1px solid #d48806; }
ul.findings { margin: 0; padding-left: 1.1rem; }
li.error::marker { color: #d4380d; } li.warning::marker { color: #d48806; }
.check { font-weight: 600; } .level { color: #777; font-size: 11px; }
.obj { color: #888; border: 1px solid #bbb; border-radius: 3px; padding: 0 2px; font-size: 11px; }
table.counts { width: auto; margin-bottom: 1rem; } nav.flagged { margin: .5rem 0; overflow-wrap: anywhere; }
nav.flagged a { margin-right: .6rem; }
"""
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'"


def render_page(documents: Sequence[QADocument], title: str = "Translation QA",
                issues: Sequence[QAIssue] | None = None) -> str:
    """The whole page; ``issues`` (when documents are not known) are listed on their own."""
    all_issues = [i for d in documents for i in d.issues] if documents else list(issues or [])
    parts = [
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        f"<title>{escape(title)}</title>", f"<style>{STYLE}</style>", "</head>", "<body>", "<main>",
        f"<h1>{escape(title)}</h1>", _counts(all_issues),
    ]
    for number, document in enumerate(documents):
        parts.append(_document(number, document))
    if not documents and all_issues:
        parts.append(_issue_list(all_issues))
    parts += ["</main>", "</body>", "</html>", ""]
    return "\n".join(parts)


def _counts(issues: Sequence[QAIssue]) -> str:
    if not issues:
        return "<p>No findings.</p>"
    flagged = len({i.segment for i in issues})
    rows = "".join(
        f"<tr><td>{escape(check)}</td>"
        f"<td>{sum(1 for i in issues if i.check == check and i.severity == ERROR)}</td>"
        f"<td>{sum(1 for i in issues if i.check == check and i.severity == WARNING)}</td></tr>"
        for check in count_by_check(issues))
    return (f"<p>{len(issues)} finding(s) in {flagged} segment(s).</p>"
            f'<table class="counts"><thead><tr><th>Check</th><th>Errors</th><th>Warnings</th></tr></thead>'
            f"<tbody>{rows}</tbody></table>")


def _anchor(document: int, unit: int) -> str:
    return f"d{document}-u{unit}"


def _document(number: int, document: QADocument) -> str:
    grouped = findings_by_segment(document.issues)
    flagged = [(n, unit) for n, unit in enumerate(document.units) if unit.id in grouped]
    blocks = sum(1 for unit in document.units if unit.level == "block")
    head = [f"<section><h2>{escape(document.name)} → {escape(document.target)}</h2>",
            f"<p>{len(document.units)} unit(s), {len(flagged)} flagged, {len(document.issues)} finding(s)."
            + (f" {blocks} unit(s) are whole blocks: the two sides were not split into as many sentences, "
               "so the block is checked as one." if blocks else "") + "</p>"]
    if flagged:
        links = " ".join(f'<a href="#{_anchor(number, n)}">{escape(unit.id)}</a>' for n, unit in flagged)
        head.append(f'<nav class="flagged">Flagged: {links}</nav>')
    rows = [_row(number, n, unit, grouped.get(unit.id, [])) for n, unit in enumerate(document.units)]
    table = ('<table class="units"><colgroup><col class="id"><col class="text"><col class="text">'
             '<col class="findings"></colgroup><thead><tr><th>Segment</th><th>Source</th><th>Translation</th>'
             f"<th>Findings</th></tr></thead><tbody>{''.join(rows)}</tbody></table></section>")
    return "\n".join(head) + table


def _row(document: int, number: int, unit: QAUnit, issues: list[QAIssue]) -> str:
    worst = ERROR if any(i.severity == ERROR for i in issues) else WARNING if issues else ""
    source_marks = [(i.source_span, i) for i in issues if i.source_span]
    target_marks = [(i.target_span, i) for i in issues if i.target_span]
    findings = "".join(f'<li class="{i.severity}"><span class="check">{escape(i.check)}</span> '
                       f"{escape(i.message)}</li>" for i in issues)
    level = '<br><span class="level">whole block</span>' if unit.level == "block" else ""
    return (f'<tr id="{_anchor(document, number)}"' + (f' class="{worst}"' if worst else "") + ">"
            f'<td class="id">{escape(unit.id)}{level}</td>'
            f'<td class="text" lang="id">{_highlighted(unit.source_plain.text, source_marks)}</td>'
            f'<td class="text" lang="en">{_highlighted(unit.target_plain.text, target_marks)}</td>'
            f'<td>{f"<ul class=findings>{findings}</ul>" if findings else ""}</td></tr>')


def _highlighted(text: str, marks: list[tuple[tuple[int, int], QAIssue]]) -> str:
    """``text`` escaped, with each marked span in a ``<mark>`` titled with its findings."""
    edges = sorted({0, len(text), *(max(0, min(len(text), p)) for span, _ in marks for p in span)})
    out = []
    for start, end in zip(edges, edges[1:], strict=False):
        piece = _escaped(text[start:end])
        covering = [issue for (s, e), issue in marks if s <= start and end <= e and s < e]
        if covering:
            severity = ERROR if any(i.severity == ERROR for i in covering) else WARNING
            tip = "; ".join(f"{i.check}: {i.message}" for i in covering)
            piece = f'<mark class="{severity}" title="{escape(tip)}">{piece}</mark>'
        out.append(piece)
    return "".join(out)


def _escaped(text: str) -> str:
    return escape(text).replace(OBJECT, '<span class="obj" title="markup">◆</span>')


def _issue_list(issues: Sequence[QAIssue]) -> str:
    rows = "".join(f'<tr class="{i.severity}"><td class="id">{escape(i.segment)}</td>'
                   f"<td>{escape(i.check)}</td>"
                   f"<td>{escape(i.message)}</td><td>{escape(i.source)}</td><td>{escape(i.target)}</td></tr>"
                   for i in issues)
    return ('<table class="units"><thead><tr><th>Segment</th><th>Check</th><th>Message</th><th>Source</th>'
            f"<th>Translation</th></tr></thead><tbody>{rows}</tbody></table>")
